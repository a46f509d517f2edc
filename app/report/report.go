// Package report builds the report for the doctor: what the person recorded over a period
// (medicines and how their doses went, symptoms and their severity over time, moods, notes,
// appointments), gathered from a profile's store by Collect and drawn as a PDF by Write.
// The command line (`export report`) and the window's "Report for my doctor" both use it.
// No Fyne here.
package report

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/app/words"
	"github.com/patient-companion/companion/data"
)

// Source is what the report reads: a profile's store (*data.Store).
type Source interface {
	Info() data.ProfileInfo
	Location() *time.Location
	ListEntries(ctx context.Context, since, until time.Time) ([]data.Entry, error)
	ListMedications(ctx context.Context) ([]data.Medication, error)
	DoseEvents(ctx context.Context, medicationID string, since, until time.Time) ([]data.DoseEvent, error)
	ListAppointments(ctx context.Context, since, until time.Time) ([]data.Appointment, error)
	ListMessages(ctx context.Context) ([]data.Message, error)
	ListVitals(ctx context.Context, vitalType string, since time.Time) ([]data.Vital, error)
	ListQuestions(ctx context.Context, appointmentID string) ([]data.Question, error)
}

var _ Source = (*data.Store)(nil)

// DefaultDays is the longest default period: since the last past appointment, but no more
// than this many days (today included).
const DefaultDays = 90

// Adherence windows: how the doses of each medicine went over the 30 and 90 days that end
// with the period.
const (
	ShortDays = 30
	LongDays  = 90
)

// MaxCharts is how many symptoms get a chart: the most frequent ones. Every symptom is
// listed in the summary table.
const MaxCharts = 4

// MaxNotes bounds the notes listed: the most recent ones of the period. A year of daily notes
// would fill dozens of pages nobody reads in a visit; the rest are counted, and `export csv`
// has them all.
const MaxNotes = 150

// Options chooses the report's period and what frames it.
type Options struct {
	// From and To are the period's first and last days, both included, in the store's zone.
	// A zero From is the default period's (DefaultPeriod); a zero To is today.
	From, To data.Date
	// Now is the time the report is made (required).
	Now time.Time
	// Clinic names the clinic on the first page; "" leaves it out.
	Clinic string
	// Units are the units readings are shown in, by reading type (data.VitalUnit); a type
	// not listed is shown in its canonical unit.
	Units map[string]string
}

// Report is everything the PDF shows, read from the store.
type Report struct {
	Person    string
	Clinic    string
	From, To  data.Date
	Generated time.Time
	Loc       *time.Location
	// AdherenceEnd is the instant the 30- and 90-day adherence windows end: the end of the
	// period, or now when that is earlier.
	AdherenceEnd time.Time

	Medicines []Medicine
	// Symptoms are every symptom logged in the period, most frequent first.
	Symptoms []Symptom
	Moods    []Mood
	// Notes are the period's journal notes and messages with the care team, newest first;
	// NotesLeftOut counts those past MaxNotes.
	Notes        []Note
	NotesLeftOut int
	// Readings are the period's readings by type, in data.VitalTypes order.
	Readings     []Reading
	Appointments []data.Appointment // in the period, soonest first
	Upcoming     []data.Appointment // after now, whatever the period
	// Questions are those written down for the next appointment (the first upcoming one
	// that has any), to ask during the visit; QuestionsFor is that appointment.
	Questions    []data.Question
	QuestionsFor data.Appointment
	// Damaged counts the records that could not be read; the report shows what could.
	Damaged int
}

// Medicine is one medicine and how its doses went.
type Medicine struct {
	Name, Strength, Dose, Schedule, Instructions string
	AsNeeded, Archived                           bool
	Short, Long                                  remind.Adherence
}

// Symptom is one symptom over the period.
type Symptom struct {
	Name    string
	Count   int
	Highest int
	Mean    float64 // of the entries with a severity
	Last    time.Time
	// Days holds the strongest severity per day of the period (-1: not logged), first day
	// first; Sums and Counts the sum and number of the day's severities, for averages.
	Days   []int
	Sums   []int
	Counts []int
}

