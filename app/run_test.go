package app

import (
	"context"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/data"
)

// handClock is a window clock whose one-shot timers the test fires by hand; its tickers
// never tick, so anything that happens came from a timer (never from a poll).
type handClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []handTimer
	armed   chan time.Duration // each delay asked for (buffered)
	stopped chan time.Duration // each timer stopped, by its duration (buffered): its owner is done with it
	tickers chan time.Duration // each ticker's period (buffered)
}

type handTimer struct {
	at time.Time
	c  chan time.Time
}

func newHandClock(now time.Time) *handClock {
	return &handClock{now: now, armed: make(chan time.Duration, 64), stopped: make(chan time.Duration, 64),
		tickers: make(chan time.Duration, 64)}
}

func (c *handClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *handClock) NewTicker(d time.Duration) (<-chan time.Time, func()) {
	c.tickers <- d
	return nil, func() {}
}

func (c *handClock) NewTimer(d time.Duration) (<-chan time.Time, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.timers = append(c.timers, handTimer{c.now.Add(d), ch})
	c.armed <- d
	return ch, func() { c.stopped <- d }
}

// advance moves the clock to t and fires every timer due by then.
func (c *handClock) advance(t time.Time) {
	c.mu.Lock()
	c.now = t
	var keep []handTimer
	for _, tm := range c.timers {
		if !tm.at.After(t) {
			tm.c <- t
		} else {
			keep = append(keep, tm)
		}
	}
	c.timers = keep
	c.mu.Unlock()
}

// waitArmed waits for a timer of delay d to be armed (by the window's goroutines).
func (c *handClock) waitArmed(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.After(20 * time.Second) // a bound on a broken test, not a wait for the app
	for {
		select {
		case got := <-c.armed:
			if got == d {
				return
			}
		case <-deadline:
			t.Fatalf("no timer of %s was armed", d)
		}
	}
}

// notified collects the desktop notifications the window sends (Options.Notify).
type notified struct {
	ch chan string
}

func (n notified) notify(_ context.Context, title, body string) error {
	n.ch <- title
	return nil
}

func (n notified) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-n.ch:
		return s
	case <-time.After(20 * time.Second): // a bound on a broken test, not a wait for the app
		t.Fatal("no notification")
		return ""
	}
}

// runningUI is a window whose reminder engines run (remind.Engine.Run) on the hand clock.
func runningUI(t *testing.T, p *data.Profiles, clk *handClock, n notified) *UI {
	t.Helper()
	a := test.NewTempApp(t)
	return showUntilEnd(t, a, New(a, Options{Profiles: p, Go: syncGo, Tick: 0, SyncEvery: -1, Clock: clk,
		Notify: n.notify, HasTray: func() bool { return false }}))
}

// withMed gives the profile info a medicine taken at 08:00.
func withMed(t *testing.T, p *data.Profiles, info data.ProfileInfo) {
	t.Helper()
	st, err := p.Open(context.Background(), info, data.Credentials{Passphrase: []byte(goodPass)})
	if err != nil {
		t.Fatal(err)
	}
	addMed(t, st, "Metformin", "500 mg", hm(8, 0))
	st.Close()
}

// TestReminderOnTheMinute: the window runs the engine's own loop, which arms a timer for the
// next dose, so the 08:00 reminder comes at 08:00 — here without the 30-second safety tick
// ever ticking (the old loop only ticked, up to 30 s late).
func TestReminderOnTheMinute(t *testing.T) {
	clk := newHandClock(at(7, 59).Add(45 * time.Second))
	p := testProfiles(t, nil)
	p.Now = clk.Now
	withMed(t, p, passProfile(t, p, "Mum"))
	n := notified{make(chan string, 8)}
	u := runningUI(t, p, clk, n)
	unlockWith(t, u, goodPass)
	clk.waitArmed(t, 15*time.Second)
	clk.advance(at(8, 0))
	if got := n.next(t); got != "Time for your 08:00 Metformin 500 mg" {
		t.Fatalf("notification %q", got)
	}
}

