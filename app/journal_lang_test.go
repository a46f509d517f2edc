package app

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/app/words"
	"github.com/patient-companion/companion/data"
)

// journalInLanguage runs the rest of the test in language code, and English again after
// (the language is the process's, as in the app; TestMain starts in English).
func journalInLanguage(t *testing.T, code string) {
	t.Helper()
	tr.MustSetup(code)
	t.Cleanup(func() { tr.MustSetup("en") })
}

// TestParseDurationInTheLanguage: how long is typed in the running language's words too
// (and in English's, in any language), and what durationText writes reads back.
func TestParseDurationInTheLanguage(t *testing.T) {
	for _, c := range []struct {
		lang string
		in   string
		want time.Duration
	}{
		{"de", "30 Minuten", 30 * time.Minute},
		{"de", "2 Stunden", 2 * time.Hour},
		{"de", "1 Std. 30 Min.", 90 * time.Minute},
		{"de", "1 Stunde und 30 Minuten", 90 * time.Minute},
		{"de", "1,5 Stunden", 90 * time.Minute},
		{"de", "2 Tage", 48 * time.Hour},
		{"de", "1 Woche", 7 * 24 * time.Hour},
		{"de", "2 hours", 2 * time.Hour},
		{"es", "2 horas", 2 * time.Hour},
		{"es", "1 hora y 30 minutos", 90 * time.Minute},
		{"es", "45 min", 45 * time.Minute},
		{"es", "3 días", 72 * time.Hour},
		{"es", "0,5 horas", 30 * time.Minute},
	} {
		tr.MustSetup(c.lang)
		got, err := parseDuration(c.in)
		if err != nil || got != c.want {
			t.Errorf("%s: parseDuration(%q) = %v, %v; want %v", c.lang, c.in, got, err, c.want)
		}
	}
	tr.MustSetup("de")
	if _, err := parseDuration("3 Dutzend"); err == nil || err.Error() != "Schreiben Sie, wie lange, zum Beispiel 30 Minuten oder 2 Stunden." {
		t.Errorf("a word that is no unit: %v, want the German message", err)
	}
	d := 25*time.Hour + time.Minute
	text := durationText(d)
	if text != "1 Tag 1 Stunde 1 Minute" {
		t.Errorf("durationText = %q", text)
	}
	if back, err := parseDuration(text); err != nil || back != d {
		t.Errorf("parseDuration(%q) = %v, %v; want %v", text, back, err, d)
	}
	tr.MustSetup("en")
}

