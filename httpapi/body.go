package httpapi

import (
	"net/http"

	"github.com/parleyhq/parley/internal/httpwire"
)

// The body reading both adapters share (package internal/httpwire),
// under the names this package's handlers use.

// MaxBodyBytes is the largest request body the handler reads; a larger one
// is a 400.
const MaxBodyBytes = httpwire.MaxBodyBytes

// opt is a body field that may be absent, null or set (httpwire.Opt).
type opt[T any] = httpwire.Opt[T]

// decodeBody reads a JSON object from the request body into dst
// (httpwire.DecodeBody): unknown keys are ignored unless the handler is
// strict.
func (a *api) decodeBody(w http.ResponseWriter, r *http.Request, dst any) error {
	if a.strict {
		return httpwire.DecodeBody(w, r, dst)
	}
	return httpwire.DecodeBodyLenient(w, r, dst)
}

// refuseBody reads the body of a route that takes none (httpwire.RefuseBody).
func refuseBody(w http.ResponseWriter, r *http.Request) error { return httpwire.RefuseBody(w, r) }

// invalid is the ErrInvalid of a request field or parameter.
func invalid(field, format string, args ...any) error {
	return httpwire.Invalid(field, format, args...)
}

// oneOf merges a field and its alias of the second vocabulary (subject for
// topic, say): at most one of them may be present.
func oneOf[T any](name string, v opt[T], alias string, a opt[T]) (opt[T], error) {
	return httpwire.OneOf(name, v, alias, a)
}
