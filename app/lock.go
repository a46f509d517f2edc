package app

import (
	"context"
	"log"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// Locking (DESIGN §2): the lock screen — the unlock screen, with the open profile chosen —
// covers every screen, but the profile stays open underneath: the reminder engine keeps
// running (with medicine names hidden: Engine.Locked), Taken/Skip in the reminder window
// are still recorded, and sync goes on. Showing the screens again needs the profile's
// passphrase, checked by opening the profile a second time and closing that copy at once.
// A keyring-only profile has no passphrase: the lock screen asks for its screen PIN when it
// has one (access.go), else it unlocks from the keyring, as it opens. Choosing another
// profile on the lock screen (or in the header's switcher) opens that one instead; the
// locked one stays open behind it, locked (held.go). The lock state is each open profile's
// own (openProfile.locked); the idle timer and the count of wrong tries are the window's.

const (
	// defaultAutoLock is the auto_lock_minutes setting's default.
	defaultAutoLock = 5 * time.Minute
	// freeTries is how many wrong passphrases in a row are allowed before a wait.
	freeTries = 3
	// firstWait is the first wait after freeTries wrong passphrases; each further wrong
	// one doubles it, up to maxWait.
	firstWait = 5 * time.Second
	maxWait   = 10 * time.Minute
)

// msgWait is shown, with the seconds left, while Open waits after too many wrong tries.
func msgWait(secs int) string { return tr.N("lock.wait", secs) }

// hiddenMedText is what a reminder row says instead of a medicine's name while locked.
func hiddenMedText(at string) string { return tr.T("lock.hidden_medicine", tr.Args{"Time": at}) }

// isLocked says whether the profile on screen is behind the lock screen.
func (u *UI) isLocked() bool { return u.cur != nil && u.cur.locked.Load() }

// lockedProfile says whether pi is open (on screen or held), locked.
func (u *UI) lockedProfile(pi data.ProfileInfo) bool {
	p := u.openByID(pi.ID)
	return p != nil && p.locked.Load()
}

// lock hides the open profile's screens behind the lock screen; the profile stays open and
// its reminders keep coming. With no profile open it shows the start screen.
func (u *UI) lock() {
	// A drop-down or dialog left open would stay over the lock screen, still working.
	for o := u.win.Canvas().Overlays().Top(); o != nil; o = u.win.Canvas().Overlays().Top() {
		u.win.Canvas().Overlays().Remove(o)
	}
	u.lockHeld()
	if p := u.cur; p != nil {
		p.setLocked(true)
	}
	u.win.SetTitle(windowTitle)
	u.showStart()
}

// resume shows the open profile's screens again after the lock screen.
func (u *UI) resume() { u.show(u.cur) }

// activity notes that the person did something in the window. It only notes the time: the
// idle timer (armIdle) looks at it when it fires, so a busy pointer costs nothing more.
func (u *UI) activity() { u.lastActive = u.now() }

// pointerLayer lies under every screen, the size of the window, and counts the pointer
// moving over it as activity. Fyne gives a pointer move to the top-most hoverable object
// under it, so buttons and lists keep their own hover; moving across a window crosses the
// plain parts between them, which is enough to tell that someone is there.
type pointerLayer struct {
	widget.BaseWidget
	moved func()
}

func newPointerLayer(moved func()) *pointerLayer {
	l := &pointerLayer{moved: moved}
	l.ExtendBaseWidget(l)
	return l
}

func (l *pointerLayer) CreateRenderer() fyne.WidgetRenderer { return emptyRenderer{} }

// emptyRenderer draws nothing.
type emptyRenderer struct{}

func (emptyRenderer) Destroy()                     {}
func (emptyRenderer) Layout(fyne.Size)             {}
func (emptyRenderer) MinSize() fyne.Size           { return fyne.Size{} }
func (emptyRenderer) Objects() []fyne.CanvasObject { return nil }
func (emptyRenderer) Refresh()                     {}

func (l *pointerLayer) MouseIn(*desktop.MouseEvent)    { l.moved() }
func (l *pointerLayer) MouseMoved(*desktop.MouseEvent) { l.moved() }
func (l *pointerLayer) MouseOut()                      {}

// armIdle arms the idle timer for the moment the window would lock if nothing happened
// meanwhile (lastActive + autoLock): one timer, not a poll. When it fires, checkIdle decides
// (activity since then pushes the moment on, and the timer is armed again for it). Nothing
// is armed while every open profile is locked, or auto-lock is off; showing a profile arms it.
func (u *UI) armIdle() {
	if u.idleArmed || u.autoLock <= 0 || !u.anyUnlocked() || u.ctx.Err() != nil {
		return
	}
	d := u.lastActive.Add(u.autoLock).Sub(u.now())
	if d < time.Second {
		d = time.Second
	}
	u.idleArmed = true
	fire, stop := u.opt.Clock.NewTimer(d)
	go func() {
		defer stop()
		select {
		case <-fire:
			// And wait: the timer is stopped (the deferred stop) only once the check has run,
			// so its end means the check is done (a test reads the lock state then; with
			// fyne.Do it raced the check, 2 runs in 16).
			fyne.DoAndWait(func() {
				u.idleArmed = false
				u.checkIdle(u.now())
				u.armIdle()
			})
		case <-u.ctx.Done():
		}
	}()
}

// watchActivity counts keys typed on the window as activity (keys typed into a field are
// noticed by checkIdle, as the field's text changing); the pointer is counted by the
// pointerLayer under each screen.
func (u *UI) watchActivity() {
	c := u.win.Canvas()
	onKey, onRune := c.OnTypedKey(), c.OnTypedRune()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		u.activity()
		if f := u.typeTo; f != nil && c.Focused() == nil {
			// A key (Tab, Enter) only wakes the field: Enter on an empty passphrase would
			// count as a wrong try.
			u.focus(f)
			return
		}
		enter := ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter
		if enter && c.Focused() == nil && u.enterOpens() {
			u.unlock.open.OnTapped()
			return
		}
		if u.start != nil && c.Focused() == nil {
			u.ahead.key(ev.Name)
			return
		}
		if onKey != nil {
			onKey(ev)
		}
	})
	c.SetOnTypedRune(func(r rune) {
		u.activity()
		if f := u.typeTo; f != nil && c.Focused() == nil {
			u.focus(f)
			f.TypedRune(r)
			return
		}
		if u.start != nil && c.Focused() == nil {
			u.ahead.rune(r)
			return
		}
		if onRune != nil {
			onRune(r)
		}
	})
}

