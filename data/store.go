// Package data is the encrypted local store: one SQLite file per profile, with every row's
// health data sealed by the profile's data key (see docs/SECURITY.md).
package data

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/patient-companion/companion/data/vault"
)

// Store is one unlocked profile. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	key  *vault.DataKey
	path string
	info ProfileInfo
	now  func() time.Time
	loc  *time.Location
	// policy is the clinic's say over settings; nil without a clinic.
	policy Policy

	mu    sync.Mutex
	index *searchIndex // built on first search, then kept current

	syncMu sync.Mutex // LockSync where the system has no file locks
}

// Info describes the profile this store belongs to.
func (s *Store) Info() ProfileInfo { return s.info }

// Path is the journal file.
func (s *Store) Path() string { return s.path }

// Location is the time zone wall-clock times are shown in: TZ when set, else the system's.
func (s *Store) Location() *time.Location { return s.loc }

// Close closes the file and forgets the data key. Reads and writes still under way on other
// goroutines are not waited for: each fails, as "database is closed" or vault.ErrForgotten,
// and none sees the key half forgotten (DataKey.Forget waits for uses of the key under way).
// Callers that must not see those failures (the window) wait for their own work first.
func (s *Store) Close() error {
	s.mu.Lock()
	s.index = nil
	s.mu.Unlock()
	err := s.db.Close()
	s.key.Forget()
	return err
}

// DB exposes the connection for tests and benchmarks in this module that need to inspect the
// file directly (integrity checks, tampering). Application code goes through methods.
func (s *Store) DB() *sql.DB { return s.db }

// aad binds a sealed blob to its table, row and record format.
func aad(table, id string, format int) []byte {
	return []byte("patient-companion/record/v1|" + table + "|" + id + "|" + strconv.Itoa(format))
}

// seal serializes v and encrypts it for one row.
func (s *Store) seal(table, id string, format int, v any) ([]byte, error) {
	pt, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s record: %w", table, err)
	}
	defer clear(pt)
	return s.key.Seal(aad(table, id, format), pt)
}

// unseal decrypts one row into v. A blob that fails authentication is reported as tampered
// (errTampered), never decoded.
func (s *Store) unseal(table, id string, format int, blob []byte, v any) error {
	pt, err := s.key.Open(aad(table, id, format), blob)
	if err != nil {
		if errors.Is(err, vault.ErrTampered) {
			return errTampered
		}
		return err
	}
	defer clear(pt)
	if err := json.Unmarshal(pt, v); err != nil {
		// Authentic but undecodable: written by a newer format we do not know.
		return fmt.Errorf("%s record %s has a format this version cannot read: %w", table, id, ErrNewerSchema)
	}
	return nil
}

var errTampered = errors.New("tampered")

// newID returns a random (version 4) UUID.
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // never happens on supported systems
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func toMillis(t time.Time) int64 { return t.UnixMilli() }

func (s *Store) fromMillis(ms int64) time.Time { return time.UnixMilli(ms).In(s.loc) }

// inTx runs f in one immediate transaction: committed when f returns nil, rolled back otherwise.
//
// f gets a context without cancellation for its statements: the transaction itself already
// rolls back when ctx is cancelled, and go-sqlite3 starts a goroutine per statement to watch a
// cancellable context, which made bulk writes five times slower.
func (s *Store) inTx(ctx context.Context, f func(context.Context, *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := f(context.WithoutCancel(ctx), tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// queryRows runs a query whose rows the caller scans. The statement gets a context without
// cancellation, because go-sqlite3 starts a goroutine for every row it steps under a
// cancellable context (a 100,000-row read took four times as long); callers stop early
// instead by checking ctx with cancelled every so many rows.
func (s *Store) queryRows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(context.WithoutCancel(ctx), query, args...)
}

// cancelled reports ctx's error every 1024th row, cheaply enough to call for each row.
func cancelled(ctx context.Context, row int) error {
	if row&1023 != 0 {
		return nil
	}
	return ctx.Err()
}

// Setting returns a profile setting, or "" when it was never set.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting stores a profile setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx,
		"INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
	if err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	return nil
}
