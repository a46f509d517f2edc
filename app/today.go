package app

import (
	"context"
	"errors"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// todayScreen shows what to take now, what was missed, what comes later today, the next
// appointment, and a button per as-needed medicine.
type todayScreen struct {
	screenBase
	loaded bool

	syncLine *widget.Label // the portal sync status
	// backupLine is the gentle reminder after 30 days without a backup (backup.go).
	backupLine *widget.Label
	status     *widget.Label // loading, failure or the empty state
	retry      *widget.Button
	retryBox   *fyne.Container // holds retry; hidden with it (tall keeps its height)
	warning    *widget.Label
	body       *fyne.Container

	// Built from each load.
	due, missed, later, done []*doseRow
	asNeeded                 []*asNeededRow
	appointment              *widget.Label // nil without one
	refills                  []*refillBox  // medicines running out (refill.go)
}

// todayData is what one load of Today read.
type todayData struct {
	doses    []remind.Dose
	asNeeded []data.Medication
	next     *data.Appointment
	damaged  bool
	sync     syncInfo
	syncErr  error
	// backupDue: 30 days without a backup (backup.go).
	backupDue bool
	// refills: medicines within their refill days (refill.go).
	refills []remind.RefillDue
}

// loadToday reads today's doses, the as-needed medicines and the next appointment.
func loadToday(ctx context.Context, st *data.Store, now time.Time) (todayData, error) {
	var td todayData
	var te *data.TamperedError
	loc := st.Location()
	meds, err := st.ListMedications(ctx)
	if errors.As(err, &te) {
		td.damaged = true
	} else if err != nil {
		return td, err
	}
	from, to := remind.TodaySpan(meds, now, loc)
	events, err := st.DoseEvents(ctx, "", from, to)
	if errors.As(err, &te) {
		td.damaged = true
	} else if err != nil {
		return td, err
	}
	idx := remind.NewEvents(events)
	for _, m := range meds {
		if m.Archived {
			continue
		}
		if m.AsNeeded {
			td.asNeeded = append(td.asNeeded, m)
			continue
		}
		ms, err := remind.NewMedSchedule(m, loc)
		if err != nil {
			continue
		}
		td.doses = append(td.doses, ms.DayDoses(idx, now)...)
	}
	sort.SliceStable(td.doses, func(i, j int) bool { return td.doses[i].At.Before(td.doses[j].At) })
	td.refills = remind.RefillsDue(meds, loc, now)
	appts, err := st.ListAppointments(ctx, now, time.Time{})
	if errors.As(err, &te) {
		td.damaged = true
	} else if err != nil {
		return td, err
	}
	for _, a := range appts {
		if a.Takes() {
			a := a
			td.next = &a
			break
		}
	}
	td.sync, td.syncErr = loadSyncInfo(ctx, st)
	td.backupDue = st.BackupReminder(ctx, now)
	return td, nil
}

// showToday shows the Today screen and loads it.
func (u *UI) showToday() {
	b, ok := u.newScreen(navToday)
	if !ok {
		return
	}
	t := &todayScreen{screenBase: b}
	u.today = t

	t.syncLine = caption("")
	t.syncLine.Hide()
	t.backupLine = caption("")
	t.backupLine.Hide()
	t.status = paragraph(tr.T("today.loading"))
	t.retry = widget.NewButton(tr.T("today.try_again"), u.refreshToday)
	t.retryBox = container.NewCenter(tall(t.retry))
	t.retryBox.Hide()
	t.warning = paragraph("")
	t.warning.Importance = widget.WarningImportance
	t.warning.Hide()
	t.body = container.NewVBox()
	content := container.NewVScroll(container.NewPadded(column(760,
		container.NewVBox(t.syncLine, t.backupLine, t.warning, t.status, t.retryBox, t.body))))
	u.setContent(u.frame(b, content))
	u.refreshToday()
}

// refreshToday reads Today again (after a reminder, or as the clock moves on).
func (u *UI) refreshToday() {
	t := u.today
	if t == nil {
		return
	}
	t.retryBox.Hide()
	st := t.store
	now := u.now()
	background(t.prof, func(ctx context.Context) (todayData, error) {
		return loadToday(ctx, st, now)
	}, func(td todayData, err error) {
		if u.today != t {
			return
		}
		if err != nil {
			if !t.loaded {
				say(t.status, tr.T("today.load_failed"))
				t.retryBox.Show()
			}
			return
		}
		t.loaded = true
		if td.syncErr != nil {
			say(t.syncLine, syncReadFailed())
		} else {
			say(t.syncLine, syncText(td.sync, t.prof.sync, now))
		}
		if td.backupDue {
			say(t.backupLine, msgTodayBackup())
		} else {
			say(t.backupLine, "")
		}
		if td.damaged {
			say(t.warning, tr.T("today.damaged"))
		} else {
			say(t.warning, "")
		}
		u.fillToday(t, td, now)
	})
}

// fillToday lays out the groups of a load.
func (u *UI) fillToday(t *todayScreen, td todayData, now time.Time) {
	loc := t.store.Location()
	t.due, t.missed, t.later, t.done, t.asNeeded, t.appointment = nil, nil, nil, nil, nil, nil
	t.refills = nil
	for _, d := range td.doses {
		switch {
		case d.Answered():
			t.done = append(t.done, u.newDoseRow(d, loc))
		case d.Status == remind.Upcoming:
			t.later = append(t.later, u.newDoseRow(d, loc))
		case d.Status == remind.Missed:
			t.missed = append(t.missed, u.newDoseRow(d, loc))
		default: // waiting: due, late, snoozed
			t.due = append(t.due, u.newDoseRow(d, loc))
		}
	}
	var objs []fyne.CanvasObject
	group := func(title string, rows []*doseRow) {
		if len(rows) == 0 {
			return
		}
		objs = append(objs, subheading(title))
		for _, r := range rows {
			objs = append(objs, r.box)
		}
	}
	if len(td.doses) == 0 && len(td.asNeeded) == 0 && td.next == nil && len(td.refills) == 0 {
		say(t.status, tr.T("today.empty"))
	} else {
		say(t.status, "")
		if len(td.doses) > 0 {
			objs = append(objs, subheading(tr.T("today.take_now")))
			if len(t.due) == 0 {
				objs = append(objs, paragraph(tr.T("today.nothing_due")))
			}
			for _, r := range t.due {
				objs = append(objs, r.box)
			}
		}
		group(tr.T("today.missed_today"), t.missed)
		if len(td.refills) > 0 {
			objs = append(objs, subheading(tr.T("today.running_out")))
			for _, rd := range td.refills {
				rb := u.newRefillBox(t.prof, t.store, rd.Med, rd.Supply, now)
				t.refills = append(t.refills, rb)
				objs = append(objs, rb.box)
			}
		}
		group(tr.T("today.later_today"), t.later)
		group(tr.T("today.done_today"), t.done)
		if td.next != nil {
			a := *td.next
			text := apptTitle(a) + "\n" + appointmentWhen(a.Start.In(loc), now.In(loc))
			if a.Location != "" {
				text += "\n" + a.Location
			}
			t.appointment = paragraph(text)
			objs = append(objs, subheading(tr.T("today.next_appointment")), t.appointment)
		}
		if len(td.asNeeded) > 0 {
			objs = append(objs, subheading(tr.T("today.as_needed")))
			for _, m := range td.asNeeded {
				r := u.newAsNeededRow(m)
				t.asNeeded = append(t.asNeeded, r)
				objs = append(objs, r.box)
			}
		}
	}
	t.body.Objects = objs
	t.body.Refresh()
}

// appointmentWhen says when an appointment is: "Today at 09:30", "Tomorrow at 09:30",
// "Mon 1 Dec at 09:30".
func appointmentWhen(at, now time.Time) string {
	clock := tr.Args{"Time": tr.Format(at, tr.Clock)}
	y, m, d := now.Date()
	switch ay, am, ad := at.Date(); {
	case ay == y && am == m && ad == d:
		return tr.T("today.when_today", clock)
	case at.Format(time.DateOnly) == now.AddDate(0, 0, 1).Format(time.DateOnly):
		return tr.T("today.when_tomorrow", clock)
	default:
		return tr.Format(at, tr.DayClock)
	}
}

// medText names a dose: "Metformin 500 mg".
func medText(o remind.Occurrence) string {
	if o.Dose != "" {
		return o.Medication + " " + o.Dose
	}
	return o.Medication
}

// doseRow is one scheduled dose on Today.
type doseRow struct {
	item    remind.Dose
	name    *widget.Label
	detail  *widget.Label
	taken   *widget.Button // nil for later doses
	skip    *widget.Button
	buttons *fyne.Container // holds taken and skip
	box     fyne.CanvasObject
}

func (u *UI) newDoseRow(d remind.Dose, loc *time.Location) *doseRow {
	r := &doseRow{item: d}
	r.name = widget.NewLabelWithStyle(medText(d.Occurrence), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.detail = widget.NewLabel("")
	r.detail.Wrapping = fyne.TextWrapWord
	r.setDetail(loc)
	if !d.Answered() && d.Status != remind.Upcoming {
		r.taken = widget.NewButtonWithIcon(tr.T("today.taken"), theme.ConfirmIcon(), func() { u.answerToday(r, data.DoseTaken) })
		r.taken.Importance = widget.HighImportance
		r.skip = widget.NewButton(tr.T("today.skip"), func() { u.answerToday(r, data.DoseSkipped) })
		r.buttons = container.NewHBox(tall(r.taken), tall(r.skip))
	}
	text := container.New(layout.NewCustomPaddedVBoxLayout(-12), r.name, r.detail)
	if r.buttons != nil {
		r.box = besideOrBelow(text, container.NewCenter(r.buttons))
	} else {
		r.box = text
	}
	return r
}

// setDetail says when the dose is and what happened to it.
func (r *doseRow) setDetail(loc *time.Location) {
	d := r.item
	at := tr.Format(d.At.In(loc), tr.Clock)
	var s string
	switch d.Status {
	case remind.Taken:
		s = tr.T("today.detail_taken", tr.Args{"Time": tr.Format(d.Event.At.In(loc), tr.Clock), "Due": at})
	case remind.Skipped:
		s = tr.T("today.detail_skipped", tr.Args{"Due": at})
	case remind.Upcoming:
		s = tr.T("today.detail_upcoming", tr.Args{"Due": at})
	case remind.Missed:
		s = tr.T("today.detail_missed", tr.Args{"Due": at})
	case remind.Snoozed:
		s = tr.T("today.detail_snoozed", tr.Args{"Due": at, "Time": tr.Format(d.Event.SnoozeUntil.In(loc), tr.Clock)})
	case remind.Late:
		s = tr.T("today.detail_late", tr.Args{"Due": at})
	default:
		s = tr.T("today.detail_due", tr.Args{"Due": at})
	}
	r.detail.SetText(s)
}

// answerToday records Taken or Skip for a row of Today.
func (u *UI) answerToday(r *doseRow, state string) {
	t := u.today
	if t == nil || r.taken == nil || r.taken.Disabled() {
		return
	}
	r.taken.Disable()
	r.skip.Disable()
	u.answerDose(t.prof, u.win, r.item.Occurrence, state, func(err error) {
		if err != nil {
			r.taken.Enable()
			r.skip.Enable()
			r.detail.SetText(tr.T("today.save_error"))
			u.failed(u.win, tr.T("today.not_recorded"), tr.T("today.press_again"))
		}
	})
}

func sameDose(a, b remind.Occurrence) bool {
	return a.MedicationID == b.MedicationID && a.At.Equal(b.At)
}

// doseAnswered shows what was just recorded for dose o of p (ev) on Today and in p's
// reminder window: one answer, shown wherever the dose shows.
func (u *UI) doseAnswered(p *openProfile, o remind.Occurrence, ev data.DoseEvent) {
	d := remind.DoseAt(o, ev, u.now())
	if t := u.today; t != nil && t.prof == p {
		loc := t.store.Location()
		for _, group := range [][]*doseRow{t.due, t.missed, t.later} {
			for _, r := range group {
				if !sameDose(r.item.Occurrence, o) {
					continue
				}
				r.item = d
				r.setDetail(loc)
				if r.taken != nil {
					if d.Answered() {
						r.taken.Hide()
						r.skip.Hide()
						r.buttons.Hide()
					} else {
						r.taken.Enable()
						r.skip.Enable()
					}
				}
			}
		}
		t.body.Refresh()
	}
	if w := p.reminder; w != nil {
		w.answered(d)
	}
}

// asNeededRow is an as-needed medicine with its "Log a dose" button.
type asNeededRow struct {
	med    data.Medication
	name   *widget.Label
	status *widget.Label
	log    *widget.Button
	box    fyne.CanvasObject
}

func (u *UI) newAsNeededRow(m data.Medication) *asNeededRow {
	r := &asNeededRow{med: m}
	text := m.Name
	if m.Dose != "" {
		text += " " + m.Dose
	} else if m.Strength != "" {
		text += " " + m.Strength
	}
	r.name = widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.status = widget.NewLabel("")
	r.status.Hide()
	r.log = widget.NewButtonWithIcon(tr.T("today.log_dose"), theme.ContentAddIcon(), func() { u.logAsNeeded(r) })
	r.box = besideOrBelow(container.New(layout.NewCustomPaddedVBoxLayout(-12), r.name, r.status),
		container.NewCenter(tall(r.log)))
	return r
}

// logAsNeeded records a dose of an as-needed medicine, taken now.
func (u *UI) logAsNeeded(r *asNeededRow) {
	t := u.today
	if t == nil || r.log.Disabled() {
		return
	}
	r.log.Disable()
	st := t.store
	now := u.now()
	background(t.prof, func(ctx context.Context) (data.DoseEvent, error) {
		return st.RecordDose(ctx, data.DoseEvent{MedicationID: r.med.ID, State: data.DoseTaken, At: now})
	}, func(ev data.DoseEvent, err error) {
		r.log.Enable()
		if err != nil {
			say(r.status, tr.T("today.save_error"))
			u.failed(u.win, tr.T("today.not_recorded"), tr.T("today.press_again"))
			return
		}
		say(r.status, tr.T("today.dose_logged", tr.Args{"Time": tr.Format(ev.At.In(st.Location()), tr.Clock)}))
		if u.today == t {
			t.body.Refresh()
		}
	})
}
