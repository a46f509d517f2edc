package app

import (
	"context"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// at is a time on the tests' day (25 Nov 2025, UTC).
func at(h, m int) time.Time { return time.Date(2025, 11, 25, h, m, 0, 0, time.UTC) }

// openToday makes a profile, lets setup add to it (with the clock at setup time), and unlocks
// it in the UI, which shows Today.
func openToday(t *testing.T, clk *testClock, setup func(ctx context.Context, st *data.Store)) *UI {
	t.Helper()
	p := testProfiles(t, nil)
	p.Now = clk.Now
	st, _, err := p.Create(context.Background(), data.CreateOptions{Name: "Mum", Passphrase: []byte(goodPass), NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(context.Background(), st)
	}
	st.Close()
	u := newTestUI(t, p)
	unlockWith(t, u, goodPass)
	if u.today == nil {
		t.Fatal("Today should be the first screen after unlocking")
	}
	if u.cur.engine == nil {
		t.Fatal("opening a profile should create its reminder engine")
	}
	return u
}

func addMed(t *testing.T, st *data.Store, name, dose string, times ...data.TimeOfDay) data.Medication {
	t.Helper()
	m := data.Medication{Name: name, Dose: dose}
	if len(times) == 0 {
		m.AsNeeded = true
	} else {
		m.Steps = []data.Step{{Times: times}}
	}
	m, err := st.AddMedication(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func hm(h, m int) data.TimeOfDay { return data.TimeOfDay(h*60 + m) }

// tick runs one engine check at now, as the 30-second loop would.
func tick(t *testing.T, u *UI, clk *testClock, now time.Time) {
	t.Helper()
	clk.Set(now)
	if _, err := u.cur.engine.Tick(context.Background(), now); err != nil {
		t.Fatalf("Tick(%s): %v", now, err)
	}
}

func doseEvents(t *testing.T, u *UI) []data.DoseEvent {
	t.Helper()
	evs, err := u.curStore().DoseEvents(context.Background(), "", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// eventAt finds the event of the dose scheduled at sched.
func eventAt(t *testing.T, u *UI, sched time.Time) data.DoseEvent {
	t.Helper()
	for _, ev := range doseEvents(t, u) {
		if ev.ScheduledAt.Equal(sched) {
			return ev
		}
	}
	t.Fatalf("no dose event for %s; events %+v", sched, doseEvents(t, u))
	return data.DoseEvent{}
}

func rowAt(rows []*doseRow, sched time.Time) *doseRow {
	for _, r := range rows {
		if r.item.At.Equal(sched) {
			return r
		}
	}
	return nil
}

func TestTodayEmptyState(t *testing.T) {
	clk := &testClock{t: fixedNow}
	u := openToday(t, clk, nil)
	assertShows(t, u.today.status, tr.T("today.empty"))
	if len(u.today.body.Objects) != 0 {
		t.Error("with nothing to show, only the empty state should show")
	}
	u.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.Key2, Modifier: fyne.KeyModifierShortcutDefault})
	if u.journal == nil || u.today != nil {
		t.Fatal("Ctrl+2 should show the journal")
	}
	if u.journal.nav.journal.Importance != widget.HighImportance || u.journal.nav.today.Importance == widget.HighImportance {
		t.Error("the navigation should mark Journal as the current screen")
	}
}

func TestTodayGroups(t *testing.T) {
	clk := &testClock{t: at(6, 0)}
	u := openToday(t, clk, func(ctx context.Context, st *data.Store) {
		addMed(t, st, "Metformin", "500 mg", hm(8, 0), hm(13, 0), hm(14, 0), hm(20, 0))
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: "Dr Patel", Start: at(16, 30), Location: "Health Centre, Room 4", Status: "booked"}); err != nil {
			t.Fatal(err)
		}
	})
	clk.Set(at(14, 10))
	test.Tap(u.today.nav.journal)
	test.Tap(u.journal.nav.today)
	td := u.today
	if td.status.Visible() {
		t.Errorf("status %q should be hidden", td.status.Text)
	}
	if len(td.missed) != 1 || !td.missed[0].item.At.Equal(at(8, 0)) {
		t.Errorf("missed = %d rows, want the 08:00 dose", len(td.missed))
	}
	if len(td.due) != 2 || rowAt(td.due, at(13, 0)) == nil || rowAt(td.due, at(14, 0)) == nil {
		t.Errorf("due = %d rows, want 13:00 and 14:00", len(td.due))
	}
	if r := rowAt(td.due, at(13, 0)); r != nil && r.detail.Text != "Was due at 13:00 — late" {
		t.Errorf("13:00 says %q", r.detail.Text)
	}
	if len(td.later) != 1 || td.later[0].taken != nil {
		t.Errorf("later = %d rows, want 20:00 without buttons", len(td.later))
	}
	if td.appointment == nil || td.appointment.Text != "Dr Patel\nToday at 16:30\nHealth Centre, Room 4" {
		t.Errorf("appointment = %+v", td.appointment)
	}

	// Skip updates the row in place.
	r := rowAt(td.due, at(14, 0))
	test.Tap(r.skip)
	if ev := eventAt(t, u, at(14, 0)); ev.State != data.DoseSkipped {
		t.Errorf("state %q, want skipped", ev.State)
	}
	if r.taken.Visible() || r.skip.Visible() || r.detail.Text != "Skipped (due 14:00)" {
		t.Errorf("after Skip the row shows %q, buttons visible %v", r.detail.Text, r.taken.Visible())
	}
}

// (b) The computer slept from 08:00 to 16:00: the 15:00 dose is late but still in its
// window; the 09:00 dose is past it.
func TestTodayShowsLateDoseAfterSleep(t *testing.T) {
	clk := &testClock{t: at(7, 0)}
	u := openToday(t, clk, func(ctx context.Context, st *data.Store) {
		addMed(t, st, "Metformin", "500 mg", hm(9, 0), hm(15, 0))
	})
	tick(t, u, clk, at(8, 0))
	if u.cur.reminder != nil {
		t.Fatal("nothing is due at 08:00")
	}
	tick(t, u, clk, at(16, 0))
	if ev := eventAt(t, u, at(9, 0)); ev.State != data.DoseMissed {
		t.Errorf("the 09:00 dose is %q, want missed", ev.State)
	}
	// The engine's notice refreshed Today; open it afresh as a person would.
	test.Tap(u.today.nav.journal)
	u.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.Key1, Modifier: fyne.KeyModifierShortcutDefault})
	td := u.today
	if td == nil {
		t.Fatal("Ctrl+1 should show Today")
	}
	r := rowAt(td.due, at(15, 0))
	if r == nil || r.taken == nil || !r.taken.Visible() {
		t.Fatalf("the late 15:00 dose should show with a Taken button; due %d, missed %d", len(td.due), len(td.missed))
	}
	if r.detail.Text != "Was due at 15:00 — late" {
		t.Errorf("late row says %q", r.detail.Text)
	}
	if m := rowAt(td.missed, at(9, 0)); m == nil {
		t.Error("the 09:00 dose should be under Missed today")
	}
	test.Tap(r.taken)
	ev := eventAt(t, u, at(15, 0))
	if ev.State != data.DoseTaken || !ev.At.Equal(at(16, 0)) {
		t.Errorf("recorded %+v, want taken at 16:00", ev)
	}
	if r.taken.Visible() || r.detail.Text != "Taken at 16:00 (due 15:00)" {
		t.Errorf("after Taken the row shows %q", r.detail.Text)
	}
	// The reminder window, opened by the same notice, shows it answered too.
	if w := u.cur.reminder; w == nil || len(w.rows) != 1 || !w.rows[0].done {
		t.Error("the reminder window should show the dose answered")
	}
}

