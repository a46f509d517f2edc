package health

// "Add to my medicines": a clinic's MedicationRequest as a local medicine, with its schedule
// when the dosage's timing says times of day.
//
// How timings map (Plan.Mapped), one dosage instruction at a time:
//   - timeOfDay ("08:00:00") → those times (seconds dropped);
//   - when codes → WhenTimes: MORN, NOON, AFT, EVE, NIGHT, HS as set; codes not set fall
//     back to a near one: MORN.early/.late, WAKE, PHS → MORN; AFT.early/.late → AFT;
//     EVE.early/.late → EVE; meals: CM/ACM/PCM (breakfast) → MORN, CD/ACD/PCD (lunch) →
//     NOON, CV/ACV/PCV (dinner) → EVE, C/AC/PC (every meal) → MORN, NOON and EVE; an offset
//     moves a before-meal time earlier and an after-meal time later;
//   - frequency per day without times → spread over waking hours, 08:00 to 20:00 evenly
//     (1×: 08:00; 2×: 08:00, 20:00; 3×: 08:00, 14:00, 20:00; 4×: 08:00, 12:00, 16:00,
//     20:00; up to 6×, on whole minutes); every 12 hours → 08:00, 20:00; every 24 hours →
//     08:00;
//   - once every N days → EveryDays N; once every N weeks → EveryDays 7N;
//   - dayOfWeek → Weekdays (times as above, else 08:00);
//   - boundsPeriod → Start and End (a partial end date is the end of its period);
//   - a timing code (QD, BID, TID, QID, QOD, AM, PM, BED, WK) when there is no repeat;
//   - as needed (asNeededBoolean, asNeededCodeableConcept) → AsNeeded, no schedule.
//
// Several dosage instructions one after the other (a taper: each with its boundsPeriod,
// ordered by sequence or start) are one step each with its own dose; the end of a step
// with none is the day before the next starts.
//
// Not mapped (the editor finishes it): intervals in hours other than 12 and 24 ("every 6
// hours": doses around the clock), ranges (frequencyMax, periodMax), monthly or yearly,
// several times a week without days, a count or a duration with no start date, set dates
// (event), several dosage instructions at the same time, a `when` code with no time of day
// (IMD).

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/patient-companion/companion/data"
)

// ErrNotMedicine is returned by MedicinePlan for a resource that is not a clinic medicine
// it can add: not a MedicationRequest, unreadable, entered in error, or naming no medicine.
var ErrNotMedicine = errors.New("not a medicine of the health record")

func medicinePlan(res data.ClinicalResource, all []data.ClinicalResource, when WhenTimes, tr Words) (Plan, error) {
	if res.Type != "MedicationRequest" {
		return Plan{}, fmt.Errorf("%w: it is %s", ErrNotMedicine, typeWords(res.Type))
	}
	var m medicationRequest
	if err := json.Unmarshal(res.Raw, &m); err != nil || m.ResourceType != "MedicationRequest" {
		return Plan{}, fmt.Errorf("%w: the clinic's record of it cannot be read", ErrNotMedicine)
	}
	if m.Status == "entered-in-error" {
		return Plan{}, fmt.Errorf("%w: the clinic marked it as entered in error", ErrNotMedicine)
	}
	if when == nil {
		when = DefaultWhen()
	}
	med, _ := m.medication(newLibrary(all))
	name := m.name(med)
	if name == "" {
		return Plan{}, fmt.Errorf("%w: the clinic's record does not name the medicine", ErrNotMedicine)
	}
	p := Plan{Medication: data.Medication{
		Name:         name,
		Strength:     strength(tr, med),
		Form:         med.Form.words(),
		FromRecord:   res.RemoteID,
		RecordDosage: DosageSignature(res),
	}}
	if len(m.DosageInstruction) == 0 {
		p.Why = tr.T("health.why_no_dosage")
		return p, nil
	}
	d := &m.DosageInstruction[0]
	p.Medication.Dose = doseWords(tr, d)
	p.Medication.Instructions = instructions(tr, m.DosageInstruction)
	if len(m.DosageInstruction) > 1 {
		steps, why := taper(tr, m.DosageInstruction, when)
		if why != "" {
			p.Why = why
			return p, nil
		}
		p.Medication.Steps, p.Mapped = steps, true
		p.Medication.Dose = steps[0].Dose
		return p, nil
	}
	if d.AsNeededBoolean || d.AsNeededCodeableConcept != nil {
		p.Medication.AsNeeded, p.Mapped = true, true
		return p, nil
	}
	if d.Timing == nil {
		p.Why = tr.T("health.why_no_timing")
		return p, nil
	}
	st, why := mapTiming(tr, d.Timing, when)
	if why != "" {
		p.Why = why
		return p, nil
	}
	p.Medication.Steps, p.Mapped = []data.Step{st}, true
	return p, nil
}

