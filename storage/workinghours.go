package storage

import (
	"context"

	"github.com/parleyhq/parley/schedule"
)

// WorkingHoursReader is the reads of working hours. It is part of Reader.
type WorkingHoursReader interface {
	// GetWorkingHours returns the working hours. ErrNotFound when there
	// are none with that id.
	GetWorkingHours(ctx context.Context, id string) (*schedule.WorkingHours, error)
	// ListWorkingHours returns a page of working hours in id order.
	ListWorkingHours(ctx context.Context, q WorkingHoursQuery) (Page[*schedule.WorkingHours], error)
}

// WorkingHoursWriter is the writes of working hours. It is part of Tx.
type WorkingHoursWriter interface {
	// CreateWorkingHours inserts w. ErrAlreadyExists when the id is taken.
	CreateWorkingHours(ctx context.Context, w *schedule.WorkingHours) error
	// UpdateWorkingHours writes every field of w but CreatedAt.
	// ErrNotFound when there are none with its id.
	UpdateWorkingHours(ctx context.Context, w *schedule.WorkingHours) error
	// DeleteWorkingHours removes them. ErrNotFound when there are none;
	// ErrConflict when a queue or a routing rule still names them.
	DeleteWorkingHours(ctx context.Context, id string) error
}

// KindWorkingHours is the list kind of working-hours cursors.
const KindWorkingHours = "working-hours"

// WorkingHoursQuery is a page of working hours, in id order.
type WorkingHoursQuery struct {
	Paging
}

// Normalize applies the defaults and checks every field.
func (q *WorkingHoursQuery) Normalize() error { return q.Paging.normalize() }

// Keyset decodes the query's cursor (see ConversationQuery.Keyset); its ID
// is the last working hours' id.
func (q *WorkingHoursQuery) Keyset() (*Keyset, error) {
	if q.Cursor == "" {
		return nil, nil
	}
	return decodeCursor(newFingerprint(KindWorkingHours).sum(), q.Cursor, false)
}

// CursorAfter returns the cursor of the page that follows w.
func (q *WorkingHoursQuery) CursorAfter(w *schedule.WorkingHours) string {
	return encodeCursor(newFingerprint(KindWorkingHours).sum(), Keyset{ID: w.ID})
}
