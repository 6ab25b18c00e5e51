package httpapi

import (
	"net/http"
	"strings"
)

// route is one endpoint: method, path under the base path (Go 1.22
// ServeMux wildcards), the status of a success, whether it reads a request
// body, and the handler, which returns the body to write (nil for none) or
// an error.
type route struct {
	method string
	path   string
	status int
	body   bodyKind
	handle func(a *api, w http.ResponseWriter, r *http.Request) (any, error)
}

// bodyKind is what a route reads from the request body.
type bodyKind int

const (
	// noBody: the route takes no body. Anything but white space is a 400
	// naming "body", checked before the handler runs.
	noBody bodyKind = iota
	// jsonBody: the handler reads a JSON object with decodeBody.
	jsonBody
)

// Infobip serves its voice routes and its agent configuration under APIs
// of their own, beside the Conversations API at the base path. A route
// whose path begins with one of these prefixes is served at that path as
// it is, whatever the base path (see WithBasePath); every other path is
// under the base path.
const (
	voiceAPI       = "/ccaas/voice/2"
	agentConfigAPI = "/ccca/1"
)

// fixedAPIs are the prefixes of the routes the base path does not move.
var fixedAPIs = []string{voiceAPI, agentConfigAPI}

// fixedAPI returns the prefix of Infobip's other API that path belongs to,
// or "" for a route under the base path.
func fixedAPI(path string) string {
	for _, p := range fixedAPIs {
		if strings.HasPrefix(path, p+"/") {
			return p
		}
	}
	return ""
}

// pattern is the path a route is served at under base.
func pattern(base, path string) string {
	if fixedAPI(path) != "" {
		return path
	}
	return base + path
}

