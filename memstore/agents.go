package memstore

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

func (t *txn) agent(op, id string) (*routing.Agent, error) {
	a, ok := t.st.agents[id]
	if !ok {
		return nil, storage.Fail(op, id, storage.ErrNotFound)
	}
	return a, nil
}

func (t *txn) queue(op, id string) (*routing.Queue, error) {
	q, ok := t.st.queues[id]
	if !ok {
		return nil, storage.Fail(op, id, storage.ErrNotFound)
	}
	return q, nil
}

// agentOut is the stored agent as callers see it: a copy with its queues.
func (t *txn) agentOut(a *routing.Agent) *routing.Agent {
	out := a.Clone()
	out.Queues = slices.Sorted(maps.Keys(t.st.agentQueues[a.ID]))
	return out
}

func (t *txn) queueOut(q *routing.Queue) *routing.Queue {
	out := q.Clone()
	out.Members = slices.Sorted(maps.Keys(t.st.members[q.ID]))
	return out
}

func (t *txn) CreateAgent(ctx context.Context, a *routing.Agent) error {
	if err := t.check(ctx, "creating agent"); err != nil {
		return err
	}
	if _, ok := t.st.agents[a.ID]; ok {
		return storage.Fail("creating agent", a.ID, storage.ErrAlreadyExists)
	}
	stored := a.Clone()
	stored.Queues = nil
	t.st.agents[a.ID] = stored
	t.onUndo(func() { delete(t.st.agents, a.ID) })
	return nil
}

func (t *txn) GetAgent(ctx context.Context, id string) (*routing.Agent, error) {
	defer t.enter()()
	if err := t.check(ctx, "getting agent"); err != nil {
		return nil, err
	}
	a, err := t.agent("getting agent", id)
	if err != nil {
		return nil, err
	}
	return t.agentOut(a), nil
}

func (t *txn) LockAgent(ctx context.Context, id string) (*routing.Agent, error) {
	return t.GetAgent(ctx, id)
}

func (t *txn) UpdateAgent(ctx context.Context, a *routing.Agent) error {
	if err := t.check(ctx, "updating agent"); err != nil {
		return err
	}
	old, err := t.agent("updating agent", a.ID)
	if err != nil {
		return err
	}
	stored := a.Clone()
	stored.Queues = nil
	stored.CreatedAt = old.CreatedAt
	t.st.agents[a.ID] = stored
	t.onUndo(func() { t.st.agents[a.ID] = old })
	return nil
}

func (t *txn) ListAgents(ctx context.Context, q storage.AgentQuery) (storage.Page[*routing.Agent], error) {
	defer t.enter()()
	var none storage.Page[*routing.Agent]
	if err := t.check(ctx, "listing agents"); err != nil {
		return none, err
	}
	if err := q.Normalize(); err != nil {
		return none, err
	}
	ks, err := q.Keyset()
	if err != nil {
		return none, err
	}
	f := &q.Filter
	var rows []*routing.Agent
	for _, a := range t.st.agents {
		if t.agentMatches(a, f) {
			rows = append(rows, a)
		}
	}
	p := pager[*routing.Agent]{
		order:  q.Order,
		key:    func(a *routing.Agent) sortKey { return storage.AgentKey(q.Order.Field, a) },
		cursor: q.CursorAfter,
		clone:  t.agentOut,
	}
	return p.page(rows, q.Paging, ks), nil
}

func (t *txn) agentMatches(a *routing.Agent, f *storage.AgentFilter) bool {
	switch {
	case len(f.IDs) > 0 && !slices.Contains(f.IDs, a.ID),
		f.DisplayNameContains != "" && !routing.DisplayNameContains(a.DisplayName, f.DisplayNameContains),
		!anyOf(f.Statuses, a.Status),
		!anyOf(f.Roles, a.Role),
		f.Enabled != nil && *f.Enabled == a.Disabled,
		!inRange(a.CreatedAt, f.CreatedAfter, f.CreatedBefore),
		!inRange(a.UpdatedAt, f.UpdatedAfter, f.UpdatedBefore):
		return false
	}
	if len(f.QueueIDs) > 0 {
		queues := t.st.agentQueues[a.ID]
		return slices.ContainsFunc(f.QueueIDs, func(id string) bool {
			_, ok := queues[id]
			return ok
		})
	}
	return true
}

