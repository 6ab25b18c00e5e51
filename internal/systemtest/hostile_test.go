package systemtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/httpapi"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// injections are SQL injection attempts: every one is a legal id, topic,
// summary, customer id, attribute and message text (parley keeps text as
// it is given), and no legal tag name, order or enum value.
var injections = []string{
	`'; DROP TABLE conversations; --`,
	`" OR "1"="1`,
	`' OR '1'='1' --`,
	`1; DELETE FROM parley.events WHERE 1=1`,
	`x'); DROP TABLE parley_messages; --`,
	`') ; UPDATE agents SET enabled = false; --`,
	`' UNION SELECT id, topic FROM conversations --`,
	`$1::text`,
	`?1 OR 1=1`,
	`%' AND 1=1 --`,
	`_%_`,
	`\'; SELECT pg_sleep(10); --`,
	`/* comment */ SELECT 1`,
	`{conversations}`,
	`'; COMMIT; DROP SCHEMA parley CASCADE; --`,
}

// hostileFixture is a service over a fresh store with the HTTP adapter in
// front: agents ann (AGENT) and sam (SUPERVISOR), queue q1, conversations
// c1 (OPEN, tagged vip, assigned to ann, messages m1 and m2) and c2 (CLOSED,
// tagged billing).
type hostileFixture struct {
	*fixture
	handler http.Handler
	raw     *rawDB
}

func newHostileFixture(t *testing.T, setup setupFunc) *hostileFixture {
	t.Helper()
	fx := setup(t)
	fx.agent(t, "ann", routing.RoleAgent)
	fx.agent(t, "sam", routing.RoleSupervisor)
	fx.queue(t, "q1", "Support")
	fx.conversation(t, conversation.Conversation{ID: "c1", AgentID: "ann", Tags: []string{"vip"}})
	fx.tick()
	fx.conversation(t, conversation.Conversation{ID: "c2", Status: conversation.Closed, Tags: []string{"billing"}})
	for _, id := range []string{"m1", "m2"} {
		_, err := fx.svc.CreateMessage(fx.ctx, "c1", message.Message{ID: id, Direction: message.Inbound, Content: message.Content{Text: "hi"}})
		require.NoError(t, err)
	}
	return &hostileFixture{fixture: fx, handler: httpapi.New(fx.svc, httpapi.WithStrict()), raw: openRaw(t, fx.store)}
}

// answer is an HTTP answer.
type answer struct {
	status int
	body   map[string]any
	raw    []byte
}

// do sends a request to the adapter; path is under /ccaas/1.
func (h *hostileFixture) do(t *testing.T, method, path string, body []byte, headers ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequestWithContext(h.base, method, "/ccaas/1"+path, rd)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.handler.ServeHTTP(rec, req)
	a := answer{status: rec.Code, raw: rec.Body.Bytes()}
	if len(a.raw) > 0 {
		require.NoError(t, json.Unmarshal(a.raw, &a.body), "%s %s: not JSON: %q", method, path, a.raw)
	}
	if a.status >= 400 {
		requireCleanMessage(t, a.body["message"], a.body["field"])
	}
	return a
}

// internals are what an error message must never show a client: a
// package's name, SQL, a database code or a driver's text.
var internals = regexp.MustCompile(`(?i)sqlstore|memstore|parley:|httpapi|helpdesk:|sqlstate|sqlite|pgx|postgres|pq:|\bselect\b|\binsert\b|\bupdate \w+ set\b|\bwhere\b|constraint|violates|goroutine|\.go:\d|%!`)

// quoted is a quoted value in a message: the client's own input, which may
// be anything.
var quoted = regexp.MustCompile(`"(\\.|[^"\\])*"`)

// requireCleanMessage requires an error message that names what is wrong
// without internals (what the client sent, quoted or named as the field,
// aside).
func requireCleanMessage(t *testing.T, message, field any) {
	t.Helper()
	msg, _ := message.(string)
	require.NotEmpty(t, msg)
	clean := quoted.ReplaceAllString(msg, `""`)
	if f, _ := field.(string); f != "" {
		clean = strings.ReplaceAll(clean, f, "")
	}
	require.False(t, internals.MatchString(clean), "the message shows internals: %q", msg)
}

// nextCursor lists under path and returns the answer's nextCursor.
func (h *hostileFixture) nextCursor(t *testing.T, path string) string {
	t.Helper()
	a := h.do(t, "GET", path, nil)
	require.Equal(t, 200, a.status, "%s", a.raw)
	p, _ := a.body["pagination"].(map[string]any)
	cursor, _ := p["nextCursor"].(string)
	require.NotEmpty(t, cursor, "no cursor from %s: %s", path, a.raw)
	return cursor
}

// state is everything that must not move when a request is refused: what
// the service reads back, and the raw row counts of an SQL store.
type state struct {
	snapshot snapshot
	rows     map[string]int64
}

func (h *hostileFixture) state(t *testing.T) state {
	t.Helper()
	return state{snapshot: h.snapshot(t), rows: h.raw.counts(t)}
}

