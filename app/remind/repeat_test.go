package remind

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

// kinds says which lists of a notice hold doses, and when: "due 08:00", "repeat 08:00".
func kinds(n Notice, loc *time.Location) string {
	var out []string
	for _, l := range []struct {
		name string
		os   []Occurrence
	}{{"due", n.Due}, {"late", n.Late}, {"repeat", n.Repeat}, {"heads-up", n.HeadsUp}, {"overdue", n.Overdue}, {"missed", n.Missed}} {
		for _, o := range l.os {
			out = append(out, l.name+" "+o.At.In(loc).Format("15:04"))
		}
	}
	return strings.Join(out, ", ")
}

// expect ticks at each time (UTC unless the fixture is elsewhere) and checks what the notice
// asks about; "" for nothing.
func (f *fixture) expect(steps ...[2]string) {
	f.t.Helper()
	for _, s := range steps {
		n := f.tick(s[0])
		if got := kinds(n, f.store.Location()); got != s[1] {
			f.t.Fatalf("at %s: notice %q, want %q (%q)", s[0], got, s[1], n.Title)
		}
	}
}

func (f *fixture) answer(at string, state string, snoozeUntil string) {
	f.t.Helper()
	ev := data.DoseEvent{MedicationID: f.med.ID, ScheduledAt: f.occ(at), State: state, At: f.now}
	if snoozeUntil != "" {
		ev.SnoozeUntil = utc(snoozeUntil)
	}
	if _, err := f.store.RecordDose(context.Background(), ev); err != nil {
		f.t.Fatal(err)
	}
}

// occ is the fixture medicine's dose at the instant s.
func (f *fixture) occ(s string) time.Time { return utc(s) }

func (f *fixture) next(now string) string {
	f.t.Helper()
	at, ok, err := f.eng.NextEvent(context.Background(), utc(now))
	if err != nil || !ok {
		f.t.Fatalf("NextEvent(%s): %v, %v", now, ok, err)
	}
	return at.UTC().Format(time.RFC3339)
}

// TestRepeatUntilAnswered: an unanswered dose is asked about again every 10 minutes, 3 times
// (the defaults), each on the minute, and no more once it is answered.
func TestRepeatUntilAnswered(t *testing.T) {
	f := newFixture(t, "08:00", "20:00")
	f.expect(
		[2]string{"2026-03-02T07:59:50Z", ""},
		[2]string{"2026-03-02T08:00:10Z", "due 08:00"},
		[2]string{"2026-03-02T08:09:59Z", ""},
	)
	if got := f.next("2026-03-02T08:09:59Z"); got != "2026-03-02T08:10:00Z" {
		t.Fatalf("the timer is armed for %s, want the repeat at 08:10", got)
	}
	n := f.tick("2026-03-02T08:10:00Z")
	if kinds(n, time.UTC) != "repeat 08:00" || n.Title != "Time for your 08:00 Metformin 500 mg" ||
		!strings.HasPrefix(n.Body, "Not marked taken yet.") {
		t.Fatalf("repeat: %q %q %q", kinds(n, time.UTC), n.Title, n.Body)
	}
	f.expect(
		[2]string{"2026-03-02T08:10:30Z", ""},
		[2]string{"2026-03-02T08:20:00Z", "repeat 08:00"},
		[2]string{"2026-03-02T08:30:00Z", "repeat 08:00"},
		[2]string{"2026-03-02T08:40:00Z", ""}, // 3 times only
		[2]string{"2026-03-02T09:00:00Z", ""},
	)
	// The evening dose is taken at 20:05: no repeat at 20:10.
	f.expect([2]string{"2026-03-02T20:00:05Z", "due 20:00"})
	f.answer("2026-03-02T20:00:00Z", data.DoseTaken, "")
	f.expect([2]string{"2026-03-02T20:10:00Z", ""}, [2]string{"2026-03-02T20:40:00Z", ""})

	// A medicine's own: every 5 minutes, twice; or never.
	f.edit(func(m *data.Medication) { m.RepeatEvery, m.RepeatTimes = 5*time.Minute, 2 })
	f.expect(
		[2]string{"2026-03-03T08:00:05Z", "due 08:00"},
		[2]string{"2026-03-03T08:05:00Z", "repeat 08:00"},
		[2]string{"2026-03-03T08:10:00Z", "repeat 08:00"},
		[2]string{"2026-03-03T08:15:00Z", ""},
	)
	f.edit(func(m *data.Medication) { m.RepeatTimes = data.NoRepeat })
	f.expect(
		[2]string{"2026-03-03T20:00:05Z", "due 20:00"},
		[2]string{"2026-03-03T20:05:00Z", ""},
		[2]string{"2026-03-03T20:30:00Z", ""},
	)
}

