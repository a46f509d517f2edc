package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/data"
)

const (
	msgApptsLoading    = "Loading your appointments…"
	msgApptsLoadFailed = "Your appointments could not be read just now. Please try again."
	msgApptsEmpty      = "No appointments yet. Add one below, or connect to your clinic's portal " +
		"and they will show here."
	msgApptSaveFailed = "The appointment could not be saved. Please try again."
	msgApptNoTitle    = "Write what the appointment is, for example: Blood test."
	msgApptBadWhen    = "Write the date and time like 2025-12-01 09:30."
	apptWhenLayout    = "2006-01-02 15:04"
)

// appointmentsScreen lists upcoming and past appointments and has a form to add one.
type appointmentsScreen struct {
	screenBase
	loaded bool

	status   *widget.Label // loading, failure or the empty state
	warning  *widget.Label
	calState *widget.Label // what "Add to calendar" did (calendar.go)
	calSave  *dialog.FileDialog
	upcoming []*apptRow
	past     []*apptRow
	list     *fyne.Container

	// The form.
	what     *navEntry
	whatErr  *widget.Label
	when     *navEntry
	whenErr  *widget.Label
	place    *navEntry
	add      *widget.Button
	addState *widget.Label

	report *reportLauncher

	// Acting on appointments (apptactions.go).
	ask        *widget.Button // "Ask for an appointment"
	notice     *widget.Label  // what the last action did, above the list
	req        *apptRequestForm
	cancelForm *apptCancelForm
	sendForm   *questionsSendForm
	survey     *surveyForm
	openQs     map[string]bool // appointments whose questions are unfolded, by id
}

// apptRow is one appointment in the list.
type apptRow struct {
	appt   data.Appointment
	when   *widget.Label
	name   *widget.Label
	place  *widget.Label  // hidden without a place
	status *widget.Label  // "Cancelled", hidden otherwise
	source *widget.Label  // "From your clinic", hidden for local ones
	cal    *widget.Button // "Add to calendar": saves it as a .ics file
	box    *fyne.Container
	btns   *fyne.Container // the row's buttons, side by side

	state  *widget.Label  // a request's or cancellation's progress, or why it failed
	book   *widget.Button // "Open the clinic's booking page", for a refused request
	cancel *widget.Button // "Cancel…", on an upcoming one that can be cancelled
	qs     *apptQuestions // questions for the doctor, on an upcoming one that takes place
	sv     data.Survey    // its survey after the visit (ID "" when none)
	svBtn  *widget.Button // "How was your visit?", while the survey is open
	svText *widget.Label  // the survey's state once answered
}

func (u *UI) showAppointments() {
	b, ok := u.newScreen(navAppointments)
	if !ok {
		return
	}
	a := &appointmentsScreen{screenBase: b}
	u.appointments = a

	a.status = paragraph(msgApptsLoading)
	a.warning = paragraph("")
	a.warning.Importance = widget.WarningImportance
	a.warning.Hide()
	a.calState = paragraph("")
	a.calState.Hide()
	a.list = container.NewVBox()

	a.what = u.newEntry()
	a.what.SetPlaceHolder("For example: Blood test")
	a.what.OnChanged = func(string) { say(a.whatErr, ""); say(a.addState, "") }
	a.whatErr = message()
	a.when = u.newEntry()
	a.when.SetPlaceHolder(apptWhenLayout)
	a.when.OnChanged = func(string) { say(a.whenErr, ""); say(a.addState, "") }
	a.when.OnSubmitted = func(string) { u.addAppointment() }
	a.whenErr = message()
	a.place = u.newEntry()
	a.place.SetPlaceHolder("For example: Health centre, room 4")
	a.place.OnSubmitted = func(string) { u.addAppointment() }
	a.add = widget.NewButtonWithIcon("Add appointment", theme.ContentAddIcon(), u.addAppointment)
	a.add.Importance = widget.HighImportance
	a.addState = widget.NewLabel("")
	a.addState.Wrapping = fyne.TextWrapWord
	a.addState.Hide()
	when := labelled(fieldLabel("When?"), a.when, caption("Year-month-day hour:minute, like 2026-12-01 09:30."), a.whenErr)
	where := labelled(fieldLabel("Where? (optional)"), a.place)
	whenWhere := container.NewGridWithColumns(2, when, where)
	if u.textScale() >= 1.5 {
		whenWhere = container.NewVBox(when, where) // two across do not fit at large text
	}
	form := container.NewVBox(
		subheading("Add an appointment"),
		labelled(fieldLabel("What is it?"), a.what, a.whatErr),
		whenWhere,
		a.addState,
		container.NewHBox(tall(a.add)),
	)
	a.report = u.newReportLauncher(b)
	a.ask = widget.NewButtonWithIcon("Ask for an appointment", theme.MailComposeIcon(), u.showRequestForm)
	a.notice = paragraph("")
	a.notice.Hide()
	top := container.NewHBox(tall(a.ask), tall(a.report.button))
	if u.textScale() >= 1.5 {
		top = container.NewVBox(container.NewHBox(tall(a.ask)), container.NewHBox(tall(a.report.button)))
	}
	content := container.NewVScroll(container.NewPadded(column(760,
		container.NewVBox(top, a.notice, a.warning, a.calState, a.status, a.list, widget.NewSeparator(), form))))
	u.setContent(u.frame(b, content))
	u.loadAppointments()
}

