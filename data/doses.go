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
	// Stock is what recording this answer did to the medicine's stock (RecordDose and
	// ChangeDose fill it in; it is not stored).
	Stock StockChange
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

func (r *doseRecord) encode(w *recWriter) {
	w.str(1, r.State)
	w.int(2, r.SnoozeUntil)
	w.str(3, r.Note)
}

func (r *doseRecord) decode(rd *recReader) {
	for rd.next() {
		switch rd.tag {
		case 1:
			r.State = rd.str()
		case 2:
			r.SnoozeUntil = rd.int()
		case 3:
			r.Note = rd.str()
		default:
			rd.unknown()
		}
	}
}

// doseRow is a dose_events row as stored. scheduled is nil for an as-needed dose.
type doseRow struct {
	id, medID            string
	scheduled            sql.NullInt64
	at, created, updated int64
	format               int
	blob                 []byte
}

const doseColumns = `id, medication_id, scheduled_at, at, created_at, updated_at, fmt, sealed`

func (r *doseRow) scan(sc interface{ Scan(...any) error }) error {
	return sc.Scan(&r.id, &r.medID, &r.scheduled, &r.at, &r.created, &r.updated, &r.format, &r.blob)
}

func (r *doseRow) sealed() (string, int, []byte, bool) { return r.id, r.format, r.blob, true }

func (r *doseRow) bound() cols {
	sched := nullCol
	if r.scheduled.Valid {
		sched = ival(r.scheduled.Int64)
	}
	return cols{sval(r.medID), sched, ival(r.at), ival(r.created), ival(r.updated)}
}

// openDose authenticates one row and decodes it into a DoseEvent.
func (s *Store) openDose(row *doseRow) (DoseEvent, error) {
	var rec doseRecord
	if err := s.unseal("dose_events", row.id, row.format, row.bound(), row.blob, &rec); err != nil {
		return DoseEvent{}, err
	}
	ev := DoseEvent{ID: row.id, MedicationID: row.medID, State: rec.State, Note: rec.Note,
		At: s.fromMillis(row.at), UpdatedAt: s.fromMillis(row.updated)}
	if row.scheduled.Valid {
		ev.ScheduledAt = s.fromMillis(row.scheduled.Int64)
	}
	if rec.SnoozeUntil != 0 {
		ev.SnoozeUntil = s.fromMillis(rec.SnoozeUntil)
	}
	return ev, nil
}

// AnsweredError is the refusal to record anything over a dose already taken or skipped:
// a second answer would replace the first without anyone deciding so (the tray and the
// reminder window, two windows, the command line). It names the answer given; ChangeDose
// replaces it on purpose. It is ErrInvalid too, so the command line exits 2.
type AnsweredError struct {
	MedicationID string
	ScheduledAt  time.Time // the dose
	State        string    // DoseTaken or DoseSkipped
	At           time.Time // when it was taken or skipped
}

func (e *AnsweredError) Error() string {
	return fmt.Sprintf("the dose of %s was already %s at %s", e.ScheduledAt.Format("2006-01-02 15:04"), e.State, e.At.Format("15:04"))
}

// Is makes an AnsweredError match ErrInvalid.
func (e *AnsweredError) Is(target error) bool { return target == ErrInvalid }

// Event is the answer already recorded, as a DoseEvent (without its id), for showing it.
func (e *AnsweredError) Event() DoseEvent {
	return DoseEvent{MedicationID: e.MedicationID, ScheduledAt: e.ScheduledAt, State: e.State, At: e.At}
}

// RecordDose stores what happened to a dose. For a scheduled dose it replaces an earlier
// snooze or "missed" of the same occurrence (a snooze, then taken; a missed dose taken
// late), so each occurrence has one state; over a dose already taken or skipped it records
// nothing and returns an *AnsweredError. Each as-needed dose is a record of its own.
func (s *Store) RecordDose(ctx context.Context, ev DoseEvent) (DoseEvent, error) {
	return s.recordDose(ctx, ev, false)
}

// ChangeDose replaces the answer of a scheduled dose with another answer (taken or
// skipped), because the person said so: `med take --change`, or "change to skipped?" in the
// window. Over a dose not answered yet it records as RecordDose does.
func (s *Store) ChangeDose(ctx context.Context, ev DoseEvent) (DoseEvent, error) {
	if ev.State != DoseTaken && ev.State != DoseSkipped {
		return DoseEvent{}, invalid("input.dose_change_state", kv{"State": string(ev.State)}, "a dose can only be changed to taken or skipped, not %q", ev.State)
	}
	if ev.ScheduledAt.IsZero() {
		return DoseEvent{}, invalid("input.dose_change_unscheduled", nil, "only a scheduled dose can be changed")
	}
	return s.recordDose(ctx, ev, true)
}

