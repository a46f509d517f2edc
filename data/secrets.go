package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// secretRecord is a secret's value, JSON-encoded (sign-in tokens, the PIN's verifier).
type secretRecord struct{ json []byte }

func (r *secretRecord) encode(w *recWriter) { w.field(1, r.json) }

func (r *secretRecord) decode(rd *recReader) {
	for rd.next() {
		switch rd.tag {
		case 1:
			r.json = append([]byte(nil), rd.val...)
		default:
			rd.unknown()
		}
	}
}

// PutSecret seals v (JSON) under key, replacing any earlier value, durably.
func (s *Store) PutSecret(ctx context.Context, key string, v any) error {
	return s.putSecret(ctx, s.db, key, v)
}

func (s *Store) putSecret(ctx context.Context, db execer, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode secret: %w", err)
	}
	blob, err := s.seal("secrets", key, nil, &secretRecord{b})
	clear(b)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `INSERT INTO secrets (key, fmt, sealed) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET fmt = excluded.fmt, sealed = excluded.sealed`, key, recordFormat, blob)
	if err != nil {
		return fmt.Errorf("save secret: %w", err)
	}
	return nil
}

// Secret reads the secret under key into v; false when there is none.
func (s *Store) Secret(ctx context.Context, key string, v any) (bool, error) {
	var format int
	var blob []byte
	err := s.db.QueryRowContext(ctx, `SELECT fmt, sealed FROM secrets WHERE key = ?`, key).Scan(&format, &blob)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read secret: %w", err)
	}
	var rec secretRecord
	if err := s.unseal("secrets", key, format, nil, blob, &rec); err != nil {
		if err == errTampered {
			return false, &TamperedError{Records: []RecordRef{{"secrets", key}}}
		}
		return false, err
	}
	defer clear(rec.json)
	if err := json.Unmarshal(rec.json, v); err != nil {
		// Authentic but not what the caller expects: written by a newer version.
		return false, fmt.Errorf("secret %s has a format this version cannot read: %w", key, ErrNewerSchema)
	}
	return true, nil
}

// DeleteSecret removes the secret under key.
func (s *Store) DeleteSecret(ctx context.Context, key string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM secrets WHERE key = ?`, key)
	return err
}
