package app

// The recover screen: open a journal with its recovery key, and choose a new passphrase.

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/vault"
)

type recoverScreen struct {
	key     *widget.Entry
	pass    *widget.Entry
	repeat  *widget.Entry
	message *widget.Label
	open    *widget.Button
	back    *widget.Button
	busy    bool
}

func (u *UI) showRecover(list []data.ProfileInfo, pi data.ProfileInfo) {
	u.clearScreens()
	s := &recoverScreen{}
	u.recover = s
	s.key = widget.NewEntry()
	s.key.SetPlaceHolder(tr.T("recover.key_example"))
	s.key.TextStyle = fyne.TextStyle{Monospace: true}
	s.pass = widget.NewPasswordEntry()
	s.repeat = widget.NewPasswordEntry()
	s.message = message()
	submit := func() { u.submitRecover(pi) }
	s.key.OnSubmitted = func(string) { u.focus(s.pass) }
	s.pass.OnSubmitted = func(string) { u.focus(s.repeat) }
	s.repeat.OnSubmitted = func(string) { submit() }
	s.open = widget.NewButton(tr.T("recover.open"), submit)
	s.open.Importance = widget.HighImportance
	s.back = widget.NewButton(tr.T("recover.back"), func() { u.showUnlock(list, "") })
	s.back.Importance = widget.LowImportance
	u.setContent(page(
		heading(tr.T("recover.title")),
		paragraph(tr.T("recover.intro", tr.Args{"Name": profileLabel(pi)})),
		labelled(fieldLabel(tr.T("recover.key")), s.key),
		container.NewGridWithColumns(2,
			labelled(fieldLabel(tr.T("recover.new_passphrase")), s.pass),
			labelled(fieldLabel(tr.T("recover.new_passphrase_again")), s.repeat),
		),
		s.message,
		tall(s.open),
		container.NewHBox(s.back),
	))
	u.focus(s.key)
}

func (u *UI) submitRecover(pi data.ProfileInfo) {
	s := u.recover
	if s == nil || s.busy {
		return
	}
	rk, err := vault.ParseRecoveryKey(s.key.Text)
	if err != nil {
		say(s.message, tr.T("recover.bad_key"))
		u.focus(s.key)
		return
	}
	pass := s.pass.Text
	switch {
	case strings.TrimSpace(pass) == "" || utf8.RuneCountInString(pass) < minPassphrase:
		say(s.message, tr.T("recover.too_short"))
		u.focus(s.pass)
		return
	case pass != s.repeat.Text:
		say(s.message, tr.T("recover.mismatch"))
		s.pass.SetText("")
		s.repeat.SetText("")
		u.focus(s.pass)
		return
	}
	say(s.message, "")
	s.busy = true
	setEnabled(false, s.key, s.pass, s.repeat, s.open, s.back)
	s.open.SetText(tr.T("recover.opening"))
	newPass := []byte(pass)
	profiles := u.opt.Profiles
	background(u, func(ctx context.Context) (*data.Store, error) {
		return profiles.Recover(ctx, pi, rk, newPass)
	}, func(st *data.Store, err error) {
		clear(newPass)
		if u.recover != s {
			if st != nil {
				_ = st.Close()
			}
			return
		}
		s.busy = false
		setEnabled(true, s.key, s.pass, s.repeat, s.open, s.back)
		s.open.SetText(tr.T("recover.open"))
		if err == nil {
			u.opened(st)
			return
		}
		if errors.Is(err, data.ErrWrongPassphrase) {
			say(s.message, tr.T("recover.wrong_key"))
			u.focus(s.key)
			return
		}
		say(s.message, fileMessage(err))
	})
}
