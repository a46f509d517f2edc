package health

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
)

// medReq is a MedicationRequest naming Metformin, with one dosage instruction.
func medReq(dosage string) data.ClinicalResource {
	return cr("MedicationRequest", "rx1", `{"resourceType":"MedicationRequest","id":"rx1","status":"active","intent":"order",
	"meta":{"versionId":"1","lastUpdated":"2026-01-01T00:00:00Z"},
	"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"860975","display":"Metformin 500 MG Oral Tablet"}],"text":"Metformin 500 mg tablet"},
	"subject":{"reference":"Patient/p1"},"authoredOn":"2026-01-02",
	"dosageInstruction":[`+dosage+`]}`)
}

func tod(s string) data.TimeOfDay {
	t, err := data.ParseTimeOfDay(s)
	if err != nil {
		panic(err)
	}
	return t
}

func times(ss ...string) []data.TimeOfDay {
	out := make([]data.TimeOfDay, len(ss))
	for i, s := range ss {
		out[i] = tod(s)
	}
	return out
}

func TestMedicinePlanSchedules(t *testing.T) {
	changed := DefaultWhen()
	changed["MORN"], changed["EVE"] = tod("07:15"), tod("19:30")
	tests := []struct {
		name   string
		dosage string
		when   WhenTimes
		want   data.Step
	}{
		{
			name:   "timeOfDay",
			dosage: `{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d","timeOfDay":["20:00:00","08:00:00"]}},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}`,
			want:   data.Step{Times: times("08:00", "20:00")},
		},
		{
			name:   "when MORN and EVE, default times",
			dosage: `{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d","when":["MORN","EVE"]}}}`,
			want:   data.Step{Times: times("08:00", "18:00")},
		},
		{
			name:   "when MORN and EVE, times changed in settings",
			dosage: `{"timing":{"repeat":{"when":["MORN","EVE"]}}}`,
			when:   changed,
			want:   data.Step{Times: times("07:15", "19:30")},
		},
		{
			name:   "HS and NIGHT are one time",
			dosage: `{"timing":{"repeat":{"when":["HS","NIGHT"]}}}`,
			want:   data.Step{Times: times("21:00")},
		},
		{
			name:   "meals: before breakfast with an offset, with dinner",
			dosage: `{"timing":{"repeat":{"when":["ACM"],"offset":30}}}`,
			want:   data.Step{Times: times("07:30")},
		},
		{
			name:   "with every meal",
			dosage: `{"timing":{"repeat":{"frequency":3,"period":1,"periodUnit":"d","when":["C"]}}}`,
			want:   data.Step{Times: times("08:00", "12:00", "18:00")},
		},
		{name: "once a day", dosage: `{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}}}`, want: data.Step{Times: times("08:00")}},
		{name: "twice a day", dosage: `{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d"}}}`, want: data.Step{Times: times("08:00", "20:00")}},
		{name: "3 times a day", dosage: `{"timing":{"repeat":{"frequency":3,"period":1,"periodUnit":"d"}}}`, want: data.Step{Times: times("08:00", "14:00", "20:00")}},
		{name: "4 times a day", dosage: `{"timing":{"repeat":{"frequency":4,"period":1,"periodUnit":"d"}}}`, want: data.Step{Times: times("08:00", "12:00", "16:00", "20:00")}},
		{name: "every 12 hours", dosage: `{"timing":{"repeat":{"frequency":1,"period":12,"periodUnit":"h"}}}`, want: data.Step{Times: times("08:00", "20:00")}},
		{name: "3 times per 24 hours", dosage: `{"timing":{"repeat":{"frequency":3,"period":24,"periodUnit":"h"}}}`, want: data.Step{Times: times("08:00", "14:00", "20:00")}},
		{name: "BID code", dosage: `{"timing":{"code":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation","code":"BID"}]}}}`, want: data.Step{Times: times("08:00", "20:00")}},
		{name: "every other day", dosage: `{"timing":{"repeat":{"frequency":1,"period":2,"periodUnit":"d","timeOfDay":["09:00:00"]}}}`, want: data.Step{Times: times("09:00"), EveryDays: 2}},
		{name: "once a week", dosage: `{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"wk"}}}`, want: data.Step{Times: times("08:00"), EveryDays: 7}},
		{
			name:   "dayOfWeek",
			dosage: `{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"wk","dayOfWeek":["thu","mon"],"when":["EVE"]}}}`,
			want:   data.Step{Times: times("18:00"), Weekdays: []time.Weekday{time.Monday, time.Thursday}},
		},
		{
			name:   "bounds, partial end is the end of its month",
			dosage: `{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","boundsPeriod":{"start":"2026-03-01T00:00:00-05:00","end":"2026-04"}}}}`,
			want:   data.Step{Times: times("08:00"), Start: data.Date{Year: 2026, Month: 3, Day: 1}, End: data.Date{Year: 2026, Month: 4, Day: 30}},
		},
		{
			name:   "a course of 10 days from its start",
			dosage: `{"timing":{"repeat":{"frequency":3,"period":1,"periodUnit":"d","boundsDuration":{"value":10,"unit":"days","system":"http://unitsofmeasure.org","code":"d"},"boundsPeriod":{"start":"2026-03-01"}}}}`,
			want:   data.Step{Times: times("08:00", "14:00", "20:00"), Start: data.Date{Year: 2026, Month: 3, Day: 1}, End: data.Date{Year: 2026, Month: 3, Day: 10}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := MedicinePlan(medReq(tt.dosage), nil, tt.when)
			if err != nil {
				t.Fatal(err)
			}
			if !p.Mapped || p.Why != "" || len(p.Medication.Steps) != 1 {
				t.Fatalf("mapped %v why %q steps %+v", p.Mapped, p.Why, p.Medication.Steps)
			}
			if got := p.Medication.Steps[0]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("step %+v\n want %+v", got, tt.want)
			}
			// What "Add to my medicines" saves must be a valid medicine.
			if _, err := data.ValidateMedication(p.Medication); err != nil {
				t.Errorf("not a valid medicine: %v", err)
			}
		})
	}
}

