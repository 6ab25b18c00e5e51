package httpapi

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/storage"
)

// workingHoursJSON is working hours on the wire, in Infobip's shape
// (WorkingHoursApiResponse), with parley's times beside.
type workingHoursJSON struct {
	ID                             string               `json:"id"`
	Name                           string               `json:"name"`
	Timezone                       string               `json:"timezone"`
	Message                        string               `json:"message"`
	WorkWeek                       map[string]dailyJSON `json:"workWeek"`
	Enabled                        bool                 `json:"enabled"`
	IsDefault                      bool                 `json:"isDefault"`
	CloseConversations             bool                 `json:"closeConversations"`
	SendAwayMessageEveryOOWHPeriod bool                 `json:"sendAwayMessageEveryOOWHPeriod"`
	Holidays                       []holidayJSON        `json:"holidays"`
	CreatedAt                      wireTime             `json:"createdAt"`
	UpdatedAt                      wireTime             `json:"updatedAt"`
}

// dailyJSON is one day of the work week: minutes after local midnight.
type dailyJSON struct {
	StartTime int  `json:"startTime"`
	EndTime   int  `json:"endTime"`
	Enabled   bool `json:"enabled"`
}

// holidayJSON is a holiday; its dates are yyyy-MM-dd.
type holidayJSON struct {
	ID        *string `json:"id"`
	Name      string  `json:"name"`
	StartDate string  `json:"startDate"`
	EndDate   string  `json:"endDate"`
	Enabled   bool    `json:"enabled"`
}

func toWorkingHours(w *schedule.WorkingHours) workingHoursJSON {
	out := workingHoursJSON{
		ID: w.ID, Name: w.Name, Timezone: w.Timezone, Message: w.Message,
		WorkWeek: make(map[string]dailyJSON, len(w.WorkWeek)),
		Enabled:  w.Enabled, IsDefault: w.IsDefault, CloseConversations: w.CloseConversations,
		SendAwayMessageEveryOOWHPeriod: w.SendAwayMessageEveryOOWHPeriod,
		Holidays:                       make([]holidayJSON, 0, len(w.Holidays)),
		CreatedAt:                      wireTime(w.CreatedAt),
		UpdatedAt:                      wireTime(w.UpdatedAt),
	}
	for d, h := range w.WorkWeek {
		out.WorkWeek[string(d)] = dailyJSON{StartTime: h.StartTime, EndTime: h.EndTime, Enabled: h.Enabled}
	}
	for _, h := range w.Holidays {
		end := h.End().String()
		out.Holidays = append(out.Holidays, holidayJSON{ID: nullString(h.ID), Name: h.Name, StartDate: h.StartDate.String(), EndDate: end, Enabled: h.Enabled})
	}
	return out
}

// workingHoursInJSON is the body of POST and PUT /working-hours
// (WorkingHoursApiRequest): name, timezone, message and workWeek are
// required, as Infobip requires them; enabled defaults to true.
type workingHoursInJSON struct {
	// ID is parley's: a caller-chosen id on create, as for queues.
	ID                             opt[string]                 `json:"id"`
	Name                           opt[string]                 `json:"name"`
	Timezone                       opt[string]                 `json:"timezone"`
	Message                        opt[string]                 `json:"message"`
	WorkWeek                       opt[map[string]dailyInJSON] `json:"workWeek"`
	Enabled                        opt[bool]                   `json:"enabled"`
	IsDefault                      opt[bool]                   `json:"isDefault"`
	CloseConversations             opt[bool]                   `json:"closeConversations"`
	SendAwayMessageEveryOOWHPeriod opt[bool]                   `json:"sendAwayMessageEveryOOWHPeriod"`
	Holidays                       opt[[]holidayInJSON]        `json:"holidays"`
}

type dailyInJSON struct {
	StartTime opt[int]  `json:"startTime"`
	EndTime   opt[int]  `json:"endTime"`
	Enabled   opt[bool] `json:"enabled"`
}

type holidayInJSON struct {
	ID        opt[string] `json:"id"`
	Name      opt[string] `json:"name"`
	StartDate opt[string] `json:"startDate"`
	EndDate   opt[string] `json:"endDate"`
	Enabled   opt[bool]   `json:"enabled"`
}

// workingHoursIn checks the required fields and builds the domain value;
// the service checks the rest (schedule.WorkingHours.Validate).
func workingHoursIn(in workingHoursInJSON) (schedule.WorkingHours, error) {
	w := schedule.WorkingHours{
		ID:   in.ID.Value,
		Name: in.Name.Value, Timezone: in.Timezone.Value, Message: in.Message.Value,
		Enabled: true, IsDefault: in.IsDefault.Value, CloseConversations: in.CloseConversations.Value,
		SendAwayMessageEveryOOWHPeriod: in.SendAwayMessageEveryOOWHPeriod.Value,
	}
	for field, given := range map[string]bool{"name": in.Name.Given(), "timezone": in.Timezone.Given(), "message": in.Message.Set && !in.Message.Null, "workWeek": in.WorkWeek.Given()} {
		if !given {
			return w, invalid(field, "is required")
		}
	}
	if in.Enabled.Given() {
		w.Enabled = in.Enabled.Value
	}
	w.WorkWeek = make(map[schedule.Weekday]schedule.DailyHours, len(in.WorkWeek.Value))
	for name, d := range in.WorkWeek.Value {
		day := schedule.Weekday(name)
		if !day.Valid() {
			return w, invalid("workWeek", "unknown day %q", name)
		}
		for field, given := range map[string]bool{"startTime": d.StartTime.Given(), "endTime": d.EndTime.Given(), "enabled": d.Enabled.Given()} {
			if !given {
				return w, invalid("workWeek."+name+"."+field, "is required")
			}
		}
		w.WorkWeek[day] = schedule.DailyHours{StartTime: d.StartTime.Value, EndTime: d.EndTime.Value, Enabled: d.Enabled.Value}
	}
	for i, h := range in.Holidays.Value {
		field := "holidays[" + strconv.Itoa(i) + "]"
		hol := schedule.Holiday{ID: h.ID.Value, Name: h.Name.Value, Enabled: true}
		if h.Enabled.Given() {
			hol.Enabled = h.Enabled.Value
		}
		var err error
		if h.StartDate.Given() {
			if hol.StartDate, err = schedule.ParseDate(field+".startDate", h.StartDate.Value); err != nil {
				return w, err
			}
		}
		if h.EndDate.Given() {
			if hol.EndDate, err = schedule.ParseDate(field+".endDate", h.EndDate.Value); err != nil {
				return w, err
			}
		}
		w.Holidays = append(w.Holidays, hol)
	}
	return w, nil
}