// TestHeldProfileNamedByTheEngine: with two people on the computer a reminder names its
// person the engine's way, "Anne — time for the 08:00 …", also when Anne is held behind
// Bob (the window used to prefix "Anne: Time for your …" for a held profile only).
func TestHeldProfileNamedByTheEngine(t *testing.T) {
	clk := newHandClock(at(7, 59).Add(45 * time.Second))
	p := testProfiles(t, nil)
	p.Now = clk.Now
	anne := passProfile(t, p, "Anne") // listed first: opened first
	passProfileAs(t, p, "Bob", "bobs passphrase")
	withMed(t, p, anne)
	n := notified{make(chan string, 8)}
	u := runningUI(t, p, clk, n)
	unlockWith(t, u, goodPass)
	clk.waitArmed(t, 15*time.Second)
	u.today.nav.switcher.SetSelected("Bob")
	unlockWith(t, u, "bobs passphrase")
	if h := u.heldByID(anne.ID); h == nil {
		t.Fatal("Anne should be held behind Bob")
	}
	clk.advance(at(8, 0))
	if got := n.next(t); got != "Anne — time for the 08:00 Metformin 500 mg" {
		t.Fatalf("notification %q", got)
	}
}

// TestIdleLockByTimer: the window locks after the idle time by a timer armed for that
// moment, not by a poll (the engine's 30-second loop used to check), and the pointer moving
// over the window counts as activity.
func TestIdleLockByTimer(t *testing.T) {
	clk := newHandClock(at(9, 0))
	p := testProfiles(t, nil)
	p.Now = clk.Now
	passProfile(t, p, "Mum")
	u := runningUI(t, p, clk, notified{make(chan string, 8)})
	unlockWith(t, u, goodPass)
	clk.waitArmed(t, 5*time.Minute)

	// The pointer moves at 09:03: at 09:05 the timer finds activity and waits on to 09:08.
	clk.advance(at(9, 3))
	fyne.Do(func() { test.MoveMouse(u.win.Canvas(), fyne.NewPos(600, 650)) })
	clk.advance(at(9, 5))
	clk.waitArmed(t, 3*time.Minute)
	if u.isLocked() {
		t.Fatal("moving the pointer should count as activity")
	}
	for len(clk.stopped) > 0 {
		<-clk.stopped
	}
	clk.advance(at(9, 8))
	// The idle timer (armed for 3 minutes at 09:05) stops once its check has run; other
	// timers (the reminder engine's, re-armed as the profile locks) may stop before it.
	for done := false; !done; {
		select {
		case d := <-clk.stopped:
			done = d == 3*time.Minute
		case <-time.After(20 * time.Second): // a bound on a broken test, not a wait for the app
			t.Fatal("nothing happened at 09:08")
		}
	}
	if !u.isLocked() || u.unlock == nil {
		t.Fatal("five idle minutes should lock, by the timer alone")
	}
}

// TestCloseHidesWithoutTray: without a tray, closing the window hides it and the profile and
// its reminders go on (closing used to quit); the first close says so, with Quit for whoever
// meant it; later closes just hide; Show brings the window back.
func TestCloseHidesWithoutTray(t *testing.T) {
	p := testProfiles(t, nil)
	passProfile(t, p, "Mum")
	u := newTestUI(t, p)
	unlockWith(t, u, goodPass)
	eng := u.cur.engine
	u.closeRequested()
	top := u.win.Canvas().Overlays().Top()
	if top == nil || !hasTextContaining(top, "keeps running") || !hasTextContaining(top, "start Patient Companion again") {
		t.Fatal("the first close should say the app keeps running and how to come back")
	}
	if u.hidden {
		t.Fatal("hidden before the person read why")
	}
	tapButton(t, top, "Hide the window")
	if !u.hidden || u.cur == nil || u.cur.engine != eng || u.cur.ctx.Err() != nil {
		t.Fatal("closing should hide the window and keep the profile and its reminders")
	}
	u.Show()
	if u.hidden {
		t.Fatal("Show should bring the window back")
	}
	u.closeRequested()
	if !u.hidden || u.win.Canvas().Overlays().Top() != nil {
		t.Fatal("a later close should hide at once, without asking again")
	}
}

