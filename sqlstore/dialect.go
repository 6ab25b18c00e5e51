package sqlstore

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Dialect names an SQL database parley can run on.
type Dialect string

// The dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DefaultSchema is the namespace parley's tables live in unless WithSchema
// says otherwise: the PostgreSQL schema "parley", or on SQLite the table
// prefix "parley_".
const DefaultSchema = "parley"

// maxSchemaLen keeps names well inside PostgreSQL's 63-byte identifiers,
// with room for the longest index name on SQLite.
const maxSchemaLen = 40

// ValidSchema reports whether name can be a schema (PostgreSQL) or table
// prefix (SQLite): 1 to 40 characters of [a-z0-9_], not starting with a
// digit, and not starting with "pg_" (reserved by PostgreSQL). It is the one
// value that goes into SQL text, so nothing else is allowed.
func ValidSchema(name string) error {
	if name == "" || len(name) > maxSchemaLen {
		return fmt.Errorf("schema %q: want 1 to %d characters", name, maxSchemaLen)
	}
	for i := 0; i < len(name); i++ {
		b := name[i]
		ok := b == '_' || 'a' <= b && b <= 'z' || i > 0 && '0' <= b && b <= '9'
		if !ok {
			return fmt.Errorf("schema %q: only [a-z_][a-z0-9_]* is allowed", name)
		}
	}
	if strings.HasPrefix(name, "pg_") {
		return fmt.Errorf("schema %q: the pg_ prefix is reserved", name)
	}
	return nil
}

// flavor is everything that differs between the databases: one
// implementation per file (postgres.go, sqlite.go), each the whole of what
// is specific to its database. Statements are written once, in
// PostgreSQL's syntax with {table} names; the flavor renders them and
// supplies the fragments where the databases part ways. Its methods that
// build statements take the store's dialect, for the namespace and the
// rendering.
type flavor interface {
	// name is the Dialect the store reports. Its migrations are the files
	// of migrations/<name>.
	name() Dialect

	// qualify is the name of one of parley's tables in namespace schema.
	qualify(schema, table string) string
	// render turns a statement in PostgreSQL's syntax, table names in
	// place, into the database's: its parameters and casts.
	render(sql string) string
	// placeholder is the n-th (1-based) parameter.
	placeholder(n int) string

	// encodeTime encodes a time argument, already UTC, in range and whole
	// microseconds.
	encodeTime(t time.Time) any
	// textList and intList encode a list argument for inList.
	textList(vs []string) any
	intList(vs []int) any

	// inList is the condition "col is one of the values in parameter ph"
	// (the argument encoded with textList or intList; pgType is its
	// element type).
	inList(col, ph, pgType string) string
	// contains is "needle (parameter ph) occurs in col", with no pattern
	// characters to escape.
	contains(col, ph string) string
	// joinText is the aggregate of the text expression expr over a group,
	// comma-joined; NULL for no rows.
	joinText(expr string) string
	// jsonArray is the aggregate of expr over a group as JSON array text;
	// NULL or "[]" for no rows.
	jsonArray(expr string) string
	// forUpdate is the locking clause of a read that must hold the row
	// until the transaction ends; "" where write transactions run one at a
	// time anyway.
	forUpdate() string
	// forKeyShare is the locking clause of a read that keeps the row from
	// being deleted until the transaction ends, without keeping others
	// from reading or sharing it; "" where write transactions run one at
	// a time anyway.
	forKeyShare() string

	// insertEvents inserts events, in the round trip that commits (see the
	// package doc). Where events are numbered as they are written, it sets
	// *last to the seq of the last one once the statements have run;
	// where they are numbered later (numbersLater), drafts are their draft
	// keys, in order.
	insertEvents(d *dialect, events []queuedEvent, drafts []int64, last *int64) []*stmt
	// numbersLater reports whether events are written unnumbered, under
	// draft keys from draftBlocks, and numbered once committed by the
	// sequencer (numberEvents).
	numbersLater() bool
	// numberEvents are the sequencer's statements, run as a transaction of
	// their own; nil where events are numbered as they are written. With
	// mine "" it is a reader's run: it numbers every committed event, and
	// its commit waits for the WAL flush of every run before it. With mine
	// (a condition on alias m selecting the writer's own events, its
	// arguments from $2) it is a writer's, right after its commit: it
	// numbers every committed event while the writer's own are not yet,
	// and does not wait for its own flush.
	numberEvents(d *dialect, mine string, mineArgs ...any) []*stmt
	// draftSeqs reads the seqs of the numbered events among drafts.
	draftSeqs(d *dialect, drafts []int64, seq func(draft, seq int64)) *stmt
	// draftBlocks takes n blocks of draftBlock draft keys and reports the
	// first key of each.
	draftBlocks(d *dialect, n int, start func(int64)) *stmt
	// insertInBlock inserts at most draftBlock events under the keys of
	// one draft block that the statement takes itself, and reports their
	// drafts, in order, to *drafts once it has run (numbersLater only).
	insertInBlock(d *dialect, events []queuedEvent, drafts *[]int64) *stmt
	// blockSeqs reads the seqs of the numbered events among the n first
	// keys of the draft block the connection took last (numbersLater
	// only): run on the connection that took it, after its commit.
	blockSeqs(d *dialect, n int, seq func(draft, seq int64)) *stmt
	// retireSeqs are the statements that keep the seqs of a conversation's
	// events, about to be deleted, from being handed out again; none when
	// the numbering never goes back.
	retireSeqs(d *dialect, conversationID string) []*stmt
	// recordHeartbeat are the statements that store at as the agent's
	// last heartbeat and mark it present; once they have run, was has
	// been called with whether it was present before, unless there is no
	// such agent. One statement where the database can say both at once
	// (then it runs as a transaction of its own, HeartbeatRecorder).
	recordHeartbeat(d *dialect, agentID string, at time.Time, was func(bool)) []*stmt

	// lockKey is the statement that takes the transaction-scoped lock of
	// key; nil where write transactions run one at a time anyway.
	lockKey(d *dialect, key string) *stmt
	// defersWrites reports whether a write whose failure can wait may go
	// with the transaction's next round trip (AppendMessage): where every
	// round trip counts.
	defersWrites() bool

	// migration is the text of a migration file for namespace schema.
	migration(text, schema string) string
	// migrateSetup are the statements Migrate runs first, in its
	// transaction: what serialises concurrent migrations and creates the
	// namespace, where the database needs them.
	migrateSetup(d *dialect) []*stmt
	// tableExists is a one-row query whose one integer column is 1 when
	// the qualified table exists, else 0.
	tableExists(table string) *stmt

	// classify maps a driver error to one of storage's sentinels, or nil.
	classify(err error) error
	// noRows is the driver's "no rows" error, the cause of ErrNotFound.
	noRows() error
}

