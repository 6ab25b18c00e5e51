package httpapi

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// The entries of the call and presence routes in the tables the route
// tests read (routeOperations, scopeRequestBodies, routeErrors), kept
// beside the routes they describe.
func init() {
	maps.Copy(routeOperations, callRouteOperations)
	maps.Copy(scopeRequestBodies, callRequestBodies)
	maps.Copy(routeErrors, callRouteErrors)
}

var callRouteOperations = map[string]string{
	"PUT /agents/{id}/heartbeat":                                        "Heartbeat",
	"PUT /agents/{id}/status":                                           "UpdateAgent",
	"GET " + voiceAPI + "/call-timeouts":                                "CallTimeouts",
	"PUT " + voiceAPI + "/call-timeouts":                                "SetCallTimeouts",
	"DELETE " + voiceAPI + "/call-timeouts":                             "ResetCallTimeouts",
	"GET " + voiceAPI + "/account-wrap-up-config":                       "WrapUpConfig",
	"PUT " + voiceAPI + "/account-wrap-up-config":                       "SetWrapUpConfig",
	"PATCH " + voiceAPI + "/agent/{agentId}/wrap-up-time/add/{seconds}": "ExtendWrapUp",
	"PATCH " + voiceAPI + "/agent/{agentId}/wrap-up-time/clear":         "ClearWrapUp",
	"PUT " + agentConfigAPI + "/agent-configs/{agentId}/wrap-up":        "SetAgentCallWrapUp",
	"POST " + voiceAPI + "/outbound-call-conversation":                  "PlaceCall",
	"PATCH " + voiceAPI + "/{conversationId}/hold":                      "HoldCall",
	"PATCH " + voiceAPI + "/{conversationId}/unhold":                    "UnholdCall",
	"POST " + voiceAPI + "/calls":                                       "ReceiveCall",
	"GET " + voiceAPI + "/calls":                                        "ListCalls",
	"GET " + voiceAPI + "/calls/{id}":                                   "GetCall",
	"POST " + voiceAPI + "/calls/{id}/accept":                           "AcceptCall",
	"POST " + voiceAPI + "/calls/{id}/reject":                           "RejectCall",
	"POST " + voiceAPI + "/calls/{id}/answer":                           "AnswerCall",
	"POST " + voiceAPI + "/calls/{id}/hangup":                           "HangUpCall",
	"POST " + voiceAPI + "/calls/{id}/fail":                             "FailCall",
}

var callRequestBodies = map[string]string{
	"PUT /agents/{id}/status":                                    `{"status": "AWAY"}`,
	"PUT " + voiceAPI + "/call-timeouts":                         `{"inbound": 20, "outbound": 40}`,
	"PUT " + voiceAPI + "/account-wrap-up-config":                `{"wrapUpSeconds": 30, "canExtendWrapUp": true, "enabled": true}`,
	"PUT " + agentConfigAPI + "/agent-configs/{agentId}/wrap-up": `{"wrapUpSeconds": 10}`,
	"POST " + voiceAPI + "/outbound-call-conversation":           `{"from": "+385998779621", "to": "+38761123123", "agentId": "dee"}`,
	"POST " + voiceAPI + "/calls":                                `{"customerId": "ada", "from": "+38761123123", "to": "+385998779621"}`,
	"POST " + voiceAPI + "/calls/{id}/accept":                    `{"agentId": "ann"}`,
	"POST " + voiceAPI + "/calls/{id}/reject":                    `{"agentId": "ann"}`,
	"POST " + voiceAPI + "/calls/{id}/answer":                    `{}`,
	"POST " + voiceAPI + "/calls/{id}/hangup":                    `{"side": "CUSTOMER"}`,
	"POST " + voiceAPI + "/calls/{id}/fail":                      `{}`,
}

