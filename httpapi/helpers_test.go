package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/httpapi"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/storage"
)

// t0 is the test clock's start, in a zone other than UTC so that the wire
// format's conversion to UTC is exercised.
var t0 = time.Date(2025, 4, 24, 13, 25, 41, 58_000_000, time.FixedZone("CEST", 2*3600))

// tickingClock moves on by a millisecond at every reading, so that every
// change gets its own time and orders are predictable.
type tickingClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *tickingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Millisecond)
	return c.now
}

// fixture is a handler over a fresh memstore.
type fixture struct {
	t       *testing.T
	svc     *parley.Service
	handler http.Handler
	logs    *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// setup builds a fixture over store (a fresh memstore when nil).
func setup(t *testing.T, store storage.Store, opts ...httpapi.Option) *fixture {
	t.Helper()
	if store == nil {
		store = memstore.New()
	}
	clk := &tickingClock{now: t0}
	svc := parley.New(store, parley.WithClock(clk.Now))
	logs := &syncBuffer{}
	opts = append([]httpapi.Option{httpapi.WithLogger(slog.New(slog.NewTextHandler(logs, nil)))}, opts...)
	return &fixture{t: t, svc: svc, handler: httpapi.New(svc, opts...), logs: logs}
}

// response is a recorded answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as an object.
func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "body: %s", r.Body)
	return m
}

// Items decodes a list answer's items under key.
func (r response) Items(t *testing.T, key string) []map[string]any {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(r.Body, &m), "body: %s", r.Body)
	var items []map[string]any
	require.NoError(t, json.Unmarshal(m[key], &items), "body: %s", r.Body)
	return items
}

// Pagination decodes a list answer's pagination block.
func (r response) Pagination(t *testing.T) map[string]any {
	t.Helper()
	p, ok := r.JSON(t)["pagination"].(map[string]any)
	require.True(t, ok, "no pagination in %s", r.Body)
	return p
}

// header is one request header.
type header struct{ key, value string }

// asAgent sends the request as the agent (the x-agent-id header).
func asAgent(id string) header { return header{httpapi.HeaderAgentID, id} }

// do sends a request through the handler. body is nil (none), a string or
// []byte (sent as it is) or any other value (sent as JSON).
func (f *fixture) do(method, path string, body any, headers ...header) response {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(f.t, err)
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequestWithContext(context.Background(), method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		req.Header.Add(h.key, h.value)
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// must sends a request and requires the status.
func (f *fixture) must(status int, method, path string, body any, headers ...header) response {
	f.t.Helper()
	r := f.do(method, path, body, headers...)
	require.Equal(f.t, status, r.Status, "%s %s: %s", method, path, r.Body)
	return r
}

// requireError checks an error answer: status, code, and that the message
// mentions each of the given fragments.
func requireError(t *testing.T, r response, status int, code string, mentions ...string) {
	t.Helper()
	require.Equal(t, status, r.Status, "body: %s", r.Body)
	require.Equal(t, "application/json", r.Header.Get("Content-Type"))
	m := r.JSON(t)
	require.Equal(t, "ERROR", m["statusCode"], "body: %s", r.Body)
	require.Equal(t, code, m["code"], "body: %s", r.Body)
	msg, _ := m["message"].(string)
	require.NotEmpty(t, msg)
	for _, s := range mentions {
		require.Contains(t, msg, s, "body: %s", r.Body)
	}
}

const base = "/ccaas/1"

// path joins the base path and a formatted path.
func path(format string, args ...any) string { return base + fmt.Sprintf(format, args...) }

// seedPeople creates the agents the tests use: ann and bob (agents), sam (a
// supervisor), off (a disabled agent); and the queues billing and support.
func (f *fixture) seedPeople() {
	f.t.Helper()
	f.must(200, "POST", path("/agents"), map[string]any{"id": "ann", "displayName": "Ann", "status": "ACTIVE"})
	f.must(200, "POST", path("/agents"), map[string]any{"id": "bob", "displayName": "Bob"})
	f.must(200, "POST", path("/agents"), map[string]any{"id": "sam", "displayName": "Sam", "role": "SUPERVISOR"})
	f.must(200, "POST", path("/agents"), map[string]any{"id": "off", "displayName": "Off", "enabled": false})
	f.must(200, "POST", path("/queues"), map[string]any{"id": "billing", "name": "Billing"})
	f.must(200, "POST", path("/queues"), map[string]any{"id": "support", "name": "Support"})
}

// create makes a conversation from body and returns it.
func (f *fixture) create(body any) map[string]any {
	f.t.Helper()
	return f.must(200, "POST", path("/conversations"), body).JSON(f.t)
}