func (t *txn) ListQueues(ctx context.Context, q storage.QueueQuery) (storage.Page[*routing.Queue], error) {
	defer t.enter()()
	var none storage.Page[*routing.Queue]
	if err := t.check(ctx, "listing queues"); err != nil {
		return none, err
	}
	if err := q.Normalize(); err != nil {
		return none, err
	}
	ks, err := q.Keyset()
	if err != nil {
		return none, err
	}
	f := &q.Filter
	var rows []*routing.Queue
	for _, qu := range t.st.queues {
		switch {
		case len(f.IDs) > 0 && !slices.Contains(f.IDs, qu.ID),
			f.Name != "" && qu.Name != f.Name,
			f.WorkingHoursID != "" && qu.WorkingHoursID != f.WorkingHoursID:
			continue
		}
		if f.AgentID != "" {
			if _, ok := t.st.members[qu.ID][f.AgentID]; !ok {
				continue
			}
		}
		rows = append(rows, qu)
	}
	p := pager[*routing.Queue]{
		order:  q.Order,
		key:    func(qu *routing.Queue) sortKey { return storage.QueueKey(q.Order.Field, qu) },
		cursor: q.CursorAfter,
		clone:  t.queueOut,
	}
	return p.page(rows, q.Paging, ks), nil
}

// checkQueueUnique enforces the unique queue name and the single default.
func (t *txn) checkQueueUnique(op string, q *routing.Queue) error {
	for _, other := range t.st.queues {
		if other.ID == q.ID {
			continue
		}
		if other.Name == q.Name {
			return storage.Fail(op+" with name", q.Name, storage.ErrAlreadyExists)
		}
		if q.Default && other.Default {
			return storage.Fail(op+" as the default, while the default is", other.ID, storage.ErrAlreadyExists)
		}
	}
	return nil
}

func (t *txn) CreateQueue(ctx context.Context, q *routing.Queue) error {
	if err := t.check(ctx, "creating queue"); err != nil {
		return err
	}
	if _, ok := t.st.queues[q.ID]; ok {
		return storage.Fail("creating queue", q.ID, storage.ErrAlreadyExists)
	}
	if err := t.checkQueueUnique("creating queue", q); err != nil {
		return err
	}
	stored := q.Clone()
	stored.Members = nil
	t.st.queues[q.ID] = stored
	t.onUndo(func() { delete(t.st.queues, q.ID) })
	return nil
}

func (t *txn) GetQueue(ctx context.Context, id string) (*routing.Queue, error) {
	defer t.enter()()
	if err := t.check(ctx, "getting queue"); err != nil {
		return nil, err
	}
	q, err := t.queue("getting queue", id)
	if err != nil {
		return nil, err
	}
	return t.queueOut(q), nil
}

func (t *txn) UpdateQueue(ctx context.Context, q *routing.Queue) error {
	if err := t.check(ctx, "updating queue"); err != nil {
		return err
	}
	old, err := t.queue("updating queue", q.ID)
	if err != nil {
		return err
	}
	if err := t.checkQueueUnique("updating queue", q); err != nil {
		return err
	}
	stored := q.Clone()
	stored.Members = nil
	stored.CreatedAt = old.CreatedAt
	t.st.queues[q.ID] = stored
	t.onUndo(func() { t.st.queues[q.ID] = old })
	return nil
}

func (t *txn) DefaultQueue(ctx context.Context) (*routing.Queue, error) {
	defer t.enter()()
	if err := t.check(ctx, "getting default queue"); err != nil {
		return nil, err
	}
	for _, q := range t.st.queues {
		if q.Default {
			return t.queueOut(q), nil
		}
	}
	return nil, storage.Fail("getting the default queue", "", storage.ErrNotFound)
}

func (t *txn) AddQueueMember(ctx context.Context, queueID, agentID string) (bool, error) {
	if err := t.check(ctx, "adding queue member"); err != nil {
		return false, err
	}
	if _, err := t.queue("adding queue member", queueID); err != nil {
		return false, err
	}
	if _, err := t.agent("adding queue member", agentID); err != nil {
		return false, err
	}
	if _, ok := t.st.members[queueID][agentID]; ok {
		return false, nil
	}
	addTo(t.st.members, queueID, agentID)
	addTo(t.st.agentQueues, agentID, queueID)
	t.onUndo(func() {
		removeFrom(t.st.members, queueID, agentID)
		removeFrom(t.st.agentQueues, agentID, queueID)
	})
	return true, nil
}

