package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/internal/wake"
)

// SQLiteConfig is what NewSQLite needs: database/sql handles on one SQLite
// database and a reader of its driver's errors. Package sqlstore/sqlite
// fills it in for github.com/mattn/go-sqlite3, the one place cgo comes in.
// Another database/sql driver of SQLite 3.35 or later (for RETURNING) that
// binds ?NNN parameters and returns TEXT as strings should work the same
// way; only mattn's is tested.
type SQLiteConfig struct {
	// Write takes every write and every InTx. It must hold at most one
	// open connection, whose transactions begin with BEGIN IMMEDIATE, with
	// foreign keys on and a busy timeout.
	Write *sql.DB
	// Read takes the Store's reads. With WAL it reads beside the writer;
	// it may be Write itself (an in-memory database has to be).
	Read *sql.DB
	// Classify maps a driver error to storage.ErrAlreadyExists (a unique
	// constraint), storage.ErrNotFound (a foreign key) or
	// storage.ErrConflict (the database is busy or locked), or nil. It may
	// be nil.
	Classify func(err error) error
	// Close closes the handles; Store.Close calls it. It may be nil.
	Close func() error
}

// NewSQLite returns a Store over an SQLite database. Most callers use
// sqlite.Open, which opens the database with the right settings and calls
// NewSQLite.
func NewSQLite(cfg SQLiteConfig, opts ...Option) (*Store, error) {
	if cfg.Write == nil {
		return nil, errors.New("NewSQLite needs a Write handle")
	}
	if cfg.Read == nil {
		cfg.Read = cfg.Write
	}
	o := buildOptions(opts)
	d, err := newDialect(sqliteFlavor{driver: cfg.Classify}, o.schema)
	if err != nil {
		return nil, err
	}
	s := &Store{d: d, own: sqlDB{write: cfg.Write, read: cfg.Read}, close: cfg.Close, wakes: &wake.Broadcast{}}
	s.init(s.own)
	return s, nil
}

// SQLDB is the handle SQLite writes go through (nil on PostgreSQL). A host
// that wants its own writes and parley's in one transaction begins it here
// and passes it to WithSQLTx. While that transaction is open, only the
// Store that WithSQLTx returns may be used for writes: the handle has one
// connection.
func (s *Store) SQLDB() *sql.DB {
	if own, ok := s.own.(sqlDB); ok {
		return own.write
	}
	return nil
}

// WithSQLTx is WithPgxTx for a transaction of database/sql's. On an SQLite
// store, tx is a transaction the host began on SQLDB (or, if it opened its
// own connection to the same file, with BEGIN IMMEDIATE and foreign keys
// on). On a PostgreSQL store, tx is a transaction on the same database
// through pgx's database/sql driver (github.com/jackc/pgx/v5/stdlib), as
// hosts on sqlx, sqlc, ent or gorm have; it must be at READ COMMITTED,
// which WithSQLTx checks as WithPgxTx does. Statements then go one at a
// time rather than pipelined.
func (s *Store) WithSQLTx(ctx context.Context, tx *sql.Tx) (*HostStore, error) {
	if tx == nil {
		return nil, errors.New("WithSQLTx needs a transaction")
	}
	if _, ok := s.own.(pgPool); ok {
		var level string
		if err := tx.QueryRowContext(ctx, isolationQuery).Scan(&level); err != nil {
			return nil, s.wrap(ctx, "joining the host's transaction", "", err)
		}
		if err := checkIsolation(level); err != nil {
			return nil, err
		}
	}
	h := &HostStore{outside: s,
		commit: func(context.Context) error { return tx.Commit() },
		ended: func(ctx context.Context) bool {
			_, err := tx.ExecContext(ctx, "SELECT 1")
			return errors.Is(err, sql.ErrTxDone)
		},
	}
	h.Store = s.derive(sqlHost{tx}, h)
	return h, nil
}

// sqliteFlavor is SQLite, through database/sql: ?NNN parameters, times as
// fixed-width text, lists as JSON arrays, and write transactions that run
// one at a time, so that locks have nothing left to do.
type sqliteFlavor struct {
	driver func(error) error // SQLiteConfig.Classify; may be nil
}

