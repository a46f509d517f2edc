package health

import (
	"testing"

	"github.com/patient-companion/companion/data"
)

// fuzzSeeds are small resources of every type and shape, for the fuzzer to mutate.
var fuzzSeeds = []struct{ typ, raw string }{
	{"Condition", `{"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"active"}]},"category":[{"coding":[{"code":"health-concern"}]}],"code":{"text":"Asthma"},"onsetDateTime":"2019-03"}`},
	{"AllergyIntolerance", `{"resourceType":"AllergyIntolerance","criticality":"high","code":{"text":"Penicillin"},"reaction":[{"manifestation":[{"text":"Hives"}],"severity":"severe"}]}`},
	{"MedicationRequest", `{"resourceType":"MedicationRequest","status":"active","contained":[{"resourceType":"Medication","id":"m","code":{"text":"X"},"form":{"text":"tablet"},"ingredient":[{"strength":{"numerator":{"value":5,"unit":"mg"},"denominator":{"value":1,"unit":"tablet"}}}]}],"medicationReference":{"reference":"#m"},"dosageInstruction":[{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d","when":["MORN","EVE"],"timeOfDay":["08:00:00"],"dayOfWeek":["mon"],"boundsPeriod":{"start":"2026-01","end":"2026-02-10"}}},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}],"asNeededBoolean":false}]}`},
	{"MedicationRequest", `{"resourceType":"MedicationRequest","medicationReference":{"reference":"Medication/m1"},"dosageInstruction":[{"timing":{"code":{"coding":[{"code":"BID"}]}},"asNeededCodeableConcept":{"text":"pain"},"doseAndRate":[{"doseRange":{"low":{"value":1},"high":{"value":2,"unit":"tablet"}}}]}]}`},
	{"Immunization", `{"resourceType":"Immunization","status":"completed","vaccineCode":{"text":"Tdap"},"occurrenceDateTime":"2024-01-02T03:04:05Z"}`},
	{"Observation", `{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1"}],"text":"A1c"},"valueQuantity":{"value":0.5,"comparator":"<","unit":"%"},"interpretation":[{"coding":[{"code":"H"}]}],"referenceRange":[{"low":{"value":4.0},"high":{"value":5.6},"text":"4-5.6"}]}`},
	{"Observation", `{"resourceType":"Observation","code":{"text":"BP"},"component":[{"code":{"coding":[{"code":"8480-6"}]},"valueQuantity":{"value":142,"code":"mm[Hg]"}},{"code":{"coding":[{"code":"8462-4"}]},"valueQuantity":{"value":91}}],"hasMember":[{"reference":"Observation/o1"}]}`},
	{"Observation", `{"resourceType":"Observation","code":{"text":"Urine"},"valueCodeableConcept":{"text":"Positive"},"valueString":"x","valueInteger":3,"valueBoolean":true,"dataAbsentReason":{"text":"x"}}`},
	{"DiagnosticReport", `{"resourceType":"DiagnosticReport","code":{"text":"Lipid panel"},"result":[{"reference":"Observation/o1"}],"conclusion":"ok","presentedForm":[{"data":"JVBERi0="}]}`},
	{"DocumentReference", `{"resourceType":"DocumentReference","description":"Summary","content":[{"attachment":{"contentType":"text/plain","data":"aGk="}},{"attachment":{"url":"Binary/1"}}]}`},
	{"Medication", `{"resourceType":"Medication","code":{"text":"Y"}}`},
	{"Observation", `{"resourceType":"Observation","code":{"text":"Titer"},"valueRatio":{"numerator":{"value":1},"denominator":{"value":80}},"valueRange":{"low":{"value":1}},"valueDateTime":"2026-01","valueTime":"06:45:00"}`},
}

// fuzzPanel lists the fuzzed resource, so a fuzzed panel listing it closes a loop.
const fuzzPanel = `{"resourceType":"Observation","status":"final","code":{"text":"Panel"},"valueQuantity":{"value":1},"hasMember":[{"reference":"Observation/f"}]}`

// FuzzRows reads any bytes as any clinical type beside a few well-formed resources: never a
// panic, every resource either a row, left out or counted, every link between rows points
// at a row, and a medicine plan's schedule is one the store accepts. Finds are kept under testdata/fuzz/FuzzRows.
func FuzzRows(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(uint8(i), []byte(s.raw))
	}
	types := append([]string{"Patient"}, data.ClinicalTypes...)
	f.Fuzz(func(t *testing.T, which uint8, raw []byte) {
		typ := types[int(which)%len(types)]
		res := []data.ClinicalResource{
			{ID: "L-f", Type: typ, RemoteID: "f", Raw: raw},
			{ID: "L-m1", Type: "Medication", RemoteID: "m1", Raw: []byte(fuzzSeeds[10].raw)},
			{ID: "L-o1", Type: "Observation", RemoteID: "o1", Raw: []byte(fuzzPanel)},
		}
		rows, skipped := Rows(res)
		if len(rows)+skipped > len(res) || skipped < 0 {
			t.Fatalf("%d rows and %d skipped from %d resources", len(rows), skipped, len(res))
		}
		ids := map[string]bool{}
		listed := map[string][]string{}
		for _, r := range rows {
			ids[r.ID] = true
			listed[r.ID] = r.Results
		}
		for _, r := range rows {
			if r.Name == "" {
				t.Errorf("row %s has no name", r.ID)
			}
			for _, id := range r.Results {
				if !ids[id] {
					t.Errorf("row %s lists %s, not a row", r.ID, id)
				}
			}
			if r.Panel != "" && !ids[r.Panel] {
				t.Errorf("row %s in panel %s, not a row", r.ID, r.Panel)
			}
			for _, m := range r.Results {
				if reaches(listed, m, r.ID) {
					t.Errorf("row %s: lists go round in circles", r.ID)
				}
			}
			_ = r.DateText(nil)
			_ = Trend(rows, r)
		}
		// A mapped plan is a schedule the store takes.
		p, err := MedicinePlan(res[0], res, DefaultWhen())
		if err == nil && p.Mapped {
			if p.Medication.AsNeeded && len(p.Medication.Steps) > 0 {
				t.Errorf("as needed with a schedule")
			}
			for i, st := range p.Medication.Steps {
				if _, err := data.ValidateStep(st); err != nil {
					t.Errorf("mapped step %+v: %v", st, err)
				}
				if i > 0 && !p.Medication.Steps[i-1].End.Before(st.Start) {
					t.Errorf("steps overlap: %+v", p.Medication.Steps)
				}
			}
		}
		if err == nil && !p.Mapped && p.Why == "" {
			t.Errorf("not mapped, and no word why")
		}
		// The signature reads a copy the same: nothing in it depends on map order.
		again := res[0]
		again.Raw = append([]byte(nil), raw...)
		if a, b := DosageSignature(res[0]), DosageSignature(again); a != b {
			t.Errorf("signature not stable: %q, %q", a, b)
		}
	})
}
