package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/pgtest"
	"github.com/parleyhq/parley/sqlstore/sqlite"
)

// dbProxy forwards TCP connections to PostgreSQL until it is stopped,
// which closes every connection it carries and refuses new ones: the
// database as the server sees it stops, while the shared server runs on.
type dbProxy struct {
	t      *testing.T
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func startProxy(t *testing.T, target string) *dbProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &dbProxy{t: t, ln: ln, target: target}
	go p.serve()
	t.Cleanup(p.stop)
	return p
}

func (p *dbProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
		go func() { _, _ = io.Copy(c, up); _ = c.Close() }()
	}
}

func (p *dbProxy) stop() {
	_ = p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

// dsnVia is dsn with its host and port replaced by addr.
func dsnVia(t *testing.T, dsn, addr string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	u.Host = addr
	return u.String()
}

// fetchURL answers a GET on a connection of its own.
func fetchURL(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 20 * time.Second}
	resp, err := client.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

// /healthz says the process is up; /readyz that the database answers and
// is at the expected version. With the database stopped under a running
// server, /readyz and the API answer 503 with Retry-After (not 500), and
// /healthz still 200.
func TestServerReadinessWithStoppedDatabase(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	schema := pgtest.Schema(t)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	proxy := startProxy(t, u.Host)
	s := startServer(t, serverBinary(t), nil, "-addr", "127.0.0.1:0",
		"-postgres", dsnVia(t, dsn, proxy.ln.Addr().String()), "-schema", schema)

	code, _, body := fetchURL(t, s.root+"/readyz")
	require.Equal(t, 200, code, body)
	s.must(200, "GET", "/conversations", nil, "")

	proxy.stop()
	code, h, body := fetchURL(t, s.root+"/readyz")
	require.Equal(t, http.StatusServiceUnavailable, code, body)
	require.Equal(t, "1", h.Get("Retry-After"))
	require.Contains(t, body, "unavailable")
	code, h, body = fetchURL(t, s.base+"/conversations")
	require.Equal(t, http.StatusServiceUnavailable, code, body)
	require.Equal(t, "1", h.Get("Retry-After"))
	require.Contains(t, body, `"code":"UNAVAILABLE"`)
	code, _, _ = fetchURL(t, s.root+"/healthz")
	require.Equal(t, 200, code, "the process is up")
	s.stop(syscall.SIGTERM)
}

// parley migrate migrates a database before any instance starts, says
// from which version to which, and -status reports without changing
// anything. A server refuses to start on a database a newer build has
// migrated.
func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	bin := serverBinary(t)
	db := filepath.Join(t.TempDir(), "parley.db")
	migrate := func(args ...string) (string, error) {
		out, err := exec.Command(bin, append([]string{"migrate", "-sqlite", db}, args...)...).CombinedOutput()
		return string(out), err
	}
	out, err := migrate("-status")
	require.NoError(t, err, out)
	require.Regexp(t, `is at version 0; this build knows \d+: migrations pending`, out)
	out, err = migrate()
	require.NoError(t, err, out)
	require.Regexp(t, `migrated from version 0 to \d+`, out)
	out, err = migrate("-status")
	require.NoError(t, err, out)
	require.Contains(t, out, "up to date")

	// A newer build's migration recorded: the status says so, and neither
	// migrate nor the server goes on.
	store, err := sqlite.Open(context.Background(), db)
	require.NoError(t, err)
	_, err = store.SQLDB().Exec(`INSERT INTO parley_schema_migrations (version, applied_at) VALUES (99999, 'x')`)
	require.NoError(t, err)
	require.NoError(t, store.Close())
	out, err = migrate("-status")
	require.NoError(t, err, out)
	require.Contains(t, out, "newer than this build")
	out, err = migrate()
	require.Error(t, err)
	require.Contains(t, out, "newer parley")
	out2, err := exec.Command(bin, "-addr", "127.0.0.1:0", "-sqlite", db).CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out2), "newer parley")
	require.NotContains(t, string(out2), "serving")
}
