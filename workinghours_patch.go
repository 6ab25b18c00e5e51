package parley

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/storage"
)

// WorkingHoursPatch is a partial update of working hours (Infobip's PATCH
// /ccaas/1/working-hours/{id}): a nil field is left as it is; WorkWeek
// replaces the days it names and keeps the others; Holidays, when set,
// replaces the holidays.
type WorkingHoursPatch struct {
	Name                           *string
	Timezone                       *string
	Message                        *string
	WorkWeek                       map[schedule.Weekday]schedule.DailyHours
	Enabled                        *bool
	IsDefault                      *bool
	CloseConversations             *bool
	SendAwayMessageEveryOOWHPeriod *bool
	Holidays                       *[]schedule.Holiday
}

// workingHoursKey is the key a read-modify-write of working hours id
// locks, so that two partial updates, on this instance or another one on
// the same database, do not lose one another's change.
func workingHoursKey(id string) string { return "working-hours\x00" + id }

// PatchWorkingHours changes the fields p sets, checks the result as
// CreateWorkingHours does, and writes it with a working_hours.updated
// event. ErrNotFound when there are no such working hours.
func (s *Service) PatchWorkingHours(ctx context.Context, id string, p WorkingHoursPatch) (*schedule.WorkingHours, error) {
	return s.changeWorkingHours(ctx, "PatchWorkingHours", id, func(w *schedule.WorkingHours) error {
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&w.Name, p.Name)
		set(&w.Timezone, p.Timezone)
		set(&w.Message, p.Message)
		for _, f := range []struct {
			dst *bool
			v   *bool
		}{{&w.Enabled, p.Enabled}, {&w.IsDefault, p.IsDefault}, {&w.CloseConversations, p.CloseConversations},
			{&w.SendAwayMessageEveryOOWHPeriod, p.SendAwayMessageEveryOOWHPeriod}} {
			if f.v != nil {
				*f.dst = *f.v
			}
		}
		for d, h := range p.WorkWeek {
			if !d.Valid() {
				return fault.Invalid("workWeek", "unknown day %q", d)
			}
			w.WorkWeek[d] = h
		}
		if p.Holidays != nil {
			w.Holidays = slices.Clone(*p.Holidays)
		}
		return nil
	})
}

// AddHoliday adds a holiday to the working hours (Infobip's POST
// working-hours/{id}/holiday) and returns them. The holiday gets a new id
// when it has none; an id the working hours have already is
// ErrAlreadyExists. Its fields are checked as the working hours' holidays
// are, named without the holidays[i] prefix; at most
// schedule.MaxHolidays.
func (s *Service) AddHoliday(ctx context.Context, workingHoursID string, h schedule.Holiday) (*schedule.WorkingHours, error) {
	if err := s.authorize(ctx, "AddHoliday"); err != nil {
		return nil, err
	}
	if h.ID == "" {
		h.ID = s.newID()
	}
	if err := checkHoliday(h); err != nil {
		return nil, err
	}
	return s.changeWorkingHours(ctx, "AddHoliday", workingHoursID, func(w *schedule.WorkingHours) error {
		if slices.ContainsFunc(w.Holidays, func(o schedule.Holiday) bool { return o.ID == h.ID }) {
			return fmt.Errorf("holiday %q of working hours %q: %w", h.ID, workingHoursID, fault.ErrAlreadyExists)
		}
		w.Holidays = append(w.Holidays, h)
		return nil
	})
}

// DeleteHoliday removes holiday holidayID from the working hours (Infobip's
// DELETE working-hours/{id}/holiday/{holidayId}). ErrNotFound when the
// working hours or the holiday do not exist.
func (s *Service) DeleteHoliday(ctx context.Context, workingHoursID, holidayID string) error {
	if err := s.authorize(ctx, "DeleteHoliday"); err != nil {
		return err
	}
	if err := checkID("holidayId", holidayID); err != nil {
		return err
	}
	_, err := s.changeWorkingHours(ctx, "DeleteHoliday", workingHoursID, func(w *schedule.WorkingHours) error {
		i := slices.IndexFunc(w.Holidays, func(o schedule.Holiday) bool { return o.ID == holidayID })
		if i < 0 {
			return fmt.Errorf("holiday %q of working hours %q: %w", holidayID, workingHoursID, fault.ErrNotFound)
		}
		w.Holidays = slices.Delete(w.Holidays, i, i+1)
		return nil
	})
	return err
}

