package remind

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

// recorder is a Notifier that keeps what it was given.
type recorder struct{ got []Notice }

func (r *recorder) Notify(_ context.Context, n Notice) error {
	r.got = append(r.got, n)
	return nil
}

// fixture is a real profile (SQLite file, sealed records) with a clock the test controls.
type fixture struct {
	t     *testing.T
	now   time.Time
	store *data.Store
	rec   *recorder
	eng   *Engine
	med   data.Medication
}

func newFixture(t *testing.T, times ...string) *fixture {
	t.Helper()
	f := &fixture{t: t, now: utc("2026-03-02T06:00:00Z"), rec: &recorder{}}
	p := datatest.NewProfiles(t, nil)
	p.Location, p.Now = time.UTC, func() time.Time { return f.now }
	s, _ := datatest.CreatePassphrase(t, p, "Mum", "pw")
	f.store = s
	var tods []data.TimeOfDay
	for _, x := range times {
		tods = append(tods, tod(x))
	}
	var err error
	f.med, err = s.AddMedication(context.Background(), data.Medication{Name: "Metformin", Dose: "500 mg",
		Steps: []data.Step{{Times: tods, Start: date("2026-03-01")}}})
	if err != nil {
		t.Fatal(err)
	}
	f.eng = &Engine{Store: s, Notifier: f.rec}
	return f
}

// edit changes the fixture's medicine (not its schedule) and stores it.
func (f *fixture) edit(change func(m *data.Medication)) {
	f.t.Helper()
	change(&f.med)
	m, err := f.store.UpdateMedication(context.Background(), f.med)
	if err != nil {
		f.t.Fatal(err)
	}
	f.med = m
}

// at sets the clock and ticks.
func (f *fixture) tick(now string) Notice {
	f.t.Helper()
	f.now = utc(now)
	n, err := f.eng.Tick(context.Background(), f.now)
	if err != nil {
		f.t.Fatalf("Tick(%s): %v", now, err)
	}
	return n
}

func (f *fixture) states() map[string]string {
	f.t.Helper()
	evs, err := f.store.DoseEvents(context.Background(), f.med.ID, time.Time{}, time.Time{})
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]string{}
	for _, ev := range evs {
		out[ev.ScheduledAt.UTC().Format("15:04")] = ev.State
	}
	return out
}

func TestDueOnTime(t *testing.T) {
	f := newFixture(t, "08:00", "20:00")
	f.tick("2026-03-02T07:59:40Z")
	n := f.tick("2026-03-02T08:00:10Z")
	if len(n.Due) != 1 || len(f.rec.got) != 1 {
		t.Fatalf("notices = %+v", f.rec.got)
	}
	if n.Title != "Time for your 08:00 Metformin 500 mg" {
		t.Fatalf("title %q", n.Title)
	}
	f.tick("2026-03-02T08:00:40Z")
	f.tick("2026-03-02T08:01:10Z")
	if len(f.rec.got) != 1 {
		t.Fatalf("reminded again: %+v", f.rec.got[1:])
	}
	// Not answered within the 2-hour window: recorded missed, and said once.
	f.tick("2026-03-02T10:00:30Z")
	if got := f.states()["08:00"]; got != data.DoseMissed {
		t.Fatalf("08:00 state = %q, want missed", got)
	}
}

func TestHiddenNamesAndPerson(t *testing.T) {
	f := newFixture(t, "08:00")
	f.eng.Person = func() string { return "Mum" }
	if _, err := f.store.PutSetting(context.Background(), "hide_medicine_names", "true"); err != nil {
		t.Fatal(err)
	}
	f.tick("2026-03-02T07:59:50Z")
	n := f.tick("2026-03-02T08:00:20Z")
	if n.Title != "Mum — time for the 08:00 medicine" || strings.Contains(n.Title+n.Body, "Metformin") {
		t.Fatalf("title %q body %q", n.Title, n.Body)
	}
	// Locked hides names too, whatever the setting.
	g := newFixture(t, "08:00")
	g.eng.Locked = func() bool { return true }
	g.tick("2026-03-02T07:59:50Z")
	if n := g.tick("2026-03-02T08:00:20Z"); strings.Contains(n.Title+n.Body, "Metformin") {
		t.Fatalf("locked: %q %q", n.Title, n.Body)
	}
}

