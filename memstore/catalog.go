package memstore

import (
	"context"
	"maps"
	"slices"

	"github.com/parleyhq/parley/storage"
)

// The configuration entities (working hours, waiting strategies, hold
// configurations) are rows of a map by id, copied in and out, with the
// same create, read, replace and delete: the functions below, each given
// the entity's map and its clone.

// readRow returns a copy of the row id of rows, under the read lock when
// t is the store's reader.
func readRow[T any](t *txn, ctx context.Context, op string, rows map[string]T, id string, clone func(T) T) (T, error) {
	defer t.enter()()
	var zero T
	if err := t.check(ctx, op); err != nil {
		return zero, err
	}
	v, ok := rows[id]
	if !ok {
		return zero, storage.Fail(op, id, storage.ErrNotFound)
	}
	return clone(v), nil
}

// insertRow stores a copy of v as the row id. ErrAlreadyExists when there
// is one; check, when set, may refuse the row before it is stored.
func insertRow[T any](t *txn, ctx context.Context, op string, rows map[string]T, id string, v T, clone func(T) T, check func() error) error {
	if err := t.check(ctx, op); err != nil {
		return err
	}
	if _, ok := rows[id]; ok {
		return storage.Fail(op, id, storage.ErrAlreadyExists)
	}
	if check != nil {
		if err := check(); err != nil {
			return err
		}
	}
	rows[id] = clone(v)
	t.onUndo(func() { delete(rows, id) })
	return nil
}

// replaceRow stores a copy of v in place of the row id, which keep may
// mend from the old row (its creation time). ErrNotFound when there is
// none; check, when set, may refuse v before it is stored.
func replaceRow[T any](t *txn, ctx context.Context, op string, rows map[string]T, id string, v T, clone func(T) T, keep func(stored, old T), check func() error) error {
	if err := t.check(ctx, op); err != nil {
		return err
	}
	old, ok := rows[id]
	if !ok {
		return storage.Fail(op, id, storage.ErrNotFound)
	}
	if check != nil {
		if err := check(); err != nil {
			return err
		}
	}
	stored := clone(v)
	keep(stored, old)
	rows[id] = stored
	t.onUndo(func() { rows[id] = old })
	return nil
}

// deleteRow removes the row id. ErrNotFound when there is none; check,
// when set, may refuse the delete (a row still in use).
func deleteRow[T any](t *txn, ctx context.Context, op string, rows map[string]T, id string, check func() error) error {
	if err := t.check(ctx, op); err != nil {
		return err
	}
	old, ok := rows[id]
	if !ok {
		return storage.Fail(op, id, storage.ErrNotFound)
	}
	if check != nil {
		if err := check(); err != nil {
			return err
		}
	}
	delete(rows, id)
	t.onUndo(func() { rows[id] = old })
	return nil
}

// idQuery is a list query of rows in id order (storage.WorkingHoursQuery,
// storage.HoldConfigQuery).
type idQuery[T any] interface {
	Normalize() error
	Keyset() (*storage.Keyset, error)
	CursorAfter(T) string
}

// listByID returns the page of rows q asks for, in id order; paging is
// q's, read once q is normalized.
func listByID[T any](t *txn, ctx context.Context, op string, q idQuery[T], paging *storage.Paging, rows map[string]T, id func(T) string, clone func(T) T) (storage.Page[T], error) {
	defer t.enter()()
	var none storage.Page[T]
	if err := t.check(ctx, op); err != nil {
		return none, err
	}
	if err := q.Normalize(); err != nil {
		return none, err
	}
	ks, err := q.Keyset()
	if err != nil {
		return none, err
	}
	p := pager[T]{
		order:  storage.Order{Field: storage.SortID},
		key:    func(v T) sortKey { return sortKey{ID: id(v)} },
		cursor: q.CursorAfter,
		clone:  clone,
	}
	return p.page(slices.Collect(maps.Values(rows)), *paging, ks), nil
}
