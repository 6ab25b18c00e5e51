package helpdesk

import "net/http"

// route is one endpoint: method, path under the base path, the status of a
// success, whether it reads a request body, and the handler, which returns
// the body to write or an error.
type route struct {
	method string
	path   string
	status int
	body   bool
	handle func(a *api, w http.ResponseWriter, r *http.Request) (any, error)
}

// routes is the one table of endpoints: New registers exactly these, and a
// test checks each against the OpenAPI description (openapi.json).
var routes = []route{
	{http.MethodGet, "/conversations", http.StatusOK, false, (*api).listConversations},
	{http.MethodPost, "/conversations", http.StatusCreated, true, (*api).createConversation},
	{http.MethodGet, "/conversations/{id}", http.StatusOK, false, (*api).getConversation},
	{http.MethodPut, "/conversations/{id}", http.StatusOK, true, (*api).updateConversation},
	{http.MethodDelete, "/conversations/{id}", http.StatusOK, true, (*api).deleteConversation},

	{http.MethodGet, "/customers", http.StatusOK, false, (*api).listCustomers},
	{http.MethodPost, "/customers", http.StatusCreated, true, (*api).createCustomer},
	{http.MethodGet, "/customers/{id}", http.StatusOK, false, (*api).getCustomer},
	{http.MethodPut, "/customers/{id}", http.StatusOK, true, (*api).updateCustomer},
	{http.MethodDelete, "/customers/{id}", http.StatusOK, false, (*api).deleteCustomer},

	{http.MethodGet, "/openapi.json", http.StatusOK, false, (*api).openAPI},
}
