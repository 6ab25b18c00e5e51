package main

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// statement is one SQL statement a store sent, with its arguments: the
// baselines replay parley's own statements through the raw driver, so that
// they do exactly the same database work.
type statement struct {
	sql  string
	args []any
}

// recorder keeps the statements sent while recording is on.
type recorder struct {
	mu    sync.Mutex
	on    bool
	stmts []statement
}

func (r *recorder) add(sql string, args []any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		r.stmts = append(r.stmts, statement{sql: sql, args: args})
	}
}

// record runs fn and returns the statements sent meanwhile.
func (r *recorder) record(fn func() error) ([]statement, error) {
	r.mu.Lock()
	r.on, r.stmts = true, nil
	r.mu.Unlock()
	err := fn()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.stmts, err
}

// find returns the first statement whose text contains every one of parts.
func find(stmts []statement, parts ...string) (statement, bool) {
	for _, s := range stmts {
		ok := true
		for _, p := range parts {
			if !strings.Contains(s.sql, p) {
				ok = false
				break
			}
		}
		if ok {
			return s, true
		}
	}
	return statement{}, false
}

// pgTracer counts round trips on a pgx connection or pool (each Exec,
// Query and batch is one) and records statements for a recorder.
type pgTracer struct {
	trips atomic.Int64
	rec   *recorder
}

var (
	_ pgx.QueryTracer = (*pgTracer)(nil)
	_ pgx.BatchTracer = (*pgTracer)(nil)
)

func (t *pgTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	t.trips.Add(1)
	if t.rec != nil {
		t.rec.add(d.SQL, d.Args)
	}
	return ctx
}

func (t *pgTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (t *pgTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	t.trips.Add(1)
	return ctx
}

func (t *pgTracer) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	if t.rec != nil {
		t.rec.add(d.SQL, d.Args)
	}
}

func (t *pgTracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (t *pgTracer) count() int64 { return t.trips.Load() }