// counts are the row counts of every table of an SQL store, or for the
// memory store the sizes of what the service reads back: cheap enough to
// take around each request, so that a write is pinned on the input that
// made it.
func (h *hostileFixture) counts(t *testing.T) map[string]int64 {
	t.Helper()
	if h.raw != nil {
		return h.raw.counts(t)
	}
	out := map[string]int64{}
	ctx := h.ctx
	page, err := h.svc.ListConversations(ctx, storage.ConversationQuery{Paging: storage.Paging{Limit: storage.MaxLimit}})
	require.NoError(t, err)
	out["service: conversations"] = int64(page.Total)
	for _, c := range page.Items {
		m, err := h.svc.ListMessages(ctx, storage.MessageQuery{ConversationID: c.ID, Paging: storage.Paging{Limit: 1}})
		require.NoError(t, err)
		out["service: messages"] += int64(m.Total)
	}
	tags, err := h.svc.ListTags(ctx, storage.TagQuery{Paging: storage.Paging{Limit: 1}})
	require.NoError(t, err)
	out["service: tags"] = int64(tags.Total)
	agents, err := h.svc.ListAgents(ctx, storage.AgentQuery{Paging: storage.Paging{Limit: 1}})
	require.NoError(t, err)
	out["service: agents"] = int64(agents.Total)
	queues, err := h.svc.ListQueues(ctx, storage.QueueQuery{Paging: storage.Paging{Limit: 1}})
	require.NoError(t, err)
	out["service: queues"] = int64(queues.Total)
	rules, err := h.svc.RoutingRules(ctx)
	require.NoError(t, err)
	out["service: rules"] = int64(len(rules))
	out["service: events"] = int64(len(h.events(t)))
	return out
}

// jsonBody encodes v.
func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// nested is a JSON value nested depth arrays deep.
func nested(depth int) string {
	return strings.Repeat("[", depth) + strings.Repeat("]", depth)
}

// hostileRequest is a request the adapter must refuse: status is the
// answer, field the field a 400 names, mention what the message of another
// 4xx must contain.
type hostileRequest struct {
	name    string
	method  string
	path    string
	body    []byte
	headers []string
	status  int
	field   string
	mention string
}

