package app

import (
	"context"
	"errors"
	"log"
	"path/filepath"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/data"
)

// Scheduled backups (issue 12): while a profile is open, the window writes its backups into
// the folder chosen in Settings, daily or weekly (data/backup_schedule.go), and Settings
// says when the last one was written. After 30 days without one, Settings and Today say so,
// gently.

// backupCheckEvery is how often an open profile's schedule is looked at: a backup is due
// at most an hour late, and the process wakes 24 times a day for one settings read (idle
// cost: DESIGN §9, docs/PERFORMANCE.md "Idle").
const backupCheckEvery = time.Hour

const (
	msgBackupNever    = "No backup yet."
	msgBackupReminder = "It has been more than 30 days without a backup. A backup on a USB disk or in a synced folder keeps your journal safe if this computer is lost: choose a folder below, or back up now."
	msgBackupMissing  = "The last scheduled backup could not be written: the folder is not there (is the disk plugged in?). It will be tried again."
	msgBackupFailed   = "The last backup could not be written. It will be tried again."
	// msgTodayBackup is Today's line after 30 days without a backup.
	msgTodayBackup = "No backup for 30 days — see Settings, Backups."
)

var backupEveryLabels = []struct{ value, label string }{
	{"off", "Off"}, {"daily", "Every day"}, {"weekly", "Every week"},
}

// startBackups runs p's scheduled backups: a check now, then every backupCheckEvery, until
// p closes. Like the reminder loop, it does not run when Options.Tick is negative (tests
// that drive time themselves).
func (u *UI) startBackups(p *openProfile) {
	if u.opt.Tick < 0 {
		return
	}
	clock := u.opt.Clock
	p.loop(func(ctx context.Context) {
		ticks, stop := clock.NewTicker(backupCheckEvery)
		defer stop()
		for {
			u.scheduledBackup(ctx, p)
			select {
			case <-ctx.Done():
				return
			case <-ticks:
			}
		}
	})
}

// scheduledBackup writes p's backup if one is due, off the UI goroutine, and shows the
// outcome in Settings if it is on screen.
func (u *UI) scheduledBackup(ctx context.Context, p *openProfile) {
	path, err := p.store.ScheduledBackup(ctx, u.now())
	if ctx.Err() != nil || (path == "" && err == nil) {
		return
	}
	if err != nil {
		log.Printf("scheduled backup: %v", err) // a folder path and a reason, no health data
	}
	fyne.Do(func() {
		p.backupErr = err
		if s := u.settings; s != nil && s.prof == p {
			u.loadBackupStatus()
		}
	})
}

// backupForm is the Settings section "Backups".
type backupForm struct {
	status  *widget.Label // "Last backup: 2 hours ago."
	warn    *widget.Label // the 30-day reminder, or the last scheduled backup's failure
	every   *widget.Select
	msg     *widget.Label
	save    *widget.Button
	saveMsg *widget.Label
	now     *widget.Button
	nowMsg  *widget.Label
	loading bool // every's OnChanged is not a choice while the stored value is shown
}

// newBackupForm builds the section.
func (u *UI) newBackupForm(s *settingsScreen) fyne.CanvasObject {
	f := &backupForm{status: paragraph(""), warn: message(), msg: message(), saveMsg: message(), nowMsg: message()}
	s.backup = f
	s.backupFolder = u.newEntry()
	s.backupFolder.SetPlaceHolder("/media/usb/backups")
	s.backupFolderErr = message()
	s.backupKeep = u.newEntry()
	s.backupKeepErr = message()
	var labels []string
	for _, e := range backupEveryLabels {
		labels = append(labels, e.label)
	}
	f.every = widget.NewSelect(labels, func(l string) {
		if f.loading {
			return
		}
		for _, e := range backupEveryLabels {
			if e.label == l {
				u.saveBackupEvery(e.value)
			}
		}
	})
	for _, e := range []*navEntry{s.backupFolder, s.backupKeep} {
		e.OnChanged = func(string) { say(s.backupFolderErr, ""); say(s.backupKeepErr, ""); say(f.saveMsg, "") }
		e.OnSubmitted = func(string) { u.saveBackupFields() }
	}
	f.save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), u.saveBackupFields)
	f.now = widget.NewButtonWithIcon("Back up now", theme.UploadIcon(), u.backupNow)
	return container.NewVBox(
		subheading("Backups"),
		f.status,
		f.warn,
		labelled(fieldLabel("Folder for backups"), s.backupFolder,
			caption("A USB disk or a synced folder, as its full path. Backups are encrypted: your recovery key opens them on any computer."), s.backupFolderErr),
		labelled(fieldLabel("Back up"), f.every, f.msg),
		labelled(fieldLabel("Keep how many backups?"), s.backupKeep, caption("From 1 to 100; the oldest go."), s.backupKeepErr),
		container.NewHBox(tall(f.save), tall(f.now)),
		f.saveMsg,
		f.nowMsg,
	)
}

// showBackupSettings shows the stored schedule and the status (on loading Settings).
func (u *UI) showBackupSettings() { u.loadBackup(true) }

// loadBackupStatus shows when the last backup was written, and the reminder or the last
// scheduled backup's failure.
func (u *UI) loadBackupStatus() { u.loadBackup(false) }

