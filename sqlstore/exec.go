package sqlstore

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley/fault"
)

// stmt is one SQL statement, its arguments, and what to do with its result.
// Operations hand a runner several at once, so that a driver that can
// pipeline them (pgx) sends them in one round trip.
type stmt struct {
	sql  string
	args []any
	// scan is called for every result row; nil for a statement whose rows
	// are not read.
	scan func(r row) error
	// done is called once the statement has succeeded; an error from it
	// fails the run (on a pipelined batch, after the batch has run).
	done func() error
	// fail, when set, turns the database's error for this statement into
	// the run's error: a statement sent with another operation's (a
	// deferred write) names its own operation in it.
	fail func(err error) error

	affected int64  // rows affected, once run
	lastID   int64  // the last inserted rowid, once run (SQLite)
	tag      string // PostgreSQL's command tag, once run (COMMIT or ROLLBACK after a COMMIT)
}

// failed is err as this statement reports it (see fail).
func (s *stmt) failed(err error) error {
	if s.fail == nil {
		return err
	}
	return s.fail(err)
}

// each sets the row handler.
func (s *stmt) each(fn func(r row) error) *stmt {
	s.scan = fn
	return s
}

// stmt builds a statement from a template (see dialect.render).
func (d *dialect) stmt(tmpl string, args ...any) *stmt {
	return &stmt{sql: d.sql(tmpl), args: args}
}

// runner runs statements, in order, stopping at the first error. Outside
// an explicit transaction the statements of one run are atomic together.
type runner interface {
	run(ctx context.Context, stmts ...*stmt) error
}

// txRunner is a runner inside an explicit transaction (or a savepoint of
// the host's transaction).
type txRunner interface {
	runner
	// commit runs final, then commits, in one round trip where the driver
	// allows.
	commit(ctx context.Context, final ...*stmt) error
	// rollback ends the transaction, writing nothing. It is safe to call
	// after commit and more than once.
	rollback(ctx context.Context)
}

// committerThen is a txRunner that can run statements right after its
// commit, in the same round trip: the sequencer after a transaction that
// wrote events (PostgreSQL). Their failure does not undo the commit: it is
// returned apart (afterErr), err being the commit's.
type committerThen interface {
	commitThen(ctx context.Context, final, after []*stmt) (afterErr, err error)
}

// backend is one way of reaching a database: pools of its own, or the
// host's transaction.
type backend interface {
	// reader runs the Store's reads, outside an explicit transaction (or
	// in a savepoint of the host's); each run is atomic.
	reader() runner
	// begin starts an explicit transaction: every write runs in one.
	begin(ctx context.Context) (txRunner, error)
}

// checkArgs keeps what the database would refuse or mangle from reaching
// it: text with a NUL byte or invalid UTF-8. Validated input never has
// either (the domain packages refuse it), but the store is reachable
// directly.
func checkArgs(stmts []*stmt) error {
	for _, s := range stmts {
		for _, a := range s.args {
			switch v := a.(type) {
			case string:
				if !cleanText(v) {
					return badText()
				}
			case []string:
				for _, e := range v {
					if !cleanText(e) {
						return badText()
					}
				}
			}
		}
	}
	return nil
}

func cleanText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

func badText() error {
	return fault.Invalid("text", "contains a NUL byte or is not valid UTF-8")
}
