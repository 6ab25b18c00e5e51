// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema with a random name per test, dropped when the test ends.
//
// The server comes from the environment variable PARLEY_TEST_POSTGRES, a
// pgx connection string such as
//
//	postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//
// When it is unset, or the server does not answer, the tests that need it
// are skipped with a message naming the variable, except under CI=true,
// where they fail: a CI run must not pass by skipping its database.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// EnvDSN is the environment variable that holds the test server's DSN.
const EnvDSN = "PARLEY_TEST_POSTGRES"

var (
	probeOnce sync.Once
	probeErr  error
)

// DSN returns the test server's connection string, or skips t (fails it
// under CI=true) when there is no reachable server. The server is probed
// once per test binary.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		unavailable(t, EnvDSN+" is not set")
		return ""
	}
	probeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			probeErr = err
			return
		}
		defer conn.Close(ctx)
		probeErr = conn.Ping(ctx)
	})
	if probeErr != nil {
		unavailable(t, "the server at "+EnvDSN+" does not answer: "+probeErr.Error())
	}
	return dsn
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL tests need a database under CI=true: %s", why)
	}
	t.Skipf("skipping PostgreSQL test: %s (set %s to run it)", why, EnvDSN)
}

// Schema creates a schema with a fresh random name ("parley_test_…") and
// drops it, with everything in it, when t ends. It returns the name.
func Schema(t testing.TB) string {
	t.Helper()
	dsn := DSN(t)
	name := "parley_test_" + randomHex(8)
	exec(t, dsn, `CREATE SCHEMA "`+name+`"`)
	t.Cleanup(func() { exec(t, dsn, `DROP SCHEMA IF EXISTS "`+name+`" CASCADE`) })
	return name
}

// Pool returns a pool of its own for t, closed when t ends, and a fresh
// schema (see Schema) that its connections have as search_path. Pass the
// schema to sqlstore.WithSchema for a store that lives in it.
func Pool(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	schema := Schema(t)
	cfg, err := pgxpool.ParseConfig(DSN(t))
	if err != nil {
		t.Fatalf("pgtest: %s: %v", EnvDSN, err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	// Registered after Schema's cleanup, so it runs first: the pool closes
	// before its schema is dropped.
	t.Cleanup(pool.Close)
	return pool, schema
}

func exec(t testing.TB, dsn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("pgtest: %s: %v", sql, err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Wanted reports whether the PostgreSQL tests are to run: the variable is
// set, or CI=true (where a missing server then fails them). A test that
// runs on other stores too, such as a fuzz target that opens all of its
// stores once, leaves PostgreSQL out when it is not wanted instead of
// skipping as a whole.
func Wanted() bool {
	return os.Getenv(EnvDSN) != "" || os.Getenv("CI") == "true"
}

// processSchemaPrefix names the schemas of ProcessPool.
const processSchemaPrefix = "parley_fuzz_"

// ProcessPool is Pool for a fuzz target, whose store lives as long as its
// fuzzing process. go test stops its fuzzing processes with a signal a
// second after telling them to end, often before their cleanups have
// dropped their schemas; so the schema is named after the process
// ("parley_fuzz_<pid>"), and the schemas of processes that are gone are
// dropped first.
func ProcessPool(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	dsn := DSN(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`, processSchemaPrefix)
	if err != nil {
		t.Fatalf("pgtest: list schemas: %v", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("pgtest: list schemas: %v", err)
	}
	schema := fmt.Sprintf("%s%d", processSchemaPrefix, os.Getpid())
	for _, name := range names {
		pid, err := strconv.Atoi(strings.TrimPrefix(name, processSchemaPrefix))
		if err == nil && pid != os.Getpid() && processAlive(pid) {
			continue
		}
		// name is a schema's own name, quoted as an identifier.
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`); err != nil {
			t.Fatalf("pgtest: drop schema %s: %v", name, err)
		}
	}
	if _, err := conn.Exec(ctx, `CREATE SCHEMA "`+schema+`"`); err != nil {
		t.Fatalf("pgtest: create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, dsn)
		if err == nil {
			_, _ = conn.Exec(ctx, `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE`)
			_ = conn.Close(ctx)
		}
	})
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("pgtest: %s: %v", EnvDSN, err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool, schema
}

// processAlive reports whether a process of that id exists.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	return err == nil && p.Signal(syscall.Signal(0)) == nil
}