// TestJournalInGerman: the Journal speaks German. A common symptom chosen in German is
// stored in English (so it is the same symptom in every language, and to the command line)
// and shown in German; one the person writes is stored as written; dates, severities and
// durations are German; a filter or a search by the German name finds the English one.
func TestJournalInGerman(t *testing.T) {
	journalInLanguage(t, "de")
	u, p, info := openJournal(t, data.Symptom{Name: "Cough", Severity: 2, At: fixedNow.Add(-48 * time.Hour)})
	j := addEntry(t, u)
	if !slices.Contains(j.suggestions, "Kopfschmerzen") {
		t.Fatalf("the form offers %q, want the common symptoms in German", j.suggestions)
	}
	test.Type(j.name, "Kopfschmerzen")
	tapSeverity(j, 6)
	if j.sevLabel.Text != "6 – mittel" {
		t.Errorf("severity label = %q", j.sevLabel.Text)
	}
	test.Type(j.duration, "1 Stunde 30 Minuten")
	test.Tap(j.save)
	addEntry(t, u)
	test.Type(j.name, "Kopfweh")
	tapSeverity(j, 3)
	test.Tap(j.save)

	es := storedEntries(t, p, info)
	var names []string
	for _, e := range es {
		names = append(names, e.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"Cough", "Headache", "Kopfweh"}) {
		t.Errorf("stored %q, want the common ones in English, the person's own as written", names)
	}
	for _, e := range es {
		if e.Name == "Headache" && e.Duration != 90*time.Minute {
			t.Errorf("stored %v, want 1 h 30 min", e.Duration)
		}
	}
	rows := rowTexts(u)
	if len(rows) == 5 {
		slices.Sort(rows[1:3]) // the same minute: either may come first
	}
	want := []string{"# Heute", "14:30 | Kopfschmerzen | Dauer: 1 Stunde 30 Minuten. | 6 – mittel",
		"14:30 | Kopfweh |  | 3 – leicht",
		"# " + tr.Format(fixedNow.Add(-48*time.Hour).In(u.journal.store.Location()), tr.DateNoYear),
		"14:30 | Husten |  | 2 – leicht"}
	if !slices.Equal(rows, want) {
		t.Errorf("rows drawn = %q\nwant %q", rows, want)
	}
	if got := rows[3]; !strings.HasSuffix(got, "Nov.") {
		t.Errorf("day header %q, want the German date", got)
	}
	if j.count.Text != "3 Einträge" {
		t.Errorf("count = %q", j.count.Text)
	}

	// Editing shows the German name and duration, and keeps the English one stored.
	u.selectItem(itemOf(t, j, "Headache"))
	test.Tap(j.edit)
	if j.name.Text != "Kopfschmerzen" || j.duration.Text != "1 Stunde 30 Minuten" {
		t.Errorf("the form shows %q, %q", j.name.Text, j.duration.Text)
	}
	test.Tap(j.save)
	if es := storedEntries(t, p, info); !slices.ContainsFunc(es, func(e data.Entry) bool { return e.Name == "Headache" }) {
		t.Error("an edit kept in German should still store Headache")
	}

	j.delay = 0
	if !slices.Contains(j.symptom.Options, "Husten") {
		t.Fatalf("the filter offers %q", j.symptom.Options)
	}
	j.symptom.SetSelected("Husten")
	if j.filter.Symptom != "Cough" || len(j.entries) != 1 || j.chart.symptom != "Husten" {
		t.Errorf("filter %q shows %d entries, chart %q", j.filter.Symptom, len(j.entries), j.chart.symptom)
	}
	j.symptom.SetSelected(allSymptoms())
	test.Type(j.search, "kopfschmerzen")
	if len(j.entries) != 1 || j.entries[0].Name != "Headache" {
		t.Errorf("a search for the German name found %q", entryNames(j))
	}
	j.search.SetText("")
	if j.debounce != nil {
		j.debounce.Stop()
	}
}

// TestReadingsInGerman: a reading is typed with a decimal comma, said with one, and named
// in German; a target range too, and "keiner" clears it.
func TestReadingsInGerman(t *testing.T) {
	journalInLanguage(t, "de")
	u := openReadings(t, "de_DE.UTF-8", nil)
	s := u.readings
	s.kind.SetSelected("Gewicht")
	if !strings.Contains(labelsIn(s.valueBox), "Gewicht (kg)") {
		t.Fatalf("the weight field:\n%s", labelsIn(s.valueBox))
	}
	test.Type(s.value, "72,5")
	test.Tap(s.save)
	vs := storedVitals(t, u)
	if len(vs) != 1 || vs[0].Type != data.VitalWeight || math.Abs(vs[0].Value-72.5) > 1e-9 {
		t.Fatalf("stored %+v, want 72.5 kg", vs)
	}
	assertShows(t, s.saveMsg, "Messwert gespeichert. Gewicht: 72,5 kg.")
	list := labelsIn(s.list)
	if !strings.Contains(list, tr.Format(fixedNow, tr.DateClock)+" – 72,5 kg") || !strings.Contains(list, "Nur auf diesem Computer") {
		t.Errorf("the list:\n%s", list)
	}
	if s.formHead.Text != "Messwert eintragen: Gewicht" {
		t.Errorf("heading %q: a German noun keeps its capital", s.formHead.Text)
	}

	s.target.SetText("70,5-80")
	test.Tap(s.targetBtn)
	if s.target.Text != "70,5-80" {
		t.Errorf("the target reads back %q", s.target.Text)
	}
	set, err := u.curStore().Settings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tg, ok := set.Targets[data.VitalWeight]; !ok || tg.Lo != 70.5 || tg.Hi != 80 {
		t.Errorf("stored target %+v %v", tg, ok)
	}
	if !strings.Contains(s.chart.legend(), "70,5-80 kg") {
		t.Errorf("legend %q", s.chart.legend())
	}
	for in, want := range map[string]string{
		"80-70,5": "Die niedrige Zahl muss kleiner sein als die hohe, zum Beispiel 70-80.",
		"viel":    "Schreiben Sie den Bereich als niedrig-hoch, zum Beispiel 70-80, oder keiner.",
	} {
		s.target.SetText(in)
		test.Tap(s.targetBtn)
		assertShows(t, s.targetErr, want)
	}
	s.kind.SetSelected("Temperatur")
	s.target.SetText("37")
	test.Tap(s.targetBtn)
	assertShows(t, s.targetErr, "Schreiben Sie den Bereich als niedrig-hoch, zum Beispiel 36-37,5, oder keiner.")
	s.kind.SetSelected("Gewicht")
	s.target.SetText("keiner")
	test.Tap(s.targetBtn)
	set, _ = u.curStore().Settings(context.Background())
	if _, ok := set.Targets[data.VitalWeight]; ok {
		t.Error("keiner should clear the target")
	}
}

