package memstore

import (
	"context"

	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/storage"
)

func (t *txn) CreateWorkingHours(ctx context.Context, w *schedule.WorkingHours) error {
	return insertRow(t, ctx, "creating working hours", t.st.workingHours, w.ID, w, (*schedule.WorkingHours).Clone, nil)
}

func (t *txn) GetWorkingHours(ctx context.Context, id string) (*schedule.WorkingHours, error) {
	return readRow(t, ctx, "getting working hours", t.st.workingHours, id, (*schedule.WorkingHours).Clone)
}

func (t *txn) ListWorkingHours(ctx context.Context, q storage.WorkingHoursQuery) (storage.Page[*schedule.WorkingHours], error) {
	return listByID(t, ctx, "listing working hours", &q, &q.Paging, t.st.workingHours, func(v *schedule.WorkingHours) string { return v.ID }, (*schedule.WorkingHours).Clone)
}

func (t *txn) UpdateWorkingHours(ctx context.Context, w *schedule.WorkingHours) error {
	return replaceRow(t, ctx, "updating working hours", t.st.workingHours, w.ID, w, (*schedule.WorkingHours).Clone,
		func(stored, old *schedule.WorkingHours) { stored.CreatedAt = old.CreatedAt }, nil)
}

func (t *txn) DeleteWorkingHours(ctx context.Context, id string) error {
	const op = "deleting working hours"
	return deleteRow(t, ctx, op, t.st.workingHours, id, func() error {
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
		return nil
	})
}
