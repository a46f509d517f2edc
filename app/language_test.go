package app

// Tests of the window in each language: markup goldens per language (testdata/<code>/), every
// word on every screen from the translations (the pseudo-language), German at 200 % text.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir/fhirtest"
)

// TestMarkupInLanguages: the screens' goldens again, in Spanish and German (assertMarkup
// files them under testdata/<code>/).
func TestMarkupInLanguages(t *testing.T) {
	for _, code := range []string{"es", "de"} {
		t.Run(code, func(t *testing.T) {
			inLanguage(t, code)
			for name, f := range map[string]func(*testing.T){
				"today": TestTodayMarkup, "screens": TestScreenMarkup, "appointment_actions": TestAppointmentActionsMarkup,
				"unlock_error": TestUnlockErrorMarkup, "overview": TestOverviewMarkup, "journal": TestJournalMarkup,
				"journal_empty": TestJournalEmptyMarkup, "journal_error": TestJournalErrorMarkup, "unlock": TestUnlockMarkup,
				"medicines": TestMedicationsMarkup, "readings": TestReadingsMarkup, "record": TestRecordMarkup,
				"stock": TestMedicationsStockMarkup,
			} {
				t.Run(name, f)
			}
		})
	}
}

var markupText = regexp.MustCompile(`<text[^>]*>([^<]*)</text>`)

