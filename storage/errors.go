package storage

import "github.com/parleyhq/parley/internal/fault"

// The sentinel errors every Store returns, and every layer above passes on
// wrapped with the id or field that matters. Match them with errors.Is.
var (
	// ErrNotFound: the entity (or the tag link) does not exist.
	ErrNotFound = fault.ErrNotFound
	// ErrAlreadyExists: an entity with that id (or unique name) exists.
	ErrAlreadyExists = fault.ErrAlreadyExists
	// ErrInvalid: the input breaks a rule; the error is a *FieldError
	// naming the field.
	ErrInvalid = fault.ErrInvalid
	// ErrClosed: the conversation is closed and accepts no change.
	ErrClosed = fault.ErrClosed
	// ErrForbidden: the actor may not do this.
	ErrForbidden = fault.ErrForbidden
	// ErrConflict: the stored version is not the one the caller expected.
	ErrConflict = fault.ErrConflict
)

// FieldError is the ErrInvalid that names the field at fault and why.
type FieldError = fault.FieldError

// Invalid returns a *FieldError for field with a formatted reason.
func Invalid(field, format string, args ...any) error {
	return fault.Invalid(field, format, args...)
}
