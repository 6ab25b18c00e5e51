package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/storage"
)

const msgCols = `m.id, m.conversation_id, m.direction, m.channel, m.from_addr, m.to_addr,
	m.content_type, m.content, COALESCE(m.agent_id, ''), m.private, m.created_at`

func scanMessage(r row) (*message.Message, error) {
	var (
		m                                message.Message
		direction, channel, typ, content string
	)
	err := r.Scan(&m.ID, &m.ConversationID, &direction, &channel, &m.From, &m.To,
		&typ, &content, &m.AgentID, &m.Private, timeCol{&m.CreatedAt})
	if err != nil {
		return nil, err
	}
	m.Direction, m.Channel, m.ContentType = message.Direction(direction), conversation.Channel(channel), message.ContentType(typ)
	if err := json.Unmarshal([]byte(content), &m.Content); err != nil {
		return nil, err
	}
	return &m, nil
}

// messageCols are the columns a message is inserted with, in the order of
// messageArgs.
const messageCols = `(id, conversation_id, direction, channel, from_addr, to_addr, content_type, content, agent_id, private, created_at)`

// messageArgs are m's values for messageCols.
func messageArgs(d *dialect, m *message.Message) ([]any, error) {
	content, err := json.Marshal(m.Content)
	if err != nil {
		return nil, invalidJSON("content", err)
	}
	return []any{m.ID, m.ConversationID, string(m.Direction), string(m.Channel), m.From, m.To,
		string(m.ContentType), string(content), nullString(m.AgentID), m.Private, d.time(m.CreatedAt)}, nil
}

// CreateMessage implements storage.Tx: one INSERT that checks the
// conversation exists and skips a taken id; only when it inserts nothing
// does a second read say why.
func (t *tx) CreateMessage(ctx context.Context, m *message.Message) error {
	const op = "creating message"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	d := t.s.d
	args, err := messageArgs(d, m)
	if err != nil {
		return err
	}
	ins := d.stmt(`INSERT INTO {messages} `+messageCols+`
		SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::boolean, $11::timestamptz
		WHERE EXISTS (SELECT 1 FROM {conversations} WHERE id = $2)
		ON CONFLICT (id) DO NOTHING`, args...)
	if err := t.run(ctx, ins); err != nil {
		return t.s.wrap(ctx, op, m.ID, err)
	}
	if ins.affected > 0 {
		return nil
	}
	exists := false
	probe := d.stmt(`SELECT 1 FROM {conversations} WHERE id = $1`, m.ConversationID).each(func(row) error {
		exists = true
		return nil
	})
	if err := t.run(ctx, probe); err != nil {
		return t.s.wrap(ctx, op, m.ID, err)
	}
	if !exists {
		return t.s.notFound(op+" in conversation", m.ConversationID)
	}
	return failure(op, m.ID, storage.ErrAlreadyExists)
}

// AppendMessage implements storage.Tx. Inside InTx on PostgreSQL the INSERT
// waits for the transaction's next round trip, usually the commit's, so
// that appending a message and committing cost one round trip. It is a
// plain INSERT: a taken id (unique_violation) or a missing conversation
// (foreign_key_violation) makes the database fail that round trip, which
// aborts the transaction before the COMMIT behind it runs, and the error
// names this operation. Elsewhere it is CreateMessage.
func (t *tx) AppendMessage(ctx context.Context, m *message.Message) error {
	const op = "creating message"
	if !t.defers() {
		return t.CreateMessage(ctx, m)
	}
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if t.ended {
		return t.s.wrap(ctx, op, m.ID, errTxDone)
	}
	d := t.s.d
	args, err := messageArgs(d, m)
	if err != nil {
		return err
	}
	ins := d.stmt(`INSERT INTO {messages} `+messageCols+`
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, args...)
	if err := checkArgs([]*stmt{ins}); err != nil {
		return err
	}
	ins.fail = func(err error) error { return t.s.wrap(ctx, op, m.ID, err) }
	t.pending = append(t.pending, ins)
	return nil
}

// GetMessage implements storage.Tx.
func (t *tx) GetMessage(ctx context.Context, id string) (*message.Message, error) {
	const op = "getting message"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	if !cleanText(id) {
		return nil, t.s.notFound(op, id)
	}
	var m *message.Message
	st := t.s.d.stmt(`SELECT `+msgCols+` FROM {messages} m WHERE m.id = $1`, id).each(func(r row) (err error) {
		m, err = scanMessage(r)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, id, err)
	}
	if m == nil {
		return nil, t.s.notFound(op, id)
	}
	return m, nil
}

// ListMessages implements storage.Tx: the existence check, the count and
// the page go together; the page walks the (conversation_id, created_at,
// id) index.
func (t *tx) ListMessages(ctx context.Context, q storage.MessageQuery) (storage.Page[*message.Message], error) {
	const op = "listing messages"
	var page storage.Page[*message.Message]
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
	filter := func(b *builder) []string {
		conds := []string{"m.conversation_id = " + b.arg(q.ConversationID)}
		if len(q.IDs) > 0 {
			conds = append(conds, b.oneOf("m.id", q.IDs))
		}
		if q.Direction != "" {
			conds = append(conds, "m.direction = "+b.arg(string(q.Direction)))
		}
		if q.Channel != "" {
			conds = append(conds, "m.channel = "+b.arg(string(q.Channel)))
		}
		if q.PrivateOnly {
			// A literal, so that the partial index of private messages
			// serves it.
			conds = append(conds, "m.private")
		}
		if !q.CreatedAfter.IsZero() {
			conds = append(conds, "m.created_at >= "+b.arg(d.time(q.CreatedAfter)))
		}
		if !q.CreatedBefore.IsZero() {
			conds = append(conds, "m.created_at < "+b.arg(d.time(q.CreatedBefore)))
		}
		return conds
	}
	exists := false
	stmts := []*stmt{d.stmt(`SELECT 1 FROM {conversations} WHERE id = $1`, q.ConversationID).each(func(row) error {
		exists = true
		return nil
	})}
	page.Total = -1
	if !q.SkipTotal {
		b := newBuilder(d)
		b.WriteString("SELECT count(*) FROM {messages} m")
		b.where(filter(b))
		stmts = append(stmts, b.stmt().each(func(r row) error { return r.Scan(&page.Total) }))
	}
	dir, cmp := " ASC", " > "
	if q.Desc {
		dir, cmp = " DESC", " < "
	}
	b := newBuilder(d)
	b.WriteString("SELECT " + msgCols + " FROM {messages} m")
	conds := filter(b)
	if ks != nil {
		conds = append(conds, "(m.created_at, m.id)"+cmp+"("+b.arg(d.time(ks.Time))+", "+b.arg(ks.ID)+")")
	}
	b.where(conds)
	b.WriteString(" ORDER BY m.created_at" + dir + ", m.id" + dir)
	b.WriteString(" LIMIT " + b.arg(q.Limit+1) + " OFFSET " + b.arg(q.Offset()))
	items := make([]*message.Message, 0, min(q.Limit+1, 64))
	stmts = append(stmts, b.stmt().each(func(r row) error {
		m, err := scanMessage(r)
		items = append(items, m)
		return err
	}))
	if err := t.run(ctx, stmts...); err != nil {
		return storage.Page[*message.Message]{}, t.s.wrap(ctx, op, q.ConversationID, err)
	}
	if !exists {
		return storage.Page[*message.Message]{}, t.s.notFound(op, q.ConversationID)
	}
	if len(items) > q.Limit {
		items = items[:q.Limit]
		page.NextCursor = q.CursorAfter(items[len(items)-1])
	}
	page.Items = items
	return page, nil
}
