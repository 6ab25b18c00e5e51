package parley

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Operation is one service operation as an observer sees it: enough to
// count it, time it and record it as a span, with no dependency on a
// metrics or tracing library.
type Operation struct {
	// Name is the Service method, such as "CreateConversation"; the
	// routing the service runs on its own after a change is
	// "AssignWaiting" and "OverflowWaiting".
	Name string
	// Start is when the operation began, by the wall clock (not the
	// service's clock, which is for the domain's rules); Duration is how
	// long it took, its transaction, commit and the work after the commit
	// included.
	Start    time.Time
	Duration time.Duration
	// Err is the error the operation returned; nil on success.
	Err error
}

// Outcome is "ok" for a success, else the error's kind (ErrorKind).
func (o Operation) Outcome() string {
	if o.Err == nil {
		return "ok"
	}
	return ErrorKind(o.Err)
}

// errorKinds name the sentinels, in the order they are tested.
var errorKinds = []struct {
	err  error
	kind string
}{
	{ErrInvalid, "invalid"},
	{ErrNotFound, "not_found"},
	{ErrAlreadyExists, "already_exists"},
	{ErrClosed, "closed"},
	{ErrForbidden, "forbidden"},
	{ErrConflict, "conflict"},
	{ErrUnavailable, "unavailable"},
	{context.Canceled, "canceled"},
	{context.DeadlineExceeded, "deadline_exceeded"},
}

// ErrorKind names the kind of an error of the service, for a metric's
// label: "invalid", "not_found", "already_exists", "closed", "forbidden",
// "conflict", "unavailable", "canceled", "deadline_exceeded", or
// "internal" for any other (a bug, or a database failure of no known
// kind); "" for nil.
func ErrorKind(err error) string {
	if err == nil {
		return ""
	}
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			return k.kind
		}
	}
	return "internal"
}

// Observer is called once for each operation the service has finished,
// on the goroutine that ran it: it must be quick and safe for concurrent
// use. ctx is the operation's, with its actor and whatever the host put
// there (a trace's parent span, say).
type Observer func(ctx context.Context, op Operation)

// WithObserver adds an observer of every operation: its name, duration,
// outcome and error (see Operation), to feed metrics and tracing. Every
// read goes through it, and every write, from the opening of its
// transaction on: an input the service refuses before it opens one (a
// field that breaks a rule, a missing scope on a write) is not observed.
// A panicking observer is logged and otherwise ignored.
func WithObserver(fn Observer) Option {
	return func(s *Service) {
		if fn != nil {
			s.observers = append(s.observers, fn)
		}
	}
}

// observe reports a finished operation to the observers and, at debug
// level, to the logger.
func (s *Service) observe(ctx context.Context, name string, start time.Time, err error) {
	debug := s.logger.Enabled(ctx, slog.LevelDebug)
	if len(s.observers) == 0 && !debug {
		return
	}
	op := Operation{Name: name, Start: start, Duration: time.Since(start), Err: err}
	if debug {
		attrs := []slog.Attr{
			slog.String("op", op.Name),
			slog.Duration("duration", op.Duration),
			slog.String("outcome", op.Outcome()),
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		s.logger.LogAttrs(ctx, slog.LevelDebug, "parley: operation", attrs...)
	}
	for _, fn := range s.observers {
		s.callObserver(ctx, fn, op)
	}
}

func (s *Service) callObserver(ctx context.Context, fn Observer, op Operation) {
	defer func() {
		if r := recover(); r != nil {
			s.logger.ErrorContext(ctx, "parley: observer panicked", "op", op.Name, "panic", r)
		}
	}()
	fn(ctx, op)
}
