package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/httpwire"
)

// DefaultBasePath is where the routes live unless WithBasePath says
// otherwise.
const DefaultBasePath = "/ccaas/1"

// HeaderAgentID is the request header the default actor extraction reads:
// the id of the agent acting, as in the Infobip API.
const HeaderAgentID = httpwire.HeaderAgentID

// ErrUnauthenticated is what an actor extraction function returns (wrapped
// or not) to refuse a request whose caller it cannot identify; the answer
// is a 401 with code UNAUTHENTICATED.
var ErrUnauthenticated = httpwire.ErrUnauthenticated

// ActorFunc tells who makes a request. It returns the actor the service
// sees (parley.WithActor), or an error: ErrUnauthenticated for a 401, one of
// parley's sentinels for its usual status, anything else for a 500.
type ActorFunc func(*http.Request) (parley.Actor, error)

// Option configures the handler.
type Option func(*config)

type config struct {
	base   string
	logger *slog.Logger
	actor  ActorFunc
	strict bool
}

// WithStrict makes the handler refuse what it does not know, with a 400
// naming it: an unknown query parameter, an unknown body field (at any
// depth), a body on a route that takes none. By default they are ignored,
// as Infobip ignores them, so that clients written for Infobip (which send
// tracking parameters and fields of their own) work unchanged. Known fields
// and parameters are validated the same in both modes.
func WithStrict() Option {
	return func(c *config) { c.strict = true }
}

// WithBasePath sets the path prefix of the Conversations API's routes
// (default "/ccaas/1"). The routes of Infobip's voice API (/ccaas/voice/2)
// and agent configuration API (/ccca/1) stay at those paths, as Infobip
// serves them; a host that wants them elsewhere rewrites the path in front
// of the handler. A missing leading slash is added and a trailing one
// dropped; "" or "/" serves the routes at the root. The prefix is matched
// literally: a character such as '{' or a space is escaped, never read as
// a pattern.
func WithBasePath(base string) Option {
	return func(c *config) { c.base = httpwire.BasePath(base) }
}

// WithLogger sets the logger for failures the client only sees as a 500
// (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithActorFunc sets how a request's actor is found, so that a host can
// plug in its own authentication: the function may read a verified token
// and grant scopes. The default is HeaderActor.
func WithActorFunc(fn ActorFunc) Option {
	return func(c *config) {
		if fn != nil {
			c.actor = fn
		}
	}
}

// HeaderActor is the default ActorFunc. An actor already in the request
// context, put there by a host middleware with parley.WithActor, is used as
// it is; only when there is none is the x-agent-id header, when present,
// the actor's agent id, with no scopes. The header given twice,
// or a value that is not a printable id of at most 255 characters, is a
// 400.
func HeaderActor(r *http.Request) (parley.Actor, error) { return httpwire.HeaderActor(r) }

// api is the handler: the service, its configuration and the mux that the
// route table filled.
type api struct {
	svc *parley.Service
	config
	mux *http.ServeMux
	doc []byte // the OpenAPI description, with the base path as server URL
}

// New returns an http.Handler serving every route of the API (see the
// package doc) over svc.
func New(svc *parley.Service, opts ...Option) http.Handler {
	a := &api{svc: svc, config: config{base: DefaultBasePath, logger: slog.Default(), actor: HeaderActor}}
	for _, o := range opts {
		o(&a.config)
	}
	a.doc = openAPIFor(a.base)
	a.mux = http.NewServeMux()
	for _, rt := range routes {
		a.mux.Handle(rt.method+" "+pattern(a.base, rt.path), a.serve(rt))
	}
	// Anything no route matches: a JSON 404, or 405 when the path exists
	// under other methods.
	a.mux.HandleFunc("/", a.unmatched)
	return a.mux
}

