package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/storage"
)

// errorCase is a request that drives one route into one error class, over
// the data of seededStore, with authorisation off and the default actor
// (x-agent-id).
type errorCase struct {
	status int
	code   string
	path   string // under the base path (or one of fixedAPIs), ids filled in
	body   string
	agent  string // x-agent-id, "" for none
}

// routeErrors are the error classes each route answers besides the ones
// every route has (see universalStatuses), read off its handler and the
// service operation it calls, each with a request that provokes it. A route
// added to the table without an entry here fails the test, and so does an
// entry whose request does not answer its status, or a status the route's
// OpenAPI description leaves out (or lists without a case here).
var routeErrors = map[string][]errorCase{
	"POST /conversations/{id}/notes": {
		{403, "FORBIDDEN", "/conversations/c1/notes", `{"content": "a note"}`, ""},
		{404, "NOT_FOUND", "/conversations/c1/notes", `{"content": "a note"}`, "nope"},
		{404, "NOT_FOUND", "/conversations/nope/notes", `{"content": "a note"}`, ""},
		{409, "CLOSED", "/conversations/c2/notes", `{"content": "a note"}`, ""},
	},
	"GET /conversations/{id}/notes": {
		{404, "NOT_FOUND", "/conversations/nope/notes", "", ""},
	},
	"GET /conversations/{id}/notes/{noteId}": {
		{404, "NOT_FOUND", "/conversations/nope/notes/n1", "", ""},
		{404, "NOT_FOUND", "/conversations/c1/notes/m1", "", ""}, // a message that is no note
	},
	"POST /inbound-messages": {
		{400, "INVALID", "/inbound-messages", `{"channel": "SMS", "content": {"text": "hi"}}`, ""},
		{409, "ALREADY_EXISTS", "/inbound-messages", `{"customerId": "ada", "channel": "SMS", "id": "m1", "content": {"text": "hi"}}`, ""},
	},
	"POST /conversations": {
		{404, "NOT_FOUND", "/conversations", `{"queueId": "nope"}`, ""},
		{409, "ALREADY_EXISTS", "/conversations", `{"id": "c1"}`, ""},
	},
	"GET /conversations": nil,
	"GET /conversations/{id}": {
		{404, "NOT_FOUND", "/conversations/nope", "", ""},
	},
	"PUT /conversations/{id}": {
		{404, "NOT_FOUND", "/conversations/nope", `{}`, ""},
		{409, "CLOSED", "/conversations/c2", `{"topic": "x"}`, ""},
		{409, "CONFLICT", "/conversations/c1", `{"topic": "x", "version": 99}`, ""},
	},
	"PATCH /conversations/{id}": {
		{404, "NOT_FOUND", "/conversations/nope", `{"topic": "x"}`, ""},
		{404, "NOT_FOUND", "/conversations/c1", `{"agentId": "nope"}`, ""},
		{409, "CLOSED", "/conversations/c2", `{"topic": "x"}`, ""},
		{409, "CONFLICT", "/conversations/c1", `{"topic": "x", "version": 99}`, ""},
	},
	"DELETE /conversations/{id}": {
		{404, "NOT_FOUND", "/conversations/nope", "", ""},
	},
	"PUT /conversations/{id}/assignee": {
		{404, "NOT_FOUND", "/conversations/nope/assignee", `{"agentId": "sam"}`, ""},
		{404, "NOT_FOUND", "/conversations/c1/assignee", `{"agentId": "nope"}`, ""},
		{409, "CLOSED", "/conversations/c2/assignee", `{"agentId": "sam"}`, ""},
	},
	"DELETE /conversations/{id}/assignee": {
		{404, "NOT_FOUND", "/conversations/nope/assignee", "", ""},
		{409, "CLOSED", "/conversations/c2/assignee", "", ""},
	},
	"POST /conversations/{id}/route": {
		{404, "NOT_FOUND", "/conversations/nope/route", "", ""},
		{409, "CLOSED", "/conversations/c2/route", "", ""},
	},
	"GET /conversations/{id}/simulate-routing": {
		{404, "NOT_FOUND", "/conversations/nope/simulate-routing", "", ""},
		{409, "CLOSED", "/conversations/c2/simulate-routing", "", ""},
	},
	"POST /conversations/{id}/transfer": {
		{404, "NOT_FOUND", "/conversations/nope/transfer", `{"agentId": "sam"}`, ""},
		{404, "NOT_FOUND", "/conversations/c1/transfer", `{"queueId": "nope"}`, ""},
		{409, "CLOSED", "/conversations/c2/transfer", `{"agentId": "sam"}`, ""},
	},
	"POST /conversations/{id}/tags": {
		{404, "NOT_FOUND", "/conversations/nope/tags", `{"tagName": "new"}`, ""},
		{409, "CLOSED", "/conversations/c2/tags", `{"tagName": "new"}`, ""},
	},
	"DELETE /conversations/{id}/tags/{tagName}": {
		{404, "NOT_FOUND", "/conversations/nope/tags/vip", "", ""},
		{404, "NOT_FOUND", "/conversations/c1/tags/other", "", ""},
		{409, "CLOSED", "/conversations/c2/tags/vip", "", ""},
	},
	"POST /conversations/{id}/messages": {
		{403, "FORBIDDEN", "/conversations/c1/messages", `{"content": {"text": "hi"}}`, ""},
		{404, "NOT_FOUND", "/conversations/c1/messages", `{"content": {"text": "hi"}}`, "nope"},
		{404, "NOT_FOUND", "/conversations/nope/messages", `{"direction": "INBOUND", "content": {"text": "hi"}}`, ""},
		{409, "CLOSED", "/conversations/c2/messages", `{"direction": "INBOUND", "content": {"text": "hi"}}`, ""},
		{409, "ALREADY_EXISTS", "/conversations/c1/messages", `{"id": "m1", "direction": "INBOUND", "content": {"text": "hi"}}`, ""},
	},
	"GET /conversations/{id}/messages": {
		{404, "NOT_FOUND", "/conversations/nope/messages", "", ""},
	},
	"GET /conversations/{id}/messages/{messageId}": {
		{404, "NOT_FOUND", "/conversations/nope/messages/m1", "", ""},
		{404, "NOT_FOUND", "/conversations/c1/messages/nope", "", ""},
	},
	"GET /conversations/{id}/history": {
		{404, "NOT_FOUND", "/conversations/nope/history", "", ""},
	},
	"POST /tags": {
		{400, "ALREADY_EXISTS", "/tags", `{"name": "vip"}`, ""},
	},
	"GET /tags": {
		{404, "NOT_FOUND", "/tags?conversationId=nope", "", ""},
	},
	"GET /tags/{name}": {
		{404, "NOT_FOUND", "/tags/nope", "", ""},
	},
	"DELETE /tags/{name}": {
		{404, "NOT_FOUND", "/tags/nope", "", ""},
	},
	"POST /agents": {
		{409, "ALREADY_EXISTS", "/agents", `{"id": "ann", "displayName": "Ann"}`, ""},
	},
	"GET /agents": nil,
	"GET /agents/{id}": {
		{404, "NOT_FOUND", "/agents/nope", "", ""},
	},
	"PATCH /agents/{id}": {
		{404, "NOT_FOUND", "/agents/nope", `{"status": "ACTIVE"}`, ""},
	},
	"POST /queues": {
		{404, "NOT_FOUND", "/queues", `{"name": "New", "overflowQueueId": "nope"}`, ""},
		{409, "ALREADY_EXISTS", "/queues", `{"id": "q1", "name": "New"}`, ""},
		{409, "ALREADY_EXISTS", "/queues", `{"name": "Billing"}`, ""},
	},
	"GET /queues": nil,
	"GET /queues/{id}": {
		{404, "NOT_FOUND", "/queues/nope", "", ""},
	},
	"PATCH /queues/{id}": {
		{404, "NOT_FOUND", "/queues/nope", `{"autoAssignment": true}`, ""},
		{409, "ALREADY_EXISTS", "/queues/q1", `{"name": "Billing"}`, ""},
	},
	"POST /queues/{id}/agents": {
		{404, "NOT_FOUND", "/queues/nope/agents", `{"agentId": "sam"}`, ""},
		{404, "NOT_FOUND", "/queues/q1/agents", `{"agentId": "nope"}`, ""},
	},
	"DELETE /queues/{id}/agents/{agentId}": {
		{404, "NOT_FOUND", "/queues/q1/agents/sam", "", ""},
	},
	"POST /agents/{id}/queues": {
		{404, "NOT_FOUND", "/agents/nope/queues", `{"queueId": "q1"}`, ""},
		{404, "NOT_FOUND", "/agents/sam/queues", `{"queueId": "nope"}`, ""},
	},
	"DELETE /agents/{id}/queues/{queueId}": {
		{404, "NOT_FOUND", "/agents/sam/queues/q1", "", ""},
	},
	"GET /routing": nil,
	"PUT /routing": {
		{404, "NOT_FOUND", "/routing", `{"rules": [{"name": "r", "queueId": "nope"}]}`, ""},
	},
	"GET /events":       nil,
	"GET /openapi.json": nil,
}

