package schedule_test

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zone database

	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/schedule"
	"github.com/stretchr/testify/require"
)

// week returns a work week with every day set to h.
func week(h schedule.DailyHours) map[schedule.Weekday]schedule.DailyHours {
	w := map[schedule.Weekday]schedule.DailyHours{}
	for _, d := range schedule.Weekdays {
		w[d] = h
	}
	return w
}

// officeHours is Monday to Friday, 09:00 to 17:00, in zone.
func officeHours(zone string) *schedule.WorkingHours {
	w := week(schedule.DailyHours{StartTime: 9 * 60, EndTime: 17 * 60, Enabled: true})
	w[schedule.Saturday] = schedule.DailyHours{}
	w[schedule.Sunday] = schedule.DailyHours{}
	return &schedule.WorkingHours{Name: "Office", Timezone: zone, Enabled: true, WorkWeek: w}
}

func at(t *testing.T, zone, wall string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	require.NoError(t, err)
	v, err := time.ParseInLocation("2006-01-02 15:04", wall, loc)
	require.NoError(t, err)
	return v
}

func utc(s string) time.Time {
	v, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return v
}

func date(s string) schedule.Date {
	d, err := schedule.ParseDate("date", s)
	if err != nil {
		panic(err)
	}
	return d
}

func requireSame(t *testing.T, want, got time.Time) {
	t.Helper()
	require.True(t, want.Equal(got), "want %s, got %s", want, got)
}

func status(t *testing.T, w *schedule.WorkingHours, now time.Time) schedule.Status {
	t.Helper()
	s, err := w.Status(now)
	require.NoError(t, err)
	return s
}

func TestValidateNamesTheField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		edit  func(w *schedule.WorkingHours)
		field string
	}{
		{"no name", func(w *schedule.WorkingHours) { w.Name = "" }, "name"},
		{"long name", func(w *schedule.WorkingHours) { w.Name = strings.Repeat("n", 256) }, "name"},
		{"long message", func(w *schedule.WorkingHours) { w.Message = strings.Repeat("m", 4001) }, "message"},
		{"NUL in message", func(w *schedule.WorkingHours) { w.Message = "a\x00b" }, "message"},
		{"no zone", func(w *schedule.WorkingHours) { w.Timezone = "" }, "timezone"},
		{"unknown zone", func(w *schedule.WorkingHours) { w.Timezone = "Mars/Olympus_Mons" }, "timezone"},
		{"host zone", func(w *schedule.WorkingHours) { w.Timezone = "Local" }, "timezone"},
		{"path in zone", func(w *schedule.WorkingHours) { w.Timezone = "../../etc/passwd" }, "timezone"},
		{"no work week", func(w *schedule.WorkingHours) { w.WorkWeek = nil }, "workWeek.MONDAY"},
		{"a day missing", func(w *schedule.WorkingHours) { delete(w.WorkWeek, schedule.Thursday) }, "workWeek.THURSDAY"},
		{"unknown day", func(w *schedule.WorkingHours) { w.WorkWeek["FUNDAY"] = schedule.DailyHours{} }, "workWeek"},
		{"negative start", func(w *schedule.WorkingHours) {
			w.WorkWeek[schedule.Monday] = schedule.DailyHours{StartTime: -1, EndTime: 60}
		}, "workWeek.MONDAY.startTime"},
		{"start past midnight", func(w *schedule.WorkingHours) {
			w.WorkWeek[schedule.Monday] = schedule.DailyHours{StartTime: 1441, EndTime: 60}
		}, "workWeek.MONDAY.startTime"},
		{"end past midnight", func(w *schedule.WorkingHours) {
			w.WorkWeek[schedule.Friday] = schedule.DailyHours{StartTime: 0, EndTime: 1441}
		}, "workWeek.FRIDAY.endTime"},
		{"negative end on a disabled day", func(w *schedule.WorkingHours) {
			w.WorkWeek[schedule.Sunday] = schedule.DailyHours{StartTime: 0, EndTime: -5}
		}, "workWeek.SUNDAY.endTime"},
		{"an enabled day with no hours", func(w *schedule.WorkingHours) {
			w.WorkWeek[schedule.Monday] = schedule.DailyHours{StartTime: 600, EndTime: 600, Enabled: true}
		}, "workWeek.MONDAY.endTime"},
		{"an enabled day from midnight to midnight before", func(w *schedule.WorkingHours) {
			w.WorkWeek[schedule.Monday] = schedule.DailyHours{StartTime: 1440, EndTime: 0, Enabled: true}
		}, "workWeek.MONDAY.endTime"},
		{"holiday with no name", func(w *schedule.WorkingHours) {
			w.Holidays = []schedule.Holiday{{StartDate: date("2026-12-25")}}
		}, "holidays[0].name"},
		{"holiday with a long name", func(w *schedule.WorkingHours) {
			w.Holidays = []schedule.Holiday{{Name: strings.Repeat("h", 256), StartDate: date("2026-12-25")}}
		}, "holidays[0].name"},
		{"holiday with no start", func(w *schedule.WorkingHours) {
			w.Holidays = []schedule.Holiday{{Name: "ok", StartDate: date("2026-01-01")}, {Name: "Christmas"}}
		}, "holidays[1].startDate"},
		{"holiday ending before it starts", func(w *schedule.WorkingHours) {
			w.Holidays = []schedule.Holiday{{Name: "x", StartDate: date("2026-12-25"), EndDate: date("2026-12-24")}}
		}, "holidays[0].endDate"},
		{"holiday on a date that does not exist", func(w *schedule.WorkingHours) {
			w.Holidays = []schedule.Holiday{{Name: "x", StartDate: schedule.Date{Year: 2026, Month: 2, Day: 30}}}
		}, "holidays[0].startDate"},
		{"too many holidays", func(w *schedule.WorkingHours) {
			for i := range 367 {
				w.Holidays = append(w.Holidays, schedule.Holiday{Name: "x", StartDate: date("2026-01-01").AddDays(i)})
			}
		}, "holidays"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := officeHours("Europe/Zagreb")
			tc.edit(w)
			err := w.Validate()
			require.ErrorIs(t, err, fault.ErrInvalid)
			var fe *fault.FieldError
			require.True(t, errors.As(err, &fe))
			require.Equal(t, tc.field, fe.Field, err.Error())
			_, err = w.Status(time.Now())
			require.ErrorIs(t, err, fault.ErrInvalid, "Status validates too")
		})
	}
}

