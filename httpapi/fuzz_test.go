package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/httpapi"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

// storeState is everything a request could have written, read back
// through the service: comparing two tells whether anything was.
type storeState struct {
	Events        []*storage.Event
	Conversations []*conversation.Conversation
	Messages      []*message.Message
	Tags          []*tag.Tag
	Agents        []*routing.Agent
	Queues        []*routing.Queue
	Rules         []routing.Rule
}

// state reads the fixture's whole store; the fuzz fixture is small enough
// for single pages.
func (f *fixture) state() storeState {
	f.t.Helper()
	ctx := context.Background()
	all := storage.Paging{Limit: storage.MaxLimit}
	var s storeState
	var err error
	fail := func(what string) {
		if err != nil {
			f.t.Fatalf("reading the %s back: %v", what, err)
		}
	}
	s.Events, err = f.svc.Events(ctx, storage.EventQuery{Limit: storage.MaxLimit})
	fail("events")
	conversations, err := f.svc.ListConversations(ctx, storage.ConversationQuery{Order: storage.Order{Field: storage.SortID}, Paging: all})
	fail("conversations")
	s.Conversations = conversations.Items
	for _, c := range conversations.Items {
		messages, err := f.svc.ListMessages(ctx, storage.MessageQuery{ConversationID: c.ID, Paging: all})
		if err != nil {
			f.t.Fatalf("reading the messages of %s back: %v", c.ID, err)
		}
		s.Messages = append(s.Messages, messages.Items...)
	}
	tags, err := f.svc.ListTags(ctx, storage.TagQuery{Paging: all})
	fail("tags")
	s.Tags = tags.Items
	agents, err := f.svc.ListAgents(ctx, storage.AgentQuery{Paging: all})
	fail("agents")
	s.Agents = agents.Items
	queues, err := f.svc.ListQueues(ctx, storage.QueueQuery{Paging: all})
	fail("queues")
	s.Queues = queues.Items
	s.Rules, err = f.svc.RoutingRules(ctx)
	fail("rules")
	return s
}

// errorCodes are the codes each error status may carry.
var errorCodes = map[int][]string{
	http.StatusBadRequest:       {"INVALID"},
	http.StatusForbidden:        {"FORBIDDEN"},
	http.StatusNotFound:         {"NOT_FOUND"},
	http.StatusMethodNotAllowed: {"METHOD_NOT_ALLOWED"},
	http.StatusConflict:         {"ALREADY_EXISTS", "CLOSED", "CONFLICT"},
}

// FuzzHandler sends arbitrary requests through the handler over a seeded
// store. Whatever comes in, the answer is JSON (or empty for 204) and never
// a 500, which here could only come from a recovered panic. Every 4xx is
// an error body whose code fits the status (400 INVALID naming the field;
// 404 NOT_FOUND; 409 ALREADY_EXISTS, CLOSED or CONFLICT; ...) with a
// message, and wrote nothing: the event log and everything the service
// reads back are the same before and after.
//
// The store is the memory store: each input gets a fresh, seeded store, and
// a SQL store would make that a hundred times slower. The adapter does no
// storage of its own (decoding, the mapping of errors and the encoding are
// the same over every store), and the same hostile requests go through the
// adapter on SQLite and PostgreSQL in TestHostileRequests
// (internal/systemtest); the service's fuzz targets (storagetest, run by
// sqlstore) drive the service on every store.
func FuzzHandler(f *testing.F) {
	for _, seed := range []struct{ method, target, body, agent string }{
		{"POST", "/ccaas/1/conversations", `{"topic": "a", "tags": ["x"], "attributes": {"k": "v"}}`, ""},
		{"PATCH", "/ccaas/1/conversations/c1", `{"agentId": null, "version": 1}`, ""},
		{"PUT", "/ccaas/1/conversations/c1", `{"status": "pending"}`, ""},
		{"GET", "/ccaas/1/conversations?status=open&limit=2&orderBy=priority:desc&cursor=AQ", "", ""},
		{"POST", "/ccaas/1/conversations/c1/messages", `{"contentType": "LOCATION", "content": {"latitude": 1e308, "longitude": -0}}`, "ann"},
		{"PUT", "/ccaas/1/routing", `{"rules": [{"name": "r", "queueId": "q1", "condition": {"channels": ["chat"]}}]}`, ""},
		{"POST", "/ccaas/1/conversations/c1/transfer", `{"queueId": "q1"}`, ""},
		{"DELETE", "/ccaas/1/conversations/c1?reason=x", `{"reason": null}`, ""},
		{"GET", "/ccaas/1/events?after=0&limit=1000", "", "sam"},
		{"POST", "/ccaas/1/conversations", `{"topic": "a"}{`, ""},
		{"POST", "/ccaas/1/conversations", `[[[[[[[[[[]]]]]]]]]]`, ""},
		{"GET", "/ccaas/1/conversations/%2F..%2F/history", "", ""},
	} {
		f.Add(seed.method, seed.target, seed.body, seed.agent)
	}
	f.Fuzz(func(t *testing.T, method, target, body, agent string) {
		fx := setup(t, memstore.New())
		fx.must(200, "POST", path("/agents"), map[string]any{"id": "ann", "displayName": "Ann"})
		fx.must(200, "POST", path("/agents"), map[string]any{"id": "sam", "displayName": "Sam", "role": "SUPERVISOR"})
		fx.must(200, "POST", path("/queues"), map[string]any{"id": "q1", "name": "Q"})
		fx.create(map[string]any{"id": "c1", "agentId": "ann", "tags": []string{"vip"}})
		fx.must(200, "POST", path("/conversations/c1/messages"), map[string]any{"direction": "INBOUND", "content": map[string]any{"text": "hi"}})

		switch method {
		case "GET", "POST", "PUT", "PATCH", "DELETE":
		default:
			method = "GET"
		}
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \t\r\n#") {
			target = "/ccaas/1/" + target
		}
		req, err := http.NewRequest(method, "http://example.test"+target, bytes.NewReader([]byte(body)))
		if err != nil {
			t.Skip()
		}
		if agent != "" {
			req.Header.Set(httpapi.HeaderAgentID, agent)
		}
		before := fx.state()
		rec := httptest.NewRecorder()
		fx.handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s\nlogs: %s", method, target, body, rec.Code, rec.Body, fx.logs.String())
		}
		if rec.Code == http.StatusNoContent || rec.Code == http.StatusMovedPermanently || rec.Code == http.StatusTemporaryRedirect {
			return
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: %d, not JSON: %q", method, target, rec.Code, rec.Body)
		}
		if rec.Code < 400 {
			return
		}

		// An error: the body fits the status, and nothing was written.
		var e struct{ StatusCode, Code, Message, Field string }
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
			t.Fatalf("%s %s %q: %d with a body that is no error: %s", method, target, body, rec.Code, rec.Body)
		}
		codes, known := errorCodes[rec.Code]
		if !known || e.StatusCode != "ERROR" || e.Message == "" || !slices.Contains(codes, e.Code) {
			t.Fatalf("%s %s %q: %d answered %s; want statusCode ERROR, a message and a code of %v", method, target, body, rec.Code, rec.Body, codes)
		}
		if rec.Code == http.StatusBadRequest && e.Field == "" {
			t.Fatalf("%s %s %q: a 400 that names no field: %s", method, target, body, rec.Body)
		}
		if after := fx.state(); !reflect.DeepEqual(before, after) {
			t.Fatalf("%s %s %q: a %d wrote to the store: %s\nbefore %+v\nafter  %+v", method, target, body, rec.Code, rec.Body, before, after)
		}
	})
}
