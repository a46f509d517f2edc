package app

// The app shell: the frame around every screen of an open profile — the side bar (the clinic
// or the app, and the seven screens), the top bar (the person's name, the profile switcher,
// Everyone and Lock) — and the keyboard shortcuts that move between screens.

import (
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// The screens the navigation side bar switches between, in its order (Ctrl+1 … Ctrl+7).
const (
	navToday        = "today"
	navJournal      = "journal"
	navReadings     = "readings"
	navMedications  = "medications"
	navAppointments = "appointments"
	navRecord       = "record" // Ctrl+7: it came after the six, whose keys people know
	navMessages     = "messages"
	navSettings     = "settings"
)

// navBar is the frame of every screen of an open profile: a side bar with the clinic (or
// the app) and the seven screens, and a top bar with the person's name, the profile switcher
// and Lock. The side bar keeps its labels whole at any text size; a row across the top
// ran out of room at six screens and 200 % text.
type navBar struct {
	today, journal, medications, appointments, messages, settings *widget.Button
	readings                                                      *widget.Button
	record                                                        *widget.Button // Health record
	// switcher lists the profiles (nil with only one); everyone shows the caregiver
	// overview (nil with only one profile).
	switcher *widget.Select
	everyone *widget.Button
	side     fyne.CanvasObject
}

// screenBase is what every screen of an open profile has: the profile, and the frame around
// the screen — a top bar with the person's name, the switcher and Lock, and the side bar of
// screens.
type screenBase struct {
	prof    *openProfile
	store   *data.Store // prof.store, which never changes
	title   *widget.Label
	lockBtn *widget.Button
	top     fyne.CanvasObject
	nav     *navBar
}

// newScreen clears the window for a new screen of the open profile, with current marked
// in the side bar ("" for none); false, and nothing done, when no profile is open or it is
// locked.
func (u *UI) newScreen(current string) (screenBase, bool) {
	p := u.cur
	if p == nil || u.isLocked() {
		return screenBase{}, false
	}
	u.clearScreens()
	b := screenBase{prof: p, store: p.store}
	b.title = widget.NewLabelWithStyle(b.store.Info().Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	b.title.SizeName = theme.SizeNameHeadingText
	b.title.Truncation = fyne.TextTruncateEllipsis
	b.lockBtn = widget.NewButtonWithIcon(tr.T("shell.lock"), theme.LogoutIcon(), u.lock)
	b.nav = u.navBar(current)
	right := tall(b.lockBtn)
	if b.nav.switcher != nil {
		right = container.NewHBox(tall(b.nav.everyone), container.NewCenter(b.nav.switcher), right)
	}
	b.top = container.NewBorder(nil, nil, nil, container.NewCenter(right), b.title)
	return b, true
}

// navBar builds the side bar with current marked, and (with several profiles) the top
// bar's switcher and Everyone.
func (u *UI) navBar(current string) *navBar {
	nb := &navBar{
		today:        widget.NewButtonWithIcon(tr.T("shell.nav_today"), theme.HomeIcon(), u.showToday),
		journal:      widget.NewButtonWithIcon(tr.T("shell.nav_journal"), theme.DocumentIcon(), u.showJournal),
		readings:     widget.NewButtonWithIcon(tr.T("shell.nav_readings"), theme.GridIcon(), u.showReadings),
		medications:  widget.NewButtonWithIcon(tr.T("shell.nav_medicines"), theme.ListIcon(), u.showMedications),
		appointments: widget.NewButtonWithIcon(tr.T("shell.nav_appointments"), theme.CalendarIcon(), u.showAppointments),
		record:       widget.NewButtonWithIcon(tr.T("shell.nav_record"), theme.FileTextIcon(), u.showRecord),
		messages:     widget.NewButtonWithIcon(tr.T("shell.nav_messages"), theme.MailComposeIcon(), u.showMessages),
		settings:     widget.NewButtonWithIcon(tr.T("shell.nav_settings"), theme.SettingsIcon(), u.showSettings),
	}
	side := container.NewVBox(u.brand(), widget.NewSeparator())
	for _, it := range []struct {
		name string
		b    *widget.Button
	}{{navToday, nb.today}, {navJournal, nb.journal}, {navReadings, nb.readings}, {navMedications, nb.medications},
		{navAppointments, nb.appointments}, {navRecord, nb.record}, {navMessages, nb.messages}, {navSettings, nb.settings}} {
		it.b.Alignment = widget.ButtonAlignLeading
		if it.name == current {
			it.b.Importance = widget.HighImportance
		} else {
			it.b.Importance = widget.LowImportance
		}
		side.Add(tall(it.b))
	}
	nb.side = side
	if sw := u.profileSwitcher(); sw != nil {
		nb.switcher = sw
		nb.everyone = widget.NewButtonWithIcon(tr.T("shell.everyone"), theme.AccountIcon(), u.showOverview)
		if current == "" {
			nb.everyone.Importance = widget.HighImportance // Everyone is the screen on show
		}
	}
	return nb
}

// frame lays out a screen of an open profile: the side bar on the left, the top bar over
// the screen's body.
func (u *UI) frame(b screenBase, body fyne.CanvasObject) fyne.CanvasObject {
	main := container.NewBorder(container.NewVBox(container.NewPadded(b.top), widget.NewSeparator()), nil, nil, nil, body)
	left := container.NewHBox(container.NewPadded(container.NewVScroll(b.nav.side)), widget.NewSeparator())
	return container.NewBorder(nil, nil, left, nil, main)
}

// addShortcuts lets Ctrl+1 … Ctrl+6 switch between Today, the Journal, Medicines,
// Appointments, Messages and Settings, Ctrl+7 the Health record, Ctrl+8 Readings (both added later), Ctrl+0 show everyone (with several profiles), and
// Ctrl+L lock. Canvas shortcuts reach the window
// when no text field has the keyboard focus; our text fields pass them on (shortcutEntry).
func (u *UI) addShortcuts() {
	c := u.win.Canvas()
	for _, s := range u.navShortcuts() {
		c.AddShortcut(s.shortcut, func(fyne.Shortcut) { s.run() })
	}
}

// appShortcut is one of the window's own key combinations.
type appShortcut struct {
	shortcut *desktop.CustomShortcut
	run      func()
}

func (u *UI) navShortcuts() []appShortcut {
	var out []appShortcut
	for _, s := range []struct {
		key     fyne.KeyName
		showing func() bool
		show    func()
	}{
		{fyne.Key0, func() bool { return u.overview != nil || len(u.known) < 2 }, u.showOverview},
		{fyne.Key1, func() bool { return u.today != nil }, u.showToday},
		{fyne.Key2, func() bool { return u.journal != nil }, u.showJournal},
		{fyne.Key3, func() bool { return u.medications != nil }, u.showMedications},
		{fyne.Key4, func() bool { return u.appointments != nil }, u.showAppointments},
		{fyne.Key5, func() bool { return u.messages != nil }, u.showMessages},
		{fyne.Key6, func() bool { return u.settings != nil }, u.showSettings},
		{fyne.Key7, func() bool { return u.record != nil }, u.showRecord},
		{fyne.Key8, func() bool { return u.readings != nil }, u.showReadings},
	} {
		out = append(out, appShortcut{
			&desktop.CustomShortcut{KeyName: s.key, Modifier: fyne.KeyModifierShortcutDefault},
			func() {
				// Not from the recovery-key screen: the new profile is not opened until the key
				// is written down (its reminders start then).
				if u.cur != nil && !u.isLocked() && u.recovery == nil && !s.showing() {
					s.show()
				}
			}})
	}
	return append(out, appShortcut{
		&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault},
		func() {
			// Also with only held profiles open behind the unlock screen.
			if u.anyUnlocked() {
				u.lock()
			}
		}}, appShortcut{
		// Quitting is explicit (closing the window only hides it: tray.go).
		&desktop.CustomShortcut{KeyName: fyne.KeyQ, Modifier: fyne.KeyModifierShortcutDefault},
		u.quit})
}

// runShortcut runs the window's shortcut s, if it is one; text fields call it with the
// shortcuts they do not use themselves.
func (u *UI) runShortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok {
		return false
	}
	for _, a := range u.navShortcuts() {
		if a.shortcut.KeyName == cs.KeyName && a.shortcut.Modifier == cs.Modifier {
			a.run()
			return true
		}
	}
	return false
}

