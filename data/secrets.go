package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

const secretFormat = 1

// PutSecret seals v (JSON) under key, replacing any earlier value, durably.
func (s *Store) PutSecret(ctx context.Context, key string, v any) error {
	blob, err := s.seal("secrets", key, secretFormat, v)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO secrets (key, fmt, sealed) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET fmt = excluded.fmt, sealed = excluded.sealed`, key, secretFormat, blob)
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
	if err := s.unseal("secrets", key, format, blob, v); err != nil {
		if err == errTampered {
			return false, &TamperedError{Records: []RecordRef{{"secrets", key}}}
		}
		return false, err
	}
	return true, nil
}

// DeleteSecret removes the secret under key.
func (s *Store) DeleteSecret(ctx context.Context, key string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM secrets WHERE key = ?`, key)
	return err
}
