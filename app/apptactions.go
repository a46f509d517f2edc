package app

// Acting on appointments in the window (issue 15): asking the clinic for one, cancelling
// one, questions for the doctor, and the survey after a visit. The store and the portal do
// the work (data/requests.go, questions.go, surveys.go, sync/portal); this file words it.
// Everything that reads, writes or reaches the portal runs off the UI thread (background).

import (
	"context"
	"encoding/json"
	"errors"
	"image/color"
	"net/url"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/portal"
)

// apptData is what the Appointments screen shows: the appointments, each upcoming one's
// questions and each finished one's survey (by appointment id).
type apptData struct {
	list      []data.Appointment
	questions map[string][]data.Question
	surveys   map[string]data.Survey
}

// loadApptData reads the screen's data, first offering a survey for each visit of the last
// weeks (the clinic's own where it has one for that kind of visit). A damaged record is
// reported in a *TamperedError alongside the rest.
func loadApptData(ctx context.Context, st *data.Store) (apptData, error) {
	d := apptData{questions: map[string][]data.Question{}, surveys: map[string]data.Survey{}}
	var damaged error
	keep := func(err error) error {
		var te *data.TamperedError
		if errors.As(err, &te) {
			damaged = err
			return nil
		}
		return err
	}
	list, err := st.ListAppointments(ctx, time.Time{}, time.Time{})
	if err := keep(err); err != nil {
		return d, err
	}
	d.list = list
	qs, err := st.ListQuestions(ctx, "")
	if err := keep(err); err != nil {
		return d, err
	}
	for _, q := range qs {
		d.questions[q.AppointmentID] = append(d.questions[q.AppointmentID], q)
	}
	clinicQs, err := st.ClinicQuestionnaires(ctx)
	if err := keep(err); err != nil {
		return d, err
	}
	if err := st.OfferSurveys(ctx, portal.PickSurvey(clinicQs)); keep(err) != nil {
		return d, err
	}
	svs, err := st.ListSurveys(ctx)
	if err := keep(err); err != nil {
		return d, err
	}
	for _, sv := range svs {
		d.surveys[sv.AppointmentID] = sv
	}
	return d, damaged
}

// requestDays words the days a request said would suit.
func requestDays(ap data.Appointment) string {
	day := func(d data.Date) string {
		return tr.Format(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC), tr.Date)
	}
	switch {
	case !ap.After.IsZero() && !ap.Before.IsZero():
		return tr.T("apptactions.days_between", tr.Args{"From": day(ap.After), "To": day(ap.Before)})
	case !ap.After.IsZero():
		return tr.T("apptactions.days_from", tr.Args{"From": day(ap.After)})
	case !ap.Before.IsZero():
		return tr.T("apptactions.days_before", tr.Args{"To": day(ap.Before)})
	}
	return tr.T("apptactions.days_any")
}

// apptStateText says where a request or cancellation stands, or why the portal did not
// take it; "" when there is nothing to say.
func (u *UI) apptStateText(ap data.Appointment) string {
	phone := u.clinicPhone()
	switch {
	case ap.Error == portal.CancelByPhone && phone != "":
		return tr.T("apptactions.cancel_by_phone_on", tr.Args{"Phone": phone})
	case ap.Error == portal.CancelByPhone:
		return tr.T("apptactions.cancel_by_phone")
	case ap.Error == portal.RequestsElsewhere:
		return u.bookElsewhere(false, u.bookingPage(""))
	case ap.Error != "":
		return sentence(portalReason(ap.Error, ap.Start.Location()))
	case ap.Pending == data.PendingCancel:
		return tr.T("apptactions.cancel_queued")
	case ap.Status == data.StatusRequested:
		return tr.T("apptactions.requested")
	}
	return ""
}

// bookElsewhere says why the app cannot send a request (the profile is not connected, or
// the clinic does not take them) and where to book instead: the clinic's page when there is
// one, else its telephone.
func (u *UI) bookElsewhere(notLinked bool, page string) string {
	phone := u.clinicPhone()
	switch {
	case notLinked && page != "":
		return tr.T("apptactions.not_linked_page")
	case notLinked && phone != "":
		return tr.T("apptactions.not_linked_phone", tr.Args{"Phone": phone})
	case notLinked:
		return tr.T("apptactions.not_linked_call")
	case page != "":
		return tr.T("apptactions.elsewhere_page")
	case phone != "":
		return tr.T("apptactions.elsewhere_phone", tr.Args{"Phone": phone})
	}
	return tr.T("apptactions.elsewhere_call")
}

