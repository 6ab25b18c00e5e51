package httpapi

import "net/http"

// route is one endpoint: method, path under the base path (Go 1.22
// ServeMux wildcards), the status of a success, and the handler, which
// returns the body to write (nil for none) or an error.
type route struct {
	method string
	path   string
	status int
	handle func(a *api, w http.ResponseWriter, r *http.Request) (any, error)
}

// routes is the one table of endpoints: New registers exactly these, and a
// test checks each against the OpenAPI description (openapi.json).
var routes = []route{
	{http.MethodPost, "/conversations", http.StatusCreated, (*api).createConversation},
	{http.MethodGet, "/conversations", http.StatusOK, (*api).listConversations},
	{http.MethodGet, "/conversations/{id}", http.StatusOK, (*api).getConversation},
	{http.MethodPut, "/conversations/{id}", http.StatusOK, (*api).replaceConversation},
	{http.MethodPatch, "/conversations/{id}", http.StatusOK, (*api).patchConversation},
	{http.MethodDelete, "/conversations/{id}", http.StatusNoContent, (*api).deleteConversation},
	{http.MethodPut, "/conversations/{id}/assignee", http.StatusOK, (*api).assignConversation},
	{http.MethodDelete, "/conversations/{id}/assignee", http.StatusOK, (*api).unassignConversation},
	{http.MethodPost, "/conversations/{id}/route", http.StatusOK, (*api).route},
	{http.MethodGet, "/conversations/{id}/simulate-routing", http.StatusOK, (*api).simulateRouting},
	{http.MethodPost, "/conversations/{id}/transfer", http.StatusOK, (*api).transfer},
	{http.MethodPost, "/conversations/{id}/tags", http.StatusOK, (*api).addTag},
	{http.MethodDelete, "/conversations/{id}/tags/{tagName}", http.StatusOK, (*api).removeTag},
	{http.MethodPost, "/conversations/{id}/messages", http.StatusCreated, (*api).createMessage},
	{http.MethodGet, "/conversations/{id}/messages", http.StatusOK, (*api).listMessages},
	{http.MethodGet, "/conversations/{id}/messages/{messageId}", http.StatusOK, (*api).getMessage},
	{http.MethodGet, "/conversations/{id}/history", http.StatusOK, (*api).history},

	{http.MethodPost, "/tags", http.StatusCreated, (*api).createTag},
	{http.MethodGet, "/tags", http.StatusOK, (*api).listTags},
	{http.MethodGet, "/tags/{name}", http.StatusOK, (*api).getTag},
	{http.MethodDelete, "/tags/{name}", http.StatusNoContent, (*api).deleteTag},

	{http.MethodPost, "/agents", http.StatusCreated, (*api).createAgent},
	{http.MethodGet, "/agents", http.StatusOK, (*api).listAgents},
	{http.MethodGet, "/agents/{id}", http.StatusOK, (*api).getAgent},
	{http.MethodPatch, "/agents/{id}", http.StatusOK, (*api).patchAgent},

	{http.MethodPost, "/queues", http.StatusCreated, (*api).createQueue},
	{http.MethodGet, "/queues", http.StatusOK, (*api).listQueues},
	{http.MethodGet, "/queues/{id}", http.StatusOK, (*api).getQueue},
	{http.MethodPatch, "/queues/{id}", http.StatusOK, (*api).patchQueue},
	{http.MethodPost, "/queues/{id}/agents", http.StatusOK, (*api).addQueueMember},
	{http.MethodDelete, "/queues/{id}/agents/{agentId}", http.StatusOK, (*api).removeQueueMember},

	{http.MethodGet, "/routing", http.StatusOK, (*api).routingRules},
	{http.MethodPut, "/routing", http.StatusOK, (*api).setRoutingRules},

	{http.MethodGet, "/events", http.StatusOK, (*api).events},
	{http.MethodGet, "/openapi.json", http.StatusOK, (*api).openAPI},
}
