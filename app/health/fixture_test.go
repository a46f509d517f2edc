package health

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir/fhirtest"
)

// fixture reads a record of testdata/record (the hand-written US Core-shaped records the
// sync tests load into the FHIR engine) as the store would hold it: the clinical types
// only, local id "L-<remote id>".
func fixture(t *testing.T, name string) []data.ClinicalResource {
	t.Helper()
	res, err := fhirtest.RecordRaw(strings.TrimSuffix(name, ".json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []data.ClinicalResource
	for _, r := range res {
		if slices.Contains(data.ClinicalTypes, r.Type) {
			out = append(out, cr(r.Type, r.ID, string(r.JSON)))
		}
	}
	return out
}

// TestFixtureRecord reads Ada's whole record: every type and value shape as the sync tests
// serve it.
func TestFixtureRecord(t *testing.T) {
	res := fixture(t, "alice.json")
	rows, skipped := Rows(res)
	if skipped != 0 {
		t.Errorf("skipped %d", skipped)
	}
	byID := map[string]Row{}
	for _, r := range rows {
		byID[strings.TrimPrefix(r.ID, "L-")] = r
	}
	for _, gone := range []string{"cond-error", "mr-error", "obs-error", "med-lisinopril", "med-atorvastatin"} {
		if _, ok := byID[gone]; ok {
			t.Errorf("%s is shown", gone)
		}
	}
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.Type]++
	}
	if want := map[string]int{TypeCondition: 3, TypeAllergy: 2, TypeMedication: 4, TypeImmunization: 3, TypeResult: 14, TypeDocument: 3}; !reflect.DeepEqual(counts, want) {
		t.Errorf("rows per type %v, want %v", counts, want)
	}
	tests := []struct {
		id                                   string
		value, unit, flag, rangeText, detail string
	}{
		{"obs-a1c", "7.9", "%", "high", "4.0–5.6", ""},
		{"obs-crp", "<0.5", "mg/L", "", "<5", ""},
		{"obs-glucose", "48", "mg/dL", "critical", "70-99 mg/dL fasting", ""},
		{"obs-ldl", "3.9", "mmol/L", "high", "<3.0", ""},
		{"obs-hdl", "1.1", "mmol/L", "low", ">1.2", ""},
		{"obs-strep", "Positive", "", "abnormal", "", ""},
		{"obs-urine-culture", "No growth after 48 hours", "", "", "", ""},
		{"obs-bp", "142/91", "mmHg", "high", "<130/<80", ""},
		{"dr-lipids", "", "", "", "", "LDL above target; HDL low. Discuss a statin at the next visit."},
		{"allergy-penicillin", "", "", "", "", "Anaphylaxis, hives — severe"},
		{"imm-notdone", "", "", "", "", "Not given: patient objection"},
		{"mr-metformin", "", "", "", "", "1 tablet twice a day with breakfast and dinner"},
	}
	for _, tt := range tests {
		r := byID[tt.id]
		if got, want := []string{r.Value, r.Unit, r.Flag, r.ReferenceRange, r.Detail}, []string{tt.value, tt.unit, tt.flag, tt.rangeText, tt.detail}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: value, unit, flag, range, detail\n got %q\nwant %q", tt.id, got, want)
		}
	}
	if r := byID["dr-lipids"]; !reflect.DeepEqual(r.Results, []string{"L-obs-ldl", "L-obs-hdl"}) || byID["obs-ldl"].Panel != "L-dr-lipids" {
		t.Errorf("lipid panel results %v, LDL's panel %q", r.Results, byID["obs-ldl"].Panel)
	}
	if r := byID["allergy-penicillin"]; r.Criticality != "high" || r.Severity != "severe" {
		t.Errorf("penicillin: %q %q", r.Criticality, r.Severity)
	}
	if got := Trend(rows, byID["obs-a1c"]); len(got) != 2 || got[0].ID != "L-obs-a1c-old" || got[1].ID != "L-obs-a1c" {
		t.Errorf("HbA1c trend %+v", got)
	}
	if a := byID["doc-summary-pdf"].Attachment; a == nil || a.ContentType != "application/pdf" || !strings.HasPrefix(string(a.Data), "%PDF-") {
		t.Errorf("PDF summary: %+v", a)
	}
	if a := byID["doc-discharge-url"].Attachment; a == nil || a.URL != "Binary/bin-discharge" || a.Data != nil {
		t.Errorf("linked summary: %+v", a)
	}
	if d := byID["doc-summary-text"].Detail; !strings.HasPrefix(d, "Seen today for a diabetes review.") {
		t.Errorf("text summary shown as %q", d)
	}

	plans := map[string]struct {
		times    []data.TimeOfDay
		asNeeded bool
	}{
		"mr-metformin":    {times: times("08:00", "18:00")},
		"mr-lisinopril":   {times: times("08:00")},
		"mr-atorvastatin": {times: times("21:00")},
		"mr-ibuprofen":    {asNeeded: true},
	}
	for _, r := range res {
		want, ok := plans[r.RemoteID]
		if !ok {
			continue
		}
		p, err := MedicinePlan(r, res, DefaultWhen())
		if err != nil {
			t.Errorf("%s: %v", r.RemoteID, err)
			continue
		}
		m := p.Medication
		var got []data.TimeOfDay
		if len(m.Steps) == 1 {
			got = m.Steps[0].Times
		}
		if !p.Mapped || m.AsNeeded != want.asNeeded || !reflect.DeepEqual(got, want.times) || m.Dose != "1 tablet" || m.FromRecord != r.RemoteID {
			t.Errorf("%s: mapped %v (%s) %+v", r.RemoteID, p.Mapped, p.Why, m)
		}
		if _, err := data.ValidateMedication(m); err != nil {
			t.Errorf("%s: %v", r.RemoteID, err)
		}
	}
}

// TestFixtureOtherPatient reads Bo's record too: all of it, nothing skipped.
func TestFixtureOtherPatient(t *testing.T) {
	rows, skipped := Rows(fixture(t, "bob.json"))
	if skipped != 0 || len(rows) == 0 {
		t.Errorf("%d rows, %d skipped", len(rows), skipped)
	}
	for _, r := range rows {
		if !strings.HasPrefix(r.Name, "BOB-ONLY") {
			t.Errorf("row %s named %q", r.ID, r.Name)
		}
	}
}
