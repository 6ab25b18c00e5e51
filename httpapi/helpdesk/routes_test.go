package helpdesk

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
)

type openAPIOperation struct {
	OperationID string                     `json:"operationId"`
	Summary     string                     `json:"summary"`
	Parameters  []map[string]any           `json:"parameters"`
	RequestBody map[string]any             `json:"requestBody"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

type openAPIDocument struct {
	OpenAPI    string                                 `json:"openapi"`
	Servers    []struct{ URL string }                 `json:"servers"`
	Paths      map[string]map[string]openAPIOperation `json:"paths"`
	Components struct {
		Parameters map[string]map[string]any `json:"parameters"`
	} `json:"components"`
}

var wildcard = regexp.MustCompile(`\{([^}]+)\}`)

// TestOpenAPIDescribesEveryRoute fails when the route table and the
// OpenAPI description disagree: a route without a description (or with
// another success status, body or path parameters), or a description of a
// route that does not exist.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	var doc openAPIDocument
	require.NoError(t, json.Unmarshal(openAPIDoc, &doc))
	require.True(t, strings.HasPrefix(doc.OpenAPI, "3."))
	require.Len(t, doc.Servers, 1)
	require.Equal(t, DefaultBasePath, doc.Servers[0].URL)
	require.Contains(t, string(openAPIDoc), serverURL, "openAPIFor rewrites this exact text")

	described := map[string]bool{}
	ids := map[string]bool{}
	for p, ops := range doc.Paths {
		for method, op := range ops {
			described[strings.ToUpper(method)+" "+p] = true
			require.NotEmpty(t, op.OperationID)
			require.False(t, ids[op.OperationID], "operationId %s twice", op.OperationID)
			ids[op.OperationID] = true
		}
	}
	routed := map[string]bool{}
	for _, rt := range routes {
		key := rt.method + " " + rt.path
		require.False(t, routed[key], "route %s twice", key)
		routed[key] = true
		op, ok := doc.Paths[rt.path][strings.ToLower(rt.method)]
		require.True(t, ok, "route %s is not described", key)
		require.NotEmpty(t, op.Summary, key)
		require.Equal(t, rt.body, op.RequestBody != nil, "%s: a body is described exactly when the route reads one", key)
		ok200, ok := op.Responses[strconv.Itoa(rt.status)]
		require.True(t, ok, "%s: the success status %d is not described", key, rt.status)
		require.Contains(t, string(ok200), "application/json", key)
		var want, got []string
		for _, m := range wildcard.FindAllStringSubmatch(rt.path, -1) {
			want = append(want, m[1])
		}
		for _, p := range op.Parameters {
			if ref, ok := p["$ref"].(string); ok {
				p = doc.Components.Parameters[strings.TrimPrefix(ref, "#/components/parameters/")]
				require.NotNil(t, p, "%s: dangling parameter", key)
			}
			if p["in"] == "path" {
				got = append(got, p["name"].(string))
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		require.Equal(t, want, got, "%s: path parameters", key)
	}
	for key := range described {
		require.True(t, routed[key], "openapi.json describes %s, which is no route", key)
	}
}

// TestOpenAPIReferencesResolve checks that every $ref names a component.
func TestOpenAPIReferencesResolve(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(openAPIDoc, &doc))
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				var node any = doc
				for _, p := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
					m, ok := node.(map[string]any)
					require.True(t, ok, "dangling %s", ref)
					node, ok = m[p]
					require.True(t, ok, "dangling %s", ref)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc)
}

// routeOperations maps every route to the Service operation it performs.
// GET /openapi.json is public: it reads no data.
var routeOperations = map[string]string{
	"GET /conversations":         "ListConversations",
	"POST /conversations":        "CreateConversation",
	"GET /conversations/{id}":    "GetConversation",
	"PUT /conversations/{id}":    "UpdateConversation",
	"DELETE /conversations/{id}": "DeleteConversation",
	"GET /customers":             "ListCustomers",
	"POST /customers":            "CreateCustomer",
	"GET /customers/{id}":        "GetCustomer",
	"PUT /customers/{id}":        "UpdateCustomer",
	"DELETE /customers/{id}":     "DeleteCustomer",
	"GET /openapi.json":          "",
}

// TestEveryRouteHasTheSeedsScope: GET needs read:conversations and POST,
// PUT and DELETE write:conversations, as the seed says, because each
// route's operation has that scope. (The routes are driven with and
// without their scopes on every store by internal/systemtest.)
func TestEveryRouteHasTheSeedsScope(t *testing.T) {
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
		require.True(t, ok, key)
		want := parley.ScopeWrite
		if rt.method == http.MethodGet {
			want = parley.ScopeRead
		}
		require.Equal(t, want, scope, key)
	}
	require.Len(t, routeOperations, len(routes), "routeOperations names a route that does not exist")
}
