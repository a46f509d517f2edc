package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Dose states that are stored. "Upcoming" and "due" are not stored: they follow from the
// schedule and the clock.
const (
	DoseTaken   = "taken"
	DoseSkipped = "skipped"
	DoseSnoozed = "snoozed"
	DoseMissed  = "missed"
)

// LateAfter is how long after its time a taken dose counts as late.
const LateAfter = 30 * time.Minute

// DoseEvent is what happened to one dose.
type DoseEvent struct {
	ID           string
	MedicationID string
	// ScheduledAt is the occurrence the event answers; zero for an as-needed dose.
	ScheduledAt time.Time
	State       string
	// At is when it was taken or skipped (the actual time); for missed, the scheduled time.
	At          time.Time
	SnoozeUntil time.Time
	Note        string
	UpdatedAt   time.Time
}

// Late reports whether a taken dose was taken more than LateAfter after its time.
func (d DoseEvent) Late() bool {
	return d.State == DoseTaken && !d.ScheduledAt.IsZero() && d.At.Sub(d.ScheduledAt) > LateAfter
}

type doseRecord struct {
	State       string `json:"state"`
	SnoozeUntil int64  `json:"snooze_until,omitempty"` // Unix ms
	Note        string `json:"note,omitempty"`
}

const doseFormat = 1

// RecordDose stores what happened to a dose. For a scheduled dose it replaces any earlier
// event of the same occurrence (a snooze, then taken), so each occurrence has one state.
func (s *Store) RecordDose(ctx context.Context, ev DoseEvent) (DoseEvent, error) {
	switch ev.State {
	case DoseTaken, DoseSkipped, DoseSnoozed, DoseMissed:
	default:
		return DoseEvent{}, invalid("unknown dose state %q", ev.State)
	}
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	if ev.State == DoseSnoozed && ev.SnoozeUntil.IsZero() {
		return DoseEvent{}, invalid("a snoozed dose needs a time to remind again")
	}
	now := s.now()
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM medications WHERE id = ? AND deleted = 0`, ev.MedicationID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return fmt.Errorf("medication %s: %w", ev.MedicationID, ErrNotFound)
		}
		var sched any
		if !ev.ScheduledAt.IsZero() {
			sched = toMillis(ev.ScheduledAt)
			var id string
			err := tx.QueryRowContext(ctx, `SELECT id FROM dose_events WHERE medication_id = ? AND scheduled_at = ?`,
				ev.MedicationID, sched).Scan(&id)
			switch {
			case err == nil:
				ev.ID = id
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		if ev.ID == "" {
			ev.ID = newID()
		}
		rec := doseRecord{State: ev.State, Note: ev.Note}
		if !ev.SnoozeUntil.IsZero() {
			rec.SnoozeUntil = toMillis(ev.SnoozeUntil)
		}
		blob, err := s.seal("dose_events", ev.ID, doseFormat, rec)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO dose_events (id, medication_id, scheduled_at, at, created_at, updated_at, fmt, sealed)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET at = excluded.at, updated_at = excluded.updated_at, fmt = excluded.fmt, sealed = excluded.sealed`,
			ev.ID, ev.MedicationID, sched, toMillis(ev.At), toMillis(now), toMillis(now), doseFormat, blob)
		return err
	})
	if err != nil {
		return DoseEvent{}, fmt.Errorf("save dose: %w", err)
	}
	s.mu.Lock()
	s.index = nil // doses are journal entries too; the next search rebuilds
	s.mu.Unlock()
	ev.At, ev.UpdatedAt = ev.At.In(s.loc), now.In(s.loc)
	if !ev.ScheduledAt.IsZero() {
		ev.ScheduledAt = ev.ScheduledAt.In(s.loc)
	}
	return ev, nil
}

// DoseEvents returns the events of one medication ("" for all) whose scheduled time (or, for
// as-needed doses, actual time) is in [since, until), oldest first. Damaged records are
// reported in a *TamperedError alongside the others.
func (s *Store) DoseEvents(ctx context.Context, medicationID string, since, until time.Time) ([]DoseEvent, error) {
	lo, hi := int64(-1<<62), int64(1<<62)
	if !since.IsZero() {
		lo = toMillis(since)
	}
	if !until.IsZero() {
		hi = toMillis(until)
	}
	rows, err := s.queryRows(ctx, `SELECT id, medication_id, scheduled_at, at, updated_at, fmt, sealed FROM dose_events
		WHERE (? = '' OR medication_id = ?) AND coalesce(scheduled_at, at) >= ? AND coalesce(scheduled_at, at) < ?
		ORDER BY coalesce(scheduled_at, at), id`, medicationID, medicationID, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("read doses: %w", err)
	}
	defer rows.Close()
	out := []DoseEvent{}
	var bad TamperedError
	for n := 0; rows.Next(); n++ {
		if err := cancelled(ctx, n); err != nil {
			return nil, err
		}
		var (
			ev          DoseEvent
			sched       sql.NullInt64
			at, updated int64
			format      int
			blob        []byte
			rec         doseRecord
		)
		if err := rows.Scan(&ev.ID, &ev.MedicationID, &sched, &at, &updated, &format, &blob); err != nil {
			return nil, fmt.Errorf("read doses: %w", err)
		}
		if err := s.unseal("dose_events", ev.ID, format, blob, &rec); err != nil {
			if err == errTampered {
				bad.add("dose_events", ev.ID)
				continue
			}
			return nil, err
		}
		if sched.Valid {
			ev.ScheduledAt = s.fromMillis(sched.Int64)
		}
		ev.At, ev.UpdatedAt = s.fromMillis(at), s.fromMillis(updated)
		ev.State, ev.Note = rec.State, rec.Note
		if rec.SnoozeUntil != 0 {
			ev.SnoozeUntil = s.fromMillis(rec.SnoozeUntil)
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read doses: %w", err)
	}
	return out, bad.orNil()
}
