package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/data"
)

type doseJSON struct {
	ID           string  `json:"id"`
	MedicationID string  `json:"medication_id"`
	Medication   string  `json:"medication"`
	ScheduledAt  *string `json:"scheduled_at"`
	At           string  `json:"at"`
	State        string  `json:"state"`
	Late         bool    `json:"late"`
}

func toDoseJSON(ev data.DoseEvent, name string) doseJSON {
	j := doseJSON{ID: ev.ID, MedicationID: ev.MedicationID, Medication: name, At: rfc3339(ev.At), State: ev.State, Late: ev.Late()}
	if !ev.ScheduledAt.IsZero() {
		s := rfc3339(ev.ScheduledAt)
		j.ScheduledAt = &s
	}
	return j
}

func atFlag(fs *pflag.FlagSet) { fs.String("at", "", "when (RFC 3339); default now") }

func medStepAdd(c *call) error {
	id, err := c.oneArg("medication id")
	if err != nil {
		return err
	}
	st, err := stepFromFlags(c)
	if err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	if st.Cron != "" {
		if _, err := remind.ParseCron(st.Cron); err != nil {
			return usagef("%v", err)
		}
	}
	m, err := s.AddStep(c.ctx, id, st)
	if err != nil {
		return err
	}
	return c.out(medJSONAt(s.Location(), c.env.Now())(m), func(w io.Writer) { fmt.Fprintln(w, m.Steps[len(m.Steps)-1].ID) })
}

func answerFlags(fs *pflag.FlagSet) {
	atFlag(fs)
	fs.Bool("change", false, "replace the answer of a dose already taken or skipped")
}

// answer records taken or skipped for the dose nearest to --at (DESIGN §6). A dose already
// taken or skipped is refused (exit 2, naming its answer) unless --change says to replace it;
// a missed one may be taken late or skipped as it is.
func answer(c *call, state string) error {
	id, err := c.oneArg("medication id")
	if err != nil {
		return err
	}
	now := c.env.Now()
	at := now
	if c.changed("at") {
		if at, err = parseTime("at", c.str("at")); err != nil {
			return err
		}
	}
	change, _ := c.fs.GetBool("change")
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	m, err := s.Medication(c.ctx, id)
	if err != nil {
		return err
	}
	ev := data.DoseEvent{MedicationID: m.ID, State: state, At: at}
	record := s.RecordDose
	switch {
	case m.AsNeeded && state != data.DoseTaken:
		return usagef("%s is taken as needed: there is no scheduled dose to skip", m.Name)
	case m.AsNeeded && change:
		return usagef("%s is taken as needed: each dose taken is logged anew, there is no answer to --change", m.Name)
	case !m.AsNeeded:
		loc := s.Location()
		ms, err := remind.NewMedSchedule(m, loc)
		if err != nil {
			return err
		}
		window := remind.Window(m)
		events, err := s.DoseEvents(c.ctx, m.ID, at.Add(-window-time.Hour), at.Add(2*remind.AnswerEarly))
		if err != nil {
			return err
		}
		d, ok := ms.Nearest(remind.NewEvents(events), at, now)
		if !ok {
			return fmt.Errorf("no dose of %s is waiting at %s (a dose can be answered from %s before its time until %s after it): %w",
				m.Name, at.In(loc).Format("2006-01-02 15:04"), hours(remind.AnswerEarly), hours(window), data.ErrNotFound)
		}
		if d.Answered() && !change {
			fix := "to record it as " + state + " instead, add --change"
			if string(d.Status) == state {
				fix = "to record the time given instead, add --change"
			}
			return usagef("the %s dose of %s on %s was already %s at %s; %s",
				d.At.In(loc).Format("15:04"), m.Name, d.At.In(loc).Format("2006-01-02"), d.Status, d.Event.At.In(loc).Format("15:04"), fix)
		}
		ev.ScheduledAt = d.At
		if change {
			record = s.ChangeDose
		}
	}
	ev, err = record(c.ctx, ev)
	if err != nil {
		return err
	}
	warnStock(c, m, ev.Stock)
	return c.out(toDoseJSON(ev, m.Name), func(w io.Writer) { fmt.Fprintln(w, ev.ID) })
}

func medTake(c *call) error { return answer(c, data.DoseTaken) }
func medSkip(c *call) error { return answer(c, data.DoseSkipped) }

func medLog(c *call) error {
	id, err := c.oneArg("medication id")
	if err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	m, err := s.Medication(c.ctx, id)
	if err != nil {
		return err
	}
	events, lerr := s.DoseEvents(c.ctx, m.ID, time.Time{}, time.Time{})
	if lerr != nil && events == nil {
		return lerr
	}
	out := make([]doseJSON, 0, len(events))
	for i := len(events) - 1; i >= 0; i-- { // newest first, like the journal
		if events[i].State != data.DoseSnoozed {
			out = append(out, toDoseJSON(events[i], m.Name))
		}
	}
	if err := c.out(out, func(w io.Writer) {
		if len(out) == 0 {
			fmt.Fprintf(w, "No doses of %s recorded yet.\n", printable(m.Name))
		}
		for _, d := range out {
			line := d.At[:16]
			if d.ScheduledAt != nil {
				line = fmt.Sprintf("%s  %-7s (dose of %s)", strings.Replace(d.At[:16], "T", " ", 1), d.State, strings.Replace((*d.ScheduledAt)[:16], "T", " ", 1))
			} else {
				line = fmt.Sprintf("%s  %-7s (as needed)", strings.Replace(line, "T", " ", 1), d.State)
			}
			if d.Late {
				line += "  late"
			}
			fmt.Fprintln(w, line)
		}
	}); err != nil {
		return err
	}
	return lerr
}

