package parley

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// Service runs parley's use cases over a Store. It is safe for concurrent
// use; several Services (in one process or many) may share one database.
type Service struct {
	store           storage.Store
	now             func() time.Time
	newID           func() string
	subscribers     []func(context.Context, storage.Event)
	reopenOnInbound bool
	authz           bool
	logger          *slog.Logger
}

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

// New returns a Service over store.
func New(store storage.Store, opts ...Option) *Service {
	s := &Service{
		store:           store,
		now:             time.Now,
		newID:           func() string { return uuid.Must(uuid.NewV7()).String() },
		reopenOnInbound: true,
		logger:          slog.Default(),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// clock returns the current time as stored: UTC, whole microseconds.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// run is the one way the service writes. Every operation checks its scope
// first (authorize), then validates its input, then calls run: run runs fn in a transaction with a recorder for the events of the
// change, appends those events in the same transaction, and after the
// commit hands them to subscribers and runs the routing the change calls
// for (see AssignWaiting). On any error nothing is written and no event
// exists.
func (s *Service) run(ctx context.Context, fn func(tx storage.Tx, rec *recorder) error) error {
	var rec *recorder
	err := s.store.InTx(ctx, func(tx storage.Tx) error {
		rec = &recorder{actor: ActorFrom(ctx).AgentID, now: s.clock()}
		if err := fn(lockingTx{Tx: tx, s: s, rec: rec}, rec); err != nil {
			return err
		}
		if len(rec.events) == 0 {
			return nil
		}
		return tx.AppendEvents(ctx, rec.events...)
	})
	if err != nil {
		return err
	}
	if host, ok := s.store.(storage.HostTransaction); ok {
		// Committed only once the host commits: until then no subscriber
		// may hear of the change, and routing could not see it.
		host.AfterCommit(func(ctx context.Context, outside storage.Store) {
			o := s.over(outside)
			o.publish(ctx, rec.events)
			o.wake(ctx, rec)
		})
		return nil
	}
	s.publish(ctx, rec.events)
	s.wake(ctx, rec)
	return nil
}

// over is a copy of s over another store.
func (s *Service) over(store storage.Store) *Service {
	cp := *s
	cp.store = store
	return &cp
}

// lockingTx is the Tx an operation runs on. Once it holds a conversation's
// lock it reads the clock again, so that a change is never stamped earlier
// than the change it waited for: on PostgreSQL transactions run side by
// side until they meet at the row lock, and a close stamped before it
// waited would otherwise precede the messages that got in first.
type lockingTx struct {
	storage.Tx
	s   *Service
	rec *recorder
}

// LockConversation implements storage.Tx.
func (t lockingTx) LockConversation(ctx context.Context, id string) (*conversation.Conversation, error) {
	c, err := t.Tx.LockConversation(ctx, id)
	t.locked()
	return c, err
}

// LockConversationAndAgents implements storage.ConversationAgentsLocker
// with the store's own, when it has one.
func (t lockingTx) LockConversationAndAgents(ctx context.Context, id string, agentIDs ...string) (*conversation.Conversation, map[string]*routing.Agent, error) {
	c, agents, err := storage.LockConversationAndAgents(ctx, t.Tx, id, agentIDs...)
	t.locked()
	return c, agents, err
}

// AppendMessage implements storage.MessageAppender with the store's own,
// when it has one.
func (t lockingTx) AppendMessage(ctx context.Context, m *message.Message) error {
	return storage.AppendMessage(ctx, t.Tx, m)
}

// locked moves the change's time on to now (never back).
func (t lockingTx) locked() {
	if now := t.s.clock(); now.After(t.rec.now) {
		t.rec.now = now
	}
}

// wake drains the queues a committed change may have made work for: queues
// a conversation entered, and the queues of agents that gained room. A
// failure here cannot undo the change that committed, so it is logged; the
// next trigger or AssignAllWaiting picks the work up.
func (s *Service) wake(ctx context.Context, rec *recorder) {
	if len(rec.wakeQueues) == 0 && len(rec.wakeAgents) == 0 {
		return
	}
	queues := map[string]bool{}
	for _, q := range rec.wakeQueues {
		queues[q] = true
	}
	for _, id := range rec.wakeAgents {
		a, err := s.store.GetAgent(ctx, id)
		if err != nil {
			s.logger.WarnContext(ctx, "parley: routing after a change", "agent", id, "error", err)
			continue
		}
		for _, q := range a.Queues {
			queues[q] = true
		}
	}
	for _, q := range slices.Sorted(maps.Keys(queues)) {
		if _, err := s.assignWaiting(ctx, q); err != nil {
			s.logger.WarnContext(ctx, "parley: routing after a change", "queue", q, "error", err)
		}
	}
}

// read checks the scope of op and runs fn against the store.
func read[T any](s *Service, ctx context.Context, op string, fn func() (T, error)) (T, error) {
	if err := s.authorize(ctx, op); err != nil {
		var zero T
		return zero, err
	}
	return fn()
}

func (s *Service) publish(ctx context.Context, events []*storage.Event) {
	for _, e := range events {
		for _, sub := range s.subscribers {
			s.deliver(ctx, sub, *e.Clone())
		}
	}
}

func (s *Service) deliver(ctx context.Context, sub func(context.Context, storage.Event), e storage.Event) {
	defer func() {
		if p := recover(); p != nil {
			s.logger.ErrorContext(ctx, "parley: event subscriber panicked", "seq", e.Seq, "type", e.Type, "panic", p)
		}
	}()
	sub(ctx, e)
}

// recorder collects the events of one change, and the routing it calls for
// once committed.
type recorder struct {
	actor  string
	now    time.Time
	events []*storage.Event

	wakeQueues []string // queues a waiting conversation entered
	wakeAgents []string // agents that gained room for work
}

func (r *recorder) add(typ storage.EventType, conversationID, entityID string, changes []storage.Change) {
	r.events = append(r.events, &storage.Event{
		Type:           typ,
		ConversationID: conversationID,
		EntityID:       entityID,
		Actor:          r.actor,
		At:             r.now,
		Changes:        changes,
	})
}

// conversationChanged records the events of the change diff made to c (as
// Patch.Apply returned it): the assignee's change as assigned or
// unassigned, the status's as closed or status_changed, the rest as
// updated. With as set, all of it is one event of that type instead
// (routed, transferred).
func (r *recorder) conversationChanged(after *conversation.Conversation, diff []conversation.FieldChange, as storage.EventType) {
	if len(diff) == 0 {
		return
	}
	if as != "" {
		r.add(as, after.ID, after.ID, conversationChanges(diff))
		return
	}
	var status, agent, rest []conversation.FieldChange
	for _, d := range diff {
		switch d.Field {
		case "status", "closedAt":
			status = append(status, d)
		case "agentId":
			agent = append(agent, d)
		default:
			rest = append(rest, d)
		}
	}
	if len(rest) > 0 {
		r.add(storage.ConversationUpdated, after.ID, after.ID, conversationChanges(rest))
	}
	if len(agent) > 0 {
		typ := storage.ConversationAssigned
		if after.AgentID == "" {
			typ = storage.ConversationUnassigned
		}
		r.add(typ, after.ID, after.ID, conversationChanges(agent))
	}
	if len(status) > 0 {
		typ := storage.ConversationStatusChanged
		if after.Status == conversation.Closed {
			typ = storage.ConversationClosed
		}
		r.add(typ, after.ID, after.ID, conversationChanges(status))
	}
}

func conversationChanges(diff []conversation.FieldChange) []storage.Change {
	out := make([]storage.Change, len(diff))
	for i, d := range diff {
		out[i] = change(d.Field, d.Before, d.After)
	}
	return out
}

func routingChanges(diff []routing.Change) []storage.Change {
	out := make([]storage.Change, len(diff))
	for i, d := range diff {
		out[i] = change(d.Field, d.Before, d.After)
	}
	return out
}

// change encodes one field change. An empty string, a zero time or an empty
// map is "not set" and encodes as no value at all.
func change(field string, before, after any) storage.Change {
	return storage.Change{Field: field, Before: jsonValue(before), After: jsonValue(after)}
}

func jsonValue(v any) json.RawMessage {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if x == "" {
			return nil
		}
		if b, ok := appendJSONString(make([]byte, 0, len(x)+2), x); ok {
			return b
		}
	case time.Time:
		if x.IsZero() {
			return nil
		}
		b := append(make([]byte, 0, len(time.RFC3339Nano)+2), '"')
		return append(x.UTC().AppendFormat(b, time.RFC3339Nano), '"')
	case map[string]string:
		if len(x) == 0 {
			return nil
		}
		if b, ok := appendJSONObject(x); ok {
			return b
		}
	case []string:
		if b, ok := appendJSONArray(x); ok {
			return b
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		// Only plain values reach here; they always encode.
		return nil
	}
	return b
}

// appendJSONString appends s as a JSON string when encoding/json would
// write it as it is, between quotes: printable ASCII without the characters
// it escapes ("\<>&). It reports false for anything else, which the
// caller leaves to encoding/json, so that the bytes are always the same.
// Events are written on every change: this keeps reflection off that path.
func appendJSONString(b []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return b, false
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), true
}

// appendJSONObject is encoding/json's encoding of m (keys sorted), or false
// when a key or value needs escaping.
func appendJSONObject(m map[string]string) ([]byte, bool) {
	keys := make([]string, 0, len(m))
	size := 2
	for k, v := range m {
		keys = append(keys, k)
		size += len(k) + len(v) + 6
	}
	slices.Sort(keys)
	b := append(make([]byte, 0, size), '{')
	var ok bool
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		if b, ok = appendJSONString(b, k); !ok {
			return nil, false
		}
		b = append(b, ':')
		if b, ok = appendJSONString(b, m[k]); !ok {
			return nil, false
		}
	}
	return append(b, '}'), true
}

// appendJSONArray is encoding/json's encoding of a non-nil list, or false
// when an element needs escaping.
func appendJSONArray(list []string) ([]byte, bool) {
	if list == nil {
		return nil, false
	}
	size := 2
	for _, s := range list {
		size += len(s) + 3
	}
	b := append(make([]byte, 0, size), '[')
	var ok bool
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		if b, ok = appendJSONString(b, s); !ok {
			return nil, false
		}
	}
	return append(b, ']'), true
}