func (t *txn) RemoveQueueMember(ctx context.Context, queueID, agentID string) error {
	if err := t.check(ctx, "removing queue member"); err != nil {
		return err
	}
	if _, ok := t.st.members[queueID][agentID]; !ok {
		return storage.Fail("removing agent "+strconv.Quote(agentID)+" from queue", queueID, storage.ErrNotFound)
	}
	removeFrom(t.st.members, queueID, agentID)
	removeFrom(t.st.agentQueues, agentID, queueID)
	t.onUndo(func() {
		addTo(t.st.members, queueID, agentID)
		addTo(t.st.agentQueues, agentID, queueID)
	})
	return nil
}

func (t *txn) ListRules(ctx context.Context) ([]routing.Rule, error) {
	defer t.enter()()
	if err := t.check(ctx, "listing routing rules"); err != nil {
		return nil, err
	}
	out := make([]routing.Rule, len(t.st.rules))
	for i, r := range t.st.rules {
		out[i] = r.Clone()
	}
	return out, nil
}

func (t *txn) ReplaceRules(ctx context.Context, rules []routing.Rule) error {
	if err := t.check(ctx, "replacing routing rules"); err != nil {
		return err
	}
	old := t.st.rules
	next := make([]routing.Rule, len(rules))
	for i, r := range rules {
		next[i] = r.Clone()
	}
	t.st.rules = next
	t.onUndo(func() { t.st.rules = old })
	return nil
}

func (t *txn) AgentLoad(ctx context.Context, agentID string) (int, error) {
	defer t.enter()()
	if err := t.check(ctx, "counting agent load"); err != nil {
		return 0, err
	}
	return t.st.load[agentID], nil
}

func (t *txn) QueueMemberLoads(ctx context.Context, queueID string) ([]storage.AgentLoad, error) {
	defer t.enter()()
	if err := t.check(ctx, "reading queue member loads"); err != nil {
		return nil, err
	}
	if _, err := t.queue("counting queue member loads", queueID); err != nil {
		return nil, err
	}
	ids := slices.Sorted(maps.Keys(t.st.members[queueID]))
	out := make([]storage.AgentLoad, len(ids))
	for i, id := range ids {
		p := t.presenceOf(t.st.agents[id])
		out[i] = storage.AgentLoad{Agent: p.Agent, Load: p.Load, OnCall: p.OnCall, LastHeartbeat: p.LastHeartbeat}
	}
	return out, nil
}

func (t *txn) ListWaiting(ctx context.Context, q storage.WaitingQuery) ([]*conversation.Conversation, error) {
	defer t.enter()()
	if err := t.check(ctx, "listing waiting conversations"); err != nil {
		return nil, err
	}
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	var rows []*conversation.Conversation
	for id := range t.st.byQueue[q.QueueID] {
		c := t.st.conversations[id]
		if !routing.Waiting(c) {
			continue
		}
		if !q.QueuedBefore.IsZero() && !c.QueuedAt.Before(q.QueuedBefore) {
			continue
		}
		rows = append(rows, c)
	}
	best := smallest(rows, q.Limit, routing.ServingOrder)
	out := make([]*conversation.Conversation, len(best))
	for i, c := range best {
		out[i] = c.Clone()
	}
	return out, nil
}

func (t *txn) LastAgentOfCustomer(ctx context.Context, customerID, exclude string, since time.Time) (string, error) {
	defer t.enter()()
	if err := t.check(ctx, "finding last agent of customer"); err != nil {
		return "", err
	}
	var best *conversation.Conversation
	for id := range t.st.byCustomer[customerID] {
		c := t.st.conversations[id]
		if id == exclude || c.AgentID == "" || c.UpdatedAt.Before(since) {
			continue
		}
		if best == nil || c.UpdatedAt.After(best.UpdatedAt) || c.UpdatedAt.Equal(best.UpdatedAt) && c.ID > best.ID {
			best = c
		}
	}
	if best == nil {
		return "", nil
	}
	return best.AgentID, nil
}

func (t *txn) LockKey(ctx context.Context, key string) error {
	return t.check(ctx, "locking key")
}

// WaitingQueues implements storage.WaitingQueuesReader.
func (t *txn) WaitingQueues(ctx context.Context) ([]string, error) {
	defer t.enter()()
	if err := t.check(ctx, "listing queues with waiting conversations"); err != nil {
		return nil, err
	}
	out := []string{}
	for id := range t.st.queues {
		for cid := range t.st.byQueue[id] {
			if routing.Waiting(t.st.conversations[cid]) {
				out = append(out, id)
				break
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// WaitingQueues implements storage.WaitingQueuesReader.
func (s *Store) WaitingQueues(ctx context.Context) ([]string, error) {
	return s.reader.(*txn).WaitingQueues(ctx)
}
