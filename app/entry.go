package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// A focused text field receives every shortcut typed in the window, and Fyne's Entry
// drops the ones it does not know: Ctrl+1 … Ctrl+6 and Ctrl+L did nothing while the
// cursor was in a field. The entries below hand such shortcuts back to the window.

// shortcutPasser is given the shortcuts an entry does not use; it says whether it ran one.
type shortcutPasser func(fyne.Shortcut) bool

// passShortcut offers s to pass when it is a custom key combination (the only kind the
// window adds), before the entry handles it as usual.
func passShortcut(pass shortcutPasser, s fyne.Shortcut, own func(fyne.Shortcut)) {
	if _, ok := s.(*desktop.CustomShortcut); ok && pass != nil && pass(s) {
		return
	}
	own(s)
}

// navEntry is a one-line (or, with MultiLine, several-line) text field that passes the
// window's shortcuts on.
type navEntry struct {
	widget.Entry
	pass shortcutPasser
}

// newEntry makes a text field for a screen of an open profile.
func (u *UI) newEntry() *navEntry {
	e := &navEntry{pass: u.runShortcut}
	e.ExtendBaseWidget(e)
	return e
}

// newMultiLineEntry makes a wrapping several-line text field.
func (u *UI) newMultiLineEntry() *navEntry {
	e := u.newEntry()
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	return e
}

func (e *navEntry) TypedShortcut(s fyne.Shortcut) { passShortcut(e.pass, s, e.Entry.TypedShortcut) }
func (e *navEntry) entryText() string             { return e.Text }

// navSelectEntry is a text field with a list of suggestions that passes the window's
// shortcuts on.
type navSelectEntry struct {
	widget.SelectEntry
	pass shortcutPasser
}

func (u *UI) newSelectEntry(options []string) *navSelectEntry {
	e := &navSelectEntry{pass: u.runShortcut}
	e.ExtendBaseWidget(e)
	e.SetOptions(options)
	return e
}

func (e *navSelectEntry) TypedShortcut(s fyne.Shortcut) {
	passShortcut(e.pass, s, e.SelectEntry.TypedShortcut)
}
func (e *navSelectEntry) entryText() string { return e.Text }
