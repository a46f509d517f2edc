package app

import (
	"context"
	"net/http"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/app/autostart"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/portal/portaltest"
)

func ctrl(u *UI, key fyne.KeyName) {
	u.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault})
}

func TestNavigationShortcuts(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	ctrl(u, fyne.Key3)
	if u.medications == nil {
		t.Fatal("Ctrl+3 should show Medicines")
	}
	ctrl(u, fyne.Key4)
	if u.appointments == nil || u.medications != nil {
		t.Fatal("Ctrl+4 should show Appointments")
	}
	ctrl(u, fyne.Key5)
	if u.messages == nil || u.appointments != nil {
		t.Fatal("Ctrl+5 should show Messages")
	}
	ctrl(u, fyne.Key6)
	if u.settings == nil || u.messages != nil {
		t.Fatal("Ctrl+6 should show Settings")
	}
	test.Tap(u.settings.nav.appointments)
	if u.appointments == nil {
		t.Fatal("the Appointments button should show Appointments")
	}
	test.Tap(u.appointments.nav.messages)
	if u.messages == nil {
		t.Fatal("the Messages button should show Messages")
	}
	test.Tap(u.messages.nav.settings)
	if u.settings == nil {
		t.Fatal("the Settings button should show Settings")
	}
	ctrl(u, fyne.Key1)
	if u.today == nil {
		t.Fatal("Ctrl+1 should show Today")
	}
	assertShows(t, u.today.syncLine, "Not connected to a portal")
}

// TestShortcutsFromTextFields: a text field with the keyboard focus passes the window's
// shortcuts on (Fyne gives the focused field every shortcut), and keeps its own.
func TestShortcutsFromTextFields(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	ctrl(u, fyne.Key2)
	j := u.journal
	test.Tap(j.add)
	u.win.Canvas().Focus(j.name)
	test.Type(j.name, "Headache")
	j.name.TypedShortcut(&fyne.ShortcutSelectAll{})
	if got := j.name.SelectedText(); got != "Headache" {
		t.Errorf("Ctrl+A in the field selected %q, want all of it", got)
	}
	j.name.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.Key3, Modifier: fyne.KeyModifierShortcutDefault})
	if u.medications == nil {
		t.Fatal("Ctrl+3 typed in the journal's name field should show Medicines")
	}
	ctrl(u, fyne.Key6)
	s := u.settings
	s.snooze.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault})
	if !u.isLocked() {
		t.Fatal("Ctrl+L typed in a settings field should lock")
	}
}

func TestAppointmentsEmptyState(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	test.Tap(u.today.nav.appointments)
	assertShows(t, u.appointments.status, tr.T("appointments.empty"))
}

