package systemtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/httpapi/helpdesk"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// The helpdesk API (package httpapi/helpdesk) driven over HTTP on every
// store: each operation and field of the seed (helpdesk-conversations-api),
// the customers, the scopes, and the round trip that must change nothing.

// headerScopes is the header the tests' actor function reads scopes from,
// comma-separated; x-agent-id gives the agent.
const headerScopes = "x-test-scopes"

func scopesActor(r *http.Request) (parley.Actor, error) {
	a, err := helpdesk.HeaderActor(r)
	if err != nil {
		return a, err
	}
	for s := range strings.SplitSeq(r.Header.Get(headerScopes), ",") {
		if s != "" {
			a.Scopes = append(a.Scopes, parley.Scope(s))
		}
	}
	return a, nil
}

// hd is a fixture with the helpdesk handler over its service.
type hd struct {
	*fixture
	h http.Handler
}

// newHelpdesk builds a fresh store with agents ann (ACTIVE) and sam (a
// supervisor), queues support and billing, and customers ada and grace.
// With authorisation on, the helpers act with every scope.
func newHelpdesk(t *testing.T, setup setupFunc, opts ...parley.Option) *hd {
	t.Helper()
	fx := setup(t, opts...)
	fx.ctx = parley.WithActor(fx.base, parley.Actor{Scopes: []parley.Scope{parley.ScopeRead, parley.ScopeWrite}})
	h := &hd{fixture: fx, h: helpdesk.New(fx.svc, helpdesk.WithActorFunc(scopesActor), helpdesk.WithStrict())}
	_, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{ID: "ann", DisplayName: "Ann Agent", Status: routing.Active})
	require.NoError(t, err)
	fx.agent(t, "sam", routing.RoleSupervisor)
	fx.queue(t, "support", "Support")
	fx.queue(t, "billing", "Billing")
	for _, c := range []customer.Customer{
		{ID: "ada", Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+44 20 7946 0000", Attributes: map[string]string{"plan": "gold"}},
		{ID: "grace", Name: "Grace Hopper", Email: "grace@example.com"},
	} {
		_, err := fx.svc.CreateCustomer(fx.ctx, c)
		require.NoError(t, err)
	}
	return h
}

// hdAnswer is a recorded answer, its body decoded.
type hdAnswer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// data is the answer's data object.
func (a hdAnswer) data(t *testing.T) map[string]any {
	t.Helper()
	d, ok := a.body["data"].(map[string]any)
	require.True(t, ok, "no data object in %s", a.raw)
	return d
}

// list is the answer's data array.
func (a hdAnswer) list(t *testing.T) []map[string]any {
	t.Helper()
	raw, ok := a.body["data"].([]any)
	require.True(t, ok, "no data array in %s", a.raw)
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i] = v.(map[string]any)
	}
	return out
}

// ids are the _id of each item of the answer's data array.
func (a hdAnswer) ids(t *testing.T) []string {
	t.Helper()
	out := []string{}
	for _, it := range a.list(t) {
		out = append(out, it["_id"].(string))
	}
	return out
}

// do sends a request: body nil (none), a string (as it is) or any other
// value (as JSON); headers in pairs.
func (h *hd) do(t *testing.T, method, path string, body any, headers ...string) hdAnswer {
	t.Helper()
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		raw, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequestWithContext(t.Context(), method, helpdesk.DefaultBasePath+path, rd)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	out := hdAnswer{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"), "%s %s", method, path)
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out.body), "%s %s: %s", method, path, out.raw)
	if out.status >= 400 {
		requireCleanMessage(t, out.body["message"], out.body["field"])
	}
	return out
}

// must sends a request and requires a success with the status.
func (h *hd) must(t *testing.T, status int, method, path string, body any, headers ...string) hdAnswer {
	t.Helper()
	a := h.do(t, method, path, body, headers...)
	require.Equal(t, status, a.status, "%s %s: %s", method, path, a.raw)
	require.Equal(t, true, a.body["success"], a.raw)
	return a
}