// Reading is one type of reading over the period.
type Reading struct {
	Type string
	Unit string // shown in
	// Points are the period's readings of the type, oldest first; Lowest and Highest are
	// among them (by the value, the systolic for blood pressure).
	Points          []data.Vital
	Lowest, Highest data.Vital
}

// Mood is one mood word and how often it was logged.
type Mood struct {
	Name  string
	Count int
	Last  time.Time
}

// Note is a journal note or a message with the care team.
type Note struct {
	At   time.Time
	Who  string // "" for a journal note; "To the care team", or the sender
	Text string
}

// Days is the number of days in the period.
func (r *Report) Days() int { return daysBetween(r.From, r.To) + 1 }

// DefaultPeriod is the period a report covers unless told: from the day of the last
// appointment before now (not cancelled), at most DefaultDays back, to today.
func DefaultPeriod(ctx context.Context, src Source, now time.Time) (from, to data.Date, err error) {
	loc := src.Location()
	to = data.DateOf(now.In(loc))
	earliest := addDays(to, -(DefaultDays - 1))
	from = earliest
	appts, err := src.ListAppointments(ctx, dayStart(earliest, loc), now)
	var te *data.TamperedError
	if err != nil && !errors.As(err, &te) {
		return data.Date{}, data.Date{}, fmt.Errorf("read appointments: %w", err)
	}
	for _, a := range appts {
		if a.Takes() && a.Start.Before(now) {
			if d := data.DateOf(a.Start.In(loc)); from.Before(d) {
				from = d
			}
		}
	}
	return from, to, nil
}

