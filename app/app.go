// Package app is the window: Fyne widgets over the data store. Disk work runs off the UI
// goroutine; widgets are touched only on it (callbacks, or fyne.Do from background work).
//
// The window shows one screen at a time: starting (while the profiles are listed), create a
// profile, the recovery key (once, after creating), unlock, recover with the recovery key,
// and the screens of an open profile (Today, Journal, Medicines, Appointments, Health
// record, Messages, Settings, Everyone) inside the app shell (shell.go). Each screen is a small struct of its
// widgets, built afresh when shown, in a file of its own; tests in this package reach the
// widgets through those structs.
//
// Each unlocked profile is an openProfile (openprofile.go): it owns its store, reminder
// engine and window, sync, lock, drafts and background work. The UI holds the one on screen
// and the ones held behind it (held.go). docs/ARCHITECTURE.md has the map.
package app

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"

	"github.com/patient-companion/companion/app/notify"
	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/clinic"
	"github.com/patient-companion/companion/data"
)

// Options wire the UI to the rest of the program.
type Options struct {
	// Profiles is the data directory's profiles (required).
	Profiles *data.Profiles
	// Go runs background work (every call into data); nil means a new goroutine. Tests pass
	// func(f func()) { f() } so that work finishes before the tap that started it returns.
	Go func(func())
	// Clock is the time source: "now" on every screen and in the reminders, and the tickers
	// and timers of the window's loops. main passes remind.SystemClock; nil means that too.
	Clock remind.Clock
	// Sync syncs one open profile with its portal, once; it returns portal.ErrNotConnected
	// for a profile without one. main passes portal.SyncProfile on the same clock. Nil means
	// no profile is ever synced (each reads as not connected).
	Sync func(ctx context.Context, st *data.Store) error
	// Notify shows a desktop notification and says whether it could (main passes
	// notify.DBus's Send on Linux, where action buttons will go too); nil means Fyne's
	// SendNotification, which cannot tell. It is called off the UI goroutine.
	Notify func(ctx context.Context, title, body string) error
	// Actions, when set, shows a reminder that asks about doses with Take and Snooze on the
	// desktop notification itself (main passes notify.Center's Show, and routes the buttons
	// pressed to NotificationAction); it says whether the buttons were there (false: the
	// server has none, and the plain notification went out). Nil: Notify for every notice.
	// Called off the UI goroutine.
	Actions func(ctx context.Context, title, body string, doses []notify.Dose) (withActions bool, err error)
	// Autostart is this computer's login entry (main passes autostart.Entry); the window
	// adds or removes it to follow the open profile's "Start when I log in". Nil: none.
	Autostart Autostart
	// Theme is the base theme made larger and calmer for the window; nil means Fyne's default.
	Theme fyne.Theme
	// Tick, when negative, runs no reminder loop and no focus ring (tests call the engine's
	// Tick themselves, with times of their choosing, so they never sleep); otherwise each
	// open profile runs remind.Engine.Run (on the minute, with a 30-second safety tick).
	Tick time.Duration
	// SyncEvery is how often an open profile with a portal syncs with it (once at opening,
	// then periodically); zero means every 15 minutes, and a negative value runs no periodic
	// sync at all ("Sync now" still works).
	SyncEvery time.Duration
	// SyncFull syncs one open profile fetching its whole health record again, so what the
	// clinic removed goes here too ("Fetch everything again" on the Health record); nil
	// leaves that button out.
	SyncFull func(ctx context.Context, st *data.Store) error
	// Clinic is the clinic this build was made for (its name and logo head the side bar);
	// nil for an unprovisioned build.
	Clinic *clinic.Clinic
	// FirstScreenWait is how long New waits for the profiles to be listed before it shows
	// "Opening…" instead of the unlock (or create) screen; zero shows "Opening…" at once.
	FirstScreenWait time.Duration
	// HasTray says whether something on the desktop shows tray icons; nil asks D-Bus for
	// a StatusNotifier host (tray.go).
	HasTray func() bool
	// Version and Build are this build's version and git revision, for About.
	Version, Build string
}

