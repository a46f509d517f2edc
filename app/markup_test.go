package app

// Markup goldens of each screen's main states (empty, filled, error), at the window's
// default size and a fixed clock. A failed run writes testdata/failed/<name>.xml: look at
// it (and at the window), then copy it over the golden if the change is meant.

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/app/tr"

	"github.com/patient-companion/companion/data"
)

// assertMarkup compares the window, at its default size, with testdata/<golden>. The real
// driver lays out again whatever changed size before each frame; the test canvas does not, so
// the content is refreshed (laid out) first. With COMPANION_CAPTURE_DIR set it also writes
// what the test driver draws, as <name>.png, for a person to look at.
func assertMarkup(t *testing.T, u *UI, golden string) {
	t.Helper()
	if code := tr.Lang(); code != "en" {
		golden = code + "/" + golden // TestMarkupInLanguages
	}
	u.win.Resize(fyne.NewSize(1000, 700))
	u.win.Content().Refresh()
	test.AssertRendersToMarkup(t, golden, u.win.Canvas())
	if dir := os.Getenv("COMPANION_CAPTURE_DIR"); dir != "" {
		f, err := os.Create(filepath.Join(dir, strings.ReplaceAll(strings.TrimSuffix(golden, ".xml"), "/", "_")+".png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, u.win.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
	}
}

// fillProfile gives a profile a day of medicines, an appointment and messages.
func fillProfile(t *testing.T) func(ctx context.Context, st *data.Store) {
	return func(ctx context.Context, st *data.Store) {
		addMed(t, st, "Metformin", "500 mg", hm(7, 0), hm(13, 0), hm(20, 0))
		addMed(t, st, "Paracetamol", "1 g")
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: "Diabetes review", Start: at(15, 30),
			Location: "Health centre, room 4", Status: "booked"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: "Eye test", Start: at(10, 0).AddDate(0, 0, 9)}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpsertIncomingMessage(ctx, "m1", data.Message{At: at(8, 5), Sender: "Dr Patel",
			Text: "Your blood test results are normal. See you at the review."}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddNote(ctx, "Can I take the evening tablet an hour later?"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTodayMarkup(t *testing.T) {
	clk := &testClock{t: at(6, 0)}
	u := openToday(t, clk, fillProfile(t))
	clk.Set(at(13, 10))
	u.refreshToday()
	assertMarkup(t, u, "today.xml")
}

// TestScreenMarkup: each screen empty, filled and (where a form can be wrong) with an error,
// at 09:00 on the test day.
func TestScreenMarkup(t *testing.T) {
	for _, c := range []struct {
		golden string
		filled bool
		key    fyne.KeyName
		act    func(u *UI) // what makes the error state, if any
	}{
		{"today_empty.xml", false, fyne.Key1, nil},
		{"appointments.xml", true, fyne.Key4, nil},
		{"appointments_empty.xml", false, fyne.Key4, nil},
		{"appointments_error.xml", false, fyne.Key4, func(u *UI) {
			test.Type(u.appointments.what, "Physiotherapy")
			test.Type(u.appointments.when, "next tuesday")
			test.Tap(u.appointments.add)
		}},
		{"messages.xml", true, fyne.Key5, nil},
		{"messages_empty.xml", false, fyne.Key5, nil},
		{"settings.xml", false, fyne.Key6, nil},
		{"settings_error.xml", false, fyne.Key6, func(u *UI) {
			u.settings.snooze.SetText("0")
			test.Tap(u.settings.save)
		}},
	} {
		t.Run(strings.TrimSuffix(c.golden, ".xml"), func(t *testing.T) {
			var setup func(ctx context.Context, st *data.Store)
			if c.filled {
				setup = fillProfile(t)
			}
			u := openToday(t, &testClock{t: at(9, 0)}, setup)
			ctrl(u, c.key)
			if c.act != nil {
				c.act(u)
			}
			assertMarkup(t, u, c.golden)
		})
	}
}

// TestAppointmentActionsMarkup: Appointments with what a person can do there — a request
// waiting for the clinic, questions for the doctor (one ticked off), and a survey after a
// finished visit.
func TestAppointmentActionsMarkup(t *testing.T) {
	u := openToday(t, &testClock{t: at(9, 0)}, func(ctx context.Context, st *data.Store) {
		eye, err := st.AddAppointment(ctx, data.Appointment{Title: "Eye screening", Start: at(14, 0).AddDate(0, 0, 3),
			Location: "City Hospital, eye clinic"})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"Can I drive after the drops?", "Do I need new glasses?"} {
			if _, err := st.AddQuestion(ctx, eye.ID, q); err != nil {
				t.Fatal(err)
			}
		}
		qs, err := st.ListQuestions(ctx, eye.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SetQuestionDone(ctx, qs[0].ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := st.RequestAppointment(ctx, data.Appointment{Reason: "Review of my blood pressure",
			After: data.Date{Year: 2025, Month: 12, Day: 1}, Before: data.Date{Year: 2025, Month: 12, Day: 12}}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: "Blood test", Start: at(8, 45).AddDate(0, 0, -7)}); err != nil {
			t.Fatal(err)
		}
	})
	ctrl(u, fyne.Key4)
	assertMarkup(t, u, "appointments_actions.xml")
	a := u.appointments
	test.Tap(a.past[0].svBtn)
	assertMarkup(t, u, "appointments_survey.xml")
	test.Tap(a.survey.not)
	test.Tap(a.ask)
	assertMarkup(t, u, "appointments_request.xml")
}

func TestUnlockErrorMarkup(t *testing.T) {
	p := testProfiles(t, nil)
	passProfile(t, p, "Anne")
	u := newTestUI(t, p)
	unlockWith(t, u, "not the passphrase")
	assertMarkup(t, u, "unlock_error.xml")
}

func TestOverviewMarkup(t *testing.T) {
	clk := &testClock{t: at(6, 0)}
	p := testProfiles(t, nil)
	p.Now = clk.Now
	anne := passProfile(t, p, "Anne")
	passProfile(t, p, "Bob")
	st, err := p.Open(context.Background(), anne, data.Credentials{Passphrase: []byte(goodPass)})
	if err != nil {
		t.Fatal(err)
	}
	fillProfile(t)(context.Background(), st)
	st.Close()
	u := newTestUI(t, p)
	unlockWith(t, u, goodPass)
	clk.Set(at(13, 10))
	ctrl(u, fyne.Key0)
	assertMarkup(t, u, "overview.xml")
}
