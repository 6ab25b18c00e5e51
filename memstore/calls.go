package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// presence is an agent's heartbeat state.
type presence struct {
	last    time.Time
	present bool
}

func (t *txn) call(op, id string) (*call.Call, error) {
	c, ok := t.st.calls[id]
	if !ok {
		return nil, storage.Fail(op, id, storage.ErrNotFound)
	}
	return c, nil
}

// occupants lists the agents c takes up (call.Call.Occupies): the agent
// of a live call and the agent its transfer rings at.
func occupants(c *call.Call) []string {
	var out []string
	if c.State.Live() && c.AgentID != "" {
		out = append(out, c.AgentID)
	}
	if c.Transfer != nil && c.Transfer.AgentID != "" {
		out = append(out, c.Transfer.AgentID)
	}
	return out
}

// putCall stores c (owned by the state from now on) in place of old (nil
// for a new one), keeping the index of the agents calls take up in step,
// and registers the undo.
func (t *txn) putCall(old, c *call.Call) {
	st := t.st
	index := func(c *call.Call, on bool) {
		if c == nil {
			return
		}
		for _, a := range occupants(c) {
			if on {
				st.liveCalls[a] = c.ID
			} else {
				delete(st.liveCalls, a)
			}
		}
	}
	index(old, false)
	if c == nil {
		delete(st.calls, old.ID)
	} else {
		st.calls[c.ID] = c
		index(c, true)
	}
	t.onUndo(func() {
		index(c, false)
		if old == nil {
			delete(st.calls, c.ID)
			return
		}
		st.calls[old.ID] = old
		index(old, true)
	})
}

// secondLiveCall reports whether c would take up an agent another call
// takes up: a live call's agent, or the agent its transfer rings at.
func (t *txn) secondLiveCall(c *call.Call) bool {
	for _, a := range occupants(c) {
		if id, ok := t.st.liveCalls[a]; ok && id != c.ID {
			return true
		}
	}
	return false
}

func (t *txn) CreateCall(ctx context.Context, c *call.Call) error {
	const op = "creating call"
	if err := t.check(ctx, op); err != nil {
		return err
	}
	if _, ok := t.st.calls[c.ID]; ok {
		return storage.Fail(op, c.ID, storage.ErrAlreadyExists)
	}
	if _, ok := t.st.conversations[c.ConversationID]; !ok {
		return storage.Fail(op, c.ConversationID, storage.ErrNotFound)
	}
	if t.secondLiveCall(c) {
		return storage.Fail(op, c.ID, storage.ErrConflict)
	}
	t.putCall(nil, c.Clone())
	return nil
}

func (t *txn) GetCall(ctx context.Context, id string) (*call.Call, error) {
	defer t.enter()()
	const op = "getting call"
	if err := t.check(ctx, op); err != nil {
		return nil, err
	}
	c, err := t.call(op, id)
	if err != nil {
		return nil, err
	}
	return c.Clone(), nil
}

func (t *txn) LockCall(ctx context.Context, id string) (*call.Call, error) {
	return t.GetCall(ctx, id)
}

func (t *txn) UpdateCall(ctx context.Context, c *call.Call, prevVersion int64) error {
	const op = "updating call"
	if err := t.check(ctx, op); err != nil {
		return err
	}
	old, err := t.call(op, c.ID)
	if err != nil {
		return err
	}
	if old.Version != prevVersion || t.secondLiveCall(c) {
		return storage.Fail(op, c.ID, storage.ErrConflict)
	}
	stored := c.Clone()
	stored.ConversationID, stored.Direction, stored.CreatedAt = old.ConversationID, old.Direction, old.CreatedAt
	t.putCall(old, stored)
	return nil
}

// deleteCallsOf removes the calls of a deleted conversation.
func (t *txn) deleteCallsOf(conversationID string) {
	for _, c := range t.st.calls {
		if c.ConversationID != conversationID {
			continue
		}
		t.putCall(c, nil)
		// A call's wait goes with it, as the foreign key has it on SQL.
		if w, ok := t.st.callWaits[c.ID]; ok {
			delete(t.st.callWaits, c.ID)
			t.onUndo(func() { t.st.callWaits[c.ID] = w })
		}
	}
}

func (t *txn) ListCalls(ctx context.Context, q storage.CallQuery) (storage.Page[*call.Call], error) {
	defer t.enter()()
	const op = "listing calls"
	if err := t.check(ctx, op); err != nil {
		return storage.Page[*call.Call]{}, err
	}
	if err := q.Normalize(); err != nil {
		return storage.Page[*call.Call]{}, err
	}
	ks, err := q.Keyset()
	if err != nil {
		return storage.Page[*call.Call]{}, err
	}
	var rows []*call.Call
	for _, c := range t.st.calls {
		if q.ConversationID != "" && c.ConversationID != q.ConversationID ||
			q.AgentID != "" && c.AgentID != q.AgentID ||
			q.QueueID != "" && c.QueueID != q.QueueID ||
			len(q.States) > 0 && !slices.Contains(q.States, c.State) {
			continue
		}
		rows = append(rows, c)
	}
	p := pager[*call.Call]{
		order:  storage.Order{Field: storage.SortCreatedAt},
		key:    func(c *call.Call) sortKey { return sortKey{Time: c.CreatedAt, ID: c.ID} },
		cursor: q.CursorAfter,
		clone:  (*call.Call).Clone,
	}
	return p.page(rows, q.Paging, ks), nil
}