// Collect reads the report's content from src. Records that fail their integrity check are
// left out and returned as a *data.TamperedError together with the report of everything
// else, which is complete otherwise.
func Collect(ctx context.Context, src Source, opt Options) (*Report, error) {
	if opt.Now.IsZero() {
		return nil, errors.New("report: Options.Now is not set")
	}
	loc := src.Location()
	from, to := opt.From, opt.To
	if to.IsZero() {
		to = data.DateOf(opt.Now.In(loc))
	}
	if from.IsZero() {
		var err error
		if from, _, err = DefaultPeriod(ctx, src, opt.Now); err != nil {
			return nil, err
		}
		if to.Before(from) {
			from = addDays(to, -(DefaultDays - 1))
		}
	}
	if to.Before(from) {
		return nil, fmt.Errorf("the period's first day %s is after its last %s: %w", from, to, data.ErrInvalid)
	}
	r := &Report{
		Person: src.Info().Name, Clinic: opt.Clinic, From: from, To: to,
		Generated: opt.Now.In(loc), Loc: loc,
	}
	start, end := dayStart(from, loc), dayStart(addDays(to, 1), loc)
	r.AdherenceEnd = end
	if opt.Now.Before(end) {
		r.AdherenceEnd = opt.Now
	}
	var damaged []data.RecordRef
	// keep absorbs damage (counted, the rest kept) and fails on any other error.
	keep := func(what string, err error) error {
		var te *data.TamperedError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &te):
			damaged = append(damaged, te.Records...)
			return nil
		}
		return fmt.Errorf("read %s: %w", what, err)
	}

	entries, err := src.ListEntries(ctx, start, end)
	if err := keep("the journal", err); err != nil {
		return nil, err
	}
	r.collectEntries(entries, start)

	meds, err := src.ListMedications(ctx)
	if err := keep("medicines", err); err != nil {
		return nil, err
	}
	// Events from the start of the longer window (less the longest dose window, whose doses
	// may be answered late) to a little after its end (a dose answered early).
	longest := data.DefaultDoseWindow
	for _, m := range meds {
		longest = max(longest, remind.Window(m))
	}
	evFrom := r.AdherenceEnd.AddDate(0, 0, -LongDays).Add(-longest)
	events, err := src.DoseEvents(ctx, "", evFrom, r.AdherenceEnd.Add(remind.AnswerEarly+time.Nanosecond))
	if err := keep("doses", err); err != nil {
		return nil, err
	}
	r.collectMedicines(meds, events, evFrom)

	appts, err := src.ListAppointments(ctx, start, time.Time{})
	if err := keep("appointments", err); err != nil {
		return nil, err
	}
	for _, a := range appts {
		switch {
		case a.Start.Before(end):
			r.Appointments = append(r.Appointments, a)
		case a.Start.After(opt.Now):
			r.Upcoming = append(r.Upcoming, a)
		}
	}
	if opt.Now.Before(start) {
		// A period in the future: what comes between now and it is upcoming too.
		up, err := src.ListAppointments(ctx, opt.Now, start)
		if err := keep("appointments", err); err != nil {
			return nil, err
		}
		r.Upcoming = append(up, r.Upcoming...)
	}

	qs, err := src.ListQuestions(ctx, "")
	if err := keep("questions", err); err != nil {
		return nil, err
	}
	for _, a := range r.Upcoming {
		for _, q := range qs {
			if q.AppointmentID == a.ID && a.Takes() {
				r.Questions = append(r.Questions, q)
			}
		}
		if len(r.Questions) > 0 {
			r.QuestionsFor = a
			break
		}
	}

	vitals, err := src.ListVitals(ctx, "", start)
	if err := keep("readings", err); err != nil {
		return nil, err
	}
	r.collectReadings(vitals, end, opt.Units)

	msgs, err := src.ListMessages(ctx)
	if err := keep("messages", err); err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if m.At.Before(start) || !m.At.Before(end) {
			continue
		}
		who := tr.T("report.to_care_team")
		if m.Direction == data.DirectionIn {
			who = tr.T("report.from_care_team")
			if m.Sender != "" {
				who = tr.T("report.from_sender", tr.Args{"Sender": m.Sender})
			}
		}
		r.Notes = append(r.Notes, Note{At: m.At.In(loc), Who: who, Text: m.Text})
	}
	slices.SortStableFunc(r.Notes, func(a, b Note) int { return b.At.Compare(a.At) })
	if len(r.Notes) > MaxNotes {
		r.NotesLeftOut = len(r.Notes) - MaxNotes
		r.Notes = r.Notes[:MaxNotes]
	}

	if len(damaged) == 0 {
		return r, nil
	}
	seen := map[data.RecordRef]bool{}
	uniq := damaged[:0]
	for _, d := range damaged {
		if !seen[d] {
			seen[d] = true
			uniq = append(uniq, d)
		}
	}
	r.Damaged = len(uniq)
	return r, &data.TamperedError{Records: uniq}
}

// collectReadings groups the period's readings (newest first, from start on) by type.
func (r *Report) collectReadings(vitals []data.Vital, end time.Time, units map[string]string) {
	byType := map[string]*Reading{}
	for i := len(vitals) - 1; i >= 0; i-- {
		v := vitals[i]
		if !v.At.Before(end) {
			continue
		}
		g := byType[v.Type]
		if g == nil {
			g = &Reading{Type: v.Type, Unit: data.CanonicalUnit(v.Type), Lowest: v, Highest: v}
			if u := units[v.Type]; u != "" {
				g.Unit = u
			}
			byType[v.Type] = g
		}
		g.Points = append(g.Points, v)
		if v.Value < g.Lowest.Value {
			g.Lowest = v
		}
		if v.Value > g.Highest.Value {
			g.Highest = v
		}
	}
	for _, t := range data.VitalTypes {
		if g := byType[t]; g != nil {
			r.Readings = append(r.Readings, *g)
		}
	}
}

