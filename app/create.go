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
	s.name.SetPlaceHolder("For example: Margaret")
	s.pass = widget.NewPasswordEntry()
	s.repeat = widget.NewPasswordEntry()
	s.hint = widget.NewLabel("")
	s.hint.Wrapping = fyne.TextWrapWord
	s.hint.SizeName = theme.SizeNameCaptionText
	s.message = message()
	s.keyring = widget.NewCheck("Keep the key in this computer's keyring", func(bool) { u.updateCreate() })
	if u.opt.Profiles.Keyring != nil {
		s.keyring.SetChecked(true)
	} else {
		s.keyring.Disable()
	}
	s.create = widget.NewButton("Create my journal", u.submitCreate)
	s.create.Importance = widget.HighImportance
	s.name.OnSubmitted = func(string) { u.focus(s.pass) }
	s.pass.OnSubmitted = func(string) { u.focus(s.repeat) }
	s.repeat.OnSubmitted = func(string) { u.submitCreate() }

	title := "Create your profile"
	intro := "Your journal is kept private on this computer. Tell us whose journal it is."
	var footer fyne.CanvasObject = layout.NewSpacer()
	if existing != nil {
		title = "Create another profile"
		intro = "Each person gets a separate, private journal."
		s.back = widget.NewButton("Back", func() { u.showUnlock(existing, "") })
		s.back.Importance = widget.LowImportance
		footer = container.NewHBox(s.back)
	}
	u.setContent(page(
		heading(title),
		paragraph(intro),
		labelled(fieldLabel("Name"), s.name),
		s.keyring,
		container.NewGridWithColumns(2,
			labelled(fieldLabel("Passphrase"), s.pass),
			labelled(fieldLabel("Passphrase again"), s.repeat),
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
		s.hint.SetText("This computer has no keyring, so please choose a passphrase: " +
			"at least 8 characters. A short sentence is easy to remember.")
	case s.keyring.Checked:
		s.hint.SetText("A passphrase is optional: with one, you can also open your journal " +
			"if the keyring is not available.")
	default:
		s.hint.SetText("Choose a passphrase of at least 8 characters. A short sentence is easy to remember.")
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
		s.create.SetText("Creating your journal…")
	} else {
		s.create.SetText("Create my journal")
	}
}

func (u *UI) submitCreate() {
	s := u.create
	if s == nil || s.busy {
		return
	}
	name, err := data.ValidateProfileName(s.name.Text)
	if err != nil {
		say(s.message, "Please type a name (up to 60 letters).")
		u.focus(s.name)
		return
	}
	useKeyring := s.keyring.Checked && u.opt.Profiles.Keyring != nil
	pass, repeat := s.pass.Text, s.repeat.Text
	switch {
	case pass == "" && !useKeyring:
		say(s.message, "Please choose a passphrase.")
		u.focus(s.pass)
		return
	case pass != "" && strings.TrimSpace(pass) == "":
		say(s.message, "A passphrase cannot be only spaces.")
		u.focus(s.pass)
		return
	case pass != "" && utf8.RuneCountInString(pass) < minPassphrase:
		say(s.message, "Please choose a passphrase of at least 8 characters.")
		u.focus(s.pass)
		return
	case pass != repeat:
		say(s.message, "The two passphrases are not the same. Please type them again.")
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
			say(s.message, "There is already a profile with that name. Please choose another name.")
			u.focus(s.name)
		case errors.Is(err, vault.ErrKeyringUnavailable):
			s.keyring.SetChecked(false)
			say(s.message, "This computer's keyring is not available. Please choose a passphrase instead.")
			u.focus(s.pass)
		case errors.Is(err, data.ErrInvalid):
			say(s.message, inputMessage(err))
		default:
			say(s.message, "Your profile could not be created. Please try again.\n("+err.Error()+")")
		}
	})
}