func TestMedicinePlanFields(t *testing.T) {
	stored := cr("Medication", "m7", `{"resourceType":"Medication","id":"m7",
		"code":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"314076","display":"Lisinopril 10 MG Oral Tablet"}],"text":"Lisinopril"},
		"form":{"coding":[{"display":"Tablet"}],"text":"tablet"},
		"ingredient":[{"itemCodeableConcept":{"text":"lisinopril"},"strength":{"numerator":{"value":10,"unit":"mg"},"denominator":{"value":1,"unit":"tablet"}}}]}`)
	req := cr("MedicationRequest", "rx2", `{"resourceType":"MedicationRequest","id":"rx2","status":"active",
		"medicationReference":{"reference":"Medication/m7"},
		"dosageInstruction":[{"text":"Take 1 tablet every morning","patientInstruction":"Take with a glass of water",
		  "additionalInstruction":[{"text":"May cause dizziness"}],
		  "timing":{"repeat":{"when":["MORN"]}},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}]}`)
	p, err := MedicinePlan(req, []data.ClinicalResource{stored}, DefaultWhen())
	if err != nil {
		t.Fatal(err)
	}
	m := p.Medication
	if m.Name != "Lisinopril" || m.Strength != "10 mg" || m.Form != "tablet" || m.Dose != "1 tablet" ||
		m.Instructions != "Take with a glass of water; May cause dizziness; Take 1 tablet every morning" || m.AsNeeded {
		t.Errorf("got %+v", m)
	}
	if m.FromRecord != "rx2" || m.RecordDosage != DosageSignature(req) || m.RecordDosage == "" {
		t.Errorf("link %q %q", m.FromRecord, m.RecordDosage)
	}

	// Contained, a liquid: strength per 5 mL, dose in mL.
	req = cr("MedicationRequest", "rx3", `{"resourceType":"MedicationRequest","status":"active",
		"contained":[{"resourceType":"Medication","id":"amox","code":{"text":"Amoxicillin oral suspension"},"form":{"text":"suspension"},
		  "ingredient":[{"strength":{"numerator":{"value":250,"unit":"mg"},"denominator":{"value":5,"unit":"mL"}}}]}],
		"medicationReference":{"reference":"#amox"},
		"dosageInstruction":[{"timing":{"repeat":{"frequency":3,"period":1,"periodUnit":"d"}},"doseAndRate":[{"doseQuantity":{"value":5,"unit":"mL"}}]}]}`)
	p, err = MedicinePlan(req, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m := p.Medication; m.Name != "Amoxicillin oral suspension" || m.Strength != "250 mg/5 mL" || m.Form != "suspension" ||
		m.Dose != "5 mL" || !p.Mapped {
		t.Errorf("got %+v mapped %v", m, p.Mapped)
	}
}

func TestMedicinePlanAsNeeded(t *testing.T) {
	for _, dosage := range []string{
		`{"asNeededBoolean":true,"doseAndRate":[{"doseQuantity":{"value":2,"unit":"puff"}}]}`,
		`{"asNeededCodeableConcept":{"text":"Wheezing"},"timing":{"repeat":{"frequency":1,"period":4,"periodUnit":"h"}},"doseAndRate":[{"doseQuantity":{"value":2,"unit":"puff"}}]}`,
	} {
		p, err := MedicinePlan(medReq(dosage), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Mapped || !p.Medication.AsNeeded || len(p.Medication.Steps) != 0 || p.Medication.Dose != "2 puff" {
			t.Errorf("%s: mapped %v as needed %v steps %v dose %q", dosage, p.Mapped, p.Medication.AsNeeded, p.Medication.Steps, p.Medication.Dose)
		}
		if _, err := data.ValidateMedication(p.Medication); err != nil {
			t.Errorf("not a valid medicine: %v", err)
		}
	}
	p, _ := MedicinePlan(medReq(`{"asNeededCodeableConcept":{"text":"Wheezing"}}`), nil, nil)
	if !strings.Contains(p.Medication.Instructions, "As needed for wheezing") {
		t.Errorf("instructions %q", p.Medication.Instructions)
	}
}

func TestMedicinePlanUnmapped(t *testing.T) {
	tests := []struct{ name, dosage, why string }{
		{"every 6 hours", `{"timing":{"repeat":{"frequency":1,"period":6,"periodUnit":"h"}}}`, "every 6 hours, around the clock"},
		{"twice every 12 hours", `{"timing":{"repeat":{"frequency":2,"period":12,"periodUnit":"h"}}}`, "twice every 12 hours, around the clock"},
		{"range", `{"timing":{"repeat":{"frequency":1,"period":4,"periodMax":6,"periodUnit":"h"}}}`, "every 4–6 hours is a range"},
		{"twice a week, no days", `{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"wk"}}}`, "twice a week: choose the days"},
		{"monthly", `{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"mo"}}}`, "once a month"},
		{"immediately", `{"timing":{"repeat":{"when":["IMD"]}}}`, "“immediately” has no time of day"},
		{"EVE not set", `{"timing":{"repeat":{"when":["WAKE"]}}}`, ""},
		{"a count", `{"timing":{"repeat":{"count":6,"frequency":2,"period":1,"periodUnit":"d"}}}`, "twice a day for 6 doses: set its end date"},
		{"a duration with no start", `{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","boundsDuration":{"value":5,"code":"d"}}}}`, "once a day for 5 days: set its end date"},
		{"every 6 hours by code", `{"timing":{"code":{"coding":[{"code":"Q6H"}],"text":"every 6 hours"}}}`, "every 6 hours, around the clock"},
		{"set dates", `{"timing":{"event":["2026-03-01T08:00:00Z"]}}`, "the clinic gave set dates, not a schedule"},
		{"no timing", `{"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}`, "the clinic gave no timing"},
		{"a timing with nothing", `{"timing":{"repeat":{"boundsPeriod":{"start":"2026-01-01"}}}}`, "the clinic's timing gives no times"},
		{"ends before it starts", `{"timing":{"repeat":{"when":["MORN"],"boundsPeriod":{"start":"2026-02-01","end":"2026-01-01"}}}}`, "it ends before it starts"},
		{"bad time", `{"timing":{"repeat":{"timeOfDay":["25:00:00"]}}}`, "“25:00:00” is not a time of day"},
		{"frequency disagrees with times", `{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","timeOfDay":["08:00:00","20:00:00"]}}}`, "once a day, but 2 times of day are given"},
		{"two parts", `{"timing":{"repeat":{"when":["MORN"]}}},{"timing":{"repeat":{"when":["EVE"]}}}`, "the clinic's dosage has 2 parts at the same time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			when := DefaultWhen()
			if tt.name == "EVE not set" {
				delete(when, "MORN") // WAKE falls back to MORN, which the settings removed
				tt.why = "“on waking” has no time of day"
			}
			p, err := MedicinePlan(medReq(tt.dosage), nil, when)
			if err != nil {
				t.Fatal(err)
			}
			if p.Mapped || p.Why != tt.why || len(p.Medication.Steps) != 0 {
				t.Errorf("mapped %v why %q (want %q) steps %v", p.Mapped, p.Why, tt.why, p.Medication.Steps)
			}
			if p.Medication.Name != "Metformin 500 mg tablet" || p.Medication.FromRecord != "rx1" {
				t.Errorf("prefill lost: %+v", p.Medication)
			}
		})
	}
}

func TestMedicinePlanTaper(t *testing.T) {
	dose := func(n int) string {
		return fmt.Sprintf(`"doseAndRate":[{"doseQuantity":{"value":%d,"unit":"tablet"}}]`, n)
	}
	p, err := MedicinePlan(medReq(
		`{"sequence":3,"timing":{"repeat":{"when":["MORN"],"boundsPeriod":{"start":"2026-03-15","end":"2026-03-21"}}},`+dose(1)+`},
		 {"sequence":1,"timing":{"repeat":{"when":["MORN","EVE"],"boundsPeriod":{"start":"2026-03-01","end":"2026-03-07"}}},`+dose(3)+`},
		 {"sequence":2,"timing":{"repeat":{"when":["MORN"],"boundsPeriod":{"start":"2026-03-08"}}},`+dose(2)+`}`), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := func(day int) data.Date { return data.Date{Year: 2026, Month: 3, Day: day} }
	want := []data.Step{
		{Times: times("08:00", "18:00"), Start: d(1), End: d(7), Dose: "3 tablet"},
		{Times: times("08:00"), Start: d(8), End: d(14), Dose: "2 tablet"},
		{Times: times("08:00"), Start: d(15), End: d(21), Dose: "1 tablet"},
	}
	if !p.Mapped || !reflect.DeepEqual(p.Medication.Steps, want) || p.Medication.Dose != "3 tablet" {
		t.Errorf("mapped %v (%s) dose %q steps\n%+v\nwant\n%+v", p.Mapped, p.Why, p.Medication.Dose, p.Medication.Steps, want)
	}
	if _, err := data.ValidateMedication(p.Medication); err != nil {
		t.Errorf("not a valid medicine: %v", err)
	}
	for name, dosage := range map[string]string{
		"overlapping": `{"timing":{"repeat":{"when":["MORN"],"boundsPeriod":{"start":"2026-03-01","end":"2026-03-10"}}}},
		                {"timing":{"repeat":{"when":["EVE"],"boundsPeriod":{"start":"2026-03-05"}}}}`,
		"same sequence": `{"sequence":1,"timing":{"repeat":{"when":["MORN"],"boundsPeriod":{"start":"2026-03-01"}}}},
		                  {"sequence":1,"timing":{"repeat":{"when":["EVE"],"boundsPeriod":{"start":"2026-03-05"}}}}`,
	} {
		p, err := MedicinePlan(medReq(dosage), nil, nil)
		if err != nil || p.Mapped || p.Why != "the clinic's dosage has 2 parts at the same time" {
			t.Errorf("%s: mapped %v why %q err %v", name, p.Mapped, p.Why, err)
		}
	}
}

func TestMedicinePlanErrors(t *testing.T) {
	for _, r := range []data.ClinicalResource{
		cr("Condition", "c1", `{"resourceType":"Condition","code":{"text":"Asthma"}}`),
		cr("MedicationRequest", "x", `{"resourceType":"MedicationRequest"`),
		cr("MedicationRequest", "x", `{"resourceType":"MedicationRequest","medicationReference":{"reference":"Medication/none"}}`),
		cr("MedicationRequest", "x", `{"resourceType":"MedicationRequest","status":"entered-in-error","medicationCodeableConcept":{"text":"Secretol"}}`),
		cr("Medication", "x", `{"resourceType":"Medication","code":{"text":"Secretol"}}`),
	} {
		_, err := MedicinePlan(r, nil, nil)
		if r.Type == "Condition" && (err == nil || !strings.HasSuffix(err.Error(), ": it is a problem")) {
			t.Errorf("a condition: %v", err)
		}
		if !errors.Is(err, ErrNotMedicine) {
			t.Errorf("%s: err %v, want ErrNotMedicine", r.Raw, err)
		}
		if err != nil && strings.Contains(err.Error(), "Secretol") || err != nil && strings.Contains(err.Error(), "Asthma") {
			t.Errorf("error names health data: %v", err)
		}
	}
}

func TestDosageSignature(t *testing.T) {
	base := `{"resourceType":"MedicationRequest","id":"rx1","meta":{"versionId":"1"},"status":"active",
	"text":{"status":"generated","div":"<div>Metformin</div>"},
	"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"860975"}],"text":"Metformin"},
	"dosageInstruction":[{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d"}},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}]}`
	sig := DosageSignature(cr("MedicationRequest", "rx1", base))
	if !strings.HasPrefix(sig, "d1-") || len(sig) != 27 {
		t.Fatalf("signature %q", sig)
	}
	same := map[string]string{
		"keys reordered, numbers respelled, meta and narrative changed": `{"dosageInstruction":[{"doseAndRate":[{"doseQuantity":{"unit":"tablet","value":1.0}}],
		  "timing":{"repeat":{"periodUnit":"d","period":1,"frequency":2}}}],
		  "medicationCodeableConcept":{"text":"Metformin","coding":[{"code":"860975","system":"http://www.nlm.nih.gov/research/umls/rxnorm"}]},
		  "status":"active","meta":{"versionId":"7","lastUpdated":"2026-05-01T00:00:00Z"},"text":{"status":"generated","div":"<div>Other</div>"},
		  "id":"rx1","resourceType":"MedicationRequest","note":[{"text":"refilled"}]}`,
	}
	for name, raw := range same {
		if got := DosageSignature(cr("MedicationRequest", "rx1", raw)); got != sig {
			t.Errorf("%s: signature changed: %q, was %q", name, got, sig)
		}
	}
	changed := map[string]string{
		"dose":       strings.Replace(base, `"value":1,`, `"value":2,`, 1),
		"timing":     strings.Replace(base, `"frequency":2`, `"frequency":3`, 1),
		"medication": strings.Replace(base, `"860975"`, `"860976"`, 1),
	}
	for name, raw := range changed {
		if got := DosageSignature(cr("MedicationRequest", "rx1", raw)); got == sig || got == "" {
			t.Errorf("%s changed, signature %q did not", name, got)
		}
	}
	contained := func(strength string) string {
		return `{"resourceType":"MedicationRequest","contained":[{"resourceType":"Medication","id":"m","meta":{"versionId":"` + strength + `"},
		"code":{"text":"Lisinopril"},"ingredient":[{"strength":{"numerator":{"value":` + strength + `,"unit":"mg"}}}]}],
		"medicationReference":{"reference":"#m"},"dosageInstruction":[{"text":"1 daily"}]}`
	}
	if DosageSignature(cr("MedicationRequest", "x", contained("10"))) == DosageSignature(cr("MedicationRequest", "x", contained("20"))) {
		t.Errorf("a contained medicine's new strength did not change the signature")
	}
	if got := DosageSignature(cr("Condition", "x", `{"resourceType":"Condition"}`)); got != "" {
		t.Errorf("a condition's dosage signature: %q", got)
	}
	if got := DosageSignature(cr("MedicationRequest", "x", `{"resourceType":`)); got != "" {
		t.Errorf("unreadable: %q", got)
	}
}
