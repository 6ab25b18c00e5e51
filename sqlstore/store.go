package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/storage"
)

// Store is a storage.Store over PostgreSQL or SQLite. Make one with
// NewPostgres, or with sqlite.Open (package sqlstore/sqlite); run Migrate
// once before use. A Store is safe for concurrent use; the Tx that InTx
// hands out is not (use it from fn's goroutine only).
type Store struct {
	reader   // the reads, each a statement (or batch) of its own
	d        *dialect
	b        backend
	noRows   error
	classify func(error) error

	pool   *pgxpool.Pool // PostgreSQL
	sqlite *SQLiteConfig // SQLite
}

// reader is the Store's embedded read side: a tx outside any transaction,
// so that every read is written once, on tx.
type reader = storage.Reader

var (
	_ storage.Store                    = (*Store)(nil)
	_ storage.Tx                       = (*tx)(nil)
	_ storage.ConversationAgentsLocker = (*tx)(nil)
	_ storage.MessageAppender          = (*tx)(nil)
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

// NewPostgres returns a Store over pool, which may be a pool the host
// application already uses. The store never closes it. Statements are
// parameterised and left to pgx's statement cache; list queries and
// multi-statement operations are sent as pipelined batches.
func NewPostgres(pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	if pool == nil {
		return nil, errors.New("sqlstore: NewPostgres needs a pool")
	}
	o := buildOptions(opts)
	d, err := newDialect(Postgres, o.schema)
	if err != nil {
		return nil, err
	}
	s := &Store{d: d, noRows: pgx.ErrNoRows, classify: classifyPostgres, pool: pool}
	s.init(pgPool{pool})
	return s, nil
}

// SQLiteConfig is what NewSQLite needs: database/sql handles on one SQLite
// database and a reader of its driver's errors. Package sqlstore/sqlite
// fills it in for github.com/mattn/go-sqlite3, the one place cgo comes in.
// Another database/sql driver of SQLite 3.35 or later (for RETURNING) that
// binds ?NNN parameters and returns TEXT as strings should work the same
// way; only mattn's is tested.
type SQLiteConfig struct {
	// Write takes every write and every InTx. It must hold at most one
	// open connection, whose transactions begin with BEGIN IMMEDIATE, with
	// foreign keys on and a busy timeout.
	Write *sql.DB
	// Read takes the Store's reads. With WAL it reads beside the writer;
	// it may be Write itself (an in-memory database has to be).
	Read *sql.DB
	// Classify maps a driver error to storage.ErrAlreadyExists (a unique
	// constraint), storage.ErrNotFound (a foreign key) or
	// storage.ErrConflict (the database is busy or locked), or nil. It may
	// be nil.
	Classify func(err error) error
	// Close closes the handles; Store.Close calls it. It may be nil.
	Close func() error
}

// NewSQLite returns a Store over an SQLite database. Most callers use
// sqlite.Open, which opens the database with the right settings and calls
// NewSQLite.
func NewSQLite(cfg SQLiteConfig, opts ...Option) (*Store, error) {
	if cfg.Write == nil {
		return nil, errors.New("sqlstore: NewSQLite needs a Write handle")
	}
	if cfg.Read == nil {
		cfg.Read = cfg.Write
	}
	if cfg.Classify == nil {
		cfg.Classify = func(error) error { return nil }
	}
	o := buildOptions(opts)
	d, err := newDialect(SQLite, o.schema)
	if err != nil {
		return nil, err
	}
	s := &Store{d: d, noRows: sql.ErrNoRows, classify: cfg.Classify, sqlite: &cfg}
	s.init(sqlDB{write: cfg.Write, read: cfg.Read})
	return s, nil
}

func (s *Store) init(b backend) {
	s.b = b
	s.reader = &tx{s: s, r: b.reader()}
}

// derive is a Store sharing s's dialect over another backend.
func (s *Store) derive(b backend) *Store {
	cp := &Store{d: s.d, noRows: s.noRows, classify: s.classify, pool: s.pool, sqlite: s.sqlite}
	cp.init(b)
	return cp
}

// Dialect reports which database the store runs on.
func (s *Store) Dialect() Dialect { return s.d.name }

// Schema is the namespace of the store's tables (see WithSchema).
func (s *Store) Schema() string { return s.d.schema }

// SQLDB is the handle SQLite writes go through (nil on PostgreSQL). A host
// that wants its own writes and parley's in one transaction begins it here
// and passes it to WithSQLTx. While that transaction is open, only the
// Store that WithSQLTx returns may be used for writes: the handle has one
// connection.
func (s *Store) SQLDB() *sql.DB {
	if s.sqlite == nil {
		return nil
	}
	return s.sqlite.Write
}

// WithPgxTx returns a Store whose every operation runs inside tx, a
// transaction the host opened on the same database (for example with
// pool.Begin): a business write of the host's and a conversation change then
// commit or roll back together. The returned Store never commits or rolls
// back tx: each of its operations, and each of its InTx, is a savepoint of
// tx, so a failed operation leaves tx usable. Its events are written at the
// end of each operation (or InTx), and become visible when the host
// commits; the row that numbers events stays locked until then, so keep the
// host's transaction short once parley has written. tx must be at READ
// COMMITTED, PostgreSQL's default. It fails on an SQLite store.
//
// What must wait for the commit (a parley.Service's event subscribers and
// the routing its changes trigger) waits in the returned HostStore: call
// its Committed once tx has committed.
func (s *Store) WithPgxTx(tx pgx.Tx) (*HostStore, error) {
	if s.d.name != Postgres {
		return nil, errors.New("sqlstore: WithPgxTx needs a PostgreSQL store")
	}
	if tx == nil {
		return nil, errors.New("sqlstore: WithPgxTx needs a transaction")
	}
	return &HostStore{Store: s.derive(pgHost{tx}), outside: s}, nil
}

// WithSQLTx is WithPgxTx for an SQLite store: tx is a transaction the host
// began on SQLDB (or, if it opened its own connection to the same file,
// with BEGIN IMMEDIATE and foreign keys on). It fails on a PostgreSQL
// store.
func (s *Store) WithSQLTx(tx *sql.Tx) (*HostStore, error) {
	if s.d.name != SQLite {
		return nil, errors.New("sqlstore: WithSQLTx needs an SQLite store")
	}
	if tx == nil {
		return nil, errors.New("sqlstore: WithSQLTx needs a transaction")
	}
	return &HostStore{Store: s.derive(sqlHost{tx}), outside: s}, nil
}

// HostStore is a Store bound to a transaction of the host's (WithPgxTx,
// WithSQLTx). It implements storage.HostTransaction: what must wait for the
// host's commit is queued (AfterCommit) and runs when the host calls
// Committed. A HostStore lives as long as the host's transaction; use a
// new one for the next.
type HostStore struct {
	*Store
	outside *Store // the store the host's transaction was opened beside

	mu      sync.Mutex
	pending []func(context.Context, storage.Store)
}

var _ storage.HostTransaction = (*HostStore)(nil)

// AfterCommit implements storage.HostTransaction.
func (h *HostStore) AfterCommit(fn func(ctx context.Context, outside storage.Store)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pending = append(h.pending, fn)
}

// Committed runs, in order, what waited for the host's commit: call it
// once the host's transaction has committed. After a rollback, do not call
// it: what waited is dropped with the HostStore. Calling it again runs
// only what was queued since.
func (h *HostStore) Committed(ctx context.Context) {
	h.mu.Lock()
	pending := h.pending
	h.pending = nil
	h.mu.Unlock()
	for _, fn := range pending {
		fn(ctx, h.outside)
	}
}

// Close releases what the store opened itself: the SQLite handles of
// sqlite.Open. A pool passed to NewPostgres stays open.
func (s *Store) Close() error {
	if s.sqlite != nil && s.sqlite.Close != nil {
		return s.sqlite.Close()
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
	flush, assign := t.flushEvents()
	if len(t.pending) > 0 {
		flush = append(t.pending, flush...)
		t.pending = nil
	}
	if err := tr.commit(ctx, flush...); err != nil {
		return s.wrap(ctx, "committing", "", err)
	}
	committed = true
	assign()
	return nil
}

// tx implements storage.Tx for InTx, and the Store's reads (whose runner
// reads outside any transaction).
type tx struct {
	s     *Store
	r     runner
	ended bool

	events []queuedEvent // appended in this transaction, not yet written
	// pending are writes deferred to the transaction's next round trip
	// (AppendMessage): they go first in the next run, or with the commit.
	pending []*stmt
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
// trip: on PostgreSQL, where every round trip counts. SQLite costs nothing
// per call.
func (t *tx) defers() bool { return t.s.d.pg() }
