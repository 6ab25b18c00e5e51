package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/storage"
)

// officeHours is 09:00..17:00 local time on weekdays in Zagreb, whose
// clocks move to summer time on the last Sunday of March.
func officeHours(id string) schedule.WorkingHours {
	week := map[schedule.Weekday]schedule.DailyHours{}
	for _, d := range schedule.Weekdays {
		week[d] = schedule.DailyHours{StartTime: 9 * 60, EndTime: 17 * 60, Enabled: d != schedule.Saturday && d != schedule.Sunday}
	}
	return schedule.WorkingHours{ID: id, Name: "Office " + id, Timezone: "Europe/Zagreb", WorkWeek: week, Enabled: true}
}

// The instants the working-hours cases read the status at: 07:30 UTC is
// 08:30 in Zagreb on Friday 27 March 2026 (winter time, before opening)
// and 09:30 on Monday 30 March (summer time, open).
var (
	fridayBeforeDST = time.Date(2026, 3, 27, 7, 30, 0, 0, time.UTC)
	mondayAfterDST  = time.Date(2026, 3, 30, 7, 30, 0, 0, time.UTC)
)

func (fx *serviceFixture) workingHours(t *testing.T, id string) *schedule.WorkingHours {
	t.Helper()
	w, err := fx.svc.CreateWorkingHours(fx.ctx, officeHours(id))
	require.NoError(t, err)
	return w
}

// setClock moves the fixture's clock to at.
func (fx *serviceFixture) setClock(at time.Time) { fx.clock.Advance(at.Sub(fx.clock.Now())) }