func TestValidateAcceptsTheLimits(t *testing.T) {
	t.Parallel()
	w := officeHours("America/New_York")
	w.Name = strings.Repeat("n", 255)
	w.Message = strings.Repeat("m", 4000)
	w.WorkWeek[schedule.Saturday] = schedule.DailyHours{StartTime: 0, EndTime: 1440, Enabled: true}
	w.WorkWeek[schedule.Sunday] = schedule.DailyHours{StartTime: 1440, EndTime: 1440} // disabled: anything in range
	for i := range 366 {
		w.Holidays = append(w.Holidays, schedule.Holiday{Name: "x", StartDate: date("2026-01-01").AddDays(i)})
	}
	require.NoError(t, w.Validate())
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	d, err := schedule.ParseDate("startDate", "2026-12-25")
	require.NoError(t, err)
	require.Equal(t, schedule.Date{Year: 2026, Month: 12, Day: 25}, d)
	require.Equal(t, "2026-12-25", d.String())
	for _, bad := range []string{"", "2026-13-01", "2026-02-30", "25.12.2026", "2026-12-25T00:00:00Z"} {
		_, err := schedule.ParseDate("startDate", bad)
		var fe *fault.FieldError
		require.ErrorAs(t, err, &fe, bad)
		require.Equal(t, "startDate", fe.Field)
	}
}

func TestStatusOfficeHours(t *testing.T) {
	t.Parallel()
	w := officeHours("Europe/Zagreb")
	cases := []struct {
		wall string
		want schedule.Status
	}{
		{"2026-06-15 08:59", schedule.Outside}, // Monday
		{"2026-06-15 09:00", schedule.Inside},  // opening is inside
		{"2026-06-15 16:59", schedule.Inside},
		{"2026-06-15 17:00", schedule.Outside}, // closing is outside
		{"2026-06-20 12:00", schedule.Outside}, // Saturday
		{"2026-06-21 12:00", schedule.Outside}, // Sunday
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, status(t, w, at(t, "Europe/Zagreb", tc.wall)), tc.wall)
	}
	// The zone is the schedule's, not the instant's: 07:30 UTC is 09:30 in
	// Zagreb in summer.
	require.Equal(t, schedule.Inside, status(t, w, utc("2026-06-15 07:30:00")))
	require.Equal(t, schedule.Outside, status(t, w, utc("2026-06-15 06:30:00")))
}

