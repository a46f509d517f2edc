package remind

import (
	"sort"
	"time"

	"github.com/patient-companion/companion/data"
)

// Reminder is one upcoming reminder: a dose, or an appointment some time before it starts.
type Reminder struct {
	At          time.Time
	Kind        string // "dose" or "appointment"
	Dose        Occurrence
	Appointment data.Appointment
}

// NextReminders returns the next count reminders at or after from (`reminders next`):
// doses neither answered nor missed, and appointment reminders (offsets before each
// appointment that is not cancelled).
func NextReminders(meds []MedSchedule, events []data.DoseEvent, appts []data.Appointment, offsets []time.Duration, from time.Time, count int) []Reminder {
	if count <= 0 {
		return []Reminder{}
	}
	idx := NewEvents(events)
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
			if d := DoseAt(o, idx.Of(o), from); d.Answered() || d.Status == Missed {
				continue
			}
			out = append(out, Reminder{At: o.At, Kind: "dose", Dose: o})
			n++
		}
	}
	for _, a := range appts {
		if !a.Takes() {
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
