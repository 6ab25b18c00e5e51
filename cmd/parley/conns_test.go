package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// rawConn is a client connection driven by hand, to be slow or idle on
// purpose.
type rawConn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialRaw(t *testing.T, root string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(root, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return &rawConn{t: t, c: c, r: bufio.NewReader(c)}
}

func (rc *rawConn) send(s string) {
	rc.t.Helper()
	_, err := io.WriteString(rc.c, s)
	require.NoError(rc.t, err)
}

// get sends a keep-alive GET and reads its answer, leaving the connection
// open and idle.
func (rc *rawConn) get(path string) int {
	rc.t.Helper()
	rc.send("GET " + path + " HTTP/1.1\r\nHost: parley\r\n\r\n")
	require.NoError(rc.t, rc.c.SetReadDeadline(time.Now().Add(10*time.Second)))
	resp, err := http.ReadResponse(rc.r, nil)
	require.NoError(rc.t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// closedByServer reports whether the server ends the connection within
// the wait: whatever answer it writes first, the read ends at EOF (or a
// reset), never at the client's own deadline.
func (rc *rawConn) closedByServer(wait time.Duration) bool {
	require.NoError(rc.t, rc.c.SetReadDeadline(time.Now().Add(wait)))
	_, err := io.Copy(io.Discard, rc.r)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return true
}

// freshGet is a request on a connection of its own, as a new client makes.
func freshGet(t *testing.T, url string) int {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// Clients that hold connections open, idle between requests, slow to send
// their headers or their body, do not stop the server answering others:
// at the connection cap idle and header-less connections are closed to
// make room, and the timeouts drop the slow ones.
func TestServerSlowAndIdleConnections(t *testing.T) {
	t.Parallel()
	bin := serverBinary(t)
	db := filepath.Join(t.TempDir(), "parley.db")
	const maxConns = 16
	s := startServer(t, bin, nil, "-addr", "127.0.0.1:0", "-sqlite", db,
		"-read-timeout", "1s", "-idle-timeout", "2s", "-max-conns", "16")

	// Slow bodies: a request whose body never comes. They hold the
	// connection while the handler waits for the body, so fewer than the cap.
	var slowBody []*rawConn
	for range maxConns / 2 {
		rc := dialRaw(t, s.root)
		rc.send("POST /ccaas/1/conversations HTTP/1.1\r\nHost: parley\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
		slowBody = append(slowBody, rc)
	}
	// Slow headers, and idle keep-alive connections: three times the cap.
	var slowHeader, idle []*rawConn
	for i := range 3 * maxConns {
		rc := dialRaw(t, s.root)
		if i%4 == 0 {
			rc.send("GET /healthz HTTP/1.1\r\nHost: par")
			slowHeader = append(slowHeader, rc)
			continue
		}
		require.Equal(t, 200, rc.get("/healthz"))
		idle = append(idle, rc)
	}

	// New clients are answered all the same.
	for range 5 {
		require.Equal(t, 200, freshGet(t, s.root+"/healthz"))
		require.Equal(t, 200, freshGet(t, s.base+"/conversations"))
	}

	// Every slow or idle connection is dropped by the server, by the cap
	// or by a timeout, without the client closing it.
	for _, group := range [][]*rawConn{slowBody, slowHeader, idle} {
		for _, rc := range group {
			require.True(t, rc.closedByServer(15*time.Second), "a connection held open")
		}
	}
	require.Equal(t, 200, freshGet(t, s.root+"/healthz"))
	s.stop(syscall.SIGTERM)
}

// At the cap with every connection busy, a new one is answered 503 with
// Retry-After rather than left waiting.
func TestConnLimitShedsWhenAllBusy(t *testing.T) {
	t.Parallel()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ln := newConnLimit(inner, 2)
	defer ln.Close()
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			ln.connState(c, http.StateActive)
			accepted <- c
		}
	}()
	for range 2 {
		c, err := net.Dial("tcp", inner.Addr().String())
		require.NoError(t, err)
		defer c.Close()
		<-accepted
	}
	c, err := net.Dial("tcp", inner.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, "1", resp.Header.Get("Retry-After"))
	open, shed := ln.counts()
	require.Equal(t, 2, open[http.StateActive])
	require.Equal(t, 1, shed)
}

func TestConnsFor(t *testing.T) {
	t.Parallel()
	require.Equal(t, 4096, connsFor(0))
	require.Equal(t, 896, connsFor(1024))
	require.Equal(t, 32, connsFor(100))
	require.Equal(t, 1<<20, connsFor(1<<30))
}
