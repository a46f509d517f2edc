package health

import (
	"strconv"
	"strings"

	"github.com/patient-companion/companion/data"
)

// dosageWords is a dosage as the clinic wrote it (its text), else built in plain words from
// its dose and timing: "1 tablet twice a day as needed for pain". The parts follow FHIR's
// (dose, route, timing, as needed), each a phrase of its own in tr's language.
func dosageWords(tr Words, d *dosage) string {
	if t := strings.TrimSpace(d.Text); t != "" {
		return t
	}
	var parts []string
	if dose := doseWords(tr, d); dose != "" {
		parts = append(parts, dose)
	}
	if d.Route != nil {
		if r := d.Route.words(); r != "" {
			parts = append(parts, strings.ToLower(r))
		}
	}
	if d.Timing != nil {
		if t := timingWords(tr, d.Timing); t != "" {
			parts = append(parts, t)
		}
	}
	if d.AsNeededBoolean || d.AsNeededCodeableConcept != nil {
		s := tr.T("health.as_needed")
		if why := d.AsNeededCodeableConcept.words(); why != "" {
			s = tr.T("health.as_needed_for", map[string]any{"Reason": lowerFirst(why)})
		}
		parts = append(parts, s)
	}
	if pi := strings.TrimSpace(d.PatientInstruction); pi != "" && len(parts) == 0 {
		parts = append(parts, pi)
	}
	return capitalize(strings.Join(parts, " "))
}

// doseWords is the first dose: "1 tablet", "500 mg", "1–2 tablet".
func doseWords(tr Words, d *dosage) string {
	for _, dr := range d.DoseAndRate {
		if q := dr.DoseQuantity; q.present() {
			text, _, ok := formatNumber(q.Value)
			if !ok {
				continue
			}
			return joinUnit(tr.Decimal(text), humanUnit(q))
		}
		if r := dr.DoseRange; r != nil && r.Low.present() && r.High.present() {
			lo, _, ok1 := formatNumber(r.Low.Value)
			hi, _, ok2 := formatNumber(r.High.Value)
			if ok1 && ok2 {
				return joinUnit(tr.Decimal(lo)+"–"+tr.Decimal(hi), humanUnit(r.High))
			}
		}
	}
	return ""
}

func joinUnit(n, unit string) string {
	if unit == "" {
		return n
	}
	return n + " " + unit
}

// durationUnits are the UCUM units of time a timing counts in.
var durationUnits = map[string]bool{"s": true, "min": true, "h": true, "d": true, "wk": true, "mo": true, "a": true}

// unitWord is a unit of time in words, singular or plural as count says: "day", "days".
func unitWord(tr Words, code string, count int) string {
	switch code {
	case "s":
		return tr.N("health.unit_s", count)
	case "min":
		return tr.N("health.unit_min", count)
	case "h":
		return tr.N("health.unit_h", count)
	case "d":
		return tr.N("health.unit_d", count)
	case "wk":
		return tr.N("health.unit_wk", count)
	case "mo":
		return tr.N("health.unit_mo", count)
	case "a":
		return tr.N("health.unit_a", count)
	}
	return code
}

// perUnit is "a day", "a week": how often in a unit of time.
func perUnit(tr Words, code string) string {
	switch code {
	case "s":
		return tr.T("health.per_s")
	case "min":
		return tr.T("health.per_min")
	case "h":
		return tr.T("health.per_h")
	case "d":
		return tr.T("health.per_d")
	case "wk":
		return tr.T("health.per_wk")
	case "mo":
		return tr.T("health.per_mo")
	case "a":
		return tr.T("health.per_a")
	}
	return code
}

