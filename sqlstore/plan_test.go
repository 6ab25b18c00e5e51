package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
)

// planQueries are the list queries whose plans must walk an index: the
// default order and a status + queue filter, at the first page and at a
// cursor deep in the set, and the priority order.
func planQueries(t *testing.T, s *sqlstore.Store) map[string]storage.ConversationQuery {
	t.Helper()
	ctx := context.Background()
	statusQueue := storage.ConversationFilter{Statuses: []conversation.Status{conversation.Open}, QueueIDs: []string{"q4"}}
	deep := func(q storage.ConversationQuery, skip int) storage.ConversationQuery {
		t.Helper()
		q.Limit, q.Page = 1, skip
		page, err := s.ListConversations(ctx, q)
		require.NoError(t, err)
		require.NotEmpty(t, page.NextCursor)
		q.Limit, q.Page, q.Cursor = 50, 0, page.NextCursor
		return q
	}
	byPriority := storage.ConversationQuery{Order: storage.Order{Field: storage.SortPriority, Desc: true}, Paging: storage.Paging{SkipTotal: true}}
	return map[string]storage.ConversationQuery{
		"default order, first page":       {Paging: storage.Paging{SkipTotal: true}},
		"default order, deep cursor":      deep(storage.ConversationQuery{Paging: storage.Paging{SkipTotal: true}}, 15_000),
		"status and queue, first page":    {Filter: statusQueue, Paging: storage.Paging{SkipTotal: true}},
		"status and queue, deep cursor":   deep(storage.ConversationQuery{Filter: statusQueue, Paging: storage.Paging{SkipTotal: true}}, 500),
		"priority order, deep cursor":     deep(byPriority, 12_000),
		"customer, first page":            {Filter: storage.ConversationFilter{CustomerID: "cust-7"}, Paging: storage.Paging{SkipTotal: true}},
		"agent, first page":               {Filter: storage.ConversationFilter{AgentID: "a2"}, Paging: storage.Paging{SkipTotal: true}},
		"updatedAt order, first page":     {Order: storage.Order{Field: storage.SortUpdatedAt}, Paging: storage.Paging{SkipTotal: true}},
		"id order, deep cursor":           deep(storage.ConversationQuery{Order: storage.Order{Field: storage.SortID}, Paging: storage.Paging{SkipTotal: true}}, 10_000),
		"tag, first page":                 {Filter: storage.ConversationFilter{Tags: []string{"vip"}}, Paging: storage.Paging{SkipTotal: true}},
		"created range, default order":    {Filter: storage.ConversationFilter{CreatedAfter: t0.Add(time.Hour)}, Paging: storage.Paging{SkipTotal: true}},
		"channel, first page":             {Filter: storage.ConversationFilter{Channels: []conversation.Channel{conversation.SMS}}, Paging: storage.Paging{SkipTotal: true}},
		"source, first page":              {Filter: storage.ConversationFilter{Sources: []conversation.Source{conversation.SourceWidget}}, Paging: storage.Paging{SkipTotal: true}},
		"statuses and queues, first page": {Filter: storage.ConversationFilter{Statuses: []conversation.Status{conversation.Open, conversation.Waiting}, QueueIDs: []string{"q1", "q3"}}, Paging: storage.Paging{SkipTotal: true}},
		"closed range, default order":     {Filter: storage.ConversationFilter{ClosedAfter: t0.Add(time.Hour), ClosedBefore: t0.Add(2 * time.Hour)}, Paging: storage.Paging{SkipTotal: true}},
		inboundThreading:                  inboundQuery,
	}
}

// inboundThreading is the query inbound threading sends for every inbound
// message: the customer's newest conversation on a channel that is not
// closed. It must walk the customer index, not a whole channel's.
const inboundThreading = "inbound threading"

var inboundQuery = storage.ConversationQuery{
	Filter: storage.ConversationFilter{
		CustomerID: "cust-7",
		Channels:   []conversation.Channel{conversation.SMS},
		Statuses:   []conversation.Status{conversation.Open, conversation.Waiting, conversation.Solved},
	},
	Order:  storage.Order{Field: storage.SortCreatedAt, Desc: true},
	Paging: storage.Paging{Limit: 1, SkipTotal: true},
}

// The seed: n conversations over 10 queues, 4 statuses, 4 priorities, 3
// agents, 50 customers, 5 channels, 4 sources; one in 50 tagged "vip".
const seedRows = 20_000

