package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

// TestLockKeepsRemindersRunning: locking hides the screens but the profile stays open and its
// reminders keep coming, without medicine names; Taken still works; the passphrase unlocks.
func TestLockKeepsRemindersRunning(t *testing.T) {
	clk := &testClock{t: at(7, 0)}
	u := openToday(t, clk, func(ctx context.Context, st *data.Store) {
		addMed(t, st, "Metformin", "500 mg", hm(9, 0))
	})
	st, eng := u.curStore(), u.cur.engine
	tick(t, u, clk, at(8, 0))
	ctrl(u, fyne.KeyL)
	if !u.isLocked() || u.unlock == nil || u.today != nil {
		t.Fatal("Ctrl+L should show the lock screen")
	}
	if u.curStore() != st || u.cur.engine != eng {
		t.Fatal("locking must keep the profile open and its engine running")
	}
	if !eng.Locked() {
		t.Error("the engine should know the window is locked (names hidden)")
	}
	if u.win.Title() != windowTitle {
		t.Errorf("title %q shows the name while locked", u.win.Title())
	}
	ctrl(u, fyne.Key1)
	ctrl(u, fyne.Key6)
	if u.today != nil || u.settings != nil {
		t.Fatal("the shortcuts must not show screens while locked")
	}

	tick(t, u, clk, at(9, 0))
	w := u.cur.reminder
	if w == nil || len(w.rows) != 1 {
		t.Fatal("the reminder window should open while locked")
	}
	if got := w.rows[0].name.Text; got != "Time for your 09:00 medicine" {
		t.Errorf("reminder row %q while locked, want no medicine name", got)
	}
	test.Tap(w.rows[0].taken)
	if ev := eventAt(t, u, at(9, 0)); ev.State != data.DoseTaken {
		t.Errorf("Taken while locked recorded %+v", ev)
	}

	unlockWith(t, u, "not the passphrase")
	assertShows(t, u.unlock.message, msgWrongPassphrase())
	if !u.isLocked() || u.today != nil {
		t.Fatal("a wrong passphrase must keep it locked")
	}
	unlockWith(t, u, goodPass)
	if u.isLocked() || u.today == nil || u.curStore() != st || u.cur.engine != eng {
		t.Fatal("the passphrase should show the same open profile again")
	}
	if eng.Locked() {
		t.Error("the engine still thinks it is locked")
	}
	if got := w.rows[0].name.Text; got != "Metformin 500 mg" {
		t.Errorf("reminder row %q after unlocking, want the name back", got)
	}
	if u.win.Title() != "Mum — Patient Companion" {
		t.Errorf("title %q", u.win.Title())
	}
}

// TestLockWrongPassphraseWaits: from the third wrong passphrase in a row, Open waits 5 s,
// then 10 s, 20 s…
func TestLockWrongPassphraseWaits(t *testing.T) {
	clk := &testClock{t: at(7, 0)}
	u := openToday(t, clk, nil)
	test.Tap(u.today.lockBtn)
	s := u.unlock
	unlockWith(t, u, "wrong one")
	unlockWith(t, u, "wrong two")
	if s.open.Disabled() {
		t.Fatal("two wrong tries should not wait")
	}
	unlockWith(t, u, "wrong three")
	assertShows(t, s.message, msgWait(5))
	if !s.open.Disabled() || !s.pass.Disabled() {
		t.Fatal("Open should be disabled while waiting")
	}
	u.submitUnlock() // Enter while waiting does nothing
	if !u.isLocked() {
		t.Fatal("unlocked while waiting")
	}
	clk.Set(at(7, 0).Add(3 * time.Second))
	u.checkIdle(clk.Now())
	assertShows(t, s.message, msgWait(2))
	clk.Set(at(7, 0).Add(5 * time.Second))
	u.checkIdle(clk.Now())
	if s.open.Disabled() || s.pass.Disabled() || s.message.Visible() {
		t.Fatal("Open should work again after the wait")
	}
	unlockWith(t, u, "wrong four")
	assertShows(t, s.message, msgWait(10))
	clk.Set(at(7, 0).Add(15 * time.Second))
	u.checkIdle(clk.Now())
	unlockWith(t, u, goodPass)
	if u.isLocked() || u.today == nil {
		t.Fatalf("the right passphrase after the wait should unlock; message %q", s.message.Text)
	}
	if u.failures != 0 {
		t.Error("unlocking should reset the count")
	}
}

