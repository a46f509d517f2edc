package data

// Scheduled backups (issue 12): the window writes an encrypted backup (backup.go) into a
// folder the person chose — a USB disk, a synced folder — daily or weekly, keeps the last N
// there, and says when the last one was written; after 30 days without one it reminds,
// gently. The clinic may set the default folder (clinic.json, policy.backup_folder).

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The scheduled backups' settings: sealed settings like the others, but not among the
// preferences of `settings get/set` (the command line's output is a contract, and backups
// have their own command): the window sets them, clinic.json may set the folder.
const (
	KeyBackupFolder = "backup.folder"
	KeyBackupEvery  = "backup.every" // off | daily | weekly
	KeyBackupKeep   = "backup.keep"  // 1 to 100
	// keyBackupLast is when the last backup (scheduled or not) was written, RFC 3339.
	keyBackupLast = "backup.last"
	// policyBackupFolder is clinic.json's key for the default folder (policy.backup_folder).
	policyBackupFolder = "backup_folder"

	// BackupReminderAfter is how long without a backup before the window reminds.
	BackupReminderAfter = 30 * 24 * time.Hour
)

// backupSpecs are the scheduled backups' settings, with their defaults and checks.
var backupSpecs = map[string]SettingSpec{
	KeyBackupFolder: {Default: "", Check: checkFolder},
	KeyBackupEvery:  {Default: "off", Check: checkEvery},
	KeyBackupKeep:   {Default: "7", Check: checkInt(1, 100)},
}

// BackupSchedule is where, how often and how many scheduled backups are written.
type BackupSchedule struct {
	Folder string
	// Every is "off", "daily" or "weekly"; Interval is it as a duration (0: off).
	Every    string
	Interval time.Duration
	Keep     int
	// FolderLocked: the clinic set the folder for good (clinic.json "locked").
	FolderLocked bool
}

// BackupSchedule reads the schedule: the person's values, else the clinic's folder, else
// the defaults (a damaged value falls back like any setting's, and is reported).
func (s *Store) BackupSchedule(ctx context.Context) (BackupSchedule, error) {
	vals, damaged, err := s.readSettings(ctx)
	if err != nil {
		return BackupSchedule{}, err
	}
	var bad TamperedError
	for _, k := range damaged {
		if _, ok := backupSpecs[k]; ok {
			bad.add("settings", k)
		}
	}
	text := map[string]string{}
	for key, spec := range backupSpecs {
		tries := []string{vals[key]}
		if key == KeyBackupFolder && s.policy != nil {
			if s.policy.IsLocked(policyBackupFolder) {
				tries = nil
			}
			tries = append(tries, s.policy.Default(policyBackupFolder))
		}
		text[key] = spec.Default
		for _, t := range tries {
			if c, err := spec.Check(t); t != "" && err == nil {
				text[key] = c
				break
			}
		}
	}
	keep, _ := strconv.Atoi(text[KeyBackupKeep]) // checked: canonical
	return BackupSchedule{Folder: text[KeyBackupFolder], Every: text[KeyBackupEvery], Interval: backupInterval(text[KeyBackupEvery]),
		Keep: keep, FolderLocked: s.policy != nil && s.policy.IsLocked(policyBackupFolder)}, bad.OrNil()
}

// CheckBackupSetting returns value in its canonical form, or an *InputError saying what is
// allowed.
func CheckBackupSetting(key, value string) (string, error) {
	spec, ok := backupSpecs[key]
	if !ok {
		return "", fmt.Errorf("backup setting %q: %w", key, ErrNotFound)
	}
	v, err := spec.Check(value)
	if err != nil {
		return "", asField(key, err)
	}
	return v, nil
}

// SetBackupSetting checks and stores one of the schedule's settings; it returns the value
// stored. A folder the clinic locked is ErrLockedByClinic.
func (s *Store) SetBackupSetting(ctx context.Context, key, value string) (string, error) {
	v, err := CheckBackupSetting(key, value)
	if err != nil {
		return "", err
	}
	if key == KeyBackupFolder && s.policy != nil && s.policy.IsLocked(policyBackupFolder) {
		return "", ErrLockedByClinic
	}
	return v, s.SetSetting(ctx, key, v)
}

func checkFolder(v string) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return "", nil
	case len(v) > 4096 || strings.IndexFunc(v, unicode.IsControl) >= 0:
		return "", invalid("input.backup_folder_one_line", nil, "give a folder's full path, on one line")
	case !filepath.IsAbs(v):
		return "", invalid("input.backup_folder_full_path", nil, "give the folder's full path (starting at the top, e.g. /media/usb/backups)")
	}
	return filepath.Clean(v), nil
}

