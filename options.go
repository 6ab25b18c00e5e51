package parley

import (
	"context"
	"log/slog"
	"time"

	"github.com/parleyhq/parley/storage"
)

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock every time-based rule reads; the default is
// time.Now. Times are stored in UTC with microsecond precision.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithIDGenerator sets how ids are made for entities created without one;
// the default is a UUIDv7 (time-ordered) in canonical form.
func WithIDGenerator(newID func() string) Option { return func(s *Service) { s.newID = newID } }

// WithSubscriber adds an in-process subscriber, called with each event after
// the transaction that recorded it has committed, in seq order, on the
// goroutine that made the change. It must not block for long. Over a store
// bound to the host's transaction (storage.HostTransaction) the commit is
// the host's: subscribers are called, and the routing a change triggers
// runs, when the host reports it (see sqlstore.HostStore.Committed). For
// delivery that survives a crash, read the event log (Events) instead: it
// is a transactional outbox.
func WithSubscriber(fn func(context.Context, storage.Event)) Option {
	return func(s *Service) { s.subscribers = append(s.subscribers, fn) }
}

// WithReopenOnInbound sets whether an INBOUND message moves a WAITING or
// SOLVED conversation back to OPEN, as conversation.ReopenOnInbound says
// (default true).
func WithReopenOnInbound(on bool) Option { return func(s *Service) { s.reopenOnInbound = on } }

// WithAuthorization turns scope checks on: each call's actor (WithActor)
// must hold the scope its operation needs (OperationScope), or the call
// fails with ErrForbidden. Off by default.
func WithAuthorization() Option { return func(s *Service) { s.authz = true } }

// WithLogger sets the logger for what the service cannot return as an error,
// such as a panicking subscriber; the default is slog.Default().
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.logger = l } }
