package app

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/clinic"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir/fhirtest"
	"github.com/patient-companion/companion/sync/portal/portaltest"
)

// openAppointments makes a profile (setup adds to it), opens it in a window made for cl
// (nil: no clinic file) and shows Appointments.
func openAppointments(t *testing.T, cl *clinic.Clinic, setup func(ctx context.Context, st *data.Store)) *UI {
	t.Helper()
	p := testProfiles(t, nil)
	st, _, err := p.Create(context.Background(), data.CreateOptions{Name: "Mum", Passphrase: []byte(goodPass), NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(context.Background(), st)
	}
	st.Close()
	u := newTestUIWith(t, test.NewTempApp(t), Options{Profiles: p, Clinic: cl})
	unlockWith(t, u, goodPass)
	ctrl(u, fyne.Key4)
	if u.appointments == nil {
		t.Fatal("Appointments did not open")
	}
	return u
}

func rowTitled(t *testing.T, rows []*apptRow, title string) *apptRow {
	t.Helper()
	for _, r := range rows {
		if r.appt.Title == title {
			return r
		}
	}
	t.Fatalf("no row %q", title)
	return nil
}

// A portal that takes Appointment create (the Medplum engine): the request is stored, sent
// at once, and shows as requested until the clinic answers.
func TestApptRequestStoredAndShown(t *testing.T) {
	upstream, _, patID := fhirtest.StartWithPatient(t)
	ctx := context.Background()
	u := openAppointments(t, nil, func(ctx context.Context, st *data.Store) {
		if err := st.SetPortalConnection(ctx, data.Portal{URL: upstream, PatientID: patID}); err != nil {
			t.Fatal(err)
		}
	})
	a := u.appointments
	test.Tap(a.ask)
	f := a.req
	if f == nil {
		t.Fatal("Ask for an appointment did not open the form")
	}
	test.Tap(f.save)
	assertShows(t, f.reasonErr, tr.T("apptactions.no_reason"))
	test.Type(f.reason, "Review of my blood pressure")
	test.Type(f.after, "next week")
	test.Tap(f.save)
	assertShows(t, f.dayErr, tr.T("apptactions.bad_day"))
	f.after.SetText("2025-12-01")
	test.Type(f.until, "2025-12-12")
	test.Type(f.with, "Dr Okafor")
	f.with.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter sends, as the button does
	if a.req != nil {
		t.Fatalf("the form stays open: %q", f.said.Text)
	}
	assertShows(t, a.notice, tr.T("apptactions.request_kept"))
	r := rowTitled(t, a.upcoming, "Requested: Review of my blood pressure")
	assertShows(t, r.state, tr.T("apptactions.requested"))
	assertShows(t, r.when, "A day from Mon 1 Dec 2025 to Fri 12 Dec 2025")
	if r.cal.Visible() || r.cancel == nil || r.cancel.Text != "Cancel this request…" {
		t.Error("a request has no calendar entry, and can be cancelled")
	}
	list, err := u.curStore().ListAppointments(ctx, time.Time{}, time.Time{})
	if err != nil || len(list) != 1 {
		t.Fatalf("stored %d appointments (%v)", len(list), err)
	}
	if got := list[0]; got.Status != data.StatusRequested || got.Pending != "" || got.RemoteID == "" || got.With != "Dr Okafor" ||
		got.After != (data.Date{Year: 2025, Month: 12, Day: 1}) {
		t.Errorf("stored %+v: want a request, sent", got)
	}
}

// A portal with no CapabilityStatement takes no requests: nothing is stored, and the person
// is told in plain words and offered the clinic's booking page.
func TestApptRequestRefusedOffersBookingPage(t *testing.T) {
	fake := portaltest.Start(t)
	cl := &clinic.Clinic{File: clinic.File{Name: "Riverside", Support: clinic.Support{Phone: "01234 567890"},
		Portal: &clinic.Portal{FHIRBaseURL: fake.Base, SchedulingURL: "https://riverside.example/book"}}}
	u := openAppointments(t, cl, func(ctx context.Context, st *data.Store) {
		if err := st.SetPortalConnection(ctx, data.Portal{URL: fake.Base, PatientID: portaltest.Patient}); err != nil {
			t.Fatal(err)
		}
	})
	a := u.appointments
	test.Tap(a.ask)
	f := a.req
	test.Type(f.reason, "Knee pain")
	test.Tap(f.save)
	if a.req != f {
		t.Fatal("the form closed though nothing was sent")
	}
	assertShows(t, f.said, tr.T("apptactions.elsewhere_page"))
	if f.book == nil || !f.book.Visible() {
		t.Fatal("no button to open the booking page")
	}
	test.Tap(f.book) // the test app's browser; nothing to go wrong
	if f.said.Importance == widget.DangerImportance {
		t.Errorf("opening the page failed: %q", f.said.Text)
	}
	list, err := u.curStore().ListAppointments(context.Background(), time.Time{}, time.Time{})
	if err != nil || len(list) != 0 {
		t.Errorf("stored %d appointments (%v), want none", len(list), err)
	}
	if fake.Posts() != 0 {
		t.Errorf("%d posts to a portal that takes no requests", fake.Posts())
	}
}

// Not connected: the request is not kept; the clinic's booking page is offered.
func TestApptRequestNotConnected(t *testing.T) {
	cl := &clinic.Clinic{File: clinic.File{Name: "Riverside", Portal: &clinic.Portal{FHIRBaseURL: "https://riverside.example/fhir",
		SchedulingURL: "https://riverside.example/book"}}}
	u := openAppointments(t, cl, nil)
	a := u.appointments
	test.Tap(a.ask)
	test.Type(a.req.reason, "Knee pain")
	test.Tap(a.req.save)
	assertShows(t, a.req.said, tr.T("apptactions.not_linked_page"))
	if a.req.book == nil {
		t.Error("no booking page offered")
	}
}

// A local appointment is simply cancelled, with the person's reason.
func TestApptCancelLocal(t *testing.T) {
	u := openAppointments(t, nil, func(ctx context.Context, st *data.Store) {
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: "Dentist", Start: fixedNow.Add(48 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	})
	a := u.appointments
	r := rowTitled(t, a.upcoming, "Dentist")
	if r.cancel == nil {
		t.Fatal("an upcoming appointment has no Cancel button")
	}
	test.Tap(r.cancel)
	f := a.cancelForm
	if f == nil {
		t.Fatal("Cancel did not ask first")
	}
	test.Tap(f.keep)
	if a.cancelForm != nil || rowTitled(t, a.upcoming, "Dentist").appt.Status == data.StatusCancelled {
		t.Fatal("Keep it cancelled it")
	}
	test.Tap(r.cancel)
	f = a.cancelForm
	test.Type(f.reason, "I will be away")
	test.Tap(f.yes)
	assertShows(t, a.notice, "Cancelled: Dentist.")
	r = rowTitled(t, a.upcoming, "Dentist")
	assertShows(t, r.status, "Cancelled")
	if r.cancel != nil {
		t.Error("a cancelled appointment still offers Cancel")
	}
	got, err := u.curStore().Appointment(context.Background(), r.appt.ID)
	if err != nil || got.Status != data.StatusCancelled || got.CancelReason != "I will be away" {
		t.Errorf("stored %+v (%v)", got, err)
	}
}

// Questions for the doctor: added (button and Enter), ticked off, and the open ones sent as
// one note after a confirm.
func TestApptQuestions(t *testing.T) {
	u := openAppointments(t, nil, func(ctx context.Context, st *data.Store) {
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: "Eye screening", Start: fixedNow.Add(72 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	})
	a := u.appointments
	q := rowTitled(t, a.upcoming, "Eye screening").qs
	if q == nil || q.body.Visible() {
		t.Fatal("questions should be there, folded while there are none")
	}
	test.Tap(q.toggle)
	if !q.body.Visible() {
		t.Fatal("the button should unfold the questions")
	}
	if !q.send.Disabled() {
		t.Error("Send is enabled with no questions")
	}
	test.Tap(q.add)
	assertShows(t, q.err, "Write the question first.")
	test.Type(q.entry, "Can I drive after the drops?")
	test.Tap(q.add)
	q = rowTitled(t, a.upcoming, "Eye screening").qs
	test.Type(q.entry, "Do I need new glasses?")
	q.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	q = rowTitled(t, a.upcoming, "Eye screening").qs
	test.Type(q.entry, "Should I bring my old glasses?")
	q.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	q = rowTitled(t, a.upcoming, "Eye screening").qs
	if len(q.checks) != 3 || q.texts[1].Text != "Do I need new glasses?" || !q.body.Visible() {
		t.Fatalf("%d questions shown (unfolded %v)", len(q.checks), q.body.Visible())
	}
	if q.toggle.Text != "Questions for the doctor (3)" {
		t.Errorf("the button reads %q", q.toggle.Text)
	}
	test.Tap(q.texts[2]) // the words tick the box too
	if !q.checks[2].Checked {
		t.Fatal("tapping a question's words did not tick it")
	}
	qs, err := u.curStore().ListQuestions(context.Background(), "")
	if err != nil || len(qs) != 3 || !qs[2].Done || qs[0].Done {
		t.Fatalf("stored %+v (%v)", qs, err)
	}

	test.Tap(q.send)
	f := a.sendForm
	if f == nil {
		t.Fatal("Send did not ask first")
	}
	test.Tap(f.yes)
	assertShows(t, q.err, "Sent to your care team. You will find them, and any answer, in Messages.")
	msgs, err := u.curStore().ListMessages(context.Background())
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%d notes (%v), want one", len(msgs), err)
	}
	want := "My questions for my appointment on Fri 28 Nov 2025 at 14:30 (Eye screening):\n" +
		"- Can I drive after the drops?\n- Do I need new glasses?"
	if msgs[0].Text != want || msgs[0].Direction != data.DirectionOut {
		t.Errorf("the note reads %q, want %q", msgs[0].Text, want)
	}
}

// The survey after a visit: offered on a finished appointment, built from the built-in
// questionnaire, checked, stored and queued (not connected: it waits for a sync).
func TestApptSurveyAnsweredAndQueued(t *testing.T) {
	u := openAppointments(t, nil, func(ctx context.Context, st *data.Store) {
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: "Blood test", Start: fixedNow.Add(-72 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	})
	a := u.appointments
	r := rowTitled(t, a.past, "Blood test")
	if r.svBtn == nil {
		t.Fatal("a finished visit offers no survey")
	}
	test.Tap(r.svBtn)
	f := a.survey
	if f == nil || len(f.questions) != 5 {
		t.Fatal("the survey did not open with its five questions")
	}
	test.Tap(f.send)
	assertShows(t, f.err, "Answer at least one question, or choose Not now.")
	overall, ok := f.fields["overall"].(*widget.RadioGroup)
	if !ok || !overall.Horizontal || len(overall.Options) != 5 {
		t.Fatalf("overall (1 to 5) is a %T, want a row of numbers", f.fields["overall"])
	}
	overall.SetSelected("4")
	f.fields["time"].(*widget.RadioGroup).SetSelected("Yes")
	test.Type(f.fields["comment"].(*navEntry), "Kind staff")
	test.Tap(f.send)
	if a.survey != nil {
		t.Fatalf("the survey stays open: %q", f.err.Text)
	}
	assertShows(t, a.notice, tr.T("apptactions.survey_waiting_notice"))
	r = rowTitled(t, a.past, "Blood test")
	if r.svBtn != nil || r.svText == nil || r.svText.Text != tr.T("apptactions.survey_waiting") {
		t.Error("the row should say the answers wait to be sent")
	}
	svs, err := u.curStore().ListSurveys(context.Background())
	if err != nil || len(svs) != 1 || svs[0].State != data.SurveyQueued {
		t.Fatalf("surveys %+v (%v)", svs, err)
	}
	var got map[string]any
	if err := json.Unmarshal(svs[0].Answers, &got); err != nil {
		t.Fatal(err)
	}
	if got["overall"] != float64(4) || got["time"] != true || got["comment"] != "Kind staff" || len(got) != 3 {
		t.Errorf("answers %v", got)
	}
	if !strings.Contains(string(svs[0].Questionnaire), "visit-experience") {
		t.Error("the built-in survey was not the one asked")
	}
}

// A portal that refuses the cancellation (403): the row says to call the clinic, with the
// number from the clinic file, and the appointment stays.
func TestApptCancelRefusedSaysCall(t *testing.T) {
	fake := portaltest.Start(t)
	cl := &clinic.Clinic{File: clinic.File{Name: "Riverside", Support: clinic.Support{Phone: "01234 567890"}}}
	u := openAppointments(t, cl, func(ctx context.Context, st *data.Store) {
		if err := st.SetPortalConnection(ctx, data.Portal{URL: fake.Base, PatientID: portaltest.Patient}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpsertPortalAppointment(ctx, "a1", "1", data.Appointment{Title: "Cardiology review",
			Start: fixedNow.Add(24 * time.Hour), Status: "booked"}); err != nil {
			t.Fatal(err)
		}
	})
	a := u.appointments
	test.Tap(rowTitled(t, a.upcoming, "Cardiology review").cancel)
	fake.FailNext(403)
	test.Tap(a.cancelForm.yes)
	want := "Your clinic does not let the app cancel appointments: please call the clinic on 01234 567890."
	assertShows(t, rowTitled(t, a.upcoming, "Cardiology review").state, want)
	assertShows(t, a.notice, "Cardiology review: "+want)
	got, err := u.curStore().Appointment(context.Background(), rowTitled(t, a.upcoming, "Cardiology review").appt.ID)
	if err != nil || got.Status == data.StatusCancelled || got.Pending != "" {
		t.Errorf("stored %+v (%v): want it kept, nothing pending", got, err)
	}
}
