package httpapi_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/parleyhq/parley/httpapi"
	"github.com/stretchr/testify/require"
)

// TestReplyMatrix drives every cell of the reply matrix through the
// x-agent-id header.
func TestReplyMatrix(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	unassigned := f.create(map[string]any{})["id"].(string)
	toAgent := f.create(map[string]any{"agentId": "ann"})["id"].(string)
	toSupervisor := f.create(map[string]any{"agentId": "sam"})["id"].(string)

	const ok, forbidden = 200, 403
	for _, tc := range []struct {
		conversation string
		name         string
		actor        string // "" for no header
		want         int
	}{
		{unassigned, "unassigned, no actor", "", ok},
		{unassigned, "unassigned, agent", "ann", forbidden},
		{unassigned, "unassigned, supervisor", "sam", forbidden},
		{toAgent, "assigned to an agent, no actor", "", forbidden},
		{toAgent, "assigned to an agent, the assignee", "ann", ok},
		{toAgent, "assigned to an agent, another agent", "bob", forbidden},
		{toAgent, "assigned to an agent, supervisor", "sam", ok},
		{toSupervisor, "assigned to a supervisor, no actor", "", forbidden},
		{toSupervisor, "assigned to a supervisor, agent", "ann", forbidden},
		{toSupervisor, "assigned to a supervisor, supervisor", "sam", ok},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var headers []header
			if tc.actor != "" {
				headers = append(headers, asAgent(tc.actor))
			}
			r := f.do("POST", path("/conversations/%s/messages", tc.conversation),
				map[string]any{"content": map[string]any{"text": "Hello"}}, headers...)
			if tc.want == forbidden {
				requireError(t, r, 403, "FORBIDDEN")
				return
			}
			require.Equal(t, ok, r.Status, "body: %s", r.Body)
			m := r.JSON(t)
			require.Equal(t, "OUTBOUND", m["direction"])
			if tc.actor == "" {
				require.Nil(t, m["agentId"])
			} else {
				require.Equal(t, tc.actor, m["agentId"], "the header is the sender")
			}
		})
	}

	// An unknown actor is a 404, a disabled one a 403, whatever the
	// conversation.
	body := map[string]any{"content": map[string]any{"text": "Hello"}}
	requireError(t, f.do("POST", path("/conversations/%s/messages", toAgent), body, asAgent("ghost")), 404, "NOT_FOUND")
	requireError(t, f.do("POST", path("/conversations/%s/messages", unassigned), body, asAgent("off")), 403, "FORBIDDEN")
	// An inbound message needs no actor.
	f.must(200, "POST", path("/conversations/%s/messages", toSupervisor), map[string]any{"direction": "INBOUND", "content": map[string]any{"text": "Hi"}})
}