// TestRepeatAfterSleep: repeats that came while the computer slept are said once, not one
// notice each.
func TestRepeatAfterSleep(t *testing.T) {
	f := newFixture(t, "08:00")
	f.expect(
		[2]string{"2026-03-02T07:59:50Z", ""},
		[2]string{"2026-03-02T08:00:10Z", "due 08:00"},
		[2]string{"2026-03-02T08:35:00Z", "repeat 08:00"}, // 08:10, 08:20, 08:30 slept through
		[2]string{"2026-03-02T08:45:00Z", ""},
	)
}

// TestSnoozeThenRepeat: a snoozed dose is not repeated while snoozed; when the snooze runs
// out it is asked about again, then repeated from then on.
func TestSnoozeThenRepeat(t *testing.T) {
	f := newFixture(t, "08:00")
	f.expect([2]string{"2026-03-02T07:59:50Z", ""}, [2]string{"2026-03-02T08:00:10Z", "due 08:00"})
	f.now = utc("2026-03-02T08:02:00Z")
	f.answer("2026-03-02T08:00:00Z", data.DoseSnoozed, "2026-03-02T08:12:00Z")
	f.expect([2]string{"2026-03-02T08:10:00Z", ""}) // the repeat of 08:10 is snoozed
	if got := f.next("2026-03-02T08:10:00Z"); got != "2026-03-02T08:12:00Z" {
		t.Fatalf("next %s, want the snooze's end", got)
	}
	f.expect([2]string{"2026-03-02T08:12:00Z", "due 08:00"})
	if got := f.next("2026-03-02T08:12:00Z"); got != "2026-03-02T08:22:00Z" {
		t.Fatalf("next %s, want 10 minutes after the snooze ran out", got)
	}
	f.expect(
		[2]string{"2026-03-02T08:21:59Z", ""},
		[2]string{"2026-03-02T08:22:00Z", "repeat 08:00"},
		[2]string{"2026-03-02T08:32:00Z", "repeat 08:00"},
		[2]string{"2026-03-02T08:42:00Z", "repeat 08:00"},
		[2]string{"2026-03-02T08:52:00Z", ""},
	)
	// Taken now: never missed, never asked again.
	f.answer("2026-03-02T08:00:00Z", data.DoseTaken, "")
	f.expect([2]string{"2026-03-02T11:00:00Z", ""})
}

// TestHeadsUp: a heads-up comes the medicine's HeadsUp before the dose (off by default), on
// the minute, once; not for a dose taken early.
func TestHeadsUp(t *testing.T) {
	f := newFixture(t, "08:00", "20:00")
	f.expect([2]string{"2026-03-02T07:00:00Z", ""}, [2]string{"2026-03-02T07:45:00Z", ""}) // off by default
	f.answer("2026-03-02T08:00:00Z", data.DoseTaken, "")
	f.edit(func(m *data.Medication) { m.HeadsUp = 15 * time.Minute })
	if got := f.next("2026-03-02T19:00:00Z"); got != "2026-03-02T19:45:00Z" {
		t.Fatalf("next %s, want the heads-up at 19:45", got)
	}
	f.expect([2]string{"2026-03-02T19:44:59Z", ""})
	n := f.tick("2026-03-02T19:45:00Z")
	if kinds(n, time.UTC) != "heads-up 20:00" || n.Title != "Coming up: your 20:00 Metformin 500 mg" {
		t.Fatalf("heads-up: %q %q", kinds(n, time.UTC), n.Title)
	}
	f.expect([2]string{"2026-03-02T19:50:00Z", ""}, [2]string{"2026-03-02T20:00:05Z", "due 20:00"})
	// Taken early: no heads-up.
	f.now = utc("2026-03-03T07:30:00Z")
	f.answer("2026-03-03T08:00:00Z", data.DoseTaken, "")
	f.expect([2]string{"2026-03-03T07:46:00Z", ""}, [2]string{"2026-03-03T08:00:05Z", ""})
}