// hostileRequests are the refused requests, for a fixture whose cursors
// are given: conversations is a cursor of the conversation list with
// status=OPEN&limit=1, messages one of c1's messages, tags one of the tag
// catalog.
func hostileRequests(conversations, messages, tags string) []hostileRequest {
	q := url.QueryEscape
	p := url.PathEscape
	var out []hostileRequest
	bad := func(name, method, path string, body any, field string, headers ...string) {
		var b []byte
		switch v := body.(type) {
		case nil:
		case string:
			b = []byte(v)
		case []byte:
			b = v
		default:
			b = jsonBody(v)
		}
		out = append(out, hostileRequest{name: name, method: method, path: path, body: b, headers: headers, status: 400, field: field})
	}
	other := func(name, method, path string, body any, status int, mention string, headers ...string) {
		var b []byte
		if body != nil {
			b = jsonBody(body)
		}
		out = append(out, hostileRequest{name: name, method: method, path: path, body: b, headers: headers, status: status, mention: mention})
	}

	// SQL injection where no such text is legal: tag names, orders, enums,
	// cursors, numbers; and ids that name nothing.
	for i, s := range injections {
		n := fmt.Sprintf("injection %d", i)
		bad(n+" as a tag", "POST", "/conversations/c1/tags", map[string]any{"tagName": s}, "tagName")
		bad(n+" as a new tag", "POST", "/tags", map[string]any{"name": s}, "tagName")
		bad(n+" as a tag on create", "POST", "/conversations", map[string]any{"tags": []string{"ok", s}}, "tags")
		bad(n+" as a tag to remove", "DELETE", "/conversations/c1/tags/"+p(s), nil, "tagName")
		bad(n+" as a tag filter", "GET", "/conversations?tag="+q(s), nil, "tag")
		bad(n+" as a tag prefix", "GET", "/tags?prefix="+q(s), nil, "prefix")
		bad(n+" as orderBy", "GET", "/conversations?orderBy="+q(s), nil, "orderBy")
		bad(n+" as orderBy direction", "GET", "/conversations?orderBy="+q("createdAt:"+s), nil, "orderBy")
		bad(n+" as status", "GET", "/conversations?status="+q(s), nil, "status")
		bad(n+" as priority", "PATCH", "/conversations/c1", map[string]any{"priority": s}, "priority")
		bad(n+" as channel", "POST", "/conversations", map[string]any{"channel": s}, "channel")
		bad(n+" as a limit", "GET", "/conversations?limit="+q(s), nil, "limit")
		bad(n+" as a page", "GET", "/conversations?page="+q(s), nil, "page")
		bad(n+" as a cursor", "GET", "/conversations?cursor="+q(s), nil, "cursor")
		bad(n+" as a time", "GET", "/conversations?createdAfter="+q(s), nil, "createdAfter")
		bad(n+" as a direction", "POST", "/conversations/c1/messages", map[string]any{"direction": s, "content": map[string]any{"text": "x"}}, "direction")
		bad(n+" as a content type", "POST", "/conversations/c1/messages", map[string]any{"contentType": s, "content": map[string]any{"text": "x"}}, "contentType")
		bad(n+" as an agent role", "POST", "/agents", map[string]any{"displayName": "X", "role": s}, "role")
		bad(n+" as a queue strategy", "POST", "/queues", map[string]any{"name": "X", "strategy": s}, "strategy")
		bad(n+" as a JSON key", "POST", "/conversations", `{"topic": "a", `+string(jsonBody(s))+`: 1}`, s)
		quoted := strconv.Quote(s)
		other(n+" as a conversation id", "GET", "/conversations/"+p(s), nil, 404, quoted)
		other(n+" as an assignee", "PUT", "/conversations/c1/assignee", map[string]any{"agentId": s}, 404, quoted)
		other(n+" as a queue to transfer to", "POST", "/conversations/c1/transfer", map[string]any{"queueId": s}, 404, quoted)
		other(n+" as the actor", "POST", "/conversations/c1/messages", map[string]any{"content": map[string]any{"text": "x"}}, 404, quoted, httpapi.HeaderAgentID, s)
		other(n+" as the conversation of a message", "POST", "/conversations/"+p(s)+"/messages", map[string]any{"direction": "INBOUND", "content": map[string]any{"text": "x"}}, 404, quoted)
		other(n+" as a message id", "GET", "/conversations/c1/messages/"+p(s), nil, 404, quoted)
		other(n+" as an agent id", "GET", "/agents/"+p(s), nil, 404, quoted)
		other(n+" as an agent id to patch", "PATCH", "/agents/"+p(s), map[string]any{"displayName": s}, 404, quoted)
		other(n+" as a queue id", "GET", "/queues/"+p(s), nil, 404, quoted)
		other(n+" as a queue id to patch", "PATCH", "/queues/"+p(s), map[string]any{"name": s}, 404, quoted)
		other(n+" as the queue of a member", "POST", "/queues/"+p(s)+"/agents", map[string]any{"agentId": "ann"}, 404, quoted)
		other(n+" as a member to add", "POST", "/queues/q1/agents", map[string]any{"agentId": s}, 404, quoted)
		other(n+" as the queue of a member to remove", "DELETE", "/queues/"+p(s)+"/agents/ann", nil, 404, quoted)
		other(n+" as a member to remove", "DELETE", "/queues/q1/agents/"+p(s), nil, 404, quoted)
		other(n+" as the queue of a new conversation", "POST", "/conversations", map[string]any{"queueId": s}, 404, quoted)
		other(n+" as the queue of a rule", "PUT", "/routing", map[string]any{"rules": []any{map[string]any{"id": s, "name": s, "queueId": s}}}, 404, quoted)
		other(n+" as the history to read", "GET", "/conversations/"+p(s)+"/history", nil, 404, quoted)
		other(n+" as the tags of a conversation", "GET", "/tags?conversationId="+q(s), nil, 404, quoted)
		bad(n+" as a rule's condition tag", "PUT", "/routing", map[string]any{"rules": []any{map[string]any{"name": s, "queueId": "q1", "condition": map[string]any{"tagsAny": []string{s}}}}}, "rules[0].condition.tagsAny")
		bad(n+" as a rule's channel", "PUT", "/routing", map[string]any{"rules": []any{map[string]any{"name": s, "queueId": "q1", "condition": map[string]any{"channels": []string{s}}}}}, "rules[0].condition.channels")
		bad(n+" as a rule's match", "PUT", "/routing", map[string]any{"rules": []any{map[string]any{"name": s, "queueId": "q1", "condition": map[string]any{"match": s}}}}, "rules[0].condition.match")
		bad(n+" as an agent status", "PATCH", "/agents/ann", map[string]any{"status": s}, "status")
		bad(n+" as an event seq", "GET", "/events?after="+q(s), nil, "after")
	}

	// Bodies far over the limit, deeply nested, not UTF-8, with NUL bytes.
	huge := `{"topic": "` + strings.Repeat("x", 10<<20) + `"}`
	bad("10 MB body", "POST", "/conversations", huge, "body")
	bad("10 MB message", "POST", "/conversations/c1/messages", `{"content": {"text": "`+strings.Repeat("é", 5<<20)+`"}}`, "body")
	bad("10 MB of whitespace", "PATCH", "/conversations/c1", strings.Repeat(" ", 10<<20)+`{}`, "body")
	bad("nested 100000 deep at the top", "POST", "/conversations", nested(100000), "body")
	// Nesting deeper than encoding/json's limit (10000) is no JSON it reads.
	bad("nested 100000 deep in attributes", "POST", "/conversations", `{"attributes": `+nested(100000)+`}`, "body")
	bad("nested 100000 deep in a string field", "POST", "/conversations", `{"topic": `+nested(100000)+`}`, "body")
	bad("nested objects 50000 deep", "PATCH", "/conversations/c1", `{"topic": `+strings.Repeat(`{"a":`, 50000)+"1"+strings.Repeat("}", 50000)+`}`, "body")
	bad("nested routing condition", "PUT", "/routing", `{"rules": [{"name": "r", "queueId": "q1", "condition": {"channels": `+nested(50000)+`}}]}`, "body")
	bad("nested 5000 deep in attributes", "POST", "/conversations", `{"attributes": `+nested(5000)+`}`, "attributes")
	bad("nested 5000 deep in a string field", "POST", "/conversations", `{"topic": `+strings.Repeat(`{"a":`, 5000)+"1"+strings.Repeat("}", 5000)+`}`, "topic")
	bad("unterminated nesting", "POST", "/conversations", strings.Repeat(`{"topic":`, 100000), "body")
	bad("invalid UTF-8 in a body", "POST", "/conversations", "{\"topic\": \"\xff\xfe\"}", "body")
	bad("invalid UTF-8 in a key", "POST", "/conversations", "{\"top\xc3ic\": \"x\"}", "body")
	bad("invalid UTF-8 in an id", "GET", "/conversations/%FF%FE", nil, "id")
	bad("invalid UTF-8 in a query", "GET", "/conversations?topic=%FF", nil, "topic")
	bad("half a surrogate pair escaped in JSON", "POST", "/conversations", `{"topic": "a\ud800b"}`, "body")
	bad("a low surrogate escaped in JSON", "PATCH", "/conversations/c1", `{"summary": "\udfff"}`, "body")
	bad("surrogates the wrong way round", "POST", "/conversations/c1/messages", `{"content": {"text": "\udc00\ud800"}}`, "body")
	bad("invalid UTF-8 in the actor", "POST", "/conversations/c1/messages", `{"content": {"text": "x"}}`, httpapi.HeaderAgentID, httpapi.HeaderAgentID, "\xff")
	bad("NUL in a topic", "POST", "/conversations", `{"topic": "a\u0000b"}`, "topic")
	bad("NUL in an id", "POST", "/conversations", `{"id": "c\u0000"}`, "id")
	bad("NUL in a path id", "GET", "/conversations/c%00", nil, "id")
	bad("NUL in a customer id filter", "GET", "/conversations?customerId=a%00", nil, "customerId")
	bad("NUL in an attribute key", "PATCH", "/conversations/c1", `{"attributes": {"a\u0000": "v"}}`, "attributes")
	bad("NUL in an attribute value", "PATCH", "/conversations/c1", `{"attributes": {"a": "\u0000"}}`, "attributes.a")
	bad("NUL in a message", "POST", "/conversations/c1/messages", `{"direction": "INBOUND", "content": {"text": "\u0000"}}`, "content.text")
	bad("NUL in a delete reason", "DELETE", "/conversations/c1?reason=%00", nil, "reason")
	bad("NUL in a tag", "POST", "/conversations/c1/tags", `{"tagName": "a\u0000"}`, "tagName")
	bad("raw NUL byte in a body", "POST", "/conversations", "{\"topic\": \"a\x00\"}", "body")

	// Numbers out of range.
	for _, v := range []string{"1001", "-1", "0", "99999999999999999999", "1e3", "9223372036854775807", "-9223372036854775808"} {
		bad("limit "+v, "GET", "/conversations?limit="+v, nil, "limit")
		bad("message limit "+v, "GET", "/conversations/c1/messages?limit="+v, nil, "limit")
		bad("event limit "+v, "GET", "/events?limit="+v, nil, "limit")
	}
	for _, v := range []string{"-1", "2147483647", "9223372036854775807", "-9223372036854775808", "99999999999999999999"} {
		bad("page "+v, "GET", "/conversations?page="+v, nil, "page")
		bad("tag page "+v, "GET", "/tags?page="+v, nil, "page")
	}
	bad("negative after", "GET", "/events?after=-1", nil, "after")
	bad("huge after", "GET", "/events?after=99999999999999999999", nil, "after")
	bad("capacity too large", "POST", "/agents", map[string]any{"displayName": "X", "capacity": 1 << 40}, "capacity")
	bad("negative capacity", "POST", "/agents", map[string]any{"displayName": "X", "capacity": -1}, "capacity")
	bad("latitude out of range", "POST", "/conversations/c1/messages", map[string]any{"contentType": "LOCATION", "content": map[string]any{"latitude": 1e308, "longitude": 0}}, "content.latitude")
	bad("version negative", "PATCH", "/conversations/c1", map[string]any{"topic": "x", "version": -1}, "version")
	bad("version not an integer", "PATCH", "/conversations/c1", `{"topic": "x", "version": 1.5}`, "version")

	// Unknown enum values.
	bad("unknown status", "POST", "/conversations", map[string]any{"status": "DONE"}, "status")
	bad("unknown status in a patch", "PATCH", "/conversations/c1", map[string]any{"status": "ARCHIVED"}, "status")
	bad("unknown priority", "POST", "/conversations", map[string]any{"priority": "CRITICAL"}, "priority")
	bad("unknown channel", "POST", "/conversations", map[string]any{"channel": "PIGEON"}, "channel")
	bad("lower-case enum", "POST", "/conversations", map[string]any{"channel": "sms"}, "channel")
	bad("unknown status filter", "GET", "/conversations?status=OPEN&status=GONE", nil, "status")
	bad("unknown order", "GET", "/conversations?orderBy=topic:asc", nil, "orderBy")
	bad("unknown direction", "POST", "/conversations/c1/messages", map[string]any{"direction": "SIDEWAYS", "content": map[string]any{"text": "x"}}, "direction")
	bad("unknown content type", "POST", "/conversations/c1/messages", map[string]any{"contentType": "GIF", "content": map[string]any{"text": "x"}}, "contentType")
	bad("unknown agent status", "PATCH", "/agents/ann", map[string]any{"status": "ASLEEP"}, "status")
	bad("unknown match", "PUT", "/routing", map[string]any{"rules": []any{map[string]any{"name": "r", "queueId": "q1", "condition": map[string]any{"match": "some"}}}}, "rules[0].condition.match")
	bad("unknown field", "POST", "/conversations", map[string]any{"colour": "red"}, "colour")
	bad("unknown query parameter", "GET", "/conversations?drop=table", nil, "drop")

	// Duplicates.
	other("duplicate conversation id", "POST", "/conversations", map[string]any{"id": "c1"}, 409, `"c1"`)
	other("duplicate message id", "POST", "/conversations/c1/messages", map[string]any{"id": "m1", "direction": "INBOUND", "content": map[string]any{"text": "x"}}, 409, `"m1"`)
	other("duplicate agent id", "POST", "/agents", map[string]any{"id": "ann", "displayName": "Ann"}, 409, `"ann"`)
	other("duplicate queue id", "POST", "/queues", map[string]any{"id": "q1", "name": "Other"}, 409, `"q1"`)
	// The SQL store names the queue's id here, not its name; the adapter
	// tells them apart (see RELIABILITY.md).
	other("duplicate queue name", "POST", "/queues", map[string]any{"id": "q2", "name": "Support"}, 409, "already exists")
	// Infobip answers a duplicate tag with a 400, "Tag already exists."
	other("duplicate tag", "POST", "/tags", map[string]any{"name": "vip"}, 400, "Tag already exists.")
	bad("duplicate key", "POST", "/conversations", `{"topic": "a", "topic": "b"}`, "topic")
	bad("key and its alias", "POST", "/conversations", `{"topic": "a", "subject": "b"}`, "subject")
	bad("duplicate rule ids", "PUT", "/routing", map[string]any{"rules": []any{
		map[string]any{"id": "r", "name": "a", "queueId": "q1"}, map[string]any{"id": "r", "name": "b", "queueId": "q1"},
	}}, "rules[1].id")
	bad("repeated single parameter", "GET", "/conversations?limit=1&limit=2", nil, "limit")

	// Cursors of other queries.
	bad("cursor of another filter", "GET", "/conversations?status=CLOSED&limit=1&cursor="+q(conversations), nil, "cursor")
	bad("cursor of another order", "GET", "/conversations?status=OPEN&limit=1&orderBy=createdAt:asc&cursor="+q(conversations), nil, "cursor")
	bad("conversation cursor for messages", "GET", "/conversations/c1/messages?cursor="+q(conversations), nil, "cursor")
	bad("message cursor for conversations", "GET", "/conversations?status=OPEN&limit=1&cursor="+q(messages), nil, "cursor")
	bad("message cursor of another conversation", "GET", "/conversations/c2/messages?cursor="+q(messages), nil, "cursor")
	bad("tag cursor for conversations", "GET", "/conversations?cursor="+q(tags), nil, "cursor")
	bad("tag cursor for agents", "GET", "/agents?cursor="+q(tags), nil, "cursor")
	bad("cursor with a page", "GET", "/conversations?status=OPEN&limit=1&page=1&cursor="+q(conversations), nil, "cursor")
	bad("cursor cut short", "GET", "/conversations?status=OPEN&limit=1&cursor="+q(conversations[:len(conversations)-2]), nil, "cursor")
	bad("cursor tampered", "GET", "/conversations?status=OPEN&limit=1&cursor="+q(tamper(conversations)), nil, "cursor")
	bad("forged cursor with a NUL id", "GET", "/conversations?status=OPEN&limit=1&cursor="+q(forgeCursor(conversations, 0, 0, "c\x00")), nil, "cursor")
	bad("forged cursor with invalid UTF-8", "GET", "/conversations?status=OPEN&limit=1&cursor="+q(forgeCursor(conversations, 0, 0, "\xff")), nil, "cursor")
	return out
}

