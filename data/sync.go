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

// PortalConnection returns the portal the profile is connected to (URL empty when none). A
// value that fails authentication is reported in a *TamperedError, with the others read.
func (s *Store) PortalConnection(ctx context.Context) (Portal, error) {
	var p Portal
	var bad TamperedError
	var last string
	for _, f := range []struct {
		key string
		v   *string
	}{{keyPortalURL, &p.URL}, {keyPortalPatient, &p.PatientID}, {keyPortalClient, &p.ClientID}, {keyLastSync, &last}} {
		v, err := s.Setting(ctx, f.key)
		if bad.Keep(err) != nil {
			return Portal{}, err
		}
		*f.v = v
	}
	if last != "" {
		p.LastSync, _ = time.Parse(time.RFC3339Nano, last)
	}
	return p, bad.OrNil()
}

// SetPortalConnection connects the profile to a portal (empty URL disconnects) and forgets
// the sync marks, so the next sync pulls everything again.
func (s *Store) SetPortalConnection(ctx context.Context, p Portal) error {
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for k, v := range map[string]string{keyPortalURL: p.URL, keyPortalPatient: p.PatientID, keyPortalClient: p.ClientID} {
			if err := s.setSetting(ctx, tx, k, v); err != nil {
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
		row, rec, err := s.messageTx(ctx, tx, id)
		if err != nil {
			return err
		}
		row.state, row.remoteID, row.updated = MessageSent, sql.NullString{String: remoteID, Valid: true}, now
		if err := s.writeMessage(ctx, tx, row, rec); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = ?`, seq)
		return err
	})
}

// MessageFailed marks a note the portal refused; it stays in the outbox (attempts counted,
// not retried automatically) so nothing is ever dropped, and the reason is shown.
func (s *Store) MessageFailed(ctx context.Context, seq int64, id, reason string) error {
	now := s.now()
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		row, rec, err := s.messageTx(ctx, tx, id)
		if err != nil {
			return err
		}
		row.state, row.updated, rec.Error = MessageFailed, toMillis(now), reason
		if err := s.writeMessage(ctx, tx, row, rec); err != nil {
			return err
		}
		return s.postpone(ctx, tx, seq, now.Add(refusedWait))
	})
}

// PostponeOutbox counts a failed attempt and sets when to try again.
func (s *Store) PostponeOutbox(ctx context.Context, seq int64, next time.Time) error {
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return s.postpone(ctx, tx, seq, next) })
}

func (s *Store) postpone(ctx context.Context, tx *sql.Tx, seq int64, next time.Time) error {
	row, err := s.outboxTx(ctx, tx, seq)
	if err != nil {
		return err
	}
	row.attempts++
	row.next = toMillis(next)
	return s.writeOutbox(ctx, tx, row)
}

// UpsertPortalAppointment stores an appointment pulled from the portal, by its remote id;
// a version already stored is skipped. It reports whether anything changed. a.ID, when set,
// is the local id the portal's copy names with our urn:uuid identifier — our own request,
// which is matched to its row instead of becoming a second appointment. What only this
// computer knows (a request's details, a cancellation on its way, the last refusal) is kept.
func (s *Store) UpsertPortalAppointment(ctx context.Context, remoteID, version string, a Appointment) (bool, error) {
	own := a.ID
	a, err := ValidateAppointment(a)
	if err != nil {
		return false, err
	}
	now := s.now()
	changed := false
	err = s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		row := appointmentRow{source: "portal", start: toMillis(a.Start), created: toMillis(now), updated: toMillis(now),
			remoteID: sql.NullString{String: remoteID, Valid: true}, remoteVersion: sql.NullString{String: version, Valid: true}}
		var old appointmentRow
		err := old.scan(tx.QueryRowContext(ctx, `SELECT `+appointmentColumns+` FROM appointments WHERE remote_id = ?`, remoteID))
		if errors.Is(err, sql.ErrNoRows) && own != "" {
			err = old.scan(tx.QueryRowContext(ctx, `SELECT `+appointmentColumns+` FROM appointments WHERE id = ? AND remote_id IS NULL`, own))
		}
		switch {
		case errors.Is(err, sql.ErrNoRows):
			row.id = newID()
		case err != nil:
			return err
		default:
			row.id = old.id
			// A stored copy that fails authentication is replaced by the portal's, never
			// trusted to say "already have this version".
			if prev, err := s.openAppointment(&old); err == nil {
				if version != "" && old.remoteVersion.String == version {
					return nil // already have this version
				}
				row.created, row.deleted = old.created, old.deleted
				a = keepLocal(prev, a)
			}
		}
		err = s.writeAppointment(ctx, tx, row, appointmentRecordOf(a))
		changed = err == nil
		return err
	})
	return changed, err
}

// keepLocal carries what only this computer knows about an appointment into the portal's
// newer copy: a request's details; a request the portal now has is no longer pending, and
// stays "requested" until the clinic answers; a cancellation on its way stays pending until
// the portal's copy is cancelled.
func keepLocal(prev, a Appointment) Appointment {
	a.Reason, a.With, a.After, a.Before = prev.Reason, prev.With, prev.After, prev.Before
	a.Pending, a.CancelReason, a.Error = prev.Pending, prev.CancelReason, prev.Error
	if a.Pending == PendingRequest {
		a.Pending = ""
	}
	if prev.Status == StatusRequested {
		switch a.Status {
		case "proposed", "pending", "waitlist":
			a.Status = StatusRequested
		}
	}
	if a.Pending == PendingCancel && a.Status == StatusCancelled {
		a.Pending = ""
	}
	return a
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
		at := m.At
		if at.IsZero() {
			at = now
		}
		row := messageRow{id: newID(), at: toMillis(at), direction: DirectionIn, state: MessageSent,
			remoteID: sql.NullString{String: remoteID, Valid: true}, created: toMillis(now), updated: toMillis(now)}
		err := s.writeMessage(ctx, tx, row, messageRecord{Text: m.Text, Sender: m.Sender})
		added = err == nil
		return err
	})
	return added, err
}
