package httpapi_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/httpapi"
)

// voice joins Infobip's voice API prefix and a formatted path.
func voice(format string, args ...any) string { return "/ccaas/voice/2" + fmt.Sprintf(format, args...) }

// callFields are the fields of every call answered, in Infobip's time
// layout and null when unset.
var callFields = []string{"id", "conversationId", "channel", "direction", "from", "to", "voiceClientType", "state",
	"queueId", "agentId", "onHold", "endReason", "refused", "createdAt", "updatedAt", "offeredAt", "deadline",
	"connectedAt", "endedAt", "transfers", "transfer"}

// requireCall checks a call answer's shape: exactly callFields, each time
// in Infobip's layout or null; and the values of want.
func requireCall(t *testing.T, want, got map[string]any) {
	t.Helper()
	keys := make([]string, 0, len(got))
	for k := range got {
		keys = append(keys, k)
	}
	require.ElementsMatch(t, callFields, keys, "%v", got)
	for _, k := range []string{"createdAt", "updatedAt", "offeredAt", "deadline", "connectedAt", "endedAt"} {
		if got[k] != nil {
			require.Regexp(t, infobipTime, got[k], k)
		}
	}
	requireFields(t, want, got)
}

// callCentre is a fixture with a call centre: queue support takes every
// VOICE conversation; ann and bob are ACTIVE members of it.
func callCentre(t *testing.T, opts ...httpapi.Option) *fixture {
	t.Helper()
	f := setup(t, nil, opts...)
	f.must(200, "POST", path("/queues"), map[string]any{"id": "support", "name": "Support"})
	for _, id := range []string{"ann", "bob"} {
		f.must(200, "POST", path("/agents"), map[string]any{"id": id, "displayName": id, "status": "ACTIVE"})
		f.must(200, "POST", path("/queues/support/agents"), map[string]any{"agentId": id})
	}
	f.must(200, "PUT", path("/routing"), map[string]any{"rules": []any{
		map[string]any{"name": "calls", "queueId": "support", "condition": map[string]any{"channels": []string{"VOICE"}}},
	}})
	return f
}

// inbound reports an inbound call of customer and returns it.
func (f *fixture) inbound(id, customer string) map[string]any {
	f.t.Helper()
	return f.must(200, "POST", voice("/calls"), map[string]any{"id": id, "customerId": customer,
		"from": "+385998779621", "to": "+38761123123"}).JSON(f.t)
}

func (f *fixture) availability(agent string) string {
	f.t.Helper()
	return f.must(200, "GET", path("/agents/%s", agent), nil).JSON(f.t)["availability"].(string)
}

