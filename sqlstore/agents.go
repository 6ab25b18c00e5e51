package sqlstore

import (
	"context"

	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// agentCols are an agent's columns as scanAgent reads them, alias a, then
// its queues.
func (d *dialect) agentCols() string {
	return `a.id, a.display_name, a.role, a.status, a.enabled, a.capacity, a.wrap_up_seconds,
		a.last_assigned_at, a.wrap_up_until, a.created_at, a.updated_at, a.call_wrap_up_seconds, ` +
		d.jsonIDs("queue_id", "queue_members", "x.agent_id = a.id")
}

func scanAgent(r row, extra ...any) (*routing.Agent, error) {
	var (
		a            routing.Agent
		role, status string
		enabled      bool
		queues       string
	)
	dest := []any{&a.ID, &a.DisplayName, &role, &status, &enabled, &a.Capacity, &a.WrapUpSeconds,
		timeCol{&a.LastAssignedAt}, timeCol{&a.WrapUpUntil}, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt},
		&a.CallWrapUpSeconds, &queues}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	a.Role, a.Status, a.Disabled = routing.Role(role), routing.AgentStatus(status), !enabled
	var err error
	a.Queues, err = readIDs(queues)
	return &a, err
}

// CreateAgent implements storage.Tx. The agent's presence row (never
// present, no heartbeat) goes in the same batch, so that every agent has
// one and a heartbeat is always an update of it.
func (t *tx) CreateAgent(ctx context.Context, a *routing.Agent) error {
	const op = "creating agent"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	d := t.s.d
	ins := d.stmt(`INSERT INTO {agents}
		(id, display_name, role, status, enabled, capacity, wrap_up_seconds, last_assigned_at, wrap_up_until, updated_at,
		 call_wrap_up_seconds, created_at, display_name_folded)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (id) DO NOTHING`, t.agentArgs(a)...)
	presence := d.stmt(`INSERT INTO {agent_presence} (agent_id, last_heartbeat, present)
		VALUES ($1, NULL, false) ON CONFLICT (agent_id) DO NOTHING`, a.ID)
	if err := t.run(ctx, ins, presence); err != nil {
		return t.s.wrap(ctx, op, a.ID, err)
	}
	if ins.affected == 0 {
		return failure(op, a.ID, storage.ErrAlreadyExists)
	}
	return nil
}

func (t *tx) agentArgs(a *routing.Agent) []any {
	d := t.s.d
	var callWrapUp any
	if a.CallWrapUpSeconds != nil {
		callWrapUp = *a.CallWrapUpSeconds
	}
	return []any{a.ID, a.DisplayName, string(a.Role), string(a.Status), !a.Disabled, a.Capacity, a.WrapUpSeconds,
		d.nullTime(a.LastAssignedAt), d.nullTime(a.WrapUpUntil), d.time(a.UpdatedAt), callWrapUp, d.time(a.CreatedAt),
		routing.FoldDisplayName(a.DisplayName)}
}

// GetAgent implements storage.Tx.
func (t *tx) GetAgent(ctx context.Context, id string) (*routing.Agent, error) {
	return t.getAgent(ctx, "getting agent", id, false)
}

// LockAgent implements storage.Tx: on PostgreSQL SELECT … FOR NO KEY
// UPDATE, then the agent read by a statement of its own in the same round
// trip. At READ COMMITTED a statement reads as of its start, so a locking
// read that waited would return memberships (another table) as they were
// before the wait; the second statement starts once the lock is held and
// sees everything committed before it. On SQLite it is GetAgent (write
// transactions run one at a time).
func (t *tx) LockAgent(ctx context.Context, id string) (*routing.Agent, error) {
	return t.getAgent(ctx, "locking agent", id, true)
}

func (t *tx) getAgent(ctx context.Context, op, id string, lock bool) (*routing.Agent, error) {
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	if !cleanText(id) {
		return nil, t.s.notFound(op, id)
	}
	return t.readAgent(ctx, op, id, lock)
}

// readAgent reads the agent, locked when lock is set, and runs more in the
// same batch, after it.
func (t *tx) readAgent(ctx context.Context, op, id string, lock bool, more ...*stmt) (*routing.Agent, error) {
	d := t.s.d
	var stmts []*stmt
	if lock && d.forUpdate() != "" {
		stmts = append(stmts, d.stmt("SELECT 1 FROM {agents} WHERE id = $1"+d.forUpdate(), id))
	}
	var a *routing.Agent
	stmts = append(stmts, d.stmt("SELECT "+d.agentCols()+" FROM {agents} a WHERE a.id = $1", id).each(func(r row) (err error) {
		a, err = scanAgent(r)
		return err
	}))
	stmts = append(stmts, more...)
	if err := t.run(ctx, stmts...); err != nil {
		return nil, t.s.wrap(ctx, op, id, err)
	}
	if a == nil {
		return nil, t.s.notFound(op, id)
	}
	if lock && !t.auto {
		if t.heldAgents == nil {
			t.heldAgents = make(map[string]bool, 1)
		}
		t.heldAgents[id] = true
	}
	return a, nil
}

