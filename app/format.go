package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/patient-companion/companion/data"
)

// Time layouts. whenLayout is what the time field shows and what people are asked to type.
const (
	whenLayout = "2006-01-02 15:04"
	rowDate    = "Mon 2 Jan 2006"
	rowClock   = "15:04"
)

// futureSlack lets a clock that runs a little fast (or a typed minute ahead) through.
const futureSlack = 5 * time.Minute

// formError is a message for a person filling in a form, shown as it is.
type formError string

func (e formError) Error() string { return string(e) }

// severityWord says in words what a 0–10 severity means.
func severityWord(n int) string {
	switch {
	case n <= 0:
		return "none"
	case n <= 3:
		return "mild"
	case n <= 6:
		return "moderate"
	case n <= 9:
		return "severe"
	default:
		return "worst possible"
	}
}

// severityText is the number with its word, e.g. "5 — moderate".
func severityText(n int) string { return fmt.Sprintf("%d — %s", n, severityWord(n)) }

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
		return time.Time{}, formError("Write the time like " + now.Format(whenLayout) + ".")
	}
	if t.After(now.Add(futureSlack)) {
		return time.Time{}, formError("That time is in the future.")
	}
	return t, nil
}

// parseDuration reads how long something lasted: "30 minutes", "2 hours", "1 hour 30 min",
// "1.5 h", "2 days" or Go's own "1h30m". Empty means not given (zero).
func parseDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, nil
	}
	const bad = formError("Write how long, like 30 minutes or 2 hours.")
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return 0, bad
		}
		return d, nil
	}
	// Split "1hour30min" and "1 hour 30 min" alike into number and word tokens.
	var toks []string
	var cur strings.Builder
	kind := 0 // 1 number, 2 word
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		k := 0
		switch {
		case unicode.IsDigit(r) || r == '.' || r == ',':
			k = 1
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
	if len(toks) == 0 || len(toks)%2 != 0 {
		return 0, bad
	}
	var total time.Duration
	for i := 0; i < len(toks); i += 2 {
		n, err := strconv.ParseFloat(toks[i], 64)
		if err != nil || n < 0 {
			return 0, bad
		}
		var unit time.Duration
		switch toks[i+1] {
		case "s", "sec", "secs", "second", "seconds":
			unit = time.Second
		case "m", "min", "mins", "minute", "minutes":
			unit = time.Minute
		case "h", "hr", "hrs", "hour", "hours":
			unit = time.Hour
		case "d", "day", "days":
			unit = 24 * time.Hour
		case "w", "week", "weeks":
			unit = 7 * 24 * time.Hour
		default:
			return 0, bad
		}
		total += time.Duration(n * float64(unit))
	}
	if total <= 0 || total > 366*24*time.Hour {
		return 0, bad
	}
	return total.Round(time.Second), nil
}

// durationText says a duration the way a person would: "1 hour 30 minutes".
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
	add := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, strconv.Itoa(n)+" "+many)
		}
	}
	add(days, "day", "days")
	add(hours, "hour", "hours")
	add(mins, "minute", "minutes")
	if len(parts) == 0 {
		return "under a minute"
	}
	return strings.Join(parts, " ")
}

// entryTitle is the first line of a journal row, by kind.
func entryTitle(e data.Entry) string {
	switch e.Kind {
	case data.KindMood:
		return "Mood: " + e.Name
	case data.KindNote:
		if e.Name != "" {
			return e.Name
		}
		return "Note"
	case data.KindDose:
		if e.State != "" {
			return "Medicine: " + e.Name + " (" + e.State + ")"
		}
		return "Medicine: " + e.Name
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
			return "Lasted " + d + "."
		}
		return "Lasted " + d + ". " + note
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
