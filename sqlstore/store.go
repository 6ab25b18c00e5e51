package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/parleyhq/parley/internal/wake"
	"github.com/parleyhq/parley/storage"
)

// Store is a storage.Store over PostgreSQL or SQLite. Make one with
// NewPostgres, or with sqlite.Open (package sqlstore/sqlite); run Migrate
// once before use. A Store is safe for concurrent use; the Tx that InTx
// hands out is not (use it from fn's goroutine only).
type Store struct {
	reader                 // the reads, each a statement (or batch) of its own
	d      *dialect        // the SQL of its database, in its namespace
	b      backend         // where it runs: its own connections, or the host's transaction
	own    backend         // its own connections, where Migrate runs
	close  func() error    // what Close calls (SQLiteConfig.Close); nil over a pool, which the host owns
	wakes  *wake.Broadcast // readers waiting for events this process commits (SQLite)
	host   *HostStore      // the host's transaction it runs in; nil on its own connections
}

// reader is the Store's embedded read side: a tx outside any transaction,
// so that every read is written once, on tx.
type reader = storage.Reader

var (
	_ storage.Store                    = (*Store)(nil)
	_ storage.EventNotifier            = (*Store)(nil)
	_ storage.Tx                       = (*tx)(nil)
	_ storage.ConversationAgentsLocker = (*tx)(nil)
	_ storage.MessageAppender          = (*tx)(nil)
	_ storage.ConversationInserter     = (*tx)(nil)
	_ storage.RoutingReader            = (*tx)(nil)
	_ storage.WaitingQueuesReader      = (*tx)(nil)
	_ storage.WaitingQueuesReader      = (*Store)(nil)
)

// Option configures a Store.
type Option func(*options)

type options struct {
	schema string
}

// WithSchema sets the namespace of parley's tables, so that parley can live
// in the host's own database: on PostgreSQL the schema (created by Migrate
// when missing), on SQLite a table prefix (name + "_"). It must satisfy
// ValidSchema; the default is DefaultSchema.
func WithSchema(name string) Option {
	return func(o *options) { o.schema = name }
}

