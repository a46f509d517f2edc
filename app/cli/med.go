package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/data"
)

type medJSON struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	Dose         *string `json:"dose"`
	Strength     *string `json:"strength"`
	Form         *string `json:"form"`
	Instructions *string `json:"instructions"`
	Schedule     string  `json:"schedule"`
	AsNeeded     bool    `json:"as_needed"`
	Archived     bool    `json:"archived"`
	// The supply (DESIGN §6.1): units left, null when no stock is kept; days left and the
	// refill-by date, null also when they cannot be known (stock.go, medJSONAt).
	Stock    *float64 `json:"stock"`
	DaysLeft *int     `json:"days_left"`
	RefillBy *string  `json:"refill_by"`
}

func toMedJSON(m data.Medication) medJSON {
	return medJSON{
		ID: m.ID, Name: m.Name, Dose: strPtr(m.Dose), Strength: strPtr(m.Strength), Form: strPtr(m.Form),
		Instructions: strPtr(m.Instructions), Schedule: m.ScheduleText(), AsNeeded: m.AsNeeded, Archived: m.Archived,
		Stock: stockPtr(m),
	}
}

func scheduleFlags(fs *pflag.FlagSet) {
	fs.String("times", "", "times of day, HH:MM,...")
	fs.Int("every-days", 0, "every N days, counted from the start date")
	fs.String("weekdays", "", "only on these days, e.g. mon,wed,fri")
	fs.String("start", "", "first day, YYYY-MM-DD (default today)")
	fs.String("end", "", "last day, YYYY-MM-DD (inclusive)")
	fs.String("cron", "", "a custom cron expression (minute hour day month weekday)")
}

func medStepFlags(fs *pflag.FlagSet) {
	fs.String("dose", "", "how much per time in this step")
	scheduleFlags(fs)
}

func medAddFlags(fs *pflag.FlagSet) {
	fs.String("name", "", "medicine name")
	fs.String("dose", "", "how much per time, e.g. \"1 tablet\"")
	fs.String("strength", "", "e.g. 500 mg")
	fs.String("form", "", "e.g. tablet")
	fs.String("instructions", "", "e.g. with food")
	fs.String("dose-window", "", "how long after its time a dose can still be taken (default 2h)")
	fs.Bool("as-needed", false, "no schedule: log doses when taken")
	fs.String("from-record", "", "a medicine of the clinic's health record (its id in 'record list --type medication')")
	scheduleFlags(fs)
	stockFlags(fs)
}

// stepFromFlags reads one schedule step from the schedule flags.
func stepFromFlags(c *call) (data.Step, error) {
	var st data.Step
	times, cronExpr := c.str("times"), strings.TrimSpace(c.str("cron"))
	switch {
	case times != "" && cronExpr != "":
		return st, usagef("give either --times or --cron, not both")
	case times == "" && cronExpr == "":
		return st, usagef("give the times to take it with --times HH:MM,... (like --times 08:00,20:00), or --cron, or --as-needed")
	}
	if times != "" {
		for _, t := range strings.Split(times, ",") {
			if !plainTimeOfDay(t) {
				return st, usagef("%q is not a time of day: use HH:MM on a 24-hour clock, like 08:00 or 20:30", t)
			}
			tod, err := data.ParseTimeOfDay(t)
			if err != nil {
				return st, err
			}
			st.Times = append(st.Times, tod)
		}
	}
	if cronExpr != "" {
		if _, err := remind.ParseCron(cronExpr); err != nil {
			return st, usagef("--cron: %v", err)
		}
		if c.changed("every-days") || c.changed("weekdays") {
			return st, usagef("--every-days and --weekdays do not go with --cron: put the days in the expression")
		}
		st.Cron = cronExpr
	}
	if c.changed("every-days") {
		n, _ := c.fs.GetInt("every-days")
		if n < 1 {
			return st, usagef("--every-days must be 1 or more, not %d", n)
		}
		st.EveryDays = n
	}
	if w := c.str("weekdays"); w != "" {
		if st.EveryDays > 1 {
			return st, usagef("give either --every-days or --weekdays, not both")
		}
		days, err := parseWeekdays(w)
		if err != nil {
			return st, err
		}
		st.Weekdays = days
	}
	var err error
	if s := c.str("start"); s != "" {
		if st.Start, err = data.ParseDate(s); err != nil {
			return st, err
		}
	}
	if e := c.str("end"); e != "" {
		if st.End, err = data.ParseDate(e); err != nil {
			return st, err
		}
	}
	st.Dose = c.str("dose")
	return data.ValidateStep(st)
}

