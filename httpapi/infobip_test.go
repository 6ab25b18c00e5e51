package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley/httpapi"
	"github.com/stretchr/testify/require"
)

// TestPagingAsInfobip checks the paging Infobip documents for its lists:
// limit defaults to 10 and may be at most 999; 1000 is a 400 naming limit.
func TestPagingAsInfobip(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	for i := range 12 {
		f.create(map[string]any{"topic": fmt.Sprint(i), "tags": []string{fmt.Sprintf("t%02d", i)}})
	}
	for _, list := range []struct{ path, key string }{
		{"/conversations", "conversations"},
		{"/tags", "tags"},
	} {
		r := f.must(200, "GET", path("%s", list.path), nil)
		require.Len(t, r.Items(t, list.key), 10, list.path)
		require.EqualValues(t, 10, r.Pagination(t)["limit"], list.path)
		require.EqualValues(t, 12, r.Pagination(t)["totalItems"], list.path)
		require.Len(t, f.must(200, "GET", path("%s?limit=999", list.path), nil).Items(t, list.key), 12, list.path)
		for _, bad := range []string{"1000", "0", "-1"} {
			requireField(t, f.do("GET", path("%s?limit=%s", list.path, bad), nil), "limit")
		}
	}
	for _, p := range []string{"/agents", "/queues"} {
		require.EqualValues(t, 10, f.must(200, "GET", path("%s", p), nil).Pagination(t)["limit"], p)
		requireField(t, f.do("GET", path("%s?limit=1000", p), nil), "limit")
	}
	id := f.create(map[string]any{})["id"].(string)
	for range 11 {
		f.must(200, "POST", path("/conversations/%s/messages", id), map[string]any{"direction": "INBOUND", "content": map[string]any{"text": "hi"}})
	}
	r := f.must(200, "GET", path("/conversations/%s/messages", id), nil)
	require.Len(t, r.Items(t, "messages"), 10)
	requireField(t, f.do("GET", path("/conversations/%s/messages?limit=1000", id), nil), "limit")
}

// TestCreatesAnswer200 checks that a create answers 200, as Infobip
// documents, with the created resource and a Location header naming it.
func TestCreatesAnswer200(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	for _, tc := range []struct {
		path     string
		body     map[string]any
		location string
	}{
		{"/agents", map[string]any{"id": "ann", "displayName": "Ann"}, "/agents/ann"},
		{"/queues", map[string]any{"id": "q1", "name": "Q"}, "/queues/q1"},
		{"/tags", map[string]any{"name": "vip"}, "/tags/vip"},
		{"/conversations", map[string]any{"id": "c1"}, "/conversations/c1"},
		{"/conversations/c1/messages", map[string]any{"id": "m1", "direction": "INBOUND", "content": map[string]any{"text": "hi"}}, "/conversations/c1/messages/m1"},
	} {
		r := f.do("POST", path("%s", tc.path), tc.body)
		require.Equal(t, 200, r.Status, "%s: %s", tc.path, r.Body)
		require.Equal(t, path("%s", tc.location), r.Header.Get("Location"), tc.path)
		require.NotEmpty(t, r.JSON(t), tc.path)
		f.must(200, "GET", r.Header.Get("Location"), nil)
	}
}