func TestInboundCallOverHTTP(t *testing.T) {
	t.Parallel()
	f := callCentre(t)

	// No heartbeat, no call: the call waits in its queue.
	require.Equal(t, "ACTIVE", f.availability("ann"), "an agent that never sent a heartbeat may still get conversations")
	r := f.must(200, "POST", voice("/calls"), map[string]any{"id": "k1", "customerId": "cust-1",
		"from": "+385998779621", "to": "+38761123123", "channel": "VOICE", "voiceClientType": "WEBRTC"})
	require.Equal(t, voice("/calls/k1"), r.Header.Get("Location"))
	queued := r.JSON(t)
	requireCall(t, map[string]any{"id": "k1", "channel": "VOICE", "direction": "INBOUND", "from": "+385998779621",
		"to": "+38761123123", "voiceClientType": "WEBRTC", "state": "QUEUED", "queueId": "support", "agentId": nil,
		"onHold": false, "endReason": nil, "refused": []any{}, "offeredAt": nil, "deadline": nil, "connectedAt": nil,
		"endedAt": nil, "createdAt": anyTime, "updatedAt": anyTime, "conversationId": anyID}, queued)
	conv := queued["conversationId"].(string)
	requireFields(t, map[string]any{"channel": "VOICE", "customerId": "cust-1", "agentId": nil},
		f.must(200, "GET", path("/conversations/%s", conv), nil).JSON(t))

	// A heartbeat makes ann present: the queued call is offered to her,
	// at once or at the runner's next pass.
	requireFields(t, map[string]any{"statusCode": "SUCCESS", "message": "Heartbeat received."},
		f.must(200, "PUT", path("/agents/ann/heartbeat"), nil).JSON(t))
	_, err := f.svc.RunDue(t.Context())
	require.NoError(t, err)
	ringing := f.must(200, "GET", voice("/calls/k1"), nil).JSON(t)
	requireCall(t, map[string]any{"state": "RINGING", "agentId": "ann", "offeredAt": anyTime, "deadline": anyTime}, ringing)
	require.Equal(t, "BUSY", f.availability("ann"), "a call ringing takes the agent")

	// Only ann may accept; she does, as the x-agent-id header says.
	requireError(t, f.do("POST", voice("/calls/k1/accept"), nil, asAgent("bob")), 403, "FORBIDDEN")
	connected := f.must(200, "POST", voice("/calls/k1/accept"), nil, asAgent("ann")).JSON(t)
	requireCall(t, map[string]any{"state": "CONNECTED", "agentId": "ann", "connectedAt": anyTime, "deadline": nil, "offeredAt": nil}, connected)
	requireError(t, f.do("POST", voice("/calls/k1/accept"), nil, asAgent("ann")), 409, "CONFLICT", "CONNECTED")
	requireFields(t, map[string]any{"agentId": "ann", "queueId": "support"},
		f.must(200, "GET", path("/conversations/%s", conv), nil).JSON(t))

	// Hold and unhold, by conversation, as Infobip answers them.
	requireFields(t, map[string]any{"status": "SUCCESS", "message": "Hold action successful."},
		f.must(200, "PATCH", voice("/%s/hold", conv), nil).JSON(t))
	require.Equal(t, true, f.must(200, "GET", voice("/calls/k1"), nil).JSON(t)["onHold"])
	requireError(t, f.do("PATCH", voice("/%s/hold", conv), nil), 400, "CONFLICT", "Hold action failed")
	requireFields(t, map[string]any{"status": "SUCCESS", "message": "Unhold action successful."},
		f.must(200, "PATCH", voice("/%s/unhold", conv), nil).JSON(t))
	requireError(t, f.do("PATCH", voice("/%s/unhold", conv), nil), 400, "CONFLICT", "Unhold action failed")

	// The customer hangs up: ann wraps up, BUSY, and may extend it.
	ended := f.must(200, "POST", voice("/calls/k1/hangup"), map[string]any{"side": "CUSTOMER"}).JSON(t)
	requireCall(t, map[string]any{"state": "ENDED", "endReason": "CUSTOMER_HANGUP", "agentId": "ann", "onHold": false, "endedAt": anyTime}, ended)
	requireError(t, f.do("POST", voice("/calls/k1/hangup"), map[string]any{"side": "AGENT"}), 409, "CONFLICT", "ENDED")
	requireError(t, f.do("PATCH", voice("/%s/hold", conv), nil), 400, "PRECONDITION_FAILED", "Hold action failed")
	require.Equal(t, "BUSY", f.availability("ann"), "wrapping up")
	requireFields(t, map[string]any{"status": "SUCCESS", "message": "Agent wrap up time added successfully."},
		f.must(200, "PATCH", voice("/agent/ann/wrap-up-time/add/30"), nil).JSON(t))
	requireFields(t, map[string]any{"status": "SUCCESS", "message": "Agent wrap up time cleared successfully."},
		f.must(200, "PATCH", voice("/agent/ann/wrap-up-time/clear"), nil).JSON(t))
	require.Equal(t, "ACTIVE", f.availability("ann"))
	r = f.do("PATCH", voice("/agent/ann/wrap-up-time/add/30"), nil)
	requireError(t, r, 400, "CONFLICT")
	require.Equal(t, "Agent is not in Wrapping status.", r.JSON(t)["message"])
	f.must(200, "PATCH", voice("/agent/ann/wrap-up-time/clear"), nil)

	// The conversation's calls.
	items := f.must(200, "GET", voice("/calls?conversationId=%s", conv), nil).Items(t, "calls")
	require.Len(t, items, 1)
	requireCall(t, map[string]any{"id": "k1", "state": "ENDED"}, items[0])
}

