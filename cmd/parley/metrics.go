package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley"
)

// metrics holds the server's counters and histograms and writes them in
// the Prometheus text format (GET /metrics), with no client library: the
// requests by method and status, the service's operations by name and
// outcome (from parley.WithObserver), and the connections by state.
type metrics struct {
	mu         sync.Mutex
	requests   map[[2]string]*histogram // method, status code
	operations map[[2]string]*histogram // operation, outcome
	conns      *connLimit               // nil until the server listens
}

// durationBuckets are the histograms' upper bounds, in seconds.
var durationBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// histogram counts observations into durationBuckets.
type histogram struct {
	counts []uint64 // per bucket, not cumulative
	count  uint64
	sum    float64
}

func (h *histogram) observe(seconds float64) {
	if h.counts == nil {
		h.counts = make([]uint64, len(durationBuckets))
	}
	if i, _ := slices.BinarySearch(durationBuckets, seconds); i < len(durationBuckets) {
		h.counts[i]++
	}
	h.count++
	h.sum += seconds
}

func newMetrics() *metrics {
	return &metrics{requests: map[[2]string]*histogram{}, operations: map[[2]string]*histogram{}}
}

func (m *metrics) add(into map[[2]string]*histogram, key [2]string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h, ok := into[key]
	if !ok {
		h = &histogram{}
		into[key] = h
	}
	h.observe(d.Seconds())
}

// request records an answered request.
func (m *metrics) request(method string, status int, d time.Duration) {
	m.add(m.requests, [2]string{method, strconv.Itoa(status)}, d)
}

// operation is the service's observer.
func (m *metrics) operation(_ context.Context, op parley.Operation) {
	m.add(m.operations, [2]string{op.Name, op.Outcome()}, op.Duration)
}

// ServeHTTP writes the metrics.
func (m *metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_ = m.write(w)
}

func (m *metrics) write(w io.Writer) error {
	var b strings.Builder
	m.mu.Lock()
	writeHistograms(&b, "parley_http_request_duration_seconds",
		"HTTP requests answered, by method and status code, and how long they took.",
		[2]string{"method", "code"}, m.requests)
	writeHistograms(&b, "parley_operation_duration_seconds",
		"Service operations, by operation and outcome (ok or the error kind), and how long they took.",
		[2]string{"operation", "outcome"}, m.operations)
	m.mu.Unlock()
	if m.conns != nil {
		open, shed := m.conns.counts()
		b.WriteString("# HELP parley_http_open_connections Open client connections, by state.\n")
		b.WriteString("# TYPE parley_http_open_connections gauge\n")
		for _, st := range []http.ConnState{http.StateNew, http.StateActive, http.StateIdle} {
			fmt.Fprintf(&b, "parley_http_open_connections{state=%q} %d\n", st.String(), open[st])
		}
		b.WriteString("# HELP parley_http_connections_shed_total Connections answered 503 at the connection cap, every one busy.\n")
		b.WriteString("# TYPE parley_http_connections_shed_total counter\n")
		fmt.Fprintf(&b, "parley_http_connections_shed_total %d\n", shed)
		b.WriteString("# HELP parley_http_max_connections The connection cap.\n")
		b.WriteString("# TYPE parley_http_max_connections gauge\n")
		fmt.Fprintf(&b, "parley_http_max_connections %d\n", m.conns.max)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeHistograms writes one histogram family, its series in label order.
func writeHistograms(b *strings.Builder, name, help string, labels [2]string, series map[[2]string]*histogram) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name)
	keys := make([][2]string, 0, len(series))
	for k := range series {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	for _, k := range keys {
		h := series[k]
		ls := labels[0] + "=" + quoteLabel(k[0]) + "," + labels[1] + "=" + quoteLabel(k[1])
		var cum uint64
		for i, le := range durationBuckets {
			cum += h.counts[i]
			fmt.Fprintf(b, "%s_bucket{%s,le=%q} %d\n", name, ls, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		fmt.Fprintf(b, "%s_bucket{%s,le=\"+Inf\"} %d\n", name, ls, h.count)
		fmt.Fprintf(b, "%s_sum{%s} %s\n", name, ls, strconv.FormatFloat(h.sum, 'g', -1, 64))
		fmt.Fprintf(b, "%s_count{%s} %d\n", name, ls, h.count)
	}
}

// quoteLabel quotes a label value as the text format escapes it.
func quoteLabel(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(v) + `"`
}