// refused checks an error answer in this API's shape: the status, the
// code, the field (for a 400) and that nothing was written.
func (h *hd) refused(t *testing.T, a hdAnswer, before snapshot, status int, code, field string) {
	t.Helper()
	require.Equal(t, status, a.status, a.raw)
	require.Equal(t, false, a.body["success"], a.raw)
	require.Equal(t, code, a.body["code"], a.raw)
	require.NotEmpty(t, a.body["message"], a.raw)
	if field != "" {
		require.Equal(t, field, a.body["field"], a.raw)
	} else {
		require.NotContains(t, a.body, "field", a.raw)
	}
	h.requireUnchanged(t, before)
}

// adaJSON and annJSON are the populated customer and agent.
func adaJSON(createdAt any) map[string]any {
	return map[string]any{
		"_id": "ada", "name": "Ada Lovelace", "email": "ada@example.com", "phone": "+44 20 7946 0000",
		"attributes": map[string]any{"plan": "gold"}, "createdAt": createdAt, "updatedAt": createdAt,
	}
}

var annJSON = map[string]any{"_id": "ann", "name": "Ann Agent", "role": "AGENT", "status": "ACTIVE", "enabled": true}

func TestHelpdeskConversations(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, setup setupFunc) {
		t.Run("CreateDefaultsAndRequiredFields", func(t *testing.T) {
			h := newHelpdesk(t, setup)
			adaCreated := h.must(t, 200, "GET", "/customers/ada", nil).data(t)["createdAt"]
			h.tick()

			// subject and inboxId alone: channel email, priority medium.
			a := h.must(t, 201, "POST", "/conversations", map[string]any{"subject": "Where is my parcel?", "inboxId": "support"})
			c := a.data(t)
			id := c["_id"].(string)
			require.Equal(t, helpdesk.DefaultBasePath+"/conversations/"+id, a.header.Get("Location"))
			require.Equal(t, map[string]any{
				"_id": id, "subject": "Where is my parcel?", "status": "open", "priority": "medium",
				"customerId": nil, "assignedTo": nil, "inboxId": "support", "channel": "email", "source": "api",
				"createdAt": c["createdAt"], "updatedAt": c["updatedAt"],
			}, c)
			stored := h.get(t, id)
			require.Equal(t, conversation.Email, stored.Channel)
			require.Equal(t, conversation.Normal, stored.Priority)
			require.Equal(t, conversation.SourceAPI, stored.Source)

			// Every field of create, the customer populated.
			c = h.must(t, 201, "POST", "/conversations", map[string]any{
				"subject": "Refund", "inboxId": "billing", "customerId": "ada", "channel": "whatsapp", "priority": "urgent", "source": "widget",
			}).data(t)
			require.Equal(t, adaJSON(adaCreated), c["customerId"])
			require.Equal(t, "whatsapp", c["channel"])
			require.Equal(t, "urgent", c["priority"])
			require.Equal(t, "widget", c["source"])
			require.Equal(t, "billing", c["inboxId"])
			require.Equal(t, c, h.must(t, 200, "GET", "/conversations/"+c["_id"].(string), nil).data(t), "what create answers is what get answers")

			before := h.snapshot(t)
			for _, tc := range []struct {
				body        any
				status      int
				code, field string
			}{
				{map[string]any{"inboxId": "support"}, 400, "INVALID", "subject"},
				{map[string]any{"subject": "", "inboxId": "support"}, 400, "INVALID", "subject"},
				{map[string]any{"subject": nil, "inboxId": "support"}, 400, "INVALID", "subject"},
				{map[string]any{"subject": "Hi"}, 400, "INVALID", "inboxId"},
				{map[string]any{"subject": "Hi", "inboxId": "nowhere"}, 404, "NOT_FOUND", ""},
				{map[string]any{"subject": "Hi", "inboxId": "support", "customerId": "nobody"}, 404, "NOT_FOUND", ""},
				{map[string]any{"subject": "Hi", "inboxId": "support", "customerId": 42}, 400, "INVALID", "customerId"},
				{map[string]any{"subject": "Hi", "inboxId": "support", "channel": "pigeon"}, 400, "INVALID", "channel"},
				{map[string]any{"subject": "Hi", "inboxId": "support", "priority": "critical"}, 400, "INVALID", "priority"},
				{map[string]any{"subject": "Hi", "inboxId": "support", "source": "fax"}, 400, "INVALID", "source"},
				{map[string]any{"subject": strings.Repeat("x", 1001), "inboxId": "support"}, 400, "INVALID", "topic"},
				{map[string]any{"subject": "Hi", "inboxId": "support", "colour": "red"}, 400, "INVALID", "colour"},
				{`{"subject": "Hi", "subject": "Ho", "inboxId": "support"}`, 400, "INVALID", "subject"},
				{`[]`, 400, "INVALID", "body"},
			} {
				h.refused(t, h.do(t, "POST", "/conversations", tc.body), before, tc.status, tc.code, tc.field)
			}
		})

		t.Run("GetPopulatesCustomerAndAgent", func(t *testing.T) {
			h := newHelpdesk(t, setup)
			adaCreated := h.must(t, 200, "GET", "/customers/ada", nil).data(t)["createdAt"]
			c := h.conversation(t, conversation.Conversation{ID: "c1", Topic: "Printer", CustomerID: "ada", AgentID: "ann", QueueID: "support", Channel: conversation.LiveChat, Status: conversation.Waiting, Priority: conversation.High})
			got := h.must(t, 200, "GET", "/conversations/c1", nil).data(t)
			require.Equal(t, map[string]any{
				"_id": "c1", "subject": "Printer", "status": "pending", "priority": "high",
				"customerId": adaJSON(adaCreated), "assignedTo": annJSON, "inboxId": "support", "channel": "chat", "source": "api",
				"createdAt": "2024-05-01T09:30:00.000+00:00", "updatedAt": "2024-05-01T09:30:00.000+00:00",
			}, got)
			require.Equal(t, c.CreatedAt, t0)

			// A customer id that names no customer (the Infobip adapter
			// takes any) is a reference alone.
			h.conversation(t, conversation.Conversation{ID: "c2", CustomerID: "cust-42"})
			got = h.must(t, 200, "GET", "/conversations/c2", nil).data(t)
			require.Equal(t, map[string]any{"_id": "cust-42"}, got["customerId"])
			require.Nil(t, got["assignedTo"])
			require.Nil(t, got["inboxId"])
			require.Equal(t, "", got["subject"])

			before := h.snapshot(t)
			h.refused(t, h.do(t, "GET", "/conversations/nope", nil), before, 404, "NOT_FOUND", "")
			h.refused(t, h.do(t, "GET", "/conversations/c1?x=1", nil), before, 400, "INVALID", "x")
			h.refused(t, h.do(t, "GET", "/conversations/c1", `{}`), before, 400, "INVALID", "body")
		})

		t.Run("ListFiltersAndPages", func(t *testing.T) {
			h := newHelpdesk(t, setup)
			ins := []conversation.Conversation{
				{ID: "c1", Status: conversation.Open, Priority: conversation.Low, QueueID: "support", AgentID: "ann", CustomerID: "ada", Channel: conversation.Email},
				{ID: "c2", Status: conversation.Waiting, Priority: conversation.Urgent, QueueID: "billing", CustomerID: "grace", Channel: conversation.SMS, Source: conversation.SourcePhone},
				{ID: "c3", Status: conversation.Closed, Priority: conversation.Normal, QueueID: "support", AgentID: "sam", CustomerID: "ada", Channel: conversation.WhatsApp},
				{ID: "c4", Status: conversation.Solved, Priority: conversation.High, AgentID: "ann", Channel: conversation.LiveChat, Source: conversation.SourceWidget},
			}
			for _, in := range ins {
				h.tick()
				h.conversation(t, in)
			}
			for _, tc := range []struct {
				query string
				want  []string // newest first
			}{
				{"", []string{"c4", "c3", "c2", "c1"}},
				{"?status=open", []string{"c1"}},
				{"?status=pending", []string{"c2"}},
				{"?status=closed", []string{"c3"}},
				{"?status=SOLVED", []string{"c4"}},
				{"?priority=medium", []string{"c3"}},
				{"?priority=urgent", []string{"c2"}},
				{"?assignedTo=ann", []string{"c4", "c1"}},
				{"?inboxId=support", []string{"c3", "c1"}},
				{"?customerId=ada", []string{"c3", "c1"}},
				{"?channel=chat", []string{"c4"}},
				{"?source=phone", []string{"c2"}},
				{"?customerId=ada&assignedTo=ann&status=open&priority=low&inboxId=support", []string{"c1"}},
				{"?customerId=nobody", []string{}},
			} {
				a := h.must(t, 200, "GET", "/conversations"+tc.query, nil)
				require.Equal(t, tc.want, a.ids(t), tc.query)
				require.Equal(t, map[string]any{"total": float64(len(tc.want)), "page": float64(1), "limit": float64(50), "totalPages": float64((len(tc.want) + 49) / 50)},
					a.body["pagination"], tc.query)
			}
			// Listed conversations are populated as get populates them.
			a := h.must(t, 200, "GET", "/conversations?customerId=ada", nil)
			for _, c := range a.list(t) {
				require.Equal(t, h.must(t, 200, "GET", "/conversations/"+c["_id"].(string), nil).data(t), c)
			}

			// Pages from 1, the limit at most 100.
			for i := range 101 {
				h.conversation(t, conversation.Conversation{ID: fmt.Sprintf("p%03d", i), QueueID: "billing"})
			}
			page := func(query string) hdAnswer { return h.must(t, 200, "GET", "/conversations?inboxId=billing"+query, nil) }
			a = page("")
			require.Len(t, a.list(t), 50, "default limit 50")
			require.Equal(t, map[string]any{"total": float64(102), "page": float64(1), "limit": float64(50), "totalPages": float64(3)}, a.body["pagination"])
			require.Equal(t, a.ids(t), page("&page=1").ids(t), "page 1 is the first")
			a = page("&limit=100")
			require.Len(t, a.list(t), 100)
			require.Equal(t, float64(2), a.body["pagination"].(map[string]any)["totalPages"])
			a = page("&limit=100&page=2")
			require.Len(t, a.list(t), 2)
			require.Equal(t, float64(2), a.body["pagination"].(map[string]any)["page"])
			var all []string
			for p := 1; p <= 4; p++ {
				all = append(all, page(fmt.Sprintf("&limit=30&page=%d", p)).ids(t)...)
			}
			require.Equal(t, page("&limit=100").ids(t), all[:100], "pages neither skip nor repeat")
			require.Len(t, all, 102)
			require.Empty(t, page("&page=9").list(t), "past the end: an empty page")

			before := h.snapshot(t)
			for _, tc := range []struct{ query, field string }{
				{"?limit=101", "limit"},
				{"?limit=0", "limit"},
				{"?page=0", "page"},
				{"?page=-1", "page"},
				{"?page=x", "page"},
				{"?status=solved", "status"},
				{"?priority=normal", "priority"},
				{"?status=open&status=closed", "status"},
				{"?sort=createdAt", "sort"},
			} {
				h.refused(t, h.do(t, "GET", "/conversations"+tc.query, nil), before, 400, "INVALID", tc.field)
			}
		})

		t.Run("Update", func(t *testing.T) {
			h := newHelpdesk(t, setup)
			h.conversation(t, conversation.Conversation{ID: "c1", Topic: "Old", QueueID: "support", CustomerID: "ada"})
			h.tick()
			c := h.must(t, 200, "PUT", "/conversations/c1", map[string]any{"subject": "New", "status": "pending", "priority": "high", "assignedTo": "ann"}).data(t)
			require.Equal(t, "New", c["subject"])
			require.Equal(t, "pending", c["status"])
			require.Equal(t, "high", c["priority"])
			require.Equal(t, annJSON, c["assignedTo"], "the updated object, populated")
			require.Equal(t, "ada", c["customerId"].(map[string]any)["_id"])
			stored := h.get(t, "c1")
			require.Equal(t, conversation.Waiting, stored.Status)
			require.Equal(t, "ann", stored.AgentID)

			// assignedTo null unassigns; an object is read by its _id.
			c = h.must(t, 200, "PUT", "/conversations/c1", map[string]any{"assignedTo": nil}).data(t)
			require.Nil(t, c["assignedTo"])
			require.Empty(t, h.get(t, "c1").AgentID)
			c = h.must(t, 200, "PUT", "/conversations/c1", map[string]any{"assignedTo": map[string]any{"_id": "sam", "name": "ignored"}}).data(t)
			require.Equal(t, "sam", c["assignedTo"].(map[string]any)["_id"])
			// parley's additions: the inbox, the customer, the channel.
			c = h.must(t, 200, "PUT", "/conversations/c1", map[string]any{"inboxId": "billing", "customerId": "grace", "channel": "phone"}).data(t)
			require.Equal(t, "billing", c["inboxId"])
			require.Equal(t, "Grace Hopper", c["customerId"].(map[string]any)["name"])
			require.Equal(t, "phone", c["channel"])
			c = h.must(t, 200, "PUT", "/conversations/c1", map[string]any{"inboxId": nil, "customerId": nil}).data(t)
			require.Nil(t, c["inboxId"])
			require.Nil(t, c["customerId"])
			c = h.must(t, 200, "PUT", "/conversations/c1", map[string]any{"status": "closed"}).data(t)
			require.Equal(t, "closed", c["status"])

			h.conversation(t, conversation.Conversation{ID: "c2"})
			before := h.snapshot(t)
			for _, tc := range []struct {
				id          string
				body        any
				status      int
				code, field string
			}{
				{"c2", map[string]any{"status": "solved"}, 400, "INVALID", "status"},
				{"c2", map[string]any{"status": nil}, 400, "INVALID", "status"},
				{"c2", map[string]any{"subject": nil}, 400, "INVALID", "subject"},
				{"c2", map[string]any{"priority": "normal"}, 400, "INVALID", "priority"},
				{"c2", map[string]any{"assignedTo": 7}, 400, "INVALID", "assignedTo"},
				{"c2", map[string]any{"assignedTo": map[string]any{"name": "Ann"}}, 400, "INVALID", "assignedTo"},
				{"c2", map[string]any{"assignedTo": "nobody"}, 404, "NOT_FOUND", ""},
				{"c2", map[string]any{"customerId": "nobody"}, 404, "NOT_FOUND", ""},
				{"c2", map[string]any{"inboxId": "nowhere"}, 404, "NOT_FOUND", ""},
				{"c2", map[string]any{"tags": []string{"x"}}, 400, "INVALID", "tags"},
				{"nope", map[string]any{"subject": "x"}, 404, "NOT_FOUND", ""},
				{"c1", map[string]any{"subject": "closed takes nothing"}, 409, "CLOSED", ""},
			} {
				h.refused(t, h.do(t, "PUT", "/conversations/"+tc.id, tc.body), before, tc.status, tc.code, tc.field)
			}
		})

		t.Run("DeleteKeepsTheReason", func(t *testing.T) {
			h := newHelpdesk(t, setup)
			h.conversation(t, conversation.Conversation{ID: "c1", CustomerID: "ada"})
			_, err := h.svc.CreateMessage(h.ctx, "c1", message.Message{Direction: message.Inbound, Content: message.Content{Text: "hello"}})
			require.NoError(t, err)
			a := h.must(t, 200, "DELETE", "/conversations/c1", map[string]any{"reason": "customer asked to forget"})
			require.Equal(t, map[string]any{"success": true, "message": "Conversation deleted"}, a.body)
			_, err = h.svc.GetConversation(h.ctx, "c1")
			require.ErrorIs(t, err, parley.ErrNotFound)
			history, err := h.svc.History(h.ctx, "c1", 0, 0)
			require.NoError(t, err)
			require.Equal(t, []storage.EventType{storage.ConversationDeleted}, types(history), "permanent: the deletion is the only trace")
			require.JSONEq(t, `"customer asked to forget"`, string(history[0].Changes[0].After))
			_, err = h.svc.ListMessages(h.ctx, storage.MessageQuery{ConversationID: "c1"})
			require.ErrorIs(t, err, parley.ErrNotFound, "its messages are gone with it")

			h.conversation(t, conversation.Conversation{ID: "c2"})
			h.must(t, 200, "DELETE", "/conversations/c2", nil) // the reason is optional
			before := h.snapshot(t)
			h.refused(t, h.do(t, "DELETE", "/conversations/c2", nil), before, 404, "NOT_FOUND", "")
			h.conversation(t, conversation.Conversation{ID: "c3"})
			before = h.snapshot(t)
			h.refused(t, h.do(t, "DELETE", "/conversations/c3", map[string]any{"reason": strings.Repeat("x", 1001)}), before, 400, "INVALID", "reason")
			h.refused(t, h.do(t, "DELETE", "/conversations/c3", map[string]any{"reason": 1}), before, 400, "INVALID", "reason")
		})

		t.Run("Scopes", func(t *testing.T) {
			h := newHelpdesk(t, setup, parley.WithAuthorization())
			h.conversation(t, conversation.Conversation{ID: "c1", CustomerID: "ada", AgentID: "ann", QueueID: "support"})
			h.conversation(t, conversation.Conversation{ID: "c2"})
			_, err := h.svc.CreateCustomer(h.ctx, customer.Customer{ID: "lonely"})
			require.NoError(t, err)
			routes := []struct {
				method, path string
				body         any
				scope        parley.Scope
				status       int
			}{
				{"GET", "/conversations", nil, parley.ScopeRead, 200},
				{"GET", "/conversations/c1", nil, parley.ScopeRead, 200},
				{"POST", "/conversations", map[string]any{"subject": "Hi", "inboxId": "support", "customerId": "ada"}, parley.ScopeWrite, 201},
				{"PUT", "/conversations/c1", map[string]any{"priority": "urgent"}, parley.ScopeWrite, 200},
				{"DELETE", "/conversations/c2", map[string]any{"reason": "spam"}, parley.ScopeWrite, 200},
				{"GET", "/customers", nil, parley.ScopeRead, 200},
				{"GET", "/customers/ada", nil, parley.ScopeRead, 200},
				{"POST", "/customers", map[string]any{"name": "New"}, parley.ScopeWrite, 201},
				{"PUT", "/customers/ada", map[string]any{"name": "Ada King"}, parley.ScopeWrite, 200},
				{"DELETE", "/customers/lonely", nil, parley.ScopeWrite, 200},
			}
			for _, rt := range routes {
				other := parley.ScopeRead
				if rt.scope == parley.ScopeRead {
					other = parley.ScopeWrite
				}
				for _, scopes := range []string{"", string(other), "admin"} {
					before := h.snapshot(t)
					a := h.do(t, rt.method, rt.path, rt.body, headerScopes, scopes)
					h.refused(t, a, before, 403, "FORBIDDEN", "")
					require.Contains(t, a.body["message"], string(rt.scope), "%s %s", rt.method, rt.path)
				}
			}
			for _, rt := range routes {
				a := h.must(t, rt.status, rt.method, rt.path, rt.body, headerScopes, string(rt.scope))
				if rt.method == "POST" && strings.HasPrefix(rt.path, "/conversations") {
					// A write-only key may not read people: its answer
					// names them without populating them.
					require.Equal(t, map[string]any{"_id": "ada"}, a.data(t)["customerId"])
				}
			}
			// Both scopes: the answer of a write is populated.
			c := h.must(t, 200, "PUT", "/conversations/c1", map[string]any{"priority": "low"}, headerScopes, "read:conversations,write:conversations").data(t)
			require.Equal(t, "Ada King", c["customerId"].(map[string]any)["name"])
			require.Equal(t, annJSON, c["assignedTo"])
		})

		t.Run("RoundTripChangesNothing", func(t *testing.T) {
			h := newHelpdesk(t, setup)
			// Values inside and outside the seed's vocabulary, with and
			// without a queue, customer (existing or not) and assignee.
			var ids []string
			for i, in := range []conversation.Conversation{
				{Status: conversation.Solved, Priority: conversation.Normal, Channel: conversation.NoChannel},
				{Status: conversation.Open, Priority: conversation.Low, Channel: conversation.SMS, QueueID: "support", AgentID: "ann", CustomerID: "ada"},
				{Status: conversation.Waiting, Priority: conversation.Urgent, Channel: conversation.Telegram, CustomerID: "cust-42", Source: conversation.SourceWidget},
				{Status: conversation.Open, Priority: conversation.High, Channel: conversation.Voice, QueueID: "billing", AgentID: "sam", Topic: "Call back"},
				{Status: conversation.Waiting, Priority: conversation.Normal, Channel: conversation.Multichannel, Source: conversation.SourceEmail, Attributes: map[string]string{"k": "v"}, Summary: "kept"},
			} {
				in.ID = fmt.Sprintf("c%d", i)
				h.conversation(t, in)
				ids = append(ids, in.ID)
			}
			shown := map[string]string{}
			for _, id := range ids {
				before := h.snapshot(t)
				read := h.must(t, 200, "GET", "/conversations/"+id, nil).data(t)
				shown[id] = read["status"].(string) + " " + read["priority"].(string) + " " + read["channel"].(string)

				// The object written back whole.
				back := h.must(t, 200, "PUT", "/conversations/"+id, read).data(t)
				require.Equal(t, read, back, "%s: the answer of the write-back", id)
				h.requireUnchanged(t, before)

				// The seed's update fields alone, references as ids.
				seed := map[string]any{"subject": read["subject"], "status": read["status"], "priority": read["priority"], "assignedTo": nil}
				if ag, ok := read["assignedTo"].(map[string]any); ok {
					seed["assignedTo"] = ag["_id"]
				}
				h.must(t, 200, "PUT", "/conversations/"+id, seed)
				h.requireUnchanged(t, before)

				// parley's additions too.
				extra := map[string]any{"inboxId": read["inboxId"], "channel": read["channel"], "customerId": nil}
				if k, ok := read["customerId"].(map[string]any); ok {
					extra["customerId"] = k["_id"]
				}
				h.must(t, 200, "PUT", "/conversations/"+id, extra)
				h.requireUnchanged(t, before)
			}
			require.Equal(t, map[string]string{
				"c0": "SOLVED medium NO_CHANNEL",
				"c1": "open low SMS",
				"c2": "pending urgent TELEGRAM",
				"c3": "open high phone",
				"c4": "pending medium MULTICHANNEL",
			}, shown, "the seed's words where it has them, parley's names where it has none")

			// A customer read and written back is unchanged too.
			before := h.snapshot(t)
			for _, id := range []string{"ada", "grace"} {
				read := h.must(t, 200, "GET", "/customers/"+id, nil).data(t)
				require.Equal(t, read, h.must(t, 200, "PUT", "/customers/"+id, read).data(t))
			}
			h.requireUnchanged(t, before)
		})
	})
}

