package report_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/patient-companion/companion/app/report"
	"github.com/patient-companion/companion/data"
)

// FuzzWrite: any text the journal can hold (any script, emoji, right-to-left, control-free
// or not, very long) makes a PDF, never a panic.
func FuzzWrite(f *testing.F) {
	for _, s := range []string{"Headache", "Zoë Łukasiewicz", "Дрожь", "مرحبا", "😀 pain", "\uFFFF\uFFFE", "a\nb\tc",
		strings.Repeat("W", 300), "\u202Eevil", "", " ", "\x00"} {
		f.Add(s, s+" note")
	}
	f.Fuzz(func(t *testing.T, name, text string) {
		if !utf8.ValidString(name) || !utf8.ValidString(text) {
			t.Skip() // the store refuses what is not UTF-8
		}
		loc := time.UTC
		now := time.Date(2026, 3, 31, 12, 0, 0, 0, loc)
		days := []int{-1, 3, 10, 0, -1}
		r := &report.Report{
			Person: name, Clinic: text, Loc: loc, Generated: now, AdherenceEnd: now,
			From: data.Date{Year: 2026, Month: 3, Day: 27}, To: data.Date{Year: 2026, Month: 3, Day: 31},
			Medicines: []report.Medicine{{Name: name, Dose: text, Schedule: text, Instructions: name}},
			Symptoms: []report.Symptom{{Name: name, Count: 3, Highest: 10, Mean: 4.3, Last: now,
				Days: days, Sums: []int{0, 3, 10, 0, 0}, Counts: []int{0, 1, 1, 1, 0}}},
			Moods:        []report.Mood{{Name: name, Count: 1, Last: now}},
			Notes:        []report.Note{{At: now, Who: name, Text: text}},
			Appointments: []data.Appointment{{Start: now, Title: name, Description: text, Location: text}},
		}
		var buf bytes.Buffer
		pages, err := report.Write(&buf, r, report.A4)
		if err != nil || pages < 1 || !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
			t.Fatalf("Write(%q, %q): %d pages, %v", name, text, pages, err)
		}
	})
}

// TestLongWordIsCut: a note of one 5,000-character word (a pasted link) is cut to the
// column, quickly, and runs on over the pages it needs with nothing lost.
func TestLongWordIsCut(t *testing.T) {
	word := strings.Repeat("abcdefghij", 500)
	now := time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
	r := &report.Report{Person: "P", Loc: time.UTC, Generated: now, AdherenceEnd: now,
		From: data.Date{Year: 2026, Month: 3, Day: 31}, To: data.Date{Year: 2026, Month: 3, Day: 31},
		Notes: []report.Note{{At: now, Text: word}}}
	needPoppler(t)
	path, _ := writePDF(t, r, report.A4)
	text := poppler(t, "pdftotext", "-enc", "UTF-8", path, "-")
	// The word's lines, in order, across the pages it runs over.
	var got strings.Builder
	for _, l := range strings.Split(text, "\n") {
		if l != "" && strings.Trim(l, "abcdefghij") == "" {
			got.WriteString(l)
		}
	}
	if got.String() != word {
		t.Errorf("the cut word is not all there: %d of %d characters", got.Len(), len(word))
	}
}