// (a) Taken in the reminder window records the dose.
func TestReminderTaken(t *testing.T) {
	clk := &testClock{t: at(7, 0)}
	u := openToday(t, clk, func(ctx context.Context, st *data.Store) {
		addMed(t, st, "Metformin", "500 mg", hm(9, 0))
		addMed(t, st, "Ramipril", "5 mg", hm(9, 0))
	})
	tick(t, u, clk, at(8, 59))
	tick(t, u, clk, at(9, 0))
	w := u.cur.reminder
	if w == nil {
		t.Fatal("a due dose should open the reminder window")
	}
	if w.win.Title() != "Time for your medicine" || len(w.rows) != 2 {
		t.Fatalf("window %q with %d rows", w.win.Title(), len(w.rows))
	}
	clk.Set(at(9, 2))
	test.Tap(w.rows[0].taken)
	evs := doseEvents(t, u)
	if len(evs) != 1 || evs[0].State != data.DoseTaken || !evs[0].At.Equal(at(9, 2)) || !evs[0].ScheduledAt.Equal(at(9, 0)) {
		t.Fatalf("events %+v, want one taken at 09:02 for 09:00", evs)
	}
	if w.rows[0].taken.Visible() || w.rows[0].detail.Text != "Taken at 09:02" {
		t.Errorf("row 1 shows %q", w.rows[0].detail.Text)
	}
	// T acts on the first dose not answered yet: the second.
	test.TypeOnCanvas(w.win.Canvas(), "t")
	if evs := doseEvents(t, u); len(evs) != 2 || evs[1].State != data.DoseTaken {
		t.Fatalf("after T: events %+v", evs)
	}
	assertShows(t, w.intro, "All done. You can close this window.")
	test.Tap(w.close)
	if u.cur.reminder != nil {
		t.Error("Close should close the reminder window")
	}
	// A later notice opens it again.
	tick(t, u, clk, at(9, 3))
	if u.cur.reminder != nil {
		t.Error("nothing new is due at 09:03")
	}
}

