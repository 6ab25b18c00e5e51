package sqlstore_test

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/sqlstore/sqlite"
	"github.com/parleyhq/parley/storage"
)

// Every shipped migration is a goose file: its first line is the Up
// annotation goose needs (a comment to parley's own runner), and there is
// no Down section, which goose would run on "down" and parley never
// writes.
func TestMigrationsAreGooseFiles(t *testing.T) {
	t.Parallel()
	for _, d := range []sqlstore.Dialect{sqlstore.Postgres, sqlstore.SQLite} {
		fsys, err := sqlstore.MigrationFS(d, "parley")
		require.NoError(t, err)
		entries, err := fs.ReadDir(fsys, ".")
		require.NoError(t, err)
		for _, e := range entries {
			b, err := fs.ReadFile(fsys, e.Name())
			require.NoError(t, err)
			first, _, _ := strings.Cut(string(b), "\n")
			require.Equal(t, "-- +goose Up", first, "%s %s", d, e.Name())
			require.NotContains(t, string(b), "+goose Down", "%s %s", d, e.Name())
		}
	}
}

// extract writes a dialect's migrations for schema into a directory, as a
// host hands them to its own tool.
func extract(t *testing.T, d sqlstore.Dialect, schema string) string {
	t.Helper()
	fsys, err := sqlstore.MigrationFS(d, schema)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, fsys))
	return dir
}

// goose runs the goose binary PARLEY_GOOSE names (CI installs a pinned
// one; goose is no dependency of parley) and returns its output.
func goose(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(os.Getenv("PARLEY_GOOSE"), args...).CombinedOutput()
	require.NoError(t, err, "goose %v:\n%s", args, out)
	return string(out)
}

// latestFile is the highest version among a dialect's files.
func latestFile(t *testing.T, d sqlstore.Dialect) int {
	t.Helper()
	vs := versions(t, d)
	n, err := strconv.Atoi(vs[len(vs)-1])
	require.NoError(t, err)
	return n
}

// smoke uses a store whose schema another tool made: the tables are the
// ones parley's statements expect.
func smoke(t *testing.T, s storage.Store) {
	t.Helper()
	ctx := context.Background()
	svc := parley.New(s)
	c, err := svc.CreateConversation(ctx, conversation.Conversation{Topic: "Migrated by goose", Tags: []string{"vip"}})
	require.NoError(t, err)
	_, err = svc.CloseConversation(ctx, c.ID)
	require.NoError(t, err)
	require.NoError(t, svc.DeleteTag(ctx, "vip"))
	got, err := svc.GetConversation(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"vip"}, got.Tags)
}

// goose, run on the files MigrationFS ships, migrates a fresh SQLite file
// and a fresh PostgreSQL schema to the latest version, and parley works on
// the result. Runs when PARLEY_GOOSE names a goose binary (.ci/run
// installs one).
func TestGooseRunsTheShippedMigrations(t *testing.T) {
	if os.Getenv("PARLEY_GOOSE") == "" {
		t.Skip("set PARLEY_GOOSE to a goose binary to run the shipped migrations with it")
	}
	t.Parallel()
	ctx := context.Background()

	t.Run("SQLite", func(t *testing.T) {
		t.Parallel()
		db := filepath.Join(t.TempDir(), "parley.db")
		dir := extract(t, sqlstore.SQLite, "parley")
		goose(t, "-dir", dir, "sqlite3", db, "up")
		require.Contains(t, goose(t, "-dir", dir, "sqlite3", db, "version"), "version "+strconv.Itoa(latestFile(t, sqlstore.SQLite)))
		s, err := sqlite.Open(ctx, db)
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, s.Close()) })
		smoke(t, s)
	})
	t.Run("Postgres", func(t *testing.T) {
		t.Parallel()
		schema := pgtest.Schema(t) // exists already: goose keeps its table there
		dsn := pgtest.DSN(t)
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + "search_path=" + schema
		dir := extract(t, sqlstore.Postgres, schema)
		goose(t, "-dir", dir, "postgres", dsn, "up")
		require.Contains(t, goose(t, "-dir", dir, "postgres", dsn, "version"), "version "+strconv.Itoa(latestFile(t, sqlstore.Postgres)))
		pool, err := pgxpool.New(ctx, dsn)
		require.NoError(t, err)
		t.Cleanup(pool.Close)
		s, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(schema))
		require.NoError(t, err)
		smoke(t, s)
	})
}
