package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// storedCondition is a rule's condition as its JSON column holds it. The
// names are fixed here, not taken from the Go fields, so that renaming a
// field never changes stored data.
type storedCondition struct {
	Match         string            `json:"match"`
	Channels      []string          `json:"channels"`
	Priorities    []string          `json:"priorities"`
	TagsAny       []string          `json:"tagsAny"`
	TagsAll       []string          `json:"tagsAll"`
	CustomerID    string            `json:"customerId"`
	TopicContains string            `json:"topicContains"`
	Attributes    map[string]string `json:"attributes"`
}

func nilStrs[T ~string](vs []T) []string {
	if vs == nil {
		return nil
	}
	return strs(vs)
}

func fromStrs[T ~string](vs []string) []T {
	if vs == nil {
		return nil
	}
	out := make([]T, len(vs))
	for i, v := range vs {
		out[i] = T(v)
	}
	return out
}

// ListRules implements storage.Tx.
func (t *tx) ListRules(ctx context.Context) ([]routing.Rule, error) {
	const op = "listing routing rules"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	rules := []routing.Rule{}
	st := t.s.d.stmt(`SELECT id, name, queue_id, COALESCE(priority, -1), enabled, condition, COALESCE(working_hours_id, '')
		FROM {routing_rules} ORDER BY position`).each(func(r row) error {
		var (
			rule    routing.Rule
			rank    int
			enabled bool
			cond    string
			sc      storedCondition
		)
		if err := r.Scan(&rule.ID, &rule.Name, &rule.QueueID, &rank, &enabled, &cond, &rule.WorkingHoursID); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(cond), &sc); err != nil {
			return err
		}
		rule.Priority, rule.Disabled = conversation.PriorityOfRank(rank), !enabled
		rule.Condition = routing.Condition{
			Match:         routing.Match(sc.Match),
			Channels:      fromStrs[conversation.Channel](sc.Channels),
			Priorities:    fromStrs[conversation.Priority](sc.Priorities),
			TagsAny:       sc.TagsAny,
			TagsAll:       sc.TagsAll,
			CustomerID:    sc.CustomerID,
			TopicContains: sc.TopicContains,
			Attributes:    sc.Attributes,
		}
		rules = append(rules, rule)
		return nil
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, "", err)
	}
	return rules, nil
}

// rulesLockKey is the key of the lock ReplaceRules holds (see
// flavor.lockKey); the NUL keeps it apart from the service's keys.
const rulesLockKey = "\x00routing rules"

