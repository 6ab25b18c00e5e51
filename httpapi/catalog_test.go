package httpapi_test

import (
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"github.com/parleyhq/parley/httpapi"
	"github.com/stretchr/testify/require"
)

func TestTagCatalog(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	r := f.must(200, "POST", path("/tags"), map[string]any{"name": "vip"})
	require.Equal(t, path("/tags/vip"), r.Header.Get("Location"))
	tg := r.JSON(t)
	require.Equal(t, "vip", tg["name"])
	require.Regexp(t, wireTime, tg["createdAt"])
	require.Equal(t, tg, f.must(200, "GET", path("/tags/vip"), nil).JSON(t))

	f.must(200, "POST", path("/tags"), map[string]any{"tagName": "vip-gold"})
	f.must(200, "POST", path("/tags"), map[string]any{"name": "refund"})
	// Infobip answers a duplicate tag with a 400, "Tag already exists."
	dup := f.do("POST", path("/tags"), map[string]any{"name": "vip"})
	requireError(t, dup, 400, "ALREADY_EXISTS", "Tag already exists.")
	require.NotContains(t, dup.JSON(t), "field")
	requireError(t, f.do("POST", path("/tags"), map[string]any{"name": "a b"}), 400, "INVALID", "tagName")
	requireError(t, f.do("POST", path("/tags"), map[string]any{}), 400, "INVALID")
	requireError(t, f.do("POST", path("/tags"), map[string]any{"name": "a", "tagName": "a"}), 400, "INVALID", "name")

	c := f.create(map[string]any{"tags": []string{"vip", "zeta"}})["id"].(string)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"refund", "vip", "vip-gold", "zeta"}},
		{"prefix=vip", []string{"vip", "vip-gold"}},
		{"conversationId=" + c, []string{"vip", "zeta"}},
		{"conversationId=" + c + "&prefix=z", []string{"zeta"}},
		{"orderBy=name:asc", []string{"refund", "vip", "vip-gold", "zeta"}},
	} {
		r := f.must(200, "GET", path("/tags?%s", tc.query), nil)
		require.Equal(t, tc.want, ids(t, r, "tags"), tc.query)
		require.Equal(t, "name:asc", r.Pagination(t)["orderBy"])
	}
	requireError(t, f.do("GET", path("/tags?conversationId=nope"), nil), 404, "NOT_FOUND")
	requireError(t, f.do("GET", path("/tags?prefix=%%20"), nil), 400, "INVALID", "prefix")
	requireError(t, f.do("GET", path("/tags?orderBy=color:desc"), nil), 400, "INVALID", "orderBy")

	// Paging through the catalog by cursor.
	var got []string
	for q := "limit=3"; ; {
		r := f.must(200, "GET", path("/tags?%s", q), nil)
		got = append(got, ids(t, r, "tags")...)
		next, ok := r.Pagination(t)["nextCursor"].(string)
		if !ok {
			break
		}
		q = "limit=3&cursor=" + url.QueryEscape(next)
	}
	require.Equal(t, []string{"refund", "vip", "vip-gold", "zeta"}, got)

	// Deleting a tag removes it from its conversations.
	r = f.must(204, "DELETE", path("/tags/vip"), nil)
	require.Empty(t, r.Body)
	requireError(t, f.do("GET", path("/tags/vip"), nil), 404, "NOT_FOUND")
	requireError(t, f.do("DELETE", path("/tags/vip"), nil), 404, "NOT_FOUND")
	require.Equal(t, []any{"zeta"}, f.must(200, "GET", path("/conversations/%s", c), nil).JSON(t)["tags"])
}

