package app

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// Answering a dose from the window (Today's and the reminder window's Taken, Skip and
// Snooze). The store refuses to record over an answer (data.AnsweredError), so a dose
// answered meanwhile elsewhere — the tray, the other window, the command line — is never
// written over: the same answer, or a snooze, just shows the answer given; another answer is
// asked about first ("Taken at 08:03 — change to skipped?").

// doseQuestion is the "change the answer?" dialog, while it shows.
type doseQuestion struct {
	dlg          *dialog.CustomDialog
	text         *widget.Label
	change, keep *widget.Button
}

// answerDose records state (taken, skipped or snoozed) for scheduled dose o of p, pressed on
// win, then shows it wherever the dose shows (doseAnswered). done (optional) runs on the UI
// goroutine once the dose is settled, with the error when it could not be saved.
func (u *UI) answerDose(p *openProfile, win fyne.Window, o remind.Occurrence, state string, done func(error)) {
	st := p.store
	now := u.now()
	finish := func(err error) {
		if done != nil {
			done(err)
		}
	}
	background(p, func(ctx context.Context) (data.DoseEvent, error) {
		return remind.Answer(ctx, st, o, state, now)
	}, func(ev data.DoseEvent, err error) {
		var ae *data.AnsweredError
		switch {
		case errors.As(err, &ae) && (state == ae.State || state == data.DoseSnoozed):
			// Answered so already, or a snooze of a dose no longer waiting: show what is.
			u.doseAnswered(p, o, ae.Event())
			finish(nil)
		case errors.As(err, &ae):
			p.question = u.askChange(p, win, o, ae, state, func(err error) { p.question = nil; finish(err) })
		case err != nil:
			finish(err)
		default:
			u.doseAnswered(p, o, ev)
			finish(nil)
		}
	})
}

// askChange asks on win whether the answer ae names should become state. Change records it
// (data.Store.ChangeDose); Keep shows the answer as it stands. done runs after either.
func (u *UI) askChange(p *openProfile, win fyne.Window, o remind.Occurrence, ae *data.AnsweredError, state string, done func(error)) *doseQuestion {
	loc := p.store.Location()
	q := &doseQuestion{}
	// No medicine name: the reminder window asks while the app is locked too.
	// An answer is taken or skipped; the question is always to change it to the other.
	at := tr.Args{"Time": tr.Format(ae.At.In(loc), tr.Clock)}
	if ae.State == data.DoseTaken {
		q.text = paragraph(tr.T("reminder.change_taken_q", at))
		q.keep = widget.NewButton(tr.T("reminder.keep_taken"), nil)
		q.change = widget.NewButton(tr.T("reminder.change_to_skipped"), nil)
	} else {
		q.text = paragraph(tr.T("reminder.change_skipped_q", at))
		q.keep = widget.NewButton(tr.T("reminder.keep_skipped"), nil)
		q.change = widget.NewButton(tr.T("reminder.change_to_taken"), nil)
	}
	q.change.Importance = widget.HighImportance
	content := container.NewVBox(fixedWidth(420, q.text), container.NewHBox(layout.NewSpacer(), tall(q.keep), tall(q.change)))
	q.dlg = dialog.NewCustomWithoutButtons(tr.T("reminder.already_answered"), content, win)
	q.keep.OnTapped = func() {
		q.dlg.Hide()
		u.doseAnswered(p, o, ae.Event())
		done(nil)
	}
	q.change.OnTapped = func() {
		q.dlg.Hide()
		st := p.store
		now := u.now()
		background(p, func(ctx context.Context) (data.DoseEvent, error) {
			return st.ChangeDose(ctx, data.DoseEvent{MedicationID: o.MedicationID, ScheduledAt: o.At, State: state, At: now})
		}, func(ev data.DoseEvent, err error) {
			if err == nil {
				u.doseAnswered(p, o, ev)
			}
			done(err)
		})
	}
	q.dlg.Show()
	return q
}