var serviceWorkingHoursCases = []serviceCase{
	{"CRUD", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		w := fx.workingHours(t, "wh1")
		require.Equal(t, t0, w.CreatedAt)
		got, err := fx.svc.GetWorkingHours(fx.ctx, "wh1")
		require.NoError(t, err)
		require.Equal(t, w, got)
		_, err = fx.svc.CreateWorkingHours(fx.ctx, officeHours("wh1"))
		require.ErrorIs(t, err, parley.ErrAlreadyExists)

		in := officeHours("ignored")
		in.Name = "Renamed"
		in.Holidays = []schedule.Holiday{{Name: "Easter Monday", StartDate: schedule.Date{Year: 2026, Month: 4, Day: 6}, Enabled: true}}
		fx.tick()
		replaced, err := fx.svc.ReplaceWorkingHours(fx.ctx, "wh1", in)
		require.NoError(t, err)
		require.Equal(t, "wh1", replaced.ID)
		require.Equal(t, t0, replaced.CreatedAt)
		got, err = fx.svc.GetWorkingHours(fx.ctx, "wh1")
		require.NoError(t, err)
		require.Equal(t, replaced, got)

		fx.workingHours(t, "wh2")
		page, err := fx.svc.ListWorkingHours(fx.ctx, storage.WorkingHoursQuery{})
		require.NoError(t, err)
		require.Len(t, page.Items, 2)
		require.Equal(t, "wh1", page.Items[0].ID)
		require.NoError(t, fx.svc.DeleteWorkingHours(fx.ctx, "wh2"))
		_, err = fx.svc.GetWorkingHours(fx.ctx, "wh2")
		require.ErrorIs(t, err, parley.ErrNotFound)
		require.ErrorIs(t, fx.svc.DeleteWorkingHours(fx.ctx, "wh2"), parley.ErrNotFound)
		_, err = fx.svc.ReplaceWorkingHours(fx.ctx, "wh2", officeHours("wh2"))
		require.ErrorIs(t, err, parley.ErrNotFound)

		var types []storage.EventType
		for _, e := range fx.events(t) {
			types = append(types, e.Type)
		}
		require.Equal(t, []storage.EventType{storage.WorkingHoursCreated, storage.WorkingHoursUpdated,
			storage.WorkingHoursCreated, storage.WorkingHoursDeleted}, types)
	}},
	{"BadInputWritesNothing", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.workingHours(t, "wh1")
		before := fx.snapshot(t)
		bad := officeHours("x")
		bad.Timezone = "Mars/Olympus"
		_, err := fx.svc.CreateWorkingHours(fx.ctx, bad)
		requireInvalid(t, err, "timezone")
		bad = officeHours("x")
		bad.WorkWeek[schedule.Monday] = schedule.DailyHours{StartTime: 0, EndTime: 1441, Enabled: true}
		_, err = fx.svc.CreateWorkingHours(fx.ctx, bad)
		requireInvalid(t, err, "workWeek.MONDAY.endTime")
		_, err = fx.svc.ReplaceWorkingHours(fx.ctx, "wh1", bad)
		requireInvalid(t, err, "workWeek.MONDAY.endTime")
		_, err = fx.svc.CreateQueue(fx.ctx, routing.Queue{Name: "Q", WorkingHoursID: "nope"})
		require.ErrorIs(t, err, parley.ErrNotFound)
		_, err = fx.svc.SetRoutingRules(fx.ctx, []routing.Rule{{Name: "r", QueueID: "nope", WorkingHoursID: "wh1"}})
		require.ErrorIs(t, err, parley.ErrNotFound)
		_, err = fx.svc.QueueActivity(fx.ctx, 0, 2001)
		requireInvalid(t, err, "size")
		_, err = fx.svc.QueueActivity(fx.ctx, -1, 10)
		requireInvalid(t, err, "page")
		fx.requireUnchanged(t, before)
	}},
	{"StatusAcrossDaylightSaving", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.workingHours(t, "wh1")
		fx.setClock(fridayBeforeDST)
		st, err := fx.svc.WorkingHoursStatus(fx.ctx, "wh1")
		require.NoError(t, err)
		require.Equal(t, schedule.Outside, st, "08:30 in winter time")
		fx.setClock(mondayAfterDST)
		st, err = fx.svc.WorkingHoursStatus(fx.ctx, "wh1")
		require.NoError(t, err)
		require.Equal(t, schedule.Inside, st, "the same UTC time is 09:30 in summer time")
		_, err = fx.svc.WorkingHoursStatus(fx.ctx, "nope")
		require.ErrorIs(t, err, parley.ErrNotFound)
	}},
	{"QueuesAssignOnlyInsideTheirHours", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.workingHours(t, "wh1")
		fx.setClock(fridayBeforeDST)
		fx.autoQueue(t, "q", func(q *routing.Queue) { q.WorkingHoursID, q.Default = "wh1", true })
		fx.activeAgent(t, "a1", 5, "q")
		require.NoError(t, fx.svc.Heartbeat(fx.ctx, "a1"))
		conv := fx.conversation(t, conversation.Conversation{Channel: conversation.SMS})
		_, err := fx.svc.Route(fx.ctx, conv.ID)
		require.NoError(t, err)
		require.Empty(t, fx.get(t, conv.ID).AgentID, "outside working hours it waits")
		c := fx.inboundCall(t, "1")
		require.Equal(t, call.Queued, c.State, "and so does a call")

		act, err := fx.svc.QueueActivity(fx.ctx, 0, 0)
		require.NoError(t, err)
		require.Equal(t, []schedule.Activity{{QueueID: "q", QueueName: "Queue q", Active: false, AutoAssignmentEnabled: true}}, act.Elements)

		fx.setClock(mondayAfterDST)
		require.NoError(t, fx.svc.Heartbeat(fx.ctx, "a1"))
		r := fx.runDue(t)
		require.Equal(t, 1, r.Offered, "inside them the runner offers the call")
		require.Zero(t, r.Assigned, "its agent is on the call now")
		_, err = fx.svc.FailCall(fx.ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, "a1", fx.get(t, conv.ID).AgentID, "the freed agent gets the waiting conversation")
		act, err = fx.svc.QueueActivity(fx.ctx, 0, 0)
		require.NoError(t, err)
		require.True(t, act.Elements[0].Active)

		yes := true
		_, err = fx.svc.UpdateQueue(fx.ctx, "q", routing.QueuePatch{AutoAssignOutside: &yes})
		require.NoError(t, err)
		fx.setClock(fridayBeforeDST.AddDate(0, 0, 14))
		require.NoError(t, fx.svc.Heartbeat(fx.ctx, "a1"))
		conv = fx.conversation(t, conversation.Conversation{Channel: conversation.SMS})
		_, err = fx.svc.Route(fx.ctx, conv.ID)
		require.NoError(t, err)
		require.Equal(t, "a1", fx.get(t, conv.ID).AgentID, "AutoAssignOutside assigns outside working hours too")
	}},
	{"RulesMatchOnlyInsideTheirHours", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.workingHours(t, "wh1")
		fx.queue(t, "day", "Day")
		fx.queue(t, "night", "Night")
		fx.rules(t,
			routing.Rule{ID: "r-day", Name: "Day", QueueID: "day", WorkingHoursID: "wh1"},
			routing.Rule{ID: "r-night", Name: "Night", QueueID: "night"},
		)
		conv := fx.conversation(t, conversation.Conversation{Channel: conversation.SMS})
		fx.setClock(fridayBeforeDST)
		d, err := fx.svc.SimulateRouting(fx.ctx, conv.ID)
		require.NoError(t, err)
		require.Equal(t, "night", d.QueueID)
		fx.setClock(mondayAfterDST)
		d, err = fx.svc.SimulateRouting(fx.ctx, conv.ID)
		require.NoError(t, err)
		require.Equal(t, "day", d.QueueID)
		rules, err := fx.svc.RoutingRules(fx.ctx)
		require.NoError(t, err)
		require.Equal(t, "wh1", rules[0].WorkingHoursID, "kept by the store")
	}},
	{"InUseIsNotDeleted", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.workingHours(t, "wh1")
		fx.workingHours(t, "wh2")
		_, err := fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: "q", Name: "Q", WorkingHoursID: "wh1"})
		require.NoError(t, err)
		fx.rules(t, routing.Rule{ID: "r", Name: "R", QueueID: "q", WorkingHoursID: "wh2"})
		q, err := fx.svc.GetQueue(fx.ctx, "q")
		require.NoError(t, err)
		require.Equal(t, "wh1", q.WorkingHoursID, "kept by the store")
		before := fx.snapshot(t)
		require.ErrorIs(t, fx.svc.DeleteWorkingHours(fx.ctx, "wh1"), parley.ErrConflict, "a queue follows them")
		require.ErrorIs(t, fx.svc.DeleteWorkingHours(fx.ctx, "wh2"), parley.ErrConflict, "a rule names them")
		fx.requireUnchanged(t, before)
		none := ""
		_, err = fx.svc.UpdateQueue(fx.ctx, "q", routing.QueuePatch{WorkingHoursID: &none})
		require.NoError(t, err)
		require.NoError(t, fx.svc.DeleteWorkingHours(fx.ctx, "wh1"))
	}},
	{"QueueActivityPages", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		for _, id := range []string{"q1", "q2", "q3"} {
			fx.queue(t, id, "Queue "+id)
		}
		act, err := fx.svc.QueueActivity(fx.ctx, 1, 2)
		require.NoError(t, err)
		require.Equal(t, 3, act.Total)
		require.Equal(t, 2, act.TotalPages)
		require.Len(t, act.Elements, 1)
		require.Equal(t, "q3", act.Elements[0].QueueID)
		require.True(t, act.Elements[0].Active, "a queue with no working hours is always inside")
	}},
	{"PatchChangesOnlyWhatItSets", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		w := fx.workingHours(t, "wh1")
		fx.tick()
		name, off := "Renamed", false
		sat := schedule.DailyHours{StartTime: 10 * 60, EndTime: 14 * 60, Enabled: true}
		seq := fx.lastSeq(t)
		got, err := fx.svc.PatchWorkingHours(fx.ctx, "wh1", parley.WorkingHoursPatch{Name: &name, Enabled: &off,
			WorkWeek: map[schedule.Weekday]schedule.DailyHours{schedule.Saturday: sat}})
		require.NoError(t, err)
		want := w.Clone()
		want.Name, want.Enabled, want.UpdatedAt = name, false, fx.clock.Now()
		want.WorkWeek[schedule.Saturday] = sat
		require.Equal(t, want, got)
		stored, err := fx.svc.GetWorkingHours(fx.ctx, "wh1")
		require.NoError(t, err)
		require.Equal(t, want, stored)
		events := fx.eventsSince(t, seq)
		require.Len(t, events, 1)
		require.Equal(t, storage.WorkingHoursUpdated, events[0].Type)
		require.ElementsMatch(t, []string{"name", "enabled", "workWeek"}, changeFields(events[0]))

		zone := "Mars/Olympus"
		_, err = fx.svc.PatchWorkingHours(fx.ctx, "wh1", parley.WorkingHoursPatch{Timezone: &zone, Name: &name})
		requireInvalid(t, err, "timezone")
		_, err = fx.svc.PatchWorkingHours(fx.ctx, "wh1", parley.WorkingHoursPatch{
			WorkWeek: map[schedule.Weekday]schedule.DailyHours{schedule.Monday: {StartTime: 0, EndTime: 1441, Enabled: true}}})
		requireInvalid(t, err, "workWeek.MONDAY.endTime")
		_, err = fx.svc.PatchWorkingHours(fx.ctx, "wh1", parley.WorkingHoursPatch{
			WorkWeek: map[schedule.Weekday]schedule.DailyHours{"FUNDAY": {}}})
		requireInvalid(t, err, "workWeek")
		_, err = fx.svc.PatchWorkingHours(fx.ctx, "nope", parley.WorkingHoursPatch{Name: &name})
		require.ErrorIs(t, err, parley.ErrNotFound)
		stored, err = fx.svc.GetWorkingHours(fx.ctx, "wh1")
		require.NoError(t, err)
		require.Equal(t, want, stored, "a refused patch writes nothing")
		require.Len(t, fx.eventsSince(t, seq), 1, "and records no event")
	}},
	{"Holidays", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.workingHours(t, "wh1")
		seq := fx.lastSeq(t)
		easter := schedule.Holiday{Name: "Easter Monday", StartDate: schedule.Date{Year: 2026, Month: 3, Day: 30}, Enabled: true}
		w, err := fx.svc.AddHoliday(fx.ctx, "wh1", easter)
		require.NoError(t, err)
		require.Len(t, w.Holidays, 1)
		id := w.Holidays[0].ID
		require.NotEmpty(t, id, "a new holiday gets an id")
		fx.setClock(mondayAfterDST)
		st, err := fx.svc.WorkingHoursStatus(fx.ctx, "wh1")
		require.NoError(t, err)
		require.Equal(t, schedule.Outside, st, "closed on the holiday")

		easter.ID = id
		_, err = fx.svc.AddHoliday(fx.ctx, "wh1", easter)
		require.ErrorIs(t, err, parley.ErrAlreadyExists)
		_, err = fx.svc.AddHoliday(fx.ctx, "wh1", schedule.Holiday{Name: "", StartDate: easter.StartDate})
		requireInvalid(t, err, "name")
		_, err = fx.svc.AddHoliday(fx.ctx, "wh1", schedule.Holiday{Name: "x", StartDate: easter.StartDate, EndDate: schedule.Date{Year: 2026, Month: 3, Day: 1}})
		requireInvalid(t, err, "endDate")
		_, err = fx.svc.AddHoliday(fx.ctx, "wh1", schedule.Holiday{Name: "x"})
		requireInvalid(t, err, "startDate")
		_, err = fx.svc.AddHoliday(fx.ctx, "nope", schedule.Holiday{Name: "x", StartDate: easter.StartDate})
		require.ErrorIs(t, err, parley.ErrNotFound)
		require.ErrorIs(t, fx.svc.DeleteHoliday(fx.ctx, "wh1", "nope"), parley.ErrNotFound)
		require.ErrorIs(t, fx.svc.DeleteHoliday(fx.ctx, "nope", id), parley.ErrNotFound)
		requireInvalid(t, fx.svc.DeleteHoliday(fx.ctx, "wh1", ""), "holidayId")
		require.Len(t, fx.eventsSince(t, seq), 1, "refusals record nothing")

		require.NoError(t, fx.svc.DeleteHoliday(fx.ctx, "wh1", id))
		w, err = fx.svc.GetWorkingHours(fx.ctx, "wh1")
		require.NoError(t, err)
		require.Empty(t, w.Holidays)
		st, err = fx.svc.WorkingHoursStatus(fx.ctx, "wh1")
		require.NoError(t, err)
		require.Equal(t, schedule.Inside, st)
		events := fx.eventsSince(t, seq)
		require.Equal(t, []storage.EventType{storage.WorkingHoursUpdated, storage.WorkingHoursUpdated}, eventTypes(events))
		require.Equal(t, []string{"holidays"}, changeFields(events[1]))

		// At most schedule.MaxHolidays.
		many := make([]schedule.Holiday, schedule.MaxHolidays)
		for i := range many {
			many[i] = schedule.Holiday{Name: "Day", StartDate: schedule.Date{Year: 2027, Month: 1, Day: 1}, Enabled: true}
		}
		_, err = fx.svc.PatchWorkingHours(fx.ctx, "wh1", parley.WorkingHoursPatch{Holidays: &many})
		require.NoError(t, err)
		_, err = fx.svc.AddHoliday(fx.ctx, "wh1", easter)
		requireInvalid(t, err, "holidays")
	}},
	{"SearchFiltersAndOrders", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		for i, id := range []string{"wh3", "wh1", "wh2", "wh4"} {
			w := officeHours(id)
			w.Name = []string{"Night Shift", "Office", "night desk", "Weekend"}[i]
			w.Enabled = i != 3
			w.IsDefault = i == 1
			_, err := fx.svc.CreateWorkingHours(fx.ctx, w)
			require.NoError(t, err)
			fx.tick()
		}
		search := func(q parley.WorkingHoursSearch) []string {
			t.Helper()
			page, err := fx.svc.SearchWorkingHours(fx.ctx, q)
			require.NoError(t, err)
			var ids []string
			for _, w := range page.Items {
				ids = append(ids, w.ID)
			}
			return ids
		}
		yes, no := true, false
		require.Equal(t, []string{"wh1", "wh2", "wh3", "wh4"}, search(parley.WorkingHoursSearch{}))
		require.Equal(t, []string{"wh2", "wh3"}, search(parley.WorkingHoursSearch{Name: "NIGHT"}), "a part of the name, any case")
		require.Equal(t, []string{"wh4"}, search(parley.WorkingHoursSearch{Enabled: &no}))
		require.Equal(t, []string{"wh1"}, search(parley.WorkingHoursSearch{IsDefault: &yes}))
		require.Equal(t, []string{"wh2", "wh4"}, search(parley.WorkingHoursSearch{CreatedAfter: t0.Add(time.Second)}), "after, exclusive")
		require.Equal(t, []string{"wh1", "wh3"}, search(parley.WorkingHoursSearch{CreatedBefore: t0.Add(2 * time.Second)}))
		require.Equal(t, []string{"wh4", "wh2", "wh1", "wh3"}, search(parley.WorkingHoursSearch{Order: storage.Order{Field: storage.SortCreatedAt, Desc: true}}))
		require.Equal(t, []string{"wh3", "wh1", "wh4", "wh2"}, search(parley.WorkingHoursSearch{Order: storage.Order{Field: storage.SortName}}), "by bytes")
		require.Equal(t, []string{"wh1"}, search(parley.WorkingHoursSearch{Order: storage.Order{Field: storage.SortName}, Page: 1, Limit: 1}))
		page, err := fx.svc.SearchWorkingHours(fx.ctx, parley.WorkingHoursSearch{Name: "night", Limit: 1})
		require.NoError(t, err)
		require.Equal(t, 2, page.Total)
		require.Empty(t, page.NextCursor)

		_, err = fx.svc.SearchWorkingHours(fx.ctx, parley.WorkingHoursSearch{Order: storage.Order{Field: "message"}})
		requireInvalid(t, err, "orderBy")
		_, err = fx.svc.SearchWorkingHours(fx.ctx, parley.WorkingHoursSearch{Limit: storage.MaxLimit + 1})
		requireInvalid(t, err, "limit")
		_, err = fx.svc.SearchWorkingHours(fx.ctx, parley.WorkingHoursSearch{Page: -1})
		requireInvalid(t, err, "page")
		_, err = fx.svc.SearchWorkingHours(fx.ctx, parley.WorkingHoursSearch{Name: "\xff"})
		requireInvalid(t, err, "name")
	}},
}

