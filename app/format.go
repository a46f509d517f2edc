package app

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/app/words"
	"github.com/patient-companion/companion/data"
)

// whenLayout is what the time field shows and what people are asked to type, in every
// language (dates and times a person reads come from tr.Format).
const whenLayout = "2006-01-02 15:04"

// rowClock is how parseWhen reads a time typed alone ("14:30").
const rowClock = "15:04"

// futureSlack lets a clock that runs a little fast (or a typed minute ahead) through.
const futureSlack = 5 * time.Minute

// formError is a message for a person filling in a form, shown as it is.
type formError string

func (e formError) Error() string { return string(e) }

// severityWord says in words what a 0–10 severity means.
func severityWord(n int) string {
	switch {
	case n <= 0:
		return tr.T("severity.none")
	case n <= 3:
		return tr.T("severity.mild")
	case n <= 6:
		return tr.T("severity.moderate")
	case n <= 9:
		return tr.T("severity.severe")
	default:
		return tr.T("severity.worst")
	}
}

// severityText is the number with its word, e.g. "5 — moderate".
func severityText(n int) string {
	return tr.T("severity.text", tr.Args{"Number": tr.Int(n), "Word": severityWord(n)})
}

// parseWhen reads the time a person typed: "2025-11-25 14:30", or just "14:30" for today.
// Empty means now. Times are wall-clock times in loc.
func parseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.Join(strings.Fields(s), " ")
	now = now.In(loc)
	if s == "" {
		return now, nil
	}
	s = strings.NewReplacer(".", ":", "T", " ").Replace(s)
	var t time.Time
	var err error
	if strings.Contains(s, " ") {
		t, err = time.ParseInLocation(whenLayout, s, loc)
	} else {
		var c time.Time
		c, err = time.ParseInLocation(rowClock, s, loc)
		if err == nil {
			t = time.Date(now.Year(), now.Month(), now.Day(), c.Hour(), c.Minute(), 0, 0, loc)
		}
	}
	if err != nil {
		// The layout stays as it is in every language: it is what the field reads.
		return time.Time{}, formError(tr.T("journal.when_bad", tr.Args{"Example": now.Format(whenLayout)}))
	}
	if t.After(now.Add(futureSlack)) {
		return time.Time{}, formError(tr.T("journal.when_future"))
	}
	return t, nil
}

// parseDuration reads how long something lasted: "30 minutes", "2 hours", "1 hour 30 min",
// "1.5 h", "2 days" or Go's own "1h30m", and the same in the running language's words
// ("30 Minuten", "2 horas", "1,5 Std."). Empty means not given (zero).
func parseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, nil
	}
	bad := formError(tr.T("journal.duration_bad"))
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return 0, bad
		}
		return d, nil
	}
	// Split "1hour30min" and "1 hour 30 min" alike into number and word tokens. A point or
	// comma is a decimal one only beside a digit: "1.5 h", but "1 Std. 30 Min.".
	var toks []string
	var cur strings.Builder
	kind := 0 // 1 number, 2 word
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		k := 0
		switch {
		case unicode.IsDigit(r):
			k = 1
		case r == '.' || r == ',':
			if kind == 1 || i+1 < len(rs) && unicode.IsDigit(rs[i+1]) {
				k = 1
			}
		case unicode.IsLetter(r):
			k = 2
		}
		if k != kind {
			flush()
			kind = k
		}
		if k != 0 {
			if r == ',' {
				r = '.'
			}
			cur.WriteRune(r)
		}
	}
	flush()
	units, joins := durationWords()
	toks = slices.DeleteFunc(toks, func(t string) bool { return joins[t] })
	if len(toks) == 0 || len(toks)%2 != 0 {
		return 0, bad
	}
	var total time.Duration
	for i := 0; i < len(toks); i += 2 {
		n, err := strconv.ParseFloat(toks[i], 64)
		if err != nil || n < 0 {
			return 0, bad
		}
		unit, ok := units[toks[i+1]]
		if !ok {
			return 0, bad
		}
		total += time.Duration(n * float64(unit))
	}
	if total <= 0 || total > 366*24*time.Hour {
		return 0, bad
	}
	return total.Round(time.Second), nil
}

