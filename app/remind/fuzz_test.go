package remind

// Fuzz targets for schedules: a custom cron expression, and ordinary steps in zones with
// every kind of clock change (an hour, half an hour, two hours, at midnight, a whole day
// skipped, negative summer time). Each occurrence is checked against an oracle written
// without the code under test: walk the calendar, place each wall time with time.Date,
// and place a time the clocks skip by walking back to the last minute that exists.

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
)

// FuzzParseCron: an expression is refused with ErrBadCron or accepted; once accepted, in UTC
// (no clock changes) our calendar walk agrees with robfig's own Next.
func FuzzParseCron(f *testing.F) {
	for _, s := range []string{"0 8 * * *", "30 7,19 * * 1-5", "*/15 9-17 * * *", "0 8 1 * *", "0 8 29 2 *", "0 8 31 4 *",
		"0 8 1-7 * 1", "0 0 * * 0", "@daily", "@hourly", "@every 1h", "CRON_TZ=UTC 0 8 * * *", "0 8 * *", "0 8 * * * *", "", "61 8 * * *"} {
		f.Add(s, int64(1772353800)) // 2026-03-01T08:30:00Z
	}
	f.Fuzz(func(t *testing.T, expr string, at int64) {
		spec, err := ParseCron(expr)
		if err != nil {
			if !errors.Is(err, ErrBadCron) {
				t.Fatalf("%q: error %v is not ErrBadCron", expr, err)
			}
			return
		}
		s, err := NewStepSchedule(data.Step{Cron: expr}, time.UTC)
		if err != nil {
			t.Fatalf("%q parsed but makes no schedule: %v", expr, err)
		}
		from := clampTime(at)
		spec.Location = time.UTC
		want, got := spec.Next(from), s.Next(from)
		if got.IsZero() && !want.IsZero() && want.Sub(from) > 5*365*24*time.Hour {
			return // beyond the five years either looks ahead
		}
		if !got.Equal(want) {
			t.Fatalf("%q after %s: ours %s, robfig %s", expr, from.Format(time.RFC3339), got.Format(time.RFC3339), want.Format(time.RFC3339))
		}
		if !got.IsZero() {
			if occ := s.Between(nil, from, got); len(occ) != 1 || !occ[0].Equal(got) {
				t.Fatalf("%q: Between(%s, %s) = %v, Next says %s", expr, from, got, occ, got)
			}
		}
	})
}

// Zones with each kind of clock change.
var fuzzZones = []string{
	"UTC",
	"America/New_York",    // an hour at 02:00
	"Europe/Berlin",       // an hour at 02:00/03:00
	"Australia/Lord_Howe", // half an hour
	"Antarctica/Troll",    // two hours
	"America/Santiago",    // at midnight (the day starts at 01:00)
	"America/Havana",      // at midnight/01:00
	"Pacific/Apia",        // skipped 30 December 2011 entirely
	"Europe/Dublin",       // negative summer time in the zone data
	"Asia/Tehran",         // at midnight, until 2022
}

// FuzzStepSchedule: for an ordinary step (times, every N days or weekdays, start and end
// dates) in a zone, the occurrences in ten days from a moment are exactly the oracle's:
// each wall time once on each day the step is on, a skipped time moved forward by the
// change, a repeated time at its first instant; Next agrees with Between.
func FuzzStepSchedule(f *testing.F) {
	spring := int64(1772866800) // 2026-03-07T07:00:00Z, the day before New York's change
	f.Add("02:30", uint8(0), uint8(0), int16(-3), int16(-1), uint8(1), spring)
	f.Add("01:30,23:30", uint8(2), uint8(0), int16(-10), int16(20), uint8(1), int64(1793404800)) // New York, fall back
	f.Add("00:00,00:30,12:00", uint8(0), uint8(0), int16(0), int16(-1), uint8(5), int64(1775260800))
	f.Add("02:15,02:45", uint8(0), uint8(0x55), int16(-7), int16(60), uint8(3), int64(1775350000))
	f.Add("08:00", uint8(3), uint8(0), int16(-40), int16(-1), uint8(0), int64(1769904000))
	f.Add("01:00,02:30,03:00", uint8(0), uint8(0), int16(0), int16(-1), uint8(4), int64(1774746000))
	zones := make([]*time.Location, len(fuzzZones))
	for i, name := range fuzzZones {
		zones[i] = zone(f, name)
	}
	f.Fuzz(func(t *testing.T, times string, everyDays, weekdays uint8, startOff, endLen int16, zoneIdx uint8, at int64) {
		loc := zones[int(zoneIdx)%len(zones)]
		from := clampTime(at)
		var st data.Step
		for _, part := range strings.Split(times, ",") {
			if tod, err := data.ParseTimeOfDay(part); err == nil {
				st.Times = append(st.Times, tod)
			}
		}
		for w := time.Sunday; w <= time.Saturday; w++ {
			if weekdays&(1<<w) != 0 {
				st.Weekdays = append(st.Weekdays, w)
			}
		}
		st.EveryDays = int(everyDays % 40)
		start := civilOf(from.In(loc)).addDays(int(startOff) % 400)
		st.Start = data.Date{Year: start.year, Month: start.month, Day: start.day}
		if endLen >= 0 {
			end := start.addDays(int(endLen) % 400)
			st.End = data.Date{Year: end.year, Month: end.month, Day: end.day}
		}
		st, err := data.ValidateStep(st)
		if err != nil {
			return
		}
		s, err := NewStepSchedule(st, loc)
		if err != nil {
			t.Fatalf("a valid step makes no schedule: %v", err)
		}
		to := from.Add(10 * 24 * time.Hour)
		got := s.Between(nil, from, to)
		want := oracle(st, loc, from, to)
		if !slices.EqualFunc(got, want, time.Time.Equal) {
			t.Fatalf("%s in %s from %s:\n got  %s\n want %s", st.Text(), loc, from.Format(time.RFC3339), fmtTimes(got, loc), fmtTimes(want, loc))
		}
		for i := 1; i < len(got); i++ {
			if !got[i].After(got[i-1]) {
				t.Fatalf("%s in %s: two occurrences at %s", st.Text(), loc, got[i].In(loc))
			}
		}
		// Next walks the same calendar: from the moment, and from each occurrence.
		prev := from
		for _, o := range append(got, time.Time{}) {
			n := s.Next(prev)
			if o.IsZero() {
				if !n.IsZero() && !n.After(to) {
					t.Fatalf("%s in %s: Next(%s) = %s, which Between missed", st.Text(), loc, prev.In(loc), n.In(loc))
				}
				break
			}
			if !n.Equal(o) {
				t.Fatalf("%s in %s: Next(%s) = %s, Between says %s", st.Text(), loc, prev.In(loc), n.In(loc), o.In(loc))
			}
			prev = o
		}
	})
}

