package httpapi

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// openAPIOperation is the part of an operation the check reads.
type openAPIOperation struct {
	OperationID string                     `json:"operationId"`
	Summary     string                     `json:"summary"`
	Parameters  []map[string]any           `json:"parameters"`
	RequestBody map[string]any             `json:"requestBody"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

type openAPIDocument struct {
	OpenAPI    string                                `json:"openapi"`
	Servers    []openAPIServer                       `json:"servers"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Parameters map[string]map[string]any `json:"parameters"`
	} `json:"components"`
}

type openAPIServer struct {
	URL string `json:"url"`
}

// operations reads the operations of every path, by the path they are
// served at: a path item with servers of its own (the routes of
// Infobip's other APIs, fixedAPIs) is under its one server URL, the others
// under the document's.
func (d openAPIDocument) operations(t *testing.T) map[string]map[string]openAPIOperation {
	t.Helper()
	out := map[string]map[string]openAPIOperation{}
	for p, item := range d.Paths {
		prefix := ""
		if raw, ok := item["servers"]; ok {
			var servers []openAPIServer
			require.NoError(t, json.Unmarshal(raw, &servers), p)
			require.Len(t, servers, 1, "%s: one server", p)
			prefix = servers[0].URL
			require.Contains(t, fixedAPIs, prefix, "%s: a server of its own is one of Infobip's other APIs", p)
		}
		ops := map[string]openAPIOperation{}
		for method, raw := range item {
			if method == "servers" {
				continue
			}
			var op openAPIOperation
			require.NoError(t, json.Unmarshal(raw, &op), "%s %s", method, p)
			ops[method] = op
		}
		require.NotContains(t, out, prefix+p, "%s described twice", prefix+p)
		out[prefix+p] = ops
	}
	return out
}

var wildcard = regexp.MustCompile(`\{([^}]+)\}`)

// TestOpenAPIDescribesEveryRoute fails when the route table and the
// OpenAPI description disagree: a route without a description (or with a
// different success status or path parameters), or a description of a
// route that does not exist.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	var doc openAPIDocument
	require.NoError(t, json.Unmarshal(openAPIDoc, &doc))
	require.True(t, strings.HasPrefix(doc.OpenAPI, "3."), "an OpenAPI 3 document")
	require.Len(t, doc.Servers, 1)
	require.Equal(t, DefaultBasePath, doc.Servers[0].URL)
	require.Contains(t, string(openAPIDoc), serverURL, "openAPIFor rewrites this exact text")

	paths := doc.operations(t)
	described := map[string]bool{}
	operationIDs := map[string]bool{}
	for p, ops := range paths {
		for method, op := range ops {
			described[strings.ToUpper(method)+" "+p] = true
			require.NotEmpty(t, op.OperationID, "%s %s", method, p)
			require.False(t, operationIDs[op.OperationID], "operationId %s used twice", op.OperationID)
			operationIDs[op.OperationID] = true
		}
	}

	routed := map[string]bool{}
	for _, rt := range routes {
		key := rt.method + " " + rt.path
		require.False(t, routed[key], "route %s twice in the table", key)
		routed[key] = true
		op, ok := paths[rt.path][strings.ToLower(rt.method)]
		require.True(t, ok, "route %s has no description in openapi.json", key)
		require.NotEmpty(t, op.Summary, key)
		require.Equal(t, rt.body == jsonBody, op.RequestBody != nil,
			"%s: a request body is described exactly when the route reads one", key)
		_, ok = op.Responses[strconv.Itoa(rt.status)]
		require.True(t, ok, "%s: the success status %d is not described", key, rt.status)
		if rt.status != http.StatusNoContent && !rawRoutes[key] {
			require.Contains(t, string(op.Responses[strconv.Itoa(rt.status)]), "application/json", "%s: no body described", key)
		}

		// The path parameters described are the pattern's wildcards.
		var want, got []string
		for _, m := range wildcard.FindAllStringSubmatch(rt.path, -1) {
			want = append(want, m[1])
		}
		for _, p := range op.Parameters {
			if ref, ok := p["$ref"].(string); ok {
				p = doc.Components.Parameters[strings.TrimPrefix(ref, "#/components/parameters/")]
				require.NotNil(t, p, "%s: dangling %s", key, ref)
			}
			if p["in"] == "path" {
				got = append(got, p["name"].(string))
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		require.Equal(t, want, got, "%s: path parameters", key)

		for _, code := range []string{"400", "401", "403", "404", "409", "412", "500"} {
			if raw, ok := op.Responses[code]; ok {
				require.Contains(t, string(raw), "#/components/responses/", "%s %s", key, code)
			}
		}
	}
	for key := range described {
		require.True(t, routed[key], "openapi.json describes %s, which is no route", key)
	}
}

// TestOpenAPIReferencesResolve checks that every $ref names a component
// the document has.
func TestOpenAPIReferencesResolve(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(openAPIDoc, &doc))
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
				var node any = doc
				for _, p := range parts {
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

func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	require.JSONEq(t, string(openAPIDoc), string(OpenAPI()))
	other := openAPIFor("/api")
	var doc openAPIDocument
	require.NoError(t, json.Unmarshal(other, &doc))
	require.Equal(t, "/api", doc.Servers[0].URL)
	require.NoError(t, json.Unmarshal(openAPIFor(""), &doc))
	require.Equal(t, "/", doc.Servers[0].URL)
}

// TestOpenAPINamesEveryEventType: the description of an event's type lists
// every type the service records (the EventType constants of the storage
// and root packages).
func TestOpenAPINamesEveryEventType(t *testing.T) {
	t.Parallel()
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Description string `json:"description"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal(openAPIDoc, &doc))
	desc := doc.Components.Schemas["Event"].Properties["type"].Description
	constant := regexp.MustCompile(`EventType = "([a-z_.]+)"`)
	files, err := filepath.Glob("../storage/*.go")
	require.NoError(t, err)
	root, err := filepath.Glob("../*.go")
	require.NoError(t, err)
	found := 0
	for _, f := range append(files, root...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range constant.FindAllStringSubmatch(string(b), -1) {
			found++
			require.Regexp(t, `(^|[ ,:;])`+regexp.QuoteMeta(m[1])+`([,;.]|$)`, desc, "the Event schema names %s (%s)", m[1], f)
		}
	}
	require.Greater(t, found, 50, "the event types were found")
}
