package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
)

// The storage-level races of calls and presence, on PostgreSQL, where
// transactions interleave (SQLite runs write transactions one at a time).
// Each trial starts its sides together; the conformance suite has the
// sequential semantics.

const raceTrials = 200

func callOf(id string, s call.State, agent string) *call.Call {
	c := &call.Call{ID: id, ConversationID: "c1", Channel: conversation.Voice, Direction: call.Inbound,
		From: "+385910001", To: "+385910002", ClientType: call.PSTN, State: s, AgentID: agent,
		CreatedAt: t0, UpdatedAt: t0, Version: 1}
	if s == call.Dialing {
		c.Direction = call.Outbound
	}
	return c
}

func agentOf(id string) *routing.Agent {
	return &routing.Agent{ID: id, DisplayName: id, Role: routing.RoleAgent, Status: routing.Active,
		Capacity: 1, CreatedAt: t0, UpdatedAt: t0}
}

// raceSetUp is a PostgreSQL store with conversation c1 and agent a1.
func raceSetUp(t *testing.T) (context.Context, *sqlstore.Store) {
	ctx := t.Context()
	s := newPostgres(t)
	require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error {
		return errors.Join(tx.CreateConversation(ctx, conv("c1")), tx.CreateAgent(ctx, agentOf("a1")))
	}))
	return ctx, s
}

// race runs the sides at once and returns their errors.
func race(sides ...func() error) []error {
	errs := make([]error, len(sides))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, side := range sides {
		wg.Go(func() {
			<-start
			errs[i] = side()
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// requireOneWins checks that exactly one side succeeded and that the
// others were refused with ErrConflict, and returns the winner's index.
func requireOneWins(t *testing.T, trial int, errs []error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		if err == nil {
			require.Equal(t, -1, winner, "trial %d: two sides succeeded", trial)
			winner = i
			continue
		}
		require.ErrorIs(t, err, storage.ErrConflict, "trial %d", trial)
	}
	require.NotEqual(t, -1, winner, "trial %d: no side succeeded: %v", trial, errs)
	return winner
}

// Two transactions giving one agent a live call, by creating a call or by
// updating one: exactly one succeeds, whatever the interleaving.
func TestPostgresOneLiveCallPerAgentRace(t *testing.T) {
	t.Parallel()
	ctx, s := raceSetUp(t)
	update := func(c *call.Call, s call.State) *call.Call {
		n := c.Clone()
		n.State, n.AgentID, n.Version = s, "a1", c.Version+1
		return n
	}
	createIn := func(c *call.Call) func() error {
		return func() error { return s.InTx(ctx, func(tx storage.Tx) error { return tx.CreateCall(ctx, c) }) }
	}
	updateIn := func(c *call.Call) func() error {
		return func() error {
			return s.InTx(ctx, func(tx storage.Tx) error { return tx.UpdateCall(ctx, c, c.Version-1) })
		}
	}
	// Trials take turns: create and create, update and update, create and
	// update.
	for trial := range raceTrials {
		// Two queued calls the updating sides take live.
		q1 := callOf(fmt.Sprintf("q1-%03d", trial), call.Queued, "")
		q2 := callOf(fmt.Sprintf("q2-%03d", trial), call.Queued, "")
		require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error {
			return errors.Join(tx.CreateCall(ctx, q1), tx.CreateCall(ctx, q2))
		}))
		created := []*call.Call{
			callOf(fmt.Sprintf("n1-%03d", trial), call.Ringing, "a1"),
			callOf(fmt.Sprintf("n2-%03d", trial), call.Connected, "a1"),
		}
		updated := []*call.Call{update(q1, call.Ringing), update(q2, call.Dialing)}
		sides := map[int][]func() error{
			0: {createIn(created[0]), createIn(created[1])},
			1: {updateIn(updated[0]), updateIn(updated[1])},
			2: {createIn(created[0]), updateIn(updated[1])},
		}[trial%3]
		winner := requireOneWins(t, trial, race(sides...))

		// The store agrees: one live call, the winner's.
		page, err := s.ListCalls(ctx, storage.CallQuery{AgentID: "a1",
			States: []call.State{call.Ringing, call.Dialing, call.Connected}})
		require.NoError(t, err)
		require.Len(t, page.Items, 1, "trial %d", trial)
		live := page.Items[0]
		want := map[int][]string{0: {created[0].ID, created[1].ID}, 1: {updated[0].ID, updated[1].ID},
			2: {created[0].ID, updated[1].ID}}[trial%3][winner]
		require.Equal(t, want, live.ID, "trial %d", trial)

		// End it, so that the next trial starts with the agent free.
		ended := live.Clone()
		ended.State, ended.EndReason, ended.EndedAt, ended.Version = call.Ended, call.AgentHangUp, t0, live.Version+1
		require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error { return tx.UpdateCall(ctx, ended, live.Version) }))
	}
}

