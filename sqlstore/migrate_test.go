package sqlstore_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/sqlstore/sqlite"
)

func versions(t *testing.T, d sqlstore.Dialect) []string {
	t.Helper()
	fsys, err := sqlstore.MigrationFS(d, "parley")
	require.NoError(t, err)
	entries, err := fs.ReadDir(fsys, ".")
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		require.True(t, ok, "migration %s is named NNNN_description.sql", e.Name())
		out = append(out, num)
	}
	require.NotEmpty(t, out)
	return out
}

func TestMigrationVersionsMatchAcrossDialects(t *testing.T) {
	t.Parallel()
	require.Equal(t, versions(t, sqlstore.Postgres), versions(t, sqlstore.SQLite))
}

func TestMigrationFS(t *testing.T) {
	t.Parallel()
	for _, d := range []sqlstore.Dialect{sqlstore.Postgres, sqlstore.SQLite} {
		fsys, err := sqlstore.MigrationFS(d, "host_app")
		require.NoError(t, err)
		require.NoError(t, fstest.TestFS(fsys, "0001_init.sql"))
		b, err := fs.ReadFile(fsys, "0001_init.sql")
		require.NoError(t, err)
		text := string(b)
		require.NotContains(t, text, "{{", "every placeholder is replaced")
		if d == sqlstore.Postgres {
			require.Contains(t, text, `CREATE TABLE "host_app".conversations`)
		} else {
			require.Contains(t, text, `CREATE TABLE host_app_conversations`)
		}
	}
	_, err := sqlstore.MigrationFS(sqlstore.Postgres, `x"; DROP SCHEMA public; --`)
	require.Error(t, err)
	_, err = sqlstore.MigrationFS("oracle", "parley")
	require.Error(t, err)
}

func TestMigrateSQLiteIdempotentAndConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "parley.db")
	// Several stores (as several processes would) migrate one file at once.
	const n = 4
	stores := make([]*sqlstore.Store, n)
	for i := range stores {
		s, err := sqlite.Open(ctx, path)
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, s.Close()) })
		stores[i] = s
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, s := range stores {
		wg.Go(func() { errs[i] = s.Migrate(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, stores[0].Migrate(ctx), "migrating again changes nothing")
	var count int
	require.NoError(t, stores[0].SQLDB().QueryRowContext(ctx, `SELECT count(*) FROM parley_schema_migrations`).Scan(&count))
	require.Equal(t, len(versions(t, sqlstore.SQLite)), count)
}

func TestMigratePostgresIdempotentAndConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := pgtest.Pool(t)
	// A schema that does not exist yet: Migrate creates it.
	schema := "parley_fresh_" + strings.ReplaceAll(strings.ToLower(t.Name()), "/", "_")
	schema = schema[:min(len(schema), 40)]
	t.Cleanup(func() {
		_, err := pool.Exec(context.Background(), `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`)
		require.NoError(t, err)
	})
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		s, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(schema))
		require.NoError(t, err)
		wg.Go(func() { errs[i] = s.Migrate(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	s, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(schema))
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx), "migrating again changes nothing")
	var count int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM "`+schema+`".schema_migrations`).Scan(&count))
	require.Equal(t, len(versions(t, sqlstore.Postgres)), count)
}