// brand heads the side bar: the clinic's logo and name in a provisioned build, else the
// app's icon and name.
func (u *UI) brand() fyne.CanvasObject {
	name, logo := windowTitle, u.app.Icon()
	if c := u.opt.Clinic; c != nil {
		name = c.Name
		logo = nil
		if len(c.LogoPNG) > 0 {
			logo = fyne.NewStaticResource("clinic-logo.png", c.LogoPNG)
		}
	}
	// Broken into lines here rather than by the label's own wrapping, whose height inside
	// a VBox is worked out before its width is known (it overlapped the line below).
	label := widget.NewLabelWithStyle(breakLines(name, 14), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if logo == nil {
		return label
	}
	img := canvas.NewImageFromResource(logo)
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(48, 48))
	return container.NewBorder(nil, nil, img, nil, label)
}

// breakLines puts words on lines of about width characters (a longer word has its own line).
func breakLines(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		l := utf8.RuneCountInString(w)
		if i > 0 {
			if n+1+l > width {
				b.WriteByte('\n')
				n = 0
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(w)
		n += l
	}
	return b.String()
}

// profileSwitcher is the header's list of profiles, nil with only one.
func (u *UI) profileSwitcher() *widget.Select {
	if u.cur == nil || len(u.known) < 2 {
		return nil
	}
	var labels []string
	ids := map[string]string{}
	current := ""
	for _, pi := range u.known {
		if pi.Err != nil {
			continue
		}
		l := profileLabel(pi)
		labels = append(labels, l)
		ids[l] = pi.ID
		if pi.ID == u.cur.id() {
			current = l
		}
	}
	if len(labels) < 2 {
		return nil
	}
	sel := widget.NewSelect(labels, nil)
	sel.PlaceHolder = tr.T("shell.switch_profile")
	sel.Selected = current
	sel.OnChanged = func(l string) { u.switchProfile(ids[l]) }
	return sel
}