// collectEntries sorts the period's journal into symptoms, moods and notes. Doses are not
// read from here: adherence comes from the dose model.
func (r *Report) collectEntries(entries []data.Entry, start time.Time) {
	days := r.Days()
	syms := map[string]*Symptom{}
	sums := map[string]int{}
	rated := map[string]int{}
	moods := map[string]*Mood{}
	for _, e := range entries {
		switch e.Kind {
		case data.KindSymptom:
			key := strings.ToLower(strings.TrimSpace(e.Name))
			s := syms[key]
			if s == nil {
				s = &Symptom{Name: strings.TrimSpace(e.Name), Days: make([]int, days),
					Sums: make([]int, days), Counts: make([]int, days)}
				for i := range s.Days {
					s.Days[i] = -1
				}
				syms[key] = s
			}
			s.Count++
			if e.At.After(s.Last) {
				s.Last = e.At
			}
			if e.Severity == nil {
				continue
			}
			v := *e.Severity
			s.Highest = max(s.Highest, v)
			sums[key] += v
			rated[key]++
			if i := daysBetween(r.From, data.DateOf(e.At.In(r.Loc))); i >= 0 && i < days {
				s.Days[i] = max(s.Days[i], v)
				s.Sums[i] += v
				s.Counts[i]++
			}
		case data.KindMood:
			key := strings.ToLower(strings.TrimSpace(e.Name))
			m := moods[key]
			if m == nil {
				m = &Mood{Name: strings.TrimSpace(e.Name)}
				moods[key] = m
			}
			m.Count++
			if e.At.After(m.Last) {
				m.Last = e.At
			}
		case data.KindNote:
			text := strings.TrimSpace(e.Note)
			if text == "" {
				text = strings.TrimSpace(e.Name)
			}
			r.Notes = append(r.Notes, Note{At: e.At.In(r.Loc), Text: text})
		}
	}
	for key, s := range syms {
		if rated[key] > 0 {
			s.Mean = float64(sums[key]) / float64(rated[key])
		}
		r.Symptoms = append(r.Symptoms, *s)
	}
	slices.SortFunc(r.Symptoms, func(a, b Symptom) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)))
	})
	for _, m := range moods {
		r.Moods = append(r.Moods, *m)
	}
	slices.SortFunc(r.Moods, func(a, b Mood) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)))
	})
}

// collectMedicines lists the medicines taken in the period's adherence windows: every current
// one, and an archived one that had doses in them or was stopped after they began.
func (r *Report) collectMedicines(meds []data.Medication, events []data.DoseEvent, evFrom time.Time) {
	byMed := map[string][]data.DoseEvent{}
	for _, ev := range events {
		byMed[ev.MedicationID] = append(byMed[ev.MedicationID], ev)
	}
	for _, m := range meds {
		evs := byMed[m.ID]
		if m.Archived && len(evs) == 0 && !m.ArchivedAt.After(evFrom) {
			continue
		}
		if m.CreatedAt.After(r.AdherenceEnd) {
			continue // added after the period
		}
		r.Medicines = append(r.Medicines, Medicine{
			Name: m.Name, Strength: m.Strength, Dose: m.Dose, Schedule: words.Schedule(m),
			Instructions: m.Instructions, AsNeeded: m.AsNeeded, Archived: m.Archived,
			Short: remind.MedAdherenceDays(m, evs, r.Loc, r.AdherenceEnd, ShortDays),
			Long:  remind.MedAdherenceDays(m, evs, r.Loc, r.AdherenceEnd, LongDays),
		})
	}
	slices.SortStableFunc(r.Medicines, func(a, b Medicine) int {
		if a.Archived != b.Archived {
			if a.Archived {
				return 1
			}
			return -1
		}
		return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
}

// dayStart is where date d begins in loc (the dose model's day, which knows zones whose
// midnight does not exist).
func dayStart(d data.Date, loc *time.Location) time.Time {
	start, _ := remind.Day(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, loc), loc)
	return start
}

func addDays(d data.Date, n int) data.Date {
	return data.DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// daysBetween counts calendar days from a to b (negative when b is earlier).
func daysBetween(a, b data.Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Round(24*time.Hour) / (24 * time.Hour))
}