var callRouteErrors = map[string][]errorCase{
	"PUT /agents/{id}/status": {
		{404, "NOT_FOUND", "/agents/nope/status", `{"status": "AWAY"}`, ""},
		{400, "INVALID", "/agents/ann/status", `{"status": "ASLEEP"}`, ""},
	},
	"PUT /agents/{id}/heartbeat": {
		{404, "NOT_FOUND", "/agents/nope/heartbeat", "", ""},
	},
	"GET " + voiceAPI + "/call-timeouts":          nil,
	"PUT " + voiceAPI + "/call-timeouts":          nil,
	"DELETE " + voiceAPI + "/call-timeouts":       nil,
	"GET " + voiceAPI + "/account-wrap-up-config": nil,
	"PUT " + voiceAPI + "/account-wrap-up-config": nil,
	"PATCH " + voiceAPI + "/agent/{agentId}/wrap-up-time/add/{seconds}": {
		{404, "NOT_FOUND", voiceAPI + "/agent/nope/wrap-up-time/add/10", "", ""},
		{400, "CONFLICT", voiceAPI + "/agent/ann/wrap-up-time/add/10", "", ""},
	},
	"PATCH " + voiceAPI + "/agent/{agentId}/wrap-up-time/clear": {
		{404, "NOT_FOUND", voiceAPI + "/agent/nope/wrap-up-time/clear", "", ""},
	},
	"PUT " + agentConfigAPI + "/agent-configs/{agentId}/wrap-up": {
		{404, "NOT_FOUND", agentConfigAPI + "/agent-configs/nope/wrap-up", `{"wrapUpSeconds": 10}`, ""},
	},
	"POST " + voiceAPI + "/outbound-call-conversation": {
		{400, "NOT_FOUND", voiceAPI + "/outbound-call-conversation", `{"from": "+1", "to": "+2", "agentId": "nope"}`, ""},
		{409, "CONFLICT", voiceAPI + "/outbound-call-conversation", `{"from": "+1", "to": "+2", "agentId": "bea"}`, ""},
	},
	"PATCH " + voiceAPI + "/{conversationId}/hold": {
		{404, "NOT_FOUND", voiceAPI + "/nope/hold", "", ""},
		{400, "PRECONDITION_FAILED", voiceAPI + "/c1/hold", "", ""},
		{400, "CONFLICT", voiceAPI + "/cw/hold", "", ""},
	},
	"PATCH " + voiceAPI + "/{conversationId}/unhold": {
		{404, "NOT_FOUND", voiceAPI + "/nope/unhold", "", ""},
		{400, "PRECONDITION_FAILED", voiceAPI + "/c1/unhold", "", ""},
		{400, "CONFLICT", voiceAPI + "/cv/unhold", "", ""},
	},
	"POST " + voiceAPI + "/calls": {
		{409, "ALREADY_EXISTS", voiceAPI + "/calls", `{"id": "k1", "customerId": "ada", "from": "+1", "to": "+2"}`, ""},
	},
	"GET " + voiceAPI + "/calls": nil,
	"GET " + voiceAPI + "/calls/{id}": {
		{404, "NOT_FOUND", voiceAPI + "/calls/nope", "", ""},
	},
	"POST " + voiceAPI + "/calls/{id}/accept": {
		{404, "NOT_FOUND", voiceAPI + "/calls/nope/accept", `{"agentId": "ann"}`, ""},
		{403, "FORBIDDEN", voiceAPI + "/calls/k1/accept", `{}`, "sam"},
		{409, "CONFLICT", voiceAPI + "/calls/k0/accept", `{"agentId": "bea"}`, ""},
	},
	"POST " + voiceAPI + "/calls/{id}/reject": {
		{404, "NOT_FOUND", voiceAPI + "/calls/nope/reject", `{"agentId": "ann"}`, ""},
		{403, "FORBIDDEN", voiceAPI + "/calls/k1/reject", `{}`, "sam"},
		{409, "CONFLICT", voiceAPI + "/calls/k0/reject", `{"agentId": "bea"}`, ""},
	},
	"POST " + voiceAPI + "/calls/{id}/answer": {
		{404, "NOT_FOUND", voiceAPI + "/calls/nope/answer", "", ""},
		{409, "CONFLICT", voiceAPI + "/calls/k1/answer", "", ""},
	},
	"POST " + voiceAPI + "/calls/{id}/hangup": {
		{404, "NOT_FOUND", voiceAPI + "/calls/nope/hangup", `{"side": "CUSTOMER"}`, ""},
		{409, "CONFLICT", voiceAPI + "/calls/k1/hangup", `{"side": "AGENT"}`, ""},
	},
	"POST " + voiceAPI + "/calls/{id}/fail": {
		{404, "NOT_FOUND", voiceAPI + "/calls/nope/fail", "", ""},
		{409, "CONFLICT", voiceAPI + "/calls/k4/fail", "", ""},
	},
}

