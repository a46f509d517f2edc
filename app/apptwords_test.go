package app

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/portal"
)

// inLanguage runs the rest of the test in code ("eo": the pseudo-language), English again
// after it.
func inLanguage(t *testing.T, code string) {
	t.Helper()
	if code == tr.PseudoCode {
		if err := tr.UsePseudo(); err != nil {
			t.Fatal(err)
		}
	} else {
		tr.MustSetup(code)
	}
	t.Cleanup(func() { tr.MustSetup("en") })
}

// shownTexts are the texts drawn in the window: its content and any dialog over it.
func shownTexts(u *UI) []string {
	c := u.win.Canvas()
	objs := []fyne.CanvasObject{c.Content()}
	objs = append(objs, c.Overlays().List()...)
	var out []string
	for _, o := range objs {
		for _, d := range test.LaidOutObjects(o) {
			if tx, ok := d.(*canvas.Text); ok && tx.Visible() && strings.TrimSpace(tx.Text) != "" {
				out = append(out, tx.Text)
			}
		}
	}
	return out
}

// assertTranslated fails on any text drawn in the pseudo-language that holds an English
// word, except the data (and the frame's words, another part's) in allowed.
func assertTranslated(t *testing.T, u *UI, what string, allowed ...string) {
	t.Helper()
	for _, s := range shownTexts(u) {
		if slices.ContainsFunc(allowed, func(a string) bool { return strings.Contains(a, s) }) {
			continue // data, or a wrapped line of it
		}
		rest := s
		for _, a := range allowed {
			rest = strings.ReplaceAll(rest, a, "")
		}
		if w, ok := tr.HasASCIIWord(rest); ok {
			t.Errorf("%s: %q (the word %q) bypasses the translations", what, s, w)
		}
	}
}

// frameWords are the frame's texts (the top bar, the side bar): another part's words.
func frameWords(b screenBase) []string {
	out := []string{"Patient", "Companion", b.title.Text, b.lockBtn.Text}
	n := b.nav
	for _, btn := range []*widget.Button{n.today, n.journal, n.medications, n.appointments, n.messages,
		n.settings, n.readings, n.record, n.everyone} {
		if btn != nil {
			out = append(out, btn.Text)
		}
	}
	return out
}

