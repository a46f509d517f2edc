// Package remind turns medication schedules into dose occurrences and decides, tick by tick,
// which doses are due, which were missed, and what to tell the person. It has no Fyne and
// no clock of its own: everything takes the time it should act on.
package remind

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/patient-companion/companion/data"
)

// StepSchedule is one schedule step as a robfig/cron Schedule, with our calendar rules
// instead of cron's (DESIGN §3):
//   - every N days is date arithmetic from the start date, across month and year ends;
//   - a time in the spring-forward gap happens once, moved forward by the gap (02:30 → 03:30);
//   - a time in the fall-back fold happens once, at its first instant;
//   - start and end dates (inclusive) bound it.
type StepSchedule struct {
	step data.Step
	loc  *time.Location
	spec *cron.SpecSchedule // for a custom cron expression; nil otherwise
	days map[time.Weekday]bool
	// minutes of the day the step fires at, sorted; for cron, the expression's hours × minutes.
	times []int
}

var _ cron.Schedule = StepSchedule{}

// ErrBadCron reports a cron expression we cannot use.
var ErrBadCron = errors.New("not a usable cron expression")

// ParseCron reads a standard five-field cron expression (minute hour day-of-month month
// day-of-week). Descriptors like @every and time-zone prefixes are refused: reminders follow
// the wall clock in the person's own zone.
func ParseCron(expr string) (*cron.SpecSchedule, error) {
	expr = strings.TrimSpace(expr)
	if strings.HasPrefix(expr, "@every") || strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ=") {
		return nil, fmt.Errorf("%w: %q — use five fields: minute hour day-of-month month day-of-week", ErrBadCron, expr)
	}
	s, err := cron.ParseStandard(expr)
	if err != nil {
		return nil, fmt.Errorf("%w: %q (%v) — use five fields: minute hour day-of-month month day-of-week", ErrBadCron, expr, err)
	}
	spec, ok := s.(*cron.SpecSchedule)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrBadCron, expr)
	}
	return spec, nil
}

// NewStepSchedule prepares a step for computing occurrences in loc.
func NewStepSchedule(st data.Step, loc *time.Location) (StepSchedule, error) {
	s := StepSchedule{step: st, loc: loc}
	if st.Cron != "" {
		spec, err := ParseCron(st.Cron)
		if err != nil {
			return s, err
		}
		s.spec = spec
		for h := 0; h < 24; h++ {
			if spec.Hour&(1<<uint(h)) == 0 {
				continue
			}
			for m := 0; m < 60; m++ {
				if spec.Minute&(1<<uint(m)) != 0 {
					s.times = append(s.times, h*60+m)
				}
			}
		}
		return s, nil
	}
	if len(st.Times) == 0 {
		return s, errors.New("a schedule step needs at least one time of day")
	}
	if st.EveryDays < 0 {
		return s, errors.New("every N days needs N of 1 or more")
	}
	for _, t := range st.Times {
		s.times = append(s.times, int(t))
	}
	if len(st.Weekdays) > 0 {
		s.days = map[time.Weekday]bool{}
		for _, w := range st.Weekdays {
			s.days[w] = true
		}
	}
	return s, nil
}

// Next returns the first occurrence strictly after t, or the zero time when there is none
// (the step has ended). It satisfies cron.Schedule.
func (s StepSchedule) Next(t time.Time) time.Time {
	d := civilOf(t.In(s.loc)).addDays(-1) // a fold can put yesterday's last dose after t
	if start := civil(s.step.Start); !s.step.Start.IsZero() && d.before(start) {
		d = start
	}
	// A time the clocks skip moves forward, past later times of its day (02:30 → 03:30 is
	// after 03:15), or even into the next day where a whole day is skipped (Samoa, 30
	// December 2011): so take the earliest of the day where one is found and the day after.
	var best time.Time
	var found civilDate
	// Every N days with weekdays could in principle skip long stretches; five years is far
	// beyond any real gap and bounds the work for a schedule that never fires (31 February).
	for i := 0; i < 5*366+2; i, d = i+1, d.addDays(1) {
		if !best.IsZero() && found.addDays(1).before(d) {
			break
		}
		if !s.step.End.IsZero() && civil(s.step.End).before(d) {
			break
		}
		if !s.onDay(d) {
			continue
		}
		day := dayOffsets(d, s.loc)
		for _, m := range s.times {
			if at := day.instant(m); at.After(t) && (best.IsZero() || at.Before(best)) {
				if best.IsZero() {
					found = d
				}
				best = at
			}
		}
	}
	return best
}