// ReplaceRules implements storage.Tx: a lock of the rule list (an
// advisory lock on PostgreSQL), the DELETE and every INSERT go in one
// atomic batch. Without the lock two replacements would each delete the
// rows they saw and insert theirs beside the other's, and meet at the
// primary key; with it the second deletes what the first inserted.
func (t *tx) ReplaceRules(ctx context.Context, rules []routing.Rule) error {
	const op = "replacing routing rules"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	d := t.s.d
	var stmts []*stmt
	if lock := d.lockKey(d, rulesLockKey); lock != nil {
		stmts = append(stmts, lock)
	}
	stmts = append(stmts, d.stmt(`DELETE FROM {routing_rules}`))
	for i, r := range rules {
		c := r.Condition
		cond, err := json.Marshal(storedCondition{
			Match: string(c.Match), Channels: nilStrs(c.Channels), Priorities: nilStrs(c.Priorities),
			TagsAny: c.TagsAny, TagsAll: c.TagsAll, CustomerID: c.CustomerID,
			TopicContains: c.TopicContains, Attributes: c.Attributes,
		})
		if err != nil {
			return invalidJSON("condition", err)
		}
		var rank any
		if r.Priority != "" {
			rank = r.Priority.Rank()
		}
		stmts = append(stmts, d.stmt(`INSERT INTO {routing_rules} (position, id, name, queue_id, priority, enabled, condition, working_hours_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, i, r.ID, r.Name, r.QueueID, rank, !r.Disabled, string(cond), nullString(r.WorkingHoursID)))
	}
	if err := t.run(ctx, stmts...); err != nil {
		return t.s.wrap(ctx, op, "", err)
	}
	return nil
}

// AgentLoad implements storage.Tx, on the (agent_id, status) index. The
// statuses restate routing.CountsAsLoad.
func (t *tx) AgentLoad(ctx context.Context, agentID string) (int, error) {
	const op = "counting agent load"
	if err := checkCtx(ctx, op); err != nil {
		return 0, err
	}
	if !cleanText(agentID) {
		return 0, nil
	}
	var n int
	st := t.s.d.stmt(`SELECT count(*) FROM {conversations}
		WHERE agent_id = $1 AND status IN ('OPEN', 'WAITING')`, agentID).each(func(r row) error { return r.Scan(&n) })
	if err := t.run(ctx, st); err != nil {
		return 0, t.s.wrap(ctx, op, agentID, err)
	}
	return n, nil
}

// QueueMemberLoads implements storage.Tx: the members with their loads,
// live calls and heartbeats in one query (presenceCols).
func (t *tx) QueueMemberLoads(ctx context.Context, queueID string) ([]storage.AgentLoad, error) {
	const op = "counting queue member loads"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	if !cleanText(queueID) {
		return nil, t.s.notFound(op, queueID)
	}
	d := t.s.d
	exists := false
	loads := []storage.AgentLoad{}
	err := t.run(ctx,
		d.stmt(`SELECT 1 FROM {queues} WHERE id = $1`, queueID).each(func(row) error {
			exists = true
			return nil
		}),
		d.stmt(`SELECT `+d.agentCols()+`, `+presenceCols+`
			FROM {queue_members} m JOIN {agents} a ON a.id = m.agent_id
			WHERE m.queue_id = $1 ORDER BY a.id`, queueID).each(func(r row) error {
			p, err := scanPresence(r)
			loads = append(loads, storage.AgentLoad{Agent: p.Agent, Load: p.Load, OnCall: p.OnCall, LastHeartbeat: p.LastHeartbeat})
			return err
		}),
	)
	if err != nil {
		return nil, t.s.wrap(ctx, op, queueID, err)
	}
	if !exists {
		return nil, t.s.notFound(op, queueID)
	}
	return loads, nil
}

// ListWaiting implements storage.Tx, on the partial index of waiting
// conversations (queue, priority rank descending, queued_at, id). Its
// conditions restate routing.Waiting, and are the index's predicate word
// for word, so that the planners use it; its order restates
// routing.ServingOrder, whose WaitingSince is queued_at: the domain sets
// QueuedAt whenever a conversation enters a queue.
func (t *tx) ListWaiting(ctx context.Context, q storage.WaitingQuery) ([]*conversation.Conversation, error) {
	const op = "listing waiting conversations"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	d := t.s.d
	b := newBuilder(d)
	b.WriteString(d.selectConversation())
	conds := []string{
		"c.queue_id = " + b.arg(q.QueueID),
		"c.agent_id IS NULL",
		"c.status IN ('OPEN', 'WAITING')",
	}
	if !q.QueuedBefore.IsZero() {
		conds = append(conds, "c.queued_at < "+b.arg(d.time(q.QueuedBefore)))
	}
	b.where(conds)
	b.WriteString(" ORDER BY c.priority DESC, c.queued_at, c.id LIMIT " + b.arg(q.Limit))
	out := []*conversation.Conversation{}
	st := b.stmt().each(func(r row) error {
		c, err := scanConversation(r)
		out = append(out, c)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, q.QueueID, err)
	}
	return out, nil
}

// LastAgentOfCustomer implements storage.Tx, on the (customer_id,
// updated_at) index. agent_id IS NOT NULL restates conversation.Assigned.
func (t *tx) LastAgentOfCustomer(ctx context.Context, customerID, exclude string, since time.Time) (string, error) {
	const op = "finding the last agent of customer"
	if err := checkCtx(ctx, op); err != nil {
		return "", err
	}
	if !cleanText(customerID) || !cleanText(exclude) {
		return "", nil
	}
	d := t.s.d
	var agent string
	st := d.stmt(`SELECT agent_id FROM {conversations}
		WHERE customer_id = $1 AND agent_id IS NOT NULL AND id <> $2 AND updated_at >= $3
		ORDER BY updated_at DESC, id DESC LIMIT 1`, customerID, exclude, d.time(since)).each(func(r row) error {
		return r.Scan(&agent)
	})
	if err := t.run(ctx, st); err != nil {
		return "", t.s.wrap(ctx, op, customerID, err)
	}
	return agent, nil
}

// LockKey implements storage.Tx: the flavor's lock of key (an advisory
// lock on PostgreSQL), or nothing where write transactions run one at a
// time anyway.
func (t *tx) LockKey(ctx context.Context, key string) error {
	const op = "locking key"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	d := t.s.d
	st := d.lockKey(d, key)
	if st == nil {
		return nil
	}
	if err := t.run(ctx, st); err != nil {
		return t.s.wrap(ctx, op, "", err)
	}
	return nil
}
