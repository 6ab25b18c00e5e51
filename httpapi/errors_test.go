package httpapi_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/httpapi"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/storage"
)

// TestStrictDecoding checks each way a body is refused, and that the answer
// names the field.
func TestStrictDecoding(t *testing.T) {
	t.Parallel()
	f := setup(t, nil, httpapi.WithStrict())
	f.seedPeople()
	id := f.create(map[string]any{})["id"].(string)
	conv := path("/conversations/%s", id)

	big := `{"topic": "` + strings.Repeat("x", httpapi.MaxBodyBytes) + `"}`
	for _, tc := range []struct {
		name, method, path, body string
		field                    string
		mentions                 string
	}{
		{"over 1 MiB", "POST", path("/conversations"), big, "body", "1048576"},
		{"unknown field", "POST", path("/conversations"), `{"topic": "a", "colour": "red"}`, "colour", "unknown field"},
		{"unknown nested field", "POST", conv + "/messages", `{"content": {"text": "a", "font": "b"}}`, "content.font", "unknown field"},
		{"unknown field in a rule", "PUT", path("/routing"), `{"rules": [{"name": "r", "queueId": "billing"}, {"name": "s", "queueId": "billing", "condition": {"when": 1}}]}`, "rules[1].condition.when", "unknown field"},
		{"key in another case", "POST", path("/conversations"), `{"Topic": "a"}`, "Topic", "unknown field"},
		{"key twice", "POST", path("/conversations"), `{"topic": "a", "topic": "b"}`, "topic", "more than once"},
		{"wrong type", "POST", path("/conversations"), `{"topic": 42}`, "topic", "string"},
		{"wrong type in a map", "POST", path("/conversations"), `{"attributes": {"a": 1}}`, "attributes", "string"},
		{"wrong type in a list", "POST", path("/conversations"), `{"tags": "vip"}`, "tags", "array"},
		{"wrong type nested", "POST", conv + "/messages", `{"content": {"text": true}}`, "content.text", "string"},
		{"wrong type for a number", "POST", path("/agents"), `{"displayName": "X", "capacity": "5"}`, "capacity", "integer"},
		{"fraction for an integer", "POST", path("/agents"), `{"displayName": "X", "capacity": 1.5}`, "capacity", "integer"},
		{"integer overflow", "PATCH", conv, `{"version": 1e30}`, "version", "integer"},
		{"wrong type for a boolean", "POST", path("/agents"), `{"displayName": "X", "enabled": "yes"}`, "enabled", "boolean"},
		{"bad enum", "POST", path("/conversations"), `{"status": "DONE"}`, "status", "DONE"},
		{"bad enum of a message", "POST", conv + "/messages", `{"direction": "SIDEWAYS", "content": {"text": "a"}}`, "direction", "SIDEWAYS"},
		{"invalid JSON", "POST", path("/conversations"), `{"topic": "a"`, "body", "JSON"},
		{"not JSON", "POST", path("/conversations"), `topic=a`, "body", "JSON"},
		{"trailing data", "POST", path("/conversations"), `{"topic": "a"} {"topic": "b"}`, "body", "after"},
		{"trailing garbage", "POST", path("/conversations"), `{"topic": "a"}x`, "body", ""},
		{"an array", "POST", path("/conversations"), `[{"topic": "a"}]`, "body", "object"},
		{"null", "POST", path("/conversations"), `null`, "body", "object"},
		{"a string", "POST", path("/conversations"), `"a"`, "body", "object"},
		{"invalid UTF-8", "POST", path("/conversations"), "{\"topic\": \"\xff\"}", "body", "UTF-8"},
		{"NUL byte", "POST", path("/conversations"), `{"topic": "a\u0000b"}`, "topic", "NUL"},
		{"too long", "POST", path("/conversations"), `{"topic": "` + strings.Repeat("é", 1001) + `"}`, "topic", "1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(tc.method, tc.path, tc.body)
			requireError(t, r, 400, "INVALID", tc.mentions)
			require.Equal(t, tc.field, r.JSON(t)["field"])
		})
	}
	// Nothing of it was written.
	r := f.must(200, "GET", path("/conversations"), nil)
	require.Len(t, r.Items(t, "conversations"), 1)
}

// TestErrorClasses walks every error class to its status and code.
func TestErrorClasses(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	f.seedPeople()
	id := f.create(map[string]any{"agentId": "ann"})["id"].(string)
	closed := f.create(map[string]any{"status": "CLOSED"})["id"].(string)

	for _, tc := range []struct {
		name         string
		method, path string
		body         any
		headers      []header
		status       int
		code         string
	}{
		{"not found", "GET", path("/conversations/nope"), nil, nil, 404, "NOT_FOUND"},
		{"already exists", "POST", path("/conversations"), map[string]any{"id": id}, nil, 409, "ALREADY_EXISTS"},
		{"invalid", "POST", path("/conversations"), map[string]any{"priority": "P1"}, nil, 400, "INVALID"},
		{"closed", "PATCH", path("/conversations/%s", closed), map[string]any{"topic": "x"}, nil, 409, "CLOSED"},
		{"forbidden", "POST", path("/conversations/%s/messages", id), map[string]any{"content": map[string]any{"text": "x"}}, []header{asAgent("bob")}, 403, "FORBIDDEN"},
		{"conflict", "PATCH", path("/conversations/%s", id), map[string]any{"topic": "x", "version": 7}, nil, 409, "CONFLICT"},
		{"no route", "GET", path("/nothing"), nil, nil, 404, "NOT_FOUND"},
		{"outside the base", "GET", "/elsewhere", nil, nil, 404, "NOT_FOUND"},
		{"method not allowed", "PATCH", path("/tags"), nil, nil, 405, "METHOD_NOT_ALLOWED"},
		{"bad header", "GET", path("/conversations"), nil, []header{asAgent("a\x01b")}, 400, "INVALID"},
		{"header twice", "GET", path("/conversations"), nil, []header{asAgent("ann"), asAgent("sam")}, 400, "INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireError(t, f.do(tc.method, tc.path, tc.body, tc.headers...), tc.status, tc.code)
		})
	}
	r := f.do("DELETE", path("/tags"), nil)
	require.Equal(t, "GET, POST", r.Header.Get("Allow"))
}

