package storagetest

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/storage"
)

// listFixture creates 60 conversations whose fields repeat, so every sort
// key has ties, and returns them as stored.
func listFixture(f *fixture) []*conversation.Conversation {
	f.t.Helper()
	for _, q := range []string{"q1", "q2"} {
		f.createQueue(q)
	}
	for _, a := range []string{"a1", "a2"} {
		f.createAgent(a)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	topics := []string{"Refund request", "REFUND later", "Über große Straße", "shipping", "", "Mañana refunds"}
	var all []*conversation.Conversation
	for i := range 60 {
		c := newConversation(idf("c", (i*37)%60)) // ids not in creation order
		c.Topic = topics[rng.IntN(len(topics))]
		c.Status = conversation.Statuses[rng.IntN(len(conversation.Statuses))]
		c.Priority = conversation.Priorities[rng.IntN(len(conversation.Priorities))]
		c.QueueID = []string{"", "q1", "q2"}[rng.IntN(3)]
		c.AgentID = []string{"", "a1", "a2"}[rng.IntN(3)]
		c.Channel = []conversation.Channel{conversation.Email, conversation.SMS, conversation.LiveChat}[rng.IntN(3)]
		c.CustomerID = fmt.Sprintf("cust-%d", rng.IntN(4))
		c.Source = conversation.Sources[rng.IntN(len(conversation.Sources))]
		c.CreatedAt = at(time.Duration(i/3) * time.Minute)       // ties of three
		c.UpdatedAt = at(time.Duration(rng.IntN(5)) * time.Hour) // many ties
		for _, name := range []string{"t1", "t2", "t3"} {
			if rng.IntN(2) == 0 {
				c.Tags = append(c.Tags, name)
			}
		}
		if c.Status == conversation.Closed {
			c.ClosedAt = at(time.Duration(i%7) * time.Hour) // ties
		}
		f.createConversation(c)
		all = append(all, c)
	}
	return all
}

// expected is the reference the stores are held to: filter and order done
// the obvious way in Go.
func expected(all []*conversation.Conversation, q storage.ConversationQuery) []string {
	fl := q.Filter
	var rows []*conversation.Conversation
	for _, c := range all {
		ok := (len(fl.IDs) == 0 || slices.Contains(fl.IDs, c.ID)) &&
			(len(fl.Statuses) == 0 || slices.Contains(fl.Statuses, c.Status)) &&
			(len(fl.Priorities) == 0 || slices.Contains(fl.Priorities, c.Priority)) &&
			(len(fl.QueueIDs) == 0 || slices.Contains(fl.QueueIDs, c.QueueID)) &&
			(fl.AgentID == "" || c.AgentID == fl.AgentID) &&
			(!fl.Unassigned || c.AgentID == "") &&
			(len(fl.Channels) == 0 || slices.Contains(fl.Channels, c.Channel)) &&
			(len(fl.Sources) == 0 || slices.Contains(fl.Sources, c.Source)) &&
			(fl.CustomerID == "" || c.CustomerID == fl.CustomerID) &&
			(fl.CreatedAfter.IsZero() || !c.CreatedAt.Before(fl.CreatedAfter)) &&
			(fl.CreatedBefore.IsZero() || c.CreatedAt.Before(fl.CreatedBefore)) &&
			(fl.UpdatedAfter.IsZero() || !c.UpdatedAt.Before(fl.UpdatedAfter)) &&
			(fl.UpdatedBefore.IsZero() || c.UpdatedAt.Before(fl.UpdatedBefore)) &&
			(fl.TopicContains == "" || strings.Contains(strings.ToLower(c.Topic), strings.ToLower(fl.TopicContains))) &&
			(fl.ClosedAfter.IsZero() && fl.ClosedBefore.IsZero() || !c.ClosedAt.IsZero() &&
				(fl.ClosedAfter.IsZero() || !c.ClosedAt.Before(fl.ClosedAfter)) &&
				(fl.ClosedBefore.IsZero() || c.ClosedAt.Before(fl.ClosedBefore)))
		for _, name := range fl.Tags {
			ok = ok && slices.Contains(c.Tags, name)
		}
		if ok {
			rows = append(rows, c)
		}
	}
	order := q.Order
	if order.Field == "" {
		order = storage.DefaultConversationOrder
	}
	slices.SortFunc(rows, func(a, b *conversation.Conversation) int {
		var c int
		switch order.Field {
		case storage.SortCreatedAt:
			c = a.CreatedAt.Compare(b.CreatedAt)
		case storage.SortUpdatedAt:
			c = a.UpdatedAt.Compare(b.UpdatedAt)
		case storage.SortPriority:
			c = cmp.Compare(a.Priority.Rank(), b.Priority.Rank())
		}
		if c == 0 {
			c = strings.Compare(a.ID, b.ID)
		}
		if order.Desc {
			return -c
		}
		return c
	})
	return conversationIDs(rows)
}

// walkCursor reads every page of q by cursor and returns the ids in order,
// checking each page's size and total on the way.
func walkCursor(t *testing.T, f *fixture, q storage.ConversationQuery, total int) []string {
	t.Helper()
	var got []string
	for pages := 0; ; pages++ {
		require.Less(t, pages, 100, "paging does not end")
		page, err := f.store.ListConversations(f.ctx, q)
		require.NoError(t, err)
		require.Equal(t, total, page.Total)
		got = append(got, conversationIDs(page.Items)...)
		if page.NextCursor == "" {
			require.LessOrEqual(t, len(page.Items), q.Limit)
			return got
		}
		require.Len(t, page.Items, q.Limit, "a page before the last is full")
		q.Cursor = page.NextCursor
	}
}

func walkPages(t *testing.T, f *fixture, q storage.ConversationQuery, total int) []string {
	t.Helper()
	var got []string
	for q.Page = 0; ; q.Page++ {
		require.Less(t, q.Page, 100, "paging does not end")
		page, err := f.store.ListConversations(f.ctx, q)
		require.NoError(t, err)
		require.Equal(t, total, page.Total)
		if len(page.Items) == 0 {
			require.Empty(t, page.NextCursor)
			return got
		}
		got = append(got, conversationIDs(page.Items)...)
		if len(page.Items) < q.Limit {
			require.Empty(t, page.NextCursor, "the last page has no next cursor")
		}
	}
}

var allOrders = func() []storage.Order {
	var out []storage.Order
	for _, field := range []storage.SortField{storage.SortCreatedAt, storage.SortUpdatedAt, storage.SortPriority, storage.SortID} {
		out = append(out, storage.Order{Field: field}, storage.Order{Field: field, Desc: true})
	}
	return out
}()

var listFilters = []struct {
	name   string
	filter storage.ConversationFilter
}{
	{"none", storage.ConversationFilter{}},
	{"ids", storage.ConversationFilter{IDs: []string{"c-003", "c-017", "c-044", "missing"}}},
	{"status", storage.ConversationFilter{Statuses: []conversation.Status{conversation.Open}}},
	{"statuses", storage.ConversationFilter{Statuses: []conversation.Status{conversation.Waiting, conversation.Closed}}},
	{"priorities", storage.ConversationFilter{Priorities: []conversation.Priority{conversation.Urgent, conversation.Low}}},
	{"queue", storage.ConversationFilter{QueueIDs: []string{"q1"}}},
	{"queues", storage.ConversationFilter{QueueIDs: []string{"q1", "q2"}}},
	{"agent", storage.ConversationFilter{AgentID: "a2"}},
	{"unassigned", storage.ConversationFilter{Unassigned: true}},
	{"channels", storage.ConversationFilter{Channels: []conversation.Channel{conversation.SMS, conversation.Email}}},
	{"source", storage.ConversationFilter{Sources: []conversation.Source{conversation.SourceWidget}}},
	{"sources", storage.ConversationFilter{Sources: []conversation.Source{conversation.SourcePhone, conversation.SourceEmail}}},
	{"tag", storage.ConversationFilter{Tags: []string{"t2"}}},
	{"tagsAllOf", storage.ConversationFilter{Tags: []string{"t1", "t3"}}},
	{"customer", storage.ConversationFilter{CustomerID: "cust-1"}},
	{"createdRange", storage.ConversationFilter{CreatedAfter: at(5 * time.Minute), CreatedBefore: at(12 * time.Minute)}},
	{"updatedAfter", storage.ConversationFilter{UpdatedAfter: at(3 * time.Hour)}},
	{"updatedBefore", storage.ConversationFilter{UpdatedBefore: at(time.Hour)}},
	{"topicCaseInsensitive", storage.ConversationFilter{TopicContains: "REFUND"}},
	{"topicUnicode", storage.ConversationFilter{TopicContains: "GROẞE"}},
	{"topicUnicodeFolded", storage.ConversationFilter{TopicContains: "ÜBER"}},
	{"topicMetacharacters", storage.ConversationFilter{TopicContains: "%_"}},
	{"statusAndQueue", storage.ConversationFilter{Statuses: []conversation.Status{conversation.Open, conversation.Waiting}, QueueIDs: []string{"q2"}}},
	{"everything", storage.ConversationFilter{
		Statuses:   []conversation.Status{conversation.Open, conversation.Waiting, conversation.Solved},
		Priorities: []conversation.Priority{conversation.Normal, conversation.High, conversation.Urgent, conversation.Low},
		QueueIDs:   []string{"q1", "q2"}, Channels: []conversation.Channel{conversation.SMS, conversation.Email, conversation.LiveChat},
		Tags: []string{"t1"}, CreatedAfter: at(time.Minute), UpdatedBefore: at(4 * time.Hour), TopicContains: "e",
	}},
	{"nothingMatches", storage.ConversationFilter{CustomerID: "nobody"}},
	{"closedAfter", storage.ConversationFilter{ClosedAfter: at(3 * time.Hour)}},
	{"closedBefore", storage.ConversationFilter{ClosedBefore: at(2 * time.Hour)}},
	{"closedRange", storage.ConversationFilter{ClosedAfter: at(time.Hour), ClosedBefore: at(5 * time.Hour)}},
	{"closedAndQueue", storage.ConversationFilter{ClosedAfter: at(0), QueueIDs: []string{"q2"}}},
}

var listCases = []testCase{
	{"EveryFilterEveryOrderByCursor", func(t *testing.T, f *fixture) {
		all := listFixture(f)
		for _, lf := range listFilters {
			for _, order := range allOrders {
				q := storage.ConversationQuery{Filter: lf.filter, Order: order, Paging: storage.Paging{Limit: 7}}
				want := expected(all, q)
				got := walkCursor(t, f, q, len(want))
				require.Equal(t, nilIfEmpty(want), nilIfEmpty(got), "filter %s, order %s", lf.name, order)
			}
		}
	}},
	{"EveryFilterEveryOrderByPage", func(t *testing.T, f *fixture) {
		all := listFixture(f)
		for _, lf := range listFilters {
			for _, order := range allOrders {
				// 11, not a multiple of the fixture's ties of three, puts page
				// boundaries inside runs of equal sort keys.
				q := storage.ConversationQuery{Filter: lf.filter, Order: order, Paging: storage.Paging{Limit: 11}}
				want := expected(all, q)
				got := walkPages(t, f, q, len(want))
				require.Equal(t, nilIfEmpty(want), nilIfEmpty(got), "filter %s, order %s", lf.name, order)
			}
		}
	}},
	{"DefaultOrderIsNewestFirst", func(t *testing.T, f *fixture) {
		all := listFixture(f)
		page, err := f.store.ListConversations(f.ctx, storage.ConversationQuery{})
		require.NoError(t, err)
		require.Equal(t, storage.DefaultLimit, len(page.Items))
		require.Equal(t, 60, page.Total)
		want := expected(all, storage.ConversationQuery{Order: storage.Order{Field: storage.SortCreatedAt, Desc: true}})
		require.Equal(t, want[:storage.DefaultLimit], conversationIDs(page.Items))
		require.NotEmpty(t, page.NextCursor)
	}},
	{"ItemsCarryTheirTags", func(t *testing.T, f *fixture) {
		all := listFixture(f)
		byID := map[string]*conversation.Conversation{}
		for _, c := range all {
			byID[c.ID] = c
		}
		page, err := f.store.ListConversations(f.ctx, storage.ConversationQuery{Paging: storage.Paging{Limit: 60}})
		require.NoError(t, err)
		require.Len(t, page.Items, 60)
		for _, got := range page.Items {
			equalConversation(t, byID[got.ID], got)
		}
	}},
	{"SkipTotal", func(t *testing.T, f *fixture) {
		listFixture(f)
		page, err := f.store.ListConversations(f.ctx, storage.ConversationQuery{Paging: storage.Paging{Limit: 5, SkipTotal: true}})
		require.NoError(t, err)
		require.Equal(t, -1, page.Total)
		require.Len(t, page.Items, 5)
		require.NotEmpty(t, page.NextCursor)
	}},
	{"PageBeyondTheEnd", func(t *testing.T, f *fixture) {
		listFixture(f)
		page, err := f.store.ListConversations(f.ctx, storage.ConversationQuery{Paging: storage.Paging{Limit: 50, Page: 7}})
		require.NoError(t, err)
		require.Empty(t, page.Items)
		require.Equal(t, 60, page.Total)
		require.Empty(t, page.NextCursor)
	}},
	{"EmptyStore", func(t *testing.T, f *fixture) {
		page, err := f.store.ListConversations(f.ctx, storage.ConversationQuery{})
		require.NoError(t, err)
		require.Empty(t, page.Items)
		require.Equal(t, 0, page.Total)
		require.Empty(t, page.NextCursor)
	}},
	{"CursorSurvivesAChangeOfLimit", func(t *testing.T, f *fixture) {
		all := listFixture(f)
		q := storage.ConversationQuery{Order: storage.Order{Field: storage.SortPriority, Desc: true}, Paging: storage.Paging{Limit: 10}}
		first, err := f.store.ListConversations(f.ctx, q)
		require.NoError(t, err)
		q.Limit, q.Cursor = 25, first.NextCursor
		second, err := f.store.ListConversations(f.ctx, q)
		require.NoError(t, err)
		want := expected(all, q)
		require.Equal(t, want[10:35], conversationIDs(second.Items))
	}},
	{"CursorAfterTheCursorRowIsDeleted", func(t *testing.T, f *fixture) {
		all := listFixture(f)
		q := storage.ConversationQuery{Order: storage.Order{Field: storage.SortUpdatedAt}, Paging: storage.Paging{Limit: 10}}
		first, err := f.store.ListConversations(f.ctx, q)
		require.NoError(t, err)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteConversation(f.ctx, first.Items[9].ID) }))
		q.Cursor = first.NextCursor
		second, err := f.store.ListConversations(f.ctx, q)
		require.NoError(t, err)
		require.Equal(t, expected(all, q)[10:20], conversationIDs(second.Items))
	}},
	{"InvalidQueries", func(t *testing.T, f *fixture) {
		listFixture(f)
		valid, err := f.store.ListConversations(f.ctx, storage.ConversationQuery{Paging: storage.Paging{Limit: 5}})
		require.NoError(t, err)
		other, err := f.store.ListConversations(f.ctx, storage.ConversationQuery{
			Filter: storage.ConversationFilter{Statuses: []conversation.Status{conversation.Open}}, Paging: storage.Paging{Limit: 2},
		})
		require.NoError(t, err)
		tampered := []byte(valid.NextCursor)
		tampered[len(tampered)/2] ^= 1
		cases := []struct {
			name  string
			q     storage.ConversationQuery
			field string
		}{
			{"limitTooLarge", storage.ConversationQuery{Paging: storage.Paging{Limit: storage.MaxLimit + 1}}, "limit"},
			{"negativeLimit", storage.ConversationQuery{Paging: storage.Paging{Limit: -1}}, "limit"},
			{"negativePage", storage.ConversationQuery{Paging: storage.Paging{Page: -1}}, "page"},
			{"hugePage", storage.ConversationQuery{Paging: storage.Paging{Page: 1 << 40, Limit: 10}}, "page"},
			{"cursorAndPage", storage.ConversationQuery{Paging: storage.Paging{Page: 1, Cursor: valid.NextCursor}}, "cursor"},
			{"garbageCursor", storage.ConversationQuery{Paging: storage.Paging{Cursor: "not a cursor!"}}, "cursor"},
			{"tamperedCursor", storage.ConversationQuery{Paging: storage.Paging{Cursor: string(tampered)}}, "cursor"},
			{"truncatedCursor", storage.ConversationQuery{Paging: storage.Paging{Cursor: valid.NextCursor[:len(valid.NextCursor)-3]}}, "cursor"},
			{"cursorOfAnotherFilter", storage.ConversationQuery{Paging: storage.Paging{Cursor: other.NextCursor}}, "cursor"},
			{"cursorOfAnotherOrder", storage.ConversationQuery{Order: storage.Order{Field: storage.SortID}, Paging: storage.Paging{Cursor: valid.NextCursor}}, "cursor"},
			{"unknownOrder", storage.ConversationQuery{Order: storage.Order{Field: "topic; DROP TABLE x"}}, "orderBy"},
			{"unknownStatus", storage.ConversationQuery{Filter: storage.ConversationFilter{Statuses: []conversation.Status{"DONE"}}}, "status"},
			{"unknownPriority", storage.ConversationQuery{Filter: storage.ConversationFilter{Priorities: []conversation.Priority{"medium"}}}, "priority"},
			{"unknownChannel", filterQuery(storage.ConversationFilter{Channels: []conversation.Channel{"FAX"}}), "channel"},
			{"unknownSource", filterQuery(storage.ConversationFilter{Sources: []conversation.Source{"api"}}), "source"},
			{"badTag", filterQuery(storage.ConversationFilter{Tags: []string{"no spaces"}}), "tag"},
			{"agentAndUnassigned", filterQuery(storage.ConversationFilter{AgentID: "a1", Unassigned: true}), "agentId"},
			{"nulInTopic", filterQuery(storage.ConversationFilter{TopicContains: "a\x00b"}), "topic"},
			{"invalidUTF8Customer", filterQuery(storage.ConversationFilter{CustomerID: "\xff\xfe"}), "customerId"},
			{"controlCharacterCustomer", filterQuery(storage.ConversationFilter{CustomerID: "cust\t42"}), "customerId"},
			{"closedRangeEmpty", filterQuery(storage.ConversationFilter{ClosedAfter: at(time.Hour), ClosedBefore: at(time.Hour)}), "closedBefore"},
			{"closedRangeBackwards", filterQuery(storage.ConversationFilter{ClosedAfter: at(2 * time.Hour), ClosedBefore: at(time.Hour)}), "closedBefore"},
		}
		for _, tc := range cases {
			_, err := f.store.ListConversations(f.ctx, tc.q)
			requireField(t, err, tc.field)
		}
	}},
}

func filterQuery(fl storage.ConversationFilter) storage.ConversationQuery {
	return storage.ConversationQuery{Filter: fl}
}
