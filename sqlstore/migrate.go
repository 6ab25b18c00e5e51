package sqlstore

import (
	"context"
	"embed"
	"errors"
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
// of the host's own; goose runs them as they are (each is annotated
// "-- +goose Up"). On PostgreSQL the first creates the schema; goose keeps
// its own version table, so create the schema first and put it on the
// search_path when goose's table belongs there too. The version numbers are the same for both dialects.
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

// ErrSchemaTooNew is what Migrate and CheckSchema return for a database
// that a newer build of parley has migrated: a version this build does not
// know is recorded. Such a build must not write to it (its schema may have
// changed under this build's statements); roll the newer release out
// instead.
var ErrSchemaTooNew = errors.New("the database was migrated by a newer parley: it is at a version this build does not know")

// LatestVersion is the highest migration version this build knows for the
// store's dialect: the version Migrate brings a database to.
func (s *Store) LatestVersion() int {
	ms, err := migrations(s.d.flavor, s.d.schema)
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// SchemaVersion reports the database's version: the highest migration
// recorded in the store's namespace, 0 for a database never migrated. It
// reads and writes nothing else, so ops can ask before migrating; a
// database that cannot be reached is ErrUnavailable.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	applied, err := s.appliedVersions(ctx, s.own.reader())
	if err != nil {
		return 0, s.wrap(ctx, "reading the schema version", s.d.schema, err)
	}
	return slices.Max(append(applied, 0)), nil
}

// CheckSchema reports whether the database is at the version this build
// expects, for a readiness check: nil when every migration this build
// knows is applied; ErrSchemaTooNew when a newer build migrated it; an
// error saying which version it is at when migrations are pending. A
// database that cannot be reached is ErrUnavailable.
func (s *Store) CheckSchema(ctx context.Context) error {
	applied, err := s.appliedVersions(ctx, s.own.reader())
	if err != nil {
		return s.wrap(ctx, "checking the schema version", s.d.schema, err)
	}
	ms, err := migrations(s.d.flavor, s.d.schema)
	if err != nil {
		return err
	}
	return checkApplied(ms, applied)
}

// checkApplied compares the versions recorded with those known.
func checkApplied(ms []migration, applied []int) error {
	latest := 0
	if len(ms) > 0 {
		latest = ms[len(ms)-1].version
	}
	if slices.ContainsFunc(applied, func(v int) bool { return v > latest }) {
		return fmt.Errorf("%w (at %d, this build knows up to %d)", ErrSchemaTooNew, slices.Max(applied), latest)
	}
	for _, m := range ms {
		if !slices.Contains(applied, m.version) {
			return fmt.Errorf("migration %d (%s) is not applied: run Migrate (parley migrate)", m.version, m.name)
		}
	}
	return nil
}

// appliedVersions reads the recorded versions; none when the version table
// does not exist yet.
func (s *Store) appliedVersions(ctx context.Context, r runner) ([]int, error) {
	d := s.d
	var exists int
	if err := r.run(ctx, d.tableExists(d.table("schema_migrations")).each(func(rw row) error { return rw.Scan(&exists) })); err != nil {
		return nil, err
	}
	if exists == 0 {
		return nil, nil
	}
	var applied []int
	err := r.run(ctx, d.stmt(`SELECT version FROM {schema_migrations}`).each(func(rw row) error {
		var v int
		err := rw.Scan(&v)
		applied = append(applied, v)
		return err
	}))
	return applied, err
}

// Migrate brings the schema up to date, applying the migrations not yet
// recorded, each in the transaction that records it. It is idempotent and
// safe when several processes start at once: on PostgreSQL they queue on
// an advisory lock of the schema; on SQLite on the write lock of an
// IMMEDIATE transaction. It runs on the store's own connections, outside
// any transaction of the host's. A database that a newer build migrated
// (a version this build does not know) is ErrSchemaTooNew, and Migrate
// changes nothing: an old instance must not start against a new schema.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := migrations(s.d.flavor, s.d.schema)
	if err != nil {
		return err
	}
	if err := s.migrate(ctx, ms); errors.Is(err, ErrSchemaTooNew) {
		return fmt.Errorf("migrating %q: %w", s.d.schema, err)
	} else if err != nil {
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
	if err := checkApplied(ms, applied); errors.Is(err, ErrSchemaTooNew) {
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