func TestAppointments(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, func(ctx context.Context, st *data.Store) {
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: "Dentist", Start: fixedNow.Add(48 * time.Hour), Location: "High Street"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: "Flu jab", Start: fixedNow.Add(-72 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpsertPortalAppointment(ctx, "a1", "1", data.Appointment{Title: "Cardiology review",
			Start: fixedNow.Add(24 * time.Hour), Location: "Clinic B", Status: "cancelled"}); err != nil {
			t.Fatal(err)
		}
	})
	ctrl(u, fyne.Key4)
	a := u.appointments
	if a == nil {
		t.Fatal("Appointments did not open")
	}
	if a.status.Visible() {
		t.Errorf("status shows %q with appointments", a.status.Text)
	}
	if len(a.upcoming) != 2 || len(a.past) != 1 {
		t.Fatalf("%d upcoming, %d past; want 2 and 1", len(a.upcoming), len(a.past))
	}
	cancelled := a.upcoming[0]
	if cancelled.appt.Title != "Cardiology review" {
		t.Fatalf("first upcoming is %q", cancelled.appt.Title)
	}
	assertShows(t, cancelled.status, "Cancelled")
	assertShows(t, cancelled.source, "From your clinic")
	if !strings.HasPrefix(cancelled.name.Text, "Cancelled") {
		t.Errorf("a cancelled appointment's title reads %q", cancelled.name.Text)
	}
	assertShows(t, cancelled.when, "Tomorrow at 14:30")
	assertShows(t, cancelled.place, "Clinic B")
	dentist := a.upcoming[1]
	if dentist.status.Visible() || dentist.source.Visible() {
		t.Error("a local booked appointment should not say cancelled or from your clinic")
	}
	assertShows(t, dentist.when, "Thu 27 Nov 2025 at 14:30")
	assertShows(t, a.past[0].name, "Flu jab")
	if a.past[0].place.Visible() {
		t.Error("an appointment without a place shows one")
	}

	// The form: nothing typed, then a bad time, then a good one.
	test.Tap(a.add)
	assertShows(t, a.whatErr, tr.T("appointments.no_title"))
	assertShows(t, a.whenErr, tr.T("appointments.bad_when"))
	test.Type(a.what, "Blood test")
	test.Type(a.when, "tomorrow")
	test.Tap(a.add)
	if a.whatErr.Visible() {
		t.Error("the title error stays after typing a title")
	}
	assertShows(t, a.whenErr, tr.T("appointments.bad_when"))
	a.when.SetText("2025-12-01 09:30")
	test.Type(a.place, "Surgery")
	test.Tap(a.add)
	if a.whenErr.Visible() {
		t.Errorf("when error: %q", a.whenErr.Text)
	}
	assertShows(t, a.addState, "Added: Blood test, Mon 1 Dec 2025 at 09:30.")
	if a.what.Text != "" || a.when.Text != "" || a.place.Text != "" {
		t.Error("the form should be empty after adding")
	}
	if len(a.upcoming) != 3 || a.upcoming[2].appt.Title != "Blood test" {
		t.Fatalf("after adding, upcoming = %d", len(a.upcoming))
	}
	list, err := u.curStore().ListAppointments(context.Background(), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, ap := range list {
		if ap.Title == "Blood test" {
			found = true
			if ap.Location != "Surgery" || ap.Source != "local" || !ap.Start.Equal(time.Date(2025, 12, 1, 9, 30, 0, 0, time.UTC)) {
				t.Errorf("stored %+v", ap)
			}
		}
	}
	if !found {
		t.Error("the new appointment was not stored")
	}
}

func TestMessagesSendAndSync(t *testing.T) {
	portal := portaltest.Start(t)
	clk := &testClock{t: fixedNow}
	u := openToday(t, clk, func(ctx context.Context, st *data.Store) {
		if err := st.SetPortalConnection(ctx, data.Portal{URL: portal.Base, PatientID: "p1"}); err != nil {
			t.Fatal(err)
		}
	})
	assertShows(t, u.today.syncLine, "Not synced yet")
	ctrl(u, fyne.Key5)
	m := u.messages
	if m == nil {
		t.Fatal("Messages did not open")
	}
	assertShows(t, m.status, tr.T("messages.empty"))

	test.Tap(m.send)
	assertShows(t, m.composeErr, tr.T("messages.note_empty"))
	test.Type(m.compose, "Can I take ibuprofen with my tablets?")
	test.Tap(m.send)
	if m.composeErr.Visible() || m.compose.Text != "" {
		t.Fatalf("after sending: error %q, box %q", m.composeErr.Text, m.compose.Text)
	}
	if len(m.rows) != 1 {
		t.Fatalf("%d rows", len(m.rows))
	}
	r := m.rows[0]
	assertShows(t, r.mark, tr.T("messages.waiting"))
	if !strings.HasPrefix(r.who.Text, "You") {
		t.Errorf("our note is labelled %q", r.who.Text)
	}
	msgs, err := u.curStore().ListMessages(context.Background())
	if err != nil || len(msgs) != 1 || msgs[0].State != data.MessageQueued || msgs[0].Direction != data.DirectionOut {
		t.Fatalf("stored %+v, %v", msgs, err)
	}
	assertShows(t, m.syncLine, "Not synced yet — 1 note waiting")

	clk.Set(fixedNow.Add(2 * time.Minute))
	test.Tap(m.sync)
	if portal.Created() != 1 {
		t.Fatalf("the portal got %d notes", portal.Created())
	}
	m = u.messages
	assertShows(t, m.rows[0].mark, tr.T("messages.sent"))
	if m.syncMsg.Visible() {
		t.Errorf("after a good sync: %q", m.syncMsg.Text)
	}
	assertShows(t, m.syncLine, "Synced just now")
	clk.Set(fixedNow.Add(4 * time.Minute))
	ctrl(u, fyne.Key1)
	assertShows(t, u.today.syncLine, "Synced 2 min ago")

	// A message from the care team, and one they refused, show in the thread.
	if _, err := u.curStore().UpsertIncomingMessage(context.Background(), "in1",
		data.Message{At: fixedNow.Add(3 * time.Minute), Text: "Yes, that is fine.", Sender: "Nurse Patel"}); err != nil {
		t.Fatal(err)
	}
	ctrl(u, fyne.Key5)
	m = u.messages
	if len(m.rows) != 2 || !strings.HasPrefix(m.rows[1].who.Text, "Nurse Patel") || m.rows[1].mark != nil {
		t.Fatalf("incoming row: %d rows", len(m.rows))
	}
}

func TestSyncOffline(t *testing.T) {
	portal := portaltest.Start(t)
	url := portal.Base
	portal.Close()
	u := openToday(t, &testClock{t: fixedNow}, func(ctx context.Context, st *data.Store) {
		if err := st.SetPortalConnection(ctx, data.Portal{URL: url, PatientID: "p1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddNote(ctx, "Private question about my medicine"); err != nil {
			t.Fatal(err)
		}
	})
	ctrl(u, fyne.Key5)
	m := u.messages
	test.Tap(m.sync)
	m = u.messages
	assertShows(t, m.rows[0].mark, tr.T("messages.waiting"))
	assertShows(t, m.syncLine, "Offline — 1 note waiting")
	assertShows(t, m.syncMsg, tr.T("sync.offline"))
	if m.sync.Disabled() {
		t.Error("Sync now should be available again")
	}
	msgs, _ := u.curStore().ListMessages(context.Background())
	if msgs[0].State != data.MessageQueued {
		t.Errorf("the note is %s", msgs[0].State)
	}
	ctrl(u, fyne.Key1)
	assertShows(t, u.today.syncLine, "Offline — 1 note waiting")
}

func TestSyncNotConnected(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	ctrl(u, fyne.Key5)
	test.Tap(u.messages.sync)
	assertShows(t, u.messages.syncMsg, tr.T("sync.not_linked"))
	assertShows(t, u.messages.syncLine, "Not connected to a portal")
}

func TestMessageMarks(t *testing.T) {
	for _, c := range []struct {
		m    data.Message
		want string
	}{
		{data.Message{State: data.MessageQueued}, "Waiting to send"},
		{data.Message{State: data.MessageSent}, "Sent"},
		{data.Message{State: data.MessageFailed, Error: "the recipient is unknown"}, "Not sent: the recipient is unknown"},
		{data.Message{State: data.MessageFailed}, "Not sent: the portal did not accept it"},
	} {
		if got := messageMark(c.m); got != c.want {
			t.Errorf("messageMark(%s) = %q, want %q", c.m.State, got, c.want)
		}
	}
}

// tickingClock is the tests' clock at fixedNow whose tickers all tick from ticks (the test
// sends); it counts the tickers made and not yet stopped.
type tickingClock struct {
	frozenClock
	ticks chan time.Time
	mu    gosync.Mutex
	live  int
}

func newTickingClock() *tickingClock {
	return &tickingClock{frozenClock: frozenClock{func() time.Time { return fixedNow }}, ticks: make(chan time.Time)}
}

func (c *tickingClock) NewTicker(time.Duration) (<-chan time.Time, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live++
	var once gosync.Once
	return c.ticks, func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.live--
		})
	}
}

