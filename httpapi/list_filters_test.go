package httpapi_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/httpapi"
)

// TestAgentListFilters checks the agent list's filters under Infobip's
// names, each alone and combined, in lenient and strict mode.
func TestAgentListFilters(t *testing.T) {
	t.Parallel()
	for _, strict := range []bool{false, true} {
		var opts []httpapi.Option
		if strict {
			opts = append(opts, httpapi.WithStrict())
		}
		f := setup(t, nil, opts...)
		f.seedPeople() // ann (ACTIVE), bob, sam (SUPERVISOR), off (disabled)
		f.must(200, "POST", path("/queues/billing/agents"), map[string]any{"agentId": "ann"})
		f.must(200, "POST", path("/queues/support/agents"), map[string]any{"agentId": "bob"})
		f.must(200, "POST", path("/queues/support/agents"), map[string]any{"agentId": "sam"})
		annCreated := f.must(200, "GET", path("/agents/ann"), nil).JSON(t)["createdAt"].(string)
		bobUpdated := f.must(200, "PATCH", path("/agents/bob"), map[string]any{"status": "BUSY"}).JSON(t)["updatedAt"].(string)
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"", []string{"ann", "bob", "off", "sam"}},
			{"agentIds=sam&agentIds=ann&agentIds=nobody", []string{"ann", "sam"}},
			{"queueIds=support", []string{"bob", "sam"}},
			{"queueIds=billing&queueIds=support", []string{"ann", "bob", "sam"}},
			{"displayName=A", []string{"ann", "sam"}},
			{"displayName=aN", []string{"ann"}},
			{"status=BUSY", []string{"bob"}},
			{"status=ACTIVE&status=BUSY", []string{"ann", "bob"}},
			{"role=SUPERVISOR", []string{"sam"}},
			{"enabled=false", []string{"off"}},
			{"enabled=true&role=AGENT", []string{"ann", "bob"}},
			{"createdAfter=" + url.QueryEscape(annCreated), []string{"ann", "bob", "off", "sam"}},
			{"createdBefore=" + url.QueryEscape(annCreated), []string{}},
			{"updatedAfter=" + url.QueryEscape(bobUpdated), []string{"bob"}},
			{"updatedBefore=" + url.QueryEscape(bobUpdated), []string{"ann", "off", "sam"}},
			{"queueIds=support&status=BUSY&displayName=o", []string{"bob"}},
		} {
			r := f.must(200, "GET", path("/agents?%s", tc.query), nil)
			require.Equal(t, tc.want, ids(t, r, "agents"), "%s (strict %v)", tc.query, strict)
			require.EqualValues(t, len(tc.want), r.Pagination(t)["totalItems"], tc.query)
		}
	}
}

// TestQueueListFilters checks the queue list's filters: queueIds (any
// of), agentId (the queues it is a member of) and name (the whole name).
func TestQueueListFilters(t *testing.T) {
	t.Parallel()
	f := setup(t, nil, httpapi.WithStrict())
	f.seedPeople()
	f.must(200, "POST", path("/queues"), map[string]any{"id": "vip", "name": "VIP Support"})
	f.must(200, "POST", path("/queues/billing/agents"), map[string]any{"agentId": "ann"})
	f.must(200, "POST", path("/agents/ann/queues"), map[string]any{"queueId": "vip"})
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"billing", "support", "vip"}},
		{"queueIds=vip&queueIds=billing", []string{"billing", "vip"}},
		{"agentId=ann", []string{"billing", "vip"}},
		{"agentId=bob", []string{}},
		{"agentId=ann&queueIds=vip&queueIds=support", []string{"vip"}},
		{"name=Support", []string{"support"}},
		{"name=support", []string{}},
		{"name=VIP%20Support", []string{"vip"}},
	} {
		r := f.must(200, "GET", path("/queues?%s", tc.query), nil)
		require.Equal(t, tc.want, ids(t, r, "queues"), tc.query)
	}
}