// seedCalls adds to seededStore's data the calls the route tests act on,
// one in each state they need:
//
//	k0  CONNECTED between bea and customer cuz, in conversation cv
//	k3  CONNECTED between cal and customer cuw, in conversation cw, on hold
//	k1  RINGING at ann (customer ada)
//	k2  DIALING from sam
//	k4  ENDED: dee called and hung up, so dee is wrapping up
//
// The agents bea, cal and dee are ACTIVE members of q1, which a routing
// rule gives every VOICE conversation; ann is made ACTIVE. Each member
// sends its heartbeat just before its call arrives, so that the call is
// offered to it.
func seedCalls(t *testing.T, svc *parley.Service) {
	t.Helper()
	ctx := context.Background()
	must := func(_ any, err error) {
		t.Helper()
		require.NoError(t, err)
	}
	active := routing.Active
	must(svc.UpdateAgent(ctx, "ann", routing.AgentPatch{Status: &active}))
	for _, id := range []string{"bea", "cal", "dee"} {
		must(svc.CreateAgent(ctx, routing.Agent{ID: id, DisplayName: strings.ToUpper(id[:1]) + id[1:], Status: routing.Active}))
		must(svc.AddQueueMember(ctx, "q1", id))
	}
	must(svc.SetRoutingRules(ctx, []routing.Rule{{ID: "calls", Name: "Calls", QueueID: "q1",
		Condition: routing.Condition{Channels: []conversation.Channel{conversation.Voice}}}}))
	must(svc.CreateConversation(ctx, conversation.Conversation{ID: "cv", Channel: conversation.Voice, CustomerID: "cuz"}))
	must(svc.CreateConversation(ctx, conversation.Conversation{ID: "cw", Channel: conversation.Voice, CustomerID: "cuw"}))

	arrive := func(id, customer, agent string) {
		t.Helper()
		require.NoError(t, svc.Heartbeat(ctx, agent))
		c, err := svc.ReceiveCall(ctx, parley.InboundCall{ID: id, CustomerID: customer, From: "+38761123123", To: "+385998779621"})
		require.NoError(t, err)
		require.Equal(t, call.Ringing, c.State, "call %s", id)
		require.Equal(t, agent, c.AgentID, "call %s", id)
	}
	arrive("k0", "cuz", "bea")
	must(svc.AcceptCall(ctx, "k0", "bea"))
	arrive("k3", "cuw", "cal")
	must(svc.AcceptCall(ctx, "k3", "cal"))
	must(svc.HoldCall(ctx, "k3"))
	arrive("k1", "ada", "ann")
	must(svc.PlaceCall(ctx, parley.OutboundCall{ID: "k2", AgentID: "sam", From: "+385998779621", To: "+38761123123"}))
	must(svc.PlaceCall(ctx, parley.OutboundCall{ID: "k4", AgentID: "dee", From: "+385998779621", To: "+38761123123"}))
	must(svc.AnswerCall(ctx, "k4"))
	must(svc.HangUpCall(ctx, "k4", call.Agent))
}

// voiceScopedPath fills the wildcards of a route of fixedAPIs with the
// ids seedCalls made, each the one its route succeeds on.
func voiceScopedPath(route string) string {
	callID, convID, agentID := "k1", "cv", "ann"
	switch {
	case strings.HasPrefix(route, voiceAPI+"/calls/{id}/transfer/"):
		callID = transferScopedCall(route)
	case strings.HasSuffix(route, "/answer"):
		callID = "k2"
	case strings.HasSuffix(route, "/unhold"):
		convID = "cw"
	case strings.HasPrefix(route, voiceAPI+"/agent/"):
		agentID = "dee"
	}
	return strings.NewReplacer("{id}", callID, "{conversationId}", convID, "{agentId}", agentID, "{seconds}", "10", "{recordingId}", "rec1", "{queueId}", "q1").Replace(route)
}
