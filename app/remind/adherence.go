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
// now: taken, late, skipped and missed.
//
// What was recorded (taken, skipped, missed) counts as it was, even for doses of an earlier
// version of the schedule: editing a schedule changes the future only. A dose with nothing
// recorded counts as missed once its window has passed, but only for the current schedule
// (from m.ScheduleFrom, or its creation) and until the medicine was archived — the app did
// not remind it outside that stretch. A dose that is still answerable or still to come is
// not counted: it can still go either way. events are the medication's events around the
// period (others are ignored).
func MedAdherence(m data.Medication, events []data.DoseEvent, loc *time.Location, now time.Time) Adherence {
	return MedAdherenceDays(m, events, loc, now, AdherenceDays)
}

// MedAdherenceDays is MedAdherence over the days days before now (the report for the doctor
// counts 30 and 90), by the same rules.
func MedAdherenceDays(m data.Medication, events []data.DoseEvent, loc *time.Location, now time.Time, days int) Adherence {
	var a Adherence
	from := now.AddDate(0, 0, -days)
	// A dose answered early (up to AnswerEarly before its time) already counts.
	to := now.Add(AnswerEarly)
	for _, ev := range events {
		if ev.MedicationID != m.ID {
			continue
		}
		if ev.ScheduledAt.IsZero() {
			if ev.State == data.DoseTaken && ev.At.After(from) && !ev.At.After(now) {
				a.AsNeeded++
			}
			continue
		}
		if !ev.ScheduledAt.After(from) || ev.ScheduledAt.After(to) {
			continue
		}
		switch {
		case ev.State == data.DoseTaken && ev.Late():
			a.Late++
		case ev.State == data.DoseTaken:
			a.Taken++
		case ev.State == data.DoseSkipped:
			a.Skipped++
		case ev.State == data.DoseMissed:
			a.Missed++
		}
	}
	if m.AsNeeded {
		return a
	}
	window := Window(m)
	begin := m.CreatedAt
	if m.ScheduleFrom.After(begin) {
		begin = m.ScheduleFrom
	}
	if begin.Before(from) {
		begin = from
	}
	// Until is when reminders stopped: archiving ends them, but history stays countable.
	until := now.Add(-window)
	if m.Archived {
		end := m.ArchivedAt
		if end.IsZero() {
			end = m.UpdatedAt
		}
		if end.Before(until) {
			until = end
		}
	}
	if !until.After(begin) {
		return a
	}
	live := m
	live.Archived = false // NewMedSchedule yields nothing for archived ones; we want their past
	ms, err := NewMedSchedule(live, loc)
	if err != nil {
		return a
	}
	idx := NewEvents(events)
	for _, d := range ms.Doses(idx, begin.Add(-time.Nanosecond), until, now) {
		// What was recorded (missed too) is counted above; a snooze is no answer.
		if d.Status == Missed && d.Event.State != data.DoseMissed {
			a.Missed++
		}
	}
	return a
}