func (t *txn) DueCalls(ctx context.Context, at time.Time, limit int) ([]*call.Call, error) {
	defer t.enter()()
	const op = "listing due calls"
	if err := t.check(ctx, op); err != nil {
		return nil, err
	}
	var out []*call.Call
	seen := map[string]bool{} // a call may take up two agents
	for _, id := range t.st.liveCalls {
		c := t.st.calls[id]
		if due := storage.CallDue(c); !seen[id] && !due.IsZero() && !due.After(at) {
			seen[id] = true
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *call.Call) int {
		if c := storage.CallDue(a).Compare(storage.CallDue(b)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	out = out[:min(len(out), max(limit, 0))]
	for i, c := range out {
		out[i] = c.Clone()
	}
	return out, nil
}

func (t *txn) AgentPresences(ctx context.Context, ids ...string) ([]routing.Presence, error) {
	defer t.enter()()
	const op = "reading agent presence"
	if err := t.check(ctx, op); err != nil {
		return nil, err
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make([]routing.Presence, 0, len(ids))
	for _, id := range ids {
		a, ok := t.st.agents[id]
		if !ok {
			continue
		}
		out = append(out, t.presenceOf(a))
	}
	return out, nil
}

// presenceOf is the agent's presence as a copy.
func (t *txn) presenceOf(a *routing.Agent) routing.Presence {
	_, onCall := t.st.liveCalls[a.ID]
	return routing.Presence{
		Agent:         t.agentOut(a),
		Load:          t.st.load[a.ID],
		OnCall:        onCall,
		LastHeartbeat: t.st.heartbeats[a.ID].last,
	}
}

func (t *txn) LapsedAgents(ctx context.Context, lastBefore time.Time, limit int) ([]string, error) {
	defer t.enter()()
	if err := t.check(ctx, "listing lapsed agents"); err != nil {
		return nil, err
	}
	var out []string
	for id, p := range t.st.heartbeats {
		if p.present && !p.last.After(lastBefore) {
			out = append(out, id)
		}
	}
	hb := t.st.heartbeats
	slices.SortFunc(out, func(a, b string) int {
		if c := hb[a].last.Compare(hb[b].last); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return out[:min(len(out), max(limit, 0))], nil
}

func (t *txn) RecordHeartbeat(ctx context.Context, agentID string, at time.Time) (bool, error) {
	const op = "recording heartbeat"
	if err := t.check(ctx, op); err != nil {
		return false, err
	}
	if _, err := t.agent(op, agentID); err != nil {
		return false, err
	}
	old, had := t.st.heartbeats[agentID]
	last := at
	if had && old.last.After(at) {
		last = old.last // the latest heartbeat wins
	}
	t.st.heartbeats[agentID] = presence{last: last, present: true}
	t.onUndo(func() {
		if had {
			t.st.heartbeats[agentID] = old
		} else {
			delete(t.st.heartbeats, agentID)
		}
	})
	return old.present, nil
}

func (t *txn) MarkAbsent(ctx context.Context, agentID string, lastBefore time.Time) (bool, error) {
	const op = "marking agent absent"
	if err := t.check(ctx, op); err != nil {
		return false, err
	}
	old, ok := t.st.heartbeats[agentID]
	if !ok || !old.present || old.last.After(lastBefore) {
		return false, nil
	}
	t.st.heartbeats[agentID] = presence{last: old.last}
	t.onUndo(func() { t.st.heartbeats[agentID] = old })
	return true, nil
}

func (t *txn) GetSetting(ctx context.Context, key string) ([]byte, error) {
	defer t.enter()()
	const op = "getting setting"
	if err := t.check(ctx, op); err != nil {
		return nil, err
	}
	v, ok := t.st.settings[key]
	if !ok {
		return nil, storage.Fail(op, key, storage.ErrNotFound)
	}
	return slices.Clone(v), nil
}

func (t *txn) PutSetting(ctx context.Context, key string, value []byte) error {
	const op = "putting setting"
	if err := t.check(ctx, op); err != nil {
		return err
	}
	old, had := t.st.settings[key]
	t.st.settings[key] = slices.Clone(value)
	t.onUndo(func() { t.restoreSetting(key, old, had) })
	return nil
}

func (t *txn) DeleteSetting(ctx context.Context, key string) (bool, error) {
	const op = "deleting setting"
	if err := t.check(ctx, op); err != nil {
		return false, err
	}
	old, had := t.st.settings[key]
	if !had {
		return false, nil
	}
	delete(t.st.settings, key)
	t.onUndo(func() { t.restoreSetting(key, old, had) })
	return true, nil
}

func (t *txn) restoreSetting(key string, v []byte, had bool) {
	if had {
		t.st.settings[key] = v
	} else {
		delete(t.st.settings, key)
	}
}