// plainTimeOfDay accepts H:MM or HH:MM in digits only; data.ParseTimeOfDay reads numbers with
// fmt, which also takes "+8:00" and "8:+5".
func plainTimeOfDay(s string) bool {
	h, m, ok := strings.Cut(s, ":")
	digits := func(x string) bool {
		return x != "" && strings.Trim(x, "0123456789") == ""
	}
	return ok && len(h) >= 1 && len(h) <= 2 && len(m) == 2 && digits(h) && digits(m)
}

func parseWeekdays(s string) ([]time.Weekday, error) {
	names := map[string]time.Weekday{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		full := strings.ToLower(d.String())
		names[full] = d
		names[full[:3]] = d
	}
	var out []time.Weekday
	seen := map[time.Weekday]bool{}
	for _, w := range strings.Split(s, ",") {
		d, ok := names[strings.ToLower(strings.TrimSpace(w))]
		if !ok {
			return nil, usagef("%q is not a weekday: use mon, tue, wed, thu, fri, sat, sun", w)
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out, nil
}

func medAdd(c *call) error {
	if c.changed("from-record") {
		return medAddFromRecord(c)
	}
	if err := c.noArgs(); err != nil {
		return err
	}
	m := data.Medication{
		Name: c.str("name"), Dose: c.str("dose"), Strength: c.str("strength"), Form: c.str("form"),
		Instructions: c.str("instructions"),
	}
	if strings.TrimSpace(m.Name) == "" {
		return usagef("give the medicine's name with --name")
	}
	if err := c.oneLine("name", "dose", "strength", "form"); err != nil {
		return err
	}
	if w := c.str("dose-window"); w != "" {
		d, err := parseDuration(w)
		if err != nil || d < time.Minute {
			return usagef("--dose-window %q is not a duration of a minute or more, like 30m or 2h", w)
		}
		m.DoseWindow = d
	}
	if err := stockFromFlags(c, &m); err != nil {
		return err
	}
	m.AsNeeded, _ = c.fs.GetBool("as-needed")
	if m.AsNeeded {
		for _, f := range []string{"times", "cron", "every-days", "weekdays", "start", "end"} {
			if c.changed(f) {
				return usagef("--as-needed has no schedule: leave out --%s", f)
			}
		}
	} else {
		st, err := stepFromFlags(c)
		if err != nil {
			return err
		}
		m.Steps = []data.Step{st}
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	m, err = s.AddMedication(c.ctx, m)
	if err != nil {
		return err
	}
	return c.out(medJSONAt(s.Location(), c.env.Now())(m), func(w io.Writer) { fmt.Fprintln(w, m.ID) })
}

func medList(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	meds, lerr := s.ListMedications(c.ctx)
	loc, now := s.Location(), c.env.Now()
	var changed map[string]string
	if !c.json {
		changed = c.dosesChanged(s, meds)
	}
	return printList(c, meds, lerr, medJSONAt(loc, now), func(w io.Writer) {
		if len(meds) == 0 {
			fmt.Fprintln(w, "No medications yet. Add one with: companion med add --name NAME --times 08:00")
		}
		for _, m := range meds {
			line := m.Name
			if m.Strength != "" {
				line += " " + m.Strength
			}
			if m.Dose != "" {
				line += ", " + m.Dose
			}
			fmt.Fprintf(w, "%s — %s  [%s]\n", printable(line), printable(m.ScheduleText()), m.ID)
			if m.StockKept {
				fmt.Fprintf(w, "    %s\n", printable(remind.SupplyOf(m, loc, now).Line(loc, now)))
			}
			if rec, ok := changed[m.ID]; ok {
				fmt.Fprintf(w, "    your clinic changed the dose: see 'companion record show %s'\n", rec)
			}
		}
	})
}
