package sqlstore

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/storage"
)

// storedHours is the JSON body of a working-hours row: what is not a
// column. The names are fixed here, not taken from the Go fields, so that
// renaming a field never changes stored data.
type storedHours struct {
	Message            string               `json:"message"`
	WorkWeek           map[string]storedDay `json:"workWeek"`
	Enabled            bool                 `json:"enabled"`
	IsDefault          bool                 `json:"isDefault"`
	CloseConversations bool                 `json:"closeConversations"`
	AwayEveryPeriod    bool                 `json:"sendAwayMessageEveryOOWHPeriod"`
	Holidays           []storedHoliday      `json:"holidays"`
}

type storedDay struct {
	StartTime int  `json:"startTime"`
	EndTime   int  `json:"endTime"`
	Enabled   bool `json:"enabled"`
}

type storedHoliday struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	StartDate string `json:"startDate"`
	EndDate   string `json:"endDate"`
	Enabled   bool   `json:"enabled"`
}

const workingHoursCols = `id, name, timezone, body, created_at, updated_at`

func scanWorkingHours(r row) (*schedule.WorkingHours, error) {
	var (
		w    schedule.WorkingHours
		body string
		sh   storedHours
	)
	if err := r.Scan(&w.ID, &w.Name, &w.Timezone, &body, timeCol{&w.CreatedAt}, timeCol{&w.UpdatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(body), &sh); err != nil {
		return nil, err
	}
	w.Message, w.Enabled, w.IsDefault = sh.Message, sh.Enabled, sh.IsDefault
	w.CloseConversations, w.SendAwayMessageEveryOOWHPeriod = sh.CloseConversations, sh.AwayEveryPeriod
	if sh.WorkWeek != nil {
		w.WorkWeek = make(map[schedule.Weekday]schedule.DailyHours, len(sh.WorkWeek))
		for d, h := range sh.WorkWeek {
			w.WorkWeek[schedule.Weekday(d)] = schedule.DailyHours{StartTime: h.StartTime, EndTime: h.EndTime, Enabled: h.Enabled}
		}
	}
	for _, h := range sh.Holidays {
		hol := schedule.Holiday{ID: h.ID, Name: h.Name, Enabled: h.Enabled}
		var err error
		if hol.StartDate, err = schedule.ParseDate("startDate", h.StartDate); err != nil {
			return nil, err
		}
		if h.EndDate != "" {
			if hol.EndDate, err = schedule.ParseDate("endDate", h.EndDate); err != nil {
				return nil, err
			}
		}
		w.Holidays = append(w.Holidays, hol)
	}
	return &w, nil
}

// hoursArgs are the written columns of w: id, name, timezone, body,
// updated_at, created_at ($1 to $6).
func (t *tx) hoursArgs(w *schedule.WorkingHours) ([]any, error) {
	sh := storedHours{
		Message: w.Message, Enabled: w.Enabled, IsDefault: w.IsDefault,
		CloseConversations: w.CloseConversations, AwayEveryPeriod: w.SendAwayMessageEveryOOWHPeriod,
	}
	if w.WorkWeek != nil {
		sh.WorkWeek = make(map[string]storedDay, len(w.WorkWeek))
		for d, h := range w.WorkWeek {
			sh.WorkWeek[string(d)] = storedDay{StartTime: h.StartTime, EndTime: h.EndTime, Enabled: h.Enabled}
		}
	}
	for _, h := range w.Holidays {
		sh.Holidays = append(sh.Holidays, storedHoliday{ID: h.ID, Name: h.Name, StartDate: h.StartDate.String(), EndDate: endDate(h), Enabled: h.Enabled})
	}
	body, err := json.Marshal(sh)
	if err != nil {
		return nil, invalidJSON("workWeek", err)
	}
	d := t.s.d
	return []any{w.ID, w.Name, w.Timezone, string(body), d.time(w.UpdatedAt), d.time(w.CreatedAt)}, nil
}

// endDate is the holiday's endDate as stored: "" when it has none.
func endDate(h schedule.Holiday) string {
	if h.EndDate.IsZero() {
		return ""
	}
	return h.EndDate.String()
}

// CreateWorkingHours implements storage.Tx: one INSERT that reports a taken
// id without raising an error.
func (t *tx) CreateWorkingHours(ctx context.Context, w *schedule.WorkingHours) error {
	const op = "creating working hours"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	args, err := t.hoursArgs(w)
	if err != nil {
		return err
	}
	ins := t.s.d.stmt(`INSERT INTO {working_hours} (id, name, timezone, body, updated_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`, args...)
	return writeRow(t, ctx, op, w.ID, ins, storage.ErrAlreadyExists, nil)
}

// GetWorkingHours implements storage.Tx.
func (t *tx) GetWorkingHours(ctx context.Context, id string) (*schedule.WorkingHours, error) {
	return getRow(t, ctx, "getting working hours", `SELECT `+workingHoursCols+` FROM {working_hours} WHERE id = $1`, id, scanWorkingHours)
}

// ListWorkingHours implements storage.Tx.
func (t *tx) ListWorkingHours(ctx context.Context, q storage.WorkingHoursQuery) (storage.Page[*schedule.WorkingHours], error) {
	const op = "listing working hours"
	var page storage.Page[*schedule.WorkingHours]
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
			b.WriteString("SELECT count(*) FROM {working_hours}")
			return nil
		},
		func(b *builder) []string {
			b.WriteString("SELECT " + workingHoursCols + " FROM {working_hours}")
			return nil
		},
		keyedOrder{id: "id", ks: ks}, scanWorkingHours)
}

// UpdateWorkingHours implements storage.Tx.
func (t *tx) UpdateWorkingHours(ctx context.Context, w *schedule.WorkingHours) error {
	const op = "updating working hours"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(w.ID) {
		return t.s.notFound(op, w.ID)
	}
	args, err := t.hoursArgs(w)
	if err != nil {
		return err
	}
	up := t.s.d.stmt(`UPDATE {working_hours} SET name = $2, timezone = $3, body = $4, updated_at = $5 WHERE id = $1`, args[:5]...)
	return writeRow(t, ctx, op, w.ID, up, storage.ErrNotFound, nil)
}

// DeleteWorkingHours implements storage.Tx. The foreign keys of queues and
// routing rules refuse to delete working hours still named, whatever the
// interleaving: that refusal is ErrConflict here (elsewhere a foreign key
// means a missing row, ErrNotFound).
func (t *tx) DeleteWorkingHours(ctx context.Context, id string) error {
	const op = "deleting working hours"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if !cleanText(id) {
		return t.s.notFound(op, id)
	}
	del := t.s.d.stmt(`DELETE FROM {working_hours} WHERE id = $1`, id)
	return writeRow(t, ctx, op, id, del, storage.ErrNotFound, func(err error) error {
		if errors.Is(t.s.d.classify(err), storage.ErrNotFound) {
			return failure(op, id, storage.ErrConflict)
		}
		return nil
	})
}
