package storage

import (
	"context"
	"errors"
	"strconv"

	"github.com/parleyhq/parley/fault"
)

// The sentinel errors every store returns, and every layer above passes on
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
	// ErrConflict: the stored version is not the one the caller expected,
	// or the database refused the change for a concurrent one (a
	// serialisation failure, a deadlock, a busy SQLite file): retrying may
	// succeed.
	ErrConflict = fault.ErrConflict
	// ErrUnavailable: the database cannot be reached (the connection was
	// refused or lost, the server is shutting down, the pool could not
	// connect): nothing is wrong with the request, and retrying later may
	// succeed. The HTTP adapters answer it 503 with Retry-After.
	ErrUnavailable = fault.ErrUnavailable
	// ErrPrecondition: the subject lacks a state the request needs (a
	// transfer of a conversation with no live call).
	ErrPrecondition = fault.ErrPrecondition
)

// ErrTxDone is the Kind of an Error from a Tx used after its InTx returned.
var ErrTxDone = errors.New("the transaction has ended")

// FieldError is the ErrInvalid that names the field at fault and why.
type FieldError = fault.FieldError

// Invalid returns a *FieldError for field with a formatted reason.
func Invalid(field, format string, args ...any) error {
	return fault.Invalid(field, format, args...)
}

// Error is a failed store operation, the one error type of every store. It
// wraps two errors, so that both errors.Is(err, ErrNotFound) and
// errors.As(err, &driverErr) work: Kind, one of this package's sentinels
// (or the context's error), and Err, the cause (a driver's error) when there
// is one. Its message names the operation and the entity but never carries
// SQL, a database code or the driver's message (which may quote SQL); the
// cause stays reachable for logging.
type Error struct {
	Op   string // what failed, e.g. "getting conversation"
	ID   string // the id or name concerned; "" when none
	Kind error  // a sentinel of this package or the context's error; nil for a database failure of no known kind
	Err  error  // the cause: a driver's error; nil when the store found the problem itself
}

// Error implements error: `getting conversation "x": not found`.
func (e *Error) Error() string {
	msg := e.Op
	if e.ID != "" {
		msg += " " + strconv.Quote(e.ID)
	}
	if e.Kind != nil {
		return msg + ": " + e.Kind.Error()
	}
	return msg + ": database error"
}

// Unwrap returns Kind and Err, those that are set.
func (e *Error) Unwrap() []error {
	out := make([]error, 0, 2)
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// Fail returns an *Error of a known kind that the store found itself.
func Fail(op, id string, kind error) error {
	return &Error{Op: op, ID: id, Kind: kind}
}

// CheckContext returns an *Error whose Kind is the context's error once ctx
// is done, else nil: a store calls it before it reads or writes.
func CheckContext(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return &Error{Op: op, Kind: err}
	}
	return nil
}