func TestRejectedCallGoesToTheNextAgent(t *testing.T) {
	t.Parallel()
	f := callCentre(t)
	f.must(200, "PUT", path("/agents/ann/heartbeat"), nil)
	f.must(200, "PUT", path("/agents/bob/heartbeat"), nil)
	first := f.inbound("k1", "cust-1")["agentId"].(string)
	require.Contains(t, []string{"ann", "bob"}, first)
	other := "bob"
	if first == "bob" {
		other = "ann"
	}

	// The agent comes from the body when the request names none; given
	// both, they must agree.
	requireError(t, f.do("POST", voice("/calls/k1/reject"), nil), 400, "INVALID", "agentId")
	r := f.do("POST", voice("/calls/k1/reject"), map[string]any{"agentId": first}, asAgent(other))
	requireError(t, r, 400, "INVALID")
	require.Equal(t, "agentId", r.JSON(t)["field"])
	requireError(t, f.do("POST", voice("/calls/k1/reject"), map[string]any{"agentId": other}), 403, "FORBIDDEN")

	next := f.must(200, "POST", voice("/calls/k1/reject"), map[string]any{"agentId": first}).JSON(t)
	requireCall(t, map[string]any{"state": "RINGING", "agentId": other, "refused": []any{first}}, next)
	accepted := f.must(200, "POST", voice("/calls/k1/accept"), map[string]any{"agentId": other}, asAgent(other)).JSON(t)
	requireCall(t, map[string]any{"state": "CONNECTED", "agentId": other}, accepted)

	// The media layer loses the call: it ends FAILED.
	requireCall(t, map[string]any{"state": "ENDED", "endReason": "FAILED"},
		f.must(200, "POST", voice("/calls/k1/fail"), nil).JSON(t))
	requireError(t, f.do("POST", voice("/calls/k1/fail"), "{}"), 409, "CONFLICT")

	// A customer hanging up a queued call abandons it.
	f.must(200, "PATCH", path("/agents/ann"), map[string]any{"status": "AWAY"})
	f.must(200, "PATCH", path("/agents/bob"), map[string]any{"status": "AWAY"})
	require.Equal(t, "QUEUED", f.inbound("k2", "cust-2")["state"])
	requireCall(t, map[string]any{"state": "ENDED", "endReason": "ABANDONED", "agentId": nil},
		f.must(200, "POST", voice("/calls/k2/hangup"), map[string]any{"side": "CUSTOMER"}).JSON(t))
}

func TestOutboundCallOverHTTP(t *testing.T) {
	t.Parallel()
	f := callCentre(t)

	// Infobip's request and answer, with parley's callId beside it.
	r := f.must(200, "POST", voice("/outbound-call-conversation"), map[string]any{"from": "385998779621", "to": "38761123123",
		"agentId": "ann", "voiceClientType": "PSTN"})
	out := r.JSON(t)
	requireFields(t, map[string]any{"from": "385998779621", "to": "38761123123", "conversationId": anyID, "agentId": "ann", "callId": anyID}, out)
	require.Len(t, out, 5)
	require.Equal(t, voice("/calls/%s", out["callId"]), r.Header.Get("Location"))
	requireFields(t, map[string]any{"agentId": "ann", "source": "API", "channel": "VOICE"},
		f.must(200, "GET", path("/conversations/%s", out["conversationId"]), nil).JSON(t))
	call := voice("/calls/%s", out["callId"])
	requireCall(t, map[string]any{"direction": "OUTBOUND", "state": "DIALING", "agentId": "ann", "deadline": anyTime, "queueId": nil},
		f.must(200, "GET", call, nil).JSON(t))

	// ann has a call: she can place no other.
	requireError(t, f.do("POST", voice("/outbound-call-conversation"), map[string]any{"from": "1", "to": "2", "agentId": "ann"}), 409, "CONFLICT")
	// Only a ringing inbound call is accepted.
	requireError(t, f.do("POST", call+"/accept", nil, asAgent("ann")), 409, "CONFLICT")
	requireCall(t, map[string]any{"state": "CONNECTED", "connectedAt": anyTime},
		f.must(200, "POST", call+"/answer", nil).JSON(t))
	requireError(t, f.do("POST", call+"/answer", nil), 409, "CONFLICT")
	requireCall(t, map[string]any{"state": "ENDED", "endReason": "AGENT_HANGUP"},
		f.must(200, "POST", call+"/hangup", map[string]any{"side": "AGENT"}).JSON(t))

	// Infobip answers an unknown agent with a 400.
	r = f.do("POST", voice("/outbound-call-conversation"), map[string]any{"from": "1", "to": "2", "agentId": "nope"})
	requireError(t, r, 400, "NOT_FOUND")
	requireFields(t, map[string]any{"message": "No agent found with id=nope", "field": "agentId"}, r.JSON(t))
	f.must(200, "PATCH", path("/agents/bob"), map[string]any{"enabled": false})
	requireError(t, f.do("POST", voice("/outbound-call-conversation"), map[string]any{"from": "1", "to": "2", "agentId": "bob"}), 403, "FORBIDDEN")
}