func checkEvery(v string) (string, error) {
	switch v = strings.ToLower(strings.TrimSpace(v)); v {
	case "off", "daily", "weekly":
		return v, nil
	}
	return "", invalid("input.backup_every", nil, "use off, daily or weekly")
}

func backupInterval(every string) time.Duration {
	switch every {
	case "daily":
		return 24 * time.Hour
	case "weekly":
		return 7 * 24 * time.Hour
	}
	return 0
}

// LastBackup is when the profile's last backup was written; zero when never (or when its
// record cannot be read, which the next backup writes again).
func (s *Store) LastBackup(ctx context.Context) time.Time {
	v, err := s.Setting(ctx, keyBackupLast)
	if err != nil || v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}
	}
	return t.In(s.loc)
}

func (s *Store) noteBackup(ctx context.Context, at time.Time) error {
	return s.SetSetting(ctx, keyBackupLast, at.UTC().Format(time.RFC3339Nano))
}

// BackupReminder says whether to remind about backups at now: none written for
// BackupReminderAfter (counted from the profile's creation when there was never one).
func (s *Store) BackupReminder(ctx context.Context, now time.Time) bool {
	last := s.LastBackup(ctx)
	if last.IsZero() {
		last = s.info.CreatedAt
	}
	return !last.IsZero() && now.Sub(last) >= BackupReminderAfter
}

// backupPrefix names this profile's scheduled backups in a folder: by its id's first part,
// never its name (the folder may be a shared disk, and the file says nothing about whose).
func (s *Store) backupPrefix() string {
	id, _, _ := strings.Cut(s.info.ID, "-")
	return "companion-" + id + "-"
}

// ScheduledBackup writes a backup into the settings' folder when the schedule says one is
// due at now, and removes the oldest of this profile's backups there beyond the number to
// keep. It returns the file written, or "" when none was due (the schedule is off, or no
// folder is set). A folder that is missing (a USB disk not plugged in) is an error; the
// next check tries again.
func (s *Store) ScheduledBackup(ctx context.Context, now time.Time) (string, error) {
	set, _ := s.BackupSchedule(ctx) // damaged: the defaults come with the error
	if set.Interval == 0 || set.Folder == "" {
		return "", nil
	}
	if last := s.LastBackup(ctx); !last.IsZero() && now.Sub(last) < set.Interval && !last.After(now) {
		return "", nil
	}
	return s.backupIntoFolder(ctx, now, set)
}

// BackupToFolder writes a backup into the settings' folder now, whatever the schedule ("Back
// up now"), and keeps the last backup_keep there. It returns the file written.
func (s *Store) BackupToFolder(ctx context.Context, now time.Time) (string, error) {
	set, _ := s.BackupSchedule(ctx)
	if set.Folder == "" {
		return "", invalidField(KeyBackupFolder, "input.backup_folder_first", nil, "choose a folder for the backups first")
	}
	return s.backupIntoFolder(ctx, now, set)
}

func (s *Store) backupIntoFolder(ctx context.Context, now time.Time, set BackupSchedule) (string, error) {
	if fi, err := os.Stat(set.Folder); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("the backup folder %s is not there (a disk not plugged in?): %w", set.Folder, ErrNotFound)
	}
	path := filepath.Join(set.Folder, s.backupPrefix()+now.UTC().Format("20060102T150405Z")+".backup")
	if err := s.BackupTo(ctx, path); err != nil {
		return "", err
	}
	return path, s.pruneBackups(set.Folder, set.Keep, now)
}

// staleTemp is how old a temporary file of a scheduled backup must be to be taken for the
// leftover of a crash (no backup takes an hour to write).
const staleTemp = time.Hour

// pruneBackups removes this profile's oldest scheduled backups in dir beyond keep (their
// names sort by time), and the temporary files of its backups that a crash left behind.
func (s *Store) pruneBackups(dir string, keep int, now time.Time) error {
	ents, err := os.ReadDir(dir) // not Glob: the folder's own name may hold * or [
	if err != nil {
		return err
	}
	var names []string
	var errs []error
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() {
			continue
		}
		if strings.HasPrefix(n, s.backupPrefix()) && strings.HasSuffix(n, ".backup") {
			names = append(names, filepath.Join(dir, n))
		}
		// BackupTo writes through "."+name+".tmp-*" beside the file.
		if strings.HasPrefix(n, "."+s.backupPrefix()) && strings.Contains(n, ".backup.tmp-") {
			if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > staleTemp {
				errs = append(errs, os.Remove(filepath.Join(dir, n)))
			}
		}
	}
	sort.Strings(names)
	for len(names) > max(keep, 1) {
		errs = append(errs, os.Remove(names[0]))
		names = names[1:]
	}
	return errors.Join(errs...)
}
