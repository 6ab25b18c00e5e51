package parley

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/storage"
)

// CreateWorkingHours creates working hours (Infobip's /ccaas/1/working-hours):
// a weekly timetable in one time zone, with holidays. Every field is
// checked (schedule.WorkingHours.Validate), the time zone included. A
// caller-supplied id that exists is ErrAlreadyExists.
func (s *Service) CreateWorkingHours(ctx context.Context, in schedule.WorkingHours) (*schedule.WorkingHours, error) {
	if err := s.authorize(ctx, "CreateWorkingHours"); err != nil {
		return nil, err
	}
	w := in.Clone()
	if w.ID == "" {
		w.ID = s.newID()
	}
	if err := checkID("id", w.ID); err != nil {
		return nil, err
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	err := s.run(ctx, "CreateWorkingHours", func(tx storage.Tx, rec *recorder) error {
		w.CreatedAt, w.UpdatedAt = rec.now, rec.now
		if err := tx.CreateWorkingHours(ctx, w); err != nil {
			return err
		}
		rec.add(storage.WorkingHoursCreated, "", w.ID, []storage.Change{change("name", nil, w.Name)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// GetWorkingHours returns the working hours. ErrNotFound when there are
// none with that id.
func (s *Service) GetWorkingHours(ctx context.Context, id string) (*schedule.WorkingHours, error) {
	return read(s, ctx, "GetWorkingHours", func() (*schedule.WorkingHours, error) {
		if err := checkID("id", id); err != nil {
			return nil, err
		}
		return s.store.GetWorkingHours(ctx, id)
	})
}

// ListWorkingHours returns a page of working hours in id order.
func (s *Service) ListWorkingHours(ctx context.Context, q storage.WorkingHoursQuery) (storage.Page[*schedule.WorkingHours], error) {
	return read(s, ctx, "ListWorkingHours", func() (storage.Page[*schedule.WorkingHours], error) {
		if err := q.Normalize(); err != nil {
			return storage.Page[*schedule.WorkingHours]{}, err
		}
		return s.store.ListWorkingHours(ctx, q)
	})
}

// ReplaceWorkingHours replaces every field of the working hours but their
// id and creation time (Infobip's PUT). The queues and rules that follow
// them follow the new timetable at once.
func (s *Service) ReplaceWorkingHours(ctx context.Context, id string, in schedule.WorkingHours) (*schedule.WorkingHours, error) {
	if err := s.authorize(ctx, "ReplaceWorkingHours"); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	w := in.Clone()
	w.ID = id
	if err := w.Validate(); err != nil {
		return nil, err
	}
	err := s.run(ctx, "ReplaceWorkingHours", func(tx storage.Tx, rec *recorder) error {
		old, err := tx.GetWorkingHours(ctx, id)
		if err != nil {
			return err
		}
		w.CreatedAt, w.UpdatedAt = old.CreatedAt, rec.now
		if err := tx.UpdateWorkingHours(ctx, w); err != nil {
			return err
		}
		rec.add(storage.WorkingHoursUpdated, "", w.ID, []storage.Change{change("name", old.Name, w.Name)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// DeleteWorkingHours deletes the working hours. Working hours that a queue
// or a routing rule still names are not deleted (ErrConflict).
func (s *Service) DeleteWorkingHours(ctx context.Context, id string) error {
	if err := s.authorize(ctx, "DeleteWorkingHours"); err != nil {
		return err
	}
	if err := checkID("id", id); err != nil {
		return err
	}
	return s.run(ctx, "DeleteWorkingHours", func(tx storage.Tx, rec *recorder) error {
		if err := tx.DeleteWorkingHours(ctx, id); err != nil {
			if errors.Is(err, fault.ErrConflict) {
				return fmt.Errorf("working hours %q are used by a queue or a routing rule: %w", id, fault.ErrConflict)
			}
			return err
		}
		rec.add(storage.WorkingHoursDeleted, "", id, nil)
		return nil
	})
}

// WorkingHoursStatus says whether the service's clock is inside or outside
// the working hours (Infobip's working-hours/{id}/status).
func (s *Service) WorkingHoursStatus(ctx context.Context, id string) (schedule.Status, error) {
	return read(s, ctx, "WorkingHoursStatus", func() (schedule.Status, error) {
		if err := checkID("id", id); err != nil {
			return "", err
		}
		w, err := s.store.GetWorkingHours(ctx, id)
		if err != nil {
			return "", err
		}
		return w.Status(s.clock())
	})
}

// hoursStatus is the status at now of the working hours id names; Inside
// for "" (none).
func hoursStatus(ctx context.Context, r storage.Reader, id string, now time.Time) (schedule.Status, error) {
	if id == "" {
		return schedule.Inside, nil
	}
	w, err := r.GetWorkingHours(ctx, id)
	if err != nil {
		return "", err
	}
	return w.Status(now)
}

// assigns reports whether queue q assigns automatically at now: its
// autoAssignment flag, inside its working hours or with AutoAssignOutside
// (schedule.QueueHours.AutoAssigns). Calls follow the working hours
// only (see offers).
func assigns(ctx context.Context, r storage.Reader, q *routing.Queue, now time.Time) (bool, error) {
	if !q.AutoAssignment {
		return false, nil
	}
	st, err := hoursStatus(ctx, r, q.WorkingHoursID, now)
	if err != nil {
		return false, err
	}
	return schedule.QueueHours{WorkingHoursID: q.WorkingHoursID, AutoAssignOutside: q.AutoAssignOutside}.AutoAssigns(true, st), nil
}

// offers reports whether queue q offers its calls at now: inside its
// working hours, or outside them with AutoAssignOutside.
func offers(ctx context.Context, r storage.Reader, q *routing.Queue, now time.Time) (bool, error) {
	st, err := hoursStatus(ctx, r, q.WorkingHoursID, now)
	if err != nil {
		return false, err
	}
	return schedule.Active(st) || q.AutoAssignOutside, nil
}

// activeRules leaves out of rules those whose working hours are outside
// at now (schedule: a rule that names working hours matches only inside
// them).
func activeRules(ctx context.Context, r storage.Reader, rules []routing.Rule, now time.Time) ([]routing.Rule, error) {
	out := rules[:0:0]
	status := map[string]schedule.Status{}
	for _, rule := range rules {
		if rule.WorkingHoursID == "" {
			out = append(out, rule)
			continue
		}
		st, ok := status[rule.WorkingHoursID]
		if !ok {
			var err error
			if st, err = hoursStatus(ctx, r, rule.WorkingHoursID, now); err != nil {
				return nil, err
			}
			status[rule.WorkingHoursID] = st
		}
		if schedule.Active(st) {
			out = append(out, rule)
		}
	}
	return out, nil
}

// ActivityPage is one page of QueueActivity, in Infobip's shape.
type ActivityPage struct {
	Elements   []schedule.Activity
	Total      int
	TotalPages int
}

// QueueActivity lists every queue, the default one included, with whether
// it is active now (inside its working hours) and assigns automatically:
// Infobip's transfer queue list. page is 0-based; size is 1..2000, 0 for
// the default 20. Queues come in id order; the list reads every queue
// (contact centres have tens of them).
func (s *Service) QueueActivity(ctx context.Context, page, size int) (ActivityPage, error) {
	return read(s, ctx, "QueueActivity", func() (ActivityPage, error) {
		size, err := schedule.ActivityPage(page, size)
		if err != nil {
			return ActivityPage{}, err
		}
		now := s.clock()
		var out ActivityPage
		first := int64(page) * int64(size)
		status := map[string]schedule.Status{}
		// Contact centres have tens of queues, not millions: walk them all
		// in id order, counting, and keep the page's.
		q := storage.QueueQuery{Paging: storage.Paging{Limit: storage.MaxLimit, SkipTotal: true}}
		for {
			queues, err := s.store.ListQueues(ctx, q)
			if err != nil {
				return ActivityPage{}, err
			}
			for _, q := range queues.Items {
				pos := int64(out.Total)
				out.Total++
				if pos < first || pos >= first+int64(size) {
					continue
				}
				st, ok := status[q.WorkingHoursID]
				if !ok {
					if st, err = hoursStatus(ctx, s.store, q.WorkingHoursID, now); err != nil {
						return ActivityPage{}, err
					}
					status[q.WorkingHoursID] = st
				}
				out.Elements = append(out.Elements, schedule.ActivityOf(q, st))
			}
			if queues.NextCursor == "" {
				break
			}
			q.Cursor = queues.NextCursor
		}
		out.TotalPages = (out.Total + size - 1) / size
		return out, nil
	})
}
