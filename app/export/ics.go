package export

import (
	"bufio"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/patient-companion/companion/data"
)

// ICS writes appointments as an RFC 5545 calendar. Times are in UTC ("Z"): a TZID would
// need a VTIMEZONE block (go-ical writes an invalid TZID=Local for time.Local), and every
// calendar shows UTC times in its own zone. Lines end in CRLF and are folded at 75 octets,
// never inside a UTF-8 character. now stamps an appointment that has no modification time.
func ICS(w io.Writer, appts []data.Appointment, version string, now time.Time) error {
	bw := bufio.NewWriter(w)
	line := func(name, value string) { writeFolded(bw, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//Patient Companion//Patient Companion "+textValue(version)+"//EN")
	line("CALSCALE", "GREGORIAN")
	for _, a := range appts {
		if a.Status == data.StatusRequested {
			continue // no time yet: only the first day that would suit
		}
		line("BEGIN", "VEVENT")
		// The record's id is a random UUID; the domain part keeps it apart from other
		// programs' UIDs, as RFC 5545 §3.8.4.7 suggests.
		line("UID", a.ID+"@patient-companion")
		stamp := a.UpdatedAt
		if stamp.IsZero() {
			stamp = now
		}
		line("DTSTAMP", icsTime(stamp))
		line("DTSTART", icsTime(a.Start))
		if !a.End.IsZero() && a.End.After(a.Start) {
			line("DTEND", icsTime(a.End))
		}
		line("SUMMARY", textValue(a.Title))
		if a.Location != "" {
			line("LOCATION", textValue(a.Location))
		}
		if a.Description != "" {
			line("DESCRIPTION", textValue(a.Description))
		}
		line("STATUS", icsStatus(a.Status))
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return bw.Flush()
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsStatus maps a FHIR Appointment status to a VEVENT's.
func icsStatus(s string) string {
	switch s {
	case "cancelled", "entered-in-error", "noshow":
		return "CANCELLED"
	case "proposed", "pending", "waitlist":
		return "TENTATIVE"
	}
	return "CONFIRMED"
}

// textValue escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and
// newline are escaped; other control characters, which TEXT does not allow, are dropped.
func textValue(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r) || r == utf8.RuneError:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeFolded writes one content line, folded (RFC 5545 §3.1): at most 75 octets a line,
// each continuation starting with a space, and a break never inside a UTF-8 character.
func writeFolded(w *bufio.Writer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.WriteString(s[:cut])
		w.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	w.WriteString(s)
	w.WriteString("\r\n")
}
