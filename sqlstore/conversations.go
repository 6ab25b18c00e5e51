package sqlstore

import (
	"context"
	"slices"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// convCols are a conversation's columns as scanConversation reads them;
// alias c.
const convCols = `c.id, c.topic, c.summary, c.status, c.priority,
	COALESCE(c.queue_id, '') AS queue_id, COALESCE(c.agent_id, '') AS agent_id,
	c.channel, c.customer_id, COALESCE(c.attributes, '') AS attributes,
	c.created_at, c.updated_at, c.closed_at, c.queued_at, c.version, c.source, c.passed_over`

// selectConversation is convCols and the tags, from the conversations
// table aliased c.
func (d *dialect) selectConversation() string {
	return "SELECT " + convCols + ", " + d.tagsOf("c") + " FROM {conversations} c"
}

// scanConversation reads convCols and the tags.
func scanConversation(r row) (*conversation.Conversation, error) {
	var (
		c                                      conversation.Conversation
		status, channel, source, attrs, tagCSV string
		rank                                   int
	)
	err := r.Scan(&c.ID, &c.Topic, &c.Summary, &status, &rank, &c.QueueID, &c.AgentID,
		&channel, &c.CustomerID, &attrs,
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, timeCol{&c.ClosedAt}, timeCol{&c.QueuedAt},
		&c.Version, &source, &c.PassedOver, &tagCSV)
	if err != nil {
		return nil, err
	}
	c.Status, c.Channel = conversation.Status(status), conversation.Channel(channel)
	c.Source = conversation.Source(source)
	c.Priority = conversation.PriorityOfRank(rank)
	if c.Attributes, err = readAttributes(attrs); err != nil {
		return nil, err
	}
	c.Tags = splitTags(tagCSV)
	return &c, nil
}

// conversationArgs are the written columns of c, in the order of
// sqlInsertConversation and sqlUpdateConversation ($1 to $18; $17 is
// created_at, which an update replaces with the version it expects).
func (t *tx) conversationArgs(c *conversation.Conversation) ([]any, error) {
	attrs, err := attributesText(c.Attributes)
	if err != nil {
		return nil, err
	}
	d := t.s.d
	return []any{
		c.ID, c.Topic, conversation.FoldTopic(c.Topic), c.Summary, string(c.Status),
		c.Priority.Rank(), nullString(c.QueueID), nullString(c.AgentID), string(c.Channel),
		c.CustomerID, attrs, d.time(c.UpdatedAt), d.nullTime(c.ClosedAt),
		d.nullTime(c.QueuedAt), c.Version, string(c.Source), d.time(c.CreatedAt),
		c.PassedOver,
	}, nil
}

// sqlInsertConversation inserts a conversation, failing on a taken id;
// sqlCreateConversation skips a taken id instead, so that the transaction
// stays usable.
const (
	sqlInsertConversation = `INSERT INTO {conversations}
	(id, topic, topic_folded, summary, status, priority, queue_id, agent_id, channel,
	 customer_id, attributes, updated_at, closed_at, queued_at, version, source, created_at,
	 passed_over)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`
	sqlCreateConversation = sqlInsertConversation + `
	ON CONFLICT (id) DO NOTHING`
)

// CreateConversation implements storage.Tx. The common case, without tags,
// is one INSERT that reports a taken id without raising an error (so that
// on PostgreSQL the transaction stays usable).
func (t *tx) CreateConversation(ctx context.Context, c *conversation.Conversation) error {
	const op = "creating conversation"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	args, err := t.conversationArgs(c)
	if err != nil {
		return t.s.wrap(ctx, op, c.ID, invalidJSON("attributes", err))
	}
	tags := sortedUnique(c.Tags)
	if len(tags) == 0 {
		ins := t.s.d.stmt(sqlCreateConversation, args...)
		if err := t.run(ctx, ins); err != nil {
			return t.s.wrap(ctx, op, c.ID, err)
		}
		if ins.affected == 0 {
			return failure(op, c.ID, storage.ErrAlreadyExists)
		}
		t.hold(c.ID, c.Version)
		return nil
	}
	err = func() error {
		d := t.s.d
		exists := false
		var found []string
		check := []*stmt{
			d.stmt(`SELECT 1 FROM {conversations} WHERE id = $1`, c.ID).each(func(row) error {
				exists = true
				return nil
			}),
			// Held, as EnsureTag holds them, until the links are in.
			d.stmt(`SELECT name FROM {tags} WHERE `+d.inList("name", "$1", "text")+d.forKeyShare(), d.textList(tags)).each(func(r row) error {
				var name string
				err := r.Scan(&name)
				found = append(found, name)
				return err
			}),
		}
		if err := t.run(ctx, check...); err != nil {
			return err
		}
		if exists {
			return failure(op, c.ID, storage.ErrAlreadyExists)
		}
		for _, name := range tags {
			if !slices.Contains(found, name) {
				return failure("finding tag", name, storage.ErrNotFound)
			}
		}
		ins := d.stmt(sqlCreateConversation, args...)
		if err := t.run(ctx, ins); err != nil {
			return err
		}
		if ins.affected == 0 {
			return failure(op, c.ID, storage.ErrAlreadyExists)
		}
		t.hold(c.ID, c.Version)
		return t.run(ctx, d.stmt(`INSERT INTO {conversation_tags} (conversation_id, tag_name)
			SELECT $1::text, name FROM {tags} WHERE `+d.inList("name", "$2", "text"), c.ID, d.textList(tags)))
	}()
	return t.s.wrap(ctx, op, c.ID, err)
}

// InsertConversation implements storage.ConversationInserter. Inside InTx
// on PostgreSQL a conversation without tags is a plain INSERT that waits
// for the transaction's next round trip, usually the commit's: a taken id
// (unique_violation) makes the database fail that round trip, which
// aborts the transaction before the COMMIT behind it runs, and the error
// names this operation. Elsewhere, and with tags (whose names are checked
// first), it is CreateConversation.
func (t *tx) InsertConversation(ctx context.Context, c *conversation.Conversation) error {
	const op = "creating conversation"
	if !t.defers() || len(c.Tags) > 0 {
		return t.CreateConversation(ctx, c)
	}
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if t.ended {
		return t.s.wrap(ctx, op, c.ID, errTxDone)
	}
	args, err := t.conversationArgs(c)
	if err != nil {
		return t.s.wrap(ctx, op, c.ID, invalidJSON("attributes", err))
	}
	ins := t.s.d.stmt(sqlInsertConversation, args...)
	if err := checkArgs([]*stmt{ins}); err != nil {
		return err
	}
	id := c.ID
	ins.fail = func(err error) error { return t.s.wrap(ctx, op, id, err) }
	t.pending = append(t.pending, ins)
	t.hold(c.ID, c.Version)
	return nil
}

// GetConversation implements storage.Tx.
func (t *tx) GetConversation(ctx context.Context, id string) (*conversation.Conversation, error) {
	return t.getConversation(ctx, "getting conversation", id, false)
}

// LockConversation implements storage.Tx: SELECT … FOR NO KEY UPDATE on
// PostgreSQL. On SQLite write transactions already run one at a time, so it
// is GetConversation.
func (t *tx) LockConversation(ctx context.Context, id string) (*conversation.Conversation, error) {
	return t.getConversation(ctx, "locking conversation", id, true)
}

// LockConversationAndAgents implements storage.Tx: the locking read of the
// conversation and the read of the agents (those of agentIDs and the
// assignee, by a subquery that sees the locked row) go in one batch.
func (t *tx) LockConversationAndAgents(ctx context.Context, id string, agentIDs ...string) (*conversation.Conversation, map[string]*routing.Agent, error) {
	const op = "locking conversation"
	if err := checkCtx(ctx, op); err != nil {
		return nil, nil, err
	}
	if !cleanText(id) {
		return nil, nil, t.s.notFound(op, id)
	}
	ids := make([]string, 0, len(agentIDs))
	for _, a := range agentIDs {
		if cleanText(a) { // other text names no agent
			ids = append(ids, a)
		}
	}
	d := t.s.d
	q := d.selectConversation() + " WHERE c.id = $1" + d.forUpdate()
	var c *conversation.Conversation
	agents := make(map[string]*routing.Agent, len(ids)+1)
	err := t.run(ctx,
		d.stmt(q, id).each(func(r row) (err error) {
			c, err = scanConversation(r)
			return err
		}),
		agentsQuery(d, id, ids).each(func(r row) error {
			a, err := scanAgent(r)
			if err == nil {
				agents[a.ID] = a
			}
			return err
		}),
	)
	if err != nil {
		return nil, nil, t.s.wrap(ctx, op, id, err)
	}
	if c == nil {
		return nil, nil, t.s.notFound(op, id)
	}
	t.hold(c.ID, c.Version)
	return c, agents, nil
}

// agentsQuery reads the agents of ids and the assignee of conversation $1:
// an OR of index lookups. With one id (the reply matrix's actor, the usual
// case) every parameter is a scalar, so that PostgreSQL's estimates for
// the statement's generic plan match its custom ones and it stops planning
// the statement on every call (an array parameter, estimated at ten
// elements, kept it planning: a third of the statement's time).
func agentsQuery(d *dialect, conversationID string, ids []string) *stmt {
	assignee := `a.id = (SELECT x.agent_id FROM {conversations} x WHERE x.id = $1)`
	if len(ids) <= 1 {
		actor := "" // names no agent: ids are never empty
		if len(ids) == 1 {
			actor = ids[0]
		}
		return d.stmt(`SELECT `+d.agentCols()+` FROM {agents} a WHERE a.id = $2 OR `+assignee, conversationID, actor)
	}
	return d.stmt(`SELECT `+d.agentCols()+` FROM {agents} a WHERE `+d.inList("a.id", "$2", "text")+` OR `+assignee, conversationID, d.textList(ids))
}

func (t *tx) getConversation(ctx context.Context, op, id string, lock bool) (*conversation.Conversation, error) {
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	if !cleanText(id) {
		return nil, t.s.notFound(op, id)
	}
	d := t.s.d
	q := d.selectConversation() + " WHERE c.id = $1"
	if lock {
		q += d.forUpdate()
	}
	var c *conversation.Conversation
	st := d.stmt(q, id).each(func(r row) (err error) {
		c, err = scanConversation(r)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, id, err)
	}
	if c == nil {
		return nil, t.s.notFound(op, id)
	}
	if lock {
		t.hold(c.ID, c.Version)
	}
	return c, nil
}

const sqlUpdateConversation = `UPDATE {conversations} SET
	topic = $2, topic_folded = $3, summary = $4, status = $5, priority = $6,
	queue_id = $7, agent_id = $8, channel = $9, customer_id = $10, attributes = $11,
	updated_at = $12, closed_at = $13, queued_at = $14, version = $15, source = $16,
	passed_over = $18
	WHERE id = $1 AND version = $17`

// UpdateConversation implements storage.Tx: one UPDATE guarded by the
// version; only when it changes nothing does a second read tell a missing
// conversation from a conflict.
//
// On PostgreSQL, when this transaction holds the conversation's row (it
// locked or created it) at prevVersion, the UPDATE waits for the
// transaction's next round trip, usually the commit's: no other
// transaction can change or delete a row this one holds, and this one
// changes it only here, so the guard cannot fail (it stays in the
// statement all the same). A failure of the database's own (a constraint)
// then fails that round trip, before the COMMIT behind it runs.
func (t *tx) UpdateConversation(ctx context.Context, c *conversation.Conversation, prevVersion int64) error {
	const op = "updating conversation"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(c.ID) {
		return t.s.notFound(op, c.ID)
	}
	args, err := t.conversationArgs(c)
	if err != nil {
		return t.s.wrap(ctx, op, c.ID, invalidJSON("attributes", err))
	}
	args[16] = prevVersion // in place of created_at, which an update keeps
	d := t.s.d
	up := d.stmt(sqlUpdateConversation, args...)
	if v, held := t.held[c.ID]; held && v == prevVersion && t.defers() && !t.ended {
		if err := checkArgs([]*stmt{up}); err != nil {
			return err
		}
		id := c.ID
		up.fail = func(err error) error { return t.s.wrap(ctx, op, id, err) }
		t.pending = append(t.pending, up)
		t.hold(c.ID, c.Version)
		return nil
	}
	if err := t.run(ctx, up); err != nil {
		return t.s.wrap(ctx, op, c.ID, err)
	}
	if up.affected > 0 {
		if _, held := t.held[c.ID]; held {
			t.hold(c.ID, c.Version)
		}
		return nil
	}
	exists := false
	probe := d.stmt(`SELECT 1 FROM {conversations} WHERE id = $1`, c.ID).each(func(row) error {
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

// DeleteConversation implements storage.Tx. The children are deleted
// explicitly (the foreign keys cascade too, but an SQLite connection of the
// host's might not enforce them), all in one atomic batch.
func (t *tx) DeleteConversation(ctx context.Context, id string) error {
	const op = "deleting conversation"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(id) {
		return t.s.notFound(op, id)
	}
	d := t.s.d
	del := d.stmt(`DELETE FROM {conversations} WHERE id = $1`, id)
	stmts := append(d.retireSeqs(d, id),
		d.stmt(`DELETE FROM {messages} WHERE conversation_id = $1`, id),
		d.stmt(`DELETE FROM {conversation_tags} WHERE conversation_id = $1`, id),
		d.stmt(`DELETE FROM {calls} WHERE conversation_id = $1`, id),
		d.stmt(`DELETE FROM {events} WHERE conversation_id = $1 AND type <> $2`, id, string(storage.ConversationDeleted)),
		del,
	)
	err := t.run(ctx, stmts...)
	if err != nil {
		return t.s.wrap(ctx, op, id, err)
	}
	if del.affected == 0 {
		return t.s.notFound(op, id)
	}
	delete(t.held, id)
	t.dropEvents(id)
	return nil
}

// ListConversations implements storage.Tx: one query for the count (unless
// skipped) and one for the page with its tags, sent together. The page
// query reads limit+1 rows in index order (a keyset condition for a
// cursor) and attaches the tags of those rows only.
func (t *tx) ListConversations(ctx context.Context, q storage.ConversationQuery) (storage.Page[*conversation.Conversation], error) {
	const op = "listing conversations"
	var page storage.Page[*conversation.Conversation]
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
	var stmts []*stmt
	page.Total = -1
	if !q.SkipTotal {
		stmts = append(stmts, d.conversationCount(&q.Filter).each(func(r row) error {
			return r.Scan(&page.Total)
		}))
	}
	items := make([]*conversation.Conversation, 0, min(q.Limit+1, 64))
	stmts = append(stmts, d.conversationPage(&q, ks).each(func(r row) error {
		c, err := scanConversation(r)
		items = append(items, c)
		return err
	}))
	if err := t.run(ctx, stmts...); err != nil {
		return storage.Page[*conversation.Conversation]{}, t.s.wrap(ctx, op, "", err)
	}
	if len(items) > q.Limit {
		items = items[:q.Limit]
		page.NextCursor = q.CursorAfter(items[len(items)-1])
	}
	page.Items = items
	return page, nil
}

// conversationCount counts the conversations f selects.
func (d *dialect) conversationCount(f *storage.ConversationFilter) *stmt {
	b := newBuilder(d)
	b.WriteString("SELECT count(*) FROM {conversations} c")
	b.where(conversationFilter(b, f))
	return b.stmt()
}

// conversationPage reads one page of q (limit+1 rows, to tell whether
// another follows) with the tags of its rows. The inner query walks an
// index in the order's direction from the keyset, if any; the outer one
// aggregates the tags of the rows it returned and nothing else.
func (d *dialect) conversationPage(q *storage.ConversationQuery, ks *storage.Keyset) *stmt {
	col := map[storage.SortField]string{
		storage.SortCreatedAt: "created_at",
		storage.SortUpdatedAt: "updated_at",
		storage.SortPriority:  "priority",
	}[q.Order.Field]
	dir, cmp := " ASC", " > "
	if q.Order.Desc {
		dir, cmp = " DESC", " < "
	}
	b := newBuilder(d)
	b.WriteString("SELECT p.*, " + d.tagsOf("p") + " FROM (SELECT " + convCols + " FROM {conversations} c")
	conds := conversationFilter(b, &q.Filter)
	if ks != nil {
		switch q.Order.Field {
		case storage.SortID:
			conds = append(conds, "c.id"+cmp+b.arg(ks.ID))
		case storage.SortPriority:
			conds = append(conds, "(c.priority, c.id)"+cmp+"("+b.arg(ks.Rank)+", "+b.arg(ks.ID)+")")
		default:
			conds = append(conds, "(c."+col+", c.id)"+cmp+"("+b.arg(d.time(ks.Time))+", "+b.arg(ks.ID)+")")
		}
	}
	b.where(conds)
	order := func(alias string) string {
		if col == "" {
			return " ORDER BY " + alias + ".id" + dir
		}
		return " ORDER BY " + alias + "." + col + dir + ", " + alias + ".id" + dir
	}
	b.WriteString(order("c"))
	b.WriteString(" LIMIT " + b.arg(q.Limit+1) + " OFFSET " + b.arg(q.Offset()) + ") p")
	b.WriteString(order("p"))
	return b.stmt()
}

// conversationFilter returns the conditions of f on the conversations
// table aliased c. A list of one value is an equality, which lets
// PostgreSQL walk a composite index in order.
func conversationFilter(b *builder, f *storage.ConversationFilter) []string {
	d := b.d
	var conds []string
	if len(f.IDs) > 0 {
		conds = append(conds, b.oneOf("c.id", f.IDs))
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, b.oneOf("c.status", strs(f.Statuses)))
	}
	if len(f.Priorities) > 0 {
		ranks := make([]int, len(f.Priorities))
		for i, p := range f.Priorities {
			ranks[i] = p.Rank()
		}
		ranks = sortedUnique(ranks)
		if len(ranks) == 1 {
			conds = append(conds, "c.priority = "+b.arg(ranks[0]))
		} else {
			conds = append(conds, d.inList("c.priority", b.arg(d.intList(ranks)), "smallint"))
		}
	}
	if len(f.QueueIDs) > 0 {
		conds = append(conds, b.oneOf("c.queue_id", f.QueueIDs))
	}
	if f.AgentID != "" {
		conds = append(conds, "c.agent_id = "+b.arg(f.AgentID))
	}
	if f.Unassigned {
		conds = append(conds, "c.agent_id IS NULL")
	}
	if len(f.Channels) > 0 {
		conds = append(conds, b.oneOf("c.channel", strs(f.Channels)))
	}
	if len(f.Sources) > 0 {
		conds = append(conds, b.oneOf("c.source", strs(f.Sources)))
	}
	if tags := sortedUnique(f.Tags); len(tags) > 0 {
		conds = append(conds, "c.id IN (SELECT t.conversation_id FROM {conversation_tags} t WHERE "+
			b.oneOf("t.tag_name", tags)+" GROUP BY t.conversation_id HAVING count(*) = "+b.arg(int64(len(tags)))+")")
	}
	if f.CustomerID != "" {
		conds = append(conds, "c.customer_id = "+b.arg(f.CustomerID))
	}
	if !f.CreatedAfter.IsZero() {
		conds = append(conds, "c.created_at >= "+b.arg(d.time(f.CreatedAfter)))
	}
	if !f.CreatedBefore.IsZero() {
		conds = append(conds, "c.created_at < "+b.arg(d.time(f.CreatedBefore)))
	}
	if !f.UpdatedAfter.IsZero() {
		conds = append(conds, "c.updated_at >= "+b.arg(d.time(f.UpdatedAfter)))
	}
	if !f.UpdatedBefore.IsZero() {
		conds = append(conds, "c.updated_at < "+b.arg(d.time(f.UpdatedBefore)))
	}
	if f.TopicContains != "" {
		conds = append(conds, d.contains("c.topic_folded", b.arg(conversation.FoldTopic(f.TopicContains))))
	}
	if !f.ClosedAfter.IsZero() || !f.ClosedBefore.IsZero() {
		conds = append(conds, "c.closed_at IS NOT NULL")
		conds = appendRange(b, conds, "c.closed_at", f.ClosedAfter, f.ClosedBefore)
	}
	return conds
}
