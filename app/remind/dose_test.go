package remind

import (
	"context"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
)

func TestDoseStatus(t *testing.T) {
	eight := utc("2026-03-02T08:00:00Z")
	o := Occurrence{MedicationID: "m", At: eight, Window: 2 * time.Hour}
	ev := func(state, at string) data.DoseEvent {
		return data.DoseEvent{MedicationID: "m", ScheduledAt: eight, State: state, At: utc(at)}
	}
	snoozed := func(until string) data.DoseEvent {
		e := ev(data.DoseSnoozed, "2026-03-02T08:01:00Z")
		e.SnoozeUntil = utc(until)
		return e
	}
	for _, tc := range []struct {
		name string
		ev   data.DoseEvent
		now  string
		want Status
	}{
		{"upcoming", data.DoseEvent{}, "2026-03-02T07:59:59Z", Upcoming},
		{"due at its time", data.DoseEvent{}, "2026-03-02T08:00:00Z", Due},
		{"due up to LateAfter", data.DoseEvent{}, "2026-03-02T08:30:00Z", Due},
		{"late after LateAfter", data.DoseEvent{}, "2026-03-02T08:30:01Z", Late},
		{"late to the end of its window", data.DoseEvent{}, "2026-03-02T10:00:00Z", Late},
		{"missed past its window, recorded or not", data.DoseEvent{}, "2026-03-02T10:00:01Z", Missed},
		{"recorded missed", ev(data.DoseMissed, "2026-03-02T08:00:00Z"), "2026-03-02T10:30:00Z", Missed},
		{"taken", ev(data.DoseTaken, "2026-03-02T08:03:00Z"), "2026-03-02T08:05:00Z", Taken},
		{"taken early", ev(data.DoseTaken, "2026-03-02T07:30:00Z"), "2026-03-02T07:31:00Z", Taken},
		{"taken stays taken", ev(data.DoseTaken, "2026-03-02T08:03:00Z"), "2026-03-03T08:00:00Z", Taken},
		{"a missed dose taken late", ev(data.DoseTaken, "2026-03-02T11:00:00Z"), "2026-03-02T11:00:00Z", Taken},
		{"skipped", ev(data.DoseSkipped, "2026-03-02T08:03:00Z"), "2026-03-02T12:00:00Z", Skipped},
		{"snoozed", snoozed("2026-03-02T08:11:00Z"), "2026-03-02T08:10:59Z", Snoozed},
		{"snoozed, then due when the snooze runs out", snoozed("2026-03-02T08:11:00Z"), "2026-03-02T08:11:00Z", Due},
		{"snoozed, then late", snoozed("2026-03-02T08:40:00Z"), "2026-03-02T08:45:00Z", Late},
		{"snoozed past its window is missed", snoozed("2026-03-02T12:00:00Z"), "2026-03-02T10:00:01Z", Missed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := DoseAt(o, tc.ev, utc(tc.now))
			if d.Status != tc.want {
				t.Errorf("status %q, want %q", d.Status, tc.want)
			}
			if d.Answered() != (tc.want == Taken || tc.want == Skipped) {
				t.Errorf("Answered() = %v", d.Answered())
			}
			if d.Waiting() != (tc.want == Due || tc.want == Late || tc.want == Snoozed) {
				t.Errorf("Waiting() = %v", d.Waiting())
			}
		})
	}
}

