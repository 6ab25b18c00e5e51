package systemtest

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
)

// hostDB is an SQL store with a way to open a transaction of the host's
// beside it: begin returns the store bound to it, its commit and its
// rollback.
type hostDB struct {
	store *sqlstore.Store
	begin func(t *testing.T) (in *sqlstore.HostStore, commit, rollback func())
}

// openHostDB opens a fresh "sqlite" or "postgres" hostDB (skipped without
// a PostgreSQL server outside CI, as the other PostgreSQL tests are).
func openHostDB(t *testing.T, dialect string) hostDB {
	t.Helper()
	if dialect == "sqlite" {
		lite := newSQLite(t).(*sqlstore.Store)
		return hostDB{lite, func(t *testing.T) (*sqlstore.HostStore, func(), func()) {
			tx, err := lite.SQLDB().BeginTx(t.Context(), nil)
			require.NoError(t, err)
			t.Cleanup(func() { _ = tx.Rollback() })
			in, err := lite.WithSQLTx(t.Context(), tx)
			require.NoError(t, err)
			return in, func() { require.NoError(t, tx.Commit()) }, func() { require.NoError(t, tx.Rollback()) }
		}}
	}
	pool, schema := pgtest.Pool(t)
	pg, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(schema))
	require.NoError(t, err)
	require.NoError(t, pg.Migrate(t.Context()))
	return hostDB{pg, func(t *testing.T) (*sqlstore.HostStore, func(), func()) {
		ctx := t.Context()
		tx, err := pool.Begin(ctx)
		require.NoError(t, err)
		t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
		in, err := pg.WithPgxTx(ctx, tx)
		require.NoError(t, err)
		return in, func() { require.NoError(t, tx.Commit(ctx)) }, func() { require.NoError(t, tx.Rollback(ctx)) }
	}}
}

// subscriber records the events it is called with.
type subscriber struct {
	mu     sync.Mutex
	events []storage.EventType
}

func (s *subscriber) hear(_ context.Context, e storage.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e.Type)
}

func (s *subscriber) heard() []storage.EventType {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]storage.EventType(nil), s.events...)
}

// TestServiceInHostTransaction runs the service over a store bound to the
// host's transaction: subscribers and the routing a change triggers wait
// for the host's commit (HostStore.Committed), and after a rollback they
// never run, nor is anything left in the database.
func TestServiceInHostTransaction(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			db := openHostDB(t, dialect)
			outside := newFixture(t, db.store)
			outside.autoQueue(t, "q")
			outside.activeAgent(t, "ann", 1, "q")
			busy := outside.conversation(t, conversation.Conversation{QueueID: "q"})
			require.Equal(t, "ann", outside.get(t, busy.ID).AgentID)
			waiting := outside.conversation(t, conversation.Conversation{QueueID: "q"})
			require.Empty(t, outside.get(t, waiting.ID).AgentID)
			ctx := t.Context()

			// Rolled back: nothing heard, nothing routed, nothing written.
			var sub subscriber
			before := outside.snapshot(t)
			in, _, rollback := db.begin(t)
			svc := parley.New(in, parley.WithClock(outside.clock.Now), parley.WithSubscriber(sub.hear))
			_, err := svc.CreateConversation(ctx, conversation.Conversation{ID: "gone", Topic: "rolled back"})
			require.NoError(t, err)
			_, err = svc.CloseConversation(ctx, busy.ID) // would free ann for the waiting one
			require.NoError(t, err)
			require.Empty(t, sub.heard(), "no subscriber hears of an uncommitted change")
			rollback()
			outside.requireUnchanged(t, before)

			// Committed: heard in seq order, and the drain runs, outside.
			seq := outside.lastSeq(t)
			in, commit, _ := db.begin(t)
			svc = parley.New(in, parley.WithClock(outside.clock.Now), parley.WithSubscriber(sub.hear))
			_, err = svc.CreateConversation(ctx, conversation.Conversation{ID: "kept", Topic: "committed"})
			require.NoError(t, err)
			_, err = svc.CloseConversation(ctx, busy.ID)
			require.NoError(t, err)
			require.Empty(t, sub.heard())
			commit()
			require.Empty(t, sub.heard(), "nothing is heard before Committed")
			require.Empty(t, outside.get(t, waiting.ID).AgentID, "routing waits for Committed")
			require.NoError(t, in.Committed(ctx))
			require.Equal(t, "ann", outside.get(t, waiting.ID).AgentID, "the freed place is used once committed")
			require.Equal(t, types(outside.eventsSince(t, seq)), sub.heard(), "every event, the drain's included, once, in order")
			heard := len(sub.heard())
			require.NoError(t, in.Committed(ctx))
			require.Len(t, sub.heard(), heard, "a second Committed runs nothing again")
		})
	}
}