// TestCallRoutesRefuseBadInput checks each call route's 400s and 404s:
// the field named, and nothing written.
func TestCallRoutesRefuseBadInput(t *testing.T) {
	t.Parallel()
	f := callCentre(t)
	f.inbound("k1", "cust-1")
	before := f.must(200, "GET", path("/events?limit=999"), nil).Body

	for _, tc := range []struct {
		method, path string
		body         any
		field        string
	}{
		{"POST", voice("/calls"), map[string]any{"from": "1", "to": "2"}, "customerId"},
		{"POST", voice("/calls"), map[string]any{"customerId": "c", "to": "2"}, "from"},
		{"POST", voice("/calls"), map[string]any{"customerId": "c", "from": " ", "to": "2"}, "from"},
		{"POST", voice("/calls"), map[string]any{"customerId": "c", "from": "1"}, "to"},
		{"POST", voice("/calls"), map[string]any{"customerId": "c", "from": "1", "to": "2", "channel": "SMS"}, "channel"},
		{"POST", voice("/calls"), map[string]any{"customerId": "c", "from": "1", "to": "2", "voiceClientType": "FAX"}, "voiceClientType"},
		{"POST", voice("/calls"), map[string]any{"customerId": "c", "from": "1", "to": "2", "agentId": "ann"}, "agentId"},
		{"POST", voice("/calls"), map[string]any{"customerId": 7, "from": "1", "to": "2"}, "customerId"},
		{"POST", voice("/outbound-call-conversation"), map[string]any{"from": "1", "agentId": "ann"}, "to"},
		{"POST", voice("/outbound-call-conversation"), map[string]any{"to": "1", "agentId": "ann"}, "from"},
		{"POST", voice("/outbound-call-conversation"), map[string]any{"from": "1", "to": "2"}, "agentId"},
		{"POST", voice("/calls/k1/accept"), map[string]any{}, "agentId"},
		{"POST", voice("/calls/k1/hangup"), map[string]any{}, "side"},
		{"POST", voice("/calls/k1/hangup"), map[string]any{"side": "BOTH"}, "side"},
		{"GET", voice("/calls?state=LOST"), nil, "state"},
		{"GET", voice("/calls?orderBy=createdAt:desc"), nil, "orderBy"},
		{"GET", voice("/calls?limit=0"), nil, "limit"},
		{"GET", voice("/calls?agentId=a&agentId=b"), nil, "agentId"},
		{"PUT", voice("/call-timeouts"), map[string]any{"inbound": 2}, "inbound"},
		{"PUT", voice("/call-timeouts"), map[string]any{"outbound": 61}, "outbound"},
		{"PUT", voice("/call-timeouts"), map[string]any{"inbound": 0}, "inbound"},
		{"PUT", voice("/account-wrap-up-config"), map[string]any{"wrapUpSeconds": 30, "canExtendWrapUp": true}, "enabled"},
		{"PUT", voice("/account-wrap-up-config"), map[string]any{"wrapUpSeconds": nil, "canExtendWrapUp": true, "enabled": true}, "wrapUpSeconds"},
		{"PUT", voice("/account-wrap-up-config"), map[string]any{"wrapUpSeconds": -1, "canExtendWrapUp": true, "enabled": true}, "wrapUpSeconds"},
		{"PUT", "/ccca/1/agent-configs/ann/wrap-up", map[string]any{}, "wrapUpSeconds"},
		{"PUT", "/ccca/1/agent-configs/ann/wrap-up", map[string]any{"wrapUpSeconds": -1}, "wrapUpSeconds"},
		{"PUT", "/ccca/1/agent-configs/ann/wrap-up?wrapUpSeconds=x", nil, "wrapUpSeconds"},
		{"PUT", "/ccca/1/agent-configs/ann/wrap-up?wrapUpSeconds=3", map[string]any{"wrapUpSeconds": 4}, "wrapUpSeconds"},
		{"PATCH", voice("/agent/ann/wrap-up-time/add/x"), nil, "seconds"},
		{"PATCH", voice("/agent/ann/wrap-up-time/add/0"), nil, "seconds"},
		{"GET", path("/agents?availability=SLEEPY"), nil, "availability"},
	} {
		r := f.do(tc.method, tc.path, tc.body)
		requireError(t, r, 400, "INVALID")
		require.Equal(t, tc.field, r.JSON(t)["field"], "%s %s %v", tc.method, tc.path, tc.body)
	}
	for _, p := range []string{"/calls/nope/accept", "/calls/nope/reject", "/calls/nope/answer", "/calls/nope/fail"} {
		requireError(t, f.do("POST", voice("%s", p), map[string]any{"agentId": "ann"}), 404, "NOT_FOUND")
	}
	requireError(t, f.do("POST", voice("/calls/nope/hangup"), map[string]any{"side": "AGENT"}), 404, "NOT_FOUND")
	requireError(t, f.do("GET", voice("/calls/nope"), nil), 404, "NOT_FOUND")
	requireError(t, f.do("PATCH", voice("/nope/hold"), nil), 404, "NOT_FOUND")
	requireError(t, f.do("PUT", path("/agents/nope/heartbeat"), nil), 404, "NOT_FOUND")
	requireError(t, f.do("PATCH", voice("/agent/nope/wrap-up-time/add/5"), nil), 404, "NOT_FOUND")
	requireError(t, f.do("PATCH", voice("/agent/nope/wrap-up-time/clear"), nil), 404, "NOT_FOUND")
	requireError(t, f.do("PUT", "/ccca/1/agent-configs/nope/wrap-up", map[string]any{"wrapUpSeconds": 5}), 404, "NOT_FOUND")
	// The base path does not move Infobip's other APIs.
	requireError(t, f.do("GET", path("/ccaas/voice/2/call-timeouts"), nil), 404, "NOT_FOUND")

	require.Equal(t, string(before), string(f.must(200, "GET", path("/events?limit=999"), nil).Body), "a refused request writes nothing")
	require.Len(t, f.must(200, "GET", voice("/calls"), nil).Items(t, "calls"), 1)
}