// requireNoSQL fails when an error message carries SQL other than what the
// request sent (which messages quote when they name a bad value).
func requireNoSQL(t *testing.T, msg string) {
	t.Helper()
	rest := msg
	for _, s := range injections {
		rest = strings.ReplaceAll(rest, strconv.Quote(s), "")
		rest = strings.ReplaceAll(rest, s, "")
	}
	for _, word := range []string{"SELECT", "INSERT", "UPDATE", "DELETE", " FROM ", " WHERE ", "parley_", `"parley".`, "$1", "?1"} {
		require.NotContains(t, rest, word, "SQL in the message %q", msg)
	}
}

// TestHostileRequests sends every hostile request through the HTTP adapter
// on every store: each is a 4xx naming the field (or, for a missing or
// taken id, the id), writes nothing (the service's view and the raw row
// counts are the same before and after), and leaves the database intact.
func TestHostileRequests(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, setup setupFunc) {
		h := newHostileFixture(t, setup)
		h.do(t, "POST", "/conversations", jsonBody(map[string]any{"id": "c3"}))
		requests := hostileRequests(
			h.nextCursor(t, "/conversations?status=OPEN&limit=1"),
			h.nextCursor(t, "/conversations/c1/messages?limit=1&direction=INBOUND"),
			h.nextCursor(t, "/tags?limit=1"),
		)
		_ = h.do(t, "DELETE", "/conversations/c3", nil)
		before := h.state(t)
		for _, r := range requests {
			t.Run(r.name, func(t *testing.T) {
				counts := h.counts(t)
				a := h.do(t, r.method, r.path, r.body, r.headers...)
				require.Equal(t, counts, h.counts(t), "row counts: %s %.200s wrote", r.method, r.path)
				require.Equal(t, r.status, a.status, "%s %.200s: %.300s", r.method, r.path, a.raw)
				require.Equal(t, "ERROR", a.body["statusCode"])
				if r.status == 400 && r.mention == "" {
					require.Equal(t, "INVALID", a.body["code"], "%s", a.raw)
					if r.field != "" {
						require.Equal(t, r.field, a.body["field"], "%.300s", a.raw)
					} else {
						require.NotEmpty(t, a.body["field"], "%.300s", a.raw)
					}
				} else {
					require.Contains(t, a.body["message"], r.mention)
				}
				requireNoSQL(t, fmt.Sprint(a.body["message"]))
			})
		}
		after := h.state(t)
		require.Equal(t, before.rows, after.rows, "row counts")
		require.Equal(t, before.snapshot, after.snapshot)
		h.raw.requireIntact(t)
		checkLog(t, h.ctx, h.svc, false)
		t.Logf("%d hostile requests refused, nothing written", len(requests))
	})
}

