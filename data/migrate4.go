package data

// The Go step of migration 4 (migrations/0004_records_v2.sql): every format-1 record is
// re-sealed in format 2, setting values are sealed, outbox items are sealed. It needs the
// data key, so it runs when a profile is opened (after unlocking: a wrong passphrase still
// changes nothing), in the migration's own transaction: a crash leaves schema 3 or schema 4,
// never a mixture.
//
// A format-1 record that fails authentication is left as it is: after the migration every
// good record is in format 2, so it stays reported as damaged, by id, like before.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/patient-companion/companion/data/vault"
)

// errNeedsKey: a migration step found records to re-seal but was given no data key (only a
// brand-new, empty journal is migrated without one).
var errNeedsKey = errors.New("re-sealing records needs the profile's data key")

func migrate4(ctx context.Context, tx *sql.Tx, key *vault.DataKey) error {
	s := &Store{key: key}
	steps := []func(context.Context, *sql.Tx) error{
		s.migrateSettings, s.migrateOutbox,
		s.migrateEntries, s.migrateMeds, s.migrateSteps, s.migrateDoses,
		s.migrateAppointments, s.migrateMessages, s.migrateSecrets,
	}
	for _, step := range steps {
		if err := step(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// openV1 authenticates a format-1 blob and decodes its JSON into v; ok is false for a blob
// that fails authentication (left for the lists to report).
func (s *Store) openV1(table, id string, format int, blob []byte, v any) (ok bool, err error) {
	if format != legacyFormat {
		return false, nil
	}
	if s.key == nil {
		return false, errNeedsKey
	}
	pt, err := s.key.Open(aadV1(table, id), blob)
	if errors.Is(err, vault.ErrTampered) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer clear(pt)
	if raw, isRaw := v.(*[]byte); isRaw {
		*raw = append([]byte(nil), pt...)
		return true, nil
	}
	if err := json.Unmarshal(pt, v); err != nil {
		return false, nil // authentic but unreadable: left as damage
	}
	return true, nil
}

// forRows runs f on every row of query, read to the end before f runs (one connection: the
// transaction cannot read and write at once).
func forRows[R any](ctx context.Context, tx *sql.Tx, query string, scan func(*sql.Rows) (R, error), f func(R) error) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	var all []R
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range all {
		if err := f(r); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) migrateSettings(ctx context.Context, tx *sql.Tx) error {
	type kv struct{ k, v string }
	err := forRows(ctx, tx, `SELECT key, value FROM settings`,
		func(r *sql.Rows) (kv, error) { var x kv; return x, r.Scan(&x.k, &x.v) },
		func(x kv) error {
			if s.key == nil {
				return errNeedsKey
			}
			blob, err := s.seal("settings", x.k, nil, &settingRecord{x.v})
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO settings_v4 (key, fmt, sealed) VALUES (?, ?, ?)`, x.k, recordFormat, blob)
			return err
		})
	if err != nil {
		return fmt.Errorf("seal settings: %w", err)
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE settings; ALTER TABLE settings_v4 RENAME TO settings`)
	return err
}

func (s *Store) migrateOutbox(ctx context.Context, tx *sql.Tx) error {
	err := forRows(ctx, tx, `SELECT seq, entity, entity_id, op, created_at, attempts, next_attempt_at FROM outbox`,
		func(r *sql.Rows) (outboxRow, error) {
			var x outboxRow
			return x, r.Scan(&x.seq, &x.entity, &x.entityID, &x.op, &x.created, &x.attempts, &x.next)
		},
		func(x outboxRow) error {
			if s.key == nil {
				return errNeedsKey
			}
			blob, err := s.seal("outbox", x.name(), x.bound(), outboxRecord{})
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO outbox_v4 (seq, entity, entity_id, op, created_at, attempts, next_attempt_at, fmt, sealed)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, x.seq, x.entity, x.entityID, x.op, x.created, x.attempts, x.next, recordFormat, blob)
			return err
		})
	if err != nil {
		return fmt.Errorf("seal outbox: %w", err)
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE outbox; ALTER TABLE outbox_v4 RENAME TO outbox`)
	return err
}

func (s *Store) migrateEntries(ctx context.Context, tx *sql.Tx) error {
	return forRows(ctx, tx, `SELECT `+entrySelect+` FROM entries`,
		func(r *sql.Rows) (entryRow, error) { var x entryRow; return x, x.scan(r) },
		func(x entryRow) error {
			var rec entryRecord
			if x.garbled {
				return nil // its clear columns are not ours: left for the lists to report
			}
			if ok, err := s.openV1("entries", x.id, x.format, x.blob, &rec); !ok || err != nil {
				return err
			}
			return s.writeEntry(ctx, tx, x, rec)
		})
}

func (s *Store) migrateMeds(ctx context.Context, tx *sql.Tx) error {
	return forRows(ctx, tx, `SELECT `+medColumns+` FROM medications`,
		func(r *sql.Rows) (medRow, error) { var x medRow; return x, x.scan(r) },
		func(x medRow) error {
			var rec medRecord
			if ok, err := s.openV1("medications", x.id, x.format, x.blob, &rec); !ok || err != nil {
				return err
			}
			blob, err := s.seal("medications", x.id, x.bound(), &rec)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE medications SET fmt = ?, sealed = ? WHERE id = ?`, recordFormat, blob, x.id)
			return err
		})
}

func (s *Store) migrateSteps(ctx context.Context, tx *sql.Tx) error {
	return forRows(ctx, tx, `SELECT `+stepColumns+` FROM schedule_steps`,
		func(r *sql.Rows) (stepRow, error) { var x stepRow; return x, x.scan(r) },
		func(x stepRow) error {
			var rec stepRecord
			if ok, err := s.openV1("schedule_steps", x.id, x.format, x.blob, &rec); !ok || err != nil {
				return err
			}
			blob, err := s.seal("schedule_steps", x.id, x.bound(), &rec)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE schedule_steps SET fmt = ?, sealed = ? WHERE id = ?`, recordFormat, blob, x.id)
			return err
		})
}

func (s *Store) migrateDoses(ctx context.Context, tx *sql.Tx) error {
	return forRows(ctx, tx, `SELECT `+doseColumns+` FROM dose_events`,
		func(r *sql.Rows) (doseRow, error) { var x doseRow; return x, x.scan(r) },
		func(x doseRow) error {
			var rec doseRecord
			if ok, err := s.openV1("dose_events", x.id, x.format, x.blob, &rec); !ok || err != nil {
				return err
			}
			blob, err := s.seal("dose_events", x.id, x.bound(), &rec)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE dose_events SET fmt = ?, sealed = ? WHERE id = ?`, recordFormat, blob, x.id)
			return err
		})
}