// TestETagAndIfMatch checks the version on the wire: every answer that is
// a conversation carries its version as an ETag, and If-Match on PUT and
// PATCH makes the change only at that version.
func TestETagAndIfMatch(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	created := f.must(200, "POST", path("/conversations"), map[string]any{"topic": "a"})
	require.Equal(t, `"1"`, created.Header.Get("ETag"))
	id := created.JSON(t)["id"].(string)
	conv := path("/conversations/%s", id)
	require.Equal(t, `"1"`, f.must(200, "GET", conv, nil).Header.Get("ETag"))

	ifMatch := func(v string) header { return header{"If-Match", v} }
	r := f.must(200, "PATCH", conv, map[string]any{"topic": "b"}, ifMatch(`"1"`))
	require.Equal(t, `"2"`, r.Header.Get("ETag"))
	require.EqualValues(t, 2, r.JSON(t)["version"])
	// A stale version writes nothing.
	requireError(t, f.do("PATCH", conv, map[string]any{"topic": "c"}, ifMatch(`"1"`)), 409, "CONFLICT")
	requireError(t, f.do("PUT", conv, map[string]any{"topic": "c"}, ifMatch(`W/"1"`)), 409, "CONFLICT")
	require.Equal(t, "b", f.must(200, "GET", conv, nil).JSON(t)["topic"])
	// The header and the body's version together must agree.
	requireField(t, f.do("PATCH", conv, map[string]any{"topic": "c", "version": 1}, ifMatch(`"2"`)), "If-Match")
	r = f.must(200, "PUT", conv, map[string]any{"topic": "c", "version": 2}, ifMatch(`2`))
	require.Equal(t, `"3"`, r.Header.Get("ETag"))
	for _, bad := range []string{`*`, `"x"`, `"0"`, `"1", "2"`} {
		requireField(t, f.do("PATCH", conv, map[string]any{"topic": "d"}, ifMatch(bad)), "If-Match")
	}
	// Where it cannot be honoured, it is refused rather than ignored.
	requireField(t, f.do("PUT", conv+"/assignee", map[string]any{"agentId": "ann"}, ifMatch(`"3"`)), "If-Match")
	require.Nil(t, f.must(200, "GET", conv, nil).JSON(t)["agentId"], "nothing written")
	r = f.must(200, "PUT", conv+"/assignee", map[string]any{"agentId": "ann"})
	require.Equal(t, `"4"`, r.Header.Get("ETag"))
}

// TestInfobipFilterNames checks the filters under the names Infobip
// documents: conversationIds and tagNames on conversations, messageIds on
// messages, each repeated for several values; and orderBy's direction in
// any case.
func TestInfobipFilterNames(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	a := f.create(map[string]any{"id": "a", "tags": []string{"x", "y"}})
	f.create(map[string]any{"id": "b", "tags": []string{"x"}})
	f.create(map[string]any{"id": "c"})
	ids := func(r response, key string) []string {
		var out []string
		for _, it := range r.Items(t, key) {
			out = append(out, it["id"].(string))
		}
		return out
	}
	require.Equal(t, []string{"a", "c"}, ids(f.must(200, "GET", path("/conversations?conversationIds=a&conversationIds=c&orderBy=id:ASC"), nil), "conversations"))
	require.Equal(t, []string{"c", "a"}, ids(f.must(200, "GET", path("/conversations?conversationIds=a&conversationIds=c&orderBy=id:Desc"), nil), "conversations"))
	require.Equal(t, []string{"a", "b"}, ids(f.must(200, "GET", path("/conversations?tagNames=x&orderBy=id:asc"), nil), "conversations"))
	require.Equal(t, []string{"a"}, ids(f.must(200, "GET", path("/conversations?tagNames=x&tagNames=y"), nil), "conversations"))
	requireField(t, f.do("GET", path("/conversations?conversationIds=a&ids=b&orderBy=id:sideways"), nil), "orderBy")

	conv := path("/conversations/%s/messages", a["id"])
	for _, id := range []string{"m1", "m2", "m3"} {
		f.must(200, "POST", conv, map[string]any{"id": id, "direction": "INBOUND", "content": map[string]any{"text": id}})
	}
	require.Equal(t, []string{"m1", "m3"}, ids(f.must(200, "GET", conv+"?messageIds=m3&messageIds=m1", nil), "messages"))
	require.Equal(t, []string{"m3", "m1"}, ids(f.must(200, "GET", conv+"?messageIds=m3&messageIds=m1&orderBy=createdAt:DESC", nil), "messages"))
}

