package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// routeOperations maps every route to the Service operation it performs,
// whose scope (parley.OperationScope) the service enforces when the host
// turns authorisation on. A route added without an entry fails
// TestEveryRouteNeedsItsScope. GET /openapi.json is public: it describes
// the API and reads no data.
var routeOperations = map[string]string{
	"POST /inbound-messages":                       "ReceiveInbound",
	"POST /conversations/{id}/notes":               "CreateMessage",
	"GET /conversations/{id}/notes":                "ListMessages",
	"GET /conversations/{id}/notes/{noteId}":       "GetMessage",
	"POST /conversations":                          "CreateConversation",
	"GET /conversations":                           "ListConversations",
	"GET /conversations/{id}":                      "GetConversation",
	"PUT /conversations/{id}":                      "UpdateConversation",
	"PATCH /conversations/{id}":                    "UpdateConversation",
	"DELETE /conversations/{id}":                   "DeleteConversation",
	"PUT /conversations/{id}/assignee":             "AssignConversation",
	"DELETE /conversations/{id}/assignee":          "UnassignConversation",
	"POST /conversations/{id}/route":               "Route",
	"GET /conversations/{id}/simulate-routing":     "SimulateRouting",
	"POST /conversations/{id}/transfer":            "TransferToAgent",
	"POST /conversations/{id}/tags":                "AddTag",
	"DELETE /conversations/{id}/tags/{tagName}":    "RemoveTag",
	"POST /conversations/{id}/messages":            "CreateMessage",
	"GET /conversations/{id}/messages":             "ListMessages",
	"GET /conversations/{id}/messages/{messageId}": "GetMessage",
	"GET /conversations/{id}/history":              "History",
	"POST /tags":                                   "CreateTag",
	"GET /tags":                                    "ListTags",
	"GET /tags/{name}":                             "GetTag",
	"DELETE /tags/{name}":                          "DeleteTag",
	"POST /agents":                                 "CreateAgent",
	"GET /agents":                                  "ListAgents",
	"GET /agents/{id}":                             "GetAgent",
	"PATCH /agents/{id}":                           "UpdateAgent",
	"POST /queues":                                 "CreateQueue",
	"GET /queues":                                  "ListQueues",
	"GET /queues/{id}":                             "GetQueue",
	"PATCH /queues/{id}":                           "UpdateQueue",
	"POST /queues/{id}/agents":                     "AddQueueMember",
	"DELETE /queues/{id}/agents/{agentId}":         "RemoveQueueMember",
	"POST /agents/{id}/queues":                     "AddQueueMember",
	"DELETE /agents/{id}/queues/{queueId}":         "RemoveQueueMember",
	"GET /routing":                                 "RoutingRules",
	"PUT /routing":                                 "SetRoutingRules",
	"GET /events":                                  "Events",
	"GET /openapi.json":                            "",
}

// scopeRequestBodies are valid bodies for the routes that take one, so that
// a request with its scope succeeds.
var scopeRequestBodies = map[string]string{
	"POST /inbound-messages":            `{"customerId": "ada", "channel": "SMS", "content": {"text": "hi"}}`,
	"POST /conversations/{id}/notes":    `{"content": "a note", "agentId": "ann"}`,
	"POST /conversations":               `{"topic": "new"}`,
	"PUT /conversations/{id}":           `{"topic": "replaced"}`,
	"PATCH /conversations/{id}":         `{"topic": "patched"}`,
	"PUT /conversations/{id}/assignee":  `{"agentId": "sam"}`,
	"POST /conversations/{id}/transfer": `{"agentId": "sam"}`,
	"POST /conversations/{id}/tags":     `{"tagName": "fresh"}`,
	"POST /conversations/{id}/messages": `{"content": {"text": "hello"}}`,
	"POST /tags":                        `{"name": "fresh"}`,
	"POST /agents":                      `{"displayName": "New"}`,
	"PATCH /agents/{id}":                `{"status": "ACTIVE"}`,
	"POST /queues":                      `{"name": "New"}`,
	"PATCH /queues/{id}":                `{"autoAssignment": true}`,
	"POST /queues/{id}/agents":          `{"agentId": "sam"}`,
	"POST /agents/{id}/queues":          `{"queueId": "q1"}`,
	"PUT /routing":                      `{"rules": [{"name": "all", "queueId": "q1"}]}`,
}

// seededStore is a memory store holding agents ann (assigned c1) and sam
// (a supervisor), queues q1 "Support" (member ann) and q2 "Billing",
// conversation c1 (tagged vip, message m1), the closed conversation c2,
// and the calls of seedCalls.
func seededStore(t *testing.T) storage.Store {
	t.Helper()
	store := memstore.New()
	svc := parley.New(store)
	ctx := context.Background()
	_, err := svc.CreateAgent(ctx, routing.Agent{ID: "ann", DisplayName: "Ann"})
	require.NoError(t, err)
	_, err = svc.CreateAgent(ctx, routing.Agent{ID: "sam", DisplayName: "Sam", Role: routing.RoleSupervisor})
	require.NoError(t, err)
	_, err = svc.CreateQueue(ctx, routing.Queue{ID: "q1", Name: "Support"})
	require.NoError(t, err)
	_, err = svc.CreateQueue(ctx, routing.Queue{ID: "q2", Name: "Billing"})
	require.NoError(t, err)
	_, err = svc.AddQueueMember(ctx, "q1", "ann")
	require.NoError(t, err)
	_, err = svc.CreateConversation(ctx, conversation.Conversation{ID: "c1", AgentID: "ann", Tags: []string{"vip"}})
	require.NoError(t, err)
	_, err = svc.CreateMessage(ctx, "c1", message.Message{ID: "m1", Direction: message.Inbound, Content: message.Content{Text: "hi"}})
	require.NoError(t, err)
	_, err = svc.CreateMessage(parley.WithActor(ctx, parley.Actor{AgentID: "ann"}), "c1",
		message.Message{ID: "n1", Direction: message.Outbound, Private: true, Content: message.Content{Text: "a note"}})
	require.NoError(t, err)
	_, err = svc.CreateConversation(ctx, conversation.Conversation{ID: "c2", Status: conversation.Closed, Tags: []string{"vip"}})
	require.NoError(t, err)
	seedWaitingStrategies(t, svc)
	seedCalls(t, svc)
	seedWorkingHours(t, svc)
	seedTransfers(t, svc)
	seedRecordings(t, svc)
	seedHoldConfigs(t, svc)
	return store
}

