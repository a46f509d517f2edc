package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Question is a question for the doctor, attached to an appointment: written down while it
// comes to mind, ticked off during the visit.
type Question struct {
	ID            string
	AppointmentID string
	Text          string
	Done          bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// maxQuestionLen bounds one question (a paragraph, not a letter).
const maxQuestionLen = 2000

type questionRecord struct{ Text string }

func (r *questionRecord) encode(w *recWriter) { w.str(1, r.Text) }

func (r *questionRecord) decode(rd *recReader) {
	for rd.next() {
		switch rd.tag {
		case 1:
			r.Text = rd.str()
		default:
			rd.unknown()
		}
	}
}

type questionRow struct {
	id, appointmentID      string
	done, created, updated int64
	deleted                int64
	format                 int
	blob                   []byte
}

const questionColumns = `id, appointment_id, done, created_at, updated_at, deleted, fmt, sealed`

func (r *questionRow) scan(sc interface{ Scan(...any) error }) error {
	return sc.Scan(&r.id, &r.appointmentID, &r.done, &r.created, &r.updated, &r.deleted, &r.format, &r.blob)
}

func (r *questionRow) bound() cols {
	return cols{sval(r.appointmentID), ival(r.done), ival(r.created), ival(r.updated), ival(r.deleted)}
}

func (s *Store) writeQuestion(ctx context.Context, tx execer, row questionRow, rec questionRecord) error {
	blob, err := s.seal("questions", row.id, row.bound(), &rec)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO questions (`+questionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET appointment_id = excluded.appointment_id, done = excluded.done,
			created_at = excluded.created_at, updated_at = excluded.updated_at, deleted = excluded.deleted,
			fmt = excluded.fmt, sealed = excluded.sealed`,
		row.id, row.appointmentID, row.done, row.created, row.updated, row.deleted, recordFormat, blob)
	return err
}

func (s *Store) openQuestion(row *questionRow) (Question, questionRecord, error) {
	var rec questionRecord
	if err := s.unseal("questions", row.id, row.format, row.bound(), row.blob, &rec); err != nil {
		return Question{}, rec, err
	}
	return Question{ID: row.id, AppointmentID: row.appointmentID, Text: rec.Text, Done: row.done != 0,
		CreatedAt: s.fromMillis(row.created), UpdatedAt: s.fromMillis(row.updated)}, rec, nil
}

// Appointment returns one appointment by id; a unique prefix of at least 4 characters also
// finds it. One whose record is damaged is reported as damaged, not as missing.
func (s *Store) Appointment(ctx context.Context, id string) (Appointment, error) {
	all, err := s.ListAppointments(ctx, time.Time{}, time.Time{})
	var te *TamperedError
	if err != nil && !errors.As(err, &te) {
		return Appointment{}, err
	}
	var found []Appointment
	for _, a := range all {
		if a.ID == id {
			return a, nil
		}
		if len(id) >= 4 && strings.HasPrefix(a.ID, id) {
			found = append(found, a)
		}
	}
	if len(found) == 0 && te != nil {
		for _, r := range te.Records {
			if r.Table == "appointments" && (r.ID == id || len(id) >= 4 && strings.HasPrefix(r.ID, id)) {
				return Appointment{}, &TamperedError{Records: []RecordRef{r}}
			}
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return Appointment{}, fmt.Errorf("appointment %s: %w", id, ErrNotFound)
	}
	return Appointment{}, invalid("input.appt_id_ambiguous", kv{"ID": id, "Count": len(found)}, "%q matches %d appointments: give more of the id", id, len(found))
}

// AddQuestion writes down a question for an appointment that is still to come (or going
// on: until the end of its day).
func (s *Store) AddQuestion(ctx context.Context, appointmentID, text string) (Question, error) {
	text = strings.TrimSpace(text)
	switch {
	case !utf8.ValidString(text):
		return Question{}, errNotText("the question")
	case text == "":
		return Question{}, invalidField(FieldNote, "input.question_empty", nil, "the question is empty")
	case utf8.RuneCountInString(text) > maxQuestionLen:
		return Question{}, invalidField(FieldNote, "input.question_long", kv{"Max": maxQuestionLen}, "the question is longer than %d characters: split it", maxQuestionLen)
	}
	a, err := s.Appointment(ctx, appointmentID)
	if err != nil {
		return Question{}, err
	}
	now := s.now()
	if a.Status == "cancelled" {
		return Question{}, invalid("input.question_appt_cancelled", kv{"Title": a.Title, "Date": DateOf(a.Start)}, "the appointment %q on %s is cancelled", a.Title, a.Start.Format("2 Jan 2006"))
	}
	if endOfDay(a.Start.In(s.loc)).Before(now) {
		return Question{}, invalid("input.question_appt_over", kv{"Title": a.Title, "Date": DateOf(a.Start)}, "the appointment %q on %s is over: questions go with an appointment still to come", a.Title, a.Start.Format("2 Jan 2006"))
	}
	q := Question{ID: newID(), AppointmentID: a.ID, Text: text, CreatedAt: now.In(s.loc), UpdatedAt: now.In(s.loc)}
	row := questionRow{id: q.ID, appointmentID: a.ID, created: toMillis(now), updated: toMillis(now)}
	err = s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return s.writeQuestion(ctx, tx, row, questionRecord{Text: text})
	})
	if err != nil {
		return Question{}, fmt.Errorf("save question: %w", err)
	}
	return q, nil
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
}

