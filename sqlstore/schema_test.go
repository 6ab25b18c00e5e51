package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/sqlstore/sqlite"
	"github.com/parleyhq/parley/storage"
)

// Two stores in one database, in two namespaces, share nothing.
func requireIsolated(t *testing.T, a, b *sqlstore.Store) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, a.InTx(ctx, func(tx storage.Tx) error { return tx.CreateConversation(ctx, conv("c1")) }))
	require.NoError(t, a.InTx(ctx, func(tx storage.Tx) error { return tx.AppendEvents(ctx, event("c1")) }))
	_, err := b.GetConversation(ctx, "c1")
	require.ErrorIs(t, err, storage.ErrNotFound)
	events, err := b.ListEvents(ctx, storage.EventQuery{})
	require.NoError(t, err)
	require.Empty(t, events)
	// The same id is free on the other side.
	require.NoError(t, b.InTx(ctx, func(tx storage.Tx) error { return tx.CreateConversation(ctx, conv("c1")) }))
	page, err := a.ListConversations(ctx, storage.ConversationQuery{})
	require.NoError(t, err)
	require.Equal(t, 1, page.Total)
}

func TestSQLiteTablePrefixIsolates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "host.db")
	open := func(opts ...sqlstore.Option) *sqlstore.Store {
		s, err := sqlite.Open(ctx, path, opts...)
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, s.Close()) })
		require.NoError(t, s.Migrate(ctx))
		return s
	}
	a, b := open(), open(sqlstore.WithSchema("tenant_b"))
	require.Equal(t, "parley_conversations", sqlstore.TableForTest(a, "conversations"))
	require.Equal(t, "tenant_b_conversations", sqlstore.TableForTest(b, "conversations"))
	requireIsolated(t, a, b)

	_, err := sqlite.Open(ctx, path, sqlstore.WithSchema("Bad-Name"))
	require.Error(t, err)
}

func TestPostgresSchemaIsolates(t *testing.T) {
	t.Parallel()
	pool, schema := pgtest.Pool(t)
	other := pgtest.Schema(t)
	a, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(schema))
	require.NoError(t, err)
	b, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(other))
	require.NoError(t, err)
	require.NoError(t, a.Migrate(context.Background()))
	require.NoError(t, b.Migrate(context.Background()))
	requireIsolated(t, a, b)

	_, err = sqlstore.NewPostgres(pool, sqlstore.WithSchema(`public"; DROP TABLE x; --`))
	require.Error(t, err)
}
