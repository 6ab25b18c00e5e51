package sqlstore_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/sqlstore/sqlite"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/storage/storagetest"
)

// newSQLite opens a migrated SQLite store on a file of t's own.
func newSQLite(t *testing.T, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "parley.db"), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	require.NoError(t, s.Migrate(ctx))
	return s
}

// newPostgres returns a migrated PostgreSQL store in a fresh schema of t's
// own (the search_path of its pool).
func newPostgres(t *testing.T) *sqlstore.Store {
	t.Helper()
	pool, schema := pgtest.Pool(t)
	s, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(schema))
	require.NoError(t, err)
	require.NoError(t, s.Migrate(context.Background()))
	pools.Store(s, pool)
	t.Cleanup(func() { pools.Delete(s) })
	return s
}

// pools maps the stores of newPostgres to their pools.
var pools sync.Map

func poolOf(t *testing.T, s *sqlstore.Store) *pgxpool.Pool {
	t.Helper()
	p, ok := pools.Load(s)
	require.True(t, ok, "a store of newPostgres")
	return p.(*pgxpool.Pool)
}

// newSQLiteMemory opens a migrated in-memory SQLite store.
func newSQLiteMemory(t *testing.T) storage.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, sqlite.Memory)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	require.NoError(t, s.Migrate(ctx))
	return s
}

// newPostgresSimpleProtocol returns a migrated PostgreSQL store in a fresh
// schema, on a pool of the simple protocol. A host's pool may use it
// (behind PgBouncer, say): pgx then interpolates the parameters and sends a
// batch as one query string. The store must work the same.
func newPostgresSimpleProtocol(t *testing.T) storage.Store {
	t.Helper()
	schema := pgtest.Schema(t)
	cfg, err := pgxpool.ParseConfig(pgtest.DSN(t))
	require.NoError(t, err)
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	s, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(schema))
	require.NoError(t, err)
	require.NoError(t, s.Migrate(context.Background()))
	return s
}

func TestConformanceSQLite(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store { return newSQLite(t) }, storagetest.Capabilities{})
}

func TestConformanceSQLiteMemory(t *testing.T) {
	storagetest.Run(t, newSQLiteMemory, storagetest.Capabilities{})
}

func TestConformancePostgres(t *testing.T) {
	pgtest.DSN(t)
	storagetest.Run(t, func(t *testing.T) storage.Store { return newPostgres(t) }, storagetest.Capabilities{})
}

func TestConformancePostgresSimpleProtocol(t *testing.T) {
	pgtest.DSN(t)
	storagetest.Run(t, newPostgresSimpleProtocol, storagetest.Capabilities{})
}

// The service suite, on the same stores: the service's rules hold on each.
//
// The in-memory SQLite database and PostgreSQL's simple protocol are the
// same stores in another configuration: they run every case but the
// per-operation authorization table, which the service decides before it
// touches a store and which the file database and the default protocol
// run in full. It builds three fresh stores for each of the service's
// operations; on PostgreSQL that is most of the suite's time.
var sameStoreElsewhere = storagetest.Capabilities{Skip: map[string]string{
	"Authorization/Authorization": "run on the same store in its default configuration",
}}

func TestServiceSQLite(t *testing.T) {
	storagetest.RunService(t, func(t *testing.T) storage.Store { return newSQLite(t) }, storagetest.Capabilities{})
}

func TestServiceSQLiteMemory(t *testing.T) {
	storagetest.RunService(t, newSQLiteMemory, sameStoreElsewhere)
}

func TestServicePostgres(t *testing.T) {
	pgtest.DSN(t)
	storagetest.RunService(t, func(t *testing.T) storage.Store { return newPostgres(t) }, storagetest.Capabilities{})
}

func TestServicePostgresSimpleProtocol(t *testing.T) {
	pgtest.DSN(t)
	storagetest.RunService(t, newPostgresSimpleProtocol, sameStoreElsewhere)
}
