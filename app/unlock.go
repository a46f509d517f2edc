package app

// The unlock screen: whose journal, and its passphrase (or nothing, for the keyring). It is
// also the lock screen (lock.go), with the open profile chosen and its passphrase or PIN asked.

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/vault"
)

// Messages shown on the unlock and create screens.
func msgWrongPassphrase() string { return tr.T("unlock.wrong_passphrase") }
func msgNoPassphrase() string    { return tr.T("unlock.no_passphrase") }
func msgKeyringUsePass() string  { return tr.T("unlock.keyring_use_passphrase") }
func msgKeyringUseRK() string    { return tr.T("unlock.keyring_use_recovery_key") }
func msgNewer() string           { return tr.T("unlock.newer") }
func msgDamaged() string         { return tr.T("unlock.damaged") }
func msgOpenFailed() string      { return tr.T("unlock.open_failed") }

type unlockScreen struct {
	profiles []data.ProfileInfo
	current  int

	choice   *widget.RadioGroup // nil with only one profile
	name     *widget.Label
	passBox  *fyne.Container
	passName *widget.Label // "Passphrase", or "PIN" on the lock screen of a profile with one
	pass     *widget.Entry
	hint     *widget.Label
	message  *widget.Label
	open     *widget.Button
	forgot   *widget.Button
	another  *widget.Button
	busy     bool
	waiting  bool // Open waits after too many wrong passphrases
	labelsOf []string
}

func profileLabel(pi data.ProfileInfo) string {
	if pi.Name == "" {
		id := pi.ID
		if len(id) > 8 {
			id = id[:8]
		}
		return tr.T("unlock.damaged_profile", tr.Args{"ID": id})
	}
	return pi.Name
}

// showUnlock offers the profiles to open; msg, if set, is shown at once (e.g. after Lock).
func (u *UI) showUnlock(list []data.ProfileInfo, msg string) {
	u.clearScreens()
	s := &unlockScreen{profiles: list}
	u.unlock = s
	last := u.app.Preferences().String(prefLastProfile)
	for i, pi := range list {
		if pi.ID == last {
			s.current = i
		}
	}

	s.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.name.SizeName = theme.SizeNameSubHeadingText
	s.pass = widget.NewPasswordEntry()
	s.pass.SetPlaceHolder(tr.T("unlock.your_passphrase"))
	s.pass.OnSubmitted = func(string) { u.submitUnlock() }
	s.pass.OnChanged = func(string) {
		if s.message.Text == msgNoPassphrase() {
			say(s.message, "")
		}
	}
	s.hint = widget.NewLabel("")
	s.hint.Wrapping = fyne.TextWrapWord
	s.hint.SizeName = theme.SizeNameCaptionText
	s.message = message()
	s.open = widget.NewButton(tr.T("unlock.open"), u.submitUnlock)
	s.open.Importance = widget.HighImportance
	s.forgot = widget.NewButton(tr.T("unlock.forgot"), func() { u.showRecover(s.profiles, s.profiles[s.current]) })
	s.forgot.Importance = widget.LowImportance
	s.another = widget.NewButton(tr.T("unlock.create_another"), func() { u.showCreate(s.profiles) })
	s.another.Importance = widget.LowImportance
	s.passName = fieldLabel(tr.T("unlock.passphrase"))
	s.passBox = container.New(layout.NewCustomPaddedVBoxLayout(-6), s.passName, s.pass)

	var who fyne.CanvasObject = s.name
	if len(list) > 1 {
		for _, pi := range list {
			s.labelsOf = append(s.labelsOf, profileLabel(pi))
		}
		s.choice = widget.NewRadioGroup(s.labelsOf, nil)
		s.choice.Required = true
		s.choice.SetSelected(s.labelsOf[s.current])
		s.choice.OnChanged = func(label string) {
			for i, l := range s.labelsOf {
				if l == label {
					s.current = i
				}
			}
			say(s.message, "")
			s.pass.SetText("")
			u.updateUnlock()
			if s.passBox.Visible() && !s.pass.Disabled() {
				u.focus(s.pass)
			}
		}
		who = container.NewVBox(fieldLabel(tr.T("unlock.whose")), s.choice)
	}

	u.setContent(page(
		heading(tr.T("unlock.title")),
		who,
		s.passBox,
		s.hint,
		s.message,
		tall(s.open),
		container.NewHBox(s.forgot, layout.NewSpacer(), s.another),
	))
	u.updateUnlock()
	if msg != "" {
		say(s.message, msg)
	}
	if s.passBox.Visible() && !s.pass.Disabled() {
		switch {
		case len(u.ahead.runes) > 0 || u.ahead.enter:
			// Typed while the profiles were listed (Ctrl+L, then the passphrase at once).
			u.focus(s.pass)
			u.ahead.replay(s.pass)
		case u.isLocked() || u.hidden:
			// Locked (most often by the idle timer) or not shown: nobody is at the window.
			// The field waits unfocused and takes the first key typed (watchActivity).
			u.typeTo = s.pass
		default:
			u.focus(s.pass)
		}
	}
	u.ahead.drop()
}

// enterOpens says whether Enter, with nothing focused, presses Open on the unlock screen: when
// there is no field to type in (a keyring profile, or one already open), so the person need
// not find the button (a button takes only Space).
func (u *UI) enterOpens() bool {
	s := u.unlock
	return s != nil && !s.passBox.Visible() && !s.open.Disabled()
}

