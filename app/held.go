package app

import (
	"sync/atomic"

	"fyne.io/fyne/v2"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/data"
)

// Caregivers look after several people from one computer, and every one of them must get
// their reminders. So a profile stays open when the person switches to another: it is
// "held" behind the one on screen, its reminder engine running and its reminder window
// (its own) coming up when a dose is due. Switching back to a held profile is one click,
// until the app locks: then every held profile is locked too, and bringing one forward
// needs its own passphrase (or PIN), as for the one on screen. Sync runs for the profile on
// screen only; a held profile syncs when it comes forward.

// heldProfile is an open profile that is not on screen.
type heldProfile struct {
	store      *data.Store
	engine     *remind.Engine
	engineStop func()
	// locked is read by the engine's goroutine (medicine names hidden while locked).
	locked   *atomic.Bool
	reminder *reminderWindow
	pinLock  bool
	// sync keeps syncing while held (nil without one).
	sync *syncer
}

// heldByID is the held profile with that id, or nil.
func (u *UI) heldByID(id string) *heldProfile {
	for _, h := range u.held {
		if h.store.Info().ID == id {
			return h
		}
	}
	return nil
}

// heldBySync is the held profile syncing with sy, or nil.
func (u *UI) heldBySync(sy *syncer) *heldProfile {
	for _, h := range u.held {
		if h.sync == sy {
			return h
		}
	}
	return nil
}

func (u *UI) heldByEngine(e *remind.Engine) *heldProfile {
	for _, h := range u.held {
		if h.engine == e {
			return h
		}
	}
	return nil
}

func (u *UI) removeHeld(h *heldProfile) {
	for i, x := range u.held {
		if x == h {
			u.held = append(u.held[:i], u.held[i+1:]...)
			return
		}
	}
}

// holdCurrent moves the profile on screen behind, locked or not; nothing is on screen after.
func (u *UI) holdCurrent(locked bool) {
	if u.store == nil {
		return
	}
	h := &heldProfile{store: u.store, engine: u.engine, engineStop: u.engineStop,
		locked: u.engineLock, reminder: u.reminder, pinLock: u.pinLock}
	if h.locked == nil {
		h.locked = new(atomic.Bool)
	}
	h.locked.Store(locked)
	h.sync, u.sync = u.sync, nil // its syncing goes on behind
	u.held = append(u.held, h)
	u.store, u.engine, u.engineStop, u.engineLock, u.reminder, u.pinLock = nil, nil, nil, nil, nil, false
	u.setLocked(false)
	if w := h.reminder; w != nil {
		w.setLocked(locked)
	}
}

// bringForward puts a held profile on screen (its passphrase checked already if it was
// locked), holding the one that was.
func (u *UI) bringForward(h *heldProfile) {
	u.removeHeld(h)
	u.holdCurrent(u.isLocked())
	u.store, u.engine, u.engineStop, u.engineLock, u.reminder, u.pinLock =
		h.store, h.engine, h.engineStop, h.locked, h.reminder, h.pinLock
	h.locked.Store(false)
	u.setLocked(false)
	info := h.store.Info()
	u.rightTry(info.ID)
	u.lastActive = u.now()
	u.app.Preferences().SetString(prefLastProfile, info.ID)
	u.win.SetTitle(info.Name + " — Patient Companion")
	if h.sync != nil {
		u.sync = h.sync
	} else {
		u.startSync(h.store)
	}
	u.showToday()
}

// lockHeld locks every held profile (the app is locking).
func (u *UI) lockHeld() {
	for _, h := range u.held {
		h.locked.Store(true)
		if w := h.reminder; w != nil {
			w.setLocked(true)
		}
	}
}

// anyUnlocked says whether some profile, on screen or held, is open and unlocked.
func (u *UI) anyUnlocked() bool {
	if u.store != nil && !u.isLocked() {
		return true
	}
	for _, h := range u.held {
		if !h.locked.Load() {
			return true
		}
	}
	return false
}

