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

// Run checks at once, then every TickEvery, and also exactly when the next dose or reminder
// is due while the computer is awake, so reminders arrive on the minute without a busy loop.
// The ticker is monotonic, but each check reads the wall clock: after sleep or a clock change
// the next tick catches up. Errors go to onErr and the loop goes on; it ends with ctx.
func (e *Engine) Run(ctx context.Context, clock Clock, onErr func(error)) {
	tick, stopTick := clock.NewTicker(TickEvery)
	defer stopTick()
	var wake <-chan time.Time
	stopWake := func() {}
	defer func() { stopWake() }()
	check := func() {
		now := clock.Now()
		if _, err := e.Tick(ctx, now); err != nil && onErr != nil && ctx.Err() == nil {
			onErr(err)
		}
		stopWake()
		wake, stopWake = nil, func() {}
		next, ok, err := e.NextEvent(ctx, now)
		if err != nil {
			if onErr != nil && ctx.Err() == nil {
				onErr(err)
			}
			return
		}
		// Only a timer for what comes before the next tick; the tick covers the rest.
		if d := next.Sub(now); ok && d > 0 && d < TickEvery {
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

// NextEvent returns when the next dose, snooze or appointment reminder after now is due.
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
	for _, m := range meds {
		ms, err := NewMedSchedule(m, e.Store.Location())
		if err != nil {
			continue
		}
		if o, ok := ms.Next(now); ok {
			consider(o.At)
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
	if v, err := e.Store.GetSetting(ctx, "appointment_reminders"); err == nil {
		appts, err := e.Store.ListAppointments(ctx, now, time.Time{})
		if err != nil && !errors.As(err, &te) {
			return time.Time{}, false, err
		}
		for _, a := range appts {
			for _, off := range data.ParseDurations(v) {
				consider(a.Start.Add(-off))
			}
		}
	}
	return best, !best.IsZero(), nil
}