// flavors are the dialects parley speaks, by name, for MigrationFS, which
// has no store; a store gets its flavor from its constructor.
var flavors = map[Dialect]flavor{
	Postgres: pgFlavor{},
	SQLite:   sqliteFlavor{},
}

// The range of times the stores accept in filters; stored times come from
// the service's clock and are well inside it. Clamping keeps the SQLite text
// fixed-width and PostgreSQL inside timestamptz.
var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// dialect is a flavor in a store's namespace: it renders statement
// templates once each and builds the fragments that are the same on every
// database around the flavor's.
type dialect struct {
	flavor
	schema string
	tables *strings.Replacer
	cache  sync.Map // template -> rendered statement
}

// tableNames are the names statements may refer to as {name}.
var tableNames = []string{
	"conversations", "tags", "conversation_tags", "messages", "agents", "queues",
	"queue_members", "routing_rules", "events", "event_seq", "schema_migrations",
	"customers", "event_drafts", "calls", "agent_presence", "settings", "working_hours",
	"waiting_strategies", "waiting_strategy_claims", "call_waits",
	"recording_account_config", "recording_agent_configs", "recordings",
	"hold_configs",
}

func newDialect(f flavor, schema string) (*dialect, error) {
	if err := ValidSchema(schema); err != nil {
		return nil, err
	}
	d := &dialect{flavor: f, schema: schema}
	var pairs []string
	for _, t := range tableNames {
		pairs = append(pairs, "{"+t+"}", d.table(t))
	}
	d.tables = strings.NewReplacer(pairs...)
	return d, nil
}

// table is the qualified name of one of parley's tables.
func (d *dialect) table(name string) string { return d.qualify(d.schema, name) }

// sql renders a statement template, once per template.
func (d *dialect) sql(tmpl string) string {
	if s, ok := d.cache.Load(tmpl); ok {
		return s.(string)
	}
	s := d.render(d.tables.Replace(tmpl))
	d.cache.Store(tmpl, s)
	return s
}

// time encodes a time argument: UTC, clamped to the range above, whole
// microseconds (what both databases keep), in the flavor's encoding.
func (d *dialect) time(t time.Time) any {
	t = t.UTC()
	if t.Before(minTime) {
		t = minTime
	} else if t.After(maxTime) {
		t = maxTime
	}
	return d.encodeTime(t.Truncate(time.Microsecond))
}

// nullTime encodes a time that is NULL when zero.
func (d *dialect) nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return d.time(t)
}

// nullString encodes a string that is NULL when empty (optional references).
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// tagsOf is the expression of a conversation's tag names, comma-joined (tag
// names hold no comma), "" for none; alias is the conversations alias.
func (d *dialect) tagsOf(alias string) string {
	return "COALESCE((SELECT " + d.joinText("t.tag_name") + " FROM " + d.table("conversation_tags") +
		" t WHERE t.conversation_id = " + alias + ".id), '')"
}

// jsonIDs is the expression of the ids in column col of table where the
// condition holds, as a JSON array ("" or "[]" for none).
func (d *dialect) jsonIDs(col, table, where string) string {
	return "COALESCE((SELECT " + d.jsonArray("x."+col) + " FROM " + d.table(table) + " x WHERE " + where + "), '')"
}
