package app

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// Closing the window never stops reminders (DESIGN §3): it hides the window, and the app,
// the open profiles and their reminder engines go on. The window comes back from the tray
// icon's Open where a tray shows icons, and everywhere by starting the app again (the
// single-instance socket asks the running one to show it: Show). The first close says so.
// Quitting is explicit: the tray's Quit, Ctrl+Q, or Quit in that first message.

// prefCloseTold: the person has been told once that closing keeps the app running.
const prefCloseTold = "close.told"

// setupTray makes closing hide the window and, where something on the desktop shows tray
// icons, adds the tray menu.
//
// The tray menu is set at start only when a tray host answers then. Fyne 2.7 makes a hidden
// GL window for the tray, synchronously, before the main window: 180–500 ms of start-up on
// our test machines (docs/PERFORMANCE.md), wasted where no tray shows; and without a D-Bus
// session it panicked at quit. Where none answers (an app started at login before the
// panel is up), a host that appears later gets the icon then (lateTray).
func (u *UI) setupTray() {
	u.win.SetCloseIntercept(u.closeRequested)
	desk, ok := u.app.(desktop.App)
	if !ok {
		return
	}
	open := fyne.NewMenuItem(tr.T("tray.open"), u.Show)
	take := fyne.NewMenuItem(tr.T("tray.take_due"), u.takeDueDoses)
	quit := fyne.NewMenuItem(tr.T("tray.quit"), u.quit)
	quit.IsQuit = true
	menu := fyne.NewMenu(windowTitle, open, take, quit)
	if u.opt.HasTray() {
		desk.SetSystemTrayMenu(menu)
		u.tray = true
		return
	}
	if _, real := u.app.Driver().(desktop.Driver); !real {
		return // Fyne's test driver: no tray to come
	}
	go func() {
		if waitForTrayHost(u.ctx) {
			lateTray(desk, menu, u.app.Icon())
			fyne.Do(func() { u.tray = true })
		}
	}()
}

// TrayAvailable reports whether something on this desktop shows tray icons (main asks early,
// in the background, and passes the answer as Options.HasTray).
func TrayAvailable() bool { return trayAvailable() }

// closeRequested is the window's close button: the window hides and everything else goes
// on. The first time, a message says so and how to come back, with Quit for whoever meant
// it (Escape, or "Hide the window", hides).
func (u *UI) closeRequested() {
	if u.closeTold != nil {
		return // the message is on screen, waiting for an answer
	}
	if u.app.Preferences().Bool(prefCloseTold) {
		u.hideWindow()
		return
	}
	text := paragraph(tr.T("tray.close_told"))
	if u.tray {
		text = paragraph(tr.T("tray.close_told_tray"))
	}
	d := dialog.NewCustomConfirm(tr.T("tray.close_title"), tr.T("tray.quit"), tr.T("tray.hide"),
		container.NewPadded(column(460, text)), func(quit bool) {
			u.closeTold = nil
			u.app.Preferences().SetBool(prefCloseTold, true)
			if quit {
				u.quit()
				return
			}
			u.hideWindow()
		}, u.win)
	u.closeTold = d
	d.Show()
}

// hideWindow hides the window; the app and its reminders go on. The focus goes too: a
// focused text field (the lock screen's passphrase) blinks its cursor, which redraws the
// window many times a second, seen or not.
func (u *UI) hideWindow() {
	u.closeTold = nil
	u.hidden = true
	u.win.Canvas().Unfocus()
	u.win.Hide()
}

// Show brings the window back (the tray's Open, a second start of the app), with the focus
// where the lock screen puts it.
func (u *UI) Show() {
	u.hidden = false
	u.win.Show()
	u.win.RequestFocus()
	if s := u.unlock; s != nil && s.passBox.Visible() && !s.pass.Disabled() {
		u.focus(s.pass) // someone asked for the window: they are there
	}
}

// quit ends the app: every open profile is closed (their keys forgotten) as the app stops.
func (u *UI) quit() { u.app.Quit() }

// takeDueDoses records as taken every dose waiting for an answer (Today's "Take now"), from
// the tray menu, shows them answered on Today and in the reminder window, and says how many
// in a notification (without names: the screen may be locked or seen by others). A dose
// answered meanwhile elsewhere keeps that answer (and is shown with it). With no profile
// open it opens the window instead.
func (u *UI) takeDueDoses() {
	p := u.cur
	if p == nil {
		u.Show()
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
		msg := tr.N("tray.marked_taken", n)
		switch {
		case err != nil:
			msg = tr.T("tray.take_failed")
		case n == 0:
			msg = tr.T("tray.none_due")
		}
		u.app.SendNotification(fyne.NewNotification(windowTitle, msg))
		if u.today != nil {
			u.refreshToday()
		}
	})
}
