package data

import (
	"context"
	"database/sql"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/mattn/go-sqlite3" // also registers the "sqlite3" driver

	"github.com/patient-companion/companion/data/vault"
)

// ApplicationID marks our SQLite files ("PCmp"), so a foreign database is refused before we
// touch it.
const ApplicationID = 0x50436d70

//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
	// step, if set, runs after the script in the same transaction, with the data key (nil
	// for a journal being created, which has no records yet).
	step func(context.Context, *sql.Tx, *vault.DataKey) error
}

// migrationSteps are the migrations' Go steps, by schema version.
func migrationSteps() map[int]func(context.Context, *sql.Tx, *vault.DataKey) error {
	return map[int]func(context.Context, *sql.Tx, *vault.DataKey) error{4: migrate4}
}

// migrations returns the embedded scripts in order. Each file is NNNN_name.sql and moves the
// schema to version NNNN.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	steps := migrationSteps()
	out := make([]migration, 0, len(names))
	for i, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || v != i+1 {
			return nil, fmt.Errorf("migration %s is out of sequence", base)
		}
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: base, sql: string(b), step: steps[v]})
	}
	return out, nil
}

// SchemaVersion is the schema this build writes.
func SchemaVersion() int {
	m, err := migrations()
	if err != nil {
		panic(err) // the embedded files are part of the build; a bad name is a build bug
	}
	return len(m)
}

// fileHeader is what we read from the first 100 bytes of a journal file before letting
// SQLite open it: opening with pragmas can rewrite a foreign file's header.
type fileHeader struct {
	appID       uint32
	userVersion uint32
}

const sqliteMagic = "SQLite format 3\x00"

// readHeader checks the header; with write it also checks that the file may be written, since
// SQLite quietly opens a write-protected file read-only and fails only at the first write.
func readHeader(path string, write bool) (fileHeader, error) {
	flag := os.O_RDONLY
	if write {
		flag = os.O_RDWR
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return fileHeader{}, fmt.Errorf("%s: %w", path, ErrNotFound)
		case errors.Is(err, fs.ErrPermission):
			return fileHeader{}, &FileError{Path: path, Reason: "the file cannot be opened for reading and writing", Err: ErrPermission}
		}
		return fileHeader{}, &FileError{Path: path, Reason: "cannot read it", Err: err}
	}
	defer f.Close()
	var h [100]byte
	n, err := io.ReadFull(f, h[:])
	switch {
	case n == 0:
		return fileHeader{}, &FileError{Path: path, Reason: "the file is empty", Err: ErrNotOurFile}
	case err != nil:
		return fileHeader{}, &FileError{Path: path, Reason: "the file is too short to be a database", Err: ErrNotOurFile}
	case string(h[:16]) != sqliteMagic:
		return fileHeader{}, &FileError{Path: path, Reason: "it is not an SQLite database", Err: ErrNotOurFile}
	}
	hdr := fileHeader{
		userVersion: binary.BigEndian.Uint32(h[60:64]),
		appID:       binary.BigEndian.Uint32(h[68:72]),
	}
	if hdr.appID != ApplicationID {
		return hdr, &FileError{Path: path, Reason: fmt.Sprintf("its application id is %#x", hdr.appID), Err: ErrNotOurFile}
	}
	if int(hdr.userVersion) > SchemaVersion() {
		return hdr, &FileError{Path: path, Reason: fmt.Sprintf("schema %d, this version reads up to %d", hdr.userVersion, SchemaVersion()), Err: ErrNewerSchema}
	}
	return hdr, nil
}

// dsn builds the connection string. mode is "rw" for an existing file ("ro" is possible but
// leaves files behind, see readInfo); we never let SQLite create a file.
func dsn(path, mode string) string {
	q := url.Values{}
	q.Set("mode", mode)
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "1")
	if mode != "ro" {
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "FULL")
		q.Set("_txlock", "immediate")
	}
	return fileURI(path) + "?" + q.Encode()
}

// createDSN is the connection string for a journal being made: a rollback journal, so that
// application_id and user_version land in the file's header itself.
func createDSN(path string) string {
	q := url.Values{}
	q.Set("mode", "rw")
	q.Set("_synchronous", "FULL")
	q.Set("_foreign_keys", "1")
	return fileURI(path) + "?" + q.Encode()
}

// fileURI is path as an SQLite URI. Every connection string goes through it: a '#', '?' or
// '%' left as it is ends the path early, and SQLite then writes somewhere else entirely.
func fileURI(path string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath()
}

// fileErr classifies what SQLite said about a whole file: damage, permissions, or other.
func fileErr(path, reason string, err error) error {
	switch {
	case IsDamaged(err):
		return &FileError{Path: path, Reason: reason + ": " + err.Error(), Err: ErrDamaged}
	case IsPermission(err):
		return &FileError{Path: path, Reason: reason + ": " + err.Error(), Err: ErrPermission}
	}
	if code, ok := sqliteCode(err); ok && code == sqlite3.ErrCantOpen {
		// The file opened a moment ago; what SQLite cannot open is its -wal or -shm beside it.
		return &FileError{Path: path, Reason: reason + ": " + err.Error() + " (cannot create files in its folder)", Err: ErrPermission}
	}
	return &FileError{Path: path, Reason: reason, Err: err}
}

// Checkpoint copies what the write-ahead log (-wal) holds into the journal file itself and
// empties the log. The command line calls it after its writes, before it reports success,
// so an acknowledged entry survives even someone deleting the -wal after a crash. A reader
// in another process (the window) may keep the log from being emptied; the entry is then
// still safe in the log (synchronous=FULL), and docs/SECURITY.md says what that leaves.
func (s *Store) Checkpoint(ctx context.Context) error {
	var busy, logFrames, copied int
	if err := s.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &copied); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// openDB opens an existing journal after checking its header. It never creates a file.
func openDB(ctx context.Context, path, mode string) (*sql.DB, error) {
	if _, err := readHeader(path, mode != "ro"); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite3", dsn(path, mode))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// One connection: one writer, and no reader sees a half-applied change of ours.
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fileErr(path, "SQLite cannot open it", err)
	}
	// The header said ours; the authoritative values come from SQLite (a WAL may be newer).
	var appID, ver int
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		db.Close()
		return nil, fileErr(path, "SQLite cannot read it", err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&ver); err != nil {
		db.Close()
		return nil, fileErr(path, "SQLite cannot read it", err)
	}
	if appID != ApplicationID {
		db.Close()
		return nil, &FileError{Path: path, Reason: fmt.Sprintf("its application id is %#x", appID), Err: ErrNotOurFile}
	}
	if ver > SchemaVersion() {
		db.Close()
		return nil, &FileError{Path: path, Reason: fmt.Sprintf("schema %d, this version reads up to %d", ver, SchemaVersion()), Err: ErrNewerSchema}
	}
	if ver == 0 {
		db.Close()
		return nil, &FileError{Path: path, Reason: "it was never finished being created", Err: ErrNotOurFile}
	}
	return db, nil
}

// migrate applies every migration above the file's user_version, each in its own
// transaction together with the user_version bump, so a crash leaves a whole schema. key is
// the data key for the migrations that re-seal records; nil only for a new, empty journal.
func migrate(ctx context.Context, db *sql.DB, key *vault.DataKey) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := applyMigration(ctx, db, m, key); err != nil {
			return fmt.Errorf("migrate to schema %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration, key *vault.DataKey) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var cur int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
		return err
	}
	if cur >= m.version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if m.step != nil {
		if err := m.step(ctx, tx, key); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return err
	}
	return tx.Commit()
}