// universalStatuses are the error classes a route answers whatever it
// does, derived from the handler's wrapper and the service:
//   - 400: an unknown query parameter (in strict mode); the x-agent-id
//     header given twice.
//   - 401: the actor function says ErrUnauthenticated.
//   - 500: the actor function fails otherwise.
//   - 403: a missing scope with authorisation on, for a route that calls
//     a service operation (all but GET /openapi.json).
//   - 409 CONFLICT: the database too busy to take the write, for a route
//     whose operation writes.
func universalStatuses(operation string) []int {
	out := []int{400, 401, 500}
	if operation == "" {
		return out
	}
	out = append(out, 403)
	if scope, _ := parley.OperationScope(operation); scope == parley.ScopeWrite {
		out = append(out, 409)
	}
	return out
}

// statusComponents is the shared response each error status refers to.
var statusComponents = map[int]string{
	400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict", 500: "Internal",
	412: "PreconditionFailed",
}

// busyStore is a store whose every transaction fails as a database too
// busy to take a write does (SQLITE_BUSY, a PostgreSQL serialization
// failure): with ErrConflict.
type busyStore struct{ storage.Store }

func (busyStore) InTx(context.Context, func(storage.Tx) error) error {
	return fmt.Errorf("database is locked: %w", storage.ErrConflict)
}

