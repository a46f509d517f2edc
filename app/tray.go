package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// setupTray keeps the app running in the system tray when the window is closed, so
// reminders still come (DESIGN §3): closing hides the window, the tray menu's Open shows it
// again and Quit is the explicit way out. Without a desktop app (tests, mobile) closing
// the window quits as before, and so it does when nothing on the desktop shows tray icons
// (a hidden window could not be brought back).
func (u *UI) setupTray() {
	desk, ok := u.app.(desktop.App)
	if !ok {
		return
	}
	open := fyne.NewMenuItem("Open Patient Companion", u.showWindow)
	quit := fyne.NewMenuItem("Quit", u.app.Quit)
	quit.IsQuit = true
	desk.SetSystemTrayMenu(fyne.NewMenu(windowTitle, open, quit))
	if hasTray() {
		u.win.SetCloseIntercept(func() { u.win.Hide() })
	}
}

// hasTray is trayAvailable; tests replace it.
var hasTray = trayAvailable

// showWindow brings the main window back from the tray.
func (u *UI) showWindow() {
	u.win.Show()
	u.win.RequestFocus()
}
