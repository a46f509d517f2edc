package app

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/vault"
)

// Settings' name and unlocking part: rename the profile, open it with the computer's
// keyring or not, and the screen PIN of a keyring-only profile.

func msgRenamed() string        { return tr.T("access.renamed") }
func msgRenameFailed() string   { return tr.T("access.rename_failed") }
func msgKeyringAdded() string   { return tr.T("access.keyring_added") }
func msgKeyringRemoved() string { return tr.T("access.keyring_removed") }
func msgKeyringFailed() string  { return tr.T("access.keyring_failed") }
func msgKeyringNone() string    { return tr.T("access.keyring_none") }
func msgPINSet() string         { return tr.T("access.pin_set") }
func msgPINRemoved() string     { return tr.T("access.pin_removed") }
func msgPINBad() string         { return tr.T("access.pin_bad") }
func msgPINMismatch() string    { return tr.T("access.pin_mismatch") }
func msgPINFailed() string      { return tr.T("access.pin_failed") }
func msgWrongPIN() string       { return tr.T("access.wrong_pin") }
func msgNoPIN() string          { return tr.T("access.no_pin") }
func msgPINCheckFailed() string { return tr.T("access.pin_check_failed") }

// errPINNeeded: a locked keyring-only profile has a screen PIN (or whether it has one could
// not be read), so the keyring alone does not show it.
var errPINNeeded = errors.New("this profile's screen PIN is needed")

// accessForm is the "Name and unlocking" part of Settings.
type accessForm struct {
	name      *navEntry
	rename    *widget.Button
	renameMsg *widget.Label

	keyringText *widget.Label
	keyringRow  *fyne.Container // holds keyringOn and keyringOff; hidden when neither applies
	keyringOn   *widget.Button  // "Use the keyring too"
	keyringOff  *widget.Button  // "Stop using the keyring"
	keyringMsg  *widget.Label

	pinBox    *fyne.Container // only for keyring-only profiles
	pin       *widget.Entry
	pinAgain  *widget.Entry
	setPIN    *widget.Button
	removePIN *widget.Button
	pinMsg    *widget.Label
}

func (u *UI) newAccessForm(p *openProfile) (*accessForm, fyne.CanvasObject) {
	st := p.store
	f := &accessForm{}
	f.name = u.newEntry()
	f.name.SetText(st.Info().Name)
	f.name.OnSubmitted = func(string) { u.renameProfile() }
	f.name.OnChanged = func(string) { say(f.renameMsg, "") }
	f.rename = widget.NewButtonWithIcon(tr.T("access.rename"), theme.DocumentCreateIcon(), u.renameProfile)
	f.renameMsg = message()

	f.keyringText = paragraph("")
	f.keyringOn = widget.NewButtonWithIcon(tr.T("access.keyring_on"), theme.LoginIcon(), func() { u.setKeyring(true) })
	f.keyringOff = widget.NewButtonWithIcon(tr.T("access.keyring_off"), theme.CancelIcon(), func() { u.setKeyring(false) })
	f.keyringMsg = message()
	f.keyringRow = container.NewHBox()

	f.pin = widget.NewPasswordEntry()
	f.pin.SetPlaceHolder(tr.T("access.pin_digits"))
	f.pinAgain = widget.NewPasswordEntry()
	f.pinAgain.OnSubmitted = func(string) { u.savePIN() }
	f.setPIN = widget.NewButtonWithIcon(tr.T("access.set_pin"), theme.ConfirmIcon(), u.savePIN)
	f.removePIN = widget.NewButtonWithIcon(tr.T("access.remove_pin"), theme.DeleteIcon(), u.removePIN)
	f.pinMsg = message()
	pinHint := caption(tr.T("access.pin_hint"))
	pinHint.Wrapping = fyne.TextWrapWord
	f.pinBox = container.NewVBox(
		labelled(fieldLabel(tr.T("access.screen_pin")), f.pin, pinHint),
		labelled(fieldLabel(tr.T("access.pin_again")), f.pinAgain),
		f.pinMsg,
		container.NewHBox(tall(f.setPIN), tall(f.removePIN)),
	)
	u.fitAccess(f, p)

	box := container.NewVBox(
		subheading(tr.T("access.title")),
		labelled(fieldLabel(tr.T("access.name")), container.NewBorder(nil, nil, nil, tall(f.rename), f.name), f.renameMsg),
		f.keyringText,
		f.keyringRow,
		f.keyringMsg,
		f.pinBox,
	)
	return f, box
}

