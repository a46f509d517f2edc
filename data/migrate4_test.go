package data

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Migration 4 on a profile written by schema 3 (testdata/upgrade/schema3): every good record
// is re-sealed in format 2 and reads the same; a format-1 record that was already damaged is
// left as it is and stays reported, by id, with the others listed.
func TestMigrate4KeepsDamageReported(t *testing.T) {
	ctx := context.Background()
	src, err := filepath.Glob(filepath.Join("..", "testdata", "upgrade", "schema3", "data", "profiles", "*", "journal.db"))
	if err != nil || len(src) != 1 {
		t.Fatalf("fixture: %v %v", src, err)
	}
	p := &Profiles{Dir: t.TempDir(), Location: time.UTC}
	id := filepath.Base(filepath.Dir(src[0]))
	dst := filepath.Join(p.Dir, "profiles", id, "journal.db")
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(src[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", "file:"+dst+"?mode=rw")
	if err != nil {
		t.Fatal(err)
	}
	var damagedID string
	var total int
	db.QueryRow(`SELECT count(*) FROM entries WHERE deleted = 0`).Scan(&total)
	if err := db.QueryRow(`SELECT min(id) FROM entries`).Scan(&damagedID); err != nil {
		t.Fatal(err)
	}
	flipBlobByte(t, db, "entries", damagedID)
	db.Close()

	info, err := p.Find(ctx, "Fixture")
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Open(ctx, info, Credentials{Passphrase: []byte("upgrade fixture passphrase")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.ListEntries(ctx, time.Time{}, time.Time{})
	damaged(t, "after the upgrade", err, RecordRef{"entries", damagedID})
	entries := 0
	for _, e := range got {
		if e.Kind != KindDose {
			entries++
		}
	}
	if entries != total-1 {
		t.Fatalf("%d entries read, want %d (all but the damaged one)", entries, total-1)
	}
	var format, old int
	s.DB().QueryRow(`SELECT fmt FROM entries WHERE id = ?`, damagedID).Scan(&format)
	s.DB().QueryRow(`SELECT count(*) FROM entries WHERE fmt != 2 AND id != ?`, damagedID).Scan(&old)
	if format != 1 || old != 0 {
		t.Fatalf("damaged row format %d (want 1, left alone), %d other rows not re-sealed", format, old)
	}
}
