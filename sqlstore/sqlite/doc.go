// Package sqlite opens a parley store on an SQLite database through
// github.com/mattn/go-sqlite3. Importing it is what brings cgo into a build;
// a PostgreSQL-only program imports sqlstore alone and compiles no C.
//
// Open sets the database up for an embedded, concurrent store:
//
//   - WAL journal, so reads run beside the writer.
//   - Two database/sql pools on the file: one connection for writes, whose
//     transactions begin IMMEDIATE (they take the write lock at BEGIN, so
//     two writers never deadlock upgrading a read lock), and several for
//     reads, which are query-only.
//   - Foreign keys on, a busy timeout (other processes may write the same
//     file), and a per-connection cache of prepared statements.
//   - synchronous NORMAL, go-sqlite3's setting under WAL: a commit survives
//     the process dying (the crash tests kill it), and the database stays
//     consistent through a power cut, which may lose the last commits.
//
// An in-memory database (":memory:") lives as long as its connection, so
// it gets a single connection for reads and writes alike.
//
// Built without cgo (CGO_ENABLED=0), the package still compiles, so that a
// program offering both databases builds as a static binary: Open then
// returns ErrNoCgo, and Classify recognises nothing.
package sqlite

import "errors"

// Memory is the path of an in-memory database.
const Memory = ":memory:"

// ErrNoCgo is what Open returns in a build without cgo, where go-sqlite3
// has no driver: SQLite needs a binary built with CGO_ENABLED=1.
var ErrNoCgo = errors.New("sqlite: this binary was built without cgo (CGO_ENABLED=0), so it has no SQLite driver")
