package schedule_test

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/schedule"
)

func ExampleTimetable_NextChange() {
	w := &schedule.WorkingHours{
		Name:     "Zagreb office",
		Timezone: "Europe/Zagreb",
		Enabled:  true,
		WorkWeek: map[schedule.Weekday]schedule.DailyHours{},
		Holidays: []schedule.Holiday{{Name: "Statehood Day", StartDate: schedule.Date{Year: 2026, Month: 6, Day: 25}, Enabled: true}},
	}
	for _, d := range schedule.Weekdays {
		w.WorkWeek[d] = schedule.DailyHours{StartTime: 8 * 60, EndTime: 16 * 60, Enabled: d != schedule.Saturday && d != schedule.Sunday}
	}
	tt, err := w.Timetable()
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 6, 24, 15, 0, 0, 0, time.UTC) // Wednesday 17:00 in Zagreb
	next, _ := tt.NextChange(now)
	fmt.Println(tt.Status(now), "until", next.Format("Mon 2006-01-02 15:04 MST"))
	// Output: OUTSIDE_OF_WORKING_HOURS until Fri 2026-06-26 08:00 CEST
}
