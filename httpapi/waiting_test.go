package httpapi

import (
	"context"
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/memstore"
)

// The entries of the waiting-strategy routes in the tables the route tests
// read, kept beside the routes they describe.
func init() {
	const ws = "/waiting-strategies"
	maps.Copy(routeOperations, map[string]string{
		"POST " + voiceAPI + ws:                    "CreateWaitingStrategy",
		"GET " + voiceAPI + ws:                     "ListWaitingStrategies",
		"GET " + voiceAPI + ws + "/{id}":           "GetWaitingStrategy",
		"PUT " + voiceAPI + ws + "/{id}":           "UpdateWaitingStrategy",
		"DELETE " + voiceAPI + ws + "/{id}":        "DeleteWaitingStrategy",
		"POST " + voiceAPI + "/calls/{id}/collect": "CollectWaitingInput",
	})
	maps.Copy(scopeRequestBodies, map[string]string{
		"POST " + voiceAPI + ws:                    queueStrategyJSON("q7"),
		"PUT " + voiceAPI + ws + "/{id}":           queueStrategyJSON("q1"),
		"POST " + voiceAPI + "/calls/{id}/collect": `{"code": "1"}`,
	})
	maps.Copy(routeErrors, map[string][]errorCase{
		"POST " + voiceAPI + ws: {
			{400, "INVALID", voiceAPI + ws, `{"name": "x", "conditionType": "QUEUE", "condition": {"queues": ["q8"]}}`, ""},
			{409, "ALREADY_EXISTS", voiceAPI + ws, `{"id": "k1", ` + queueStrategyJSON("q8")[1:], ""},
			{409, "CONFLICT", voiceAPI + ws, queueStrategyJSON("q2"), ""},
		},
		"GET " + voiceAPI + ws: {
			{400, "INVALID", voiceAPI + ws + "?sortBy=ID", "", ""},
		},
		"GET " + voiceAPI + ws + "/{id}": {
			{404, "NOT_FOUND", voiceAPI + ws + "/nope", "", ""},
		},
		"PUT " + voiceAPI + ws + "/{id}": {
			{404, "NOT_FOUND", voiceAPI + ws + "/nope", queueStrategyJSON("q8"), ""},
			{400, "INVALID", voiceAPI + ws + "/k1", senderStrategyJSON, ""},
			{409, "CONFLICT", voiceAPI + ws + "/k1", queueStrategyJSON("q2"), ""},
		},
		"DELETE " + voiceAPI + ws + "/{id}": {
			{404, "NOT_FOUND", voiceAPI + ws + "/nope", "", ""},
		},
		"POST " + voiceAPI + "/calls/{id}/collect": {
			{404, "NOT_FOUND", voiceAPI + "/calls/nope/collect", `{"code": "1"}`, ""},
			{400, "INVALID", voiceAPI + "/calls/k1/collect", `{"code": "7"}`, ""},
			{409, "CONFLICT", voiceAPI + "/calls/k0/collect", `{"code": "1"}`, ""},
		},
	})
}

// queueStrategyJSON is Infobip's example of a queue-based strategy, naming
// queue and a callback key "1".
func queueStrategyJSON(queue string) string {
	return `{"name": "Test Queue Waiting Strategy",
	"maximumWaitTime": {"unit": "SECONDS", "value": 5},
	"greetingMessage": {"enabled": true, "audioSourceType": "TTS",
		"ttsAudioSource": {"text": "Greetings!", "language": "en-gb", "voice": {"name": "Emma", "gender": "FEMALE"}, "speechRate": 1.0},
		"fileAudioSource": null},
	"musicOnHold": {"enabled": false, "fileAudioSource": null},
	"announcementMessage": {"enabled": true, "audioSourceType": "TTS",
		"ttsAudioSource": {"text": "Press 1 to be called back", "language": "en-gb", "voice": {"name": "Emma", "gender": "FEMALE"}, "speechRate": 1.0},
		"fileAudioSource": null, "repeatInterval": {"unit": "SECONDS", "value": 3},
		"collectables": [{"code": "1", "action": "CALLBACK", "value": "cb"}]},
	"maximumWaitTimeMessage": {"enabled": true, "audioSourceType": "FILE", "ttsAudioSource": null, "fileAudioSource": {"fileDescriptor": "sorry"}},
	"conditionType": "QUEUE",
	"condition": {"queues": ["` + queue + `"]}}`
}

// senderStrategyJSON is Infobip's example of a sender-based strategy.
const senderStrategyJSON = `{"name": "Test Sender Waiting Strategy",
	"maximumWaitTime": {"unit": "MINUTES", "value": 2},
	"musicOnHold": {"enabled": true, "useDefault": true},
	"conditionType": "SENDER",
	"condition": {"senders": [{"clientType": "PSTN", "identifier": "123456789"}, {"clientType": "WEBRTC", "identifier": "conversations"}]}}`

// seedWaitingStrategies adds to seededStore, before its calls arrive,
// strategy k1 for queue q1 (the id the voice routes' wildcards are filled
// with) and ws2 for queue q2.
func seedWaitingStrategies(t *testing.T, svc *parley.Service) {
	t.Helper()
	h := New(svc)
	doJSON(t, h, http.MethodPost, voiceAPI+"/waiting-strategies", `{"id": "k1", `+queueStrategyJSON("q1")[1:], http.StatusOK)
	doJSON(t, h, http.MethodPost, voiceAPI+"/waiting-strategies", `{"id": "ws2", `+queueStrategyJSON("q2")[1:], http.StatusOK)
}

