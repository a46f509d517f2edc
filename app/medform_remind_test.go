package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/data"
)

// TestMedicineReminderFields: the medicine form offers the repeat (every 10 minutes, 3 times
// by default) and an optional heads-up; what is typed is kept in the medicine, comes back
// when it is edited, and a value out of range is refused next to its field.
func TestMedicineReminderFields(t *testing.T) {
	u := openMeds(t, &testClock{t: fixedNow}, nil)
	s := u.medications
	test.Tap(s.add)
	f := s.form
	r := f.reminders
	if r.every.Text != "10" || r.times.Text != "3" || r.headsUp.Text != "" {
		t.Fatalf("a new medicine's reminders: every %q, %q times, heads-up %q", r.every.Text, r.times.Text, r.headsUp.Text)
	}
	test.Type(f.name, "Levothyroxine")
	r.times.SetText("25")
	test.Tap(f.save)
	if s.form == nil || !r.err.Visible() || r.err.Text != msgMedRepeatTimes() {
		t.Fatalf("25 repeats saved, or not said: %q", r.err.Text)
	}
	r.times.SetText("0")
	r.every.SetText("5")
	r.headsUp.SetText("15")
	if r.err.Visible() {
		t.Fatalf("the message should go once fixed: %q", r.err.Text)
	}
	test.Tap(f.save)
	if s.form != nil {
		t.Fatalf("not saved: %q", f.state.Text)
	}
	ms := storedMeds(t, u)
	if len(ms) != 1 || ms[0].RepeatEvery != 5*time.Minute || ms[0].RepeatTimes != data.NoRepeat || ms[0].HeadsUp != 15*time.Minute {
		t.Fatalf("stored %+v", ms)
	}

	// Edited: the fields hold what was stored; back to the defaults stores none.
	test.Tap(s.rows[0].edit)
	f = s.form
	r = f.reminders
	if r.every.Text != "5" || r.times.Text != "0" || r.headsUp.Text != "15" {
		t.Fatalf("editing shows every %q, %q times, heads-up %q", r.every.Text, r.times.Text, r.headsUp.Text)
	}
	r.every.SetText("10")
	r.times.SetText("3")
	r.headsUp.SetText("")
	test.Tap(f.save)
	if s.form != nil {
		t.Fatalf("not saved: %q", f.state.Text)
	}
	if ms := storedMeds(t, u); ms[0].RepeatEvery != 0 || ms[0].RepeatTimes != 0 || ms[0].HeadsUp != 0 {
		t.Fatalf("back to the defaults stored %v × %d, heads-up %v", ms[0].RepeatEvery, ms[0].RepeatTimes, ms[0].HeadsUp)
	}
	if !strings.Contains(msgMedHeadsUp(), "leave it empty") {
		t.Error("the heads-up message should say it may stay empty")
	}
}
