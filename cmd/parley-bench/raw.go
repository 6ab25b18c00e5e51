package main

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
)

// Every statement the command sends to a database itself, rather than
// through parley, is in this file: the baselines (parley's own statements,
// recorded from a parley call and replayed through the raw driver), the
// plans -explain prints, the statistics gathered after seeding, and the
// schema a PostgreSQL run works in. Nothing here writes parley's tables:
// the seeded data goes in through parley (see seed.go).

// The baselines do through the raw driver the least work each operation
// needs, with parley's own statement (recorded from a parley call) so that
// the database does the same work:
//
//   - create: the conversation's INSERT in a transaction of its own
//     (BEGIN, INSERT, COMMIT);
//   - append message: the message's INSERT, on its own;
//   - get and list: the same SELECT, every row read.
//
// parley does more: the event in the same transaction, the reads its rules
// need (the conversation locked, the replying agent), its validation and
// its decoding. The ratio is what that costs.

// withNewID is st with a fresh UUIDv7 as its first argument, the row's id.
func withNewID(st statement) statement {
	args := slices.Clone(st.args)
	args[0] = uuid.Must(uuid.NewV7()).String()
	return statement{sql: st.sql, args: args}
}

// recorded runs fn through s.record and returns the statement that
// contains every one of parts; wantID, when set, must be its first
// argument.
func recorded(s *sqlStore, fn func(svc *parley.Service) (id string, err error), parts ...string) (statement, error) {
	var id string
	stmts, err := s.record(func(svc *parley.Service) error {
		var err error
		id, err = fn(svc)
		return err
	})
	if err != nil {
		return statement{}, err
	}
	st, ok := find(stmts, parts...)
	if !ok {
		return statement{}, fmt.Errorf("%s: no statement with %q among the %d parley sent", s.name, parts, len(stmts))
	}
	if id != "" && (len(st.args) == 0 || st.args[0] != id) {
		return statement{}, fmt.Errorf("%s: the recorded statement's first argument is not the row's id", s.name)
	}
	return st, nil
}

// baselines returns the baseline steps of the workload on s, by operation.
func baselines(ctx context.Context, s *sqlStore, w *workload) (map[string]*step, error) {
	out := map[string]*step{}

	ins, err := recorded(s, func(svc *parley.Service) (string, error) {
		c, err := svc.CreateConversation(ctx, sampleConversation(0))
		if err != nil {
			return "", err
		}
		return c.ID, nil
	}, "INSERT INTO "+s.table("conversations"))
	if err != nil {
		return nil, err
	}
	out[opCreate] = &step{run: func(ctx context.Context) error { return s.raw.execInTx(ctx, withNewID(ins)) }}

	msg, err := recorded(s, func(svc *parley.Service) (string, error) {
		actx := parley.WithActor(ctx, parley.Actor{AgentID: replyAgent})
		m, err := svc.CreateMessage(actx, w.assigned, sampleReply)
		if err != nil {
			return "", err
		}
		return m.ID, nil
	}, "INSERT INTO "+s.table("messages"))
	if err != nil {
		return nil, err
	}
	out[opAppend] = &step{run: func(ctx context.Context) error { return s.raw.exec(ctx, withNewID(msg)) }}

	// status update: parley's UPDATE of a conversation, alone, on a
	// conversation of the floor's own.
	status := conversation.Waiting
	up, err := recorded(s, func(svc *parley.Service) (string, error) {
		c, err := svc.UpdateConversation(ctx, w.patched, conversation.Patch{Status: &status})
		if err != nil {
			return "", err
		}
		return c.ID, nil
	}, "UPDATE "+s.table("conversations"))
	if err != nil {
		return nil, err
	}
	if out[opStatus], err = updateFloor(ctx, s, up, true, s.raw.exec); err != nil {
		return nil, err
	}

	// route: the claim, parley's last UPDATE of the conversation (its
	// assignee set), in a transaction of its own, on a conversation of the
	// floor's own.
	claim, err := recordedClaim(ctx, s)
	if err != nil {
		return nil, err
	}
	if out[opRoute], err = updateFloor(ctx, s, claim, false, s.raw.execInTx); err != nil {
		return nil, err
	}

	// call offer: the call's INSERT in a transaction of its own. It is
	// recorded from a call to the queue with no agents, so that the rows
	// it writes wait there and ring nobody.
	callIns, err := recorded(s, func(svc *parley.Service) (string, error) {
		c, err := svc.ReceiveCall(ctx, sampleCall(0, conversation.Video))
		if err != nil {
			return "", err
		}
		if c.QueueID != unstaffedQueue || c.State != call.Queued {
			return "", fmt.Errorf("the floor's call is %s in %q, not waiting in %q", c.State, c.QueueID, unstaffedQueue)
		}
		return c.ID, nil
	}, "INSERT INTO "+s.table("calls"))
	if err != nil {
		return nil, err
	}
	out[opCall] = &step{maxOps: callAgents, run: func(ctx context.Context) error { return s.raw.execInTx(ctx, withNewID(callIns)) }}

	get, err := recorded(s, func(svc *parley.Service) (string, error) {
		_, err := svc.GetConversation(ctx, w.tagged)
		return "", err
	}, "FROM "+s.table("conversations"))
	if err != nil {
		return nil, err
	}
	out[opGet] = &step{run: func(ctx context.Context) error { return s.raw.query(ctx, get) }}

	list, err := recordedList(ctx, s, listQuery())
	if err != nil {
		return nil, err
	}
	out[opList] = &step{run: func(ctx context.Context) error { return s.raw.query(ctx, list) }}
	return out, nil
}

