// Package httpwire is what parley's HTTP adapters share, so that each rule
// of the wire is written once: the strict reading of request bodies
// (DecodeBody, RefuseBody, Opt), the errors that name a field (Invalid),
// which status and code each of parley's errors is (Classify), how a
// request's actor is found by default (HeaderActor), and the time layout.
// Each adapter keeps its own answers: the Infobip shape in httpapi, the
// helpdesk's {success, ...} envelope in httpapi/helpdesk.
package httpwire

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
)

// TimeLayout is how every time is written on the wire: UTC, milliseconds,
// a numeric offset.
const TimeLayout = "2006-01-02T15:04:05.000-07:00"

// ErrUnauthenticated is what an actor function returns (wrapped or not) to
// refuse a request whose caller it cannot identify; the answer is a 401
// with code UNAUTHENTICATED.
var ErrUnauthenticated = errors.New("unauthenticated")

// errorClasses maps parley's sentinels to a status and a code, in the order
// they are tested.
var errorClasses = []struct {
	err    error
	status int
	code   string
}{
	{parley.ErrInvalid, http.StatusBadRequest, "INVALID"},
	{parley.ErrNotFound, http.StatusNotFound, "NOT_FOUND"},
	{parley.ErrAlreadyExists, http.StatusConflict, "ALREADY_EXISTS"},
	{parley.ErrClosed, http.StatusConflict, "CLOSED"},
	{parley.ErrForbidden, http.StatusForbidden, "FORBIDDEN"},
	{parley.ErrConflict, http.StatusConflict, "CONFLICT"},
	{parley.ErrPrecondition, http.StatusPreconditionFailed, "PRECONDITION_FAILED"},
	{ErrUnauthenticated, http.StatusUnauthorized, "UNAUTHENTICATED"},
	{parley.ErrUnavailable, http.StatusServiceUnavailable, "UNAVAILABLE"},
	// The request's deadline passed waiting for the database (a pool
	// with no free connection, a slow server): retry later too.
	{context.DeadlineExceeded, http.StatusServiceUnavailable, "UNAVAILABLE"},
}

// RetryAfterSeconds is the Retry-After of a 503: how long a client should
// wait before it tries again.
const RetryAfterSeconds = "1"

// Classify returns the status and code of err's sentinel, and field, the
// request field or parameter at fault for an ErrInvalid that names one. ok
// is false for an error of no known kind: a 500, whose message the client
// must not see. ErrUnavailable and a passed deadline are a 503: the
// adapters add Retry-After (RetryAfterSeconds), so that a client tells
// "retry later" from a bug.
func Classify(err error) (status int, code, field string, ok bool) {
	for _, c := range errorClasses {
		if !errors.Is(err, c.err) {
			continue
		}
		var fe *parley.FieldError
		if errors.As(err, &fe) {
			field = fe.Field
		}
		return c.status, c.code, field, true
	}
	return http.StatusInternalServerError, "INTERNAL", "", false
}

// BasePath cleans a base path for the route patterns: a missing leading
// slash is added and a trailing one dropped, "" or "/" is the root (""),
// and each segment is escaped, so that a character such as '{' or a space
// is matched literally, never read as a pattern.
func BasePath(base string) string {
	var segs []string
	for _, seg := range strings.Split(base, "/") {
		if seg == "" {
			continue
		}
		if raw, err := url.PathUnescape(seg); err == nil {
			seg = raw
		}
		segs = append(segs, url.PathEscape(seg))
	}
	if len(segs) == 0 {
		return ""
	}
	return "/" + strings.Join(segs, "/")
}

// HeaderAgentID is the request header the default actor extraction reads:
// the id of the agent acting, as in the Infobip API.
const HeaderAgentID = "x-agent-id"

// HeaderActor is the adapters' default way to find a request's actor. An
// actor already in the request context (parley.WithActor, set by a host
// middleware that authenticated the caller) is the actor, and the header is
// not read. Otherwise the x-agent-id header, when present, is the actor's
// agent id, with no scopes. The header given twice, or a value that is not
// a printable id of at most 255 characters, is a 400.
func HeaderActor(r *http.Request) (parley.Actor, error) {
	if a, ok := parley.LookupActor(r.Context()); ok {
		return a, nil
	}
	values := r.Header.Values(HeaderAgentID)
	switch {
	case len(values) == 0 || len(values) == 1 && values[0] == "":
		return parley.Actor{}, nil
	case len(values) > 1:
		return parley.Actor{}, Invalid(HeaderAgentID, "given more than once")
	}
	id := values[0]
	if !utf8.ValidString(id) || utf8.RuneCountInString(id) > conversation.MaxIDLen ||
		strings.ContainsFunc(id, unicode.IsControl) {
		return parley.Actor{}, Invalid(HeaderAgentID, "must be a printable id of at most %d characters", conversation.MaxIDLen)
	}
	return parley.Actor{AgentID: id}, nil
}
