package sqlstore

import (
	"encoding/json"
	"fmt"
	"strconv"
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
		return fmt.Errorf("sqlstore: schema %q: want 1 to %d characters", name, maxSchemaLen)
	}
	for i := 0; i < len(name); i++ {
		b := name[i]
		ok := b == '_' || 'a' <= b && b <= 'z' || i > 0 && '0' <= b && b <= '9'
		if !ok {
			return fmt.Errorf("sqlstore: schema %q: only [a-z_][a-z0-9_]* is allowed", name)
		}
	}
	if strings.HasPrefix(name, "pg_") {
		return fmt.Errorf("sqlstore: schema %q: the pg_ prefix is reserved", name)
	}
	return nil
}

// The time format of SQLite columns: fixed width, UTC, microseconds, so that
// text order is time order. A format that drops trailing zeros (RFC 3339
// nano) would store fine and then compare wrongly.
const sqliteTimeFormat = "2006-01-02T15:04:05.000000Z"

// The range of times the stores accept in filters; stored times come from
// the service's clock and are well inside it. Clamping keeps the SQLite text
// fixed-width and PostgreSQL inside timestamptz.
var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// dialect is what differs between the databases: names, placeholders,
// argument encodings and a few SQL fragments. Statements are written once,
// in PostgreSQL's syntax with {table} names, and rendered per dialect.
type dialect struct {
	name   Dialect
	schema string
	tables *strings.Replacer
	cache  sync.Map // template -> rendered statement
}

// tableNames are the names statements may refer to as {name}.
var tableNames = []string{
	"conversations", "tags", "conversation_tags", "messages", "agents", "queues",
	"queue_members", "routing_rules", "events", "event_seq", "schema_migrations",
}

func newDialect(name Dialect, schema string) (*dialect, error) {
	if err := ValidSchema(schema); err != nil {
		return nil, err
	}
	d := &dialect{name: name, schema: schema}
	var pairs []string
	for _, t := range tableNames {
		pairs = append(pairs, "{"+t+"}", d.table(t))
	}
	d.tables = strings.NewReplacer(pairs...)
	return d, nil
}

func (d *dialect) pg() bool { return d.name == Postgres }

// table is the qualified name of one of parley's tables.
func (d *dialect) table(name string) string {
	if d.pg() {
		return `"` + d.schema + `".` + name
	}
	return d.schema + "_" + name
}

// sql renders a statement template, once per template.
func (d *dialect) sql(tmpl string) string {
	if s, ok := d.cache.Load(tmpl); ok {
		return s.(string)
	}
	s := d.render(tmpl)
	d.cache.Store(tmpl, s)
	return s
}

// render replaces {table} names and, for SQLite, turns $n placeholders into
// ?n (whose index is n, whatever the order they appear in) and drops the
// PostgreSQL casts that follow them ($3::timestamptz becomes ?3).
func (d *dialect) render(tmpl string) string {
	s := d.tables.Replace(tmpl)
	if d.pg() {
		return s
	}
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

// placeholder is the n-th (1-based) parameter.
func (d *dialect) placeholder(n int) string {
	if d.pg() {
		return "$" + strconv.Itoa(n)
	}
	return "?" + strconv.Itoa(n)
}

// time encodes a time argument: UTC microseconds on both; a fixed-width
// string on SQLite.
func (d *dialect) time(t time.Time) any {
	t = t.UTC()
	if t.Before(minTime) {
		t = minTime
	} else if t.After(maxTime) {
		t = maxTime
	}
	t = t.Truncate(time.Microsecond)
	if d.pg() {
		return t
	}
	return t.Format(sqliteTimeFormat)
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

// textList encodes a list argument for inList: a text[] on PostgreSQL, a JSON
// array on SQLite (read with json_each).
func (d *dialect) textList(vs []string) any {
	if d.pg() {
		return vs
	}
	b, _ := json.Marshal(vs) // []string always marshals
	return string(b)
}

// intList encodes a list of integers like textList.
func (d *dialect) intList(vs []int) any {
	if d.pg() {
		out := make([]int32, len(vs))
		for i, v := range vs {
			out[i] = int32(v)
		}
		return out
	}
	b, _ := json.Marshal(vs)
	return string(b)
}

// inList is the condition "col is one of the values in parameter ph" (the
// argument encoded with textList or intList; pgType is its element type).
func (d *dialect) inList(col, ph, pgType string) string {
	if d.pg() {
		return col + " = ANY(" + ph + "::" + pgType + "[])"
	}
	return col + " IN (SELECT value FROM json_each(" + ph + "))"
}

// contains is "needle (parameter ph) occurs in col", with no pattern
// characters to escape.
func (d *dialect) contains(col, ph string) string {
	if d.pg() {
		return "strpos(" + col + ", " + ph + ") > 0"
	}
	return "instr(" + col + ", " + ph + ") > 0"
}

// tagsOf is the expression of a conversation's tag names, comma-joined (tag
// names hold no comma), "" for none; alias is the conversations alias.
func (d *dialect) tagsOf(alias string) string {
	if d.pg() {
		return "COALESCE((SELECT string_agg(t.tag_name, ',') FROM " + d.table("conversation_tags") +
			" t WHERE t.conversation_id = " + alias + ".id), '')"
	}
	return "COALESCE((SELECT group_concat(t.tag_name, ',') FROM " + d.table("conversation_tags") +
		" t WHERE t.conversation_id = " + alias + ".id), '')"
}

// jsonIDs is the expression of the ids in column col of table where the
// condition holds, as a JSON array ("" or "[]" for none).
func (d *dialect) jsonIDs(col, table, where string) string {
	if d.pg() {
		return "COALESCE((SELECT json_agg(x." + col + ")::text FROM " + d.table(table) + " x WHERE " + where + "), '')"
	}
	return "(SELECT json_group_array(x." + col + ") FROM " + d.table(table) + " x WHERE " + where + ")"
}

// forUpdate is the locking clause of a read that must hold the row. NO KEY
// UPDATE keeps other writers and lockers out but lets foreign-key checks of
// rows that reference this one through, which the locker never needs to
// block: ids are never updated.
func (d *dialect) forUpdate() string {
	if d.pg() {
		return " FOR NO KEY UPDATE"
	}
	return ""
}
