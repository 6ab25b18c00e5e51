package helpdesk

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/parleyhq/parley/internal/httpwire"
	"github.com/parleyhq/parley/storage"
)

// The paging of this API: 1-based pages of at most MaxLimit items.
const (
	DefaultLimit = 50
	MaxLimit     = 100
)

// query reads a request's query parameters: each takes one value (given
// twice is a 400) and an empty value is the same as none. A parameter no
// handler reads is ignored, or in strict mode a 400 naming it (done).
type query struct {
	v      url.Values
	used   map[string]bool
	strict bool
}

func (a *api) newQuery(u *url.URL) (*query, error) {
	v, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, httpwire.Invalid("query", "malformed query string")
	}
	return &query{v: v, used: map[string]bool{}, strict: a.strict}, nil
}

// decodeBody reads a JSON object from the request body into dst
// (httpwire.DecodeBody): unknown keys are ignored unless the handler is
// strict.
func (a *api) decodeBody(w http.ResponseWriter, r *http.Request, dst any) error {
	if a.strict {
		return httpwire.DecodeBody(w, r, dst)
	}
	return httpwire.DecodeBodyLenient(w, r, dst)
}

// one returns the value of name, "" when it is absent or empty.
func (q *query) one(name string) (string, error) {
	q.used[name] = true
	var val string
	for _, s := range q.v[name] {
		if s == "" {
			continue
		}
		if val != "" {
			return "", httpwire.Invalid(name, "given more than once")
		}
		val = s
	}
	return val, nil
}

// parsed returns the value of name read by parse, the zero value when it
// is absent.
func parsed[T any](q *query, name string, parse func(string) (T, error)) (T, error) {
	var zero T
	s, err := q.one(name)
	if err != nil || s == "" {
		return zero, err
	}
	return parse(s)
}

// int returns the integer value of name, def when it is absent, refusing
// one outside lo..hi.
func (q *query) int(name string, def, lo, hi int) (int, error) {
	s, err := q.one(name)
	if err != nil || s == "" {
		return def, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, httpwire.Invalid(name, "must be a whole number from %d to %d, not %q", lo, hi, s)
	}
	return n, nil
}

// paging reads page (1-based, default 1) and limit (default 50, at most
// 100) as the storage's 0-based paging.
func (q *query) paging() (storage.Paging, error) {
	page, err := q.int("page", 1, 1, storage.MaxOffset)
	if err != nil {
		return storage.Paging{}, err
	}
	limit, err := q.int("limit", DefaultLimit, 1, MaxLimit)
	if err != nil {
		return storage.Paging{}, err
	}
	return storage.Paging{Page: page - 1, Limit: limit}, nil
}

// done reports the first parameter no handler read, in strict mode.
func (q *query) done() error {
	if !q.strict {
		return nil
	}
	for _, name := range slices.Sorted(maps.Keys(q.v)) {
		if !q.used[name] {
			if name == "" {
				return httpwire.Invalid("query", "a parameter without a name")
			}
			return httpwire.Invalid(name, "unknown query parameter")
		}
	}
	return nil
}

// noQuery refuses query parameters on a route that takes none, in strict
// mode.
func (a *api) noQuery(u *url.URL) error {
	q, err := a.newQuery(u)
	if err != nil {
		return err
	}
	return q.done()
}