// screenTexts are the texts a canvas shows, as the markup renderer sees them.
func screenTexts(c fyne.Canvas) []string {
	var out []string
	for _, m := range markupText.FindAllStringSubmatch(test.RenderToMarkup(c), -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// pseudoRecord stores the test record with its people-readable texts (display, text,
// title…) in the pseudo-language too, so what is left in ASCII on screen is the app's.
func pseudoRecord(t *testing.T, st *data.Store) {
	t.Helper()
	res, err := fhirtest.RecordResources(fhirtest.Alice)
	if err != nil {
		t.Fatal(err)
	}
	human := map[string]bool{"display": true, "text": true, "title": true, "valueString": true, "description": true,
		"conclusion": true, "comment": true, "patientInstruction": true, "unit": true}
	var walk func(v any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case []any:
			for i, x := range v {
				v[i] = walk(x)
			}
		case map[string]any:
			if ct, _ := v["contentType"].(string); strings.HasPrefix(ct, "text/") {
				if b64, ok := v["data"].(string); ok { // a document's text, inline
					if b, err := base64.StdEncoding.DecodeString(b64); err == nil {
						v["data"] = base64.StdEncoding.EncodeToString([]byte(tr.Pseudo(string(b))))
					}
				}
			}
			for k, x := range v {
				if s, ok := x.(string); ok && human[k] {
					v[k] = tr.Pseudo(s)
				} else {
					v[k] = walk(x)
				}
			}
		}
		return v
	}
	var batch []data.ClinicalResource
	for _, r := range res {
		typ, _ := r["resourceType"].(string)
		if !slices.Contains(data.ClinicalTypes, typ) {
			continue
		}
		var m map[string]any
		raw, _ := json.Marshal(r)
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(walk(m))
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, data.ClinicalResource{Type: typ, RemoteID: r["id"].(string), Version: "1", Raw: raw})
	}
	if _, err := st.PutClinical(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
}

// sameWords are the words the same in every language: units, the app's name, key names.
var sameWords = map[string]bool{"mg": true, "ml": true, "kg": true, "lb": true, "mmHg": true, "mmol": true, "dL": true,
	"bpm": true, "SpO": true, "Ctrl": true, "Patient": true, "Companion": true,
	"Mum": true} // the profile's name

// TestEveryWordTranslated shows every screen in the pseudo-language, where each of the
// app's words is written in look-alike letters, and so is the profile's data: a plain ASCII
// word on screen bypassed the translations.
func TestEveryWordTranslated(t *testing.T) {
	p := tr.Pseudo
	inLanguage(t, tr.PseudoCode)
	u := openToday(t, &testClock{t: fixedNow}, func(ctx context.Context, st *data.Store) {
		addMed(t, st, p("Metformin"), "500 mg", hm(7, 0), hm(13, 0), hm(20, 0))
		addMed(t, st, p("Paracetamol"), "1 g")
		if _, err := st.AddAppointment(ctx, data.Appointment{Title: p("Diabetes review"), Start: fixedNow.Add(3 * time.Hour),
			Location: p("Health centre, room 4"), Status: "booked"}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpsertIncomingMessage(ctx, "m1", data.Message{At: fixedNow.Add(-time.Hour), Sender: p("Dr Patel"),
			Text: p("Your blood test results are normal.")}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddNote(ctx, p("Can I take the evening tablet later?")); err != nil {
			t.Fatal(err)
		}
		pseudoRecord(t, st)
		v, err := data.ParseVital(data.VitalBloodPressure, "142/91", "")
		if err != nil {
			t.Fatal(err)
		}
		v.At = fixedNow.Add(-time.Hour)
		if _, err := st.AddVital(ctx, v, false); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddSymptom(ctx, data.Symptom{Name: p("Headache"), Severity: 4, At: fixedNow.Add(-2 * time.Hour),
			Duration: 90 * time.Minute}); err != nil {
			t.Fatal(err)
		}
	})
	check := func(screen string) {
		t.Helper()
		u.win.Resize(fyne.NewSize(1000, 700))
		u.win.Content().Refresh()
		for _, s := range screenTexts(u.win.Canvas()) {
			rest := s
			for {
				w, ok := tr.HasASCIIWord(rest)
				if !ok {
					break
				}
				if !sameWords[w] {
					t.Errorf("%s shows %q: %q is not from the translations", screen, s, w)
					break
				}
				rest = strings.Replace(rest, w, "", 1)
			}
		}
	}
	for _, s := range []struct {
		name string
		key  fyne.KeyName
	}{{"Today", fyne.Key1}, {"Journal", fyne.Key2}, {"Medicines", fyne.Key3}, {"Appointments", fyne.Key4},
		{"Messages", fyne.Key5}, {"Settings", fyne.Key6}, {"Health record", fyne.Key7}, {"Readings", fyne.Key8}} {
		ctrl(u, s.key)
		check(s.name)
	}
	u.lock()
	check("Unlock")
}

// TestLanguagesFitLargeText: at 200 % text every screen fits a 1000 px wide window in
// German, whose words run longest, and in Spanish, as in English: with the tests' profile,
// and with the demo profile made in that language (a refill notice, a linked medicine…).
func TestLanguagesFitLargeText(t *testing.T) {
	demo := func(ctx context.Context, st *data.Store) {
		var w data.DemoWords
		if tr.Lang() != "en" {
			w = func(en string) string { return tr.T("demo." + en) }
		}
		if err := st.AddDemoProfileIn(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	tests := func(ctx context.Context, st *data.Store) {
		fillProfile(t)(ctx, st)
		putRecord(t, st, fhirtest.Alice)
	}
	for _, c := range []struct {
		name, code string
		setup      func(ctx context.Context, st *data.Store)
	}{{"en", "en", tests}, {"es", "es", tests}, {"de", "de", tests},
		{"en_demo", "en", demo}, {"es_demo", "es", demo}, {"de_demo", "de", demo}} {
		t.Run(c.name, func(t *testing.T) {
			inLanguage(t, c.code)
			u := openToday(t, &testClock{t: fixedNow}, c.setup)
			pad := 2 * u.win.Canvas().Scale() * 6
			u.setTextScale(2)
			for _, s := range []struct {
				name string
				key  fyne.KeyName
			}{{"Today", fyne.Key1}, {"Journal", fyne.Key2}, {"Medicines", fyne.Key3}, {"Appointments", fyne.Key4},
				{"Messages", fyne.Key5}, {"Settings", fyne.Key6}, {"Health record", fyne.Key7}, {"Readings", fyne.Key8}} {
				ctrl(u, fyne.Key2)
				ctrl(u, fyne.Key1)
				ctrl(u, s.key)
				if w := u.win.Content().MinSize().Width + pad; w > 1000 {
					t.Errorf("%s at 200 %% text needs %.0f px", s.name, w)
				}
			}
		})
	}
}