// updateUnlock fits the form to the chosen profile: passphrase or keyring, or damaged.
func (u *UI) updateUnlock() {
	s := u.unlock
	pi := s.profiles[s.current]
	s.name.SetText(profileLabel(pi))
	if s.choice != nil {
		s.name.Hide()
	}
	s.passBox.Show()
	s.open.Enable()
	s.forgot.Show()
	s.passName.SetText(tr.T("unlock.passphrase"))
	s.pass.SetPlaceHolder(tr.T("unlock.your_passphrase"))
	switch {
	case pi.Err != nil:
		s.passBox.Hide()
		s.open.Disable()
		s.forgot.Hide()
		s.hint.SetText("")
		s.hint.Hide()
		say(s.message, fileMessage(pi.Err))
		return
	case u.pinLocked(pi):
		s.passName.SetText(tr.T("unlock.pin"))
		s.pass.SetPlaceHolder(tr.T("unlock.your_pin"))
		s.forgot.SetText(tr.T("unlock.use_recovery_key"))
	case u.heldUnlocked(pi):
		s.passBox.Hide()
		s.forgot.Hide()
		s.hint.SetText(tr.T("unlock.already_open"))
	case pi.HasKeyring && !pi.HasPassphrase:
		s.passBox.Hide()
		s.forgot.SetText(tr.T("unlock.use_recovery_key"))
		s.hint.SetText(tr.T("unlock.keyring_only"))
	case pi.HasKeyring && u.lockedProfile(pi):
		// Locked: the keyring alone does not unlock a profile that has a passphrase.
		s.forgot.SetText(tr.T("unlock.forgot"))
		s.hint.SetText("")
	case pi.HasKeyring:
		s.forgot.SetText(tr.T("unlock.forgot"))
		s.hint.SetText(tr.T("unlock.keyring_too"))
	default:
		s.forgot.SetText(tr.T("unlock.forgot"))
		s.hint.SetText("")
	}
	if u.lockedProfile(pi) {
		s.hint.SetText(tr.T("unlock.locked"))
	}
	if s.hint.Text == "" {
		s.hint.Hide()
	} else {
		s.hint.Show()
	}
}

// fileMessage explains an error about a journal file as a whole.
func fileMessage(err error) string {
	switch {
	case errors.Is(err, data.ErrNewerSchema):
		return msgNewer()
	case isDamaged(err):
		return msgDamaged()
	}
	return msgOpenFailed()
}

func (u *UI) setUnlockBusy(busy bool) {
	s := u.unlock
	s.busy = busy
	setEnabled(!busy, s.pass, s.open, s.forgot, s.another)
	if s.choice != nil {
		setEnabled(!busy, s.choice)
	}
	if busy {
		s.open.SetText(tr.T("unlock.opening"))
	} else {
		s.open.SetText(tr.T("unlock.open"))
		u.updateWait(u.now())
	}
}

// submitUnlock opens the chosen profile with the passphrase typed, or with the keyring.
func (u *UI) submitUnlock() {
	s := u.unlock
	if s == nil || s.busy {
		return
	}
	pi := s.profiles[s.current]
	if pi.Err != nil {
		return
	}
	if u.waiting(u.now()) {
		u.updateWait(u.now())
		return
	}
	if h := u.heldByID(pi.ID); h != nil && !h.locked.Load() {
		// Held behind, unlocked (after a switch): it only needs showing.
		u.bringForward(h)
		return
	}
	if u.pinLocked(pi) {
		u.submitPIN(s, pi)
		return
	}
	var pass []byte
	if s.passBox.Visible() {
		pass = []byte(s.pass.Text)
	}
	relock := u.lockedProfile(pi)
	if len(pass) == 0 && (!pi.HasKeyring || (relock && pi.HasPassphrase)) {
		say(s.message, msgNoPassphrase())
		u.focus(s.pass)
		return
	}
	say(s.message, "")
	u.setUnlockBusy(true)
	profiles := u.opt.Profiles
	// Opening is the window's work; checking the passphrase of a profile open already is
	// that profile's (its closing waits for the check).
	var w worker = u
	op := u.openByID(pi.ID)
	if relock {
		w = op
	}
	background(w, func(ctx context.Context) (*data.Store, error) {
		if relock && len(pass) == 0 {
			// Opening from the keyring, locked: a PIN set meanwhile (which the flag may
			// not know yet) must still be asked for.
			if has, err := op.store.HasPIN(ctx); err != nil || has {
				return nil, errors.Join(errPINNeeded, err)
			}
		}
		st, err := profiles.Open(ctx, pi, data.Credentials{Passphrase: pass})
		if relock && err == nil {
			// Only a check of the passphrase: the profile is open already.
			_ = st.Close()
			st = nil
		}
		return st, err
	}, func(st *data.Store, err error) {
		clear(pass)
		if u.unlock != s {
			if st != nil {
				_ = st.Close()
			}
			return
		}
		u.setUnlockBusy(false)
		if err == nil {
			if relock {
				u.unlockedOpen(pi)
				return
			}
			u.opened(st)
			return
		}
		s.pass.SetText("")
		switch {
		case errors.Is(err, errPINNeeded):
			u.setPINFlag(op, true)
			u.updateUnlock()
			say(s.message, msgNoPIN())
		case errors.Is(err, data.ErrWrongPassphrase):
			say(s.message, msgWrongPassphrase())
			u.wrongTry(pi.ID)
		case errors.Is(err, data.ErrLocked), errors.Is(err, vault.ErrKeyringUnavailable),
			errors.Is(err, vault.ErrKeyringEntryMissing):
			if pi.HasPassphrase {
				say(s.message, msgKeyringUsePass())
			} else {
				say(s.message, msgKeyringUseRK())
			}
		default:
			say(s.message, fileMessage(err))
		}
		if s.passBox.Visible() {
			u.focus(s.pass)
		}
	})
}