// TestHostileServiceCalls makes the same kinds of hostile calls on the
// service itself, below the adapter, on every store: ErrInvalid naming the
// field, or ErrAlreadyExists for a taken id, and nothing written.
func TestHostileServiceCalls(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, setup setupFunc) {
		h := newHostileFixture(t, setup)
		ctx, svc := h.ctx, h.svc
		cursorOf := func(q storage.ConversationQuery) string {
			q.Limit = 1
			page, err := svc.ListConversations(ctx, q)
			require.NoError(t, err)
			require.NotEmpty(t, page.NextCursor)
			return page.NextCursor
		}
		openCursor := cursorOf(storage.ConversationQuery{})
		type call struct {
			name  string
			do    func() error
			field string // "" for ErrAlreadyExists
		}
		var calls []call
		invalid := func(name, field string, do func() error) { calls = append(calls, call{name, do, field}) }
		exists := func(name string, do func() error) { calls = append(calls, call{name, do, ""}) }
		list := func(q storage.ConversationQuery) func() error {
			return func() error { return ignore(svc.ListConversations(ctx, q)) }
		}
		for i, s := range injections {
			n := fmt.Sprintf("injection %d", i)
			invalid(n+" as a tag", "tagName", func() error { return ignore(svc.AddTag(ctx, "c1", s)) })
			invalid(n+" as a new tag", "tagName", func() error { return ignore(svc.CreateTag(ctx, s)) })
			invalid(n+" in tags", "tags", func() error { return ignore(svc.CreateConversation(ctx, conversation.Conversation{Tags: []string{s}})) })
			invalid(n+" as a tag filter", "tag", list(storage.ConversationQuery{Filter: storage.ConversationFilter{Tags: []string{s}}}))
			invalid(n+" as an order", "orderBy", list(storage.ConversationQuery{Order: storage.Order{Field: storage.SortField(s)}}))
			invalid(n+" as a status", "status", list(storage.ConversationQuery{Filter: storage.ConversationFilter{Statuses: []conversation.Status{conversation.Status(s)}}}))
			invalid(n+" as a channel", "channel", func() error {
				return ignore(svc.CreateConversation(ctx, conversation.Conversation{Channel: conversation.Channel(s)}))
			})
			invalid(n+" as a cursor", "cursor", list(storage.ConversationQuery{Paging: storage.Paging{Cursor: s}}))
		}
		invalid("10 MB topic", "topic", func() error {
			return ignore(svc.CreateConversation(ctx, conversation.Conversation{Topic: strings.Repeat("x", 10<<20)}))
		})
		invalid("10 MB message", "content.text", func() error {
			return ignore(svc.CreateMessage(ctx, "c1", message.Message{Direction: message.Inbound, Content: message.Content{Text: strings.Repeat("x", 10<<20)}}))
		})
		invalid("10 MB delete reason", "reason", func() error { return svc.DeleteConversation(ctx, "c1", strings.Repeat("x", 10<<20)) })
		invalid("invalid UTF-8 topic", "topic", func() error {
			return ignore(svc.UpdateConversation(ctx, "c1", conversation.Patch{Topic: ptr("\xff")}))
		})
		invalid("invalid UTF-8 id", "id", func() error { return ignore(svc.GetConversation(ctx, "\xc3")) })
		invalid("NUL in a summary", "summary", func() error {
			return ignore(svc.UpdateConversation(ctx, "c1", conversation.Patch{Summary: ptr("a\x00")}))
		})
		invalid("NUL in a customer id", "customerId", func() error {
			_, _, err := svc.ReceiveInbound(ctx, "cust\x00", conversation.SMS, message.Message{Content: message.Content{Text: "x"}})
			return err
		})
		invalid("NUL in a topic filter", "topic", list(storage.ConversationQuery{Filter: storage.ConversationFilter{TopicContains: "\x00"}}))
		invalid("limit too large", "limit", list(storage.ConversationQuery{Paging: storage.Paging{Limit: 1 << 40}}))
		invalid("negative limit", "limit", list(storage.ConversationQuery{Paging: storage.Paging{Limit: -1 << 40}}))
		invalid("negative page", "page", list(storage.ConversationQuery{Paging: storage.Paging{Page: -1}}))
		invalid("huge page", "page", list(storage.ConversationQuery{Paging: storage.Paging{Page: 1 << 62, Limit: 1000}}))
		invalid("negative event seq", "after", func() error { return ignore(svc.Events(ctx, storage.EventQuery{After: -1})) })
		invalid("unknown priority", "priority", func() error {
			return ignore(svc.UpdateConversation(ctx, "c1", conversation.Patch{Priority: ptr(conversation.Priority("CRITICAL"))}))
		})
		invalid("unknown direction", "direction", func() error {
			return ignore(svc.CreateMessage(ctx, "c1", message.Message{Direction: "SIDEWAYS", Content: message.Content{Text: "x"}}))
		})
		invalid("unknown role", "role", func() error {
			return ignore(svc.CreateAgent(ctx, routing.Agent{DisplayName: "X", Role: "ADMIN"}))
		})
		invalid("cursor of another query", "cursor", list(storage.ConversationQuery{
			Filter: storage.ConversationFilter{Statuses: []conversation.Status{conversation.Closed}},
			Paging: storage.Paging{Cursor: openCursor},
		}))
		invalid("conversation cursor for messages", "cursor", func() error {
			return ignore(svc.ListMessages(ctx, storage.MessageQuery{ConversationID: "c1", Paging: storage.Paging{Cursor: openCursor}}))
		})
		invalid("forged cursor", "cursor", list(storage.ConversationQuery{Paging: storage.Paging{Cursor: forgeCursor(openCursor, -1, 200, "\x00")}}))
		exists("duplicate conversation id", func() error { return ignore(svc.CreateConversation(ctx, conversation.Conversation{ID: "c1"})) })
		exists("duplicate message id", func() error {
			return ignore(svc.CreateMessage(ctx, "c1", message.Message{ID: "m1", Direction: message.Inbound, Content: message.Content{Text: "x"}}))
		})
		exists("duplicate agent id", func() error { return ignore(svc.CreateAgent(ctx, routing.Agent{ID: "ann", DisplayName: "A"})) })
		exists("duplicate tag", func() error { return ignore(svc.CreateTag(ctx, "vip")) })

		before := h.state(t)
		for _, c := range calls {
			counts := h.counts(t)
			err := c.do()
			require.Equal(t, counts, h.counts(t), "row counts: %s wrote", c.name)
			if c.field == "" {
				require.ErrorIs(t, err, parley.ErrAlreadyExists, c.name)
				continue
			}
			require.ErrorIs(t, err, parley.ErrInvalid, c.name)
			var fe *parley.FieldError
			require.ErrorAs(t, err, &fe, c.name)
			require.Equal(t, c.field, fe.Field, "%s: %v", c.name, err)
		}
		after := h.state(t)
		require.Equal(t, before.rows, after.rows, "row counts")
		require.Equal(t, before.snapshot, after.snapshot)
		h.raw.requireIntact(t)
		t.Logf("%d hostile service calls refused, nothing written", len(calls))
	})
}

