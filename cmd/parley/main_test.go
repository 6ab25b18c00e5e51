package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

func TestParseConfig(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string {
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want config
	}{
		{"defaults", nil, nil, config{addr: "127.0.0.1:8080", sqlite: "parley.db", schema: "parley"}},
		{"flags", []string{"-addr", ":9000", "-sqlite", "/tmp/x.db", "-postgres", "postgres://h/db", "-schema", "crm", "-seed"}, nil,
			config{addr: ":9000", sqlite: "/tmp/x.db", postgres: "postgres://h/db", schema: "crm", seed: true}},
		{"environment", nil, map[string]string{"PARLEY_ADDR": ":9001", "PARLEY_SQLITE": "e.db", "PARLEY_POSTGRES": "postgres://e/db", "PARLEY_SCHEMA": "crm"},
			config{addr: ":9001", sqlite: "e.db", postgres: "postgres://e/db", schema: "crm"}},
		{"the flag wins", []string{"-addr", ":9002", "-sqlite", "f.db", "-schema", "mine"}, map[string]string{"PARLEY_ADDR": ":9001", "PARLEY_SQLITE": "e.db", "PARLEY_SCHEMA": "crm"},
			config{addr: ":9002", sqlite: "f.db", schema: "mine"}},
		{"-sqlite wins over PARLEY_POSTGRES", []string{"-sqlite", "f.db"}, map[string]string{"PARLEY_POSTGRES": "postgres://e/db"},
			config{addr: "127.0.0.1:8080", sqlite: "f.db", schema: "parley"}},
		{"-postgres wins over PARLEY_POSTGRES", []string{"-postgres", "postgres://f/db"}, map[string]string{"PARLEY_POSTGRES": "postgres://e/db"},
			config{addr: "127.0.0.1:8080", sqlite: "parley.db", postgres: "postgres://f/db", schema: "parley"}},
		{"-postgres overrides -sqlite", []string{"-sqlite", "f.db", "-postgres", "postgres://f/db"}, map[string]string{"PARLEY_POSTGRES": "postgres://e/db"},
			config{addr: "127.0.0.1:8080", sqlite: "f.db", postgres: "postgres://f/db", schema: "parley"}},
		{"-postgres overrides PARLEY_SQLITE", []string{"-postgres", "postgres://f/db"}, map[string]string{"PARLEY_SQLITE": "e.db"},
			config{addr: "127.0.0.1:8080", sqlite: "e.db", postgres: "postgres://f/db", schema: "parley"}},
		{"PARLEY_POSTGRES overrides PARLEY_SQLITE", nil, map[string]string{"PARLEY_SQLITE": "e.db", "PARLEY_POSTGRES": "postgres://e/db"},
			config{addr: "127.0.0.1:8080", sqlite: "e.db", postgres: "postgres://e/db", schema: "parley"}},
		{"an empty -postgres is none", []string{"-postgres", ""}, map[string]string{"PARLEY_POSTGRES": "postgres://e/db"},
			config{addr: "127.0.0.1:8080", sqlite: "parley.db", schema: "parley"}},
		{"-api-keys", []string{"-api-keys", "keys.json"}, nil,
			config{addr: "127.0.0.1:8080", sqlite: "parley.db", schema: "parley", apiKeys: "keys.json"}},
		{"PARLEY_API_KEYS", nil, map[string]string{"PARLEY_API_KEYS": "env.json"},
			config{addr: "127.0.0.1:8080", sqlite: "parley.db", schema: "parley", apiKeys: "env.json"}},
		{"-api-keys wins over PARLEY_API_KEYS", []string{"-api-keys", "flag.json"}, map[string]string{"PARLEY_API_KEYS": "env.json"},
			config{addr: "127.0.0.1:8080", sqlite: "parley.db", schema: "parley", apiKeys: "flag.json"}},
		{"-strict", []string{"-strict"}, nil,
			config{addr: "127.0.0.1:8080", sqlite: "parley.db", schema: "parley", strict: true}},
		{"PARLEY_STRICT=1", nil, map[string]string{"PARLEY_STRICT": "1"},
			config{addr: "127.0.0.1:8080", sqlite: "parley.db", schema: "parley", strict: true}},
		{"-strict=false wins over PARLEY_STRICT", []string{"-strict=false"}, map[string]string{"PARLEY_STRICT": "1"},
			config{addr: "127.0.0.1:8080", sqlite: "parley.db", schema: "parley"}},
		{"-run-interval", []string{"-run-interval", "250ms"}, nil,
			config{addr: "127.0.0.1:8080", sqlite: "parley.db", schema: "parley", runInterval: 250 * time.Millisecond}},
		{"-run-interval 0 turns the runner off", []string{"-run-interval", "0"}, nil,
			config{addr: "127.0.0.1:8080", sqlite: "parley.db", schema: "parley"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseConfig(tc.args, env(tc.env), io.Discard)
			require.NoError(t, err)
			tc.want.limits = defaultLimits
			if !slices.Contains(tc.args, "-run-interval") {
				tc.want.runInterval = defaultRunInterval
			}
			require.Equal(t, tc.want, got)
		})
	}
	_, err := parseConfig([]string{"-bogus"}, env(nil), io.Discard)
	var usage usageError
	require.ErrorAs(t, err, &usage)
	_, err = parseConfig([]string{"stray"}, env(nil), io.Discard)
	require.ErrorAs(t, err, &usage)
	for _, bad := range []string{"Parley", "1st", "pg_x", "a-b", ""} {
		_, err = parseConfig([]string{"-schema", bad}, env(nil), io.Discard)
		require.ErrorAs(t, err, &usage, "-schema %q", bad)
	}
	_, err = parseConfig(nil, env(map[string]string{"PARLEY_SCHEMA": "no spaces"}), io.Discard)
	require.ErrorAs(t, err, &usage)
	_, err = parseConfig([]string{"-run-interval", "-1s"}, env(nil), io.Discard)
	require.ErrorAs(t, err, &usage)
	require.ErrorContains(t, err, "-run-interval")
	_, err = parseConfig(nil, env(map[string]string{"PARLEY_STRICT": "yes please"}), io.Discard)
	require.ErrorAs(t, err, &usage)
	require.ErrorContains(t, err, "PARLEY_STRICT")
}

