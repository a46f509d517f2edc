package data

// Acting on appointments (issue 15): asking the clinic for one, cancelling one. Each change
// that must reach the portal is queued in the outbox in the same transaction as the change
// (DESIGN §4), so it is never lost between the journal and the queue.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// RequestAppointment writes down a request for an appointment (Reason, and optionally
// After, Before and With) and queues it for the portal. It shows as requested until the
// clinic answers; its start is the first day that would suit (or now), for ordering.
func (s *Store) RequestAppointment(ctx context.Context, req Appointment) (Appointment, error) {
	req.Reason, req.With = strings.TrimSpace(req.Reason), strings.TrimSpace(req.With)
	now := s.now()
	today := DateOf(now.In(s.loc))
	switch {
	case !utf8.ValidString(req.Reason) || !utf8.ValidString(req.With):
		return Appointment{}, errNotText("the request")
	case req.Reason == "":
		return Appointment{}, invalidField(FieldNote, "input.request_reason_empty", nil, "say what the appointment is for")
	case utf8.RuneCountInString(req.Reason) > maxQuestionLen || utf8.RuneCountInString(req.With) > maxNameLen:
		return Appointment{}, invalidField(FieldNote, "input.request_too_long", nil, "the reason or the name is too long")
	case !req.Before.IsZero() && req.Before.Before(today):
		return Appointment{}, invalidField(FieldEnd, "input.request_before_past", kv{"Date": req.Before}, "%s is in the past: give a day from today on", req.Before)
	case !req.After.IsZero() && !req.Before.IsZero() && req.Before.Before(req.After):
		return Appointment{}, invalidField(FieldEnd, "input.request_days_order", kv{"Last": req.Before, "First": req.After}, "the last day that suits (%s) is before the first (%s)", req.Before, req.After)
	}
	a := Appointment{ID: newID(), Status: StatusRequested, Source: "local", Reason: req.Reason, With: req.With,
		After: req.After, Before: req.Before, Pending: PendingRequest, Start: now}
	if !req.After.IsZero() && today.Before(req.After) {
		a.Start = time.Date(req.After.Year, req.After.Month, req.After.Day, 0, 0, 0, 0, s.loc)
	}
	a.Title = "Requested: " + firstLine(req.Reason, 80)
	a.CreatedAt, a.UpdatedAt, a.Start = now.In(s.loc), now.In(s.loc), a.Start.In(s.loc)
	row := appointmentRow{id: a.ID, source: a.Source, start: toMillis(a.Start), created: toMillis(now), updated: toMillis(now)}
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := s.writeAppointment(ctx, tx, row, appointmentRecordOf(a)); err != nil {
			return err
		}
		return s.writeOutbox(ctx, tx, outboxRow{entity: "appointment", entityID: a.ID, op: PendingRequest, created: toMillis(now)})
	})
	if err != nil {
		return Appointment{}, fmt.Errorf("save request: %w", err)
	}
	return a, nil
}

