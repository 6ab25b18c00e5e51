package main

import (
	"bufio"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
)

// The histograms' lines: cumulative buckets, +Inf, sum and count, label
// values escaped.
func TestMetricsText(t *testing.T) {
	t.Parallel()
	m := newMetrics()
	m.request("GET", 200, 3*time.Millisecond)
	m.request("GET", 200, 2*time.Second)
	m.operation(t.Context(), parley.Operation{Name: `Odd"name`, Duration: time.Millisecond, Err: parley.ErrNotFound})
	var b strings.Builder
	require.NoError(t, m.write(&b))
	out := b.String()
	for _, line := range []string{
		"# TYPE parley_http_request_duration_seconds histogram",
		`parley_http_request_duration_seconds_bucket{method="GET",code="200",le="0.0025"} 0`,
		`parley_http_request_duration_seconds_bucket{method="GET",code="200",le="0.005"} 1`,
		`parley_http_request_duration_seconds_bucket{method="GET",code="200",le="2.5"} 2`,
		`parley_http_request_duration_seconds_bucket{method="GET",code="200",le="+Inf"} 2`,
		`parley_http_request_duration_seconds_sum{method="GET",code="200"} 2.003`,
		`parley_http_request_duration_seconds_count{method="GET",code="200"} 2`,
		`parley_operation_duration_seconds_count{operation="Odd\"name",outcome="not_found"} 1`,
	} {
		require.Contains(t, out, line+"\n")
	}
	require.Equal(t, "OTHER", methodLabel("BREW"))
}

// The server answers GET /metrics with its requests, its operations and
// its connections, and logs JSON with -log-format json.
func TestServerMetricsAndJSONLogs(t *testing.T) {
	t.Parallel()
	bin := serverBinary(t)
	db := filepath.Join(t.TempDir(), "parley.db")
	s := startServer(t, bin, nil, "-addr", "127.0.0.1:0", "-sqlite", db, "-log-format", "json", "-log-level", "debug")
	s.must(200, "POST", "/conversations", map[string]any{"topic": "Hi"}, "")
	s.must(404, "GET", "/conversations/missing", nil, "")

	code, _, body := fetchURL(t, s.root+"/metrics")
	require.Equal(t, 200, code)
	for _, re := range []string{
		`(?m)^parley_http_request_duration_seconds_count\{method="POST",code="200"\} 1$`,
		`(?m)^parley_http_request_duration_seconds_count\{method="GET",code="404"\} 1$`,
		`(?m)^parley_operation_duration_seconds_count\{operation="CreateConversation",outcome="ok"\} 1$`,
		`(?m)^parley_operation_duration_seconds_count\{operation="GetConversation",outcome="not_found"\} 1$`,
		`(?m)^parley_operation_duration_seconds_bucket\{operation="GetConversation",outcome="not_found",le="\+Inf"\} 1$`,
		`(?m)^parley_http_open_connections\{state="active"\} [1-9]\d*$`,
		`(?m)^parley_http_connections_shed_total 0$`,
		`(?m)^# TYPE parley_operation_duration_seconds histogram$`,
	} {
		require.Regexp(t, regexp.MustCompile(re), body)
	}
	s.stop(syscall.SIGTERM)

	// Every line of the log is a JSON object, the debug lines of the
	// operations among them.
	sc := bufio.NewScanner(strings.NewReader(s.stderr.String()))
	ops := 0
	for sc.Scan() {
		var rec map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &rec), "log line %q", sc.Text())
		require.NotEmpty(t, rec["msg"])
		if rec["msg"] == "parley: operation" {
			ops++
		}
	}
	require.Positive(t, ops)
}