// TestAutoLock: idle for auto_lock_minutes (5 by default) locks; keys count as activity;
// 0 never locks.
func TestAutoLock(t *testing.T) {
	clk := &testClock{t: at(7, 0)}
	u := openToday(t, clk, nil)
	u.checkIdle(at(7, 4))
	if u.isLocked() {
		t.Fatal("locked after 4 idle minutes")
	}
	clk.Set(at(7, 4))
	u.win.Canvas().OnTypedRune()('x') // a key on the window
	u.checkIdle(at(7, 8))
	if u.isLocked() {
		t.Fatal("a key should count as activity")
	}
	u.checkIdle(at(7, 9))
	if !u.isLocked() || u.unlock == nil || u.curStore() == nil {
		t.Fatal("5 idle minutes should lock, keeping the profile open")
	}
	unlockWith(t, u, goodPass)

	if _, err := u.curStore().PutSetting(context.Background(), "auto_lock_minutes", "0"); err != nil {
		t.Fatal(err)
	}
	u.loadProfileSettings(u.cur)
	u.checkIdle(at(23, 0))
	if u.isLocked() {
		t.Fatal("0 means never")
	}
}

// TestAutoLockTypingInField: typing into a field is activity too.
func TestAutoLockTypingInField(t *testing.T) {
	clk := &testClock{t: at(7, 0)}
	u := openToday(t, clk, nil)
	ctrl(u, fyne.Key6)
	s := u.settings
	u.win.Canvas().Focus(s.snooze)
	u.checkIdle(at(7, 4))
	test.Type(s.snooze, "1")
	u.checkIdle(at(7, 6))
	u.checkIdle(at(7, 10))
	if u.isLocked() {
		t.Fatal("typing should count as activity")
	}
	u.checkIdle(at(7, 11))
	if !u.isLocked() {
		t.Fatal("5 minutes after the last key it should lock")
	}
}

// TestLockNeedsPassphraseWithKeyring: a profile with a passphrase and a keyring key needs the
// passphrase to unlock from the lock screen; a keyring-only profile unlocks from the keyring.
func TestLockNeedsPassphraseWithKeyring(t *testing.T) {
	kr := &datatest.MemKeyring{}
	p := testProfiles(t, kr)
	makeProfile(t, p, data.CreateOptions{Name: "Dad", Passphrase: []byte(goodPass)})
	u := newTestUI(t, p)
	test.Tap(u.unlock.open) // keyring, at first opening
	if u.today == nil {
		t.Fatal("the keyring should open it")
	}
	test.Tap(u.today.lockBtn)
	test.Tap(u.unlock.open)
	assertShows(t, u.unlock.message, msgNoPassphrase())
	if !u.isLocked() {
		t.Fatal("the keyring alone must not unlock a locked profile with a passphrase")
	}
	unlockWith(t, u, goodPass)
	if u.isLocked() || u.today == nil {
		t.Fatal("the passphrase should unlock")
	}

	p2 := testProfiles(t, kr)
	makeProfile(t, p2, data.CreateOptions{Name: "Mum"})
	u2 := newTestUI(t, p2)
	test.Tap(u2.unlock.open)
	test.Tap(u2.today.lockBtn)
	test.Tap(u2.unlock.open)
	if u2.isLocked() || u2.today == nil {
		t.Fatalf("a keyring-only profile unlocks from the keyring; message %q", u2.unlock.message.Text)
	}
}

