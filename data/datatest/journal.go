package datatest

import (
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3"
)

// JournalPath is where a profile's journal file lives in a data folder (DESIGN §2).
func JournalPath(dataDir, profileID string) string {
	return filepath.Join(dataDir, "profiles", profileID, "journal.db")
}

// OnlyJournal is the journal file of the one profile in dataDir; the test fails if there
// is not exactly one (work in progress, .creating- and .deleting- folders, is left out).
func OnlyJournal(t testing.TB, dataDir string) string {
	t.Helper()
	m, err := filepath.Glob(JournalPath(dataDir, "[^.]*"))
	if err != nil || len(m) != 1 {
		t.Fatalf("journal files in %s: %v %v, want exactly one", dataDir, m, err)
	}
	return m[0]
}

// Journal is a journal file opened as a plain SQLite editor opens it: no key, no checks,
// every edit committed at once. It is how a test changes a journal behind the app's back;
// whatever it changes, the app meets on its next read. A row is named by its id (records),
// or by its primary key where the table has no id: key for settings, secrets and meta, seq
// for the outbox.
type Journal struct {
	t  testing.TB
	DB *sql.DB // for what the helpers below do not cover
}

// OpenJournal opens the journal file at path (a Store's Path, JournalPath or OnlyJournal)
// for editing; it never creates one. It is closed when the test ends, or by Close.
func OpenJournal(t testing.TB, path string) *Journal {
	t.Helper()
	// The path is escaped: a '?' or '#' in it would otherwise end it early.
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?mode=rw&_busy_timeout=10000"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	// One connection, so a PRAGMA applies to the statements after it.
	db.SetMaxOpenConns(1)
	if err := db.Ping(); err != nil {
		db.Close()
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return &Journal{t: t, DB: db}
}

// Close closes the file, so that the app (another process) finds it as the edits left it.
func (j *Journal) Close() {
	j.t.Helper()
	if err := j.DB.Close(); err != nil {
		j.t.Fatalf("close journal: %v", err)
	}
}

// Exec runs one edit of the test's own.
func (j *Journal) Exec(query string, args ...any) {
	j.t.Helper()
	if _, err := j.DB.Exec(query, args...); err != nil {
		j.t.Fatalf("%s: %v", query, err)
	}
}

// Sealed is a row's sealed blob.
func (j *Journal) Sealed(table string, key any) []byte {
	j.t.Helper()
	var blob []byte
	q := fmt.Sprintf("SELECT sealed FROM %s WHERE %s = ?", table, j.keyColumn(table))
	if err := j.DB.QueryRow(q, key).Scan(&blob); err != nil {
		j.t.Fatalf("sealed blob of %s %v: %v", table, key, err)
	}
	return blob
}

// SetSealed replaces a row's sealed blob.
func (j *Journal) SetSealed(table string, key any, blob []byte) {
	j.t.Helper()
	j.Set(table, key, "sealed", blob)
}

// FlipSealed flips one bit in the middle of a row's sealed blob: the record no longer
// authenticates.
func (j *Journal) FlipSealed(table string, key any) {
	j.t.Helper()
	blob := j.Sealed(table, key)
	if len(blob) == 0 {
		j.t.Fatalf("%s %v has an empty sealed blob", table, key)
	}
	blob[len(blob)/2] ^= 0x01
	j.SetSealed(table, key, blob)
}

// MoveSealed copies row from's sealed blob over row to's, in one table: a record that
// authenticates, in the wrong row.
func (j *Journal) MoveSealed(table string, from, to any) {
	j.t.Helper()
	j.SetSealed(table, to, j.Sealed(table, from))
}

// Set sets one clear column of a row.
func (j *Journal) Set(table string, key any, column string, value any) {
	j.t.Helper()
	k := j.keyColumn(table)
	res, err := j.DB.Exec(fmt.Sprintf("UPDATE %s SET %s = ? WHERE %s = ?", table, column, k), value, key)
	j.one(res, err, "set %s.%s of %v", table, column, key)
}

// Delete removes a row.
func (j *Journal) Delete(table string, key any) {
	j.t.Helper()
	res, err := j.DB.Exec(fmt.Sprintf("DELETE FROM %s WHERE %s = ?", table, j.keyColumn(table)), key)
	j.one(res, err, "delete %s %v", table, key)
}

// one fails the test unless an edit changed exactly one row: an edit that missed its row
// would leave a tamper test testing nothing.
func (j *Journal) one(res sql.Result, err error, format string, args ...any) {
	j.t.Helper()
	if err != nil {
		j.t.Fatalf(format+": %v", append(args, err)...)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		j.t.Fatalf(format+": %d rows changed, want 1 (%v)", append(args, n, err)...)
	}
}

// keyColumn names a table's rows: its id column where it has one (the records' tables,
// whose rowid VACUUM may renumber), else its primary key. It is read from the file itself,
// so a table added later needs nothing here.
func (j *Journal) keyColumn(table string) string {
	j.t.Helper()
	rows, err := j.DB.Query("SELECT name, pk FROM pragma_table_info(?)", table)
	if err != nil {
		j.t.Fatalf("columns of %s: %v", table, err)
	}
	defer rows.Close()
	var pk []string
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			j.t.Fatal(err)
		}
		if name == "id" {
			return name
		}
		if n > 0 {
			pk = append(pk, name)
		}
	}
	if err := rows.Err(); err != nil {
		j.t.Fatal(err)
	}
	if len(pk) != 1 {
		j.t.Fatalf("table %s: no id column and primary key %v: name its rows with Exec", table, pk)
	}
	return pk[0]
}
