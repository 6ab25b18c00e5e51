//go:build cgo

package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"net/url"
	"os"
	"path/filepath"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/sqlstore/sqlite"
)

// SQLite needs cgo (go-sqlite3): this file is the SQLite half of the
// command, and sqlite_nocgo.go stands in for it in a cgo-free build.

// sqliteDSN is the go-sqlite3 name of the file with the settings of
// sqlite.Open's writing connection: WAL, foreign keys, busy timeout,
// IMMEDIATE transactions, a cache of 128 prepared statements, and
// go-sqlite3's synchronous NORMAL (under WAL a commit
// writes the log but does not wait for the disk; checkpoints do).
func sqliteDSN(path string) string {
	v := url.Values{
		"_journal_mode":    {"WAL"},
		"_foreign_keys":    {"1"},
		"_busy_timeout":    {"5000"},
		"_txlock":          {"immediate"},
		"_stmt_cache_size": {"128"},
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + v.Encode()
}

// openSQLite makes a store in a new file of dir, which close removes.
func openSQLite(ctx context.Context, dir string) (*sqlStore, error) {
	path := filepath.Join(dir, randomName("parley-")+".db")
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	remove := func() {
		_ = store.Close()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			_ = os.Remove(path + suffix)
		}
	}
	if err := store.Migrate(ctx); err != nil {
		remove()
		return nil, err
	}
	raw, err := sql.Open("sqlite3", sqliteDSN(path))
	if err != nil {
		remove()
		return nil, err
	}
	raw.SetMaxOpenConns(1)
	// The statement capture runs on connections of its own that record
	// what they run; the measured store never goes through them.
	rec := &recorder{}
	capDB := sql.OpenDB(sqliteRecording{dsn: sqliteDSN(path), rec: rec, drv: &sqlite3.SQLiteDriver{}})
	capDB.SetMaxOpenConns(1)
	capStore, err := sqlstore.NewSQLite(sqlstore.SQLiteConfig{Write: capDB, Read: capDB, Classify: sqlite.Classify})
	if err != nil {
		_ = raw.Close()
		_ = capDB.Close()
		remove()
		return nil, err
	}
	capSvc := parley.New(capStore)
	return &sqlStore{
		name: "sqlite", store: store, svc: parley.New(store), raw: &sqliteRaw{db: raw},
		record: func(fn func(*parley.Service) error) ([]statement, error) {
			return rec.record(func() error { return fn(capSvc) })
		},
		close: func() {
			_ = capDB.Close()
			_ = raw.Close()
			remove()
		},
	}, nil
}

// sqliteRecording is a database/sql connector over go-sqlite3 whose
// connections record the statements they run. Only the statement capture
// uses it; the measured stores and baselines run on plain connections.
type sqliteRecording struct {
	dsn string
	rec *recorder
	drv *sqlite3.SQLiteDriver
}

func (c sqliteRecording) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &recordingConn{SQLiteConn: conn.(*sqlite3.SQLiteConn), rec: c.rec}, nil
}

func (c sqliteRecording) Driver() driver.Driver { return c.drv }

type recordingConn struct {
	*sqlite3.SQLiteConn
	rec *recorder
}

func namedArgs(args []driver.NamedValue) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a.Value
	}
	return out
}

func (c *recordingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.rec.add(query, namedArgs(args))
	return c.SQLiteConn.QueryContext(ctx, query, args)
}

func (c *recordingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.rec.add(query, namedArgs(args))
	return c.SQLiteConn.ExecContext(ctx, query, args)
}
