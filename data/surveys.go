package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Survey states (`survey list`'s `state`).
const (
	SurveyOpen   = "open"   // not answered yet
	SurveyQueued = "queued" // answered, waiting for the portal (or refused by it: Error says why)
	SurveySent   = "sent"   // on the portal
)

// SurveyDays is how long after a visit its survey is offered.
const SurveyDays = 30

// keyQuestionnaires keeps the clinic's own surveys (FHIR Questionnaires, a JSON array) as
// the last sync found them.
const keyQuestionnaires = "sync.questionnaires"

// Survey is the short survey after a finished appointment: the clinic's own questionnaire
// for that kind of visit, or the app's built-in one.
type Survey struct {
	ID            string
	AppointmentID string
	Title         string
	Questionnaire []byte // the FHIR Questionnaire it asks
	Answers       []byte // {"linkId": value, ...}, once answered
	State         string
	RemoteID      string // the portal's QuestionnaireResponse id, once sent
	Error         string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

type surveyRecord struct {
	Title                  string
	Questionnaire, Answers []byte
	Error                  string
}

func (r *surveyRecord) encode(w *recWriter) {
	w.str(1, r.Title)
	w.field(2, r.Questionnaire)
	if len(r.Answers) > 0 {
		w.field(3, r.Answers)
	}
	w.str(4, r.Error)
}

func (r *surveyRecord) decode(rd *recReader) {
	for rd.next() {
		switch rd.tag {
		case 1:
			r.Title = rd.str()
		case 2:
			r.Questionnaire = append([]byte(nil), rd.val...)
		case 3:
			r.Answers = append([]byte(nil), rd.val...)
		case 4:
			r.Error = rd.str()
		default:
			rd.unknown()
		}
	}
}

type surveyRow struct {
	id, appointmentID, state string
	remoteID                 sql.NullString
	created, updated         int64
	format                   int
	blob                     []byte
}

const surveyColumns = `id, appointment_id, state, remote_id, created_at, updated_at, fmt, sealed`

func (r *surveyRow) scan(sc interface{ Scan(...any) error }) error {
	return sc.Scan(&r.id, &r.appointmentID, &r.state, &r.remoteID, &r.created, &r.updated, &r.format, &r.blob)
}

func (r *surveyRow) bound() cols {
	return cols{sval(r.appointmentID), sval(r.state), nullString(r.remoteID), ival(r.created), ival(r.updated)}
}

func (s *Store) writeSurvey(ctx context.Context, tx execer, row surveyRow, rec surveyRecord) error {
	blob, err := s.seal("surveys", row.id, row.bound(), &rec)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO surveys (`+surveyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET appointment_id = excluded.appointment_id, state = excluded.state,
			remote_id = excluded.remote_id, created_at = excluded.created_at, updated_at = excluded.updated_at,
			fmt = excluded.fmt, sealed = excluded.sealed`,
		row.id, row.appointmentID, row.state, row.remoteID, row.created, row.updated, recordFormat, blob)
	return err
}

func (s *Store) openSurvey(row *surveyRow) (Survey, surveyRecord, error) {
	var rec surveyRecord
	if err := s.unseal("surveys", row.id, row.format, row.bound(), row.blob, &rec); err != nil {
		return Survey{}, rec, err
	}
	return Survey{ID: row.id, AppointmentID: row.appointmentID, State: row.state, RemoteID: row.remoteID.String,
		Title: rec.Title, Questionnaire: rec.Questionnaire, Answers: rec.Answers, Error: rec.Error,
		CreatedAt: s.fromMillis(row.created), UpdatedAt: s.fromMillis(row.updated)}, rec, nil
}

// ClinicQuestionnaires are the clinic's own surveys as the last sync found them.
func (s *Store) ClinicQuestionnaires(ctx context.Context) ([]json.RawMessage, error) {
	v, err := s.Setting(ctx, keyQuestionnaires)
	if err != nil || v == "" {
		return nil, err
	}
	var out []json.RawMessage
	if json.Unmarshal([]byte(v), &out) != nil {
		return nil, nil // not ours to fail on: the built-in survey stands in
	}
	return out, nil
}

// SetClinicQuestionnaires keeps the clinic's own surveys found by a sync.
func (s *Store) SetClinicQuestionnaires(ctx context.Context, qs []json.RawMessage) error {
	b, err := json.Marshal(qs)
	if err != nil {
		return err
	}
	return s.SetSetting(ctx, keyQuestionnaires, string(b))
}

// OfferSurveys gives every appointment that finished in the last SurveyDays days (and took
// place: not cancelled, not a request) a survey, if it has none. pick chooses its title and
// questionnaire (the clinic's for that kind of visit, or the built-in one).
func (s *Store) OfferSurveys(ctx context.Context, pick func(Appointment) (title string, questionnaire []byte)) error {
	now := s.now()
	appts, err := s.ListAppointments(ctx, now.AddDate(0, 0, -SurveyDays-1), now)
	var te *TamperedError
	if err != nil && !errors.As(err, &te) {
		return err
	}
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, a := range appts {
			end := a.End
			if end.IsZero() {
				end = a.Start.Add(time.Hour)
			}
			if !a.Takes() || end.After(now) || end.Before(now.AddDate(0, 0, -SurveyDays)) {
				continue
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM surveys WHERE appointment_id = ?`, a.ID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			title, q := pick(a)
			row := surveyRow{id: newID(), appointmentID: a.ID, state: SurveyOpen, created: toMillis(now), updated: toMillis(now)}
			if err := s.writeSurvey(ctx, tx, row, surveyRecord{Title: title, Questionnaire: q}); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListSurveys returns the surveys, newest first. Damaged records are reported in a
// *TamperedError alongside the others.
func (s *Store) ListSurveys(ctx context.Context) ([]Survey, error) {
	rows, err := s.queryRows(ctx, `SELECT `+surveyColumns+` FROM surveys ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list surveys: %w", err)
	}
	defer rows.Close()
	out := []Survey{}
	var bad TamperedError
	for rows.Next() {
		var row surveyRow
		if err := row.scan(rows); err != nil {
			return nil, fmt.Errorf("list surveys: %w", err)
		}
		sv, _, err := s.openSurvey(&row)
		if err == errTampered {
			bad.add("surveys", row.id)
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, sv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list surveys: %w", err)
	}
	return out, bad.OrNil()
}

// Survey returns one survey; a unique id prefix of at least 4 characters also finds it.
func (s *Store) Survey(ctx context.Context, id string) (Survey, error) {
	all, err := s.ListSurveys(ctx)
	var te *TamperedError
	if err != nil && !errors.As(err, &te) {
		return Survey{}, err
	}
	var found []Survey
	for _, sv := range all {
		if sv.ID == id {
			return sv, nil
		}
		if len(id) >= 4 && strings.HasPrefix(sv.ID, id) {
			found = append(found, sv)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		return Survey{}, invalid("input.survey_id_ambiguous", kv{"ID": id, "Count": len(found)}, "%q matches %d surveys: give more of the id", id, len(found))
	case te != nil:
		for _, r := range te.Records {
			if r.ID == id || len(id) >= 4 && strings.HasPrefix(r.ID, id) {
				return Survey{}, &TamperedError{Records: []RecordRef{r}}
			}
		}
	}
	return Survey{}, fmt.Errorf("survey %s: %w", id, ErrNotFound)
}

func (s *Store) surveyTx(ctx context.Context, tx *sql.Tx, id string) (surveyRow, surveyRecord, error) {
	var row surveyRow
	err := row.scan(tx.QueryRowContext(ctx, `SELECT `+surveyColumns+` FROM surveys WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return row, surveyRecord{}, fmt.Errorf("survey %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return row, surveyRecord{}, err
	}
	_, rec, err := s.openSurvey(&row)
	if err == errTampered {
		return row, rec, &TamperedError{Records: []RecordRef{{"surveys", id}}}
	}
	return row, rec, err
}

// AnswerSurvey stores the answers (checked by the caller against the questionnaire) and
// queues them for the portal, in one transaction. A survey is answered once.
func (s *Store) AnswerSurvey(ctx context.Context, id string, answers []byte) (Survey, error) {
	now := s.now()
	var out Survey
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		row, rec, err := s.surveyTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if row.state != SurveyOpen {
			return invalid("input.survey_answered", kv{"State": row.state}, "this survey was already answered (%s)", row.state)
		}
		row.state, row.updated, rec.Answers = SurveyQueued, toMillis(now), answers
		if err := s.writeSurvey(ctx, tx, row, rec); err != nil {
			return err
		}
		if err := s.writeOutbox(ctx, tx, outboxRow{entity: "survey", entityID: id, op: "create", created: toMillis(now)}); err != nil {
			return err
		}
		out = Survey{ID: row.id, AppointmentID: row.appointmentID, State: row.state, Title: rec.Title,
			Questionnaire: rec.Questionnaire, Answers: rec.Answers, CreatedAt: s.fromMillis(row.created), UpdatedAt: now.In(s.loc)}
		return nil
	})
	if err != nil {
		return Survey{}, fmt.Errorf("answer survey: %w", err)
	}
	return out, nil
}

// SurveySent records that the portal has the answers and takes the item off the outbox.
func (s *Store) SurveySent(ctx context.Context, seq int64, id, remoteID string) error {
	now := toMillis(s.now())
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		row, rec, err := s.surveyTx(ctx, tx, id)
		if err != nil {
			return err
		}
		row.state, row.remoteID, row.updated, rec.Error = SurveySent, sql.NullString{String: remoteID, Valid: true}, now, ""
		if err := s.writeSurvey(ctx, tx, row, rec); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = ?`, seq)
		return err
	})
}

// SurveyRefused keeps answers the portal did not take queued, with the reason, until next.
func (s *Store) SurveyRefused(ctx context.Context, seq int64, id, reason string, next time.Time) error {
	now := toMillis(s.now())
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		row, rec, err := s.surveyTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if rec.Error != reason {
			rec.Error, row.updated = reason, now
			if err := s.writeSurvey(ctx, tx, row, rec); err != nil {
				return err
			}
		}
		return s.postpone(ctx, tx, seq, next)
	})
}

// unqueuedSurveys are outbox items for authentic answered surveys that have none.
func (s *Store) unqueuedSurveys(ctx context.Context, tx *sql.Tx, has map[string]bool) ([]outboxRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+surveyColumns+` FROM surveys WHERE state = 'queued' ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var row surveyRow
		if err := row.scan(rows); err != nil {
			return nil, err
		}
		if has["survey/"+row.id] {
			continue
		}
		if _, _, err := s.openSurvey(&row); err != nil {
			continue
		}
		out = append(out, outboxRow{entity: "survey", entityID: row.id, op: "create", created: toMillis(s.now())})
	}
	return out, rows.Err()
}
