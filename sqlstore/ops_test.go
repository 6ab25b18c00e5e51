package sqlstore_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/httpapi"
	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/sqlstore/sqlite"
	"github.com/parleyhq/parley/storage"
)

// SchemaVersion and CheckSchema tell ops where a database stands: 0 and
// pending before Migrate, the latest version and ready after it, and too
// new once a newer build has recorded a version this one does not know,
// when Migrate refuses too and changes nothing.
func TestSchemaVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, open := range map[string]func(t *testing.T) (*sqlstore.Store, func(string) error){
		"SQLite": func(t *testing.T) (*sqlstore.Store, func(string) error) {
			s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "parley.db"))
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, s.Close()) })
			return s, func(q string) error { _, err := s.SQLDB().ExecContext(ctx, q); return err }
		},
		"Postgres": func(t *testing.T) (*sqlstore.Store, func(string) error) {
			pool, schema := pgtest.Pool(t)
			s, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(schema))
			require.NoError(t, err)
			return s, func(q string) error { _, err := pool.Exec(ctx, q); return err }
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, exec := open(t)
			latest := s.LatestVersion()
			require.Positive(t, latest)

			v, err := s.SchemaVersion(ctx)
			require.NoError(t, err)
			require.Zero(t, v, "never migrated")
			require.ErrorContains(t, s.CheckSchema(ctx), "not applied")

			require.NoError(t, s.Migrate(ctx))
			v, err = s.SchemaVersion(ctx)
			require.NoError(t, err)
			require.Equal(t, latest, v)
			require.NoError(t, s.CheckSchema(ctx))

			// A newer build migrated the database.
			require.NoError(t, exec(`INSERT INTO `+tableName(s, "schema_migrations")+` (version, applied_at) VALUES (`+
				strconv.Itoa(latest+1)+`, '2030-01-01T00:00:00Z')`))
			v, err = s.SchemaVersion(ctx)
			require.NoError(t, err)
			require.Equal(t, latest+1, v)
			require.ErrorIs(t, s.CheckSchema(ctx), sqlstore.ErrSchemaTooNew)
			err = s.Migrate(ctx)
			require.ErrorIs(t, err, sqlstore.ErrSchemaTooNew)
			require.Contains(t, err.Error(), strconv.Itoa(latest+1))
		})
	}
}

// tableName is the qualified name of one of the store's tables, for a
// statement of the test's own.
func tableName(s *sqlstore.Store, table string) string {
	if s.Dialect() == sqlstore.Postgres {
		return `"` + s.Schema() + `".` + table
	}
	return s.Schema() + "_" + table
}

// A database nothing answers (a stopped server: a port nothing listens
// on) is ErrUnavailable, for an operation and for the readiness check
// alike, and the message carries no driver detail.
func TestStoppedDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close()) // nothing listens there now
	cfg, err := pgxpool.ParseConfig("postgres://postgres@127.0.0.1:" + strconv.Itoa(port) + "/test?sslmode=disable&connect_timeout=5")
	require.NoError(t, err)
	pool, err := pgxpool.NewWithConfig(ctx, cfg) // connects lazily
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	s, err := sqlstore.NewPostgres(pool)
	require.NoError(t, err)

	_, err = s.GetConversation(ctx, "c1")
	require.ErrorIs(t, err, storage.ErrUnavailable)
	requireNoSQL(t, err)
	require.NotContains(t, err.Error(), "127.0.0.1")
	require.ErrorIs(t, s.CheckSchema(ctx), storage.ErrUnavailable)
	_, err = s.SchemaVersion(ctx)
	require.ErrorIs(t, err, storage.ErrUnavailable)
}

// A connection PostgreSQL terminates under the store (an administrator, a
// failover) is ErrUnavailable, which the HTTP adapter answers 503 with
// Retry-After, not 500; the pool then replaces the connection and the
// next request is served.
func TestKilledConnectionIs503(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	schema := pgtest.Schema(t)
	app := "parley_kill_" + schema
	cfg, err := pgxpool.ParseConfig(pgtest.DSN(t))
	require.NoError(t, err)
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.ConnConfig.RuntimeParams["application_name"] = app
	cfg.MaxConns = 1 // the one connection is the one killed
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	s, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(schema))
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))
	h := httpapi.New(parley.New(s))
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/ccaas/1/conversations", nil))
		return rec
	}
	require.Equal(t, 200, get().Code)

	admin, err := pgx.Connect(ctx, pgtest.DSN(t))
	require.NoError(t, err)
	defer admin.Close(ctx)
	// Only the pool's backend: its pid first, then the kill. The timeout
	// makes pg_terminate_backend wait until the backend is gone.
	var pid int
	require.NoError(t, admin.QueryRow(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&pid))
	var killed bool
	require.NoError(t, admin.QueryRow(ctx, `SELECT pg_terminate_backend($1, 10000)`, pid).Scan(&killed))
	require.True(t, killed)

	rec := get()
	require.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	require.Equal(t, "1", rec.Header().Get("Retry-After"))
	var body map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	require.Equal(t, "UNAVAILABLE", body["code"])
	require.NotContains(t, body["message"], "SQLSTATE")

	// The pool connects again: served.
	deadline := time.Now().Add(10 * time.Second)
	for rec = get(); rec.Code != 200 && time.Now().Before(deadline); rec = get() {
	}
	require.Equal(t, 200, rec.Code, rec.Body.String())
}
