package data

// Fuzz targets for what people type into a schedule (--times, --start, --end and the
// window's medicine form): the parsers accept exactly the documented forms, what they
// accept prints back as itself, and a step that passes validation is stored and read back
// unchanged.

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var timeOfDayForm = regexp.MustCompile(`^[0-9]{1,2}:[0-9]{2}$`)

// FuzzParseTimeOfDay: HH:MM on a 24-hour clock (one-digit hours allowed), nothing else.
func FuzzParseTimeOfDay(f *testing.F) {
	for _, s := range []string{"08:00", "8:00", " 20:30 ", "23:59", "24:00", "12:60", "7:5", "08:00:00", "-1:00", "+8:00", "08:+5", "08:5x", "0x8:00", "", ":", "１２:００"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tod, err := ParseTimeOfDay(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("%q: error %v is not ErrInvalid", s, err)
			}
			return
		}
		if !timeOfDayForm.MatchString(strings.TrimSpace(s)) {
			t.Fatalf("%q is not HH:MM but reads as %s", s, tod)
		}
		if tod < 0 || tod >= 24*60 {
			t.Fatalf("%q reads as %d minutes", s, int(tod))
		}
		if again, err := ParseTimeOfDay(tod.String()); err != nil || again != tod {
			t.Fatalf("%q → %s → %v, %v", s, tod, again, err)
		}
		h, m, _ := strings.Cut(strings.TrimSpace(s), ":")
		if want := strings.Repeat("0", 2-len(h)) + h + ":" + m; tod.String() != want {
			t.Fatalf("%q prints as %s", s, tod)
		}
	})
}

// FuzzParseDate: YYYY-MM-DD, a real calendar date, printed back exactly as given.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-03-01", " 2026-12-31\n", "2026-02-29", "2024-02-29", "0000-01-01", "9999-12-31", "2026-1-01", "2026-13-01", "26-03-01", "2026-03-01T00:00:00Z", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("%q: error %v is not ErrInvalid", s, err)
			}
			return
		}
		if d.String() != strings.TrimSpace(s) {
			t.Fatalf("%q reads as %s", s, d)
		}
		if got := DateOf(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)); got != d {
			t.Fatalf("%q is not a calendar date (%s)", s, got)
		}
		if again, err := ParseDate(d.String()); err != nil || again != d {
			t.Fatalf("%q → %s → %v, %v", s, d, again, err)
		}
	})
}

// FuzzStep: a schedule step built from typed text either fails validation with ErrInvalid or
// is clean (times sorted, distinct, within the day; end not before start), validates to
// itself again, and is stored in a real profile and read back the same.
func FuzzStep(f *testing.F) {
	f.Add("08:00,20:00", 0, uint8(0), "2026-03-01", "", " 1 tablet ", "")
	f.Add("20:00,08:00,08:00", 3, uint8(0b0101010), "2026-03-01", "2026-02-01", "", "")
	f.Add("", 0, uint8(0), "", "", "", "0 8 1 * *")
	f.Add("23:59,00:00", -2, uint8(0x7f), "0000-01-01", "9999-12-31", "x", "")
	f.Add("07:30", 1, uint8(0b1000001), "2024-02-29", "2024-02-29", "½", "")

	p := newProfiles(f)
	s, _ := createPassphraseProfile(f, p, "Fuzz", "pw")
	f.Cleanup(func() { s.Close() })
	ctx := context.Background()

	f.Fuzz(func(t *testing.T, times string, everyDays int, weekdays uint8, start, end, dose, cron string) {
		var st Step
		for _, part := range strings.Split(times, ",") {
			if tod, err := ParseTimeOfDay(part); err == nil {
				st.Times = append(st.Times, tod)
			}
		}
		for w := time.Sunday; w <= time.Saturday; w++ {
			if weekdays&(1<<w) != 0 {
				st.Weekdays = append(st.Weekdays, w)
			}
		}
		st.EveryDays, st.Dose, st.Cron = everyDays, dose, cron
		st.Start, _ = ParseDate(start)
		st.End, _ = ParseDate(end)

		v, err := ValidateStep(st)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		if !slices.IsSorted(v.Times) || len(slices.Compact(slices.Clone(v.Times))) != len(v.Times) {
			t.Fatalf("times not sorted and distinct: %v", v.Times)
		}
		for _, tod := range v.Times {
			if tod < 0 || tod >= 24*60 {
				t.Fatalf("time %d", int(tod))
			}
		}
		if v.Cron == "" && len(v.Times) == 0 {
			t.Fatal("a step with neither times nor cron")
		}
		if v.EveryDays < 0 || (!v.End.IsZero() && !v.Start.IsZero() && v.End.Before(v.Start)) {
			t.Fatalf("accepted %+v", v)
		}
		if v.Dose != strings.TrimSpace(v.Dose) {
			t.Fatalf("dose %q not trimmed", v.Dose)
		}
		if again, err := ValidateStep(v); err != nil || !reflect.DeepEqual(again, v) {
			t.Fatalf("validating again: %+v, %v (was %+v)", again, err, v)
		}
		_ = v.Text() // how the window and `med list` show it

		// Stored and read back through the sealed record.
		m, err := s.AddMedication(ctx, Medication{Name: "Fuzzamol", Steps: []Step{v}})
		if err != nil {
			t.Fatalf("a valid step is not stored: %v", err)
		}
		t.Cleanup(func() {
			// Keep the profile small, so every input costs the same.
			if _, err := s.DB().ExecContext(ctx, "DELETE FROM schedule_steps; DELETE FROM medications"); err != nil {
				t.Fatal(err)
			}
		})
		got, err := s.Medication(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Steps) != 1 {
			t.Fatalf("read back %d steps", len(got.Steps))
		}
		want := m.Steps[0]
		if !reflect.DeepEqual(normStep(got.Steps[0]), normStep(want)) {
			t.Fatalf("stored step reads back changed:\nwant %+v\ngot  %+v", want, got.Steps[0])
		}
	})
}