// typedAhead is what was typed while the "Opening…" screen showed: after a lock (Ctrl+L, then
// the passphrase at once) or at start, the profiles are still being listed, and the lock
// screen's field does not exist yet. showUnlock hands it to the passphrase field; any other
// screen drops it.
type typedAhead struct {
	runes []rune
	enter bool
}

// maxTypedAhead bounds what is kept (a passphrase is far shorter).
const maxTypedAhead = 256

func (t *typedAhead) rune(r rune) {
	if len(t.runes) < maxTypedAhead && !t.enter {
		t.runes = append(t.runes, r)
	}
}

func (t *typedAhead) key(k fyne.KeyName) {
	switch k {
	case fyne.KeyReturn, fyne.KeyEnter:
		t.enter = true
	case fyne.KeyBackspace:
		if n := len(t.runes); n > 0 && !t.enter {
			t.runes = t.runes[:n-1]
		}
	case fyne.KeyEscape:
		t.drop()
	}
}

// drop forgets what was typed, overwriting it (it may be a passphrase).
func (t *typedAhead) drop() {
	for i := range t.runes {
		t.runes[i] = 0
	}
	t.runes, t.enter = t.runes[:0], false
}

// replay types what was typed ahead into f, which has the focus, then drops it; Enter typed
// ahead is typed too (it submits the passphrase).
func (t *typedAhead) replay(f fyne.Focusable) {
	if len(t.runes) == 0 && !t.enter {
		return
	}
	for _, r := range t.runes {
		f.TypedRune(r)
	}
	enter := t.enter
	t.drop()
	if enter {
		f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	}
}

// focusSignature is what checkIdle compares to see typing in a field: the focused object
// and, for an entry, its text.
type focusSignature struct {
	obj  fyne.Focusable
	text string
}