// Between appends to out every occurrence with from < at <= to, in order, each instant once.
// It walks the calendar once (Next would restart from each occurrence), which is what makes
// a year of fifty medications cheap.
func (s StepSchedule) Between(out []time.Time, from, to time.Time) []time.Time {
	if !to.After(from) {
		return out
	}
	first := len(out)
	last := civilOf(to.In(s.loc)).addDays(1)
	for d := civilOf(from.In(s.loc)).addDays(-1); !last.before(d); d = d.addDays(1) {
		if !s.step.End.IsZero() && civil(s.step.End).before(d) {
			break
		}
		if !s.onDay(d) {
			continue
		}
		day := dayOffsets(d, s.loc)
		for _, m := range s.times {
			at := day.instant(m)
			if at.After(from) && !at.After(to) {
				out = append(out, at)
			}
		}
	}
	// Only a skipped time moved forward (see Next) can break the order or meet another
	// time: 02:00 and 03:00 both fall at 03:00 on the spring-forward night. One instant is
	// one dose occurrence (doses are recorded by their time).
	for i := first + 1; i < len(out); i++ {
		if !out[i].After(out[i-1]) {
			mine := out[first:]
			slices.SortFunc(mine, func(a, b time.Time) int { return a.Compare(b) })
			return append(out[:first], slices.CompactFunc(mine, time.Time.Equal)...)
		}
	}
	return out
}

func (s StepSchedule) onDay(d civilDate) bool {
	if !s.step.Start.IsZero() && d.before(civil(s.step.Start)) {
		return false
	}
	if !s.step.End.IsZero() && civil(s.step.End).before(d) {
		return false
	}
	if s.spec != nil {
		return cronDayMatches(s.spec, d)
	}
	if s.step.EveryDays > 1 {
		start := civil(s.step.Start)
		if diff := d.dayNumber() - start.dayNumber(); diff%int64(s.step.EveryDays) != 0 {
			return false
		}
	}
	if s.days != nil && !s.days[d.weekday()] {
		return false
	}
	return true
}

// cronDayMatches is cron's own day rule (robfig's dayMatches): when either day field is a
// star, both must match; otherwise either may.
func cronDayMatches(s *cron.SpecSchedule, d civilDate) bool {
	const starBit = 1 << 63
	if s.Month&(1<<uint(d.month)) == 0 {
		return false
	}
	dom := s.Dom&(1<<uint(d.day)) != 0
	dow := s.Dow&(1<<uint(d.weekday())) != 0
	if s.Dom&starBit != 0 || s.Dow&starBit != 0 {
		return dom && dow
	}
	return dom || dow
}

// day holds what is needed to place wall-clock times of one date in a zone.
type day struct {
	d             civilDate
	loc           *time.Location
	before, after int // UTC offsets (seconds) a day and a bit before and after the date
}

func dayOffsets(d civilDate, loc *time.Location) day {
	noon := time.Date(d.year, d.month, d.day, 12, 0, 0, 0, time.UTC)
	// Instants before the local date begins and after it ends, in every zone from UTC-12 to
	// UTC+14: their offsets are the ones in force either side of any change on this date.
	_, before := noon.Add(-50 * time.Hour).In(loc).Zone()
	_, after := noon.Add(26 * time.Hour).In(loc).Zone()
	return day{d: d, loc: loc, before: before, after: after}
}

// instant is the instant minute m of the day happens: on an ordinary day, the wall time at
// the day's one offset; in a spring-forward gap, the wall time read with the offset in force
// before the change (so 02:30 becomes 03:30); in a fall-back fold, the first of the two
// instants. time.Date is not used for the gap: it gives 01:30 EST for 02:30 in New York.
func (d day) instant(m int) time.Time {
	wall := time.Date(d.d.year, d.d.month, d.d.day, m/60, m%60, 0, 0, time.UTC)
	if d.before == d.after {
		return wall.Add(-time.Duration(d.before) * time.Second).In(d.loc)
	}
	var hits []time.Time
	for _, off := range []int{d.before, d.after} {
		at := wall.Add(-time.Duration(off) * time.Second).In(d.loc)
		if sameWall(at, wall) && (len(hits) == 0 || !hits[0].Equal(at)) {
			hits = append(hits, at)
		}
	}
	switch len(hits) {
	case 0: // the gap: this wall time does not exist today
		return wall.Add(-time.Duration(d.before) * time.Second).In(d.loc)
	case 1:
		return hits[0]
	}
	if hits[1].Before(hits[0]) {
		return hits[1]
	}
	return hits[0]
}

func sameWall(at, wall time.Time) bool {
	y, mo, d := at.Date()
	return y == wall.Year() && mo == wall.Month() && d == wall.Day() && at.Hour() == wall.Hour() && at.Minute() == wall.Minute()
}

// civilDate is a calendar date with day arithmetic that ignores time zones entirely.
type civilDate struct {
	year  int
	month time.Month
	day   int
}

func civil(d data.Date) civilDate { return civilDate{d.Year, d.Month, d.Day} }

func civilOf(t time.Time) civilDate {
	y, m, d := t.Date()
	return civilDate{y, m, d}
}

func (d civilDate) utc() time.Time { return time.Date(d.year, d.month, d.day, 12, 0, 0, 0, time.UTC) }

func (d civilDate) addDays(n int) civilDate { return civilOf(d.utc().AddDate(0, 0, n)) }

func (d civilDate) dayNumber() int64 { return d.utc().Unix() / 86400 }

func (d civilDate) weekday() time.Weekday { return d.utc().Weekday() }

func (d civilDate) before(o civilDate) bool { return d.dayNumber() < o.dayNumber() }