func TestAgents(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	r := f.must(200, "POST", path("/agents"), map[string]any{"id": "ann", "displayName": "Ann"})
	require.Equal(t, path("/agents/ann"), r.Header.Get("Location"))
	a := r.JSON(t)
	require.Equal(t, map[string]any{
		"id": "ann", "displayName": "Ann", "role": "AGENT", "status": "INVISIBLE", "availability": "INVISIBLE", "enabled": true,
		"capacity": float64(5), "wrapUpSeconds": float64(0), "queues": []any{},
		"createdAt": a["createdAt"], "updatedAt": a["updatedAt"],
	}, a)
	require.Regexp(t, wireTime, a["createdAt"])

	sam := f.must(200, "POST", path("/agents"), map[string]any{"id": "sam", "displayName": "Sam", "role": "SUPERVISOR",
		"status": "ACTIVE", "enabled": false, "capacity": 3, "wrapUpSeconds": 30}).JSON(t)
	require.Equal(t, "SUPERVISOR", sam["role"])
	require.Equal(t, false, sam["enabled"])
	require.EqualValues(t, 3, sam["capacity"])

	got := f.must(200, "PATCH", path("/agents/ann"), map[string]any{"status": "ACTIVE", "capacity": 2}).JSON(t)
	require.Equal(t, "ACTIVE", got["status"])
	require.EqualValues(t, 2, got["capacity"])
	require.Equal(t, "Ann", got["displayName"])
	got = f.must(200, "PATCH", path("/agents/sam"), map[string]any{"enabled": true, "role": "AGENT", "displayName": "Samuel", "wrapUpSeconds": 0}).JSON(t)
	require.Equal(t, true, got["enabled"])
	require.Equal(t, "AGENT", got["role"])
	require.Equal(t, got, f.must(200, "GET", path("/agents/sam"), nil).JSON(t))

	requireError(t, f.do("POST", path("/agents"), map[string]any{"id": "ann", "displayName": "Ann"}), 409, "ALREADY_EXISTS")
	for _, tc := range []struct {
		method, path string
		body         any
		field        string
	}{
		{"POST", "/agents", map[string]any{}, "displayName"},
		{"POST", "/agents", map[string]any{"displayName": "X", "role": "BOSS"}, "role"},
		{"POST", "/agents", map[string]any{"displayName": "X", "status": "ASLEEP"}, "status"},
		{"POST", "/agents", map[string]any{"displayName": "X", "capacity": -1}, "capacity"},
		{"PATCH", "/agents/ann", map[string]any{"status": nil}, "status"},
		{"PATCH", "/agents/ann", map[string]any{"capacity": nil}, "capacity"},
		{"PATCH", "/agents/ann", map[string]any{"id": "x"}, "id"},
		{"PATCH", "/agents/ann", map[string]any{"displayName": ""}, "displayName"},
	} {
		r := f.do(tc.method, path("%s", tc.path), tc.body)
		requireError(t, r, 400, "INVALID")
		require.Equal(t, tc.field, r.JSON(t)["field"], "%v", tc.body)
	}
	requireError(t, f.do("GET", path("/agents/nope"), nil), 404, "NOT_FOUND")
	requireError(t, f.do("PATCH", path("/agents/nope"), map[string]any{"status": "AWAY"}), 404, "NOT_FOUND")

	for i := range 3 {
		f.must(200, "POST", path("/agents"), map[string]any{"id": fmt.Sprintf("z%d", i), "displayName": "Z"})
	}
	r = f.must(200, "GET", path("/agents?limit=2"), nil)
	require.Equal(t, []string{"ann", "sam"}, ids(t, r, "agents"))
	p := r.Pagination(t)
	require.EqualValues(t, 5, p["totalItems"])
	require.Equal(t, "id:asc", p["orderBy"])
	next := p["nextCursor"].(string)
	r = f.must(200, "GET", path("/agents?limit=2&cursor=%s", url.QueryEscape(next)), nil)
	require.Equal(t, []string{"z0", "z1"}, ids(t, r, "agents"))
	r = f.must(200, "GET", path("/agents?limit=2&page=2"), nil)
	require.Equal(t, []string{"z2"}, ids(t, r, "agents"))
	require.NotContains(t, r.Pagination(t), "nextCursor")
	requireError(t, f.do("GET", path("/agents?orderBy=availability:desc"), nil), 400, "INVALID", "orderBy")
}

