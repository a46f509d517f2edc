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

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// apptWhenLayout is how a new appointment's date and time are typed, in every language.
const apptWhenLayout = "2006-01-02 15:04"

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

	a.status = paragraph(tr.T("appointments.loading"))
	a.warning = paragraph("")
	a.warning.Importance = widget.WarningImportance
	a.warning.Hide()
	a.calState = paragraph("")
	a.calState.Hide()
	a.list = container.NewVBox()

	a.what = u.newEntry()
	a.what.SetPlaceHolder(tr.T("appointments.what_placeholder"))
	a.what.OnChanged = func(string) { say(a.whatErr, ""); say(a.addState, "") }
	a.whatErr = message()
	a.when = u.newEntry()
	a.when.SetPlaceHolder(apptWhenLayout)
	a.when.OnChanged = func(string) { say(a.whenErr, ""); say(a.addState, "") }
	a.when.OnSubmitted = func(string) { u.addAppointment() }
	a.whenErr = message()
	a.place = u.newEntry()
	a.place.SetPlaceHolder(tr.T("appointments.where_placeholder"))
	a.place.OnSubmitted = func(string) { u.addAppointment() }
	a.add = widget.NewButtonWithIcon(tr.T("appointments.add"), theme.ContentAddIcon(), u.addAppointment)
	a.add.Importance = widget.HighImportance
	a.addState = widget.NewLabel("")
	a.addState.Wrapping = fyne.TextWrapWord
	a.addState.Hide()
	when := labelled(fieldLabel(tr.T("appointments.when")), a.when, caption(tr.T("appointments.when_hint")), a.whenErr)
	where := labelled(fieldLabel(tr.T("appointments.where")), a.place)
	whenWhere := container.NewGridWithColumns(2, when, where)
	if u.textScale() >= 1.5 {
		whenWhere = container.NewVBox(when, where) // two across do not fit at large text
	}
	form := container.NewVBox(
		subheading(tr.T("appointments.add_heading")),
		labelled(fieldLabel(tr.T("appointments.what")), a.what, a.whatErr),
		whenWhere,
		a.addState,
		container.NewHBox(tall(a.add)),
	)
	a.report = u.newReportLauncher(b)
	a.ask = widget.NewButtonWithIcon(tr.T("appointments.ask"), theme.MailComposeIcon(), u.showRequestForm)
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
			say(a.warning, tr.T("appointments.damaged"))
		case err != nil:
			if !a.loaded {
				say(a.status, tr.T("appointments.load_failed"))
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
		say(a.status, tr.T("appointments.empty"))
	} else {
		say(a.status, "")
		objs = append(objs, subheading(tr.T("appointments.coming_up")))
		if len(a.upcoming) == 0 {
			objs = append(objs, paragraph(tr.T("appointments.none_coming")))
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
			objs = append(objs, subheading(tr.T("appointments.past")))
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
	text := apptWhen(when)
	// Today and tomorrow are said so (appointmentWhen's words), without the date.
	if n := now.In(loc); apptSameDay(when, n) || apptSameDay(when, n.AddDate(0, 0, 1)) {
		text = appointmentWhen(when, n)
	}
	r.when = widget.NewLabel(text)
	r.name = widget.NewLabelWithStyle(apptTitle(ap), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.name.Wrapping = fyne.TextWrapWord
	r.place = widget.NewLabel(ap.Location)
	r.place.Wrapping = fyne.TextWrapWord
	if ap.Location == "" {
		r.place.Hide()
	}
	r.status = widget.NewLabelWithStyle(tr.T("appointments.cancelled"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.status.Importance = widget.DangerImportance
	if ap.Status == "cancelled" {
		r.name.SetText(tr.T("appointments.cancelled_title", tr.Args{"Title": apptTitle(ap)}))
	} else {
		r.status.Hide()
	}
	r.source = caption(tr.T("appointments.from_clinic"))
	if ap.Source != "portal" {
		r.source.Hide()
	}
	r.cal = widget.NewButtonWithIcon(tr.T("appointments.add_to_calendar"), theme.CalendarIcon(), func() { toCalendar(ap) })
	// The button goes under the text, not beside it: at 200 % text it would not fit across.
	r.btns = container.NewHBox(tall(r.cal))
	if ap.Status == data.StatusRequested {
		// A request has no time yet: what would suit, and no calendar entry.
		r.name.SetText(apptTitle(ap))
		r.when.SetText(requestDays(ap))
		r.when.Wrapping = fyne.TextWrapWord // two dates, long in some languages at large text
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
		say(a.whatErr, tr.T("appointments.no_title"))
		ok = false
	}
	start, err := time.ParseInLocation(apptWhenLayout, strings.TrimSpace(a.when.Text), loc)
	if err != nil {
		say(a.whenErr, tr.T("appointments.bad_when"))
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
			say(a.addState, tr.T("appointments.save_failed"))
			u.failed(u.win, tr.T("appointments.not_saved"), tryAgain())
			a.addState.Importance = widget.DangerImportance
			a.addState.Refresh()
			return
		}
		a.what.SetText("")
		a.when.SetText("")
		a.place.SetText("")
		a.addState.Importance = widget.MediumImportance
		say(a.addState, tr.T("appointments.added", tr.Args{"Title": saved.Title, "When": apptWhen(saved.Start.In(loc))}))
		u.loadAppointments()
	})
}

// apptWhen says an appointment's date and time: "Mon 2 Jan 2026 at 09:30".
func apptWhen(t time.Time) string {
	return tr.T("appointments.date_at_time", tr.Args{"Date": tr.Format(t, tr.Date), "Time": tr.Format(t, tr.Clock)})
}

// apptSameDay reports whether a and b fall on the same calendar day (each in its own zone).
func apptSameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// requestTitlePrefix begins the title data.RequestAppointment gives a request (in English,
// as the command line shows it): "Requested: " and the reason's first line.
const requestTitlePrefix = "Requested: "

// apptTitle is an appointment's title as the window shows it: a request's title made by the
// app is said again in the person's language; any other is data, shown as it is.
func apptTitle(ap data.Appointment) string {
	if reason, ok := strings.CutPrefix(ap.Title, requestTitlePrefix); ok && ap.Reason != "" {
		return tr.T("appointments.requested_title", tr.Args{"Reason": reason})
	}
	return ap.Title
}
