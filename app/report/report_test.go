package report_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/report"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

const person = "Ana Núñez-Øberg"

// fixture is a profile with known data around the period 1–30 March 2026 (Europe/Paris),
// made at 12:00 on 31 March.
type fixture struct {
	p     *data.Profiles
	s     *data.Store
	loc   *time.Location
	now   time.Time
	clock *time.Time
	from  data.Date
	to    data.Date
	// Symptoms inside the period, and what must not show (records outside it).
	inside, outside []string
	notesInside     int
	entryID         string // one symptom inside the period, to damage
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{loc: loc, clock: new(time.Time),
		from: data.Date{Year: 2026, Month: time.March, Day: 1}, to: data.Date{Year: 2026, Month: time.March, Day: 30}}
	f.now = time.Date(2026, 3, 31, 12, 0, 0, 0, loc)
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, loc) }
	*f.clock = time.Date(2025, 12, 1, 9, 0, 0, 0, loc)
	f.p = datatest.NewProfiles(t, nil)
	f.p.Location = loc
	f.p.Now = func() time.Time { return *f.clock }
	f.s, _ = datatest.CreatePassphrase(t, f.p, person, "pass-for-tests")
	s := f.s

	jan1 := data.Date{Year: 2026, Month: time.January, Day: 1}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	met, err := s.AddMedication(ctx, data.Medication{Name: "Metformin", Strength: "500 mg", Dose: "1 tablet",
		Steps: []data.Step{{Times: []data.TimeOfDay{8 * 60}, Start: jan1}}})
	must(met, err)
	must(s.AddMedication(ctx, data.Medication{Name: "Lisinopril", Strength: "10 mg",
		Steps: []data.Step{{Times: []data.TimeOfDay{21 * 60}, Start: jan1}}}))
	ibu, err := s.AddMedication(ctx, data.Medication{Name: "Ibuprofène", AsNeeded: true})
	must(ibu, err)

	// Metformin: every dose taken on time from 1 January to 31 March, but 10 March skipped,
	// 11 March taken late, 12 and 13 March not answered (missed).
	for d := time.Date(2026, 1, 1, 8, 0, 0, 0, loc); d.Before(f.now); d = d.AddDate(0, 0, 1) {
		*f.clock = d.Add(3 * time.Hour)
		ev := data.DoseEvent{MedicationID: met.ID, ScheduledAt: d, State: data.DoseTaken, At: d.Add(5 * time.Minute)}
		if d.Month() == time.March {
			switch d.Day() {
			case 10:
				ev.State, ev.At = data.DoseSkipped, d
			case 11:
				ev.At = d.Add(90 * time.Minute)
			case 12, 13:
				continue
			}
		}
		must(s.RecordDose(ctx, ev))
	}
	*f.clock = at(time.March, 14, 18, 0)
	must(s.RecordDose(ctx, data.DoseEvent{MedicationID: ibu.ID, State: data.DoseTaken, At: at(time.March, 14, 17, 0)}))

	symptom := func(name string, sev int, when time.Time) data.Entry {
		t.Helper()
		*f.clock = when.Add(time.Minute)
		e, err := s.AddSymptom(ctx, data.Symptom{Name: name, Severity: sev, At: when})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	f.entryID = symptom("Headache", 4, at(time.March, 3, 9, 0)).ID
	symptom("Headache", 7, at(time.March, 3, 20, 0))
	symptom("Headache", 2, at(time.March, 10, 9, 0))
	symptom("Nausea", 5, at(time.March, 15, 9, 0))
	symptom("Vertige — ça tourne", 6, at(time.March, 20, 9, 0))
	symptom("Дрожь", 3, at(time.March, 21, 9, 0))
	symptom("Headache", 1, at(time.March, 30, 23, 59))
	f.inside = []string{"Headache", "Nausea", "Vertige — ça tourne", "Дрожь"}
	// Just outside, on both sides: the last minute of February and the first of 31 March.
	symptom("Toothache", 8, at(time.February, 28, 23, 59))
	symptom("Earache", 8, at(time.March, 31, 0, 0))
	f.outside = []string{"Toothache", "Earache", "OUTSIDEMOOD", "OUTSIDENOTE", "OUTSIDEMESSAGE", "OUTSIDEAPPT", "190/120"}

	mood := func(word string, when time.Time) {
		*f.clock = when
		must(s.AddMood(ctx, data.Mood{Word: word, At: when}))
	}
	mood("calm", at(time.March, 5, 9, 0))
	mood("anxious", at(time.March, 6, 9, 0))
	mood("calm", at(time.March, 7, 9, 0))
	mood("OUTSIDEMOOD", at(time.February, 27, 9, 0))

	note := func(text string, when time.Time) {
		*f.clock = when
		must(s.AddJournalNote(ctx, data.JournalNote{Text: text, At: when}))
	}
	note("OUTSIDENOTE early", at(time.February, 20, 9, 0))
	// Enough notes for several pages.
	for i := range 40 {
		note(fmt.Sprintf("Day note %d: slept badly after the evening dose", i+1), at(time.March, 1+i%29, 19, i))
		f.notesInside++
	}
	*f.clock = at(time.February, 10, 9, 0)
	must(s.AddNote(ctx, "OUTSIDEMESSAGE to the nurse"))
	*f.clock = at(time.March, 12, 9, 0)
	must(s.AddNote(ctx, "Is it fine to take ibuprofen with my tablets?"))
	f.notesInside++

	reading := func(typ, value, unit string, when time.Time) {
		t.Helper()
		*f.clock = when.Add(time.Minute)
		v, err := data.ParseVital(typ, value, unit)
		if err != nil {
			t.Fatal(err)
		}
		v.At = when
		must(s.AddVital(ctx, v, false))
	}
	reading(data.VitalBloodPressure, "150/95", "", at(time.March, 2, 8, 0))
	reading(data.VitalBloodPressure, "128/82", "", at(time.March, 20, 8, 0))
	reading(data.VitalBloodPressure, "139/88", "", at(time.March, 29, 8, 0))
	reading(data.VitalBloodPressure, "190/120", "", at(time.February, 28, 8, 0)) // outside
	reading(data.VitalWeight, "72.5", "kg", at(time.March, 4, 7, 0))
	reading(data.VitalWeight, "71.4", "kg", at(time.March, 25, 7, 0))

	*f.clock = at(time.January, 5, 9, 0)
	must(s.AddAppointment(ctx, data.Appointment{Title: "Cardiology OUTSIDEAPPT", Start: at(time.February, 26, 10, 0)}))
	must(s.AddAppointment(ctx, data.Appointment{Title: "GP review", Location: "Rue de la Paix 3", Start: at(time.March, 16, 10, 0)}))
	diabetes, err := s.AddAppointment(ctx, data.Appointment{Title: "Diabetes clinic", Start: at(time.April, 20, 14, 30)})
	must(diabetes, err)
	*f.clock = f.now
	must(s.AddQuestion(ctx, diabetes.ID, "Can I stop the water tablets before the holiday?"))
	return f
}

