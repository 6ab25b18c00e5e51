package sqlstore

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// queueCols are a queue's columns as scanQueue reads them, alias q, then its
// members.
func (d *dialect) queueCols() string {
	return `q.id, q.name, q.auto_assignment, q.strategy, q.sticky_agent, q.sticky_timeout_seconds,
		q.max_wait_seconds, COALESCE(q.overflow_queue_id, ''), q.is_default, q.created_at, q.updated_at,
		COALESCE(q.working_hours_id, ''), q.auto_assign_outside, ` +
		d.jsonIDs("agent_id", "queue_members", "x.queue_id = q.id")
}

func scanQueue(r row) (*routing.Queue, error) {
	var (
		q                 routing.Queue
		strategy, members string
	)
	err := r.Scan(&q.ID, &q.Name, &q.AutoAssignment, &strategy, &q.StickyAgent, &q.StickyTimeoutSeconds,
		&q.MaxWaitSeconds, &q.OverflowQueueID, &q.Default, timeCol{&q.CreatedAt}, timeCol{&q.UpdatedAt},
		&q.WorkingHoursID, &q.AutoAssignOutside, &members)
	if err != nil {
		return nil, err
	}
	q.Strategy = routing.Strategy(strategy)
	q.Members, err = readIDs(members)
	return &q, err
}

func (t *tx) queueArgs(q *routing.Queue) []any {
	d := t.s.d
	return []any{q.ID, q.Name, q.AutoAssignment, string(q.Strategy), q.StickyAgent, q.StickyTimeoutSeconds,
		q.MaxWaitSeconds, nullString(q.OverflowQueueID), q.Default, nullString(q.WorkingHoursID), q.AutoAssignOutside,
		d.time(q.UpdatedAt), d.time(q.CreatedAt)}
}

// CreateQueue implements storage.Tx. A taken id is reported without an
// error from the database; a taken name, or a second default queue, is the
// unique index's violation, mapped to ErrAlreadyExists.
func (t *tx) CreateQueue(ctx context.Context, q *routing.Queue) error {
	const op = "creating queue"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	ins := t.s.d.stmt(`INSERT INTO {queues}
		(id, name, auto_assignment, strategy, sticky_agent, sticky_timeout_seconds, max_wait_seconds,
		 overflow_queue_id, is_default, working_hours_id, auto_assign_outside, updated_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (id) DO NOTHING`, t.queueArgs(q)...)
	if err := t.run(ctx, ins); err != nil {
		return t.s.wrap(ctx, op, q.ID, err)
	}
	if ins.affected == 0 {
		return failure(op, q.ID, storage.ErrAlreadyExists)
	}
	return nil
}

// GetQueue implements storage.Tx.
func (t *tx) GetQueue(ctx context.Context, id string) (*routing.Queue, error) {
	const op = "getting queue"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	if !cleanText(id) {
		return nil, t.s.notFound(op, id)
	}
	return t.oneQueue(ctx, op, id, "q.id = $1", id)
}

// DefaultQueue implements storage.Tx.
func (t *tx) DefaultQueue(ctx context.Context) (*routing.Queue, error) {
	const op = "getting the default queue"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	return t.oneQueue(ctx, op, "", "q.is_default")
}

func (t *tx) oneQueue(ctx context.Context, op, id, where string, args ...any) (*routing.Queue, error) {
	d := t.s.d
	var q *routing.Queue
	st := d.stmt("SELECT "+d.queueCols()+" FROM {queues} q WHERE "+where+" ORDER BY q.id LIMIT 1", args...).each(func(r row) (err error) {
		q, err = scanQueue(r)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, id, err)
	}
	if q == nil {
		return nil, t.s.notFound(op, id)
	}
	return q, nil
}

// UpdateQueue implements storage.Tx.
func (t *tx) UpdateQueue(ctx context.Context, q *routing.Queue) error {
	const op = "updating queue"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(q.ID) {
		return t.s.notFound(op, q.ID)
	}
	up := t.s.d.stmt(`UPDATE {queues} SET name = $2, auto_assignment = $3, strategy = $4, sticky_agent = $5,
		sticky_timeout_seconds = $6, max_wait_seconds = $7, overflow_queue_id = $8, is_default = $9,
		working_hours_id = $10, auto_assign_outside = $11, updated_at = $12
		WHERE id = $1`, t.queueArgs(q)[:12]...)
	if err := t.run(ctx, up); err != nil {
		return t.s.wrap(ctx, op, q.ID, err)
	}
	if up.affected == 0 {
		return t.s.notFound(op, q.ID)
	}
	return nil
}

