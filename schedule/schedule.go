package schedule

import (
	"slices"
	"strconv"
	"time"

	"github.com/parleyhq/parley/fault"
)

// Limits, counted in runes where they are lengths.
const (
	MaxNameLen        = 255  // name, as Infobip documents
	MaxMessageLen     = 4000 // message, as Infobip documents
	MaxHolidayNameLen = 255  // Infobip gives none; parley uses the name's
	MaxTimezoneLen    = 64   // longer than any IANA zone name
	MaxHolidays       = 366  // Infobip gives none; a year of single days
	MinutesPerDay     = 1440 // the upper bound of startTime and endTime
)

// Status is where an instant falls: inside or outside working hours.
type Status string

// The statuses, as Infobip's working-hours status names them.
const (
	Inside  Status = "INSIDE_OF_WORKING_HOURS"
	Outside Status = "OUTSIDE_OF_WORKING_HOURS"
)

// Weekday names a day of the week as Infobip's workWeek keys do.
type Weekday string

// The days of the week.
const (
	Monday    Weekday = "MONDAY"
	Tuesday   Weekday = "TUESDAY"
	Wednesday Weekday = "WEDNESDAY"
	Thursday  Weekday = "THURSDAY"
	Friday    Weekday = "FRIDAY"
	Saturday  Weekday = "SATURDAY"
	Sunday    Weekday = "SUNDAY"
)

// Weekdays lists the days, Monday first, as Infobip does.
var Weekdays = []Weekday{Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday}

// Valid reports whether d is a known day.
func (d Weekday) Valid() bool { return slices.Contains(Weekdays, d) }

// goWeekday maps d onto time.Weekday; d must be valid.
func (d Weekday) goWeekday() time.Weekday {
	return time.Weekday((slices.Index(Weekdays, d) + 1) % 7)
}

// DailyHours is one day of the work week: Infobip's
// DailyWorkingHoursApiModel. StartTime and EndTime are minutes after local
// midnight, 0..1440; an EndTime at or before StartTime runs past midnight
// into the next day.
type DailyHours struct {
	StartTime int
	EndTime   int
	Enabled   bool
}

// length is how many minutes the interval lasts.
func (h DailyHours) length() int {
	if h.EndTime >= h.StartTime {
		return h.EndTime - h.StartTime
	}
	return h.EndTime + MinutesPerDay - h.StartTime
}

func (h DailyHours) validate(field string) error {
	if h.StartTime < 0 || h.StartTime > MinutesPerDay {
		return fault.Invalid(field+".startTime", "must be 0..%d minutes, not %d", MinutesPerDay, h.StartTime)
	}
	if h.EndTime < 0 || h.EndTime > MinutesPerDay {
		return fault.Invalid(field+".endTime", "must be 0..%d minutes, not %d", MinutesPerDay, h.EndTime)
	}
	if h.Enabled && h.length() == 0 {
		return fault.Invalid(field+".endTime", "gives an enabled day no hours; use startTime 0 and endTime 1440 for a whole day")
	}
	return nil
}

// Holiday closes whole local dates, StartDate to EndDate included:
// Infobip's HolidaysApiModel. A zero EndDate means StartDate.
type Holiday struct {
	ID        string
	Name      string
	StartDate Date
	EndDate   Date
	Enabled   bool
}

// End returns the last date the holiday closes.
func (h Holiday) End() Date {
	if h.EndDate.IsZero() {
		return h.StartDate
	}
	return h.EndDate
}

func (h Holiday) validate(field string) error {
	if h.ID != "" {
		if err := fault.Identifier(field+".id", h.ID, 255); err != nil {
			return err
		}
	}
	if h.Name == "" {
		return fault.Invalid(field+".name", "is required")
	}
	if err := fault.Text(field+".name", h.Name, MaxHolidayNameLen); err != nil {
		return err
	}
	if h.StartDate.IsZero() {
		return fault.Invalid(field+".startDate", "is required")
	}
	if err := h.StartDate.validate(field + ".startDate"); err != nil {
		return err
	}
	if !h.EndDate.IsZero() {
		if err := h.EndDate.validate(field + ".endDate"); err != nil {
			return err
		}
		if h.EndDate.Before(h.StartDate) {
			return fault.Invalid(field+".endDate", "%s is before startDate %s", h.EndDate, h.StartDate)
		}
	}
	return nil
}