// TestDoseWindowDefault: a medicine stored without a dose window (older records) has the
// default one everywhere — its occurrences, Nearest, missed.
func TestDoseWindowDefault(t *testing.T) {
	for _, tc := range []struct {
		window, want time.Duration
	}{{0, data.DefaultDoseWindow}, {-time.Minute, data.DefaultDoseWindow}, {45 * time.Minute, 45 * time.Minute}} {
		m := data.Medication{ID: "m", DoseWindow: tc.window, Steps: []data.Step{{Times: []data.TimeOfDay{tod("08:00")}}}}
		if got := Window(m); got != tc.want {
			t.Errorf("Window(%s) = %s, want %s", tc.window, got, tc.want)
		}
		ms, err := NewMedSchedule(m, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		o, _ := ms.Next(utc("2026-03-02T00:00:00Z"))
		if o.Window != tc.want {
			t.Errorf("occurrence window %s, want %s", o.Window, tc.want)
		}
		end := o.At.Add(tc.want)
		if d, ok := ms.Nearest(nil, end, end); !ok || d.Status != Late {
			t.Errorf("window %s: at its end the dose is %v %q, want late", tc.window, ok, d.Status)
		}
		if _, ok := ms.Nearest(nil, end.Add(time.Second), end); ok {
			t.Errorf("window %s: a second after its end there is no dose to answer", tc.window)
		}
	}
}

// TestDayBoundary: a day is the local date, from its first instant to the next date's, also
// where the clocks change at midnight.
func TestDayBoundary(t *testing.T) {
	santiago := zone(t, "America/Santiago") // 6 Sep 2026: 00:00 -04 becomes 01:00 -03; 5 Apr: 24:00 -03 becomes 23:00 -04
	ny := zone(t, "America/New_York")       // 8 Mar 2026: 02:00 EST becomes 03:00 EDT
	for _, tc := range []struct {
		name       string
		loc        *time.Location
		now        string
		start, end string // RFC 3339
		hours      float64
	}{
		{"an ordinary day", ny, "2026-03-02T09:00:00-05:00", "2026-03-02T00:00:00-05:00", "2026-03-03T00:00:00-05:00", 24},
		{"spring forward at 02:00", ny, "2026-03-08T12:00:00-04:00", "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 23},
		{"midnight in the gap: the day starts at 01:00", santiago, "2026-09-06T10:00:00-03:00", "2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00", 23},
		{"the day before the gap ends at its 24:00", santiago, "2026-09-05T23:30:00-04:00", "2026-09-05T00:00:00-04:00", "2026-09-06T01:00:00-03:00", 24},
		{"fall back at 24:00: 25 hours", santiago, "2026-04-04T23:30:00-04:00", "2026-04-04T00:00:00-03:00", "2026-04-05T00:00:00-04:00", 25},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start, end := Day(utc(tc.now), tc.loc)
			if !start.Equal(utc(tc.start)) || !end.Equal(utc(tc.end)) {
				t.Errorf("Day = [%s, %s), want [%s, %s)", start, end, tc.start, tc.end)
			}
			if h := end.Sub(start).Hours(); h != tc.hours {
				t.Errorf("the day has %v hours, want %v", h, tc.hours)
			}
		})
	}
}

// TestDayDoses: the doses of today — the date's, and late yesterday's still waiting; never a
// dose of the day before through a midnight that does not exist.
func TestDayDoses(t *testing.T) {
	santiago := zone(t, "America/Santiago")
	m := data.Medication{ID: "m", CreatedAt: utc("2026-09-01T00:00:00Z"),
		Steps: []data.Step{{Times: []data.TimeOfDay{tod("08:00"), tod("23:30")}, Start: date("2026-09-01")}}}
	ms, err := NewMedSchedule(m, santiago)
	if err != nil {
		t.Fatal(err)
	}
	times := func(ds []Dose) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.At.In(santiago).Format("02 15:04")+" "+string(d.Status))
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		events []data.DoseEvent
		now    string
		want   []string
	}{
		{"the day of the gap has its own doses only", nil, "2026-09-06T10:00:00-03:00", []string{"06 08:00 late", "06 23:30 upcoming"}},
		{"yesterday's dose still in its window comes along", nil, "2026-09-06T01:15:00-03:00", []string{"05 23:30 late", "06 08:00 upcoming", "06 23:30 upcoming"}},
		{"once answered it stays with its own day", []data.DoseEvent{{MedicationID: "m", ScheduledAt: utc("2026-09-05T23:30:00-04:00"), State: data.DoseTaken, At: utc("2026-09-06T01:10:00-03:00")}},
			"2026-09-06T01:15:00-03:00", []string{"06 08:00 upcoming", "06 23:30 upcoming"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := times(ms.DayDoses(NewEvents(tc.events), utc(tc.now)))
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
			}
		})
	}
	from, to := TodaySpan([]data.Medication{m, {DoseWindow: 5 * time.Hour}}, utc("2026-09-06T10:00:00-03:00"), santiago)
	if !from.Equal(utc("2026-09-05T20:00:00-03:00")) || !to.Equal(utc("2026-09-07T00:00:00-03:00")) {
		t.Errorf("TodaySpan = [%s, %s)", from, to)
	}
}

