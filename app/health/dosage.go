package health

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/patient-companion/companion/data"
)

// dosageWords is a dosage as the clinic wrote it (its text), else built in plain words from
// its dose and timing: "1 tablet twice a day as needed for pain".
func dosageWords(d *dosage) string {
	if t := strings.TrimSpace(d.Text); t != "" {
		return t
	}
	var parts []string
	if dose := doseWords(d); dose != "" {
		parts = append(parts, dose)
	}
	if d.Route != nil {
		if r := d.Route.words(); r != "" {
			parts = append(parts, strings.ToLower(r))
		}
	}
	if d.Timing != nil {
		if t := timingWords(d.Timing); t != "" {
			parts = append(parts, t)
		}
	}
	if d.AsNeededBoolean || d.AsNeededCodeableConcept != nil {
		s := "as needed"
		if why := d.AsNeededCodeableConcept.words(); why != "" {
			s += " for " + lowerFirst(why)
		}
		parts = append(parts, s)
	}
	if pi := strings.TrimSpace(d.PatientInstruction); pi != "" && len(parts) == 0 {
		parts = append(parts, pi)
	}
	return capitalize(strings.Join(parts, " "))
}

// doseWords is the first dose: "1 tablet", "500 mg", "1–2 tablet".
func doseWords(d *dosage) string {
	for _, dr := range d.DoseAndRate {
		if q := dr.DoseQuantity; q.present() {
			text, _, ok := formatNumber(q.Value)
			if !ok {
				continue
			}
			return joinUnit(text, humanUnit(q))
		}
		if r := dr.DoseRange; r != nil && r.Low.present() && r.High.present() {
			lo, _, ok1 := formatNumber(r.Low.Value)
			hi, _, ok2 := formatNumber(r.High.Value)
			if ok1 && ok2 {
				return joinUnit(lo+"–"+hi, humanUnit(r.High))
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

var unitNames = map[string][2]string{
	"s": {"second", "seconds"}, "min": {"minute", "minutes"}, "h": {"hour", "hours"},
	"d": {"day", "days"}, "wk": {"week", "weeks"}, "mo": {"month", "months"}, "a": {"year", "years"},
}

// whenWords are FHIR event-timing codes in words.
var whenWords = map[string]string{
	"MORN": "in the morning", "MORN.early": "early in the morning", "MORN.late": "late in the morning",
	"NOON": "at noon", "AFT": "in the afternoon", "AFT.early": "early in the afternoon",
	"AFT.late": "late in the afternoon", "EVE": "in the evening", "EVE.early": "early in the evening",
	"EVE.late": "late in the evening", "NIGHT": "at night", "PHS": "after sleep", "HS": "at bedtime",
	"WAKE": "on waking", "C": "with meals", "CM": "with breakfast", "CD": "with lunch",
	"CV": "with dinner", "AC": "before meals", "ACM": "before breakfast", "ACD": "before lunch",
	"ACV": "before dinner", "PC": "after meals", "PCM": "after breakfast", "PCD": "after lunch",
	"PCV": "after dinner", "IMD": "immediately",
}

var dayNames = map[string]string{
	"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday",
	"fri": "Friday", "sat": "Saturday", "sun": "Sunday",
}

// timingWords is a timing in plain words: "twice a day", "every 6 hours", "at 08:00 and
// 20:00", "in the morning and in the evening", "on Monday and Thursday".
func timingWords(t *timing) string {
	rp := t.Repeat
	if rp == nil {
		if w := t.Code.words(); w != "" {
			return strings.ToLower(w)
		}
		if c := t.Code.firstCode(); c != "" {
			return c
		}
		if len(t.Event) > 0 {
			return "on set dates"
		}
		return ""
	}
	var parts []string
	if f := frequencyWords(rp); f != "" {
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
		parts = append(parts, "at "+andList(ts))
	}
	if len(rp.When) > 0 {
		ws := make([]string, 0, len(rp.When))
		for _, w := range rp.When {
			if s, ok := whenWords[w]; ok {
				ws = append(ws, s)
			} else {
				ws = append(ws, w)
			}
		}
		s := andList(ws)
		if rp.Offset != nil && *rp.Offset != 0 {
			s = fmt.Sprintf("%d minutes %s", abs(*rp.Offset), s)
		}
		parts = append(parts, s)
	}
	if len(rp.DayOfWeek) > 0 {
		ds := make([]string, 0, len(rp.DayOfWeek))
		for _, d := range rp.DayOfWeek {
			if n, ok := dayNames[d]; ok {
				ds = append(ds, n)
			} else {
				ds = append(ds, d)
			}
		}
		parts = append(parts, "on "+andList(ds))
	}
	if rp.Count != nil {
		parts = append(parts, fmt.Sprintf("for %d doses", *rp.Count))
	}
	if b := rp.BoundsDuration; b != nil && b.Value != "" {
		n, _, _ := formatNumber(b.Value)
		u := b.Unit
		if names, ok := unitNames[b.Code]; ok {
			u = names[1]
			if n == "1" {
				u = names[0]
			}
		}
		parts = append(parts, "for "+joinUnit(n, u))
	}
	if b := rp.BoundsPeriod; b != nil {
		s, _ := calendarDate(b.Start, false)
		e, _ := calendarDate(b.End, true)
		switch {
		case !s.IsZero() && !e.IsZero():
			parts = append(parts, "from "+s.String()+" to "+e.String())
		case !s.IsZero():
			parts = append(parts, "from "+s.String())
		case !e.IsZero():
			parts = append(parts, "until "+e.String())
		}
	}
	return strings.Join(parts, " ")
}

// frequencyWords: "once a day", "twice a day", "3 times a day", "every 6 hours",
// "every 4–6 hours", "1–2 times a day", "3 times every 2 days".
func frequencyWords(rp *repeat) string {
	names, ok := unitNames[rp.PeriodUnit]
	if !ok || rp.Period == "" {
		return ""
	}
	p, _, ok := formatNumber(rp.Period)
	if !ok {
		return ""
	}
	if pm, _, ok := formatNumber(rp.PeriodMax); ok && rp.PeriodMax != "" {
		p += "–" + pm
	}
	f := 1
	if rp.Frequency != nil {
		f = *rp.Frequency
	}
	times := ""
	switch {
	case rp.FrequencyMax != nil && *rp.FrequencyMax != f:
		times = fmt.Sprintf("%d–%d times", f, *rp.FrequencyMax)
	case f == 1:
		times = "once"
	case f == 2:
		times = "twice"
	default:
		times = strconv.Itoa(f) + " times"
	}
	if p == "1" {
		if f == 1 && rp.FrequencyMax == nil && (rp.PeriodUnit == "h" || rp.PeriodUnit == "min" || rp.PeriodUnit == "s") {
			return "every " + names[0]
		}
		return times + " a " + names[0]
	}
	if f == 1 && rp.FrequencyMax == nil {
		return "every " + p + " " + names[1]
	}
	return times + " every " + p + " " + names[1]
}

func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
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
