package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/internal/wake"
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
	s := &Store{d: d, own: pgPool{pool}, wakes: &wake.Broadcast{}}
	s.init(s.own)
	return s, nil
}

// WithPgxTx returns a Store whose every operation runs inside tx, a
// transaction the host opened on the same database (for example with
// pool.Begin): a business write of the host's and a conversation change then
// commit or roll back together. The returned Store never commits or rolls
// back tx: each of its operations, and each of its InTx, is a savepoint of
// tx, so a failed operation leaves tx usable. Its events are written at the
// end of each operation (or InTx), unnumbered, and are numbered once the
// host has committed (see the package doc): nothing parley writes in tx
// holds another writer up.
//
// tx must be at READ COMMITTED, PostgreSQL's default: parley reads a row
// under its lock and must see its latest committed version, which REPEATABLE
// READ and SERIALIZABLE refuse with a serialization failure whenever the
// row changed after the transaction's snapshot. WithPgxTx asks tx its level
// (one round trip) and refuses any other with an error naming it. It fails
// on an SQLite store.
//
// What must wait for the commit (a parley.Service's event subscribers, the
// routing its changes trigger, and numbering the events) waits in the
// returned HostStore: commit with its Commit, or call its Committed once tx
// has committed.
func (s *Store) WithPgxTx(ctx context.Context, tx pgx.Tx) (*HostStore, error) {
	if _, ok := s.own.(pgPool); !ok {
		return nil, errors.New("WithPgxTx needs a PostgreSQL store")
	}
	if tx == nil {
		return nil, errors.New("WithPgxTx needs a transaction")
	}
	var level string
	if err := tx.QueryRow(ctx, isolationQuery).Scan(&level); err != nil {
		return nil, s.wrap(ctx, "joining the host's transaction", "", err)
	}
	if err := checkIsolation(level); err != nil {
		return nil, err
	}
	h := &HostStore{outside: s,
		commit: func(ctx context.Context) error { return tx.Commit(ctx) },
		ended: func(ctx context.Context) bool {
			_, err := tx.Exec(ctx, ";")
			return errors.Is(err, pgx.ErrTxClosed)
		},
	}
	h.Store = s.derive(pgHost{tx}, h)
	return h, nil
}

// isolationQuery asks a transaction its isolation level.
const isolationQuery = `SELECT current_setting('transaction_isolation')`

// checkIsolation refuses a host's transaction at any level but READ
// COMMITTED (see WithPgxTx).
func checkIsolation(level string) error {
	if level == "read committed" {
		return nil
	}
	return fmt.Errorf("the host's transaction is at isolation level %s: parley needs read committed, PostgreSQL's default: %w",
		strings.ToUpper(level), storage.ErrInvalid)
}

// pgFlavor is PostgreSQL, through pgx: the syntax statements are written
// in, timestamptz times, text[] lists, row locks and advisory locks, and
// events numbered after they commit.
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

// insertEvents inserts the events under their drafts, unnumbered, in one
// statement: no counter, no lock (see the package doc).
func (pgFlavor) insertEvents(d *dialect, events []queuedEvent, drafts []int64, _ *int64) []*stmt {
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
	return []*stmt{d.stmt(`INSERT INTO {events} (draft, type, conversation_id, entity_id, actor, at, changes)
		SELECT e.draft, e.type, NULLIF(e.conversation_id, ''), e.entity_id, e.actor, e.at, e.changes
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])
			AS e(draft, type, conversation_id, entity_id, actor, at, changes)`,
		drafts, types, convs, entities, actors, ats, changes)}
}

// insertInBlock inserts the events under one block of draft keys that the
// statement takes itself (nextval, once), unnumbered: the draft block
// costs no round trip of its own. It is taken as the commit's batch runs,
// once every lock of the transaction is held, so that a transaction that
// saw another's changes takes larger drafts than that one did. Event i
// gets the block's start + i; the drafts are reported to *drafts, in
// order, once the statement has run.
func (pgFlavor) insertInBlock(d *dialect, events []queuedEvent, drafts *[]int64) *stmt {
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
	out := make([]int64, 0, n)
	st := d.stmt(`WITH b AS (SELECT nextval('{event_drafts}') AS start)
		INSERT INTO {events} (draft, type, conversation_id, entity_id, actor, at, changes)
		SELECT b.start + e.i - 1, e.type, NULLIF(e.conversation_id, ''), e.entity_id, e.actor, e.at, e.changes
		FROM b, unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
			WITH ORDINALITY AS e(type, conversation_id, entity_id, actor, at, changes, i)
		RETURNING draft`,
		types, convs, entities, actors, ats, changes)
	st.scan = func(r row) error {
		var v int64
		err := r.Scan(&v)
		out = append(out, v)
		return err
	}
	st.done = func() error {
		slices.Sort(out)
		*drafts = out
		return nil
	}
	return st
}