// TestServeURL checks the URL printed for each kind of -addr: a host
// given is the address listened on; none, or an unspecified one, is the
// loopback address, which a browser can open.
func TestServeURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr string
		ln   net.Addr
		want string
	}{
		{"127.0.0.1:8080", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "http://127.0.0.1:8080"},
		{"localhost:0", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 41234}, "http://127.0.0.1:41234"},
		{"[::1]:8080", &net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, "http://[::1]:8080"},
		{"192.0.2.7:8080", &net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 8080}, "http://192.0.2.7:8080"},
		{":8080", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "http://127.0.0.1:8080"},
		{":0", &net.TCPAddr{IP: net.IPv6unspecified, Port: 41234}, "http://127.0.0.1:41234"},
		{"0.0.0.0:8080", &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "http://127.0.0.1:8080"},
		{"[::]:8080", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "http://127.0.0.1:8080"},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, serveURL(tc.addr, tc.ln))
		})
	}
}

// TestRunOnEveryInterface runs the server in process with -addr :0 and
// checks that the URL it prints can be opened, that the log has the
// address it listens on, and that cancelling it shuts it down cleanly.
func TestRunOnEveryInterface(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, stdout := io.Pipe()
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", ":0", "-sqlite", filepath.Join(t.TempDir(), "parley.db")},
			func(string) string { return "" }, stdout, stderr)
		_ = stdout.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err, "stderr:\n%s", stderr)
	m := servingLine.FindStringSubmatch(line)
	require.NotNil(t, m, line)
	require.Regexp(t, `^http://127\.0\.0\.1:\d+$`, m[1])
	resp, err := http.Get(m[1] + m[2] + "/openapi.json")
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Regexp(t, `msg=listening addr=(\[::\]|0\.0\.0\.0):\d+ `, stderr.String())
	cancel()
	require.NoError(t, <-done)
}