// Asleep for 8 hours across three doses: each is raised once, in one grouped notification.
func TestSleepCatchUp(t *testing.T) {
	f := newFixture(t, "09:00", "12:00", "15:00")
	f.tick("2026-03-02T08:00:00Z")
	// The laptop sleeps at 08:00 and wakes at 16:00.
	n := f.tick("2026-03-02T16:00:00Z")
	if len(f.rec.got) != 1 {
		t.Fatalf("%d notifications, want 1 grouped: %+v", len(f.rec.got), f.rec.got)
	}
	if len(n.Missed) != 2 || len(n.Late) != 1 || len(n.Due) != 0 {
		t.Fatalf("missed %d late %d due %d, want 2, 1, 0", len(n.Missed), len(n.Late), len(n.Due))
	}
	if n.Title != "3 doses were missed while the computer was asleep" {
		t.Fatalf("title %q", n.Title)
	}
	st := f.states()
	if st["09:00"] != data.DoseMissed || st["12:00"] != data.DoseMissed || st["15:00"] != "" {
		t.Fatalf("states = %v (15:00 is still within its window)", st)
	}
	// The next checks say nothing more; 15:00 becomes missed after its window, silently
	// (it was raised already).
	f.tick("2026-03-02T16:00:30Z")
	f.tick("2026-03-02T17:00:30Z")
	if len(f.rec.got) != 1 {
		t.Fatalf("repeated: %+v", f.rec.got[1:])
	}
	if f.states()["15:00"] != data.DoseMissed {
		t.Fatal("15:00 not recorded missed after its window")
	}
}

func TestCatchUpAfterRestart(t *testing.T) {
	f := newFixture(t, "09:00")
	f.tick("2026-03-02T08:00:00Z")
	// The app is closed; a new engine (a new process) starts at 09:30 on the same profile.
	f.eng = &Engine{Store: f.store, Notifier: f.rec}
	n := f.tick("2026-03-02T09:30:00Z")
	if len(n.Late) != 1 {
		t.Fatalf("after restart: %+v", n)
	}
	f.eng = &Engine{Store: f.store, Notifier: f.rec}
	f.tick("2026-03-02T09:31:00Z")
	if len(f.rec.got) != 1 {
		t.Fatalf("raised twice across restarts: %+v", f.rec.got)
	}
}

func TestOlderThanADayIsSilent(t *testing.T) {
	f := newFixture(t, "09:00")
	f.tick("2026-03-02T08:00:00Z")
	// Off for three days.
	n := f.tick("2026-03-05T08:00:00Z")
	if len(n.Missed) != 1 { // only 4 March's 09:00 is within 24 hours
		t.Fatalf("missed = %+v", n.Missed)
	}
	evs, _ := f.store.DoseEvents(context.Background(), f.med.ID, time.Time{}, time.Time{})
	if len(evs) != 3 {
		t.Fatalf("%d doses recorded missed, want 3 (2, 3, 4 March)", len(evs))
	}
}

