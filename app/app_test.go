package app

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
	"github.com/patient-companion/companion/data/vault"
	"github.com/patient-companion/companion/sync/portal"
)

// fixedNow is the tests' clock: every "now" on screen is this, so goldens stay put.
var fixedNow = time.Date(2025, 11, 25, 14, 30, 0, 0, time.UTC)

const goodPass = "correct horse battery"

// syncGo runs background work at once, so a tap's work is done when test.Tap returns, and
// fyne.Do (called off the main goroutine, which tests are) applies its result inline.
func syncGo(f func()) { f() }

// testProfiles is datatest's data folder on the window tests' fixed clock, in UTC.
func testProfiles(t *testing.T, kr vault.Keyring) *data.Profiles {
	t.Helper()
	p := datatest.NewProfiles(t, kr)
	p.Now, p.Location = func() time.Time { return fixedNow }, time.UTC
	return p
}

// newTestUI starts the window on a test app; the window is closed (and the store with it)
// when the test ends.
func newTestUI(t *testing.T, p *data.Profiles) *UI {
	t.Helper()
	a := test.NewTempApp(t)
	return newTestUIOn(t, a, p)
}

func newTestUIOn(t *testing.T, a fyne.App, p *data.Profiles) *UI {
	t.Helper()
	return newTestUIWith(t, a, Options{Profiles: p})
}

// newTestUIWith is newTestUIOn with more options: work runs synchronously and no loops run.
// Unless opt says otherwise, the window's clock is the profiles' (fixedNow, or the test's
// clock), and it syncs with portal.SyncProfile without waiting between retries.
func newTestUIWith(t *testing.T, a fyne.App, opt Options) *UI {
	t.Helper()
	opt.Go, opt.Tick, opt.SyncEvery = syncGo, -1, -1
	if opt.HasTray == nil {
		opt.HasTray = func() bool { return false }
	}
	if opt.Clock == nil {
		opt.Clock = clockOf(opt.Profiles.Now)
	}
	if opt.Sync == nil {
		opt.Sync = testSync(opt.Clock)
	}
	return showUntilEnd(t, a, New(a, opt))
}

// showUntilEnd shows u's window and closes it (and every open profile) when the test ends.
func showUntilEnd(t *testing.T, a fyne.App, u *UI) *UI {
	u.win.Show()
	t.Cleanup(func() {
		// Some tests close the window themselves; the test driver panics on a second Close.
		for _, w := range a.Driver().AllWindows() {
			if w == u.win {
				w.Close()
			}
		}
	})
	return u
}

// frozenClock is a window clock that reads now and whose tickers and timers never fire
// (tests run the engine's checks and the syncs themselves).
type frozenClock struct{ now func() time.Time }

func clockOf(now func() time.Time) remind.Clock {
	if now == nil {
		now = func() time.Time { return fixedNow }
	}
	return frozenClock{now}
}

func (c frozenClock) Now() time.Time { return c.now() }

func (frozenClock) NewTicker(time.Duration) (<-chan time.Time, func()) { return nil, func() {} }

func (frozenClock) NewTimer(time.Duration) (<-chan time.Time, func()) { return nil, func() {} }

// testSync is Options.Sync for tests: portal.SyncProfile on clock, without waiting between
// retries.
func testSync(clock remind.Clock) func(ctx context.Context, st *data.Store) error {
	noWait := func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	return func(ctx context.Context, st *data.Store) error {
		_, err := portal.SyncProfile(ctx, st, clock.Now, noWait)
		return err
	}
}

// syncWatch tells a test when each sync is over, the window updated: its sync records the
// profile synced, and its goFn (background work at once, as syncGo) sends that id on synced
// once the work that synced has returned, its result shown. The sync loops run on goroutines
// of their own, so the send is also what orders the test after them.
type syncWatch struct {
	synced chan string
	mu     sync.Mutex
	last   string
}

func newSyncWatch() *syncWatch { return &syncWatch{synced: make(chan string, 8)} }

func (w *syncWatch) sync(clock remind.Clock) func(ctx context.Context, st *data.Store) error {
	do := testSync(clock)
	return func(ctx context.Context, st *data.Store) error {
		err := do(ctx, st)
		w.mu.Lock()
		defer w.mu.Unlock()
		w.last = st.Info().ID
		return err
	}
}

