package remind

import (
	"sort"
	"time"

	"github.com/patient-companion/companion/data"
)

// AnswerEarly is how long before its time a dose can already be marked taken or skipped.
const AnswerEarly = time.Hour

// answered reports whether an event settles its occurrence (a snooze does not).
func answered(ev data.DoseEvent) bool {
	return ev.State == data.DoseTaken || ev.State == data.DoseSkipped || ev.State == data.DoseMissed
}

// eventsByOccurrence indexes scheduled events by medication and scheduled instant.
type eventsByOccurrence map[string]map[int64]data.DoseEvent

func indexEvents(events []data.DoseEvent) eventsByOccurrence {
	idx := eventsByOccurrence{}
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

func (idx eventsByOccurrence) get(o Occurrence) (data.DoseEvent, bool) {
	ev, ok := idx[o.MedicationID][o.At.UnixMilli()]
	return ev, ok
}

// Answerable returns the dose that "take" or "skip" at time at acts on: the unanswered
// occurrence nearest to at, among those from AnswerEarly before their time to the end of
// their dose window. events are the medication's dose events around at.
func Answerable(ms MedSchedule, events []data.DoseEvent, at time.Time) (Occurrence, bool) {
	window := ms.Med.DoseWindow
	if window <= 0 {
		window = data.DefaultDoseWindow
	}
	idx := indexEvents(events)
	var best Occurrence
	found := false
	for _, o := range ms.Between(nil, at.Add(-window-time.Nanosecond), at.Add(AnswerEarly)) {
		if ev, ok := idx.get(o); ok && answered(ev) {
			continue
		}
		if !found || absDur(o.At.Sub(at)) < absDur(best.At.Sub(at)) {
			best, found = o, true
		}
	}
	return best, found
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// Reminder is one upcoming reminder: a dose, or an appointment some time before it starts.
type Reminder struct {
	At          time.Time
	Kind        string // "dose" or "appointment"
	Dose        Occurrence
	Appointment data.Appointment
}

// Upcoming returns the next count reminders at or after from: unanswered doses and
// appointment reminders (offsets before each appointment that is not cancelled).
func Upcoming(meds []MedSchedule, events []data.DoseEvent, appts []data.Appointment, offsets []time.Duration, from time.Time, count int) []Reminder {
	if count <= 0 {
		return []Reminder{}
	}
	idx := indexEvents(events)
	out := []Reminder{}
	start := from.Add(-time.Nanosecond) // from is inclusive
	for _, ms := range meds {
		n := 0
		for t := start; n < count; {
			o, ok := ms.Next(t)
			if !ok {
				break
			}
			t = o.At
			if ev, ok := idx.get(o); ok && answered(ev) {
				continue
			}
			out = append(out, Reminder{At: o.At, Kind: "dose", Dose: o})
			n++
		}
	}
	for _, a := range appts {
		if a.Status == "cancelled" {
			continue
		}
		for _, off := range offsets {
			if at := a.Start.Add(-off); !at.Before(from) {
				out = append(out, Reminder{At: at, Kind: "appointment", Appointment: a})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	if len(out) > count {
		out = out[:count]
	}
	return out
}
