package data

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestAnswerIsNeverOverwrittenSilently: once a dose is taken or skipped, no other answer,
// snooze or "missed" replaces it unless the caller asks for a change (ChangeDose). The
// refusal is a typed error naming the answer already given, and the record is untouched.
func TestAnswerIsNeverOverwrittenSilently(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 8, 20, 0, 0, time.UTC)
	s := medStore(t, &now)
	m, err := s.AddMedication(ctx, Medication{Name: "Metformin", Steps: []Step{{Times: []TimeOfDay{8 * 60, 20 * 60}}}})
	if err != nil {
		t.Fatal(err)
	}
	eight := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	dose := func(state string, at time.Time) DoseEvent {
		ev := DoseEvent{MedicationID: m.ID, ScheduledAt: eight, State: state, At: at}
		if state == DoseSnoozed {
			ev.SnoozeUntil = at.Add(10 * time.Minute)
		}
		return ev
	}
	stored := func() DoseEvent {
		t.Helper()
		evs, err := s.DoseEvents(ctx, m.ID, time.Time{}, time.Time{})
		if err != nil || len(evs) != 1 {
			t.Fatalf("events = %+v, %v; want one", evs, err)
		}
		return evs[0]
	}

	// Nothing, snoozed and missed are not answers: each may be replaced.
	for _, state := range []string{DoseSnoozed, DoseMissed, DoseSnoozed} {
		if _, err := s.RecordDose(ctx, dose(state, now)); err != nil {
			t.Fatalf("%s over an unanswered dose: %v", state, err)
		}
	}
	taken, err := s.RecordDose(ctx, dose(DoseTaken, now.Add(-17*time.Minute))) // a missed dose taken late
	if err != nil {
		t.Fatalf("taken over missed: %v", err)
	}
	for _, state := range []string{DoseSkipped, DoseTaken, DoseSnoozed, DoseMissed} {
		_, err := s.RecordDose(ctx, dose(state, now))
		var ae *AnsweredError
		if !errors.As(err, &ae) {
			t.Fatalf("%s over taken: err = %v, want *AnsweredError", state, err)
		}
		if ae.State != DoseTaken || !ae.At.Equal(taken.At) || !ae.ScheduledAt.Equal(eight) || ae.MedicationID != m.ID {
			t.Errorf("%s over taken: error names %+v", state, ae)
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s over taken: the refusal should be invalid input (exit 2)", state)
		}
		if got := stored(); got.State != DoseTaken || !got.At.Equal(taken.At) {
			t.Fatalf("%s over taken changed the record: %+v", state, got)
		}
	}
	if ae := new(AnsweredError); !errors.As(func() error { _, err := s.RecordDose(ctx, dose(DoseSkipped, now)); return err }(), &ae) ||
		ae.Error() != "the dose of 2026-03-02 08:00 was already taken at 08:03" {
		t.Errorf("message %q", ae.Error())
	}

	// An explicit change replaces the answer (and only an answer may be given that way).
	changed, err := s.ChangeDose(ctx, dose(DoseSkipped, now))
	if err != nil {
		t.Fatal(err)
	}
	if got := stored(); got.State != DoseSkipped || !got.At.Equal(now) || got.ID != taken.ID || changed.ID != taken.ID {
		t.Fatalf("after the change: %+v", got)
	}
	for _, state := range []string{DoseSnoozed, DoseMissed} {
		if _, err := s.ChangeDose(ctx, dose(state, now)); !errors.Is(err, ErrInvalid) {
			t.Errorf("ChangeDose to %s: err = %v, want invalid", state, err)
		}
	}
	// As-needed doses are each their own record: nothing to overwrite.
	for i := 0; i < 2; i++ {
		if _, err := s.RecordDose(ctx, DoseEvent{MedicationID: m.ID, State: DoseTaken, At: now}); err != nil {
			t.Fatal(err)
		}
	}
}
