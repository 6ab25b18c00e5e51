package sqlstore_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
)

// hostTx is a transaction of the host's, in which it writes a business row
// of its own.
type hostTx struct {
	store    storage.Store // parley inside the host's transaction
	write    func(order string)
	commit   func() error
	rollback func()
}

func beginHost(t *testing.T, s *sqlstore.Store) hostTx {
	t.Helper()
	ctx := context.Background()
	switch s.Dialect() {
	case sqlstore.Postgres:
		pool := poolOf(t, s)
		_, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS host_orders (id text PRIMARY KEY)`)
		require.NoError(t, err)
		tx, err := pool.Begin(ctx)
		require.NoError(t, err)
		t.Cleanup(func() { _ = tx.Rollback(ctx) })
		in, err := s.WithPgxTx(ctx, tx)
		require.NoError(t, err)
		return hostTx{
			store: in,
			write: func(order string) {
				_, err := tx.Exec(ctx, `INSERT INTO host_orders (id) VALUES ($1)`, order)
				require.NoError(t, err)
			},
			commit:   func() error { return tx.Commit(ctx) },
			rollback: func() { require.NoError(t, tx.Rollback(ctx)) },
		}
	default:
		db := s.SQLDB()
		_, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS host_orders (id TEXT PRIMARY KEY)`)
		require.NoError(t, err)
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = tx.Rollback() })
		in, err := s.WithSQLTx(ctx, tx)
		require.NoError(t, err)
		return hostTx{
			store: in,
			write: func(order string) {
				_, err := tx.ExecContext(ctx, `INSERT INTO host_orders (id) VALUES (?)`, order)
				require.NoError(t, err)
			},
			commit:   tx.Commit,
			rollback: func() { require.NoError(t, tx.Rollback()) },
		}
	}
}

func hostOrders(t *testing.T, s *sqlstore.Store) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if s.Dialect() == sqlstore.Postgres {
		require.NoError(t, poolOf(t, s).QueryRow(ctx, `SELECT count(*) FROM host_orders`).Scan(&n))
	} else {
		require.NoError(t, s.SQLDB().QueryRowContext(ctx, `SELECT count(*) FROM host_orders`).Scan(&n))
	}
	return n
}

// parleyWork is what a service would do: a conversation and its event in
// one InTx, plus a Store-level write. It returns the last event, whose seq
// is set once the host's transaction has committed (at once on SQLite,
// where events are numbered as they are written; at Committed on
// PostgreSQL, where they are numbered after they commit).
func parleyWork(t *testing.T, st storage.Store, id string) *storage.Event {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, st.InTx(ctx, func(tx storage.Tx) error {
		if err := tx.CreateConversation(ctx, conv(id)); err != nil {
			return err
		}
		return tx.AppendEvents(ctx, event(id))
	}))
	ev := event(id)
	ev.Type = storage.ConversationUpdated
	require.NoError(t, st.InTx(ctx, func(tx storage.Tx) error { return tx.AppendEvents(ctx, ev) }))
	// Inside the host's transaction parley sees its own writes.
	_, err := st.GetConversation(ctx, id)
	require.NoError(t, err)
	return ev
}

func TestHostTransactionRollbackLeavesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dialects(t, func(t *testing.T, s *sqlstore.Store) {
		h := beginHost(t, s)
		h.write("order-1")
		parleyWork(t, h.store, "c1")
		h.rollback()

		require.Zero(t, hostOrders(t, s))
		_, err := s.GetConversation(ctx, "c1")
		require.ErrorIs(t, err, storage.ErrNotFound)
		events, err := s.ListEvents(ctx, storage.EventQuery{})
		require.NoError(t, err)
		require.Empty(t, events)
	})
}

