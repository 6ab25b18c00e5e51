package storagetest

import (
	"cmp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

// The filters and orders of the agent, queue and tag lists: every filter
// with every order, by cursor and by page, held to a reference computed in
// Go, so that no store passes with a filter or an order missing.

// agentListFixture creates 26 agents whose fields repeat, so every sort key
// has ties, in queues q1..q3, and returns them as stored (with their
// queues).
func agentListFixture(f *fixture) []*routing.Agent {
	f.t.Helper()
	for _, q := range []string{"q1", "q2", "q3"} {
		f.createQueue(q)
	}
	// Names whose byte order differs from a dictionary's, with case and
	// accents, and ties.
	names := []string{"anna", "Ann", "Émile", "zoë", "Zed", "ÅSA Berg", "Anna", "bob"}
	statuses := []routing.AgentStatus{routing.Active, routing.Busy, routing.Away, routing.Invisible}
	var all []*routing.Agent
	for i := range 26 {
		a := f.createAgent(idf("a", (i*11)%26), func(a *routing.Agent) { // ids not in creation order
			a.DisplayName = names[i%len(names)]
			a.Status = statuses[(i/2)%len(statuses)]
			if i%3 == 0 {
				a.Role = routing.RoleSupervisor
			}
			a.Disabled = i%4 == 1
			a.CreatedAt = at(time.Duration(i/3) * time.Minute) // ties of three
			a.UpdatedAt = at(time.Duration(i%5) * time.Hour)   // many ties
		})
		all = append(all, a)
	}
	for i, a := range all {
		for j, q := range []string{"q1", "q2", "q3"} {
			if (i+j)%3 == 0 || (j == 2 && i%5 == 0) {
				added, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, q, a.ID) })
				require.NoError(f.t, err)
				require.True(f.t, added)
				a.Queues = append(a.Queues, q)
			}
		}
	}
	return all
}

// expectedAgents is the reference the stores are held to.
func expectedAgents(all []*routing.Agent, q storage.AgentQuery) []string {
	fl := q.Filter
	var rows []*routing.Agent
	for _, a := range all {
		ok := (len(fl.IDs) == 0 || slices.Contains(fl.IDs, a.ID)) &&
			(len(fl.QueueIDs) == 0 || slices.ContainsFunc(fl.QueueIDs, func(q string) bool { return slices.Contains(a.Queues, q) })) &&
			(fl.DisplayNameContains == "" || strings.Contains(strings.ToLower(a.DisplayName), strings.ToLower(fl.DisplayNameContains))) &&
			(len(fl.Statuses) == 0 || slices.Contains(fl.Statuses, a.Status)) &&
			(len(fl.Roles) == 0 || slices.Contains(fl.Roles, a.Role)) &&
			(fl.Enabled == nil || *fl.Enabled == !a.Disabled) &&
			inHalfOpen(a.CreatedAt, fl.CreatedAfter, fl.CreatedBefore) &&
			inHalfOpen(a.UpdatedAt, fl.UpdatedAfter, fl.UpdatedBefore)
		if ok {
			rows = append(rows, a)
		}
	}
	slices.SortFunc(rows, func(a, b *routing.Agent) int {
		var c int
		switch q.Order.Field {
		case storage.SortDisplayName:
			c = strings.Compare(a.DisplayName, b.DisplayName)
		case storage.SortStatus:
			c = strings.Compare(string(a.Status), string(b.Status))
		case storage.SortRole:
			c = strings.Compare(string(a.Role), string(b.Role))
		case storage.SortEnabled:
			c = cmp.Compare(boolRank(!a.Disabled), boolRank(!b.Disabled))
		case storage.SortCreatedAt:
			c = a.CreatedAt.Compare(b.CreatedAt)
		case storage.SortUpdatedAt:
			c = a.UpdatedAt.Compare(b.UpdatedAt)
		}
		return directed(c, a.ID, b.ID, q.Order.Desc)
	})
	return ids(rows, func(a *routing.Agent) string { return a.ID })
}