// UI is the app's main window: the screen on show, and the open profiles. Its fields are
// read and written on the UI goroutine only; background work gets copies of what it needs.
type UI struct {
	app    fyne.App
	win    fyne.Window
	opt    Options
	ctx    context.Context
	cancel context.CancelFunc

	// cur is the open profile on screen (or behind the lock screen), nil while none is; held
	// is the other open profiles, behind it, their reminders still coming (held.go).
	cur  *openProfile
	held []*openProfile

	// The screen on show; the others are nil.
	start        *startScreen
	create       *createScreen
	recovery     *recoveryScreen
	unlock       *unlockScreen
	recover      *recoverScreen
	journal      *journalScreen
	medications  *medicationsScreen
	overview     *overviewScreen
	today        *todayScreen
	appointments *appointmentsScreen
	booking      *bookingDialog // the free times of the clinic, while shown (booking.go)
	messages     *messagesScreen
	settings     *settingsScreen
	readings     *readingsScreen
	record       *recordScreen // the Health record

	// autoLock is how long the window may stay idle before it locks (0: never): the
	// auto_lock_minutes of the profile last on screen. lastActive is the last key or screen
	// change, lastFocus what had the focus (and its text) at the last check (lock.go).
	autoLock   time.Duration
	lastActive time.Time
	lastFocus  focusSignature
	// idleArmed: the idle timer is armed (armIdle); pointer catches pointer moves.
	idleArmed bool
	pointer   *pointerLayer
	// failures counts wrong passphrases and PINs in a row, on any profile (the last of them
	// failedFor); waitUntil is when Open works again.
	failures  int
	failedFor string
	waitUntil time.Time
	// ring outlines whatever has the keyboard focus (focusring.go); nudge moves it when
	// something is redrawn (nil in tests).
	ring  *focusRing
	nudge *ringNudge
	// known is the profiles as last listed (for the header's switcher).
	known []data.ProfileInfo
	// tray: the tray menu is set; hidden: the window was closed (hidden, tray.go), or the
	// app started at login without it; closeTold is the first close's message while it shows.
	tray, hidden bool
	closeTold    dialog.Dialog
	// typeTo is the field the first key goes to when nothing has the focus: the lock
	// screen's passphrase, which is not focused while nobody is there (its blinking cursor
	// redraws the window ~15 times a second, docs/PERFORMANCE.md) but takes what is typed.
	typeTo fyne.Focusable
	// warmed is closed when warmText is done (setContent waits for it).
	warmed chan struct{}
	// ahead is what was typed on the "Opening…" screen, for the lock screen's field.
	ahead typedAhead
	// open counts the open profiles (on screen and held); engines read it from their
	// goroutines: with more than one, someone else is here to be told of a dose left
	// unanswered (the caregiver alert).
	open atomic.Int32
}

const windowTitle = "Patient Companion"

// Preference key for the profile opened last, so it is the one offered next time.
const prefLastProfile = "profile.last"

// New builds the UI and starts listing the profiles; nothing is shown until ShowAndRun.
func New(a fyne.App, opt Options) *UI {
	if opt.Go == nil {
		opt.Go = func(f func()) { go f() }
	}
	if opt.HasTray == nil {
		opt.HasTray = trayAvailable
	}
	if opt.Clock == nil {
		opt.Clock = remind.SystemClock{}
	}
	if opt.Sync == nil {
		opt.Sync = func(context.Context, *data.Store) error { return errNotConnected }
	}
	if opt.Notify == nil {
		opt.Notify = func(_ context.Context, title, body string) error {
			fyne.Do(func() { a.SendNotification(fyne.NewNotification(title, body)) })
			return nil
		}
	}
	u := &UI{app: a, opt: opt, ring: newFocusRing()}
	u.pointer = newPointerLayer(u.activity)
	u.ctx, u.cancel = context.WithCancel(context.Background())
	// Listed while the window is made (it is disk work), for the first screen.
	listing := u.listAhead(opt.FirstScreenWait)
	u.followFocus()
	u.applyTheme()
	// After the theme is set (it is what measuring reads; measuring before raced with it).
	u.warmed = make(chan struct{})
	go func() {
		defer close(u.warmed)
		warmText()
	}()
	u.win = a.NewWindow(windowTitle)
	u.win.Resize(fyne.NewSize(1000, 700))
	u.win.SetMaster()
	// Close the open profiles synchronously as the window goes: it is the last thing the app
	// does, and a store closed in a goroutine that never finishes would leave its WAL behind.
	u.win.SetOnClosed(u.shutdown)
	a.Lifecycle().SetOnStopped(u.shutdown)
	u.addShortcuts()
	u.watchActivity()
	u.setupTray()
	u.startScreen(listing, opt.FirstScreenWait)
	return u
}

// warmText loads the window's fonts on the other core while the main goroutine makes the
// window: the first screen's layout otherwise pays for it (about 20 ms of 60–90 ms on our
// test machine, docs/PERFORMANCE.md). The fonts' glyph caches are not safe for two goroutines
// at once (the race detector caught it), so setContent waits for u.warmed before the first
// screen measures anything.
func warmText() {
	for _, style := range []fyne.TextStyle{{}, {Bold: true}} {
		fyne.MeasureText("Open your journal", 18, style)
	}
}

// StartHidden is for a start at login (--background): the window exists but is not shown, so
// nothing in it takes the focus until it is.
func (u *UI) StartHidden() {
	u.hidden = true
	u.win.Canvas().Unfocus()
}

// ShowAndRun shows the window and runs the app until it quits.
func (u *UI) ShowAndRun() { u.win.ShowAndRun() }

