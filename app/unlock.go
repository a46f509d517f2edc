package app

import (
	"context"
	"errors"
	"image/color"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/vault"
)

// Messages shown on the unlock and create screens.
const (
	msgWrongPassphrase = "That passphrase is not right. Try again, or use your recovery key."
	msgNoPassphrase    = "Type your passphrase, then press Open."
	msgKeyringUsePass  = "This computer's keyring did not give the key. Please use your passphrase."
	msgKeyringUseRK    = "This computer's keyring did not give the key. Use your recovery key to open this journal."
	msgNewer           = "This journal was saved by a newer version of Patient Companion. " +
		"Please install the latest version. Your journal has not been changed."
	msgDamaged = "This journal file is damaged and cannot be opened. It has not been changed; " +
		"a backup copy can restore it."
	msgOpenFailed = "The journal could not be opened. Please try again."
)

// minPassphrase is the shortest passphrase the window accepts for a new profile.
const minPassphrase = 8

// formWidth is the width of the narrow forms (unlock, create, recovery key).
const formWidth = 560

func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

func paragraph(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func fieldLabel(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// message is a label for errors in a form: hidden until there is something to say.
func message() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

func say(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// page lays a narrow form out in the middle of the window, a little down from the top, and
// scrolls if the window is small. It is anchored at the top rather than centred, so a message
// appearing does not make the whole form jump.
func page(objects ...fyne.CanvasObject) fyne.CanvasObject {
	gap := canvas.NewRectangle(color.Transparent)
	gap.SetMinSize(fyne.NewSize(0, pageTop))
	box := container.NewVBox(append([]fyne.CanvasObject{gap}, objects...)...)
	return container.NewVScroll(container.NewPadded(column(formWidth, box)))
}

// pageTop is the space above a narrow form.
const pageTop = 40

// ---------------------------------------------------------------------------------------
// Unlock

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
		return "Damaged profile " + id
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
	s.pass.SetPlaceHolder("Your passphrase")
	s.pass.OnSubmitted = func(string) { u.submitUnlock() }
	s.pass.OnChanged = func(string) {
		if s.message.Text == msgNoPassphrase {
			say(s.message, "")
		}
	}
	s.hint = widget.NewLabel("")
	s.hint.Wrapping = fyne.TextWrapWord
	s.hint.SizeName = theme.SizeNameCaptionText
	s.message = message()
	s.open = widget.NewButton("Open", u.submitUnlock)
	s.open.Importance = widget.HighImportance
	s.forgot = widget.NewButton("Forgot your passphrase?", func() { u.showRecover(s.profiles, s.profiles[s.current]) })
	s.forgot.Importance = widget.LowImportance
	s.another = widget.NewButton("Create another profile", func() { u.showCreate(s.profiles) })
	s.another.Importance = widget.LowImportance
	s.passName = fieldLabel("Passphrase")
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
		who = container.NewVBox(fieldLabel("Whose journal?"), s.choice)
	}

	u.setContent(page(
		heading("Open your journal"),
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
		u.focus(s.pass)
	}
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
	s.passName.SetText("Passphrase")
	s.pass.SetPlaceHolder("Your passphrase")
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
		s.passName.SetText("PIN")
		s.pass.SetPlaceHolder("Your PIN")
		s.forgot.SetText("Use your recovery key")
	case u.heldUnlocked(pi):
		s.passBox.Hide()
		s.forgot.Hide()
		s.hint.SetText("Already open: Open shows it.")
	case pi.HasKeyring && !pi.HasPassphrase:
		s.passBox.Hide()
		s.forgot.SetText("Use your recovery key")
		s.hint.SetText("This journal opens with the key kept in this computer's keyring.")
	case pi.HasKeyring && u.lockedProfile(pi):
		// Locked: the keyring alone does not unlock a profile that has a passphrase.
		s.forgot.SetText("Forgot your passphrase?")
		s.hint.SetText("")
	case pi.HasKeyring:
		s.forgot.SetText("Forgot your passphrase?")
		s.hint.SetText("You can leave the passphrase empty: the key is also kept in this computer's keyring.")
	default:
		s.forgot.SetText("Forgot your passphrase?")
		s.hint.SetText("")
	}
	if u.lockedProfile(pi) {
		s.hint.SetText("Locked. Your reminders still come, without medicine names.")
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
		return msgNewer
	case isDamaged(err):
		return msgDamaged
	}
	return msgOpenFailed
}

func (u *UI) setUnlockBusy(busy bool) {
	s := u.unlock
	s.busy = busy
	for _, w := range []fyne.Disableable{s.pass, s.open, s.forgot, s.another} {
		if busy {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	if s.choice != nil {
		if busy {
			s.choice.Disable()
		} else {
			s.choice.Enable()
		}
	}
	if busy {
		s.open.SetText("Opening…")
	} else {
		s.open.SetText("Open")
		u.updateWait(u.opt.Now())
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
	if u.waiting(u.opt.Now()) {
		u.updateWait(u.opt.Now())
		return
	}
	if st, locked := u.openStore(pi.ID); st != nil && !locked {
		// Held behind, unlocked (after a switch): it only needs showing.
		if h := u.heldByID(pi.ID); h != nil {
			u.bringForward(h)
		}
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
		say(s.message, msgNoPassphrase)
		u.focus(s.pass)
		return
	}
	say(s.message, "")
	u.setUnlockBusy(true)
	profiles := u.opt.Profiles
	openSt, _ := u.openStore(pi.ID)
	background(u, func(ctx context.Context) (*data.Store, error) {
		if relock && len(pass) == 0 {
			// Opening from the keyring, locked: a PIN set meanwhile (which the flag may
			// not know yet) must still be asked for.
			if has, err := openSt.HasPIN(ctx); err != nil || has {
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
			u.setPINFlag(openSt, true)
			u.updateUnlock()
			say(s.message, msgNoPIN)
		case errors.Is(err, data.ErrWrongPassphrase):
			say(s.message, msgWrongPassphrase)
			u.wrongTry(pi.ID)
		case errors.Is(err, data.ErrLocked), errors.Is(err, vault.ErrKeyringUnavailable),
			errors.Is(err, vault.ErrKeyringEntryMissing):
			if pi.HasPassphrase {
				say(s.message, msgKeyringUsePass)
			} else {
				say(s.message, msgKeyringUseRK)
			}
		default:
			say(s.message, fileMessage(err))
		}
		if s.passBox.Visible() {
			u.focus(s.pass)
		}
	})
}

// ---------------------------------------------------------------------------------------
// Create

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
	for _, w := range ws {
		if busy {
			w.Disable()
		} else {
			w.Enable()
		}
	}
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

// ---------------------------------------------------------------------------------------
// Recovery key, shown once after creating a profile

type recoveryScreen struct {
	key     *widget.Label
	written *widget.Check
	next    *widget.Button
}

func (u *UI) showRecoveryKey(st *data.Store, rk vault.RecoveryKey) {
	u.clearScreens()
	s := &recoveryScreen{}
	u.recovery = s
	// The new profile is open already: keep it now, so closing the window here still
	// closes it. One that was open (locked) stays open behind.
	u.holdCurrent(true)
	u.store = st
	s.key = widget.NewLabelWithStyle(recoveryKeyLines(rk.String()), fyne.TextAlignCenter, fyne.TextStyle{Monospace: true, Bold: true})
	s.key.SizeName = theme.SizeNameHeadingText
	s.key.Selectable = true
	s.next = widget.NewButton("Continue to my journal", func() { u.opened(st) })
	s.next.Importance = widget.HighImportance
	s.next.Disable()
	s.written = widget.NewCheck("I have written it down", func(on bool) {
		if on {
			s.next.Enable()
		} else {
			s.next.Disable()
		}
	})
	u.setContent(page(
		heading("Write down your recovery key"),
		paragraph("If you forget your passphrase, or this computer is replaced, this key is the only "+
			"way to open your journal. Write it on paper and keep it somewhere safe."),
		widget.NewCard("", "", s.key),
		paragraph("It will not be shown again."),
		s.written,
		tall(s.next),
	))
}

// recoveryKeyLines breaks a recovery key into lines of at most five groups, at a dash, so it
// never wraps in the middle of a group. The dash stays at the end of the line; spaces, dashes
// and line breaks are all ignored when the key is typed back.
func recoveryKeyLines(key string) string {
	groups := strings.Split(key, "-")
	var lines []string
	for len(groups) > 5 {
		lines = append(lines, strings.Join(groups[:5], "-")+"-")
		groups = groups[5:]
	}
	return strings.Join(append(lines, strings.Join(groups, "-")), "\n")
}

// ---------------------------------------------------------------------------------------
// Recover with the recovery key, and choose a new passphrase

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
	s.key.SetPlaceHolder("ABCD-EFGH-…")
	s.key.TextStyle = fyne.TextStyle{Monospace: true}
	s.pass = widget.NewPasswordEntry()
	s.repeat = widget.NewPasswordEntry()
	s.message = message()
	submit := func() { u.submitRecover(pi) }
	s.key.OnSubmitted = func(string) { u.focus(s.pass) }
	s.pass.OnSubmitted = func(string) { u.focus(s.repeat) }
	s.repeat.OnSubmitted = func(string) { submit() }
	s.open = widget.NewButton("Open my journal", submit)
	s.open.Importance = widget.HighImportance
	s.back = widget.NewButton("Back", func() { u.showUnlock(list, "") })
	s.back.Importance = widget.LowImportance
	u.setContent(page(
		heading("Use your recovery key"),
		paragraph("Type the recovery key you wrote down when "+profileLabel(pi)+"'s journal was made, "+
			"then choose a new passphrase."),
		labelled(fieldLabel("Recovery key"), s.key),
		container.NewGridWithColumns(2,
			labelled(fieldLabel("New passphrase"), s.pass),
			labelled(fieldLabel("New passphrase again"), s.repeat),
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
		say(s.message, "That recovery key does not look right. Please check each group of letters and numbers.")
		u.focus(s.key)
		return
	}
	pass := s.pass.Text
	switch {
	case strings.TrimSpace(pass) == "" || utf8.RuneCountInString(pass) < minPassphrase:
		say(s.message, "Please choose a new passphrase of at least 8 characters.")
		u.focus(s.pass)
		return
	case pass != s.repeat.Text:
		say(s.message, "The two passphrases are not the same. Please type them again.")
		s.pass.SetText("")
		s.repeat.SetText("")
		u.focus(s.pass)
		return
	}
	say(s.message, "")
	s.busy = true
	for _, w := range []fyne.Disableable{s.key, s.pass, s.repeat, s.open, s.back} {
		w.Disable()
	}
	s.open.SetText("Opening…")
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
		for _, w := range []fyne.Disableable{s.key, s.pass, s.repeat, s.open, s.back} {
			w.Enable()
		}
		s.open.SetText("Open my journal")
		if err == nil {
			u.opened(st)
			return
		}
		if errors.Is(err, data.ErrWrongPassphrase) {
			say(s.message, "That recovery key does not belong to this journal.")
			u.focus(s.key)
			return
		}
		say(s.message, fileMessage(err))
	})
}
