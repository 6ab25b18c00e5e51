package httpapi

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/routing"
)

// The entries of the transfer routes in the tables the route tests read,
// kept beside the routes they describe.
func init() {
	const conv = voiceAPI + "/conversation/"
	maps.Copy(routeOperations, map[string]string{
		"PATCH " + conv + "{conversationId}/transfer/agent":           "TransferCallToAgent",
		"PATCH " + conv + "{conversationId}/transfer/queue":           "TransferCallToQueue",
		"PATCH " + conv + "{conversationId}/transfer/external-number": "TransferCallToExternalNumber",
		"GET " + voiceAPI + "/transfer-configs/external-number":       "ExternalTransferSettings",
		"PUT " + voiceAPI + "/transfer-configs/external-number":       "SetExternalTransferSettings",
		"GET " + voiceAPI + "/transfer-configs/transfer-strategy":     "TransferStrategy",
		"PUT " + voiceAPI + "/transfer-configs/transfer-strategy":     "SetTransferStrategy",
		"POST " + voiceAPI + "/calls/{id}/transfer/accept":            "AcceptCallTransfer",
		"POST " + voiceAPI + "/calls/{id}/transfer/reject":            "RejectCallTransfer",
		"POST " + voiceAPI + "/calls/{id}/transfer/answer":            "AnswerCallTransfer",
		"POST " + voiceAPI + "/calls/{id}/transfer/return":            "ReturnCallTransfer",
	})
	maps.Copy(scopeRequestBodies, map[string]string{
		"PATCH " + conv + "{conversationId}/transfer/agent":           `{"agentId": "eve"}`,
		"PATCH " + conv + "{conversationId}/transfer/queue":           `{"queueId": "qt"}`,
		"PATCH " + conv + "{conversationId}/transfer/external-number": `{"externalNumber": "385911111111", "from": "385998779621"}`,
		"PUT " + voiceAPI + "/transfer-configs/external-number":       `{"transferToAnyNumberEnabled": true}`,
		"PUT " + voiceAPI + "/transfer-configs/transfer-strategy":     transferStrategyJSONExample,
		"POST " + voiceAPI + "/calls/{id}/transfer/accept":            `{"agentId": "fay"}`,
		"POST " + voiceAPI + "/calls/{id}/transfer/reject":            `{"agentId": "fay"}`,
		"POST " + voiceAPI + "/calls/{id}/transfer/answer":            `{}`,
		"POST " + voiceAPI + "/calls/{id}/transfer/return":            `{}`,
	})
	maps.Copy(routeErrors, map[string][]errorCase{
		"PATCH " + conv + "{conversationId}/transfer/agent": {
			{404, "NOT_FOUND", conv + "nope/transfer/agent", `{"agentId": "eve"}`, ""},
			{404, "NOT_FOUND", conv + "cv/transfer/agent", `{"agentId": "nope"}`, ""},
			{409, "NOT_AVAILABLE", conv + "cv/transfer/agent", `{"agentId": "cal"}`, ""},
			{412, "PRECONDITION_FAILED", conv + "c1/transfer/agent", `{"agentId": "eve"}`, ""},
			{400, "INVALID", conv + "cv/transfer/agent", `{}`, ""},
		},
		"PATCH " + conv + "{conversationId}/transfer/queue": {
			{404, "NOT_FOUND", conv + "cv/transfer/queue", `{"queueId": "nope"}`, ""},
			{409, "NOT_AVAILABLE", conv + "cv/transfer/queue", `{"queueId": "q1"}`, ""},
			{412, "PRECONDITION_FAILED", conv + "c1/transfer/queue", `{"queueId": "qt"}`, ""},
		},
		"PATCH " + conv + "{conversationId}/transfer/external-number": {
			{404, "NOT_FOUND", conv + "nope/transfer/external-number", `{"externalNumber": "385911111111", "from": "385998779621"}`, ""},
			{409, "NOT_AVAILABLE", conv + "cv/transfer/external-number", `{"externalNumber": "385912222222", "from": "385998779621"}`, ""},
			{412, "PRECONDITION_FAILED", conv + "c1/transfer/external-number", `{"externalNumber": "385911111111", "from": "385998779621"}`, ""},
			{400, "INVALID", conv + "cv/transfer/external-number", `{"externalNumber": "0911", "from": "385998779621"}`, ""},
		},
		"GET " + voiceAPI + "/transfer-configs/external-number": nil,
		"PUT " + voiceAPI + "/transfer-configs/external-number": {
			{400, "INVALID", voiceAPI + "/transfer-configs/external-number", `{"allowedNumbers": ["x"]}`, ""},
		},
		"GET " + voiceAPI + "/transfer-configs/transfer-strategy": nil,
		"PUT " + voiceAPI + "/transfer-configs/transfer-strategy": {
			{400, "INVALID", voiceAPI + "/transfer-configs/transfer-strategy", `{"musicOnHold": {"enabled": true, "useDefault": false}}`, ""},
		},
		"POST " + voiceAPI + "/calls/{id}/transfer/accept": {
			{404, "NOT_FOUND", voiceAPI + "/calls/nope/transfer/accept", `{"agentId": "fay"}`, ""},
			{409, "CONFLICT", voiceAPI + "/calls/k0/transfer/accept", `{"agentId": "bea"}`, ""},
		},
		"POST " + voiceAPI + "/calls/{id}/transfer/reject": {
			{404, "NOT_FOUND", voiceAPI + "/calls/nope/transfer/reject", `{"agentId": "fay"}`, ""},
			{409, "CONFLICT", voiceAPI + "/calls/k0/transfer/reject", `{"agentId": "bea"}`, ""},
		},
		"POST " + voiceAPI + "/calls/{id}/transfer/answer": {
			{404, "NOT_FOUND", voiceAPI + "/calls/nope/transfer/answer", `{}`, ""},
			{409, "CONFLICT", voiceAPI + "/calls/kt/transfer/answer", `{}`, ""},
		},
		"POST " + voiceAPI + "/calls/{id}/transfer/return": {
			{404, "NOT_FOUND", voiceAPI + "/calls/nope/transfer/return", `{}`, ""},
			{409, "CONFLICT", voiceAPI + "/calls/k0/transfer/return", `{}`, ""},
		},
	})
}

