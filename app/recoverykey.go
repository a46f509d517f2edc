package app

// The recovery key, shown once after a profile is created: the way back into the journal if
// the passphrase is forgotten or the keyring lost.

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/vault"
)

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
	// closes it; its reminders start once the key is written down (opened). One that was
	// open (locked) stays open behind.
	u.holdCurrent(true)
	u.cur = u.newOpenProfile(st)
	s.key = widget.NewLabelWithStyle(recoveryKeyLines(rk.String()), fyne.TextAlignCenter, fyne.TextStyle{Monospace: true, Bold: true})
	s.key.SizeName = theme.SizeNameHeadingText
	s.key.Selectable = true
	s.next = widget.NewButton(tr.T("recover.continue"), func() { u.opened(st) })
	s.next.Importance = widget.HighImportance
	s.next.Disable()
	s.written = widget.NewCheck(tr.T("recover.written"), func(on bool) {
		if on {
			s.next.Enable()
		} else {
			s.next.Disable()
		}
	})
	u.setContent(page(
		heading(tr.T("recover.write_down")),
		paragraph(tr.T("recover.key_why")),
		widget.NewCard("", "", s.key),
		paragraph(tr.T("recover.not_again")),
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