// TestInjectionStoredVerbatim stores every injection string wherever free
// text is allowed, through the adapter and through the service, on every
// store: it comes back byte for byte, by id and through the filters, the
// row counts grow by exactly what was created, and the tables are intact.
func TestInjectionStoredVerbatim(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, setup setupFunc) {
		h := newHostileFixture(t, setup)
		before := h.raw.counts(t)
		for i, s := range injections {
			// Through the adapter.
			a := h.do(t, "POST", "/conversations", jsonBody(map[string]any{
				"id": s, "topic": s, "summary": s, "customerId": s, "attributes": map[string]string{s: s, "k": s},
			}))
			require.Equal(t, 200, a.status, "%s", a.raw)
			for _, f := range []string{"id", "topic", "summary", "customerId"} {
				require.Equal(t, s, a.body[f], f)
			}
			got := h.do(t, "GET", "/conversations/"+url.PathEscape(s), nil)
			require.Equal(t, 200, got.status, "%s", got.raw)
			require.Equal(t, a.body, got.body)
			require.Equal(t, map[string]any{s: s, "k": s}, got.body["attributes"])
			for _, filter := range []string{"topic=", "customerId=", "ids="} {
				l := h.do(t, "GET", "/conversations?"+filter+url.QueryEscape(s), nil)
				require.Equal(t, 200, l.status, "%s", l.raw)
				items, _ := l.body["conversations"].([]any)
				require.Len(t, items, 1, "filter %s%s: %s", filter, s, l.raw)
				require.Equal(t, s, items[0].(map[string]any)["id"])
			}
			m := h.do(t, "POST", "/conversations/"+url.PathEscape(s)+"/messages", jsonBody(map[string]any{
				"direction": "INBOUND", "from": s, "to": s, "content": map[string]any{"text": s},
			}))
			require.Equal(t, 200, m.status, "%s", m.raw)
			mid, _ := m.body["id"].(string)
			gm := h.do(t, "GET", "/conversations/"+url.PathEscape(s)+"/messages/"+url.PathEscape(mid), nil)
			require.Equal(t, 200, gm.status, "%s", gm.raw)
			require.Equal(t, map[string]any{"text": s}, gm.body["content"])
			require.Equal(t, s, gm.body["from"])
			h.storeVerbatim(t, s)
			d := h.do(t, "DELETE", "/conversations/c1?reason="+url.QueryEscape(s), nil)
			if i == 0 {
				require.Equal(t, 204, d.status, "%s", d.raw)
			}

			// Through the service, with an id of its own.
			id := fmt.Sprintf("svc-%d %s", i, s)
			c, err := h.svc.CreateConversation(h.ctx, conversation.Conversation{ID: id, Topic: s, Summary: s, CustomerID: s, Attributes: map[string]string{s: s}})
			require.NoError(t, err)
			back := h.get(t, id)
			require.Equal(t, c, back)
			require.Equal(t, s, back.Topic)
			require.Equal(t, map[string]string{s: s}, back.Attributes)
			page, err := h.svc.ListConversations(h.ctx, storage.ConversationQuery{Filter: storage.ConversationFilter{TopicContains: s, CustomerID: s}})
			require.NoError(t, err)
			require.ElementsMatch(t, []string{s, id}, conversationIDs(page.Items))
		}
		h.rulesVerbatim(t)
		h.raw.requireIntact(t)
		stats := checkLog(t, h.ctx, h.svc, false)
		require.Equal(t, 1+2*len(injections), stats.Conversations) // c2 and two per injection
		n := int64(len(injections))
		require.Equal(t, verbatimMessages*len(injections), stats.Messages) // m1 and m2 went with c1
		if before != nil {
			after := h.raw.counts(t)
			require.Equal(t, before["conversations"]-1+2*n, after["conversations"])
			require.Equal(t, before["messages"]-2+verbatimMessages*n, after["messages"])
			require.Equal(t, before["agents"]+n, after["agents"])
			require.Equal(t, before["queues"]+n, after["queues"])
			require.Equal(t, before["queue_members"], after["queue_members"])
			require.Equal(t, before["routing_rules"]+n, after["routing_rules"])
			require.Equal(t, before["event_seq"], after["event_seq"])
		}
		t.Logf("%d injection strings stored and read back verbatim, each in %d fields and ids", len(injections), verbatimFields)
	})
}