// checkHoliday checks h alone, naming its fields as the holiday route's
// body does (name, startDate, ...).
func checkHoliday(h schedule.Holiday) error {
	probe := schedule.WorkingHours{Name: "probe", Timezone: "UTC", WorkWeek: map[schedule.Weekday]schedule.DailyHours{}, Holidays: []schedule.Holiday{h}}
	for _, d := range schedule.Weekdays {
		probe.WorkWeek[d] = schedule.DailyHours{StartTime: 0, EndTime: 1440}
	}
	err := probe.Validate()
	var fe *fault.FieldError
	if errors.As(err, &fe) && strings.HasPrefix(fe.Field, "holidays[0].") {
		return fault.Invalid(strings.TrimPrefix(fe.Field, "holidays[0]."), "%s", fe.Reason)
	}
	return err
}

// changeWorkingHours runs a read-modify-write of working hours id as
// operation op: under the key lock, it reads them, lets change edit a
// copy, checks the result and writes it with a working_hours.updated
// event naming the fields that changed.
func (s *Service) changeWorkingHours(ctx context.Context, op, id string, change func(w *schedule.WorkingHours) error) (*schedule.WorkingHours, error) {
	if err := s.authorize(ctx, op); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	var out *schedule.WorkingHours
	err := s.run(ctx, op, func(tx storage.Tx, rec *recorder) error {
		if err := tx.LockKey(ctx, workingHoursKey(id)); err != nil {
			return err
		}
		old, err := tx.GetWorkingHours(ctx, id)
		if err != nil {
			return err
		}
		w := old.Clone()
		if w.WorkWeek == nil {
			w.WorkWeek = map[schedule.Weekday]schedule.DailyHours{}
		}
		if err := change(w); err != nil {
			return err
		}
		if err := w.Validate(); err != nil {
			return err
		}
		w.UpdatedAt = rec.now
		if err := tx.UpdateWorkingHours(ctx, w); err != nil {
			return err
		}
		rec.add(storage.WorkingHoursUpdated, "", id, workingHoursChanges(old, w))
		out = w
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// workingHoursChanges lists the changed fields of a partial update: the
// scalar ones and the work week with their values, the holidays by id.
func workingHoursChanges(a, b *schedule.WorkingHours) []storage.Change {
	var out []storage.Change
	str := func(field, x, y string) {
		if x != y {
			out = append(out, change(field, x, y))
		}
	}
	boolean := func(field string, x, y bool) {
		if x != y {
			out = append(out, change(field, x, y))
		}
	}
	str("name", a.Name, b.Name)
	str("timezone", a.Timezone, b.Timezone)
	str("message", a.Message, b.Message)
	boolean("enabled", a.Enabled, b.Enabled)
	boolean("isDefault", a.IsDefault, b.IsDefault)
	boolean("closeConversations", a.CloseConversations, b.CloseConversations)
	boolean("sendAwayMessageEveryOOWHPeriod", a.SendAwayMessageEveryOOWHPeriod, b.SendAwayMessageEveryOOWHPeriod)
	week := func(w *schedule.WorkingHours) map[string]map[string]any {
		out := make(map[string]map[string]any, len(w.WorkWeek))
		for d, h := range w.WorkWeek {
			out[string(d)] = map[string]any{"startTime": h.StartTime, "endTime": h.EndTime, "enabled": h.Enabled}
		}
		return out
	}
	for _, d := range schedule.Weekdays {
		if a.WorkWeek[d] != b.WorkWeek[d] {
			out = append(out, change("workWeek", week(a), week(b)))
			break
		}
	}
	if !slices.Equal(a.Holidays, b.Holidays) {
		ids := func(hs []schedule.Holiday) []string {
			out := make([]string, 0, len(hs))
			for _, h := range hs {
				out = append(out, h.ID)
			}
			return out
		}
		out = append(out, change("holidays", ids(a.Holidays), ids(b.Holidays)))
	}
	return out
}

// WorkingHoursSearch is Infobip's filtered and ordered list of working
// hours (GET /ccaas/1/working-hours with its filters): Name matches a
// case-insensitive part of the name; Enabled and IsDefault, when set,
// the flag; the times bound createdAt and updatedAt, exclusive. Order is
// by id (the default), name, timezone, createdAt or updatedAt, ties by
// id. Page is 0-based; Limit 0 means storage.DefaultLimit, at most
// storage.MaxLimit.
type WorkingHoursSearch struct {
	Name          string
	Enabled       *bool
	IsDefault     *bool
	CreatedAfter  time.Time
	CreatedBefore time.Time
	UpdatedAfter  time.Time
	UpdatedBefore time.Time
	Order         storage.Order
	Page          int
	Limit         int
}

// WorkingHoursOrders are the fields SearchWorkingHours orders by.
func WorkingHoursOrders() []storage.SortField {
	return []storage.SortField{storage.SortID, storage.SortName, "timezone", storage.SortCreatedAt, storage.SortUpdatedAt}
}

// SearchWorkingHours returns a page of the working hours q selects, in its
// order, with the total. A contact centre has tens of working hours, not
// millions: it reads them all (as QueueActivity reads the queues) and
// filters, orders and pages them here, so that the filters on the JSON
// body's flags work alike on every store; the page has no cursor.
func (s *Service) SearchWorkingHours(ctx context.Context, q WorkingHoursSearch) (storage.Page[*schedule.WorkingHours], error) {
	return read(s, ctx, "SearchWorkingHours", func() (storage.Page[*schedule.WorkingHours], error) {
		var none storage.Page[*schedule.WorkingHours]
		if q.Order.Field == "" {
			q.Order.Field = storage.SortID
		}
		if !slices.Contains(WorkingHoursOrders(), q.Order.Field) {
			return none, fault.Invalid("orderBy", "unknown field %q", q.Order.Field)
		}
		if err := fault.Text("name", q.Name, schedule.MaxNameLen); err != nil {
			return none, err
		}
		p := storage.Paging{Limit: q.Limit, Page: q.Page}
		wq := storage.WorkingHoursQuery{Paging: p}
		if err := wq.Normalize(); err != nil {
			return none, err
		}
		p = wq.Paging
		var all []*schedule.WorkingHours
		lq := storage.WorkingHoursQuery{Paging: storage.Paging{Limit: storage.MaxLimit, SkipTotal: true}}
		for {
			page, err := s.store.ListWorkingHours(ctx, lq)
			if err != nil {
				return none, err
			}
			for _, w := range page.Items {
				if q.matches(w) {
					all = append(all, w)
				}
			}
			if page.NextCursor == "" {
				break
			}
			lq.Cursor = page.NextCursor
		}
		slices.SortFunc(all, func(a, b *schedule.WorkingHours) int {
			var c int
			switch q.Order.Field {
			case storage.SortName:
				c = strings.Compare(a.Name, b.Name)
			case "timezone":
				c = strings.Compare(a.Timezone, b.Timezone)
			case storage.SortCreatedAt:
				c = a.CreatedAt.Compare(b.CreatedAt)
			case storage.SortUpdatedAt:
				c = a.UpdatedAt.Compare(b.UpdatedAt)
			}
			if c == 0 {
				c = strings.Compare(a.ID, b.ID)
			}
			if q.Order.Desc {
				c = -c
			}
			return c
		})
		out := storage.Page[*schedule.WorkingHours]{Total: len(all)}
		from := min(p.Page*p.Limit, len(all))
		out.Items = all[from:min(from+p.Limit, len(all))]
		return out, nil
	})
}

func (q *WorkingHoursSearch) matches(w *schedule.WorkingHours) bool {
	after := func(t, bound time.Time) bool { return bound.IsZero() || t.After(bound) }
	before := func(t, bound time.Time) bool { return bound.IsZero() || t.Before(bound) }
	return (q.Name == "" || strings.Contains(strings.ToLower(w.Name), strings.ToLower(q.Name))) &&
		(q.Enabled == nil || w.Enabled == *q.Enabled) &&
		(q.IsDefault == nil || w.IsDefault == *q.IsDefault) &&
		after(w.CreatedAt, q.CreatedAfter) && before(w.CreatedAt, q.CreatedBefore) &&
		after(w.UpdatedAt, q.UpdatedAfter) && before(w.UpdatedAt, q.UpdatedBefore)
}