func TestHostTransactionCommitKeepsBoth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dialects(t, func(t *testing.T, s *sqlstore.Store) {
		h := beginHost(t, s)
		h.write("order-1")
		ev := parleyWork(t, h.store, "c1")
		if s.Dialect() == sqlstore.Postgres {
			require.Zero(t, ev.Seq, "numbered once committed")
		}

		// A failed parley operation, and a failed InTx, leave the host's
		// transaction usable: each is a savepoint.
		require.ErrorIs(t, h.store.InTx(ctx, func(tx storage.Tx) error { return tx.CreateConversation(ctx, conv("c1")) }), storage.ErrAlreadyExists)
		require.NoError(t, h.store.InTx(ctx, func(tx storage.Tx) error { return tx.CreateQueue(ctx, queue("q1", "Billing")) }))
		require.ErrorIs(t, h.store.InTx(ctx, func(tx storage.Tx) error { return tx.CreateQueue(ctx, queue("q2", "Billing")) }), storage.ErrAlreadyExists)
		err := h.store.InTx(ctx, func(tx storage.Tx) error {
			if err := tx.CreateConversation(ctx, conv("rolled-back")); err != nil {
				return err
			}
			return tx.CreateQueue(ctx, queue("q3", "Billing"))
		})
		require.ErrorIs(t, err, storage.ErrAlreadyExists)
		h.write("order-2")
		require.NoError(t, h.commit())
		require.NoError(t, h.store.(*sqlstore.HostStore).Committed(ctx))
		require.Positive(t, ev.Seq)

		require.Equal(t, 2, hostOrders(t, s))
		_, err = s.GetConversation(ctx, "c1")
		require.NoError(t, err)
		_, err = s.GetConversation(ctx, "rolled-back")
		require.ErrorIs(t, err, storage.ErrNotFound)
		events, err := s.ListEvents(ctx, storage.EventQuery{})
		require.NoError(t, err)
		require.Len(t, events, 2)
		require.Less(t, events[0].Seq, events[1].Seq)
		require.Equal(t, ev.Seq, events[1].Seq)
	})
}

func TestWithTxNeedsTheMatchingDialect(t *testing.T) {
	t.Parallel()
	lite := newSQLite(t)
	_, err := lite.WithPgxTx(t.Context(), nil)
	require.Error(t, err)
	pg := newPostgres(t)
	_, err = pg.WithSQLTx(t.Context(), nil)
	require.Error(t, err)
	var tx pgx.Tx
	_, err = pg.WithPgxTx(t.Context(), tx)
	require.Error(t, err)
}

// A host's transaction that wrote through parley and stays open holds no
// other writer up: an unrelated write, events included, commits while it
// is open, and readers see that write's events at once and the host's once
// it commits, after the others.
func TestWriteBesideAnOpenHostTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newPostgres(t)
	h := beginHost(t, s)
	h.write("order-1")
	hostEvent := parleyWork(t, h.store, "in-host")

	// The host's transaction is open, with its events written: the other
	// write has a deadline it would miss if it waited for the host.
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	other := event("beside")
	require.NoError(t, s.InTx(wctx, func(tx storage.Tx) error {
		if err := tx.CreateConversation(wctx, conv("beside")); err != nil {
			return err
		}
		return tx.AppendEvents(wctx, other)
	}))
	require.Positive(t, other.Seq)
	seen, err := s.ListEvents(wctx, storage.EventQuery{})
	require.NoError(t, err)
	require.Equal(t, []int64{other.Seq}, seqsOf(seen), "only the committed write's event")

	require.NoError(t, h.commit())
	require.NoError(t, h.store.(*sqlstore.HostStore).Committed(ctx))
	require.Greater(t, hostEvent.Seq, other.Seq)
	later, err := s.ListEvents(ctx, storage.EventQuery{After: other.Seq})
	require.NoError(t, err)
	require.Len(t, later, 2, "the host's two events, after the one already read")
	require.Equal(t, hostEvent.Seq, later[1].Seq)
}

func seqsOf(events []*storage.Event) []int64 {
	out := make([]int64, len(events))
	for i, e := range events {
		out[i] = e.Seq
	}
	return out
}