// blockSeqs reads the seqs of the n events of the draft block the
// session's connection took last (currval: the block insertInBlock took,
// on a connection that has not taken another since), once numbered.
func (pgFlavor) blockSeqs(d *dialect, n int, seq func(draft, seq int64)) *stmt {
	return d.stmt(`SELECT draft, seq FROM {events}
		WHERE draft >= currval('{event_drafts}') AND draft < currval('{event_drafts}') + $1 AND seq IS NOT NULL`, int64(n)).
		each(func(r row) error {
			var draft, v int64
			if err := r.Scan(&draft, &v); err != nil {
				return err
			}
			seq(draft, v)
			return nil
		})
}

// numbersLater: events are numbered after they commit.
func (pgFlavor) numbersLater() bool { return true }

// numberEvents is the sequencer (see the package doc). Its lock is taken
// by a statement of its own, so that the numbering statement's snapshot is
// taken once the lock is held: every unnumbered event it sees has
// committed, and every event it leaves or that commits later is numbered
// by a later run, past the counter this one leaves. Every run numbers
// every committed event, in draft order: a writer's own, and any a run
// before it left (one whose own run failed), so that the changes of one
// conversation, which commit one after the other, keep their order.
// Events locked by a transaction that is deleting them are skipped (SKIP
// LOCKED): the sequencer never waits for a writer; if the deletion rolls
// back, a later run numbers them.
//
// A reader's run takes a transaction id, so that its commit waits for the
// WAL flush of everything before it, writers' runs included, which do not
// wait for their own (synchronous_commit off for that run: the events
// themselves committed durably): a seq a reader is shown has been made
// durable first, and a crash cannot hand it to another event.
//
// The run notifies the store's channel (eventsChannel) when it numbered
// anything: only the sequencer notifies, and runs one at a time anyway, so
// the lock PostgreSQL takes to queue notifications at commit holds no
// writer up. The counter's row missing, events stay unnumbered and the
// run fails.
//
// A writer's run (mine set: the condition on alias m that selects the
// writer's own events, its arguments from $2) runs only while some of
// its own events are unnumbered: its lock statement takes the lock only
// then, and its numbering statement, whose snapshot is later, numbers
// nothing unless they still are, in which case the lock was taken. When
// writers queue for the lock, the first to get it numbers what all of
// them committed, and the others, finding theirs numbered, pass through
// without writing: the lock is held for one numbering, not one a writer.
// To pass through together rather than one after the other, a writer
// first waits for the run under way by taking the lock shared and letting
// it go at once, in one statement (shared holders do not wait for each
// other); only if its events are still unnumbered then does it queue for
// the lock itself.
func (pgFlavor) numberEvents(d *dialect, mine string, mineArgs ...any) []*stmt {
	const number = `WITH todo AS (
			SELECT draft FROM {events} WHERE %s ORDER BY draft FOR UPDATE SKIP LOCKED
		), n AS (
			SELECT draft, row_number() OVER (ORDER BY draft) AS i, count(*) OVER () AS total FROM todo
		), c AS (
			UPDATE {event_seq} SET last = last + (SELECT count(*) FROM todo)
			WHERE id = 1 AND EXISTS (SELECT 1 FROM todo) RETURNING last
		), numbered AS (
			UPDATE {events} e SET seq = c.last - n.total + n.i FROM n, c WHERE e.draft = n.draft
			RETURNING pg_notify($1, '')
		)
		SELECT (SELECT count(*) FROM todo), (SELECT count(*) FROM numbered)`
	key := "parley events " + d.schema
	var wait, lock, run *stmt
	if mine == "" {
		lock = d.stmt(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), pg_current_xact_id()`, key)
		run = d.stmt(fmt.Sprintf(number, "seq IS NULL"), eventsChannel(d.schema))
	} else {
		unnumbered := `EXISTS (SELECT 1 FROM {events} m WHERE m.seq IS NULL AND ` + mine + `)`
		wait = d.stmt(`SELECT pg_advisory_lock_shared(hashtextextended($1, 0)), pg_advisory_unlock_shared(hashtextextended($1, 0))
			WHERE `+unnumbered, append([]any{key}, mineArgs...)...)
		lock = d.stmt(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), set_config('synchronous_commit', 'off', true)
			WHERE `+unnumbered, append([]any{key}, mineArgs...)...)
		run = d.stmt(fmt.Sprintf(number, "seq IS NULL AND "+unnumbered), append([]any{eventsChannel(d.schema)}, mineArgs...)...)
	}
	stmts := []*stmt{lock, run.each(func(r row) error {
		var pending, numbered int64
		if err := r.Scan(&pending, &numbered); err != nil {
			return err
		}
		if numbered < pending {
			return errNoCounter
		}
		return nil
	})}
	if wait != nil {
		stmts = append([]*stmt{wait}, stmts...)
	}
	return stmts
}