// concurrentFloors are the floors of the concurrent operations, on a raw
// pool: the create and append floors of one caller, run by each caller,
// and the route floor on a conversation of each caller's own.
func concurrentFloors(ctx context.Context, s *sqlStore, w *workload, pool *pgRawPool, callers int) (map[string]concurrentStep, error) {
	ins, err := recorded(s, func(svc *parley.Service) (string, error) {
		c, err := svc.CreateConversation(ctx, sampleConversation(0))
		if err != nil {
			return "", err
		}
		return c.ID, nil
	}, "INSERT INTO "+s.table("conversations"))
	if err != nil {
		return nil, err
	}
	msg, err := recorded(s, func(svc *parley.Service) (string, error) {
		actx := parley.WithActor(ctx, parley.Actor{AgentID: replyAgent})
		m, err := svc.CreateMessage(actx, w.assigned, sampleReply)
		if err != nil {
			return "", err
		}
		return m.ID, nil
	}, "INSERT INTO "+s.table("messages"))
	if err != nil {
		return nil, err
	}
	claim, err := recordedClaim(ctx, s)
	if err != nil {
		return nil, err
	}
	claims := make([]*step, callers)
	for i := range claims {
		if claims[i], err = updateFloor(ctx, s, claim, false, pool.execInTx); err != nil {
			return nil, err
		}
	}
	return map[string]concurrentStep{
		opCreate: {run: func(ctx context.Context, _ int) error { return pool.execInTx(ctx, withNewID(ins)) }},
		opAppend: {run: func(ctx context.Context, _ int) error { return pool.exec(ctx, withNewID(msg)) }},
		opRoute:  {run: func(ctx context.Context, caller int) error { return claims[caller].run(ctx) }},
	}, nil
}

// pgRawPool is the floor of the concurrent rows: a pgx pool.
type pgRawPool struct {
	pool   *pgxpool.Pool
	tracer *pgTracer
}

func (r *pgRawPool) exec(ctx context.Context, st statement) error {
	_, err := r.pool.Exec(ctx, st.sql, st.args...)
	return err
}

func (r *pgRawPool) execInTx(ctx context.Context, st statement) error {
	return pgExecInTx(ctx, r.pool, st)
}

