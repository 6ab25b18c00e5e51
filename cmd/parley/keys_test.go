package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/httpapi"
)

const (
	annKey    = "ann-key-0123456789abcdef"
	readerKey = "reader-key-0123456789abcdef"
	botKey    = "bot-key-0123456789abcdef"
)

// writeKeys writes a keys file and returns its path.
func writeKeys(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

var keysFile = `[
	{"key": "` + annKey + `", "agentId": "ann", "scopes": ["read:conversations", "write:conversations"]},
	{"key": "` + readerKey + `", "scopes": ["read:conversations"]},
	{"key": "` + botKey + `", "scopes": ["write:conversations", "read:conversations"]}
]`

func TestLoadKeysRefusesBadFiles(t *testing.T) {
	t.Parallel()
	secret := "secret-key-that-must-not-show"
	for name, text := range map[string]string{
		"not JSON":          `{`,
		"not an array":      `{"key": "` + secret + `"}`,
		"no keys":           `[]`,
		"an unknown field":  `[{"key": "` + secret + `", "scopes": [], "role": "admin"}]`,
		"a short key":       `[{"key": "short", "scopes": []}]`,
		"a key with space":  `[{"key": "secret key that is long", "scopes": []}]`,
		"a key twice":       `[{"key": "` + secret + `"}, {"key": "` + secret + `"}]`,
		"an unknown scope":  `[{"key": "` + secret + `", "scopes": ["admin"]}]`,
		"a bad agent id":    `[{"key": "` + secret + `", "agentId": "a\nb"}]`,
		"a scope not typed": `[{"key": "` + secret + `", "scopes": "read:conversations"}]`,
	} {
		_, err := loadKeys(writeKeys(t, text))
		require.Error(t, err, name)
		require.NotContains(t, err.Error(), secret, "%s: an error never shows a key", name)
	}
	_, err := loadKeys(filepath.Join(t.TempDir(), "missing.json"))
	require.Error(t, err)

	kr, err := loadKeys(writeKeys(t, keysFile))
	require.NoError(t, err)
	require.Len(t, kr.keys, 3)
	for _, k := range kr.keys {
		require.NotContains(t, string(k.digest[:]), "key", "only digests are kept")
	}
}

func TestKeyActor(t *testing.T) {
	t.Parallel()
	kr, err := loadKeys(writeKeys(t, keysFile))
	require.NoError(t, err)
	both := []parley.Scope{parley.ScopeRead, parley.ScopeWrite}
	for _, tc := range []struct {
		name    string
		headers []string
		want    parley.Actor
		err     error
	}{
		{"no key", nil, parley.Actor{}, httpapi.ErrUnauthenticated},
		{"a wrong key", []string{"Authorization", "Bearer not-a-key-0123456789"}, parley.Actor{}, httpapi.ErrUnauthenticated},
		{"a key with a prefix too much", []string{"Authorization", "Bearer x" + annKey}, parley.Actor{}, httpapi.ErrUnauthenticated},
		{"no scheme", []string{"Authorization", annKey}, parley.Actor{}, httpapi.ErrUnauthenticated},
		{"another scheme", []string{"Authorization", "Basic " + annKey}, parley.Actor{}, httpapi.ErrUnauthenticated},
		{"two headers", []string{"Authorization", "Bearer " + annKey, "Authorization", "Bearer " + annKey}, parley.Actor{}, httpapi.ErrUnauthenticated},
		{"Bearer", []string{"Authorization", "Bearer " + annKey}, parley.Actor{AgentID: "ann", Scopes: both}, nil},
		{"App, Infobip's scheme", []string{"Authorization", "App " + annKey}, parley.Actor{AgentID: "ann", Scopes: both}, nil},
		{"the scheme in any case", []string{"Authorization", "bearer " + annKey}, parley.Actor{AgentID: "ann", Scopes: both}, nil},
		{"the key's own agent named", []string{"Authorization", "App " + annKey, "x-agent-id", "ann"}, parley.Actor{AgentID: "ann", Scopes: both}, nil},
		{"another agent named", []string{"Authorization", "App " + annKey, "x-agent-id", "bob"}, parley.Actor{}, parley.ErrForbidden},
		{"a key without an agent", []string{"Authorization", "Bearer " + readerKey}, parley.Actor{Scopes: []parley.Scope{parley.ScopeRead}}, nil},
		{"a key without an agent, an agent named", []string{"Authorization", "Bearer " + botKey, "x-agent-id", "bob"},
			parley.Actor{AgentID: "bob", Scopes: []parley.Scope{parley.ScopeWrite, parley.ScopeRead}}, nil},
		{"a bad agent named", []string{"Authorization", "Bearer " + botKey, "x-agent-id", "a\x01b"}, parley.Actor{}, parley.ErrInvalid},
	} {
		r := httptest.NewRequest("GET", "/ccaas/1/conversations", nil)
		for i := 0; i+1 < len(tc.headers); i += 2 {
			r.Header.Add(tc.headers[i], tc.headers[i+1])
		}
		got, err := kr.actor(r)
		if tc.err != nil {
			require.ErrorIs(t, err, tc.err, tc.name)
			require.NotContains(t, err.Error(), annKey, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, got, tc.name)
	}
}

// startInProcess runs the server in process and returns its root URL and
// its log; the server stops when the test ends.
func startInProcess(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, stdout := io.Pipe()
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-sqlite", filepath.Join(t.TempDir(), "parley.db")}, args...),
			func(string) string { return "" }, stdout, stderr)
		_ = stdout.Close()
	}()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err, "stderr:\n%s", stderr)
	go func() { _, _ = io.Copy(io.Discard, out) }()
	m := servingLine.FindStringSubmatch(line)
	require.NotNil(t, m, line)
	require.Contains(t, line, m[1]+"/api/v1", "both adapters are announced")
	return m[1], stderr
}

