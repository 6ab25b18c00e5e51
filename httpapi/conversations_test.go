package httpapi_test

import (
	"fmt"
	"net/url"
	"regexp"
	"testing"

	"github.com/parleyhq/parley/httpapi"
	"github.com/stretchr/testify/require"
)

// wireTime is the wire's time format: UTC, milliseconds, +00:00.
var wireTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$`)

func TestCreateConversationDefaults(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	r := f.must(200, "POST", path("/conversations"), map[string]any{})
	c := r.JSON(t)
	id, _ := c["id"].(string)
	require.NotEmpty(t, id)
	require.Equal(t, path("/conversations/%s", id), r.Header.Get("Location"))
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))

	// Every field is present, in the contract's names; unset optional
	// ones are null, not missing.
	for _, k := range []string{"topic", "summary", "queueId", "agentId", "customerId", "closedAt"} {
		v, ok := c[k]
		require.True(t, ok, "field %s missing: %s", k, r.Body)
		require.Nil(t, v, "field %s", k)
	}
	require.Equal(t, "OPEN", c["status"])
	require.Equal(t, "NORMAL", c["priority"])
	require.Equal(t, "NO_CHANNEL", c["channel"])
	require.Equal(t, "API", c["source"])
	require.Equal(t, map[string]any{}, c["attributes"])
	require.Equal(t, []any{}, c["tags"])
	require.EqualValues(t, 1, c["version"])
	require.Regexp(t, wireTime, c["createdAt"])
	require.Equal(t, c["createdAt"], c["updatedAt"])

	// An empty body is the same as {}.
	f.must(200, "POST", path("/conversations"), nil)
}

func TestCreateConversationFields(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	c := f.create(map[string]any{
		"id":         "conv-1",
		"topic":      "Refund for order 1042",
		"summary":    "Customer wants a refund",
		"status":     "WAITING",
		"priority":   "HIGH",
		"queueId":    "billing",
		"agentId":    "ann",
		"channel":    "WHATSAPP",
		"source":     "WIDGET",
		"customerId": "cust-17",
		"attributes": map[string]string{"order": "1042"},
		"tags":       []string{"vip", "refund", "vip"},
	})
	require.Equal(t, map[string]any{
		"id":         "conv-1",
		"topic":      "Refund for order 1042",
		"summary":    "Customer wants a refund",
		"status":     "WAITING",
		"priority":   "HIGH",
		"queueId":    "billing",
		"agentId":    "ann",
		"channel":    "WHATSAPP",
		"source":     "WIDGET",
		"customerId": "cust-17",
		"attributes": map[string]any{"order": "1042"},
		"tags":       []any{"refund", "vip"},
		"createdAt":  c["createdAt"],
		"updatedAt":  c["updatedAt"],
		"closedAt":   nil,
		"version":    float64(1),
	}, c)

	got := f.must(200, "GET", path("/conversations/conv-1"), nil).JSON(t)
	require.Equal(t, c, got, "what create answers is what get answers")

	// A duplicate id, an unknown queue or agent.
	requireError(t, f.do("POST", path("/conversations"), map[string]any{"id": "conv-1"}), 409, "ALREADY_EXISTS", "conv-1")
	requireError(t, f.do("POST", path("/conversations"), map[string]any{"queueId": "nope"}), 404, "NOT_FOUND")
	requireError(t, f.do("POST", path("/conversations"), map[string]any{"agentId": "nope"}), 404, "NOT_FOUND")
	requireError(t, f.do("POST", path("/conversations"), map[string]any{"agentId": "off"}), 404, "NOT_FOUND", "disabled")
}

func TestTimeFormat(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	c := f.create(map[string]any{"status": "CLOSED"})
	// The clock runs in UTC+2 from 13:25:41.058; the wire shows UTC.
	require.Regexp(t, `^2025-04-24T11:25:41\.\d{3}\+00:00$`, c["createdAt"])
	for _, k := range []string{"createdAt", "updatedAt", "closedAt"} {
		require.Regexp(t, wireTime, c[k], k)
	}
}

// TestSecondVocabulary checks that the helpdesk names and values are taken
// on input, in bodies and in query parameters.
func TestSecondVocabulary(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()

	c := f.create(map[string]any{
		"subject":    "Where is my parcel?",
		"inboxId":    "support",
		"assignedTo": "bob",
		"status":     "pending",
		"priority":   "medium",
		"channel":    "chat",
	})
	require.Equal(t, "Where is my parcel?", c["topic"])
	require.Equal(t, "support", c["queueId"])
	require.Equal(t, "bob", c["agentId"])
	require.Equal(t, "WAITING", c["status"])
	require.Equal(t, "NORMAL", c["priority"])
	require.Equal(t, "LIVE_CHAT", c["channel"])
	id := c["id"].(string)

	for _, tc := range []struct {
		body  map[string]any
		field string
		want  any
	}{
		{map[string]any{"status": "open"}, "status", "OPEN"},
		{map[string]any{"status": "pending"}, "status", "WAITING"},
		{map[string]any{"priority": "low"}, "priority", "LOW"},
		{map[string]any{"priority": "high"}, "priority", "HIGH"},
		{map[string]any{"priority": "urgent"}, "priority", "URGENT"},
		{map[string]any{"channel": "email"}, "channel", "EMAIL"},
		{map[string]any{"channel": "phone"}, "channel", "VOICE"},
		{map[string]any{"channel": "whatsapp"}, "channel", "WHATSAPP"},
		{map[string]any{"subject": "New subject"}, "topic", "New subject"},
		{map[string]any{"inboxId": "billing"}, "queueId", "billing"},
		{map[string]any{"assignedTo": "ann"}, "agentId", "ann"},
		{map[string]any{"assignedTo": nil}, "agentId", nil},
	} {
		got := f.must(200, "PATCH", path("/conversations/%s", id), tc.body).JSON(t)
		require.Equal(t, tc.want, got[tc.field], "%v", tc.body)
	}
	got := f.must(200, "PATCH", path("/conversations/%s", id), map[string]any{"status": "closed"}).JSON(t)
	require.Equal(t, "CLOSED", got["status"])

	// An alias given with its own name is refused.
	requireError(t, f.do("POST", path("/conversations"), map[string]any{"topic": "a", "subject": "b"}), 400, "INVALID", "subject")
	requireError(t, f.do("POST", path("/conversations"), map[string]any{"queueId": "billing", "inboxId": "billing"}), 400, "INVALID", "inboxId")

	// Query parameters.
	f.create(map[string]any{"subject": "Invoice copy", "inboxId": "billing", "priority": "urgent", "channel": "email", "assignedTo": "ann"})
	f.create(map[string]any{"subject": "Call me back", "channel": "phone", "status": "pending"})
	for _, tc := range []struct {
		query string
		want  []string // topics, newest first
	}{
		{"status=pending", []string{"Call me back"}},
		{"status=closed", []string{"New subject"}},
		{"status=open&status=pending", []string{"Call me back", "Invoice copy"}},
		{"priority=urgent", []string{"Invoice copy", "New subject"}},
		{"priority=medium", []string{"Call me back"}},
		{"channel=phone", []string{"Call me back"}},
		{"channel=email&channel=phone", []string{"Call me back", "Invoice copy"}},
		{"inboxId=billing", []string{"Invoice copy", "New subject"}},
		{"assignedTo=ann", []string{"Invoice copy"}},
		{"subject=invoice", []string{"Invoice copy"}},
	} {
		r := f.must(200, "GET", path("/conversations?%s", tc.query), nil)
		require.Equal(t, tc.want, topics(t, r), tc.query)
	}
}

func topics(t *testing.T, r response) []string {
	t.Helper()
	out := []string{}
	for _, c := range r.Items(t, "conversations") {
		s, _ := c["topic"].(string)
		out = append(out, s)
	}
	return out
}

func TestPatchConversation(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	c := f.create(map[string]any{"topic": "T", "summary": "S", "agentId": "ann", "queueId": "billing",
		"customerId": "cust", "attributes": map[string]string{"a": "1"}})
	id := c["id"].(string)
	p := path("/conversations/%s", id)

	// An absent field stays as it is.
	got := f.must(200, "PATCH", p, map[string]any{"priority": "URGENT"}).JSON(t)
	require.Equal(t, "URGENT", got["priority"])
	require.Equal(t, "ann", got["agentId"])
	require.Equal(t, "T", got["topic"])
	require.EqualValues(t, 2, got["version"])

	// An empty patch changes nothing.
	same := f.must(200, "PATCH", p, map[string]any{}).JSON(t)
	require.Equal(t, got, same)

	// null clears: the assignee, the queue, texts, the attributes.
	got = f.must(200, "PATCH", p, map[string]any{"agentId": nil}).JSON(t)
	v, ok := got["agentId"]
	require.True(t, ok)
	require.Nil(t, v, `"agentId": null unassigns`)
	require.Equal(t, "billing", got["queueId"])
	got = f.must(200, "PATCH", p, map[string]any{"queueId": nil, "topic": nil, "summary": nil, "customerId": nil, "attributes": nil}).JSON(t)
	for _, k := range []string{"queueId", "topic", "summary", "customerId"} {
		require.Nil(t, got[k], k)
	}
	require.Equal(t, map[string]any{}, got["attributes"])

	// null for a field that cannot be empty is refused.
	for _, k := range []string{"status", "priority", "channel"} {
		r := f.do("PATCH", p, map[string]any{k: nil})
		requireError(t, r, 400, "INVALID", k)
		require.Equal(t, k, r.JSON(t)["field"])
	}

	// Optimistic concurrency: the version in the body.
	version := got["version"].(float64)
	requireError(t, f.do("PATCH", p, map[string]any{"topic": "x", "version": version - 1}), 409, "CONFLICT")
	got = f.must(200, "PATCH", p, map[string]any{"topic": "x", "version": version}).JSON(t)
	require.Equal(t, version+1, got["version"])
	requireError(t, f.do("PATCH", p, map[string]any{"version": 0}), 400, "INVALID", "version")
	requireError(t, f.do("PATCH", p, map[string]any{"version": nil}), 400, "INVALID", "version")

	requireError(t, f.do("PATCH", path("/conversations/nope"), map[string]any{"topic": "x"}), 404, "NOT_FOUND")
	requireError(t, f.do("PATCH", p, map[string]any{"agentId": "nope"}), 404, "NOT_FOUND")
	requireError(t, f.do("PATCH", p, map[string]any{"status": "DONE"}), 400, "INVALID", "status")
}

func TestReplaceConversation(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	c := f.create(map[string]any{"topic": "T", "summary": "S", "status": "WAITING", "priority": "HIGH",
		"agentId": "ann", "queueId": "billing", "channel": "SMS", "customerId": "cust",
		"attributes": map[string]string{"a": "1"}, "tags": []string{"keep"}})
	p := path("/conversations/%s", c["id"])

	// Every replaceable field not in the body goes to its default or empty;
	// tags are not replaced.
	got := f.must(200, "PUT", p, map[string]any{"topic": "New", "priority": "low"}).JSON(t)
	require.Equal(t, "New", got["topic"])
	require.Equal(t, "LOW", got["priority"])
	require.Equal(t, "OPEN", got["status"])
	require.Equal(t, "NO_CHANNEL", got["channel"])
	require.Equal(t, map[string]any{}, got["attributes"])
	require.Equal(t, []any{"keep"}, got["tags"])
	for _, k := range []string{"summary", "agentId", "queueId", "customerId"} {
		require.Nil(t, got[k], k)
	}
	require.Equal(t, c["createdAt"], got["createdAt"])

	// version in the body; read-only fields are not part of a replace.
	requireError(t, f.do("PUT", p, map[string]any{"version": 1}), 409, "CONFLICT")
	f.must(200, "PUT", p, map[string]any{"version": got["version"], "status": "pending", "inboxId": "support"})
	r := f.do("PUT", p, map[string]any{"tags": []string{"x"}})
	requireError(t, r, 400, "INVALID", "tags")
	requireError(t, f.do("PUT", p, map[string]any{"id": "other"}), 400, "INVALID", "id")

	// Closing by replace, then the conversation is immutable.
	closed := f.must(200, "PUT", p, map[string]any{"status": "CLOSED"}).JSON(t)
	require.Regexp(t, wireTime, closed["closedAt"])
	requireError(t, f.do("PUT", p, map[string]any{"status": "OPEN"}), 409, "CLOSED")
}

func TestClosedIsImmutable(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	c := f.create(map[string]any{"agentId": "ann", "tags": []string{"a"}})
	id := c["id"].(string)
	closed := f.must(200, "PATCH", path("/conversations/%s", id), map[string]any{"status": "CLOSED"}).JSON(t)
	require.Equal(t, "CLOSED", closed["status"])
	require.Equal(t, "ann", closed["agentId"], "the assignee stays on record")

	for _, tc := range []struct {
		method, path string
		body         any
		headers      []header
	}{
		{"PATCH", "/conversations/%s", map[string]any{"topic": "x"}, nil},
		{"PUT", "/conversations/%s", map[string]any{}, nil},
		{"PUT", "/conversations/%s/assignee", map[string]any{"agentId": "bob"}, nil},
		{"DELETE", "/conversations/%s/assignee", nil, nil},
		{"POST", "/conversations/%s/tags", map[string]any{"tagName": "b"}, nil},
		{"DELETE", "/conversations/%s/tags/a", nil, nil},
		{"POST", "/conversations/%s/messages", map[string]any{"content": map[string]any{"text": "hi"}}, []header{asAgent("ann")}},
		{"POST", "/conversations/%s/messages", map[string]any{"direction": "INBOUND", "content": map[string]any{"text": "hi"}}, nil},
		{"POST", "/conversations/%s/route", nil, nil},
		{"POST", "/conversations/%s/transfer", map[string]any{"agentId": "bob"}, nil},
		{"POST", "/conversations/%s/transfer", map[string]any{"queueId": "billing"}, nil},
	} {
		requireError(t, f.do(tc.method, path(tc.path, id), tc.body, tc.headers...), 409, "CLOSED")
	}
	got := f.must(200, "GET", path("/conversations/%s", id), nil).JSON(t)
	require.Equal(t, closed, got, "nothing was written")

	// Deleting is still allowed.
	f.must(204, "DELETE", path("/conversations/%s", id), nil)
}

func TestDeleteConversation(t *testing.T) {
	t.Parallel()
	f := setup(t, nil, httpapi.WithStrict())
	for _, tc := range []struct {
		name   string
		query  string
		body   any
		reason string
	}{
		{"body", "", map[string]any{"reason": "spam"}, "spam"},
		{"query", "?reason=" + url.QueryEscape("duplicate of #4"), nil, "duplicate of #4"},
		{"none", "", nil, ""},
		{"null", "", map[string]any{"reason": nil}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := f.create(map[string]any{})["id"].(string)
			r := f.must(204, "DELETE", path("/conversations/%s%s", id, tc.query), tc.body)
			require.Empty(t, r.Body)
			requireError(t, f.do("GET", path("/conversations/%s", id), nil), 404, "NOT_FOUND")
			// The deleted event keeps the reason.
			events := f.must(200, "GET", path("/conversations/%s/history", id), nil).Items(t, "events")
			require.Len(t, events, 1)
			require.Equal(t, "conversation.deleted", events[0]["type"])
			var want any
			if tc.reason != "" {
				want = tc.reason
			}
			require.Equal(t, []any{map[string]any{"field": "reason", "before": nil, "after": want}}, events[0]["changes"])
		})
	}
	id := f.create(map[string]any{})["id"].(string)
	requireError(t, f.do("DELETE", path("/conversations/%s?reason=a", id), map[string]any{"reason": "b"}), 400, "INVALID", "reason")
	requireError(t, f.do("DELETE", path("/conversations/%s?why=a", id), nil), 400, "INVALID", "why")
	long := make([]byte, 1001)
	for i := range long {
		long[i] = 'x'
	}
	requireError(t, f.do("DELETE", path("/conversations/%s", id), map[string]any{"reason": string(long)}), 400, "INVALID", "reason")
	requireError(t, f.do("DELETE", path("/conversations/nope"), nil), 404, "NOT_FOUND")
}

func TestAssignee(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	id := f.create(map[string]any{})["id"].(string)
	p := path("/conversations/%s/assignee", id)

	got := f.must(200, "PUT", p, map[string]any{"agentId": "bob"}).JSON(t)
	require.Equal(t, "bob", got["agentId"])
	got = f.must(200, "PUT", p, map[string]any{"assignedTo": "ann"}).JSON(t)
	require.Equal(t, "ann", got["agentId"])
	got = f.must(200, "DELETE", p, nil).JSON(t)
	v, ok := got["agentId"]
	require.True(t, ok)
	require.Nil(t, v)

	requireError(t, f.do("PUT", p, map[string]any{}), 400, "INVALID", "agentId")
	requireError(t, f.do("PUT", p, map[string]any{"agentId": nil}), 400, "INVALID", "agentId")
	requireError(t, f.do("PUT", p, map[string]any{"agentId": "nope"}), 404, "NOT_FOUND")
	requireError(t, f.do("PUT", p, map[string]any{"agentId": "off"}), 404, "NOT_FOUND")
	requireError(t, f.do("PUT", path("/conversations/nope/assignee"), map[string]any{"agentId": "ann"}), 404, "NOT_FOUND")
	requireError(t, f.do("DELETE", path("/conversations/nope/assignee"), nil), 404, "NOT_FOUND")

	// The events record the actor from the header.
	f.must(200, "PUT", p, map[string]any{"agentId": "bob"}, asAgent("sam"))
	events := f.must(200, "GET", path("/conversations/%s/history", id), nil).Items(t, "events")
	last := events[len(events)-1]
	require.Equal(t, "conversation.assigned", last["type"])
	require.Equal(t, "sam", last["actor"])
}

func TestConversationTags(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	id := f.create(map[string]any{"tags": []string{"b"}})["id"].(string)
	p := path("/conversations/%s/tags", id)

	// Infobip's answers: {"statusCode": "SUCCESS", "message": ...}, and
	// the conversation's version in the ETag.
	r := f.must(200, "POST", p, map[string]any{"tagName": "a"})
	require.Equal(t, map[string]any{"statusCode": "SUCCESS", "message": "Tag added to conversation successfully."}, r.JSON(t))
	require.Equal(t, `"2"`, r.Header.Get("ETag"))
	got := f.must(200, "GET", path("/conversations/%s", id), nil)
	require.Equal(t, []any{"a", "b"}, got.JSON(t)["tags"])
	require.EqualValues(t, 2, got.JSON(t)["version"])
	require.Equal(t, `"2"`, got.Header.Get("ETag"))
	// Adding a tag it has is a no-op.
	again := f.must(200, "POST", p, map[string]any{"tagName": "a"})
	require.Equal(t, r.JSON(t), again.JSON(t))
	require.Equal(t, `"2"`, again.Header.Get("ETag"))
	// The tag was created in the catalog.
	f.must(200, "GET", path("/tags/a"), nil)

	r = f.must(200, "DELETE", path("/conversations/%s/tags/b", id), nil)
	require.Equal(t, map[string]any{"statusCode": "SUCCESS", "message": "Tag removed successfully."}, r.JSON(t))
	require.Equal(t, `"3"`, r.Header.Get("ETag"))
	require.Equal(t, []any{"a"}, f.must(200, "GET", path("/conversations/%s", id), nil).JSON(t)["tags"])
	f.must(200, "GET", path("/tags/b"), nil) // the catalog keeps it

	requireError(t, f.do("DELETE", path("/conversations/%s/tags/b", id), nil), 404, "NOT_FOUND")
	requireError(t, f.do("POST", p, map[string]any{}), 400, "INVALID", "tagName")
	requireError(t, f.do("POST", p, map[string]any{"tagName": "no spaces"}), 400, "INVALID", "tagName")
	requireError(t, f.do("POST", path("/conversations/nope/tags"), map[string]any{"tagName": "a"}), 404, "NOT_FOUND")
}

func TestListConversationFilters(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	a := f.create(map[string]any{"topic": "Alpha refund", "priority": "LOW", "queueId": "billing", "agentId": "ann",
		"channel": "SMS", "customerId": "c1", "tags": []string{"x", "y"}})
	b := f.create(map[string]any{"topic": "Beta", "priority": "URGENT", "queueId": "support", "channel": "EMAIL",
		"customerId": "c2", "tags": []string{"x"}})
	c := f.create(map[string]any{"topic": "Gamma REFUND", "status": "CLOSED", "agentId": "bob"})
	at, bt, ct := a["createdAt"].(string), b["createdAt"].(string), c["createdAt"].(string)

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"Gamma REFUND", "Beta", "Alpha refund"}},
		{"orderBy=createdAt:asc", []string{"Alpha refund", "Beta", "Gamma REFUND"}},
		{"orderBy=priority:desc", []string{"Beta", "Gamma REFUND", "Alpha refund"}},
		{"orderBy=id", []string{"Alpha refund", "Beta", "Gamma REFUND"}},
		{"orderBy=updatedAt:desc", []string{"Gamma REFUND", "Beta", "Alpha refund"}},
		{"status=CLOSED", []string{"Gamma REFUND"}},
		{"priority=LOW&priority=URGENT", []string{"Beta", "Alpha refund"}},
		{"queueIds=billing&queueIds=support", []string{"Beta", "Alpha refund"}},
		{"queueId=support", []string{"Beta"}},
		{"agentId=bob", []string{"Gamma REFUND"}},
		{"unassigned=true", []string{"Beta"}},
		{"channel=SMS", []string{"Alpha refund"}},
		{"tag=x", []string{"Beta", "Alpha refund"}},
		{"tag=x&tag=y", []string{"Alpha refund"}},
		{"customerId=c2", []string{"Beta"}},
		{"topic=refund", []string{"Gamma REFUND", "Alpha refund"}},
		{"createdAfter=" + url.QueryEscape(bt), []string{"Gamma REFUND", "Beta"}},
		{"createdBefore=" + url.QueryEscape(bt), []string{"Alpha refund"}},
		{"createdAfter=" + url.QueryEscape(at) + "&createdBefore=" + url.QueryEscape(ct), []string{"Beta", "Alpha refund"}},
		// An unescaped '+' arrives as a space and is read back as '+'.
		{"createdAfter=" + bt, []string{"Gamma REFUND", "Beta"}},
		{"updatedBefore=2000-01-01T00:00:00Z", []string{}},
		{"updatedAfter=2000-01-01T00:00:00.000%2B0000", []string{"Gamma REFUND", "Beta", "Alpha refund"}},
		{"ids=" + b["id"].(string) + "&ids=" + c["id"].(string), []string{"Gamma REFUND", "Beta"}},
		{"status=OPEN&agentId=ann&tag=y", []string{"Alpha refund"}},
		{"customerId=", []string{"Gamma REFUND", "Beta", "Alpha refund"}}, // empty is absent
	} {
		r := f.must(200, "GET", path("/conversations?%s", tc.query), nil)
		require.Equal(t, tc.want, topics(t, r), tc.query)
		p := r.Pagination(t)
		require.EqualValues(t, len(tc.want), p["totalItems"], tc.query)
	}
}

func TestListConversationPagination(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	var ids []string
	for i := range 7 {
		ids = append(ids, f.create(map[string]any{"topic": fmt.Sprint(i)})["id"].(string))
	}

	// Pages by number, oldest first.
	var seen []string
	for page := range 3 {
		r := f.must(200, "GET", path("/conversations?orderBy=createdAt:asc&limit=3&page=%d", page), nil)
		p := r.Pagination(t)
		require.EqualValues(t, 7, p["totalItems"])
		require.EqualValues(t, page, p["page"])
		require.EqualValues(t, 3, p["limit"])
		require.Equal(t, "createdAt:asc", p["orderBy"])
		_, more := p["nextCursor"]
		require.Equal(t, page < 2, more, "nextCursor is absent on the last page only")
		for _, c := range r.Items(t, "conversations") {
			seen = append(seen, c["id"].(string))
		}
	}
	require.Equal(t, ids, seen)
	// Past the end: an empty page.
	r := f.must(200, "GET", path("/conversations?limit=3&page=5"), nil)
	require.Empty(t, r.Items(t, "conversations"))
	require.EqualValues(t, 7, r.Pagination(t)["totalItems"])

	// The same order by cursor, newest first, with the default order.
	seen = nil
	next := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		q := "limit=2&skipTotal=true"
		if next != "" {
			q += "&cursor=" + url.QueryEscape(next)
		}
		r := f.must(200, "GET", path("/conversations?%s", q), nil)
		p := r.Pagination(t)
		require.Nil(t, p["totalItems"], "skipTotal: no count")
		require.Equal(t, "createdAt:desc", p["orderBy"])
		if next != "" {
			require.Nil(t, p["page"], "no page number with a cursor")
		}
		for _, c := range r.Items(t, "conversations") {
			seen = append(seen, c["id"].(string))
		}
		n, ok := p["nextCursor"].(string)
		if !ok {
			break
		}
		require.NotEmpty(t, n)
		next = n
	}
	require.Len(t, seen, 7)
	for i := range seen {
		require.Equal(t, ids[len(ids)-1-i], seen[i])
	}

	// Cursors are checked: tampered, from another query, with a page.
	first := f.must(200, "GET", path("/conversations?limit=2"), nil).Pagination(t)["nextCursor"].(string)
	tampered := []byte(first)
	tampered[5] ^= 1
	for _, q := range []string{
		"limit=2&cursor=" + url.QueryEscape(string(tampered)),
		"limit=2&cursor=garbage",
		"limit=2&status=OPEN&cursor=" + url.QueryEscape(first),
		"limit=2&orderBy=id&cursor=" + url.QueryEscape(first),
		"limit=2&page=1&cursor=" + url.QueryEscape(first),
	} {
		r := f.do("GET", path("/conversations?%s", q), nil)
		requireError(t, r, 400, "INVALID", "cursor")
		require.Equal(t, "cursor", r.JSON(t)["field"], q)
	}
	// A changed page size keeps the cursor valid.
	f.must(200, "GET", path("/conversations?limit=5&cursor=%s", url.QueryEscape(first)), nil)
}

func TestListConversationBadQuery(t *testing.T) {
	t.Parallel()
	f := setup(t, nil, httpapi.WithStrict())
	for _, tc := range []struct {
		query string
		field string
	}{
		{"limit=abc", "limit"},
		{"limit=1001", "limit"},
		{"limit=0", "limit"},
		{"limit=-1", "limit"},
		{"limit=1&limit=2", "limit"},
		{"page=-1", "page"},
		{"page=x", "page"},
		{"page=99999999999999999999", "page"},
		{"status=DONE", "status"},
		{"status=OPEN&status=bogus", "status"},
		{"priority=meh", "priority"},
		{"channel=pigeon", "channel"},
		{"createdAfter=yesterday", "createdAfter"},
		{"updatedBefore=2025-13-01T00:00:00Z", "updatedBefore"},
		{"orderBy=topic:asc", "orderBy"},
		{"orderBy=createdAt:up", "orderBy"},
		{"skipTotal=maybe", "skipTotal"},
		{"agentId=a&agentId=b", "agentId"},
		{"agentId=a&assignedTo=b", "assignedTo"},
		{"agentId=a&unassigned=true", "agentId"},
		{"topic=a&subject=b", "subject"},
		{"tag=not%20a%20tag", "tag"},
		{"stauts=OPEN", "stauts"},
		{"ids=%00", "ids"},
		{"%zz=1", "query"},
	} {
		r := f.do("GET", path("/conversations?%s", tc.query), nil)
		requireError(t, r, 400, "INVALID")
		require.Equal(t, tc.field, r.JSON(t)["field"], tc.query)
	}
}

// TestSource: a conversation's source is set on create (its helpdesk word
// accepted, API by default), filtered on, and never changed by an update.
func TestSource(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.create(map[string]any{"id": "w", "source": "widget"})
	f.create(map[string]any{"id": "e", "source": "EMAIL"})
	f.create(map[string]any{"id": "a"})
	require.Equal(t, "WIDGET", f.must(200, "GET", path("/conversations/w"), nil).JSON(t)["source"])

	ids := func(query string) []string {
		var out []string
		for _, c := range f.must(200, "GET", path("/conversations?orderBy=id%s", query), nil).Items(t, "conversations") {
			out = append(out, c["id"].(string))
		}
		return out
	}
	require.Equal(t, []string{"w"}, ids("&source=WIDGET"))
	require.Equal(t, []string{"a", "e"}, ids("&source=api&source=email"))

	requireError(t, f.do("POST", path("/conversations"), map[string]any{"source": "fax"}), 400, "INVALID", "source")
	requireError(t, f.do("GET", path("/conversations?source=fax"), nil), 400, "INVALID", "source")
	for _, method := range []string{"PUT", "PATCH"} {
		r := f.do(method, path("/conversations/w"), map[string]any{"source": "WIDGET"})
		requireError(t, r, 400, "INVALID", "source")
		require.Equal(t, "source", r.JSON(t)["field"])
	}
	c := f.must(200, "PUT", path("/conversations/w"), map[string]any{"topic": "replaced"}).JSON(t)
	require.Equal(t, "WIDGET", c["source"], "a PUT replaces what it may, and source is not among it")
}