// (c) Snooze records snoozed until now + snooze_minutes, and the engine asks again then.
func TestReminderSnooze(t *testing.T) {
	clk := &testClock{t: at(7, 0)}
	var med data.Medication
	u := openToday(t, clk, func(ctx context.Context, st *data.Store) {
		med = addMed(t, st, "Metformin", "500 mg", hm(9, 0))
		if _, err := st.PutSetting(ctx, "snooze_minutes", "15"); err != nil {
			t.Fatal(err)
		}
	})
	tick(t, u, clk, at(8, 0))
	tick(t, u, clk, at(9, 0))
	w := u.cur.reminder
	if w == nil || len(w.rows) != 1 {
		t.Fatal("the reminder window should ask about the 09:00 dose")
	}
	clk.Set(at(9, 1))
	test.TypeOnCanvas(w.win.Canvas(), "z")
	ev := eventAt(t, u, at(9, 0))
	if ev.State != data.DoseSnoozed || ev.MedicationID != med.ID || !ev.SnoozeUntil.Equal(at(9, 16)) {
		t.Fatalf("recorded %+v, want snoozed until 09:16", ev)
	}
	if w.rows[0].detail.Text != "Snoozed — you will be reminded again at 09:16" {
		t.Errorf("row shows %q", w.rows[0].detail.Text)
	}
	tick(t, u, clk, at(9, 10))
	if w.rows[0].taken.Visible() {
		t.Error("still snoozed at 09:10")
	}
	tick(t, u, clk, at(9, 16))
	if u.cur.reminder != w || w.rows[0].done || !w.rows[0].taken.Visible() {
		t.Fatal("when the snooze runs out the window should ask again")
	}
	test.Tap(w.rows[0].skip)
	if ev := eventAt(t, u, at(9, 0)); ev.State != data.DoseSkipped {
		t.Errorf("state %q, want skipped", ev.State)
	}
}