// newFixtureIn is newFixture in loc, starting at start.
func newFixtureIn(t *testing.T, loc *time.Location, start time.Time, m data.Medication) *fixture {
	t.Helper()
	f := &fixture{t: t, now: start, rec: &recorder{}}
	p := datatest.NewProfiles(t, nil)
	p.Location, p.Now = loc, func() time.Time { return f.now }
	s, _ := datatest.CreatePassphrase(t, p, "Mum", "pw")
	f.store = s
	var err error
	if f.med, err = s.AddMedication(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	f.eng = &Engine{Store: s, Notifier: f.rec}
	return f
}

// TestRepeatAndHeadsUpAcrossDST: repeats and heads-ups are real minutes from the dose's
// instant, whatever the wall clock does: in New York, a heads-up 90 minutes before a 03:30
// dose on the day the clocks spring forward comes at 01:00 (an hour and a half before, not
// 02:00, which does not exist); repeats of a 01:50 dose on the day they fall back come at
// 01:00, 01:10, 01:20 of the second 01:00 hour, not an hour later.
func TestRepeatAndHeadsUpAcrossDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	spring := newFixtureIn(t, ny, utc("2026-03-07T12:00:00Z"), data.Medication{Name: "Thyroxine", HeadsUp: 90 * time.Minute,
		Steps: []data.Step{{Times: []data.TimeOfDay{tod("03:30")}, Start: date("2026-03-07")}}})
	// 03:30 EDT on 8 March is 07:30 UTC; 90 minutes before is 06:00 UTC, 01:00 EST.
	spring.tick("2026-03-08T05:00:00Z")
	if got := spring.next("2026-03-08T05:00:00Z"); got != "2026-03-08T06:00:00Z" {
		t.Fatalf("heads-up armed for %s, want 06:00 UTC", got)
	}
	spring.expect([2]string{"2026-03-08T05:59:59Z", ""}, [2]string{"2026-03-08T06:00:00Z", "heads-up 03:30"},
		[2]string{"2026-03-08T07:30:05Z", "due 03:30"})

	fall := newFixtureIn(t, ny, utc("2026-10-31T12:00:00Z"), data.Medication{Name: "Thyroxine",
		Steps: []data.Step{{Times: []data.TimeOfDay{tod("01:50")}, Start: date("2026-10-31")}}})
	// 01:50 on 1 November is its first instant, 01:50 EDT = 05:50 UTC.
	fall.expect([2]string{"2026-11-01T05:49:00Z", ""}, [2]string{"2026-11-01T05:50:05Z", "due 01:50"})
	if got := fall.next("2026-11-01T05:50:05Z"); got != "2026-11-01T06:00:00Z" {
		t.Fatalf("repeat armed for %s, want 06:00 UTC (01:00 EST)", got)
	}
	fall.expect(
		[2]string{"2026-11-01T06:00:00Z", "repeat 01:50"},
		[2]string{"2026-11-01T06:10:00Z", "repeat 01:50"},
		[2]string{"2026-11-01T06:20:00Z", "repeat 01:50"},
		[2]string{"2026-11-01T06:50:00Z", ""}, // 01:50 EST: the same dose, not a second one
	)
}

// TestCaregiverAlert: a dose still unanswered an hour after its time (caregiver_alert_minutes)
// is an Overdue notice, once — only while someone else has a profile open here (Watched),
// never when the setting is 0, and also for a dose snoozed past it.
func TestCaregiverAlert(t *testing.T) {
	f := newFixture(t, "08:00", "12:00", "20:00")
	f.edit(func(m *data.Medication) { m.RepeatTimes = data.NoRepeat })
	watched := false
	f.eng.Watched = func() bool { return watched }
	f.expect(
		[2]string{"2026-03-02T07:59:00Z", ""},
		[2]string{"2026-03-02T08:00:05Z", "due 08:00"},
		[2]string{"2026-03-02T09:00:05Z", ""}, // nobody else is here
	)
	watched = true
	f.eng.Person = func() string { return "Mum" }
	f.expect([2]string{"2026-03-02T12:00:05Z", "due 12:00"})
	f.now = utc("2026-03-02T12:30:00Z")
	f.answer("2026-03-02T12:00:00Z", data.DoseSnoozed, "2026-03-02T13:10:00Z")
	if got := f.next("2026-03-02T12:30:00Z"); got != "2026-03-02T13:00:00Z" {
		t.Fatalf("alert armed for %s, want 13:00", got)
	}
	f.expect([2]string{"2026-03-02T12:59:59Z", ""})
	n := f.tick("2026-03-02T13:00:00Z")
	if kinds(n, time.UTC) != "overdue 12:00" || n.Title != "Mum — the 12:00 Metformin 500 mg is not marked taken yet" {
		t.Fatalf("alert: %q %q", kinds(n, time.UTC), n.Title)
	}
	f.expect([2]string{"2026-03-02T13:05:00Z", ""})
	// Names hidden.
	if _, err := f.store.PutSetting(context.Background(), data.KeyHideMedicineNames, "true"); err != nil {
		t.Fatal(err)
	}
	f.expect([2]string{"2026-03-02T20:00:05Z", "due 20:00"})
	if n := f.tick("2026-03-02T21:00:00Z"); n.Title != "Mum — the 20:00 medicine is not marked taken yet" {
		t.Fatalf("alert with names hidden: %q", n.Title)
	}
	// Off.
	if _, err := f.store.PutSetting(context.Background(), data.KeyCaregiverAlertMinutes, "0"); err != nil {
		t.Fatal(err)
	}
	f.expect([2]string{"2026-03-03T08:00:05Z", "due 08:00"}, [2]string{"2026-03-03T09:00:05Z", ""})
}