// scopedHandler is the adapter over a service with authorisation on and
// the data of seededStore. The actor function reads the agent from
// x-agent-id and the scopes, comma separated, from x-scopes, as a host's
// authentication would grant them.
func scopedHandler(t *testing.T, opts ...Option) http.Handler {
	t.Helper()
	svc := parley.New(seededStore(t), parley.WithAuthorization(), parley.WithRecordingFiles(seededRecordingFiles()))
	return New(svc, append([]Option{WithActorFunc(headerScopes)}, opts...)...)
}

// headerScopes is an ActorFunc that takes the agent from x-agent-id and the
// scopes, comma separated, from x-scopes.
func headerScopes(r *http.Request) (parley.Actor, error) {
	a := parley.Actor{AgentID: r.Header.Get(HeaderAgentID)}
	for _, s := range strings.Split(r.Header.Get("x-scopes"), ",") {
		if s != "" {
			a.Scopes = append(a.Scopes, parley.Scope(s))
		}
	}
	return a, nil
}

// scopedPath fills a route's wildcards with the ids scopedHandler made.
func scopedPath(route string) string {
	if fixedAPI(route) != "" {
		return voiceScopedPath(route)
	}
	id := "c1"
	switch {
	case strings.HasPrefix(route, "/agents/"):
		id = "ann"
	case strings.HasPrefix(route, "/queues/"):
		id = "q1"
	case strings.HasPrefix(route, "/working-hours/"):
		id = "wh1"
	}
	return strings.NewReplacer("{id}", id, "{tagName}", "vip", "{name}", "vip", "{agentId}", "ann", "{messageId}", "m1", "{noteId}", "n1", "{queueId}", "q1", "{workingHoursId}", "wh1").Replace(route)
}

// TestEveryRouteNeedsItsScope sends every route's request with authorisation
// on: without scopes, and with only the other scope, it is a 403 and
// nothing else; with its operation's scope (read for GET, write for the
// rest) it succeeds. Every route must name its operation in
// routeOperations, and that operation's scope must be the one the route's
// method implies.
func TestEveryRouteNeedsItsScope(t *testing.T) {
	t.Parallel()
	svcType := reflect.TypeOf(&parley.Service{})
	for _, rt := range routes {
		key := rt.method + " " + rt.path
		op, ok := routeOperations[key]
		require.True(t, ok, "route %s has no operation in routeOperations", key)
		if op == "" {
			continue
		}
		_, ok = svcType.MethodByName(op)
		require.True(t, ok, "%s: %s is no method of Service", key, op)
		scope, ok := parley.OperationScope(op)
		require.True(t, ok, "%s: %s has no scope", key, op)
		want, other := parley.ScopeWrite, parley.ScopeRead
		if rt.method == http.MethodGet {
			want, other = parley.ScopeRead, parley.ScopeWrite
		}
		require.Equal(t, want, scope, "the scope of %s (%s)", key, op)

		t.Run(key, func(t *testing.T) {
			t.Parallel()
			h := scopedHandler(t)
			send := func(scopes ...parley.Scope) *httptest.ResponseRecorder {
				var body *strings.Reader
				if b, ok := scopeRequestBodies[key]; ok {
					body = strings.NewReader(b)
				} else {
					body = strings.NewReader("")
				}
				req := httptest.NewRequest(rt.method, pattern(DefaultBasePath, scopedPath(rt.path)), body)
				req.Header.Set(HeaderAgentID, "ann")
				names := make([]string, len(scopes))
				for i, s := range scopes {
					names[i] = string(s)
				}
				req.Header.Set("x-scopes", strings.Join(names, ","))
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			for _, scopes := range [][]parley.Scope{nil, {other}, {"admin"}} {
				rec := send(scopes...)
				require.Equal(t, http.StatusForbidden, rec.Code, "scopes %v: %s", scopes, rec.Body)
				require.Contains(t, rec.Body.String(), `"FORBIDDEN"`)
				require.Contains(t, rec.Body.String(), "needs scope "+string(want), "the message names the scope")
			}
			rec := send(want)
			require.Less(t, rec.Code, 300, "with %s: %s", want, rec.Body)
		})
	}
	for key := range routeOperations {
		found := false
		for _, rt := range routes {
			found = found || rt.method+" "+rt.path == key
		}
		require.True(t, found, "routeOperations names %s, which is no route", key)
	}
}
