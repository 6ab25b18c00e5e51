package storagetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// listingFixture creates c1..c8, one second apart, and then updates c2 and
// c5 (in that order) a second apart after all of them.
func listingFixture(t *testing.T, s *serviceSuite) (*serviceFixture, map[string]*conversation.Conversation) {
	t.Helper()
	fx := s.setup(t)
	fx.agent(t, "a1", routing.RoleAgent)
	fx.agent(t, "a2", routing.RoleAgent)
	fx.queue(t, "q1", "Support")
	fx.queue(t, "q2", "Sales")
	ins := []conversation.Conversation{
		{ID: "c1", Topic: "Printer on FIRE", Status: conversation.Open, Priority: conversation.Low, QueueID: "q1", AgentID: "a1", Channel: conversation.Email, Source: conversation.SourceEmail, CustomerID: "cust-1", Tags: []string{"vip", "hardware"}},
		{ID: "c2", Topic: "Refund please", Status: conversation.Waiting, Priority: conversation.Urgent, QueueID: "q2", Channel: conversation.SMS, CustomerID: "cust-2", Tags: []string{"billing"}},
		{ID: "c3", Topic: "fire alarm", Status: conversation.Solved, Priority: conversation.High, QueueID: "q1", AgentID: "a2", Channel: conversation.Email, CustomerID: "cust-1", Tags: []string{"vip"}},
		{ID: "c4", Topic: "Hello", Status: conversation.Closed, Priority: conversation.Normal, Channel: conversation.Voice, Source: conversation.SourcePhone, CustomerID: "cust-3"},
		{ID: "c5", Topic: "printer jam", Status: conversation.Open, Priority: conversation.Urgent, QueueID: "q1", Channel: conversation.SMS, CustomerID: "cust-2", Tags: []string{"hardware", "vip", "billing"}},
		{ID: "c6", Status: conversation.Open, Priority: conversation.Normal, AgentID: "a1", Channel: conversation.WhatsApp},
		{ID: "c7", Topic: "Wi-Fi", Status: conversation.Waiting, Priority: conversation.Low, QueueID: "q2", AgentID: "a1", Channel: conversation.Email, Tags: []string{"hardware"}},
		{ID: "c8", Topic: "FIREWALL", Status: conversation.Open, Priority: conversation.High, Channel: conversation.LiveChat, Source: conversation.SourceWidget, CustomerID: "cust-1"},
	}
	for _, in := range ins {
		fx.tick()
		fx.conversation(t, in)
	}
	fx.tick()
	_, err := fx.svc.UpdateConversation(fx.ctx, "c2", conversation.Patch{Summary: ptr("s")})
	require.NoError(t, err)
	fx.tick()
	_, err = fx.svc.UpdateConversation(fx.ctx, "c5", conversation.Patch{Summary: ptr("s")})
	require.NoError(t, err)
	all := map[string]*conversation.Conversation{}
	for _, in := range ins {
		all[in.ID] = fx.get(t, in.ID)
	}
	return fx, all
}

