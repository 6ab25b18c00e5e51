//go:build cgo

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
)

// busyTimeoutMillis is how long a statement waits for another process's
// lock before it fails with SQLITE_BUSY.
const busyTimeoutMillis = 5000

// stmtCacheSize is how many prepared statements each connection keeps.
const stmtCacheSize = 128

// Open opens (creating it if needed) the SQLite database at path, or an
// in-memory one for Memory, and returns a Store over it. Call Migrate
// before use, and Close when done.
func Open(ctx context.Context, path string, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	if path == "" {
		return nil, errors.New("Open needs a path (or sqlite.Memory)")
	}
	var cfg sqlstore.SQLiteConfig
	if path == Memory {
		db, err := sql.Open("sqlite3", dsn("file::memory:", true, nil))
		if err != nil {
			return nil, err
		}
		// The database lives as long as this one connection.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		cfg = sqlstore.SQLiteConfig{Write: db, Read: db, Close: db.Close}
	} else {
		name := "file:" + (&url.URL{Path: path}).EscapedPath()
		write, err := sql.Open("sqlite3", dsn(name, true, nil))
		if err != nil {
			return nil, err
		}
		write.SetMaxOpenConns(1)
		write.SetMaxIdleConns(1)
		write.SetConnMaxLifetime(0)
		read, err := sql.Open("sqlite3", dsn(name, false, url.Values{"_query_only": {"1"}}))
		if err != nil {
			_ = write.Close()
			return nil, err
		}
		n := max(4, runtime.GOMAXPROCS(0))
		read.SetMaxOpenConns(n)
		read.SetMaxIdleConns(n)
		cfg = sqlstore.SQLiteConfig{
			Write: write, Read: read,
			Close: func() error { return errors.Join(read.Close(), write.Close()) },
		}
	}
	cfg.Classify = Classify
	// Connect the writer first: it creates the file and switches it to WAL
	// before any reader opens it.
	if err := cfg.Write.PingContext(ctx); err != nil {
		_ = cfg.Close()
		return nil, fmt.Errorf("opening SQLite database %s: %w", path, err)
	}
	s, err := sqlstore.NewSQLite(cfg, opts...)
	if err != nil {
		_ = cfg.Close()
		return nil, err
	}
	return s, nil
}

// dsn is the go-sqlite3 data source name for a file URI name.
func dsn(name string, write bool, extra url.Values) string {
	v := url.Values{
		"_journal_mode":    {"WAL"},
		"_foreign_keys":    {"1"},
		"_busy_timeout":    {fmt.Sprint(busyTimeoutMillis)},
		"_stmt_cache_size": {fmt.Sprint(stmtCacheSize)},
		"_txlock":          {"deferred"},
	}
	if write {
		v.Set("_txlock", "immediate")
	}
	for k, vs := range extra {
		v[k] = vs
	}
	if strings.Contains(name, ":memory:") {
		v.Del("_journal_mode") // an in-memory database has no WAL
	}
	return name + "?" + v.Encode()
}

// Classify maps go-sqlite3's errors to storage's sentinels: a unique or
// primary key constraint is ErrAlreadyExists, a foreign key ErrNotFound,
// a busy or locked database ErrConflict, a file that cannot be opened
// ErrUnavailable. It is what Open passes to
// sqlstore.NewSQLite.
func Classify(err error) error {
	var e sqlite3.Error
	if !errors.As(err, &e) {
		var p *sqlite3.Error
		if !errors.As(err, &p) || p == nil {
			return nil
		}
		e = *p
	}
	switch e.ExtendedCode {
	case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
		return storage.ErrAlreadyExists
	case sqlite3.ErrConstraintForeignKey:
		return storage.ErrNotFound
	}
	switch e.Code {
	case sqlite3.ErrBusy, sqlite3.ErrLocked:
		return storage.ErrConflict
	case sqlite3.ErrCantOpen:
		return storage.ErrUnavailable
	}
	return nil
}
