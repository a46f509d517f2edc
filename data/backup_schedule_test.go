package data_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/clinic"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

// TestScheduledBackup: daily backups into a folder, the last N kept, none before it is due,
// the time of the last one kept, the 30-day reminder, and a missing folder said plainly.
func TestScheduledBackup(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	p := datatest.NewProfiles(t, &datatest.MemKeyring{})
	p.Now = func() time.Time { return now }
	s, rk := datatest.CreateKeyring(t, p, "Anastasia Quill")
	ctx := context.Background()
	folder := t.TempDir()
	if path, err := s.ScheduledBackup(ctx, now); path != "" || err != nil {
		t.Fatalf("schedule off: %q %v", path, err)
	}
	for k, v := range map[string]string{data.KeyBackupFolder: folder, data.KeyBackupEvery: "daily", data.KeyBackupKeep: "3"} {
		if _, err := s.SetBackupSetting(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	if !s.LastBackup(ctx).IsZero() {
		t.Fatal("a last backup before any")
	}
	var written []string
	var leftovers []string // a crash's temporary file, an hour old, and one being written
	for i := range 5 {
		path, err := s.ScheduledBackup(ctx, now)
		if err != nil || path == "" {
			t.Fatalf("day %d: %q %v", i, path, err)
		}
		written = append(written, filepath.Base(path))
		if i == 0 {
			prefix := filepath.Base(path)[:strings.LastIndex(filepath.Base(path), "-")+1]
			for j, age := range []time.Duration{2 * time.Hour, 0} {
				n := filepath.Join(folder, "."+prefix+"20261101T0900"+string(rune('0'+j))+"0Z.backup.tmp-12345")
				if err := os.WriteFile(n, []byte("half a backup"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(n, now.Add(25*time.Hour-age), now.Add(25*time.Hour-age)); err != nil {
					t.Fatal(err)
				}
				leftovers = append(leftovers, filepath.Base(n))
			}
		}
		if i == 1 {
			// A crash's leftover, an hour old, is gone; one that may still be being written
			// (not an hour old) stays.
			if _, err := os.Stat(filepath.Join(folder, leftovers[0])); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the crash's temporary file is still there: %v", err)
			}
			if _, err := os.Stat(filepath.Join(folder, leftovers[1])); err != nil {
				t.Errorf("a temporary file not an hour old was removed: %v", err)
			}
		}
		if !s.LastBackup(ctx).Equal(now) {
			t.Errorf("day %d: last backup %v, want %v", i, s.LastBackup(ctx), now)
		}
		if path, err := s.ScheduledBackup(ctx, now.Add(23*time.Hour)); path != "" || err != nil {
			t.Fatalf("day %d: a backup before it was due: %q %v", i, path, err)
		}
		now = now.Add(25 * time.Hour)
	}
	ents, err := os.ReadDir(folder)
	if err != nil {
		t.Fatal(err)
	}
	var have []string
	for _, e := range ents {
		have = append(have, e.Name())
		if strings.Contains(e.Name(), "Anastasia") {
			t.Errorf("a file name tells whose it is: %s", e.Name())
		}
	}
	sort.Strings(have)
	if strings.Join(have, " ") != strings.Join(written[2:], " ") {
		t.Errorf("kept %v, want the last three of %v (and no temporary file, each an hour old by now)", have, written)
	}
	// The newest restores.
	b, err := os.ReadFile(filepath.Join(folder, written[4]))
	if err != nil {
		t.Fatal(err)
	}
	q := datatest.NewProfiles(t, &datatest.MemKeyring{})
	r, err := q.Restore(ctx, bytes.NewReader(b), data.RestoreOptions{RecoveryKey: rk})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()

	last := s.LastBackup(ctx)
	if s.BackupReminder(ctx, last.Add(29*24*time.Hour)) || !s.BackupReminder(ctx, last.Add(31*24*time.Hour)) {
		t.Error("the reminder does not come after 30 days without a backup")
	}
	if _, err := s.SetBackupSetting(ctx, data.KeyBackupFolder, filepath.Join(folder, "unplugged")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ScheduledBackup(ctx, now.Add(48*time.Hour)); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("missing folder: %v", err)
	}
	if _, err := s.SetBackupSetting(ctx, data.KeyBackupFolder, "relative/folder"); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("a relative folder: %v", err)
	}
	if _, err := s.SetBackupSetting(ctx, data.KeyBackupEvery, "hourly"); !errors.Is(err, data.ErrInvalid) {
		t.Errorf("every hour: %v", err)
	}
}

// TestBackupReminderNever: a profile never backed up is reminded 30 days after it was made.
func TestBackupReminderNever(t *testing.T) {
	made := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := datatest.NewProfiles(t, nil)
	p.Now = func() time.Time { return made }
	s, _ := datatest.CreatePassphrase(t, p, "P", "a long passphrase")
	ctx := context.Background()
	if s.BackupReminder(ctx, made.Add(24*time.Hour)) || !s.BackupReminder(ctx, made.Add(31*24*time.Hour)) {
		t.Error("reminder for a profile never backed up")
	}
}

// TestClinicBackupFolder: clinic.json may set the default folder; a person's own wins.
func TestClinicBackupFolder(t *testing.T) {
	c, err := clinic.Parse([]byte(`{"name":"Clinic","policy":{"backup_folder":"/srv/backups"}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := datatest.NewProfiles(t, nil)
	p.Policy = c
	s, _ := datatest.CreatePassphrase(t, p, "P", "a long passphrase")
	ctx := context.Background()
	set, err := s.BackupSchedule(ctx)
	if err != nil || set.Folder != "/srv/backups" || set.Interval != 0 || set.Every != "off" || set.Keep != 7 || set.FolderLocked {
		t.Fatalf("schedule %+v %v", set, err)
	}
	if _, err := s.SetBackupSetting(ctx, data.KeyBackupFolder, "/media/usb"); err != nil {
		t.Fatal(err)
	}
	if set, _ := s.BackupSchedule(ctx); set.Folder != "/media/usb" {
		t.Errorf("folder %q", set.Folder)
	}
	// `settings get` (the command line's contract) does not grow.
	all, err := s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := all.Text(data.KeyBackupFolder); err == nil {
		t.Error("the backup folder is among the preferences of settings get")
	}
	// Locked by the clinic: its folder, whatever was stored, and no change.
	locked, err := clinic.Parse([]byte(`{"name":"Clinic","policy":{"backup_folder":"/srv/backups"},"locked":["backup_folder"]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	q := &data.Profiles{Dir: p.Dir, Argon2: datatest.FastArgon2(), Policy: locked}
	ls := datatest.Open(t, q, "P", "a long passphrase")
	if set, _ := ls.BackupSchedule(ctx); set.Folder != "/srv/backups" || !set.FolderLocked {
		t.Errorf("locked schedule %+v", set)
	}
	if _, err := ls.SetBackupSetting(ctx, data.KeyBackupFolder, "/media/usb"); !errors.Is(err, data.ErrLockedByClinic) {
		t.Errorf("a locked folder changed: %v", err)
	}
	if _, err := clinic.Parse([]byte(`{"name":"Clinic","policy":{"backup_folder":"relative"}}`), nil); err == nil {
		t.Error("a relative clinic backup folder was accepted")
	}
}
