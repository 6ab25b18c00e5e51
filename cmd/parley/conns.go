package main

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"time"
)

// connLimit caps the connections the server holds open, so that clients
// who open connections and leave them idle cannot use up the process's file
// descriptors and starve new clients (accept would fail with "too many open
// files"). Its listener counts every accepted connection; the server's
// ConnState hook tells which are idle. When a new connection arrives at the
// cap, the limit makes room by closing an idle keep-alive connection, else
// the one that has waited longest for its first request; when every
// connection is busy with a request, the new one is answered 503 with
// Retry-After and closed. The timeouts bound how long a slow client holds
// its place either way.
type connLimit struct {
	net.Listener
	max int

	mu    sync.Mutex
	conns map[net.Conn]*connInfo
	shed  int // connections refused at the cap, for the metrics
}

// connInfo is what the limit knows of an open connection.
type connInfo struct {
	state http.ConnState
	since time.Time // when it entered state
}

func newConnLimit(ln net.Listener, max int) *connLimit {
	return &connLimit{Listener: ln, max: max, conns: map[net.Conn]*connInfo{}}
}

// Accept returns the next connection, making room for it at the cap.
func (l *connLimit) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		if len(l.conns) >= l.max {
			l.evictLocked()
		}
		if len(l.conns) >= l.max {
			l.shed++
			l.mu.Unlock()
			go refuse(c)
			continue
		}
		l.conns[c] = &connInfo{state: http.StateNew, since: time.Now()}
		l.mu.Unlock()
		return c, nil
	}
}

// evictLocked closes one connection that serves no request: an idle
// keep-alive one first, else the oldest one still waiting for its first
// request's headers.
func (l *connLimit) evictLocked() {
	var victim net.Conn
	var vi *connInfo
	for c, info := range l.conns {
		switch {
		case info.state != http.StateIdle && info.state != http.StateNew:
		case vi == nil,
			info.state == http.StateIdle && vi.state == http.StateNew,
			info.state == vi.state && info.since.Before(vi.since):
			victim, vi = c, info
		}
	}
	if victim != nil {
		delete(l.conns, victim)
		_ = victim.Close()
	}
}

// connState is the server's ConnState hook.
func (l *connLimit) connState(c net.Conn, state http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch state {
	case http.StateClosed, http.StateHijacked:
		delete(l.conns, c)
	default:
		if info, ok := l.conns[c]; ok {
			info.state, info.since = state, time.Now()
		}
	}
}

// counts reports the open connections, by state, and those shed so far.
func (l *connLimit) counts() (open map[http.ConnState]int, shed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	open = map[http.ConnState]int{}
	for _, info := range l.conns {
		open[info.state]++
	}
	return open, l.shed
}

// refuse answers a connection the cap has no room for, without reading
// its request, and closes it.
func refuse(c net.Conn) {
	defer c.Close()
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	w := bufio.NewWriter(c)
	_, _ = w.WriteString("HTTP/1.1 503 Service Unavailable\r\n" +
		"Retry-After: 1\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 27\r\n\r\n" +
		"too many open connections\r\n")
	_ = w.Flush()
}
