package schedule

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/fault"
)

// Date is a calendar date with no zone: a holiday's startDate or endDate,
// on the wire "yyyy-MM-dd". The zero Date is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads "yyyy-MM-dd"; anything else is ErrInvalid naming field.
func ParseDate(field, s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fault.Invalid(field, "%q is not a date in the form yyyy-MM-dd", s)
	}
	return DateOf(t), nil
}

// DateOf returns the date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as yyyy-MM-dd.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.utc().Before(o.utc()) }

// AddDays returns the date n days after d (before, for a negative n).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC))
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

func (d Date) utc() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// validate refuses a date that does not exist (2026-02-30) or lies outside
// years 1..9999.
func (d Date) validate(field string) error {
	if d.Year < 1 || d.Year > 9999 || DateOf(d.utc()) != d {
		return fault.Invalid(field, "%s is not a valid date", d)
	}
	return nil
}
