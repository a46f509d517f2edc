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

	"github.com/patient-companion/companion/app/tr"
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

func msgBackupNever() string    { return tr.T("backup.never") }
func msgBackupReminder() string { return tr.T("backup.reminder") }
func msgBackupMissing() string  { return tr.T("backup.missing") }
func msgBackupFailed() string   { return tr.T("backup.failed") }

// msgTodayBackup is Today's line after 30 days without a backup.
func msgTodayBackup() string { return tr.T("backup.today") }

// backupEveryLabels are the schedule's choices: the setting's value, and its words.
func backupEveryLabels() []struct{ value, label string } {
	return []struct{ value, label string }{
		{"off", tr.T("backup.off")}, {"daily", tr.T("backup.daily")}, {"weekly", tr.T("backup.weekly")},
	}
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
	s.backupFolder.SetPlaceHolder(tr.T("backup.folder_example"))
	s.backupFolderErr = message()
	s.backupKeep = u.newEntry()
	s.backupKeepErr = message()
	every := backupEveryLabels()
	var labels []string
	for _, e := range every {
		labels = append(labels, e.label)
	}
	f.every = widget.NewSelect(labels, func(l string) {
		if f.loading {
			return
		}
		for _, e := range every {
			if e.label == l {
				u.saveBackupEvery(e.value)
			}
		}
	})
	for _, e := range []*navEntry{s.backupFolder, s.backupKeep} {
		e.OnChanged = func(string) { say(s.backupFolderErr, ""); say(s.backupKeepErr, ""); say(f.saveMsg, "") }
		e.OnSubmitted = func(string) { u.saveBackupFields() }
	}
	f.save = widget.NewButtonWithIcon(tr.T("backup.save"), theme.DocumentSaveIcon(), u.saveBackupFields)
	f.now = widget.NewButtonWithIcon(tr.T("backup.now"), theme.UploadIcon(), u.backupNow)
	return container.NewVBox(
		subheading(tr.T("backup.title")),
		f.status,
		f.warn,
		labelled(fieldLabel(tr.T("backup.folder")), s.backupFolder,
			caption(tr.T("backup.folder_hint")), s.backupFolderErr),
		labelled(fieldLabel(tr.T("backup.every")), f.every, f.msg),
		labelled(fieldLabel(tr.T("backup.keep")), s.backupKeep, caption(tr.T("backup.keep_hint")), s.backupKeepErr),
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
			for _, e := range backupEveryLabels() {
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
			say(f.status, msgBackupNever())
		} else {
			say(f.status, tr.T("backup.last", tr.Args{"When": ago(now.Sub(st.last), st.last)}))
		}
		switch err := s.prof.backupErr; {
		case errors.Is(err, data.ErrNotFound):
			say(f.warn, msgBackupMissing())
		case err != nil:
			say(f.warn, msgBackupFailed())
		case st.remind:
			say(f.warn, msgBackupReminder())
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
			say(s.backup.msg, msgSetByClinic())
		case err != nil:
			say(s.backup.msg, msgSettingSaveFailed())
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
	if err != nil {
		sayError(f.nowMsg, inputMessage(err))
		return
	}
	if folder == "" {
		sayError(f.nowMsg, tr.T("backup.need_folder"))
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
			sayError(f.nowMsg, tr.T("backup.folder_missing"))
		case err != nil:
			sayError(f.nowMsg, tr.T("backup.write_failed"))
		default:
			sayDone(f.nowMsg, tr.T("backup.written", tr.Args{"File": filepath.Base(path)}))
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
			sayError(f.saveMsg, msgSettingSaveFailed())
			return
		}
		if v, ok := vals[data.KeyBackupFolder]; ok && v != s.backupFolder.Text {
			s.backupFolder.SetText(v)
		}
		sayDone(f.saveMsg, msgSettingsSaved())
		// A schedule waiting for its folder starts now.
		p.spawn(func(ctx context.Context) func() {
			u.scheduledBackup(ctx, p)
			return func() {}
		})
	})
}
