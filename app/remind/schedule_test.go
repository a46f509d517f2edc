package remind

import (
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/patient-companion/companion/data"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func date(s string) data.Date {
	d, err := data.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func tod(s string) data.TimeOfDay {
	t, err := data.ParseTimeOfDay(s)
	if err != nil {
		panic(err)
	}
	return t
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestStepOccurrences(t *testing.T) {
	tests := []struct {
		name     string
		zone     string
		step     data.Step
		from, to string
		want     []string // UTC instants
	}{
		{
			name: "New York spring forward: 02:30 happens once, at 03:30 EDT",
			zone: "America/New_York",
			step: data.Step{Times: []data.TimeOfDay{tod("02:30")}, Start: date("2026-03-01")},
			from: "2026-03-07T00:00:00Z", to: "2026-03-10T00:00:00Z",
			want: []string{"2026-03-07T07:30:00Z", "2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z"},
		},
		{
			name: "New York fall back: 01:30 happens once, at the first instant (EDT)",
			zone: "America/New_York",
			step: data.Step{Times: []data.TimeOfDay{tod("01:30")}, Start: date("2026-10-01")},
			from: "2026-10-31T00:00:00Z", to: "2026-11-03T00:00:00Z",
			want: []string{"2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"},
		},
		{
			name: "New York: times either side of the gap keep their wall clock",
			zone: "America/New_York",
			step: data.Step{Times: []data.TimeOfDay{tod("01:59"), tod("03:00"), tod("08:00")}, Start: date("2026-03-01")},
			from: "2026-03-08T00:00:00Z", to: "2026-03-08T23:59:00Z",
			want: []string{"2026-03-08T06:59:00Z", "2026-03-08T07:00:00Z", "2026-03-08T12:00:00Z"},
		},
		{
			name: "Berlin spring forward: 02:30 at 03:30 CEST",
			zone: "Europe/Berlin",
			step: data.Step{Times: []data.TimeOfDay{tod("02:30")}, Start: date("2026-03-01")},
			from: "2026-03-28T00:00:00Z", to: "2026-03-31T00:00:00Z",
			want: []string{"2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"},
		},
		{
			name: "Berlin fall back: 02:30 once, in CEST",
			zone: "Europe/Berlin",
			step: data.Step{Times: []data.TimeOfDay{tod("02:30")}, Start: date("2026-10-01")},
			from: "2026-10-24T00:00:00Z", to: "2026-10-27T00:00:00Z",
			want: []string{"2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"},
		},
		{
			name: "Sydney autumn fall back (April): 02:30 once, in AEDT",
			zone: "Australia/Sydney",
			step: data.Step{Times: []data.TimeOfDay{tod("02:30")}, Start: date("2026-03-01")},
			from: "2026-04-03T00:00:00Z", to: "2026-04-06T00:00:00Z",
			want: []string{"2026-04-03T15:30:00Z", "2026-04-04T15:30:00Z", "2026-04-05T16:30:00Z"},
		},
		{
			name: "Sydney spring forward (October): 02:30 at 03:30 AEDT",
			zone: "Australia/Sydney",
			step: data.Step{Times: []data.TimeOfDay{tod("02:30")}, Start: date("2026-09-01")},
			from: "2026-10-02T00:00:00Z", to: "2026-10-05T00:00:00Z",
			want: []string{"2026-10-02T16:30:00Z", "2026-10-03T16:30:00Z", "2026-10-04T15:30:00Z"},
		},
		{
			name: "every 3 days crosses the month end by the calendar (cron's */3 would restart on the 1st)",
			zone: "UTC",
			step: data.Step{Times: []data.TimeOfDay{tod("09:00")}, EveryDays: 3, Start: date("2026-01-28")},
			from: "2026-01-27T00:00:00Z", to: "2026-02-08T00:00:00Z",
			want: []string{"2026-01-28T09:00:00Z", "2026-01-31T09:00:00Z", "2026-02-03T09:00:00Z", "2026-02-06T09:00:00Z"},
		},
		{
			name: "every 2 days across 29 February 2028",
			zone: "Europe/Berlin",
			step: data.Step{Times: []data.TimeOfDay{tod("08:00")}, EveryDays: 2, Start: date("2028-02-25")},
			from: "2028-02-26T00:00:00Z", to: "2028-03-05T00:00:00Z",
			want: []string{"2028-02-27T07:00:00Z", "2028-02-29T07:00:00Z", "2028-03-02T07:00:00Z", "2028-03-04T07:00:00Z"},
		},
		{
			name: "chosen weekdays",
			zone: "UTC",
			step: data.Step{Times: []data.TimeOfDay{tod("20:00")}, Weekdays: []time.Weekday{time.Monday, time.Friday}, Start: date("2026-11-01")},
			from: "2026-11-22T00:00:00Z", to: "2026-12-01T00:00:00Z",
			want: []string{"2026-11-23T20:00:00Z", "2026-11-27T20:00:00Z", "2026-11-30T20:00:00Z"},
		},
		{
			name: "start and end dates are inclusive",
			zone: "UTC",
			step: data.Step{Times: []data.TimeOfDay{tod("08:00"), tod("20:00")}, Start: date("2026-03-02"), End: date("2026-03-03")},
			from: "2026-03-01T00:00:00Z", to: "2026-03-10T00:00:00Z",
			want: []string{"2026-03-02T08:00:00Z", "2026-03-02T20:00:00Z", "2026-03-03T08:00:00Z", "2026-03-03T20:00:00Z"},
		},
		{
			name: "custom cron: weekdays at 08:15",
			zone: "UTC",
			step: data.Step{Cron: "15 8 * * 1-5", Start: date("2026-01-01")},
			from: "2026-11-27T00:00:00Z", to: "2026-12-02T00:00:00Z",
			want: []string{"2026-11-27T08:15:00Z", "2026-11-30T08:15:00Z", "2026-12-01T08:15:00Z"},
		},
		{
			name: "custom cron in the New York gap gets the same correction",
			zone: "America/New_York",
			step: data.Step{Cron: "30 2 * * *", Start: date("2026-01-01")},
			from: "2026-03-07T12:00:00Z", to: "2026-03-09T00:00:00Z",
			want: []string{"2026-03-08T07:30:00Z"},
		},
		{
			name: "custom cron: first of the month, with an end date",
			zone: "UTC",
			step: data.Step{Cron: "0 9 1 * *", Start: date("2026-01-01"), End: date("2026-03-01")},
			from: "2025-12-01T00:00:00Z", to: "2026-12-31T00:00:00Z",
			want: []string{"2026-01-01T09:00:00Z", "2026-02-01T09:00:00Z", "2026-03-01T09:00:00Z"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewStepSchedule(tc.step, zone(t, tc.zone))
			if err != nil {
				t.Fatal(err)
			}
			got := s.Between(nil, utc(tc.from), utc(tc.to))
			if len(got) != len(tc.want) {
				t.Fatalf("got %d occurrences %v, want %v", len(got), got, tc.want)
			}
			for i, w := range tc.want {
				if !got[i].Equal(utc(w)) {
					t.Errorf("occurrence %d = %s (%s UTC), want %s", i, got[i], got[i].UTC().Format(time.RFC3339), w)
				}
			}
			// Next, step by step, gives the same sequence.
			at := utc(tc.from)
			for i := range tc.want {
				at = s.Next(at)
				if !at.Equal(utc(tc.want[i])) {
					t.Fatalf("Next #%d = %s, want %s", i, at.UTC().Format(time.RFC3339), tc.want[i])
				}
			}
		})
	}
}

func TestStepScheduleIsACronSchedule(t *testing.T) {
	var s cron.Schedule
	st, err := NewStepSchedule(data.Step{Times: []data.TimeOfDay{tod("08:00")}, Start: date("2026-01-01"), End: date("2026-01-02")}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	s = st
	got := s.Next(utc("2026-01-02T08:00:00Z"))
	if !got.IsZero() {
		t.Fatalf("Next after the end = %v, want the zero time", got)
	}
}

func TestParseCronRefuses(t *testing.T) {
	for _, expr := range []string{"", "not cron", "61 * * * *", "@every 5m", "CRON_TZ=UTC 0 8 * * *", "0 8 * *"} {
		if _, err := ParseCron(expr); err == nil {
			t.Errorf("%q accepted", expr)
		}
	}
	if _, err := ParseCron("0 8,20 * * mon-fri"); err != nil {
		t.Fatal(err)
	}
}

func TestTaperSteps(t *testing.T) {
	m := data.Medication{ID: "m1", Name: "Prednisolone", Dose: "5 mg", Steps: []data.Step{
		{ID: "s1", Times: []data.TimeOfDay{tod("08:00"), tod("20:00")}, Start: date("2026-03-01"), End: date("2026-03-02"), Dose: "10 mg"},
		{ID: "s2", Times: []data.TimeOfDay{tod("08:00")}, Start: date("2026-03-03"), End: date("2026-03-04")},
	}}
	ms, err := NewMedSchedule(m, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	got := ms.Between(nil, utc("2026-02-28T00:00:00Z"), utc("2026-03-10T00:00:00Z"))
	want := []struct{ at, dose string }{
		{"2026-03-01T08:00:00Z", "10 mg"}, {"2026-03-01T20:00:00Z", "10 mg"},
		{"2026-03-02T08:00:00Z", "10 mg"}, {"2026-03-02T20:00:00Z", "10 mg"},
		{"2026-03-03T08:00:00Z", "5 mg"}, {"2026-03-04T08:00:00Z", "5 mg"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i, w := range want {
		if !got[i].At.Equal(utc(w.at)) || got[i].Dose != w.dose {
			t.Errorf("#%d = %s %s, want %s %s", i, got[i].At.UTC().Format(time.RFC3339), got[i].Dose, w.at, w.dose)
		}
	}
	next, ok := ms.Next(utc("2026-03-02T20:00:00Z"))
	if !ok || !next.At.Equal(utc("2026-03-03T08:00:00Z")) || next.StepID != "s2" {
		t.Fatalf("Next across the taper boundary = %+v, %v", next, ok)
	}
	if _, ok := ms.Next(utc("2026-03-04T08:00:00Z")); ok {
		t.Fatal("an ended taper has a next dose")
	}
	asNeeded, _ := NewMedSchedule(data.Medication{ID: "m2", AsNeeded: true}, time.UTC)
	if got := asNeeded.Between(nil, utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")); len(got) != 0 {
		t.Fatalf("as-needed medicine has occurrences: %v", got)
	}
}

// BenchmarkYearOfFiftyMedications: 50 medications × 4 times a day, every occurrence of a
// year (DESIGN §9: < 50 ms).
func BenchmarkYearOfFiftyMedications(b *testing.B) {
	loc := zone(b, "Europe/Berlin")
	var meds []MedSchedule
	for i := 0; i < 50; i++ {
		m := data.Medication{ID: "m", Name: "Med", Steps: []data.Step{{
			Times: []data.TimeOfDay{tod("07:00"), tod("12:00"), tod("18:00"), tod("22:00")}, Start: date("2026-01-01"),
		}}}
		ms, err := NewMedSchedule(m, loc)
		if err != nil {
			b.Fatal(err)
		}
		meds = append(meds, ms)
	}
	from, to := utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z")
	var out []Occurrence
	for b.Loop() {
		out = out[:0]
		for _, ms := range meds {
			out = ms.Between(out, from, to)
		}
	}
	if len(out) != 50*4*365 {
		b.Fatalf("%d occurrences", len(out))
	}
}
