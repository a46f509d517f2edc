package cli

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/spf13/pflag"

	"github.com/patient-companion/companion/data"
)

type appointmentJSON struct {
	ID          string  `json:"id"`
	Start       string  `json:"start"`
	End         *string `json:"end"`
	Status      string  `json:"status"`
	Title       string  `json:"title"`
	Description *string `json:"description"`
	Location    *string `json:"location"`
	Source      string  `json:"source"`
}

func toAppointmentJSON(a data.Appointment) appointmentJSON {
	j := appointmentJSON{ID: a.ID, Start: rfc3339(a.Start), Status: a.Status, Title: a.Title,
		Description: strPtr(a.Description), Location: strPtr(a.Location), Source: a.Source}
	if !a.End.IsZero() {
		e := rfc3339(a.End)
		j.End = &e
	}
	return j
}

func appointmentAddFlags(fs *pflag.FlagSet) {
	fs.String("at", "", "start (RFC 3339)")
	fs.String("end", "", "end (RFC 3339)")
	fs.String("title", "", "what it is, e.g. \"Diabetes check\"")
	fs.String("location", "", "where")
}

func appointmentAdd(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	if !c.changed("at") {
		return usagef("give the start with --at TIME (RFC 3339, like 2026-12-03T10:30:00+01:00)")
	}
	if !c.changed("title") {
		return usagef("give the appointment a --title")
	}
	if err := c.oneLine("title", "location"); err != nil {
		return err
	}
	a := data.Appointment{Title: c.str("title"), Location: c.str("location")}
	var err error
	if a.Start, err = parseTime("at", c.str("at")); err != nil {
		return err
	}
	if c.changed("end") {
		if a.End, err = parseTime("end", c.str("end")); err != nil {
			return err
		}
	}
	if _, err := data.ValidateAppointment(a); err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	a, err = s.AddAppointment(c.ctx, a)
	if err != nil {
		return err
	}
	return c.out(toAppointmentJSON(a), func(w io.Writer) { fmt.Fprintln(w, a.ID) })
}

func appointmentList(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	appts, lerr := s.ListAppointments(c.ctx, time.Time{}, time.Time{})
	return printList(c, appts, lerr, toAppointmentJSON, func(w io.Writer) {
		if len(appts) == 0 {
			fmt.Fprintln(w, "No appointments.")
		}
		for _, a := range appts {
			line := a.Start.Format("Mon 2006-01-02 15:04") + "  " + a.Title
			if a.Location != "" {
				line += " — " + a.Location
			}
			if a.Status != "booked" {
				line += " (" + a.Status + ")"
			}
			switch {
			case a.Pending == data.PendingCancel:
				line += " (cancelling: goes to the clinic at the next sync)"
			case a.Pending == data.PendingRequest:
				line += " (waiting to send)"
			case a.Error != "":
				line += " (" + a.Error + ")"
			}
			fmt.Fprintf(w, "%s  [%s]\n", printable(line), a.ID)
		}
	})
}

func settingsGet(c *call) error {
	if len(c.args) > 1 {
		return usagef("give at most one setting name")
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	if len(c.args) == 1 {
		// An unknown key is "not found" (exit 4) before anything is read.
		if _, err := data.DefaultSettings().Text(c.args[0]); err != nil {
			return err
		}
	}
	set, err := s.Settings(c.ctx)
	if len(c.args) == 1 {
		err = damageAbout(err, c.args[0])
	}
	if err != nil {
		return err
	}
	if len(c.args) == 1 {
		v, err := set.Text(c.args[0])
		if err != nil {
			return err
		}
		return c.out(map[string]string{"key": c.args[0], "value": v}, func(w io.Writer) { fmt.Fprintln(w, printable(v)) })
	}
	all := map[string]string{}
	for _, k := range data.SettingKeys() {
		if all[k], err = set.Text(k); err != nil {
			return err
		}
	}
	return c.out(all, func(w io.Writer) {
		keys := data.SettingKeys()
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "%s = %s\t# %s\n", k, printable(all[k]), data.SettingHelp(k))
		}
	})
}

func settingsSet(c *call) error {
	if len(c.args) != 2 {
		return usagef("give a setting name and its value, like: companion settings set hide_medicine_names true")
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	v, err := s.PutSetting(c.ctx, c.args[0], c.args[1])
	if err != nil {
		return err
	}
	return c.out(map[string]string{"key": c.args[0], "value": v}, func(w io.Writer) { fmt.Fprintf(w, "%s = %s\n", printable(c.args[0]), printable(v)) })
}

// damageAbout keeps of err's damaged settings those that matter to reading key: key itself,
// and any row whose key no setting has (an edited key would hide a setting's value). Another
// setting's damage is reported when that one is read (or all of them are).
func damageAbout(err error, key string) error {
	var te *data.TamperedError
	if !errors.As(err, &te) {
		return err
	}
	var keep data.TamperedError
	for _, r := range te.Records {
		if r.ID == key || data.SettingHelp(r.ID) == "" {
			keep.Records = append(keep.Records, r)
		}
	}
	if len(keep.Records) == 0 {
		return nil
	}
	return &keep
}
