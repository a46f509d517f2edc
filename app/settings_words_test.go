package app

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/data"
)

// TestAppointmentRemindersNoneInGerman: "keine" typed in German turns appointment reminders
// off (stored "none", as the command line writes it), and reads back as "keine".
func TestAppointmentRemindersNoneInGerman(t *testing.T) {
	inLanguage(t, "de")
	u := openToday(t, &testClock{t: fixedNow}, nil)
	ctrl(u, fyne.Key6)
	s := u.settings
	s.apptRem.SetText(" Keine ")
	test.Tap(s.save)
	if s.apptRemErr.Visible() {
		t.Fatalf("refused: %q", s.apptRemErr.Text)
	}
	set, err := u.curStore().Settings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := set.Text(data.KeyAppointmentReminders); v != "none" {
		t.Fatalf("stored %q, want none", v)
	}
	ctrl(u, fyne.Key1)
	ctrl(u, fyne.Key6)
	if got := u.settings.apptRem.Text; got != "keine" {
		t.Errorf("shows %q, want keine", got)
	}
}
