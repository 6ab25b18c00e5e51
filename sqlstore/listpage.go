package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/parleyhq/parley/storage"
)

// keyKind says which part of a storage.Keyset holds a sort key.
type keyKind int

const (
	keyTime keyKind = iota + 1
	keyRank
	keyText
)

// sortCol is the SQL expression of a sort key and the part of the keyset
// that holds it.
type sortCol struct {
	expr string
	kind keyKind
}

// keyedOrder is the order of a list by one key (none: by id) tie-broken by
// the id column in the same direction, and the keyset to start after.
type keyedOrder struct {
	order storage.Order
	col   sortCol // zero for an id order
	id    string
	ks    *storage.Keyset
}

// after is the keyset condition: the rows strictly after ks in the order.
func (o keyedOrder) after(b *builder) string {
	cmp := " > "
	if o.order.Desc {
		cmp = " < "
	}
	if o.col.expr == "" {
		return o.id + cmp + b.arg(o.ks.ID)
	}
	var key any
	switch o.col.kind {
	case keyTime:
		key = b.d.time(o.ks.Time)
	case keyRank:
		key = o.ks.Rank
	default:
		key = o.ks.Text
	}
	return "(" + o.col.expr + ", " + o.id + ")" + cmp + "(" + b.arg(key) + ", " + b.arg(o.ks.ID) + ")"
}

// orderBy is the ORDER BY clause.
func (o keyedOrder) orderBy() string {
	dir := " ASC"
	if o.order.Desc {
		dir = " DESC"
	}
	if o.col.expr == "" {
		return " ORDER BY " + o.id + dir
	}
	return " ORDER BY " + o.col.expr + dir + ", " + o.id + dir
}

// listPage reads a page of a list that has no rows to attach (agents,
// queues): the count, unless skipped, and limit+1 rows from the keyset in
// the order, in one round trip. count and rows write their statement's
// start to the builder and return its conditions.
func listPage[T any](t *tx, ctx context.Context, op string, p *storage.Paging, page *storage.Page[T],
	cursorAfter func(T) string, count, rows func(*builder) []string, o keyedOrder, scan func(row) (T, error)) (storage.Page[T], error) {
	d := t.s.d
	var stmts []*stmt
	page.Total = -1
	if !p.SkipTotal {
		b := newBuilder(d)
		b.where(count(b))
		stmts = append(stmts, b.stmt().each(func(r row) error { return r.Scan(&page.Total) }))
	}
	items := make([]T, 0, min(p.Limit+1, 64))
	stmts = append(stmts, d.pageStmt(p, rows, o).each(func(r row) error {
		v, err := scan(r)
		items = append(items, v)
		return err
	}))
	if err := t.run(ctx, stmts...); err != nil {
		return storage.Page[T]{}, t.s.wrap(ctx, op, "", err)
	}
	if len(items) > p.Limit {
		items = items[:p.Limit]
		page.NextCursor = cursorAfter(items[len(items)-1])
	}
	page.Items = items
	return *page, nil
}

// getRow reads the one row of sel (a SELECT whose only parameter, $1, is
// the id) into a value with scan. ErrNotFound when there is none.
func getRow[T any](t *tx, ctx context.Context, op, sel, id string, scan func(row) (T, error)) (T, error) {
	var zero T
	if err := checkCtx(ctx, op); err != nil {
		return zero, err
	}
	if !cleanText(id) {
		return zero, t.s.notFound(op, id)
	}
	var v T
	found := false
	st := t.s.d.stmt(sel, id).each(func(r row) (err error) {
		found = true
		v, err = scan(r)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return zero, t.s.wrap(ctx, op, id, err)
	}
	if !found {
		return zero, t.s.notFound(op, id)
	}
	return v, nil
}

// writeRow runs st, a write of the one row id whose affected count says
// whether it did: none is then ErrAlreadyExists (an INSERT that skips a
// taken id) or ErrNotFound (an UPDATE or DELETE that found no row). mapErr,
// when set, turns a failed statement's error into the store's own (a
// foreign key's refusal into ErrConflict).
func writeRow(t *tx, ctx context.Context, op, id string, st *stmt, none error, mapErr func(error) error) error {
	if err := t.run(ctx, st); err != nil {
		if mapErr != nil {
			if mapped := mapErr(err); mapped != nil {
				return mapped
			}
		}
		return t.s.wrap(ctx, op, id, err)
	}
	if st.affected > 0 {
		return nil
	}
	if errors.Is(none, storage.ErrNotFound) {
		return t.s.notFound(op, id)
	}
	return failure(op, id, none)
}

// pageStmt is the statement of a page: limit+1 rows, to tell whether
// another follows, from the keyset in the order. rows writes the
// statement's start to the builder and returns its conditions.
func (d *dialect) pageStmt(p *storage.Paging, rows func(*builder) []string, o keyedOrder) *stmt {
	b := newBuilder(d)
	conds := rows(b)
	if o.ks != nil {
		conds = append(conds, o.after(b))
	}
	b.where(conds)
	b.WriteString(o.orderBy() + " LIMIT " + b.arg(p.Limit+1) + " OFFSET " + b.arg(p.Offset()))
	return b.stmt()
}

// appendRange appends the half-open range [after, before) on col, each
// bound when set.
func appendRange(b *builder, conds []string, col string, after, before time.Time) []string {
	if !after.IsZero() {
		conds = append(conds, col+" >= "+b.arg(b.d.time(after)))
	}
	if !before.IsZero() {
		conds = append(conds, col+" < "+b.arg(b.d.time(before)))
	}
	return conds
}
