package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered file of a dialect.
type migration struct {
	version int
	name    string
	sql     string // rendered for a namespace
}

// migrations returns the flavor's migrations in version order, rendered
// for schema.
func migrations(f flavor, schema string) ([]migration, error) {
	if err := ValidSchema(schema); err != nil {
		return nil, err
	}
	dir := path.Join("migrations", string(f.name()))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("no migrations for dialect %q", f.name())
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
		out = append(out, migration{version: version, name: e.Name(), sql: f.migration(string(b), schema)})
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
	f, ok := flavors[dialect]
	if !ok {
		return nil, fmt.Errorf("no migrations for dialect %q", dialect)
	}
	ms, err := migrations(f, schema)
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
// IMMEDIATE transaction. It runs on the store's own connections, outside
// any transaction of the host's.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := migrations(s.d.flavor, s.d.schema)
	if err != nil {
		return err
	}
	if err := s.migrate(ctx, ms); err != nil {
		return s.wrap(ctx, "migrating", s.d.schema, err)
	}
	return nil
}

func (s *Store) migrate(ctx context.Context, ms []migration) error {
	d := s.d
	tr, err := s.own.begin(ctx)
	if err != nil {
		return err
	}
	defer tr.rollback(ctx)
	// The read of the versions goes in a run of its own: pgx prepares a
	// batch's statements before it runs any, and the read cannot be
	// prepared before its table exists.
	if err := tr.run(ctx, append(d.migrateSetup(d), d.stmt(sqlVersionTable))...); err != nil {
		return err
	}
	var applied []int
	err = tr.run(ctx, d.stmt(`SELECT version FROM {schema_migrations}`).each(func(r row) error {
		var v int
		err := r.Scan(&v)
		applied = append(applied, v)
		return err
	}))
	if err != nil {
		return err
	}
	for _, m := range ms {
		if slices.Contains(applied, m.version) {
			continue
		}
		// Alone and without parameters, so that a file of several
		// statements goes as one simple query.
		if err := tr.run(ctx, &stmt{sql: m.sql}); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		record := d.stmt(`INSERT INTO {schema_migrations} (version, applied_at) VALUES ($1, $2)`,
			m.version, time.Now().UTC().Format(time.RFC3339))
		if err := tr.run(ctx, record); err != nil {
			return err
		}
	}
	return tr.commit(ctx)
}

const sqlVersionTable = `CREATE TABLE IF NOT EXISTS {schema_migrations} (
	version integer PRIMARY KEY,
	applied_at text NOT NULL
)`

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