func medRemove(c *call) error {
	id, err := c.oneArg("medication id")
	if err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	m, err := s.RemoveMedication(c.ctx, id)
	if err != nil {
		return err
	}
	return c.out(map[string]any{"id": m.ID, "name": m.Name, "removed": true}, func(w io.Writer) {
		fmt.Fprintf(w, "Removed %s; its past doses stay in the journal.\n", printable(m.Name))
	})
}

type reminderJSON struct {
	At            string  `json:"at"`
	Kind          string  `json:"kind"`
	MedicationID  *string `json:"medication_id"`
	Medication    *string `json:"medication"`
	Dose          *string `json:"dose"`
	AppointmentID *string `json:"appointment_id"`
	Title         *string `json:"title"`
	Start         *string `json:"start"`
}

func remindersNextFlags(fs *pflag.FlagSet) {
	fs.String("from", "", "from this time (RFC 3339), inclusive; default now")
	fs.String("count", "10", "how many")
}

func remindersNext(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	from := c.env.Now()
	var err error
	if c.changed("from") {
		if from, err = parseTime("from", c.str("from")); err != nil {
			return err
		}
	}
	count, err := strconv.Atoi(strings.TrimSpace(c.str("count")))
	if err != nil || count < 1 || count > 10000 {
		return usagef("--count must be a whole number from 1 to 10000, not %q", c.str("count"))
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	// Like the lists, what can be read is shown: one damaged medicine (or dose record, or
	// appointment) is named on stderr with exit 5, and never hides everyone else's reminders.
	damaged := &data.TamperedError{}
	var unusable []error
	meds, err := s.ListMedications(c.ctx)
	if err := damaged.Keep(err); err != nil {
		return err
	}
	var scheds []remind.MedSchedule
	for _, m := range meds {
		ms, err := remind.NewMedSchedule(m, s.Location())
		if err != nil {
			unusable = append(unusable, fmt.Errorf("the schedule of medication %s cannot be used (%v): %w", m.ID, err, data.ErrDamaged))
			continue
		}
		scheds = append(scheds, ms)
	}
	events, err := s.DoseEvents(c.ctx, "", from.Add(-48*time.Hour), time.Time{})
	if err := damaged.Keep(err); err != nil {
		return err
	}
	appts, err := s.ListAppointments(c.ctx, from, time.Time{})
	if err := damaged.Keep(err); err != nil {
		return err
	}
	// Only the setting used here counts: damage to another one is not this command's.
	set, err := s.Settings(c.ctx)
	if err := damaged.Keep(damageAbout(err, data.KeyAppointmentReminders)); err != nil {
		return err
	}
	rs := remind.NextReminders(scheds, events, appts, set.AppointmentReminders, from, count)
	out := make([]reminderJSON, 0, len(rs))
	for _, r := range rs {
		j := reminderJSON{At: rfc3339(r.At.In(s.Location())), Kind: r.Kind}
		if r.Kind == "dose" {
			name, id := r.Dose.Medication, r.Dose.MedicationID
			j.Medication, j.MedicationID, j.Dose = &name, &id, strPtr(r.Dose.Dose)
		} else {
			id, title, start := r.Appointment.ID, r.Appointment.Title, rfc3339(r.Appointment.Start)
			j.AppointmentID, j.Title, j.Start = &id, &title, &start
		}
		out = append(out, j)
	}
	if err := c.out(out, func(w io.Writer) {
		if len(out) == 0 {
			fmt.Fprintln(w, "No reminders ahead.")
		}
		for _, r := range rs {
			when := r.At.In(s.Location()).Format("Mon 2006-01-02 15:04")
			if r.Kind == "dose" {
				line := r.Dose.Medication
				if r.Dose.Dose != "" {
					line += ", " + r.Dose.Dose
				}
				fmt.Fprintln(w, when+"  "+printable(line))
			} else {
				fmt.Fprintf(w, "%s  appointment: %s at %s\n", when, printable(r.Appointment.Title), r.Appointment.Start.In(s.Location()).Format("Mon 2006-01-02 15:04"))
			}
		}
	}); err != nil {
		return err
	}
	if len(damaged.Records) > 0 {
		unusable = append([]error{damaged}, unusable...)
	}
	return errors.Join(unusable...)
}

// hours writes a duration as people say it: "1 hour", "90 minutes", "2 hours".
func hours(d time.Duration) string {
	switch {
	case d%time.Hour == 0 && d == time.Hour:
		return "1 hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return fmt.Sprintf("%d minutes", d/time.Minute)
}