// blockCond is the condition on alias m of the n first events of the
// draft block the connection took last ($2: n).
const blockCond = `m.draft >= currval('{event_drafts}') AND m.draft < currval('{event_drafts}') + $2`

// draftsCond is the condition on alias m of the events of the drafts in
// $2.
const draftsCond = `m.draft = ANY($2::bigint[])`

// draftSeqs reads the seqs of the events with the given drafts.
func (pgFlavor) draftSeqs(d *dialect, drafts []int64, seq func(draft, seq int64)) *stmt {
	return d.stmt(`SELECT draft, seq FROM {events} WHERE draft = ANY($1::bigint[]) AND seq IS NOT NULL`, drafts).
		each(func(r row) error {
			var draft, n int64
			if err := r.Scan(&draft, &n); err != nil {
				return err
			}
			seq(draft, n)
			return nil
		})
}

// draftBlocks takes n blocks of draft keys from the event_drafts sequence.
func (pgFlavor) draftBlocks(d *dialect, n int, start func(int64)) *stmt {
	return d.stmt(`SELECT nextval('{event_drafts}') FROM generate_series(1, $1::int)`, n).
		each(func(r row) error {
			var v int64
			if err := r.Scan(&v); err != nil {
				return err
			}
			start(v)
			return nil
		})
}

// eventsChannel is the channel of a schema's sequencer notifications.
func eventsChannel(schema string) string { return "parley_events_" + schema }

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

// recordHeartbeat is one statement. The row is locked by the subquery
// before it is updated, so that old.present is the latest committed value
// (at READ COMMITTED a locking read that waited returns the row as the
// other transaction left it): of two racing heartbeats one reports false
// and the other true, and a MarkAbsent either sees the new heartbeat or
// is undone by it. Every agent has a presence row (CreateAgent and
// migration 10 write one); should one be missing, the INSERT writes it,
// reporting false. No row returned: there is no such agent. The time never
// moves back: of heartbeats written out of order (instances' clocks
// differ) the latest wins.
func (pgFlavor) recordHeartbeat(d *dialect, agentID string, at time.Time, was func(bool)) []*stmt {
	return []*stmt{d.stmt(`WITH up AS (
			UPDATE {agent_presence} p SET last_heartbeat = GREATEST(p.last_heartbeat, $2), present = true
			FROM (SELECT agent_id, present FROM {agent_presence} WHERE agent_id = $1 FOR UPDATE) old
			WHERE p.agent_id = old.agent_id
			RETURNING old.present
		), ins AS (
			INSERT INTO {agent_presence} AS cur (agent_id, last_heartbeat, present)
			SELECT a.id, $2::timestamptz, true FROM {agents} a
			WHERE a.id = $1 AND NOT EXISTS (SELECT 1 FROM {agent_presence} x WHERE x.agent_id = $1)
			ON CONFLICT (agent_id) DO UPDATE SET last_heartbeat = GREATEST(cur.last_heartbeat, EXCLUDED.last_heartbeat), present = true
			RETURNING false AS present
		)
		SELECT present FROM up UNION ALL SELECT present FROM ins`, agentID, d.time(at)).each(func(r row) error {
		var present bool
		if err := r.Scan(&present); err != nil {
			return err
		}
		was(present)
		return nil
	})}
}
