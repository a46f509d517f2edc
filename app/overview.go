package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/data"
)

// The caregiver overview ("Everyone", Ctrl+0): every profile on this computer on one
// screen — for each open and unlocked one, what is due now, what was missed today and the
// next appointment; for the others, that they are locked or not open (and so get no
// reminders), with a button to open them.

const msgOverviewLoadFailed = "This could not be read just now."

const msgOverviewLocked = "Locked. Reminders still come, without medicine names."

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
	o.box = container.NewVBox(heading("Everyone"),
		paragraph("Reminders come for everyone whose journal is open, even while someone else's is on screen."))
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
	r.show = widget.NewButtonWithIcon("Show", theme.NavigateNextIcon(), func() {
		if u.cur != nil && u.cur.id() == id {
			u.showToday()
			return
		}
		u.switchProfile(id)
	})
	p := u.openByID(pi.ID)
	switch {
	case p != nil && p == u.cur:
		r.detail.SetText("Loading…")
		r.show.SetText("Today")
	case p == nil:
		r.detail.SetText("Not open, so no reminders come for " + pi.Name + ".")
		r.show.SetText("Open…")
	case p.locked.Load():
		r.detail.SetText(msgOverviewLocked)
		r.show.SetText("Unlock…")
	default:
		r.detail.SetText("Loading…")
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
				r.detail.SetText(joinLines(msgOverviewLocked, overdueText(c)))
			case locked:
			case err != nil && !errors.Is(err, context.Canceled):
				r.detail.SetText(msgOverviewLoadFailed)
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
		text := medText(d.Occurrence) + " at " + d.At.In(loc).Format("15:04")
		switch {
		case d.Waiting():
			c.due = append(c.due, text)
			if c.alert > 0 && now.Sub(d.At) >= c.alert {
				c.overdue = append(c.overdue, d.At.In(loc).Format("15:04"))
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
	switch len(c.due) {
	case 0:
		lines = append(lines, "Nothing to take right now.")
	default:
		lines = append(lines, fmt.Sprintf("To take now (%d): %s", len(c.due), strings.Join(c.due, "; ")))
	}
	if len(c.missed) > 0 {
		lines = append(lines, fmt.Sprintf("Missed today (%d): %s", len(c.missed), strings.Join(c.missed, "; ")))
	}
	if a := c.next; a != nil {
		lines = append(lines, "Next appointment: "+a.Title+", "+appointmentWhen(a.Start.In(loc), now.In(loc)))
	} else {
		lines = append(lines, "No appointments coming up.")
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
	return fmt.Sprintf("⚠ Not marked taken for over %s: %s", spanText(c.alert), strings.Join(c.overdue, ", "))
}

// spanText words a whole number of minutes: "an hour", "2 hours", "45 minutes".
func spanText(d time.Duration) string {
	m := int(d / time.Minute)
	switch {
	case m == 60:
		return "an hour"
	case m > 0 && m%60 == 0:
		return fmt.Sprintf("%d hours", m/60)
	case m == 1:
		return "a minute"
	}
	return fmt.Sprintf("%d minutes", m)
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