// fitAccess shows what applies to the profile p as it is now.
func (u *UI) fitAccess(f *accessForm, p *openProfile) {
	info := p.store.Info()
	f.keyringOn.Hide()
	f.keyringOff.Hide()
	switch {
	case info.HasKeyring && info.HasPassphrase:
		f.keyringText.SetText(tr.T("access.opens_both"))
		f.keyringOff.Show()
	case info.HasKeyring:
		f.keyringText.SetText(tr.T("access.opens_keyring"))
	default:
		f.keyringText.SetText(tr.T("access.opens_passphrase"))
		if u.opt.Profiles.Keyring != nil {
			f.keyringOn.Show()
		}
	}
	// Only the button that applies is in the row: a hidden one would still widen it.
	f.keyringRow.Objects = nil
	for _, b := range []*widget.Button{f.keyringOn, f.keyringOff} {
		if b.Visible() {
			f.keyringRow.Objects = append(f.keyringRow.Objects, tall(b))
		}
	}
	f.keyringRow.Refresh()
	if len(f.keyringRow.Objects) > 0 {
		f.keyringRow.Show()
	} else {
		f.keyringRow.Hide()
	}
	if info.HasPassphrase {
		f.pinBox.Hide()
	} else {
		f.pinBox.Show()
	}
	if p.pinLock {
		f.removePIN.Show()
		f.setPIN.SetText(tr.T("access.change_pin"))
	} else {
		f.removePIN.Hide()
		f.setPIN.SetText(tr.T("access.set_pin"))
	}
}

// renameProfile gives the open profile the name typed in Settings.
func (u *UI) renameProfile() {
	s := u.settings
	if s == nil || s.access == nil || s.access.rename.Disabled() {
		return
	}
	f, st := s.access, s.store
	name := f.name.Text
	f.rename.Disable()
	profiles := u.opt.Profiles
	background(s.prof, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, profiles.Rename(ctx, st, name)
	}, func(_ struct{}, err error) {
		if u.settings != s {
			return
		}
		f.rename.Enable()
		switch {
		case err == nil:
			info := st.Info()
			for i := range u.known {
				if u.known[i].ID == info.ID {
					u.known[i].Name = info.Name
				}
			}
			u.namePeople()
			f.name.SetText(info.Name)
			s.title.SetText(info.Name)
			u.win.SetTitle(tr.T("access.window_title", tr.Args{"Name": info.Name}))
			sayDone(f.renameMsg, msgRenamed())
		case errors.Is(err, data.ErrExists):
			sayError(f.renameMsg, tr.T("access.name_taken"))
		case errors.Is(err, data.ErrInvalid):
			sayError(f.renameMsg, tr.T("access.name_bad"))
		default:
			sayError(f.renameMsg, msgRenameFailed())
			u.failed(u.win, tr.T("access.not_renamed"), tryAgain())
		}
	})
}

// setKeyring turns keyring unlock on or off for the open profile.
func (u *UI) setKeyring(on bool) {
	s := u.settings
	if s == nil || s.access == nil {
		return
	}
	f, st := s.access, s.store
	f.keyringOn.Disable()
	f.keyringOff.Disable()
	profiles := u.opt.Profiles
	background(s.prof, func(ctx context.Context) (struct{}, error) {
		if on {
			return struct{}{}, profiles.AddKeyring(ctx, st)
		}
		return struct{}{}, profiles.RemoveKeyring(ctx, st)
	}, func(_ struct{}, err error) {
		if u.settings != s {
			return
		}
		f.keyringOn.Enable()
		f.keyringOff.Enable()
		switch {
		case err == nil && on:
			sayDone(f.keyringMsg, msgKeyringAdded())
		case err == nil:
			sayDone(f.keyringMsg, msgKeyringRemoved())
		case errors.Is(err, data.ErrKeyringKeyLeft):
			sayDone(f.keyringMsg, tr.T("access.keyring_removed_left"))
		case errors.Is(err, vault.ErrKeyringUnavailable):
			sayError(f.keyringMsg, msgKeyringNone())
		default:
			sayError(f.keyringMsg, msgKeyringFailed())
			u.failed(u.win, tr.T("access.keyring_not_changed"), tryAgain())
		}
		u.noteInfo(st.Info())
		if !st.Info().HasKeyring {
			u.setPINFlag(s.prof, false)
		}
		u.fitAccess(f, s.prof)
		s.left.Refresh()
	})
}