// routes is the one table of endpoints: New registers exactly these, and a
// test checks each against the OpenAPI description (openapi.json).
var routes = []route{
	{http.MethodPost, "/conversations", http.StatusOK, jsonBody, (*api).createConversation},
	{http.MethodGet, "/conversations", http.StatusOK, noBody, (*api).listConversations},
	{http.MethodGet, "/conversations/{id}", http.StatusOK, noBody, (*api).getConversation},
	{http.MethodPut, "/conversations/{id}", http.StatusOK, jsonBody, (*api).replaceConversation},
	{http.MethodPatch, "/conversations/{id}", http.StatusOK, jsonBody, (*api).patchConversation},
	{http.MethodDelete, "/conversations/{id}", http.StatusNoContent, jsonBody, (*api).deleteConversation},
	{http.MethodPut, "/conversations/{id}/assignee", http.StatusOK, jsonBody, (*api).assignConversation},
	{http.MethodDelete, "/conversations/{id}/assignee", http.StatusOK, noBody, (*api).unassignConversation},
	{http.MethodPost, "/conversations/{id}/route", http.StatusOK, jsonBody, (*api).route},
	{http.MethodGet, "/conversations/{id}/simulate-routing", http.StatusOK, noBody, (*api).simulateRouting},
	{http.MethodPost, "/conversations/{id}/transfer", http.StatusOK, jsonBody, (*api).transfer},
	{http.MethodPost, "/conversations/{id}/tags", http.StatusOK, jsonBody, (*api).addTag},
	{http.MethodDelete, "/conversations/{id}/tags/{tagName}", http.StatusOK, noBody, (*api).removeTag},
	{http.MethodPost, "/conversations/{id}/messages", http.StatusOK, jsonBody, (*api).createMessage},
	{http.MethodGet, "/conversations/{id}/messages", http.StatusOK, noBody, (*api).listMessages},
	{http.MethodGet, "/conversations/{id}/messages/{messageId}", http.StatusOK, noBody, (*api).getMessage},
	{http.MethodGet, "/conversations/{id}/history", http.StatusOK, noBody, (*api).history},
	{http.MethodPost, "/conversations/{id}/notes", http.StatusOK, jsonBody, (*api).createNote},
	{http.MethodGet, "/conversations/{id}/notes", http.StatusOK, noBody, (*api).listNotes},
	{http.MethodGet, "/conversations/{id}/notes/{noteId}", http.StatusOK, noBody, (*api).getNote},
	{http.MethodPost, "/inbound-messages", http.StatusOK, jsonBody, (*api).receiveInbound},

	{http.MethodPost, "/tags", http.StatusOK, jsonBody, (*api).createTag},
	{http.MethodGet, "/tags", http.StatusOK, noBody, (*api).listTags},
	{http.MethodGet, "/tags/{name}", http.StatusOK, noBody, (*api).getTag},
	{http.MethodDelete, "/tags/{name}", http.StatusNoContent, noBody, (*api).deleteTag},

	{http.MethodPost, "/agents", http.StatusOK, jsonBody, (*api).createAgent},
	{http.MethodGet, "/agents", http.StatusOK, noBody, (*api).listAgents},
	{http.MethodGet, "/agents/{id}", http.StatusOK, noBody, (*api).getAgent},
	{http.MethodPatch, "/agents/{id}", http.StatusOK, jsonBody, (*api).patchAgent},
	{http.MethodPost, "/agents/{id}/queues", http.StatusOK, jsonBody, (*api).addAgentQueue},
	{http.MethodPut, "/agents/{id}/heartbeat", http.StatusOK, noBody, (*api).heartbeat},
	{http.MethodPut, "/agents/{id}/status", http.StatusOK, jsonBody, (*api).setAgentStatus},
	{http.MethodDelete, "/agents/{id}/queues/{queueId}", http.StatusOK, noBody, (*api).removeAgentQueue},

	{http.MethodPost, "/queues", http.StatusOK, jsonBody, (*api).createQueue},
	{http.MethodGet, "/queues", http.StatusOK, noBody, (*api).listQueues},
	{http.MethodGet, "/queues/{id}", http.StatusOK, noBody, (*api).getQueue},
	{http.MethodPatch, "/queues/{id}", http.StatusOK, jsonBody, (*api).patchQueue},
	{http.MethodPost, "/queues/{id}/agents", http.StatusOK, jsonBody, (*api).addQueueMember},
	{http.MethodDelete, "/queues/{id}/agents/{agentId}", http.StatusOK, noBody, (*api).removeQueueMember},

	{http.MethodGet, "/routing", http.StatusOK, noBody, (*api).routingRules},
	{http.MethodPut, "/routing", http.StatusOK, jsonBody, (*api).setRoutingRules},

	{http.MethodGet, voiceAPI + "/call-timeouts", http.StatusOK, noBody, (*api).callTimeouts},
	{http.MethodPut, voiceAPI + "/call-timeouts", http.StatusOK, jsonBody, (*api).setCallTimeouts},
	{http.MethodDelete, voiceAPI + "/call-timeouts", http.StatusOK, noBody, (*api).resetCallTimeouts},
	{http.MethodGet, voiceAPI + "/account-wrap-up-config", http.StatusOK, noBody, (*api).wrapUpConfig},
	{http.MethodPut, voiceAPI + "/account-wrap-up-config", http.StatusOK, jsonBody, (*api).setWrapUpConfig},
	{http.MethodPatch, voiceAPI + "/agent/{agentId}/wrap-up-time/add/{seconds}", http.StatusOK, noBody, (*api).extendWrapUp},
	{http.MethodPatch, voiceAPI + "/agent/{agentId}/wrap-up-time/clear", http.StatusOK, noBody, (*api).clearWrapUp},
	{http.MethodPut, agentConfigAPI + "/agent-configs/{agentId}/wrap-up", http.StatusOK, jsonBody, (*api).setAgentWrapUp},
	{http.MethodPost, voiceAPI + "/outbound-call-conversation", http.StatusOK, jsonBody, (*api).placeCall},
	{http.MethodPatch, voiceAPI + "/{conversationId}/hold", http.StatusOK, noBody, (*api).holdCall},
	{http.MethodPatch, voiceAPI + "/{conversationId}/unhold", http.StatusOK, noBody, (*api).unholdCall},

	{http.MethodPost, "/working-hours", http.StatusOK, jsonBody, (*api).createWorkingHours},
	{http.MethodGet, "/working-hours", http.StatusOK, noBody, (*api).listWorkingHours},
	{http.MethodGet, "/working-hours/{id}", http.StatusOK, noBody, (*api).getWorkingHours},
	{http.MethodPut, "/working-hours/{id}", http.StatusOK, jsonBody, (*api).replaceWorkingHours},
	{http.MethodDelete, "/working-hours/{id}", http.StatusOK, noBody, (*api).deleteWorkingHours},
	{http.MethodGet, "/working-hours/{id}/status", http.StatusOK, noBody, (*api).workingHoursStatus},
	{http.MethodGet, voiceAPI + "/transfer/queues", http.StatusOK, noBody, (*api).queueActivity},

	{http.MethodPost, voiceAPI + "/calls", http.StatusOK, jsonBody, (*api).receiveCall},
	{http.MethodGet, voiceAPI + "/calls", http.StatusOK, noBody, (*api).listCalls},
	{http.MethodGet, voiceAPI + "/calls/{id}", http.StatusOK, noBody, (*api).getCall},
	{http.MethodPost, voiceAPI + "/calls/{id}/accept", http.StatusOK, jsonBody, (*api).acceptCall},
	{http.MethodPost, voiceAPI + "/calls/{id}/reject", http.StatusOK, jsonBody, (*api).rejectCall},
	{http.MethodPost, voiceAPI + "/calls/{id}/answer", http.StatusOK, jsonBody, (*api).answerCall},
	{http.MethodPost, voiceAPI + "/calls/{id}/hangup", http.StatusOK, jsonBody, (*api).hangUpCall},
	{http.MethodPost, voiceAPI + "/calls/{id}/fail", http.StatusOK, jsonBody, (*api).failCall},

	{http.MethodPatch, voiceAPI + "/conversation/{conversationId}/transfer/agent", http.StatusOK, jsonBody, (*api).transferToAgent},
	{http.MethodPatch, voiceAPI + "/conversation/{conversationId}/transfer/queue", http.StatusOK, jsonBody, (*api).transferToQueue},
	{http.MethodPatch, voiceAPI + "/conversation/{conversationId}/transfer/external-number", http.StatusOK, jsonBody, (*api).transferToExternal},
	{http.MethodGet, voiceAPI + "/transfer-configs/external-number", http.StatusOK, noBody, (*api).externalTransfer},
	{http.MethodPut, voiceAPI + "/transfer-configs/external-number", http.StatusOK, jsonBody, (*api).setExternalTransfer},
	{http.MethodGet, voiceAPI + "/transfer-configs/transfer-strategy", http.StatusOK, noBody, (*api).transferStrategy},
	{http.MethodPut, voiceAPI + "/transfer-configs/transfer-strategy", http.StatusOK, jsonBody, (*api).setTransferStrategy},
	{http.MethodPost, voiceAPI + "/calls/{id}/transfer/accept", http.StatusOK, jsonBody, (*api).acceptTransfer},
	{http.MethodPost, voiceAPI + "/calls/{id}/transfer/reject", http.StatusOK, jsonBody, (*api).rejectTransfer},
	{http.MethodPost, voiceAPI + "/calls/{id}/transfer/answer", http.StatusOK, jsonBody, (*api).answerTransfer},
	{http.MethodPost, voiceAPI + "/calls/{id}/transfer/return", http.StatusOK, jsonBody, (*api).returnTransfer},

	{http.MethodGet, "/events", http.StatusOK, noBody, (*api).events},
	{http.MethodGet, "/openapi.json", http.StatusOK, noBody, (*api).openAPI},

	{http.MethodPost, voiceAPI + "/waiting-strategies", http.StatusOK, jsonBody, (*api).createWaitingStrategy},
	{http.MethodGet, voiceAPI + "/waiting-strategies", http.StatusOK, noBody, (*api).listWaitingStrategies},
	{http.MethodGet, voiceAPI + "/waiting-strategies/{id}", http.StatusOK, noBody, (*api).getWaitingStrategy},
	{http.MethodPut, voiceAPI + "/waiting-strategies/{id}", http.StatusOK, jsonBody, (*api).updateWaitingStrategy},
	{http.MethodDelete, voiceAPI + "/waiting-strategies/{id}", http.StatusOK, noBody, (*api).deleteWaitingStrategy},
	{http.MethodPost, voiceAPI + "/calls/{id}/collect", http.StatusOK, jsonBody, (*api).collectWaitingInput},
	{http.MethodGet, voiceAPI + "/account-recording-config", http.StatusOK, noBody, (*api).accountRecordingConfig},
	{http.MethodPut, voiceAPI + "/account-recording-config", http.StatusOK, jsonBody, (*api).putAccountRecordingConfig},
	{http.MethodPost, voiceAPI + "/account-recording-config", http.StatusOK, jsonBody, (*api).createAccountRecordingConfig},
	{http.MethodGet, voiceAPI + "/agent-recording-configs", http.StatusOK, noBody, (*api).agentRecordingConfigs},
	{http.MethodGet, voiceAPI + "/agent-recording-configs/{agentId}", http.StatusOK, noBody, (*api).agentRecordingConfig},
	{http.MethodPut, voiceAPI + "/agent-recording-configs/{agentId}", http.StatusOK, jsonBody, (*api).putAgentRecordingConfig},
	{http.MethodPost, voiceAPI + "/agent-recording-configs/{agentId}", http.StatusOK, jsonBody, (*api).createAgentRecordingConfig},
	{http.MethodGet, voiceAPI + "/recording/metadata", http.StatusOK, noBody, (*api).listRecordings},
	{http.MethodGet, voiceAPI + "/recording/download/{recordingId}", http.StatusOK, noBody, (*api).downloadRecording},
	{http.MethodPost, voiceAPI + "/calls/{id}/recordings", http.StatusOK, jsonBody, (*api).reportRecording},
	{http.MethodGet, voiceAPI + "/calls/{id}/recording-decision", http.StatusOK, noBody, (*api).recordingDecision},
	{http.MethodDelete, voiceAPI + "/recordings/{recordingId}", http.StatusOK, noBody, (*api).deleteRecording},
	{http.MethodGet, voiceAPI + "/hold-configs-per-queue", http.StatusOK, noBody, (*api).listHoldConfigs},
	{http.MethodPost, voiceAPI + "/hold-configs-per-queue", http.StatusOK, jsonBody, (*api).createHoldConfig},
	{http.MethodGet, voiceAPI + "/hold-configs-per-queue/{id}", http.StatusOK, noBody, (*api).getHoldConfig},
	{http.MethodPut, voiceAPI + "/hold-configs-per-queue/{id}", http.StatusOK, jsonBody, (*api).replaceHoldConfig},
	{http.MethodDelete, voiceAPI + "/hold-configs-per-queue/{id}", http.StatusOK, noBody, (*api).deleteHoldConfig},
	{http.MethodGet, voiceAPI + "/queues/statistics", http.StatusOK, noBody, (*api).allQueueStatistics},
	{http.MethodGet, voiceAPI + "/queues/{queueId}/statistics", http.StatusOK, noBody, (*api).queueStatistics},
	{http.MethodPatch, "/working-hours/{id}", http.StatusOK, jsonBody, (*api).patchWorkingHours},
	{http.MethodPost, "/working-hours/{workingHoursId}/holiday", http.StatusOK, jsonBody, (*api).addHoliday},
	{http.MethodDelete, "/working-hours/{workingHoursId}/holiday/{id}", http.StatusOK, noBody, (*api).deleteHoliday},
}