// verbatimFields is how many fields and ids TestInjectionStoredVerbatim
// stores each injection string in: a conversation's id, topic, summary,
// customer id, attribute key and value through the adapter and again
// through the service; a text message's from, to and text; a delete
// reason; an agent's id and display name; a queue's id and name; a member;
// four message ids and the url, caption, name, address, template name,
// parameters, phone and email of their content; the event feed's filter;
// a rule's id, name, queue, customer id, topic and attribute.
const verbatimFields = 6 + 5 + 3 + 1 + 2 + 2 + 1 + 4 + 8 + 1 + 6

// verbatimMessages is how many messages storeVerbatim and its caller send
// per injection string.
const verbatimMessages = 5

// storeVerbatim stores the injection string s, through the adapter, as
// everything else it is legal for besides a conversation's fields: an
// agent's id and display name, a queue's id and name, a member, the id and
// every text field of messages of each content type, and the filter of
// the event feed. Each comes back byte for byte. The conversation with id
// s exists.
func (h *hostileFixture) storeVerbatim(t *testing.T, s string) {
	t.Helper()
	e := url.PathEscape(s)
	ok := func(status int, method, path string, body any) answer {
		t.Helper()
		var b []byte
		if body != nil {
			b = jsonBody(body)
		}
		a := h.do(t, method, path, b)
		require.Equal(t, status, a.status, "%s %s: %s", method, path, a.raw)
		return a
	}

	// An agent and a queue named by s, and the agent a member of the queue.
	ok(200, "POST", "/agents", map[string]any{"id": s, "displayName": s})
	a := ok(200, "GET", "/agents/"+e, nil)
	require.Equal(t, s, a.body["id"])
	require.Equal(t, s, a.body["displayName"])
	a = ok(200, "PATCH", "/agents/"+e, map[string]any{"displayName": s + s})
	require.Equal(t, s+s, a.body["displayName"])
	ok(200, "POST", "/queues", map[string]any{"id": s, "name": s})
	a = ok(200, "GET", "/queues/"+e, nil)
	require.Equal(t, s, a.body["id"])
	require.Equal(t, s, a.body["name"])
	ok(200, "POST", "/queues/"+e+"/agents", map[string]any{"agentId": s})
	require.Equal(t, []any{s}, ok(200, "GET", "/queues/"+e, nil).body["members"])
	a = ok(200, "GET", "/agents/"+e, nil)
	require.Equal(t, []any{s}, a.body["queues"])
	ok(200, "DELETE", "/queues/"+e+"/agents/"+e, nil)
	require.Empty(t, ok(200, "GET", "/queues/"+e, nil).body["members"])

	// A message of every other content type, s in its id and every text
	// field.
	for _, m := range []map[string]any{
		{"id": "image " + s, "contentType": "IMAGE", "content": map[string]any{"url": s, "caption": s}},
		{"id": "location " + s, "contentType": "LOCATION", "content": map[string]any{"latitude": 45.5, "longitude": -0.25, "name": s, "address": s}},
		{"id": "template " + s, "contentType": "TEMPLATE", "content": map[string]any{"templateName": s, "language": "en", "parameters": []any{s, s}}},
		{"id": "contact " + s, "contentType": "CONTACT", "content": map[string]any{"name": s, "phone": s, "email": s}},
	} {
		m["direction"], m["from"], m["to"] = "INBOUND", s, s
		ok(200, "POST", "/conversations/"+e+"/messages", m)
		id := m["id"].(string)
		got := ok(200, "GET", "/conversations/"+e+"/messages/"+url.PathEscape(id), nil)
		require.Equal(t, id, got.body["id"])
		require.Equal(t, m["content"], got.body["content"], "%s", got.raw)
		require.Equal(t, s, got.body["to"])
	}

	// The event feed filtered by s is the conversation's history.
	feed := ok(200, "GET", "/events?limit=1000&conversationId="+url.QueryEscape(s), nil)
	history := ok(200, "GET", "/conversations/"+e+"/history?limit=1000", nil)
	events, _ := feed.body["events"].([]any)
	require.NotEmpty(t, events, "%s", feed.raw)
	require.Equal(t, history.body["events"], feed.body["events"])
	for _, ev := range events {
		require.Equal(t, s, ev.(map[string]any)["conversationId"])
	}
}

