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
	if err := t.run(ctx, rulesStmt(t.s.d, &rules)); err != nil {
		return nil, t.s.wrap(ctx, op, "", err)
	}
	return rules, nil
}

// rulesStmt reads the rules, in order, into *rules.
func rulesStmt(d *dialect, rules *[]routing.Rule) *stmt {
	return d.stmt(`SELECT id, name, queue_id, COALESCE(priority, -1), enabled, condition, COALESCE(working_hours_id, '')
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
		*rules = append(*rules, rule)
		return nil
	})
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
	if err := t.run(ctx, loadStmt(t.s.d, agentID, &n)); err != nil {
		return 0, t.s.wrap(ctx, op, agentID, err)
	}
	return n, nil
}

// loadStmt counts the agent's load into *n.
func loadStmt(d *dialect, agentID string, n *int) *stmt {
	return d.stmt(`SELECT count(*) FROM {conversations}
		WHERE agent_id = $1 AND status IN ('OPEN', 'WAITING')`, agentID).each(func(r row) error { return r.Scan(n) })
}

// QueueMemberLoads implements storage.Tx: the members with their loads,
// live calls and heartbeats in one query (memberLoadsStmt).
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
		memberLoadsStmt(d, queueID, &loads),
	)
	if err != nil {
		return nil, t.s.wrap(ctx, op, queueID, err)
	}
	if !exists {
		return nil, t.s.notFound(op, queueID)
	}
	return loads, nil
}

// memberLoadsStmt reads the queue's members with their loads into *loads.
func memberLoadsStmt(d *dialect, queueID string, loads *[]storage.AgentLoad) *stmt {
	return d.stmt(`SELECT `+d.agentCols()+`, `+presenceCols+`
			FROM {queue_members} m JOIN {agents} a ON a.id = m.agent_id
			WHERE m.queue_id = $1 ORDER BY a.id`, queueID).each(func(r row) error {
		p, err := scanPresence(r)
		*loads = append(*loads, storage.AgentLoad{Agent: p.Agent, Load: p.Load, OnCall: p.OnCall, LastHeartbeat: p.LastHeartbeat})
		return err
	})
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
	out := []*conversation.Conversation{}
	if err := t.run(ctx, waitingStmt(t.s.d, q, &out)); err != nil {
		return nil, t.s.wrap(ctx, op, q.QueueID, err)
	}
	return out, nil
}

// waitingStmt reads the conversations waiting as q (normalized) says into
// *out.
func waitingStmt(d *dialect, q storage.WaitingQuery, out *[]*conversation.Conversation) *stmt {
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
	return b.stmt().each(func(r row) error {
		c, err := scanConversation(r)
		*out = append(*out, c)
		return err
	})
}

// LockConversationAndRules implements storage.RoutingReader: the locking
// read of the conversation, the rules and the default queue in one batch,
// read once the lock is held.
func (t *tx) LockConversationAndRules(ctx context.Context, id string) (*conversation.Conversation, []routing.Rule, *routing.Queue, error) {
	const op = "locking conversation"
	if err := checkCtx(ctx, op); err != nil {
		return nil, nil, nil, err
	}
	if !cleanText(id) {
		return nil, nil, nil, t.s.notFound(op, id)
	}
	d := t.s.d
	var (
		c     *conversation.Conversation
		def   *routing.Queue
		rules = []routing.Rule{}
	)
	err := t.run(ctx,
		d.stmt(d.selectConversation()+" WHERE c.id = $1"+d.forUpdate(), id).each(func(r row) (err error) {
			c, err = scanConversation(r)
			return err
		}),
		rulesStmt(d, &rules),
		d.stmt("SELECT "+d.queueCols()+" FROM {queues} q WHERE q.is_default ORDER BY q.id LIMIT 1").each(func(r row) (err error) {
			def, err = scanQueue(r)
			return err
		}),
	)
	if err != nil {
		return nil, nil, nil, t.s.wrap(ctx, op, id, err)
	}
	if c == nil {
		return nil, nil, nil, t.s.notFound(op, id)
	}
	t.hold(c.ID, c.Version)
	return c, rules, def, nil
}

// QueueHeadAndLoads implements storage.RoutingReader: the queue, its head
// and its members' loads in one batch.
func (t *tx) QueueHeadAndLoads(ctx context.Context, queueID string) (*routing.Queue, *conversation.Conversation, []storage.AgentLoad, error) {
	const op = "reading queue"
	if err := checkCtx(ctx, op); err != nil {
		return nil, nil, nil, err
	}
	if !cleanText(queueID) {
		return nil, nil, nil, t.s.notFound(op, queueID)
	}
	d := t.s.d
	var q *routing.Queue
	head := []*conversation.Conversation{}
	loads := []storage.AgentLoad{}
	wq := storage.WaitingQuery{QueueID: queueID, Limit: 1}
	if err := wq.Normalize(); err != nil {
		return nil, nil, nil, err
	}
	err := t.run(ctx,
		d.stmt("SELECT "+d.queueCols()+" FROM {queues} q WHERE q.id = $1", queueID).each(func(r row) (err error) {
			q, err = scanQueue(r)
			return err
		}),
		waitingStmt(d, wq, &head),
		memberLoadsStmt(d, queueID, &loads),
	)
	if err != nil {
		return nil, nil, nil, t.s.wrap(ctx, op, queueID, err)
	}
	if q == nil {
		return nil, nil, nil, t.s.notFound(op, queueID)
	}
	var first *conversation.Conversation
	if len(head) > 0 {
		first = head[0]
	}
	return q, first, loads, nil
}

// LockAgentAndLoad implements storage.RoutingReader: LockAgent's
// statements and the presence's read (load, live call, heartbeat), which
// starts once the lock is held, in one batch.
func (t *tx) LockAgentAndLoad(ctx context.Context, id string) (storage.AgentLoad, error) {
	const op = "locking agent"
	if err := checkCtx(ctx, op); err != nil {
		return storage.AgentLoad{}, err
	}
	if !cleanText(id) {
		return storage.AgentLoad{}, t.s.notFound(op, id)
	}
	var ps []routing.Presence
	presence := t.s.d.agentPresences([]string{id}).each(func(r row) error {
		p, err := scanPresence(r)
		ps = append(ps, p)
		return err
	})
	a, err := t.readAgent(ctx, op, id, true, presence)
	if err != nil {
		return storage.AgentLoad{}, err
	}
	if len(ps) == 0 {
		return storage.AgentLoad{}, t.s.notFound(op, id)
	}
	return storage.AgentLoad{Agent: a, Load: ps[0].Load, OnCall: ps[0].OnCall, LastHeartbeat: ps[0].LastHeartbeat}, nil
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

// WaitingQueues implements storage.WaitingQueuesReader: one probe of the
// partial index of waiting conversations per queue, so that its cost
// follows the number of queues, not of the conversations waiting.
func (t *tx) WaitingQueues(ctx context.Context) ([]string, error) {
	const op = "listing queues with waiting conversations"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	out := []string{}
	st := t.s.d.stmt(`SELECT q.id FROM {queues} q WHERE EXISTS (
	SELECT 1 FROM {conversations} c
	WHERE c.queue_id = q.id AND c.agent_id IS NULL AND c.status IN ('OPEN', 'WAITING'))
ORDER BY q.id`).each(func(r row) error {
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

// WaitingQueues implements storage.WaitingQueuesReader.
func (s *Store) WaitingQueues(ctx context.Context) ([]string, error) {
	return s.reader.(*tx).WaitingQueues(ctx)
}