func TestSnoozeDefault(t *testing.T) {
	clk := &testClock{t: at(7, 0)}
	u := openToday(t, clk, func(ctx context.Context, st *data.Store) {
		addMed(t, st, "Metformin", "", hm(9, 0))
	})
	tick(t, u, clk, at(8, 0))
	tick(t, u, clk, at(9, 0))
	test.Tap(u.cur.reminder.rows[0].snooze)
	if ev := eventAt(t, u, at(9, 0)); !ev.SnoozeUntil.Equal(at(9, 10)) {
		t.Errorf("snoozed until %s, want 09:10 (10 minutes by default)", ev.SnoozeUntil)
	}
}

// (d) "Log a dose" records an as-needed dose, taken now.
func TestLogAsNeededDose(t *testing.T) {
	clk := &testClock{t: fixedNow}
	var med data.Medication
	u := openToday(t, clk, func(ctx context.Context, st *data.Store) {
		med = addMed(t, st, "Paracetamol", "1 g")
	})
	td := u.today
	if len(td.asNeeded) != 1 || td.asNeeded[0].name.Text != "Paracetamol 1 g" {
		t.Fatalf("as-needed rows: %d", len(td.asNeeded))
	}
	if td.status.Visible() {
		t.Error("an as-needed medicine is something to show: no empty state")
	}
	test.Tap(td.asNeeded[0].log)
	evs := doseEvents(t, u)
	if len(evs) != 1 || evs[0].MedicationID != med.ID || evs[0].State != data.DoseTaken ||
		!evs[0].ScheduledAt.IsZero() || !evs[0].At.Equal(fixedNow) {
		t.Fatalf("events %+v, want one as-needed dose taken now", evs)
	}
	assertShows(t, td.asNeeded[0].status, "Dose logged at 14:30")
}

// (e) The buttons people press are at least 44 px high.
func TestTodayAndReminderButtonsAreBigTargets(t *testing.T) {
	clk := &testClock{t: at(7, 0)}
	u := openToday(t, clk, func(ctx context.Context, st *data.Store) {
		addMed(t, st, "Metformin", "500 mg", hm(9, 0))
		addMed(t, st, "Paracetamol", "1 g")
	})
	tick(t, u, clk, at(8, 0))
	tick(t, u, clk, at(9, 0))
	check := func(name string, b *widget.Button) {
		t.Helper()
		if b == nil {
			t.Errorf("no %s button", name)
			return
		}
		if h := b.Size().Height; h < 44 {
			t.Errorf("%s button is %.0f px high, want at least 44", name, h)
		}
	}
	u.win.Content().Refresh()
	td := u.today
	if len(td.due) != 1 {
		t.Fatalf("due rows: %d", len(td.due))
	}
	check("Today", td.nav.today)
	check("Journal", td.nav.journal)
	check("Lock", td.lockBtn)
	check("Taken", td.due[0].taken)
	check("Skip", td.due[0].skip)
	check("Log a dose", td.asNeeded[0].log)
	w := u.cur.reminder
	w.win.Content().Refresh()
	check("reminder Taken", w.rows[0].taken)
	check("reminder Skip", w.rows[0].skip)
	check("reminder Snooze", w.rows[0].snooze)
	check("reminder Close", w.close)
}

// trayApp is a test app that has a system tray, as desktop apps do.
type trayApp struct {
	fyne.App
	menu *fyne.Menu
}

func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu)  { a.menu = m }
func (a *trayApp) SetSystemTrayIcon(fyne.Resource) {}
func (a *trayApp) SetSystemTrayWindow(fyne.Window) {}

func TestTrayMenu(t *testing.T) {
	p := testProfiles(t, nil)
	none := &trayApp{App: test.NewTempApp(t)}
	newTestUIOn(t, none, p)
	if none.menu != nil {
		t.Fatal("with nothing on the desktop to show it, no tray menu is set (Fyne's costs start-up time)")
	}
	a := &trayApp{App: test.NewTempApp(t)}
	u := newTestUIWith(t, a, Options{Profiles: p, HasTray: func() bool { return true }})
	if a.menu == nil || len(a.menu.Items) != 3 {
		t.Fatalf("tray menu %+v, want Open, Take due doses and Quit", a.menu)
	}
	if open := a.menu.Items[0]; open.Label != "Open Patient Companion" {
		t.Errorf("first item %q", open.Label)
	}
	if take := a.menu.Items[1]; take.Label != "Take due doses" {
		t.Errorf("second item %q", take.Label)
	}
	if q := a.menu.Items[2]; q.Label != "Quit" || !q.IsQuit {
		t.Errorf("last item %q (quit %v)", q.Label, q.IsQuit)
	}
	u.win.Hide()
	a.menu.Items[0].Action()
}

