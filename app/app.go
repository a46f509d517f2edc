// Package app is the window: Fyne widgets over the data store. Disk work runs off the UI
// goroutine; widgets are touched only on it (callbacks, or fyne.Do from background work).
package app

import (
	"fyne.io/fyne/v2"

	"github.com/patient-companion/companion/data"
)

// Options wire the UI to the rest of the program.
type Options struct {
	Profiles *data.Profiles
}

// UI is the app's main window and its screens.
type UI struct {
	app fyne.App
	win fyne.Window
	opt Options
}

// New builds the UI; nothing is shown until ShowAndRun.
func New(a fyne.App, opt Options) *UI {
	u := &UI{app: a, opt: opt, win: a.NewWindow("Patient Companion")}
	return u
}

// ShowAndRun shows the window and runs the app until it quits.
func (u *UI) ShowAndRun() { u.win.ShowAndRun() }