func (c *tickingClock) running() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.live
}

func TestPeriodicSync(t *testing.T) {
	portal := portaltest.Start(t)
	clk := newTickingClock()
	sw := newSyncWatch()
	synced := sw.synced
	p := testProfiles(t, nil)
	st, _, err := p.Create(context.Background(), data.CreateOptions{Name: "Mum", Passphrase: []byte(goodPass), NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := st.SetPortalConnection(ctx, data.Portal{URL: portal.Base, PatientID: "p1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddNote(ctx, "Hello"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	a := test.NewTempApp(t)
	u := New(a, Options{Profiles: p, Go: sw.goFn, Tick: -1, SyncEvery: time.Hour, Clock: clk, Sync: sw.sync(clk)})
	u.win.Show()
	t.Cleanup(func() {
		for _, w := range a.Driver().AllWindows() {
			if w == u.win {
				w.Close()
			}
		}
	})
	unlockWith(t, u, goodPass)
	// The first sync runs on opening.
	<-synced
	if portal.Created() != 1 {
		t.Fatalf("after opening, the portal got %d notes", portal.Created())
	}
	assertShows(t, u.today.syncLine, "Synced just now")
	// noteThenTick writes a note, then lets the periodic sync tick once.
	noteThenTick := func(text string) {
		t.Helper()
		if _, err := u.curStore().AddNote(ctx, text); err != nil {
			t.Fatal(err)
		}
		clk.ticks <- fixedNow
		<-synced
	}
	noteThenTick("Another")
	if portal.Created() != 2 {
		t.Fatalf("after a tick, the portal got %d notes", portal.Created())
	}
	// Sync goes on while locked (DESIGN §2); closing the profile stops it.
	u.lock()
	noteThenTick("While locked")
	if portal.Created() != 3 {
		t.Errorf("locking should not stop syncing: the portal got %d notes", portal.Created())
	}
	u.win.Close()
	if n := clk.running(); n != 0 {
		t.Errorf("closing the profile should stop its syncing (%d tickers still running)", n)
	}
}

func TestSettings(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	ctrl(u, fyne.Key6)
	s := u.settings
	if s == nil {
		t.Fatal("Settings did not open")
	}
	if s.hideNames.Checked || !s.startLogin.Checked || s.autoLock.Text != "5" || s.snooze.Text != "10" || s.apptRem.Text != "24h,1h" {
		t.Fatalf("defaults: hide %v, start %v, lock %q, snooze %q, appt %q",
			s.hideNames.Checked, s.startLogin.Checked, s.autoLock.Text, s.snooze.Text, s.apptRem.Text)
	}
	get := func(key string) string {
		t.Helper()
		set, err := u.curStore().Settings(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		v, err := set.Text(key)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	test.Tap(s.hideNames)
	if v := get("hide_medicine_names"); v != "true" {
		t.Errorf("hide_medicine_names = %q", v)
	}
	test.Tap(s.startLogin)
	if v := get("start_at_login"); v != "false" {
		t.Errorf("start_at_login = %q", v)
	}
	test.Tap(s.startLogin)
	if v := get("start_at_login"); v != "true" {
		t.Errorf("start_at_login = %q after ticking it again", v)
	}

	// An invalid auto-lock value shows an error and saves nothing.
	s.autoLock.SetText("soon")
	s.snooze.SetText("15")
	test.Tap(s.save)
	assertShows(t, s.autoLockErr, "Use a whole number from 0 to 1440.")
	if get("auto_lock_minutes") != "5" || get("snooze_minutes") != "10" {
		t.Error("nothing should be saved while a field is wrong")
	}
	s.autoLock.SetText(" 20 ")
	test.Tap(s.save)
	if s.autoLockErr.Visible() {
		t.Error("the error should go once the value is right")
	}
	assertShows(t, s.saveMsg, msgSettingsSaved())
	if get("auto_lock_minutes") != "20" || get("snooze_minutes") != "15" {
		t.Errorf("saved %q, %q", get("auto_lock_minutes"), get("snooze_minutes"))
	}
	if s.autoLock.Text != "20" {
		t.Errorf("the field should show the saved value, shows %q", s.autoLock.Text)
	}

	// Reopened, the screen shows what was saved.
	ctrl(u, fyne.Key1)
	ctrl(u, fyne.Key6)
	s = u.settings
	if !s.hideNames.Checked || !s.startLogin.Checked || s.autoLock.Text != "20" {
		t.Error("settings not shown as saved")
	}
}

func TestSendTestReminder(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	ctrl(u, fyne.Key6)
	test.Tap(u.settings.testBtn)
	w := u.cur.reminder
	if w == nil {
		t.Fatal("the test reminder should open the reminder window")
	}
	assertShows(t, w.head, "Test reminder")
	assertShows(t, w.intro, "Reminders are working.")
	if len(w.rows) != 0 {
		t.Error("the test reminder has no doses")
	}
	if !u.settings.testMsg.Visible() {
		t.Error("the settings screen should say the test was sent")
	}
	test.Tap(w.close)
	if u.cur.reminder != nil {
		t.Error("Close should close the reminder window")
	}
	// Nothing was recorded.
	if evs := doseEvents(t, u); len(evs) != 0 {
		t.Errorf("events %+v", evs)
	}
}

func TestSettingsPortal(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, func(ctx context.Context, st *data.Store) {
		if err := st.SetPortalConnection(ctx, data.Portal{URL: "https://portal.example.org/fhir", PatientID: "p1"}); err != nil {
			t.Fatal(err)
		}
		if err := st.SetLastSync(ctx, fixedNow.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	})
	ctrl(u, fyne.Key6)
	s := u.settings
	assertShows(t, s.portalText, "Connected to https://portal.example.org/fhir\nPatient: p1\nLast synced: Tue 25 Nov 2025 at 13:30")
	if !s.disconnect.Visible() {
		t.Fatal("Disconnect should show while connected")
	}
	u.disconnectPortal()
	if s.disconnect.Visible() || !strings.HasPrefix(s.portalText.Text, "Not connected") {
		t.Errorf("after disconnecting: %q", s.portalText.Text)
	}
	p, err := u.curStore().PortalConnection(context.Background())
	if err != nil || p.URL != "" {
		t.Errorf("stored connection %+v, %v", p, err)
	}
}

func TestSyncSignInAgain(t *testing.T) {
	portal := portaltest.Start(t)
	portal.FailAll(http.StatusUnauthorized)
	u := openToday(t, &testClock{t: fixedNow}, func(ctx context.Context, st *data.Store) {
		if err := st.SetPortalConnection(ctx, data.Portal{URL: portal.Base, PatientID: "p1"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddNote(ctx, "Secret words"); err != nil {
			t.Fatal(err)
		}
	})
	ctrl(u, fyne.Key5)
	test.Tap(u.messages.sync)
	assertShows(t, u.messages.syncLine, "Sign in again")
	assertShows(t, u.messages.syncMsg, tr.T("sync.sign_in_notes"))
	assertShows(t, u.messages.rows[0].mark, tr.T("messages.waiting"))
}

// lockPolicy is a clinic that set hide_medicine_names and auto_lock_minutes for good.
type lockPolicy struct{}

func (lockPolicy) Default(key string) string {
	switch key {
	case "hide_medicine_names":
		return "true"
	case "auto_lock_minutes":
		return "2"
	}
	return ""
}
func (lockPolicy) IsLocked(key string) bool {
	return key == "hide_medicine_names" || key == "auto_lock_minutes"
}

func TestSettingsLockedByClinic(t *testing.T) {
	p := testProfiles(t, nil)
	p.Policy = lockPolicy{}
	passProfile(t, p, "Mum")
	u := newTestUI(t, p)
	unlockWith(t, u, goodPass)
	ctrl(u, fyne.Key6)
	s := u.settings
	if !s.hideNames.Checked || !s.hideNames.Disabled() || !s.autoLock.Disabled() || s.autoLock.Text != "2" || !s.clinic.Visible() {
		t.Fatalf("locked settings: hide %v/%v, lock %q/%v", s.hideNames.Checked, s.hideNames.Disabled(), s.autoLock.Text, s.autoLock.Disabled())
	}
	if s.snooze.Disabled() || s.startLogin.Disabled() {
		t.Error("settings the clinic did not lock should stay changeable")
	}
	s.snooze.SetText("20")
	test.Tap(s.save)
	assertShows(t, s.saveMsg, msgSettingsSaved())
	if set, _ := u.curStore().Settings(context.Background()); set.Snooze != 20*time.Minute {
		t.Errorf("snooze = %s", set.Snooze)
	}
}

// TestSettingsConnect: connecting from Settings to a portal without sign-in needs the
// patient id; with it, the profile is connected and a first sync runs.
func TestSettingsConnect(t *testing.T) {
	base := portaltest.Start(t).Base // it knows Patient/p1 (portaltest.Patient)

	u := openToday(t, &testClock{t: fixedNow}, nil)
	ctrl(u, fyne.Key6)
	s := u.settings
	if !s.connectForm.Visible() {
		t.Fatal("the connect form should show while not connected")
	}
	u.connectPortal("http://portal.example.org/fhir", "", "p1")
	assertShows(t, s.portalMsg, "That address is not secure (it must start with https://). Please check it with your clinic.")
	u.connectPortal(base, "", "")
	assertShows(t, s.portalMsg, "The portal did not say whose records these are: type the patient id your clinic gave you.")
	u.connectPortal(base, "", "nobody")
	assertShows(t, s.portalMsg, "The portal does not know that patient id. Please check it with your clinic.")
	u.connectPortal(base, "", "p1")
	assertShows(t, s.portalMsg, "Connected. Your appointments and messages will arrive shortly.")
	p, err := u.curStore().PortalConnection(context.Background())
	if err != nil || p.URL != base || p.PatientID != "p1" {
		t.Fatalf("stored connection %+v, %v", p, err)
	}
	if s.connectForm.Visible() || !s.disconnect.Visible() {
		t.Error("after connecting, the form should give way to Disconnect")
	}
}

// TestSaveFailureDialog: when the disk refuses a save, the person is told in a dialog what
// did not happen and what to do, and what they typed stays in the form.
func TestSaveFailureDialog(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	ctrl(u, fyne.Key4)
	a := u.appointments
	test.Type(a.what, "Physiotherapy")
	test.Type(a.when, "2025-12-02 10:30")
	_ = u.curStore().Close() // the journal file goes away under the window
	test.Tap(a.add)
	assertShows(t, a.addState, tr.T("appointments.save_failed"))
	top := u.win.Canvas().Overlays().Top()
	if top == nil || !hasTextContaining(top, "The appointment was not saved") || !hasTextContaining(top, "still there") {
		t.Fatal("a failed save should explain itself in a dialog")
	}
	if a.what.Text != "Physiotherapy" || a.when.Text != "2025-12-02 10:30" {
		t.Errorf("the form lost what was typed: %q %q", a.what.Text, a.when.Text)
	}
}

// TestStartAtLoginFollowsTheSetting: "Start when I log in" is stored once, in the profile,
// and the login entry follows it: unticking removes the entry (it used to stay), ticking
// puts it back, and showing a profile whose setting is off (changed with the command line)
// removes it too.
func TestStartAtLoginFollowsTheSetting(t *testing.T) {
	cfg := t.TempDir()
	entry := autostart.Entry{Exe: "/opt/companion/companion", Getenv: func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return cfg
		}
		return ""
	}}
	p := testProfiles(t, nil)
	passProfile(t, p, "Mum")
	u := newTestUIWith(t, test.NewTempApp(t), Options{Profiles: p, Autostart: entry})
	unlockWith(t, u, goodPass)
	if !entry.Enabled() {
		t.Fatal("showing a profile with start at login on (the default) should add the login entry")
	}
	ctrl(u, fyne.Key6)
	s := u.settings
	if !s.startLogin.Checked {
		t.Fatal("the box should show the profile's setting (on)")
	}
	test.Tap(s.startLogin)
	if entry.Enabled() {
		t.Fatal("unticking Start when I log in should remove the login entry")
	}
	test.Tap(s.startLogin)
	if !entry.Enabled() {
		t.Fatal("ticking it again should put the login entry back")
	}
	// Turned off elsewhere (the command line): the next time the profile is shown.
	if _, err := u.curStore().PutSetting(context.Background(), data.KeyStartAtLogin, "false"); err != nil {
		t.Fatal(err)
	}
	u.lock()
	unlockWith(t, u, goodPass)
	if entry.Enabled() {
		t.Fatal("a profile whose start at login is off should remove the login entry when shown")
	}
}

// TestScreensFitLargeText: at 100 %, 150 % and 200 % text every screen fits a 1000 px wide
// window (the window grew past the screen's edge at 200 % before; the Journal and
// Medicines have their own tests, which also check the height).
func TestScreensFitLargeText(t *testing.T) {
	u := openToday(t, &testClock{t: at(9, 0)}, fillProfile(t))
	pad := 2 * u.win.Canvas().Scale() * 6 // the window's own padding around its content
	for _, scale := range []float32{1, 1.5, 2} {
		u.setTextScale(scale)
		for _, s := range []struct {
			name string
			key  fyne.KeyName
		}{{"Today", fyne.Key1}, {"Appointments", fyne.Key4}, {"Messages", fyne.Key5}, {"Settings", fyne.Key6}} {
			ctrl(u, fyne.Key2) // away, so the screen is built afresh at this size
			ctrl(u, s.key)
			if w := u.win.Content().MinSize().Width + pad; w > 1000 {
				t.Errorf("%s at %.0f %% text needs %.0f px", s.name, scale*100, w)
			}
		}
	}
}

// TestHeldProfileSyncs: a profile held behind another keeps syncing with its portal, so a
// caregiver's notes for Mum go out while Dad's journal is on screen.
func TestHeldProfileSyncs(t *testing.T) {
	portal := portaltest.Start(t)
	clk := newTickingClock()
	sw := newSyncWatch()
	synced := sw.synced
	ctx := context.Background()
	p := testProfiles(t, nil)
	mum, _ := makeProfile(t, p, data.CreateOptions{Name: "Mum", Passphrase: []byte(goodPass), NoKeyring: true})
	dad, _ := makeProfile(t, p, data.CreateOptions{Name: "Dad", Passphrase: []byte("dads passphrase"), NoKeyring: true})
	st, err := p.Open(ctx, mum, data.Credentials{Passphrase: []byte(goodPass)})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetPortalConnection(ctx, data.Portal{URL: portal.Base, PatientID: "p1"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	a := test.NewTempApp(t)
	u := newTestUIWith(t, a, Options{Profiles: p, Clock: clk, Sync: sw.sync(clk)})
	// newTestUIWith turns the loops off; this test ticks them itself, and watches the syncs.
	u.opt.SyncEvery, u.opt.Go = time.Hour, sw.goFn
	u.app.Preferences().SetString(prefLastProfile, mum.ID)
	u.showStart()
	unlockWith(t, u, goodPass)
	<-synced // Mum's first sync, on opening
	mumP := u.cur
	u.today.nav.switcher.SetSelected("Dad")
	unlockWith(t, u, "dads passphrase")
	<-synced // Dad's
	if u.curStore().Info().ID != dad.ID || u.heldByID(mum.ID) != mumP {
		t.Fatal("Dad on screen, Mum held")
	}
	if _, err := mumP.store.AddNote(ctx, "For Mum's nurse"); err != nil {
		t.Fatal(err)
	}
	before := portal.Created()
	// Both profiles' loops listen to the same test ticks: tick until Mum's has run.
	for i := 0; i < 10 && portal.Created() == before; i++ {
		clk.ticks <- fixedNow
		<-synced
	}
	if portal.Created() != before+1 {
		t.Fatalf("Mum's note did not reach her portal while she was held (%d sent)", portal.Created()-before)
	}
	// Back on screen, it is the same open profile: her sync comes with her.
	u.today.nav.switcher.SetSelected("Mum")
	if u.cur != mumP {
		t.Error("Mum's open profile should come forward as it was")
	}
}