// TestInboundMessages checks the threading route: a customer's first
// message on a channel starts a conversation, routed; the next one lands in
// it; once it is closed, the next one starts another.
func TestInboundMessages(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	f.must(200, "PUT", path("/routing"), map[string]any{"rules": []any{
		map[string]any{"name": "sms", "queueId": "support", "condition": map[string]any{"channels": []string{"SMS"}}},
	}})
	send := func(body map[string]any) (conv, msg map[string]any, r response) {
		t.Helper()
		r = f.must(200, "POST", path("/inbound-messages"), body)
		m := r.JSON(t)
		return m["conversation"].(map[string]any), m["message"].(map[string]any), r
	}
	first, m1, r := send(map[string]any{"customerId": "ada", "channel": "SMS", "from": "+100", "content": map[string]any{"text": "hello"}})
	id := first["id"].(string)
	require.Equal(t, "ada", first["customerId"])
	require.Equal(t, "SMS", first["channel"])
	require.Equal(t, "support", first["queueId"], "a new conversation is routed")
	require.Equal(t, id, m1["conversationId"])
	require.Equal(t, "INBOUND", m1["direction"])
	require.Equal(t, "hello", m1["content"].(map[string]any)["text"])
	require.Equal(t, path("/conversations/%s/messages/%s", id, m1["id"]), r.Header.Get("Location"))
	require.Equal(t, fmt.Sprintf(`"%v"`, first["version"]), r.Header.Get("ETag"))

	again, m2, _ := send(map[string]any{"customerId": "ada", "channel": "SMS", "id": "m2", "content": map[string]any{"text": "still there?"}})
	require.Equal(t, id, again["id"], "the next message lands in the open conversation")
	require.Equal(t, "m2", m2["id"])
	other, _, _ := send(map[string]any{"customerId": "ada", "channel": "WHATSAPP", "content": map[string]any{"text": "hi"}})
	require.NotEqual(t, id, other["id"], "another channel is another conversation")

	f.must(200, "PATCH", path("/conversations/%s", id), map[string]any{"status": "CLOSED"})
	fresh, _, _ := send(map[string]any{"customerId": "ada", "channel": "SMS", "content": map[string]any{"text": "new question"}})
	require.NotEqual(t, id, fresh["id"], "a closed conversation takes no message: a new one starts")
	require.Len(t, f.must(200, "GET", path("/conversations/%s/messages", id), nil).Items(t, "messages"), 2)

	before := len(f.must(200, "GET", path("/conversations?limit=999"), nil).Items(t, "conversations"))
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"channel": "SMS", "content": map[string]any{"text": "x"}}, "customerId"},
		{map[string]any{"customerId": "ada", "content": map[string]any{"text": "x"}}, "channel"},
		{map[string]any{"customerId": "ada", "channel": "PIGEON", "content": map[string]any{"text": "x"}}, "channel"},
		{map[string]any{"customerId": "ada", "channel": "SMS", "contentType": "GIF", "content": map[string]any{"text": "x"}}, "contentType"},
		{map[string]any{"customerId": "ada", "channel": "SMS", "content": map[string]any{"text": ""}}, "content.text"},
	} {
		requireField(t, f.do("POST", path("/inbound-messages"), tc.body), tc.field)
	}
	requireError(t, f.do("POST", path("/inbound-messages"), map[string]any{"customerId": "bea", "channel": "SMS", "id": "m2", "content": map[string]any{"text": "x"}}), 409, "ALREADY_EXISTS")
	require.Len(t, f.must(200, "GET", path("/conversations?limit=999"), nil).Items(t, "conversations"), before, "nothing refused was written")
}

// TestUnassignIsNotHandedBack checks DELETE /assignee in a queue that
// assigns automatically: the agent it was taken from, though free, does
// not get it back; another agent does, or a route.
func TestUnassignIsNotHandedBack(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople() // ann is ACTIVE; bob is not
	f.must(200, "PATCH", path("/queues/billing"), map[string]any{"autoAssignment": true})
	f.must(200, "POST", path("/queues/billing/agents"), map[string]any{"agentId": "ann"})
	f.must(200, "POST", path("/queues/billing/agents"), map[string]any{"agentId": "bob"})
	id := f.create(map[string]any{"queueId": "billing"})["id"].(string)
	conv := path("/conversations/%s", id)
	require.Equal(t, "ann", f.must(200, "GET", conv, nil).JSON(t)["agentId"])

	got := f.must(200, "DELETE", conv+"/assignee", nil).JSON(t)
	require.Nil(t, got["agentId"])
	require.NotContains(t, got, "passedOver", "not on the wire")
	require.Nil(t, f.must(200, "GET", conv, nil).JSON(t)["agentId"], "not handed straight back to ann")

	f.must(200, "PATCH", path("/agents/bob"), map[string]any{"status": "ACTIVE"})
	require.Equal(t, "bob", f.must(200, "GET", conv, nil).JSON(t)["agentId"], "another agent takes it")
}

// TestUnsupportedInfobipFilters checks that a filter Infobip documents and
// parley does not offer is a 400 naming it, in lenient mode too: ignored,
// the list would not be filtered.
func TestUnsupportedInfobipFilters(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	for _, tc := range []struct{ path, field string }{
		{"/agents?email=ann%40example.com", "email"},
	} {
		requireField(t, f.do("GET", path("%s", tc.path), nil), tc.field)
	}
	// An empty value is none, as everywhere.
	f.must(200, "GET", path("/agents?email="), nil)
}