func TestQueues(t *testing.T) {
	t.Parallel()
	f := setup(t, nil, httpapi.WithStrict())
	f.must(200, "POST", path("/agents"), map[string]any{"id": "ann", "displayName": "Ann"})
	r := f.must(200, "POST", path("/queues"), map[string]any{"id": "billing", "name": "Billing"})
	require.Equal(t, path("/queues/billing"), r.Header.Get("Location"))
	q := r.JSON(t)
	require.Equal(t, map[string]any{
		"id": "billing", "name": "Billing", "autoAssignment": false, "isAutoAssignmentEnabled": false, "strategy": "LEAST_BUSY",
		"stickyAgent": false, "stickyTimeout": float64(0), "maxWaitSeconds": float64(0),
		"overflowQueueId": nil, "default": false, "members": []any{},
		"workingHoursId": nil, "isAutoAssignmentOutsideOfWorkingHoursEnabled": false,
		"createdAt": q["createdAt"], "updatedAt": q["updatedAt"],
	}, q)

	vip := f.must(200, "POST", path("/queues"), map[string]any{"id": "vip", "name": "VIP", "autoAssignment": true,
		"strategy": "ROUND_ROBIN", "stickyAgent": true, "stickyTimeout": 3600, "maxWaitSeconds": 60,
		"overflowQueueId": "billing", "default": true}).JSON(t)
	require.Equal(t, "billing", vip["overflowQueueId"])
	require.Equal(t, true, vip["default"])
	require.EqualValues(t, 3600, vip["stickyTimeout"])

	// Members.
	added := map[string]any{"statusCode": "SUCCESS", "message": "Agent added to queue successfully."}
	require.Equal(t, added, f.must(200, "POST", path("/queues/billing/agents"), map[string]any{"agentId": "ann"}).JSON(t))
	require.Equal(t, []any{"ann"}, f.must(200, "GET", path("/queues/billing"), nil).JSON(t)["members"])
	require.Equal(t, added, f.must(200, "POST", path("/queues/billing/agents"), map[string]any{"agentId": "ann"}).JSON(t)) // again: no change
	require.Equal(t, []any{"billing"}, f.must(200, "GET", path("/agents/ann"), nil).JSON(t)["queues"])
	require.Equal(t, map[string]any{"statusCode": "SUCCESS", "message": "Agent removed from queue successfully."},
		f.must(200, "DELETE", path("/queues/billing/agents/ann"), nil).JSON(t))
	require.Equal(t, []any{}, f.must(200, "GET", path("/queues/billing"), nil).JSON(t)["members"])
	requireError(t, f.do("DELETE", path("/queues/billing/agents/ann"), nil), 404, "NOT_FOUND")
	requireError(t, f.do("POST", path("/queues/billing/agents"), map[string]any{"agentId": "nope"}), 404, "NOT_FOUND")
	requireError(t, f.do("POST", path("/queues/nope/agents"), map[string]any{"agentId": "ann"}), 404, "NOT_FOUND")
	requireError(t, f.do("POST", path("/queues/billing/agents"), map[string]any{}), 400, "INVALID", "agentId")
	requireError(t, f.do("POST", path("/queues/billing/agents?x=1"), map[string]any{"agentId": "ann"}), 400, "INVALID", "x")
	require.Equal(t, []any{}, f.must(200, "GET", path("/queues/billing"), nil).JSON(t)["members"], "nothing written")

	// Patch: null removes the overflow queue only.
	got := f.must(200, "PATCH", path("/queues/vip"), map[string]any{"overflowQueueId": nil, "name": "Gold", "strategy": "LEAST_BUSY"}).JSON(t)
	require.Nil(t, got["overflowQueueId"])
	require.Equal(t, "Gold", got["name"])
	require.Equal(t, "LEAST_BUSY", got["strategy"])
	got = f.must(200, "PATCH", path("/queues/billing"), map[string]any{"default": true, "autoAssignment": true, "stickyAgent": true, "stickyTimeout": 5, "maxWaitSeconds": 9}).JSON(t)
	require.Equal(t, true, got["default"])
	require.Equal(t, false, f.must(200, "GET", path("/queues/vip"), nil).JSON(t)["default"], "one default queue")
	requireError(t, f.do("PATCH", path("/queues/vip"), map[string]any{"name": nil}), 400, "INVALID", "name")
	requireError(t, f.do("PATCH", path("/queues/vip"), map[string]any{"name": "Billing"}), 409, "ALREADY_EXISTS")
	requireError(t, f.do("PATCH", path("/queues/vip"), map[string]any{"overflowQueueId": "nope"}), 404, "NOT_FOUND")
	requireError(t, f.do("PATCH", path("/queues/vip"), map[string]any{"strategy": "RANDOM"}), 400, "INVALID", "strategy")
	requireError(t, f.do("PATCH", path("/queues/nope"), map[string]any{"name": "x"}), 404, "NOT_FOUND")
	requireError(t, f.do("PATCH", path("/queues/vip"), map[string]any{"id": "x"}), 400, "INVALID", "id")
	requireError(t, f.do("POST", path("/queues"), map[string]any{"name": "Billing"}), 409, "ALREADY_EXISTS")
	requireError(t, f.do("POST", path("/queues"), map[string]any{}), 400, "INVALID", "name")
	requireError(t, f.do("GET", path("/queues/nope"), nil), 404, "NOT_FOUND")

	r = f.must(200, "GET", path("/queues"), nil)
	require.Equal(t, []string{"billing", "vip"}, ids(t, r, "queues"))
	require.EqualValues(t, 2, r.Pagination(t)["totalItems"])
}

