package remind

import (
	"time"

	"github.com/patient-companion/companion/data"
)

// The dose model: where each dose stands. Today, Medicines, Everyone, the tray, the reminder
// windows, the engine and the command line all ask here, so they cannot disagree about a
// dose — whether it is due, late, missed or answered, where a day begins, and how long a
// dose may still be answered.

// Status is where one dose stands at a given moment.
type Status string

const (
	// Upcoming: its time has not come.
	Upcoming Status = "upcoming"
	// Due: its time has come, up to data.LateAfter ago.
	Due Status = "due"
	// Late: more than data.LateAfter past its time, still within its window. (Not the
	// engine's Notice.Late, which says a reminder came late, after sleep.)
	Late Status = "late"
	// Snoozed: put off until Event.SnoozeUntil, which has not come. When it comes the dose
	// is due (or late) again.
	Snoozed Status = "snoozed"
	// Missed: its window passed without an answer, whether or not the engine has recorded
	// that yet. A missed dose may still be taken late or skipped.
	Missed Status = "missed"
	// Taken and Skipped are the answers. Replacing one takes an explicit change
	// (data.Store.ChangeDose).
	Taken   Status = "taken"
	Skipped Status = "skipped"
)

// AnswerEarly is how long before its time a dose can already be marked taken or skipped.
const AnswerEarly = time.Hour

// Dose is one occurrence and where it stands.
type Dose struct {
	Occurrence
	Status Status
	// Event is what was recorded for it; Event.State is "" when nothing was.
	Event data.DoseEvent
}

// Answered reports whether the dose was taken or skipped.
func (d Dose) Answered() bool { return d.Status == Taken || d.Status == Skipped }

// Waiting reports whether the dose's time has come and it still waits for an answer within
// its window: Today's "Take now", Everyone's "To take now", the tray's "Take due doses".
func (d Dose) Waiting() bool { return d.Status == Due || d.Status == Late || d.Status == Snoozed }

// Window is how long after its time a dose of m may still be answered before it is missed:
// the medicine's own, or data.DefaultDoseWindow for one stored without any.
func Window(m data.Medication) time.Duration {
	if m.DoseWindow <= 0 {
		return data.DefaultDoseWindow
	}
	return m.DoseWindow
}

// DoseAt is occurrence o as it stands at now, given ev, what was recorded for it (State ""
// for nothing). It is the one place that decides a dose's status.
func DoseAt(o Occurrence, ev data.DoseEvent, now time.Time) Dose {
	d := Dose{Occurrence: o, Event: ev}
	switch {
	case ev.State == data.DoseTaken:
		d.Status = Taken
	case ev.State == data.DoseSkipped:
		d.Status = Skipped
	case ev.State == data.DoseMissed || now.Sub(o.At) > o.Window:
		d.Status = Missed
	case ev.State == data.DoseSnoozed && ev.SnoozeUntil.After(now):
		d.Status = Snoozed
	case o.At.After(now):
		d.Status = Upcoming
	case now.Sub(o.At) > data.LateAfter:
		d.Status = Late
	default:
		d.Status = Due
	}
	return d
}

// Day returns where t's local date begins and where the next one does, in loc: the one day
// boundary of Today, Medicines and Everyone. Where midnight does not exist (a zone that
// springs forward at 00:00, as America/Santiago does) the date begins at its first instant,
// 01:00; time.Date would give 23:00 of the day before.
func Day(t time.Time, loc *time.Location) (start, end time.Time) {
	d := civilOf(t.In(loc))
	return dayOffsets(d, loc).instant(0), dayOffsets(d.addDays(1), loc).instant(0)
}

// TodaySpan is the range of scheduled times that meds' doses of today, as DayDoses lists
// them, fall in: from the start of now's date less the longest dose window (a dose of late
// yesterday may still be waiting) to the end of the date. Read the dose events of this range.
func TodaySpan(meds []data.Medication, now time.Time, loc *time.Location) (from, to time.Time) {
	start, end := Day(now, loc)
	longest := data.DefaultDoseWindow
	for _, m := range meds {
		longest = max(longest, Window(m))
	}
	return start.Add(-longest), end
}

// Events holds dose events by medication and scheduled instant, to find what was recorded
// for an occurrence. As-needed doses (no scheduled time) are left out.
type Events map[string]map[int64]data.DoseEvent

// NewEvents indexes events.
func NewEvents(events []data.DoseEvent) Events {
	idx := Events{}
	for _, ev := range events {
		if ev.ScheduledAt.IsZero() {
			continue
		}
		m := idx[ev.MedicationID]
		if m == nil {
			m = map[int64]data.DoseEvent{}
			idx[ev.MedicationID] = m
		}
		m[ev.ScheduledAt.UnixMilli()] = ev
	}
	return idx
}

// Of is what was recorded for o (State "" for nothing).
func (e Events) Of(o Occurrence) data.DoseEvent {
	return e[o.MedicationID][o.At.UnixMilli()]
}

// Doses returns ms's doses with from < At <= to, in time order, as they stand at now.
//
// A dose whose time came before the medicine's current schedule took effect (it was added,
// edited or restored later) was never reminded: with nothing recorded for it, it is listed
// while it is upcoming or just due (a medicine added at 08:10 can still have its 08:00 dose
// marked), never as late or missed.
func (ms MedSchedule) Doses(events Events, from, to, now time.Time) []Dose {
	var out []Dose
	for _, o := range ms.Between(nil, from, to) {
		d := DoseAt(o, events.Of(o), now)
		if d.Event.State == "" && (d.Status == Late || d.Status == Missed) && ms.beforeSchedule(o) {
			continue
		}
		out = append(out, d)
	}
	return out
}

// beforeSchedule reports whether o's time came before the medicine's current schedule took
// effect.
func (ms MedSchedule) beforeSchedule(o Occurrence) bool {
	return o.At.Before(ms.Med.CreatedAt) || o.At.Before(ms.Med.ScheduleFrom)
}

// DayDoses returns ms's doses of now's local date (Day), and the doses of before it still
// waiting for an answer at now (23:30 yesterday, in its window at 00:15), in time order.
// The events must cover TodaySpan.
func (ms MedSchedule) DayDoses(events Events, now time.Time) []Dose {
	start, end := Day(now, ms.loc)
	var out []Dose
	for _, d := range ms.Doses(events, start.Add(-ms.window-time.Nanosecond), end.Add(-time.Nanosecond), now) {
		if !d.At.Before(start) || d.Waiting() {
			out = append(out, d)
		}
	}
	return out
}

// Nearest returns the dose that "take" or "skip" at time at acts on (DESIGN §6): of the
// doses from AnswerEarly before their time to the end of their window, the one nearest to
// at (the earlier of two as near), as it stands at now. It may be answered already: the
// caller refuses that, or changes it when asked to.
func (ms MedSchedule) Nearest(events Events, at, now time.Time) (Dose, bool) {
	var best Occurrence
	found := false
	for _, o := range ms.Between(nil, at.Add(-ms.window-time.Nanosecond), at.Add(AnswerEarly)) {
		if !found || absDur(o.At.Sub(at)) < absDur(best.At.Sub(at)) {
			best, found = o, true
		}
	}
	if !found {
		return Dose{}, false
	}
	return DoseAt(best, events.Of(best), now), true
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
