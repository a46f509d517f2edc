package remind

import (
	"time"

	"github.com/patient-companion/companion/data"
)

// AdherenceDays is how far back the Medicines screen looks when it says how doses went.
const AdherenceDays = 30

// Adherence counts what happened to one medication's scheduled doses over a period.
type Adherence struct {
	Taken   int // taken on time (within data.LateAfter)
	Late    int // taken, but more than data.LateAfter after its time
	Skipped int
	Missed  int // no answer within the dose window (recorded missed, or not recorded yet)
	// AsNeeded counts doses of an as-needed medicine logged in the period; they have no
	// schedule, so they are none of the above.
	AsNeeded int
}

// Total is the number of scheduled doses counted.
func (a Adherence) Total() int { return a.Taken + a.Late + a.Skipped + a.Missed }

// MedAdherence counts, for medication m, the scheduled doses of the AdherenceDays before
// now: taken, late, skipped and missed. A dose that is still answerable or still to come is
// not counted — it can still go either way. A dose with no event counts as missed only once
// its window has passed, and only between the medication's creation and its archiving: the
// app did not remind before the one or after the other. events are the medication's events
// around the period (extra ones are ignored).
func MedAdherence(m data.Medication, events []data.DoseEvent, loc *time.Location, now time.Time) Adherence {
	var a Adherence
	from := now.AddDate(0, 0, -AdherenceDays)
	for _, ev := range events {
		if ev.MedicationID == m.ID && ev.ScheduledAt.IsZero() && ev.State == data.DoseTaken &&
			!ev.At.Before(from) && !ev.At.After(now) {
			a.AsNeeded++
		}
	}
	if m.AsNeeded {
		return a
	}
	window := m.DoseWindow
	if window <= 0 {
		window = data.DefaultDoseWindow
	}
	// Until is when reminders stopped: archiving ends them, but history stays countable.
	until := now
	if m.Archived {
		if end := m.ArchivedAt; !end.IsZero() && end.Before(until) {
			until = end
		} else if end.IsZero() && m.UpdatedAt.Before(until) {
			until = m.UpdatedAt
		}
	}
	live := m
	live.Archived = false // NewMedSchedule yields nothing for archived ones; we want their past
	ms, err := NewMedSchedule(live, loc)
	if err != nil {
		return a
	}
	idx := indexEvents(events)
	// A dose answered early (up to AnswerEarly before its time) already counts.
	for _, o := range ms.Between(nil, from, now.Add(AnswerEarly)) {
		ev, has := idx.get(o)
		switch {
		case has && ev.State == data.DoseTaken && ev.Late():
			a.Late++
		case has && ev.State == data.DoseTaken:
			a.Taken++
		case has && ev.State == data.DoseSkipped:
			a.Skipped++
		case has && ev.State == data.DoseMissed:
			a.Missed++
		case o.At.Before(m.CreatedAt) || o.At.After(until) || now.Sub(o.At) <= window:
			// Before it was written down, after it was archived, or still answerable.
		default:
			a.Missed++
		}
	}
	return a
}
