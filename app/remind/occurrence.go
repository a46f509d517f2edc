package remind

import (
	"sort"
	"time"

	"github.com/patient-companion/companion/data"
)

// Occurrence is one scheduled dose of one medication.
type Occurrence struct {
	MedicationID string
	Medication   string // name
	Dose         string // the step's dose, else the medication's
	StepID       string
	At           time.Time // the instant; At.In(loc) is the wall time it was scheduled for
	// Window is how long after At the dose may still be answered (Window of its medicine).
	Window time.Duration
}

// MedSchedule is a medication's steps, ready to compute occurrences.
type MedSchedule struct {
	Med    data.Medication
	steps  []StepSchedule
	loc    *time.Location
	window time.Duration // Window(Med)
}

// NewMedSchedule prepares a medication's steps in loc. An as-needed or archived medication
// has no occurrences.
func NewMedSchedule(m data.Medication, loc *time.Location) (MedSchedule, error) {
	ms := MedSchedule{Med: m, loc: loc, window: Window(m)}
	if m.AsNeeded || m.Archived {
		return ms, nil
	}
	for _, st := range m.Steps {
		s, err := NewStepSchedule(st, loc)
		if err != nil {
			return ms, err
		}
		ms.steps = append(ms.steps, s)
	}
	return ms, nil
}

// Between appends every occurrence with from < At <= to, in time order. Steps of a taper
// follow each other by their dates; if two overlap, both are reminded.
func (ms MedSchedule) Between(out []Occurrence, from, to time.Time) []Occurrence {
	start := len(out)
	var buf []time.Time
	for i, s := range ms.steps {
		buf = s.Between(buf[:0], from, to)
		dose := ms.Med.Steps[i].Dose
		if dose == "" {
			dose = ms.Med.Dose
		}
		for _, at := range buf {
			out = append(out, Occurrence{MedicationID: ms.Med.ID, Medication: ms.Med.Name, Dose: dose, StepID: s.step.ID, At: at, Window: ms.window})
		}
	}
	if len(ms.steps) > 1 {
		part := out[start:]
		sort.SliceStable(part, func(i, j int) bool { return part[i].At.Before(part[j].At) })
	}
	return out
}

// Next returns the first occurrence after t, and false when there is none.
func (ms MedSchedule) Next(t time.Time) (Occurrence, bool) {
	var best Occurrence
	found := false
	for i, s := range ms.steps {
		at := s.Next(t)
		if at.IsZero() || (found && !at.Before(best.At)) {
			continue
		}
		dose := ms.Med.Steps[i].Dose
		if dose == "" {
			dose = ms.Med.Dose
		}
		best, found = Occurrence{MedicationID: ms.Med.ID, Medication: ms.Med.Name, Dose: dose, StepID: s.step.ID, At: at, Window: ms.window}, true
	}
	return best, found
}