// ListQuestions returns the questions of one appointment ("" for all), oldest first.
// Damaged records are reported in a *TamperedError alongside the others.
func (s *Store) ListQuestions(ctx context.Context, appointmentID string) ([]Question, error) {
	rows, err := s.queryRows(ctx, `SELECT `+questionColumns+` FROM questions ORDER BY created_at, rowid`)
	if err != nil {
		return nil, fmt.Errorf("list questions: %w", err)
	}
	defer rows.Close()
	out := []Question{}
	var bad TamperedError
	for n := 0; rows.Next(); n++ {
		if err := cancelled(ctx, n); err != nil {
			return nil, err
		}
		var row questionRow
		if err := row.scan(rows); err != nil {
			return nil, fmt.Errorf("list questions: %w", err)
		}
		q, _, err := s.openQuestion(&row)
		if err == errTampered {
			bad.add("questions", row.id)
			continue
		} else if err != nil {
			return nil, err
		}
		if row.deleted != 0 || (appointmentID != "" && q.AppointmentID != appointmentID) {
			continue
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list questions: %w", err)
	}
	return out, bad.OrNil()
}

// SetQuestionDone ticks a question off (or back on). A unique id prefix of at least 4
// characters also finds it.
func (s *Store) SetQuestionDone(ctx context.Context, id string, done bool) (Question, error) {
	all, err := s.ListQuestions(ctx, "")
	var te *TamperedError
	if err != nil && !errors.As(err, &te) {
		return Question{}, err
	}
	var found []Question
	for _, q := range all {
		if q.ID == id || len(id) >= 4 && strings.HasPrefix(q.ID, id) {
			found = append(found, q)
		}
	}
	switch {
	case len(found) == 0 && te != nil:
		for _, r := range te.Records {
			if r.ID == id || len(id) >= 4 && strings.HasPrefix(r.ID, id) {
				return Question{}, &TamperedError{Records: []RecordRef{r}}
			}
		}
		return Question{}, fmt.Errorf("question %s: %w", id, ErrNotFound)
	case len(found) == 0:
		return Question{}, fmt.Errorf("question %s: %w", id, ErrNotFound)
	case len(found) > 1:
		return Question{}, invalid("input.question_id_ambiguous", kv{"ID": id, "Count": len(found)}, "%q matches %d questions: give more of the id", id, len(found))
	}
	q := found[0]
	now := s.now()
	err = s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var row questionRow
		if err := row.scan(tx.QueryRowContext(ctx, `SELECT `+questionColumns+` FROM questions WHERE id = ?`, q.ID)); err != nil {
			return err
		}
		cur, rec, err := s.openQuestion(&row)
		if err == errTampered {
			return &TamperedError{Records: []RecordRef{{"questions", q.ID}}}
		} else if err != nil {
			return err
		}
		if cur.Done == done {
			return nil
		}
		row.done, row.updated = 0, toMillis(now)
		if done {
			row.done = 1
		}
		q.Done, q.UpdatedAt = done, now.In(s.loc)
		return s.writeQuestion(ctx, tx, row, rec)
	})
	if err != nil {
		return Question{}, fmt.Errorf("tick off question: %w", err)
	}
	return q, nil
}