func TestRoutingRules(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	r := f.must(200, "GET", path("/routing"), nil)
	require.Equal(t, map[string]any{"rules": []any{}}, r.JSON(t))

	put := f.must(200, "PUT", path("/routing"), map[string]any{"rules": []any{
		map[string]any{"id": "vip", "name": "VIP customers", "queueId": "support", "priority": "urgent",
			"condition": map[string]any{"match": "any", "tagsAny": []string{"vip"}, "customerId": "c1"}},
		map[string]any{"name": "Email", "queueId": "billing", "enabled": false,
			"condition": map[string]any{"channels": []string{"email", "SMS"}, "priorities": []string{"medium"},
				"tagsAll": []string{"a", "b"}, "topicContains": "invoice", "attributes": map[string]string{"lang": "de"}}},
		map[string]any{"name": "Everything else", "queueId": "billing", "priority": nil},
	}}).JSON(t)
	rules := put["rules"].([]any)
	require.Len(t, rules, 3)
	require.Equal(t, map[string]any{"id": "vip", "name": "VIP customers", "queueId": "support", "priority": "URGENT", "enabled": true,
		"condition": map[string]any{"match": "any", "tagsAny": []any{"vip"}, "customerId": "c1"}, "workingHoursId": nil}, rules[0])
	second := rules[1].(map[string]any)
	require.NotEmpty(t, second["id"], "a rule without an id gets one")
	require.Equal(t, false, second["enabled"])
	require.Nil(t, second["priority"])
	require.Equal(t, map[string]any{"match": "all", "channels": []any{"EMAIL", "SMS"}, "priorities": []any{"NORMAL"},
		"tagsAll": []any{"a", "b"}, "topicContains": "invoice", "attributes": map[string]any{"lang": "de"}}, second["condition"])
	require.Equal(t, map[string]any{"match": "all"}, rules[2].(map[string]any)["condition"], "an empty condition")
	require.Equal(t, put, f.must(200, "GET", path("/routing"), nil).JSON(t))

	for _, tc := range []struct {
		body  any
		field string
	}{
		{map[string]any{}, "rules"},
		{map[string]any{"rules": nil}, "rules"},
		{map[string]any{"rules": []any{map[string]any{"queueId": "billing"}}}, "rules[0].name"},
		{map[string]any{"rules": []any{map[string]any{"name": "x"}}}, "rules[0].queueId"},
		{map[string]any{"rules": []any{map[string]any{"name": "x", "queueId": "billing", "priority": "P0"}}}, "rules[0].priority"},
		{map[string]any{"rules": []any{map[string]any{"name": "x", "queueId": "billing", "condition": map[string]any{"channels": []string{"fax"}}}}}, "rules[0].condition.channels"},
		{map[string]any{"rules": []any{map[string]any{"name": "x", "queueId": "billing", "condition": map[string]any{"priorities": []string{"P0"}}}}}, "rules[0].condition.priorities"},
		{map[string]any{"rules": []any{map[string]any{"name": "x", "queueId": "billing", "condition": map[string]any{"match": "most"}}}}, "rules[0].condition.match"},
		{map[string]any{"rules": []any{map[string]any{"id": "a", "name": "x", "queueId": "billing"}, map[string]any{"id": "a", "name": "y", "queueId": "billing"}}}, "rules[1].id"},
	} {
		r := f.do("PUT", path("/routing"), tc.body)
		requireError(t, r, 400, "INVALID")
		require.Equal(t, tc.field, r.JSON(t)["field"], "%v", tc.body)
	}
	requireError(t, f.do("PUT", path("/routing"), map[string]any{"rules": []any{map[string]any{"name": "x", "queueId": "nope"}}}), 404, "NOT_FOUND", "rules[0].queueId")
	require.Equal(t, put, f.must(200, "GET", path("/routing"), nil).JSON(t), "nothing was written")

	// An empty list removes every rule.
	require.Equal(t, map[string]any{"rules": []any{}}, f.must(200, "PUT", path("/routing"), map[string]any{"rules": []any{}}).JSON(t))
}