// The clock jumps back an hour (a clock error: the last check is ahead of now): it is said
// once, an answered dose is not raised again, and the next is still on time.
func TestClockJumpBack(t *testing.T) {
	f := newFixture(t, "08:00", "09:00")
	f.tick("2026-03-02T07:59:45Z")
	f.tick("2026-03-02T08:00:15Z")
	if _, err := f.store.RecordDose(context.Background(), data.DoseEvent{MedicationID: f.med.ID,
		ScheduledAt: utc("2026-03-02T08:00:00Z"), State: data.DoseTaken, At: utc("2026-03-02T08:00:30Z")}); err != nil {
		t.Fatal(err)
	}
	f.tick("2026-03-02T08:00:45Z")
	// Jump back to 07:00:45 and tick every 30 s across 08:00 again.
	clock := 0
	for at := utc("2026-03-02T07:00:45Z"); at.Before(utc("2026-03-02T08:59:30Z")); at = at.Add(30 * time.Second) {
		if n := f.tick(at.Format(time.RFC3339)); n.ClockError {
			clock++
			if len(n.Due)+len(n.Late)+len(n.Missed) != 0 || !strings.Contains(n.Title, "clock") {
				t.Fatalf("clock notice: %+v", n)
			}
		}
	}
	if clock != 1 || len(f.rec.got) != 2 {
		t.Fatalf("clock error said %d times, %d notices in all (want 1, 2: the 08:00 dose, then the clock)", clock, len(f.rec.got))
	}
	n := f.tick("2026-03-02T09:00:00Z")
	if len(n.Due) != 1 || n.Due[0].At.UTC().Format("15:04") != "09:00" || len(f.rec.got) != 3 {
		t.Fatalf("09:00 not reminded on time after the jump: %+v", n)
	}
}

// A clock that ran ahead to 2100 for one check, then came back, does not silence the
// reminders until 2100 (issue 10, finding 2): the doses it recorded missed while ahead are
// reminded after all, the last day is caught up, and the clock error is said once, also
// by an engine started afterwards (a restart).
func TestClockRanAhead(t *testing.T) {
	f := newFixture(t, "08:00", "20:00")
	f.tick("2026-03-02T06:00:00Z")
	f.tick("2100-01-01T12:00:00Z") // every dose of the week before is recorded missed
	f.eng = &Engine{Store: f.store, Notifier: f.rec}
	n := f.tick("2026-03-02T08:00:10Z")
	if !n.ClockError || len(n.Due) != 1 || n.Due[0].At.UTC().Format("15:04") != "08:00" {
		t.Fatalf("back from 2100: %+v", n)
	}
	if st := f.states(); st["20:00"] != "" {
		t.Fatalf("today's 20:00 dose is still recorded %q", st["20:00"])
	}
	if n := f.tick("2026-03-02T08:00:40Z"); n.ClockError || !n.Empty() {
		t.Fatalf("said twice: %+v", n)
	}
	if n := f.tick("2026-03-02T20:00:05Z"); len(n.Due) != 1 {
		t.Fatalf("20:00 not reminded: %+v", n)
	}
}

// A last check that fails authentication (edited in the file) is neither trusted nor taken
// for a first run: the engine looks back a day and says so.
func TestLastCheckDamaged(t *testing.T) {
	f := newFixture(t, "08:00")
	f.tick("2026-03-02T06:00:00Z")
	datatest.OpenJournal(t, f.store.Path()).FlipSealed("settings", "engine.last_check")
	f.eng = &Engine{Store: f.store, Notifier: f.rec}
	n := f.tick("2026-03-02T09:00:00Z")
	if !n.ClockError || len(n.Late) != 1 {
		t.Fatalf("damaged last check: %+v", n)
	}
}

func TestAnsweredAndSnoozed(t *testing.T) {
	f := newFixture(t, "08:00")
	f.tick("2026-03-02T07:59:50Z")
	n := f.tick("2026-03-02T08:00:20Z")
	if len(n.Due) != 1 {
		t.Fatal("not due")
	}
	// Snooze 10 minutes: reminded again once, at 08:10.
	if _, err := f.store.RecordDose(context.Background(), data.DoseEvent{MedicationID: f.med.ID, ScheduledAt: n.Due[0].At,
		State: data.DoseSnoozed, At: f.now, SnoozeUntil: utc("2026-03-02T08:10:00Z")}); err != nil {
		t.Fatal(err)
	}
	f.tick("2026-03-02T08:09:50Z")
	if n := f.tick("2026-03-02T08:10:20Z"); len(n.Due) != 1 {
		t.Fatalf("snooze not reminded: %+v", n)
	}
	f.tick("2026-03-02T08:10:50Z")
	if len(f.rec.got) != 2 {
		t.Fatalf("%d notices, want 2", len(f.rec.got))
	}
	// Taken: never missed.
	if _, err := f.store.RecordDose(context.Background(), data.DoseEvent{MedicationID: f.med.ID, ScheduledAt: n.Due[0].At,
		State: data.DoseTaken, At: f.now}); err != nil {
		t.Fatal(err)
	}
	f.tick("2026-03-02T12:00:00Z")
	if f.states()["08:00"] != data.DoseTaken || len(f.rec.got) != 2 {
		t.Fatalf("states %v, notices %d", f.states(), len(f.rec.got))
	}
}

