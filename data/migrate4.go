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
		s.migrateSettings, s.migrateOutbox, s.migrateRecords, s.migrateSecrets,
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

// sealedRow is what migration 4 needs of a table's row type (entryRow, medRow, …).
type sealedRow interface {
	scan(sc interface{ Scan(...any) error }) error
	bound() cols
	// sealed is the row's id, record format and blob; ok is false when its clear columns
	// do not read as ours (such a row is left for the lists to report).
	sealed() (id string, format int, blob []byte, ok bool)
}

// resealTable re-seals every format-1 record of table in format 2, in place.
func resealTable[R any, PR interface {
	*R
	sealedRow
}, Rec any, PRec interface {
	*Rec
	record
}](ctx context.Context, tx *sql.Tx, s *Store, table, query string) error {
	return forRows(ctx, tx, query,
		func(r *sql.Rows) (R, error) { var x R; return x, PR(&x).scan(r) },
		func(x R) error {
			id, format, blob, ok := PR(&x).sealed()
			if !ok {
				return nil
			}
			var rec Rec
			if ok, err := s.openV1(table, id, format, blob, &rec); !ok || err != nil {
				return err
			}
			sealed, err := s.seal(table, id, PR(&x).bound(), PRec(&rec))
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE `+table+` SET fmt = ?, sealed = ? WHERE id = ?`, recordFormat, sealed, id)
			return err
		})
}

func (s *Store) migrateRecords(ctx context.Context, tx *sql.Tx) error {
	for _, f := range []func() error{
		func() error {
			return resealTable[entryRow, *entryRow, entryRecord](ctx, tx, s, "entries", `SELECT `+entrySelect+` FROM entries`)
		},
		func() error {
			return resealTable[medRow, *medRow, medRecord](ctx, tx, s, "medications", `SELECT `+medColumns+` FROM medications`)
		},
		func() error {
			return resealTable[stepRow, *stepRow, stepRecord](ctx, tx, s, "schedule_steps", `SELECT `+stepColumns+` FROM schedule_steps`)
		},
		func() error {
			return resealTable[doseRow, *doseRow, doseRecord](ctx, tx, s, "dose_events", `SELECT `+doseColumns+` FROM dose_events`)
		},
		func() error {
			return resealTable[appointmentRow, *appointmentRow, appointmentRecord](ctx, tx, s, "appointments", `SELECT `+appointmentColumns+` FROM appointments`)
		},
		func() error {
			return resealTable[messageRow, *messageRow, messageRecord](ctx, tx, s, "messages", `SELECT `+messageColumns+` FROM messages`)
		},
	} {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
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