func (s *Store) migrateAppointments(ctx context.Context, tx *sql.Tx) error {
	return forRows(ctx, tx, `SELECT `+appointmentColumns+` FROM appointments`,
		func(r *sql.Rows) (appointmentRow, error) { var x appointmentRow; return x, x.scan(r) },
		func(x appointmentRow) error {
			var rec appointmentRecord
			if ok, err := s.openV1("appointments", x.id, x.format, x.blob, &rec); !ok || err != nil {
				return err
			}
			return s.writeAppointment(ctx, tx, x, rec)
		})
}

func (s *Store) migrateMessages(ctx context.Context, tx *sql.Tx) error {
	return forRows(ctx, tx, `SELECT `+messageColumns+` FROM messages`,
		func(r *sql.Rows) (messageRow, error) { var x messageRow; return x, x.scan(r) },
		func(x messageRow) error {
			var rec messageRecord
			if ok, err := s.openV1("messages", x.id, x.format, x.blob, &rec); !ok || err != nil {
				return err
			}
			return s.writeMessage(ctx, tx, x, rec)
		})
}

func (s *Store) migrateSecrets(ctx context.Context, tx *sql.Tx) error {
	type secretRow struct {
		key    string
		format int
		blob   []byte
	}
	return forRows(ctx, tx, `SELECT key, fmt, sealed FROM secrets`,
		func(r *sql.Rows) (secretRow, error) { var x secretRow; return x, r.Scan(&x.key, &x.format, &x.blob) },
		func(x secretRow) error {
			var pt []byte
			if ok, err := s.openV1("secrets", x.key, x.format, x.blob, &pt); !ok || err != nil {
				return err
			}
			defer clear(pt)
			blob, err := s.seal("secrets", x.key, nil, &secretRecord{pt})
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE secrets SET fmt = ?, sealed = ? WHERE key = ?`, recordFormat, blob, x.key)
			return err
		})
}