func inHalfOpen(t, after, before time.Time) bool {
	return (after.IsZero() || !t.Before(after)) && (before.IsZero() || t.Before(before))
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// directed tie-breaks c by id and applies the direction.
func directed(c int, idA, idB string, desc bool) int {
	if c == 0 {
		c = strings.Compare(idA, idB)
	}
	if desc {
		return -c
	}
	return c
}

// bothDirections is every field in both directions.
func bothDirections(fields []storage.SortField) []storage.Order {
	var out []storage.Order
	for _, field := range fields {
		out = append(out, storage.Order{Field: field}, storage.Order{Field: field, Desc: true})
	}
	return out
}

var agentListFilters = []struct {
	name   string
	filter storage.AgentFilter
}{
	{"none", storage.AgentFilter{}},
	{"ids", storage.AgentFilter{IDs: []string{"a-003", "a-017", "a-024", "missing"}}},
	{"queue", storage.AgentFilter{QueueIDs: []string{"q1"}}},
	{"queues", storage.AgentFilter{QueueIDs: []string{"q2", "q3"}}},
	{"displayNameCaseInsensitive", storage.AgentFilter{DisplayNameContains: "ANN"}},
	{"displayNameUnicode", storage.AgentFilter{DisplayNameContains: "émi"}},
	{"displayNameUnicodeFolded", storage.AgentFilter{DisplayNameContains: "åsa b"}},
	{"displayNameMetacharacters", storage.AgentFilter{DisplayNameContains: "%_"}},
	{"status", storage.AgentFilter{Statuses: []routing.AgentStatus{routing.Busy}}},
	{"statuses", storage.AgentFilter{Statuses: []routing.AgentStatus{routing.Active, routing.Invisible}}},
	{"role", storage.AgentFilter{Roles: []routing.Role{routing.RoleSupervisor}}},
	{"enabled", storage.AgentFilter{Enabled: ptr(true)}},
	{"disabled", storage.AgentFilter{Enabled: ptr(false)}},
	{"createdRange", storage.AgentFilter{CreatedAfter: at(2 * time.Minute), CreatedBefore: at(6 * time.Minute)}},
	{"updatedAfter", storage.AgentFilter{UpdatedAfter: at(3 * time.Hour)}},
	{"updatedBefore", storage.AgentFilter{UpdatedBefore: at(time.Hour)}},
	{"everything", storage.AgentFilter{
		QueueIDs: []string{"q1", "q3"}, DisplayNameContains: "a", Statuses: []routing.AgentStatus{routing.Active, routing.Busy, routing.Away},
		Roles: []routing.Role{routing.RoleAgent, routing.RoleSupervisor}, Enabled: ptr(true),
		CreatedAfter: at(time.Minute), UpdatedBefore: at(4 * time.Hour),
	}},
	{"nothingMatches", storage.AgentFilter{DisplayNameContains: "nobody"}},
}

// walk reads every page of a list, by cursor or by page number, and
// returns the ids in order, checking each page's total on the way.
func walk[T any](t *testing.T, list func(storage.Paging) (storage.Page[T], error), limit, total int, byCursor bool, id func(T) string) []string {
	t.Helper()
	var got []string
	p := storage.Paging{Limit: limit}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 100, "paging does not end")
		if !byCursor {
			p.Page = pages
		}
		page, err := list(p)
		require.NoError(t, err)
		require.Equal(t, total, page.Total)
		got = append(got, ids(page.Items, id)...)
		if byCursor {
			if page.NextCursor == "" {
				require.LessOrEqual(t, len(page.Items), limit)
				return got
			}
			require.Len(t, page.Items, limit, "a page before the last is full")
			p.Cursor = page.NextCursor
			continue
		}
		if len(page.Items) < limit {
			require.Empty(t, page.NextCursor, "the last page has no next cursor")
			return got
		}
	}
}