func firstLine(s string, n int) string {
	s, _, _ = strings.Cut(s, "\n")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// appointmentTx reads one appointment row inside tx, authenticated.
func (s *Store) appointmentTx(ctx context.Context, tx *sql.Tx, id string) (appointmentRow, Appointment, error) {
	var row appointmentRow
	err := row.scan(tx.QueryRowContext(ctx, `SELECT `+appointmentColumns+` FROM appointments WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return row, Appointment{}, fmt.Errorf("appointment %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return row, Appointment{}, err
	}
	a, err := s.openAppointment(&row)
	if err == errTampered {
		return row, a, &TamperedError{Records: []RecordRef{{"appointments", id}}}
	}
	if err == nil && row.deleted != 0 {
		return row, a, fmt.Errorf("appointment %s: %w", id, ErrNotFound)
	}
	return row, a, err
}

// CancelAppointment cancels an appointment that is still to come, with the person's reason
// (may be empty). One entered on this computer, or a request the portal has not received
// yet, is simply cancelled; one on the portal is queued for it (Pending cancel) and is
// cancelled when the portal confirms. A unique id prefix of at least 4 characters also
// finds it.
func (s *Store) CancelAppointment(ctx context.Context, id, reason string) (Appointment, error) {
	reason = strings.TrimSpace(reason)
	if !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > maxQuestionLen {
		return Appointment{}, invalidField(FieldNote, "input.cancel_reason", nil, "the reason is not text or too long")
	}
	found, err := s.Appointment(ctx, id)
	if err != nil {
		return Appointment{}, err
	}
	now := s.now()
	var out Appointment
	err = s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		row, a, err := s.appointmentTx(ctx, tx, found.ID)
		if err != nil {
			return err
		}
		switch {
		case a.Status == StatusCancelled:
			return invalid("input.cancel_already", kv{"Title": a.Title, "Date": DateOf(a.Start)}, "%q on %s is already cancelled", a.Title, a.Start.Format("2 Jan 2006"))
		case a.Pending == PendingCancel:
			return invalid("input.cancel_pending", kv{"Title": a.Title}, "%q is already being cancelled: it goes to the clinic at the next sync", a.Title)
		case a.Status != StatusRequested && a.Start.Before(now):
			return invalid("input.cancel_begun", kv{"Title": a.Title, "When": a.Start}, "%q on %s has already begun or is over", a.Title, a.Start.Format("2 Jan 2006 15:04"))
		}
		a.CancelReason, a.Error = reason, ""
		row.updated = toMillis(now)
		if row.remoteID.Valid {
			a.Pending = PendingCancel
			if err := s.writeOutbox(ctx, tx, outboxRow{entity: "appointment", entityID: a.ID, op: PendingCancel, created: toMillis(now)}); err != nil {
				return err
			}
		} else {
			// Never on the portal: cancelled here, and a request not sent yet never goes.
			a.Status, a.Pending = StatusCancelled, ""
			if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE entity = 'appointment' AND entity_id = ?`, a.ID); err != nil {
				return err
			}
		}
		a.UpdatedAt = now.In(s.loc)
		out = a
		return s.writeAppointment(ctx, tx, row, appointmentRecordOf(a))
	})
	if err != nil {
		return Appointment{}, fmt.Errorf("cancel appointment: %w", err)
	}
	return out, nil
}

// AppointmentSent records what the portal answered to a request or a cancellation: its id,
// version and status (a request now on the portal stays "requested" until the clinic
// answers), and takes the item off the outbox, in one transaction.
func (s *Store) AppointmentSent(ctx context.Context, seq int64, id, remoteID, version, status string) error {
	now := toMillis(s.now())
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		row, a, err := s.appointmentTx(ctx, tx, id)
		if err != nil {
			return err
		}
		row.source, row.updated = "portal", now
		row.remoteID = sql.NullString{String: remoteID, Valid: true}
		row.remoteVersion = sql.NullString{String: version, Valid: true}
		switch {
		case a.Pending == PendingCancel || status == StatusCancelled:
			a.Status = StatusCancelled
		case status == "proposed" || status == "pending" || status == "waitlist":
			a.Status = StatusRequested
		case status != "":
			a.Status = status
		}
		a.Pending, a.Error = "", ""
		if err := s.writeAppointment(ctx, tx, row, appointmentRecordOf(a)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = ?`, seq)
		return err
	})
}

// AppointmentNotSent records that the portal will not take a request or cancellation, and
// why (said to the person); the item leaves the outbox, nothing is retried by itself.
func (s *Store) AppointmentNotSent(ctx context.Context, seq int64, id, reason string) error {
	now := toMillis(s.now())
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		row, a, err := s.appointmentTx(ctx, tx, id)
		if err != nil {
			return err
		}
		a.Pending, a.Error, row.updated = "", reason, now
		if err := s.writeAppointment(ctx, tx, row, appointmentRecordOf(a)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = ?`, seq)
		return err
	})
}

// unqueuedAppointments are outbox items for the authentic appointments with a change
// pending that have none (deleted behind the app's back, or damaged).
func (s *Store) unqueuedAppointments(ctx context.Context, tx *sql.Tx, has map[string]bool) ([]outboxRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+appointmentColumns+` FROM appointments WHERE deleted = 0 ORDER BY start_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var row appointmentRow
		if err := row.scan(rows); err != nil {
			return nil, err
		}
		if has["appointment/"+row.id] {
			continue
		}
		a, err := s.openAppointment(&row)
		if err != nil || a.Pending == "" {
			continue // damaged ones are reported by the lists, never sent
		}
		out = append(out, outboxRow{entity: "appointment", entityID: row.id, op: a.Pending, created: toMillis(s.now())})
	}
	return out, rows.Err()
}