// An update that passed its guard while another transaction's live call
// was uncommitted meets the unique index, whose violation is ErrConflict
// (not ErrAlreadyExists); an insert in the same position inserts nothing
// once the other commits, also ErrConflict.
func TestPostgresLiveCallIndexCatchesAWaitingWrite(t *testing.T) {
	t.Parallel()
	ctx, s := raceSetUp(t)
	pool := poolOf(t, s)
	for i, write := range []func(tx storage.Tx) error{
		func(tx storage.Tx) error {
			c := callOf("waiting-update", call.Queued, "")
			if err := tx.CreateCall(ctx, c); err != nil {
				return err
			}
			n := c.Clone()
			n.State, n.AgentID, n.Version = call.Ringing, "a1", 2
			return tx.UpdateCall(ctx, n, 1)
		},
		func(tx storage.Tx) error { return tx.CreateCall(ctx, callOf("waiting-create", call.Connected, "a1")) },
	} {
		first := callOf(fmt.Sprintf("first-%d", i), call.Connected, "a1")
		holding, release := make(chan struct{}), make(chan struct{})
		firstErr := make(chan error, 1)
		go func() {
			firstErr <- s.InTx(ctx, func(tx storage.Tx) error {
				if err := tx.CreateCall(ctx, first); err != nil {
					return err
				}
				close(holding)
				<-release
				return nil
			})
		}()
		<-holding
		secondErr := make(chan error, 1)
		go func() { secondErr <- s.InTx(ctx, write) }()
		// Commit the first once the second waits for it: a statement on the
		// schema's calls table waiting for a lock.
		waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
		for {
			var n int
			require.NoError(t, pool.QueryRow(waitCtx, `SELECT count(*) FROM pg_stat_activity
				WHERE wait_event_type = 'Lock' AND strpos(query, $1) > 0`, `"`+s.Schema()+`".calls`).Scan(&n))
			if n > 0 {
				break
			}
			select {
			case err := <-secondErr:
				cancel()
				t.Fatalf("the second write ended without waiting: %v", err)
			case <-time.After(time.Millisecond):
			}
		}
		cancel()
		close(release)
		require.NoError(t, <-firstErr)
		err := <-secondErr
		require.ErrorIs(t, err, storage.ErrConflict)
		require.NotErrorIs(t, err, storage.ErrAlreadyExists)
		requireNoSQL(t, err)
		if i == 0 {
			var pg *pgconn.PgError
			require.ErrorAs(t, err, &pg, "the update met the index")
			require.Equal(t, "23505", pg.Code)
		}
		// Free the agent for the next write.
		ended := first.Clone()
		ended.State, ended.EndReason, ended.EndedAt, ended.Version = call.Ended, call.AgentHangUp, t0, 2
		require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error { return tx.UpdateCall(ctx, ended, 1) }))
	}
}

// A heartbeat racing two runners that mark the same lapse: the flag ends
// present with the new heartbeat, at most one runner marks the lapse, and
// the heartbeat reports the agent absent exactly when one did, so that the
// lapse and the return are reported in pairs. Two heartbeats racing after
// a lapse: one reports the return.
func TestPostgresHeartbeatRacesMarkAbsent(t *testing.T) {
	t.Parallel()
	ctx, s := raceSetUp(t)
	beat := func(at time.Time) (bool, error) { return storage.RecordHeartbeat(ctx, s, "a1", at) }
	mark := func(lastBefore time.Time, marked *bool) func() error {
		return func() error {
			return s.InTx(ctx, func(tx storage.Tx) (err error) {
				*marked, err = tx.MarkAbsent(ctx, "a1", lastBefore)
				return err
			})
		}
	}
	_, err := beat(t0)
	require.NoError(t, err)
	last := t0
	for trial := range raceTrials {
		next := last.Add(time.Minute)
		var was, m1, m2 bool
		errs := race(
			func() (err error) { was, err = beat(next); return err },
			mark(last, &m1),
			mark(last, &m2),
		)
		require.NoError(t, errors.Join(errs...), "trial %d", trial)
		require.False(t, m1 && m2, "trial %d: two runners marked one lapse", trial)
		require.Equal(t, m1 || m2, !was, "trial %d: marked %v %v, heartbeat saw present %v", trial, m1, m2, was)

		ps, err := s.AgentPresences(ctx, "a1")
		require.NoError(t, err)
		require.True(t, ps[0].LastHeartbeat.Equal(next), "trial %d", trial)
		lapsed, err := s.LapsedAgents(ctx, next, 1)
		require.NoError(t, err)
		require.Equal(t, []string{"a1"}, lapsed, "trial %d: present after the heartbeat", trial)
		last = next

		if trial%4 == 0 {
			// Lapse it, then two heartbeats at once: one return.
			var marked bool
			require.NoError(t, mark(last, &marked)())
			require.True(t, marked)
			next = last.Add(time.Minute)
			var w1, w2 bool
			errs := race(
				func() (err error) { w1, err = beat(next); return err },
				func() (err error) { w2, err = beat(next); return err },
			)
			require.NoError(t, errors.Join(errs...))
			require.True(t, w1 != w2, "trial %d: exactly one heartbeat sees the agent absent: %v %v", trial, w1, w2)
			last = next
		}
	}
}