func (s *Store) recordDose(ctx context.Context, ev DoseEvent, change bool) (DoseEvent, error) {
	switch ev.State {
	case DoseTaken, DoseSkipped, DoseSnoozed, DoseMissed:
	default:
		return DoseEvent{}, invalid("input.dose_state_unknown", kv{"State": string(ev.State)}, "unknown dose state %q", ev.State)
	}
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	if ev.State == DoseSnoozed && ev.SnoozeUntil.IsZero() {
		return DoseEvent{}, invalid("input.dose_snooze_time", nil, "a snoozed dose needs a time to remind again")
	}
	now := s.now()
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		med, _, err := s.medTx(ctx, tx, ev.MedicationID)
		if err != nil {
			var te *TamperedError
			if !errors.As(err, &te) || te.Records[0].Table != "schedule_steps" {
				return err
			}
			// A damaged schedule step does not stop a dose being recorded (its dose then
			// counts as the medicine's own, for the stock).
		}
		prevState := "" // what the occurrence's answer was, for the stock
		row := doseRow{medID: ev.MedicationID, at: toMillis(ev.At), created: toMillis(now), updated: toMillis(now)}
		if !ev.ScheduledAt.IsZero() {
			row.scheduled = sql.NullInt64{Int64: toMillis(ev.ScheduledAt), Valid: true}
			var old doseRow
			err := old.scan(tx.QueryRowContext(ctx, `SELECT `+doseColumns+` FROM dose_events WHERE medication_id = ? AND scheduled_at = ?`,
				ev.MedicationID, row.scheduled.Int64))
			switch {
			case err == nil:
				// The occurrence's one row is answered anew. A damaged row is replaced (it
				// was reported when read): the answer given now is the truth.
				row.id = old.id
				prev, err := s.openDose(&old)
				if err != nil {
					break
				}
				row.created = old.created
				prevState = prev.State
				// Read inside the transaction, so an answer that landed a moment ago (the
				// tray, the other window, the command line) is seen, never written over.
				if !change && (prev.State == DoseTaken || prev.State == DoseSkipped) {
					return &AnsweredError{MedicationID: prev.MedicationID, ScheduledAt: prev.ScheduledAt.In(s.loc),
						State: prev.State, At: prev.At.In(s.loc)}
				}
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
		if row.id == "" {
			row.id = newID()
		}
		ev.ID = row.id
		rec := doseRecord{State: ev.State, Note: ev.Note}
		if !ev.SnoozeUntil.IsZero() {
			rec.SnoozeUntil = toMillis(ev.SnoozeUntil)
		}
		blob, err := s.seal("dose_events", row.id, row.bound(), &rec)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO dose_events (`+doseColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET medication_id = excluded.medication_id, scheduled_at = excluded.scheduled_at,
				at = excluded.at, created_at = excluded.created_at, updated_at = excluded.updated_at,
				fmt = excluded.fmt, sealed = excluded.sealed`,
			row.id, row.medID, row.scheduled, row.at, row.created, row.updated, recordFormat, blob)
		if err != nil {
			return err
		}
		// In the same transaction: a dose taken and its tablet still counted (or the other
		// way round) cannot survive a crash. Whatever the dose's own time: a dose taken
		// late, or logged for yesterday, came out of the same box.
		ev.Stock, err = s.applyDoseStock(ctx, tx, med, ev.ScheduledAt, prevState, ev.State)
		return err
	})
	var ae *AnsweredError
	if errors.As(err, &ae) {
		return DoseEvent{}, ae // already says what it is about; "save dose:" would only blur it
	}
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
	// Every medicine's doses in the range are read and authenticated, and only then
	// filtered by medicine: a dose moved to another medicine (or to none) behind the app's
	// back must be reported to whoever lists the medicine it came from.
	rows, err := s.queryRows(ctx, `SELECT `+doseColumns+` FROM dose_events
		WHERE coalesce(scheduled_at, at) >= ? AND coalesce(scheduled_at, at) < ?
		ORDER BY coalesce(scheduled_at, at), id`, lo, hi)
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
		var row doseRow
		if err := row.scan(rows); err != nil {
			return nil, fmt.Errorf("read doses: %w", err)
		}
		ev, err := s.openDose(&row)
		if err != nil {
			if err == errTampered {
				bad.add("dose_events", row.id)
				continue
			}
			return nil, err
		}
		if medicationID == "" || ev.MedicationID == medicationID {
			out = append(out, ev)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read doses: %w", err)
	}
	return out, bad.OrNil()
}

// ForgetMissedAfter removes the "missed" records of doses scheduled after t. The reminder
// engine calls it when it finds the clock had run ahead: a dose whose time has not come
// cannot have been missed, and left recorded missed it would never be reminded. It returns
// how many it removed.
func (s *Store) ForgetMissedAfter(ctx context.Context, t time.Time) (int, error) {
	evs, err := s.DoseEvents(ctx, "", t.Add(time.Millisecond), time.Time{})
	var bad TamperedError
	if bad.Keep(err) != nil {
		return 0, err
	}
	n := 0
	for _, ev := range evs {
		if ev.State != DoseMissed || ev.ScheduledAt.IsZero() {
			continue
		}
		res, err := s.db.ExecContext(ctx, `DELETE FROM dose_events WHERE id = ?`, ev.ID)
		if err != nil {
			return n, fmt.Errorf("forget missed dose: %w", err)
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	if n > 0 {
		s.mu.Lock()
		s.index = nil
		s.mu.Unlock()
	}
	return n, nil
}