// TestTemplateParameters checks TEMPLATE content in the shape Infobip's
// clients send: parameters as objects {"default": "..."}, or strings.
func TestTemplateParameters(t *testing.T) {
	t.Parallel()
	for _, strict := range []bool{false, true} {
		var f *fixture
		if strict {
			f = setup(t, nil, httpapi.WithStrict())
		} else {
			f = setup(t, nil)
		}
		id := f.create(map[string]any{"channel": "WHATSAPP"})["id"].(string)
		msgs := path("/conversations/%s/messages", id)
		m := f.must(200, "POST", msgs, `{"channel": "WHATSAPP", "contentType": "TEMPLATE",
			"content": {"templateName": "welcome_multiple_languages", "language": "es", "parameters": [{"default": "Pablo"}, "7"]}}`).JSON(t)
		require.Equal(t, map[string]any{"templateName": "welcome_multiple_languages", "language": "es", "parameters": []any{"Pablo", "7"}}, m["content"])
		for _, bad := range []string{`[{"value": "x"}]`, `[{"default": "x", "other": 1}]`, `[{"default": 5}]`, `[5]`, `[["x"]]`} {
			r := f.do("POST", msgs, `{"contentType": "TEMPLATE", "content": {"templateName": "t", "language": "en", "parameters": `+bad+`}}`)
			requireField(t, r, "content.parameters")
		}
		require.Len(t, f.must(200, "GET", msgs, nil).Items(t, "messages"), 1, "nothing refused was written")
	}
}

// TestEmailSenderFields checks content.sender and content.senderName of
// EMAIL messages, which Infobip's clients read: taken, kept and answered;
// refused, naming the field, on another channel.
func TestEmailSenderFields(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	id := f.create(map[string]any{"channel": "EMAIL"})["id"].(string)
	msgs := path("/conversations/%s/messages", id)
	content := map[string]any{"text": "Your invoice", "sender": "billing@example.com", "senderName": "Billing"}
	m := f.must(200, "POST", msgs, map[string]any{"id": "e1", "content": content}).JSON(t)
	require.Equal(t, content, m["content"])
	require.Equal(t, content, f.must(200, "GET", msgs+"/e1", nil).JSON(t)["content"])

	sms := f.create(map[string]any{"channel": "SMS"})["id"].(string)
	requireField(t, f.do("POST", path("/conversations/%s/messages", sms), map[string]any{"content": content}), "content.sender")
	require.Empty(t, f.must(200, "GET", path("/conversations/%s/messages", sms), nil).Items(t, "messages"))
	// An EMAIL message on a conversation of another channel may carry them.
	f.must(200, "POST", path("/conversations/%s/messages", sms), map[string]any{"channel": "EMAIL", "content": content})
}

// TestQueueAutoAssignmentInfobipName checks isAutoAssignmentEnabled,
// Infobip's name of autoAssignment: read on create and patch, answered
// beside it, and refused together with it.
func TestQueueAutoAssignmentInfobipName(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	q := f.must(200, "POST", path("/queues"), map[string]any{"id": "es", "name": "Spanish Support", "isAutoAssignmentEnabled": true}).JSON(t)
	require.Equal(t, true, q["isAutoAssignmentEnabled"])
	require.Equal(t, true, q["autoAssignment"])
	q = f.must(200, "PATCH", path("/queues/es"), map[string]any{"isAutoAssignmentEnabled": false}).JSON(t)
	require.Equal(t, false, q["isAutoAssignmentEnabled"])
	require.Equal(t, false, q["autoAssignment"])
	requireField(t, f.do("PATCH", path("/queues/es"), map[string]any{"isAutoAssignmentEnabled": true, "autoAssignment": true}), "isAutoAssignmentEnabled")
	requireField(t, f.do("PATCH", path("/queues/es"), map[string]any{"isAutoAssignmentEnabled": "yes"}), "isAutoAssignmentEnabled")
	requireField(t, f.do("PATCH", path("/queues/es"), map[string]any{"isAutoAssignmentEnabled": nil}), "autoAssignment")
	require.Equal(t, false, f.must(200, "GET", path("/queues/es"), nil).JSON(t)["autoAssignment"], "nothing refused was written")
}
