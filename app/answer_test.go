package app

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/data"
)

// answerElsewhere records an answer as another program would (the command line): behind the
// window's back.
func answerElsewhere(t *testing.T, u *UI, med data.Medication, sched time.Time, state string, when time.Time) {
	t.Helper()
	if _, err := u.curStore().RecordDose(context.Background(), data.DoseEvent{MedicationID: med.ID, ScheduledAt: sched, State: state, At: when}); err != nil {
		t.Fatal(err)
	}
}

// remindAtNine opens Today with Metformin and Ramipril at 09:00 and Aspirin at aspirin, and
// lets the engine check at 08:59 and 09:00, which opens the reminder window for the doses of
// 09:00, in that order.
func remindAtNine(t *testing.T, clk *testClock, aspirin data.TimeOfDay) (*UI, [3]data.Medication) {
	t.Helper()
	var meds [3]data.Medication
	u := openToday(t, clk, func(ctx context.Context, st *data.Store) {
		meds[0] = addMed(t, st, "Metformin", "500 mg", hm(9, 0))
		meds[1] = addMed(t, st, "Ramipril", "5 mg", hm(9, 0))
		meds[2] = addMed(t, st, "Aspirin", "75 mg", aspirin)
	})
	tick(t, u, clk, at(8, 59))
	tick(t, u, clk, at(9, 0))
	want := 2
	if aspirin == hm(9, 0) {
		want = 3
	}
	if w := u.cur.reminder; w == nil || len(w.rows) != want {
		t.Fatalf("the reminder window should ask about the %d doses of 09:00", want)
	}
	return u, meds
}

// TestReminderAsksBeforeChangingAnAnswer: a dose taken elsewhere while its reminder window
// was open is not skipped silently from that window: the window asks, and keeps the answer
// unless told to change it. Pressing the answer already given just shows it.
func TestReminderAsksBeforeChangingAnAnswer(t *testing.T) {
	clk := &testClock{t: at(7, 0)}
	u, meds := remindAtNine(t, clk, hm(9, 0))
	metformin, ramipril, aspirin := meds[0], meds[1], meds[2]
	w := u.cur.reminder
	row := func(med data.Medication) *reminderRow {
		for _, r := range w.rows {
			if r.occ.MedicationID == med.ID {
				return r
			}
		}
		t.Fatalf("no row for %s", med.Name)
		return nil
	}
	for _, m := range []data.Medication{metformin, ramipril, aspirin} {
		answerElsewhere(t, u, m, at(9, 0), data.DoseTaken, at(9, 3))
	}
	clk.Set(at(9, 5))

	// Skip, then keep it taken.
	test.Tap(row(metformin).skip)
	if ev := storedEvent(t, u, metformin, at(9, 0)); ev.State != data.DoseTaken {
		t.Fatalf("Skip wrote over the answer given elsewhere: %+v", ev)
	}
	q := u.cur.question
	if q == nil {
		t.Fatal("Skip on a dose taken elsewhere should ask before changing it")
	}
	if q.text.Text != "Taken at 09:03 — change to skipped?" || q.change.Text != "Change to skipped" || q.keep.Text != "Keep as taken" {
		t.Errorf("the question says %q [%s] [%s]", q.text.Text, q.keep.Text, q.change.Text)
	}
	if top := w.win.Canvas().Overlays().Top(); top == nil || !hasText(top, q.text.Text) {
		t.Error("the question should show over the reminder window")
	}
	test.Tap(q.keep)
	if u.cur.question != nil || w.win.Canvas().Overlays().Top() != nil {
		t.Error("Keep should close the question")
	}
	if r := row(metformin); !r.done || r.taken.Visible() || r.detail.Text != "Taken at 09:03" {
		t.Errorf("after Keep the row says %q (done %v)", r.detail.Text, r.done)
	}
	if ev := storedEvent(t, u, metformin, at(9, 0)); ev.State != data.DoseTaken || !ev.At.Equal(at(9, 3)) {
		t.Errorf("after Keep: %+v", ev)
	}

	// Skip, then change it.
	test.Tap(row(ramipril).skip)
	if u.cur.question == nil {
		t.Fatal("no question")
	}
	test.Tap(u.cur.question.change)
	if ev := storedEvent(t, u, ramipril, at(9, 0)); ev.State != data.DoseSkipped || !ev.At.Equal(at(9, 5)) {
		t.Errorf("after Change: %+v", ev)
	}
	if r := row(ramipril); !r.done || r.detail.Text != "Skipped" {
		t.Errorf("after Change the row says %q", r.detail.Text)
	}

	// Taken, as it was taken already: nothing to ask, nothing recorded twice.
	test.Tap(row(aspirin).taken)
	if u.cur.question != nil {
		t.Error("Taken on a dose already taken has nothing to ask")
	}
	if ev := storedEvent(t, u, aspirin, at(9, 0)); !ev.At.Equal(at(9, 3)) {
		t.Errorf("the dose was answered twice: %+v", ev)
	}
	if r := row(aspirin); !r.done || r.detail.Text != "Taken at 09:03" {
		t.Errorf("the row says %q", r.detail.Text)
	}
	assertShows(t, w.intro, "All done. You can close this window.")
}

