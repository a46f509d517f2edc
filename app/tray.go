package app

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/patient-companion/companion/data"
)

// setupTray keeps the app running in the system tray when the window is closed, so
// reminders still come (DESIGN §3): closing hides the window, the tray menu's Open shows it
// again and Quit is the explicit way out. Without a desktop app (tests, mobile) closing
// the window quits as before, and so it does when nothing on the desktop shows tray icons
// (a hidden window could not be brought back).
//
// The tray menu is set only when a tray host answers now. Fyne 2.7 makes a hidden GL
// window for the tray, synchronously, before the main window: 180–500 ms of start-up on
// our test machines (docs/PERFORMANCE.md), wasted where no tray shows; and without a D-Bus
// session it panicked at quit. The cost of asking first: an app started at login before
// the desktop's panel is up has no tray icon that session (its reminders still come; a
// second start from the menu brings its window forward).
func (u *UI) setupTray() {
	desk, ok := u.app.(desktop.App)
	if !ok || !u.opt.HasTray() {
		return
	}
	open := fyne.NewMenuItem("Open Patient Companion", u.showWindow)
	take := fyne.NewMenuItem("Take due doses", u.takeDueDoses)
	quit := fyne.NewMenuItem("Quit", u.app.Quit)
	quit.IsQuit = true
	desk.SetSystemTrayMenu(fyne.NewMenu(windowTitle, open, take, quit))
	u.win.SetCloseIntercept(u.hideToTray)
}

// TrayAvailable reports whether something on this desktop shows tray icons (main asks early,
// in the background, and passes the answer as Options.HasTray).
func TrayAvailable() bool { return trayAvailable() }

// hideToTray is what closing the window does when there is a tray: the window goes, the
// app, the open profile and its reminder engine stay.
func (u *UI) hideToTray() { u.win.Hide() }

// takeDueDoses records as taken every dose whose time has come and that is still within its
// window (Today's "Take now"), from the tray menu, and says how many in a notification
// (without names: the screen may be locked or seen by others). With no profile open it opens
// the window instead.
func (u *UI) takeDueDoses() {
	p := u.cur
	if p == nil {
		u.showWindow()
		return
	}
	st := p.store
	now := u.now()
	background(p, func(ctx context.Context) (int, error) {
		td, err := loadToday(ctx, st, now)
		if err != nil {
			return 0, err
		}
		n := 0
		for _, d := range td.doses {
			if d.answered() || (d.has && d.ev.State == data.DoseMissed) || d.occ.At.After(now) || now.Sub(d.occ.At) > d.window {
				continue
			}
			ev := data.DoseEvent{MedicationID: d.occ.MedicationID, ScheduledAt: d.occ.At, State: data.DoseTaken, At: now}
			if _, err := st.RecordDose(ctx, ev); err != nil {
				return n, err
			}
			n++
		}
		return n, nil
	}, func(n int, err error) {
		msg := fmt.Sprintf("%d doses marked as taken.", n)
		switch {
		case err != nil:
			msg = "The doses could not be recorded. Please open Patient Companion and try again."
		case n == 0:
			msg = "No doses are due right now."
		case n == 1:
			msg = "1 dose marked as taken."
		}
		u.app.SendNotification(fyne.NewNotification(windowTitle, msg))
		if u.today != nil {
			u.refreshToday()
		}
	})
}

// showWindow brings the main window back from the tray.
func (u *UI) showWindow() {
	u.win.Show()
	u.win.RequestFocus()
}