// TestWaitingStrategiesOverHTTP creates, reads, lists, updates and deletes
// waiting strategies in Infobip's shapes, and reports a caller's key.
func TestWaitingStrategiesOverHTTP(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 27, 7, 30, 0, 0, time.UTC)
	svc := parley.New(memstore.New(), parley.WithClock(func() time.Time { return now }))
	h := New(svc)
	const ws = voiceAPI + "/waiting-strategies"

	created := doJSON(t, h, http.MethodPost, ws, senderStrategyJSON, http.StatusOK)
	id, _ := created["id"].(string)
	require.NotEmpty(t, id)
	require.Equal(t, map[string]any{"unit": "MINUTES", "value": float64(2)}, created["maximumWaitTime"])
	require.Equal(t, "SENDER", created["conditionType"])
	senders := []any{
		map[string]any{"clientType": "PSTN", "identifier": "123456789"},
		map[string]any{"clientType": "WEBRTC", "identifier": "conversations"},
	}
	require.Equal(t, map[string]any{"senders": senders}, created["condition"])
	require.Equal(t, senders, created["senders"])
	require.Equal(t, map[string]any{"enabled": true, "useDefault": true, "fileAudioSource": nil}, created["musicOnHold"])
	require.Equal(t, map[string]any{"enabled": false, "audioSourceType": nil, "ttsAudioSource": nil, "fileAudioSource": nil}, created["greetingMessage"])
	require.Equal(t, "2026-03-27T07:30:00.000+00:00", created["createdAt"])
	require.Nil(t, created["outcome"])

	doJSON(t, h, http.MethodPost, "/ccaas/1/queues", `{"id": "q", "name": "Support", "default": true}`, http.StatusOK)
	q := doJSON(t, h, http.MethodPost, ws, `{"id": "wq", `+queueStrategyJSON("default")[1:], http.StatusOK)
	require.Equal(t, map[string]any{"queues": []any{"default"}}, q["condition"])
	require.Equal(t, []any{}, q["senders"])
	ann := q["announcementMessage"].(map[string]any)
	require.Equal(t, map[string]any{"unit": "SECONDS", "value": float64(3)}, ann["repeatInterval"])
	require.Equal(t, []any{map[string]any{"code": "1", "action": "CALLBACK", "value": "cb"}}, ann["collectables"])
	require.Equal(t, map[string]any{"fileDescriptor": "sorry"}, q["maximumWaitTimeMessage"].(map[string]any)["fileAudioSource"])

	got := doJSON(t, h, http.MethodGet, ws+"/wq", "", http.StatusOK)
	require.Equal(t, q, got)

	list := doJSON(t, h, http.MethodGet, ws+"?pageSize=1&sortBy=NAME&sortDirection=ASC", "", http.StatusOK)
	require.Equal(t, float64(2), list["total"])
	require.Equal(t, float64(2), list["totalPages"])
	require.Len(t, list["elements"], 1)
	require.Equal(t, "wq", list["elements"].([]any)[0].(map[string]any)["id"], "Queue before Sender")
	list = doJSON(t, h, http.MethodGet, ws+"?queueId=default", "", http.StatusOK)
	require.Len(t, list["elements"], 1)

	bad := doJSON(t, h, http.MethodPost, ws, `{"name": "x", "conditionType": "QUEUE", "condition": {"queues": ["q8"]}}`, http.StatusBadRequest)
	require.Equal(t, "maximumWaitTime", bad["field"])
	bad = doJSON(t, h, http.MethodPut, ws+"/wq", senderStrategyJSON, http.StatusBadRequest)
	require.Equal(t, "conditionType", bad["field"])
	bad = doJSON(t, h, http.MethodPost, ws, `{"id": "w3", `+queueStrategyJSON("default")[1:], http.StatusConflict)
	require.Equal(t, "CONFLICT", bad["code"])
	bad = doJSON(t, h, http.MethodGet, ws+"/nope", "", http.StatusNotFound)
	require.Equal(t, `No record found with WS Id: "nope"`, bad["message"])

	updated := doJSON(t, h, http.MethodPut, ws+"/wq", `{"outcome": {"action": "END"}, `+queueStrategyJSON("q")[1:], http.StatusOK)
	require.Equal(t, map[string]any{"queues": []any{"q"}}, updated["condition"])
	require.Equal(t, map[string]any{"action": "END"}, updated["outcome"])

	// A caller waiting in q presses 1: called back.
	c, err := svc.ReceiveCall(context.Background(), parley.InboundCall{ID: "k", CustomerID: "cu", From: "+38591", To: "+38592"})
	require.NoError(t, err)
	require.Equal(t, "q", c.QueueID)
	bad = doJSON(t, h, http.MethodPost, voiceAPI+"/calls/k/collect", `{"code": "5"}`, http.StatusBadRequest)
	require.Equal(t, "code", bad["field"])
	ended := doJSON(t, h, http.MethodPost, voiceAPI+"/calls/k/collect", `{"code": "1"}`, http.StatusOK)
	require.Equal(t, "CALLBACK_REQUESTED", ended["endReason"])

	deleted := doJSON(t, h, http.MethodDelete, ws+"/wq", "", http.StatusOK)
	require.Equal(t, map[string]any{"status": "SUCCESS", "message": "Waiting Strategy deleted."}, deleted)
	doJSON(t, h, http.MethodDelete, ws+"/wq", "", http.StatusNotFound)
}