// pgBeginner is a pgx connection or pool.
type pgBeginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// pgExecInTx runs st in a transaction of its own on db: BEGIN, the
// statement, COMMIT.
func pgExecInTx(ctx context.Context, db pgBeginner, st statement) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func (r *pgRawPool) trips() func() int64 { return r.tracer.count }

func (r *pgRawPool) close() { r.pool.Close() }

// recordedClaim is the last UPDATE of the conversation parley sends when it
// routes a new conversation and assigns it.
func recordedClaim(ctx context.Context, s *sqlStore) (statement, error) {
	c, err := s.svc.CreateConversation(ctx, sampleConversation(7))
	if err != nil {
		return statement{}, err
	}
	stmts, err := s.record(func(svc *parley.Service) error {
		_, err := svc.Route(ctx, c.ID)
		return err
	})
	if err != nil {
		return statement{}, err
	}
	var last statement
	for _, st := range stmts {
		if strings.Contains(st.sql, "UPDATE "+s.table("conversations")) && len(st.args) > 0 && st.args[0] == c.ID {
			last = st
		}
	}
	if last.sql == "" {
		return statement{}, fmt.Errorf("%s: no UPDATE of the routed conversation among the %d statements parley sent", s.name, len(stmts))
	}
	return last, nil
}

// The argument positions of parley's UPDATE of a conversation that a floor
// moves on (sqlstore's sqlUpdateConversation): $5 status, $15 the new
// version, $17 the version expected.
const (
	updStatus   = 4
	updVersion  = 14
	updExpected = 16
)