// TestTrayTakeDueDoses: "Take due doses" in the tray records the doses whose time has come
// (within their window) as taken, and leaves the others.
func TestTrayTakeDueDoses(t *testing.T) {
	clk := &testClock{t: at(7, 0)}
	u := openToday(t, clk, func(ctx context.Context, st *data.Store) {
		addMed(t, st, "Metformin", "500 mg", hm(9, 0), hm(20, 0))
		addMed(t, st, "Ramipril", "5 mg", hm(9, 30))
	})
	clk.Set(at(9, 45))
	u.takeDueDoses()
	if ev := eventAt(t, u, at(9, 0)); ev.State != data.DoseTaken || !ev.At.Equal(at(9, 45)) {
		t.Errorf("09:00 dose: %+v, want taken at 09:45", ev)
	}
	evs, _ := u.curStore().DoseEvents(context.Background(), "", time.Time{}, time.Time{})
	if len(evs) != 2 {
		t.Errorf("%d doses recorded, want the two due ones (09:00 and 09:30)", len(evs))
	}
	for _, ev := range evs {
		if ev.ScheduledAt.Equal(at(20, 0)) {
			t.Error("the 20:00 dose was recorded; it is not due yet")
		}
	}
}

// TestCloseKeepsRunning: with a tray, closing the window hides it; the profile and its
// reminder engine keep running, and the engine still reminds.
func TestCloseKeepsRunning(t *testing.T) {
	clk := &testClock{t: at(7, 0)}
	p := testProfiles(t, nil)
	p.Now = clk.Now
	st, _, err := p.Create(context.Background(), data.CreateOptions{Name: "Mum", Passphrase: []byte(goodPass), NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	addMed(t, st, "Metformin", "500 mg", hm(9, 0))
	st.Close()
	a := &trayApp{App: test.NewTempApp(t)}
	u := newTestUIWith(t, a, Options{Profiles: p, HasTray: func() bool { return true }})
	unlockWith(t, u, goodPass)
	eng := u.cur.engine
	u.app.Preferences().SetBool(prefCloseTold, true)
	u.closeRequested() // what the window's close button does
	if u.curStore() == nil || u.cur.engine != eng {
		t.Fatal("closing the window closed the profile or stopped its reminders")
	}
	tick(t, u, clk, at(8, 59))
	tick(t, u, clk, at(9, 0))
	if u.cur.reminder == nil {
		t.Fatal("no reminder after the window was closed")
	}
}

// TestTodayAfterScheduleEdit: doses at the new times that fell before the edit were never
// reminded, so Today does not call them missed.
func TestTodayAfterScheduleEdit(t *testing.T) {
	clk := &testClock{t: at(6, 0)}
	var med data.Medication
	u := openToday(t, clk, func(ctx context.Context, st *data.Store) {
		med = addMed(t, st, "Metformin", "500 mg", hm(8, 0))
	})
	clk.Set(at(12, 0))
	med.Steps = []data.Step{{Times: []data.TimeOfDay{hm(9, 0), hm(18, 0)}}}
	if _, err := u.curStore().UpdateMedication(context.Background(), med); err != nil {
		t.Fatal(err)
	}
	clk.Set(at(12, 5))
	u.refreshToday()
	td := u.today
	for _, r := range td.missed {
		if r.item.At.Equal(at(9, 0)) {
			t.Fatal("09:00, set at 12:00, should not be missed")
		}
	}
	if len(td.later) != 1 || !td.later[0].item.At.Equal(at(18, 0)) {
		t.Errorf("later today: %d rows, want the 18:00 dose", len(td.later))
	}
}