func (f *fixture) options() report.Options {
	return report.Options{From: f.from, To: f.to, Now: f.now, Clinic: "Clinique du Parc",
		Units: map[string]string{data.VitalWeight: "lb"}}
}

func TestCollect(t *testing.T) {
	f := newFixture(t)
	r, err := report.Collect(context.Background(), f.s, f.options())
	if err != nil {
		t.Fatal(err)
	}
	if r.Person != person || r.Days() != 30 {
		t.Errorf("person %q, %d days", r.Person, r.Days())
	}
	var names []string
	for _, s := range r.Symptoms {
		names = append(names, s.Name)
	}
	if got, want := strings.Join(names, ","), "Headache,Nausea,Vertige — ça tourne,Дрожь"; got != want {
		t.Errorf("symptoms %s, want %s", got, want)
	}
	h := r.Symptoms[0]
	if h.Count != 4 || h.Highest != 7 || h.Days[2] != 7 || h.Days[9] != 2 || h.Days[29] != 1 || h.Days[0] != -1 {
		t.Errorf("headache: count %d highest %d days %v", h.Count, h.Highest, h.Days)
	}
	if len(r.Moods) != 2 || r.Moods[0].Name != "calm" || r.Moods[0].Count != 2 {
		t.Errorf("moods %+v", r.Moods)
	}
	if len(r.Notes) != f.notesInside {
		t.Errorf("%d notes, want %d", len(r.Notes), f.notesInside)
	}
	if len(r.Appointments) != 1 || r.Appointments[0].Title != "GP review" ||
		len(r.Upcoming) != 1 || r.Upcoming[0].Title != "Diabetes clinic" {
		t.Errorf("appointments %+v, upcoming %+v", r.Appointments, r.Upcoming)
	}
	if len(r.Readings) != 2 || r.Readings[0].Type != data.VitalBloodPressure || len(r.Readings[0].Points) != 3 ||
		r.Readings[0].Highest.Text("") != "150/95" || r.Readings[0].Lowest.Text("") != "128/82" ||
		r.Readings[1].Unit != "lb" || r.Readings[1].Points[1].Text("lb") != "157.4" {
		t.Errorf("readings %+v", r.Readings)
	}
	meds := map[string]report.Medicine{}
	for _, m := range r.Medicines {
		meds[m.Name] = m
	}
	// The windows end with the period (31 March 00:00): 1–30 March, 31 Dec – 30 March.
	met := meds["Metformin"]
	if want := (remind.Adherence{Taken: 26, Late: 1, Skipped: 1, Missed: 2}); met.Short != want {
		t.Errorf("Metformin over 30 days %+v, want %+v", met.Short, want)
	}
	if want := (remind.Adherence{Taken: 85, Late: 1, Skipped: 1, Missed: 2}); met.Long != want {
		t.Errorf("Metformin over 90 days %+v, want %+v", met.Long, want)
	}
	if l := meds["Lisinopril"]; l.Short.Missed != 30 || l.Short.Total() != 30 {
		t.Errorf("Lisinopril over 30 days %+v, want 30 missed", l.Short)
	}
	if i := meds["Ibuprofène"]; !i.AsNeeded || i.Short.AsNeeded != 1 {
		t.Errorf("Ibuprofène %+v", i)
	}
}

