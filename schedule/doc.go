// Package schedule holds working hours, Infobip's /ccaas/1/working-hours:
// a weekly timetable in one IANA time zone with holidays, and the status it
// gives at an instant, INSIDE_OF_WORKING_HOURS or OUTSIDE_OF_WORKING_HOURS.
// Queues follow it: a queue outside its working hours is not active (it
// takes no transfers) and assigns automatically only when its
// QueueHours say so.
//
// The package is pure: no I/O but the time zone database that
// time.LoadLocation reads, and every rule takes the time as an argument.
// It does not import time/tzdata: a host whose system lacks the zone
// database imports it in its main package (the tests do).
//
// # The timetable
//
// WorkWeek holds all seven days, as Infobip requires, each with a
// startTime and an endTime in minutes after local midnight (0..1440; the
// endTime too, although Infobip's text says "before midnight": its own
// example 0..1440 for a whole day only reads one way) and an enabled flag.
// Where Infobip is silent, parley decides:
//
//   - An endTime at or before the startTime is an overnight interval: it
//     ends on the next day (22:00..06:00 closes at 06:00 the day after).
//     An interval of no length (startTime equal to endTime, or 1440..0) is
//     refused on an enabled day.
//   - Boundaries are local wall times turned into instants, and each
//     interval is one span of instants [open, close). A wall time that
//     does not exist (the spring-forward gap: 02:30 on a night the clocks
//     jump from 02:00 to 03:00) takes effect when the gap ends, at 03:00.
//     A wall time that happens twice (the fall-back hour: 01:30 on a night
//     the clocks go from 02:00 back to 01:00) takes effect the first time.
//     So an interval closing at 01:30 closes once and does not reopen when
//     the clock reads 01:00 again.
//   - A holiday closes every instant whose local date is from its startDate
//     to its endDate, both included, overnight intervals included. A
//     holiday needs a startDate; its endDate defaults to the startDate.
//     A disabled holiday is ignored. At most MaxHolidays holidays.
//   - Disabled working hours (enabled false) impose nothing: the status
//     is always INSIDE_OF_WORKING_HOURS, as Infobip sends no out-of-hours
//     message when they are disabled.
//
// # Queues and routing rules
//
// A queue follows its working hours through QueueHours: it is active
// (Infobip's transfer queue list, Activity) inside them; it assigns
// automatically inside them, and outside them only when
// AutoAssignOutside is on; it takes a transfer only when active with
// auto-assignment on (TakesTransfers), whatever AutoAssignOutside says. A
// routing rule that names working hours matches only while Active.
//
// NextChange gives the next instant the status flips, for the runner that
// wakes queues up; it reports false when the status never changes again.
package schedule