// loadBackup reads the schedule and the last backup's time, and shows the status — and,
// with fields, the schedule in the form (not after a backup: that would undo typing).
func (u *UI) loadBackup(fields bool) {
	s := u.settings
	if s == nil || s.backup == nil {
		return
	}
	now := u.now()
	type status struct {
		set    data.BackupSchedule
		last   time.Time
		remind bool
	}
	background(s.prof, func(ctx context.Context) (status, error) {
		set, _ := s.store.BackupSchedule(ctx) // damaged: the defaults, saved over by the next change
		return status{set, s.store.LastBackup(ctx), s.store.BackupReminder(ctx, now)}, nil
	}, func(st status, _ error) {
		if u.settings != s {
			return
		}
		f := s.backup
		if fields {
			s.backupFolder.SetText(st.set.Folder)
			s.backupKeep.SetText(strconv.Itoa(st.set.Keep))
			say(s.backupFolderErr, "")
			say(s.backupKeepErr, "")
			f.loading = true
			for _, e := range backupEveryLabels {
				if e.value == st.set.Every {
					f.every.SetSelected(e.label)
				}
			}
			f.loading = false
			if st.set.FolderLocked {
				s.backupFolder.Disable()
				s.clinic.Show()
			}
		}
		if st.last.IsZero() {
			say(f.status, msgBackupNever)
		} else {
			say(f.status, "Last backup: "+ago(now.Sub(st.last), st.last)+".")
		}
		switch err := s.prof.backupErr; {
		case errors.Is(err, data.ErrNotFound):
			say(f.warn, msgBackupMissing)
		case err != nil:
			say(f.warn, msgBackupFailed)
		case st.remind:
			say(f.warn, msgBackupReminder)
		default:
			say(f.warn, "")
		}
	})
}

// saveBackupEvery stores the schedule as soon as it is chosen, and checks it at once.
func (u *UI) saveBackupEvery(value string) {
	s := u.settings
	if s == nil {
		return
	}
	say(s.backup.msg, "")
	p := s.prof
	background(p, func(ctx context.Context) (string, error) {
		return s.store.SetBackupSetting(ctx, data.KeyBackupEvery, value)
	}, func(_ string, err error) {
		if u.settings != s {
			return
		}
		switch {
		case errors.Is(err, data.ErrLockedByClinic):
			say(s.backup.msg, "That setting was set by your clinic and cannot be changed here.")
		case err != nil:
			say(s.backup.msg, msgSettingSaveFailed)
		default:
			p.spawn(func(ctx context.Context) func() {
				u.scheduledBackup(ctx, p)
				return func() {}
			})
		}
	})
}

// backupNow is "Back up now": a backup into the folder as it is typed (saved first).
func (u *UI) backupNow() {
	s := u.settings
	if s == nil || !s.loaded {
		return
	}
	f := s.backup
	say(f.nowMsg, "")
	say(f.saveMsg, "")
	folder, err := data.CheckBackupSetting(data.KeyBackupFolder, s.backupFolder.Text)
	if err == nil && folder == "" {
		err = errors.New("choose a folder for the backups first")
	}
	if err != nil {
		sayError(f.nowMsg, inputMessage(err))
		return
	}
	f.now.Disable()
	p := s.prof
	now := u.now()
	background(p, func(ctx context.Context) (string, error) {
		if !s.backupFolder.Disabled() { // not locked by the clinic
			if _, err := s.store.SetBackupSetting(ctx, data.KeyBackupFolder, folder); err != nil {
				return "", err
			}
		}
		return s.store.BackupToFolder(ctx, now)
	}, func(path string, err error) {
		if u.settings != s {
			return
		}
		f.now.Enable()
		p.backupErr = err
		switch {
		case errors.Is(err, data.ErrNotFound):
			sayError(f.nowMsg, "That folder is not there. Is the disk plugged in?")
		case err != nil:
			sayError(f.nowMsg, "The backup could not be written. Check that this folder can be written to, then try again.")
		default:
			sayDone(f.nowMsg, "Backup written: "+filepath.Base(path))
		}
		u.loadBackupStatus()
	})
}

// saveBackupFields checks the folder and the number to keep, then saves both.
func (u *UI) saveBackupFields() {
	s := u.settings
	if s == nil || !s.loaded || s.backup.save.Disabled() {
		return
	}
	f := s.backup
	say(f.saveMsg, "")
	vals := map[string]string{}
	ok := true
	for _, fl := range []settingField{{data.KeyBackupFolder, s.backupFolder, s.backupFolderErr}, {data.KeyBackupKeep, s.backupKeep, s.backupKeepErr}} {
		if fl.entry.Disabled() { // locked by the clinic
			continue
		}
		v, err := data.CheckBackupSetting(fl.key, fl.entry.Text)
		if err != nil {
			say(fl.err, inputMessage(err))
			ok = false
			continue
		}
		vals[fl.key] = v
	}
	if !ok {
		return
	}
	f.save.Disable()
	p := s.prof
	background(p, func(ctx context.Context) (struct{}, error) {
		for k, v := range vals {
			if _, err := s.store.SetBackupSetting(ctx, k, v); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	}, func(_ struct{}, err error) {
		if u.settings != s {
			return
		}
		f.save.Enable()
		if err != nil {
			sayError(f.saveMsg, msgSettingSaveFailed)
			return
		}
		if v, ok := vals[data.KeyBackupFolder]; ok && v != s.backupFolder.Text {
			s.backupFolder.SetText(v)
		}
		sayDone(f.saveMsg, msgSettingsSaved)
		// A schedule waiting for its folder starts now.
		p.spawn(func(ctx context.Context) func() {
			u.scheduledBackup(ctx, p)
			return func() {}
		})
	})
}