func (sqliteFlavor) name() Dialect { return SQLite }

// qualify prefixes the table: SQLite's schemas are attached databases,
// which every connection of the host's would have to attach.
func (sqliteFlavor) qualify(schema, table string) string { return schema + "_" + table }

// render turns $n placeholders into ?n (whose index is n, whatever the
// order they appear in) and drops the PostgreSQL casts that follow them
// ($3::timestamptz becomes ?3).
func (sqliteFlavor) render(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) || !isDigit(s[i+1]) {
			b.WriteByte(s[i])
			continue
		}
		b.WriteByte('?')
		i++
		for i < len(s) && isDigit(s[i]) {
			b.WriteByte(s[i])
			i++
		}
		if strings.HasPrefix(s[i:], "::") {
			i += 2
			for i < len(s) && (isLetter(s[i]) || s[i] == '[' || s[i] == ']') {
				i++
			}
		}
		i--
	}
	return b.String()
}

func isDigit(b byte) bool  { return '0' <= b && b <= '9' }
func isLetter(b byte) bool { return 'a' <= b && b <= 'z' }

func (sqliteFlavor) placeholder(n int) string { return "?" + strconv.Itoa(n) }

// The time format of SQLite columns: fixed width, UTC, microseconds, so that
// text order is time order. A format that drops trailing zeros (RFC 3339
// nano) would store fine and then compare wrongly.
const sqliteTimeFormat = "2006-01-02T15:04:05.000000Z"

func (sqliteFlavor) encodeTime(t time.Time) any { return t.Format(sqliteTimeFormat) }

// textList is a JSON array, read with json_each.
func (sqliteFlavor) textList(vs []string) any {
	b, _ := json.Marshal(vs) // []string always marshals
	return string(b)
}

func (sqliteFlavor) intList(vs []int) any {
	b, _ := json.Marshal(vs) // []int always marshals
	return string(b)
}

func (sqliteFlavor) inList(col, ph, _ string) string {
	return col + " IN (SELECT value FROM json_each(" + ph + "))"
}

func (sqliteFlavor) contains(col, ph string) string { return "instr(" + col + ", " + ph + ") > 0" }

func (sqliteFlavor) joinText(expr string) string { return "group_concat(" + expr + ", ',')" }

func (sqliteFlavor) jsonArray(expr string) string { return "json_group_array(" + expr + ")" }

// forUpdate is nothing: write transactions run one at a time.
func (sqliteFlavor) forUpdate() string { return "" }

// forKeyShare is nothing: write transactions run one at a time.
func (sqliteFlavor) forKeyShare() string { return "" }

// sqliteEventsPerInsert bounds the rows of one INSERT of events, well
// inside SQLite's limit on parameters (7 a row).
const sqliteEventsPerInsert = 500

// insertEvents needs no counter update: write transactions run one at a
// time, so the next seq is one past the highest ever handed out, the
// events' own highest seq or the counter, which only retireSeqs moves. An
// append dirties no counter page: a third of the pages an event costs. One
// INSERT per chunk; with the counter's row missing (a damaged schema) it
// inserts nothing and the transaction fails. No RETURNING: on go-sqlite3 a
// statement read as rows costs about twice an Exec; the last row's id (seq
// is the rowid) is the new top.
func (sqliteFlavor) insertEvents(d *dialect, events []queuedEvent, _ []int64, last *int64) []*stmt {
	var stmts []*stmt
	for start := 0; start < len(events); start += sqliteEventsPerInsert {
		chunk := events[start:min(len(events), start+sqliteEventsPerInsert)]
		b := newBuilder(d)
		b.WriteString(`INSERT INTO {events} (seq, type, conversation_id, entity_id, actor, at, changes)
			SELECT b.base + v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7
			FROM (SELECT max(coalesce((SELECT max(seq) FROM {events}), 0), s.last) AS base
				FROM {event_seq} s WHERE s.id = 1) b,
			(VALUES `)
		for i, q := range chunk {
			e := q.copy
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + b.arg(int64(i+1)) + ", " + b.arg(string(e.Type)) + ", " + b.arg(nullString(e.ConversationID)) + ", " +
				b.arg(e.EntityID) + ", " + b.arg(e.Actor) + ", " + b.arg(d.time(e.At)) + ", " + b.arg(q.changes) + ")")
		}
		b.WriteString(") v ORDER BY v.column1")
		ins := b.stmt()
		ins.done = func() error {
			if ins.affected != int64(len(chunk)) {
				return errNoCounter
			}
			*last = ins.lastID
			return nil
		}
		stmts = append(stmts, ins)
	}
	return stmts
}

