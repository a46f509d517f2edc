package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// openMeds opens a profile (setup adds to it) and goes to the Medicines screen.
func openMeds(t *testing.T, clk *testClock, setup func(ctx context.Context, st *data.Store)) *UI {
	t.Helper()
	u := openToday(t, clk, setup)
	test.Tap(u.today.nav.medications)
	if u.medications == nil {
		t.Fatal("the Medicines screen did not open")
	}
	return u
}

// storedMeds reads the medicines from the open store, as a later run would find them.
func storedMeds(t *testing.T, u *UI) []data.Medication {
	t.Helper()
	ms, err := u.curStore().ListMedications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// medHistory makes a medicine added on 20 Nov at 08:00 daily, with one of each answer
// since: taken, late, skipped, nothing (missed), recorded missed; today's 08:00 unanswered.
func medHistory(t *testing.T, clk *testClock, st *data.Store) data.Medication {
	t.Helper()
	ctx := context.Background()
	clk.Set(time.Date(2025, 11, 20, 7, 0, 0, 0, time.UTC))
	m, err := st.AddMedication(ctx, data.Medication{Name: "Metformin", Strength: "500 mg", Form: "tablet", Dose: "1 tablet",
		Instructions: "with food", Steps: []data.Step{{Times: []data.TimeOfDay{hm(8, 0)}}}})
	if err != nil {
		t.Fatal(err)
	}
	day := func(d, h, min int) time.Time { return time.Date(2025, 11, d, h, min, 0, 0, time.UTC) }
	for _, ev := range []data.DoseEvent{
		{MedicationID: m.ID, ScheduledAt: day(20, 8, 0), State: data.DoseTaken, At: day(20, 8, 5)},
		{MedicationID: m.ID, ScheduledAt: day(21, 8, 0), State: data.DoseTaken, At: day(21, 9, 30)},
		{MedicationID: m.ID, ScheduledAt: day(22, 8, 0), State: data.DoseSkipped, At: day(22, 8, 1)},
		{MedicationID: m.ID, ScheduledAt: day(24, 8, 0), State: data.DoseMissed, At: day(24, 8, 0)},
	} {
		if _, err := st.RecordDose(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(fixedNow)
	return m
}

func TestMedicationsEmpty(t *testing.T) {
	u := openMeds(t, &testClock{t: fixedNow}, nil)
	s := u.medications
	assertShows(t, s.status, msgMedsEmpty())
	if len(s.rows) != 0 || len(s.archived) != 0 || s.retryBox.Visible() {
		t.Fatalf("rows %d archived %d retry %v", len(s.rows), len(s.archived), s.retryBox.Visible())
	}
	assertMarkup(t, u, "medications_empty.xml")
}

func TestAddMedicationWithPreview(t *testing.T) {
	u := openMeds(t, &testClock{t: fixedNow}, nil)
	s := u.medications
	test.Tap(s.add)
	f := s.form
	if f == nil {
		t.Fatal("Add a medicine did not open the form")
	}
	assertFocused(t, u, f.name, "name field")
	if f.selectedKind() != kindDaily || len(f.steps) != 1 || f.steps[0].times[0].entry.Text != "08:00" || f.steps[0].start.Text != "2025-11-25" {
		t.Fatalf("a new form should offer every day at 08:00 from today: kind %q", f.kind.Selected)
	}
	test.Type(f.name, "Metformin")
	test.Type(f.strength, "500 mg")
	test.Type(f.dose, "1 tablet")
	se := f.steps[0]
	test.Tap(se.addTime)
	test.Type(se.times[1].entry, "20:00")
	want := "Tue 25 Nov at 20:00 — 1 tablet\nWed 26 Nov at 08:00 — 1 tablet\nWed 26 Nov at 20:00 — 1 tablet\n" +
		"Thu 27 Nov at 08:00 — 1 tablet\nThu 27 Nov at 20:00 — 1 tablet"
	if f.preview.Text != want || f.previewMsg.Visible() {
		t.Fatalf("preview = %q (message %q), want %q", f.preview.Text, f.previewMsg.Text, want)
	}

	// A time that is not one: the preview says what to fix, and comes back when fixed.
	test.Type(se.times[1].entry, "9")
	if f.preview.Text != "" || !f.previewMsg.Visible() || !strings.Contains(f.previewMsg.Text, "HH:MM") {
		t.Fatalf("bad time: preview %q, message %q", f.preview.Text, f.previewMsg.Text)
	}
	se.times[1].entry.SetText("20:00")
	if f.preview.Text != want {
		t.Fatalf("preview after fixing = %q", f.preview.Text)
	}

	test.Tap(f.save)
	if s.form != nil {
		t.Fatalf("the form should close after saving; it says %q", f.state.Text)
	}
	assertShows(t, s.notice, "Saved: Metformin.")
	if len(s.rows) != 1 {
		t.Fatalf("rows = %d", len(s.rows))
	}
	r := s.rows[0]
	if r.name.Text != "Metformin 500 mg" || r.schedule.Text != "1 tablet · 08:00, 20:00 every day from 25 Nov 2025" ||
		r.today.Text != "Next today at 20:00" || r.adherence.Text != "Last 30 days: nothing to count yet" {
		t.Errorf("row: %q | %q | %q | %q", r.name.Text, r.schedule.Text, r.today.Text, r.adherence.Text)
	}
	ms := storedMeds(t, u)
	if len(ms) != 1 || ms[0].Name != "Metformin" || ms[0].Strength != "500 mg" || len(ms[0].Steps) != 1 || len(ms[0].Steps[0].Times) != 2 {
		t.Fatalf("stored %+v", ms)
	}
}

func TestEditMedicationKeepsHistory(t *testing.T) {
	clk := &testClock{t: fixedNow}
	var med data.Medication
	u := openMeds(t, clk, func(ctx context.Context, st *data.Store) { med = medHistory(t, clk, st) })
	s := u.medications
	if len(s.rows) != 1 {
		t.Fatalf("rows = %d", len(s.rows))
	}
	test.Tap(s.rows[0].edit)
	f := s.form
	if f == nil || f.name.Text != "Metformin" || f.strength.Text != "500 mg" || f.form.Text != "tablet" ||
		f.instructions.Text != "with food" || f.selectedKind() != kindDaily || f.steps[0].times[0].entry.Text != "08:00" {
		t.Fatalf("the form should hold the medicine as stored")
	}
	if f.heading.Text != "Change Metformin" {
		t.Errorf("heading %q", f.heading.Text)
	}
	f.setKind(kindWeekdays)
	if !f.steps[0].weekdaysRow.Visible() || f.steps[0].everyRow.Visible() {
		t.Fatal("weekdays should show for that kind, every-N should not")
	}
	if !strings.Contains(f.previewMsg.Text, msgMedNoWeekdays()) {
		t.Errorf("no day ticked: message %q", f.previewMsg.Text)
	}
	test.Tap(f.steps[0].weekdays[0]) // Monday
	test.Tap(f.steps[0].weekdays[2]) // Wednesday
	if !strings.HasPrefix(f.preview.Text, "Wed 26 Nov at 08:00 — 1 tablet\nMon 1 Dec at 08:00") {
		t.Errorf("preview %q", f.preview.Text)
	}
	test.Tap(f.save)
	if s.form != nil {
		t.Fatalf("not saved: %q", f.state.Text)
	}
	ms := storedMeds(t, u)
	if len(ms) != 1 || ms[0].ID != med.ID || len(ms[0].Steps[0].Weekdays) != 2 {
		t.Fatalf("stored %+v", ms)
	}
	if evs, _ := u.curStore().DoseEvents(context.Background(), med.ID, time.Time{}, time.Time{}); len(evs) != 4 {
		t.Fatalf("dose history after edit: %d events", len(evs))
	}
	if !strings.Contains(s.rows[0].schedule.Text, "08:00 on Mon, Wed") {
		t.Errorf("schedule %q", s.rows[0].schedule.Text)
	}
}

func TestAddTaper(t *testing.T) {
	u := openMeds(t, &testClock{t: fixedNow}, nil)
	s := u.medications
	test.Tap(s.add)
	f := s.form
	test.Type(f.name, "Prednisolone")
	f.setKind(kindTaper)
	if !f.addStepRow.Visible() || !f.steps[0].doseRow.Visible() {
		t.Fatal("a taper shows each step's dose and Add a step")
	}
	first := f.steps[0]
	test.Type(first.dose, "4 tablets")
	test.Type(first.end, "2025-11-26")
	test.Tap(f.addStep)
	if len(f.steps) != 2 {
		t.Fatal("Add a step did nothing")
	}
	second := f.steps[1]
	if second.start.Text != "2025-11-27" || second.times[0].entry.Text != "08:00" {
		t.Errorf("the next step should start the day after: %q at %q", second.start.Text, second.times[0].entry.Text)
	}
	assertFocused(t, u, second.dose, "the new step's dose")
	test.Type(second.dose, "2 tablets")
	test.Type(second.end, "2025-11-28")
	// Steps that overlap would both be reminded: refused, with what to change.
	second.start.SetText("2025-11-26")
	if !strings.Contains(f.previewMsg.Text, "Step 1 lasts until 2025-11-26, so both steps would be reminded.") || f.preview.Visible() {
		t.Errorf("overlap: %q", f.previewMsg.Text)
	}
	test.Tap(f.save)
	if s.form != f || !second.datesErr.Visible() {
		t.Fatal("overlapping steps must not be saved")
	}
	assertFocused(t, u, second.start, "the start of the overlapping step")
	second.start.SetText("2025-11-27")
	if second.datesErr.Visible() {
		t.Errorf("fixed, the message should go: %q", second.datesErr.Text)
	}
	want := "Wed 26 Nov at 08:00 — 4 tablets\nThu 27 Nov at 08:00 — 2 tablets\nFri 28 Nov at 08:00 — 2 tablets"
	if f.preview.Text != want {
		t.Fatalf("preview %q, want %q", f.preview.Text, want)
	}
	test.Tap(f.save)
	if s.form != nil {
		t.Fatalf("not saved: %q", f.state.Text)
	}
	ms := storedMeds(t, u)
	if len(ms) != 1 || len(ms[0].Steps) != 2 || ms[0].Steps[1].Dose != "2 tablets" || ms[0].Steps[1].Start != (data.Date{Year: 2025, Month: 11, Day: 27}) {
		t.Fatalf("stored %+v", ms)
	}
	// Opened again, it is a taper with both steps.
	test.Tap(s.rows[0].edit)
	if f := s.form; f.selectedKind() != kindTaper || len(f.steps) != 2 || f.steps[1].dose.Text != "2 tablets" {
		t.Fatalf("edit of a taper: kind %q steps %d", f.kind.Selected, len(f.steps))
	}
}

func TestMedicationValidation(t *testing.T) {
	u := openMeds(t, &testClock{t: fixedNow}, nil)
	s := u.medications
	test.Tap(s.add)
	f := s.form
	test.Type(f.strength, "5 mg")
	se := f.steps[0]
	se.times[0].entry.SetText("8")
	test.Type(se.end, "2025-11-01")
	test.Tap(f.save)
	if s.form != f {
		t.Fatal("a refused save must keep the form open")
	}
	assertShows(t, f.nameErr, msgMedNoName())
	assertShows(t, se.timesErr, `"8" is not a time of day: use HH:MM on a 24-hour clock, like 08:00 or 20:30.`)
	assertShows(t, f.state, msgMedCheckFields())
	assertFocused(t, u, f.name, "name field, the first to fix")
	if f.strength.Text != "5 mg" || se.times[0].entry.Text != "8" || se.end.Text != "2025-11-01" {
		t.Fatal("nothing typed may be lost")
	}
	if len(storedMeds(t, u)) != 0 {
		t.Fatal("nothing should be stored")
	}
	assertMarkup(t, u, "medications_error.xml")

	// Fixing the time shows the next problem of that step, the dates.
	se.times[0].entry.SetText("08:00")
	assertShows(t, se.datesErr, "The end date 1 Nov 2025 is before the start date 25 Nov 2025.")
	if se.timesErr.Visible() {
		t.Error("the time message should go once the time is right")
	}
	se.end.SetText("")
	test.Type(f.name, "Ramipril")
	if f.nameErr.Visible() || f.state.Visible() {
		t.Error("messages should go once everything is right")
	}
	test.Tap(f.save)
	if s.form != nil || len(storedMeds(t, u)) != 1 {
		t.Fatalf("not saved: %q", f.state.Text)
	}
}

func TestCronAndEveryNDays(t *testing.T) {
	u := openMeds(t, &testClock{t: fixedNow}, nil)
	s := u.medications
	test.Tap(s.add)
	f := s.form
	test.Type(f.name, "Vitamin D")
	f.setKind(kindEveryN)
	se := f.steps[0]
	if !strings.Contains(f.previewMsg.Text, msgMedBadEvery()) {
		t.Errorf("no N: %q", f.previewMsg.Text)
	}
	test.Type(se.every, "3")
	if !strings.HasPrefix(f.preview.Text, "Fri 28 Nov at 08:00\nMon 1 Dec at 08:00") {
		t.Errorf("every 3 days from today: %q", f.preview.Text)
	}
	f.setKind(kindCron)
	if se.timesRow.Visible() || !se.cronRow.Visible() {
		t.Fatal("cron replaces the times")
	}
	test.Type(se.cron, "not cron")
	if !strings.Contains(f.previewMsg.Text, "cannot be used") {
		t.Errorf("bad cron: %q", f.previewMsg.Text)
	}
	se.cron.SetText("30 9 * * 1-5")
	if !strings.HasPrefix(f.preview.Text, "Wed 26 Nov at 09:30\nThu 27 Nov at 09:30\nFri 28 Nov at 09:30\nMon 1 Dec at 09:30") {
		t.Errorf("cron preview %q", f.preview.Text)
	}
	// Trying other kinds lost nothing typed.
	if se.every.Text != "3" || se.times[0].entry.Text != "08:00" {
		t.Error("typed input lost when changing kind")
	}
	test.Tap(f.save)
	ms := storedMeds(t, u)
	if len(ms) != 1 || ms[0].Steps[0].Cron != "30 9 * * 1-5" || ms[0].Steps[0].EveryDays != 0 {
		t.Fatalf("stored %+v", ms)
	}
}

func TestArchiveAndRestore(t *testing.T) {
	clk := &testClock{t: fixedNow}
	var med data.Medication
	u := openMeds(t, clk, func(ctx context.Context, st *data.Store) {
		med = addMed(t, st, "Ramipril", "5 mg", hm(20, 0))
	})
	s := u.medications
	test.Tap(s.rows[0].archive)
	if s.confirm == nil {
		t.Fatal("Archive should ask first")
	}
	test.Tap(s.confirmCancel)
	if len(storedMeds(t, u)) != 1 || storedMeds(t, u)[0].Archived {
		t.Fatal("Keep it must not archive")
	}
	test.Tap(s.rows[0].archive)
	test.Tap(s.confirmYes)
	if len(s.rows) != 0 || len(s.archived) != 1 {
		t.Fatalf("rows %d archived %d", len(s.rows), len(s.archived))
	}
	assertShows(t, s.notice, "Archived: Ramipril. Its history is kept; Restore brings it back.")
	assertShows(t, s.status, msgMedsEmpty())
	if got := s.archived[0].today.Text; got != "Archived on 25 Nov 2025 — not reminded" {
		t.Errorf("archived row says %q", got)
	}

	// Today no longer lists it.
	test.Tap(s.nav.today)
	if len(u.today.later) != 0 {
		t.Fatalf("an archived medicine is on Today: %d later", len(u.today.later))
	}
	test.Tap(u.today.nav.medications)
	s = u.medications
	test.Tap(s.archived[0].restore)
	if len(s.rows) != 1 || len(s.archived) != 0 || s.rows[0].info.med.ID != med.ID {
		t.Fatalf("after restore: rows %d archived %d", len(s.rows), len(s.archived))
	}
	assertShows(t, s.notice, "Restored: Ramipril. It is reminded again from now.")
	test.Tap(s.nav.today)
	if len(u.today.later) != 1 {
		t.Fatalf("restored medicine not on Today: %d later", len(u.today.later))
	}
}

func TestMedicationsAdherenceAndToday(t *testing.T) {
	clk := &testClock{t: fixedNow}
	u := openMeds(t, clk, func(ctx context.Context, st *data.Store) {
		medHistory(t, clk, st)
		addMed(t, st, "Paracetamol", "2 tablets")
	})
	s := u.medications
	if len(s.rows) != 2 {
		t.Fatalf("rows %d", len(s.rows))
	}
	m := s.rows[0]
	if m.today.Text != "Missed 08:00" {
		t.Errorf("today %q", m.today.Text)
	}
	if m.adherence.Text != "Last 30 days: 1 taken · 1 taken late · 1 skipped · 3 missed" || m.bar == nil {
		t.Errorf("adherence %q (bar %v)", m.adherence.Text, m.bar != nil)
	}
	p := s.rows[1]
	if p.today.Text != "As needed" || p.adherence.Text != "Last 30 days: none logged" || p.bar != nil {
		t.Errorf("as needed: %q | %q", p.today.Text, p.adherence.Text)
	}
}

func TestMedicationsMarkup(t *testing.T) {
	clk := &testClock{t: fixedNow}
	u := openMeds(t, clk, func(ctx context.Context, st *data.Store) {
		medHistory(t, clk, st)
		addMed(t, st, "Paracetamol", "2 tablets")
		old := addMed(t, st, "Amoxicillin", "1 capsule", hm(8, 0), hm(14, 0), hm(20, 0))
		if _, err := st.ArchiveMedication(ctx, old.ID, true); err != nil {
			t.Fatal(err)
		}
	})
	assertMarkup(t, u, "medications.xml")
}

// Going to another screen with the form open and coming back finds everything typed.
func TestMedicationFormSurvivesNavigation(t *testing.T) {
	u := openMeds(t, &testClock{t: fixedNow}, nil)
	test.Tap(u.medications.add)
	f := u.medications.form
	test.Type(f.name, "Metformin")
	f.setKind(kindEveryN)
	test.Type(f.steps[0].every, "2")
	ctrl(u, fyne.Key1) // from inside the text field
	if u.today == nil {
		t.Fatal("Ctrl+1 should show Today")
	}
	ctrl(u, fyne.Key3)
	s := u.medications
	if s == nil || s.form != f || f.name.Text != "Metformin" || f.selectedKind() != kindEveryN || f.steps[0].every.Text != "2" {
		t.Fatal("the form did not come back as it was left")
	}
	if len(s.body.Objects) != 1 || s.body.Objects[0] != f.box {
		t.Fatal("the form is not on screen")
	}
	test.Tap(f.cancel)
	ctrl(u, fyne.Key1)
	ctrl(u, fyne.Key3)
	if u.medications.form != nil {
		t.Fatal("a cancelled form should not come back")
	}
}

func TestMedicationsLoadFailed(t *testing.T) {
	u := openMeds(t, &testClock{t: fixedNow}, nil)
	s := u.medications
	// A store that cannot be read: the list says so and offers to try again.
	if err := s.store.DB().Close(); err != nil {
		t.Fatal(err)
	}
	s.loaded = false
	u.loadMedications()
	assertShows(t, s.status, msgMedsLoadFailed())
	if !s.retryBox.Visible() {
		t.Fatal("Try again should show")
	}
	test.Tap(s.retry)
	assertShows(t, s.status, msgMedsLoadFailed())
}

// At 200 % text the form and the list still fit a 1000 × 700 window: nothing is cut off at
// the right, where no scroll bar would reach it.
func TestMedicationsFitLargeText(t *testing.T) {
	clk := &testClock{t: fixedNow}
	u := openMeds(t, clk, func(ctx context.Context, st *data.Store) { medHistory(t, clk, st) })
	u.setTextScale(2)
	ctrl(u, fyne.Key1)
	ctrl(u, fyne.Key3)
	s := u.medications
	u.win.Resize(fyne.NewSize(1000, 700))
	// The side bar takes about 310 px at this size, the paddings some 40.
	room := u.win.Canvas().Size().Width - s.nav.side.MinSize().Width - 40
	if w := s.listView.MinSize().Width; w > room {
		t.Errorf("the list needs %v px, there are %v", w, room)
	}
	test.Tap(s.rows[0].edit)
	for _, kind := range []string{kindDaily, kindWeekdays, kindEveryN, kindTaper, kindCron} {
		s.form.setKind(kind)
		if kind == kindTaper {
			test.Tap(s.form.addStep)
		}
		if w := s.form.box.MinSize().Width; w > room {
			t.Errorf("%s: the form needs %v px, there are %v", kind, w, room)
		}
	}
}

func TestTodayStatus(t *testing.T) {
	day := func(h, m int) time.Time { return time.Date(2025, 11, 25, h, m, 0, 0, time.UTC) }
	twice := []data.Step{{Times: []data.TimeOfDay{hm(8, 0), hm(20, 0)}, Start: data.Date{Year: 2025, Month: 11, Day: 1}}}
	med := data.Medication{ID: "m", Steps: twice, CreatedAt: day(0, 0).AddDate(0, 0, -10)}
	wide := med
	wide.DoseWindow = 5 * time.Hour
	ev := func(at time.Time, state string, when time.Time) data.DoseEvent {
		return data.DoseEvent{MedicationID: "m", ScheduledAt: at, State: state, At: when}
	}
	for _, tc := range []struct {
		name   string
		med    data.Medication
		events []data.DoseEvent
		now    time.Time
		want   string
	}{
		{"morning", med, nil, day(7, 0), "Next today at 08:00"},
		{"taken", med, []data.DoseEvent{ev(day(8, 0), data.DoseTaken, day(8, 5))}, day(14, 30), "Taken 08:00 · next 20:00"},
		{"taken late", med, []data.DoseEvent{ev(day(8, 0), data.DoseTaken, day(9, 0))}, day(14, 30), "Taken 08:00 (late) · next 20:00"},
		{"skipped", med, []data.DoseEvent{ev(day(8, 0), data.DoseSkipped, day(8, 0))}, day(14, 30), "Skipped 08:00 · next 20:00"},
		{"due", med, nil, day(8, 20), "Due now (08:00) · next 20:00"},
		{"late", med, nil, day(9, 50), "Due now (08:00) · next 20:00"},
		{"snoozed", med, []data.DoseEvent{{MedicationID: "m", ScheduledAt: day(8, 0), State: data.DoseSnoozed, At: day(8, 1), SnoozeUntil: day(8, 11)}},
			day(8, 5), "Due now (08:00) · next 20:00"},
		{"yesterday's evening dose, still in its window", wide, nil, day(0, 30).AddDate(0, 0, 1), "Due now (20:00) · next 08:00"},
		{"missed", med, nil, day(14, 30), "Missed 08:00 · next 20:00"},
		{"day done", med, []data.DoseEvent{ev(day(8, 0), data.DoseTaken, day(8, 0)), ev(day(20, 0), data.DoseMissed, day(20, 0))},
			day(23, 0), "Taken 08:00 · Missed 20:00"},
		{"added after the morning dose", data.Medication{ID: "m", Steps: twice, CreatedAt: day(12, 0)}, nil, day(14, 30), "Next today at 20:00"},
		{"not today", data.Medication{ID: "m", CreatedAt: day(0, 0), Steps: []data.Step{{Times: []data.TimeOfDay{hm(9, 0)},
			Weekdays: []time.Weekday{time.Friday}, Start: data.Date{Year: 2025, Month: 11, Day: 1}}}}, nil, day(10, 0), "Nothing today · next Fri 28 Nov at 09:00"},
		{"ended", data.Medication{ID: "m", CreatedAt: day(0, 0).AddDate(0, 0, -30), Steps: []data.Step{{Times: []data.TimeOfDay{hm(9, 0)},
			Start: data.Date{Year: 2025, Month: 11, Day: 1}, End: data.Date{Year: 2025, Month: 11, Day: 20}}}}, nil, day(10, 0), "No more doses: the schedule has ended"},
		{"as needed", data.Medication{ID: "m", AsNeeded: true}, []data.DoseEvent{{MedicationID: "m", State: data.DoseTaken, At: day(10, 15)}},
			day(14, 30), "As needed · last taken today at 10:15"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := todayStatus(tc.med, tc.events, time.UTC, tc.now); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// A step made on the command line with its own dose, or with both weekdays and every N days,
// is shown whole in the form and saved unchanged.
func TestEditKeepsWhatTheFormHasNoKindFor(t *testing.T) {
	u := openMeds(t, &testClock{t: fixedNow}, func(ctx context.Context, st *data.Store) {
		_, err := st.AddMedication(ctx, data.Medication{Name: "Methotrexate", Dose: "1 tablet", Steps: []data.Step{{
			Times: []data.TimeOfDay{hm(9, 0)}, Weekdays: []time.Weekday{time.Monday}, EveryDays: 14, Dose: "4 tablets",
			Start: data.Date{Year: 2025, Month: 11, Day: 24}}}})
		if err != nil {
			t.Fatal(err)
		}
	})
	s := u.medications
	test.Tap(s.rows[0].edit)
	f := s.form
	se := f.steps[0]
	if f.selectedKind() != kindWeekdays || !se.doseRow.Visible() || se.dose.Text != "4 tablets" || !se.everyRow.Visible() || se.every.Text != "14" {
		t.Fatalf("kind %q, dose %q (shown %v), every %q (shown %v)", f.kind.Selected, se.dose.Text, se.doseRow.Visible(), se.every.Text, se.everyRow.Visible())
	}
	if !strings.HasPrefix(f.preview.Text, "Mon 8 Dec at 09:00 — 4 tablets") {
		t.Errorf("preview %q", f.preview.Text)
	}
	test.Type(f.instructions, "once a fortnight")
	test.Tap(f.save)
	ms := storedMeds(t, u)
	if len(ms) != 1 || ms[0].Steps[0].Dose != "4 tablets" || ms[0].Steps[0].EveryDays != 14 || len(ms[0].Steps[0].Weekdays) != 1 ||
		ms[0].Instructions != "once a fortnight" {
		t.Fatalf("stored %+v", ms)
	}
}

// TestMedicationFormStockDecimalComma: in German the stock is shown and typed with a decimal
// comma ("27,5"), and stored as the number it is.
func TestMedicationFormStockDecimalComma(t *testing.T) {
	tr.MustSetup("de")
	t.Cleanup(func() { tr.MustSetup("en") })
	u := openMeds(t, &testClock{t: fixedNow}, nil)
	s := u.medications
	test.Tap(s.add)
	f := s.form
	test.Type(f.name, "Metformin")
	test.Type(f.stock, "27,5")
	test.Tap(f.save)
	if s.form != nil {
		t.Fatalf("save refused: %q %q", f.state.Text, f.stockErr.Text)
	}
	ms := storedMeds(t, u)
	if len(ms) != 1 || ms[0].Stock != 27*data.UnitScale+data.UnitScale/2 {
		t.Fatalf("stored %+v", ms)
	}
	if !strings.Contains(s.rows[0].schedule.Text, "jeden Tag ab 25. Nov. 2025") {
		t.Errorf("schedule reads %q", s.rows[0].schedule.Text)
	}
	test.Tap(s.rows[0].edit)
	if s.form.stock.Text != "27,5" {
		t.Fatalf("edit form shows the stock as %q", s.form.stock.Text)
	}
}