var agentListCases = []testCase{
	{"EveryFilterEveryOrder", func(t *testing.T, f *fixture) {
		all := agentListFixture(f)
		for _, lf := range agentListFilters {
			for _, order := range bothDirections(storage.AgentOrders()) {
				q := storage.AgentQuery{Filter: lf.filter, Order: order}
				want := expectedAgents(all, q)
				for _, byCursor := range []bool{true, false} {
					got := walk(t, func(p storage.Paging) (storage.Page[*routing.Agent], error) {
						q.Paging = p
						return f.store.ListAgents(f.ctx, q)
					}, 4, len(want), byCursor, func(a *routing.Agent) string { return a.ID })
					require.Equal(t, nilIfEmpty(want), nilIfEmpty(got), "filter %s, order %s, by cursor %v", lf.name, order, byCursor)
				}
			}
		}
	}},
	{"DefaultOrderIsByID", func(t *testing.T, f *fixture) {
		all := agentListFixture(f)
		page, err := f.store.ListAgents(f.ctx, storage.AgentQuery{})
		require.NoError(t, err)
		require.Equal(t, expectedAgents(all, storage.AgentQuery{Order: storage.DefaultIDOrder}), ids(page.Items, func(a *routing.Agent) string { return a.ID }))
	}},
	{"ItemsCarryTheirQueues", func(t *testing.T, f *fixture) {
		all := agentListFixture(f)
		page, err := f.store.ListAgents(f.ctx, storage.AgentQuery{Filter: storage.AgentFilter{QueueIDs: []string{"q3"}}, Order: storage.Order{Field: storage.SortDisplayName}})
		require.NoError(t, err)
		require.NotEmpty(t, page.Items)
		for _, got := range page.Items {
			i := slices.IndexFunc(all, func(a *routing.Agent) bool { return a.ID == got.ID })
			require.ElementsMatch(t, all[i].Queues, got.Queues, got.ID)
		}
	}},
	{"DisplayNameFilterSeesAnUpdatedName", func(t *testing.T, f *fixture) {
		a := f.createAgent("a1", func(a *routing.Agent) { a.DisplayName = "Ann" })
		next := a.Clone()
		next.DisplayName, next.UpdatedAt = "ÅSA Östlund", at(time.Minute)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateAgent(f.ctx, next) }))
		for needle, want := range map[string][]string{"åsa ö": {"a1"}, "ÖSTLUND": {"a1"}, "ann": nil} {
			page, err := f.store.ListAgents(f.ctx, storage.AgentQuery{Filter: storage.AgentFilter{DisplayNameContains: needle}})
			require.NoError(t, err)
			require.Equal(t, want, nilIfEmpty(ids(page.Items, func(a *routing.Agent) string { return a.ID })), needle)
		}
	}},
	{"CursorOfAnotherQuery", func(t *testing.T, f *fixture) {
		agentListFixture(f)
		q := storage.AgentQuery{Order: storage.Order{Field: storage.SortDisplayName}, Paging: storage.Paging{Limit: 3}}
		first, err := f.store.ListAgents(f.ctx, q)
		require.NoError(t, err)
		for _, other := range []storage.AgentQuery{
			{Order: storage.Order{Field: storage.SortDisplayName, Desc: true}},
			{Order: storage.Order{Field: storage.SortStatus}},
			{Order: storage.Order{Field: storage.SortDisplayName}, Filter: storage.AgentFilter{Enabled: ptr(true)}},
		} {
			other.Cursor = first.NextCursor
			_, err := f.store.ListAgents(f.ctx, other)
			requireField(t, err, "cursor")
		}
	}},
	{"InvalidQueries", func(t *testing.T, f *fixture) {
		for _, tc := range []struct {
			name  string
			q     storage.AgentQuery
			field string
		}{
			{"unknownOrder", storage.AgentQuery{Order: storage.Order{Field: "availability"}}, "orderBy"},
			{"orderOfAnotherList", storage.AgentQuery{Order: storage.Order{Field: storage.SortPriority}}, "orderBy"},
			{"emptyID", storage.AgentQuery{Filter: storage.AgentFilter{IDs: []string{""}}}, "agentIds"},
			{"tooManyIDs", storage.AgentQuery{Filter: storage.AgentFilter{IDs: make([]string, storage.MaxFilterValues+1)}}, "agentIds"},
			{"badQueueID", storage.AgentQuery{Filter: storage.AgentFilter{QueueIDs: []string{"q\x00"}}}, "queueIds"},
			{"nulInDisplayName", storage.AgentQuery{Filter: storage.AgentFilter{DisplayNameContains: "a\x00b"}}, "displayName"},
			{"longDisplayName", storage.AgentQuery{Filter: storage.AgentFilter{DisplayNameContains: strings.Repeat("x", routing.MaxDisplayNameLen+1)}}, "displayName"},
			{"unknownStatus", storage.AgentQuery{Filter: storage.AgentFilter{Statuses: []routing.AgentStatus{"ONLINE"}}}, "status"},
			{"unknownRole", storage.AgentQuery{Filter: storage.AgentFilter{Roles: []routing.Role{"ADMIN"}}}, "role"},
			{"createdRangeEmpty", storage.AgentQuery{Filter: storage.AgentFilter{CreatedAfter: at(time.Hour), CreatedBefore: at(time.Hour)}}, "createdBefore"},
			{"updatedRangeBackwards", storage.AgentQuery{Filter: storage.AgentFilter{UpdatedAfter: at(time.Hour), UpdatedBefore: at(0)}}, "updatedBefore"},
			{"limitTooLarge", storage.AgentQuery{Paging: storage.Paging{Limit: storage.MaxLimit + 1}}, "limit"},
			{"garbageCursor", storage.AgentQuery{Paging: storage.Paging{Cursor: "not a cursor!"}}, "cursor"},
		} {
			_, err := f.store.ListAgents(f.ctx, tc.q)
			requireField(t, err, tc.field)
		}
	}},
}