// TestOpenAPIDescribesEveryErrorStatus checks, for every route, that its
// OpenAPI description lists exactly the error statuses the route can
// answer (universalStatuses and its routeErrors), each referring to the
// shared response of its status, whose description names the code; and it
// sends each route a request for each of those statuses and requires that
// status and code.
func TestOpenAPIDescribesEveryErrorStatus(t *testing.T) {
	t.Parallel()
	var doc openAPIDocument
	require.NoError(t, json.Unmarshal(openAPIDoc, &doc))
	var components struct {
		Components struct {
			Responses map[string]struct{ Description string } `json:"responses"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(openAPIDoc, &components))
	responses := components.Components.Responses
	paths := doc.operations(t)

	for key := range routeErrors {
		require.True(t, slices.ContainsFunc(routes, func(rt route) bool { return rt.method+" "+rt.path == key }),
			"routeErrors names %s, which is no route", key)
	}
	for _, rt := range routes {
		key := rt.method + " " + rt.path
		cases, ok := routeErrors[key]
		require.True(t, ok, "route %s has no entry in routeErrors", key)
		operation, ok := routeOperations[key]
		require.True(t, ok, "route %s has no entry in routeOperations", key)
		if wildcard.MatchString(rt.path) {
			require.True(t, slices.ContainsFunc(cases, func(c errorCase) bool { return c.status == 404 }),
				"%s names a resource in its path: it needs a 404 case", key)
		}

		want := map[int]bool{}
		for _, s := range universalStatuses(operation) {
			want[s] = true
		}
		for _, c := range cases {
			want[c.status] = true
		}
		op := paths[rt.path][strings.ToLower(rt.method)]
		documented := map[int]bool{}
		for code, raw := range op.Responses {
			status, err := strconv.Atoi(code)
			require.NoError(t, err, "%s: response %q", key, code)
			if status < 400 {
				continue
			}
			documented[status] = true
			var ref struct {
				Ref string `json:"$ref"`
			}
			require.NoError(t, json.Unmarshal(raw, &ref))
			name, ok := statusComponents[status]
			require.True(t, ok, "%s documents %d, which no handler answers", key, status)
			require.Equal(t, "#/components/responses/"+name, ref.Ref, "%s %d", key, status)
		}
		require.Equal(t, slices.Sorted(maps.Keys(want)), slices.Sorted(maps.Keys(documented)),
			"%s: the error statuses documented are not those the route answers", key)

		t.Run(key, func(t *testing.T) {
			t.Parallel()
			fill := pattern(DefaultBasePath, scopedPath(rt.path))
			valid := scopeRequestBodies[key]
			check := func(name string, h http.Handler, status int, code, path, body string, headers ...string) errorJSON {
				t.Helper()
				req := httptest.NewRequest(rt.method, path, strings.NewReader(body))
				for i := 0; i+1 < len(headers); i += 2 {
					req.Header.Add(headers[i], headers[i+1])
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				require.Equal(t, status, rec.Code, "%s: %s", name, rec.Body)
				var e errorJSON
				require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), "%s: %s", name, rec.Body)
				require.Equal(t, code, e.Code, "%s: %s", name, rec.Body)
				require.Contains(t, responses[statusComponents[status]].Description, code,
					"%s: the description of %d names the code %s", name, status, code)
				return e
			}
			plain := func(wrap func(storage.Store) storage.Store, svcOpts []parley.Option, opts ...Option) http.Handler {
				store := seededStore(t)
				if wrap != nil {
					store = wrap(store)
				}
				opts = append([]Option{WithLogger(slog.New(slog.DiscardHandler))}, opts...)
				return New(parley.New(store, svcOpts...), opts...)
			}
			actorFails := func(err error) Option {
				return WithActorFunc(func(*http.Request) (parley.Actor, error) { return parley.Actor{}, err })
			}

			h := plain(nil, nil)
			e := check("unknown query parameter", plain(nil, nil, WithStrict()), 400, "INVALID", fill+"?stray=1", valid)
			require.Equal(t, "stray", e.Field)
			e = check("x-agent-id twice", h, 400, "INVALID", fill, valid, HeaderAgentID, "ann", HeaderAgentID, "sam")
			require.Equal(t, HeaderAgentID, e.Field)
			check("unauthenticated", plain(nil, nil, actorFails(fmt.Errorf("no token: %w", ErrUnauthenticated))), 401, "UNAUTHENTICATED", fill, valid)
			check("actor function fails", plain(nil, nil, actorFails(errors.New("token service down"))), 500, "INTERNAL", fill, valid)
			if operation != "" {
				check("no scope", plain(nil, []parley.Option{parley.WithAuthorization()}), 403, "FORBIDDEN", fill, valid)
			}
			if scope, _ := parley.OperationScope(operation); scope == parley.ScopeWrite {
				busy := func(s storage.Store) storage.Store { return busyStore{s} }
				check("database busy", plain(busy, nil), 409, "CONFLICT", fill, valid)
			}
			for _, c := range cases {
				var headers []string
				if c.agent != "" {
					headers = []string{HeaderAgentID, c.agent}
				}
				check(fmt.Sprintf("%d %s %s %s", c.status, c.code, c.path, c.body), plain(nil, nil),
					c.status, c.code, pattern(DefaultBasePath, c.path), c.body, headers...)
			}
		})
	}
}