func buildOptions(opts []Option) options {
	o := options{schema: DefaultSchema}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

func (s *Store) init(b backend) {
	s.b = b
	s.reader = &tx{s: s, r: b.reader(), auto: s.host == nil}
}

// derive is a Store sharing s's dialect, connections and draft keys, inside
// the host's transaction h.
func (s *Store) derive(b backend, h *HostStore) *Store {
	cp := &Store{d: s.d, own: s.own, close: s.close, wakes: s.wakes, host: h}
	cp.init(b)
	return cp
}

// Dialect reports which database the store runs on.
func (s *Store) Dialect() Dialect { return s.d.name() }

// Schema is the namespace of the store's tables (see WithSchema).
func (s *Store) Schema() string { return s.d.schema }

// HostStore is a Store bound to a transaction of the host's (WithPgxTx,
// WithSQLTx). It implements storage.HostTransaction: what must wait for the
// host's commit is queued (AfterCommit) and runs when the host calls
// Committed. A HostStore lives as long as the host's transaction; use a
// new one for the next.
type HostStore struct {
	*Store
	outside *Store                          // the store the host's transaction was opened beside
	commit  func(ctx context.Context) error // commits the host's transaction
	ended   func(ctx context.Context) bool  // reports whether the host's transaction has ended

	mu      sync.Mutex
	pending []func(context.Context, storage.Store)
	// The events written in the host's transaction, to number once it has
	// committed (PostgreSQL): their drafts, and the callers' events by
	// draft, whose seqs are set then.
	drafts  []int64
	callers map[int64]*storage.Event
}

// numberAtCommit queues events for the sequencer at Committed.
func (h *HostStore) numberAtCommit(drafts []int64, callers map[int64]*storage.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drafts = append(h.drafts, drafts...)
	if h.callers == nil {
		h.callers = map[int64]*storage.Event{}
	}
	maps.Copy(h.callers, callers)
}

var _ storage.HostTransaction = (*HostStore)(nil)

// AfterCommit implements storage.HostTransaction.
func (h *HostStore) AfterCommit(fn func(ctx context.Context, outside storage.Store)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pending = append(h.pending, fn)
}

// Commit commits the host's transaction and then runs what waited for
// the commit (Committed): the one call a host needs when it has nothing
// else to do between the two. When the commit fails nothing runs, and the
// error is returned.
func (h *HostStore) Commit(ctx context.Context) error {
	if err := h.commit(ctx); err != nil {
		return fmt.Errorf("committing the host's transaction: %w", err)
	}
	return h.Committed(ctx)
}

// ErrHostTxOpen is the error of Committed called while the host's
// transaction is still open.
var ErrHostTxOpen = errors.New("the host's transaction is still open: call Committed after its commit, or use Commit")

// Committed runs, in order, what waited for the host's commit: call it
// once the host's transaction has committed. On PostgreSQL it first
// numbers the events the transaction wrote, so that subscribers hear
// them with their seqs. Called while the transaction is still open it
// runs nothing and returns ErrHostTxOpen. After a rollback, do not call
// it: what waited is dropped with the HostStore (Committed cannot tell a
// rollback from a commit; Commit cannot get it wrong). Calling it again
// runs only what was queued since.
func (h *HostStore) Committed(ctx context.Context) error {
	if !h.ended(ctx) {
		return ErrHostTxOpen
	}
	h.mu.Lock()
	pending, drafts, callers := h.pending, h.drafts, h.callers
	h.pending, h.drafts, h.callers = nil, nil, nil
	h.mu.Unlock()
	// The events committed with the host's transaction are numbered before
	// anyone hears of them; should that fail, the next reader of the log
	// numbers them, and the callers' events keep seq 0.
	_ = h.outside.number(ctx, drafts, callers)
	h.wakes.Signal()
	for _, fn := range pending {
		fn(ctx, h.outside)
	}
	return nil
}

// Close releases what the store opened itself: the SQLite handles of
// sqlite.Open. A pool passed to NewPostgres stays open.
func (s *Store) Close() error {
	if s.close != nil {
		return s.close()
	}
	return nil
}

// InTx implements storage.Store. On PostgreSQL the transaction runs at READ
// COMMITTED on one pooled connection; on SQLite it is an IMMEDIATE
// transaction on the writing connection, so write transactions run one at a
// time. Events appended in fn are written just before the commit (see the
// package doc).
func (s *Store) InTx(ctx context.Context, fn func(tx storage.Tx) error) error {
	return s.inTx(ctx, func(t *tx) error { return fn(t) })
}

func (s *Store) inTx(ctx context.Context, fn func(t *tx) error) error {
	const op = "running transaction"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	tr, err := s.b.begin(ctx)
	if err != nil {
		return s.wrap(ctx, op, "", err)
	}
	t := &tx{s: s, r: tr}
	committed := false
	defer func() {
		// Runs on error and on panic alike; the panic goes on after it.
		t.ended = true
		if !committed {
			tr.rollback(ctx)
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	flush, after, assign, err := t.flushEvents(ctx)
	if err != nil {
		return err
	}
	if len(t.pending) > 0 {
		flush = append(t.pending, flush...)
		t.pending = nil
	}
	if len(after) > 0 {
		var afterErr error
		afterErr, err = tr.(committerThen).commitThen(ctx, flush, after)
		if afterErr != nil {
			// Committed, but not numbered yet: the next reader of the log
			// numbers the events; the callers' keep seq 0.
			assign = func() {}
		}
	} else {
		err = tr.commit(ctx, flush...)
	}
	if err != nil {
		return s.wrap(ctx, "committing", "", err)
	}
	committed = true
	assign()
	if len(t.events) > 0 && s.host == nil {
		s.wakes.Signal()
	}
	return nil
}

// tx implements storage.Tx for InTx, and the Store's reads (whose runner
// reads outside any transaction).
type tx struct {
	s     *Store
	r     runner
	ended bool
	auto  bool // r is the Store's reader on its own connections: each run is a transaction of its own

	events []queuedEvent // appended in this transaction, not yet written
	// pending are writes deferred to the transaction's next round trip
	// (AppendMessage, InsertConversation, UpdateConversation and
	// UpdateAgent of a held row): they go first in the next run, or with
	// the commit.
	pending []*stmt
	// held are the conversations whose rows this transaction holds (it
	// locked or created them), with the version it last read or wrote;
	// heldAgents the agents it locked.
	held       map[string]int64
	heldAgents map[string]bool
}

// hold records that the transaction holds conversation id's row at
// version.
func (t *tx) hold(id string, version int64) {
	if t.auto {
		return
	}
	if t.held == nil {
		t.held = make(map[string]int64, 2)
	}
	t.held[id] = version
}

var _ storage.Tx = (*tx)(nil)

// run runs statements unless the transaction has ended.
func (t *tx) run(ctx context.Context, stmts ...*stmt) error {
	if t.ended {
		return errTxDone
	}
	if len(t.pending) > 0 {
		stmts = append(t.pending, stmts...)
		t.pending = nil
	}
	return t.r.run(ctx, stmts...)
}

// defers reports whether writes may wait for the transaction's next round
// trip (see flavor.defersWrites).
func (t *tx) defers() bool { return t.s.d.defersWrites() }
