package app

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/app/notify"
	"github.com/patient-companion/companion/data"
)

// fakeServer is a notification server with actions and without a bus (the round trip
// through the real dunst is app/notify's TestActionRoundTripThroughDunst).
type fakeServer struct {
	mu     sync.Mutex
	titles []string
	ids    []uint32
	events chan notify.Event
}

func (f *fakeServer) Capabilities(context.Context) ([]string, error) {
	return []string{"body", "actions"}, nil
}

func (f *fakeServer) Send(_ context.Context, m notify.Message) (uint32, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.titles = append(f.titles, m.Title)
	id := uint32(len(f.titles))
	if m.Actions != nil {
		f.ids = append(f.ids, id)
	}
	return id, nil
}

func (f *fakeServer) Events(context.Context) (<-chan notify.Event, error) { return f.events, nil }

// engineTick runs one check of the open profile id's engine at now.
func engineTick(t *testing.T, u *UI, clk *testClock, id string, now time.Time) {
	t.Helper()
	clk.Set(now)
	p := u.openByID(id)
	if p == nil || p.engine == nil {
		t.Fatalf("profile %s is not open", id)
	}
	if _, err := p.engine.Tick(context.Background(), now); err != nil {
		t.Fatalf("Tick(%s): %v", now, err)
	}
}