// rulesVerbatim replaces the routing rules, through the adapter, by one
// rule per injection string s, with s as its id, name and queue and in
// every text part of its condition: they read back byte for byte, and
// each routes the conversation with id s (whose topic, customer id and
// attributes are s) to the queue s.
func (h *hostileFixture) rulesVerbatim(t *testing.T) {
	t.Helper()
	var rules []any
	for _, s := range injections {
		rules = append(rules, map[string]any{
			"id": s, "name": s, "queueId": s,
			"condition": map[string]any{"customerId": s, "topicContains": s, "attributes": map[string]any{s: s}},
		})
	}
	a := h.do(t, "PUT", "/routing", jsonBody(map[string]any{"rules": rules}))
	require.Equal(t, 200, a.status, "%s", a.raw)
	got := h.do(t, "GET", "/routing", nil)
	require.Equal(t, 200, got.status, "%s", got.raw)
	back, _ := got.body["rules"].([]any)
	require.Len(t, back, len(injections))
	for i, s := range injections {
		r := back[i].(map[string]any)
		require.Equal(t, s, r["id"])
		require.Equal(t, s, r["name"])
		require.Equal(t, s, r["queueId"])
		c, _ := r["condition"].(map[string]any)
		require.Equal(t, s, c["customerId"], "%s", got.raw)
		require.Equal(t, s, c["topicContains"])
		require.Equal(t, map[string]any{s: s}, c["attributes"])
		sim := h.do(t, "GET", "/conversations/"+url.PathEscape(s)+"/simulate-routing", nil)
		require.Equal(t, 200, sim.status, "%s", sim.raw)
		require.Equal(t, s, sim.body["queueId"], "%s", sim.raw)
	}
}