// TestTodayAsksBeforeChangingAnAnswer: the same on Today, whose rows were read before the
// dose was skipped elsewhere.
func TestTodayAsksBeforeChangingAnAnswer(t *testing.T) {
	clk := &testClock{t: at(7, 0)}
	var med data.Medication
	u := openToday(t, clk, func(ctx context.Context, st *data.Store) {
		med = addMed(t, st, "Metformin", "500 mg", hm(9, 0))
	})
	clk.Set(at(9, 10))
	u.refreshToday()
	r := rowAt(u.today.due, at(9, 0))
	if r == nil {
		t.Fatal("the 09:00 dose should be due")
	}
	answerElsewhere(t, u, med, at(9, 0), data.DoseSkipped, at(9, 2))
	test.Tap(r.taken)
	if ev := storedEvent(t, u, med, at(9, 0)); ev.State != data.DoseSkipped {
		t.Fatalf("Taken wrote over the answer given elsewhere: %+v", ev)
	}
	q := u.cur.question
	if q == nil || q.text.Text != "Skipped at 09:02 — change to taken?" {
		t.Fatalf("question %+v", q)
	}
	if top := u.win.Canvas().Overlays().Top(); top == nil || !hasText(top, q.text.Text) {
		t.Error("the question should show over the main window")
	}
	test.Tap(q.change)
	if ev := storedEvent(t, u, med, at(9, 0)); ev.State != data.DoseTaken || !ev.At.Equal(at(9, 10)) {
		t.Errorf("after Change: %+v", ev)
	}
	if r.taken.Visible() || r.detail.Text != "Taken at 09:10 (due 09:00)" {
		t.Errorf("the row says %q", r.detail.Text)
	}
}

// TestTrayAndReminderWindowAgree: "Take due doses" in the tray answers the doses the reminder
// window is asking about, and the window shows them answered; what was answered in the
// window (or elsewhere) keeps its answer. No dose is answered twice.
func TestTrayAndReminderWindowAgree(t *testing.T) {
	clk := &testClock{t: at(7, 0)}
	u, meds := remindAtNine(t, clk, hm(9, 30))
	metformin, ramipril, aspirin := meds[0], meds[1], meds[2]
	w := u.cur.reminder
	clk.Set(at(9, 2))
	test.Tap(w.rows[1].skip) // Ramipril
	answerElsewhere(t, u, aspirin, at(9, 30), data.DoseSkipped, at(9, 31))

	clk.Set(at(9, 45))
	u.takeDueDoses()
	if ev := storedEvent(t, u, metformin, at(9, 0)); ev.State != data.DoseTaken || !ev.At.Equal(at(9, 45)) {
		t.Errorf("Metformin: %+v, want taken at 09:45", ev)
	}
	if ev := storedEvent(t, u, ramipril, at(9, 0)); ev.State != data.DoseSkipped || !ev.At.Equal(at(9, 2)) {
		t.Errorf("Ramipril, skipped in the window: %+v", ev)
	}
	if ev := storedEvent(t, u, aspirin, at(9, 30)); ev.State != data.DoseSkipped {
		t.Errorf("Aspirin, skipped elsewhere: %+v", ev)
	}
	if r := w.rows[0]; !r.done || r.taken.Visible() || r.detail.Text != "Taken at 09:45" {
		t.Errorf("the window's Metformin row says %q (done %v): the tray's answer should show there", r.detail.Text, r.done)
	}
	if w.first() != nil {
		t.Error("the window should have nothing left to answer")
	}
	assertShows(t, w.intro, "All done. You can close this window.")
	test.TypeOnCanvas(w.win.Canvas(), "s") // the key for Skip: nothing left to act on
	if ev := storedEvent(t, u, metformin, at(9, 0)); ev.State != data.DoseTaken {
		t.Errorf("Metformin after S in the window: %+v", ev)
	}
	// Again: nothing waits any more.
	u.takeDueDoses()
	if ev := storedEvent(t, u, metformin, at(9, 0)); !ev.At.Equal(at(9, 45)) {
		t.Errorf("taken twice: %+v", ev)
	}
}

