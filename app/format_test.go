package app

import (
	"testing"
	"time"
)

func TestParseWhen(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	now := time.Date(2025, 11, 25, 14, 30, 0, 0, ny)
	for _, tt := range []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: "", want: now},
		{in: "  ", want: now},
		{in: "2025-11-25 09:05", want: time.Date(2025, 11, 25, 9, 5, 0, 0, ny)},
		{in: " 2025-11-25   09:05 ", want: time.Date(2025, 11, 25, 9, 5, 0, 0, ny)},
		{in: "2025-11-25T09:05", want: time.Date(2025, 11, 25, 9, 5, 0, 0, ny)},
		{in: "2025-11-25 09.05", want: time.Date(2025, 11, 25, 9, 5, 0, 0, ny)},
		{in: "08:00", want: time.Date(2025, 11, 25, 8, 0, 0, 0, ny)},
		{in: "2025-07-01 12:00", want: time.Date(2025, 7, 1, 12, 0, 0, 0, ny)}, // summer time
		{in: "14:34", want: time.Date(2025, 11, 25, 14, 34, 0, 0, ny)},         // a clock a little behind
		{in: "14:40", bad: true},
		{in: "2025-11-26 08:00", bad: true},
		{in: "yesterday", bad: true},
		{in: "25/11/2025 08:00", bad: true},
		{in: "2025-02-30 08:00", bad: true},
		{in: "25:00", bad: true},
	} {
		got, err := parseWhen(tt.in, now.UTC(), ny)
		switch {
		case tt.bad && err == nil:
			t.Errorf("parseWhen(%q) = %v, want an error", tt.in, got)
		case !tt.bad && err != nil:
			t.Errorf("parseWhen(%q): %v", tt.in, err)
		case !tt.bad && (!got.Equal(tt.want) || got.Location() != ny):
			t.Errorf("parseWhen(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "", want: 0},
		{in: "30 minutes", want: 30 * time.Minute},
		{in: "30 min", want: 30 * time.Minute},
		{in: "30m", want: 30 * time.Minute},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "1 hour 30 minutes", want: 90 * time.Minute},
		{in: "2 Hours", want: 2 * time.Hour},
		{in: "1.5 h", want: 90 * time.Minute},
		{in: "1,5 hours", want: 90 * time.Minute},
		{in: "2 days", want: 48 * time.Hour},
		{in: "1 week", want: 7 * 24 * time.Hour},
		{in: "45", bad: true},
		{in: "a while", bad: true},
		{in: "0 minutes", bad: true},
		{in: "-5m", bad: true},
		{in: "3 fortnights", bad: true},
		{in: "400 days", bad: true},
	} {
		got, err := parseDuration(tt.in)
		switch {
		case tt.bad && err == nil:
			t.Errorf("parseDuration(%q) = %v, want an error", tt.in, got)
		case !tt.bad && err != nil:
			t.Errorf("parseDuration(%q): %v", tt.in, err)
		case !tt.bad && got != tt.want:
			t.Errorf("parseDuration(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestDurationText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                          "",
		30 * time.Second:           "under a minute",
		time.Minute:                "1 minute",
		90 * time.Minute:           "1 hour 30 minutes",
		2 * time.Hour:              "2 hours",
		25*time.Hour + time.Minute: "1 day 1 hour 1 minute",
	} {
		if got := durationText(d); got != want {
			t.Errorf("durationText(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSeverityText(t *testing.T) {
	for n, want := range map[int]string{
		0: "0 — none", 1: "1 — mild", 3: "3 — mild", 4: "4 — moderate", 6: "6 — moderate",
		7: "7 — severe", 9: "9 — severe", 10: "10 — worst possible",
	} {
		if got := severityText(n); got != want {
			t.Errorf("severityText(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestBreakLines(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Patient Companion", "Patient\nCompanion"},
		{"Riverside Health Centre", "Riverside\nHealth Centre"},
		{"St Mary's", "St Mary's"},
		{"Supercalifragilisticexpialidocious clinic", "Supercalifragilisticexpialidocious\nclinic"},
		{"  ", ""},
	} {
		if got := breakLines(c.in, 14); got != c.want {
			t.Errorf("breakLines(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
