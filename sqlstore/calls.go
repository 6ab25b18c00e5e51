package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

var _ storage.HeartbeatRecorder = (*Store)(nil)

// callCols are a call's columns as scanCall reads them; alias k.
const callCols = `k.id, k.conversation_id, k.channel, k.direction, k.from_addr, k.to_addr, k.client_type, k.state,
	COALESCE(k.queue_id, ''), COALESCE(k.agent_id, ''), k.on_hold, k.end_reason,
	COALESCE(k.transfer, ''), k.transfers, COALESCE(k.refused, ''),
	k.created_at, k.updated_at, k.offered_at, k.deadline, k.connected_at, k.ended_at, k.version`

// liveStates is the condition "the call in alias k is live": it restates
// call.State.Live, word for word the predicate of the calls_live_agent
// index, so that the planners use it.
const liveStates = `k.state IN ('RINGING', 'DIALING', 'CONNECTED')`

// storedTransfer is a transfer as the calls.transfer column holds it. The
// names are fixed here, not taken from the Go fields, so that renaming a
// field never changes stored data; times are RFC 3339 in UTC, "" for zero.
type storedTransfer struct {
	Kind           string   `json:"kind"`
	From           string   `json:"from,omitempty"`
	FromQueue      string   `json:"fromQueue,omitempty"`
	AgentID        string   `json:"agentId,omitempty"`
	QueueID        string   `json:"queueId,omitempty"`
	ExternalNumber string   `json:"externalNumber,omitempty"`
	Caller         string   `json:"caller,omitempty"`
	Refused        []string `json:"refused,omitempty"`
	StartedAt      string   `json:"startedAt,omitempty"`
	Deadline       string   `json:"deadline,omitempty"`
}

// jsonTime is t as storedTransfer keeps it: whole microseconds in UTC, as
// the time columns keep them; "" for zero.
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

func readJSONTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("cannot read stored time %q", s)
	}
	return t.UTC(), nil
}

