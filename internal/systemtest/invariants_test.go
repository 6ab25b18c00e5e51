package systemtest

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
)

// The checks of this file read a store after hostile input, a crash, a
// database fault or a load, and fail when anything is half there. They are
// shared by the reliability tests (hostile_test.go, crash_test.go,
// pgfault_test.go, load_test.go).

// parleyTables are every table of the SQL schema.
var parleyTables = []string{
	"conversations", "tags", "conversation_tags", "messages", "agents", "queues",
	"queue_members", "routing_rules", "events", "event_seq", "schema_migrations",
	"customers",
}

// rawDB reads an SQL store's tables directly, below the service: row
// counts, rows that reference nothing, and the database's own integrity
// check. It is nil for the memory store.
type rawDB struct {
	dialect sqlstore.Dialect
	schema  string
	sqlite  *sql.DB
	pg      *pgx.Conn
}

// openRaw returns a rawDB on the store's database, or nil for a store that
// is not an sqlstore.Store.
func openRaw(t testing.TB, store storage.Store) *rawDB {
	t.Helper()
	s, ok := store.(*sqlstore.Store)
	if !ok {
		return nil
	}
	r := &rawDB{dialect: s.Dialect(), schema: s.Schema()}
	if r.dialect == sqlstore.SQLite {
		r.sqlite = s.SQLDB()
		return r
	}
	conn, err := pgx.Connect(context.Background(), pgtest.DSN(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	r.pg = conn
	return r
}

// table is the qualified name of a parley table.
func (r *rawDB) table(name string) string {
	if r.dialect == sqlstore.SQLite {
		return r.schema + "_" + name
	}
	return `"` + r.schema + `".` + name
}

// count runs a query of one integer; {name} stands for a parley table.
func (r *rawDB) count(t testing.TB, query string) int64 {
	t.Helper()
	for _, name := range parleyTables {
		query = strings.ReplaceAll(query, "{"+name+"}", r.table(name))
	}
	var n int64
	var err error
	if r.sqlite != nil {
		err = r.sqlite.QueryRowContext(context.Background(), query).Scan(&n)
	} else {
		err = r.pg.QueryRow(context.Background(), query).Scan(&n)
	}
	require.NoError(t, err, query)
	return n
}

// counts returns the row count of every table; a table that is gone fails
// the test.
func (r *rawDB) counts(t testing.TB) map[string]int64 {
	t.Helper()
	if r == nil {
		return nil
	}
	out := make(map[string]int64, len(parleyTables))
	for _, name := range parleyTables {
		out[name] = r.count(t, "SELECT count(*) FROM {"+name+"}")
	}
	return out
}

// requireIntact runs the database's integrity check (SQLite) and fails on
// any row that references nothing: a message, a tag link or an event of a
// conversation that does not exist, a link to a tag that does not exist, a
// membership of a queue or an agent that does not exist, or (PostgreSQL)
// an event seq beyond the counter.
func (r *rawDB) requireIntact(t testing.TB) {
	t.Helper()
	if r == nil {
		return
	}
	if r.sqlite != nil {
		var res string
		require.NoError(t, r.sqlite.QueryRowContext(context.Background(), "PRAGMA integrity_check").Scan(&res))
		require.Equal(t, "ok", res, "PRAGMA integrity_check")
		var fk int64
		require.NoError(t, r.sqlite.QueryRowContext(context.Background(), "SELECT count(*) FROM pragma_foreign_key_check").Scan(&fk))
		require.Zero(t, fk, "PRAGMA foreign_key_check")
	}
	for what, query := range map[string]string{
		"messages of no conversation":        "SELECT count(*) FROM {messages} m WHERE NOT EXISTS (SELECT 1 FROM {conversations} c WHERE c.id = m.conversation_id)",
		"tag links of no conversation":       "SELECT count(*) FROM {conversation_tags} l WHERE NOT EXISTS (SELECT 1 FROM {conversations} c WHERE c.id = l.conversation_id)",
		"tag links to no tag":                "SELECT count(*) FROM {conversation_tags} l WHERE NOT EXISTS (SELECT 1 FROM {tags} g WHERE g.name = l.tag_name)",
		"memberships of no queue or agent":   "SELECT count(*) FROM {queue_members} x WHERE NOT EXISTS (SELECT 1 FROM {queues} q WHERE q.id = x.queue_id) OR NOT EXISTS (SELECT 1 FROM {agents} a WHERE a.id = x.agent_id)",
		"events of no conversation":          "SELECT count(*) FROM {events} e WHERE e.conversation_id IS NOT NULL AND e.type <> 'conversation.deleted' AND NOT EXISTS (SELECT 1 FROM {conversations} c WHERE c.id = e.conversation_id)",
		"message events of no message":       "SELECT count(*) FROM {events} e WHERE e.type = 'message.created' AND NOT EXISTS (SELECT 1 FROM {messages} m WHERE m.id = e.entity_id)",
		"messages without their event":       "SELECT count(*) FROM {messages} m WHERE NOT EXISTS (SELECT 1 FROM {events} e WHERE e.conversation_id = m.conversation_id AND e.type = 'message.created' AND e.entity_id = m.id)",
		"conversations without their event":  "SELECT count(*) FROM {conversations} c WHERE NOT EXISTS (SELECT 1 FROM {events} e WHERE e.type = 'conversation.created' AND e.conversation_id = c.id)",
		"event counter rows other than one":  "SELECT count(*) - 1 FROM {event_seq}",
		"messages after their close":         "SELECT count(*) FROM {messages} m JOIN {conversations} c ON c.id = m.conversation_id WHERE c.closed_at IS NOT NULL AND m.created_at > c.closed_at",
		"closed conversations with no close": "SELECT count(*) FROM {conversations} WHERE (status = 'CLOSED') <> (closed_at IS NOT NULL)",
	} {
		require.Zero(t, r.count(t, query), what)
	}
	if r.pg != nil {
		// On PostgreSQL every event's seq comes from the counter; on SQLite
		// the counter only keeps the seqs of deleted events from coming
		// back (see the sqlstore package doc), so it may lag the log.
		require.Zero(t, r.count(t, "SELECT count(*) FROM {events} WHERE seq > (SELECT last FROM {event_seq})"), "events beyond the counter")
	}
}

// records runs a query of text columns ({name} stands for a parley table)
// and returns its rows.
func (r *rawDB) records(t testing.TB, query string) [][]string {
	t.Helper()
	for _, name := range parleyTables {
		query = strings.ReplaceAll(query, "{"+name+"}", r.table(name))
	}
	var out [][]string
	if r.sqlite != nil {
		rows, err := r.sqlite.QueryContext(context.Background(), query)
		require.NoError(t, err, query)
		defer rows.Close()
		cols, err := rows.Columns()
		require.NoError(t, err)
		for rows.Next() {
			rec := make([]string, len(cols))
			ptrs := make([]any, len(cols))
			for i := range rec {
				ptrs[i] = &rec[i]
			}
			require.NoError(t, rows.Scan(ptrs...), query)
			out = append(out, rec)
		}
		require.NoError(t, rows.Err(), query)
		return out
	}
	rows, err := r.pg.Query(context.Background(), query)
	require.NoError(t, err, query)
	defer rows.Close()
	for rows.Next() {
		vals, err := rows.Values()
		require.NoError(t, err, query)
		rec := make([]string, len(vals))
		for i, v := range vals {
			rec[i] = fmt.Sprint(v)
		}
		out = append(out, rec)
	}
	require.NoError(t, rows.Err(), query)
	return out
}

// requireOneEventPerChange fails on a conversation whose version is not
// the number of its conversation.* events: for workloads whose every
// change is one event, a change without its event (or the reverse). It is
// checkLog's version check in one query.
func (r *rawDB) requireOneEventPerChange(t testing.TB) {
	t.Helper()
	if r == nil {
		return
	}
	bad := r.records(t, `SELECT c.id, CAST(c.version AS TEXT), CAST((SELECT count(*) FROM {events} e
		WHERE e.conversation_id = c.id AND e.type LIKE 'conversation.%') AS TEXT) AS changes
		FROM {conversations} c
		WHERE c.version <> (SELECT count(*) FROM {events} e WHERE e.conversation_id = c.id AND e.type LIKE 'conversation.%')`)
	require.Empty(t, bad, "conversations whose version is not their number of conversation events (id, version, events)")
}

// logStats is what checkLog looked at.
type logStats struct {
	Conversations int
	Messages      int
	Events        int
}

// checkLog reads everything through the service and fails when an
// operation is half there, or a change has no event:
//
//   - every conversation's history begins with its conversation.created,
//     and its times never go back;
//   - with oneEventPerChange (workloads whose every change is one event),
//     a conversation's version is the number of its conversation.* events;
//   - its messages are exactly the message.created events of its history,
//     and none is later than its closedAt;
//   - every event of the log about a conversation (but its deletion) is
//     about one that exists, and every message.created names a message that
//     exists in that conversation.
func checkLog(t testing.TB, ctx context.Context, svc *parley.Service, oneEventPerChange bool) logStats {
	t.Helper()
	var stats logStats
	conversations := map[string]*conversation.Conversation{}
	q := storage.ConversationQuery{Order: storage.Order{Field: storage.SortID}}
	q.Limit, q.SkipTotal = storage.MaxLimit, true
	for {
		page, err := svc.ListConversations(ctx, q)
		require.NoError(t, err)
		for _, c := range page.Items {
			conversations[c.ID] = c
		}
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	stats.Conversations = len(conversations)

	for id, c := range conversations {
		var history []*storage.Event
		for after := int64(0); ; {
			page, err := svc.Events(ctx, storage.EventQuery{After: after, ConversationID: id, Limit: storage.MaxLimit})
			require.NoError(t, err)
			history = append(history, page...)
			if len(page) < storage.MaxLimit {
				break
			}
			after = page[len(page)-1].Seq
		}
		require.NotEmpty(t, history, "conversation %s has no events", id)
		require.Equal(t, storage.ConversationCreated, history[0].Type, "the first event of %s", id)
		changes := 0
		var messageEvents []string
		for i, e := range history {
			if i > 0 {
				require.False(t, e.At.Before(history[i-1].At), "conversation %s: event %d (%s) at %v, before event %d at %v",
					id, e.Seq, e.Type, e.At, history[i-1].Seq, history[i-1].At)
			}
			switch {
			case e.Type == storage.MessageCreated:
				messageEvents = append(messageEvents, e.EntityID)
			case strings.HasPrefix(string(e.Type), "conversation."):
				changes++
			}
		}
		if oneEventPerChange {
			require.Equal(t, int(c.Version), changes, "conversation %s: version against its conversation events %v", id, types(history))
		}

		var messages []*message.Message
		mq := storage.MessageQuery{ConversationID: id}
		mq.Limit, mq.SkipTotal = storage.MaxLimit, true
		for {
			page, err := svc.ListMessages(ctx, mq)
			require.NoError(t, err)
			messages = append(messages, page.Items...)
			if page.NextCursor == "" {
				break
			}
			mq.Cursor = page.NextCursor
		}
		ids := make([]string, len(messages))
		for i, m := range messages {
			ids[i] = m.ID
			if !c.ClosedAt.IsZero() {
				require.False(t, m.CreatedAt.After(c.ClosedAt), "message %s of %s at %v, after the close at %v", m.ID, id, m.CreatedAt, c.ClosedAt)
			}
		}
		slices.Sort(ids)
		slices.Sort(messageEvents)
		require.Equal(t, nonNil(messageEvents), nonNil(ids), "the messages of %s against their events", id)
		stats.Messages += len(messages)
	}

	for after := int64(0); ; {
		page, err := svc.Events(ctx, storage.EventQuery{After: after, Limit: storage.MaxLimit})
		require.NoError(t, err)
		for _, e := range page {
			stats.Events++
			if e.ConversationID == "" || e.Type == storage.ConversationDeleted {
				continue
			}
			c, ok := conversations[e.ConversationID]
			require.True(t, ok, "event %d (%s) of conversation %s, which does not exist", e.Seq, e.Type, e.ConversationID)
			if e.Type == storage.MessageCreated {
				m, err := svc.GetMessage(ctx, e.EntityID)
				require.NoError(t, err, "message %s of event %d", e.EntityID, e.Seq)
				require.Equal(t, c.ID, m.ConversationID, "message %s", m.ID)
			}
		}
		if len(page) < storage.MaxLimit {
			break
		}
		after = page[len(page)-1].Seq
	}
	return stats
}

// String renders the figures for the log.
func (s logStats) String() string {
	return fmt.Sprintf("%d conversations, %d messages, %d events", s.Conversations, s.Messages, s.Events)
}
