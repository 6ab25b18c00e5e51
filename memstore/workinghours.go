package memstore

import (
	"context"
	"maps"
	"slices"

	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/storage"
)

func (t *txn) workingHours(op, id string) (*schedule.WorkingHours, error) {
	w, ok := t.st.workingHours[id]
	if !ok {
		return nil, storage.Fail(op, id, storage.ErrNotFound)
	}
	return w, nil
}

func (t *txn) CreateWorkingHours(ctx context.Context, w *schedule.WorkingHours) error {
	const op = "creating working hours"
	if err := t.check(ctx, op); err != nil {
		return err
	}
	if _, ok := t.st.workingHours[w.ID]; ok {
		return storage.Fail(op, w.ID, storage.ErrAlreadyExists)
	}
	t.st.workingHours[w.ID] = w.Clone()
	t.onUndo(func() { delete(t.st.workingHours, w.ID) })
	return nil
}

func (t *txn) GetWorkingHours(ctx context.Context, id string) (*schedule.WorkingHours, error) {
	defer t.enter()()
	const op = "getting working hours"
	if err := t.check(ctx, op); err != nil {
		return nil, err
	}
	w, err := t.workingHours(op, id)
	if err != nil {
		return nil, err
	}
	return w.Clone(), nil
}

func (t *txn) ListWorkingHours(ctx context.Context, q storage.WorkingHoursQuery) (storage.Page[*schedule.WorkingHours], error) {
	defer t.enter()()
	const op = "listing working hours"
	var none storage.Page[*schedule.WorkingHours]
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
	p := pager[*schedule.WorkingHours]{
		order:  storage.Order{Field: storage.SortID},
		key:    func(w *schedule.WorkingHours) sortKey { return sortKey{ID: w.ID} },
		cursor: q.CursorAfter,
		clone:  (*schedule.WorkingHours).Clone,
	}
	return p.page(slices.Collect(maps.Values(t.st.workingHours)), q.Paging, ks), nil
}

func (t *txn) UpdateWorkingHours(ctx context.Context, w *schedule.WorkingHours) error {
	const op = "updating working hours"
	if err := t.check(ctx, op); err != nil {
		return err
	}
	old, err := t.workingHours(op, w.ID)
	if err != nil {
		return err
	}
	stored := w.Clone()
	stored.CreatedAt = old.CreatedAt
	t.st.workingHours[w.ID] = stored
	t.onUndo(func() { t.st.workingHours[w.ID] = old })
	return nil
}

func (t *txn) DeleteWorkingHours(ctx context.Context, id string) error {
	const op = "deleting working hours"
	if err := t.check(ctx, op); err != nil {
		return err
	}
	old, err := t.workingHours(op, id)
	if err != nil {
		return err
	}
	for _, q := range t.st.queues {
		if q.WorkingHoursID == id {
			return storage.Fail(op, id, storage.ErrConflict)
		}
	}
	for _, r := range t.st.rules {
		if r.WorkingHoursID == id {
			return storage.Fail(op, id, storage.ErrConflict)
		}
	}
	delete(t.st.workingHours, id)
	t.onUndo(func() { t.st.workingHours[id] = old })
	return nil
}
