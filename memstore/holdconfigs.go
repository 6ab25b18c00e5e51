package memstore

import (
	"context"

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
	return listByID(t, ctx, "listing hold configurations", &q, &q.Paging, t.st.holdConfigs, func(v *call.HoldConfig) string { return v.ID }, (*call.HoldConfig).Clone)
}

func (t *txn) UpdateHoldConfig(ctx context.Context, h *call.HoldConfig) error {
	return replaceRow(t, ctx, "updating hold configuration", t.st.holdConfigs, h.ID, h, (*call.HoldConfig).Clone,
		func(stored, old *call.HoldConfig) { stored.CreatedAt = old.CreatedAt }, nil)
}

func (t *txn) DeleteHoldConfig(ctx context.Context, id string) error {
	return deleteRow(t, ctx, "deleting hold configuration", t.st.holdConfigs, id, nil)
}