func TestDefaultPeriod(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	from, to, err := report.DefaultPeriod(ctx, f.s, f.now)
	if err != nil {
		t.Fatal(err)
	}
	// The last past appointment is GP review on 16 March.
	if from.String() != "2026-03-16" || to.String() != "2026-03-31" {
		t.Errorf("default period %s – %s, want 2026-03-16 – 2026-03-31", from, to)
	}
	// Long after it: at most 90 days, today included.
	later := time.Date(2026, 9, 1, 12, 0, 0, 0, f.loc)
	from, to, err = report.DefaultPeriod(ctx, f.s, later)
	if err != nil {
		t.Fatal(err)
	}
	if from.String() != "2026-06-04" || to.String() != "2026-09-01" {
		t.Errorf("default period %s – %s, want 2026-06-04 – 2026-09-01", from, to)
	}
}

func TestPaperFor(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want report.Paper
	}{
		{map[string]string{"LANG": "en_US.UTF-8"}, report.Letter},
		{map[string]string{"LANG": "en_CA.UTF-8"}, report.Letter},
		{map[string]string{"LANG": "en_GB.UTF-8"}, report.A4},
		{map[string]string{"LANG": "fr_CA.UTF-8"}, report.A4},
		{map[string]string{"LANG": "en_US.UTF-8", "LC_PAPER": "de_DE.UTF-8"}, report.A4},
		{map[string]string{"LANG": "de_DE.UTF-8", "LC_PAPER": "en_US.UTF-8"}, report.Letter},
		{map[string]string{"LC_ALL": "C", "LC_PAPER": "en_US.UTF-8"}, report.A4},
		{map[string]string{}, report.A4},
	} {
		if got := report.PaperFor(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%v: %s, want %s", c.env, got, c.want)
		}
	}
}