// TestTagListNameFilter checks GET /tags?name=, alone and with the other
// filters.
func TestTagListNameFilter(t *testing.T) {
	t.Parallel()
	f := setup(t, nil, httpapi.WithStrict())
	for _, name := range []string{"vip", "vip-gold", "refund"} {
		f.must(200, "POST", path("/tags"), map[string]any{"name": name})
	}
	c := f.create(map[string]any{"tags": []string{"vip-gold"}})["id"].(string)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"name=vip", []string{"vip"}},
		{"name=vi", []string{}},
		{"name=vip-gold&prefix=vip", []string{"vip-gold"}},
		{"name=vip&conversationId=" + c, []string{}},
		{"name=vip-gold&conversationId=" + c, []string{"vip-gold"}},
	} {
		require.Equal(t, tc.want, ids(t, f.must(200, "GET", path("/tags?%s", tc.query), nil), "tags"), tc.query)
	}
}

// TestConversationClosedFilters checks closedAfter (inclusive) and
// closedBefore (exclusive): only closed conversations match either.
func TestConversationClosedFilters(t *testing.T) {
	t.Parallel()
	f := setup(t, nil, httpapi.WithStrict())
	for _, id := range []string{"a", "b", "c"} {
		f.create(map[string]any{"id": id})
	}
	closedA := f.must(200, "PATCH", path("/conversations/a"), map[string]any{"status": "CLOSED"}).JSON(t)["closedAt"].(string)
	closedB := f.must(200, "PATCH", path("/conversations/b"), map[string]any{"status": "CLOSED"}).JSON(t)["closedAt"].(string)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"closedAfter=" + url.QueryEscape(closedA), []string{"a", "b"}},
		{"closedAfter=" + url.QueryEscape(closedB), []string{"b"}},
		{"closedBefore=" + url.QueryEscape(closedB), []string{"a"}},
		{"closedAfter=2000-01-01T00:00:00.000%2B0000", []string{"a", "b"}},
		{"closedAfter=" + url.QueryEscape(closedA) + "&closedBefore=" + url.QueryEscape(closedB), []string{"a"}},
		{"closedBefore=2000-01-01T00:00:00.000%2B0000", []string{}},
	} {
		require.Equal(t, tc.want, ids(t, f.must(200, "GET", path("/conversations?orderBy=id:asc&%s", tc.query), nil), "conversations"), tc.query)
	}
}

