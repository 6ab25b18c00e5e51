package helpdesk_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/httpapi/helpdesk"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// send sends a request through h and decodes the JSON answer.
func send(t *testing.T, h http.Handler, method, path, body string, headers ...string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, "application/json", rec.Header().Get("Content-Type"), "%s %s", method, path)
	var m map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m), rec.Body.String())
	return rec, m
}

// requireError checks this API's error shape.
func requireError(t *testing.T, m map[string]any, code, field string) {
	t.Helper()
	require.Equal(t, false, m["success"], m)
	require.Equal(t, code, m["code"], m)
	require.NotEmpty(t, m["message"], m)
	if field == "" {
		require.NotContains(t, m, "field")
	} else {
		require.Equal(t, field, m["field"], m)
	}
}

func newService(t *testing.T) *parley.Service {
	t.Helper()
	svc := parley.New(memstore.New())
	_, err := svc.CreateQueue(t.Context(), routing.Queue{ID: "support", Name: "Support"})
	require.NoError(t, err)
	return svc
}

func TestUnmatchedRoutes(t *testing.T) {
	t.Parallel()
	h := helpdesk.New(newService(t))
	rec, m := send(t, h, "GET", "/api/v1/tickets", "")
	require.Equal(t, 404, rec.Code)
	requireError(t, m, "NOT_FOUND", "")
	rec, m = send(t, h, "PATCH", "/api/v1/conversations/c1", "{}")
	require.Equal(t, 405, rec.Code)
	requireError(t, m, "METHOD_NOT_ALLOWED", "")
	require.Equal(t, "GET, PUT, DELETE", rec.Header().Get("Allow"))
	rec, _ = send(t, h, "GET", "/ccaas/1/conversations", "")
	require.Equal(t, 404, rec.Code, "only its own base path")
}

func TestActorAndAuthentication(t *testing.T) {
	t.Parallel()
	svc := newService(t)
	_, err := svc.CreateAgent(t.Context(), routing.Agent{ID: "ann", DisplayName: "Ann"})
	require.NoError(t, err)

	// The default actor is the x-agent-id header: it is the events' actor.
	h := helpdesk.New(svc)
	rec, _ := send(t, h, "POST", "/api/v1/conversations", `{"subject": "Hi", "inboxId": "support"}`, helpdesk.HeaderAgentID, "ann")
	require.Equal(t, 201, rec.Code, rec.Body.String())
	events, err := svc.Events(t.Context(), storage.EventQuery{})
	require.NoError(t, err)
	require.Equal(t, "ann", events[len(events)-1].Actor)
	rec, m := send(t, h, "GET", "/api/v1/conversations", "", helpdesk.HeaderAgentID, "ann", helpdesk.HeaderAgentID, "bob")
	require.Equal(t, 400, rec.Code)
	requireError(t, m, "INVALID", helpdesk.HeaderAgentID)

	// A host's authentication: 401 in this API's shape, with a challenge.
	h = helpdesk.New(svc, helpdesk.WithActorFunc(func(*http.Request) (parley.Actor, error) {
		return parley.Actor{}, fmt.Errorf("no key: %w", helpdesk.ErrUnauthenticated)
	}))
	rec, m = send(t, h, "GET", "/api/v1/conversations", "")
	require.Equal(t, 401, rec.Code)
	requireError(t, m, "UNAUTHENTICATED", "")
	require.NotEmpty(t, rec.Header().Get("WWW-Authenticate"))
}

func TestInternalErrorsAreNotShown(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	for name, fn := range map[string]helpdesk.ActorFunc{
		"an error of no known kind": func(*http.Request) (parley.Actor, error) {
			return parley.Actor{}, errors.New("token store: secret detail")
		},
		"a panic": func(*http.Request) (parley.Actor, error) { panic("secret detail") },
	} {
		h := helpdesk.New(newService(t), helpdesk.WithLogger(logger), helpdesk.WithActorFunc(fn))
		rec, m := send(t, h, "GET", "/api/v1/conversations", "")
		require.Equal(t, 500, rec.Code, name)
		require.Equal(t, map[string]any{"success": false, "message": "internal error", "code": "INTERNAL"}, m, name)
		require.NotContains(t, rec.Body.String(), "secret")
	}
	require.Contains(t, logs.String(), "secret detail", "logged, not sent")
}