// needPoppler skips without poppler-utils, unless the run requires it (make test does).
func needPoppler(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"pdftotext", "pdfinfo", "pdfimages"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("COMPANION_REQUIRE_POPPLER") != "" {
				t.Fatalf("%s is missing (install poppler-utils: scripts/install-deps.sh)", tool)
			}
			t.Skipf("%s is missing (poppler-utils); COMPANION_REQUIRE_POPPLER makes this a failure", tool)
		}
	}
}

func poppler(t testing.TB, tool string, args ...string) string {
	t.Helper()
	out, err := exec.Command(tool, args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", tool, args, err)
	}
	return string(out)
}

func writePDF(t *testing.T, r *report.Report, paper report.Paper) (string, int) {
	t.Helper()
	var buf bytes.Buffer
	pages, err := report.Write(&buf, r, paper)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := report.SaveFile(path, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	return path, pages
}

func TestPDF(t *testing.T) {
	needPoppler(t)
	f := newFixture(t)
	r, err := report.Collect(context.Background(), f.s, f.options())
	if err != nil {
		t.Fatal(err)
	}
	for _, paper := range []report.Paper{report.A4, report.Letter} {
		t.Run(string(paper), func(t *testing.T) {
			path, pages := writePDF(t, r, paper)
			info := poppler(t, "pdfinfo", path)
			if !regexp.MustCompile(fmt.Sprintf(`(?m)^Pages:\s+%d$`, pages)).MatchString(info) || pages < 2 {
				t.Errorf("pdfinfo pages, want %d (at least 2):\n%s", pages, info)
			}
			if !strings.Contains(info, "("+map[report.Paper]string{report.A4: "A4", report.Letter: "letter"}[paper]+")") {
				t.Errorf("page size is not %s:\n%s", paper, info)
			}
			text := poppler(t, "pdftotext", "-enc", "UTF-8", path, "-")
			// pdftotext ends each page with a form feed.
			pageTexts := strings.Split(strings.TrimSuffix(text, "\f"), "\f")
			if len(pageTexts) != pages {
				t.Fatalf("pdftotext found %d pages, want %d", len(pageTexts), pages)
			}
			for i, pt := range pageTexts {
				if !strings.Contains(pt, person) {
					t.Errorf("page %d does not name %s", i+1, person)
				}
				if !strings.Contains(pt, fmt.Sprintf("Page %d of %d", i+1, pages)) {
					t.Errorf("page %d has no page number", i+1)
				}
			}
			for _, want := range append([]string{"Metformin", "Lisinopril", "Ibuprofène", "Clinique du Parc",
				"1 Mar 2026 – 30 Mar 2026", "GP review", "Diabetes clinic", "Questions for the doctor",
				"27 of 30 taken", "Is it fine to take ibuprofen", "Readings taken at home", "Blood pressure",
				"139/88 mmHg", "150/95 mmHg", "157.4 lb", "Can I stop the water tablets before the holiday?"}, f.inside...) {
				if !strings.Contains(text, want) {
					t.Errorf("the report does not show %q", want)
				}
			}
			for _, not := range f.outside {
				if strings.Contains(text, not) {
					t.Errorf("the report shows %q, from outside the period", not)
				}
			}
			// Charts are drawn, never pictures: no image at all in the file.
			list := strings.Split(strings.TrimSpace(poppler(t, "pdfimages", "-list", path)), "\n")
			if len(list) != 2 {
				t.Errorf("pdfimages found images:\n%s", strings.Join(list, "\n"))
			}
		})
	}
}

func TestDamagedRecordLeftOutAndNamed(t *testing.T) {
	f := newFixture(t)
	path := f.s.Path()
	f.s.Close()
	j := datatest.OpenJournal(t, path)
	j.FlipSealed("entries", f.entryID)
	j.Close()
	s := datatest.Open(t, f.p, person, "pass-for-tests")
	r, err := report.Collect(context.Background(), s, f.options())
	var te *data.TamperedError
	if !errors.As(err, &te) || len(te.Records) != 1 || te.Records[0].ID != f.entryID {
		t.Fatalf("Collect: %v, want the damaged entry %s named", err, f.entryID)
	}
	if r == nil || r.Damaged != 1 || len(r.Symptoms) != 4 || r.Symptoms[0].Count != 3 {
		t.Fatalf("report of what could be read: %+v", r)
	}
	if _, err := report.Write(&bytes.Buffer{}, r, report.A4); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkReport is the report for a year of a 100,000-entry profile (DESIGN §9 style
// target: under 2 s), from the open store to the PDF's bytes.
func BenchmarkReport(b *testing.B) {
	ctx := context.Background()
	p := datatest.NewProfiles(b, nil)
	s, _ := datatest.CreatePassphrase(b, p, person, "pass-for-tests")
	if err := s.AddDemoProfile(ctx); err != nil {
		b.Fatal(err)
	}
	if err := s.AddDemoEntries(ctx, 100_000, nil); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	to := data.DateOf(now.In(s.Location()))
	from := data.DateOf(now.In(s.Location()).AddDate(-1, 0, 1))
	b.ResetTimer()
	for b.Loop() {
		r, err := report.Collect(ctx, s, report.Options{From: from, To: to, Now: now})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := report.Write(&bytes.Buffer{}, r, report.A4); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLongPeriods: over a long period a chart's bar is a week, then four weeks, with the
// average drawn; the report still names only the period's records.
func TestLongPeriods(t *testing.T) {
	needPoppler(t)
	f := newFixture(t)
	for _, c := range []struct {
		from string
		unit string
	}{
		{"2026-01-01", "per day"},
		{"2025-06-01", "per week"},
		{"2020-01-01", "per 4 weeks"},
	} {
		opt := f.options()
		var err error
		if opt.From, err = data.ParseDate(c.from); err != nil {
			t.Fatal(err)
		}
		r, err := report.Collect(context.Background(), f.s, opt)
		if err != nil {
			t.Fatal(err)
		}
		path, _ := writePDF(t, r, report.A4)
		text := poppler(t, "pdftotext", "-enc", "UTF-8", path, "-")
		if !strings.Contains(text, "strongest severity "+c.unit) {
			t.Errorf("from %s: no chart %s", c.from, c.unit)
		}
		if strings.Contains(text, "Earache") || !strings.Contains(text, "Toothache") {
			t.Errorf("from %s: the period's records are not the ones shown", c.from)
		}
	}
}

// TestLongNames: a name as long as the app allows stays on the page (cut in the running
// header, wrapped on the first page).
func TestLongNames(t *testing.T) {
	needPoppler(t)
	ctx := context.Background()
	p := datatest.NewProfiles(t, nil)
	long := strings.Repeat("Maximilianus ", 3) + "Wolfgang W Ende" // 54 of the 60 allowed
	s, _ := datatest.CreatePassphrase(t, p, long, "pass-for-tests")
	if _, err := s.AddSymptom(ctx, data.Symptom{Name: strings.Repeat("Kopfschmerzen ", 7) + "Ende", Severity: 3}); err != nil {
		t.Fatal(err)
	}
	r, err := report.Collect(ctx, s, report.Options{Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	path, _ := writePDF(t, r, report.A4)
	// -layout keeps lines as drawn: each page's first line is the running header, the
	// name cut to its half, the period beside it.
	text := poppler(t, "pdftotext", "-enc", "UTF-8", "-layout", path, "-")
	if !strings.Contains(text, long) {
		t.Error("the first page does not give the whole name")
	}
	for i, page := range strings.Split(strings.TrimSuffix(text, "\f"), "\f") {
		head, _, _ := strings.Cut(strings.TrimLeft(page, "\n "), "\n")
		if !strings.HasPrefix(head, "Maximilianus") || !strings.Contains(head, "… ") || !strings.Contains(head, "Health report ·") {
			t.Errorf("page %d's header: %q", i+1, head)
		}
	}
}