// savePIN sets or changes the screen PIN.
func (u *UI) savePIN() {
	s := u.settings
	if s == nil || s.access == nil || s.access.setPIN.Disabled() {
		return
	}
	f, st := s.access, s.store
	pin := f.pin.Text
	switch {
	case data.ValidatePIN(pin) != nil:
		sayError(f.pinMsg, msgPINBad())
		return
	case pin != f.pinAgain.Text:
		sayError(f.pinMsg, msgPINMismatch())
		return
	}
	f.setPIN.Disable()
	background(s.prof, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, st.SetPIN(ctx, pin)
	}, func(_ struct{}, err error) {
		if err == nil {
			u.setPINFlag(s.prof, true) // also when Settings has gone meanwhile
		}
		if u.settings != s {
			return
		}
		f.setPIN.Enable()
		if err != nil {
			sayError(f.pinMsg, msgPINFailed())
			u.failed(u.win, tr.T("access.pin_not_saved"), tryAgain())
			return
		}
		f.pin.SetText("")
		f.pinAgain.SetText("")
		sayDone(f.pinMsg, msgPINSet())
		u.fitAccess(f, s.prof)
	})
}

// removePIN removes the screen PIN: the lock screen then opens from the keyring again.
func (u *UI) removePIN() {
	s := u.settings
	if s == nil || s.access == nil {
		return
	}
	f, st := s.access, s.store
	background(s.prof, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, st.ClearPIN(ctx)
	}, func(_ struct{}, err error) {
		if err == nil {
			u.setPINFlag(s.prof, false) // also when Settings has gone meanwhile
		}
		if u.settings != s {
			return
		}
		if err != nil {
			sayError(f.pinMsg, msgPINFailed())
			u.failed(u.win, tr.T("access.pin_not_saved"), tryAgain())
			return
		}
		sayDone(f.pinMsg, msgPINRemoved())
		u.fitAccess(f, s.prof)
	})
}

// notePIN reads whether the newly opened profile p has a screen PIN (off the UI goroutine).
// If that cannot be read, the lock screen asks again when it is used (submitUnlock).
func (u *UI) notePIN(p *openProfile) {
	p.pinLock = false
	background(p, p.store.HasPIN, func(has bool, err error) {
		if err == nil {
			u.setPINFlag(p, has)
		}
	})
}

// setPINFlag records whether p has a screen PIN the lock screen asks for (only keyring-only
// profiles do).
func (u *UI) setPINFlag(p *openProfile, has bool) {
	p.pinLock = has && !p.store.Info().HasPassphrase
}

// noteInfo replaces the listed profile's details with info (after its unlocking changed).
func (u *UI) noteInfo(info data.ProfileInfo) {
	for i := range u.known {
		if u.known[i].ID == info.ID {
			u.known[i] = info
		}
	}
}

// pinLocked says whether pi is open (on screen or held), locked, keyring-only with a
// screen PIN.
func (u *UI) pinLocked(pi data.ProfileInfo) bool {
	p := u.openByID(pi.ID)
	if p == nil || !p.locked.Load() || p.store.Info().HasPassphrase {
		return false
	}
	return p.pinLock
}

// submitPIN checks the PIN typed on the lock screen of a keyring-only profile.
func (u *UI) submitPIN(s *unlockScreen, pi data.ProfileInfo) {
	pin := s.pass.Text
	if pin == "" {
		say(s.message, msgNoPIN())
		u.focus(s.pass)
		return
	}
	say(s.message, "")
	u.setUnlockBusy(true)
	p := u.openByID(pi.ID)
	background(p, func(ctx context.Context) (bool, error) {
		return p.store.CheckPIN(ctx, pin)
	}, func(ok bool, err error) {
		if u.unlock != s {
			return
		}
		u.setUnlockBusy(false)
		if err == nil && ok {
			u.unlockedOpen(pi)
			return
		}
		s.pass.SetText("")
		if err != nil {
			say(s.message, msgPINCheckFailed())
		} else {
			say(s.message, msgWrongPIN())
			u.wrongTry(pi.ID)
		}
		if !s.pass.Disabled() {
			u.focus(s.pass)
		}
	})
}