func TestDisabledWorkingHoursAreAlwaysInside(t *testing.T) {
	t.Parallel()
	w := officeHours("Europe/Zagreb")
	w.Enabled = false
	w.Holidays = []schedule.Holiday{{Name: "x", StartDate: date("2026-06-20"), Enabled: true}}
	for _, wall := range []string{"2026-06-15 03:00", "2026-06-20 12:00"} {
		require.Equal(t, schedule.Inside, status(t, w, at(t, "Europe/Zagreb", wall)))
	}
	tt, err := w.Timetable()
	require.NoError(t, err)
	_, ok := tt.NextChange(at(t, "Europe/Zagreb", "2026-06-15 03:00"))
	require.False(t, ok)
}

func TestOvernightInterval(t *testing.T) {
	t.Parallel()
	w := officeHours("Europe/Zagreb")
	w.WorkWeek = week(schedule.DailyHours{})
	w.WorkWeek[schedule.Friday] = schedule.DailyHours{StartTime: 22 * 60, EndTime: 6 * 60, Enabled: true}
	cases := []struct {
		wall string
		want schedule.Status
	}{
		{"2026-06-19 21:59", schedule.Outside}, // Friday
		{"2026-06-19 22:00", schedule.Inside},
		{"2026-06-20 00:00", schedule.Inside}, // Saturday, a disabled day, still in Friday's night
		{"2026-06-20 05:59", schedule.Inside},
		{"2026-06-20 06:00", schedule.Outside},
		{"2026-06-20 22:30", schedule.Outside}, // Saturday has no night of its own
		{"2026-06-19 03:00", schedule.Outside}, // Thursday's night is disabled
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, status(t, w, at(t, "Europe/Zagreb", tc.wall)), tc.wall)
	}
	// An endTime of 0 closes at the next midnight.
	w.WorkWeek[schedule.Friday] = schedule.DailyHours{StartTime: 20 * 60, EndTime: 0, Enabled: true}
	require.Equal(t, schedule.Inside, status(t, w, at(t, "Europe/Zagreb", "2026-06-19 23:59")))
	require.Equal(t, schedule.Outside, status(t, w, at(t, "Europe/Zagreb", "2026-06-20 00:00")))
}

func TestHolidays(t *testing.T) {
	t.Parallel()
	w := officeHours("America/New_York")
	w.WorkWeek[schedule.Monday] = schedule.DailyHours{StartTime: 20 * 60, EndTime: 4 * 60, Enabled: true}
	w.Holidays = []schedule.Holiday{
		{Name: "Independence Day", StartDate: date("2026-07-03"), Enabled: true},                            // Friday, one day
		{Name: "Summer", StartDate: date("2026-07-14"), EndDate: date("2026-07-16"), Enabled: true},         // Tue..Thu
		{Name: "Not this year", StartDate: date("2026-07-08"), EndDate: date("2026-07-08"), Enabled: false}, // ignored
	}
	cases := []struct {
		wall string
		want schedule.Status
	}{
		{"2026-07-02 12:00", schedule.Inside},
		{"2026-07-03 00:00", schedule.Outside},
		{"2026-07-03 12:00", schedule.Outside},
		{"2026-07-08 12:00", schedule.Inside},  // the disabled holiday
		{"2026-07-13 23:59", schedule.Inside},  // Monday night
		{"2026-07-14 00:00", schedule.Outside}, // the holiday cuts Monday's night at midnight
		{"2026-07-16 12:00", schedule.Outside}, // the last date is included
		{"2026-07-17 12:00", schedule.Inside},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, status(t, w, at(t, "America/New_York", tc.wall)), tc.wall)
	}
}

