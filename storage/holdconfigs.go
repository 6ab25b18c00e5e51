package storage

import (
	"context"

	"github.com/parleyhq/parley/call"
)

// HoldConfigReader is the reads of hold configurations. It is part of
// Reader.
type HoldConfigReader interface {
	// GetHoldConfig returns the hold configuration. ErrNotFound when there
	// is none with that id.
	GetHoldConfig(ctx context.Context, id string) (*call.HoldConfig, error)
	// ListHoldConfigs returns a page of hold configurations in id order.
	ListHoldConfigs(ctx context.Context, q HoldConfigQuery) (Page[*call.HoldConfig], error)
}

// HoldConfigWriter is the writes of hold configurations. It is part of Tx.
// The store checks no rule between configurations (call.HoldConflicts):
// the service does, under a key lock.
type HoldConfigWriter interface {
	// CreateHoldConfig inserts h. ErrAlreadyExists when the id is taken.
	CreateHoldConfig(ctx context.Context, h *call.HoldConfig) error
	// UpdateHoldConfig writes every field of h but CreatedAt. ErrNotFound
	// when there is none with its id.
	UpdateHoldConfig(ctx context.Context, h *call.HoldConfig) error
	// DeleteHoldConfig removes it. ErrNotFound when there is none.
	DeleteHoldConfig(ctx context.Context, id string) error
}

// KindHoldConfigs is the list kind of hold-configuration cursors.
const KindHoldConfigs = "hold-configs"

// HoldConfigQuery is a page of hold configurations, in id order.
type HoldConfigQuery struct {
	Paging
}

// Normalize applies the defaults and checks every field.
func (q *HoldConfigQuery) Normalize() error { return q.Paging.normalize() }

// Keyset decodes the query's cursor (see ConversationQuery.Keyset); its ID
// is the last configuration's id.
func (q *HoldConfigQuery) Keyset() (*Keyset, error) {
	if q.Cursor == "" {
		return nil, nil
	}
	return decodeCursor(newFingerprint(KindHoldConfigs).sum(), q.Cursor, false)
}

// CursorAfter returns the cursor of the page that follows h.
func (q *HoldConfigQuery) CursorAfter(h *call.HoldConfig) string {
	return encodeCursor(newFingerprint(KindHoldConfigs).sum(), Keyset{ID: h.ID})
}

// The events of hold configurations; their EntityID is the
// configuration's id.
const (
	HoldConfigCreated EventType = "hold_config.created"
	HoldConfigUpdated EventType = "hold_config.updated"
	HoldConfigDeleted EventType = "hold_config.deleted"
)