func TestCallSettingsOverHTTP(t *testing.T) {
	t.Parallel()
	f := callCentre(t)

	// Ring timeouts: Infobip's defaults; null is the default.
	require.Equal(t, map[string]any{"inbound": 30.0, "outbound": 45.0}, f.must(200, "GET", voice("/call-timeouts"), nil).JSON(t))
	require.Equal(t, map[string]any{"inbound": 20.0, "outbound": 45.0},
		f.must(200, "PUT", voice("/call-timeouts"), map[string]any{"inbound": 20, "outbound": nil}).JSON(t))
	require.Equal(t, map[string]any{"inbound": 20.0, "outbound": 45.0}, f.must(200, "GET", voice("/call-timeouts"), nil).JSON(t))
	require.Equal(t, map[string]any{"status": "DELETED", "message": "Inbound Call Timeout removed successfully."},
		f.must(200, "DELETE", voice("/call-timeouts"), nil).JSON(t))
	require.Equal(t, map[string]any{"inbound": 30.0, "outbound": 45.0}, f.must(200, "GET", voice("/call-timeouts"), nil).JSON(t))

	// The account's wrap-up.
	require.Equal(t, map[string]any{"wrapUpSeconds": 30.0, "canExtendWrapUp": true, "enabled": true},
		f.must(200, "GET", voice("/account-wrap-up-config"), nil).JSON(t))
	cfg := map[string]any{"wrapUpSeconds": 45.0, "canExtendWrapUp": false, "enabled": true}
	require.Equal(t, cfg, f.must(200, "PUT", voice("/account-wrap-up-config"), cfg).JSON(t))
	require.Equal(t, cfg, f.must(200, "GET", voice("/account-wrap-up-config"), nil).JSON(t))

	// An agent's own length; null defers to the account's. Infobip's
	// deprecated query parameter works too.
	require.Equal(t, map[string]any{"wrapUpSeconds": 10.0},
		f.must(200, "PUT", "/ccca/1/agent-configs/ann/wrap-up", map[string]any{"wrapUpSeconds": 10}).JSON(t))
	require.Equal(t, map[string]any{"wrapUpSeconds": nil},
		f.must(200, "PUT", "/ccca/1/agent-configs/ann/wrap-up", map[string]any{"wrapUpSeconds": nil}).JSON(t))
	require.Equal(t, map[string]any{"wrapUpSeconds": 5.0},
		f.must(200, "PUT", "/ccca/1/agent-configs/bob/wrap-up?wrapUpSeconds=5", nil).JSON(t))

	// bob wraps up for his own 5 seconds; this account lets nobody extend.
	f.must(200, "PUT", path("/agents/bob/heartbeat"), nil)
	require.Equal(t, "bob", f.inbound("k1", "cust-1")["agentId"])
	f.must(200, "POST", voice("/calls/k1/accept"), nil, asAgent("bob"))
	f.must(200, "POST", voice("/calls/k1/hangup"), map[string]any{"side": "AGENT"})
	require.Equal(t, "BUSY", f.availability("bob"))
	requireError(t, f.do("PATCH", voice("/agent/bob/wrap-up-time/add/10"), nil), 403, "FORBIDDEN")
}