// transferText stores a transfer as JSON: NULL for none.
func transferText(tr *call.Transfer) (any, error) {
	if tr == nil {
		return nil, nil
	}
	b, err := json.Marshal(storedTransfer{
		Kind: string(tr.Kind), From: tr.From, FromQueue: tr.FromQueue, AgentID: tr.AgentID,
		QueueID: tr.QueueID, ExternalNumber: tr.ExternalNumber, Caller: tr.Caller,
		Refused: tr.Refused, StartedAt: jsonTime(tr.StartedAt), Deadline: jsonTime(tr.Deadline),
	})
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func readTransfer(s string) (*call.Transfer, error) {
	if s == "" {
		return nil, nil
	}
	var st storedTransfer
	if err := json.Unmarshal([]byte(s), &st); err != nil {
		return nil, fmt.Errorf("cannot read stored transfer: %w", err)
	}
	tr := &call.Transfer{
		Kind: call.TransferKind(st.Kind), From: st.From, FromQueue: st.FromQueue, AgentID: st.AgentID,
		QueueID: st.QueueID, ExternalNumber: st.ExternalNumber, Caller: st.Caller, Refused: st.Refused,
	}
	var err error
	if tr.StartedAt, err = readJSONTime(st.StartedAt); err != nil {
		return nil, err
	}
	if tr.Deadline, err = readJSONTime(st.Deadline); err != nil {
		return nil, err
	}
	return tr, nil
}

// orderedText stores an ordered id list as a JSON array: NULL for none.
func orderedText(ids []string) (any, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// readOrdered reads a JSON array of ids in its stored order; nil for none.
func readOrdered(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("cannot read stored id list: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func scanCall(r row) (*call.Call, error) {
	var (
		c                                                      call.Call
		channel, direction, clientType, state, reason, tr, ref string
	)
	err := r.Scan(&c.ID, &c.ConversationID, &channel, &direction, &c.From, &c.To, &clientType, &state,
		&c.QueueID, &c.AgentID, &c.OnHold, &reason, &tr, &c.Transfers, &ref,
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, timeCol{&c.OfferedAt}, timeCol{&c.Deadline},
		timeCol{&c.ConnectedAt}, timeCol{&c.EndedAt}, &c.Version)
	if err != nil {
		return nil, err
	}
	c.Channel, c.Direction = conversation.Channel(channel), call.Direction(direction)
	c.ClientType, c.State, c.EndReason = call.ClientType(clientType), call.State(state), call.EndReason(reason)
	if c.Transfer, err = readTransfer(tr); err != nil {
		return nil, err
	}
	if c.Refused, err = readOrdered(ref); err != nil {
		return nil, err
	}
	return &c, nil
}

// callArgs are the written columns of c, $1 to $24 of sqlInsertCall: the
// last two are the transfer's agent and deadline (transferColumns).
func (t *tx) callArgs(c *call.Call) ([]any, error) {
	tr, err := transferText(c.Transfer)
	if err != nil {
		return nil, invalidJSON("transfer", err)
	}
	ref, err := orderedText(c.Refused)
	if err != nil {
		return nil, invalidJSON("refused", err)
	}
	d := t.s.d
	return []any{
		c.ID, c.ConversationID, string(c.Channel), string(c.Direction), c.From, c.To,
		string(c.ClientType), string(c.State), nullString(c.QueueID), nullString(c.AgentID),
		c.OnHold, string(c.EndReason), tr, c.Transfers, ref,
		d.time(c.UpdatedAt), d.nullTime(c.OfferedAt), d.nullTime(c.Deadline),
		d.nullTime(c.ConnectedAt), d.nullTime(c.EndedAt), c.Version, d.time(c.CreatedAt),
		nullString(transferAgent(c)), d.nullTime(storage.TransferDeadline(c)),
	}, nil
}

// transferAgent is the agent c's transfer rings at, kept in the
// transfer_agent_id column: "" for none.
func transferAgent(c *call.Call) string {
	if c.Transfer == nil {
		return ""
	}
	return c.Transfer.AgentID
}

// sqlInsertCall inserts a call if its conversation exists; any unique
// index it would break (the id's, or calls_live_agent) makes it insert
// nothing rather than fail, so that the transaction stays usable.
const sqlInsertCall = `INSERT INTO {calls}
	(id, conversation_id, channel, direction, from_addr, to_addr, client_type, state, queue_id, agent_id,
	 on_hold, end_reason, transfer, transfers, refused, updated_at, offered_at, deadline, connected_at,
	 ended_at, version, created_at, transfer_agent_id, transfer_deadline)
	SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text,
	 $11::boolean, $12::text, $13::text, $14::integer, $15::text, $16::timestamptz, $17::timestamptz,
	 $18::timestamptz, $19::timestamptz, $20::timestamptz, $21::bigint, $22::timestamptz, $23::text, $24::timestamptz
	WHERE EXISTS (SELECT 1 FROM {conversations} WHERE id = $2)%s
	ON CONFLICT DO NOTHING`

// The guards of a call that takes up an agent (call.Call.Occupies), on
// top of the unique indexes: the agent of a live call ($10 inserting, $8
// updating) is rung by no transfer of another call, and the agent a
// transfer rings at ($23 inserting, $21 updating) has no live call.
const (
	insertLiveGuard     = ` AND NOT EXISTS (SELECT 1 FROM {calls} k WHERE k.transfer_agent_id = $10)`
	insertTransferGuard = ` AND NOT EXISTS (SELECT 1 FROM {calls} k WHERE k.agent_id = $23 AND ` + liveStates + `)`
	updateLiveGuard     = ` AND NOT EXISTS (SELECT 1 FROM {calls} k WHERE k.transfer_agent_id = $8 AND k.id <> $1)`
	updateTransferGuard = ` AND NOT EXISTS (SELECT 1 FROM {calls} k WHERE k.agent_id = $21 AND ` + liveStates + ` AND k.id <> $1)`
)

// insertCallSQL is sqlInsertCall with the guards c needs.
func insertCallSQL(c *call.Call) string {
	guards := ""
	if c.State.Live() && c.AgentID != "" {
		guards += insertLiveGuard
	}
	if transferAgent(c) != "" {
		guards += insertTransferGuard
	}
	return fmt.Sprintf(sqlInsertCall, guards)
}

// CreateCall implements storage.Tx: one INSERT that reports a taken id, a
// missing conversation and the agent's other live call alike, by
// inserting nothing; only then does a second read say which. On
// PostgreSQL an INSERT that meets a live call another transaction is
// writing waits for that transaction, and inserts nothing if it commits.
func (t *tx) CreateCall(ctx context.Context, c *call.Call) error {
	const op = "creating call"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	args, err := t.callArgs(c)
	if err != nil {
		return t.s.wrap(ctx, op, c.ID, err)
	}
	d := t.s.d
	ins := d.stmt(insertCallSQL(c), args...)
	if err := t.run(ctx, ins); err != nil {
		return t.s.wrap(ctx, op, c.ID, err)
	}
	if ins.affected > 0 {
		return nil
	}
	idTaken, convExists := false, false
	err = t.run(ctx, d.stmt(`SELECT EXISTS (SELECT 1 FROM {calls} WHERE id = $1),
		EXISTS (SELECT 1 FROM {conversations} WHERE id = $2)`, c.ID, c.ConversationID).each(func(r row) error {
		return r.Scan(&idTaken, &convExists)
	}))
	switch {
	case err != nil:
		return t.s.wrap(ctx, op, c.ID, err)
	case idTaken:
		return failure(op, c.ID, storage.ErrAlreadyExists)
	case !convExists:
		return t.s.notFound(op, c.ConversationID)
	}
	return failure(op, c.ID, storage.ErrConflict)
}

// GetCall implements storage.Tx.
func (t *tx) GetCall(ctx context.Context, id string) (*call.Call, error) {
	return t.getCall(ctx, "getting call", id, false)
}

// LockCall implements storage.Tx: SELECT … FOR NO KEY UPDATE on
// PostgreSQL, as the other locks (no key references a call, so it keeps
// out every writer and locker as FOR UPDATE would). On SQLite write
// transactions run one at a time, so it is GetCall.
func (t *tx) LockCall(ctx context.Context, id string) (*call.Call, error) {
	return t.getCall(ctx, "locking call", id, true)
}

func (t *tx) getCall(ctx context.Context, op, id string, lock bool) (*call.Call, error) {
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	if !cleanText(id) {
		return nil, t.s.notFound(op, id)
	}
	d := t.s.d
	q := "SELECT " + callCols + " FROM {calls} k WHERE k.id = $1"
	if lock {
		q += d.forUpdate()
	}
	var c *call.Call
	st := d.stmt(q, id).each(func(r row) (err error) {
		c, err = scanCall(r)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, id, err)
	}
	if c == nil {
		return nil, t.s.notFound(op, id)
	}
	return c, nil
}

// sqlUpdateCall writes every column but conversation_id, direction and
// created_at, guarded by the version. %s is the guard of a live call:
// that its agent has no other.
const sqlUpdateCall = `UPDATE {calls} SET
	channel = $2, from_addr = $3, to_addr = $4, client_type = $5, state = $6, queue_id = $7, agent_id = $8,
	on_hold = $9, end_reason = $10, transfer = $11, transfers = $12, refused = $13, updated_at = $14,
	offered_at = $15, deadline = $16, connected_at = $17, ended_at = $18, version = $19,
	transfer_agent_id = $21, transfer_deadline = $22
	WHERE id = $1 AND version = $20%s`

const liveGuard = ` AND NOT EXISTS (SELECT 1 FROM {calls} k WHERE k.agent_id = $8 AND ` + liveStates + ` AND k.id <> $1)`

// updateCallSQL is sqlUpdateCall with the guards c needs.
func updateCallSQL(c *call.Call) string {
	guards := ""
	if c.State.Live() {
		guards += liveGuard + updateLiveGuard
	}
	if transferAgent(c) != "" {
		guards += updateTransferGuard
	}
	return fmt.Sprintf(sqlUpdateCall, guards)
}

// UpdateCall implements storage.Tx: one UPDATE guarded by the version and,
// for a live call, by the agent having no other live call; only when it
// changes nothing does a second read tell a missing call from a conflict.
// The guard reads as of the statement's start: a live call another
// transaction writes at the same time is caught by the unique index
// calls_live_agent instead (the only unique index an update can break,
// since the id does not change), whose violation is ErrConflict too.
func (t *tx) UpdateCall(ctx context.Context, c *call.Call, prevVersion int64) error {
	const op = "updating call"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(c.ID) {
		return t.s.notFound(op, c.ID)
	}
	a, err := t.callArgs(c)
	if err != nil {
		return t.s.wrap(ctx, op, c.ID, err)
	}
	args := []any{a[0], a[2], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14],
		a[15], a[16], a[17], a[18], a[19], a[20], prevVersion, a[22], a[23]}
	q := updateCallSQL(c)
	d := t.s.d
	up := d.stmt(q, args...)
	if err := t.run(ctx, up); err != nil {
		return liveConflict(t.s.wrap(ctx, op, c.ID, err))
	}
	if up.affected > 0 {
		return nil
	}
	exists := false
	probe := d.stmt(`SELECT 1 FROM {calls} WHERE id = $1`, c.ID).each(func(row) error {
		exists = true
		return nil
	})
	if err := t.run(ctx, probe); err != nil {
		return t.s.wrap(ctx, op, c.ID, err)
	}
	if exists {
		return failure(op, c.ID, storage.ErrConflict)
	}
	return t.s.notFound(op, c.ID)
}

// liveConflict reports the violation of a unique index by an update of a
// call, which can only be calls_live_agent's or calls_transfer_agent's, as
// ErrConflict.
func liveConflict(err error) error {
	var e *storage.Error
	if errors.As(err, &e) && e.Kind == storage.ErrAlreadyExists {
		e.Kind = storage.ErrConflict
	}
	return err
}

// ListCalls implements storage.Tx: the count (unless skipped) and the page
// go together; the page reads limit+1 rows in (created_at, id) order from
// the keyset, on the index of its filter.
func (t *tx) ListCalls(ctx context.Context, q storage.CallQuery) (storage.Page[*call.Call], error) {
	const op = "listing calls"
	var page storage.Page[*call.Call]
	if err := checkCtx(ctx, op); err != nil {
		return page, err
	}
	if err := q.Normalize(); err != nil {
		return page, err
	}
	ks, err := q.Keyset()
	if err != nil {
		return page, err
	}
	return listPage(t, ctx, op, &q.Paging, &page, q.CursorAfter,
		func(b *builder) []string {
			b.WriteString("SELECT count(*) FROM {calls} k")
			return callFilter(b, &q)
		},
		callRows(&q), callOrder(ks), scanCall)
}

// callRows starts the statement of a page of calls q selects.
func callRows(q *storage.CallQuery) func(*builder) []string {
	return func(b *builder) []string {
		b.WriteString("SELECT " + callCols + " FROM {calls} k")
		return callFilter(b, q)
	}
}

// callOrder is the order of a call list, (created_at, id), from ks.
func callOrder(ks *storage.Keyset) keyedOrder {
	return keyedOrder{col: sortCol{"k.created_at", keyTime}, id: "k.id", ks: ks}
}

// callFilter returns the conditions of q on the calls table aliased k.
func callFilter(b *builder, q *storage.CallQuery) []string {
	var conds []string
	if q.ConversationID != "" {
		conds = append(conds, "k.conversation_id = "+b.arg(q.ConversationID))
	}
	if q.AgentID != "" {
		conds = append(conds, "k.agent_id = "+b.arg(q.AgentID))
	}
	if q.QueueID != "" {
		conds = append(conds, "k.queue_id = "+b.arg(q.QueueID))
	}
	if len(q.States) > 0 {
		conds = append(conds, b.oneOf("k.state", strs(q.States)))
	}
	return conds
}

// DueCalls implements storage.Tx, on the partial indexes calls_due and
// calls_transfer_due, whose predicates the conditions restate or imply.
func (t *tx) DueCalls(ctx context.Context, at time.Time, limit int) ([]*call.Call, error) {
	const op = "listing due calls"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	d := t.s.d
	out := []*call.Call{}
	if limit <= 0 {
		return out, nil
	}
	st := d.dueCalls(at, limit).each(func(r row) error {
		c, err := scanCall(r)
		out = append(out, c)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, "", err)
	}
	return out, nil
}

// dueCalls reads up to limit calls due at at.
func (d *dialect) dueCalls(at time.Time, limit int) *stmt {
	return d.stmt(`SELECT `+callCols+` FROM {calls} k
		WHERE (k.state IN ('RINGING', 'DIALING') AND k.deadline <= $1)
		   OR (k.transfer_deadline <= $1 AND k.state = 'CONNECTED')
		ORDER BY CASE WHEN k.state = 'CONNECTED' THEN k.transfer_deadline ELSE k.deadline END, k.id
		LIMIT $2`, d.time(at), limit)
}

// presenceCols are the rest of an agent's presence after agentCols (alias
// a), as scanPresence reads them: its load (the statuses restate
// routing.CountsAsLoad, as in AgentLoad), whether a call takes it up (a
// live call of its own, on the index calls_live_agent, or a transfer
// ringing at it, on calls_transfer_agent: call.Call.Occupies) and its
// last heartbeat.
const presenceCols = `(SELECT count(*) FROM {conversations} c WHERE c.agent_id = a.id AND c.status IN ('OPEN', 'WAITING')),
	(EXISTS (SELECT 1 FROM {calls} k WHERE k.agent_id = a.id AND ` + liveStates + `)
	 OR EXISTS (SELECT 1 FROM {calls} k WHERE k.transfer_agent_id = a.id)),
	(SELECT p.last_heartbeat FROM {agent_presence} p WHERE p.agent_id = a.id)`

// scanPresence reads agentCols and presenceCols.
func scanPresence(r row) (routing.Presence, error) {
	var p routing.Presence
	var err error
	p.Agent, err = scanAgent(r, &p.Load, &p.OnCall, timeCol{&p.LastHeartbeat})
	return p, err
}

// AgentPresences implements storage.Tx: one query for every agent.
func (t *tx) AgentPresences(ctx context.Context, ids ...string) ([]routing.Presence, error) {
	const op = "reading agent presence"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	ids = slices.DeleteFunc(sortedUnique(ids), func(id string) bool { return !cleanText(id) }) // other text names no agent
	out := []routing.Presence{}
	if len(ids) == 0 {
		return out, nil
	}
	st := t.s.d.agentPresences(ids).each(func(r row) error {
		p, err := scanPresence(r)
		out = append(out, p)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, "", err)
	}
	return out, nil
}

// agentPresences reads the presences of the agents of ids.
func (d *dialect) agentPresences(ids []string) *stmt {
	b := newBuilder(d)
	b.WriteString("SELECT " + d.agentCols() + ", " + presenceCols + " FROM {agents} a")
	b.where([]string{b.oneOf("a.id", ids)})
	b.WriteString(" ORDER BY a.id")
	return b.stmt()
}

// LapsedAgents implements storage.Tx, on the partial index
// agent_presence_lapsed.
func (t *tx) LapsedAgents(ctx context.Context, lastBefore time.Time, limit int) ([]string, error) {
	const op = "listing lapsed agents"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	out := []string{}
	if limit <= 0 {
		return out, nil
	}
	st := t.s.d.lapsedAgents(lastBefore, limit).each(func(r row) error {
		var id string
		err := r.Scan(&id)
		out = append(out, id)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, "", err)
	}
	return out, nil
}

// lapsedAgents reads up to limit ids of agents lapsed at lastBefore.
func (d *dialect) lapsedAgents(lastBefore time.Time, limit int) *stmt {
	return d.stmt(`SELECT agent_id FROM {agent_presence} WHERE present AND last_heartbeat <= $1
		ORDER BY last_heartbeat, agent_id LIMIT $2`, d.time(lastBefore), limit)
}

// RecordHeartbeat implements storage.Tx: the flavor's statements, which
// touch the agent's presence row only, never its row in agents (which
// routing locks).
func (t *tx) RecordHeartbeat(ctx context.Context, agentID string, at time.Time) (bool, error) {
	return recordHeartbeat(ctx, t.s, agentID, at, t.run)
}

// RecordHeartbeat implements storage.HeartbeatRecorder. Where the
// flavor's heartbeat is one statement (PostgreSQL) it runs alone, as a
// transaction of its own, with no BEGIN or COMMIT; elsewhere (SQLite, two
// statements) in a write transaction.
func (s *Store) RecordHeartbeat(ctx context.Context, agentID string, at time.Time) (bool, error) {
	return recordHeartbeat(ctx, s, agentID, at, func(ctx context.Context, stmts ...*stmt) error {
		if len(stmts) == 1 {
			return s.reader.(*tx).run(ctx, stmts...)
		}
		return s.inTx(ctx, func(t *tx) error { return t.run(ctx, stmts...) })
	})
}

// recordHeartbeat runs the flavor's heartbeat statements with run.
func recordHeartbeat(ctx context.Context, s *Store, agentID string, at time.Time,
	run func(ctx context.Context, stmts ...*stmt) error) (bool, error) {
	const op = "recording heartbeat"
	if err := checkCtx(ctx, op); err != nil {
		return false, err
	}
	if !cleanText(agentID) {
		return false, s.notFound(op, agentID)
	}
	found, wasPresent := false, false
	stmts := s.d.recordHeartbeat(s.d, agentID, at, func(was bool) { found, wasPresent = true, was })
	if err := run(ctx, stmts...); err != nil {
		return false, s.wrap(ctx, op, agentID, err)
	}
	if !found {
		return false, s.notFound(op, agentID)
	}
	return wasPresent, nil
}

// MarkAbsent implements storage.Tx: one conditional UPDATE. Of several
// transactions marking the same lapse, the first clears the flag and the
// others, which wait for it and then read the row again, find it clear.
func (t *tx) MarkAbsent(ctx context.Context, agentID string, lastBefore time.Time) (bool, error) {
	const op = "marking agent absent"
	if err := checkCtx(ctx, op); err != nil {
		return false, err
	}
	if !cleanText(agentID) {
		return false, nil
	}
	d := t.s.d
	up := d.stmt(`UPDATE {agent_presence} SET present = false
		WHERE agent_id = $1 AND present AND last_heartbeat <= $2`, agentID, d.time(lastBefore))
	if err := t.run(ctx, up); err != nil {
		return false, t.s.wrap(ctx, op, agentID, err)
	}
	return up.affected > 0, nil
}

// GetSetting implements storage.Tx.
func (t *tx) GetSetting(ctx context.Context, key string) ([]byte, error) {
	const op = "getting setting"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	if !cleanText(key) {
		return nil, t.s.notFound(op, key)
	}
	var value []byte
	found := false
	st := t.s.d.stmt(`SELECT value FROM {settings} WHERE key = $1`, key).each(func(r row) error {
		found = true
		return r.Scan(&value)
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, key, err)
	}
	if !found {
		return nil, t.s.notFound(op, key)
	}
	if value == nil {
		value = []byte{}
	}
	return value, nil
}

// PutSetting implements storage.Tx: an upsert. updated_at is the writer's
// clock, for operators; parley never reads it.
func (t *tx) PutSetting(ctx context.Context, key string, value []byte) error {
	const op = "putting setting"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if value == nil {
		value = []byte{} // the column is NOT NULL; nil and empty read back alike
	}
	d := t.s.d
	up := d.stmt(`INSERT INTO {settings} (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
		key, value, d.time(time.Now()))
	if err := t.run(ctx, up); err != nil {
		return t.s.wrap(ctx, op, key, err)
	}
	return nil
}

// DeleteSetting implements storage.Tx.
func (t *tx) DeleteSetting(ctx context.Context, key string) (bool, error) {
	const op = "deleting setting"
	if err := checkCtx(ctx, op); err != nil {
		return false, err
	}
	if !cleanText(key) {
		return false, nil
	}
	del := t.s.d.stmt(`DELETE FROM {settings} WHERE key = $1`, key)
	if err := t.run(ctx, del); err != nil {
		return false, t.s.wrap(ctx, op, key, err)
	}
	return del.affected > 0, nil
}