// callPlanQueries are the calls and presence reads whose plans must walk
// an index, over the seed of seedCalls.
func callPlanQueries(t *testing.T, s *sqlstore.Store) map[string][2]any {
	t.Helper()
	ctx := context.Background()
	deep := func(q storage.CallQuery, skip int) storage.CallQuery {
		t.Helper()
		q.Limit, q.Page, q.SkipTotal = 1, skip, true
		page, err := s.ListCalls(ctx, q)
		require.NoError(t, err)
		require.NotEmpty(t, page.NextCursor)
		q.Limit, q.Page, q.Cursor = 50, 0, page.NextCursor
		return q
	}
	out := map[string][2]any{}
	for name, q := range map[string]storage.CallQuery{
		"first page":          {},
		"deep cursor":         deep(storage.CallQuery{}, 15_000),
		"conversation":        {ConversationID: "c-7"},
		"agent":               {AgentID: "a-17"},
		"queue":               {QueueID: "q3"},
		"state":               {States: []call.State{call.Queued}},
		"queue and state":     {QueueID: "q3", States: []call.State{call.Queued}},
		"queue, deep cursor":  deep(storage.CallQuery{QueueID: "q3"}, 1_500),
		"states and a cursor": deep(storage.CallQuery{States: []call.State{call.Ringing, call.Connected}}, 100),
	} {
		qs, err := sqlstore.CallQueriesForTest(s, q, t0.Add(time.Hour), []string{"a-1", "a-2", "a-3"})
		require.NoError(t, err)
		out["list calls, "+name] = qs["call page"]
		if name == "first page" {
			for n, q := range qs {
				if n != "call page" {
					out[n] = q
				}
			}
		}
	}
	return out
}

// callSeedRows calls over 100 conversations, 10 queues and 20,000 agents:
// one in 50 ringing (each at an agent of its own), one in 50 queued, the
// rest ended; one agent in 10 present.
const callSeedRows = 20_000

func TestPostgresCallPlansUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newPostgres(t)
	pool := poolOf(t, s)
	tables := strings.NewReplacer("{conversations}", sqlstore.TableForTest(s, "conversations"),
		"{agents}", sqlstore.TableForTest(s, "agents"), "{agent_presence}", sqlstore.TableForTest(s, "agent_presence"),
		"{calls}", sqlstore.TableForTest(s, "calls"), "{n}", strconv.Itoa(callSeedRows))
	for _, q := range []string{
		`INSERT INTO {conversations} (id, topic, status, priority, channel, created_at, updated_at, version)
		SELECT 'c-' || i, '', 'OPEN', 1, 'VOICE', $1::timestamptz, $1::timestamptz, 1 FROM generate_series(0, 99) AS i`,
		`INSERT INTO {agents} (id, display_name, role, status, enabled, capacity, wrap_up_seconds, created_at, updated_at)
		SELECT 'a-' || i, 'A', 'AGENT', 'ACTIVE', true, 5, 0, $1::timestamptz, $1::timestamptz FROM generate_series(0, {n} - 1) AS i`,
		`INSERT INTO {agent_presence} (agent_id, last_heartbeat, present)
		SELECT 'a-' || i, $1::timestamptz + i * interval '1 second', i % 10 = 0 FROM generate_series(0, {n} - 1) AS i`,
		`INSERT INTO {calls} (id, conversation_id, channel, direction, from_addr, to_addr, client_type, state,
			queue_id, agent_id, on_hold, transfers, created_at, updated_at, deadline, version)
		SELECT 'k-' || lpad(i::text, 7, '0'), 'c-' || (i % 100), 'VOICE', 'INBOUND', '+1', '+2', 'PSTN',
			CASE i % 50 WHEN 0 THEN 'RINGING' WHEN 1 THEN 'QUEUED' ELSE 'ENDED' END, 'q' || (i % 10),
			CASE i % 50 WHEN 1 THEN NULL ELSE 'a-' || i END, false, 0,
			$1::timestamptz + i * interval '1 second', $1::timestamptz,
			CASE i % 50 WHEN 0 THEN $1::timestamptz + i * interval '1 second' END, 1
		FROM generate_series(1, {n}) AS i`,
	} {
		_, err := pool.Exec(ctx, tables.Replace(q), t0)
		require.NoError(t, err)
	}
	_, err := pool.Exec(ctx, "ANALYZE")
	require.NoError(t, err)
	for name, q := range callPlanQueries(t, s) {
		rows, err := pool.Query(ctx, "EXPLAIN "+q[0].(string), q[1].([]any)...)
		require.NoError(t, err)
		var plan []string
		for rows.Next() {
			var line string
			require.NoError(t, rows.Scan(&line))
			plan = append(plan, line)
		}
		require.NoError(t, rows.Err())
		text := strings.Join(plan, "\n")
		t.Logf("%s:\n%s", name, text)
		require.NotContains(t, text, "Seq Scan on calls", name)
		require.NotContains(t, text, "Seq Scan on agent_presence", name)
		require.Contains(t, text, "Index", name)
	}
}

func TestSQLiteCallPlansUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSQLite(t)
	db := s.SQLDB()
	ts := func(expr string) string {
		return `strftime('%Y-%m-%dT%H:%M:%S.000000Z', '2026-03-14T15:00:00', '+' || (` + expr + `) || ' seconds')`
	}
	tables := strings.NewReplacer("{conversations}", sqlstore.TableForTest(s, "conversations"),
		"{agents}", sqlstore.TableForTest(s, "agents"), "{agent_presence}", sqlstore.TableForTest(s, "agent_presence"),
		"{calls}", sqlstore.TableForTest(s, "calls"), "{n}", strconv.Itoa(callSeedRows),
		"{t0}", ts("0"), "{ti}", ts("i"))
	for _, q := range []string{
		`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99)
		INSERT INTO {conversations} (id, topic, status, priority, channel, created_at, updated_at, version)
		SELECT 'c-' || i, '', 'OPEN', 1, 'VOICE', {t0}, {t0}, 1 FROM n`,
		`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {n} - 1)
		INSERT INTO {agents} (id, display_name, role, status, enabled, capacity, wrap_up_seconds, created_at, updated_at)
		SELECT 'a-' || i, 'A', 'AGENT', 'ACTIVE', 1, 5, 0, {t0}, {t0} FROM n`,
		`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {n} - 1)
		INSERT INTO {agent_presence} (agent_id, last_heartbeat, present)
		SELECT 'a-' || i, {ti}, i % 10 = 0 FROM n`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})
		INSERT INTO {calls} (id, conversation_id, channel, direction, from_addr, to_addr, client_type, state,
			queue_id, agent_id, on_hold, transfers, created_at, updated_at, deadline, version)
		SELECT printf('k-%07d', i), 'c-' || (i % 100), 'VOICE', 'INBOUND', '+1', '+2', 'PSTN',
			CASE i % 50 WHEN 0 THEN 'RINGING' WHEN 1 THEN 'QUEUED' ELSE 'ENDED' END, 'q' || (i % 10),
			CASE i % 50 WHEN 1 THEN NULL ELSE 'a-' || i END, 0, 0, {ti}, {t0},
			CASE i % 50 WHEN 0 THEN {ti} END, 1
		FROM n`,
		"ANALYZE",
	} {
		_, err := db.ExecContext(ctx, tables.Replace(q))
		require.NoError(t, err)
	}
	for name, q := range callPlanQueries(t, s) {
		plan := sqlitePlan(t, db, q[0].(string), q[1].([]any))
		t.Logf("%s:\n%s", name, plan)
		require.NotRegexp(t, `(?m)^SCAN (k|p|parley_calls|parley_agent_presence)$`, plan, name)
		require.Contains(t, plan, "INDEX", name)
	}
}