// transferStrategyJSONExample is Infobip's example transfer strategy.
const transferStrategyJSONExample = `{"musicOnHold": {"enabled": true, "useDefault": false,
	"fileAudioSource": {"fileDescriptor": "f829e911-8439-4321-aa25-23b321e1a9cb"}},
	"announcementMessage": {"enabled": true, "audioSourceType": "TTS",
	"ttsAudioSource": {"text": "You're are being transferred...", "language": "en", "voice": {"name": "Joanna", "gender": "FEMALE"}, "speechRate": 1.0},
	"fileAudioSource": null, "repeatInterval": {"unit": "SECONDS", "value": 5}}}`

// seedTransfers adds to the seeded store: gus connected on call kt, whose
// transfer rings at fay; hal connected on call ku, transferred to the
// external number 385911111111, the one number the account allows; and
// eve, available, alone in queue qt, which assigns automatically.
func seedTransfers(t *testing.T, svc *parley.Service) {
	t.Helper()
	ctx := context.Background()
	must := func(_ any, err error) {
		t.Helper()
		require.NoError(t, err)
	}
	must(svc.SetExternalTransferSettings(ctx, parley.ExternalTransferSettings{AllowedNumbers: []string{"385911111111"}}))
	connected := func(callID, customer, agent string) string {
		t.Helper()
		must(svc.CreateAgent(ctx, routing.Agent{ID: agent, DisplayName: agent, Status: routing.Active}))
		must(svc.AddQueueMember(ctx, "q1", agent))
		require.NoError(t, svc.Heartbeat(ctx, agent))
		c, err := svc.ReceiveCall(ctx, parley.InboundCall{ID: callID, CustomerID: customer, From: "+38761123123", To: "+385998779621"})
		require.NoError(t, err)
		require.Equal(t, agent, c.AgentID, "call %s", callID)
		must(svc.AcceptCall(ctx, callID, agent))
		return c.ConversationID
	}
	kt := connected("kt", "cut", "gus")
	ku := connected("ku", "cuu", "hal")
	for _, a := range []string{"fay", "eve"} {
		must(svc.CreateAgent(ctx, routing.Agent{ID: a, DisplayName: a, Status: routing.Active}))
		require.NoError(t, svc.Heartbeat(ctx, a))
	}
	must(svc.TransferCallToAgent(ctx, kt, "fay"))
	must(svc.TransferCallToExternalNumber(ctx, ku, "385911111111", "385998779621"))
	must(svc.CreateQueue(ctx, routing.Queue{ID: "qt", Name: "Transfers", AutoAssignment: true}))
	must(svc.AddQueueMember(ctx, "qt", "eve"))
}

