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
		a.last_assigned_at, a.wrap_up_until, a.created_at, a.updated_at, ` +
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
		timeCol{&a.LastAssignedAt}, timeCol{&a.WrapUpUntil}, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt}, &queues}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	a.Role, a.Status, a.Disabled = routing.Role(role), routing.AgentStatus(status), !enabled
	var err error
	a.Queues, err = readIDs(queues)
	return &a, err
}

// CreateAgent implements storage.Tx.
func (t *tx) CreateAgent(ctx context.Context, a *routing.Agent) error {
	const op = "creating agent"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	d := t.s.d
	ins := d.stmt(`INSERT INTO {agents}
		(id, display_name, role, status, enabled, capacity, wrap_up_seconds, last_assigned_at, wrap_up_until, updated_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (id) DO NOTHING`, t.agentArgs(a)...)
	if err := t.run(ctx, ins); err != nil {
		return t.s.wrap(ctx, op, a.ID, err)
	}
	if ins.affected == 0 {
		return failure(op, a.ID, storage.ErrAlreadyExists)
	}
	return nil
}

func (t *tx) agentArgs(a *routing.Agent) []any {
	d := t.s.d
	return []any{a.ID, a.DisplayName, string(a.Role), string(a.Status), !a.Disabled, a.Capacity, a.WrapUpSeconds,
		d.nullTime(a.LastAssignedAt), d.nullTime(a.WrapUpUntil), d.time(a.UpdatedAt), d.time(a.CreatedAt)}
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
		capacity = $6, wrap_up_seconds = $7, last_assigned_at = $8, wrap_up_until = $9, updated_at = $10
		WHERE id = $1`, args[:10]...)
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

// ListAgents implements storage.Tx.
func (t *tx) ListAgents(ctx context.Context, q storage.ListQuery) (storage.Page[*routing.Agent], error) {
	return listByID(t, ctx, "listing agents", q, storage.KindAgents,
		"SELECT "+t.s.d.agentCols()+" FROM {agents} a", "a.id", "{agents}",
		func(r row) (*routing.Agent, error) { return scanAgent(r) },
		func(a *routing.Agent) string { return a.ID })
}

// listByID is a page of agents or queues in id order: the count and the
// page, sent together.
func listByID[T any](t *tx, ctx context.Context, op string, q storage.ListQuery, kind, selectFrom, idCol, table string,
	scan func(row) (T, error), id func(T) string) (storage.Page[T], error) {
	var page storage.Page[T]
	if err := checkCtx(ctx, op); err != nil {
		return page, err
	}
	if err := q.Normalize(); err != nil {
		return page, err
	}
	ks, err := q.Keyset(kind)
	if err != nil {
		return page, err
	}
	d := t.s.d
	var stmts []*stmt
	page.Total = -1
	if !q.SkipTotal {
		stmts = append(stmts, d.stmt("SELECT count(*) FROM "+table).each(func(r row) error { return r.Scan(&page.Total) }))
	}
	b := newBuilder(d)
	b.WriteString(selectFrom)
	if ks != nil {
		b.where([]string{idCol + " > " + b.arg(ks.ID)})
	}
	b.WriteString(" ORDER BY " + idCol + " LIMIT " + b.arg(q.Limit+1) + " OFFSET " + b.arg(q.Offset()))
	items := make([]T, 0, min(q.Limit+1, 64))
	stmts = append(stmts, b.stmt().each(func(r row) error {
		v, err := scan(r)
		items = append(items, v)
		return err
	}))
	if err := t.run(ctx, stmts...); err != nil {
		return storage.Page[T]{}, t.s.wrap(ctx, op, "", err)
	}
	if len(items) > q.Limit {
		items = items[:q.Limit]
		page.NextCursor = q.CursorAfter(kind, id(items[len(items)-1]))
	}
	page.Items = items
	return page, nil
}
