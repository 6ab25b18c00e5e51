package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/storage"
)

// notFound is the ErrNotFound of an operation, with the driver's "no rows"
// error as its cause.
func (s *Store) notFound(op, id string) error {
	return &storage.Error{Op: op, ID: id, Kind: storage.ErrNotFound, Err: s.d.noRows()}
}

// failure builds an error of a known kind that the store found itself.
func failure(op, id string, kind error) error { return storage.Fail(op, id, kind) }

// wrap maps an error from the driver (or from the store's own checks) to
// the error a caller gets: errors the store made already are returned as
// they are; once ctx is done the context's error is the kind; driver errors
// are classified into sentinels where one applies.
func (s *Store) wrap(ctx context.Context, op, id string, err error) error {
	if err == nil {
		return nil
	}
	var own *storage.Error
	var field *fault.FieldError
	if errors.As(err, &own) || errors.As(err, &field) {
		return err
	}
	if cerr := ctx.Err(); cerr != nil {
		return &storage.Error{Op: op, ID: id, Kind: cerr, Err: err}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &storage.Error{Op: op, ID: id, Kind: ctxKind(err), Err: err}
	}
	if errors.Is(err, storage.ErrTxDone) {
		return &storage.Error{Op: op, ID: id, Kind: storage.ErrTxDone}
	}
	kind := s.d.classify(err)
	if kind == nil && unreachable(err) {
		kind = storage.ErrUnavailable
	}
	return &storage.Error{Op: op, ID: id, Kind: kind, Err: err}
}

// unreachable reports whether err says the database could not be reached,
// whatever the driver: a connection refused, reset or closed under the
// store, a failed connection attempt. (The PostgreSQL codes of a server
// shutting down are the dialect's.) Such an error is ErrUnavailable: the
// request was fine, the database was not there.
func unreachable(err error) bool {
	var netErr net.Error
	var connectErr *pgconn.ConnectError
	switch {
	case errors.As(err, &connectErr),
		errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, sql.ErrConnDone),
		errors.Is(err, driver.ErrBadConn),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		errors.As(err, &netErr):
		return true
	}
	return false
}

func ctxKind(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return context.DeadlineExceeded
	}
	return context.Canceled
}

// checkCtx returns the wrapped context error once ctx is done.
func checkCtx(ctx context.Context, op string) error { return storage.CheckContext(ctx, op) }
