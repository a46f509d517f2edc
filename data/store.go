// Package data is the encrypted local store: one SQLite file per profile, with every row's
// health data sealed by the profile's data key (see docs/SECURITY.md).
package data

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
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
	// damage is what was found damaged about the profile itself at opening (Damage).
	damage []RecordRef

	mu    sync.Mutex
	index *searchIndex // built by WarmSearch, then kept current (index.go)
	// searchWanted: WarmSearch was called, so Search rebuilds a dropped index rather than
	// streaming the journal (a process that searches once streams).
	searchWanted bool

	//lint:ignore U1000 used by synclock_other.go, on systems without file locks
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

// record is a table's sealed fields: encoded into a recWriter, decoded from a recReader
// (record.go).
type record interface {
	encode(w *recWriter)
	decode(r *recReader)
}

// seal encodes rec and seals it for one row, bound to the row's clear columns.
func (s *Store) seal(table, id string, bound cols, rec record) ([]byte, error) {
	var w recWriter
	rec.encode(&w)
	return s.sealRecord(table, id, bound, w.b)
}

// unseal authenticates one row against its id and clear columns and decodes its record into
// rec. A blob that fails authentication, a clear column changed behind the app's back, or a
// record that does not decode is reported as tampered (errTampered), never decoded.
func (s *Store) unseal(table, id string, format int, bound cols, blob []byte, rec record) error {
	pt, err := s.openRecord(table, id, format, bound, blob)
	if err != nil {
		return err
	}
	defer clear(pt)
	r := recReader{b: pt}
	rec.decode(&r)
	if r.err != nil {
		return errTampered
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

// settingRecord is a setting's value, sealed like any record: the portal's address, the
// patient's id there and the reminder engine's last check are as much the person's business
// as their journal, and an edited auto-lock or "hide medicine names" must not pass silently.
type settingRecord struct{ value string }

func (r *settingRecord) encode(w *recWriter) { w.str(1, r.value) }

func (r *settingRecord) decode(rd *recReader) {
	for rd.next() {
		switch rd.tag {
		case 1:
			r.value = rd.str()
		default:
			rd.unknown()
		}
	}
}

// Setting returns a profile setting, or "" when it was never set. Damage is a
// *TamperedError: the setting's own value failing authentication, or any row whose key is
// not one this version knows (a key edited behind the app's back — the setting it named
// would otherwise fall back to its default without a word).
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	vals, damaged, err := s.readSettings(ctx)
	if err != nil {
		return "", err
	}
	var bad TamperedError
	for _, k := range damaged {
		if k == key || !knownSettingKey(k) {
			bad.add("settings", k)
		}
	}
	return vals[key], bad.OrNil()
}

// readSettings reads and authenticates every settings row (there are a dozen or so).
func (s *Store) readSettings(ctx context.Context) (vals map[string]string, damaged []string, err error) {
	rows, err := s.queryRows(ctx, "SELECT key, fmt, sealed FROM settings")
	if err != nil {
		return nil, nil, fmt.Errorf("read settings: %w", err)
	}
	defer rows.Close()
	vals = map[string]string{}
	for rows.Next() {
		var key string
		var format int
		var blob []byte
		if err := rows.Scan(&key, &format, &blob); err != nil {
			return nil, nil, fmt.Errorf("read settings: %w", err)
		}
		var rec settingRecord
		if err := s.unseal("settings", key, format, nil, blob, &rec); err != nil {
			if err != errTampered {
				return nil, nil, err
			}
			damaged = append(damaged, key)
			continue
		}
		vals[key] = rec.value
	}
	return vals, damaged, rows.Err()
}

// knownSettingKey reports whether key is one this version writes: a preference, or one of
// the keys the engine and the portal sync keep their state under.
func knownSettingKey(key string) bool {
	if _, ok := settingSpecs[key]; ok {
		return true
	}
	switch key {
	case "engine.last_check", "engine.refill_notified", keyPortalURL, keyPortalPatient, keyPortalClient, keyLastSync, keyBackupLast, keyQuestionnaires:
		return true
	}
	if _, ok := backupSpecs[key]; ok {
		return true
	}
	return strings.HasPrefix(key, keySyncMark)
}

// SetSetting stores a profile setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	return s.setSetting(ctx, s.db, key, value)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *Store) setSetting(ctx context.Context, db execer, key, value string) error {
	blob, err := s.seal("settings", key, nil, &settingRecord{value})
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `INSERT INTO settings (key, fmt, sealed) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET fmt = excluded.fmt, sealed = excluded.sealed`, key, recordFormat, blob)
	if err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	return nil
}