// transferScopedCall is the seeded call a host transfer route succeeds on.
func transferScopedCall(route string) string {
	if strings.HasSuffix(route, "/answer") || strings.HasSuffix(route, "/return") {
		return "ku"
	}
	return "kt"
}

// TestTransfersOverHTTP refuses transfers with Infobip's statuses and
// words, and nothing written, then transfers a call to an agent who
// answers it and gets the conversation.
func TestTransfersOverHTTP(t *testing.T) {
	t.Parallel()
	h := New(parley.New(seededStore(t)))
	const conv = "/ccaas/voice/2/conversation/"
	refusals := []struct {
		path, body string
		status     int
		code, text string
	}{
		{conv + "cv/transfer/agent", `{"agentId": "nope"}`, 404, "NOT_FOUND", "Destination for given transfer is not found."},
		{conv + "cv/transfer/queue", `{"queueId": "nope"}`, 404, "NOT_FOUND", "Destination for given transfer is not found."},
		{conv + "cv/transfer/agent", `{"agentId": "cal"}`, 409, "NOT_AVAILABLE", "Given destination for transfer is currently not available."},
		{conv + "cv/transfer/queue", `{"queueId": "q1"}`, 409, "NOT_AVAILABLE", "Given destination for transfer is currently not available."},
		{conv + "cv/transfer/external-number", `{"externalNumber": "+385912222222", "from": "385998779621"}`, 409, "NOT_AVAILABLE", "Given destination for transfer is currently not available."},
		{conv + "c1/transfer/agent", `{"agentId": "eve"}`, 412, "PRECONDITION_FAILED", "Conference is missing for given conversationId."},
		{conv + "c1/transfer/external-number", `{"externalNumber": "385911111111", "from": "385998779621"}`, 412, "PRECONDITION_FAILED", "Conference is missing for given conversationId."},
	}
	before := doJSON(t, h, http.MethodGet, "/ccaas/1/events?limit=999", "", http.StatusOK)
	for _, r := range refusals {
		got := doJSON(t, h, http.MethodPatch, r.path, r.body, r.status)
		require.Equal(t, map[string]any{"status": "ERROR", "statusCode": "ERROR", "code": r.code, "message": r.text}, got, "%s %s", r.path, r.body)
	}
	require.Equal(t, before, doJSON(t, h, http.MethodGet, "/ccaas/1/events?limit=999", "", http.StatusOK), "a refusal writes nothing")
	got := doJSON(t, h, http.MethodPatch, conv+"nope/transfer/agent", `{"agentId": "eve"}`, 404)
	require.Equal(t, "NOT_FOUND", got["code"])
	require.NotContains(t, got, "status", "an unknown conversation is the usual 404")
	got = doJSON(t, h, http.MethodPatch, conv+"cv/transfer/external-number", `{"externalNumber": "12ab", "from": "385998779621"}`, 400)
	require.Equal(t, "externalNumber", got["field"])

	ok := map[string]any{"status": "SUCCESS", "message": "Call transferred successfully."}
	require.Equal(t, ok, doJSON(t, h, http.MethodPatch, conv+"cv/transfer/agent", `{"agentId": "eve"}`, http.StatusOK))
	got = doJSON(t, h, http.MethodPatch, conv+"cv/transfer/queue", `{"queueId": "qt"}`, http.StatusConflict)
	require.Equal(t, "CONFLICT", got["code"], "one transfer at a time")
	// The call shows the transfer while it rings.
	ringing := doJSON(t, h, http.MethodGet, "/ccaas/voice/2/calls/k0", "", http.StatusOK)
	require.Equal(t, float64(1), ringing["transfers"])
	tr := ringing["transfer"].(map[string]any)
	require.Equal(t, "AGENT", tr["kind"])
	require.Equal(t, "eve", tr["agentId"])
	require.Equal(t, ringing["agentId"], tr["fromAgentId"], "the agent who transferred stays on the call")
	require.NotNil(t, tr["deadline"], "it rings until then")
	c := doJSON(t, h, http.MethodPost, "/ccaas/voice/2/calls/k0/transfer/accept", `{"agentId": "eve"}`, http.StatusOK)
	require.Equal(t, "eve", c["agentId"])
	require.Nil(t, c["transfer"], "answered: no transfer in progress")
	require.Equal(t, float64(1), c["transfers"])
	require.Equal(t, string(call.Connected), c["state"])
	require.Equal(t, "eve", doJSON(t, h, http.MethodGet, "/ccaas/1/conversations/cv", "", http.StatusOK)["agentId"], "the agent who answers gets the conversation")

	// The external-number configuration and the transfer strategy.
	x := doJSON(t, h, http.MethodGet, "/ccaas/voice/2/transfer-configs/external-number", "", http.StatusOK)
	require.Equal(t, "external_number", x["tagName"])
	require.Equal(t, false, x["transferToAnyNumberEnabled"])
	require.Equal(t, []any{"385911111111"}, x["allowedNumbers"])
	x = doJSON(t, h, http.MethodPut, "/ccaas/voice/2/transfer-configs/external-number", `{"transferToAnyNumberEnabled": true, "tagName": "ignored"}`, http.StatusOK)
	require.Equal(t, true, x["transferToAnyNumberEnabled"])
	require.Equal(t, []any{"385911111111"}, x["allowedNumbers"], "kept when the body leaves it out")
	require.Equal(t, "external_number", x["tagName"])
	require.NotNil(t, x["createdAt"])

	def := doJSON(t, h, http.MethodGet, "/ccaas/voice/2/transfer-configs/transfer-strategy", "", http.StatusOK)
	require.Nil(t, def["id"], "none saved yet")
	require.Equal(t, map[string]any{"enabled": true, "useDefault": true, "fileAudioSource": nil}, def["musicOnHold"])
	ts := doJSON(t, h, http.MethodPut, "/ccaas/voice/2/transfer-configs/transfer-strategy", transferStrategyJSONExample, http.StatusOK)
	require.NotEmpty(t, ts["id"])
	require.Equal(t, map[string]any{"unit": "SECONDS", "value": float64(5)}, ts["announcementMessage"].(map[string]any)["repeatInterval"])
	require.Equal(t, "Joanna", ts["announcementMessage"].(map[string]any)["ttsAudioSource"].(map[string]any)["voice"].(map[string]any)["name"])
	require.Equal(t, ts, doJSON(t, h, http.MethodGet, "/ccaas/voice/2/transfer-configs/transfer-strategy", "", http.StatusOK))
	bad := doJSON(t, h, http.MethodPut, "/ccaas/voice/2/transfer-configs/transfer-strategy",
		`{"announcementMessage": {"enabled": true, "audioSourceType": "TTS"}}`, http.StatusBadRequest)
	require.Equal(t, "announcementMessage.ttsAudioSource", bad["field"])
}