// TestApptScreensTranslated: in the pseudo-language, Appointments (with its forms and the
// survey) and Messages show no English word but the data's.
func TestApptScreensTranslated(t *testing.T) {
	inLanguage(t, tr.PseudoCode)
	u := openAppointments(t, nil, func(ctx context.Context, st *data.Store) {
		fillProfile(t)(ctx, st)
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: "Blood test", Start: fixedNow.Add(-72 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.RequestAppointment(ctx, data.Appointment{Reason: "Knee pain",
			After: data.Date{Year: 2025, Month: 12, Day: 1}, Before: data.Date{Year: 2025, Month: 12, Day: 12}}); err != nil {
			t.Fatal(err)
		}
	})
	a := u.appointments
	data := []string{"Diabetes review", "Health centre, room 4", "Eye test", "Blood test", "Knee pain", "Mum"}
	// "Today at 15:30" is Today's words (appointmentWhen), another part's.
	allowed := append(frameWords(a.screenBase), append(data, appointmentWhen(at(15, 30), fixedNow))...)
	assertTranslated(t, u, "Appointments", allowed...)

	test.Tap(a.ask)
	assertTranslated(t, u, "the request form", allowed...)
	test.Tap(a.req.close)

	r := rowTitled(t, a.upcoming, "Diabetes review")
	test.Tap(r.cancel)
	assertTranslated(t, u, "the cancel dialog", allowed...)
	test.Tap(a.cancelForm.keep)

	test.Tap(rowTitled(t, a.past, "Blood test").svBtn)
	assertTranslated(t, u, "the survey", allowed...)
	test.Tap(a.survey.not)

	ctrl(u, fyne.Key5)
	m := u.messages
	allowed = append(frameWords(m.screenBase), "Dr Patel", "Your blood test results are normal. See you at the review.",
		"Can I take the evening tablet an hour later?")
	assertTranslated(t, u, "Messages", allowed...)
}

// TestVisitSurveyInGerman: the built-in survey asks in the person's language, by question,
// and its yes/no answers are still stored as true/false for the clinic.
func TestVisitSurveyInGerman(t *testing.T) {
	inLanguage(t, "de")
	u := openAppointments(t, nil, func(ctx context.Context, st *data.Store) {
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: "Blood test", Start: fixedNow.Add(-72 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	})
	a := u.appointments
	r := rowTitled(t, a.past, "Blood test")
	if r.svBtn == nil || r.svBtn.Text != "Wie war Ihr Besuch?" {
		t.Fatalf("the survey's button is not in German: %v", r.svBtn)
	}
	test.Tap(r.svBtn)
	texts := strings.Join(shownTexts(u), "\n")
	for _, want := range []string{"Hatten Sie genug Zeit für Ihre Fragen?", "Möchten Sie der Praxis noch etwas sagen?"} {
		if !strings.Contains(texts, want) {
			t.Errorf("the survey does not ask %q", want)
		}
	}
	if strings.Contains(texts, "Did you have enough time") {
		t.Error("the survey still asks in English")
	}
	f := a.survey
	yesNo := f.fields["time"].(*widget.RadioGroup)
	if !slices.Equal(yesNo.Options, []string{"Ja", "Nein"}) {
		t.Fatalf("yes/no offers %v", yesNo.Options)
	}
	yesNo.SetSelected("Ja")
	test.Tap(f.send)
	if a.survey != nil {
		t.Fatalf("the survey stays open: %q", f.err.Text)
	}
	svs, err := u.curStore().ListSurveys(context.Background())
	if err != nil || len(svs) != 1 {
		t.Fatalf("surveys %+v (%v)", svs, err)
	}
	var got map[string]any
	if err := json.Unmarshal(svs[0].Answers, &got); err != nil {
		t.Fatal(err)
	}
	if got["time"] != true || len(got) != 1 {
		t.Errorf("answers %v, want time: true", got)
	}
}

// TestPortalReasons: the reasons the portal sync keeps (English, for the command line) are
// said in the person's language, a moved appointment's new time in the language's way; the
// portal's own words pass unchanged.
func TestPortalReasons(t *testing.T) {
	moved := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	inLanguage(t, "de")
	for reason, want := range map[string]string{
		portal.RequestsElsewhere:                   "Ihre Praxis nimmt keine Terminanfragen über die App an",
		portal.CancelByPhone:                       "Ihre Praxis lässt die App keine Termine absagen: Rufen Sie die Praxis an",
		portal.ClinicCancelled:                     "die Praxis hatte ihn schon abgesagt",
		portal.AlreadyBegun:                        "er hat schon begonnen",
		portal.UnknownToPortal:                     "das Portal kennt diesen Termin nicht",
		portal.ReadingsRefused:                     "Ihre Praxis nimmt keine Messwerte an",
		portal.SurveysRefused:                      "Ihre Praxis nimmt keine Umfragen über die App an",
		portal.RequestRefused + "slot unavailable": "das Portal hat die Anfrage nicht angenommen: slot unavailable",
		portal.CancelRefused + "403 forbidden":     "das Portal hat die Absage nicht angenommen: 403 forbidden",
		portal.ClinicMoved(moved):                  "die Praxis hat ihn auf Mo., 30. Nov. 2026 um 08:00 verlegt: Sagen Sie noch einmal ab, wenn Sie das möchten",
		"the clinic's own words":                   "the clinic's own words",
	} {
		if got := portalReason(reason, time.UTC); got != want {
			t.Errorf("portalReason(%q) = %q, want %q", reason, got, want)
		}
	}
	tr.MustSetup("en")
	if got, want := portalReason(portal.ClinicMoved(moved), time.UTC), "the clinic moved it to Mon 30 Nov 2026 at 08:00: cancel again if you still want to"; got != want {
		t.Errorf("in English: %q, want %q", got, want)
	}
}

// TestClinicSurveyInGerman: a clinic's own survey keeps its words; a number typed with a
// decimal comma is read as the language means it, and a required question left empty is
// named in the person's language.
func TestClinicSurveyInGerman(t *testing.T) {
	inLanguage(t, "de")
	q := `{"resourceType": "Questionnaire", "status": "active", "title": "Physio check",
	  "useContext": [{"valueCodeableConcept": {"text": "Physiotherapy"}}],
	  "item": [{"linkId": "pain", "type": "decimal", "text": "Schmerz heute (0 bis 10)", "required": true},
	           {"linkId": "note", "type": "string", "text": "Sonst noch etwas?"}]}`
	u := openAppointments(t, nil, func(ctx context.Context, st *data.Store) {
		if err := st.SetClinicQuestionnaires(ctx, []json.RawMessage{json.RawMessage(q)}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: "Physio", Service: "Physiotherapy",
			Start: fixedNow.Add(-72 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	})
	a := u.appointments
	test.Tap(rowTitled(t, a.past, "Physio").svBtn)
	f := a.survey
	if f == nil || len(f.questions) != 2 {
		t.Fatal("the clinic's survey did not open")
	}
	test.Type(f.fields["note"].(*navEntry), "Danke")
	test.Tap(f.send)
	assertShows(t, f.err, "Bitte beantworten Sie: Schmerz heute (0 bis 10)")
	test.Type(f.fields["pain"].(*navEntry), "2,5")
	test.Tap(f.send)
	if a.survey != nil {
		t.Fatalf("the survey stays open: %q", f.err.Text)
	}
	svs, err := u.curStore().ListSurveys(context.Background())
	if err != nil || len(svs) != 1 {
		t.Fatalf("surveys %+v (%v)", svs, err)
	}
	var got map[string]any
	if err := json.Unmarshal(svs[0].Answers, &got); err != nil {
		t.Fatal(err)
	}
	if got["pain"] != 2.5 || got["note"] != "Danke" {
		t.Errorf("answers %v, want pain 2.5", got)
	}
}