func TestAppointmentReminders(t *testing.T) {
	f := newFixture(t, "22:00")
	if _, err := f.store.AddAppointment(context.Background(), data.Appointment{Title: "Eye test", Start: utc("2026-03-04T10:30:00Z")}); err != nil {
		t.Fatal(err)
	}
	f.tick("2026-03-03T10:29:50Z")
	n := f.tick("2026-03-03T10:30:20Z")
	if len(n.Appointments) != 1 || !strings.Contains(n.Title, "Eye test") {
		t.Fatalf("24 h before: %+v", n)
	}
	f.tick("2026-03-04T09:29:50Z")
	if n := f.tick("2026-03-04T09:30:20Z"); len(n.Appointments) != 1 {
		t.Fatalf("1 h before: %+v", n)
	}
	withAppt := 0
	for _, n := range f.rec.got {
		withAppt += len(n.Appointments)
	}
	if withAppt != 2 {
		t.Fatalf("%d appointment reminders, want 2", withAppt)
	}
}

// An archived medicine is neither reminded nor recorded missed; restored, it is reminded again.
func TestArchivedNotReminded(t *testing.T) {
	f := newFixture(t, "08:00")
	ctx := context.Background()
	f.tick("2026-03-02T07:59:40Z")
	if _, err := f.store.ArchiveMedication(ctx, f.med.ID, true); err != nil {
		t.Fatal(err)
	}
	if n := f.tick("2026-03-02T08:00:10Z"); !n.Empty() {
		t.Fatalf("archived medicine reminded: %+v", n)
	}
	f.tick("2026-03-02T10:30:00Z")
	if len(f.states()) != 0 {
		t.Fatalf("archived medicine got dose events: %v", f.states())
	}
	if next, ok, err := f.eng.NextEvent(ctx, f.now); err != nil || ok {
		t.Fatalf("next event of an archived medicine: %s %v %v", next, ok, err)
	}
	if _, err := f.store.ArchiveMedication(ctx, f.med.ID, false); err != nil {
		t.Fatal(err)
	}
	f.tick("2026-03-03T07:59:40Z")
	if n := f.tick("2026-03-03T08:00:10Z"); len(n.Due) != 1 {
		t.Fatalf("restored medicine not reminded: %+v", n)
	}
}

// Editing a schedule changes the future only: a dose of the new times that fell before the
// edit is not due, and is never recorded missed.
func TestEditedScheduleChangesTheFutureOnly(t *testing.T) {
	f := newFixture(t, "08:00")
	ctx := context.Background()
	f.tick("2026-03-02T07:59:40Z")
	f.now = utc("2026-03-02T09:00:00Z")
	m := f.med
	m.Steps = []data.Step{{Times: []data.TimeOfDay{tod("08:30")}, Start: date("2026-03-01")}}
	if _, err := f.store.UpdateMedication(ctx, m); err != nil {
		t.Fatal(err)
	}
	if n := f.tick("2026-03-02T09:00:10Z"); !n.Empty() {
		t.Fatalf("a dose before the edit was raised: %+v", n)
	}
	f.tick("2026-03-02T12:00:00Z")
	if len(f.states()) != 0 {
		t.Fatalf("doses before the edit were recorded: %v", f.states())
	}
	f.tick("2026-03-03T08:29:40Z")
	if n := f.tick("2026-03-03T08:30:10Z"); len(n.Due) != 1 {
		t.Fatalf("the new time is not reminded: %+v", n)
	}
}

