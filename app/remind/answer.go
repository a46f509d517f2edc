package remind

import (
	"context"
	"time"

	"github.com/patient-companion/companion/data"
)

// AnswerStore is what Answer needs of a profile (a *data.Store).
type AnswerStore interface {
	RecordDose(ctx context.Context, ev data.DoseEvent) (data.DoseEvent, error)
	Settings(ctx context.Context) (data.Settings, error)
}

// Answer records state (data.DoseTaken, DoseSkipped or DoseSnoozed) for dose o, answered at
// now: the one way every button answers a dose — Today's, the reminder window's, and a
// desktop notification's Take and Snooze. A snooze lasts the snooze_minutes setting (its
// default when the settings are damaged). A dose answered already is not written over: the
// store's *data.AnsweredError comes back, naming that answer.
func Answer(ctx context.Context, st AnswerStore, o Occurrence, state string, now time.Time) (data.DoseEvent, error) {
	ev := data.DoseEvent{MedicationID: o.MedicationID, ScheduledAt: o.At, State: state, At: now}
	if state == data.DoseSnoozed {
		set, _ := st.Settings(ctx) // damaged: the defaults come with the error
		ev.SnoozeUntil = now.Add(set.Snooze)
	}
	return st.RecordDose(ctx, ev)
}
