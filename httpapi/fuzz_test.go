package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzHandler sends arbitrary requests through the handler over a seeded
// store: whatever comes in, the answer is JSON (or empty for 204) and never
// a 500, which here could only come from a recovered panic; a 400 is
// INVALID and names the field.
func FuzzHandler(f *testing.F) {
	for _, seed := range []struct{ method, target, body, agent string }{
		{"POST", "/ccaas/1/conversations", `{"topic": "a", "tags": ["x"], "attributes": {"k": "v"}}`, ""},
		{"PATCH", "/ccaas/1/conversations/c1", `{"agentId": null, "version": 1}`, ""},
		{"PUT", "/ccaas/1/conversations/c1", `{"status": "pending"}`, ""},
		{"GET", "/ccaas/1/conversations?status=open&limit=2&orderBy=priority:desc&cursor=AQ", "", ""},
		{"POST", "/ccaas/1/conversations/c1/messages", `{"contentType": "LOCATION", "content": {"latitude": 1e308, "longitude": -0}}`, "ann"},
		{"PUT", "/ccaas/1/routing", `{"rules": [{"name": "r", "queueId": "q1", "condition": {"channels": ["chat"]}}]}`, ""},
		{"POST", "/ccaas/1/conversations/c1/transfer", `{"queueId": "q1"}`, ""},
		{"DELETE", "/ccaas/1/conversations/c1?reason=x", `{"reason": null}`, ""},
		{"GET", "/ccaas/1/events?after=0&limit=1000", "", "sam"},
		{"POST", "/ccaas/1/conversations", `{"topic": "a"}{`, ""},
		{"POST", "/ccaas/1/conversations", `[[[[[[[[[[]]]]]]]]]]`, ""},
		{"GET", "/ccaas/1/conversations/%2F..%2F/history", "", ""},
	} {
		f.Add(seed.method, seed.target, seed.body, seed.agent)
	}
	f.Fuzz(func(t *testing.T, method, target, body, agent string) {
		fx := setup(t, nil)
		fx.must(201, "POST", path("/agents"), map[string]any{"id": "ann", "displayName": "Ann"})
		fx.must(201, "POST", path("/agents"), map[string]any{"id": "sam", "displayName": "Sam", "role": "SUPERVISOR"})
		fx.must(201, "POST", path("/queues"), map[string]any{"id": "q1", "name": "Q"})
		fx.create(map[string]any{"id": "c1", "agentId": "ann"})

		switch method {
		case "GET", "POST", "PUT", "PATCH", "DELETE":
		default:
			method = "GET"
		}
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \t\r\n#") {
			target = "/ccaas/1/" + target
		}
		req, err := http.NewRequest(method, "http://example.test"+target, bytes.NewReader([]byte(body)))
		if err != nil {
			t.Skip()
		}
		if agent != "" {
			req.Header.Set("x-agent-id", agent)
		}
		rec := httptest.NewRecorder()
		fx.handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s\nlogs: %s", method, target, body, rec.Code, rec.Body, fx.logs.String())
		}
		if rec.Code == http.StatusNoContent || rec.Code == http.StatusMovedPermanently || rec.Code == http.StatusTemporaryRedirect {
			return
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: %d, not JSON: %q", method, target, rec.Code, rec.Body)
		}
		if rec.Code == http.StatusBadRequest {
			// Invalid input is ErrInvalid, and the answer names the field.
			var e struct{ Code, Field string }
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code != "INVALID" || e.Field == "" {
				t.Fatalf("%s %s %q: a 400 that names no field: %s", method, target, body, rec.Body)
			}
		}
	})
}
