package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/data"
)

// medicationsScreen lists the profile's medicines.
type medicationsScreen struct {
	store   *data.Store
	title   *widget.Label
	lockBtn *widget.Button
	nav     *navBar
	status  *widget.Label
}

func (u *UI) showMedications() {
	if u.store == nil || u.isLocked() {
		return
	}
	u.clearScreens()
	m := &medicationsScreen{store: u.store}
	u.medications = m
	m.title, m.lockBtn = u.titleAndLock(m.store.Info().Name)
	header, nav := u.header(navMedications, m.title, m.lockBtn)
	m.nav = nav
	m.status = paragraph("Your medicines will be listed here.")
	u.setContent(u.frame(header, nav, fyne.CanvasObject(m.status)))
}
