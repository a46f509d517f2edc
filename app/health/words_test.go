package health

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"text/template"

	"github.com/patient-companion/companion/assets"
	"github.com/patient-companion/companion/data"
)

// german is Words from health.de.json (German's plural rule is English's: one for 1), with
// the decimal comma: what the window passes when it speaks German, without Fyne.
type german struct{ english }

func (german) Decimal(s string) string { return strings.ReplaceAll(s, ".", ",") }

func germanWords(t *testing.T) Words {
	t.Helper()
	b, err := fs.ReadFile(assets.Translations, "translations/health.de.json")
	if err != nil {
		t.Fatal(err)
	}
	g := german{english{texts: map[string]any{}, parsed: map[string]*template.Template{}}}
	if err := json.Unmarshal(b, &g.texts); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestRowsInLanguage: RowsIn writes the words it builds in the language given, and numbers
// its way, while Rows (the command line's) stays English; the clinic's words stay as sent.
func TestRowsInLanguage(t *testing.T) {
	res := []data.ClinicalResource{
		cr("MedicationRequest", "r1", `{"resourceType":"MedicationRequest","id":"r1","status":"active",
			"medicationCodeableConcept":{"text":"Lisinopril 10 mg tablet"},
			"dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","when":["MORN"]}},
			  "asNeededCodeableConcept":{"text":"Pain"},"doseAndRate":[{"doseQuantity":{"value":1.5,"unit":"tablet"}}]}]}`),
		cr("Immunization", "i1", `{"resourceType":"Immunization","status":"not-done","vaccineCode":{"text":"Tdap"},
			"statusReason":{"text":"Patient objection"},"occurrenceDateTime":"2024"}`),
		cr("Observation", "o1", obs("o1", "4548-4", "Hemoglobin A1c", `"valueQuantity":{"value":7.9,"unit":"%"}`,
			`"referenceRange":[{"low":{"value":4.0},"high":{"value":5.6}}]`)),
		cr("Observation", "o2", obs("o2", "1", "Smoker", `"valueBoolean":true`, "")),
		cr("Observation", "o3", obs("o3", "2", "Glucose", "",
			`"dataAbsentReason":{"coding":[{"system":"`+absentSystem+`","code":"not-performed","display":"Not Performed"}]}`)),
	}
	de, _ := RowsIn(res, germanWords(t))
	en, _ := Rows(res)
	for _, c := range []struct {
		id, field, de, en string
		get               func(Row) string
	}{
		{"L-r1", "dosage", "1,5 tablet einmal am Tag morgens bei Bedarf gegen: pain", "1.5 tablet once a day in the morning as needed for pain",
			func(r Row) string { return r.Dosage }},
		{"L-i1", "detail", "Nicht gegeben: Patient objection", "Not given: Patient objection", func(r Row) string { return r.Detail }},
		{"L-o1", "value", "7,9", "7.9", func(r Row) string { return r.Value }},
		{"L-o1", "range", "4,0–5,6", "4.0–5.6", func(r Row) string { return r.ReferenceRange }},
		{"L-o2", "value", "Ja", "Yes", func(r Row) string { return r.Value }},
		{"L-o3", "detail", "Nicht gemacht", "Not Performed", func(r Row) string { return r.Detail }},
	} {
		if got := c.get(rowByID(t, de, c.id)); got != c.de {
			t.Errorf("%s %s in German = %q, want %q", c.id, c.field, got, c.de)
		}
		if got := c.get(rowByID(t, en, c.id)); got != c.en {
			t.Errorf("%s %s in English = %q, want %q", c.id, c.field, got, c.en)
		}
	}
	if n := *rowByID(t, de, "L-o1").Number; n != 7.9 {
		t.Errorf("the number itself changed with the language: %v", n)
	}
}

// TestMedicinePlanInLanguage: the plan's reason and instructions in the language given; the
// command line's plan stays English.
func TestMedicinePlanInLanguage(t *testing.T) {
	res := cr("MedicationRequest", "r1", `{"resourceType":"MedicationRequest","id":"r1","status":"active",
		"medicationCodeableConcept":{"text":"Ibuprofen"},
		"dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":6,"periodUnit":"h"}},
		  "doseAndRate":[{"doseQuantity":{"value":400,"unit":"mg"}}]}]}`)
	de, err := MedicinePlanIn(res, nil, nil, germanWords(t))
	if err != nil {
		t.Fatal(err)
	}
	en, err := MedicinePlan(res, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if de.Mapped || de.Why != "alle 6 Stunden, rund um die Uhr" {
		t.Errorf("German why = %q", de.Why)
	}
	if en.Mapped || en.Why != "every 6 hours, around the clock" {
		t.Errorf("English why = %q", en.Why)
	}
}
