package sqlstore

import (
	"context"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

const sqlInsertTag = `INSERT INTO {tags} (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`

// CreateTag implements storage.Tx.
func (t *tx) CreateTag(ctx context.Context, tg *tag.Tag) error {
	const op = "creating tag"
	created, err := t.insertTag(ctx, op, tg)
	if err != nil {
		return err
	}
	if !created {
		return failure(op, tg.Name, storage.ErrAlreadyExists)
	}
	return nil
}

// EnsureTag implements storage.Tx: the same INSERT … ON CONFLICT DO
// NOTHING, which never fails for a taken name, even a concurrent one, and
// in the same round trip a read of the tag FOR KEY SHARE on PostgreSQL,
// which holds it against deletion until the transaction ends. When that
// read finds nothing, a deletion committed between the two statements:
// the next round inserts the tag after all.
func (t *tx) EnsureTag(ctx context.Context, tg *tag.Tag) (bool, error) {
	const op = "ensuring tag"
	if err := checkCtx(ctx, op); err != nil {
		return false, err
	}
	d := t.s.d
	created := false
	// The bound only keeps a pathological churn of deletions from holding
	// the transaction forever.
	for range maxEnsureRounds {
		ins := d.stmt(sqlInsertTag, tg.Name, d.time(tg.CreatedAt))
		found := false
		hold := d.stmt(`SELECT 1 FROM {tags} WHERE name = $1`+d.forKeyShare(), tg.Name).each(func(row) error {
			found = true
			return nil
		})
		if err := t.run(ctx, ins, hold); err != nil {
			return false, t.s.wrap(ctx, op, tg.Name, err)
		}
		created = created || ins.affected > 0
		if found {
			return created, nil
		}
	}
	return false, failure(op, tg.Name, storage.ErrConflict)
}

func (t *tx) insertTag(ctx context.Context, op string, tg *tag.Tag) (bool, error) {
	if err := checkCtx(ctx, op); err != nil {
		return false, err
	}
	ins := t.s.d.stmt(sqlInsertTag, tg.Name, t.s.d.time(tg.CreatedAt))
	if err := t.run(ctx, ins); err != nil {
		return false, t.s.wrap(ctx, op, tg.Name, err)
	}
	return ins.affected > 0, nil
}

func scanTag(r row) (*tag.Tag, error) {
	var tg tag.Tag
	if err := r.Scan(&tg.Name, timeCol{&tg.CreatedAt}); err != nil {
		return nil, err
	}
	return &tg, nil
}

// GetTag implements storage.Tx.
func (t *tx) GetTag(ctx context.Context, name string) (*tag.Tag, error) {
	const op = "getting tag"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	if !cleanText(name) {
		return nil, t.s.notFound(op, name)
	}
	var tg *tag.Tag
	st := t.s.d.stmt(`SELECT name, created_at FROM {tags} WHERE name = $1`, name).each(func(r row) (err error) {
		tg, err = scanTag(r)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, name, err)
	}
	if tg == nil {
		return nil, t.s.notFound(op, name)
	}
	return tg, nil
}

// DeleteTag implements storage.Tx.
func (t *tx) DeleteTag(ctx context.Context, name string) error {
	const op = "deleting tag"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(name) {
		return t.s.notFound(op, name)
	}
	d := t.s.d
	del := d.stmt(`DELETE FROM {tags} WHERE name = $1`, name)
	// A CLOSED conversation keeps its link (closed is immutable): no
	// foreign key ties a link to the catalog (migration 9). The catalog
	// row goes first: its DELETE waits for a writer that holds the tag
	// (EnsureTag), so the unlink after it, reading afresh, sees that
	// writer's links too.
	unlink := d.stmt(`DELETE FROM {conversation_tags} WHERE tag_name = $1
		AND conversation_id IN (SELECT id FROM {conversations} WHERE status <> $2)`, name, string(conversation.Closed))
	err := t.run(ctx, del, unlink)
	if err != nil {
		return t.s.wrap(ctx, op, name, err)
	}
	if del.affected == 0 {
		return t.s.notFound(op, name)
	}
	return nil
}

// ListTags implements storage.Tx. A prefix is a range on the name (never a
// LIKE pattern), so it uses the primary key; so does the name order (a
// tag's id), and the time orders use tags_created.
func (t *tx) ListTags(ctx context.Context, q storage.TagQuery) (storage.Page[*tag.Tag], error) {
	const op = "listing tags"
	var page storage.Page[*tag.Tag]
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
	from := func(b *builder) []string {
		var conds []string
		if q.ConversationID != "" {
			b.WriteString(" FROM {conversation_tags} l JOIN {tags} g ON g.name = l.tag_name")
			conds = append(conds, "l.conversation_id = "+b.arg(q.ConversationID))
		} else {
			b.WriteString(" FROM {tags} g")
		}
		if q.Prefix != "" {
			conds = append(conds, "g.name >= "+b.arg(q.Prefix), "g.name < "+b.arg(prefixEnd(q.Prefix)))
		}
		if q.Name != "" {
			conds = append(conds, "g.name = "+b.arg(q.Name))
		}
		return conds
	}
	var stmts []*stmt
	exists := q.ConversationID == ""
	if !exists {
		stmts = append(stmts, d.stmt(`SELECT 1 FROM {conversations} WHERE id = $1`, q.ConversationID).each(func(row) error {
			exists = true
			return nil
		}))
	}
	page.Total = -1
	if !q.SkipTotal {
		b := newBuilder(d)
		b.WriteString("SELECT count(*)")
		b.where(from(b))
		stmts = append(stmts, b.stmt().each(func(r row) error { return r.Scan(&page.Total) }))
	}
	b := newBuilder(d)
	b.WriteString("SELECT g.name, g.created_at")
	conds := from(b)
	o := keyedOrder{order: q.Order, id: "g.name", ks: ks}
	if q.Order.Field == storage.SortCreatedAt || q.Order.Field == storage.SortUpdatedAt {
		o.col = sortCol{"g.created_at", keyTime} // a tag is never updated
	}
	if ks != nil {
		conds = append(conds, o.after(b))
	}
	b.where(conds)
	b.WriteString(o.orderBy() + " LIMIT " + b.arg(q.Limit+1) + " OFFSET " + b.arg(q.Offset()))
	items := make([]*tag.Tag, 0, min(q.Limit+1, 64))
	stmts = append(stmts, b.stmt().each(func(r row) error {
		tg, err := scanTag(r)
		items = append(items, tg)
		return err
	}))
	if err := t.run(ctx, stmts...); err != nil {
		return storage.Page[*tag.Tag]{}, t.s.wrap(ctx, op, "", err)
	}
	if !exists {
		return storage.Page[*tag.Tag]{}, t.s.notFound(op, q.ConversationID)
	}
	if len(items) > q.Limit {
		items = items[:q.Limit]
		page.NextCursor = q.CursorAfter(items[len(items)-1])
	}
	page.Items = items
	return page, nil
}

// AddConversationTag implements storage.Tx: one INSERT that checks both
// ends exist and skips an existing link; only when it inserts nothing does
// a second read say why.
func (t *tx) AddConversationTag(ctx context.Context, conversationID, name string) (bool, error) {
	const op = "tagging conversation"
	if err := checkCtx(ctx, op); err != nil {
		return false, err
	}
	if !cleanText(conversationID) {
		return false, t.s.notFound(op, conversationID)
	}
	if !cleanText(name) {
		return false, t.s.notFound(op, name)
	}
	d := t.s.d
	ins := d.stmt(`INSERT INTO {conversation_tags} (conversation_id, tag_name)
		SELECT $1::text, $2::text
		WHERE EXISTS (SELECT 1 FROM {conversations} WHERE id = $1)
		  AND EXISTS (SELECT 1 FROM {tags} WHERE name = $2)
		ON CONFLICT DO NOTHING`, conversationID, name)
	if err := t.run(ctx, ins); err != nil {
		return false, t.s.wrap(ctx, op, conversationID, err)
	}
	if ins.affected > 0 {
		return true, nil
	}
	convExists, tagExists := false, false
	err := t.run(ctx,
		d.stmt(`SELECT 1 FROM {conversations} WHERE id = $1`, conversationID).each(func(row) error {
			convExists = true
			return nil
		}),
		d.stmt(`SELECT 1 FROM {tags} WHERE name = $1`, name).each(func(row) error {
			tagExists = true
			return nil
		}),
	)
	switch {
	case err != nil:
		return false, t.s.wrap(ctx, op, conversationID, err)
	case !convExists:
		return false, t.s.notFound(op, conversationID)
	case !tagExists:
		return false, t.s.notFound("finding tag", name)
	}
	return false, nil
}

// RemoveConversationTag implements storage.Tx.
func (t *tx) RemoveConversationTag(ctx context.Context, conversationID, name string) error {
	const op = "untagging conversation"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(conversationID) || !cleanText(name) {
		return t.s.notFound(op, conversationID)
	}
	del := t.s.d.stmt(`DELETE FROM {conversation_tags} WHERE conversation_id = $1 AND tag_name = $2`, conversationID, name)
	if err := t.run(ctx, del); err != nil {
		return t.s.wrap(ctx, op, conversationID, err)
	}
	if del.affected == 0 {
		return t.s.notFound(op, conversationID+"/"+name)
	}
	return nil
}