// TestSeedIsIdempotent seeds a store twice: the second run finds it all
// and changes nothing.
// demoState is what the README's walk-through depends on, times and
// versions aside.
func demoState(t *testing.T, svc *parley.Service) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	agents, err := svc.ListAgents(ctx, storage.AgentQuery{})
	require.NoError(t, err)
	for _, a := range agents.Items {
		fmt.Fprintf(&b, "agent %s %q %s %s enabled=%v capacity=%d\n", a.ID, a.DisplayName, a.Role, a.Status, a.Enabled(), a.Capacity)
	}
	queues, err := svc.ListQueues(ctx, storage.QueueQuery{})
	require.NoError(t, err)
	for _, q := range queues.Items {
		fmt.Fprintf(&b, "queue %s %q auto=%v %s default=%v members=%v\n", q.ID, q.Name, q.AutoAssignment, q.Strategy, q.Default, q.Members)
	}
	rules, err := svc.RoutingRules(ctx)
	require.NoError(t, err)
	for _, r := range rules {
		fmt.Fprintf(&b, "rule %s %s %s %v\n", r.ID, r.QueueID, r.Priority, r.Condition)
	}
	customers, err := svc.ListCustomers(ctx, storage.CustomerQuery{})
	require.NoError(t, err)
	for _, k := range customers.Items {
		fmt.Fprintf(&b, "customer %s %q %s %s %v\n", k.ID, k.Name, k.Email, k.Phone, k.Attributes)
	}
	convs, err := svc.ListConversations(ctx, storage.ConversationQuery{Order: storage.Order{Field: storage.SortID}})
	require.NoError(t, err)
	for _, c := range convs.Items {
		msgs, err := svc.ListMessages(ctx, storage.MessageQuery{ConversationID: c.ID})
		require.NoError(t, err)
		fmt.Fprintf(&b, "conversation %s %q %s %s queue=%s agent=%s %s %s %v messages=%d\n", c.ID, c.Topic, c.Status, c.Priority,
			c.QueueID, c.AgentID, c.Channel, c.CustomerID, c.Tags, len(msgs.Items))
	}
	return b.String()
}

// -seed on a database the walk-through has changed sets the demo rows back
// to where they started, so that the walk-through runs again; seeding
// twice in a row is the same as seeding once.
func TestSeedResetsTheDemoRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := parley.New(memstore.New())
	require.NoError(t, seed(ctx, svc))
	fresh := demoState(t, svc)
	require.Contains(t, fresh, "conversation conv-invoice \"Invoice copy for March\" OPEN NORMAL queue= agent=")
	require.NoError(t, seed(ctx, svc))
	require.Equal(t, fresh, demoState(t, svc), "seeding again changes nothing")

	// The walk-through, and more: route and close conv-invoice, delete
	// conv-password, a new conversation for cust-23, agents, queues,
	// rules and customers changed.
	_, err := svc.Route(ctx, "conv-invoice")
	require.NoError(t, err)
	_, err = svc.CloseConversation(ctx, "conv-invoice")
	require.NoError(t, err)
	require.NoError(t, svc.DeleteConversation(ctx, "conv-password", "duplicate"))
	_, err = svc.CreateConversation(ctx, conversation.Conversation{Topic: "The box arrived crushed", QueueID: "support", CustomerID: "cust-23"})
	require.NoError(t, err)
	away := routing.Away
	_, err = svc.UpdateAgent(ctx, "ann", routing.AgentPatch{Status: &away})
	require.NoError(t, err)
	_, err = svc.RemoveQueueMember(ctx, "support", "bob")
	require.NoError(t, err)
	_, err = svc.AddQueueMember(ctx, "billing", "sam")
	require.NoError(t, err)
	_, err = svc.SetRoutingRules(ctx, nil)
	require.NoError(t, err)
	name := "Someone Else"
	_, err = svc.UpdateCustomer(ctx, "cust-42", customer.Patch{Name: &name, Attributes: map[string]string{}})
	require.NoError(t, err)
	require.NotEqual(t, fresh, demoState(t, svc))

	require.NoError(t, seed(ctx, svc))
	require.Equal(t, fresh, demoState(t, svc))
	// Routing works again as the walk-through expects.
	d, err := svc.SimulateRouting(ctx, "conv-invoice")
	require.NoError(t, err)
	require.Equal(t, "billing", d.QueueID)
}

