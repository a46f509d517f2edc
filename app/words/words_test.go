package words_test

import (
	"testing"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/app/words"
	"github.com/patient-companion/companion/data"
)

// TestWordsInGerman: every common symptom and mood has its own German word; what a person
// typed passes as it is.
func TestWordsInGerman(t *testing.T) {
	tr.MustSetup("de")
	defer tr.MustSetup("en")
	if got := words.Symptom("Headache"); got != "Kopfschmerzen" {
		t.Errorf("Symptom(Headache) = %q", got)
	}
	if got := words.Mood("calm"); got == "calm" || got == "" {
		t.Errorf("Mood(calm) = %q", got)
	}
	if got := words.Symptom("Stechen im Knie"); got != "Stechen im Knie" {
		t.Errorf("a typed symptom became %q", got)
	}
	seen := map[string]string{}
	for _, s := range data.CommonSymptoms {
		w := words.Symptom(s)
		if w == s && s != "Nausea" {
			t.Errorf("%q has no German word", s)
		}
		if o, dup := seen[w]; dup {
			t.Errorf("%q and %q are both %q", o, s, w)
		}
		seen[w] = s
	}
}