func TestHelpdeskCustomers(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, setup setupFunc) {
		h := newHelpdesk(t, setup)
		now := h.tick()
		a := h.must(t, 201, "POST", "/customers", map[string]any{
			"_id": "linus", "name": "Linus", "email": "linus@example.com", "phone": "+358 9 1234 567", "attributes": map[string]string{"lang": "fi"},
		})
		require.Equal(t, helpdesk.DefaultBasePath+"/customers/linus", a.header.Get("Location"))
		when := now.Format("2006-01-02T15:04:05.000+00:00")
		want := map[string]any{
			"_id": "linus", "name": "Linus", "email": "linus@example.com", "phone": "+358 9 1234 567",
			"attributes": map[string]any{"lang": "fi"}, "createdAt": when, "updatedAt": when,
		}
		require.Equal(t, want, a.data(t))
		require.Equal(t, want, h.must(t, 200, "GET", "/customers/linus", nil).data(t))
		bare := h.must(t, 201, "POST", "/customers", nil).data(t)
		require.Equal(t, nil, bare["name"], "unset text is null")
		require.Equal(t, map[string]any{}, bare["attributes"])
		require.NotEmpty(t, bare["_id"], "a generated id")

		// PUT changes the fields present; null clears.
		later := h.tick().Format("2006-01-02T15:04:05.000+00:00")
		got := h.must(t, 200, "PUT", "/customers/linus", map[string]any{"email": nil, "name": "Linus T."}).data(t)
		require.Equal(t, "Linus T.", got["name"])
		require.Nil(t, got["email"])
		require.Equal(t, "+358 9 1234 567", got["phone"])
		require.Equal(t, later, got["updatedAt"])
		require.Equal(t, when, got["createdAt"])
		events := h.events(t)
		require.Equal(t, []storage.EventType{storage.CustomerCreated, storage.CustomerCreated, storage.CustomerUpdated}, types(events)[len(events)-3:])

		// Filters: email ignoring case, phone by digits, name contains.
		for _, tc := range []struct {
			query string
			want  []string
		}{
			{"?email=ADA@example.com", []string{"ada"}},
			{"?phone=%2B442079460000", []string{"ada"}},
			{"?name=hop", []string{"grace"}},
			{"?name=L&email=ada@example.com", []string{"ada"}},
			{"?name=nobody", []string{}},
		} {
			a := h.must(t, 200, "GET", "/customers"+tc.query, nil)
			require.Equal(t, tc.want, a.ids(t), tc.query)
			require.Equal(t, float64(len(tc.want)), a.body["pagination"].(map[string]any)["total"])
		}
		a = h.must(t, 200, "GET", "/customers?limit=2&page=2", nil)
		require.Equal(t, map[string]any{"total": float64(4), "page": float64(2), "limit": float64(2), "totalPages": float64(2)}, a.body["pagination"])
		require.Len(t, a.list(t), 2)

		// Delete: refused while the customer has conversations.
		h.conversation(t, conversation.Conversation{ID: "c1", CustomerID: "linus"})
		before := h.snapshot(t)
		h.refused(t, h.do(t, "DELETE", "/customers/linus", nil), before, 409, "CONFLICT", "")
		h.must(t, 200, "DELETE", "/conversations/c1", nil)
		a = h.must(t, 200, "DELETE", "/customers/linus", nil)
		require.Equal(t, map[string]any{"success": true, "message": "Customer deleted"}, a.body)
		before = h.snapshot(t)
		h.refused(t, h.do(t, "GET", "/customers/linus", nil), before, 404, "NOT_FOUND", "")
		h.refused(t, h.do(t, "DELETE", "/customers/linus", nil), before, 404, "NOT_FOUND", "")

		for _, tc := range []struct {
			method, path string
			body         any
			status       int
			code, field  string
		}{
			{"POST", "/customers", map[string]any{"email": "not-an-address"}, 400, "INVALID", "email"},
			{"POST", "/customers", map[string]any{"phone": "call me"}, 400, "INVALID", "phone"},
			{"POST", "/customers", map[string]any{"_id": 5}, 400, "INVALID", "_id"},
			{"POST", "/customers", map[string]any{"_id": "ada"}, 409, "ALREADY_EXISTS", ""},
			{"POST", "/customers", map[string]any{"createdAt": "2020-01-01T00:00:00.000+00:00"}, 400, "INVALID", "createdAt"},
			{"POST", "/customers", map[string]any{"nickname": "x"}, 400, "INVALID", "nickname"},
			{"PUT", "/customers/ada", map[string]any{"email": "@"}, 400, "INVALID", "email"},
			{"PUT", "/customers/nobody", map[string]any{"name": "x"}, 404, "NOT_FOUND", ""},
			{"GET", "/customers?phone=abc", nil, 400, "INVALID", "phone"},
			{"GET", "/customers?limit=101", nil, 400, "INVALID", "limit"},
			{"DELETE", "/customers/ada", map[string]any{}, 400, "INVALID", "body"},
		} {
			h.refused(t, h.do(t, tc.method, tc.path, tc.body), before, tc.status, tc.code, tc.field)
		}
	})
}