// loadAppointments reads the appointments and lays them out.
func (u *UI) loadAppointments() {
	a := u.appointments
	if a == nil {
		return
	}
	st := a.store
	background(a.prof, func(ctx context.Context) (apptData, error) {
		return loadApptData(ctx, st)
	}, func(d apptData, err error) {
		if u.appointments != a {
			return
		}
		var te *data.TamperedError
		switch {
		case errors.As(err, &te):
			say(a.warning, "Some appointments could not be read because the file was damaged. "+
				"Everything else is shown, and nothing was changed.")
		case err != nil:
			if !a.loaded {
				say(a.status, msgApptsLoadFailed)
			}
			return
		default:
			say(a.warning, "")
		}
		a.loaded = true
		u.fillAppointments(a, d)
	})
}

func (u *UI) fillAppointments(a *appointmentsScreen, d apptData) {
	now := u.now()
	loc := a.store.Location()
	list := d.list
	a.upcoming, a.past = nil, nil
	for _, ap := range list {
		end := ap.End
		if end.IsZero() {
			end = ap.Start
		}
		r := newApptRow(ap, loc, now, u.addToCalendar)
		// A request is never "past": it waits for the clinic whatever its first day was.
		if end.Before(now) && ap.Status != data.StatusRequested {
			a.past = append([]*apptRow{r}, a.past...) // latest first
			u.addSurveyPart(a, r, d.surveys[ap.ID])
		} else {
			a.upcoming = append(a.upcoming, r)
			u.addActionParts(a, r, d.questions[ap.ID])
		}
	}
	var objs []fyne.CanvasObject
	if len(list) == 0 {
		say(a.status, msgApptsEmpty)
	} else {
		say(a.status, "")
		objs = append(objs, subheading("Coming up"))
		if len(a.upcoming) == 0 {
			objs = append(objs, paragraph("No appointments coming up."))
		}
		for i, r := range a.upcoming {
			if i > 0 {
				// A line between appointments: each has several buttons now, and
				// without it one's questions run into the next one's title.
				objs = append(objs, widget.NewSeparator())
			}
			objs = append(objs, r.box)
		}
		if len(a.past) > 0 {
			objs = append(objs, subheading("Past"))
			for i, r := range a.past {
				if i > 0 {
					objs = append(objs, widget.NewSeparator())
				}
				objs = append(objs, r.box)
			}
		}
	}
	a.list.Objects = objs
	a.list.Refresh()
}

func newApptRow(ap data.Appointment, loc *time.Location, now time.Time, toCalendar func(data.Appointment)) *apptRow {
	r := &apptRow{appt: ap}
	when := ap.Start.In(loc)
	text := when.Format("Mon 2 Jan 2006") + " at " + when.Format("15:04")
	if w := appointmentWhen(when, now.In(loc)); strings.HasPrefix(w, "Today") || strings.HasPrefix(w, "Tomorrow") {
		text = w
	}
	r.when = widget.NewLabel(text)
	r.name = widget.NewLabelWithStyle(ap.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.name.Wrapping = fyne.TextWrapWord
	r.place = widget.NewLabel(ap.Location)
	r.place.Wrapping = fyne.TextWrapWord
	if ap.Location == "" {
		r.place.Hide()
	}
	r.status = widget.NewLabelWithStyle("Cancelled", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.status.Importance = widget.DangerImportance
	if ap.Status == "cancelled" {
		r.name.SetText("Cancelled: " + ap.Title)
	} else {
		r.status.Hide()
	}
	r.source = caption("From your clinic")
	if ap.Source != "portal" {
		r.source.Hide()
	}
	r.cal = widget.NewButtonWithIcon("Add to calendar", theme.CalendarIcon(), func() { toCalendar(ap) })
	// The button goes under the text, not beside it: at 200 % text it would not fit across.
	r.btns = container.NewHBox(tall(r.cal))
	if ap.Status == data.StatusRequested {
		// A request has no time yet: what would suit, and no calendar entry.
		r.name.SetText(ap.Title)
		r.when.SetText(requestDays(ap))
		r.cal.Hide()
		r.btns.Objects = nil
	}
	r.box = container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewVBox(r.status, r.source),
			container.New(layout.NewCustomPaddedVBoxLayout(-12), r.name, r.when, r.place)),
		r.btns)
	return r
}

// addAppointment checks the form and stores the appointment.
func (u *UI) addAppointment() {
	a := u.appointments
	if a == nil || a.add.Disabled() {
		return
	}
	loc := a.store.Location()
	ok := true
	title := strings.TrimSpace(a.what.Text)
	if title == "" {
		say(a.whatErr, msgApptNoTitle)
		ok = false
	}
	start, err := time.ParseInLocation(apptWhenLayout, strings.TrimSpace(a.when.Text), loc)
	if err != nil {
		say(a.whenErr, msgApptBadWhen)
		ok = false
	}
	if !ok {
		return
	}
	ap := data.Appointment{Title: title, Start: start, Location: a.place.Text}
	a.add.Disable()
	st := a.store
	background(a.prof, func(ctx context.Context) (data.Appointment, error) {
		return st.AddAppointment(ctx, ap)
	}, func(saved data.Appointment, err error) {
		if u.appointments != a {
			return
		}
		a.add.Enable()
		switch {
		case errors.Is(err, data.ErrInvalid):
			say(a.addState, inputMessage(err))
			a.addState.Importance = widget.DangerImportance
			a.addState.Refresh()
			return
		case err != nil:
			say(a.addState, msgApptSaveFailed)
			u.failed(u.win, "The appointment was not saved", tryAgain())
			a.addState.Importance = widget.DangerImportance
			a.addState.Refresh()
			return
		}
		a.what.SetText("")
		a.when.SetText("")
		a.place.SetText("")
		a.addState.Importance = widget.MediumImportance
		say(a.addState, "Added: "+saved.Title+", "+saved.Start.In(loc).Format("Mon 2 Jan 2006")+" at "+saved.Start.In(loc).Format("15:04")+".")
		u.loadAppointments()
	})
}