// durationWords are the unit words parseDuration reads, in lower case, and the words that
// join them ("and"): English's always (a short "2 h" reads the same everywhere, and a person
// may write English in any language), and the running language's, each a comma-separated
// list in the translations.
func durationWords() (units map[string]time.Duration, joins map[string]bool) {
	units = map[string]time.Duration{}
	joins = map[string]bool{"and": true}
	add := func(list string, unit time.Duration) {
		for _, w := range strings.Split(list, ",") {
			if w = strings.ToLower(strings.TrimSpace(w)); w != "" {
				if unit == 0 {
					joins[w] = true
				} else {
					units[w] = unit
				}
			}
		}
	}
	const day = 24 * time.Hour
	add("s, sec, secs, second, seconds", time.Second)
	add("m, min, mins, minute, minutes", time.Minute)
	add("h, hr, hrs, hour, hours", time.Hour)
	add("d, day, days", day)
	add("w, week, weeks", 7*day)
	add(tr.T("journal.words_second"), time.Second)
	add(tr.T("journal.words_minute"), time.Minute)
	add(tr.T("journal.words_hour"), time.Hour)
	add(tr.T("journal.words_day"), day)
	add(tr.T("journal.words_week"), 7*day)
	add(tr.T("journal.words_and"), 0)
	return units, joins
}

// durationText says a duration the way a person would: "1 hour 30 minutes". parseDuration
// reads it back, in the same language.
func durationText(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	days := int(d / (24 * time.Hour))
	d -= time.Duration(days) * 24 * time.Hour
	hours := int(d / time.Hour)
	d -= time.Duration(hours) * time.Hour
	mins := int(d / time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, tr.N("journal.duration_days", days))
	}
	if hours > 0 {
		parts = append(parts, tr.N("journal.duration_hours", hours))
	}
	if mins > 0 {
		parts = append(parts, tr.N("journal.duration_minutes", mins))
	}
	if len(parts) == 0 {
		return tr.T("journal.duration_under_minute")
	}
	return strings.Join(parts, " ")
}

// durationField is a duration as the form's field shows it to edit: as durationText says
// it, but to the second, so that saving an edit unchanged keeps the duration (durationText's
// "under a minute" would not read back at all).
func durationField(d time.Duration) string {
	secs := int((d % time.Minute) / time.Second)
	if d <= 0 || secs == 0 {
		return durationText(d)
	}
	if d < time.Minute {
		return tr.N("journal.duration_seconds", secs)
	}
	return durationText(d) + " " + tr.N("journal.duration_seconds", secs)
}

// entryTitle is the first line of a journal row, by kind.
func entryTitle(e data.Entry) string {
	switch e.Kind {
	case data.KindSymptom:
		return words.Symptom(e.Name)
	case data.KindMood:
		return tr.T("journal.title_mood", tr.Args{"Name": words.Mood(e.Name)})
	case data.KindNote:
		if e.Name != "" {
			return e.Name
		}
		return tr.T("journal.title_note")
	case data.KindDose:
		name := tr.Args{"Name": e.Name}
		switch e.State {
		case data.DoseTaken:
			return tr.T("journal.title_dose_taken", name)
		case data.DoseSkipped:
			return tr.T("journal.title_dose_skipped", name)
		case data.DoseSnoozed:
			return tr.T("journal.title_dose_snoozed", name)
		case data.DoseMissed:
			return tr.T("journal.title_dose_missed", name)
		}
		return tr.T("journal.title_dose", name)
	}
	return e.Name
}

// entryDetail is the right-hand part of a row: severity for a symptom.
func entryDetail(e data.Entry) string {
	if e.Severity != nil {
		return severityText(*e.Severity)
	}
	return ""
}

// entryNote is the row's second line: how long, and the note on one line.
func entryNote(e data.Entry) string {
	note := strings.Join(strings.Fields(e.Note), " ")
	if d := durationText(e.Duration); d != "" {
		if note == "" {
			return tr.T("journal.lasted", tr.Args{"Duration": d})
		}
		return tr.T("journal.lasted_note", tr.Args{"Duration": d, "Note": note})
	}
	return note
}

// inputMessage turns a data.ErrInvalid error into a sentence for the form, in the running
// language when the error carries its translation (data.InputError.Key). Those messages
// describe the rule that was broken, never the text that broke it.
func inputMessage(err error) string {
	if text, ok := inputText(err); ok {
		return text
	}
	msg := err.Error()
	if i := strings.Index(msg, data.ErrInvalid.Error()+": "); i >= 0 {
		msg = msg[i+len(data.ErrInvalid.Error())+2:]
	}
	return sentence(msg)
}

// sentence capitalizes msg and ends it with a full stop.
func sentence(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return msg
	}
	r := []rune(msg)
	r[0] = unicode.ToUpper(r[0])
	msg = string(r)
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	return msg
}
