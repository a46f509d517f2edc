package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/patient-companion/companion/data"
)

type vitalJSON struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	At     string `json:"at"`
	Value  string `json:"value"` // in the canonical unit: "120/80", "72.5"
	Unit   string `json:"unit"`
	Shared string `json:"shared"`
}

func toVitalJSON(v data.Vital) vitalJSON {
	return vitalJSON{ID: v.ID, Type: v.Type, At: rfc3339(v.At), Value: v.Text(""), Unit: data.CanonicalUnit(v.Type), Shared: v.Shared}
}

func vitalTypesText() string { return strings.Join(data.VitalTypes, ", ") }

func vitalAddFlags(fs *pflag.FlagSet) {
	fs.String("type", "", "what was measured: "+vitalTypesText())
	fs.String("value", "", "the reading, like 72.5 (blood pressure as 120/80)")
	fs.String("unit", "", "its unit (default: your setting, else as usual where you live)")
	fs.String("at", "", "when (RFC 3339); default now")
	fs.Bool("share", false, "share it with your care team through the portal")
}

// locale is the POSIX locale measurement units follow.
func (c *call) locale() string { return data.Locale(c.env.Getenv) }

func vitalAdd(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	if !c.changed("type") {
		return usagef("say what was measured with --type: %s", vitalTypesText())
	}
	if !c.changed("value") {
		return usagef("give the reading with --value, like --value 72.5 (blood pressure as --value 120/80)")
	}
	if err := c.oneLine("type", "value", "unit"); err != nil {
		return err
	}
	typ := strings.ToLower(strings.TrimSpace(c.str("type")))
	if data.CanonicalUnit(typ) == "" {
		return usagef("--type %q is not a kind of reading: use one of %s", c.str("type"), vitalTypesText())
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	set, err := s.Settings(c.ctx)
	if err != nil {
		return err
	}
	unit := c.str("unit")
	if !c.changed("unit") {
		unit = data.VitalUnit(set, typ, c.locale())
	}
	v, err := data.ParseVital(typ, c.str("value"), unit)
	if err != nil {
		return err
	}
	if c.changed("at") {
		if v.At, err = parseTime("at", c.str("at")); err != nil {
			return err
		}
	}
	share, _ := c.fs.GetBool("share")
	v, err = s.AddVital(c.ctx, v, share || set.ShareReadings[typ])
	if err != nil {
		return err
	}
	return c.out(toVitalJSON(v), func(w io.Writer) { fmt.Fprintln(w, v.ID) })
}

func vitalListFlags(fs *pflag.FlagSet) {
	fs.String("type", "", "only this kind: "+vitalTypesText())
	fs.String("since", "", "only readings at or after this time (RFC 3339)")
}

func vitalList(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	typ := strings.ToLower(strings.TrimSpace(c.str("type")))
	if c.changed("type") && data.CanonicalUnit(typ) == "" {
		return usagef("--type %q is not a kind of reading: use one of %s", c.str("type"), vitalTypesText())
	}
	var since time.Time
	if c.changed("since") {
		var err error
		if since, err = parseTime("since", c.str("since")); err != nil {
			return err
		}
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	set, err := s.Settings(c.ctx)
	if err != nil {
		return err
	}
	vitals, lerr := s.ListVitals(c.ctx, typ, since)
	return printList(c, vitals, lerr, toVitalJSON, func(w io.Writer) {
		if len(vitals) == 0 {
			fmt.Fprintln(w, "No readings yet. Add one with: companion vital add --type blood-pressure --value 120/80")
		}
		for _, v := range vitals {
			unit := data.VitalUnit(set, v.Type, c.locale())
			mark := ""
			switch {
			case v.Shared == data.ShareSent:
				mark = "  (shared)"
			case v.Shared == data.ShareQueued && v.Error != "":
				mark = "  (not shared: " + printable(v.Error) + ")"
			case v.Shared == data.ShareQueued:
				mark = "  (waiting to share)"
			}
			note := ""
			if v.Note != "" {
				note = "  " + printable(v.Note)
			}
			fmt.Fprintf(w, "%s  %-15s %s %s%s%s  [%s]\n", v.At.Format("2006-01-02 15:04"), v.Type, v.Text(unit), unit, note, mark, v.ID)
		}
	})
}