// TestProfileSwitcher: with two profiles the header lists them. Switching keeps the one on
// screen open behind, with its reminders; switching back to it is one click; locking locks
// both, and each then needs its own passphrase.
func TestProfileSwitcher(t *testing.T) {
	ctx := context.Background()
	clk := &testClock{t: at(7, 0)}
	p := testProfiles(t, nil)
	p.Now = clk.Now
	anne := passProfile(t, p, "Anne")
	bob, _ := makeProfile(t, p, data.CreateOptions{Name: "Bob", Passphrase: []byte("bobs passphrase"), NoKeyring: true})
	st, err := p.Open(ctx, anne, data.Credentials{Passphrase: []byte(goodPass)})
	if err != nil {
		t.Fatal(err)
	}
	med := addMed(t, st, "Metformin", "500 mg", hm(8, 0))
	st.Close()

	u := newTestUI(t, p)
	unlockWith(t, u, goodPass)
	if u.curStore().Info().ID != anne.ID {
		t.Fatal("Anne should open")
	}
	sw := u.today.nav.switcher
	if sw == nil || len(sw.Options) != 2 || sw.Selected != "Anne" {
		t.Fatalf("switcher %+v", sw)
	}
	sw.SetSelected("Bob")
	if u.unlock == nil || u.unlock.choice.Selected != "Bob" {
		t.Fatal("switching should offer Bob on the unlock screen")
	}
	if u.heldByID(anne.ID) == nil {
		t.Fatal("Anne should stay open behind")
	}
	unlockWith(t, u, "bobs passphrase")
	if u.isLocked() || u.curStore().Info().ID != bob.ID || u.today == nil {
		t.Fatalf("Bob should open; message %q", u.unlock.message.Text)
	}

	// Anne's 08:00 dose is due while Bob is on screen: her own reminder window asks.
	h := u.heldByID(anne.ID)
	for _, now := range []time.Time{at(7, 0), at(8, 0)} { // the first check sets where it starts
		clk.Set(now)
		if _, err := h.engine.Tick(ctx, now); err != nil {
			t.Fatal(err)
		}
	}
	w := h.reminder
	if w == nil || len(w.rows) != 1 || u.cur.reminder != nil {
		t.Fatalf("Anne's dose should come up in Anne's reminder window (held window %v, on-screen window %v)", w, u.cur.reminder)
	}
	if !strings.Contains(w.win.Title(), "Anne") || !strings.Contains(w.rows[0].name.Text, "Metformin") {
		t.Errorf("the window %q should name Anne, and the row %q her medicine", w.win.Title(), w.rows[0].name.Text)
	}
	test.Tap(w.rows[0].taken)
	// One click back to Anne, and her Today shows the dose taken.
	u.today.nav.switcher.SetSelected("Anne")
	if u.curStore() == nil || u.curStore().Info().ID != anne.ID || u.today == nil {
		t.Fatal("switching back to Anne, unlocked, should be one click")
	}
	evs, err := u.curStore().DoseEvents(ctx, med.ID, at(0, 0), at(23, 0))
	if err != nil || len(evs) != 1 || evs[0].State != data.DoseTaken {
		t.Fatalf("Anne's dose events: %+v %v", evs, err)
	}
	if u.cur.reminder != w {
		t.Error("Anne's reminder window should come with her")
	}

	// Locking locks both: Bob needs his own passphrase, not Anne's.
	ctrl(u, fyne.KeyL)
	u.unlock.choice.SetSelected("Bob")
	unlockWith(t, u, goodPass)
	if u.unlock == nil || u.unlock.message.Text != msgWrongPassphrase() {
		t.Fatal("Anne's passphrase should not show Bob")
	}
	unlockWith(t, u, "bobs passphrase")
	if u.isLocked() || u.curStore().Info().ID != bob.ID {
		t.Fatal("Bob's passphrase should show Bob")
	}
	// Anne was locked with the app: coming back to her needs her passphrase.
	u.today.nav.switcher.SetSelected("Anne")
	if u.unlock == nil {
		t.Fatal("Anne was locked: switching to her should ask for her passphrase")
	}
	unlockWith(t, u, goodPass)
	if u.curStore().Info().ID != anne.ID || len(u.held) != 1 || u.held[0].store.Info().ID != bob.ID {
		t.Fatalf("Anne on screen and Bob behind, once each; held %d", len(u.held))
	}
}