func TestListCallsOverHTTP(t *testing.T) {
	t.Parallel()
	f := callCentre(t)
	f.must(200, "PATCH", path("/agents/ann"), map[string]any{"status": "AWAY"})
	f.must(200, "PUT", path("/agents/bob/heartbeat"), nil)
	ids := []string{"k1", "k2", "k3", "k4", "k5"}
	for _, id := range ids {
		f.inbound(id, "cust-"+id)
	}
	// bob took k1; the rest wait.
	ofCalls := func(r response) []string {
		var out []string
		for _, c := range r.Items(t, "calls") {
			out = append(out, c["id"].(string))
		}
		return out
	}
	require.Equal(t, []string{"k1"}, ofCalls(f.must(200, "GET", voice("/calls?agentId=bob"), nil)))
	require.Equal(t, []string{"k1"}, ofCalls(f.must(200, "GET", voice("/calls?state=RINGING"), nil)))
	require.Equal(t, ids, ofCalls(f.must(200, "GET", voice("/calls?state=RINGING&state=QUEUED&queueId=support&limit=10"), nil)))

	// Paging, oldest first, by page and by cursor.
	r := f.must(200, "GET", voice("/calls?limit=2&page=1"), nil)
	require.Equal(t, []string{"k3", "k4"}, ofCalls(r))
	requireFields(t, map[string]any{"totalItems": 5.0, "page": 1.0, "limit": 2.0, "orderBy": "createdAt:asc"}, r.Pagination(t))
	var got []string
	q := "limit=2"
	for {
		r := f.must(200, "GET", voice("/calls?%s", q), nil)
		got = append(got, ofCalls(r)...)
		next, _ := r.Pagination(t)["nextCursor"].(string)
		if next == "" {
			break
		}
		q = "limit=2&cursor=" + url.QueryEscape(next)
	}
	require.Equal(t, ids, got)
}

