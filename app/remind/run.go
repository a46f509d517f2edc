package remind

import (
	"context"
	"errors"
	"time"

	"github.com/patient-companion/companion/data"
)

// Clock is the time source of the run loop; the real one is SystemClock, tests use their own.
type Clock interface {
	Now() time.Time
	// NewTicker ticks every d on a monotonic clock.
	NewTicker(d time.Duration) (<-chan time.Time, func())
	// NewTimer fires once after d.
	NewTimer(d time.Duration) (<-chan time.Time, func())
}

// SystemClock is the machine's clock.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// NewTicker is time.NewTicker.
func (SystemClock) NewTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// NewTimer is time.NewTimer.
func (SystemClock) NewTimer(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}

// TickEvery is the safety-net check interval (DESIGN §3).
const TickEvery = 30 * time.Second

// Run checks at once, then exactly when the next dose, snooze or appointment reminder is
// due, so reminders arrive on the minute; a monotonic ticker every TickEvery is the safety
// net. Each check reads the wall clock and arms a one-shot timer for what comes before the
// next tick, so after sleep (the monotonic clock stood still) or a change of the wall clock
// the next tick catches up and re-arms the timer from the new time. Between events it does
// nothing but that tick. onCheck (may be nil) is told every check's notice (empty when there
// was nothing to say) and error; the loop goes on after an error, and ends with ctx.
func (e *Engine) Run(ctx context.Context, clock Clock, onCheck func(Notice, error)) {
	tick, stopTick := clock.NewTicker(TickEvery)
	defer stopTick()
	var wake <-chan time.Time
	stopWake := func() {}
	defer func() { stopWake() }()
	report := func(n Notice, err error) {
		if onCheck != nil && ctx.Err() == nil {
			onCheck(n, err)
		}
	}
	check := func() {
		now := clock.Now()
		n, err := e.Tick(ctx, now)
		report(n, err)
		stopWake()
		wake, stopWake = nil, func() {}
		next, ok, err := e.NextEvent(ctx, now)
		if err != nil {
			report(Notice{}, err)
			return
		}
		// Only a timer for what comes before the next tick; the tick covers the rest (and
		// a timer armed hours ahead would be wrong after sleep anyway).
		if d := next.Sub(now); ok && d > 0 && d <= TickEvery {
			wake, stopWake = clock.NewTimer(d)
		}
	}
	check()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			check()
		case <-wake:
			check()
		}
	}
}

// NextEvent returns when the next dose, heads-up, repeat, snooze, caregiver alert or
// appointment reminder after now is due.
func (e *Engine) NextEvent(ctx context.Context, now time.Time) (time.Time, bool, error) {
	meds, err := e.Store.ListMedications(ctx)
	var te *data.TamperedError
	if err != nil && !errors.As(err, &te) {
		return time.Time{}, false, err
	}
	var best time.Time
	consider := func(t time.Time) {
		if t.After(now) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	events, err := e.Store.DoseEvents(ctx, "", now.Add(-lookBack), time.Time{})
	if err != nil && !errors.As(err, &te) {
		return time.Time{}, false, err
	}
	for _, ev := range events {
		if ev.State == data.DoseSnoozed {
			consider(ev.SnoozeUntil)
		}
	}
	// A damaged setting comes with the defaults in its place, which Tick uses too.
	set, serr := e.Store.Settings(ctx)
	if serr != nil && !errors.As(serr, &te) {
		return time.Time{}, false, serr
	}
	alert := set.CaregiverAlert
	if e.Watched == nil || !e.Watched() {
		alert = 0
	}
	idx := NewEvents(events)
	for _, m := range meds {
		ms, err := NewMedSchedule(m, e.Store.Location())
		if err != nil {
			continue
		}
		if o, ok := ms.Next(now); ok {
			consider(o.At)
		}
		if h := m.HeadsUp; h > 0 {
			if o, ok := ms.Next(now.Add(h)); ok {
				consider(o.At.Add(-h))
			}
		}
		// The next repeat, or caregiver alert, of a dose still waiting for an answer.
		for _, d := range ms.Doses(idx, now.Add(-ms.window), now, now) {
			if alert > 0 && d.Waiting() {
				consider(d.At.Add(alert))
			}
			if d.Status != Due && d.Status != Late {
				continue
			}
			asked := d.At
			if d.Event.State == data.DoseSnoozed {
				asked = d.Event.SnoozeUntil
			}
			if r, ok := repeatAt(m, asked, now); ok {
				consider(r)
			}
		}
	}
	if len(set.AppointmentReminders) > 0 {
		appts, err := e.Store.ListAppointments(ctx, now, time.Time{})
		if err != nil && !errors.As(err, &te) {
			return time.Time{}, false, err
		}
		for _, a := range appts {
			if !a.Takes() {
				continue
			}
			for _, off := range set.AppointmentReminders {
				consider(a.Start.Add(-off))
			}
		}
	}
	return best, !best.IsZero(), nil
}