// TestNoSwitchPastTheLock: a switch asked for while locked (a drop-down left open when the
// idle lock came) does nothing; Ctrl+L on the unlock screen locks profiles held behind it.
func TestNoSwitchPastTheLock(t *testing.T) {
	p := testProfiles(t, nil)
	anne := passProfile(t, p, "Anne")
	bob, _ := makeProfile(t, p, data.CreateOptions{Name: "Bob", Passphrase: []byte("bobs passphrase"), NoKeyring: true})
	u := newTestUI(t, p)
	unlockWith(t, u, goodPass)
	ctrl(u, fyne.KeyL)
	u.switchProfile(bob.ID) // what choosing Bob in the stale drop-down does
	if !u.isLocked() || u.curStore().Info().ID != anne.ID || u.heldByID(anne.ID) != nil {
		t.Fatal("a switch while locked should leave Anne on screen, locked")
	}
	unlockWith(t, u, goodPass)
	u.today.nav.switcher.SetSelected("Bob") // Anne held, unlocked, behind Bob's unlock screen
	if h := u.heldByID(anne.ID); h == nil || h.locked.Load() {
		t.Fatal("Anne should be held, unlocked")
	}
	ctrl(u, fyne.KeyL)
	if h := u.heldByID(anne.ID); !h.locked.Load() {
		t.Fatal("Ctrl+L on the unlock screen should lock Anne, held behind it")
	}
	u.unlock.choice.SetSelected("Anne")
	test.Tap(u.unlock.open)
	if u.curStore() != nil && u.curStore().Info().ID == anne.ID && !u.isLocked() {
		t.Fatal("Anne, locked, was shown without her passphrase")
	}
}

// TestRecoveryKeyScreenStays: while a new profile's recovery key is on screen, the screen
// shortcuts do nothing (the profile is not opened until the key is written down) and the
// idle lock locks the profiles held behind, but leaves the key on screen (it is shown once).
func TestRecoveryKeyScreenStays(t *testing.T) {
	clk := &testClock{t: fixedNow}
	p := testProfiles(t, nil)
	p.Now = clk.Now
	anne := passProfile(t, p, "Anne")
	u := newTestUI(t, p)
	unlockWith(t, u, goodPass)
	bob, _ := makeProfile(t, p, data.CreateOptions{Name: "Bob", Passphrase: []byte("bobs passphrase"), NoKeyring: true})
	u.noteKnown(bob)        // made after the window listed the profiles
	u.switchProfile(bob.ID) // Anne held, unlocked
	test.Tap(u.unlock.another)
	createOnScreen(t, u, "Carl")
	ctrl(u, fyne.Key1)
	if u.recovery == nil || u.today != nil {
		t.Fatal("Ctrl+1 should not leave the recovery-key screen")
	}
	u.autoLock = time.Minute
	u.checkIdle(clk.Now())
	clk.Set(fixedNow.Add(2 * time.Minute))
	u.checkIdle(clk.Now())
	if u.recovery == nil {
		t.Fatal("the idle lock should leave the recovery key on screen")
	}
	if h := u.heldByID(anne.ID); h == nil || !h.locked.Load() {
		t.Fatal("the idle lock should lock Anne, held behind")
	}
}

// TestTypedWhileListing: Ctrl+L and the passphrase typed at once, before the profiles are
// listed again (the "Opening…" screen, no field yet): what was typed reaches the lock
// screen's field, Enter included, and unlocks. A real-window test lost it under load.
func TestTypedWhileListing(t *testing.T) {
	p := testProfiles(t, nil)
	passProfile(t, p, "Mum")
	u := newTestUI(t, p)
	unlockWith(t, u, goodPass)
	if u.today == nil {
		t.Fatal("not open")
	}
	var queue []func()
	u.opt.Go = func(f func()) { queue = append(queue, f) }
	ctrl(u, fyne.KeyL)
	if u.start == nil {
		t.Fatal("the lock should list the profiles again behind the Opening… screen")
	}
	c := u.win.Canvas()
	for _, r := range goodPass + "x" {
		c.OnTypedRune()(r)
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyBackspace}) // a slip, corrected
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		f()
	}
	if u.today == nil {
		msg := ""
		if u.unlock != nil {
			msg = u.unlock.message.Text
		}
		t.Fatalf("typed ahead, the passphrase should unlock (message %q)", msg)
	}
	if len(u.ahead.runes) != 0 || u.ahead.enter {
		t.Error("what was typed ahead is kept after use")
	}
}