// TestJournalEditKeepsASecondsDuration: a duration of seconds (typed as "30 s") shows in
// the edit form as something that reads back, so saving the edit unchanged works and keeps
// it ("under a minute" was refused as no duration at all).
func TestJournalEditKeepsASecondsDuration(t *testing.T) {
	u, p, info := openJournal(t,
		data.Symptom{Name: "Dizziness", Severity: 3, At: fixedNow.Add(-time.Hour), Duration: 30 * time.Second},
		data.Symptom{Name: "Cough", Severity: 2, At: fixedNow.Add(-2 * time.Hour), Duration: 90*time.Minute + 20*time.Second},
	)
	j := u.journal
	for _, c := range []struct {
		name  string
		field string
		want  time.Duration
	}{
		{"Dizziness", "30 seconds", 30 * time.Second},
		{"Cough", "1 hour 30 minutes 20 seconds", 90*time.Minute + 20*time.Second},
	} {
		j.list.Select(itemOf(t, j, c.name))
		test.Tap(j.edit)
		if j.duration.Text != c.field {
			t.Errorf("%s: the form shows %q, want %q", c.name, j.duration.Text, c.field)
		}
		test.Tap(j.save)
		assertShows(t, j.status, "Your changes are saved.")
		for _, e := range storedEntries(t, p, info) {
			if e.Name == c.name && e.Duration != c.want {
				t.Errorf("%s: stored %v after an unchanged edit, want %v", c.name, e.Duration, c.want)
			}
		}
	}
}

// TestCommonWordsReadBack: in every language each common symptom and mood has its own
// word, which is stored back as the English one; a mood is stored as a mood, not as a
// symptom of the same word.
func TestCommonWordsReadBack(t *testing.T) {
	defer tr.MustSetup("en")
	for _, l := range tr.Languages {
		tr.MustSetup(l.Code)
		shown := map[string]string{}
		check := func(kind data.Kind, w, word string) {
			k := strings.ToLower(word)
			if other, ok := shown[k]; ok {
				t.Errorf("%s: %q and %q are both shown as %q", l.Code, other, w, word)
			}
			shown[k] = w
			if got := storedName(kind, word); got != w {
				t.Errorf("%s: %q is stored as %q, want %q", l.Code, word, got, w)
			}
			if got := storedName("", strings.ToUpper(word)); got != w && l.Code != "en" {
				t.Errorf("%s: a search for %q looks for %q, want %q", l.Code, strings.ToUpper(word), got, w)
			}
		}
		for _, w := range data.CommonSymptoms {
			check(data.KindSymptom, w, words.Symptom(w))
		}
		for _, w := range words.Moods() {
			check(data.KindMood, w, words.Mood(w))
		}
	}
}

// TestMoodInSpanish: a mood chosen in Spanish is stored in English and shown in Spanish.
func TestMoodInSpanish(t *testing.T) {
	journalInLanguage(t, "es")
	u, p, info := openJournal(t)
	j := addEntry(t, u)
	test.Tap(j.kindMood)
	test.Type(j.name, "Alegría")
	test.Tap(j.save)
	if es := storedEntries(t, p, info); len(es) != 1 || es[0].Kind != data.KindMood || es[0].Name != "Cheerful" {
		t.Fatalf("stored %+v, want the mood Cheerful", es)
	}
	if rows := rowTexts(u); len(rows) != 2 || rows[1] != "14:30 | Ánimo: Alegría |  | " {
		t.Errorf("rows drawn = %q", rows)
	}
}