func (u *UI) focusSig() focusSignature {
	f := u.win.Canvas().Focused()
	sig := focusSignature{obj: f}
	switch e := f.(type) {
	case *widget.Entry:
		sig.text = e.Text
	case interface{ entryText() string }:
		sig.text = e.entryText()
	}
	return sig
}

// checkIdle locks the open profile when the window has been idle for the auto_lock_minutes
// setting, and re-enables Open when a wait after wrong passphrases is over. The idle timer
// (armIdle) calls it; tests call it with the time they choose.
func (u *UI) checkIdle(now time.Time) {
	u.updateWait(now)
	if !u.anyUnlocked() {
		return
	}
	if sig := u.focusSig(); sig != u.lastFocus {
		u.lastFocus = sig
		u.lastActive = now
		return
	}
	if u.lastActive.IsZero() {
		u.lastActive = now
		return
	}
	if u.autoLock > 0 && now.Sub(u.lastActive) >= u.autoLock {
		if u.recovery != nil {
			// The new profile's recovery key is on screen: it is shown once, so it stays;
			// the profiles held behind lock.
			u.lockHeld()
			return
		}
		u.lock()
	}
}

// setAutoLock takes the auto-lock time of the profile on screen (from its settings) and
// arms the idle timer for it.
func (u *UI) setAutoLock(d time.Duration) {
	u.autoLock = d
	u.armIdle()
}

// loadProfileSettings reads p's settings in the background and applies what belongs to the window
// as a whole while p is on screen: its auto_lock_minutes, and its start at login (the login
// entry follows the profile shown).
func (u *UI) loadProfileSettings(p *openProfile) {
	background(p, func(ctx context.Context) (data.Settings, error) {
		// Damaged settings come with the defaults in place: lock after the default time.
		set, _ := p.store.Settings(ctx)
		if err := u.applyStartAtLogin(set.StartAtLogin); err != nil {
			log.Printf("start at login: %v", err)
		}
		return set, nil
	}, func(set data.Settings, _ error) {
		if u.cur == p {
			u.setAutoLock(set.AutoLock)
		}
	})
}

// wrongTry counts a wrong passphrase or PIN for the profile id; from the freeTries-th on,
// Open waits a while, longer each time.
func (u *UI) wrongTry(id string) {
	u.failedFor = id
	u.failures++
	if u.failures < freeTries {
		return
	}
	d := firstWait << (u.failures - freeTries)
	if d > maxWait || d <= 0 {
		d = maxWait
	}
	u.waitUntil = u.now().Add(d)
	u.updateWait(u.now())
	// Open comes back by itself when the wait is over (checkIdle also looks, every tick).
	over, stop := u.opt.Clock.NewTimer(d)
	go func() {
		defer stop()
		select {
		case <-over:
			fyne.Do(func() { u.updateWait(u.now()) })
		case <-u.ctx.Done():
		}
	}()
}

// rightTry forgets the wrong tries once the profile they were made on (id) is opened with
// its passphrase or PIN. Opening another profile (a new one, say) does not: a 4-digit PIN
// could otherwise be tried without end, three at a time.
func (u *UI) rightTry(id string) {
	if u.failures == 0 || id == u.failedFor {
		u.failures, u.failedFor, u.waitUntil = 0, "", time.Time{}
	}
}

// waiting says whether Open must wait after too many wrong passphrases.
func (u *UI) waiting(now time.Time) bool {
	return !u.waitUntil.IsZero() && now.Before(u.waitUntil)
}

// updateWait disables the unlock form (with a message) while a wait runs, and enables it
// again once it is over.
func (u *UI) updateWait(now time.Time) {
	s := u.unlock
	if s == nil || s.busy || u.waitUntil.IsZero() {
		return
	}
	if u.waiting(now) {
		secs := int((u.waitUntil.Sub(now) + time.Second - 1) / time.Second)
		say(s.message, msgWait(secs))
		s.open.Disable()
		s.pass.Disable()
		s.waiting = true
		return
	}
	if s.waiting {
		s.waiting = false
		say(s.message, "")
		u.updateUnlock()
		s.pass.Enable()
		if s.passBox.Visible() {
			u.focus(s.pass)
		}
	}
}
