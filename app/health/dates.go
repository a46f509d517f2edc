package health

import (
	"strings"
	"time"

	"github.com/patient-companion/companion/data"
)

// Date precision: FHIR dates may be a year ("2019"), a month ("2019-03"), a day
// ("2019-03-14") or an instant ("2019-03-14T09:30:00+01:00"). A partial date is kept as the
// first day of its period at midnight UTC, and Row.DatePrecision says how much of Row.Date
// the clinic actually gave, so "2019" is never shown as "1 January 2019".
const (
	PrecisionYear  = "year"
	PrecisionMonth = "month"
	PrecisionDay   = "day"
	PrecisionTime  = "time"
)

// parseDate reads a FHIR date, dateTime or instant. A date without a time of day is
// midnight UTC of that date (a calendar date, not an instant: format it in UTC, see
// Row.DateText); a dateTime keeps the offset the clinic gave. ok is false for anything else.
func parseDate(s string) (t time.Time, precision string, ok bool) {
	s = strings.TrimSpace(s)
	switch len(s) {
	case 4:
		t, err := time.Parse("2006", s)
		return t, PrecisionYear, err == nil
	case 7:
		t, err := time.Parse("2006-01", s)
		return t, PrecisionMonth, err == nil
	case 10:
		t, err := time.Parse(time.DateOnly, s)
		return t, PrecisionDay, err == nil
	}
	if len(s) < 10 {
		return time.Time{}, "", false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, PrecisionTime, true
	}
	// FHIR requires a zone with a time; some servers leave it out. Read it as UTC rather
	// than lose the date.
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t, PrecisionTime, true
	}
	return time.Time{}, "", false
}

// firstDate is the first of ss that reads as a date.
func firstDate(ss ...string) (time.Time, string) {
	for _, s := range ss {
		if s == "" {
			continue
		}
		if t, p, ok := parseDate(s); ok {
			return t, p
		}
	}
	return time.Time{}, ""
}

// DateText is the row's date with the precision the clinic gave: "2019", "2019-03",
// "2019-03-14", or for an instant its date and time in loc ("2019-03-14 09:30"); "" when the
// date is unknown.
func (r Row) DateText(loc *time.Location) string {
	if r.Date.IsZero() {
		return ""
	}
	switch r.DatePrecision {
	case PrecisionYear:
		return r.Date.UTC().Format("2006")
	case PrecisionMonth:
		return r.Date.UTC().Format("2006-01")
	case PrecisionDay:
		return r.Date.UTC().Format(time.DateOnly)
	}
	if loc == nil {
		loc = time.Local
	}
	return r.Date.In(loc).Format("2006-01-02 15:04")
}

// calendarDate is the date a FHIR date or dateTime names, in the zone it was written in (a
// medicine's course starting "2026-03-01T00:00:00-05:00" starts on 1 March wherever the
// patient is). A partial date is the first day of its period, or with end the last.
func calendarDate(s string, end bool) (data.Date, bool) {
	t, p, ok := parseDate(s)
	if !ok {
		return data.Date{}, false
	}
	if end {
		switch p {
		case PrecisionYear:
			t = t.AddDate(1, 0, -1)
		case PrecisionMonth:
			t = t.AddDate(0, 1, -1)
		}
	}
	return data.DateOf(t), true
}
