package app

import (
	"context"
	"errors"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// Settings' "This profile" section: change the passphrase, delete the profile.

func msgPassCurrentWrong() string { return tr.T("profile.current_wrong") }
func msgPassTooShort() string     { return tr.T("profile.too_short") }
func msgPassMismatch() string     { return tr.T("profile.mismatch") }
func msgPassChanged() string      { return tr.T("profile.changed") }
func msgPassFailed() string       { return tr.T("profile.change_failed") }

// profileForm is the "This profile" part of Settings.
type profileForm struct {
	curPass, newPass, repeat *widget.Entry
	change                   *widget.Button
	passMsg                  *widget.Label

	deleteBtn     *widget.Button  // shows the confirmation
	confirmBox    *fyne.Container // type the name, then "Delete for good"
	confirmName   *widget.Entry
	confirmDelete *widget.Button
	deleteMsg     *widget.Label
}

func (u *UI) newProfileForm(st *data.Store) (*profileForm, fyne.CanvasObject) {
	f := &profileForm{}
	info := st.Info()
	f.curPass = widget.NewPasswordEntry()
	f.newPass = widget.NewPasswordEntry()
	f.repeat = widget.NewPasswordEntry()
	f.passMsg = message()
	for _, e := range []*widget.Entry{f.curPass, f.newPass, f.repeat} {
		e.OnChanged = func(string) { say(f.passMsg, "") }
		e.OnSubmitted = func(string) { u.changePassphrase() }
	}
	f.change = widget.NewButtonWithIcon(tr.T("profile.change"), theme.ConfirmIcon(), u.changePassphrase)
	var cur fyne.CanvasObject = labelled(fieldLabel(tr.T("profile.current")), f.curPass)
	if !info.HasPassphrase {
		cur.Hide()
	}

	f.deleteBtn = widget.NewButtonWithIcon(tr.T("profile.delete"), theme.DeleteIcon(), func() {
		f.confirmBox.Show()
		u.focus(f.confirmName)
	})
	f.confirmName = widget.NewEntry()
	f.confirmName.SetPlaceHolder(info.Name)
	f.confirmDelete = widget.NewButtonWithIcon(tr.T("profile.delete_for_good"), theme.DeleteIcon(), u.deleteProfile)
	f.confirmDelete.Importance = widget.DangerImportance
	f.confirmDelete.Disable()
	f.confirmName.OnChanged = func(s string) {
		if s == info.Name {
			f.confirmDelete.Enable()
		} else {
			f.confirmDelete.Disable()
		}
	}
	f.confirmName.OnSubmitted = func(string) { u.deleteProfile() }
	cancel := widget.NewButton(tr.T("profile.cancel"), func() {
		f.confirmName.SetText("")
		f.confirmBox.Hide()
	})
	f.deleteMsg = message()
	f.confirmBox = container.NewVBox(
		paragraph(tr.T("profile.delete_confirm", tr.Args{"Name": info.Name})),
		f.confirmName,
		container.NewHBox(tall(f.confirmDelete), tall(cancel)),
	)
	f.confirmBox.Hide()

	box := container.NewVBox(
		subheading(tr.T("profile.passphrase")),
		cur,
		labelled(fieldLabel(tr.T("profile.new")), f.newPass, caption(tr.T("profile.at_least_8"))),
		labelled(fieldLabel(tr.T("profile.new_again")), f.repeat),
		f.passMsg,
		container.NewHBox(tall(f.change)),
		container.NewHBox(tall(f.deleteBtn)),
		f.confirmBox,
		f.deleteMsg,
	)
	return f, box
}

// changePassphrase checks the current passphrase (by opening the profile a second time and
// closing it), then sets the new one.
func (u *UI) changePassphrase() {
	s := u.settings
	if s == nil || s.profile == nil || s.profile.change.Disabled() {
		return
	}
	f := s.profile
	st := s.store
	info := st.Info()
	cur, nw := []byte(f.curPass.Text), []byte(f.newPass.Text)
	switch {
	case info.HasPassphrase && len(cur) == 0:
		say(f.passMsg, msgPassCurrentWrong())
		return
	case utf8.RuneCount(nw) < minPassphrase:
		say(f.passMsg, msgPassTooShort())
		return
	case f.newPass.Text != f.repeat.Text:
		say(f.passMsg, msgPassMismatch())
		return
	}
	say(f.passMsg, "")
	f.change.Disable()
	profiles := u.opt.Profiles
	background(s.prof, func(ctx context.Context) (struct{}, error) {
		defer clear(cur)
		defer clear(nw)
		if info.HasPassphrase {
			check, err := profiles.Open(ctx, info, data.Credentials{Passphrase: cur})
			if err != nil {
				return struct{}{}, err
			}
			_ = check.Close()
		}
		return struct{}{}, st.SetPassphrase(ctx, nw, profiles.Argon2)
	}, func(_ struct{}, err error) {
		if u.settings != s {
			return
		}
		f.change.Enable()
		switch {
		case err == nil:
			for _, e := range []*widget.Entry{f.curPass, f.newPass, f.repeat} {
				e.SetText("")
			}
			say(f.passMsg, msgPassChanged())
			// A keyring-only profile that now has a passphrase unlocks its screen with it.
			u.noteInfo(st.Info())
			s.prof.pinLock = false
			if s.access != nil {
				u.fitAccess(s.access, s.prof)
			}
			f.passMsg.Importance = widget.SuccessImportance
			f.passMsg.Refresh()
			return
		case errors.Is(err, data.ErrWrongPassphrase):
			say(f.passMsg, msgPassCurrentWrong())
		default:
			say(f.passMsg, msgPassFailed())
			u.failed(u.win, tr.T("profile.not_changed"), tr.T("profile.old_still_opens")+" "+tryAgain())
		}
		f.passMsg.Importance = widget.DangerImportance
		f.passMsg.Refresh()
	})
}

// deleteProfile closes the open profile, deletes it, and goes back to the start screen.
func (u *UI) deleteProfile() {
	s := u.settings
	if s == nil || s.profile == nil || s.profile.confirmDelete.Disabled() {
		return
	}
	f := s.profile
	st := s.store
	info := st.Info()
	if f.confirmName.Text != info.Name || u.cur != s.prof {
		return
	}
	f.confirmDelete.Disable()
	u.cur = nil
	closed := s.prof.end()
	profiles := u.opt.Profiles
	background(u, func(ctx context.Context) (struct{}, error) {
		_ = closed() // its work done and its key forgotten before its files go
		return struct{}{}, profiles.Delete(ctx, info)
	}, func(_ struct{}, err error) {
		if u.app.Preferences().String(prefLastProfile) == info.ID {
			u.app.Preferences().RemoveValue(prefLastProfile)
		}
		u.showStart()
		if err != nil && u.start != nil {
			// The profile is closed either way; the start screen lists what is left.
			u.failed(u.win, tr.T("profile.not_deleted"), tr.T("profile.not_deleted_todo"))
		}
	})
}
