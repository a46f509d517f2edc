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
	Status      string // booked, cancelled, ... (FHIR Appointment.status), or requested
	Source      string // "local" or "portal"
	CreatedAt   time.Time
	UpdatedAt   time.Time

	// RemoteID and RemoteVersion are the portal's id and version (meta.versionId, sent back
	// in If-Match) of a portal appointment.
	RemoteID, RemoteVersion string
	// A request for an appointment (status requested): why, when would suit, with whom.
	Reason        string
	After, Before Date
	With          string
	// Pending is what is waiting to reach the portal: PendingRequest or PendingCancel ("":
	// nothing); CancelReason is the person's words for a cancellation. Error says why the
	// portal did not take the last one.
	Pending      string
	CancelReason string
	Error        string
	// Service is what kind of visit the portal says it is (its serviceType), which picks
	// the clinic's own survey afterwards.
	Service string
}

// Takes reports whether the appointment takes place at its time, as far as anyone knows: not
// cancelled (or entered in error, or a no-show), and not a request the clinic has not
// answered (whose time is only the first day that would suit). Only these are reminded.
func (a Appointment) Takes() bool {
	switch a.Status {
	case StatusCancelled, StatusRequested, "entered-in-error", "noshow", "proposed":
		return false
	}
	return true
}

// Appointment states and pending changes of our own.
const (
	StatusRequested = "requested" // asked for by the person, not yet answered by the clinic
	StatusCancelled = "cancelled"

	PendingRequest = "request"
	PendingCancel  = "cancel"
)

type appointmentRecord struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Location    string `json:"location,omitempty"`
	Status      string `json:"status"`
	End         int64  `json:"end,omitempty"` // Unix ms
	// Request and cancellation (issue 15); see Appointment.
	Reason, With       string
	After, Before      string // YYYY-MM-DD
	Pending, CancelWhy string
	Error              string
	Service            string
}

func (r *appointmentRecord) encode(w *recWriter) {
	w.str(1, r.Title)
	w.str(2, r.Description)
	w.str(3, r.Location)
	w.str(4, r.Status)
	w.int(5, r.End)
	w.str(6, r.Reason)
	w.str(7, r.With)
	w.str(8, r.After)
	w.str(9, r.Before)
	w.str(10, r.Pending)
	w.str(11, r.CancelWhy)
	w.str(12, r.Error)
	w.str(13, r.Service)
}

func (r *appointmentRecord) decode(rd *recReader) {
	for rd.next() {
		switch rd.tag {
		case 1:
			r.Title = rd.str()
		case 2:
			r.Description = rd.str()
		case 3:
			r.Location = rd.str()
		case 4:
			r.Status = rd.str()
		case 5:
			r.End = rd.int()
		case 6:
			r.Reason = rd.str()
		case 7:
			r.With = rd.str()
		case 8:
			r.After = rd.str()
		case 9:
			r.Before = rd.str()
		case 10:
			r.Pending = rd.str()
		case 11:
			r.CancelWhy = rd.str()
		case 12:
			r.Error = rd.str()
		case 13:
			r.Service = rd.str()
		default:
			rd.unknown()
		}
	}
}

func appointmentRecordOf(a Appointment) appointmentRecord {
	rec := appointmentRecord{Title: a.Title, Description: a.Description, Location: a.Location, Status: a.Status,
		Reason: a.Reason, With: a.With, After: a.After.String(), Before: a.Before.String(),
		Pending: a.Pending, CancelWhy: a.CancelReason, Error: a.Error, Service: a.Service}
	if !a.End.IsZero() {
		rec.End = toMillis(a.End)
	}
	return rec
}

// appointmentRow is an appointments row as stored; remote id and version are NULL for a
// local appointment.
type appointmentRow struct {
	id, source              string
	remoteID, remoteVersion sql.NullString
	start, created, updated int64
	deleted                 int64
	format                  int
	blob                    []byte
}

const appointmentColumns = `id, start_at, source, remote_id, remote_version, created_at, updated_at, deleted, fmt, sealed`

func (r *appointmentRow) scan(sc interface{ Scan(...any) error }) error {
	return sc.Scan(&r.id, &r.start, &r.source, &r.remoteID, &r.remoteVersion, &r.created, &r.updated, &r.deleted, &r.format, &r.blob)
}

func (r *appointmentRow) sealed() (string, int, []byte, bool) { return r.id, r.format, r.blob, true }