// serve wraps one route's handler: it finds the actor, calls the handler
// and writes its answer or its error.
func (a *api) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				a.logger.ErrorContext(r.Context(), "httpapi: handler panicked",
					"method", r.Method, "path", r.URL.Path, "panic", p)
				a.writeJSON(w, http.StatusInternalServerError, internalError())
			}
		}()
		actor, err := a.actor(r)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		r = r.WithContext(parley.WithActor(r.Context(), actor))
		if rt.body == noBody && a.strict {
			if err := refuseBody(w, r); err != nil {
				a.writeError(w, r, err)
				return
			}
		}
		if r.Header.Get("If-Match") != "" && !ifMatchRoutes[rt.method+" "+rt.path] {
			a.writeError(w, r, invalid("If-Match", "is honoured on PUT and PATCH of a conversation only"))
			return
		}
		body, err := rt.handle(a, w, r)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		if _, ok := body.(answered); ok {
			return // the handler wrote its answer (a download)
		}
		if c, ok := body.(conversationJSON); ok {
			setETag(w, c.Version)
		}
		if body == nil || rt.status == http.StatusNoContent {
			w.WriteHeader(rt.status)
			return
		}
		a.writeJSON(w, rt.status, body)
	})
}

// unmatched answers a request no route took.
func (a *api) unmatched(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := a.mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		a.writeJSON(w, http.StatusNotFound, errorJSON{StatusCode: "ERROR", Code: "NOT_FOUND",
			Message: "no route for " + r.Method + " " + r.URL.Path})
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	a.writeJSON(w, http.StatusMethodNotAllowed, errorJSON{StatusCode: "ERROR", Code: "METHOD_NOT_ALLOWED",
		Message: r.Method + " is not allowed on " + r.URL.Path + "; allowed: " + strings.Join(allow, ", ")})
}

// rawJSON is a body written as it is.
type rawJSON []byte

func (a *api) writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	if raw, ok := body.(rawJSON); ok {
		w.WriteHeader(status)
		_, _ = w.Write(raw)
		return
	}
	b, err := json.Marshal(body)
	if err != nil {
		// Only the package's own wire types get here; they always encode.
		a.logger.Error("httpapi: encoding an answer", "error", err)
		status, b = http.StatusInternalServerError, []byte(`{"statusCode":"ERROR","message":"internal error","code":"INTERNAL"}`)
	}
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeError answers with the status and code of err's sentinel, and a
// message in the words of Infobip's answers that names the entity and the
// id or field that matters, and never a package, a store operation or SQL
// (httpwire.Message). Any other error is a 500 with a generic message; the
// real one is logged.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ans *answerError
	if errors.As(err, &ans) {
		e := errorJSON{StatusCode: "ERROR", Message: ans.message, Code: ans.code, Field: ans.field}
		if ans.voice {
			e.Status = "ERROR"
		}
		a.writeJSON(w, ans.status, e)
		return
	}
	if status, code, field, ok := httpwire.Classify(err); ok {
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", httpwire.RetryAfterSeconds)
			a.logger.Log(r.Context(), slog.LevelWarn, "httpapi: database unavailable",
				"method", r.Method, "path", r.URL.Path, "error", err)
		}
		a.writeJSON(w, status, errorJSON{StatusCode: "ERROR", Message: httpwire.Message(err, httpwire.RequestInputs(r)), Code: code, Field: field})
		return
	}
	level := slog.LevelError
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		level = slog.LevelInfo // the client went away
	}
	a.logger.Log(r.Context(), level, "httpapi: request failed",
		"method", r.Method, "path", r.URL.Path, "error", err)
	a.writeJSON(w, http.StatusInternalServerError, internalError())
}

// answerError is an error a route answers otherwise than its sentinel's
// usual status, where Infobip documents the answer (a duplicate tag is a
// 400, "Tag already exists.").
type answerError struct {
	status  int
	code    string
	field   string // the request field at fault, if any
	message string
	err     error
	// voice adds Infobip's voice API "status": "ERROR" to the answer,
	// for the routes whose Infobip errors are {"status", "message"}.
	voice bool
}

func (e *answerError) Error() string { return e.message }
func (e *answerError) Unwrap() error { return e.err }

func internalError() errorJSON {
	return errorJSON{StatusCode: "ERROR", Message: "internal error", Code: "INTERNAL"}
}