// queueListFixture creates 14 queues, agents a1..a3 as members of some,
// working hours wh-a and wh-b that some follow (and wh-none that none
// does), and returns the queues as stored (with their members).
func queueListFixture(f *fixture) []*routing.Queue {
	f.t.Helper()
	for _, a := range []string{"a1", "a2", "a3"} {
		f.createAgent(a)
	}
	require.NoError(f.t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
		for _, id := range []string{"wh-a", "wh-b", "wh-none"} {
			w := contextHours(id)
			if err := tx.CreateWorkingHours(f.ctx, &w); err != nil {
				return err
			}
		}
		return nil
	}))
	names := []string{"billing", "Billing EU", "Émissions", "sales", "Support", "zulu", "Ärger"}
	var all []*routing.Queue
	for i := range 14 {
		q := f.createQueue(idf("q", (i*5)%14), func(q *routing.Queue) {
			q.Name = names[i%len(names)] + strings.Repeat(" ", i/len(names)) // unique
			q.AutoAssignment = i%3 != 0
			q.StickyAgent = i%4 == 2
			q.WorkingHoursID = []string{"", "wh-a", "wh-b"}[i%3]
			q.CreatedAt = at(time.Duration(i/3) * time.Minute)
			q.UpdatedAt = at(time.Duration(i%4) * time.Hour)
		})
		all = append(all, q)
	}
	for i, q := range all {
		for j, a := range []string{"a1", "a2", "a3"} {
			if (i+j)%4 == 0 {
				_, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, q.ID, a) })
				require.NoError(f.t, err)
				q.Members = append(q.Members, a)
			}
		}
	}
	return all
}

func expectedQueues(all []*routing.Queue, q storage.QueueQuery) []string {
	fl := q.Filter
	var rows []*routing.Queue
	for _, qu := range all {
		if (len(fl.IDs) == 0 || slices.Contains(fl.IDs, qu.ID)) &&
			(fl.AgentID == "" || slices.Contains(qu.Members, fl.AgentID)) &&
			(fl.Name == "" || qu.Name == fl.Name) &&
			(fl.WorkingHoursID == "" || qu.WorkingHoursID == fl.WorkingHoursID) {
			rows = append(rows, qu)
		}
	}
	slices.SortFunc(rows, func(a, b *routing.Queue) int {
		var c int
		switch q.Order.Field {
		case storage.SortName:
			c = strings.Compare(a.Name, b.Name)
		case storage.SortAutoAssignment:
			c = cmp.Compare(boolRank(a.AutoAssignment), boolRank(b.AutoAssignment))
		case storage.SortStickyAgent:
			c = cmp.Compare(boolRank(a.StickyAgent), boolRank(b.StickyAgent))
		case storage.SortCreatedAt:
			c = a.CreatedAt.Compare(b.CreatedAt)
		case storage.SortUpdatedAt:
			c = a.UpdatedAt.Compare(b.UpdatedAt)
		}
		return directed(c, a.ID, b.ID, q.Order.Desc)
	})
	return ids(rows, func(q *routing.Queue) string { return q.ID })
}

