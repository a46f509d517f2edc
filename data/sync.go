package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The portal connection and sync marks are kept in the settings table under keys that the
// settings command does not offer (they are not preferences).
const (
	keyPortalURL     = "portal.url"
	keyPortalPatient = "portal.patient"
	keyPortalClient  = "portal.client_id"
	keySyncMark      = "sync.mark." // + resource type: the server's last-updated mark
	keyLastSync      = "sync.last"
)

// Portal is the profile's portal connection.
type Portal struct {
	URL       string
	PatientID string
	ClientID  string // the SMART client id; empty for a portal without sign-in
	LastSync  time.Time
}

// PortalConnection returns the portal the profile is connected to (URL empty when none).
func (s *Store) PortalConnection(ctx context.Context) (Portal, error) {
	var p Portal
	var err error
	if p.URL, err = s.Setting(ctx, keyPortalURL); err != nil {
		return p, err
	}
	if p.PatientID, err = s.Setting(ctx, keyPortalPatient); err != nil {
		return p, err
	}
	if p.ClientID, err = s.Setting(ctx, keyPortalClient); err != nil {
		return p, err
	}
	if v, _ := s.Setting(ctx, keyLastSync); v != "" {
		p.LastSync, _ = time.Parse(time.RFC3339Nano, v)
	}
	return p, nil
}

// SetPortalConnection connects the profile to a portal (empty URL disconnects) and forgets
// the sync marks, so the next sync pulls everything again.
func (s *Store) SetPortalConnection(ctx context.Context, p Portal) error {
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for k, v := range map[string]string{keyPortalURL: p.URL, keyPortalPatient: p.PatientID, keyPortalClient: p.ClientID} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key LIKE 'sync.%'`); err != nil {
			return err
		}
		// A new connection (or none) never keeps the old sign-in.
		_, err := tx.ExecContext(ctx, `DELETE FROM secrets WHERE key LIKE 'portal.%'`)
		return err
	})
}

// SyncMark returns the server's last-updated mark for a resource type ("" before the first sync).
func (s *Store) SyncMark(ctx context.Context, resourceType string) (string, error) {
	return s.Setting(ctx, keySyncMark+resourceType)
}

// SetSyncMark remembers the server's last-updated mark for a resource type.
func (s *Store) SetSyncMark(ctx context.Context, resourceType, mark string) error {
	return s.SetSetting(ctx, keySyncMark+resourceType, mark)
}

// SetLastSync records when a sync last completed.
func (s *Store) SetLastSync(ctx context.Context, t time.Time) error {
	return s.SetSetting(ctx, keyLastSync, t.UTC().Format(time.RFC3339Nano))
}

// Message returns one message by id.
func (s *Store) Message(ctx context.Context, id string) (Message, error) {
	msgs, err := s.ListMessages(ctx)
	var te *TamperedError
	if err != nil && !errors.As(err, &te) {
		return Message{}, err
	}
	for _, m := range msgs {
		if m.ID == id {
			return m, nil
		}
	}
	if te != nil {
		for _, r := range te.Records {
			if r.ID == id {
				return Message{}, te
			}
		}
	}
	return Message{}, fmt.Errorf("message %s: %w", id, ErrNotFound)
}

// MessageSent records that the portal has the note (remote id) and takes it off the outbox,
// in one transaction.
func (s *Store) MessageSent(ctx context.Context, seq int64, id, remoteID string) error {
	now := toMillis(s.now())
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET state = 'sent', remote_id = ?, updated_at = ? WHERE id = ?`, remoteID, now, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = ?`, seq)
		return err
	})
}

// MessageFailed marks a note the portal refused; it stays in the outbox (attempts counted,
// not retried automatically) so nothing is ever dropped, and the reason is shown.
func (s *Store) MessageFailed(ctx context.Context, seq int64, id, reason string) error {
	m, err := s.Message(ctx, id)
	if err != nil {
		return err
	}
	now := s.now()
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		blob, err := s.seal("messages", id, messageFormat, messageRecord{Text: m.Text, Sender: m.Sender, Error: reason})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET state = 'failed', updated_at = ?, fmt = ?, sealed = ? WHERE id = ?`,
			toMillis(now), messageFormat, blob, id); err != nil {
			return err
		}
		// Far in the future: a refused note waits for the person (edit, or retry by hand).
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE seq = ?`,
			toMillis(now.Add(100*365*24*time.Hour)), seq)
		return err
	})
}

// PostponeOutbox counts a failed attempt and sets when to try again.
func (s *Store) PostponeOutbox(ctx context.Context, seq int64, next time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE seq = ?`, toMillis(next), seq)
	return err
}

// UpsertPortalAppointment stores an appointment pulled from the portal, by its remote id;
// a version already stored is skipped. It reports whether anything changed.
func (s *Store) UpsertPortalAppointment(ctx context.Context, remoteID, version string, a Appointment) (bool, error) {
	a, err := ValidateAppointment(a)
	if err != nil {
		return false, err
	}
	now := s.now()
	changed := false
	err = s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var id, oldVersion string
		err := tx.QueryRowContext(ctx, `SELECT id, coalesce(remote_version, '') FROM appointments WHERE remote_id = ?`, remoteID).Scan(&id, &oldVersion)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			id = newID()
		case err != nil:
			return err
		case version != "" && oldVersion == version:
			return nil // already have this version
		}
		rec := appointmentRecord{Title: a.Title, Description: a.Description, Location: a.Location, Status: a.Status}
		if !a.End.IsZero() {
			rec.End = toMillis(a.End)
		}
		blob, err := s.seal("appointments", id, appointmentFormat, rec)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO appointments (id, start_at, source, remote_id, remote_version, created_at, updated_at, fmt, sealed)
			VALUES (?, ?, 'portal', ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET start_at = excluded.start_at, remote_version = excluded.remote_version,
				updated_at = excluded.updated_at, fmt = excluded.fmt, sealed = excluded.sealed`,
			id, toMillis(a.Start), remoteID, version, toMillis(now), toMillis(now), appointmentFormat, blob)
		changed = err == nil
		return err
	})
	return changed, err
}

// UpsertIncomingMessage stores a message from the care team by its remote id; one already
// stored is skipped (it reports false).
func (s *Store) UpsertIncomingMessage(ctx context.Context, remoteID string, m Message) (bool, error) {
	now := s.now()
	added := false
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE remote_id = ?`, remoteID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		id := newID()
		blob, err := s.seal("messages", id, messageFormat, messageRecord{Text: m.Text, Sender: m.Sender})
		if err != nil {
			return err
		}
		at := m.At
		if at.IsZero() {
			at = now
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO messages (id, at, direction, state, remote_id, created_at, updated_at, fmt, sealed)
			VALUES (?, ?, 'in', 'sent', ?, ?, ?, ?, ?)`, id, toMillis(at), remoteID, toMillis(now), toMillis(now), messageFormat, blob)
		added = err == nil
		return err
	})
	return added, err
}
