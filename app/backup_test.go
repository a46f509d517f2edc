package app

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestSettingsBackups: Settings → Backups saves the folder and how many to keep, a schedule
// chosen writes its first backup at once, "Back up now" writes another, the oldest beyond
// the number to keep goes, and the section says when the last one was written.
func TestSettingsBackups(t *testing.T) {
	clk := &testClock{t: fixedNow}
	u := openToday(t, clk, nil)
	ctrl(u, fyne.Key6)
	s := u.settings
	if s == nil || s.backup == nil {
		t.Fatal("no Backups section in Settings")
	}
	if s.backup.status.Text != msgBackupNever() {
		t.Errorf("status %q, want %q", s.backup.status.Text, msgBackupNever())
	}
	folder := t.TempDir()
	s.backupFolder.SetText(filepath.Join(folder, "nope"))
	test.Tap(s.backup.now)
	if !s.backup.nowMsg.Visible() || !strings.Contains(s.backup.nowMsg.Text, "not there") {
		t.Errorf("a missing folder: %q", s.backup.nowMsg.Text)
	}
	s.backupFolder.SetText("relative")
	test.Tap(s.backup.save)
	if !s.backupFolderErr.Visible() {
		t.Error("a relative folder was accepted")
	}
	s.backupFolder.SetText(folder)
	s.backupKeep.SetText("2")
	test.Tap(s.backup.save)
	if s.backupFolderErr.Visible() || s.backupKeepErr.Visible() || s.backup.saveMsg.Text != msgSettingsSaved() {
		t.Fatalf("save: %q %q %q", s.backupFolderErr.Text, s.backupKeepErr.Text, s.backup.saveMsg.Text)
	}
	if n := backupFiles(t, folder); n != 0 {
		t.Fatalf("%d backups with the schedule off", n)
	}
	s.backup.every.SetSelected("Every day")
	if n := backupFiles(t, folder); n != 1 {
		t.Fatalf("%d backups after choosing a daily schedule, want 1", n)
	}
	if s.backup.status.Text != "Last backup: just now." {
		t.Errorf("status %q", s.backup.status.Text)
	}
	for i := range 2 {
		clk.Set(clk.Now().Add(time.Minute))
		test.Tap(s.backup.now)
		if !strings.HasPrefix(s.backup.nowMsg.Text, "Backup written") {
			t.Fatalf("back up now %d: %q", i, s.backup.nowMsg.Text)
		}
	}
	if n := backupFiles(t, folder); n != 2 {
		t.Errorf("%d backups kept, want 2", n)
	}
	clk.Set(clk.Now().Add(3 * time.Hour))
	u.loadBackupStatus()
	if s.backup.status.Text != "Last backup: 3 hours ago." || s.backup.warn.Visible() {
		t.Errorf("status %q, warning %q", s.backup.status.Text, s.backup.warn.Text)
	}
	if dir := os.Getenv("COMPANION_CAPTURE_DIR"); dir != "" {
		u.win.Resize(fyne.NewSize(1000, 3000))
		u.win.Content().Refresh()
		f, err := os.Create(filepath.Join(dir, "settings_backups.png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		png.Encode(f, u.win.Canvas().Capture())
	}
}

func backupFiles(t *testing.T, dir string) int {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".backup") {
			n++
		} else {
			t.Errorf("unexpected file %s", e.Name())
		}
	}
	return n
}

// TestBackupReminderToday: 30 days after the profile was made without a backup, Today
// says so (gently, one line); Settings says it too.
func TestBackupReminderToday(t *testing.T) {
	clk := &testClock{t: fixedNow}
	u := openToday(t, clk, nil)
	if u.today.backupLine.Visible() {
		t.Fatalf("a reminder on the first day: %q", u.today.backupLine.Text)
	}
	clk.Set(fixedNow.Add(31 * 24 * time.Hour))
	ctrl(u, fyne.Key6)
	if !u.settings.backup.warn.Visible() || u.settings.backup.warn.Text != msgBackupReminder() {
		t.Errorf("Settings warning %q", u.settings.backup.warn.Text)
	}
	ctrl(u, fyne.Key1)
	if !u.today.backupLine.Visible() || u.today.backupLine.Text != msgTodayBackup() {
		t.Errorf("Today line %q", u.today.backupLine.Text)
	}
}