// whenWord is a FHIR event-timing code in words ("" for a code it does not know).
func whenWord(tr Words, code string) string {
	switch code {
	case "MORN":
		return tr.T("health.when_morn")
	case "MORN.early":
		return tr.T("health.when_morn_early")
	case "MORN.late":
		return tr.T("health.when_morn_late")
	case "NOON":
		return tr.T("health.when_noon")
	case "AFT":
		return tr.T("health.when_aft")
	case "AFT.early":
		return tr.T("health.when_aft_early")
	case "AFT.late":
		return tr.T("health.when_aft_late")
	case "EVE":
		return tr.T("health.when_eve")
	case "EVE.early":
		return tr.T("health.when_eve_early")
	case "EVE.late":
		return tr.T("health.when_eve_late")
	case "NIGHT":
		return tr.T("health.when_night")
	case "PHS":
		return tr.T("health.when_phs")
	case "HS":
		return tr.T("health.when_hs")
	case "WAKE":
		return tr.T("health.when_wake")
	case "C":
		return tr.T("health.when_c")
	case "CM":
		return tr.T("health.when_cm")
	case "CD":
		return tr.T("health.when_cd")
	case "CV":
		return tr.T("health.when_cv")
	case "AC":
		return tr.T("health.when_ac")
	case "ACM":
		return tr.T("health.when_acm")
	case "ACD":
		return tr.T("health.when_acd")
	case "ACV":
		return tr.T("health.when_acv")
	case "PC":
		return tr.T("health.when_pc")
	case "PCM":
		return tr.T("health.when_pcm")
	case "PCD":
		return tr.T("health.when_pcd")
	case "PCV":
		return tr.T("health.when_pcv")
	case "IMD":
		return tr.T("health.when_imd")
	}
	return ""
}

// dayWord is a FHIR day of the week ("mon") in words ("" for one it does not know).
func dayWord(tr Words, d string) string {
	switch d {
	case "mon":
		return tr.T("health.day_mon")
	case "tue":
		return tr.T("health.day_tue")
	case "wed":
		return tr.T("health.day_wed")
	case "thu":
		return tr.T("health.day_thu")
	case "fri":
		return tr.T("health.day_fri")
	case "sat":
		return tr.T("health.day_sat")
	case "sun":
		return tr.T("health.day_sun")
	}
	return ""
}

// timingWords is a timing in plain words: "twice a day", "every 6 hours", "at 08:00 and
// 20:00", "in the morning and in the evening", "on Monday and Thursday".
func timingWords(tr Words, t *timing) string {
	rp := t.Repeat
	if rp == nil {
		if w := t.Code.words(); w != "" {
			return strings.ToLower(w)
		}
		if c := t.Code.firstCode(); c != "" {
			return c
		}
		if len(t.Event) > 0 {
			return tr.T("health.on_set_dates")
		}
		return ""
	}
	var parts []string
	if f := frequencyWords(tr, rp); f != "" {
		parts = append(parts, f)
	}
	if len(rp.TimeOfDay) > 0 {
		ts := make([]string, 0, len(rp.TimeOfDay))
		for _, s := range rp.TimeOfDay {
			if tod, ok := parseFHIRTime(s); ok {
				ts = append(ts, tod.String())
			} else {
				ts = append(ts, s)
			}
		}
		parts = append(parts, tr.T("health.at_times", map[string]any{"Times": andList(tr, ts)}))
	}
	if len(rp.When) > 0 {
		ws := make([]string, 0, len(rp.When))
		for _, w := range rp.When {
			if s := whenWord(tr, w); s != "" {
				ws = append(ws, s)
			} else {
				ws = append(ws, w)
			}
		}
		s := andList(tr, ws)
		if rp.Offset != nil && *rp.Offset != 0 {
			s = tr.N("health.minutes_offset", abs(*rp.Offset), map[string]any{"When": s})
		}
		parts = append(parts, s)
	}
	if len(rp.DayOfWeek) > 0 {
		ds := make([]string, 0, len(rp.DayOfWeek))
		for _, d := range rp.DayOfWeek {
			if n := dayWord(tr, d); n != "" {
				ds = append(ds, n)
			} else {
				ds = append(ds, d)
			}
		}
		parts = append(parts, tr.T("health.on_days", map[string]any{"Days": andList(tr, ds)}))
	}
	if rp.Count != nil {
		parts = append(parts, tr.N("health.for_doses", *rp.Count))
	}
	if b := rp.BoundsDuration; b != nil && b.Value != "" {
		n, _, _ := formatNumber(b.Value)
		u := b.Unit
		if durationUnits[b.Code] {
			u = unitWord(tr, b.Code, pluralCount(n))
		}
		parts = append(parts, tr.T("health.for_duration", map[string]any{"Length": joinUnit(tr.Decimal(n), u)}))
	}
	if b := rp.BoundsPeriod; b != nil {
		s, _ := calendarDate(b.Start, false)
		e, _ := calendarDate(b.End, true)
		switch {
		case !s.IsZero() && !e.IsZero():
			parts = append(parts, tr.T("health.from_to", map[string]any{"Start": s.String(), "End": e.String()}))
		case !s.IsZero():
			parts = append(parts, tr.T("health.from", map[string]any{"Start": s.String()}))
		case !e.IsZero():
			parts = append(parts, tr.T("health.until", map[string]any{"End": e.String()}))
		}
	}
	return strings.Join(parts, " ")
}