// TestTodayAndMedicinesAgree: Today and Medicines say the same of a dose whose time came
// just before the medicine was added (Today offered it, Medicines left it out), and of a day
// that begins at 01:00 because midnight does not exist (both counted the evening before).
func TestTodayAndMedicinesAgree(t *testing.T) {
	t.Run("a dose just before the medicine was added", func(t *testing.T) {
		clk := &testClock{t: at(8, 10)}
		u := openMeds(t, clk, func(ctx context.Context, st *data.Store) {
			addMed(t, st, "Metformin", "500 mg", hm(8, 0), hm(20, 0))
		})
		clk.Set(at(8, 20))
		test.Tap(u.medications.nav.today)
		if r := rowAt(u.today.due, at(8, 0)); r == nil || r.detail.Text != "Due at 08:00" {
			t.Fatalf("Today should offer the 08:00 dose: due %d rows", len(u.today.due))
		}
		test.Tap(u.today.nav.medications)
		if got := u.medications.rows[0].today.Text; got != "Due now (08:00) · next 20:00" {
			t.Errorf("Medicines says %q, Today says the 08:00 dose is due", got)
		}
	})
	t.Run("midnight in the spring-forward gap", func(t *testing.T) {
		santiago, err := time.LoadLocation("America/Santiago")
		if err != nil {
			t.Fatal(err)
		}
		// 6 Sep 2026 in Santiago: 00:00 -04 becomes 01:00 -03.
		clk := &testClock{t: time.Date(2026, 9, 1, 7, 0, 0, 0, santiago)}
		p := testProfiles(t, nil)
		p.Now, p.Location = clk.Now, santiago
		st, _, err := p.Create(context.Background(), data.CreateOptions{Name: "Mum", Passphrase: []byte(goodPass), NoKeyring: true})
		if err != nil {
			t.Fatal(err)
		}
		addMed(t, st, "Metformin", "500 mg", hm(8, 0), hm(23, 30))
		st.Close()
		clk.Set(time.Date(2026, 9, 6, 9, 30, 0, 0, santiago))
		u := newTestUI(t, p)
		unlockWith(t, u, goodPass)
		td := u.today
		if len(td.missed) != 0 || len(td.due) != 1 || len(td.later) != 1 {
			t.Errorf("Today: %d missed, %d due, %d later; want only the day's 08:00 (late) and 23:30", len(td.missed), len(td.due), len(td.later))
		}
		test.Tap(td.nav.medications)
		if got := u.medications.rows[0].today.Text; got != "Due now (08:00) · next 23:30" {
			t.Errorf("Medicines says %q", got)
		}
	})
}

// storedEvent is what the store holds for med's dose at sched.
func storedEvent(t *testing.T, u *UI, med data.Medication, sched time.Time) data.DoseEvent {
	t.Helper()
	evs, err := u.curStore().DoseEvents(context.Background(), med.ID, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.ScheduledAt.Equal(sched) {
			return ev
		}
	}
	t.Fatalf("nothing recorded for %s at %s", med.Name, sched)
	return data.DoseEvent{}
}