// UpdateAgent implements storage.Tx. On PostgreSQL, when this
// transaction has locked the agent (LockAgent), the UPDATE waits for the
// transaction's next round trip, usually the commit's: a locked row cannot
// be deleted meanwhile, so it cannot be missing, and a failure of the
// database's own (a constraint) fails that round trip, before the COMMIT
// behind it runs.
func (t *tx) UpdateAgent(ctx context.Context, a *routing.Agent) error {
	const op = "updating agent"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(a.ID) {
		return t.s.notFound(op, a.ID)
	}
	args := t.agentArgs(a)
	up := t.s.d.stmt(`UPDATE {agents} SET display_name = $2, role = $3, status = $4, enabled = $5,
		capacity = $6, wrap_up_seconds = $7, last_assigned_at = $8, wrap_up_until = $9, updated_at = $10,
		call_wrap_up_seconds = $11, display_name_folded = $12
		WHERE id = $1`, append(args[:11:11], args[12])...)
	if t.heldAgents[a.ID] && t.defers() && !t.ended {
		if err := checkArgs([]*stmt{up}); err != nil {
			return err
		}
		id := a.ID
		up.fail = func(err error) error { return t.s.wrap(ctx, op, id, err) }
		t.pending = append(t.pending, up)
		return nil
	}
	if err := t.run(ctx, up); err != nil {
		return t.s.wrap(ctx, op, a.ID, err)
	}
	if up.affected == 0 {
		return t.s.notFound(op, a.ID)
	}
	return nil
}

// ListAgents implements storage.Tx: the count (unless skipped) and the
// page, sent together.
func (t *tx) ListAgents(ctx context.Context, q storage.AgentQuery) (storage.Page[*routing.Agent], error) {
	const op = "listing agents"
	var page storage.Page[*routing.Agent]
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
	d := t.s.d
	return listPage(t, ctx, op, &q.Paging, &page, q.CursorAfter,
		func(b *builder) []string {
			b.WriteString("SELECT count(*) FROM {agents} a")
			return agentFilter(b, &q.Filter)
		},
		func(b *builder) []string {
			b.WriteString("SELECT " + d.agentCols() + " FROM {agents} a")
			return agentFilter(b, &q.Filter)
		},
		keyedOrder{order: q.Order, col: agentOrderCols[q.Order.Field], id: "a.id", ks: ks},
		func(r row) (*routing.Agent, error) { return scanAgent(r) })
}

// agentOrderCols are the sort keys of the agent orders on the agents table
// aliased a (none for the id order).
var agentOrderCols = map[storage.SortField]sortCol{
	storage.SortDisplayName: {"a.display_name", keyText},
	storage.SortStatus:      {"a.status", keyText},
	storage.SortRole:        {"a.role", keyText},
	storage.SortEnabled:     {"CASE WHEN a.enabled THEN 1 ELSE 0 END", keyRank},
	storage.SortCreatedAt:   {"a.created_at", keyTime},
	storage.SortUpdatedAt:   {"a.updated_at", keyTime},
}

// agentFilter returns the conditions of f on the agents table aliased a.
func agentFilter(b *builder, f *storage.AgentFilter) []string {
	d := b.d
	var conds []string
	if len(f.IDs) > 0 {
		conds = append(conds, b.oneOf("a.id", f.IDs))
	}
	if len(f.QueueIDs) > 0 {
		conds = append(conds, "a.id IN (SELECT m.agent_id FROM {queue_members} m WHERE "+b.oneOf("m.queue_id", f.QueueIDs)+")")
	}
	if f.DisplayNameContains != "" {
		conds = append(conds, d.contains("a.display_name_folded", b.arg(routing.FoldDisplayName(f.DisplayNameContains))))
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, b.oneOf("a.status", strs(f.Statuses)))
	}
	if len(f.Roles) > 0 {
		conds = append(conds, b.oneOf("a.role", strs(f.Roles)))
	}
	if f.Enabled != nil {
		conds = append(conds, "a.enabled = "+b.arg(*f.Enabled))
	}
	conds = appendRange(b, conds, "a.created_at", f.CreatedAfter, f.CreatedBefore)
	return appendRange(b, conds, "a.updated_at", f.UpdatedAfter, f.UpdatedBefore)
}