// TestDosesBeforeTheSchedule: a dose whose time came before the medicine was added is
// offered while just due, and never called late or missed.
func TestDosesBeforeTheSchedule(t *testing.T) {
	m := data.Medication{ID: "m", CreatedAt: utc("2026-03-02T08:10:00Z"),
		Steps: []data.Step{{Times: []data.TimeOfDay{tod("08:00"), tod("20:00")}, Start: date("2026-03-01")}}}
	ms, err := NewMedSchedule(m, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		now   string
		first Status // of the 08:00 dose; "" when not listed
	}{{"2026-03-02T08:20:00Z", Due}, {"2026-03-02T08:31:00Z", ""}, {"2026-03-02T12:00:00Z", ""}} {
		ds := ms.DayDoses(nil, utc(tc.now))
		got := Status("")
		if len(ds) == 2 {
			got = ds[0].Status
		}
		if got != tc.first || ds[len(ds)-1].At.Hour() != 20 {
			t.Errorf("at %s the 08:00 dose is %q, want %q", tc.now, got, tc.first)
		}
	}
	// Recorded, it is shown as it was answered.
	evs := NewEvents([]data.DoseEvent{{MedicationID: "m", ScheduledAt: utc("2026-03-02T08:00:00Z"), State: data.DoseTaken, At: utc("2026-03-02T08:05:00Z")}})
	if ds := ms.DayDoses(evs, utc("2026-03-02T12:00:00Z")); len(ds) != 2 || ds[0].Status != Taken {
		t.Errorf("answered before it was written down: %+v", ds)
	}
}

// TestNearest: take/skip act on the dose nearest to the time given, answered or not.
func TestNearest(t *testing.T) {
	m := data.Medication{ID: "m", CreatedAt: utc("2026-03-01T00:00:00Z"),
		Steps: []data.Step{{Times: []data.TimeOfDay{tod("08:00"), tod("09:00"), tod("20:00")}, Start: date("2026-03-01")}}}
	ms, err := NewMedSchedule(m, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	taken := NewEvents([]data.DoseEvent{{MedicationID: "m", ScheduledAt: utc("2026-03-02T08:00:00Z"), State: data.DoseTaken, At: utc("2026-03-02T08:05:00Z")}})
	now := utc("2026-03-02T08:20:00Z")
	for _, tc := range []struct {
		at     string
		events Events
		want   string // "15:04 status", "" for none
	}{
		{"2026-03-02T08:20:00Z", nil, "08:00 due"},
		{"2026-03-02T08:20:00Z", taken, "08:00 taken"}, // nearest, though 09:00 is in reach
		{"2026-03-02T08:30:00Z", taken, "08:00 taken"}, // as near as 09:00: the earlier
		{"2026-03-02T08:31:00Z", taken, "09:00 upcoming"},
		{"2026-03-02T18:59:00Z", nil, ""},
		{"2026-03-02T19:00:00Z", nil, "20:00 upcoming"},
		{"2026-03-02T06:59:00Z", nil, ""},
		{"2026-03-02T07:00:00Z", nil, "08:00 due"}, // its status as of now
	} {
		d, ok := ms.Nearest(tc.events, utc(tc.at), now)
		got := ""
		if ok {
			got = d.At.Format("15:04") + " " + string(d.Status)
		}
		if got != tc.want {
			t.Errorf("Nearest(%s) = %q, want %q", tc.at, got, tc.want)
		}
	}
}

// answeringStore is a store where the person answers a dose (the reminder window, the tray)
// just after the engine read the doses and before it writes.
type answeringStore struct {
	*data.Store
	answer data.DoseEvent
}

func (s *answeringStore) DoseEvents(ctx context.Context, medicationID string, since, until time.Time) ([]data.DoseEvent, error) {
	evs, err := s.Store.DoseEvents(ctx, medicationID, since, until)
	if s.answer.State != "" {
		if _, err := s.Store.RecordDose(ctx, s.answer); err != nil {
			return nil, err
		}
		s.answer = data.DoseEvent{}
	}
	return evs, err
}

// TestEngineNeverOverwritesAnAnswer: a dose answered while the engine was deciding that it
// was missed stays answered, and is not announced as missed.
func TestEngineNeverOverwritesAnAnswer(t *testing.T) {
	f := newFixture(t, "08:00")
	f.tick("2026-03-02T07:00:00Z")
	as := &answeringStore{Store: f.store, answer: data.DoseEvent{MedicationID: f.med.ID, ScheduledAt: utc("2026-03-02T08:00:00Z"),
		State: data.DoseTaken, At: utc("2026-03-02T10:00:30Z")}}
	f.eng.Store = as
	n := f.tick("2026-03-02T10:00:30Z")
	if got := f.states()["08:00"]; got != data.DoseTaken {
		t.Fatalf("08:00 is %q, want taken: the engine wrote over the answer", got)
	}
	if len(n.Missed) != 0 {
		t.Errorf("a taken dose was announced missed: %+v", n)
	}
}