func init() {
	operations["PatchWorkingHours"] = operation{parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		name := "Renamed"
		return ignore(svc.PatchWorkingHours(ctx, "wh1", parley.WorkingHoursPatch{Name: &name}))
	}}
	operations["AddHoliday"] = operation{parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.AddHoliday(ctx, "wh1", schedule.Holiday{Name: "New Year", StartDate: schedule.Date{Year: 2027, Month: 1, Day: 1}}))
	}}
	operations["DeleteHoliday"] = operation{parley.ScopeWrite, func(ctx context.Context, svc *parley.Service) error {
		return svc.DeleteHoliday(ctx, "wh1", "hol1")
	}}
	operations["SearchWorkingHours"] = operation{parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.SearchWorkingHours(ctx, parley.WorkingHoursSearch{Name: "office"}))
	}}
	for _, name := range []string{"PatchWorkingHours", "AddHoliday", "DeleteHoliday"} {
		operationSetUp[name] = func(t *testing.T, fx *serviceFixture) {
			t.Helper()
			w := officeHours("wh1")
			w.Holidays = []schedule.Holiday{{ID: "hol1", Name: "New Year", StartDate: schedule.Date{Year: 2027, Month: 1, Day: 1}}}
			_, err := fx.svc.CreateWorkingHours(fx.ctx, w)
			require.NoError(t, err)
		}
	}
}
