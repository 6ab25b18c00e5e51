package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/sqlstore/sqlite"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/storage/storagetest"
)

// The fuzz targets of the service suite, on SQLite and (when wanted, see
// pgtest.Wanted) PostgreSQL, with the memory store first as the reference
// they must agree with. Their seed corpora are under testdata/fuzz/.

// fuzzStores are the stores every input is written through.
func fuzzStores() []storagetest.FuzzStore {
	stores := []storagetest.FuzzStore{
		{Name: "memory", New: func(testing.TB) storage.Store { return memstore.New() }},
		{Name: "sqlite", New: fuzzSQLite},
	}
	if pgtest.Wanted() {
		stores = append(stores, storagetest.FuzzStore{Name: "postgres", New: fuzzPostgres})
	}
	return stores
}

// fuzzSQLite opens a migrated SQLite store on a file of the fuzzing
// process's own.
func fuzzSQLite(tb testing.TB) storage.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "parley.db"))
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = s.Close() })
	require.NoError(tb, s.Migrate(ctx))
	return s
}

// fuzzPostgres returns a migrated PostgreSQL store in the fuzzing process's
// schema (see pgtest.ProcessPool).
func fuzzPostgres(tb testing.TB) storage.Store {
	tb.Helper()
	pool, schema := pgtest.ProcessPool(tb)
	s, err := sqlstore.NewPostgres(pool, sqlstore.WithSchema(schema))
	require.NoError(tb, err)
	require.NoError(tb, s.Migrate(context.Background()))
	return s
}

func FuzzConversationRoundTrip(f *testing.F) {
	storagetest.FuzzConversationRoundTrip(f, fuzzStores()...)
}

func FuzzMessageRoundTrip(f *testing.F) {
	storagetest.FuzzMessageRoundTrip(f, fuzzStores()...)
}

func FuzzListConversations(f *testing.F) {
	storagetest.FuzzListConversations(f, fuzzStores()...)
}

func FuzzPatchRoundTrip(f *testing.F) {
	storagetest.FuzzPatchRoundTrip(f, fuzzStores()...)
}

func FuzzRoutingRulesRoundTrip(f *testing.F) {
	storagetest.FuzzRoutingRulesRoundTrip(f, fuzzStores()...)
}