func TestEventsAndHistory(t *testing.T) {
	t.Parallel()
	f := setup(t, nil, httpapi.WithStrict())
	f.seedPeople()
	c := f.create(map[string]any{"topic": "T"})
	id := c["id"].(string)
	f.must(200, "PUT", path("/conversations/%s/assignee", id), map[string]any{"agentId": "ann"}, asAgent("sam"))
	f.must(200, "POST", path("/conversations/%s/tags", id), map[string]any{"tagName": "x"})

	h := f.must(200, "GET", path("/conversations/%s/history", id), nil)
	events := h.Items(t, "events")
	types := []string{}
	for _, e := range events {
		types = append(types, e["type"].(string))
	}
	require.Equal(t, []string{"conversation.created", "conversation.assigned", "conversation.tagged"}, types)
	created := events[0]
	require.Equal(t, id, created["conversationId"])
	require.Equal(t, id, created["entityId"])
	require.Nil(t, created["actor"])
	require.Regexp(t, wireTime, created["at"])
	require.Contains(t, created["changes"], map[string]any{"field": "topic", "before": nil, "after": "T"})
	require.Equal(t, []any{map[string]any{"field": "agentId", "before": nil, "after": "ann"}}, events[1]["changes"])
	require.Equal(t, "sam", events[1]["actor"])
	p := h.Pagination(t)
	require.Equal(t, "seq:asc", p["orderBy"])
	require.Nil(t, p["totalItems"])
	require.NotContains(t, p, "nextCursor", "a page that is not full is the last")

	// History after a seq.
	seq := int64(events[0]["seq"].(float64))
	h = f.must(200, "GET", path("/conversations/%s/history?after=%d&limit=1", id, seq), nil)
	require.Len(t, h.Items(t, "events"), 1)
	require.Equal(t, "conversation.assigned", h.Items(t, "events")[0]["type"])
	requireError(t, f.do("GET", path("/conversations/nope/history"), nil), 404, "NOT_FOUND")
	requireError(t, f.do("GET", path("/conversations/%s/history?after=x", id), nil), 400, "INVALID", "after")

	// The whole log, page by page, by after and by cursor.
	all := f.must(200, "GET", path("/events?limit=1000"), nil).Items(t, "events")
	require.Greater(t, len(all), 8)
	for i := 1; i < len(all); i++ {
		require.Greater(t, all[i]["seq"], all[i-1]["seq"])
	}
	var got []any
	after := "0"
	for pages := 0; ; pages++ {
		require.Less(t, pages, 100)
		param := "after"
		if pages%2 == 1 {
			param = "cursor"
		}
		r := f.must(200, "GET", path("/events?%s=%s&limit=3", param, after), nil)
		for _, e := range r.Items(t, "events") {
			got = append(got, e["seq"])
		}
		next, ok := r.Pagination(t)["nextCursor"].(string)
		if !ok {
			break
		}
		_, err := strconv.ParseInt(next, 10, 64)
		require.NoError(t, err)
		after = next
	}
	want := []any{}
	for _, e := range all {
		want = append(want, e["seq"])
	}
	require.Equal(t, want, got)

	byConv := f.must(200, "GET", path("/events?conversationId=%s", id), nil).Items(t, "events")
	require.Len(t, byConv, 3)

	for _, q := range []struct{ query, field string }{
		{"after=-1", "after"},
		{"after=x", "after"},
		{"after=1&cursor=2", "cursor"},
		{"limit=0", "limit"},
		{"limit=1001", "limit"},
		{"limit=x", "limit"},
		{"since=1", "since"},
	} {
		r := f.do("GET", path("/events?%s", q.query), nil)
		requireError(t, r, 400, "INVALID")
		require.Equal(t, q.field, r.JSON(t)["field"], q.query)
	}
}

// DELETE /tags/{name} leaves a CLOSED conversation as it was, as DELETE
// /conversations/{id}/tags/{name} refuses to change it; an open one loses
// the tag and its history says so.
func TestCatalogDeleteLeavesClosedConversations(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	closed := f.create(map[string]any{"topic": "Done", "tags": []string{"vip"}})
	closedID := closed["id"].(string)
	closed = f.must(200, "PATCH", path("/conversations/%s", closedID), map[string]any{"status": "CLOSED"}).JSON(t)
	open := f.create(map[string]any{"topic": "Going", "tags": []string{"vip"}})["id"].(string)
	requireError(t, f.do("DELETE", path("/conversations/%s/tags/vip", closedID), nil), 409, "CLOSED")

	f.must(204, "DELETE", path("/tags/vip"), nil)
	require.Equal(t, closed, f.must(200, "GET", path("/conversations/%s", closedID), nil).JSON(t))
	got := f.must(200, "GET", path("/conversations/%s", open), nil).JSON(t)
	require.Equal(t, []any{}, got["tags"])
	require.EqualValues(t, 2, got["version"])
	events := f.must(200, "GET", path("/conversations/%s/history", open), nil).Items(t, "events")
	require.Equal(t, "conversation.untagged", events[len(events)-1]["type"])
}