func eventOf(t *testing.T, st *data.Store, sched time.Time) data.DoseEvent {
	t.Helper()
	evs, err := st.DoseEvents(context.Background(), "", sched, sched.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 {
		return data.DoseEvent{}
	}
	return evs[0]
}

// TestNotificationTakeWhileLocked: Take on a reminder's desktop notification records the
// dose as taken in the profile it belongs to — here Anne's, held behind Bob with the window
// locked — and not in Bob's, who has a dose at the same time; the notification named no
// medicine (locked), and Anne's reminder window shows the dose taken.
func TestNotificationTakeWhileLocked(t *testing.T) {
	ctx := context.Background()
	clk := &testClock{t: at(7, 0)}
	p := testProfiles(t, nil)
	p.Now = clk.Now
	anne := passProfile(t, p, "Anne")
	bob := passProfileAs(t, p, "Bob", "bobs passphrase")
	for _, who := range []struct {
		info data.ProfileInfo
		pass string
	}{{anne, goodPass}, {bob, "bobs passphrase"}} {
		st, err := p.Open(ctx, who.info, data.Credentials{Passphrase: []byte(who.pass)})
		if err != nil {
			t.Fatal(err)
		}
		addMed(t, st, "Metformin", "500 mg", hm(8, 0))
		st.Close()
	}
	srv := &fakeServer{events: make(chan notify.Event, 4)}
	center := &notify.Center{Server: srv}
	u := newTestUIWith(t, test.NewTempApp(t), Options{Profiles: p, Actions: center.Show})
	center.OnAction = u.NotificationAction
	unlockWith(t, u, goodPass)
	u.today.nav.switcher.SetSelected("Bob")
	unlockWith(t, u, "bobs passphrase")
	u.lock()
	for _, id := range []string{anne.ID, bob.ID} {
		engineTick(t, u, clk, id, at(7, 0))
		engineTick(t, u, clk, id, at(8, 0))
	}
	if len(srv.ids) != 2 || srv.titles[0] != "Anne — time for the 08:00 medicine" || srv.titles[1] != "Bob — time for the 08:00 medicine" {
		t.Fatalf("notifications %q (with actions: %v), want Anne's and Bob's with Take and Snooze, without names", srv.titles, srv.ids)
	}

	clk.Set(at(8, 3))
	srv.events <- notify.Event{ID: srv.ids[0], Action: notify.ActionTake}
	close(srv.events)
	if err := center.Run(ctx); err != nil { // hands the click over, then ends with the events
		t.Fatal(err)
	}
	h := u.heldByID(anne.ID)
	if ev := eventOf(t, h.store, at(8, 0)); ev.State != data.DoseTaken || !ev.At.Equal(at(8, 3)) {
		t.Fatalf("Anne's 08:00 after Take on the notification: %+v", ev)
	}
	if ev := eventOf(t, u.cur.store, at(8, 0)); ev.State != "" {
		t.Fatalf("Bob's 08:00 was answered by Anne's notification: %+v", ev)
	}
	if w := h.reminder; w == nil || len(w.rows) != 1 || w.rows[0].detail.Text != "Taken at 08:03" || !w.rows[0].done {
		t.Fatalf("Anne's reminder window should show the dose taken (%v)", w)
	}
}

// TestCaregiverAlertAcrossProfiles: Anne's dose still unanswered an hour after its time is
// told to Bob, who has his profile open on the same computer — a notification naming Anne
// (without the medicine's name while the window is locked) — and Everyone marks it. With
// Anne's profile the only one open, nobody is told.
func TestCaregiverAlertAcrossProfiles(t *testing.T) {
	ctx := context.Background()
	clk := &testClock{t: at(7, 0)}
	p := testProfiles(t, nil)
	p.Now = clk.Now
	anne := passProfile(t, p, "Anne")
	passProfileAs(t, p, "Bob", "bobs passphrase")
	st, err := p.Open(ctx, anne, data.Credentials{Passphrase: []byte(goodPass)})
	if err != nil {
		t.Fatal(err)
	}
	addMed(t, st, "Metformin", "500 mg", hm(8, 0), hm(12, 0))
	st.Close()
	n := notified{make(chan string, 16)}
	u := newTestUIWith(t, test.NewTempApp(t), Options{Profiles: p, Notify: n.notify})
	unlockWith(t, u, goodPass)
	said := func() []string {
		var out []string
		for {
			select {
			case s := <-n.ch:
				out = append(out, s)
			default:
				return out
			}
		}
	}
	// Anne alone: her own reminders, no alert.
	for _, now := range []time.Time{at(7, 0), at(8, 0), at(8, 30), at(9, 0).Add(5 * time.Second)} {
		engineTick(t, u, clk, anne.ID, now)
	}
	for _, s := range said() {
		if strings.Contains(s, "not marked taken") {
			t.Fatalf("with nobody else here, an alert was sent: %q", s)
		}
	}

	u.today.nav.switcher.SetSelected("Bob")
	unlockWith(t, u, "bobs passphrase")
	for _, now := range []time.Time{at(12, 0), at(12, 30)} {
		engineTick(t, u, clk, anne.ID, now)
	}
	said()
	u.lock()
	engineTick(t, u, clk, anne.ID, at(13, 0).Add(5*time.Second))
	if got := said(); len(got) != 1 || got[0] != "Anne — the 12:00 medicine is not marked taken yet" {
		t.Fatalf("alert %q, want one naming Anne, without the medicine (locked)", got)
	}
	unlockWith(t, u, "bobs passphrase")
	ctrl(u, fyne.Key0)
	if u.overview == nil {
		t.Fatal("no Everyone screen")
	}
	for _, r := range u.overview.rows {
		switch r.name.Text {
		case "Anne": // held, and locked still
			if want := "Locked. Reminders still come, without medicine names.\n⚠ Not marked taken for over an hour: 12:00"; r.detail.Text != want {
				t.Errorf("Everyone says of Anne %q, want %q", r.detail.Text, want)
			}
		case "Bob":
			if strings.Contains(r.detail.Text, "Not marked taken") {
				t.Errorf("Everyone marks Bob: %q", r.detail.Text)
			}
		}
	}
	// Anne unlocked: her row marks it above what is due, with its name.
	for _, r := range u.overview.rows {
		if r.name.Text == "Anne" {
			test.Tap(r.show) // "Unlock…"
		}
	}
	unlockWith(t, u, goodPass)
	ctrl(u, fyne.Key0)
	for _, r := range u.overview.rows {
		if r.name.Text == "Anne" && !strings.HasPrefix(r.detail.Text,
			"⚠ Not marked taken for over an hour: 12:00\nTo take now (1): Metformin 500 mg at 12:00") {
			t.Errorf("Everyone says of Anne, unlocked, %q", r.detail.Text)
		}
	}
}

// TestCaregiverAlertSetting: the caregiver alert is set per person in Settings, with the
// reminders, and checked like the other numbers.
func TestCaregiverAlertSetting(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	ctrl(u, fyne.Key6)
	s := u.settings
	if s == nil || s.careAlert.Text != "60" {
		t.Fatalf("Settings should show the caregiver alert's 60 minutes (%v)", s)
	}
	get := func() string {
		t.Helper()
		set, err := u.curStore().Settings(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(func() string { v, _ := set.Text(data.KeyCaregiverAlertMinutes); return v }())
	}
	s.careAlert.SetText("-5")
	test.Tap(s.save)
	if !s.careAlertErr.Visible() || get() != "60" {
		t.Fatalf("-5 minutes: message %q, stored %q", s.careAlertErr.Text, get())
	}
	s.careAlert.SetText("90")
	test.Tap(s.save)
	if s.careAlertErr.Visible() || get() != "90" {
		t.Fatalf("90 minutes: message %q, stored %q", s.careAlertErr.Text, get())
	}
}
