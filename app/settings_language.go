package app

// The Settings screen's language: per computer, not per profile (computer.json in the data
// folder, read before Fyne starts: main.setupLanguage). Fyne cannot change its language while
// running (fyne#5333), so a new choice is used from the next start, and the screen says so.

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
)

// languageSetting is the "Language" choice.
type languageSetting struct {
	sel *widget.Select
	// codes are the choices' language codes, in the list's order ("" for the default).
	codes []string
	// saved is the choice on disk: what the list goes back to when a save fails.
	saved string
	msg   *widget.Label
	box   fyne.CanvasObject
}

// languageDefault words the "Default" choice: the clinic's language when its build sets one,
// else the computer's.
func (u *UI) languageDefault() string {
	code := ""
	if c := u.opt.Clinic; c != nil {
		code = c.DefaultLanguage()
	}
	for _, l := range tr.Languages {
		if l.Code == code {
			return tr.T("settings.language_default_clinic", tr.Args{"Language": l.Name})
		}
	}
	return tr.T("settings.language_default_system")
}

// newLanguageSetting builds the choice, showing what this computer has chosen. The file is a
// few bytes, read like the Fyne preferences beside it (text size, contrast).
func (u *UI) newLanguageSetting() *languageSetting {
	ls := &languageSetting{msg: message(), codes: []string{""}}
	labels := []string{u.languageDefault()}
	for _, l := range tr.Languages {
		labels = append(labels, l.Name) // each in its own words: found by whoever reads it
		ls.codes = append(ls.codes, l.Code)
	}
	ls.msg.Wrapping = fyne.TextWrapWord
	ls.sel = widget.NewSelect(labels, nil)
	ls.saved = tr.ReadChoice(u.opt.Profiles.Dir)
	ls.sel.Selected = labels[ls.index(ls.saved)]
	ls.sel.OnChanged = func(string) { u.saveLanguage(ls) }
	ls.box = container.NewVBox(
		labelled(fieldLabel(tr.T("settings.language")), ls.sel, caption(tr.T("settings.for_this_computer")), ls.msg),
	)
	return ls
}

// nextStartNote says the new language comes at the next start, in that language (the person
// who chose it may read no other); in the running one if its words cannot be had.
func (u *UI) nextStartNote(code string) string {
	if code == "" {
		clinic := ""
		if c := u.opt.Clinic; c != nil {
			clinic = c.DefaultLanguage()
		}
		code = tr.Choose("", clinic, tr.SystemLocales())
	}
	const key = "settings.language_next_start"
	if code != tr.Lang() {
		if words, err := tr.Words(code); err == nil {
			if s, ok := words[key].(string); ok {
				return s
			}
		}
	}
	return tr.T("settings.language_next_start")
}

// index is the list position of the language code ("" or unknown: the default).
func (ls *languageSetting) index(code string) int {
	for i, c := range ls.codes {
		if c == code {
			return i
		}
	}
	return 0
}

// saveLanguage keeps the language chosen for the next start; a failure says so and shows
// the choice still on disk.
func (u *UI) saveLanguage(ls *languageSetting) {
	code := ls.codes[ls.sel.SelectedIndex()]
	if code == ls.saved {
		say(ls.msg, "")
		return
	}
	dir := u.opt.Profiles.Dir
	ls.sel.Disable()
	background(u, func(context.Context) (struct{}, error) {
		return struct{}{}, tr.SaveChoice(dir, code)
	}, func(_ struct{}, err error) {
		ls.sel.Enable()
		if err != nil {
			sayError(ls.msg, tr.T("settings.language_not_saved", tr.Args{"Folder": dir}))
			// Back to what is saved, without saving again.
			f := ls.sel.OnChanged
			ls.sel.OnChanged = nil
			ls.sel.SetSelectedIndex(ls.index(ls.saved))
			ls.sel.OnChanged = f
			return
		}
		ls.saved = code
		say(ls.msg, u.nextStartNote(code))
		ls.msg.Importance = widget.MediumImportance
		ls.msg.Refresh()
	})
}