// Window is the main window (for tests and for main's later additions, such as a tray).
func (u *UI) Window() fyne.Window { return u.win }

// now is the time on the window's clock.
func (u *UI) now() time.Time { return u.opt.Clock.Now() }

// shutdown closes every open profile, each after its work has finished.
func (u *UI) shutdown() {
	u.cancel()
	if p := u.cur; p != nil {
		u.cur = nil
		p.close()
	}
	u.closeHeld()
}

// A worker is whose background work it is: the window's own (*UI: listing, opening and
// creating profiles) or an open profile's (*openProfile: everything on its store), whose
// closing waits for it.
type worker interface {
	// spawn runs work off the UI goroutine, then the function it returns on the UI goroutine.
	spawn(work func(ctx context.Context) (then func()))
}

// spawn runs the window's own work with the window's context.
func (u *UI) spawn(work func(ctx context.Context) (then func())) {
	ctx := u.ctx
	u.opt.Go(func() {
		then := work(ctx)
		fyne.Do(then)
	})
}

// background runs work off the UI goroutine as w's, then done on the UI goroutine with its
// result.
func background[T any](w worker, work func(ctx context.Context) (T, error), done func(T, error)) {
	w.spawn(func(ctx context.Context) func() {
		v, err := work(ctx)
		return func() { done(v, err) }
	})
}

func (u *UI) clearScreens() {
	u.keepJournalDraft()
	u.start, u.create, u.recovery, u.unlock, u.recover, u.journal = nil, nil, nil, nil, nil, nil
	u.today, u.medications, u.appointments, u.messages, u.settings = nil, nil, nil, nil, nil
	u.overview, u.readings, u.record = nil, nil, nil
}

func (u *UI) setContent(o fyne.CanvasObject) {
	<-u.warmed // nothing measures text while warmText still does
	u.activity()
	// Fyne hands the focus to the new content only if the focused object is in it, and
	// otherwise never tells the old one it lost the focus: a text field left focused on the
	// old screen then blinks its cursor forever, redrawing the window ~15 times a second
	// while nobody looks (docs/PERFORMANCE.md, idle). Unfocus says so first.
	u.win.Canvas().Unfocus()
	u.typeTo = nil
	u.win.SetContent(container.NewStack(u.pointer, o, u.ring.layer))
	u.ring.ring.Hide()
	u.lastFocus = u.focusSig()
}

// focus puts the keyboard focus on f (the canvas must hold f already).
func (u *UI) focus(f fyne.Focusable) {
	u.win.Canvas().Focus(f)
	u.lastFocus = u.focusSig() // moved by the app, not the person
	u.updateFocusRing()
}

// opened puts a newly unlocked (or recovered, or created) store on screen as the open
// profile, on Today, and starts its reminders and sync.
func (u *UI) opened(st *data.Store) {
	if u.ctx.Err() != nil {
		// The window closed while the profile was opening.
		_ = st.Close()
		return
	}
	p := u.cur
	if p == nil || p.store != st {
		id := st.Info().ID
		if p != nil && p.id() == id {
			// The same profile, opened afresh (recovered): one copy only.
			u.cur = nil
			p.close()
		}
		// The profile that was on screen (locked) stays open behind: its reminders go on.
		u.holdCurrent(true)
		if h := u.heldByID(id); h != nil {
			u.closeHeldOne(h)
		}
		p = u.newOpenProfile(st)
		u.cur = p
	}
	u.autoLock = defaultAutoLock // until its settings are read (show)
	u.noteKnown(st.Info())
	u.show(p)
}

// show puts the open profile p (already u.cur) on screen, unlocked, on Today, and starts
// what runs while it is open if that has not started yet.
func (u *UI) show(p *openProfile) {
	p.setLocked(false)
	info := p.store.Info()
	u.rightTry(info.ID)
	u.lastActive = u.now()
	u.app.Preferences().SetString(prefLastProfile, info.ID)
	u.win.SetTitle(tr.T("shell.window_title", tr.Args{"Name": info.Name}))
	u.startProfile(p)
	u.showToday()
	u.loadProfileSettings(p)
}

// isDamaged says whether err means the journal file itself cannot be used.
func isDamaged(err error) bool {
	var te *data.TamperedError
	return errors.Is(err, data.ErrNotOurFile) || errors.As(err, &te)
}

// failed tells the person in a dialog over win that something they asked for did not
// happen (what) and what to do (todo). The inline message beside the control stays too;
// a dialog is what a person who looked away will still see.
func (u *UI) failed(win fyne.Window, what, todo string) {
	dialog.NewInformation(what, todo, win).Show()
}

// tryAgain is the advice after a failed save: nothing typed is lost. A function, not a
// constant: the words are the running language's.
func tryAgain() string { return tr.T("shell.try_again") }