// clinicPhone is the clinic file's telephone number, "" when it gives none.
func (u *UI) clinicPhone() string {
	if c := u.opt.Clinic; c != nil {
		return c.Support.Phone
	}
	return ""
}

// bookingPage is the clinic's own page for booking: clinic.json's scheduling_url, else its
// portal address, else (fallback true) the address the profile is connected to.
func (u *UI) bookingPage(connected string) string {
	if c := u.opt.Clinic; c != nil && c.Portal != nil {
		if c.Portal.SchedulingURL != "" {
			return c.Portal.SchedulingURL
		}
		if c.Portal.FHIRBaseURL != "" {
			return c.Portal.FHIRBaseURL
		}
	}
	return connected
}

// bookButton opens page in the browser.
func (u *UI) bookButton(page string, said *widget.Label) *widget.Button {
	b := widget.NewButtonWithIcon(tr.T("apptactions.booking_page"), theme.ComputerIcon(), func() {
		parsed, err := url.Parse(page)
		if err == nil {
			err = u.app.OpenURL(parsed)
		}
		if err != nil && said != nil {
			sayError(said, tr.T("apptactions.no_browser", tr.Args{"Page": page}))
		}
	})
	b.Importance = widget.HighImportance
	return b
}

// addActionParts gives an upcoming appointment its state, its Cancel button and its
// questions for the doctor.
func (u *UI) addActionParts(a *appointmentsScreen, r *apptRow, qs []data.Question) {
	ap := r.appt
	r.state = paragraph(u.apptStateText(ap))
	r.state.Importance = widget.WarningImportance
	if ap.Error == "" {
		r.state.Importance = widget.MediumImportance
		r.state.TextStyle = fyne.TextStyle{Bold: true}
	}
	if r.state.Text == "" {
		r.state.Hide()
	}
	r.box.Objects = append(r.box.Objects[:1], r.state)
	if ap.Error == portal.RequestsElsewhere {
		if page := u.bookingPage(""); page != "" {
			r.book = u.bookButton(page, r.state)
			r.box.Add(container.NewHBox(tall(r.book)))
		}
	}
	if ap.Status != data.StatusCancelled && ap.Pending != data.PendingCancel {
		label := tr.T("apptactions.cancel_appt_button")
		if ap.Status == data.StatusRequested {
			label = tr.T("apptactions.cancel_request_button")
		}
		r.cancel = widget.NewButtonWithIcon(label, theme.CancelIcon(), func() { u.confirmCancelAppt(r) })
	}
	// Cancel beside "Add to calendar", or under it where two across would not fit.
	if r.cancel != nil && u.textScale() < 1.5 {
		r.btns.Add(tall(r.cancel))
	}
	if len(r.btns.Objects) > 0 {
		r.box.Add(r.btns)
	}
	if r.cancel != nil && (u.textScale() >= 1.5 || len(r.btns.Objects) == 0) {
		r.box.Add(container.NewHBox(tall(r.cancel)))
	}
	if ap.Takes() {
		r.qs = u.newApptQuestions(a, r, qs)
		r.box.Add(r.qs.box)
	}
}

// addSurveyPart gives a finished appointment its survey: a button while it is open, its
// state once answered.
func (u *UI) addSurveyPart(a *appointmentsScreen, r *apptRow, sv data.Survey) {
	r.sv = sv
	if sv.ID == "" {
		return
	}
	switch sv.State {
	case data.SurveyOpen:
		r.svBtn = widget.NewButtonWithIcon(tr.T("survey.title"), theme.DocumentCreateIcon(), func() { u.openSurvey(r) })
		if u.textScale() < 1.5 {
			r.btns.Add(tall(r.svBtn)) // beside "Add to calendar"
		} else {
			r.box.Add(container.NewHBox(tall(r.svBtn)))
		}
	case data.SurveySent:
		r.svText = paragraph(tr.T("apptactions.survey_sent"))
		r.svText.Importance = widget.SuccessImportance
		r.box.Add(r.svText)
	default:
		text := tr.T("apptactions.survey_waiting")
		if sv.Error != "" {
			text = tr.T("apptactions.survey_waiting_why", tr.Args{"Reason": portalReason(sv.Error, a.store.Location())})
		}
		r.svText = paragraph(text)
		r.box.Add(r.svText)
	}
}

// ---- Asking for an appointment ----

