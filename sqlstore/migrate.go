package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations
var migrationFiles embed.FS

// The placeholders the migration files use for the namespace: the quoted
// schema on PostgreSQL, the table prefix on SQLite.
const (
	schemaPlaceholder = "{{schema}}"
	prefixPlaceholder = "{{prefix}}"
)

// migration is one numbered file of a dialect.
type migration struct {
	version int
	name    string
	sql     string // rendered for a namespace
}

// migrations returns the dialect's migrations in version order, rendered
// for schema.
func migrations(dialect Dialect, schema string) ([]migration, error) {
	if err := ValidSchema(schema); err != nil {
		return nil, err
	}
	dir := path.Join("migrations", string(dialect))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: no migrations for dialect %q", dialect)
	}
	var out []migration
	for _, e := range entries {
		version, ok := migrationVersion(e.Name())
		if !ok {
			continue
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		text := string(b)
		if dialect == Postgres {
			text = strings.ReplaceAll(text, schemaPlaceholder, `"`+schema+`"`)
		} else {
			text = strings.ReplaceAll(text, prefixPlaceholder, schema+"_")
		}
		out = append(out, migration{version: version, name: e.Name(), sql: text})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	return out, nil
}

// migrationVersion reads the version of a file named NNNN_description.sql.
func migrationVersion(name string) (int, bool) {
	num, _, ok := strings.Cut(name, "_")
	if !ok || !strings.HasSuffix(name, ".sql") {
		return 0, false
	}
	v, err := strconv.Atoi(num)
	if err != nil || v <= 0 {
		return 0, false
	}
	return v, true
}

// MigrationFS returns the dialect's migrations rendered for schema (see
// WithSchema): files named NNNN_description.sql, ready for a migration tool
// of the host's own. The version numbers are the same for both dialects.
// Migrate records what it applied in its own table (schema_migrations in
// the namespace); a host that uses its own tool instead should not also
// call Migrate.
func MigrationFS(dialect Dialect, schema string) (fs.FS, error) {
	ms, err := migrations(dialect, schema)
	if err != nil {
		return nil, err
	}
	files := make(memFS, len(ms))
	for _, m := range ms {
		files[m.name] = []byte(m.sql)
	}
	return files, nil
}

// Migrate brings the schema up to date, applying the migrations not yet
// recorded, each in the transaction that records it. It is idempotent and
// safe when several processes start at once: on PostgreSQL they queue on
// an advisory lock of the schema; on SQLite on the write lock of an
// IMMEDIATE transaction.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := migrations(s.d.name, s.d.schema)
	if err != nil {
		return err
	}
	if s.d.pg() {
		err = s.migratePostgres(ctx, ms)
	} else {
		err = s.migrateSQLite(ctx, ms)
	}
	if err != nil {
		return s.wrap(ctx, "migrating", s.d.schema, err)
	}
	return nil
}

const sqlVersionTable = `CREATE TABLE IF NOT EXISTS {schema_migrations} (
	version integer PRIMARY KEY,
	applied_at text NOT NULL
)`

func (s *Store) migratePostgres(ctx context.Context, ms []migration) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The lock is the schema's, so that two parley instances in one
		// database migrate independently.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "parley migrate "+s.d.schema); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS "`+s.d.schema+`"`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, s.d.sql(sqlVersionTable)); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, s.d.sql(`SELECT version FROM {schema_migrations}`))
		if err != nil {
			return err
		}
		applied, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return err
		}
		for _, m := range ms {
			if slices.Contains(applied, m.version) {
				continue
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, s.d.sql(`INSERT INTO {schema_migrations} (version, applied_at) VALUES ($1, $2)`),
				m.version, time.Now().UTC().Format(time.RFC3339)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) migrateSQLite(ctx context.Context, ms []migration) error {
	conn, err := s.sqlite.Write.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	// IMMEDIATE: takes the write lock now. (Not ended by ctx: see beginSQL.)
	tx, err := conn.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, s.d.sql(sqlVersionTable)); err != nil {
		return err
	}
	applied, err := sqliteVersions(ctx, tx, s.d.sql(`SELECT version FROM {schema_migrations}`))
	if err != nil {
		return err
	}
	for _, m := range ms {
		if slices.Contains(applied, m.version) {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, s.d.sql(`INSERT INTO {schema_migrations} (version, applied_at) VALUES ($1, $2)`),
			m.version, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func sqliteVersions(ctx context.Context, tx *sql.Tx, query string) ([]int, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// memFS is a read-only file system of rendered migrations, all in its root.
type memFS map[string][]byte

func (m memFS) Open(name string) (fs.File, error) {
	if name == "." {
		return &memDir{fs: m}, nil
	}
	b, ok := m[name]
	if !ok || !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{name: name, r: strings.NewReader(string(b)), size: int64(len(b))}, nil
}

// ReadDir implements fs.ReadDirFS.
func (m memFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	return (&memDir{fs: m}).ReadDir(-1)
}

type memFile struct {
	name string
	r    *strings.Reader
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{name: f.name, size: f.size}, nil }
func (f *memFile) Read(b []byte) (int, error) { return f.r.Read(b) }
func (f *memFile) Close() error               { return nil }

type memDir struct {
	fs      memFS
	entries []fs.DirEntry // nil until the first ReadDir
	off     int
}

func (d *memDir) Stat() (fs.FileInfo, error) { return memInfo{name: ".", dir: true}, nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: ".", Err: fs.ErrInvalid}
}
func (d *memDir) Close() error { return nil }

// ReadDir implements fs.ReadDirFile: entries in name order, n at a time.
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.entries == nil {
		names := make([]string, 0, len(d.fs))
		for name := range d.fs {
			names = append(names, name)
		}
		slices.Sort(names)
		d.entries = make([]fs.DirEntry, len(names))
		for i, name := range names {
			d.entries[i] = fs.FileInfoToDirEntry(memInfo{name: name, size: int64(len(d.fs[name]))})
		}
	}
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return slices.Clone(rest), nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	rest = rest[:min(n, len(rest))]
	d.off += len(rest)
	return slices.Clone(rest), nil
}

type memInfo struct {
	name string
	size int64
	dir  bool
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return i.dir }
func (i memInfo) Sys() any           { return nil }
func (i memInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
