package app

import (
	"github.com/patient-companion/companion/data"
)

// Caregivers look after several people from one computer, and every one of them must get
// their reminders. So a profile stays open when the person switches to another: it is
// "held" behind the one on screen, with everything it owns (openprofile.go) going on as
// before — its reminder engine, its reminder window (its own, naming the person) and its
// portal sync, so everyone's notes go out and messages come in. Switching back to a held
// profile is one click, until the app locks: then every held profile is locked too, and
// bringing one forward needs its own passphrase (or PIN), as for the one on screen.
// Switching moves the *openProfile between UI.cur and UI.held; nothing is copied.

// heldByID is the held profile with that id, or nil.
func (u *UI) heldByID(id string) *openProfile {
	for _, h := range u.held {
		if h.id() == id {
			return h
		}
	}
	return nil
}

// openByID is the open profile (on screen or held) with that id, or nil.
func (u *UI) openByID(id string) *openProfile {
	if p := u.cur; p != nil && p.id() == id {
		return p
	}
	return u.heldByID(id)
}

func (u *UI) removeHeld(p *openProfile) {
	for i, h := range u.held {
		if h == p {
			u.held = append(u.held[:i], u.held[i+1:]...)
			return
		}
	}
}

// holdCurrent moves the profile on screen behind, locked or not; nothing is on screen after.
func (u *UI) holdCurrent(locked bool) {
	p := u.cur
	if p == nil {
		return
	}
	u.cur = nil
	p.setLocked(locked)
	u.held = append(u.held, p)
}

// bringForward puts a held profile on screen (its passphrase checked already if it was
// locked), holding the one that was.
func (u *UI) bringForward(p *openProfile) {
	u.removeHeld(p)
	u.holdCurrent(u.isLocked())
	u.cur = p
	u.show(p)
}

// switchProfile shows another profile: at once if it is open and unlocked, else on the
// unlock screen. The one on screen stays open behind, its reminders still coming.
func (u *UI) switchProfile(id string) {
	if u.isLocked() || (u.cur != nil && u.cur.id() == id) {
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

// lockHeld locks every held profile (the app is locking).
func (u *UI) lockHeld() {
	for _, h := range u.held {
		h.setLocked(true)
	}
}

// anyUnlocked says whether some profile, on screen or held, is open and unlocked.
func (u *UI) anyUnlocked() bool {
	if u.cur != nil && !u.isLocked() {
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

// closeHeldOne closes a held profile, after its work has finished.
func (u *UI) closeHeldOne(p *openProfile) {
	u.removeHeld(p)
	p.close()
}

// heldUnlocked says whether pi is held behind the screen, unlocked.
func (u *UI) heldUnlocked(pi data.ProfileInfo) bool {
	h := u.heldByID(pi.ID)
	return h != nil && !h.locked.Load()
}

// unlockedOpen shows the open profile pi after its passphrase or PIN was given on the lock
// screen: the one on screen resumes, a held one comes forward.
func (u *UI) unlockedOpen(pi data.ProfileInfo) {
	if p := u.cur; p != nil && p.id() == pi.ID {
		if u.isLocked() {
			u.resume()
		}
		return
	}
	if h := u.heldByID(pi.ID); h != nil {
		u.bringForward(h)
	}
}