var queueListFilters = []struct {
	name   string
	filter storage.QueueFilter
}{
	{"none", storage.QueueFilter{}},
	{"ids", storage.QueueFilter{IDs: []string{"q-001", "q-007", "q-013", "missing"}}},
	{"agent", storage.QueueFilter{AgentID: "a2"}},
	{"agentInNone", storage.QueueFilter{AgentID: "nobody"}},
	{"name", storage.QueueFilter{Name: "Émissions"}},
	{"nameIsWhole", storage.QueueFilter{Name: "Billing"}},
	{"idsAndAgent", storage.QueueFilter{IDs: []string{"q-001", "q-004", "q-005", "q-009"}, AgentID: "a1"}},
	{"workingHours", storage.QueueFilter{WorkingHoursID: "wh-a"}},
	{"workingHoursAndAgent", storage.QueueFilter{WorkingHoursID: "wh-b", AgentID: "a2"}},
	{"workingHoursOfNone", storage.QueueFilter{WorkingHoursID: "wh-none"}},
}

var queueListCases = []testCase{
	{"EveryFilterEveryOrder", func(t *testing.T, f *fixture) {
		all := queueListFixture(f)
		for _, lf := range queueListFilters {
			for _, order := range bothDirections(storage.QueueOrders()) {
				q := storage.QueueQuery{Filter: lf.filter, Order: order}
				want := expectedQueues(all, q)
				for _, byCursor := range []bool{true, false} {
					got := walk(t, func(p storage.Paging) (storage.Page[*routing.Queue], error) {
						q.Paging = p
						return f.store.ListQueues(f.ctx, q)
					}, 3, len(want), byCursor, func(q *routing.Queue) string { return q.ID })
					require.Equal(t, nilIfEmpty(want), nilIfEmpty(got), "filter %s, order %s, by cursor %v", lf.name, order, byCursor)
				}
			}
		}
	}},
	{"ItemsCarryTheirMembers", func(t *testing.T, f *fixture) {
		all := queueListFixture(f)
		page, err := f.store.ListQueues(f.ctx, storage.QueueQuery{Filter: storage.QueueFilter{AgentID: "a3"}, Order: storage.Order{Field: storage.SortName, Desc: true}})
		require.NoError(t, err)
		require.NotEmpty(t, page.Items)
		for _, got := range page.Items {
			i := slices.IndexFunc(all, func(q *routing.Queue) bool { return q.ID == got.ID })
			require.ElementsMatch(t, all[i].Members, got.Members, got.ID)
		}
	}},
	{"InvalidQueries", func(t *testing.T, f *fixture) {
		for _, tc := range []struct {
			name  string
			q     storage.QueueQuery
			field string
		}{
			{"unknownOrder", storage.QueueQuery{Order: storage.Order{Field: "workingHoursId"}}, "orderBy"},
			{"orderOfAnotherList", storage.QueueQuery{Order: storage.Order{Field: storage.SortDisplayName}}, "orderBy"},
			{"emptyID", storage.QueueQuery{Filter: storage.QueueFilter{IDs: []string{""}}}, "queueIds"},
			{"tooManyIDs", storage.QueueQuery{Filter: storage.QueueFilter{IDs: make([]string, storage.MaxFilterValues+1)}}, "queueIds"},
			{"badAgent", storage.QueueQuery{Filter: storage.QueueFilter{AgentID: "a\tb"}}, "agentId"},
			{"invalidUTF8Name", storage.QueueQuery{Filter: storage.QueueFilter{Name: "\xff"}}, "name"},
			{"badWorkingHours", storage.QueueQuery{Filter: storage.QueueFilter{WorkingHoursID: "w\x00h"}}, "workingHoursId"},
			{"garbageCursor", storage.QueueQuery{Paging: storage.Paging{Cursor: "not a cursor!"}}, "cursor"},
		} {
			_, err := f.store.ListQueues(f.ctx, tc.q)
			requireField(t, err, tc.field)
		}
	}},
}