// TestListOrderByEveryProperty checks orderBy on the agent, queue and tag
// lists on each property Infobip documents that parley holds, both ways,
// its echo in the pagination block, and paging by cursor in that order.
func TestListOrderByEveryProperty(t *testing.T) {
	t.Parallel()
	f := setup(t, nil, httpapi.WithStrict())
	f.seedPeople() // created in the order ann, bob, sam, off
	f.must(200, "PATCH", path("/agents/bob"), map[string]any{"status": "AWAY"})
	f.must(200, "PATCH", path("/queues/billing"), map[string]any{"autoAssignment": true})
	f.must(200, "PATCH", path("/queues/support"), map[string]any{"stickyAgent": true})
	for _, name := range []string{"zeta", "alpha", "mid"} {
		f.must(200, "POST", path("/tags"), map[string]any{"name": name})
	}
	for _, tc := range []struct {
		list, orderBy string
		want          []string
	}{
		{"agents", "id", []string{"ann", "bob", "off", "sam"}},
		{"agents", "id:DESC", []string{"sam", "off", "bob", "ann"}},
		{"agents", "displayName:desc", []string{"sam", "off", "bob", "ann"}},
		{"agents", "status:asc", []string{"ann", "bob", "off", "sam"}},     // ACTIVE, AWAY, INVISIBLE, INVISIBLE
		{"agents", "role:desc", []string{"sam", "off", "bob", "ann"}},      // SUPERVISOR, then AGENT by id desc
		{"agents", "enabled:asc", []string{"off", "ann", "bob", "sam"}},    // false first
		{"agents", "createdAt:desc", []string{"off", "sam", "bob", "ann"}}, // newest first
		{"agents", "updatedAt:desc", []string{"bob", "off", "sam", "ann"}},
		{"queues", "name:desc", []string{"support", "billing"}},
		{"queues", "isAutoAssignmentEnabled:desc", []string{"billing", "support"}},
		{"queues", "autoAssignment:asc", []string{"support", "billing"}},
		{"queues", "isStickyAutoAssignmentEnabled:desc", []string{"support", "billing"}},
		{"queues", "stickyAgent:asc", []string{"billing", "support"}},
		{"queues", "createdAt:desc", []string{"support", "billing"}},
		{"queues", "updatedAt:desc", []string{"support", "billing"}}, // support patched last
		{"tags", "name:desc", []string{"zeta", "mid", "alpha"}},
		{"tags", "id:asc", []string{"alpha", "mid", "zeta"}},
		{"tags", "createdAt:asc", []string{"zeta", "alpha", "mid"}},
		{"tags", "updatedAt:desc", []string{"mid", "alpha", "zeta"}},
	} {
		r := f.must(200, "GET", path("/%s?orderBy=%s", tc.list, tc.orderBy), nil)
		require.Equal(t, tc.want, ids(t, r, tc.list), "%s %s", tc.list, tc.orderBy)
		// Paged one by one with the cursor, in the same order.
		var got []string
		for q := "limit=1&orderBy=" + tc.orderBy; ; {
			r := f.must(200, "GET", path("/%s?%s", tc.list, q), nil)
			got = append(got, ids(t, r, tc.list)...)
			next, _ := r.Pagination(t)["nextCursor"].(string)
			if next == "" {
				break
			}
			q = "limit=1&orderBy=" + tc.orderBy + "&cursor=" + url.QueryEscape(next)
		}
		require.Equal(t, tc.want, got, "%s %s by cursor", tc.list, tc.orderBy)
	}
	require.Equal(t, "displayName:desc", f.must(200, "GET", path("/agents?orderBy=displayName:DESC"), nil).Pagination(t)["orderBy"])
	require.Equal(t, "id:asc", f.must(200, "GET", path("/queues"), nil).Pagination(t)["orderBy"])
	require.Equal(t, "name:asc", f.must(200, "GET", path("/tags"), nil).Pagination(t)["orderBy"])
}

// TestListFilterBadValues checks that a bad value of each new filter or
// order is a 400 naming the parameter, in lenient mode too, with a message
// that shows no internals.
func TestListFilterBadValues(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	for _, tc := range []struct{ query, field string }{
		{"/agents?status=ONLINE", "status"},
		{"/agents?role=ADMIN", "role"},
		{"/agents?enabled=maybe", "enabled"},
		{"/agents?enabled=true&enabled=false", "enabled"},
		{"/agents?displayName=a&displayName=b", "displayName"},
		{"/agents?createdAfter=yesterday", "createdAfter"},
		{"/agents?updatedBefore=2024-13-01T00:00:00.000%2B0000", "updatedBefore"},
		{"/agents?createdAfter=2024-02-01T00:00:00.000%2B0000&createdBefore=2024-01-01T00:00:00.000%2B0000", "createdBefore"},
		{"/agents?agentIds=%09tab", "agentIds"},
		{"/agents?orderBy=title", "orderBy"},
		{"/agents?orderBy=displayName:up", "orderBy"},
		{"/queues?agentId=a&agentId=b", "agentId"},
		{"/queues?queueIds=%00", "queueIds"},
		{"/queues?orderBy=enabledAgentsCount", "orderBy"},
		{"/tags?name=no%20spaces", "name"},
		{"/tags?orderBy=color", "orderBy"},
		{"/conversations?closedAfter=soon", "closedAfter"},
		{"/conversations?closedAfter=2024-02-01T00:00:00.000%2B0000&closedBefore=2024-02-01T00:00:00.000%2B0000", "closedBefore"},
	} {
		r := f.do("GET", path("%s", tc.query), nil)
		requireField(t, r, tc.field)
		msg := r.JSON(t)["message"].(string)
		require.Contains(t, msg, tc.field, tc.query)
		require.NotRegexp(t, `storage|sqlstore|memstore|parley:|SQL|SELECT`, msg, tc.query)
	}
}
