package parley

import "github.com/parleyhq/parley/storage"

// The sentinel errors, re-exported from storage so that callers of the
// service need import only this package. Match them with errors.Is.
var (
	ErrNotFound      = storage.ErrNotFound
	ErrAlreadyExists = storage.ErrAlreadyExists
	ErrInvalid       = storage.ErrInvalid
	ErrClosed        = storage.ErrClosed
	ErrForbidden     = storage.ErrForbidden
	ErrConflict      = storage.ErrConflict
	ErrUnavailable   = storage.ErrUnavailable
	ErrPrecondition  = storage.ErrPrecondition
)

// FieldError is the ErrInvalid that names the field at fault and why; get it
// with errors.As.
type FieldError = storage.FieldError
