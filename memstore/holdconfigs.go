package memstore

import (
	"context"
	"maps"
	"slices"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/storage"
)

func (t *txn) CreateHoldConfig(ctx context.Context, h *call.HoldConfig) error {
	return insertRow(t, ctx, "creating hold configuration", t.st.holdConfigs, h.ID, h, (*call.HoldConfig).Clone, nil)
}

func (t *txn) GetHoldConfig(ctx context.Context, id string) (*call.HoldConfig, error) {
	return readRow(t, ctx, "getting hold configuration", t.st.holdConfigs, id, (*call.HoldConfig).Clone)
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

func (t *txn) UpdateHoldConfig(ctx context.Context, h *call.HoldConfig) error {
	return replaceRow(t, ctx, "updating hold configuration", t.st.holdConfigs, h.ID, h, (*call.HoldConfig).Clone,
		func(stored, old *call.HoldConfig) { stored.CreatedAt = old.CreatedAt }, nil)
}

func (t *txn) DeleteHoldConfig(ctx context.Context, id string) error {
	return deleteRow(t, ctx, "deleting hold configuration", t.st.holdConfigs, id, nil)
}
