package app

// The create screen: a new profile's name, and its keyring or passphrase.

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/vault"
)

// minPassphrase is the shortest passphrase the window accepts for a new profile.
const minPassphrase = 8

type createScreen struct {
	name    *widget.Entry
	keyring *widget.Check
	pass    *widget.Entry
	repeat  *widget.Entry
	hint    *widget.Label
	message *widget.Label
	create  *widget.Button
	back    *widget.Button // nil for the first profile
	busy    bool
}

// showCreate asks for a new profile. existing is nil for the first profile (no way back).
func (u *UI) showCreate(existing []data.ProfileInfo) {
	u.clearScreens()
	s := &createScreen{}
	u.create = s
	s.name = widget.NewEntry()
	s.name.SetPlaceHolder(tr.T("create.name_example"))
	s.pass = widget.NewPasswordEntry()
	s.repeat = widget.NewPasswordEntry()
	s.hint = widget.NewLabel("")
	s.hint.Wrapping = fyne.TextWrapWord
	s.hint.SizeName = theme.SizeNameCaptionText
	s.message = message()
	s.keyring = widget.NewCheck(tr.T("create.keyring"), func(bool) { u.updateCreate() })
	if u.opt.Profiles.Keyring != nil {
		s.keyring.SetChecked(true)
	} else {
		s.keyring.Disable()
	}
	s.create = widget.NewButton(tr.T("create.create"), u.submitCreate)
	s.create.Importance = widget.HighImportance
	s.name.OnSubmitted = func(string) { u.focus(s.pass) }
	s.pass.OnSubmitted = func(string) { u.focus(s.repeat) }
	s.repeat.OnSubmitted = func(string) { u.submitCreate() }

	title := tr.T("create.title")
	intro := tr.T("create.intro")
	var footer fyne.CanvasObject = layout.NewSpacer()
	if existing != nil {
		title = tr.T("create.title_another")
		intro = tr.T("create.intro_another")
		s.back = widget.NewButton(tr.T("create.back"), func() { u.showUnlock(existing, "") })
		s.back.Importance = widget.LowImportance
		footer = container.NewHBox(s.back)
	}
	u.setContent(page(
		heading(title),
		paragraph(intro),
		labelled(fieldLabel(tr.T("create.name")), s.name),
		s.keyring,
		container.NewGridWithColumns(2,
			labelled(fieldLabel(tr.T("create.passphrase")), s.pass),
			labelled(fieldLabel(tr.T("create.passphrase_again")), s.repeat),
		),
		s.hint,
		s.message,
		tall(s.create),
		footer,
	))
	u.updateCreate()
	u.focus(s.name)
}

func (u *UI) updateCreate() {
	s := u.create
	switch {
	case u.opt.Profiles.Keyring == nil:
		s.hint.SetText(tr.T("create.hint_no_keyring"))
	case s.keyring.Checked:
		s.hint.SetText(tr.T("create.hint_keyring"))
	default:
		s.hint.SetText(tr.T("create.hint_passphrase"))
	}
}

func (u *UI) setCreateBusy(busy bool) {
	s := u.create
	s.busy = busy
	ws := []fyne.Disableable{s.name, s.pass, s.repeat, s.create}
	if s.back != nil {
		ws = append(ws, s.back)
	}
	if u.opt.Profiles.Keyring != nil {
		ws = append(ws, s.keyring)
	}
	setEnabled(!busy, ws...)
	if busy {
		s.create.SetText(tr.T("create.creating"))
	} else {
		s.create.SetText(tr.T("create.create"))
	}
}

func (u *UI) submitCreate() {
	s := u.create
	if s == nil || s.busy {
		return
	}
	name, err := data.ValidateProfileName(s.name.Text)
	if err != nil {
		say(s.message, tr.T("create.need_name"))
		u.focus(s.name)
		return
	}
	useKeyring := s.keyring.Checked && u.opt.Profiles.Keyring != nil
	pass, repeat := s.pass.Text, s.repeat.Text
	switch {
	case pass == "" && !useKeyring:
		say(s.message, tr.T("create.need_passphrase"))
		u.focus(s.pass)
		return
	case pass != "" && strings.TrimSpace(pass) == "":
		say(s.message, tr.T("create.only_spaces"))
		u.focus(s.pass)
		return
	case pass != "" && utf8.RuneCountInString(pass) < minPassphrase:
		say(s.message, tr.T("create.too_short"))
		u.focus(s.pass)
		return
	case pass != repeat:
		say(s.message, tr.T("create.mismatch"))
		s.pass.SetText("")
		s.repeat.SetText("")
		u.focus(s.pass)
		return
	}
	say(s.message, "")
	u.setCreateBusy(true)
	opt := data.CreateOptions{Name: name, NoKeyring: !useKeyring}
	if pass != "" {
		opt.Passphrase = []byte(pass)
	}
	profiles := u.opt.Profiles
	type created struct {
		store *data.Store
		rk    vault.RecoveryKey
	}
	background(u, func(ctx context.Context) (created, error) {
		st, rk, err := profiles.Create(ctx, opt)
		return created{st, rk}, err
	}, func(c created, err error) {
		clear(opt.Passphrase)
		if u.create != s {
			if c.store != nil {
				_ = c.store.Close()
			}
			return
		}
		u.setCreateBusy(false)
		if err == nil {
			u.showRecoveryKey(c.store, c.rk)
			return
		}
		switch {
		case errors.Is(err, data.ErrExists):
			say(s.message, tr.T("create.exists"))
			u.focus(s.name)
		case errors.Is(err, vault.ErrKeyringUnavailable):
			s.keyring.SetChecked(false)
			say(s.message, tr.T("create.no_keyring"))
			u.focus(s.pass)
		case errors.Is(err, data.ErrInvalid):
			say(s.message, inputMessage(err))
		default:
			say(s.message, tr.T("create.failed", tr.Args{"Error": err.Error()}))
		}
	})
}