// tapButton taps the button labelled text inside o.
func tapButton(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	var found *widget.Button
	walkObjects(o, func(c fyne.CanvasObject) bool {
		b, ok := c.(*widget.Button)
		if ok && b.Text == text {
			found = b
		}
		return found != nil
	})
	if found == nil {
		t.Fatalf("no button %q", text)
	}
	test.Tap(found)
}

// TestHiddenWindowHoldsNoFocus: a hidden window gives up the focus (a focused field's cursor
// blinks, redrawing the window many times a second, hidden or not) and takes it back when it
// shows again.
func TestHiddenWindowHoldsNoFocus(t *testing.T) {
	p := testProfiles(t, nil)
	passProfile(t, p, "Mum")
	u := newTestUI(t, p)
	unlockWith(t, u, goodPass)
	u.lock()
	if u.unlock == nil || u.win.Canvas().Focused() != nil || u.typeTo != u.unlock.pass {
		t.Fatalf("the lock screen should leave its passphrase field unfocused (its cursor would blink) and take typing into it: focused %T", u.win.Canvas().Focused())
	}
	// The first key typed wakes the field and goes into it; Enter alone only wakes it (an
	// empty passphrase would count as a wrong try).
	u.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if u.win.Canvas().Focused() != u.unlock.pass || u.failures != 0 {
		t.Fatalf("Enter on the lock screen: focused %T, %d wrong tries", u.win.Canvas().Focused(), u.failures)
	}
	u.win.Canvas().Unfocus()
	u.win.Canvas().OnTypedRune()('x')
	if u.win.Canvas().Focused() != u.unlock.pass || u.unlock.pass.Text != "x" {
		t.Fatalf("typing on the lock screen: focused %T, field %q", u.win.Canvas().Focused(), u.unlock.pass.Text)
	}
	u.app.Preferences().SetBool(prefCloseTold, true)
	u.closeRequested()
	if f := u.win.Canvas().Focused(); f != nil {
		t.Fatalf("the hidden window still holds the focus: %T", f)
	}
	u.Show()
	if u.win.Canvas().Focused() != u.unlock.pass {
		t.Fatal("shown again, the passphrase field should have the focus")
	}
}

// TestSettingsDamagedSaysSo: a damaged setting shows its usual value and says the file was
// damaged, instead of the screen failing to load (nothing is skipped silently).
func TestSettingsDamagedSaysSo(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, nil)
	if _, err := u.curStore().PutSetting(context.Background(), data.KeySnoozeMinutes, "20"); err != nil {
		t.Fatal(err)
	}
	if _, err := u.curStore().DB().Exec(`UPDATE settings SET sealed = sealed || x'00' WHERE key = 'snooze_minutes'`); err != nil {
		t.Fatal(err)
	}
	ctrl(u, fyne.Key6)
	s := u.settings
	assertShows(t, s.status, msgSettingsDamaged())
	if s.snooze.Text != "10" || s.autoLock.Text != "5" {
		t.Fatalf("shown: snooze %q, auto-lock %q", s.snooze.Text, s.autoLock.Text)
	}
}

// syncPolicy is a clinic that sets the portal sync interval (clinic.json's
// policy.sync_interval_minutes).
type syncPolicy struct{}

func (syncPolicy) Default(key string) string {
	if key == "sync_interval_minutes" {
		return "30"
	}
	return ""
}
func (syncPolicy) IsLocked(string) bool { return false }

// TestClinicSyncInterval: the window syncs as often as the clinic's sync_interval_minutes
// says (validated and documented, it used to be read by nothing: always 15 minutes).
func TestClinicSyncInterval(t *testing.T) {
	clk := newHandClock(at(9, 0))
	p := testProfiles(t, nil)
	p.Now = clk.Now
	p.Policy = syncPolicy{}
	passProfile(t, p, "Mum")
	a := test.NewTempApp(t)
	u := showUntilEnd(t, a, New(a, Options{Profiles: p, Go: syncGo, Tick: -1, Clock: clk,
		HasTray: func() bool { return false }}))
	unlockWith(t, u, goodPass)
	select {
	case d := <-clk.tickers:
		if d != 30*time.Minute {
			t.Fatalf("sync every %s, want the clinic's 30m", d)
		}
	case <-time.After(20 * time.Second): // a bound on a broken test, not a wait for the app
		t.Fatal("no sync loop started")
	}
}