var serviceListCases = []serviceCase{
	{"ListConversationFilters", func(t *testing.T, s *serviceSuite) {
		created := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) } // c<i> was created at t0+i s
		tests := []struct {
			name   string
			filter storage.ConversationFilter
			want   []string // in id order
		}{
			{"none", storage.ConversationFilter{}, []string{"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"}},
			{"ids", storage.ConversationFilter{IDs: []string{"c3", "c1", "nope"}}, []string{"c1", "c3"}},
			{"statuses any-of", storage.ConversationFilter{Statuses: []conversation.Status{conversation.Waiting, conversation.Closed}}, []string{"c2", "c4", "c7"}},
			{"priorities any-of", storage.ConversationFilter{Priorities: []conversation.Priority{conversation.Urgent, conversation.Low}}, []string{"c1", "c2", "c5", "c7"}},
			{"one queue", storage.ConversationFilter{QueueIDs: []string{"q1"}}, []string{"c1", "c3", "c5"}},
			{"queues any-of", storage.ConversationFilter{QueueIDs: []string{"q1", "q2"}}, []string{"c1", "c2", "c3", "c5", "c7"}},
			{"agent", storage.ConversationFilter{AgentID: "a1"}, []string{"c1", "c6", "c7"}},
			{"unassigned", storage.ConversationFilter{Unassigned: true}, []string{"c2", "c4", "c5", "c8"}},
			{"channels any-of", storage.ConversationFilter{Channels: []conversation.Channel{conversation.Email, conversation.Voice}}, []string{"c1", "c3", "c4", "c7"}},
			{"one source", storage.ConversationFilter{Sources: []conversation.Source{conversation.SourceWidget}}, []string{"c8"}},
			{"sources any-of, API the default", storage.ConversationFilter{Sources: []conversation.Source{conversation.SourceAPI, conversation.SourcePhone}}, []string{"c2", "c3", "c4", "c5", "c6", "c7"}},
			{"one tag", storage.ConversationFilter{Tags: []string{"vip"}}, []string{"c1", "c3", "c5"}},
			{"tags all-of", storage.ConversationFilter{Tags: []string{"vip", "hardware"}}, []string{"c1", "c5"}},
			{"tags all-of, three", storage.ConversationFilter{Tags: []string{"billing", "vip", "hardware"}}, []string{"c5"}},
			{"unknown tag", storage.ConversationFilter{Tags: []string{"nobody-has-it"}}, []string{}},
			{"customer", storage.ConversationFilter{CustomerID: "cust-1"}, []string{"c1", "c3", "c8"}},
			{"created after, inclusive", storage.ConversationFilter{CreatedAfter: created(6)}, []string{"c6", "c7", "c8"}},
			{"created before, exclusive", storage.ConversationFilter{CreatedBefore: created(3)}, []string{"c1", "c2"}},
			{"created window", storage.ConversationFilter{CreatedAfter: created(2), CreatedBefore: created(4)}, []string{"c2", "c3"}},
			{"updated after", storage.ConversationFilter{UpdatedAfter: created(9)}, []string{"c2", "c5"}},
			{"updated before", storage.ConversationFilter{UpdatedBefore: created(2)}, []string{"c1"}},
			{"topic contains, any case", storage.ConversationFilter{TopicContains: "fire"}, []string{"c1", "c3", "c8"}},
			{"topic contains, upper case needle", storage.ConversationFilter{TopicContains: "PRINTER"}, []string{"c1", "c5"}},
			{"AND of filters", storage.ConversationFilter{
				Statuses:   []conversation.Status{conversation.Open, conversation.Waiting},
				QueueIDs:   []string{"q1", "q2"},
				Channels:   []conversation.Channel{conversation.SMS, conversation.Email},
				Tags:       []string{"hardware"},
				Priorities: []conversation.Priority{conversation.Urgent, conversation.Low},
			}, []string{"c1", "c5", "c7"}},
			{"AND excludes", storage.ConversationFilter{CustomerID: "cust-1", Unassigned: true}, []string{"c8"}},
		}
		fx, all := listingFixture(t, s)
		require.Equal(t, created(1), all["c1"].CreatedAt)
		require.Equal(t, created(9), all["c2"].UpdatedAt)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s.parallel(t)
				page, err := fx.svc.ListConversations(fx.ctx, storage.ConversationQuery{
					Filter: tt.filter,
					Order:  storage.Order{Field: storage.SortID},
				})
				require.NoError(t, err)
				require.Equal(t, tt.want, conversationIDs(page.Items))
				require.Equal(t, len(tt.want), page.Total)
				for _, c := range page.Items {
					require.Equal(t, all[c.ID], c, "a listed conversation is the stored one, tags included")
				}
			})
		}
	}},
	{"ListConversationClosedFilter", func(t *testing.T, s *serviceSuite) {
		fx, _ := listingFixture(t, s)
		// c4 was created CLOSED; c1 and c3 are closed now, a second apart.
		closedAt := map[string]time.Time{"c4": fx.get(t, "c4").ClosedAt}
		for _, id := range []string{"c1", "c3"} {
			fx.tick()
			c, err := fx.svc.CloseConversation(fx.ctx, id)
			require.NoError(t, err)
			closedAt[id] = c.ClosedAt
		}
		require.False(t, closedAt["c4"].IsZero())
		for _, tt := range []struct {
			name   string
			filter storage.ConversationFilter
			want   []string
		}{
			{"closed after, inclusive", storage.ConversationFilter{ClosedAfter: closedAt["c1"]}, []string{"c1", "c3"}},
			{"closed before, exclusive", storage.ConversationFilter{ClosedBefore: closedAt["c3"]}, []string{"c1", "c4"}},
			{"closed window", storage.ConversationFilter{ClosedAfter: closedAt["c1"], ClosedBefore: closedAt["c3"]}, []string{"c1"}},
			{"closed, with another filter", storage.ConversationFilter{ClosedAfter: closedAt["c4"], QueueIDs: []string{"q1"}}, []string{"c1", "c3"}},
		} {
			page, err := fx.svc.ListConversations(fx.ctx, storage.ConversationQuery{Filter: tt.filter, Order: storage.Order{Field: storage.SortID}})
			require.NoError(t, err, tt.name)
			require.Equal(t, tt.want, conversationIDs(page.Items), tt.name)
			require.Equal(t, len(tt.want), page.Total, tt.name)
		}
		_, err := fx.svc.ListConversations(fx.ctx, storage.ConversationQuery{Filter: storage.ConversationFilter{ClosedAfter: closedAt["c3"], ClosedBefore: closedAt["c1"]}})
		requireField(t, err, "closedBefore")
	}},
	{"ListAgentsAndQueuesFiltered", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.queue(t, "q1", "Support")
		fx.queue(t, "q2", "Sales")
		for _, in := range []routing.Agent{
			{ID: "a1", DisplayName: "Zoë Ährlich", Role: routing.RoleSupervisor},
			{ID: "a2", DisplayName: "ann", Role: routing.RoleAgent},
			{ID: "a3", DisplayName: "Bob", Role: routing.RoleAgent},
		} {
			fx.tick()
			_, err := fx.svc.CreateAgent(fx.ctx, in)
			require.NoError(t, err)
		}
		for _, m := range [][2]string{{"q1", "a1"}, {"q1", "a2"}, {"q2", "a3"}} {
			_, err := fx.svc.AddQueueMember(fx.ctx, m[0], m[1])
			require.NoError(t, err)
		}
		fx.tick()
		renamedAt := fx.clock.Now()
		_, err := fx.svc.UpdateAgent(fx.ctx, "a3", routing.AgentPatch{DisplayName: ptr("Öskar"), Status: ptr(routing.Busy)})
		require.NoError(t, err)
		fx.disable(t, "a2")
		agentIDs := func(q storage.AgentQuery) []string {
			t.Helper()
			page, err := fx.svc.ListAgents(fx.ctx, q)
			require.NoError(t, err)
			return ids(page.Items, func(a *routing.Agent) string { return a.ID })
		}
		require.Equal(t, []string{"a1", "a2"}, agentIDs(storage.AgentQuery{Filter: storage.AgentFilter{QueueIDs: []string{"q1"}}}))
		require.Equal(t, []string{"a3"}, agentIDs(storage.AgentQuery{Filter: storage.AgentFilter{DisplayNameContains: "ösk"}}), "the new name, folded")
		require.Equal(t, []string{"a1"}, agentIDs(storage.AgentQuery{Filter: storage.AgentFilter{DisplayNameContains: "ÄHR"}}))
		require.Equal(t, []string{"a3"}, agentIDs(storage.AgentQuery{Filter: storage.AgentFilter{Statuses: []routing.AgentStatus{routing.Busy}}}))
		require.Equal(t, []string{"a1"}, agentIDs(storage.AgentQuery{Filter: storage.AgentFilter{Roles: []routing.Role{routing.RoleSupervisor}}}))
		require.Equal(t, []string{"a2"}, agentIDs(storage.AgentQuery{Filter: storage.AgentFilter{Enabled: ptr(false)}}))
		require.Equal(t, []string{"a2", "a3"}, agentIDs(storage.AgentQuery{Filter: storage.AgentFilter{UpdatedAfter: renamedAt}}))
		require.Equal(t, []string{"a1", "a2", "a3"}, agentIDs(storage.AgentQuery{Order: storage.Order{Field: storage.SortDisplayName}}), "byte order: Z, then a, then Ö")
		require.Equal(t, []string{"a3", "a2", "a1"}, agentIDs(storage.AgentQuery{Order: storage.Order{Field: storage.SortCreatedAt, Desc: true}}))

		page, err := fx.svc.ListQueues(fx.ctx, storage.QueueQuery{Filter: storage.QueueFilter{AgentID: "a3"}})
		require.NoError(t, err)
		require.Equal(t, []string{"q2"}, ids(page.Items, func(q *routing.Queue) string { return q.ID }))
		page, err = fx.svc.ListQueues(fx.ctx, storage.QueueQuery{Order: storage.Order{Field: storage.SortName}})
		require.NoError(t, err)
		require.Equal(t, []string{"q2", "q1"}, ids(page.Items, func(q *routing.Queue) string { return q.ID }))

		_, err = fx.svc.ListAgents(fx.ctx, storage.AgentQuery{Filter: storage.AgentFilter{Roles: []routing.Role{"OWNER"}}})
		requireField(t, err, "role")
		_, err = fx.svc.ListQueues(fx.ctx, storage.QueueQuery{Order: storage.Order{Field: "enabledAgentsCount"}})
		requireField(t, err, "orderBy")
	}},
	{"ListConversationOrders", func(t *testing.T, s *serviceSuite) {
		tests := []struct {
			order storage.Order
			want  []string
		}{
			{storage.Order{}, []string{"c8", "c7", "c6", "c5", "c4", "c3", "c2", "c1"}}, // newest first by default
			{storage.Order{Field: storage.SortCreatedAt}, []string{"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"}},
			{storage.Order{Field: storage.SortUpdatedAt, Desc: true}, []string{"c5", "c2", "c8", "c7", "c6", "c4", "c3", "c1"}},
			// Ties in the priority are broken by id, in the same direction.
			{storage.Order{Field: storage.SortPriority, Desc: true}, []string{"c5", "c2", "c8", "c3", "c6", "c4", "c7", "c1"}},
			{storage.Order{Field: storage.SortPriority}, []string{"c1", "c7", "c4", "c6", "c3", "c8", "c2", "c5"}},
			{storage.Order{Field: storage.SortID, Desc: true}, []string{"c8", "c7", "c6", "c5", "c4", "c3", "c2", "c1"}},
		}
		fx, _ := listingFixture(t, s)
		for _, tt := range tests {
			name := tt.order.String()
			if tt.order.Field == "" {
				name = "default"
			}
			t.Run(name, func(t *testing.T) {
				s.parallel(t)
				page, err := fx.svc.ListConversations(fx.ctx, storage.ConversationQuery{Order: tt.order})
				require.NoError(t, err)
				require.Equal(t, tt.want, conversationIDs(page.Items))

				// Both paging modes walk the same order, with every page but
				// the last full.
				for _, limit := range []int{1, 3, 8} {
					var paged, walked []string
					for p := 0; ; p++ {
						page, err := fx.svc.ListConversations(fx.ctx, storage.ConversationQuery{Order: tt.order, Paging: storage.Paging{Page: p, Limit: limit}})
						require.NoError(t, err)
						require.Equal(t, 8, page.Total, "totalItems counts every match")
						if len(page.Items) == 0 {
							break
						}
						paged = append(paged, conversationIDs(page.Items)...)
					}
					q := storage.ConversationQuery{Order: tt.order, Paging: storage.Paging{Limit: limit, SkipTotal: true}}
					pages := 0
					for {
						page, err := fx.svc.ListConversations(fx.ctx, q)
						require.NoError(t, err)
						require.Equal(t, -1, page.Total, "the count was skipped")
						walked = append(walked, conversationIDs(page.Items)...)
						pages++
						require.LessOrEqual(t, pages, 8/limit+1, "the cursor walk must end")
						if page.NextCursor == "" {
							break
						}
						q.Cursor = page.NextCursor
					}
					require.Equal(t, tt.want, paged, "page mode, limit %d", limit)
					require.Equal(t, tt.want, walked, "cursor mode, limit %d", limit)
				}
			})
		}
	}},
	{"ListConversationPaging", func(t *testing.T, s *serviceSuite) {
		fx, _ := listingFixture(t, s)
		q := storage.ConversationQuery{
			Filter: storage.ConversationFilter{Statuses: []conversation.Status{conversation.Open, conversation.Waiting}},
			Order:  storage.Order{Field: storage.SortID},
			Paging: storage.Paging{Page: 1, Limit: 2},
		}
		page, err := fx.svc.ListConversations(fx.ctx, q)
		require.NoError(t, err)
		require.Equal(t, []string{"c5", "c6"}, conversationIDs(page.Items))
		require.Equal(t, 6, page.Total)
		require.NotEmpty(t, page.NextCursor)

		// A page's cursor continues after it.
		q.Page, q.Cursor = 0, page.NextCursor
		next, err := fx.svc.ListConversations(fx.ctx, q)
		require.NoError(t, err)
		require.Equal(t, []string{"c7", "c8"}, conversationIDs(next.Items))
		require.Empty(t, next.NextCursor, "no cursor on the last page")

		// Past the end: an empty page, still with the total.
		q.Cursor, q.Page = "", 10
		beyond, err := fx.svc.ListConversations(fx.ctx, q)
		require.NoError(t, err)
		require.Empty(t, beyond.Items)
		require.Equal(t, 6, beyond.Total)

		// The default limit is 50; a limit of 1000 is allowed.
		for i := range 55 {
			fx.conversation(t, conversation.Conversation{ID: fmt.Sprintf("z%03d", i)})
		}
		def, err := fx.svc.ListConversations(fx.ctx, storage.ConversationQuery{})
		require.NoError(t, err)
		require.Len(t, def.Items, storage.DefaultLimit)
		require.Equal(t, 63, def.Total)
		big, err := fx.svc.ListConversations(fx.ctx, storage.ConversationQuery{Paging: storage.Paging{Limit: 1000}})
		require.NoError(t, err)
		require.Len(t, big.Items, 63)
		require.True(t, slices.IsSortedFunc(big.Items, func(a, b *conversation.Conversation) int {
			if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(b.ID, a.ID)
		}), "newest first, ties by id")
	}},
	// CursorAtUnixEpoch pages through conversations created at the Unix
	// epoch, whose time encodes as 0 in a cursor: every page moves on (before
	// the fix, the cursor read as "no time" and the first page came back
	// forever).
	{"CursorAtUnixEpoch", func(t *testing.T, s *serviceSuite) {
		epoch := time.Unix(0, 0)
		fx := s.setup(t, parley.WithClock(func() time.Time { return epoch }))
		for _, id := range []string{"a", "b", "c"} {
			fx.conversation(t, conversation.Conversation{ID: id})
			_, err := fx.svc.CreateMessage(fx.ctx, "a", message.Message{ID: "m" + id, Direction: message.Inbound, Content: message.Content{Text: id}})
			require.NoError(t, err)
		}
		for _, order := range []storage.Order{{Field: storage.SortCreatedAt}, {Field: storage.SortUpdatedAt, Desc: true}} {
			q := storage.ConversationQuery{Order: order, Paging: storage.Paging{Limit: 1}}
			var walked []string
			for range 4 {
				page, err := fx.svc.ListConversations(fx.ctx, q)
				require.NoError(t, err)
				walked = append(walked, conversationIDs(page.Items)...)
				if page.NextCursor == "" {
					break
				}
				q.Cursor = page.NextCursor
			}
			want := []string{"a", "b", "c"}
			if order.Desc {
				want = []string{"c", "b", "a"}
			}
			require.Equal(t, want, walked, "order %s", order)
		}
		mq := storage.MessageQuery{ConversationID: "a", Paging: storage.Paging{Limit: 1}}
		var walked []string
		for range 4 {
			page, err := fx.svc.ListMessages(fx.ctx, mq)
			require.NoError(t, err)
			for _, m := range page.Items {
				walked = append(walked, m.ID)
			}
			if page.NextCursor == "" {
				break
			}
			mq.Cursor = page.NextCursor
		}
		require.Equal(t, []string{"ma", "mb", "mc"}, walked)
	}},
}