// clampTime maps any int64 to a moment between 1990 and 2040, on a whole second.
func clampTime(at int64) time.Time {
	const lo, span = 631152000, 1577836800 // 1990-01-01, 50 years
	if at < 0 {
		at = -(at + 1)
	}
	return time.Unix(lo+at%span, 0).UTC()
}

func fmtTimes(ts []time.Time, loc *time.Location) string {
	var b strings.Builder
	for _, t := range ts {
		b.WriteString(t.In(loc).Format("2006-01-02T15:04Z07:00 "))
	}
	return b.String()
}

// oracle lists the step's occurrences with from < at <= to, in order and each instant once,
// independently of StepSchedule: every calendar day the step is on, every time of day,
// placed by wallTime.
func oracle(st data.Step, loc *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	fy, fm, fd := from.In(loc).AddDate(0, 0, -2).Date()
	for d := time.Date(fy, fm, fd, 12, 0, 0, 0, time.UTC); !d.After(to.AddDate(0, 0, 2)); d = d.AddDate(0, 0, 1) {
		day := data.DateOf(d)
		if day.Before(st.Start) || (!st.End.IsZero() && st.End.Before(day)) {
			continue
		}
		if len(st.Weekdays) > 0 && !slices.Contains(st.Weekdays, d.Weekday()) {
			continue
		}
		if st.EveryDays > 1 {
			s := time.Date(st.Start.Year, st.Start.Month, st.Start.Day, 12, 0, 0, 0, time.UTC)
			if int(d.Sub(s).Hours()/24)%st.EveryDays != 0 {
				continue
			}
		}
		for _, m := range st.Times {
			if at := wallTime(loc, day, int(m)); at.After(from) && !at.After(to) {
				out = append(out, at)
			}
		}
	}
	// A skipped time moved forward can land on another time (02:00 and 03:00 on the
	// spring-forward night): one instant is one dose occurrence.
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(out, time.Time.Equal)
}

// wallTime places minute m of a calendar day: the first instant showing that wall time; a
// wall time the clocks skip is read on the clock as it was before the change, i.e. the last
// minute before it that exists, plus the minutes between.
func wallTime(loc *time.Location, day data.Date, m int) time.Time {
	if at, ok := firstInstant(loc, day, m); ok {
		return at
	}
	for back := 1; back <= 3*24*60; back++ {
		d, mm := day, m-back
		for mm < 0 {
			prev := time.Date(d.Year, d.Month, d.Day-1, 12, 0, 0, 0, time.UTC)
			d, mm = data.DateOf(prev), mm+24*60
		}
		if at, ok := firstInstant(loc, d, mm); ok {
			return at.Add(time.Duration(back) * time.Minute)
		}
	}
	panic("no wall time exists for three days")
}

// firstInstant is the earliest instant whose wall clock in loc shows minute m of day, if any.
func firstInstant(loc *time.Location, day data.Date, m int) (time.Time, bool) {
	shows := func(t time.Time) bool {
		l := t.In(loc)
		return data.DateOf(l) == day && l.Hour()*60+l.Minute() == m
	}
	c := time.Date(day.Year, day.Month, day.Day, m/60, m%60, 0, 0, loc)
	if !shows(c) {
		return time.Time{}, false
	}
	// time.Date does not say which of two instants it picks in a fold; look up to three
	// hours back in quarter hours for an earlier one showing the same.
	first := c
	for k := 15; k <= 180; k += 15 {
		if e := c.Add(-time.Duration(k) * time.Minute); shows(e) {
			first = e
		}
	}
	return first, true
}
