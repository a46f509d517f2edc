// Package app is the window: Fyne widgets over the data store. Disk work runs off the UI
// goroutine; widgets are touched only on it (callbacks, or fyne.Do from background work).
//
// The window shows one screen at a time: starting (while the profiles are listed), create a
// profile, the recovery key (once, after creating), unlock, recover with the recovery key, and
// the journal. Each screen is a small struct of its widgets, built afresh when shown; tests
// in this package reach the widgets through those structs.
package app

import (
	"context"
	"errors"
	"log"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"

	"github.com/patient-companion/companion/app/remind"
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
	// Theme is the base theme made larger and calmer for the window; nil means Fyne's default.
	Theme fyne.Theme
	// Tick is how often the reminder engine checks the clock while a profile is open; zero
	// means every 30 seconds, and a negative value runs no loop at all (tests call the
	// engine's Tick themselves, with times of their choosing, so they never sleep).
	Tick time.Duration
	// SyncEvery is how often an open profile with a portal syncs with it (once at opening,
	// then periodically); zero means every 15 minutes, and a negative value runs no periodic
	// sync at all ("Sync now" still works).
	SyncEvery time.Duration
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

// UI is the app's main window and its screens.
type UI struct {
	app    fyne.App
	win    fyne.Window
	opt    Options
	ctx    context.Context
	cancel context.CancelFunc

	// store is the unlocked profile, nil while none is. Read and written on the UI goroutine
	// only; background work gets its own copy of the pointer.
	store *data.Store

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
	messages     *messagesScreen
	settings     *settingsScreen

	// medDraft is the Medicines form while it is open, kept when the person goes to another
	// screen so that coming back finds everything typed; forgotten with the profile.
	medDraft *medForm
	// journalDraft is a new journal entry typed but not saved when the Journal was left
	// (journal_form.go); it comes back when the Journal is shown again.
	journalDraft *keptJournalDraft

	// sync is the open profile's portal sync; nil while no profile is open.
	sync *syncer

	// reminder is the "Time for your medicine" window while it is open.
	reminder *reminderWindow
	// engine reminds the open profile's doses; nil while no profile is open.
	engine     *remind.Engine
	engineStop func()       // stops the engine's loop and waits for it
	engineLock *atomic.Bool // the engine's own "locked" (set while held locked, held.go)
	// held is the other open profiles, behind the one on screen (held.go).
	held []*heldProfile

	// locked: the open profile's screens are behind the lock screen (lock.go). Atomic: the
	// engine reads it from its goroutine to hide medicine names.
	locked atomic.Bool
	// autoLock is the open profile's auto_lock_minutes (0: never); lastActive the last key
	// or screen change, lastFocus what had the focus (and its text) at the last check.
	autoLock   time.Duration
	lastActive time.Time
	lastFocus  focusSignature
	// failures counts wrong passphrases and PINs in a row, on any profile (the last of them
	// failedFor); waitUntil is when Open works again.
	failures  int
	failedFor string
	waitUntil time.Time
	// pinLock: the open profile is keyring-only with a screen PIN, which the lock screen
	// asks for.
	pinLock bool
	// ring outlines whatever has the keyboard focus (focusring.go).
	ring *focusRing
	// known is the profiles as last listed (for the header's switcher).
	known []data.ProfileInfo
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
	u := &UI{app: a, opt: opt, ring: newFocusRing()}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	// Listed while the window is made (it is disk work), for the first screen.
	listing := u.listAhead(opt.FirstScreenWait)
	u.applyTheme()
	u.win = a.NewWindow(windowTitle)
	u.win.Resize(fyne.NewSize(1000, 700))
	u.win.SetMaster()
	// Close the journal synchronously as the window goes: it is the last thing the app does,
	// and a store closed in a goroutine that never finishes would leave its WAL behind.
	u.win.SetOnClosed(u.shutdown)
	a.Lifecycle().SetOnStopped(u.shutdown)
	u.addShortcuts()
	u.watchActivity()
	u.setupTray()
	u.followFocus()
	u.startScreen(listing, opt.FirstScreenWait)
	return u
}

// ShowAndRun shows the window and runs the app until it quits.
func (u *UI) ShowAndRun() { u.win.ShowAndRun() }

// Window is the main window (for tests and for main's later additions, such as a tray).
func (u *UI) Window() fyne.Window { return u.win }

// now is the time on the window's clock.
func (u *UI) now() time.Time { return u.opt.Clock.Now() }

func (u *UI) shutdown() {
	u.cancel()
	u.closeStore()
	u.closeHeld()
}

// closeStore forgets the open profile.
func (u *UI) closeStore() {
	u.stopEngine()
	u.stopSync()()
	u.closeReminder()
	u.setLocked(false)
	u.medDraft = nil
	u.journalDraft = nil
	if u.store != nil {
		_ = u.store.Close()
		u.store = nil
	}
}

// background runs work off the UI goroutine (through Options.Go), then done on it.
func background[T any](u *UI, work func(ctx context.Context) (T, error), done func(T, error)) {
	ctx := u.ctx
	u.opt.Go(func() {
		v, err := work(ctx)
		fyne.Do(func() { done(v, err) })
	})
}

func (u *UI) clearScreens() {
	u.keepJournalDraft()
	u.start, u.create, u.recovery, u.unlock, u.recover, u.journal = nil, nil, nil, nil, nil, nil
	u.today, u.medications, u.appointments, u.messages, u.settings = nil, nil, nil, nil, nil
	u.overview = nil
}

func (u *UI) setContent(o fyne.CanvasObject) {
	u.activity()
	u.win.SetContent(container.NewStack(o, u.ring.layer))
	u.ring.ring.Hide()
	u.lastFocus = u.focusSig()
}

// focus puts the keyboard focus on f (the canvas must hold f already).
func (u *UI) focus(f fyne.Focusable) {
	u.win.Canvas().Focus(f)
	u.lastFocus = u.focusSig() // moved by the app, not the person
	u.updateFocusRing()
}

// opened shows Today for a newly unlocked profile and starts its reminders.
func (u *UI) opened(s *data.Store) {
	if u.ctx.Err() != nil {
		// The window closed while the profile was opening.
		_ = s.Close()
		return
	}
	if u.store != s {
		id := s.Info().ID
		if u.store != nil && u.store.Info().ID == id {
			u.closeStore() // the same profile, opened afresh (recovered): one copy only
		}
		// The profile that was on screen (locked) stays open behind: its reminders go on.
		u.holdCurrent(true)
		if h := u.heldByID(id); h != nil {
			u.closeHeldOne(h)
		}
		u.store = s
	}
	u.setLocked(false)
	u.rightTry(s.Info().ID)
	u.autoLock = defaultAutoLock
	u.lastActive = u.now()
	u.noteKnown(s.Info())
	u.app.Preferences().SetString(prefLastProfile, s.Info().ID)
	u.win.SetTitle(s.Info().Name + " — Patient Companion")
	u.notePIN(s)
	u.warmSearch(s)
	u.startEngine(s)
	u.startSync(s)
	u.showToday()
}

// warmSearch builds the open profile's search index in the background (0.65 s at 100,000
// entries), so the Journal's first search and symptom filter answer at once.
func (u *UI) warmSearch(st *data.Store) {
	ctx := u.ctx
	u.opt.Go(func() {
		if err := st.WarmSearch(ctx); err != nil && ctx.Err() == nil {
			log.Printf("search index could not be built ahead: %v", err) // ids only, never text
		}
	})
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

// tryAgain is the advice after a failed save: nothing typed is lost.
const tryAgain = "Please try again. What you typed is still there. If it keeps happening, close Patient Companion and open it again."
