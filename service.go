package parley

import (
	"context"
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
	subs            *subscriptions // Subscribe's channels, shared by copies (over)
	reopenOnInbound bool
	authz           bool
	logger          *slog.Logger
	observers       []Observer
	heartbeat       routing.HeartbeatPolicy
	recordingFiles  RecordingFiles // WithRecordingFiles; nil: none
	board           *liveBoard     // the live queue statistics (queuestats.go), shared by copies
}

// New returns a Service over store.
func New(store storage.Store, opts ...Option) *Service {
	s := &Service{
		store:           store,
		now:             time.Now,
		newID:           func() string { return uuid.Must(uuid.NewV7()).String() },
		reopenOnInbound: true,
		logger:          slog.Default(),
		subs:            &subscriptions{subs: map[*Subscription]struct{}{}},
		board:           &liveBoard{},
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
// first (authorize), then validates its input, then calls run with its
// name, which the observers hear of (observe): run runs fn in a transaction with a recorder for the events of the
// change, appends those events in the same transaction, and after the
// commit hands them to subscribers and runs the routing the change calls
// for (see AssignWaiting). On any error nothing is written and no event
// exists.
func (s *Service) run(ctx context.Context, op string, fn func(tx storage.Tx, rec *recorder) error) (err error) {
	start := time.Now()
	defer func() { s.observe(ctx, op, start, err) }()
	// The recorder and the Tx fn runs on, in one allocation.
	st := &struct {
		rec recorder
		tx  lockingTx
	}{}
	rec := &st.rec
	err = s.store.InTx(ctx, func(tx storage.Tx) error {
		*rec = recorder{actor: ActorFrom(ctx).AgentID, now: s.clock()}
		st.tx = lockingTx{Tx: tx, s: s, rec: rec}
		if err := fn(&st.tx, rec); err != nil {
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

// WithStore returns a Service over store with everything else of s: its
// options, its subscribers and its channel subscriptions. It is how a
// Service is bound to a host's transaction without repeating its options:
//
//	in, err := store.WithPgxTx(ctx, tx) // package sqlstore
//	...
//	err = svc.WithStore(in).CloseConversation(ctx, id)
//	...
//	err = in.Commit(ctx) // commits tx, then subscribers and routing run
func (s *Service) WithStore(store storage.Store) *Service { return s.over(store) }

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

// LockAgent implements storage.Tx: an agent this transaction has locked
// already is not read again (see recorder.lockedAgents).
func (t lockingTx) LockAgent(ctx context.Context, id string) (*routing.Agent, error) {
	if a, ok := t.rec.lockedAgent(id); ok {
		return a, storage.CheckContext(ctx, "locking agent")
	}
	a, err := t.Tx.LockAgent(ctx, id)
	if err == nil {
		t.rec.noteLocked(a)
	}
	return a, err
}

// GetAgent implements storage.Tx: an agent this transaction has locked is
// as it last read or wrote it.
func (t lockingTx) GetAgent(ctx context.Context, id string) (*routing.Agent, error) {
	if a, ok := t.rec.lockedAgent(id); ok {
		return a, storage.CheckContext(ctx, "getting agent")
	}
	return t.Tx.GetAgent(ctx, id)
}

// UpdateAgent implements storage.Tx, keeping the copy of a locked agent.
func (t lockingTx) UpdateAgent(ctx context.Context, a *routing.Agent) error {
	err := t.Tx.UpdateAgent(ctx, a)
	if _, locked := t.rec.lockedAgents[a.ID]; locked && err == nil {
		t.rec.noteLocked(a)
	}
	return err
}

// AddQueueMember implements storage.Tx; the agent's memberships change, so
// its copy goes.
func (t lockingTx) AddQueueMember(ctx context.Context, queueID, agentID string) (bool, error) {
	delete(t.rec.lockedAgents, agentID)
	return t.Tx.AddQueueMember(ctx, queueID, agentID)
}

// RemoveQueueMember implements storage.Tx; the agent's memberships change,
// so its copy goes.
func (t lockingTx) RemoveQueueMember(ctx context.Context, queueID, agentID string) error {
	delete(t.rec.lockedAgents, agentID)
	return t.Tx.RemoveQueueMember(ctx, queueID, agentID)
}

// LockConversationAndRules implements storage.RoutingReader with the
// store's own, when it has one.
func (t lockingTx) LockConversationAndRules(ctx context.Context, id string) (*conversation.Conversation, []routing.Rule, *routing.Queue, error) {
	c, rules, def, err := storage.LockConversationAndRules(ctx, t.Tx, id)
	t.locked()
	return c, rules, def, err
}

// QueueHeadAndLoads implements storage.RoutingReader with the store's own,
// when it has one.
func (t lockingTx) QueueHeadAndLoads(ctx context.Context, queueID string) (*routing.Queue, *conversation.Conversation, []storage.AgentLoad, error) {
	return storage.QueueHeadAndLoads(ctx, t.Tx, queueID)
}

// LockAgentAndLoad implements storage.RoutingReader with the store's own,
// when it has one; the agent is kept as LockAgent keeps it.
func (t lockingTx) LockAgentAndLoad(ctx context.Context, id string) (storage.AgentLoad, error) {
	l, err := storage.LockAgentAndLoad(ctx, t.Tx, id)
	if err == nil {
		t.rec.noteLocked(l.Agent)
	}
	return l, err
}

// InsertConversation implements storage.ConversationInserter with the
// store's own, when it has one.
func (t lockingTx) InsertConversation(ctx context.Context, c *conversation.Conversation) error {
	return storage.InsertConversation(ctx, t.Tx, c)
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
		if _, err := s.offerQueuedIn(ctx, q); err != nil {
			s.logger.WarnContext(ctx, "parley: offering calls after a change", "queue", q, "error", err)
		}
	}
}

// read checks the scope of op and runs fn against the store.
func read[T any](s *Service, ctx context.Context, op string, fn func() (T, error)) (out T, err error) {
	start := time.Now()
	defer func() { s.observe(ctx, op, start, err) }()
	if err := s.authorize(ctx, op); err != nil {
		var zero T
		return zero, err
	}
	return fn()
}

// idFor is the id of a new entity: the one the caller chose, or else a
// new one from the generator, drawn only when it is used.
func (s *Service) idFor(given string) string {
	if given != "" {
		return given
	}
	return s.newID()
}