func (r *appointmentRow) bound() cols {
	return cols{ival(r.start), sval(r.source), nullString(r.remoteID), nullString(r.remoteVersion), ival(r.created), ival(r.updated), ival(r.deleted)}
}

func nullString(v sql.NullString) col {
	if v.Valid {
		return sval(v.String)
	}
	return nullCol
}

// writeAppointment seals rec into row and stores it, a new row or over the old one.
func (s *Store) writeAppointment(ctx context.Context, tx execer, row appointmentRow, rec appointmentRecord) error {
	blob, err := s.seal("appointments", row.id, row.bound(), &rec)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO appointments (`+appointmentColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET start_at = excluded.start_at, source = excluded.source, remote_id = excluded.remote_id,
			remote_version = excluded.remote_version, created_at = excluded.created_at, updated_at = excluded.updated_at,
			deleted = excluded.deleted, fmt = excluded.fmt, sealed = excluded.sealed`,
		row.id, row.start, row.source, row.remoteID, row.remoteVersion, row.created, row.updated, row.deleted, recordFormat, blob)
	return err
}

// openAppointment authenticates one row and decodes it.
func (s *Store) openAppointment(row *appointmentRow) (Appointment, error) {
	var rec appointmentRecord
	if err := s.unseal("appointments", row.id, row.format, row.bound(), row.blob, &rec); err != nil {
		return Appointment{}, err
	}
	a := Appointment{ID: row.id, Source: row.source, Start: s.fromMillis(row.start),
		CreatedAt: s.fromMillis(row.created), UpdatedAt: s.fromMillis(row.updated),
		Title: rec.Title, Description: rec.Description, Location: rec.Location, Status: rec.Status,
		RemoteID: row.remoteID.String, RemoteVersion: row.remoteVersion.String,
		Reason: rec.Reason, With: rec.With, Pending: rec.Pending, CancelReason: rec.CancelWhy, Error: rec.Error,
		Service: rec.Service}
	a.After, _ = ParseDate(rec.After)
	a.Before, _ = ParseDate(rec.Before)
	if rec.End != 0 {
		a.End = s.fromMillis(rec.End)
	}
	return a, nil
}

// ValidateAppointment checks an appointment as typed and returns it cleaned.
func ValidateAppointment(a Appointment) (Appointment, error) {
	a.Title, a.Location, a.Description = strings.TrimSpace(a.Title), strings.TrimSpace(a.Location), strings.TrimSpace(a.Description)
	switch {
	case !utf8.ValidString(a.Title) || !utf8.ValidString(a.Location) || !utf8.ValidString(a.Description):
		return Appointment{}, errNotText("the appointment's title, place or description")
	case a.Title == "":
		return Appointment{}, invalidField(FieldTitle, "input.appt_title_empty", nil, "the appointment needs a title")
	case utf8.RuneCountInString(a.Title) > maxNameLen*5 || utf8.RuneCountInString(a.Location) > maxNameLen*5:
		return Appointment{}, invalid("input.appt_too_long", nil, "the title or place is too long")
	case a.Start.IsZero():
		return Appointment{}, invalidField(FieldStart, "input.appt_start_empty", nil, "the appointment needs a start time")
	case !a.End.IsZero() && !a.End.After(a.Start):
		return Appointment{}, invalidField(FieldEnd, "input.appt_ends_before_start", nil, "the appointment ends before it starts")
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
	row := appointmentRow{id: a.ID, source: a.Source, start: toMillis(a.Start), created: toMillis(now), updated: toMillis(now)}
	err = s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return s.writeAppointment(ctx, tx, row, appointmentRecordOf(a))
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
	rows, err := s.queryRows(ctx, `SELECT `+appointmentColumns+` FROM appointments
		WHERE (deleted = 0 AND start_at >= ? AND start_at < ?) OR deleted > 0 OR deleted < 0 ORDER BY start_at, id`, lo, hi)
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
		var row appointmentRow
		if err := row.scan(rows); err != nil {
			return nil, fmt.Errorf("list appointments: %w", err)
		}
		// Rows marked deleted are read too, only to authenticate them: one marked deleted
		// behind the app's back (its reminders would stop) is reported, not skipped.
		a, err := s.openAppointment(&row)
		if err != nil {
			if err == errTampered {
				bad.add("appointments", row.id)
				continue
			}
			return nil, err
		}
		if row.deleted == 0 {
			out = append(out, a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list appointments: %w", err)
	}
	return out, bad.OrNil()
}
