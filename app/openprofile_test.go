package app

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/data"
)

// TestCloseWaitsForJournalPaging: the window closes while the Journal reads its next page on
// a goroutine of its own, as in the app. Closing waits for the read, and only then closes the
// store and forgets its key: the read finds the store open, and nothing of it is still
// running once the window has closed. Run with -race.
func TestCloseWaitsForJournalPaging(t *testing.T) {
	var symptoms []data.Symptom
	for i := range journalPage + 50 {
		symptoms = append(symptoms, data.Symptom{Name: fmt.Sprintf("S%03d", i), Severity: 1, At: fixedNow.Add(-time.Duration(i+1) * 20 * time.Minute)})
	}
	u, _, _ := openJournal(t, symptoms...)
	j, p := u.journal, u.cur
	st := p.store
	// From here the work runs on goroutines, each held back until the profile starts closing
	// (so the read is under way as the close begins, never done before it).
	var handed, started, storeOpen atomic.Int32
	u.opt.Go = func(f func()) {
		handed.Add(1)
		go func() {
			<-p.ctx.Done()
			if st.DB().Ping() == nil {
				storeOpen.Add(1)
			}
			started.Add(1)
			f()
		}()
	}
	j.list.ScrollToBottom()
	u.win.Content().Refresh()
	if !j.loadingMore || handed.Load() != 1 {
		t.Fatalf("scrolling to the end should start one page read (started %d)", handed.Load())
	}
	u.win.Close()
	if started.Load() != 1 || storeOpen.Load() != 1 {
		t.Fatalf("the window closed before the page read had run with the store open (ran %d, store open %d)",
			started.Load(), storeOpen.Load())
	}
	if st.DB().Ping() == nil {
		t.Error("the store should be closed once the window is")
	}
	if _, err := st.CountEntries(context.Background()); err == nil {
		t.Error("a read after closing should fail")
	}
}

// TestHeldReminderWindowCloses: the Close button of a held profile's reminder window closes
// that window (it closed the one of the profile on screen, if any, and left its own open).
func TestHeldReminderWindowCloses(t *testing.T) {
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
	addMed(t, st, "Metformin", "500 mg", hm(8, 0))
	st.Close()
	u := newTestUI(t, p)
	unlockWith(t, u, goodPass)
	u.today.nav.switcher.SetSelected("Bob")
	unlockWith(t, u, "bobs passphrase")
	h := u.heldByID(anne.ID)
	for _, now := range []time.Time{at(7, 0), at(8, 0)} {
		clk.Set(now)
		if _, err := h.engine.Tick(ctx, now); err != nil {
			t.Fatal(err)
		}
	}
	w := h.reminder
	if w == nil {
		t.Fatal("Anne's dose should bring up her reminder window")
	}
	test.Tap(w.close)
	if h.reminder != nil || windowOpen(u, w.win) {
		t.Error("Close should close Anne's reminder window")
	}
}

// TestDraftsStayWithTheirProfile: a half-typed journal entry belongs to its profile: it is
// still there after switching to another profile and back, and the other profile's Journal
// does not show it.
func TestDraftsStayWithTheirProfile(t *testing.T) {
	p := testProfiles(t, nil)
	passProfile(t, p, "Anne")
	passProfileAs(t, p, "Bob", "bobs passphrase")
	u := newTestUI(t, p)
	u.unlock.choice.SetSelected("Anne")
	unlockWith(t, u, goodPass)
	ctrl(u, fyne.Key2)
	j := addEntry(t, u)
	test.Type(j.name, "Dizzy after lunch")
	j.nav.switcher.SetSelected("Bob")
	unlockWith(t, u, "bobs passphrase")
	ctrl(u, fyne.Key2)
	if j := u.journal; j == nil || j.form.Visible() || j.name.Text != "" {
		t.Fatal("Bob's Journal should not show Anne's draft")
	}
	u.journal.nav.switcher.SetSelected("Anne") // held, unlocked: one click
	ctrl(u, fyne.Key2)
	if j := u.journal; j == nil || u.curStore().Info().Name != "Anne" || !j.form.Visible() || j.name.Text != "Dizzy after lunch" {
		t.Error("Anne's half-typed entry should be waiting in her Journal")
	}
}

// TestLockOnRecoveryKeyScreen: a new profile locked (Ctrl+L) while its recovery key is on
// screen gets its reminders once it is unlocked; they start with its first screen, and it had
// none before the lock.
func TestLockOnRecoveryKeyScreen(t *testing.T) {
	u := newTestUI(t, testProfiles(t, nil))
	createOnScreen(t, u, "Carl")
	ctrl(u, fyne.KeyL)
	unlockWith(t, u, goodPass)
	if u.today == nil || u.cur == nil || u.cur.engine == nil {
		t.Fatal("unlocked, Carl's Today should show, with his reminder engine running")
	}
}

// createOnScreen creates a profile with goodPass on the create screen, which leaves its
// recovery key on screen.
func createOnScreen(t *testing.T, u *UI, name string) {
	t.Helper()
	c := u.create
	test.Type(c.name, name)
	test.Type(c.pass, goodPass)
	test.Type(c.repeat, goodPass)
	test.Tap(c.create)
	if u.recovery == nil {
		t.Fatal("the recovery key should show")
	}
}

func passProfileAs(t *testing.T, p *data.Profiles, name, pass string) data.ProfileInfo {
	t.Helper()
	info, _ := makeProfile(t, p, data.CreateOptions{Name: name, Passphrase: []byte(pass), NoKeyring: true})
	return info
}

// windowOpen says whether w is still one of the app's windows.
func windowOpen(u *UI, w fyne.Window) bool {
	for _, x := range u.app.Driver().AllWindows() {
		if x == w {
			return true
		}
	}
	return false
}