// syncBuffer collects a process's stderr.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // closed, and replaced, at each write
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written != nil {
		close(s.written)
		s.written = nil
	}
	return s.b.Write(p)
}

// waitFor reports whether the buffer holds text before the deadline,
// waking at each write.
func (s *syncBuffer) waitFor(text string, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		if strings.Contains(s.b.String(), text) {
			s.mu.Unlock()
			return true
		}
		if s.written == nil {
			s.written = make(chan struct{})
		}
		written := s.written
		s.mu.Unlock()
		select {
		case <-written:
		case <-deadline:
			return false
		}
	}
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is a running parley binary.
type server struct {
	t      *testing.T
	cmd    *exec.Cmd
	base   string // http://host:port/ccaas/1
	root   string // http://host:port
	stderr *syncBuffer
	exited chan error
}

var servingLine = regexp.MustCompile(`serving (http://[^/\s]+)(/ccaas/1)`)

// startServer starts the binary with args and env, and returns once it
// prints the URL it serves and answers its health check.
func startServer(t *testing.T, bin string, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	s := &server{t: t, cmd: cmd, stderr: &syncBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = s.stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-s.exited
		}
	})

	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		s.exited <- cmd.Wait()
	}()
	deadline := time.After(60 * time.Second)
	for s.root == "" {
		select {
		case line, ok := <-lines:
			require.True(t, ok, "the server ended before serving; stderr:\n%s", s.stderr)
			if m := servingLine.FindStringSubmatch(line); m != nil {
				s.root, s.base = m[1], m[1]+m[2]
			}
		case <-deadline:
			t.Fatalf("the server printed no URL; stderr:\n%s", s.stderr)
		}
	}
	go func() {
		for range lines { // drain the rest of stdout
		}
	}()

	// Poll the health check until it answers, within a deadline.
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	until := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.root + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		require.True(t, time.Now().Before(until), "no health check answer: %v; stderr:\n%s", err, s.stderr)
		<-tick.C
	}
}

// stop sends sig and requires a clean exit (status 0) within a deadline.
func (s *server) stop(sig os.Signal) {
	s.t.Helper()
	require.NoError(s.t, s.cmd.Process.Signal(sig))
	select {
	case err := <-s.exited:
		require.NoError(s.t, err, "stderr:\n%s", s.stderr)
		require.Equal(s.t, 0, s.cmd.ProcessState.ExitCode())
	case <-time.After(30 * time.Second):
		s.t.Fatalf("the server did not exit; stderr:\n%s", s.stderr)
	}
}

// call sends a JSON request and decodes the answer into a map (nil for an
// empty body).
func (s *server) call(method, path string, body any, agent string) (int, map[string]any) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(s.t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", "application/json")
	if agent != "" {
		req.Header.Set("x-agent-id", agent)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	if len(raw) == 0 {
		return resp.StatusCode, nil
	}
	var m map[string]any
	require.NoError(s.t, json.Unmarshal(raw, &m), "%s %s: %s", method, path, raw)
	return resp.StatusCode, m
}

// must is call that requires the status.
func (s *server) must(status int, method, path string, body any, agent string) map[string]any {
	s.t.Helper()
	got, m := s.call(method, path, body, agent)
	require.Equal(s.t, status, got, "%s %s: %v", method, path, m)
	return m
}

// The server binary, built once for the tests that run it.
var (
	buildOnce   sync.Once
	buildDir    string
	buildOutput []byte
	buildErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// serverBinary builds the server (once) and returns its path.
func serverBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "parley-server-"); buildErr != nil {
			return
		}
		buildOutput, buildErr = exec.Command("go", "build", "-o", filepath.Join(buildDir, "parley"), ".").CombinedOutput()
	})
	require.NoError(t, buildErr, "go build: %s", buildOutput)
	return filepath.Join(buildDir, "parley")
}