// updateFloor replays a recorded UPDATE of a conversation on a conversation
// of its own, as parley would write it: each call expects the version the
// last one wrote and writes the next (and, with toggle, flips the status
// between WAITING and OPEN), so that every call changes the row. One call
// is checked: the row's version must have moved.
func updateFloor(ctx context.Context, s *sqlStore, rec statement, toggle bool, exec func(context.Context, statement) error) (*step, error) {
	c, err := s.svc.CreateConversation(ctx, sampleConversation(9))
	if err != nil {
		return nil, err
	}
	if len(rec.args) <= updExpected {
		return nil, fmt.Errorf("%s: the recorded UPDATE has %d arguments", s.name, len(rec.args))
	}
	args := slices.Clone(rec.args)
	args[0] = c.ID
	version := c.Version
	flip := false
	st := &step{run: func(ctx context.Context) error {
		args[updExpected] = version
		version++
		args[updVersion] = version
		if toggle {
			flip = !flip
			args[updStatus] = string(conversation.Waiting)
			if !flip {
				args[updStatus] = string(conversation.Open)
			}
		}
		return exec(ctx, statement{sql: rec.sql, args: args})
	}}
	if err := st.run(ctx); err != nil {
		return nil, err
	}
	got, err := s.svc.GetConversation(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if got.Version != version {
		return nil, fmt.Errorf("%s: the floor's UPDATE left the version at %d, not %d", s.name, got.Version, version)
	}
	return st, nil
}

// recordedList is the page SELECT parley sends for q.
func recordedList(ctx context.Context, s *sqlStore, q storage.ConversationQuery) (statement, error) {
	return recorded(s, func(svc *parley.Service) (string, error) {
		_, err := svc.ListConversations(ctx, q)
		return "", err
	}, "FROM "+s.table("conversations"), "LIMIT")
}

// table is the name of one of parley's tables, as the store's statements
// spell it.
func (s *sqlStore) table(name string) string {
	if s.store.Dialect() == sqlstore.Postgres {
		return `"` + s.store.Schema() + `".` + name
	}
	return s.store.Schema() + "_" + name
}

// rawDriver runs a statement through the driver alone.
type rawDriver interface {
	exec(ctx context.Context, st statement) error     // on its own, autocommit
	execInTx(ctx context.Context, st statement) error // BEGIN, the statement, COMMIT
	query(ctx context.Context, st statement) error    // read every row
	trips() func() int64                              // round trips, or nil
	close()
}

// pgRaw is the PostgreSQL baseline: one pgx connection.
type pgRaw struct {
	conn   *pgx.Conn
	tracer *pgTracer
}

func (r *pgRaw) exec(ctx context.Context, st statement) error {
	_, err := r.conn.Exec(ctx, st.sql, st.args...)
	return err
}

func (r *pgRaw) execInTx(ctx context.Context, st statement) error { return pgExecInTx(ctx, r.conn, st) }

func (r *pgRaw) query(ctx context.Context, st statement) error {
	rows, err := r.conn.Query(ctx, st.sql, st.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if _, err := rows.Values(); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (r *pgRaw) trips() func() int64 { return r.tracer.count }

func (r *pgRaw) close() { _ = r.conn.Close(context.Background()) }

// sqliteRaw is the SQLite baseline: database/sql over go-sqlite3, one
// connection.
type sqliteRaw struct{ db *sql.DB }

func (r *sqliteRaw) exec(ctx context.Context, st statement) error {
	_, err := r.db.ExecContext(ctx, st.sql, st.args...)
	return err
}

func (r *sqliteRaw) execInTx(ctx context.Context, st statement) error {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, st.sql, st.args...); err != nil {
		return err
	}
	return tx.Commit()
}

func (r *sqliteRaw) query(ctx context.Context, st statement) error {
	rows, err := r.db.QueryContext(ctx, st.sql, st.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (r *sqliteRaw) trips() func() int64 { return nil }

func (r *sqliteRaw) close() { _ = r.db.Close() }

// plan is the database's plan of st, having run it.
func (s *sqlStore) plan(ctx context.Context, st statement) (string, error) {
	var lines []string
	if s.store.Dialect() == sqlstore.Postgres {
		conn, err := s.pgConn(ctx)
		if err != nil {
			return "", err
		}
		defer conn.Close(context.WithoutCancel(ctx))
		rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+st.sql, st.args...)
		if err != nil {
			return "", err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return "", err
			}
			lines = append(lines, "  "+line)
		}
		return strings.Join(lines, "\n"), rows.Err()
	}
	rows, err := s.store.SQLDB().QueryContext(ctx, "EXPLAIN QUERY PLAN "+st.sql, st.args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		lines = append(lines, "  "+detail)
	}
	return strings.Join(lines, "\n"), rows.Err()
}

// settle gathers the planner's statistics after seeding, as a database
// in use would have them, and leaves nothing for the measurements to
// wait on: on PostgreSQL VACUUM ANALYZE of every table in the store's
// schema (found in the catalog, so that no table is named here), on
// SQLite ANALYZE and a checkpoint that empties the WAL.
func (s *sqlStore) settle(ctx context.Context) error {
	if s.store.Dialect() != sqlstore.Postgres {
		for _, q := range []string{`ANALYZE`, `PRAGMA wal_checkpoint(TRUNCATE)`} {
			if _, err := s.store.SQLDB().ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}
	conn, err := s.pgConn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rows, err := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename`, s.store.Schema())
	if err != nil {
		return err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, t := range tables {
		// VACUUM takes no parameters; the name is quoted as an identifier.
		if _, err := conn.Exec(ctx, `VACUUM ANALYZE `+pgx.Identifier{s.store.Schema(), t}.Sanitize()); err != nil {
			return err
		}
	}
	return nil
}

// createSchema makes the schema a PostgreSQL run works in; without IF NOT
// EXISTS, since it must be ours alone.
func createSchema(ctx context.Context, conn *pgx.Conn, schema string) error {
	_, err := conn.Exec(ctx, `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize())
	return err
}

// dropSchema removes it with everything in it.
func dropSchema(ctx context.Context, conn *pgx.Conn, schema string) error {
	_, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
	return err
}