// lastCheck is the last check as written to the profile.
func (f *fixture) lastCheck() string {
	f.t.Helper()
	v, err := f.store.Setting(context.Background(), lastCheckKey)
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

// A check that finds nothing writes nothing (each write is an fsync, ~2,880 a day at one per
// tick); one that says something writes the time it checked.
func TestQuietChecksWriteNothing(t *testing.T) {
	f := newFixture(t, "08:00")
	f.tick("2026-03-02T06:00:00Z") // the first check ever is written: nothing before it is ours
	first := f.lastCheck()
	if first == "" {
		t.Fatal("the first check was not written")
	}
	for _, at := range []string{"2026-03-02T06:00:30Z", "2026-03-02T07:00:00Z", "2026-03-02T07:59:59Z"} {
		f.tick(at)
		if got := f.lastCheck(); got != first {
			t.Fatalf("a check at %s that found nothing wrote the last check %s", at, got)
		}
	}
	f.tick("2026-03-02T08:00:05Z")
	if got := f.lastCheck(); got != "2026-03-02T08:00:05Z" {
		t.Fatalf("last check after the 08:00 reminder = %q", got)
	}
}

// Restarts after quiet checks (the last check written is old) catch up once: a dose said
// before the restart is not said again, one that came while the app was closed is said
// once, however often the app restarts.
func TestQuietChecksThenRestarts(t *testing.T) {
	f := newFixture(t, "08:00", "12:00")
	f.edit(func(m *data.Medication) { m.RepeatTimes = data.NoRepeat }) // repeats: TestRepeatUntilAnswered
	f.tick("2026-03-02T06:00:00Z")
	f.tick("2026-03-02T07:00:00Z")
	restart := func(at string) Notice {
		f.eng = &Engine{Store: f.store, Notifier: f.rec}
		return f.tick(at)
	}
	if n := restart("2026-03-02T07:30:00Z"); !n.Empty() {
		t.Fatalf("restart before any dose said %+v", n)
	}
	if n := f.tick("2026-03-02T08:00:10Z"); len(n.Due) != 1 {
		t.Fatalf("08:00 not reminded after the restart: %+v", n)
	}
	f.tick("2026-03-02T08:30:00Z") // quiet, not written
	if n := restart("2026-03-02T09:00:00Z"); !n.Empty() {
		t.Fatalf("the 08:00 reminder was said again after a restart: %+v", n)
	}
	// Closed from 09:00 to 12:30: the 12:00 dose is said once, late.
	if n := restart("2026-03-02T12:30:00Z"); len(n.Late) != 1 || len(n.Due) != 0 {
		t.Fatalf("12:00 after a restart at 12:30: %+v", n)
	}
	for _, at := range []string{"2026-03-02T12:31:00Z", "2026-03-02T13:00:00Z"} {
		if n := restart(at); !n.Empty() {
			t.Fatalf("restart at %s said again: %+v", at, n)
		}
	}
	if len(f.rec.got) != 2 {
		t.Fatalf("%d notices, want 2: %+v", len(f.rec.got), f.rec.got)
	}
}

// A damaged setting (here one the timer does not even use) does not stop the timer from
// being armed for the next appointment reminder: the defaults stand in, as in Tick.
func TestNextEventWithDamagedSetting(t *testing.T) {
	f := newFixture(t, "22:00")
	ctx := context.Background()
	if _, err := f.store.AddAppointment(ctx, data.Appointment{Title: "Eye test", Start: utc("2026-03-04T10:30:00Z")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.PutSetting(ctx, data.KeySnoozeMinutes, "20"); err != nil {
		t.Fatal(err)
	}
	datatest.OpenJournal(t, f.store.Path()).FlipSealed("settings", data.KeySnoozeMinutes)
	next, ok, err := f.eng.NextEvent(ctx, utc("2026-03-03T09:00:00Z"))
	if err != nil || !ok || !next.Equal(utc("2026-03-03T10:30:00Z")) {
		t.Fatalf("next event = %s %v %v, want the appointment reminder 24 h before", next, ok, err)
	}
}