// A host on database/sql over PostgreSQL (pgx's stdlib driver) joins its
// *sql.Tx as a pgx host does, and Commit commits it and runs what waited:
// the events are numbered, and a service bound with WithStore tells its
// channel subscribers.
func TestHostSQLTxOnPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newPostgres(t)
	db := stdlib.OpenDBFromPool(poolOf(t, s))
	t.Cleanup(func() { _ = db.Close() })
	_, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS host_orders (id text PRIMARY KEY)`)
	require.NoError(t, err)

	svc := parley.New(s)
	sub, err := svc.Subscribe(8)
	require.NoError(t, err)
	defer sub.Close()

	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback() })
	in, err := s.WithSQLTx(ctx, tx)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, `INSERT INTO host_orders (id) VALUES ($1)`, "order-1")
	require.NoError(t, err)
	ev := parleyWork(t, in, "c1")
	c, err := svc.WithStore(in).CreateConversation(ctx, conversation.Conversation{ID: "c2", Topic: "Invoice"})
	require.NoError(t, err)
	require.ErrorIs(t, svc.WithStore(in).DeleteConversation(ctx, "missing", "typo"), storage.ErrNotFound,
		"a failed operation leaves the transaction usable")
	require.Empty(t, sub.C, "nothing is heard before the commit")

	require.ErrorIs(t, in.Committed(ctx), sqlstore.ErrHostTxOpen, "Committed before the commit is refused")
	require.Zero(t, ev.Seq, "and ran nothing")
	require.NoError(t, in.Commit(ctx))
	require.Positive(t, ev.Seq)
	heard := <-sub.C
	require.Equal(t, c.ID, heard.ConversationID)
	require.Greater(t, heard.Seq, ev.Seq)

	require.Equal(t, 1, hostOrders(t, s))
	events, err := s.ListEvents(ctx, storage.EventQuery{})
	require.NoError(t, err)
	require.Equal(t, []int64{ev.Seq - 1, ev.Seq, heard.Seq}, seqsOf(events))
}

// A host's transaction at an isolation level parley cannot work with is
// refused when it is joined, with an error naming the level, whichever
// driver began it.
func TestHostTxIsolationIsChecked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newPostgres(t)
	pool := poolOf(t, s)
	for _, level := range []pgx.TxIsoLevel{pgx.RepeatableRead, pgx.Serializable} {
		tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: level})
		require.NoError(t, err)
		_, err = s.WithPgxTx(ctx, tx)
		require.ErrorIs(t, err, storage.ErrInvalid)
		require.ErrorContains(t, err, strings.ToUpper(string(level)))
		require.NoError(t, tx.Rollback(ctx))
	}
	db := stdlib.OpenDBFromPool(pool)
	t.Cleanup(func() { _ = db.Close() })
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	require.NoError(t, err)
	_, err = s.WithSQLTx(ctx, tx)
	require.ErrorIs(t, err, storage.ErrInvalid)
	require.ErrorContains(t, err, "REPEATABLE READ")
	require.NoError(t, tx.Rollback())

	ok, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	require.NoError(t, err)
	defer func() { _ = ok.Rollback(ctx) }()
	_, err = s.WithPgxTx(ctx, ok)
	require.NoError(t, err)
}

// A heartbeat through the HostStore (storage.HeartbeatRecorder) is part of
// the host's transaction: it goes with the rollback.
func TestHostTransactionTakesTheHeartbeat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dialects(t, func(t *testing.T, s *sqlstore.Store) {
		require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error { return tx.CreateAgent(ctx, agentOf("a1")) }))
		h := beginHost(t, s)
		was, err := storage.RecordHeartbeat(ctx, h.store, "a1", t0)
		require.NoError(t, err)
		require.False(t, was)
		_, err = storage.RecordHeartbeat(ctx, h.store, "missing", t0)
		require.ErrorIs(t, err, storage.ErrNotFound, "a failed heartbeat leaves the host's transaction usable")
		was, err = storage.RecordHeartbeat(ctx, h.store, "a1", t0.Add(time.Second))
		require.NoError(t, err)
		require.True(t, was)
		h.rollback()

		ps, err := s.AgentPresences(ctx, "a1")
		require.NoError(t, err)
		require.True(t, ps[0].LastHeartbeat.IsZero())
		was, err = storage.RecordHeartbeat(ctx, s, "a1", t0)
		require.NoError(t, err)
		require.False(t, was)
	})
}