// apptRequestForm is the "Ask for an appointment" dialog.
type apptRequestForm struct {
	d                    dialog.Dialog
	reason, after, until *navEntry
	with                 *navEntry
	reasonErr, dayErr    *widget.Label
	said                 *widget.Label // why it was not sent, and where to book instead
	book                 *widget.Button
	bookRow              *fyne.Container
	save, close          *widget.Button
}

func (u *UI) showRequestForm() {
	a := u.appointments
	if a == nil {
		return
	}
	f := &apptRequestForm{}
	a.req = f
	f.reason = u.newEntry()
	f.reason.SetPlaceHolder(tr.T("apptactions.reason_placeholder"))
	f.reason.OnChanged = func(string) { say(f.reasonErr, "") }
	f.reason.OnSubmitted = func(string) { u.sendRequest() }
	f.reasonErr = message()
	f.after = u.newEntry()
	f.after.SetPlaceHolder("2026-12-01")
	f.until = u.newEntry()
	f.until.SetPlaceHolder("2026-12-14")
	for _, e := range []*navEntry{f.after, f.until} {
		e.OnChanged = func(string) { say(f.dayErr, "") }
		e.OnSubmitted = func(string) { u.sendRequest() }
	}
	f.dayErr = message()
	f.with = u.newEntry()
	f.with.SetPlaceHolder(tr.T("apptactions.with_placeholder"))
	f.with.OnSubmitted = func(string) { u.sendRequest() }
	f.said = message()
	f.said.Importance = widget.WarningImportance
	f.bookRow = container.NewHBox()
	f.save = widget.NewButtonWithIcon(tr.T("apptactions.ask_clinic"), theme.MailSendIcon(), u.sendRequest)
	f.save.Importance = widget.HighImportance
	f.close = widget.NewButton(tr.T("apptactions.close"), nil)
	days := []fyne.CanvasObject{labelled(wrappedField(tr.T("apptactions.from")), f.after), labelled(wrappedField(tr.T("apptactions.to")), f.until)}
	var dayRow fyne.CanvasObject = container.NewGridWithColumns(2, days...)
	if u.textScale() >= 1.5 {
		dayRow = container.NewVBox(days...)
	}
	content := container.NewVBox(
		labelled(wrappedField(tr.T("apptactions.what_for")), f.reason, f.reasonErr),
		wrappedField(tr.T("apptactions.which_days")),
		caption(tr.T("apptactions.day_hint")),
		dayRow, f.dayErr,
		labelled(wrappedField(tr.T("apptactions.whom")), f.with),
		f.said, f.bookRow,
		container.NewHBox(layout.NewSpacer(), tall(f.close), tall(f.save)),
	)
	f.d = dialog.NewCustomWithoutButtons(tr.T("appointments.ask"), fixedWidth(560, content), u.win)
	f.close.OnTapped = func() { f.d.Hide(); a.req = nil }
	f.d.Show()
	u.focus(f.reason)
}