// TestServerBinary builds the real server, runs it over a temporary SQLite
// file, drives a whole scenario over HTTP, stops it with SIGTERM, then
// starts it again on the same file (seeding again) and stops it with
// SIGINT.
func TestServerBinary(t *testing.T) {
	t.Parallel()
	bin := serverBinary(t)
	db := filepath.Join(t.TempDir(), "parley.db")

	s := startServer(t, bin, nil, "-addr", "127.0.0.1:0", "-sqlite", db, "-seed")

	// The seeded data is there.
	sam := s.must(200, "GET", "/agents/sam", nil, "")
	require.Equal(t, "SUPERVISOR", sam["role"])

	// Create, in the helpdesk vocabulary.
	c := s.must(200, "POST", "/conversations", map[string]any{"subject": "Parcel lost", "channel": "whatsapp",
		"customerId": "cust-99", "priority": "high"}, "")
	id := c["id"].(string)
	require.Equal(t, "Parcel lost", c["topic"])
	require.Nil(t, c["agentId"])
	conv := "/conversations/" + id

	// Tag and assign.
	c = s.must(200, "POST", conv+"/tags", map[string]any{"tagName": "refund"}, "")
	require.Equal(t, "SUCCESS", c["statusCode"])
	c = s.must(200, "PUT", conv+"/assignee", map[string]any{"agentId": "bob"}, "")
	require.Equal(t, "bob", c["agentId"])
	require.Equal(t, []any{"refund"}, c["tags"])

	// Replies: the assignee and a supervisor may; another agent and no
	// agent may not.
	text := map[string]any{"content": map[string]any{"text": "We are on it."}}
	m := s.must(200, "POST", conv+"/messages", text, "bob")
	require.Equal(t, "bob", m["agentId"])
	s.must(200, "POST", conv+"/messages", text, "sam")
	_, e := s.call("POST", conv+"/messages", text, "ann")
	require.Equal(t, "FORBIDDEN", e["code"])
	_, e = s.call("POST", conv+"/messages", text, "")
	require.Equal(t, "FORBIDDEN", e["code"])
	list := s.must(200, "GET", conv+"/messages", nil, "")
	require.Len(t, list["messages"], 2)

	// Route: the seeded rule sends refunds to billing, which gives it to
	// ann, its active member.
	d := s.must(200, "GET", conv+"/simulate-routing", nil, "")
	require.Equal(t, map[string]any{"id": id, "queueId": "billing", "priority": "HIGH"}, d)
	c = s.must(200, "POST", conv+"/route", nil, "")
	require.Equal(t, "billing", c["queueId"])
	require.Equal(t, "ann", c["agentId"])

	// Close; a closed conversation is immutable.
	c = s.must(200, "PATCH", conv, map[string]any{"status": "closed"}, "")
	require.Equal(t, "CLOSED", c["status"])
	require.NotNil(t, c["closedAt"])
	for _, req := range []struct {
		method, path string
		body         any
		agent        string
	}{
		{"PATCH", conv, map[string]any{"topic": "x"}, ""},
		{"POST", conv + "/tags", map[string]any{"tagName": "late"}, ""},
		{"POST", conv + "/messages", text, "sam"},
		{"POST", conv + "/route", nil, ""},
	} {
		status, e := s.call(req.method, req.path, req.body, req.agent)
		require.Equal(t, 409, status, "%s %s", req.method, req.path)
		require.Equal(t, "CLOSED", e["code"])
	}

	// List: it is among the closed ones, with the seeded closed one.
	l := s.must(200, "GET", "/conversations?status=CLOSED", nil, "")
	require.EqualValues(t, 2, l["pagination"].(map[string]any)["totalItems"])
	found := false
	for _, it := range l["conversations"].([]any) {
		found = found || it.(map[string]any)["id"] == id
	}
	require.True(t, found)

	// Delete, with a reason; then it is gone but for its deleted event.
	s.must(204, "DELETE", conv+"?reason=test+run", nil, "")
	_, e = s.call("GET", conv, nil, "")
	require.Equal(t, "NOT_FOUND", e["code"])
	h := s.must(200, "GET", conv+"/history", nil, "")
	require.Len(t, h["events"], 1)

	s.stop(syscall.SIGTERM)
	// Every request was logged with its method, path, status and latency;
	// read once the process has ended, when its log is complete.
	require.Regexp(t, `msg=request method=DELETE path=/ccaas/1/conversations/\S+ status=204 latency=`, s.stderr.String())
	require.Contains(t, s.stderr.String(), "shutting down")

	// Again on the same file, configured from the environment: the seed
	// finds its data, and what the scenario wrote is still there.
	s = startServer(t, bin, []string{"PARLEY_SQLITE=" + db, "PARLEY_ADDR=127.0.0.1:0"}, "-seed")
	status, _ := s.call("GET", conv, nil, "")
	require.Equal(t, 404, status)
	l = s.must(200, "GET", "/conversations?skipTotal=true&limit=999", nil, "")
	require.Len(t, l["conversations"], 4, "the seed's four conversations, once")
	s.stop(syscall.SIGINT)
	require.True(t, strings.Contains(s.stderr.String(), "demo data loaded"))
}