func (a *api) createWorkingHours(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in workingHoursInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	wh, err := workingHoursIn(in)
	if err != nil {
		return nil, err
	}
	out, err := a.svc.CreateWorkingHours(r.Context(), wh)
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", a.base+"/working-hours/"+url.PathEscape(out.ID))
	return toWorkingHours(out), nil
}

func (a *api) listWorkingHours(w http.ResponseWriter, r *http.Request) (any, error) {
	search, sorder, paging, ok, err := a.workingHoursSearch(r)
	if err != nil {
		return nil, err
	}
	if ok {
		page, err := a.svc.SearchWorkingHours(r.Context(), search)
		if err != nil {
			return nil, err
		}
		return listOf("workingHours", paging, page, sorder, toWorkingHours), nil
	}
	lq, order, err := a.workingHoursQuery(r)
	if err != nil {
		return nil, err
	}
	page, err := a.svc.ListWorkingHours(r.Context(), lq)
	if err != nil {
		return nil, err
	}
	return listOf("workingHours", lq.Paging, page, order, toWorkingHours), nil
}

// workingHoursQuery reads the paging of the working-hours list, in id
// order, refusing the filters it does not offer.
func (a *api) workingHoursQuery(r *http.Request) (storage.WorkingHoursQuery, string, error) {
	var lq storage.WorkingHoursQuery
	q, err := a.newQuery(r.URL)
	if err != nil {
		return lq, "", err
	}
	if err := q.unsupported(unsupportedWorkingHoursFilters); err != nil {
		return lq, "", err
	}
	order, err := q.order(storage.Order{Field: storage.SortID}, storage.SortID)
	if err != nil {
		return lq, "", err
	}
	if order.Desc {
		return lq, "", invalid("orderBy", "this list is ordered by id ascending only")
	}
	if lq.Paging, err = q.paging(); err != nil {
		return lq, "", err
	}
	if err := q.done(); err != nil {
		return lq, "", err
	}
	return lq, order.String(), lq.Normalize()
}

// unsupportedWorkingHoursFilters are Infobip's filters of the list that
// parley does not offer: none now (workingHoursSearch reads them all).
var unsupportedWorkingHoursFilters []string

func (a *api) getWorkingHours(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	out, err := a.svc.GetWorkingHours(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return toWorkingHours(out), nil
}

func (a *api) replaceWorkingHours(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in workingHoursInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if in.ID.Given() && in.ID.Value != r.PathValue("id") {
		return nil, invalid("id", "cannot be changed")
	}
	wh, err := workingHoursIn(in)
	if err != nil {
		return nil, err
	}
	out, err := a.svc.ReplaceWorkingHours(r.Context(), r.PathValue("id"), wh)
	if err != nil {
		return nil, err
	}
	return toWorkingHours(out), nil
}

func (a *api) deleteWorkingHours(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	if err := a.svc.DeleteWorkingHours(r.Context(), r.PathValue("id")); err != nil {
		return nil, err
	}
	return success("Working hours has been deleted."), nil
}

func (a *api) workingHoursStatus(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	st, err := a.svc.WorkingHoursStatus(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return map[string]string{"status": string(st)}, nil
}

// activityJSON is one element of the transfer queue list.
type activityJSON struct {
	QueueID               string `json:"queueId"`
	QueueName             string `json:"queueName"`
	Active                bool   `json:"active"`
	AutoAssignmentEnabled bool   `json:"autoAssignmentEnabled"`
}

// activityPageJSON is Infobip's answer of GET /ccaas/voice/2/transfer/queues.
type activityPageJSON struct {
	Elements   []activityJSON `json:"elements"`
	Total      int            `json:"total"`
	TotalPages int            `json:"totalPages"`
}

func (a *api) queueActivity(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	page, err := q.int("page", 0)
	if err != nil {
		return nil, err
	}
	size, err := q.int("size", schedule.DefaultActivityPageSize)
	if err != nil {
		return nil, err
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	if size == 0 {
		return nil, invalid("size", "must be greater than or equal to 1")
	}
	act, err := a.svc.QueueActivity(r.Context(), page, size)
	if err != nil {
		return nil, err
	}
	out := activityPageJSON{Elements: make([]activityJSON, 0, len(act.Elements)), Total: act.Total, TotalPages: act.TotalPages}
	for _, e := range act.Elements {
		out.Elements = append(out.Elements, activityJSON(e))
	}
	return out, nil
}