// numbersLater: events are numbered as they are written.
func (sqliteFlavor) numbersLater() bool { return false }

// numberEvents is nothing: events are numbered as they are written.
func (sqliteFlavor) numberEvents(*dialect, string, ...any) []*stmt { return nil }

// draftSeqs is never called: SQLite events have no drafts.
func (sqliteFlavor) draftSeqs(*dialect, []int64, func(draft, seq int64)) *stmt { return nil }

// insertInBlock is never called: SQLite events have no drafts.
func (sqliteFlavor) insertInBlock(*dialect, []queuedEvent, *[]int64) *stmt { return nil }

// blockSeqs is never called: SQLite events have no drafts.
func (sqliteFlavor) blockSeqs(*dialect, int, func(draft, seq int64)) *stmt { return nil }

// draftBlocks is never called: SQLite events have no drafts.
func (sqliteFlavor) draftBlocks(*dialect, int, func(int64)) *stmt { return nil }

// retireSeqs moves the counter up to the conversation's highest seq when
// that is the newest: insertEvents numbers past the highest seq left, and
// would otherwise hand the deleted events' seqs out again.
func (sqliteFlavor) retireSeqs(d *dialect, conversationID string) []*stmt {
	return []*stmt{d.stmt(`UPDATE {event_seq} SET last = (SELECT max(seq) FROM {events} WHERE conversation_id = $1)
		WHERE id = 1 AND last < (SELECT max(seq) FROM {events} WHERE conversation_id = $1)`, conversationID)}
}

// lockKey takes nothing: write transactions run one at a time.
func (sqliteFlavor) lockKey(*dialect, string) *stmt { return nil }

// defersWrites: an embedded database costs nothing per call.
func (sqliteFlavor) defersWrites() bool { return false }

// migration puts the table prefix in place of {{prefix}}.
func (sqliteFlavor) migration(text, schema string) string {
	return strings.ReplaceAll(text, "{{prefix}}", schema+"_")
}

// migrateSetup needs nothing: Migrate's transaction begins IMMEDIATE,
// which queues concurrent migrations on the write lock.
func (sqliteFlavor) migrateSetup(*dialect) []*stmt { return nil }

func (sqliteFlavor) tableExists(table string) *stmt {
	return &stmt{sql: `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1`, args: []any{table}}
}

func (f sqliteFlavor) classify(err error) error {
	if f.driver == nil {
		return nil
	}
	return f.driver(err)
}

func (sqliteFlavor) noRows() error { return sql.ErrNoRows }

// recordHeartbeat reads the flag, then writes the row (an upsert, should
// an agent have none): two statements, which write transactions running
// one at a time keep together. The time never moves back (max of the
// fixed-width texts, which sort as times; a row without a heartbeat yet
// holds NULL, which max would return).
func (sqliteFlavor) recordHeartbeat(d *dialect, agentID string, at time.Time, was func(bool)) []*stmt {
	prev := false
	read := d.stmt(`SELECT present FROM {agent_presence} WHERE agent_id = $1`, agentID).each(func(r row) error {
		return r.Scan(&prev)
	})
	up := d.stmt(`INSERT INTO {agent_presence} (agent_id, last_heartbeat, present)
		SELECT id, $2, 1 FROM {agents} WHERE id = $1
		ON CONFLICT (agent_id) DO UPDATE SET last_heartbeat = max(coalesce(last_heartbeat, excluded.last_heartbeat), excluded.last_heartbeat), present = 1`, agentID, d.time(at))
	up.done = func() error {
		if up.affected > 0 {
			was(prev)
		}
		return nil
	}
	return []*stmt{read, up}
}