// The clocks in Zagreb jump from 02:00 to 03:00 on 2026-03-29 (01:00 UTC)
// and go back from 03:00 to 02:00 on 2026-10-25 (01:00 UTC); in New York
// they jump from 02:00 to 03:00 on 2026-03-08 (07:00 UTC) and go back from
// 02:00 to 01:00 on 2026-11-01 (06:00 UTC).
func TestDaylightSavingChanges(t *testing.T) {
	t.Parallel()
	daily := func(zone string, start, end int) *schedule.WorkingHours {
		w := officeHours(zone)
		w.WorkWeek = week(schedule.DailyHours{StartTime: start, EndTime: end, Enabled: true})
		return w
	}
	type check struct {
		utc  string
		want schedule.Status
	}
	cases := []struct {
		name   string
		w      *schedule.WorkingHours
		checks []check
		from   string // NextChange from here ...
		next   string // ... is this
	}{
		{
			name: "Zagreb spring: an opening at 02:30, which does not exist, opens at 03:00 CEST",
			w:    daily("Europe/Zagreb", 150, 600),
			checks: []check{
				{"2026-03-29 00:59:59", schedule.Outside}, // 01:59:59 CET
				{"2026-03-29 01:00:00", schedule.Inside},  // 03:00 CEST
				{"2026-03-28 01:30:00", schedule.Inside},  // 02:30 CET the day before
				{"2026-03-28 01:29:59", schedule.Outside},
			},
			from: "2026-03-29 00:00:00", next: "2026-03-29 01:00:00",
		},
		{
			name: "Zagreb spring: a closing at 02:30 closes at 03:00 CEST",
			w:    daily("Europe/Zagreb", 0, 150),
			checks: []check{
				{"2026-03-29 00:59:59", schedule.Inside},
				{"2026-03-29 01:00:00", schedule.Outside},
			},
			from: "2026-03-29 00:30:00", next: "2026-03-29 01:00:00",
		},
		{
			name: "Zagreb autumn: an opening at 02:30, which happens twice, opens the first time",
			w:    daily("Europe/Zagreb", 150, 600),
			checks: []check{
				{"2026-10-25 00:29:59", schedule.Outside}, // 02:29:59 CEST
				{"2026-10-25 00:30:00", schedule.Inside},  // the first 02:30
				{"2026-10-25 01:15:00", schedule.Inside},  // 02:15 CET, the second pass
				{"2026-10-25 08:59:59", schedule.Inside},  // 09:59:59 CET
				{"2026-10-25 09:00:00", schedule.Outside}, // 10:00 CET
			},
			from: "2026-10-25 00:00:00", next: "2026-10-25 00:30:00",
		},
		{
			name: "New York spring: a closing at 02:30 closes at 03:00 EDT",
			w:    daily("America/New_York", 0, 150),
			checks: []check{
				{"2026-03-08 06:59:59", schedule.Inside},  // 01:59:59 EST
				{"2026-03-08 07:00:00", schedule.Outside}, // 03:00 EDT
			},
			from: "2026-03-08 06:00:00", next: "2026-03-08 07:00:00",
		},
		{
			name: "New York autumn: a closing at 01:30 closes the first time and does not reopen",
			w:    daily("America/New_York", 0, 90),
			checks: []check{
				{"2026-11-01 05:29:59", schedule.Inside},  // 01:29:59 EDT
				{"2026-11-01 05:30:00", schedule.Outside}, // the first 01:30
				{"2026-11-01 06:00:00", schedule.Outside}, // 01:00 EST, the clock reads 01:00 again
				{"2026-11-01 06:29:59", schedule.Outside},
				{"2026-11-01 06:30:00", schedule.Outside},
			},
			from: "2026-11-01 05:00:00", next: "2026-11-01 05:30:00",
		},
		{
			name: "New York autumn: an opening at 01:30 opens the first time and stays open",
			w:    daily("America/New_York", 90, 180),
			checks: []check{
				{"2026-11-01 05:29:59", schedule.Outside},
				{"2026-11-01 05:30:00", schedule.Inside},
				{"2026-11-01 06:15:00", schedule.Inside},  // 01:15 EST
				{"2026-11-01 07:59:59", schedule.Inside},  // 02:59:59 EST
				{"2026-11-01 08:00:00", schedule.Outside}, // 03:00 EST: the day lasted 25 hours
			},
			from: "2026-11-01 05:45:00", next: "2026-11-01 08:00:00",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range tc.checks {
				require.Equal(t, c.want, status(t, tc.w, utc(c.utc)), c.utc)
			}
			tt, err := tc.w.Timetable()
			require.NoError(t, err)
			next, ok := tt.NextChange(utc(tc.from))
			require.True(t, ok)
			requireSame(t, utc(tc.next), next)
		})
	}
}

