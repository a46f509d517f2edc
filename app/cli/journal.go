package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/patient-companion/companion/data"
)

// entryJSON is one journal entry in `journal list` and `journal search` (DESIGN §6).
type entryJSON struct {
	ID              string  `json:"id"`
	Kind            string  `json:"kind"`
	At              string  `json:"at"`
	Name            *string `json:"name"`
	Severity        *int    `json:"severity"`
	Note            *string `json:"note"`
	DurationMinutes *int64  `json:"duration_minutes"`
	MedicationID    *string `json:"medication_id"`
	State           *string `json:"state"`
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toEntryJSON(e data.Entry) entryJSON {
	j := entryJSON{
		ID: e.ID, Kind: string(e.Kind), At: rfc3339(e.At), Name: strPtr(e.Name), Severity: e.Severity,
		Note: strPtr(e.Note), MedicationID: strPtr(e.MedicationID), State: strPtr(e.State),
	}
	if e.Duration > 0 {
		m := int64(e.Duration / time.Minute)
		j.DurationMinutes = &m
	}
	return j
}

func symptomAddFlags(fs *pflag.FlagSet) {
	fs.String("name", "", "symptom, e.g. Headache")
	fs.String("severity", "", "0 (none) to 10 (worst)")
	fs.String("at", "", "when (RFC 3339); default now")
	fs.String("duration", "", "how long, e.g. 30m or 2h")
	fs.String("note", "", "free text")
}

func symptomAdd(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	in := data.Symptom{Name: c.str("name"), Note: c.str("note")}
	if !c.changed("name") {
		return usagef("give the symptom with --name, like --name Headache")
	}
	if !c.changed("severity") {
		return usagef("give the severity with --severity, a whole number from 0 (none) to 10 (worst)")
	}
	if err := c.oneLine("name"); err != nil {
		return err
	}
	sev, err := strconv.Atoi(strings.TrimSpace(c.str("severity")))
	if err != nil || sev < 0 || sev > 10 {
		return usagef("--severity must be a whole number from 0 (none) to 10 (worst), not %q", c.str("severity"))
	}
	in.Severity = sev
	if c.changed("at") {
		if in.At, err = parseTime("at", c.str("at")); err != nil {
			return err
		}
	}
	if c.changed("duration") {
		if in.Duration, err = parseDuration(c.str("duration")); err != nil {
			return err
		}
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	e, err := s.AddSymptom(c.ctx, in)
	if err != nil {
		return err
	}
	return c.out(toEntryJSON(e), func(w io.Writer) { fmt.Fprintln(w, e.ID) })
}

// maxDuration bounds a duration as a person writes it: ten years is more than any symptom
// or dose window, and far from where minutes overflow into nonsense.
const maxDuration = 10 * 366 * 24 * time.Hour

// parseDuration reads a duration as a person writes it: "45m", "1h30m", or plain minutes.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		if n > int64(maxDuration/time.Minute) {
			return 0, usagef("--duration %q is longer than ten years", s)
		}
		return time.Duration(n) * time.Minute, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, usagef("--duration %q is not a duration: use minutes or hours, like 45m, 2h or 1h30m", s)
	}
	if d > maxDuration {
		return 0, usagef("--duration %q is longer than ten years", s)
	}
	return d, nil
}

func journalListFlags(fs *pflag.FlagSet) {
	fs.String("since", "", "from this time (RFC 3339), inclusive")
	fs.String("until", "", "up to this time (RFC 3339), exclusive")
}

func journalList(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	var since, until time.Time
	var err error
	if c.changed("since") {
		if since, err = parseTime("since", c.str("since")); err != nil {
			return err
		}
	}
	if c.changed("until") {
		if until, err = parseTime("until", c.str("until")); err != nil {
			return err
		}
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	entries, err := s.ListEntries(c.ctx, since, until)
	return c.printEntries(entries, err, "The journal has no entries in that time.")
}

func journalSearch(c *call) error {
	text := strings.Join(c.args, " ")
	if strings.TrimSpace(text) == "" {
		return usagef("give the text to search for, like: companion journal search headache")
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	entries, err := s.Search(c.ctx, text)
	return c.printEntries(entries, err, "No entries match.")
}

// printEntries prints what was read even when some records were damaged; the damage is then
// reported on stderr and in the exit code (5), so nothing is hidden and nothing good is lost.
func (c *call) printEntries(entries []data.Entry, err error, empty string) error {
	return printList(c, entries, err, toEntryJSON, func(w io.Writer) {
		if len(entries) == 0 {
			fmt.Fprintln(w, empty)
		}
		for _, e := range entries {
			fmt.Fprintln(w, entryLine(e))
		}
	})
}

func entryLine(e data.Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %-7s  %s", e.At.Format("2006-01-02 15:04"), e.Kind, printable(e.Name))
	if e.Severity != nil {
		fmt.Fprintf(&b, " (%d/10)", *e.Severity)
	}
	if e.State != "" {
		b.WriteString(" — " + printable(e.State))
	}
	if e.Duration > 0 {
		fmt.Fprintf(&b, " for %s", strings.TrimSuffix(strings.TrimSuffix(e.Duration.String(), "0s"), "0m"))
	}
	if e.Note != "" {
		if e.Name != "" {
			b.WriteString(" — ")
		}
		b.WriteString(printable(e.Note))
	}
	fmt.Fprintf(&b, "  [%s]", e.ID)
	return b.String()
}
