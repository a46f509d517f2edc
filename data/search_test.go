package data

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// The streaming search (no index: a command-line search) and the index (the window) find the
// same entries in the same order, damage included, whatever the case and the alphabet.
func TestSearchStreamMatchesIndex(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "A", "correct horse")
	defer s.Close()
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var damagedID string
	for i, x := range []struct{ name, note string }{
		{"Headache", "after CLIMBING the stairs"},
		{"ÜBELKEIT", "Straße nass, Kopf schwer"},
		{"Nausea", "stairs again"},
		{"Σ pain", "ΣΊΣΥΦΟΣ"},
		{"Cough", ""},
	} {
		e, err := s.AddSymptom(ctx, Symptom{Name: x.name, Severity: i, Note: x.note, At: base.Add(time.Duration(i) * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			damagedID = e.ID
		}
	}
	if _, err := s.AddJournalNote(ctx, JournalNote{Text: "Stairs were fine", At: base.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	m, err := s.AddMedication(ctx, Medication{Name: "Stairmaster tablets", AsNeeded: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDose(ctx, DoseEvent{MedicationID: m.ID, State: DoseTaken, At: base.Add(30 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	flipBlobByte(t, s.DB(), "entries", damagedID)
	queries := []string{"stairs", "stair tablets", "STAIRS", "übelkeit", "strasse", "straße", "σίσυφος", "σ", "head stairs", "zzz", "pain σ"}
	stream := map[string][]Entry{}
	streamErr := map[string]string{}
	for _, q := range queries {
		got, err := s.Search(ctx, q)
		stream[q], streamErr[q] = got, errText(err)
	}
	if err := s.WarmSearch(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range queries {
		got, err := s.Search(ctx, q)
		if !reflect.DeepEqual(kindNames(got), kindNames(stream[q])) || errText(err) != streamErr[q] {
			t.Errorf("%q: index %v (%s), stream %v (%s)", q, kindNames(got), errText(err), kindNames(stream[q]), streamErr[q])
		}
	}
	if len(stream["stairs"]) != 2 || streamErr["stairs"] == "" {
		t.Errorf("stairs: %v, %s", kindNames(stream["stairs"]), streamErr["stairs"])
	}
}

func kindNames(es []Entry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, string(e.Kind)+":"+e.Name)
	}
	return out
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
