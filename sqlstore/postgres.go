package sqlstore

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/storage"
)

// NewPostgres returns a Store over pool, which may be a pool the host
// application already uses. The store never closes it. Statements are
// parameterised and left to pgx's statement cache; list queries and
// multi-statement operations are sent as pipelined batches.
func NewPostgres(pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	if pool == nil {
		return nil, errors.New("NewPostgres needs a pool")
	}
	o := buildOptions(opts)
	d, err := newDialect(pgFlavor{}, o.schema)
	if err != nil {
		return nil, err
	}
	s := &Store{d: d, own: pgPool{pool}}
	s.init(s.own)
	return s, nil
}

// WithPgxTx returns a Store whose every operation runs inside tx, a
// transaction the host opened on the same database (for example with
// pool.Begin): a business write of the host's and a conversation change then
// commit or roll back together. The returned Store never commits or rolls
// back tx: each of its operations, and each of its InTx, is a savepoint of
// tx, so a failed operation leaves tx usable. Its events are written at the
// end of each operation (or InTx), and become visible when the host
// commits; the row that numbers events stays locked until then, so keep the
// host's transaction short once parley has written. tx must be at READ
// COMMITTED, PostgreSQL's default. It fails on an SQLite store.
//
// What must wait for the commit (a parley.Service's event subscribers and
// the routing its changes trigger) waits in the returned HostStore: call
// its Committed once tx has committed.
func (s *Store) WithPgxTx(tx pgx.Tx) (*HostStore, error) {
	if _, ok := s.own.(pgPool); !ok {
		return nil, errors.New("WithPgxTx needs a PostgreSQL store")
	}
	if tx == nil {
		return nil, errors.New("WithPgxTx needs a transaction")
	}
	return &HostStore{Store: s.derive(pgHost{tx}), outside: s}, nil
}

// pgFlavor is PostgreSQL, through pgx: the syntax statements are written
// in, timestamptz times, text[] lists, row locks and advisory locks, and
// events numbered by a one-row counter.
type pgFlavor struct{}

func (pgFlavor) name() Dialect { return Postgres }

func (pgFlavor) qualify(schema, table string) string { return `"` + schema + `".` + table }

// render changes nothing: statements are written in PostgreSQL's syntax.
func (pgFlavor) render(sql string) string { return sql }

func (pgFlavor) placeholder(n int) string { return "$" + strconv.Itoa(n) }

func (pgFlavor) encodeTime(t time.Time) any { return t }

func (pgFlavor) textList(vs []string) any { return vs }

func (pgFlavor) intList(vs []int) any {
	out := make([]int32, len(vs))
	for i, v := range vs {
		out[i] = int32(v)
	}
	return out
}

func (pgFlavor) inList(col, ph, pgType string) string {
	return col + " = ANY(" + ph + "::" + pgType + "[])"
}

func (pgFlavor) contains(col, ph string) string { return "strpos(" + col + ", " + ph + ") > 0" }

func (pgFlavor) joinText(expr string) string { return "string_agg(" + expr + ", ',')" }

func (pgFlavor) jsonArray(expr string) string { return "json_agg(" + expr + ")::text" }

// forUpdate is NO KEY UPDATE: it keeps other writers and lockers out but
// lets foreign-key checks of rows that reference this one through, which
// the locker never needs to block: ids are never updated.
func (pgFlavor) forUpdate() string { return " FOR NO KEY UPDATE" }

// forKeyShare is KEY SHARE, the lock a foreign-key check takes: it keeps a
// DELETE out and lets every other KEY SHARE in, so that conversations
// tagged with one tag at once do not wait for each other.
func (pgFlavor) forKeyShare() string { return " FOR KEY SHARE" }

