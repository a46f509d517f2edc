package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// The caregiver overview ("Everyone", Ctrl+0): every profile on this computer on one
// screen — for each open and unlocked one, what is due now, what was missed today and the
// next appointment; for the others, that they are locked or not open (and so get no
// reminders), with a button to open them.

type overviewScreen struct {
	screenBase
	rows []*overviewRow
	box  *fyne.Container
}

// overviewRow is one person in the overview.
type overviewRow struct {
	id     string
	name   *widget.Label
	detail *widget.Label
	show   *widget.Button
	box    fyne.CanvasObject
}

// overviewCounts is what the overview says about one open profile.
type overviewCounts struct {
	due, missed []string // "Metformin 500 mg at 08:00"
	next        *data.Appointment
	// overdue are the times of doses still unanswered the person's caregiver_alert_minutes
	// (alert) after them ("08:00"): the caregiver alert, marked here without names.
	overdue []string
	alert   time.Duration
}

func (u *UI) showOverview() {
	b, ok := u.newScreen("") // no side bar entry: the top bar's Everyone
	if !ok {
		return
	}
	o := &overviewScreen{screenBase: b}
	u.overview = o
	o.box = container.NewVBox(heading(tr.T("overview.title")),
		paragraph(tr.T("overview.intro")))
	for _, pi := range u.known {
		if pi.Err != nil {
			continue
		}
		r := u.newOverviewRow(pi)
		o.rows = append(o.rows, r)
		o.box.Add(r.box)
	}
	u.setContent(u.frame(b, container.NewVScroll(container.NewPadded(column(760, o.box)))))
	o.box.Refresh()
	u.loadOverview(o)
}

func (u *UI) newOverviewRow(pi data.ProfileInfo) *overviewRow {
	r := &overviewRow{id: pi.ID}
	r.name = subheading(pi.Name)
	r.detail = paragraph("")
	id := pi.ID
	r.show = widget.NewButtonWithIcon(tr.T("overview.show"), theme.NavigateNextIcon(), func() {
		if u.cur != nil && u.cur.id() == id {
			u.showToday()
			return
		}
		u.switchProfile(id)
	})
	p := u.openByID(pi.ID)
	switch {
	case p != nil && p == u.cur:
		r.detail.SetText(tr.T("overview.loading"))
		r.show.SetText(tr.T("overview.today"))
	case p == nil:
		r.detail.SetText(tr.T("overview.not_open", tr.Args{"Name": pi.Name}))
		r.show.SetText(tr.T("overview.open"))
	case p.locked.Load():
		r.detail.SetText(tr.T("overview.locked"))
		r.show.SetText(tr.T("overview.unlock"))
	default:
		r.detail.SetText(tr.T("overview.loading"))
	}
	r.box = container.NewVBox(container.NewBorder(nil, nil, nil, container.NewCenter(tall(r.show)), r.name),
		r.detail, widget.NewSeparator())
	return r
}

// loadOverview reads today for every open profile, off the UI goroutine.
func (u *UI) loadOverview(o *overviewScreen) {
	now := u.now()
	for _, r := range o.rows {
		p := u.openByID(r.id)
		if p == nil {
			continue
		}
		// A locked profile is read too, for the caregiver alert, shown without names.
		locked := p.locked.Load()
		st := p.store
		background(p, func(ctx context.Context) (overviewCounts, error) {
			return countToday(ctx, st, now)
		}, func(c overviewCounts, err error) {
			if u.overview != o {
				return
			}
			switch {
			case locked && err == nil:
				r.detail.SetText(joinLines(tr.T("overview.locked"), overdueText(c)))
			case locked:
			case err != nil && !errors.Is(err, context.Canceled):
				r.detail.SetText(tr.T("overview.load_failed"))
				return
			default:
				r.detail.SetText(joinLines(overdueText(c), overviewText(c, st.Location(), now)))
			}
			// Wrapped labels grow as their text does: lay the column out again.
			o.box.Refresh()
		})
	}
}

// countToday sorts st's doses of today as the Today screen does.
func countToday(ctx context.Context, st *data.Store, now time.Time) (overviewCounts, error) {
	var c overviewCounts
	td, err := loadToday(ctx, st, now)
	if err != nil {
		return c, err
	}
	loc := st.Location()
	set, _ := st.Settings(ctx) // damaged: the defaults come with the error
	c.alert = set.CaregiverAlert
	for _, d := range td.doses {
		clock := tr.Format(d.At.In(loc), tr.Clock)
		text := tr.T("overview.dose_at", tr.Args{"Medicine": medText(d.Occurrence), "Time": clock})
		switch {
		case d.Waiting():
			c.due = append(c.due, text)
			if c.alert > 0 && now.Sub(d.At) >= c.alert {
				c.overdue = append(c.overdue, clock)
			}
		case d.Status == remind.Missed:
			c.missed = append(c.missed, text)
		}
	}
	c.next = td.next
	return c, nil
}

func overviewText(c overviewCounts, loc *time.Location, now time.Time) string {
	var lines []string
	if len(c.due) == 0 {
		lines = append(lines, tr.T("overview.nothing_due"))
	} else {
		lines = append(lines, tr.N("overview.to_take", len(c.due), tr.Args{"Doses": strings.Join(c.due, "; ")}))
	}
	if len(c.missed) > 0 {
		lines = append(lines, tr.N("overview.missed", len(c.missed), tr.Args{"Doses": strings.Join(c.missed, "; ")}))
	}
	if a := c.next; a != nil {
		lines = append(lines, tr.T("overview.next_appointment", tr.Args{"Title": apptTitle(*a), "When": appointmentWhen(a.Start.In(loc), now.In(loc))}))
	} else {
		lines = append(lines, tr.T("overview.no_appointments"))
	}
	return strings.Join(lines, "\n")
}

// overdueText marks the doses left unanswered past the caregiver alert, by their times only
// (it shows for a locked profile too): "Not marked taken for over an hour: 08:00, 12:00".
// "" for none.
func overdueText(c overviewCounts) string {
	if len(c.overdue) == 0 {
		return ""
	}
	m := int(c.alert / time.Minute)
	times := tr.Args{"Times": strings.Join(c.overdue, ", ")}
	if m > 0 && m%60 == 0 {
		return tr.N("overview.overdue_hours", m/60, times)
	}
	return tr.N("overview.overdue_minutes", m, times)
}

// joinLines joins the lines that are not empty.
func joinLines(lines ...string) string {
	var out []string
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