// TestServerBinarySecondSignal interrupts the server twice, as a user
// pressing Ctrl-C twice does: the first starts the graceful shutdown,
// which waits for a request in progress; the second ends the process at
// once, exiting 1, without waiting for the shutdown's timeout.
func TestServerBinarySecondSignal(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverBinary(t), nil, "-addr", "127.0.0.1:0", "-sqlite", filepath.Join(t.TempDir(), "parley.db"))

	// A request whose body never comes keeps the shutdown waiting. The
	// server's "100 Continue" says its handler is reading the body.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.root, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /ccaas/1/conversations HTTP/1.1\r\nHost: parley\r\n"+
		"Content-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second)))
	status, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	require.Contains(t, status, "100 Continue")

	require.NoError(t, s.cmd.Process.Signal(syscall.SIGINT))
	require.True(t, s.stderr.waitFor("shutting down", 30*time.Second), "no shutdown; stderr:\n%s", s.stderr)
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-s.exited:
		var exit *exec.ExitError
		require.ErrorAs(t, err, &exit, "stderr:\n%s", s.stderr)
		require.Equal(t, 1, exit.ExitCode(), "stderr:\n%s", s.stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("the server did not exit; stderr:\n%s", s.stderr)
	}
	require.Contains(t, s.stderr.String(), "again: exiting without waiting for the shutdown")
	require.NotContains(t, s.stderr.String(), "deadline exceeded", "it ended before the shutdown timed out")
}

// TestServerBinaryPostgres runs the real server over PostgreSQL
// (PARLEY_TEST_POSTGRES) in a fresh schema given with -schema, seeds it,
// drives a short scenario (create, list, get) over HTTP, and stops it with
// SIGTERM; the rows are in that schema.
func TestServerBinaryPostgres(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t)
	bin := serverBinary(t)

	// PARLEY_SQLITE in the environment does not matter: -postgres wins.
	s := startServer(t, bin, []string{"PARLEY_SQLITE=" + filepath.Join(t.TempDir(), "unused.db")},
		"-addr", "127.0.0.1:0", "-postgres", dsn, "-schema", schema, "-seed")
	// The log line follows the URL on stdout, so it may not be written yet.
	require.True(t, s.stderr.waitFor("database=\"postgres schema "+schema+"\"", 30*time.Second), "stderr:\n%s", s.stderr)

	c := s.must(200, "POST", "/conversations", map[string]any{"subject": "Over PostgreSQL", "channel": "email", "priority": "urgent"}, "")
	id := c["id"].(string)
	require.Equal(t, "EMAIL", c["channel"])
	l := s.must(200, "GET", "/conversations?channel=email&priority=URGENT&priority=HIGH&topic=postgresql", nil, "")
	require.Len(t, l["conversations"], 1)
	require.Equal(t, id, l["conversations"].([]any)[0].(map[string]any)["id"])
	l = s.must(200, "GET", "/conversations", nil, "")
	require.EqualValues(t, 5, l["pagination"].(map[string]any)["totalItems"], "the seed's four and the new one")
	got := s.must(200, "GET", "/conversations/"+id, nil, "")
	require.Equal(t, c, got)
	s.stop(syscall.SIGTERM)

	// The server wrote into the schema it was given, not the default one.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM "`+schema+`".conversations WHERE id = $1`, id).Scan(&n))
	require.Equal(t, 1, n)
}
