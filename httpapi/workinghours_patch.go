package httpapi

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/storage"
)

// holidayIn builds a holiday from its body, naming its fields under prefix
// ("" for the holiday route's own body); enabled defaults to true.
func holidayIn(prefix string, h holidayInJSON) (schedule.Holiday, error) {
	hol := schedule.Holiday{ID: h.ID.Value, Name: h.Name.Value, Enabled: true}
	if h.Enabled.Given() {
		hol.Enabled = h.Enabled.Value
	}
	var err error
	if h.StartDate.Given() {
		if hol.StartDate, err = schedule.ParseDate(prefix+"startDate", h.StartDate.Value); err != nil {
			return hol, err
		}
	}
	if h.EndDate.Given() {
		if hol.EndDate, err = schedule.ParseDate(prefix+"endDate", h.EndDate.Value); err != nil {
			return hol, err
		}
	}
	return hol, nil
}

// workingHoursPatchIn reads the body of PATCH /working-hours/{id}: the
// fields of POST, each optional; null is refused for each, as none may be
// cleared. A day of workWeek, when given, needs its three fields; the
// days not given stay as they are. holidays, when given, replaces them.
func workingHoursPatchIn(in workingHoursInJSON) (parley.WorkingHoursPatch, error) {
	var p parley.WorkingHoursPatch
	nulls := map[string]bool{"name": in.Name.Null, "timezone": in.Timezone.Null, "message": in.Message.Null,
		"workWeek": in.WorkWeek.Null, "enabled": in.Enabled.Null, "isDefault": in.IsDefault.Null,
		"closeConversations": in.CloseConversations.Null, "sendAwayMessageEveryOOWHPeriod": in.SendAwayMessageEveryOOWHPeriod.Null,
		"holidays": in.Holidays.Null}
	for _, f := range []string{"name", "timezone", "message", "workWeek", "enabled", "isDefault", "closeConversations", "sendAwayMessageEveryOOWHPeriod", "holidays"} {
		if nulls[f] {
			return p, invalid(f, "cannot be null")
		}
	}
	str := func(o opt[string]) *string {
		if !o.Given() {
			return nil
		}
		return &o.Value
	}
	boolean := func(o opt[bool]) *bool {
		if !o.Given() {
			return nil
		}
		return &o.Value
	}
	p.Name, p.Timezone, p.Message = str(in.Name), str(in.Timezone), str(in.Message)
	p.Enabled, p.IsDefault = boolean(in.Enabled), boolean(in.IsDefault)
	p.CloseConversations, p.SendAwayMessageEveryOOWHPeriod = boolean(in.CloseConversations), boolean(in.SendAwayMessageEveryOOWHPeriod)
	if in.WorkWeek.Given() {
		p.WorkWeek = make(map[schedule.Weekday]schedule.DailyHours, len(in.WorkWeek.Value))
		for _, name := range slices.Sorted(maps.Keys(in.WorkWeek.Value)) {
			d := in.WorkWeek.Value[name]
			day := schedule.Weekday(name)
			if !day.Valid() {
				return p, invalid("workWeek", "unknown day %q", name)
			}
			for _, f := range []struct {
				field string
				given bool
			}{{"startTime", d.StartTime.Given()}, {"endTime", d.EndTime.Given()}, {"enabled", d.Enabled.Given()}} {
				if !f.given {
					return p, invalid("workWeek."+name+"."+f.field, "is required")
				}
			}
			p.WorkWeek[day] = schedule.DailyHours{StartTime: d.StartTime.Value, EndTime: d.EndTime.Value, Enabled: d.Enabled.Value}
		}
	}
	if in.Holidays.Given() {
		hs := make([]schedule.Holiday, 0, len(in.Holidays.Value))
		for i, h := range in.Holidays.Value {
			hol, err := holidayIn("holidays["+strconv.Itoa(i)+"].", h)
			if err != nil {
				return p, err
			}
			hs = append(hs, hol)
		}
		p.Holidays = &hs
	}
	return p, nil
}

func (a *api) patchWorkingHours(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in workingHoursInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if in.ID.Set && in.ID.Value != r.PathValue("id") {
		return nil, invalid("id", "cannot be changed")
	}
	p, err := workingHoursPatchIn(in)
	if err != nil {
		return nil, err
	}
	out, err := a.svc.PatchWorkingHours(r.Context(), r.PathValue("id"), p)
	if err != nil {
		return nil, err
	}
	return toWorkingHours(out), nil
}

// addHoliday answers Infobip's POST working-hours/{id}/holiday with the
// working hours, the new holiday (and its id) among them.
func (a *api) addHoliday(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in holidayInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	hol, err := holidayIn("", in)
	if err != nil {
		return nil, err
	}
	out, err := a.svc.AddHoliday(r.Context(), r.PathValue("workingHoursId"), hol)
	if err != nil {
		return nil, err
	}
	return toWorkingHours(out), nil
}

func (a *api) deleteHoliday(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	if err := a.svc.DeleteHoliday(r.Context(), r.PathValue("workingHoursId"), r.PathValue("id")); err != nil {
		return nil, err
	}
	return success("Holiday has been deleted."), nil
}

// workingHoursSearch reads Infobip's filters and orders of the working
// hours list. ok is false when none is given (nor an order other than
// id:asc): the list is then the store's, paged by cursor too. With one,
// the list is parley.Service.SearchWorkingHours's, paged by page and
// limit only.
func (a *api) workingHoursSearch(r *http.Request) (s parley.WorkingHoursSearch, order string, p storage.Paging, ok bool, err error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return s, "", p, false, err
	}
	if s.Name, err = q.one("name"); err != nil {
		return s, "", p, false, err
	}
	flag := func(name string) (*bool, error) {
		v, err := q.one(name)
		if err != nil || v == "" {
			return nil, err
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, invalid(name, "must be true or false, not %q", v)
		}
		return &b, nil
	}
	if s.Enabled, err = flag("enabled"); err != nil {
		return s, "", p, false, err
	}
	if s.IsDefault, err = flag("isDefault"); err != nil {
		return s, "", p, false, err
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"createdAfter", &s.CreatedAfter}, {"createdBefore", &s.CreatedBefore}, {"updatedAfter", &s.UpdatedAfter}, {"updatedBefore", &s.UpdatedBefore}} {
		if *t.dst, err = q.time(t.name); err != nil {
			return s, "", p, false, err
		}
	}
	if s.Order, err = q.order(storage.Order{Field: storage.SortID}, parley.WorkingHoursOrders()...); err != nil {
		return s, "", p, false, err
	}
	if p, err = q.paging(); err != nil {
		return s, "", p, false, err
	}
	if err := q.done(); err != nil {
		return s, "", p, false, err
	}
	ok = s.Name != "" || s.Enabled != nil || s.IsDefault != nil || !s.CreatedAfter.IsZero() || !s.CreatedBefore.IsZero() ||
		!s.UpdatedAfter.IsZero() || !s.UpdatedBefore.IsZero() || s.Order != (storage.Order{Field: storage.SortID})
	if ok && p.Cursor != "" {
		return s, "", p, false, invalid("cursor", "cannot be combined with a filter or an order other than id:asc")
	}
	s.Page, s.Limit = p.Page, p.Limit
	return s, s.Order.String(), p, ok, nil
}
