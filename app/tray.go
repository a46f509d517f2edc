package app

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/patient-companion/companion/app/remind"
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

// takeDueDoses records as taken every dose waiting for an answer (Today's "Take now"), from
// the tray menu, shows them answered on Today and in the reminder window, and says how many
// in a notification (without names: the screen may be locked or seen by others). A dose
// answered meanwhile elsewhere keeps that answer (and is shown with it). With no profile
// open it opens the window instead.
func (u *UI) takeDueDoses() {
	p := u.cur
	if p == nil {
		u.showWindow()
		return
	}
	st := p.store
	now := u.now()
	type answer struct {
		o       remind.Occurrence
		ev      data.DoseEvent
		already bool // answered before the tray got to it
	}
	background(p, func(ctx context.Context) ([]answer, error) {
		td, err := loadToday(ctx, st, now)
		if err != nil {
			return nil, err
		}
		var out []answer
		for _, d := range td.doses {
			if !d.Waiting() {
				continue
			}
			ev, err := st.RecordDose(ctx, data.DoseEvent{MedicationID: d.MedicationID, ScheduledAt: d.At, State: data.DoseTaken, At: now})
			var ae *data.AnsweredError
			switch {
			case errors.As(err, &ae):
				out = append(out, answer{o: d.Occurrence, ev: ae.Event(), already: true})
			case err != nil:
				return out, err
			default:
				out = append(out, answer{o: d.Occurrence, ev: ev})
			}
		}
		return out, nil
	}, func(answers []answer, err error) {
		n := 0
		for _, a := range answers {
			u.doseAnswered(p, a.o, a.ev)
			if !a.already {
				n++
			}
		}
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