func (w *syncWatch) goFn(f func()) {
	f()
	w.mu.Lock()
	id := w.last
	w.last = ""
	w.mu.Unlock()
	if id != "" {
		w.synced <- id
	}
}

// curStore is the store of the profile on screen, nil when none is.
func (u *UI) curStore() *data.Store {
	if u.cur == nil {
		return nil
	}
	return u.cur.store
}

// makeProfile creates a profile outside the UI and closes it.
func makeProfile(t *testing.T, p *data.Profiles, opt data.CreateOptions) (data.ProfileInfo, vault.RecoveryKey) {
	t.Helper()
	st, rk, err := p.Create(context.Background(), opt)
	if err != nil {
		t.Fatalf("create profile: %v", err)
	}
	info := st.Info()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return info, rk
}

func passProfile(t *testing.T, p *data.Profiles, name string) data.ProfileInfo {
	t.Helper()
	info, _ := makeProfile(t, p, data.CreateOptions{Name: name, Passphrase: []byte(goodPass), NoKeyring: true})
	return info
}

// pressEnter sends Return to whatever has the keyboard focus, as a person would.
func pressEnter(t *testing.T, u *UI) {
	t.Helper()
	f := u.win.Canvas().Focused()
	if f == nil {
		t.Fatal("nothing has the keyboard focus")
	}
	f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

func assertFocused(t *testing.T, u *UI, want fyne.Focusable, what string) {
	t.Helper()
	if got := u.win.Canvas().Focused(); got != want {
		t.Errorf("focus is on %T %p, want the %s", got, got, what)
	}
}

func assertShows(t *testing.T, l *widget.Label, want string) {
	t.Helper()
	if !l.Visible() || l.Text != want {
		t.Errorf("label shows %q (visible %v), want %q", l.Text, l.Visible(), want)
	}
}

// unlockWith types a passphrase into the unlock screen and presses Enter.
func unlockWith(t *testing.T, u *UI, pass string) {
	t.Helper()
	if u.unlock == nil {
		t.Fatal("the unlock screen is not showing")
	}
	// Typed on the window, as a person does: the locked screen's field takes the first key
	// without having the focus before.
	// (Fyne's driver hands the canvas only what comes while nothing has the focus.)
	if r := []rune(pass); len(r) > 0 && u.win.Canvas().Focused() == nil {
		test.TypeOnCanvas(u.win.Canvas(), string(r[:1]))
		pass = string(r[1:])
	}
	test.Type(u.unlock.pass, pass)
	pressEnter(t, u)
}

var recoveryKeyPattern = regexp.MustCompile(`^[A-Z2-7]{4}(-[A-Z2-7]{1,4})+$`)

func TestCreateFirstProfile(t *testing.T) {
	p := testProfiles(t, nil)
	u := newTestUI(t, p)

	c := u.create
	if c == nil {
		t.Fatal("with no profiles the window should ask to create one")
	}
	if c.back != nil {
		t.Error("the first profile has nowhere to go back to")
	}
	if c.keyring.Checked || !c.keyring.Disabled() {
		t.Error("without a keyring the keyring box should be unticked and disabled")
	}
	assertFocused(t, u, c.name, "name field")

	test.Type(c.name, "Margaret")
	test.Type(c.pass, goodPass)
	test.Type(c.repeat, goodPass)
	test.Tap(c.create)

	r := u.recovery
	if r == nil {
		t.Fatalf("after Create the recovery key should show; message %q", c.message.Text)
	}
	key := strings.ReplaceAll(r.key.Text, "-\n", "-")
	if !recoveryKeyPattern.MatchString(key) {
		t.Errorf("recovery key %q does not look like one", key)
	}
	if !r.next.Disabled() {
		t.Error("Continue should wait for 'I have written it down'")
	}
	test.Tap(r.written)
	if r.next.Disabled() {
		t.Fatal("Continue should be enabled once ticked")
	}
	test.Tap(r.next)

	if u.today == nil {
		t.Fatal("Continue should open Today")
	}
	test.Tap(u.today.nav.journal)
	j := u.journal
	if j == nil {
		t.Fatal("the Journal button should open the journal")
	}
	if j.title.Text != "Margaret" {
		t.Errorf("header shows %q, want the profile's name", j.title.Text)
	}
	assertShows(t, j.empty, msgEmptyJournal())
	if j.list.Visible() {
		t.Error("an empty journal should show the empty state, not the list")
	}

	list, err := p.List(context.Background())
	if err != nil || len(list) != 1 {
		t.Fatalf("profiles on disk: %v, %v", list, err)
	}
	if got := list[0]; got.Name != "Margaret" || got.HasKeyring || !got.HasPassphrase {
		t.Errorf("profile on disk = %+v, want a passphrase-only profile named Margaret", got)
	}

	// The key on screen is the real one: it unlocks the profile.
	u.win.Close()
	rk, err := vault.ParseRecoveryKey(key)
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.Recover(context.Background(), list[0], rk, []byte("a new passphrase"))
	if err != nil {
		t.Fatalf("the recovery key shown does not open the profile: %v", err)
	}
	st.Close()
}

func TestCreateWithKeyringNeedsNoPassphrase(t *testing.T) {
	kr := &datatest.MemKeyring{}
	p := testProfiles(t, kr)
	u := newTestUI(t, p)
	c := u.create
	if !c.keyring.Checked || c.keyring.Disabled() {
		t.Fatal("with a keyring, keeping the key there should be the default")
	}
	test.Type(c.name, "Tom")
	test.Tap(c.create)
	if u.recovery == nil {
		t.Fatalf("create failed: %q", c.message.Text)
	}
	list, _ := p.List(context.Background())
	if len(list) != 1 || !list[0].HasKeyring || list[0].HasPassphrase {
		t.Errorf("profile = %+v, want keyring only", list)
	}
}

func TestCreateChecksTheForm(t *testing.T) {
	for _, tt := range []struct {
		name, pass, repeat string
		untick             bool
		want               string
	}{
		{name: "", pass: goodPass, repeat: goodPass, want: "Please type a name (up to 60 letters)."},
		{name: "Ann", untick: true, want: "Please choose a passphrase."},
		{name: "Ann", pass: "short", repeat: "short", want: "Please choose a passphrase of at least 8 characters."},
		{name: "Ann", pass: goodPass, repeat: goodPass + "x", want: "The two passphrases are not the same. Please type them again."},
		{name: "Ann", pass: "        ", repeat: "        ", want: "A passphrase cannot be only spaces."},
	} {
		t.Run(tt.want, func(t *testing.T) {
			p := testProfiles(t, &datatest.MemKeyring{})
			u := newTestUI(t, p)
			c := u.create
			test.Type(c.name, tt.name)
			if tt.untick {
				test.Tap(c.keyring)
			}
			test.Type(c.pass, tt.pass)
			test.Type(c.repeat, tt.repeat)
			test.Tap(c.create)
			if u.create != c {
				t.Fatal("the form should stay")
			}
			assertShows(t, c.message, tt.want)
			if list, _ := p.List(context.Background()); len(list) != 0 {
				t.Error("nothing should be created")
			}
		})
	}
}

func TestCreateAnotherProfile(t *testing.T) {
	p := testProfiles(t, nil)
	passProfile(t, p, "Anne")
	u := newTestUI(t, p)
	test.Tap(u.unlock.another)
	c := u.create
	if c == nil || c.back == nil {
		t.Fatal("'Create another profile' should show the create form with a way back")
	}
	test.Type(c.name, "anne")
	test.Type(c.pass, goodPass)
	test.Type(c.repeat, goodPass)
	test.Tap(c.create)
	assertShows(t, c.message, "There is already a profile with that name. Please choose another name.")
	test.Tap(c.back)
	if u.unlock == nil {
		t.Fatal("Back should return to the unlock screen")
	}
}

func TestUnlock(t *testing.T) {
	p := testProfiles(t, nil)
	passProfile(t, p, "Mum")
	u := newTestUI(t, p)

	s := u.unlock
	if s == nil {
		t.Fatal("with a profile the window should ask to unlock it")
	}
	if s.choice != nil {
		t.Error("one profile needs no choice")
	}
	assertFocused(t, u, s.pass, "passphrase field")

	// Enter with nothing typed asks for the passphrase.
	pressEnter(t, u)
	assertShows(t, s.message, msgNoPassphrase())

	unlockWith(t, u, "not the passphrase")
	assertShows(t, s.message, msgWrongPassphrase())
	if u.curStore() != nil || u.today != nil || u.unlock != s {
		t.Fatal("a wrong passphrase must leave the profile locked")
	}
	if s.pass.Text != "" {
		t.Error("the passphrase field should be cleared after a wrong try")
	}
	assertFocused(t, u, s.pass, "passphrase field, again")
	if s.open.Disabled() || s.pass.Disabled() {
		t.Error("the form should be usable again")
	}

	unlockWith(t, u, goodPass)
	if u.today == nil || u.curStore() == nil {
		t.Fatalf("the right passphrase should open the journal; message %q", s.message.Text)
	}
	if u.today.title.Text != "Mum" {
		t.Errorf("header %q", u.today.title.Text)
	}
}

func TestUnlockOpenButton(t *testing.T) {
	p := testProfiles(t, nil)
	passProfile(t, p, "Mum")
	u := newTestUI(t, p)
	test.Type(u.unlock.pass, goodPass)
	test.Tap(u.unlock.open)
	if u.today == nil {
		t.Fatal("Open should unlock as Enter does")
	}
}

func TestUnlockChoosesProfileAndRemembersIt(t *testing.T) {
	p := testProfiles(t, nil)
	passProfile(t, p, "Anne")
	bob, _ := makeProfile(t, p, data.CreateOptions{Name: "Bob", Passphrase: []byte("bobs passphrase"), NoKeyring: true})
	u := newTestUI(t, p)
	s := u.unlock
	if s.choice == nil || len(s.choice.Options) != 2 {
		t.Fatal("two profiles should be offered as a choice")
	}
	if s.choice.Selected != "Anne" {
		t.Errorf("first choice = %q, want the first by name", s.choice.Selected)
	}
	s.choice.SetSelected("Bob")
	assertFocused(t, u, s.pass, "passphrase field")
	unlockWith(t, u, "bobs passphrase")
	if u.today == nil || u.curStore().Info().ID != bob.ID {
		t.Fatalf("Bob's journal should open; message %q", s.message.Text)
	}

	test.Tap(u.today.lockBtn)
	if u.curStore() == nil || !u.isLocked() || u.unlock == nil || u.today != nil {
		t.Fatal("Lock should hide the profile behind the unlock screen, and keep it open")
	}
	if got := u.unlock.choice.Selected; got != "Bob" {
		t.Errorf("after Lock the choice is %q, want the profile used last", got)
	}
}

func TestUnlockWithKeyring(t *testing.T) {
	kr := &datatest.MemKeyring{}
	p := testProfiles(t, kr)
	makeProfile(t, p, data.CreateOptions{Name: "Dad"})
	u := newTestUI(t, p)
	s := u.unlock
	if s.passBox.Visible() {
		t.Error("a keyring-only profile has no passphrase to type")
	}
	// With nothing to type in, Enter opens it (a button takes only Space).
	if f := u.win.Canvas().Focused(); f != nil {
		t.Fatalf("focus on %T, want none", f)
	}
	u.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if u.today == nil {
		t.Fatalf("Enter should open it with the keyring; message %q", s.message.Text)
	}

	test.Tap(u.today.lockBtn)
	kr.Fail(vault.ErrKeyringUnavailable)
	test.Tap(u.unlock.open)
	assertShows(t, u.unlock.message, msgKeyringUseRK())
	if u.today != nil {
		t.Fatal("without the keyring the profile must stay locked")
	}
}

func TestUnlockKeyringFailsUsePassphrase(t *testing.T) {
	kr := &datatest.MemKeyring{}
	p := testProfiles(t, kr)
	makeProfile(t, p, data.CreateOptions{Name: "Dad", Passphrase: []byte(goodPass)})
	kr.Fail(vault.ErrKeyringUnavailable)
	u := newTestUI(t, p)
	s := u.unlock
	if !s.passBox.Visible() {
		t.Fatal("a profile with a passphrase shows the field")
	}
	pressEnter(t, u) // empty: try the keyring
	assertShows(t, s.message, msgKeyringUsePass())
	assertFocused(t, u, s.pass, "passphrase field")
	unlockWith(t, u, goodPass)
	if u.today == nil {
		t.Fatal("the passphrase should still open it")
	}
}

func TestUnlockDamagedAndNewerFiles(t *testing.T) {
	t.Run("damaged", func(t *testing.T) {
		p := testProfiles(t, nil)
		dir := filepath.Join(p.Dir, "profiles", "0123456789")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "journal.db"), []byte("not a journal at all"), 0o600); err != nil {
			t.Fatal(err)
		}
		u := newTestUI(t, p)
		assertShows(t, u.unlock.message, msgDamaged())
		if !u.unlock.open.Disabled() || u.unlock.passBox.Visible() {
			t.Error("a damaged profile cannot be opened")
		}
	})
	t.Run("newer", func(t *testing.T) {
		p := testProfiles(t, nil)
		st, _, err := p.Create(context.Background(), data.CreateOptions{Name: "Mum", Passphrase: []byte(goodPass), NoKeyring: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.DB().Exec("PRAGMA user_version = 9999"); err != nil {
			t.Fatal(err)
		}
		st.Close()
		u := newTestUI(t, p)
		assertShows(t, u.unlock.message, msgNewer())
	})
}

func TestRecoverWithRecoveryKey(t *testing.T) {
	p := testProfiles(t, nil)
	_, rk := makeProfile(t, p, data.CreateOptions{Name: "Mum", Passphrase: []byte(goodPass), NoKeyring: true})
	_, otherRK := makeProfile(t, testProfiles(t, nil), data.CreateOptions{Name: "X", Passphrase: []byte(goodPass), NoKeyring: true})
	u := newTestUI(t, p)
	test.Tap(u.unlock.forgot)
	r := u.recover
	if r == nil {
		t.Fatal("'Forgot your passphrase?' should offer the recovery key")
	}
	assertFocused(t, u, r.key, "recovery key field")

	test.Type(r.key, otherRK.String())
	test.Type(r.pass, "my new passphrase")
	test.Type(r.repeat, "my new passphrase")
	test.Tap(r.open)
	assertShows(t, r.message, "That recovery key does not belong to this journal.")

	r.key.SetText(strings.ToLower(rk.String()))
	test.Tap(r.open)
	if u.today == nil {
		t.Fatalf("the recovery key should open the journal; message %q", r.message.Text)
	}
	test.Tap(u.today.lockBtn)
	unlockWith(t, u, "my new passphrase")
	if u.today == nil {
		t.Fatal("the new passphrase should open the journal")
	}
}

func TestMainButtonsAreBigTargets(t *testing.T) {
	p := testProfiles(t, nil)
	passProfile(t, p, "Mum")
	u := newTestUI(t, p)
	check := func(name string, b *widget.Button) {
		t.Helper()
		if h := b.Size().Height; h < 44 {
			t.Errorf("%s button is %.0f px high, want at least 44", name, h)
		}
	}
	check("Open", u.unlock.open)
	unlockWith(t, u, goodPass)
	check("Lock", u.today.lockBtn)
	check("Today", u.today.nav.today)
	check("Journal", u.today.nav.journal)
	test.Tap(u.today.nav.journal)
	check("Add to journal", u.journal.add)
	test.Tap(u.journal.add)
	check("Save", u.journal.save)
	check("Back to the journal", u.journal.back)
	check("Lock", u.journal.lockBtn)
	if s := u.journal.severity.Size(); s.Height < 44 || s.Width/severityCells < 40 {
		t.Errorf("severity picker is %v, want cells at least 40×44", s)
	}
}

func TestClosingTheWindowClosesTheStore(t *testing.T) {
	p := testProfiles(t, nil)
	passProfile(t, p, "Mum")
	u := newTestUI(t, p)
	unlockWith(t, u, goodPass)
	st := u.curStore()
	u.win.Close()
	if u.curStore() != nil {
		t.Error("the UI still holds the store")
	}
	if err := st.DB().Ping(); err == nil {
		t.Error("the store's database is still open after the window closed")
	}
}

// TestBackgroundWorkOnGoroutines runs the window's work off the test's goroutine, as the app
// does, so the race detector sees widgets touched from there through fyne.Do. The test driver
// runs fyne.Do's function at once on the calling goroutine (the real driver queues it for the
// UI goroutine), so the work runs on one worker goroutine, in order, as the real UI goroutine
// would apply the results. The worker starts each piece when the test says so (step), which
// lets the test see the window while the work is pending, without sleeping.
func TestBackgroundWorkOnGoroutines(t *testing.T) {
	p := testProfiles(t, nil)
	passProfile(t, p, "Mum")
	queue := make(chan func(), 64)
	proceed := make(chan struct{})
	done := make(chan struct{})
	free := make(chan struct{}) // closed as the test ends: the rest runs without waiting
	go func() {
		for f := range queue {
			select {
			case <-proceed:
			case <-free:
			}
			f()
			select {
			case done <- struct{}{}:
			case <-free:
			}
		}
	}()
	t.Cleanup(func() { close(queue) })
	step := func(what string) {
		t.Helper()
		select {
		case proceed <- struct{}{}:
		case <-time.After(30 * time.Second):
			t.Fatalf("no background work queued for %s", what)
		}
		<-done
	}
	a := test.NewTempApp(t)
	u := New(a, Options{Profiles: p, Go: func(f func()) { queue <- f }, Tick: -1, SyncEvery: -1,
		Clock: clockOf(p.Now)})
	t.Cleanup(func() {
		for _, w := range a.Driver().AllWindows() {
			if w == u.win {
				w.Close()
			}
		}
	})
	// Closing the window waits for the open profile's work: let what is queued run.
	t.Cleanup(func() { close(free) })

	if u.start == nil || u.start.message.Text != "Opening Patient Companion…" {
		t.Error("while the profiles are listed, the window should say so")
	}
	step("listing the profiles")
	s := u.unlock
	if s == nil {
		t.Fatal("the unlock screen should show")
	}
	test.Type(s.pass, goodPass)
	test.Tap(s.open)
	if !s.open.Disabled() || !s.pass.Disabled() || s.open.Text != "Opening…" {
		t.Error("while opening, the form should be disabled and say Opening…")
	}
	test.Tap(s.open) // a second press while busy does nothing
	step("opening")
	step("reading whether it has a screen PIN")
	step("building the search index")
	if u.today == nil || u.today.status.Text != tr.T("today.loading") {
		t.Fatal("Today should open, saying it is loading")
	}
	step("loading today")
	step("reading its settings (auto-lock, start at login)")
	test.Tap(u.today.nav.journal)
	j := u.journal
	if j == nil {
		t.Fatal("the journal should open")
	}
	if j.empty.Text != msgLoading() {
		t.Errorf("while loading, the list says %q", j.empty.Text)
	}
	step("loading the journal")
	test.Tap(j.add)
	test.Type(j.name, "Cough")
	tapSeverity(j, 2)
	test.Tap(j.save)
	if !j.save.Disabled() || j.save.Text != "Saving…" || !j.name.Disabled() {
		t.Error("while saving, the form should be disabled and Save say Saving…")
	}
	step("saving")
	if len(j.entries) != 1 || j.save.Disabled() || j.save.Text != "Save" {
		t.Errorf("after saving: %d entries, Save disabled %v", len(j.entries), j.save.Disabled())
	}
}

// TestFirstScreenWithoutOpening: when the profiles are listed within FirstScreenWait, the
// window's first screen is the unlock screen, with no "Opening…" screen before it.
func TestFirstScreenWithoutOpening(t *testing.T) {
	p := testProfiles(t, nil)
	passProfile(t, p, "Anne")
	u := newTestUIWith(t, test.NewTempApp(t), Options{Profiles: p, FirstScreenWait: time.Minute})
	if u.unlock == nil || u.start != nil {
		t.Fatal("the first screen should be the unlock screen")
	}
	// A listing that does not come in time shows "Opening…" and then the unlock screen.
	slow := make(chan func(), 2)
	a := test.NewTempApp(t)
	u = New(a, Options{Profiles: p, Go: func(f func()) { slow <- f }, Tick: -1, SyncEvery: -1,
		FirstScreenWait: 10 * time.Millisecond, HasTray: func() bool { return false }})
	t.Cleanup(func() { u.win.Close() })
	if u.start == nil {
		t.Fatal("a slow listing should show Opening…")
	}
	(<-slow)() // the listing ahead, whose answer is no longer awaited
	(<-slow)() // the start screen's own listing
	if u.unlock == nil {
		t.Fatal("after the listing, the unlock screen should show")
	}
}
