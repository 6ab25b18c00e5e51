package sqlstore

import (
	"context"
	"errors"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parleyhq/parley/internal/fault"
	"github.com/parleyhq/parley/storage"
)

// Error is a failed store operation. It wraps two errors, so that both
// errors.Is(err, storage.ErrNotFound) and errors.As(err, &pgErr) work: Kind,
// one of storage's sentinels (or the context's error), and Err, the
// driver's own error when there is one. Its message names the operation and
// the id concerned but never carries SQL or the driver's message (which may
// quote SQL); the driver's error stays reachable for logging.
type Error struct {
	Op   string // what failed, e.g. "creating conversation"
	ID   string // the id or name concerned; "" when none
	Kind error  // a storage sentinel or the context's error; nil for a database failure of no known kind
	Err  error  // the driver's error; nil when the store itself found the problem
	Code string // the driver's error code (an SQLSTATE, an SQLite result code), safe to show; may be empty
}

// Error implements error.
func (e *Error) Error() string {
	msg := "sqlstore: " + e.Op
	if e.ID != "" {
		msg += " " + strconv.Quote(e.ID)
	}
	switch {
	case e.Kind != nil:
		msg += ": " + e.Kind.Error()
	case errors.Is(e.Err, errTxDone) || errors.Is(e.Err, errCommitRolledBack) || errors.Is(e.Err, errNoCounter):
		msg += ": " + e.Err.Error() // the store's own words
	default:
		msg += ": database error"
	}
	if e.Code != "" {
		msg += " (" + e.Code + ")"
	}
	return msg
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

// notFound is the ErrNotFound of an operation, with the driver's "no rows"
// error as its cause.
func (s *Store) notFound(op, id string) error {
	return &Error{Op: op, ID: id, Kind: storage.ErrNotFound, Err: s.noRows}
}

// failure builds an Error of a known kind that the store found itself.
func failure(op, id string, kind error) error {
	return &Error{Op: op, ID: id, Kind: kind}
}

// wrap maps an error from the driver (or from the store's own checks) to
// the error a caller gets: errors the store made already are returned as
// they are; once ctx is done the context's error is the kind; driver errors
// are classified into sentinels where one applies.
func (s *Store) wrap(ctx context.Context, op, id string, err error) error {
	if err == nil {
		return nil
	}
	var own *Error
	var field *fault.FieldError
	if errors.As(err, &own) || errors.As(err, &field) {
		return err
	}
	if cerr := ctx.Err(); cerr != nil {
		return &Error{Op: op, ID: id, Kind: cerr, Err: err}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Op: op, ID: id, Kind: ctxKind(err), Err: err}
	}
	kind, code := s.classify(err)
	return &Error{Op: op, ID: id, Kind: kind, Err: err, Code: code}
}

func ctxKind(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return context.DeadlineExceeded
	}
	return context.Canceled
}

// checkCtx returns the wrapped context error once ctx is done.
func checkCtx(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return &Error{Op: op, Kind: err}
	}
	return nil
}

// classifyPostgres maps PostgreSQL's SQLSTATEs.
func classifyPostgres(err error) (kind error, code string) {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return nil, ""
	}
	switch pg.Code {
	case "23505": // unique_violation
		return storage.ErrAlreadyExists, pg.Code
	case "23503": // foreign_key_violation
		return storage.ErrNotFound, pg.Code
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return storage.ErrConflict, pg.Code
	case "22021", "22P05": // invalid byte sequence, untranslatable character
		return storage.ErrInvalid, pg.Code
	}
	return nil, pg.Code
}
