package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/storage"
)

// storedHold is the JSON body of a hold-configuration row: what is not a
// column. The names are fixed here, not taken from the Go fields, so that
// renaming a field never changes stored data.
type storedHold struct {
	Music        storedMusic        `json:"onHoldMusic"`
	Announcement storedAnnouncement `json:"announcementMessage"`
	QueueIDs     []string           `json:"queueIds"`
	Enabled      bool               `json:"enabled"`
	Default      bool               `json:"default"`
}

const holdConfigCols = `id, name, body, created_at, updated_at`

func scanHoldConfig(r row) (*call.HoldConfig, error) {
	var (
		h    call.HoldConfig
		body string
		sh   storedHold
	)
	if err := r.Scan(&h.ID, &h.Name, &body, timeCol{&h.CreatedAt}, timeCol{&h.UpdatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(body), &sh); err != nil {
		return nil, err
	}
	h.QueueIDs, h.Enabled, h.Default = sh.QueueIDs, sh.Enabled, sh.Default
	h.OnHoldMusic = fromStoredMusic(sh.Music)
	h.AnnouncementMessage = fromStoredAnnouncement(sh.Announcement)
	return &h, nil
}

// holdArgs are the written columns of h: id, name, body, updated_at,
// created_at ($1 to $5).
func (t *tx) holdArgs(h *call.HoldConfig) ([]any, error) {
	sh := storedHold{
		Music:        toStoredMusic(h.OnHoldMusic),
		Announcement: toStoredAnnouncement(h.AnnouncementMessage),
		QueueIDs:     h.QueueIDs, Enabled: h.Enabled, Default: h.Default,
	}
	body, err := json.Marshal(sh)
	if err != nil {
		return nil, invalidJSON("announcementMessage", err)
	}
	d := t.s.d
	return []any{h.ID, h.Name, string(body), d.time(h.UpdatedAt), d.time(h.CreatedAt)}, nil
}

// CreateHoldConfig implements storage.Tx: one INSERT that reports a taken
// id without raising an error.
func (t *tx) CreateHoldConfig(ctx context.Context, h *call.HoldConfig) error {
	const op = "creating hold configuration"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	args, err := t.holdArgs(h)
	if err != nil {
		return err
	}
	ins := t.s.d.stmt(`INSERT INTO {hold_configs} (id, name, body, updated_at, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`, args...)
	return writeRow(t, ctx, op, h.ID, ins, storage.ErrAlreadyExists, nil)
}

// GetHoldConfig implements storage.Tx.
func (t *tx) GetHoldConfig(ctx context.Context, id string) (*call.HoldConfig, error) {
	return getRow(t, ctx, "getting hold configuration", `SELECT `+holdConfigCols+` FROM {hold_configs} WHERE id = $1`, id, scanHoldConfig)
}

// ListHoldConfigs implements storage.Tx.
func (t *tx) ListHoldConfigs(ctx context.Context, q storage.HoldConfigQuery) (storage.Page[*call.HoldConfig], error) {
	const op = "listing hold configurations"
	var page storage.Page[*call.HoldConfig]
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
	return listPage(t, ctx, op, &q.Paging, &page, q.CursorAfter,
		func(b *builder) []string {
			b.WriteString("SELECT count(*) FROM {hold_configs}")
			return nil
		},
		func(b *builder) []string {
			b.WriteString("SELECT " + holdConfigCols + " FROM {hold_configs}")
			return nil
		},
		keyedOrder{id: "id", ks: ks}, scanHoldConfig)
}

// UpdateHoldConfig implements storage.Tx.
func (t *tx) UpdateHoldConfig(ctx context.Context, h *call.HoldConfig) error {
	const op = "updating hold configuration"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(h.ID) {
		return t.s.notFound(op, h.ID)
	}
	args, err := t.holdArgs(h)
	if err != nil {
		return err
	}
	up := t.s.d.stmt(`UPDATE {hold_configs} SET name = $2, body = $3, updated_at = $4 WHERE id = $1`, args[:4]...)
	return writeRow(t, ctx, op, h.ID, up, storage.ErrNotFound, nil)
}

// DeleteHoldConfig implements storage.Tx.
func (t *tx) DeleteHoldConfig(ctx context.Context, id string) error {
	const op = "deleting hold configuration"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(id) {
		return t.s.notFound(op, id)
	}
	del := t.s.d.stmt(`DELETE FROM {hold_configs} WHERE id = $1`, id)
	return writeRow(t, ctx, op, id, del, storage.ErrNotFound, nil)
}