// wrappedField is a field's label that wraps: a dialog has a set width, and at 200 % text
// (in German above all) a label on one line would run past it.
func wrappedField(text string) *widget.Label {
	l := fieldLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// requestOutcome is what happened to a request: not connected, refused (with the address
// the profile is connected to), or stored (and perhaps sent).
type requestOutcome struct {
	notLinked, refused bool
	slots              bool // the portal offers free times to book ($find and $book)
	connected          string
	saved              data.Appointment
}

func (u *UI) sendRequest() {
	a := u.appointments
	if a == nil || a.req == nil || a.req.save.Disabled() {
		return
	}
	f := a.req
	req := data.Appointment{Reason: strings.TrimSpace(f.reason.Text), With: strings.TrimSpace(f.with.Text)}
	ok := true
	if req.Reason == "" {
		say(f.reasonErr, tr.T("apptactions.no_reason"))
		ok = false
	}
	for _, d := range []struct {
		e  *navEntry
		to *data.Date
	}{{f.after, &req.After}, {f.until, &req.Before}} {
		if t := strings.TrimSpace(d.e.Text); t != "" {
			day, err := data.ParseDate(t)
			if err != nil {
				say(f.dayErr, tr.T("apptactions.bad_day"))
				ok = false
				continue
			}
			*d.to = day
		}
	}
	if !ok {
		return
	}
	f.bookRow.RemoveAll()
	f.save.Disable()
	// The portal may be slow to answer: say what is happening meanwhile.
	f.said.Importance = widget.MediumImportance
	say(f.said, tr.T("apptactions.asking"))
	st := a.store
	background(a.prof, func(ctx context.Context) (requestOutcome, error) {
		conn, err := st.PortalConnection(ctx)
		if err != nil {
			return requestOutcome{}, err
		}
		if conn.URL == "" {
			return requestOutcome{notLinked: true}, nil
		}
		// A portal that offers free times is asked for them: booking one beats a request.
		var offers bool
		if err := portal.WithProfile(ctx, st, func(e *portal.Engine) error {
			var err error
			offers, err = e.OffersBooking(ctx)
			return err
		}); err == nil && offers {
			return requestOutcome{slots: true, connected: conn.URL}, nil
		}
		// Ask first: a request the portal never takes is not kept, the person is told where
		// to book. Unreachable: kept, and sent at the next sync.
		takes, err := portal.AcceptsCreate(ctx, st, "Appointment")
		if err == nil && !takes {
			return requestOutcome{refused: true, connected: conn.URL}, nil
		}
		saved, err := st.RequestAppointment(ctx, req)
		if err != nil {
			return requestOutcome{}, err
		}
		if _, err := portal.PushProfile(ctx, st, nil, nil); err == nil {
			if cur, err := st.Appointment(ctx, saved.ID); err == nil {
				saved = cur
			}
		}
		return requestOutcome{saved: saved, connected: conn.URL}, nil
	}, func(out requestOutcome, err error) {
		if u.appointments != a || a.req != f {
			return
		}
		f.save.Enable()
		say(f.said, "")
		switch {
		case errors.Is(err, data.ErrInvalid):
			say(f.dayErr, inputMessage(err))
			return
		case err != nil:
			sayError(f.said, tr.T("apptactions.request_failed"))
			return
		case out.slots:
			f.d.Hide()
			a.req = nil
			u.booking = u.showBooking(a.prof, req.Reason, req.After, req.Before, func(ap data.Appointment) {
				if u.appointments != a {
					return
				}
				a.notice.Importance = widget.SuccessImportance
				say(a.notice, tr.T("apptactions.booked", tr.Args{"Title": ap.Title, "When": apptWhen(ap.Start.In(a.store.Location()))}))
				u.loadAppointments()
			})
			return
		case out.notLinked, out.refused:
			page := u.bookingPage(out.connected)
			if out.notLinked {
				page = u.bookingPage("")
			}
			if page != "" {
				f.book = u.bookButton(page, f.said)
				f.bookRow.Add(tall(f.book))
			}
			f.said.Importance = widget.WarningImportance
			say(f.said, u.bookElsewhere(out.notLinked, page))
			return
		}
		f.d.Hide()
		a.req = nil
		a.notice.Importance = widget.MediumImportance
		if out.saved.Error != "" {
			say(a.notice, u.apptStateText(out.saved))
		} else {
			say(a.notice, tr.T("apptactions.request_kept"))
		}
		u.loadAppointments()
	})
}

// ---- Cancelling ----

// apptCancelForm is the dialog that asks before cancelling.
type apptCancelForm struct {
	d         dialog.Dialog
	row       *apptRow
	reason    *navEntry
	busy      *widget.Label // "Cancelling…" while the portal is asked
	yes, keep *widget.Button
}

func (u *UI) confirmCancelAppt(r *apptRow) {
	a := u.appointments
	if a == nil {
		return
	}
	f := &apptCancelForm{row: r}
	a.cancelForm = f
	loc := a.store.Location()
	what := tr.T("apptactions.cancel_what", tr.Args{"Title": r.appt.Title, "When": apptWhen(r.appt.Start.In(loc))})
	title := tr.T("apptactions.cancel_appt_title")
	if r.appt.Status == data.StatusRequested {
		what, title = apptTitle(r.appt), tr.T("apptactions.cancel_request_title")
	}
	f.reason = u.newMultiLineEntry()
	f.reason.SetMinRowsVisible(2)
	f.yes = widget.NewButtonWithIcon(tr.T("apptactions.cancel_it"), theme.CancelIcon(), func() { u.cancelAppt(f) })
	f.yes.Importance = widget.DangerImportance
	f.keep = widget.NewButton(tr.T("apptactions.keep_it"), nil)
	f.busy = paragraph("")
	f.busy.Hide()
	content := container.NewVBox(
		paragraph(what),
		labelled(wrappedField(tr.T("apptactions.tell_why")), f.reason),
		f.busy,
		container.NewHBox(layout.NewSpacer(), tall(f.keep), tall(f.yes)))
	f.d = dialog.NewCustomWithoutButtons(title, fixedWidth(520, content), u.win)
	f.keep.OnTapped = func() { f.d.Hide(); a.cancelForm = nil }
	f.d.Show()
	u.focus(f.reason)
}

// cancelOutcome is a cancellation's result: the appointment as it is now, and whether the
// portal could be reached.
type cancelOutcome struct {
	appt    data.Appointment
	pushErr error
}

func (u *UI) cancelAppt(f *apptCancelForm) {
	a := u.appointments
	if a == nil || a.cancelForm != f || f.yes.Disabled() {
		return
	}
	f.yes.Disable()
	say(f.busy, tr.T("apptactions.cancelling"))
	st, id, reason := a.store, f.row.appt.ID, f.reason.Text
	background(a.prof, func(ctx context.Context) (cancelOutcome, error) {
		ap, err := st.CancelAppointment(ctx, id, reason)
		if err != nil || ap.Pending != data.PendingCancel {
			return cancelOutcome{appt: ap}, err
		}
		_, perr := portal.PushProfile(ctx, st, nil, nil)
		if cur, err := st.Appointment(ctx, id); err == nil {
			ap = cur
		}
		return cancelOutcome{appt: ap, pushErr: perr}, nil
	}, func(out cancelOutcome, err error) {
		f.d.Hide() // also when another screen is on show by now
		if u.appointments != a {
			return
		}
		a.cancelForm = nil
		ap := out.appt
		switch {
		case errors.Is(err, data.ErrInvalid):
			sayError(a.notice, inputMessage(err))
		case err != nil:
			sayError(a.notice, tr.T("apptactions.cancel_failed"))
		case ap.Status == data.StatusCancelled:
			a.notice.Importance = widget.SuccessImportance
			say(a.notice, tr.T("apptactions.cancelled", tr.Args{"Title": apptTitle(ap)}))
		default:
			// Kept for the next sync, refused, or moved by the clinic: the row says which.
			a.notice.Importance = widget.WarningImportance
			say(a.notice, tr.T("apptactions.title_state", tr.Args{"Title": apptTitle(ap), "State": u.apptStateText(ap)}))
		}
		u.loadAppointments()
	})
}

// ---- Questions for the doctor ----

// apptQuestions is an upcoming appointment's questions for the doctor: folded under a
// button until the person opens them (open by itself once there are some).
type apptQuestions struct {
	box    *fyne.Container
	toggle *widget.Button
	body   *fyne.Container
	checks []*widget.Check
	texts  []*tapLabel
	list   []data.Question
	entry  *navEntry
	add    *widget.Button
	err    *widget.Label
	send   *widget.Button
}

func (u *UI) newApptQuestions(a *appointmentsScreen, r *apptRow, qs []data.Question) *apptQuestions {
	q := &apptQuestions{list: qs}
	id := r.appt.ID
	q.entry = u.newEntry()
	q.entry.SetPlaceHolder(tr.T("apptactions.question_placeholder"))
	q.entry.OnSubmitted = func(string) { u.addQuestion(r) }
	q.entry.OnChanged = func(string) { say(q.err, "") }
	q.add = widget.NewButtonWithIcon(tr.T("apptactions.add_question"), theme.ContentAddIcon(), func() { u.addQuestion(r) })
	q.err = message()
	var items []fyne.CanvasObject
	open := 0
	for _, one := range qs {
		one := one
		// The box and the words apart: a Check's own text does not wrap, and a long
		// question (or 200 % text) would widen the window past the screen. A tap on the
		// words ticks the box too.
		c := widget.NewCheck("", nil)
		c.Checked = one.Done
		c.OnChanged = func(done bool) { u.tickQuestion(r, c, one.ID, done) }
		text := newTapLabel(one.Text, func() { c.SetChecked(!c.Checked) })
		q.checks = append(q.checks, c)
		q.texts = append(q.texts, text)
		items = append(items, container.NewBorder(nil, nil, c, nil, text))
		if !one.Done {
			open++
		}
	}
	sendLabel := tr.T("apptactions.send_questions")
	if u.textScale() >= 1.5 {
		sendLabel = tr.T("apptactions.send_questions_short") // the long label would widen the window past the screen
	}
	q.send = widget.NewButtonWithIcon(sendLabel, theme.MailSendIcon(), func() { u.confirmSendQuestions(r) })
	if open == 0 {
		q.send.Disable()
	}
	hint := caption(tr.T("apptactions.questions_hint"))
	inner := container.NewVBox(append(append([]fyne.CanvasObject{hint}, items...),
		labelled(fieldLabel(tr.T("apptactions.new_question")), container.NewBorder(nil, nil, nil, tall(q.add), q.entry)),
		q.err, container.NewHBox(tall(q.send)))...)
	// Indented under its button, so the questions read as this appointment's.
	indent := canvas.NewRectangle(color.Transparent)
	indent.SetMinSize(fyne.NewSize(24, 0))
	q.body = container.NewBorder(nil, nil, indent, nil, inner)
	label := tr.T("apptactions.questions")
	if len(qs) > 0 {
		label = tr.N("apptactions.questions_n", len(qs))
	}
	q.toggle = widget.NewButtonWithIcon(label, theme.MenuDropDownIcon(), nil)
	if a.openQs == nil {
		a.openQs = map[string]bool{}
	}
	shown, known := a.openQs[id]
	if !known {
		shown = len(qs) > 0
	}
	set := func(on bool) {
		a.openQs[id] = on
		if on {
			q.toggle.SetIcon(theme.MenuDropUpIcon())
			q.body.Show()
		} else {
			q.toggle.SetIcon(theme.MenuDropDownIcon())
			q.body.Hide()
		}
		if q.box != nil {
			q.box.Refresh()
		}
	}
	q.toggle.OnTapped = func() {
		set(!q.body.Visible())
		if q.body.Visible() {
			u.focus(q.entry)
		}
	}
	set(shown)
	q.box = container.NewVBox(container.NewHBox(tall(q.toggle)), q.body)
	return q
}

// tapLabel is a wrapping label that does something when tapped (ticks its box).
type tapLabel struct {
	widget.Label
	onTap func()
}

func newTapLabel(text string, onTap func()) *tapLabel {
	l := &tapLabel{onTap: onTap}
	l.Text, l.Wrapping = text, fyne.TextWrapWord
	l.ExtendBaseWidget(l)
	return l
}

func (l *tapLabel) Tapped(*fyne.PointEvent) { l.onTap() }

func (u *UI) addQuestion(r *apptRow) {
	a, q := u.appointments, r.qs
	if a == nil || q == nil || q.add.Disabled() {
		return
	}
	text := strings.TrimSpace(q.entry.Text)
	if text == "" {
		sayError(q.err, tr.T("apptactions.write_question_first"))
		return
	}
	q.add.Disable()
	st, id := a.store, r.appt.ID
	background(a.prof, func(ctx context.Context) (data.Question, error) {
		return st.AddQuestion(ctx, id, text)
	}, func(_ data.Question, err error) {
		if u.appointments != a {
			return
		}
		q.add.Enable()
		switch {
		case errors.Is(err, data.ErrInvalid):
			sayError(q.err, inputMessage(err))
			return
		case err != nil:
			sayError(q.err, tr.T("apptactions.question_failed"))
			return
		}
		a.openQs[id] = true
		u.loadAppointments()
	})
}

func (u *UI) tickQuestion(r *apptRow, c *widget.Check, id string, done bool) {
	a, q := u.appointments, r.qs
	if a == nil || q == nil {
		return
	}
	st := a.store
	background(a.prof, func(ctx context.Context) (data.Question, error) {
		return st.SetQuestionDone(ctx, id, done)
	}, func(saved data.Question, err error) {
		if u.appointments != a {
			return
		}
		if err != nil {
			sayError(q.err, tr.T("apptactions.question_failed"))
			c.OnChanged, c.Checked = nil, !done
			c.Refresh()
			c.OnChanged = func(on bool) { u.tickQuestion(r, c, id, on) }
			return
		}
		for i := range q.list {
			if q.list[i].ID == id {
				q.list[i] = saved
			}
		}
		setEnabled(len(openQuestions(q.list)) > 0, q.send)
	})
}

func openQuestions(qs []data.Question) []string {
	var out []string
	for _, q := range qs {
		if !q.Done {
			out = append(out, q.Text)
		}
	}
	return out
}

// questionsNote is the note that sends an appointment's open questions: one line saying
// which appointment, then the questions as a list. It is in the person's language: they
// read it before sending.
func questionsNote(ap data.Appointment, loc *time.Location, qs []string) string {
	var b strings.Builder
	b.WriteString(tr.T("apptactions.questions_note", tr.Args{"Title": ap.Title,
		"Date": tr.Format(ap.Start.In(loc), tr.Date), "Time": tr.Format(ap.Start.In(loc), tr.Clock)}) + "\n")
	for _, q := range qs {
		b.WriteString("- " + q + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// questionsSendForm asks before the questions go to the care team.
type questionsSendForm struct {
	d         dialog.Dialog
	text      string
	yes, keep *widget.Button
}

func (u *UI) confirmSendQuestions(r *apptRow) {
	a, q := u.appointments, r.qs
	if a == nil || q == nil {
		return
	}
	open := openQuestions(q.list)
	if len(open) == 0 {
		return
	}
	f := &questionsSendForm{text: questionsNote(r.appt, a.store.Location(), open)}
	a.sendForm = f
	f.yes = widget.NewButtonWithIcon(tr.T("apptactions.send"), theme.MailSendIcon(), nil)
	f.yes.Importance = widget.HighImportance
	f.keep = widget.NewButton(tr.T("apptactions.not_now"), nil)
	content := container.NewVBox(
		paragraph(tr.T("apptactions.send_intro")),
		paragraph(f.text),
		container.NewHBox(layout.NewSpacer(), tall(f.keep), tall(f.yes)))
	f.d = dialog.NewCustomWithoutButtons(tr.T("apptactions.send_title"), fixedWidth(560, content), u.win)
	f.keep.OnTapped = func() { f.d.Hide(); a.sendForm = nil }
	f.yes.OnTapped = func() {
		if f.yes.Disabled() {
			return
		}
		f.yes.Disable()
		st := a.store
		background(a.prof, func(ctx context.Context) (data.Message, error) {
			return st.AddNote(ctx, f.text)
		}, func(_ data.Message, err error) {
			f.d.Hide()
			if u.appointments != a {
				return
			}
			a.sendForm = nil
			if err != nil {
				sayError(q.err, tr.T("apptactions.questions_not_sent"))
				return
			}
			sayDone(q.err, tr.T("apptactions.questions_sent"))
		})
	}
	f.d.Show()
	u.focus(f.yes)
}

// ---- The survey after a visit ----

// surveyForm is the "How was your visit?" dialog, built from the survey's questions.
type surveyForm struct {
	d         dialog.Dialog
	row       *apptRow
	questions []portal.SurveyQuestion
	answer    []func() (any, bool) // each question's answer, and whether there is one
	texts     []string             // each question as shown
	fields    map[string]fyne.CanvasObject
	err       *widget.Label
	send, not *widget.Button
}

func (u *UI) openSurvey(r *apptRow) {
	a := u.appointments
	if a == nil || r.sv.ID == "" {
		return
	}
	f := &surveyForm{row: r, questions: portal.SurveyQuestions(r.sv.Questionnaire), fields: map[string]fyne.CanvasObject{}}
	a.survey = f
	builtIn := isVisitSurvey(r.sv.Questionnaire)
	items := []fyne.CanvasObject{paragraph(tr.T("survey.intro"))}
	var first fyne.Focusable
	for _, q := range f.questions {
		field, get := u.surveyField(q)
		f.fields[q.LinkID] = field
		f.answer = append(f.answer, get)
		text := q.Text
		if builtIn {
			text = visitSurveyText(q)
		}
		f.texts = append(f.texts, text)
		if q.Required {
			text = tr.T("survey.required", tr.Args{"Question": text})
		}
		l := fieldLabel(text)
		l.Wrapping = fyne.TextWrapWord
		items = append(items, labelled(l, field))
		if fo, ok := field.(fyne.Focusable); ok && first == nil {
			first = fo
		}
	}
	f.err = message()
	f.send = widget.NewButtonWithIcon(tr.T("apptactions.send"), theme.MailSendIcon(), func() { u.sendSurvey(f) })
	f.send.Importance = widget.HighImportance
	f.not = widget.NewButton(tr.T("apptactions.not_now"), nil)
	scroll := container.NewVScroll(container.NewVBox(items...))
	content := container.NewBorder(nil, container.NewVBox(f.err, container.NewHBox(layout.NewSpacer(), tall(f.not), tall(f.send))), nil, nil, scroll)
	title := r.sv.Title
	if builtIn {
		title = tr.T("survey.title")
	}
	f.d = dialog.NewCustomWithoutButtons(title, content, u.win)
	f.not.OnTapped = func() { f.d.Hide(); a.survey = nil }
	size := u.win.Canvas().Size()
	f.d.Resize(fyne.NewSize(min(720, size.Width-40), min(640, size.Height-40)))
	f.d.Show()
	if first != nil {
		u.focus(first)
	}
}

// surveyField makes the field for one question and the function that reads its answer:
// yes/no and choices as radio buttons, a small number range as a row of numbers, text as
// a several-line field.
func (u *UI) surveyField(q portal.SurveyQuestion) (fyne.CanvasObject, func() (any, bool)) {
	radio := func(opts []string, horizontal bool, val func(string) any) (fyne.CanvasObject, func() (any, bool)) {
		g := widget.NewRadioGroup(opts, nil)
		g.Horizontal = horizontal
		return g, func() (any, bool) {
			if g.Selected == "" {
				return nil, false
			}
			return val(g.Selected), true
		}
	}
	switch {
	case q.Type == "boolean":
		yes := tr.T("survey.yes")
		return radio([]string{yes, tr.T("survey.no")}, true, func(s string) any { return s == yes })
	case q.Type == "integer" && q.Min != nil && q.Max != nil && *q.Max-*q.Min <= 10 && *q.Max >= *q.Min:
		var opts []string
		for n := *q.Min; n <= *q.Max; n++ {
			opts = append(opts, strconv.FormatInt(n, 10))
		}
		num := func(s string) any { n, _ := strconv.ParseInt(s, 10, 64); return n }
		if len(opts) <= 6 || u.textScale() < 1.5 {
			return radio(opts, true, num)
		}
		sel := widget.NewSelect(opts, nil)
		sel.PlaceHolder = tr.T("survey.choose_number")
		return sel, func() (any, bool) {
			if sel.Selected == "" {
				return nil, false
			}
			return num(sel.Selected), true
		}
	case (q.Type == "choice" || q.Type == "open-choice") && len(q.Options) > 0:
		return radio(q.Options, false, func(s string) any { return s })
	}
	var e *navEntry
	if q.Type == "text" {
		e = u.newMultiLineEntry()
		e.SetMinRowsVisible(3)
	} else {
		e = u.newEntry()
		switch q.Type {
		case "integer", "decimal":
			e.SetPlaceHolder(tr.T("survey.a_number"))
		case "date":
			e.SetPlaceHolder("2026-12-01")
		}
	}
	return e, func() (any, bool) {
		t := strings.TrimSpace(e.Text)
		if t == "" {
			return nil, false
		}
		switch q.Type {
		case "integer", "decimal":
			return json.Number(typedNumber(t)), true
		}
		return t, true
	}
}

// typedNumber is a typed number as JSON writes it: "72,5" becomes "72.5" where the language
// writes a decimal comma (German, Spanish); anything else is left for the check to judge.
func typedNumber(s string) string {
	if strings.Contains(tr.Num(0.5, 1), ",") && !strings.Contains(s, ".") {
		return strings.Replace(s, ",", ".", 1)
	}
	return s
}

func (u *UI) sendSurvey(f *surveyForm) {
	a := u.appointments
	if a == nil || a.survey != f || f.send.Disabled() {
		return
	}
	got := map[string]any{}
	for i, q := range f.questions {
		if v, ok := f.answer[i](); ok {
			got[q.LinkID] = v
		}
	}
	if len(got) == 0 {
		sayError(f.err, tr.T("survey.answer_one"))
		return
	}
	for i, q := range f.questions {
		if _, ok := got[q.LinkID]; q.Required && !ok {
			sayError(f.err, tr.T("survey.answer_required", tr.Args{"Question": f.texts[i]}))
			return
		}
	}
	raw, err := json.Marshal(got)
	if err == nil {
		raw, err = portal.CheckAnswers(f.row.sv.Questionnaire, raw)
	}
	if err != nil {
		// The check's own words name the question by its id, which means nothing to the
		// person: the fields only let a typed number or date be wrong.
		sayError(f.err, tr.T("survey.bad_answers"))
		return
	}
	f.send.Disable()
	st, id := a.store, f.row.sv.ID
	background(a.prof, func(ctx context.Context) (data.Survey, error) {
		sv, err := st.AnswerSurvey(ctx, id, raw)
		if err != nil {
			return sv, err
		}
		// Sent at once where the portal can be reached; kept for the next sync otherwise.
		if _, err := portal.PushProfile(ctx, st, nil, nil); err == nil {
			if cur, err := st.Survey(ctx, id); err == nil {
				sv = cur
			}
		}
		return sv, nil
	}, func(sv data.Survey, err error) {
		if u.appointments != a {
			return
		}
		f.send.Enable()
		if err != nil {
			sayError(f.err, tr.T("apptactions.survey_failed"))
			return
		}
		f.d.Hide()
		a.survey = nil
		a.notice.Importance = widget.SuccessImportance
		if sv.State == data.SurveySent {
			say(a.notice, tr.T("apptactions.survey_sent_notice"))
		} else {
			say(a.notice, tr.T("apptactions.survey_waiting_notice"))
		}
		u.loadAppointments()
	})
}