// TestAgentAvailabilityFilter pages through GET /agents?availability=...
// by page and by cursor, at every page size: each matching agent once, in
// id order, and the total counts them all.
func TestAgentAvailabilityFilter(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	statuses := []string{"ACTIVE", "BUSY", "ACTIVE", "AWAY", "INVISIBLE", "ACTIVE", "ACTIVE", "BUSY", "ACTIVE", "AWAY", "ACTIVE"}
	var active, activeOrAway []string
	for i, st := range statuses {
		id := fmt.Sprintf("a%02d", i)
		body := map[string]any{"id": id, "displayName": id, "status": st}
		if i == 5 {
			body["enabled"] = false // INVISIBLE, whatever its status
		}
		f.must(200, "POST", path("/agents"), body)
		switch {
		case i == 5:
		case st == "ACTIVE":
			active = append(active, id)
			activeOrAway = append(activeOrAway, id)
		case st == "AWAY":
			activeOrAway = append(activeOrAway, id)
		}
	}
	require.Equal(t, "INVISIBLE", f.availability("a05"))

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"availability=ACTIVE", active},
		{"availability=ACTIVE&availability=AWAY", activeOrAway},
		{"availability=INVISIBLE", []string{"a04", "a05"}},
	} {
		for limit := 1; limit <= len(tc.want)+1; limit++ {
			var byCursor, byPage []string
			q := fmt.Sprintf("%s&limit=%d", tc.query, limit)
			for pages := 0; ; pages++ {
				require.Less(t, pages, 20, "the pages must end")
				r := f.must(200, "GET", path("/agents?%s", q), nil)
				p := r.Pagination(t)
				require.EqualValues(t, len(tc.want), p["totalItems"], q)
				for _, a := range r.Items(t, "agents") {
					require.Contains(t, tc.query, a["availability"].(string))
					byCursor = append(byCursor, a["id"].(string))
				}
				next, _ := p["nextCursor"].(string)
				if next == "" {
					break
				}
				q = fmt.Sprintf("%s&limit=%d&cursor=%s", tc.query, limit, url.QueryEscape(next))
			}
			require.Equal(t, tc.want, byCursor, "%s by cursor, limit %d", tc.query, limit)
			for page := 0; ; page++ {
				r := f.must(200, "GET", path("/agents?%s&limit=%d&page=%d", tc.query, limit, page), nil)
				items := ids(t, r, "agents")
				if len(items) == 0 {
					break
				}
				byPage = append(byPage, items...)
			}
			require.Equal(t, tc.want, byPage, "%s by page, limit %d", tc.query, limit)
		}
	}

	// skipTotal counts nothing; without the filter every agent comes,
	// each with its availability.
	r := f.must(200, "GET", path("/agents?availability=BUSY&skipTotal=true"), nil)
	require.Nil(t, r.Pagination(t)["totalItems"])
	require.Equal(t, []string{"a01", "a07"}, ids(t, r, "agents"))
	r = f.must(200, "GET", path("/agents?limit=999"), nil)
	require.Len(t, r.Items(t, "agents"), len(statuses))
	for _, a := range r.Items(t, "agents") {
		require.Contains(t, []string{"ACTIVE", "BUSY", "AWAY", "INVISIBLE"}, a["availability"])
	}
}

// TestCallRoutesLenient: unknown fields and parameters are ignored by
// default, as everywhere in the API, and refused in strict mode.
func TestCallRoutesLenient(t *testing.T) {
	t.Parallel()
	body := map[string]any{"customerId": "c", "from": "1", "to": "2", "piIntegrator": "x"}
	f := callCentre(t)
	f.must(200, "POST", voice("/calls?trackingId=1"), body)
	f.must(200, "PUT", path("/agents/ann/heartbeat"), `{"at": "now"}`)
	f.must(200, "PUT", voice("/call-timeouts"), map[string]any{"inbound": 10, "ring": 3})

	strict := callCentre(t, httpapi.WithStrict())
	r := strict.do("POST", voice("/calls"), body)
	requireError(t, r, 400, "INVALID")
	require.Equal(t, "piIntegrator", r.JSON(t)["field"])
	r = strict.do("PUT", path("/agents/ann/heartbeat"), `{"at": "now"}`)
	requireError(t, r, 400, "INVALID")
	require.Equal(t, "body", r.JSON(t)["field"])
	r = strict.do("GET", voice("/calls?trackingId=1"), nil)
	requireError(t, r, 400, "INVALID")
	require.Equal(t, "trackingId", r.JSON(t)["field"])
	strict.must(200, "GET", voice("/calls"), nil)
}

// TestVoiceRoutesKeepTheirPaths: WithBasePath moves the Conversations API
// only; Infobip's voice and agent configuration APIs stay at their paths.
func TestVoiceRoutesKeepTheirPaths(t *testing.T) {
	t.Parallel()
	f := setup(t, nil, httpapi.WithBasePath("/api"))
	f.must(200, "POST", "/api/agents", map[string]any{"id": "ann", "displayName": "Ann", "status": "ACTIVE"})
	f.must(200, "PUT", "/api/agents/ann/heartbeat", nil)
	f.must(200, "GET", voice("/call-timeouts"), nil)
	f.must(200, "PUT", "/ccca/1/agent-configs/ann/wrap-up", map[string]any{"wrapUpSeconds": 5})
	requireError(t, f.do("GET", "/api/ccaas/voice/2/call-timeouts", nil), 404, "NOT_FOUND")
	requireError(t, f.do("POST", voice("/call-timeouts"), nil), 405, "METHOD_NOT_ALLOWED")
}
