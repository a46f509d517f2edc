package app

// "Report for my doctor": the PDF of `export report` (app/report), for a period the person
// picks, saved where they choose and opened with the computer's PDF viewer. Reached from
// Appointments (a visit is what it is for) and from Settings.

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/report"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// reportLauncher is the "Report for my doctor" button of a screen, and the dialog it opened
// last (nil before).
type reportLauncher struct {
	button *widget.Button
	dlg    *reportDialog
}

// reportDialog is the open "Report for my doctor" dialog.
type reportDialog struct {
	prof  *openProfile
	store *data.Store
	d     dialog.Dialog

	from, to       *navEntry
	fromErr, toErr *widget.Label
	// preset chooses a usual period; sinceAppt is the default one's first day.
	preset     *widget.Select
	sinceAppt  data.Date
	state      *widget.Label
	save, open *widget.Button
	// saved is the file written last, which Open opens.
	saved string
}

// newReportLauncher makes the button that opens the dialog for b's profile.
func (u *UI) newReportLauncher(b screenBase) *reportLauncher {
	l := &reportLauncher{}
	l.button = widget.NewButtonWithIcon(tr.T("doctorreport.title"), theme.DocumentIcon(), func() {
		l.dlg = u.showReportDialog(b)
	})
	return l
}

func (u *UI) showReportDialog(b screenBase) *reportDialog {
	r := &reportDialog{prof: b.prof, store: b.store}
	r.from, r.to = u.newEntry(), u.newEntry()
	r.from.SetPlaceHolder("2026-09-01")
	r.to.SetPlaceHolder("2026-11-30")
	r.fromErr, r.toErr = message(), message()
	r.state = paragraph("")
	r.state.Hide()

	r.save = widget.NewButtonWithIcon(tr.T("doctorreport.save"), theme.DocumentSaveIcon(), func() { u.chooseReportFile(r) })
	r.save.Importance = widget.HighImportance
	r.open = widget.NewButtonWithIcon(tr.T("doctorreport.open"), theme.FileIcon(), func() { u.openReport(r) })
	r.open.Disable()

	// The default period: since the last appointment, at most 90 days, to today.
	loc := r.store.Location()
	today := data.DateOf(u.now().In(loc))
	r.to.SetText(today.String())
	daysBack := func(n int) string { return data.DateOf(u.now().In(loc).AddDate(0, 0, -(n - 1))).String() }
	sinceAppt, last30, last90, last365 := reportPresets()
	// choosing: the preset is writing the dates, which is no change by hand.
	choosing := false
	r.preset = widget.NewSelect([]string{sinceAppt, last30, last90, last365}, func(p string) {
		if p == "" {
			return
		}
		choosing = true
		defer func() { choosing = false }()
		r.to.SetText(today.String())
		switch p {
		case sinceAppt:
			r.from.SetText(r.sinceAppt.String())
		case last30:
			r.from.SetText(daysBack(30))
		case last90:
			r.from.SetText(daysBack(90))
		case last365:
			r.from.SetText(daysBack(365))
		}
	})
	// A date changed by hand (or on the calendar) is no longer the preset's period.
	changed := func(string) {
		say(r.fromErr, "")
		say(r.toErr, "")
		if !choosing && r.preset.Selected != "" {
			r.preset.ClearSelected()
		}
	}
	r.from.OnChanged, r.to.OnChanged = changed, changed
	st, now := r.store, u.now()
	background(r.prof, func(ctx context.Context) (data.Date, error) {
		from, _, err := report.DefaultPeriod(ctx, st, now)
		return from, err
	}, func(from data.Date, err error) {
		if err != nil {
			from = data.DateOf(now.In(loc).AddDate(0, 0, -(report.DefaultDays - 1)))
		}
		r.sinceAppt = from
		if r.from.Text == "" {
			r.preset.SetSelected(sinceAppt)
		}
	})

	field := func(name string, e *navEntry, msg *widget.Label) fyne.CanvasObject {
		pick := widget.NewButtonWithIcon("", theme.CalendarIcon(), nil)
		pick.OnTapped = func() { u.pickDate(e, pick) }
		return labelled(fieldLabel(name), container.NewBorder(nil, nil, nil, pick, e), msg)
	}
	fromField, toField := field(tr.T("doctorreport.from"), r.from, r.fromErr), field(tr.T("doctorreport.to"), r.to, r.toErr)
	period := container.NewGridWithColumns(2, fromField, toField)
	if u.textScale() >= 1.5 {
		period = container.NewVBox(fromField, toField)
	}
	content := container.NewVBox(
		paragraph(tr.T("doctorreport.intro")),
		labelled(fieldLabel(tr.T("doctorreport.period")), r.preset),
		period,
		caption(tr.T("doctorreport.period_hint")),
		r.state,
		container.NewHBox(tall(r.save), tall(r.open)),
	)
	r.d = dialog.NewCustom(tr.T("doctorreport.title"), tr.T("doctorreport.close"), content, u.win)
	r.d.Resize(fyne.NewSize(560*float32(u.textScale()), 0))
	r.d.Show()
	return r
}