// ListQueues implements storage.Tx: the count (unless skipped) and the
// page, sent together.
func (t *tx) ListQueues(ctx context.Context, q storage.QueueQuery) (storage.Page[*routing.Queue], error) {
	const op = "listing queues"
	var page storage.Page[*routing.Queue]
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
			b.WriteString("SELECT count(*) FROM {queues} q")
			return queueFilter(b, &q.Filter)
		},
		func(b *builder) []string {
			b.WriteString("SELECT " + d.queueCols() + " FROM {queues} q")
			return queueFilter(b, &q.Filter)
		},
		keyedOrder{order: q.Order, col: queueOrderCols[q.Order.Field], id: "q.id", ks: ks},
		scanQueue)
}

// queueOrderCols are the sort keys of the queue orders on the queues table
// aliased q (none for the id order).
var queueOrderCols = map[storage.SortField]sortCol{
	storage.SortName:           {"q.name", keyText},
	storage.SortAutoAssignment: {"CASE WHEN q.auto_assignment THEN 1 ELSE 0 END", keyRank},
	storage.SortStickyAgent:    {"CASE WHEN q.sticky_agent THEN 1 ELSE 0 END", keyRank},
	storage.SortCreatedAt:      {"q.created_at", keyTime},
	storage.SortUpdatedAt:      {"q.updated_at", keyTime},
}

// queueFilter returns the conditions of f on the queues table aliased q.
func queueFilter(b *builder, f *storage.QueueFilter) []string {
	var conds []string
	if len(f.IDs) > 0 {
		conds = append(conds, b.oneOf("q.id", f.IDs))
	}
	if f.AgentID != "" {
		conds = append(conds, "q.id IN (SELECT m.queue_id FROM {queue_members} m WHERE m.agent_id = "+b.arg(f.AgentID)+")")
	}
	if f.Name != "" {
		conds = append(conds, "q.name = "+b.arg(f.Name))
	}
	if f.WorkingHoursID != "" {
		conds = append(conds, "q.working_hours_id = "+b.arg(f.WorkingHoursID))
	}
	return conds
}

// AddQueueMember implements storage.Tx: one INSERT that checks both ends
// and skips an existing membership; only when it inserts nothing does a
// second read say why.
func (t *tx) AddQueueMember(ctx context.Context, queueID, agentID string) (bool, error) {
	const op = "adding queue member"
	if err := checkCtx(ctx, op); err != nil {
		return false, err
	}
	if !cleanText(queueID) || !cleanText(agentID) {
		return false, t.s.notFound(op, queueID)
	}
	d := t.s.d
	ins := d.stmt(`INSERT INTO {queue_members} (queue_id, agent_id)
		SELECT $1::text, $2::text
		WHERE EXISTS (SELECT 1 FROM {queues} WHERE id = $1)
		  AND EXISTS (SELECT 1 FROM {agents} WHERE id = $2)
		ON CONFLICT DO NOTHING`, queueID, agentID)
	if err := t.run(ctx, ins); err != nil {
		return false, t.s.wrap(ctx, op, queueID, err)
	}
	if ins.affected > 0 {
		return true, nil
	}
	queueExists, agentExists := false, false
	err := t.run(ctx,
		d.stmt(`SELECT 1 FROM {queues} WHERE id = $1`, queueID).each(func(row) error {
			queueExists = true
			return nil
		}),
		d.stmt(`SELECT 1 FROM {agents} WHERE id = $1`, agentID).each(func(row) error {
			agentExists = true
			return nil
		}),
	)
	switch {
	case err != nil:
		return false, t.s.wrap(ctx, op, queueID, err)
	case !queueExists:
		return false, t.s.notFound(op+" to queue", queueID)
	case !agentExists:
		return false, t.s.notFound(op, agentID)
	}
	return false, nil
}

// RemoveQueueMember implements storage.Tx.
func (t *tx) RemoveQueueMember(ctx context.Context, queueID, agentID string) error {
	op := fmt.Sprintf("removing agent %q from queue", agentID) // the error names both
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(queueID) || !cleanText(agentID) {
		return t.s.notFound(op, queueID)
	}
	del := t.s.d.stmt(`DELETE FROM {queue_members} WHERE queue_id = $1 AND agent_id = $2`, queueID, agentID)
	if err := t.run(ctx, del); err != nil {
		return t.s.wrap(ctx, op, queueID, err)
	}
	if del.affected == 0 {
		return t.s.notFound(op, queueID)
	}
	return nil
}
