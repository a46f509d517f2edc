package data

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Appointment is a visit, entered locally or pulled from the portal.
type Appointment struct {
	ID          string
	Start       time.Time
	End         time.Time // zero when unknown
	Title       string
	Description string
	Location    string
	Status      string // booked, cancelled, ... (FHIR Appointment.status)
	Source      string // "local" or "portal"
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

type appointmentRecord struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Location    string `json:"location,omitempty"`
	Status      string `json:"status"`
	End         int64  `json:"end,omitempty"` // Unix ms
}

const appointmentFormat = 1

// ValidateAppointment checks an appointment as typed and returns it cleaned.
func ValidateAppointment(a Appointment) (Appointment, error) {
	a.Title, a.Location, a.Description = strings.TrimSpace(a.Title), strings.TrimSpace(a.Location), strings.TrimSpace(a.Description)
	switch {
	case a.Title == "":
		return Appointment{}, invalid("the appointment needs a title")
	case utf8.RuneCountInString(a.Title) > maxNameLen*5 || utf8.RuneCountInString(a.Location) > maxNameLen*5:
		return Appointment{}, invalid("the title or place is too long")
	case a.Start.IsZero():
		return Appointment{}, invalid("the appointment needs a start time")
	case !a.End.IsZero() && !a.End.After(a.Start):
		return Appointment{}, invalid("the appointment ends before it starts")
	}
	return a, nil
}

// AddAppointment stores an appointment entered on this computer.
func (s *Store) AddAppointment(ctx context.Context, a Appointment) (Appointment, error) {
	a, err := ValidateAppointment(a)
	if err != nil {
		return Appointment{}, err
	}
	now := s.now()
	a.ID, a.Source, a.Status = newID(), "local", "booked"
	a.CreatedAt, a.UpdatedAt = now.In(s.loc), now.In(s.loc)
	rec := appointmentRecord{Title: a.Title, Description: a.Description, Location: a.Location, Status: a.Status}
	if !a.End.IsZero() {
		rec.End = toMillis(a.End)
	}
	err = s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		blob, err := s.seal("appointments", a.ID, appointmentFormat, rec)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO appointments (id, start_at, source, created_at, updated_at, fmt, sealed)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, a.ID, toMillis(a.Start), a.Source, toMillis(now), toMillis(now), appointmentFormat, blob)
		return err
	})
	if err != nil {
		return Appointment{}, fmt.Errorf("save appointment: %w", err)
	}
	a.Start = a.Start.In(s.loc)
	if !a.End.IsZero() {
		a.End = a.End.In(s.loc)
	}
	return a, nil
}

// ListAppointments returns appointments starting in [since, until), soonest first; a zero
// bound is open. Damaged records are reported in a *TamperedError alongside the others.
func (s *Store) ListAppointments(ctx context.Context, since, until time.Time) ([]Appointment, error) {
	lo, hi := int64(-1<<62), int64(1<<62)
	if !since.IsZero() {
		lo = toMillis(since)
	}
	if !until.IsZero() {
		hi = toMillis(until)
	}
	rows, err := s.queryRows(ctx, `SELECT id, start_at, source, created_at, updated_at, fmt, sealed FROM appointments
		WHERE deleted = 0 AND start_at >= ? AND start_at < ? ORDER BY start_at, id`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("list appointments: %w", err)
	}
	defer rows.Close()
	out := []Appointment{}
	var bad TamperedError
	for n := 0; rows.Next(); n++ {
		if err := cancelled(ctx, n); err != nil {
			return nil, err
		}
		var (
			a                       Appointment
			start, created, updated int64
			format                  int
			blob                    []byte
			rec                     appointmentRecord
		)
		if err := rows.Scan(&a.ID, &start, &a.Source, &created, &updated, &format, &blob); err != nil {
			return nil, fmt.Errorf("list appointments: %w", err)
		}
		if err := s.unseal("appointments", a.ID, format, blob, &rec); err != nil {
			if err == errTampered {
				bad.add("appointments", a.ID)
				continue
			}
			return nil, err
		}
		a.Start, a.CreatedAt, a.UpdatedAt = s.fromMillis(start), s.fromMillis(created), s.fromMillis(updated)
		a.Title, a.Description, a.Location, a.Status = rec.Title, rec.Description, rec.Location, rec.Status
		if rec.End != 0 {
			a.End = s.fromMillis(rec.End)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list appointments: %w", err)
	}
	return out, bad.orNil()
}