// insertEvents moves the one-row counter by len(events) and inserts the
// events with the seqs below its new value, in order, in one statement.
// The counter's row stays locked until the transaction ends, so seqs are
// handed out in commit order (see the package doc).
func (pgFlavor) insertEvents(d *dialect, events []queuedEvent, last *int64) []*stmt {
	n := len(events)
	types := make([]string, n)
	convs := make([]string, n)
	entities := make([]string, n)
	actors := make([]string, n)
	ats := make([]time.Time, n)
	changes := make([]string, n)
	for i, q := range events {
		e := q.copy
		types[i], convs[i], entities[i], actors[i] = string(e.Type), e.ConversationID, e.EntityID, e.Actor
		ats[i], changes[i] = d.time(e.At).(time.Time), q.changes
	}
	// Without the counter's row the seqs are NULL and the INSERT fails, so
	// the COMMIT behind it in the pipeline never runs.
	st := d.stmt(`WITH c AS (UPDATE {event_seq} SET last = last + $1 WHERE id = 1 RETURNING last)
		INSERT INTO {events} (seq, type, conversation_id, entity_id, actor, at, changes)
		SELECT (SELECT last FROM c) - $1 + e.n, e.type, NULLIF(e.conversation_id, ''), e.entity_id, e.actor, e.at, e.changes
		FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])
			WITH ORDINALITY AS e(type, conversation_id, entity_id, actor, at, changes, n)
		RETURNING seq`, int64(n), types, convs, entities, actors, ats, changes)
	return []*stmt{st.each(func(r row) error {
		var seq int64
		err := r.Scan(&seq)
		*last = max(*last, seq)
		return err
	})}
}

// retireSeqs needs nothing: the counter only moves forward.
func (pgFlavor) retireSeqs(*dialect, string) []*stmt { return nil }

// lockKey is a transaction-scoped advisory lock keyed by a 64-bit hash of
// the schema and the key (a collision only makes two unrelated keys wait
// for each other). A key that is not clean text is locked by its hex
// spelling, so that any key can be locked.
func (pgFlavor) lockKey(d *dialect, key string) *stmt {
	if !cleanText(key) {
		key = hexKey(key)
	}
	return d.stmt(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, d.schema+"\x1f"+key)
}

// hexKey spells a key in hex.
func hexKey(key string) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(key)+1)
	out = append(out, 'x')
	for i := 0; i < len(key); i++ {
		out = append(out, digits[key[i]>>4], digits[key[i]&15])
	}
	return string(out)
}

// defersWrites: every round trip to the server counts.
func (pgFlavor) defersWrites() bool { return true }

// migration puts the quoted schema in place of {{schema}}.
func (pgFlavor) migration(text, schema string) string {
	return strings.ReplaceAll(text, "{{schema}}", `"`+schema+`"`)
}

// migrateSetup queues concurrent migrations on an advisory lock of the
// schema's, so that two parley instances in one database migrate
// independently, and creates the schema.
func (pgFlavor) migrateSetup(d *dialect) []*stmt {
	return []*stmt{
		d.stmt(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "parley migrate "+d.schema),
		d.stmt(`CREATE SCHEMA IF NOT EXISTS "` + d.schema + `"`),
	}
}

func (pgFlavor) tableExists(table string) *stmt {
	return &stmt{sql: `SELECT CASE WHEN to_regclass($1) IS NULL THEN 0 ELSE 1 END`, args: []any{table}}
}

// classify maps PostgreSQL's SQLSTATEs.
func (pgFlavor) classify(err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return nil
	}
	switch pg.Code {
	case "23505": // unique_violation
		return storage.ErrAlreadyExists
	case "23503": // foreign_key_violation
		return storage.ErrNotFound
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return storage.ErrConflict
	case "22021", "22P05": // invalid byte sequence, untranslatable character
		return storage.ErrInvalid
	case "57P01", "57P02", "57P03", // admin_shutdown, crash_shutdown, cannot_connect_now
		"53300": // too_many_connections
		return storage.ErrUnavailable
	}
	if strings.HasPrefix(pg.Code, "08") { // connection_exception
		return storage.ErrUnavailable
	}
	return nil
}

func (pgFlavor) noRows() error { return pgx.ErrNoRows }