// failingStore fails every conversation read with a driver-like error.
type failingStore struct {
	storage.Store
}

var errDriver = errors.New(`pq: relation "parley_conversations" does not exist: SELECT * FROM parley_conversations`)

func (failingStore) GetConversation(context.Context, string) (*conversation.Conversation, error) {
	return nil, errDriver
}

func TestInternalErrorsDoNotLeak(t *testing.T) {
	t.Parallel()
	f := setup(t, failingStore{memstore.New()})
	r := f.do("GET", path("/conversations/c1"), nil)
	requireError(t, r, 500, "INTERNAL")
	require.Equal(t, "internal error", r.JSON(t)["message"])
	require.NotContains(t, string(r.Body), "SELECT")
	require.NotContains(t, string(r.Body), "parley_conversations")
	require.Contains(t, f.logs.String(), "does not exist", "the real error is logged")
}

// panickingStore panics on a read, as a buggy store might.
type panickingStore struct {
	storage.Store
}

func (panickingStore) GetConversation(context.Context, string) (*conversation.Conversation, error) {
	panic("boom")
}

func TestPanicIsA500(t *testing.T) {
	t.Parallel()
	f := setup(t, panickingStore{memstore.New()})
	requireError(t, f.do("GET", path("/conversations/c1"), nil), 500, "INTERNAL")
	require.Contains(t, f.logs.String(), "boom")
}

func TestOptions(t *testing.T) {
	t.Parallel()

	t.Run("base path", func(t *testing.T) {
		t.Parallel()
		f := setup(t, nil, httpapi.WithBasePath("api/v2/"))
		r := f.must(200, "POST", "/api/v2/conversations", map[string]any{})
		require.True(t, strings.HasPrefix(r.Header.Get("Location"), "/api/v2/conversations/"))
		requireError(t, f.do("GET", path("/conversations"), nil), 404, "NOT_FOUND")
		doc := f.must(200, "GET", "/api/v2/openapi.json", nil).JSON(t)
		require.Equal(t, []any{map[string]any{"url": "/api/v2"}}, doc["servers"])
	})

	t.Run("base path taken literally", func(t *testing.T) {
		t.Parallel()
		f := setup(t, nil, httpapi.WithBasePath("/{tenant} a//"))
		f.must(200, "GET", "/%7Btenant%7D%20a/conversations", nil)
		requireError(t, f.do("GET", "/other%20a/conversations", nil), 404, "NOT_FOUND")
	})

	t.Run("root", func(t *testing.T) {
		t.Parallel()
		f := setup(t, nil, httpapi.WithBasePath("/"))
		f.must(200, "GET", "/conversations", nil)
	})

	t.Run("actor function", func(t *testing.T) {
		t.Parallel()
		// A host's own authentication: a bearer token names the agent and
		// grants scopes; the service checks them.
		tokens := map[string]parley.Actor{
			"reader": {AgentID: "ann", Scopes: []parley.Scope{parley.ScopeRead}},
			"writer": {AgentID: "ann", Scopes: []parley.Scope{parley.ScopeRead, parley.ScopeWrite}},
		}
		actor := func(r *http.Request) (parley.Actor, error) {
			a, ok := tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
			if !ok {
				return parley.Actor{}, httpapi.ErrUnauthenticated
			}
			return a, nil
		}
		svc := parley.New(memstore.New(), parley.WithAuthorization())
		f := &fixture{t: t, svc: svc, handler: httpapi.New(svc, httpapi.WithActorFunc(actor)), logs: &syncBuffer{}}

		requireError(t, f.do("GET", path("/conversations"), nil), 401, "UNAUTHENTICATED")
		f.must(200, "GET", path("/conversations"), nil, header{"Authorization", "Bearer reader"})
		requireError(t, f.do("POST", path("/conversations"), map[string]any{}, header{"Authorization", "Bearer reader"}), 403, "FORBIDDEN")
		f.must(200, "POST", path("/conversations"), map[string]any{}, header{"Authorization", "Bearer writer"})
		events := f.must(200, "GET", path("/events"), nil, header{"Authorization", "Bearer reader"}).Items(t, "events")
		require.Equal(t, "ann", events[0]["actor"])
	})

	t.Run("actor function failing", func(t *testing.T) {
		t.Parallel()
		svc := parley.New(memstore.New())
		f := &fixture{t: t, svc: svc, logs: &syncBuffer{}}
		f.handler = httpapi.New(svc, httpapi.WithActorFunc(func(*http.Request) (parley.Actor, error) {
			return parley.Actor{}, errors.New("token service down")
		}), httpapi.WithLogger(nil), httpapi.WithLogger(slog.New(slog.NewTextHandler(f.logs, nil))))
		requireError(t, f.do("GET", path("/conversations"), nil), 500, "INTERNAL")
		require.Contains(t, f.logs.String(), "token service down")
	})
}