// closeHeld closes every held profile (the window is going).
func (u *UI) closeHeld() {
	for len(u.held) > 0 {
		u.closeHeldOne(u.held[0])
	}
}

// closeHeldOne stops a held profile's reminders and closes it.
func (u *UI) closeHeldOne(h *heldProfile) {
	u.removeHeld(h)
	if h.engineStop != nil {
		h.engineStop()
	}
	if w := h.reminder; w != nil {
		h.reminder = nil
		w.win.Close()
	}
	if sy := h.sync; sy != nil {
		sy.cancel()
		sy.wg.Wait() // the store must not close under a sync
	}
	_ = h.store.Close()
}

// openStore is the open store (on screen or held) of the profile with that id, or nil, and
// whether it is locked.
func (u *UI) openStore(id string) (*data.Store, bool) {
	if u.store != nil && u.store.Info().ID == id {
		return u.store, u.isLocked()
	}
	if h := u.heldByID(id); h != nil {
		return h.store, h.locked.Load()
	}
	return nil, false
}

// reminderWindows is every open reminder window: the on-screen profile's and held ones'.
func (u *UI) reminderWindows() []*reminderWindow {
	var out []*reminderWindow
	if u.reminder != nil {
		out = append(out, u.reminder)
	}
	for _, h := range u.held {
		if h.reminder != nil {
			out = append(out, h.reminder)
		}
	}
	return out
}

// ownsReminder says whether w is still one of the open reminder windows.
func (u *UI) ownsReminder(w *reminderWindow) bool {
	for _, x := range u.reminderWindows() {
		if x == w {
			return true
		}
	}
	return false
}

// forgetReminder drops w (closed by the person) from wherever it is kept.
func (u *UI) forgetReminder(w *reminderWindow) {
	if u.reminder == w {
		u.reminder = nil
	}
	for _, h := range u.held {
		if h.reminder == w {
			h.reminder = nil
		}
	}
}

// notifyHeld delivers a held profile's notice: a desktop notification that names the
// person, and that profile's own reminder window.
func (u *UI) notifyHeld(h *heldProfile, n remind.Notice) {
	name := h.store.Info().Name
	u.app.SendNotification(fyne.NewNotification(name+": "+n.Title, n.Body))
	if len(n.Due)+len(n.Late) == 0 {
		return
	}
	w := h.reminder
	if w == nil {
		w = u.newReminderWindow(h.store, h.locked.Load() || u.isLocked())
		h.reminder = w
	}
	u.addReminders(w, n)
}

// heldUnlocked says whether pi is held behind the screen, unlocked.
func (u *UI) heldUnlocked(pi data.ProfileInfo) bool {
	h := u.heldByID(pi.ID)
	return h != nil && !h.locked.Load()
}

// unlockedOpen shows the open profile pi after its passphrase or PIN was given on the lock
// screen: the one on screen resumes, a held one comes forward.
func (u *UI) unlockedOpen(pi data.ProfileInfo) {
	if u.store != nil && u.store.Info().ID == pi.ID {
		if u.isLocked() {
			u.resume()
		}
		return
	}
	if h := u.heldByID(pi.ID); h != nil {
		u.bringForward(h)
	}
}

// switchProfile shows another profile: at once if it is open and unlocked (held.go), else
// on the unlock screen. The one on screen stays open behind, its reminders still coming.
func (u *UI) switchProfile(id string) {
	if u.isLocked() || (u.store != nil && u.store.Info().ID == id) {
		return // locked: only the lock screen chooses, with a passphrase
	}
	if h := u.heldByID(id); h != nil && !h.locked.Load() {
		u.bringForward(h)
		return
	}
	u.app.Preferences().SetString(prefLastProfile, id)
	u.holdCurrent(false)
	u.win.SetTitle(windowTitle)
	u.showStart()
}
