package app

import (
	"context"
	"errors"
	"log"

	"fyne.io/fyne/v2"

	"github.com/patient-companion/companion/app/notify"
	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// NotificationAction answers doses from a desktop notification's Take or Snooze
// (notify.Center.OnAction): the same answer as the reminder window's buttons (remind.Answer),
// recorded in the profile the dose belongs to — on screen or held, locked or not (a locked
// profile's store is open; only its screens are hidden) — and shown wherever the dose shows.
// A profile closed since the notification came is left alone: its dose waits for it. Safe
// from any goroutine.
func (u *UI) NotificationAction(action string, doses []notify.Dose) {
	state := data.DoseTaken
	switch action {
	case notify.ActionTake:
	case notify.ActionSnooze:
		state = data.DoseSnoozed
	default:
		return
	}
	fyne.Do(func() {
		for _, d := range doses {
			if p := u.openByID(d.Profile); p != nil {
				u.answerFromNotification(p, d.Occurrence, state)
			}
		}
	})
}

// answerFromNotification records state for dose o of p. Nobody is at the window to ask
// "change the answer?", so a dose answered meanwhile keeps that answer and shows it.
func (u *UI) answerFromNotification(p *openProfile, o remind.Occurrence, state string) {
	st, now := p.store, u.now()
	background(p, func(ctx context.Context) (data.DoseEvent, error) {
		return remind.Answer(ctx, st, o, state, now)
	}, func(ev data.DoseEvent, err error) {
		var ae *data.AnsweredError
		switch {
		case errors.As(err, &ae):
			u.doseAnswered(p, o, ae.Event())
		case err != nil:
			log.Printf("answer from a notification: %v", err) // ids and times only
			// No medicine name: the screen may be locked, or seen by others.
			u.app.SendNotification(fyne.NewNotification(windowTitle, tr.T("reminder.notification_not_recorded")))
			return
		default:
			u.doseAnswered(p, o, ev)
		}
		if o := u.overview; o != nil {
			u.loadOverview(o)
		}
	})
}
