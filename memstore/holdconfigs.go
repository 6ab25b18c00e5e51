package memstore

import (
	"context"
	"maps"
	"slices"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/storage"
)

func (t *txn) holdConfig(op, id string) (*call.HoldConfig, error) {
	w, ok := t.st.holdConfigs[id]
	if !ok {
		return nil, storage.Fail(op, id, storage.ErrNotFound)
	}
	return w, nil
}

func (t *txn) CreateHoldConfig(ctx context.Context, w *call.HoldConfig) error {
	const op = "creating hold configuration"
	if err := t.check(ctx, op); err != nil {
		return err
	}
	if _, ok := t.st.holdConfigs[w.ID]; ok {
		return storage.Fail(op, w.ID, storage.ErrAlreadyExists)
	}
	t.st.holdConfigs[w.ID] = w.Clone()
	t.onUndo(func() { delete(t.st.holdConfigs, w.ID) })
	return nil
}

func (t *txn) GetHoldConfig(ctx context.Context, id string) (*call.HoldConfig, error) {
	defer t.enter()()
	const op = "getting hold configuration"
	if err := t.check(ctx, op); err != nil {
		return nil, err
	}
	w, err := t.holdConfig(op, id)
	if err != nil {
		return nil, err
	}
	return w.Clone(), nil
}

func (t *txn) ListHoldConfigs(ctx context.Context, q storage.HoldConfigQuery) (storage.Page[*call.HoldConfig], error) {
	defer t.enter()()
	const op = "listing hold configuration"
	var none storage.Page[*call.HoldConfig]
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
	p := pager[*call.HoldConfig]{
		order:  storage.Order{Field: storage.SortID},
		key:    func(w *call.HoldConfig) sortKey { return sortKey{ID: w.ID} },
		cursor: q.CursorAfter,
		clone:  (*call.HoldConfig).Clone,
	}
	return p.page(slices.Collect(maps.Values(t.st.holdConfigs)), q.Paging, ks), nil
}

func (t *txn) UpdateHoldConfig(ctx context.Context, w *call.HoldConfig) error {
	const op = "updating hold configuration"
	if err := t.check(ctx, op); err != nil {
		return err
	}
	old, err := t.holdConfig(op, w.ID)
	if err != nil {
		return err
	}
	stored := w.Clone()
	stored.CreatedAt = old.CreatedAt
	t.st.holdConfigs[w.ID] = stored
	t.onUndo(func() { t.st.holdConfigs[w.ID] = old })
	return nil
}

func (t *txn) DeleteHoldConfig(ctx context.Context, id string) error {
	const op = "deleting hold configuration"
	if err := t.check(ctx, op); err != nil {
		return err
	}
	old, err := t.holdConfig(op, id)
	if err != nil {
		return err
	}
	delete(t.st.holdConfigs, id)
	t.onUndo(func() { t.st.holdConfigs[id] = old })
	return nil
}