func TestMessages(t *testing.T) {
	t.Parallel()
	f := setup(t, nil, httpapi.WithStrict())
	f.seedPeople()
	id := f.create(map[string]any{"channel": "WHATSAPP", "status": "WAITING"})["id"].(string)
	other := f.create(map[string]any{})["id"].(string)
	p := path("/conversations/%s/messages", id)

	r := f.must(200, "POST", p, map[string]any{"id": "m1", "from": "shop", "to": "+385911234567", "content": map[string]any{"text": "Your order shipped"}})
	require.Equal(t, p+"/m1", r.Header.Get("Location"))
	require.Equal(t, map[string]any{
		"id":             "m1",
		"conversationId": id,
		"direction":      "OUTBOUND",
		"channel":        "WHATSAPP",
		"from":           "shop",
		"to":             "+385911234567",
		"contentType":    "TEXT",
		"content":        map[string]any{"text": "Your order shipped"},
		"agentId":        nil,
		"private":        false,
		"createdAt":      r.JSON(t)["createdAt"],
		"updatedAt":      r.JSON(t)["createdAt"], // a message never changes
	}, r.JSON(t))
	require.Regexp(t, wireTime, r.JSON(t)["createdAt"])

	in := f.must(200, "POST", p, map[string]any{"id": "m2", "direction": "INBOUND", "channel": "chat", "content": map[string]any{"text": "Thanks"}}).JSON(t)
	require.Equal(t, "LIVE_CHAT", in["channel"], "the second vocabulary on a message")
	// The inbound message reopened the waiting conversation.
	require.Equal(t, "OPEN", f.must(200, "GET", path("/conversations/%s", id), nil).JSON(t)["status"])

	loc := f.must(200, "POST", p, map[string]any{"id": "m3", "contentType": "LOCATION", "private": true,
		"content": map[string]any{"latitude": 45.8, "longitude": 15.97, "name": "Office"}}).JSON(t)
	require.Equal(t, map[string]any{"latitude": 45.8, "longitude": 15.97, "name": "Office"}, loc["content"])
	require.Equal(t, true, loc["private"])

	got := f.must(200, "GET", p+"/m2", nil).JSON(t)
	require.Equal(t, in, got)
	requireError(t, f.do("GET", path("/conversations/%s/messages/m2", other), nil), 404, "NOT_FOUND")
	requireError(t, f.do("GET", p+"/nope", nil), 404, "NOT_FOUND")
	requireError(t, f.do("GET", path("/conversations/nope/messages/m2"), nil), 404, "NOT_FOUND")

	// Content rules.
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{}, "content.text"},
		{map[string]any{"content": map[string]any{"text": "a", "url": "http://x"}}, "content.url"},
		{map[string]any{"contentType": "IMAGE", "content": map[string]any{"caption": "c"}}, "content.url"},
		{map[string]any{"contentType": "LOCATION", "content": map[string]any{"latitude": 91, "longitude": 0}}, "content.latitude"},
		{map[string]any{"contentType": "GIF", "content": map[string]any{"url": "x"}}, "contentType"},
		{map[string]any{"direction": "INBOUND", "private": true, "content": map[string]any{"text": "a"}}, "private"},
		{map[string]any{"agentId": "ann", "content": map[string]any{"text": "a"}}, "agentId"},
	} {
		r := f.do("POST", p, tc.body)
		requireError(t, r, 400, "INVALID")
		require.Equal(t, tc.field, r.JSON(t)["field"], "%v", tc.body)
	}
	requireError(t, f.do("POST", path("/conversations/nope/messages"), map[string]any{"content": map[string]any{"text": "a"}}), 404, "NOT_FOUND")
	requireError(t, f.do("POST", p, map[string]any{"id": "m1", "content": map[string]any{"text": "a"}}), 409, "ALREADY_EXISTS")

	// Lists: chronological by default, filters, newest first on request.
	list := f.must(200, "GET", p, nil)
	require.Equal(t, []string{"m1", "m2", "m3"}, ids(t, list, "messages"))
	require.Equal(t, "createdAt:asc", list.Pagination(t)["orderBy"])
	require.EqualValues(t, 3, list.Pagination(t)["totalItems"])
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"orderBy=createdAt:desc", []string{"m3", "m2", "m1"}},
		{"direction=INBOUND", []string{"m2"}},
		{"direction=INBOUND&direction=OUTBOUND", []string{"m1", "m2", "m3"}},
		{"channel=chat", []string{"m2"}},
		{"ids=m1&ids=m3", []string{"m1", "m3"}},
		{"createdAfter=" + url.QueryEscape(in["createdAt"].(string)), []string{"m2", "m3"}},
		{"createdBefore=" + url.QueryEscape(in["createdAt"].(string)), []string{"m1"}},
	} {
		require.Equal(t, tc.want, ids(t, f.must(200, "GET", p+"?"+tc.query, nil), "messages"), tc.query)
	}
	for _, tc := range []struct{ query, field string }{
		{"direction=UP", "direction"},
		{"channel=SMS&channel=EMAIL", "channel"},
		{"orderBy=id", "orderBy"},
		{"limit=5000", "limit"},
		{"cursor=abc", "cursor"},
		{"sort=asc", "sort"},
	} {
		r := f.do("GET", p+"?"+tc.query, nil)
		requireError(t, r, 400, "INVALID")
		require.Equal(t, tc.field, r.JSON(t)["field"], tc.query)
	}
	requireError(t, f.do("GET", path("/conversations/nope/messages"), nil), 404, "NOT_FOUND")
}

func TestMessagePagination(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	id := f.create(map[string]any{})["id"].(string)
	p := path("/conversations/%s/messages", id)
	var want []string
	for i := range 5 {
		want = append(want, f.must(200, "POST", p, map[string]any{"id": fmt.Sprintf("m%d", i), "content": map[string]any{"text": "x"}}).JSON(t)["id"].(string))
	}
	// By page.
	var got []string
	for page := range 3 {
		r := f.must(200, "GET", fmt.Sprintf("%s?limit=2&page=%d", p, page), nil)
		require.EqualValues(t, 5, r.Pagination(t)["totalItems"])
		_, more := r.Pagination(t)["nextCursor"]
		require.Equal(t, page < 2, more)
		got = append(got, ids(t, r, "messages")...)
	}
	require.Equal(t, want, got)
	// By cursor.
	got = nil
	for q := "limit=2"; ; {
		r := f.must(200, "GET", p+"?"+q, nil)
		got = append(got, ids(t, r, "messages")...)
		next, ok := r.Pagination(t)["nextCursor"].(string)
		if !ok {
			break
		}
		q = "limit=2&cursor=" + url.QueryEscape(next)
	}
	require.Equal(t, want, got)
}

// ids lists the ids (or names) of a list answer's items.
func ids(t *testing.T, r response, key string) []string {
	t.Helper()
	out := []string{}
	for _, it := range r.Items(t, key) {
		if id, ok := it["id"].(string); ok {
			out = append(out, id)
		} else {
			out = append(out, it["name"].(string))
		}
	}
	return out
}