func TestNextChange(t *testing.T) {
	t.Parallel()
	zone := "Europe/Zagreb"
	w := officeHours(zone)
	tt, err := w.Timetable()
	require.NoError(t, err)
	next, ok := tt.NextChange(at(t, zone, "2026-06-19 17:00")) // Friday closing
	require.True(t, ok)
	requireSame(t, at(t, zone, "2026-06-22 09:00"), next) // Monday opening

	next, ok = tt.NextChange(at(t, zone, "2026-06-19 16:00"))
	require.True(t, ok)
	requireSame(t, at(t, zone, "2026-06-19 17:00"), next)

	// A holiday on Monday moves the opening to Tuesday.
	w.Holidays = []schedule.Holiday{{Name: "x", StartDate: date("2026-06-22"), Enabled: true}}
	tt, err = w.Timetable()
	require.NoError(t, err)
	next, ok = tt.NextChange(at(t, zone, "2026-06-19 17:00"))
	require.True(t, ok)
	requireSame(t, at(t, zone, "2026-06-23 09:00"), next)

	// A long holiday: the first opening after it, weeks ahead.
	w.Holidays = []schedule.Holiday{{Name: "x", StartDate: date("2026-06-22"), EndDate: date("2026-08-31"), Enabled: true}}
	tt, err = w.Timetable()
	require.NoError(t, err)
	next, ok = tt.NextChange(at(t, zone, "2026-06-19 17:00"))
	require.True(t, ok)
	requireSame(t, at(t, zone, "2026-09-01 09:00"), next)

	// Open all week: only a holiday changes anything.
	w.WorkWeek = week(schedule.DailyHours{StartTime: 0, EndTime: 1440, Enabled: true})
	w.Holidays = nil
	tt, err = w.Timetable()
	require.NoError(t, err)
	_, ok = tt.NextChange(at(t, zone, "2026-06-19 17:00"))
	require.False(t, ok)
	w.Holidays = []schedule.Holiday{{Name: "x", StartDate: date("2026-12-25"), Enabled: true}}
	tt, err = w.Timetable()
	require.NoError(t, err)
	next, ok = tt.NextChange(at(t, zone, "2026-06-19 17:00"))
	require.True(t, ok)
	requireSame(t, at(t, zone, "2026-12-25 00:00"), next)

	// Closed all week: never.
	w.WorkWeek = week(schedule.DailyHours{})
	tt, err = w.Timetable()
	require.NoError(t, err)
	_, ok = tt.NextChange(at(t, zone, "2026-06-19 17:00"))
	require.False(t, ok)
}

// NextChange against a brute force: step through the following days a
// minute at a time (and at every instant NextChange names) and check that
// the status holds until the change and differs at it.
func TestNextChangeAgreesWithStatus(t *testing.T) {
	t.Parallel()
	zones := []string{"Europe/Zagreb", "America/New_York", "Australia/Lord_Howe", "UTC"}
	// Around the changes of 2026, and an ordinary week.
	starts := []string{"2026-03-27 12:00:00", "2026-10-23 12:00:00", "2026-03-06 12:00:00", "2026-10-30 12:00:00",
		"2026-04-03 00:00:00", "2026-06-10 00:00:00"}
	r := rand.New(rand.NewPCG(16, 16))
	for i := range 40 {
		w := officeHours(zones[i%len(zones)])
		for _, d := range schedule.Weekdays {
			h := schedule.DailyHours{Enabled: r.IntN(3) > 0}
			for {
				h.StartTime, h.EndTime = r.IntN(97)*15, r.IntN(97)*15
				if h.StartTime%1440 != h.EndTime%1440 || !h.Enabled {
					break
				}
			}
			w.WorkWeek[d] = h
		}
		if r.IntN(2) == 0 {
			s := date("2026-03-01").AddDays(r.IntN(250))
			w.Holidays = []schedule.Holiday{{Name: "h", StartDate: s, EndDate: s.AddDays(r.IntN(4)), Enabled: true}}
		}
		tt, err := w.Timetable()
		require.NoError(t, err)
		now := utc(starts[i%len(starts)]).Add(time.Duration(r.IntN(1440)) * time.Minute)
		cur := tt.Status(now)
		next, ok := tt.NextChange(now)
		limit := now.Add(9 * 24 * time.Hour)
		if ok && next.Before(limit) {
			limit = next
		}
		for m := now.Truncate(time.Minute).Add(time.Minute); m.Before(limit); m = m.Add(time.Minute) {
			require.Equal(t, cur, tt.Status(m), "case %d: %s changes before NextChange %s (ok %v)", i, m, next, ok)
		}
		if ok {
			require.True(t, next.After(now))
			require.NotEqual(t, cur, tt.Status(next), "case %d", i)
			require.Equal(t, cur, tt.Status(next.Add(-time.Nanosecond)), "case %d", i)
		}
	}
}

func TestCloneIsDeep(t *testing.T) {
	t.Parallel()
	w := officeHours("UTC")
	w.Holidays = []schedule.Holiday{{Name: "x", StartDate: date("2026-01-01")}}
	cp := w.Clone()
	cp.WorkWeek[schedule.Monday] = schedule.DailyHours{}
	cp.Holidays[0].Name = "changed"
	require.True(t, w.WorkWeek[schedule.Monday].Enabled)
	require.Equal(t, "x", w.Holidays[0].Name)
	require.Nil(t, (*schedule.WorkingHours)(nil).Clone())
}
