package schedule

import (
	"slices"
	"time"
)

// Timetable is a validated WorkingHours compiled for evaluation: its zone
// loaded, its days indexed, its disabled holidays dropped. Build it with
// WorkingHours.Timetable; it is safe for concurrent use.
type Timetable struct {
	loc      *time.Location
	enabled  bool
	days     [7]DailyHours // by time.Weekday
	holidays []Holiday     // enabled ones only
}

// Location returns the zone the timetable runs in.
func (t *Timetable) Location() *time.Location { return t.loc }

// Status returns INSIDE_OF_WORKING_HOURS when now lies in an interval of
// an enabled day and on no enabled holiday, or when the working hours are
// disabled; OUTSIDE_OF_WORKING_HOURS otherwise.
func (t *Timetable) Status(now time.Time) Status {
	if !t.enabled {
		return Inside
	}
	for _, h := range t.holidays {
		from, to := t.holidaySpan(h)
		if within(now, from, to) {
			return Outside
		}
	}
	d := DateOf(now.In(t.loc))
	// The day before may reach into today overnight; the day after can
	// have opened already when the clocks fell back over midnight.
	for i := -1; i <= 1; i++ {
		if open, close, ok := t.span(d.AddDays(i)); ok && within(now, open, close) {
			return Inside
		}
	}
	return Outside
}

// NextChange returns the first instant after now at which the status
// differs from the status at now, in the timetable's zone; ok is false when it never changes
// again (disabled working hours, a timetable open or closed all week
// with no holiday ahead).
func (t *Timetable) NextChange(now time.Time) (at time.Time, ok bool) {
	if !t.enabled {
		return time.Time{}, false
	}
	cur := t.Status(now)
	// The status flips only at an interval's or a holiday's boundary. The
	// first flip after now comes within a week of now, or within a week
	// of the end of a holiday (a holiday can hide every interval for as
	// long as it lasts).
	var cands []time.Time
	add := func(from Date) {
		for i := -1; i <= 8; i++ {
			if open, close, ok := t.span(from.AddDays(i)); ok {
				cands = append(cands, open, close)
			}
		}
	}
	add(DateOf(now.In(t.loc)))
	for _, h := range t.holidays {
		from, to := t.holidaySpan(h)
		if !to.After(now) {
			continue
		}
		cands = append(cands, from, to)
		add(h.End())
	}
	slices.SortFunc(cands, func(a, b time.Time) int { return a.Compare(b) })
	for _, c := range cands {
		if c.After(now) && t.Status(c) != cur {
			return c.In(t.loc), true
		}
	}
	return time.Time{}, false
}

func within(now, from, to time.Time) bool { return !now.Before(from) && now.Before(to) }

// span returns the instants the interval of local date d opens and closes;
// ok is false when d's day is disabled.
func (t *Timetable) span(d Date) (open, close time.Time, ok bool) {
	h := t.days[d.Weekday()]
	if !h.Enabled {
		return time.Time{}, time.Time{}, false
	}
	end := d
	if h.EndTime <= h.StartTime {
		end = d.AddDays(1)
	}
	return t.instant(d, h.StartTime), t.instant(end, h.EndTime), true
}

// holidaySpan returns the instants a holiday starts and ends: local
// midnight of its first date and of the day after its last.
func (t *Timetable) holidaySpan(h Holiday) (from, to time.Time) {
	return t.instant(h.StartDate, 0), t.instant(h.End().AddDays(1), 0)
}

// instant turns the local wall time minute minutes after midnight of d
// (1440 is the next midnight) into an instant. A wall time that happens
// twice maps to its first occurrence; one that does not exist (a
// spring-forward gap) maps to the end of the gap. The offsets in force are
// read two days either side, which covers every zone that changes its
// clocks at most once in two days: all of them.
func (t *Timetable) instant(d Date, minute int) time.Time {
	wall := time.Date(d.Year, d.Month, d.Day, 0, minute, 0, 0, time.UTC)
	var best time.Time
	var before int
	for i, probe := range []time.Time{wall.Add(-48 * time.Hour), wall, wall.Add(48 * time.Hour)} {
		_, off := probe.In(t.loc).Zone()
		if i == 0 {
			before = off
		}
		at := wall.Add(-time.Duration(off) * time.Second)
		if _, got := at.In(t.loc).Zone(); got == off && (best.IsZero() || at.Before(best)) {
			best = at
		}
	}
	if !best.IsZero() {
		return best
	}
	// In a gap: read with the offset from before it, the wall time lies
	// past the transition, whose instant starts the zone in effect there.
	start, _ := wall.Add(-time.Duration(before) * time.Second).In(t.loc).ZoneBounds()
	return start
}