// reportPresets are the usual periods' names.
func reportPresets() (sinceAppt, last30, last90, last365 string) {
	return tr.T("doctorreport.since_appt"), tr.T("doctorreport.last_30"), tr.T("doctorreport.last_90"), tr.T("doctorreport.last_12_months")
}

// pickDate shows a calendar under button, on the month of e's date (today's when it has
// none); the day picked goes into e as YYYY-MM-DD.
func (u *UI) pickDate(e *navEntry, button fyne.CanvasObject) {
	start := u.now()
	if d, err := data.ParseDate(e.Text); err == nil {
		start = time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	}
	var pop *widget.PopUp
	cal := widget.NewCalendar(start, func(t time.Time) {
		e.SetText(data.DateOf(t).String())
		pop.Hide()
	})
	c := fyne.CurrentApp().Driver().CanvasForObject(button)
	if c == nil {
		c = u.win.Canvas()
	}
	pop = widget.NewPopUp(cal, c)
	pop.ShowAtRelativePosition(fyne.NewPos(0, button.Size().Height), button)
}

// period reads the dialog's period, saying what is wrong beside the field.
func (r *reportDialog) period() (from, to data.Date, ok bool) {
	var err error
	ok = true
	if from, err = data.ParseDate(r.from.Text); err != nil {
		say(r.fromErr, tr.T("doctorreport.bad_date"))
		ok = false
	}
	if to, err = data.ParseDate(r.to.Text); err != nil {
		say(r.toErr, tr.T("doctorreport.bad_date"))
		ok = false
	}
	if ok && to.Before(from) {
		say(r.toErr, tr.T("doctorreport.order"))
		ok = false
	}
	return from, to, ok
}

// chooseReportFile asks where to save the report, then saves it there.
func (u *UI) chooseReportFile(r *reportDialog) {
	if _, _, ok := r.period(); !ok {
		return
	}
	name := strings.Map(func(c rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, c) {
			return '-'
		}
		return c
	}, r.store.Info().Name)
	file := tr.T("doctorreport.file_name", tr.Args{"Name": name, "Date": strings.TrimSpace(r.to.Text)})
	u.saveDialog(file, ".pdf",
		func() bool { return true }, func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				return // cancelled
			}
			// Fyne has created the file to write; the report replaces it whole (report.SaveFile).
			path := w.URI().Path()
			_ = w.Close()
			u.saveReport(r, path)
		})
}

// saveReport makes the report for the dialog's period and writes it to path.
func (u *UI) saveReport(r *reportDialog, path string) {
	from, to, ok := r.period()
	if !ok {
		return
	}
	r.save.Disable()
	r.open.Disable()
	r.state.Importance = widget.MediumImportance
	say(r.state, tr.T("doctorreport.saving"))
	st, now := r.store, u.now()
	opt := report.Options{From: from, To: to, Now: now}
	if c := u.opt.Clinic; c != nil {
		opt.Clinic = c.Name
	}
	paper := report.PaperFor(os.Getenv)
	background(r.prof, func(ctx context.Context) (int, error) {
		set, err := st.Settings(ctx)
		if err != nil {
			return 0, err
		}
		opt.Units = data.VitalUnitsFor(set, data.Locale(os.Getenv))
		rep, readErr := report.Collect(ctx, st, opt)
		var te *data.TamperedError
		if readErr != nil && !errors.As(readErr, &te) {
			return 0, readErr
		}
		var buf bytes.Buffer
		pages, err := report.Write(&buf, rep, paper)
		if err != nil {
			return 0, err
		}
		if err := report.SaveFile(path, buf.Bytes()); err != nil {
			return 0, err
		}
		return pages, readErr
	}, func(pages int, err error) {
		r.save.Enable()
		var te *data.TamperedError
		if err != nil && !errors.As(err, &te) {
			r.state.Importance = widget.DangerImportance
			say(r.state, tr.T("doctorreport.failed"))
			return
		}
		r.saved = path
		r.open.Enable()
		text := tr.N("doctorreport.saved", pages, tr.Args{"Path": path})
		if te != nil {
			r.state.Importance = widget.WarningImportance
			text = tr.N("doctorreport.saved_damaged", pages, tr.Args{"Path": path})
		}
		say(r.state, text)
	})
}

// openReport shows the saved report in the computer's PDF viewer.
func (u *UI) openReport(r *reportDialog) {
	if r.saved == "" {
		return
	}
	if err := u.app.OpenURL(&url.URL{Scheme: "file", Path: r.saved}); err != nil {
		r.state.Importance = widget.WarningImportance
		say(r.state, tr.T("doctorreport.open_failed"))
	}
}