func seedPostgres(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	ctx := context.Background()
	pool := poolOf(t, s)
	conv := sqlstore.TableForTest(s, "conversations")
	_, err := pool.Exec(ctx, fmt.Sprintf(`
		INSERT INTO %[1]s (id, topic, topic_folded, summary, status, priority, queue_id, agent_id, channel,
			customer_id, source, created_at, updated_at, version)
		SELECT 'c-' || lpad(i::text, 7, '0'), 'Topic ' || i, 'topic ' || i, '',
			(ARRAY['OPEN','WAITING','SOLVED','CLOSED'])[1 + i %% 4], i %% 4, 'q' || (i %% 10),
			CASE WHEN i %% 3 = 0 THEN NULL ELSE 'a' || (i %% 3) END,
			(ARRAY['SMS','EMAIL','WHATSAPP','LIVE_CHAT','VOICE'])[1 + i %% 5], 'cust-' || (i %% 50),
			(ARRAY['API','WIDGET','PHONE','EMAIL'])[1 + (i / 3) %% 4],
			$1::timestamptz + i * interval '1 second', $1::timestamptz + (i %% 977) * interval '1 minute', 1
		FROM generate_series(1, %[2]d) AS i`, conv, seedRows), t0)
	require.NoError(t, err)
	require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error { return tx.CreateTag(ctx, tagOf("vip")) }))
	_, err = pool.Exec(ctx, fmt.Sprintf(`INSERT INTO %s (conversation_id, tag_name)
		SELECT id, 'vip' FROM %s WHERE right(id, 2) = '00'`, sqlstore.TableForTest(s, "conversation_tags"), conv))
	require.NoError(t, err)
	_, err = pool.Exec(ctx, "ANALYZE "+conv+"; ANALYZE "+sqlstore.TableForTest(s, "conversation_tags"))
	require.NoError(t, err)
}

func TestPostgresListPlansUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newPostgres(t)
	seedPostgres(t, s)
	for name, q := range planQueries(t, s) {
		query, args, err := sqlstore.PageQueryForTest(s, q)
		require.NoError(t, err)
		rows, err := poolOf(t, s).Query(ctx, "EXPLAIN "+query, args...)
		require.NoError(t, err)
		var plan []string
		for rows.Next() {
			var line string
			require.NoError(t, rows.Scan(&line))
			plan = append(plan, line)
		}
		require.NoError(t, rows.Err())
		text := strings.Join(plan, "\n")
		t.Logf("%s:\n%s", name, text)
		require.NotContains(t, text, "Seq Scan on conversations", name)
		require.Contains(t, text, "Index", name)
		if name == inboundThreading {
			require.Contains(t, text, "conversations_customer", name)
		}
	}
}

func TestSQLiteListPlansUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSQLite(t)
	db := s.SQLDB()
	conv := sqlstore.TableForTest(s, "conversations")
	_, err := db.ExecContext(ctx, fmt.Sprintf(`
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %[2]d)
		INSERT INTO %[1]s (id, topic, topic_folded, summary, status, priority, queue_id, agent_id, channel,
			customer_id, source, created_at, updated_at, version)
		SELECT printf('c-%%07d', i), 'Topic ' || i, 'topic ' || i, '',
			CASE i %% 4 WHEN 0 THEN 'OPEN' WHEN 1 THEN 'WAITING' WHEN 2 THEN 'SOLVED' ELSE 'CLOSED' END, i %% 4,
			'q' || (i %% 10), CASE WHEN i %% 3 = 0 THEN NULL ELSE 'a' || (i %% 3) END,
			CASE i %% 5 WHEN 0 THEN 'SMS' WHEN 1 THEN 'EMAIL' WHEN 2 THEN 'WHATSAPP' WHEN 3 THEN 'LIVE_CHAT' ELSE 'VOICE' END,
			'cust-' || (i %% 50),
			CASE (i / 3) %% 4 WHEN 0 THEN 'API' WHEN 1 THEN 'WIDGET' WHEN 2 THEN 'PHONE' ELSE 'EMAIL' END,
			strftime('%%Y-%%m-%%dT%%H:%%M:%%S.000000Z', '2026-03-14T15:00:00', '+' || i || ' seconds'),
			strftime('%%Y-%%m-%%dT%%H:%%M:%%S.000000Z', '2026-03-14T15:00:00', '+' || (i %% 977) || ' minutes'), 1
		FROM n`, conv, seedRows))
	require.NoError(t, err)
	require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error { return tx.CreateTag(ctx, tagOf("vip")) }))
	_, err = db.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s (conversation_id, tag_name)
		SELECT id, 'vip' FROM %s WHERE substr(id, -2) = '00'`, sqlstore.TableForTest(s, "conversation_tags"), conv))
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "ANALYZE")
	require.NoError(t, err)
	for name, q := range planQueries(t, s) {
		query, args, err := sqlstore.PageQueryForTest(s, q)
		require.NoError(t, err)
		plan := sqlitePlan(t, db, query, args)
		t.Logf("%s:\n%s", name, plan)
		require.NotRegexp(t, `(?m)^SCAN c$`, plan, name)
		require.Contains(t, plan, "INDEX", name)
		if name == inboundThreading {
			require.Contains(t, plan, "conversations_customer", name)
		}
	}
}

func sqlitePlan(t *testing.T, db *sql.DB, query string, args []any) string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	require.NoError(t, err)
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		lines = append(lines, detail)
	}
	require.NoError(t, rows.Err())
	return strings.Join(lines, "\n")
}