func TestBasePathAndOpenAPI(t *testing.T) {
	t.Parallel()
	h := helpdesk.New(newService(t), helpdesk.WithBasePath("helpdesk/v1/"))
	rec, m := send(t, h, "GET", "/helpdesk/v1/conversations", "")
	require.Equal(t, 200, rec.Code)
	require.Equal(t, true, m["success"])
	rec, m = send(t, h, "GET", "/helpdesk/v1/openapi.json", "")
	require.Equal(t, 200, rec.Code)
	require.Equal(t, []any{map[string]any{"url": "/helpdesk/v1"}}, m["servers"])
	require.JSONEq(t, string(helpdesk.OpenAPI()), strings.Replace(rec.Body.String(), `"/helpdesk/v1"`, `"/api/v1"`, 1))
}

func TestBodies(t *testing.T) {
	t.Parallel()
	h := helpdesk.New(newService(t))
	big := `{"subject": "` + strings.Repeat("x", 1<<20) + `", "inboxId": "support"}`
	for _, tc := range []struct{ body, field string }{
		{big, "body"},
		{`{"subject": "Hi", "inboxId": "support"} {}`, "body"},
		{`{"subject": "Hi",`, "body"},
		{`{"subject": 5, "inboxId": "support"}`, "subject"},
		{`{"subject": "\ud800", "inboxId": "support"}`, "body"},
		// A key in another case is unknown: ignored, so subject is missing.
		{`{"Subject": "Hi", "inboxId": "support"}`, "subject"},
	} {
		rec, m := send(t, h, "POST", "/api/v1/conversations", tc.body)
		require.Equal(t, 400, rec.Code, tc.body[:min(len(tc.body), 60)])
		requireError(t, m, "INVALID", tc.field)
	}
	strict := helpdesk.New(newService(t), helpdesk.WithStrict())
	for _, tc := range []struct{ path, body, field string }{
		{"/api/v1/conversations", `{"Subject": "Hi", "inboxId": "support"}`, "Subject"},
		{"/api/v1/conversations", `{"subject": "Hi", "inboxId": "support", "colour": "red"}`, "colour"},
		{"/api/v1/conversations?utm=1", `{"subject": "Hi", "inboxId": "support"}`, "utm"},
	} {
		rec, m := send(t, strict, "POST", tc.path, tc.body)
		require.Equal(t, 400, rec.Code, tc.body)
		requireError(t, m, "INVALID", tc.field)
	}
	rec, _ := send(t, h, "GET", "/api/v1/conversations", "")
	require.Equal(t, 200, rec.Code)
	var m map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m))
	require.Empty(t, m["data"], "nothing was created")
}

// TestUnknownInputIsIgnored checks the default leniency: an unknown query
// parameter, an unknown body field and a body on a route that takes none
// change nothing; a known field is still validated.
func TestUnknownInputIsIgnored(t *testing.T) {
	t.Parallel()
	h := helpdesk.New(newService(t))
	rec, m := send(t, h, "POST", "/api/v1/conversations?piIntegrator=1&piPlatform=lzkj",
		`{"subject": "Hi", "inboxId": "support", "summarry": null, "extra": {"a": [1, {"b": 2}]}}`)
	require.Equal(t, 201, rec.Code, m)
	data := m["data"].(map[string]any)
	require.Equal(t, "Hi", data["subject"])
	require.NotContains(t, data, "summarry")
	require.NotContains(t, data, "extra")

	rec, m = send(t, h, "GET", "/api/v1/conversations/"+data["_id"].(string)+"?utm_source=x", `{"ignored": true}`)
	require.Equal(t, 200, rec.Code, m)

	rec, m = send(t, h, "POST", "/api/v1/conversations?piIntegrator=1", `{"subject": 5, "inboxId": "support", "x": 1}`)
	require.Equal(t, 400, rec.Code, m)
	requireError(t, m, "INVALID", "subject")
}