// WorkingHours is one working-hours configuration: Infobip's
// WorkingHoursApiRequest and WorkingHoursApiResponse.
type WorkingHours struct {
	ID       string
	Name     string // required, 1..255
	Timezone string // an IANA zone name, e.g. "Europe/Zagreb"
	// Message is the auto-reply sent to a customer who writes outside
	// working hours; required by Infobip, it may be empty; ≤ 4000.
	Message  string
	WorkWeek map[Weekday]DailyHours // all seven days
	Enabled  bool
	// IsDefault marks the account's default working hours.
	IsDefault bool
	// CloseConversations closes conversations created outside working
	// hours (a messaging rule the service applies).
	CloseConversations bool
	// SendAwayMessageEveryOOWHPeriod sends the away message once in
	// every period outside working hours rather than once per
	// conversation.
	SendAwayMessageEveryOOWHPeriod bool
	Holidays                       []Holiday
	CreatedAt                      time.Time
	UpdatedAt                      time.Time
}

// Clone returns a deep copy: changing the copy never changes w.
func (w *WorkingHours) Clone() *WorkingHours {
	if w == nil {
		return nil
	}
	cp := *w
	if w.WorkWeek != nil {
		cp.WorkWeek = make(map[Weekday]DailyHours, len(w.WorkWeek))
		for d, h := range w.WorkWeek {
			cp.WorkWeek[d] = h
		}
	}
	cp.Holidays = slices.Clone(w.Holidays)
	return &cp
}

// Validate checks every field: name, time zone (loaded, so an unknown zone
// is refused), message, all seven days and each holiday.
func (w *WorkingHours) Validate() error {
	_, err := w.Timetable()
	return err
}

// Timetable validates w and compiles it for Status and NextChange: the
// zone is loaded once, so a caller asking often keeps the Timetable.
func (w *WorkingHours) Timetable() (*Timetable, error) {
	if w.ID != "" {
		if err := fault.Identifier("id", w.ID, 255); err != nil {
			return nil, err
		}
	}
	if w.Name == "" {
		return nil, fault.Invalid("name", "is required")
	}
	if err := fault.Text("name", w.Name, MaxNameLen); err != nil {
		return nil, err
	}
	if err := fault.Text("message", w.Message, MaxMessageLen); err != nil {
		return nil, err
	}
	loc, err := LoadZone(w.Timezone)
	if err != nil {
		return nil, err
	}
	t := &Timetable{loc: loc, enabled: w.Enabled}
	for d := range w.WorkWeek {
		if !d.Valid() {
			return nil, fault.Invalid("workWeek", "unknown day %q", d)
		}
	}
	for _, d := range Weekdays {
		h, ok := w.WorkWeek[d]
		if !ok {
			return nil, fault.Invalid("workWeek."+string(d), "is required: the work week holds all seven days")
		}
		if err := h.validate("workWeek." + string(d)); err != nil {
			return nil, err
		}
		t.days[d.goWeekday()] = h
	}
	if len(w.Holidays) > MaxHolidays {
		return nil, fault.Invalid("holidays", "more than %d holidays", MaxHolidays)
	}
	for i, h := range w.Holidays {
		if err := h.validate("holidays[" + strconv.Itoa(i) + "]"); err != nil {
			return nil, err
		}
		if h.Enabled {
			t.holidays = append(t.holidays, h)
		}
	}
	return t, nil
}

// Status is the status of w at now; it validates w first.
func (w *WorkingHours) Status(now time.Time) (Status, error) {
	t, err := w.Timetable()
	if err != nil {
		return "", err
	}
	return t.Status(now), nil
}

// LoadZone loads an IANA time zone by name. The empty name and "Local"
// (which would mean the host's zone) are refused, and so is any name the
// zone database does not know; the error names timezone.
func LoadZone(name string) (*time.Location, error) {
	if err := fault.Identifier("timezone", name, MaxTimezoneLen); err != nil {
		return nil, err
	}
	if name == "Local" {
		return nil, fault.Invalid("timezone", "must name an IANA zone, not the host's Local")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fault.Invalid("timezone", "unknown time zone %q", name)
	}
	return loc, nil
}