// get sends a request with headers and decodes the answer.
func get(t *testing.T, method, url, body string, headers ...string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var m map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	return resp.StatusCode, m
}

// TestServerWithAPIKeys: with keys every request of both adapters needs
// one (401 in each adapter's shape), its scopes are checked (403), and no
// key reaches the log.
func TestServerWithAPIKeys(t *testing.T) {
	t.Parallel()
	root, logs := startInProcess(t, "-seed", "-api-keys", writeKeys(t, keysFile))
	infobip, hd := root+"/ccaas/1", root+"/api/v1"

	status, m := get(t, "GET", infobip+"/conversations", "")
	require.Equal(t, 401, status)
	require.Equal(t, "UNAUTHENTICATED", m["code"])
	require.Equal(t, "ERROR", m["statusCode"], "the Infobip shape")
	status, m = get(t, "GET", hd+"/conversations", "", "Authorization", "Bearer wrong-key-0123456789")
	require.Equal(t, 401, status)
	require.Equal(t, false, m["success"], "the helpdesk shape")
	require.Equal(t, "UNAUTHENTICATED", m["code"])

	status, _ = get(t, "GET", infobip+"/conversations/conv-invoice", "", "Authorization", "App "+readerKey)
	require.Equal(t, 200, status)
	status, m = get(t, "GET", hd+"/conversations/conv-invoice", "", "Authorization", "Bearer "+readerKey)
	require.Equal(t, 200, status)
	require.Equal(t, "Aiko Tanaka", m["data"].(map[string]any)["customerId"].(map[string]any)["name"])

	// read:conversations alone writes nothing.
	status, m = get(t, "PUT", hd+"/conversations/conv-invoice", `{"priority": "urgent"}`, "Authorization", "Bearer "+readerKey)
	require.Equal(t, 403, status)
	require.Equal(t, map[string]any{"success": false, "code": "FORBIDDEN", "message": "UpdateConversation needs scope write:conversations."}, m)
	status, m = get(t, "PATCH", infobip+"/conversations/conv-invoice", `{"priority": "URGENT"}`, "Authorization", "App "+readerKey)
	require.Equal(t, 403, status)
	require.Equal(t, "FORBIDDEN", m["code"])
	status, m = get(t, "GET", hd+"/conversations/conv-invoice", "", "Authorization", "Bearer "+readerKey)
	require.Equal(t, 200, status)
	require.Equal(t, "medium", m["data"].(map[string]any)["priority"], "nothing was written")

	// Ann's key writes, as ann.
	status, m = get(t, "PUT", hd+"/conversations/conv-invoice", `{"priority": "urgent", "assignedTo": "ann"}`, "Authorization", "Bearer "+annKey)
	require.Equal(t, 200, status, m)
	require.Equal(t, "Ann Lee", m["data"].(map[string]any)["assignedTo"].(map[string]any)["name"])
	status, m = get(t, "GET", infobip+"/conversations/conv-invoice/history?after=0&limit=1000", "", "Authorization", "App "+annKey)
	require.Equal(t, 200, status)
	events := m["events"].([]any)
	require.Equal(t, "ann", events[len(events)-1].(map[string]any)["actor"], "the key's agent acts")

	require.Contains(t, logs.String(), "API keys loaded")
	for _, k := range []string{annKey, readerKey, botKey} {
		require.NotContains(t, logs.String(), k, "a key is never logged")
	}
}

// TestServerWithoutKeysIsOpen: without keys the server says so, and
// serves both adapters to anyone.
func TestServerWithoutKeysIsOpen(t *testing.T) {
	t.Parallel()
	root, logs := startInProcess(t, "-seed")
	status, m := get(t, "GET", root+"/api/v1/conversations?customerId=cust-17", "")
	require.Equal(t, 200, status)
	require.EqualValues(t, 2, m["pagination"].(map[string]any)["total"])
	status, _ = get(t, "GET", root+"/api/v1/openapi.json", "")
	require.Equal(t, 200, status)
	status, _ = get(t, "GET", root+"/ccaas/1/openapi.json", "")
	require.Equal(t, 200, status)
	require.Contains(t, logs.String(), "the API is open to anyone")

	// A keys file the server cannot use stops it before it serves.
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-sqlite", filepath.Join(t.TempDir(), "x.db"), "-api-keys", writeKeys(t, `[]`)},
		func(string) string { return "" }, io.Discard, io.Discard)
	require.ErrorContains(t, err, "no keys")
}

// TestReadmeKeysFileLoads: the keys file the README shows is one the server
// takes.
func TestReadmeKeysFileLoads(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(raw), "cat > keys.json <<'KEYS'\n")
	require.True(t, ok, "the README shows a keys file")
	text, _, ok := strings.Cut(rest, "\nKEYS\n")
	require.True(t, ok)
	kr, err := loadKeys(writeKeys(t, text))
	require.NoError(t, err)
	require.Len(t, kr.keys, 2)
}