// typeWords names a resource type in words, with its article (types are no health data).
func typeWords(t string) string {
	switch t {
	case "Condition":
		return "a problem"
	case "AllergyIntolerance":
		return "an allergy"
	case "Medication":
		return "a medicine's description, not a prescription"
	case "Immunization":
		return "an immunization"
	case "Observation", "DiagnosticReport":
		return "a result"
	case "DocumentReference":
		return "a document"
	}
	return "not a record the clinic keeps"
}

// strength is the Medication's ingredients' strengths: "500 mg", "250 mg/5 mL"; several
// ingredients joined with " / ".
func strength(tr Words, med medication) string {
	var parts []string
	for _, ing := range med.Ingredient {
		r := ing.Strength
		if r == nil || !r.Numerator.present() {
			continue
		}
		n, _, ok := formatNumber(r.Numerator.Value)
		if !ok {
			continue
		}
		s := joinUnit(tr.Decimal(n), humanUnit(r.Numerator))
		if d := r.Denominator; d.present() {
			dn, _, ok := formatNumber(d.Value)
			du := humanUnit(d)
			switch {
			case !ok || (dn == "1" && !isMeasure(du)):
				// "per 1 tablet" is what a strength is anyway: 500 mg.
			case dn == "1":
				s += "/" + du // 10 mg/mL
			default:
				s += "/" + joinUnit(tr.Decimal(dn), du) // 250 mg/5 mL
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " / ")
}

// isMeasure says a unit is a measure (mL, g) rather than a count of forms (tablet, capsule).
func isMeasure(u string) bool {
	switch strings.ToLower(u) {
	case "ml", "l", "dl", "g", "mg", "ug", "µg", "mcg", "kg":
		return true
	}
	return false
}

// instructions are the clinic's words for the patient: patientInstruction, the additional
// instructions, then the dosage's text, each once.
func instructions(tr Words, ds []dosage) string {
	var parts []string
	for i := range ds {
		d := &ds[i]
		if s := strings.TrimSpace(d.PatientInstruction); s != "" {
			parts = append(parts, s)
		}
		for j := range d.AdditionalInstruction {
			if s := d.AdditionalInstruction[j].words(); s != "" {
				parts = append(parts, s)
			}
		}
		if s := strings.TrimSpace(d.Text); s != "" {
			parts = append(parts, s)
		}
		if d.AsNeededCodeableConcept != nil {
			if why := d.AsNeededCodeableConcept.words(); why != "" {
				parts = append(parts, capitalize(tr.T("health.as_needed_for", map[string]any{"Reason": lowerFirst(why)})))
			}
		}
	}
	s := strings.Join(dedupe(parts), "; ")
	// The medicine editor takes at most this much; the clinic's full text stays in the
	// record's row.
	const max = 1000
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}

// timingCodes are the common timing abbreviations as a repeat.
var timingCodes = map[string]repeat{
	"QD":  {Frequency: ptr(1), Period: "1", PeriodUnit: "d"},
	"BID": {Frequency: ptr(2), Period: "1", PeriodUnit: "d"},
	"TID": {Frequency: ptr(3), Period: "1", PeriodUnit: "d"},
	"QID": {Frequency: ptr(4), Period: "1", PeriodUnit: "d"},
	"QOD": {Frequency: ptr(1), Period: "2", PeriodUnit: "d"},
	"AM":  {When: []string{"MORN"}},
	"PM":  {When: []string{"EVE"}},
	"BED": {When: []string{"HS"}},
	"WK":  {Frequency: ptr(1), Period: "1", PeriodUnit: "wk"},
	"MO":  {Frequency: ptr(1), Period: "1", PeriodUnit: "mo"},
	"Q1H": {Frequency: ptr(1), Period: "1", PeriodUnit: "h"},
	"Q2H": {Frequency: ptr(1), Period: "2", PeriodUnit: "h"},
	"Q3H": {Frequency: ptr(1), Period: "3", PeriodUnit: "h"},
	"Q4H": {Frequency: ptr(1), Period: "4", PeriodUnit: "h"},
	"Q6H": {Frequency: ptr(1), Period: "6", PeriodUnit: "h"},
	"Q8H": {Frequency: ptr(1), Period: "8", PeriodUnit: "h"},
}

func ptr(n int) *int { return &n }

// whenFallback maps `when` codes not in WhenTimes to ones that may be: meals to the time of
// day they are eaten at, the early/late variants to their part of the day.
var whenFallback = map[string][]string{
	"MORN.early": {"MORN"}, "MORN.late": {"MORN"}, "WAKE": {"MORN"}, "PHS": {"MORN"},
	"AFT.early": {"AFT"}, "AFT.late": {"AFT"}, "EVE.early": {"EVE"}, "EVE.late": {"EVE"},
	"CM": {"MORN"}, "ACM": {"MORN"}, "PCM": {"MORN"},
	"CD": {"NOON"}, "ACD": {"NOON"}, "PCD": {"NOON"},
	"CV": {"EVE"}, "ACV": {"EVE"}, "PCV": {"EVE"},
	"C": {"MORN", "NOON", "EVE"}, "AC": {"MORN", "NOON", "EVE"}, "PC": {"MORN", "NOON", "EVE"},
	"NIGHT": {"HS"}, "HS": {"NIGHT"},
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// mapTiming is a timing as a schedule step, or why it cannot be one (in words that finish
// "the clinic's timing cannot be mapped: …").
func mapTiming(tr Words, t *timing, when WhenTimes) (data.Step, string) {
	var rp repeat
	switch {
	case t.Repeat != nil:
		rp = *t.Repeat
	case t.Code != nil:
		c, ok := timingCodes[strings.ToUpper(t.Code.firstCode())]
		if !ok {
			return data.Step{}, tr.T("health.why_not_schedule", map[string]any{"Timing": timingWords(tr, t)})
		}
		rp = c
	case len(t.Event) > 0:
		return data.Step{}, tr.T("health.why_set_dates")
	default:
		return data.Step{}, tr.T("health.why_no_timing")
	}
	words := timingWords(tr, &timing{Repeat: &rp})
	if rp.FrequencyMax != nil || rp.PeriodMax != "" {
		return data.Step{}, tr.T("health.why_range", map[string]any{"Timing": words})
	}
	var st data.Step

	// Times of day.
	switch {
	case len(rp.TimeOfDay) > 0:
		for _, s := range rp.TimeOfDay {
			tod, ok := parseFHIRTime(s)
			if !ok {
				return data.Step{}, tr.T("health.why_not_time", map[string]any{"Time": s})
			}
			st.Times = append(st.Times, tod)
		}
	case len(rp.When) > 0:
		for _, code := range rp.When {
			ts, ok := whenToTimes(code, when)
			if !ok {
				w := whenWord(tr, code)
				if w == "" {
					w = code
				}
				return data.Step{}, tr.T("health.why_when_no_time", map[string]any{"When": w})
			}
			if rp.Offset != nil {
				ts = applyOffset(code, ts, *rp.Offset)
			}
			st.Times = append(st.Times, ts...)
		}
	}

	// How often.
	f := 1
	if rp.Frequency != nil {
		f = *rp.Frequency
	}
	if f < 1 {
		return data.Step{}, tr.T("health.why_no_number", map[string]any{"Timing": words})
	}
	period := 0
	if rp.Period != "" {
		p, err := strconv.ParseFloat(string(rp.Period), 64)
		if err != nil || p <= 0 || p != math.Trunc(p) || p > 366 {
			return data.Step{}, tr.T("health.why_not_whole", map[string]any{"Timing": words})
		}
		period = int(p)
	}
	unit := rp.PeriodUnit
	if unit == "" && period > 0 {
		return data.Step{}, tr.T("health.why_no_unit", map[string]any{"Timing": words})
	}
	switch {
	case unit == "h" && period == 24:
		unit, period = "d", 1 // n times per 24 hours is n times a day
	case unit == "h" && period == 12 && f == 1:
		// Every 12 hours is twice a day, 08:00 and 20:00 being 12 hours apart.
		unit, f, period = "d", 2, 1
	}
	switch unit {
	case "":
	case "d":
		switch {
		case period <= 1:
			if len(st.Times) == 0 {
				ts, ok := spread(f)
				if !ok {
					return data.Step{}, tr.T("health.why_choose_times", map[string]any{"Timing": words})
				}
				st.Times = ts
			} else if len(rp.DayOfWeek) == 0 && len(st.Times) != f && rp.Frequency != nil && len(st.Times) > 0 {
				return data.Step{}, tr.N("health.why_times_given", len(st.Times), map[string]any{"Timing": frequencyWords(tr, &rp)})
			}
		case f == 1:
			st.EveryDays = period
		default:
			return data.Step{}, words
		}
	case "wk":
		switch {
		case len(rp.DayOfWeek) > 0 && period <= 1:
			// The days say it; frequency is how many of them.
		case f == 1 && len(rp.DayOfWeek) == 0:
			st.EveryDays = 7 * max(period, 1)
		default:
			return data.Step{}, tr.T("health.why_choose_days", map[string]any{"Timing": words})
		}
	case "h", "min", "s":
		return data.Step{}, tr.T("health.why_around_clock", map[string]any{"Timing": words})
	default:
		return data.Step{}, words
	}
	if len(st.Times) == 0 {
		if unit == "" && len(rp.DayOfWeek) == 0 {
			return data.Step{}, tr.T("health.why_no_times")
		}
		st.Times = []data.TimeOfDay{8 * 60}
	}
	for _, d := range rp.DayOfWeek {
		wd, ok := weekdays[d]
		if !ok {
			return data.Step{}, tr.T("health.why_not_day", map[string]any{"Day": d})
		}
		st.Weekdays = append(st.Weekdays, wd)
	}
	if len(st.Weekdays) > 0 && st.EveryDays > 1 {
		return data.Step{}, words
	}
	sort.Slice(st.Weekdays, func(i, j int) bool { return st.Weekdays[i] < st.Weekdays[j] })
	st.Times = uniqueTimes(st.Times)

	// When.
	if b := rp.BoundsPeriod; b != nil {
		if b.Start != "" {
			d, ok := calendarDate(b.Start, false)
			if !ok {
				return data.Step{}, tr.T("health.why_bad_start", map[string]any{"Date": b.Start})
			}
			st.Start = d
		}
		if b.End != "" {
			d, ok := calendarDate(b.End, true)
			if !ok {
				return data.Step{}, tr.T("health.why_bad_end", map[string]any{"Date": b.End})
			}
			st.End = d
		}
		if !st.End.IsZero() && !st.Start.IsZero() && st.End.Before(st.Start) {
			return data.Step{}, tr.T("health.why_ends_before")
		}
	}
	if rp.BoundsDuration != nil || rp.BoundsRange != nil || rp.Count != nil {
		// A course "for 10 days" or "6 doses" needs a first day to end on a date.
		if st.Start.IsZero() || rp.Count != nil || rp.BoundsRange != nil {
			return data.Step{}, tr.T("health.why_set_end", map[string]any{"Timing": words})
		}
		end, ok := durationEnd(st.Start, rp)
		if !ok {
			return data.Step{}, tr.T("health.why_set_end", map[string]any{"Timing": words})
		}
		if st.End.IsZero() || end.Before(st.End) {
			st.End = end
		}
	}
	if _, err := data.ValidateStep(st); err != nil {
		return data.Step{}, words
	}
	return st, ""
}

// durationEnd is the last day of a course of boundsDuration from start (inclusive).
func durationEnd(start data.Date, rp repeat) (data.Date, bool) {
	b := rp.BoundsDuration
	n, err := strconv.Atoi(string(b.Value))
	if err != nil || n < 1 || n > 3660 {
		return data.Date{}, false
	}
	t := time.Date(start.Year, start.Month, start.Day, 0, 0, 0, 0, time.UTC)
	switch b.Code {
	case "d":
		t = t.AddDate(0, 0, n)
	case "wk":
		t = t.AddDate(0, 0, 7*n)
	case "mo":
		t = t.AddDate(0, n, 0)
	default:
		return data.Date{}, false
	}
	return data.DateOf(t.AddDate(0, 0, -1)), true
}

func whenToTimes(code string, when WhenTimes) ([]data.TimeOfDay, bool) {
	if t, ok := when[code]; ok {
		return []data.TimeOfDay{t}, true
	}
	fb, ok := whenFallback[code]
	if !ok {
		return nil, false
	}
	var out []data.TimeOfDay
	for _, c := range fb {
		t, ok := when[c]
		if !ok {
			return nil, false
		}
		out = append(out, t)
	}
	return out, true
}

// applyOffset moves a meal time by the timing's offset (minutes): before a meal earlier,
// after it later. Other codes have no direction and stay.
func applyOffset(code string, ts []data.TimeOfDay, offset int) []data.TimeOfDay {
	sign := 0
	switch {
	case strings.HasPrefix(code, "AC"):
		sign = -1
	case strings.HasPrefix(code, "PC"):
		sign = 1
	}
	if sign == 0 || offset <= 0 || offset > 12*60 {
		return ts
	}
	out := make([]data.TimeOfDay, len(ts))
	for i, t := range ts {
		v := int(t) + sign*offset
		out[i] = data.TimeOfDay(((v % (24 * 60)) + 24*60) % (24 * 60))
	}
	return out
}

// spread puts n doses a day over waking hours: 08:00, then evenly to 20:00.
func spread(n int) ([]data.TimeOfDay, bool) {
	const first, last = 8 * 60, 20 * 60
	switch {
	case n == 1:
		return []data.TimeOfDay{first}, true
	case n < 1 || n > 6:
		return nil, false
	}
	out := make([]data.TimeOfDay, n)
	for i := range out {
		out[i] = data.TimeOfDay(first + i*(last-first)/(n-1))
	}
	return out, true
}

func uniqueTimes(ts []data.TimeOfDay) []data.TimeOfDay {
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	out := ts[:0]
	for i, t := range ts {
		if i == 0 || t != ts[i-1] {
			out = append(out, t)
		}
	}
	return out
}

// taper maps dosage instructions that follow one another to steps, or says why they cannot
// be.
func taper(tr Words, ds []dosage, when WhenTimes) ([]data.Step, string) {
	type part struct {
		seq  int
		step data.Step
	}
	parts := make([]part, 0, len(ds))
	seqs := map[int]bool{}
	for i := range ds {
		d := &ds[i]
		concurrent := tr.N("health.why_concurrent", len(ds))
		if d.Sequence != nil {
			if seqs[*d.Sequence] {
				return nil, concurrent
			}
			seqs[*d.Sequence] = true
		}
		if d.AsNeededBoolean || d.AsNeededCodeableConcept != nil {
			return nil, tr.T("health.why_part_as_needed")
		}
		if d.Timing == nil {
			return nil, tr.T("health.why_part_no_timing")
		}
		st, why := mapTiming(tr, d.Timing, when)
		if why != "" {
			return nil, why
		}
		st.Dose = doseWords(tr, d)
		seq := i
		if d.Sequence != nil {
			seq = *d.Sequence
		}
		parts = append(parts, part{seq, st})
	}
	sort.SliceStable(parts, func(i, j int) bool {
		a, b := parts[i].step.Start, parts[j].step.Start
		if a != b {
			return a.IsZero() || (!b.IsZero() && a.Before(b))
		}
		return parts[i].seq < parts[j].seq
	})
	steps := make([]data.Step, len(parts))
	for i := range parts {
		steps[i] = parts[i].step
	}
	for i := 1; i < len(steps); i++ {
		prev, next := &steps[i-1], steps[i]
		if next.Start.IsZero() {
			return nil, tr.N("health.why_concurrent", len(ds))
		}
		if prev.End.IsZero() {
			prev.End = dayBefore(next.Start)
		}
		if !prev.End.Before(next.Start) || (!prev.Start.IsZero() && prev.End.Before(prev.Start)) {
			return nil, tr.N("health.why_concurrent", len(ds))
		}
	}
	return steps, ""
}

func dayBefore(d data.Date) data.Date {
	return data.DateOf(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).AddDate(0, 0, -1))
}