// tagListFixture creates 12 tags created at times with ties, the first
// five on conversation c1, and returns them.
func tagListFixture(f *fixture) []*tag.Tag {
	f.t.Helper()
	var all []*tag.Tag
	for i := range 12 {
		tg := &tag.Tag{Name: idf("t", (i*7)%12), CreatedAt: at(time.Duration(i/3) * time.Minute)}
		_, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.EnsureTag(f.ctx, tg) })
		require.NoError(f.t, err)
		all = append(all, tg)
	}
	c := newConversation("c1")
	for _, tg := range all[:5] {
		c.Tags = append(c.Tags, tg.Name)
	}
	slices.Sort(c.Tags)
	f.createConversation(c)
	return all
}

func expectedTags(all []*tag.Tag, q storage.TagQuery, onConversation []string) []string {
	var rows []*tag.Tag
	for _, tg := range all {
		if strings.HasPrefix(tg.Name, q.Prefix) && (q.Name == "" || tg.Name == q.Name) &&
			(q.ConversationID == "" || slices.Contains(onConversation, tg.Name)) {
			rows = append(rows, tg)
		}
	}
	slices.SortFunc(rows, func(a, b *tag.Tag) int {
		var c int
		if q.Order.Field == storage.SortCreatedAt || q.Order.Field == storage.SortUpdatedAt {
			c = a.CreatedAt.Compare(b.CreatedAt)
		}
		return directed(c, a.Name, b.Name, q.Order.Desc)
	})
	return ids(rows, func(tg *tag.Tag) string { return tg.Name })
}

var tagListCases = []testCase{
	{"EveryFilterEveryOrder", func(t *testing.T, f *fixture) {
		all := tagListFixture(f)
		var onC1 []string
		for _, tg := range all[:5] {
			onC1 = append(onC1, tg.Name)
		}
		for _, lf := range []struct {
			name string
			q    storage.TagQuery
		}{
			{"none", storage.TagQuery{}},
			{"name", storage.TagQuery{Name: "t-007"}},
			{"nameMissing", storage.TagQuery{Name: "t-0"}},
			{"prefix", storage.TagQuery{Prefix: "t-00"}},
			{"nameAndPrefix", storage.TagQuery{Name: "t-011", Prefix: "t-00"}},
			{"conversation", storage.TagQuery{ConversationID: "c1"}},
			{"conversationAndName", storage.TagQuery{ConversationID: "c1", Name: all[2].Name}},
			{"conversationAndOtherName", storage.TagQuery{ConversationID: "c1", Name: all[8].Name}},
		} {
			for _, order := range bothDirections(storage.TagOrders()) {
				q := lf.q
				q.Order = order
				want := expectedTags(all, q, onC1)
				for _, byCursor := range []bool{true, false} {
					got := walk(t, func(p storage.Paging) (storage.Page[*tag.Tag], error) {
						q.Paging = p
						return f.store.ListTags(f.ctx, q)
					}, 2, len(want), byCursor, func(tg *tag.Tag) string { return tg.Name })
					require.Equal(t, nilIfEmpty(want), nilIfEmpty(got), "filter %s, order %s, by cursor %v", lf.name, order, byCursor)
				}
			}
		}
	}},
	{"InvalidQueries", func(t *testing.T, f *fixture) {
		for _, tc := range []struct {
			name  string
			q     storage.TagQuery
			field string
		}{
			{"unknownOrder", storage.TagQuery{Order: storage.Order{Field: "color"}}, "orderBy"},
			{"orderOfAnotherList", storage.TagQuery{Order: storage.Order{Field: storage.SortPriority}}, "orderBy"},
			{"badName", storage.TagQuery{Name: "no spaces"}, "name"},
			{"garbageCursor", storage.TagQuery{Paging: storage.Paging{Cursor: "not a cursor!"}}, "cursor"},
		} {
			_, err := f.store.ListTags(f.ctx, tc.q)
			requireField(t, err, tc.field)
		}
	}},
}