// pluralCount is the count a number's words agree with: 1 for "1", else 2 (the other form,
// for "2", "1.5" and "4–6" alike).
func pluralCount(n string) int {
	if n == "1" {
		return 1
	}
	return 2
}

// frequencyWords: "once a day", "twice a day", "3 times a day", "every 6 hours",
// "every 4–6 hours", "1–2 times a day", "3 times every 2 days".
func frequencyWords(tr Words, rp *repeat) string {
	if !durationUnits[rp.PeriodUnit] || rp.Period == "" {
		return ""
	}
	p, _, ok := formatNumber(rp.Period)
	if !ok {
		return ""
	}
	one := p == "1"
	p = tr.Decimal(p)
	if pm, _, ok := formatNumber(rp.PeriodMax); ok && rp.PeriodMax != "" {
		p += "–" + tr.Decimal(pm)
		one = false
	}
	f := 1
	if rp.Frequency != nil {
		f = *rp.Frequency
	}
	times := ""
	switch {
	case rp.FrequencyMax != nil && *rp.FrequencyMax != f:
		times = tr.T("health.times_range", map[string]any{"Min": f, "Max": *rp.FrequencyMax})
	case f == 1:
		times = tr.T("health.once")
	case f == 2:
		times = tr.T("health.twice")
	default:
		times = tr.N("health.n_times", f)
	}
	if one {
		if f == 1 && rp.FrequencyMax == nil && (rp.PeriodUnit == "h" || rp.PeriodUnit == "min" || rp.PeriodUnit == "s") {
			return tr.T("health.every_one", map[string]any{"Unit": unitWord(tr, rp.PeriodUnit, 1)})
		}
		return tr.T("health.times_per", map[string]any{"Times": times, "Per": perUnit(tr, rp.PeriodUnit)})
	}
	unit := unitWord(tr, rp.PeriodUnit, 2)
	if f == 1 && rp.FrequencyMax == nil {
		return tr.T("health.every_n", map[string]any{"N": p, "Unit": unit})
	}
	return tr.T("health.times_every", map[string]any{"Times": times, "N": p, "Unit": unit})
}

// andList joins items: "a", "a and b", "a, b and c".
func andList(tr Words, items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return tr.T("health.and_list", map[string]any{"List": strings.Join(items[:len(items)-1], ", "), "Last": items[len(items)-1]})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// parseFHIRTime reads a FHIR time ("08:00:00", "08:00:00.000", "20:30") as a time of day;
// seconds are dropped.
func parseFHIRTime(s string) (data.TimeOfDay, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 5 || s[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:5])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 || s[0] == '+' || s[0] == '-' || s[3] == '+' || s[3] == '-' {
		return 0, false
	}
	if rest := s[5:]; rest != "" {
		if rest[0] != ':' || len(rest) < 3 {
			return 0, false
		}
		sec, err := strconv.Atoi(rest[1:3])
		if err != nil || sec < 0 || sec > 60 || rest[1] == '+' || rest[1] == '-' {
			return 0, false
		}
	}
	return data.TimeOfDay(h*60 + m), true
}
