package health

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
)

// cr is a stored resource with local id "L-<remote id>".
func cr(typ, remoteID, raw string) data.ClinicalResource {
	return data.ClinicalResource{ID: "L-" + remoteID, Type: typ, RemoteID: remoteID, Raw: []byte(raw)}
}

func rowByID(t *testing.T, rows []Row, id string) Row {
	t.Helper()
	for _, r := range rows {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no row %s among %d rows", id, len(rows))
	return Row{}
}

func numText(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// oneRow reads a single resource and returns its row.
func oneRow(t *testing.T, r data.ClinicalResource, others ...data.ClinicalResource) Row {
	t.Helper()
	rows, skipped := Rows(append([]data.ClinicalResource{r}, others...))
	if skipped != 0 {
		t.Fatalf("skipped %d, want 0", skipped)
	}
	return rowByID(t, rows, r.ID)
}

const loinc = "http://loinc.org"

func obs(id, code, name, value string, extra string) string {
	s := `{"resourceType":"Observation","id":"` + id + `","status":"final",
	"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
	"code":{"coding":[{"system":"http://loinc.org","code":"` + code + `","display":"` + name + `"}],"text":"` + name + `"},
	"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2026-01-10T09:00:00Z"`
	if value != "" {
		s += `,` + value
	}
	if extra != "" {
		s += `,` + extra
	}
	return s + `}`
}

func TestConditionRows(t *testing.T) {
	tests := []struct {
		name, raw                        string
		wantName, wantStatus, wantDetail string
		wantDate                         string
		wantPrec                         string
	}{
		{
			name: "problem list, code text, onset dateTime",
			raw: `{"resourceType":"Condition","id":"c1",
			"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
			"verificationStatus":{"coding":[{"code":"confirmed"}]},
			"category":[{"coding":[{"code":"problem-list-item"}]}],
			"code":{"coding":[{"system":"http://snomed.info/sct","code":"44054006","display":"Diabetes mellitus type 2 (disorder)"}],"text":"Type 2 diabetes"},
			"subject":{"reference":"Patient/p1"},"onsetDateTime":"2019-03-14T08:30:00-05:00","recordedDate":"2019-04-01"}`,
			wantName: "Type 2 diabetes", wantStatus: "active", wantDetail: "Problem list",
			wantDate: "2019-03-14T08:30:00-05:00", wantPrec: PrecisionTime,
		},
		{
			name: "health concern, display only, onset a year",
			raw: `{"resourceType":"Condition","id":"c2",
			"clinicalStatus":{"coding":[{"code":"resolved"}]},
			"category":[{"coding":[{"system":"http://hl7.org/fhir/us/core/CodeSystem/condition-category","code":"health-concern"}]}],
			"code":{"coding":[{"system":"http://snomed.info/sct","code":"1","display":"Food insecurity"}]},
			"onsetDateTime":"2021"}`,
			wantName: "Food insecurity", wantStatus: "resolved", wantDetail: "Health concern",
			wantDate: "2021-01-01T00:00:00Z", wantPrec: PrecisionYear,
		},
		{
			name: "no onset: recorded month",
			raw: `{"resourceType":"Condition","id":"c3","clinicalStatus":{"coding":[{"code":"active"}]},
			"code":{"text":"Asthma"},"severity":{"text":"Mild"},"recordedDate":"2020-07"}`,
			wantName: "Asthma", wantStatus: "active", wantDetail: "Mild",
			wantDate: "2020-07-01T00:00:00Z", wantPrec: PrecisionMonth,
		},
		{
			name: "onset period, no date precision lost",
			raw: `{"resourceType":"Condition","id":"c4","code":{"text":"Back pain"},
			"onsetPeriod":{"start":"2024-02-29"}}`,
			wantName: "Back pain", wantDate: "2024-02-29T00:00:00Z", wantPrec: PrecisionDay,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := oneRow(t, cr("Condition", "x", tt.raw))
			if r.Type != TypeCondition || r.Name != tt.wantName || r.Status != tt.wantStatus || r.Detail != tt.wantDetail {
				t.Errorf("got type %q name %q status %q detail %q", r.Type, r.Name, r.Status, r.Detail)
			}
			want, _ := time.Parse(time.RFC3339, tt.wantDate)
			if !r.Date.Equal(want) || r.DatePrecision != tt.wantPrec {
				t.Errorf("date %v (%s), want %v (%s)", r.Date, r.DatePrecision, want, tt.wantPrec)
			}
		})
	}
}

func TestDateText(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	for _, tt := range []struct{ in, want string }{
		{"2019", "2019"},
		{"2019-03", "2019-03"},
		{"2019-03-14", "2019-03-14"}, // a calendar date stays that date west of UTC
		{"2019-03-14T13:30:00Z", "2019-03-14 09:30"},
		{"2019-03-14T13:30:00.123+00:00", "2019-03-14 09:30"},
		{"", ""},
		{"14/03/2019", ""},
		{"2019-3", ""},
	} {
		var r Row
		setDate(&r, tt.in)
		if got := r.DateText(ny); got != tt.want {
			t.Errorf("DateText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAllergyRows(t *testing.T) {
	tests := []struct {
		name, raw                               string
		wantName, wantDetail, wantSev, wantCrit string
		wantReactions                           []string
	}{
		{
			name: "two reactions, worst severity",
			raw: `{"resourceType":"AllergyIntolerance","id":"a1",
			"clinicalStatus":{"coding":[{"code":"active"}]},"verificationStatus":{"coding":[{"code":"confirmed"}]},
			"criticality":"high","code":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"7980","display":"Penicillin G"}],"text":"Penicillin"},
			"recordedDate":"2018-05-02",
			"reaction":[{"manifestation":[{"coding":[{"display":"Hives"}]}],"severity":"mild"},
			            {"manifestation":[{"text":"Wheezing"},{"text":"hives"}],"severity":"severe"}]}`,
			wantName: "Penicillin", wantDetail: "Hives, wheezing — severe", wantSev: "severe", wantCrit: "high",
			wantReactions: []string{"Hives", "Wheezing"},
		},
		{
			name: "acronym keeps its capitals; no severity",
			raw: `{"resourceType":"AllergyIntolerance","code":{"text":"Peanut"},"criticality":"low",
			"reaction":[{"manifestation":[{"text":"Rash"},{"text":"GI upset"}]}]}`,
			wantName: "Peanut", wantDetail: "Rash, GI upset", wantCrit: "low",
			wantReactions: []string{"Rash", "GI upset"},
		},
		{
			name:     "severity only; substance from the reaction",
			raw:      `{"resourceType":"AllergyIntolerance","reaction":[{"substance":{"text":"Latex"},"severity":"moderate"}]}`,
			wantName: "Latex", wantDetail: "Moderate", wantSev: "moderate",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := oneRow(t, cr("AllergyIntolerance", "x", tt.raw))
			if r.Type != TypeAllergy || r.Name != tt.wantName || r.Detail != tt.wantDetail ||
				r.Severity != tt.wantSev || r.Criticality != tt.wantCrit || !reflect.DeepEqual(r.Reactions, tt.wantReactions) {
				t.Errorf("got %q %q sev %q crit %q reactions %q", r.Name, r.Detail, r.Severity, r.Criticality, r.Reactions)
			}
		})
	}
}

func TestMedicationRows(t *testing.T) {
	medRes := cr("Medication", "m9", `{"resourceType":"Medication","id":"m9",
		"code":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"197361","display":"Amlodipine 5 MG Oral Tablet"}]}}`)
	tests := []struct {
		name, raw            string
		wantName, wantDosage string
		others               []data.ClinicalResource
	}{
		{
			name: "concept and dosage text",
			raw: `{"resourceType":"MedicationRequest","id":"r1","status":"active","intent":"order",
			"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"860975","display":"Metformin 500 MG Oral Tablet"}],"text":"Metformin 500 mg tablet"},
			"authoredOn":"2025-11-02","dosageInstruction":[{"text":"Take 1 tablet by mouth twice daily with meals"}]}`,
			wantName: "Metformin 500 mg tablet", wantDosage: "Take 1 tablet by mouth twice daily with meals",
		},
		{
			name: "contained Medication, dosage built from timing and dose",
			raw: `{"resourceType":"MedicationRequest","id":"r2","status":"active",
			"contained":[{"resourceType":"Medication","id":"med1","code":{"text":"Lisinopril 10 mg tablet"}}],
			"medicationReference":{"reference":"#med1"},
			"dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","when":["MORN"]}},
			  "route":{"text":"By mouth"},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}]}`,
			wantName: "Lisinopril 10 mg tablet", wantDosage: "1 tablet by mouth once a day in the morning",
		},
		{
			name: "stored Medication by reference; every 6 hours as needed",
			raw: `{"resourceType":"MedicationRequest","id":"r3","status":"active",
			"medicationReference":{"reference":"Medication/m9"},
			"dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":6,"periodUnit":"h"}},"asNeededCodeableConcept":{"text":"Pain"},
			  "doseAndRate":[{"doseQuantity":{"value":500,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}}]}]}`,
			others:   []data.ClinicalResource{medRes},
			wantName: "Amlodipine 5 MG Oral Tablet", wantDosage: "500 mg every 6 hours as needed for pain",
		},
		{
			name: "absolute reference with history; times of day and weekdays",
			raw: `{"resourceType":"MedicationRequest","id":"r4","status":"active",
			"medicationReference":{"reference":"https://portal.example/fhir/Medication/m9/_history/3"},
			"dosageInstruction":[{"timing":{"repeat":{"timeOfDay":["08:00:00","20:00:00"],"dayOfWeek":["mon","thu"]}}}]}`,
			others:   []data.ClinicalResource{medRes},
			wantName: "Amlodipine 5 MG Oral Tablet", wantDosage: "At 08:00 and 20:00 on Monday and Thursday",
		},
		{
			name: "unresolved reference falls back to its display",
			raw: `{"resourceType":"MedicationRequest","id":"r5","status":"active",
			"medicationReference":{"reference":"Medication/gone","display":"Atorvastatin 20 mg"}}`,
			wantName: "Atorvastatin 20 mg",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := oneRow(t, cr("MedicationRequest", "x", tt.raw), tt.others...)
			if r.Type != TypeMedication || r.Name != tt.wantName || r.Dosage != tt.wantDosage || r.Detail != tt.wantDosage {
				t.Errorf("got %q, dosage %q, detail %q", r.Name, r.Dosage, r.Detail)
			}
		})
	}
}

func TestImmunizationRow(t *testing.T) {
	r := oneRow(t, cr("Immunization", "i1", `{"resourceType":"Immunization","id":"i1","status":"completed",
		"vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"140","display":"Influenza, seasonal, injectable, preservative free"}]},
		"patient":{"reference":"Patient/p1"},"occurrenceDateTime":"2025-10-01T10:00:00Z","primarySource":true}`))
	if r.Type != TypeImmunization || r.Name != "Influenza, seasonal, injectable, preservative free" || r.Status != "completed" ||
		r.DateText(time.UTC) != "2025-10-01 10:00" {
		t.Errorf("got %+v", r)
	}
	r = oneRow(t, cr("Immunization", "i2", `{"resourceType":"Immunization","status":"not-done","vaccineCode":{"text":"Tdap"},
		"statusReason":{"text":"Patient objection"},"occurrenceDateTime":"2024"}`))
	if r.Detail != "Not given: Patient objection" || r.DateText(time.UTC) != "2024" {
		t.Errorf("got detail %q date %q", r.Detail, r.DateText(time.UTC))
	}
}

func TestObservationValues(t *testing.T) {
	tests := []struct {
		name, value, extra                       string
		wantValue, wantUnit, wantFlag, wantRange string
		wantNumber, wantLow, wantHigh            string
		wantComparator                           string
	}{
		{
			name:      "quantity with interpretation H and a range",
			value:     `"valueQuantity":{"value":7.9,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}`,
			extra:     `"interpretation":[{"coding":[{"code":"H"}]}],"referenceRange":[{"low":{"value":4.0,"unit":"%"},"high":{"value":5.6,"unit":"%"}}]`,
			wantValue: "7.9", wantUnit: "%", wantFlag: "high", wantRange: "4.0–5.6", wantNumber: "7.9", wantLow: "4", wantHigh: "5.6",
		},
		{
			name:      "no float noise; unit from the code when none is given",
			value:     `"valueQuantity":{"value":120,"system":"http://unitsofmeasure.org","code":"mg/dL"}`,
			extra:     `"referenceRange":[{"high":{"value":200}}]`,
			wantValue: "120", wantUnit: "mg/dL", wantRange: "<200", wantNumber: "120", wantLow: "nil", wantHigh: "200",
		},
		{
			name:      "flag from the range when there is no interpretation (low)",
			value:     `"valueQuantity":{"value":3.2,"unit":"mmol/L"}`,
			extra:     `"referenceRange":[{"low":{"value":3.5,"unit":"mmol/L"},"high":{"value":5.1,"unit":"mmol/L"}}]`,
			wantValue: "3.2", wantUnit: "mmol/L", wantFlag: "low", wantRange: "3.5–5.1", wantNumber: "3.2", wantLow: "3.5", wantHigh: "5.1",
		},
		{
			name:      "normal interpretation wins over the range",
			value:     `"valueQuantity":{"value":5.2,"unit":"mmol/L"}`,
			extra:     `"interpretation":[{"coding":[{"code":"N"}]}],"referenceRange":[{"high":{"value":5.1}}]`,
			wantValue: "5.2", wantUnit: "mmol/L", wantRange: "<5.1", wantNumber: "5.2", wantLow: "nil", wantHigh: "5.1",
		},
		{
			name:      "comparator kept; range text; low flag settled by the bound",
			value:     `"valueQuantity":{"value":0.5,"comparator":"<","unit":"mg/L","code":"mg/L"}`,
			extra:     `"referenceRange":[{"low":{"value":1.0,"code":"mg/L"},"high":{"value":3.0,"code":"mg/L"}}]`,
			wantValue: "<0.5", wantUnit: "mg/L", wantFlag: "low", wantRange: "1.0–3.0", wantNumber: "0.5", wantLow: "1", wantHigh: "3",
			wantComparator: "<",
		},
		{
			name:      "comparator inside the range flags nothing",
			value:     `"valueQuantity":{"value":0.5,"comparator":"<","unit":"mg/L"}`,
			extra:     `"referenceRange":[{"high":{"value":3.0}}]`,
			wantValue: "<0.5", wantUnit: "mg/L", wantRange: "<3.0", wantNumber: "0.5", wantLow: "nil", wantHigh: "3", wantComparator: "<",
		},
		{
			name:      "range in other units: no band, no flag",
			value:     `"valueQuantity":{"value":250,"unit":"mg/dL","code":"mg/dL"}`,
			extra:     `"referenceRange":[{"low":{"value":3.9,"code":"mmol/L"},"high":{"value":5.5,"code":"mmol/L"}}]`,
			wantValue: "250", wantUnit: "mg/dL", wantRange: "3.9–5.5", wantNumber: "250", wantLow: "nil", wantHigh: "nil",
		},
		{
			name:      "exponent written plainly",
			value:     `"valueQuantity":{"value":1.2e2,"unit":"/min","code":"/min"}`,
			wantValue: "120", wantUnit: "/min", wantNumber: "120", wantLow: "nil", wantHigh: "nil",
		},
		{
			name:      "UCUM annotation and mm[Hg] unit",
			value:     `"valueQuantity":{"value":72,"system":"http://unitsofmeasure.org","code":"{beats}/min"}`,
			wantValue: "72", wantUnit: "/min", wantNumber: "72", wantLow: "nil", wantHigh: "nil",
		},
		{
			name:      "critical from HH",
			value:     `"valueQuantity":{"value":650,"unit":"mg/dL"}`,
			extra:     `"interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"HH"}]}]`,
			wantValue: "650", wantUnit: "mg/dL", wantFlag: "critical", wantNumber: "650", wantLow: "nil", wantHigh: "nil",
		},
		{
			name:      "LL is critical, LU low",
			value:     `"valueQuantity":{"value":2,"unit":"mmol/L"}`,
			extra:     `"interpretation":[{"coding":[{"code":"LU"}]},{"coding":[{"code":"LL"}]}]`,
			wantValue: "2", wantUnit: "mmol/L", wantFlag: "critical", wantNumber: "2", wantLow: "nil", wantHigh: "nil",
		},
		{
			name:      "HU is high",
			value:     `"valueQuantity":{"value":9,"unit":"mmol/L"}`,
			extra:     `"interpretation":[{"coding":[{"code":"HU"}]}]`,
			wantValue: "9", wantUnit: "mmol/L", wantFlag: "high", wantNumber: "9", wantLow: "nil", wantHigh: "nil",
		},
		{
			name:      "coded value, abnormal",
			value:     `"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"10828004","display":"Positive"}]}`,
			extra:     `"interpretation":[{"coding":[{"code":"A"}]}]`,
			wantValue: "Positive", wantFlag: "abnormal", wantNumber: "nil", wantLow: "nil", wantHigh: "nil",
		},
		{
			name:      "AA is critical",
			value:     `"valueCodeableConcept":{"text":"Detected"}`,
			extra:     `"interpretation":[{"coding":[{"code":"AA"}]}]`,
			wantValue: "Detected", wantFlag: "critical", wantNumber: "nil", wantLow: "nil", wantHigh: "nil",
		},
		{
			name:      "string value and a range's text",
			value:     `"valueString":"Clear, yellow"`,
			extra:     `"referenceRange":[{"text":"Clear"}]`,
			wantValue: "Clear, yellow", wantRange: "Clear", wantNumber: "nil", wantLow: "nil", wantHigh: "nil",
		},
		{
			name:      "the lab's range text beside its numbers: text shown, numbers kept",
			value:     `"valueQuantity":{"value":48,"unit":"mg/dL","code":"mg/dL"}`,
			extra:     `"referenceRange":[{"low":{"value":70,"code":"mg/dL"},"high":{"value":99,"code":"mg/dL"},"text":"70-99 mg/dL fasting"}]`,
			wantValue: "48", wantUnit: "mg/dL", wantFlag: "low", wantRange: "70-99 mg/dL fasting", wantNumber: "48", wantLow: "70", wantHigh: "99",
		},
		{
			name:      "integer value",
			value:     `"valueInteger":3`,
			extra:     `"referenceRange":[{"low":{"value":0},"high":{"value":2}}]`,
			wantValue: "3", wantFlag: "high", wantRange: "0–2", wantNumber: "3", wantLow: "0", wantHigh: "2",
		},
		{
			name:      "a titer (ratio)",
			value:     `"valueRatio":{"numerator":{"value":1},"denominator":{"value":80}}`,
			wantValue: "1:80", wantNumber: "nil", wantLow: "nil", wantHigh: "nil",
		},
		{
			name:      "a range",
			value:     `"valueRange":{"low":{"value":10,"unit":"mg"},"high":{"value":20,"unit":"mg"}}`,
			wantValue: "10–20", wantUnit: "mg", wantNumber: "nil", wantLow: "nil", wantHigh: "nil",
		},
		{
			name:      "a date and time, in the clinic's zone",
			value:     `"valueDateTime":"2026-01-09T22:30:00-05:00"`,
			wantValue: "2026-01-09 22:30", wantNumber: "nil", wantLow: "nil", wantHigh: "nil",
		},
		{
			name:      "a time",
			value:     `"valueTime":"06:45:00"`,
			wantValue: "06:45", wantNumber: "nil", wantLow: "nil", wantHigh: "nil",
		},
		{
			name:      "temperature in Cel",
			value:     `"valueQuantity":{"value":37.20,"unit":"Cel"}`,
			wantValue: "37.20", wantUnit: "°C", wantNumber: "37.2", wantLow: "nil", wantHigh: "nil",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := oneRow(t, cr("Observation", "o1", obs("o1", "4548-4", "Hemoglobin A1c", tt.value, tt.extra)))
			got := []string{r.Value, r.Unit, r.Flag, r.ReferenceRange, numText(r.Number), numText(r.Low), numText(r.High), r.Comparator}
			want := []string{tt.wantValue, tt.wantUnit, tt.wantFlag, tt.wantRange, tt.wantNumber, tt.wantLow, tt.wantHigh, tt.wantComparator}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("value, unit, flag, range, number, low, high, comparator:\n got %q\nwant %q", got, want)
			}
			if r.Type != TypeResult || r.Name != "Hemoglobin A1c" || r.Code != loinc+"|4548-4" || r.Status != "final" {
				t.Errorf("got type %q name %q code %q status %q", r.Type, r.Name, r.Code, r.Status)
			}
		})
	}
}

func bp(id, date string, sys, dia int, extra string) data.ClinicalResource {
	s := fmt.Sprintf(`{"resourceType":"Observation","id":"%s","status":"final",
	"category":[{"coding":[{"code":"vital-signs"}]}],
	"code":{"coding":[{"system":"http://loinc.org","code":"85354-9","display":"Blood pressure panel with all children optional"}],"text":"Blood pressure"},
	"effectiveDateTime":"%s",
	"component":[
	 {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6","display":"Systolic blood pressure"}]},
	  "valueQuantity":{"value":%d,"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"},
	  "referenceRange":[{"high":{"value":130,"code":"mm[Hg]"}}]},
	 {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4","display":"Diastolic blood pressure"}]},
	  "valueQuantity":{"value":%d,"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"},
	  "referenceRange":[{"high":{"value":80,"code":"mm[Hg]"}}]}]%s}`, id, date, sys, dia, extra)
	return cr("Observation", id, s)
}

func TestBloodPressure(t *testing.T) {
	r := oneRow(t, bp("bp1", "2026-02-01T08:00:00Z", 142, 91, ""))
	if r.Value != "142/91" || r.Unit != "mmHg" || numText(r.Number) != "142" || r.Flag != "high" ||
		r.ReferenceRange != "<130/<80" || numText(r.High) != "130" || r.Code != loinc+"|85354-9" || r.Name != "Blood pressure" {
		t.Errorf("got %q %q n=%s flag %q range %q high %s code %q", r.Value, r.Unit, numText(r.Number), r.Flag, r.ReferenceRange, numText(r.High), r.Code)
	}
	r = oneRow(t, bp("bp2", "2026-02-02T08:00:00Z", 118, 76, ""))
	if r.Value != "118/76" || r.Flag != "" {
		t.Errorf("got %q flag %q", r.Value, r.Flag)
	}
	r = oneRow(t, bp("bp3", "2026-02-03T08:00:00Z", 118, 76, `,"interpretation":[{"coding":[{"code":"A"}]}]`))
	if r.Flag != "abnormal" {
		t.Errorf("flag %q, want abnormal from the observation's interpretation", r.Flag)
	}
}

func TestReportsAndPanels(t *testing.T) {
	res := []data.ClinicalResource{
		cr("Observation", "ldl", obs("ldl", "13457-7", "LDL cholesterol", `"valueQuantity":{"value":162,"unit":"mg/dL"}`,
			`"referenceRange":[{"high":{"value":100}}]`)),
		cr("Observation", "hdl", obs("hdl", "2085-9", "HDL cholesterol", `"valueQuantity":{"value":45,"unit":"mg/dL"}`, "")),
		cr("Observation", "gone", obs("gone", "2093-3", "Cholesterol", `"valueQuantity":{"value":1,"unit":"mg/dL"}`, "")),
		cr("Observation", "err", `{"resourceType":"Observation","id":"err","status":"entered-in-error","code":{"text":"Triglycerides"},"valueQuantity":{"value":1}}`),
		cr("DiagnosticReport", "dr1", `{"resourceType":"DiagnosticReport","id":"dr1","status":"final",
			"code":{"coding":[{"system":"http://loinc.org","code":"57698-3","display":"Lipid panel"}]},
			"effectiveDateTime":"2026-01-10","issued":"2026-01-11T10:00:00Z",
			"result":[{"reference":"Observation/ldl"},{"reference":"Observation/err"},{"reference":"Observation/missing"},
			          {"reference":"https://portal.example/fhir/Observation/hdl/_history/2"},{"reference":"Observation/ldl"}],
			"conclusion":"LDL above goal; discuss statin.",
			"presentedForm":[{"contentType":"application/pdf","data":"JVBERi0xLjQ=","title":"Lipid panel report"}]}`),
	}
	rows, skipped := Rows(res)
	if skipped != 0 {
		t.Fatalf("skipped %d", skipped)
	}
	dr := rowByID(t, rows, "L-dr1")
	if dr.Type != TypeResult || dr.Value != "" || dr.Name != "Lipid panel" || dr.Detail != "LDL above goal; discuss statin." ||
		!reflect.DeepEqual(dr.Results, []string{"L-ldl", "L-hdl"}) || dr.DateText(time.UTC) != "2026-01-10" {
		t.Errorf("report: %+v", dr)
	}
	if dr.Attachment == nil || string(dr.Attachment.Data) != "%PDF-1.4" || dr.Attachment.ContentType != "application/pdf" {
		t.Errorf("report's presented form: %+v", dr.Attachment)
	}
	for _, id := range []string{"L-ldl", "L-hdl"} {
		if p := rowByID(t, rows, id).Panel; p != "L-dr1" {
			t.Errorf("%s panel %q, want L-dr1", id, p)
		}
	}
	if p := rowByID(t, rows, "L-gone").Panel; p != "" {
		t.Errorf("an observation in no report has panel %q", p)
	}
	for _, r := range rows {
		if r.ID == "L-err" {
			t.Errorf("entered-in-error observation shown")
		}
	}
}

func TestPanelObservationMembers(t *testing.T) {
	rows, _ := Rows([]data.ClinicalResource{
		cr("Observation", "vs", `{"resourceType":"Observation","id":"vs","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"85353-1"}],"text":"Vital signs"},
		"effectiveDateTime":"2026-01-01","hasMember":[{"reference":"Observation/hr"}]}`),
		cr("Observation", "hr", obs("hr", "8867-4", "Heart rate", `"valueQuantity":{"value":64,"unit":"/min"}`, "")),
	})
	if vs := rowByID(t, rows, "L-vs"); !reflect.DeepEqual(vs.Results, []string{"L-hr"}) || vs.Value != "" {
		t.Errorf("panel: %+v", vs)
	}
	if hr := rowByID(t, rows, "L-hr"); hr.Panel != "L-vs" {
		t.Errorf("member panel %q", hr.Panel)
	}
}

func TestPanelsListingEachOther(t *testing.T) {
	panel := func(id, member string) data.ClinicalResource {
		return cr("Observation", id, `{"resourceType":"Observation","status":"final","code":{"text":"Panel `+id+`"},
		"effectiveDateTime":"2026-01-0`+id[1:]+`","hasMember":[{"reference":"Observation/`+member+`"}]}`)
	}
	rows, _ := Rows([]data.ClinicalResource{panel("p1", "p2"), panel("p2", "p3"), panel("p3", "p1"), panel("p4", "p4")})
	// Lists are resolved newest first: p3 → p1, then p2 → p3, and p1 → p2 would close the
	// loop; p4 listing itself is dropped too.
	want := map[string][]string{"L-p3": {"L-p1"}, "L-p2": {"L-p3"}, "L-p1": {}, "L-p4": {}}
	for id, w := range want {
		if got := rowByID(t, rows, id).Results; !reflect.DeepEqual(got, w) {
			t.Errorf("%s lists %v, want %v", id, got, w)
		}
	}
	for _, r := range rows {
		seen := map[string]bool{}
		for p := r.ID; p != ""; p = rowByID(t, rows, p).Panel {
			if seen[p] {
				t.Fatalf("panels of %s go round in circles", r.ID)
			}
			seen[p] = true
		}
	}
}

func TestDocumentRows(t *testing.T) {
	tests := []struct {
		name, raw                      string
		wantName, wantDetail, wantType string
		wantData, wantURL, wantTitle   string
	}{
		{
			name: "text visit summary shown",
			raw: `{"resourceType":"DocumentReference","id":"d1","status":"current",
			"type":{"coding":[{"system":"http://loinc.org","code":"34133-9","display":"Summary of episode note"}]},
			"date":"2026-01-12T15:00:00Z",
			"content":[{"attachment":{"contentType":"text/plain; charset=utf-8","data":"VmlzaXQgc3VtbWFyeTogQlAgcmVjaGVja2VkLg=="}}]}`,
			wantName: "Summary of episode note", wantDetail: "Visit summary: BP rechecked.", wantType: "text/plain; charset=utf-8",
			wantData: "Visit summary: BP rechecked.",
		},
		{
			name: "PDF: description names it, no text",
			raw: `{"resourceType":"DocumentReference","status":"current","description":"After-visit summary",
			"type":{"text":"Visit note"},"context":{"period":{"start":"2025-12-01"}},
			"content":[{"attachment":{"contentType":"application/pdf","data":"JVBERi0x\nLjQ=","title":"avs.pdf"}}]}`,
			wantName: "After-visit summary", wantType: "application/pdf", wantData: "%PDF-1.4", wantTitle: "avs.pdf",
		},
		{
			name: "linked only, named by the attachment's title",
			raw: `{"resourceType":"DocumentReference","status":"current",
			"content":[{"attachment":{"contentType":"application/pdf","url":"Binary/b1","title":"Discharge letter"}}]}`,
			wantName: "Discharge letter", wantType: "application/pdf", wantURL: "Binary/b1", wantTitle: "Discharge letter",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := oneRow(t, cr("DocumentReference", "d", tt.raw))
			if r.Type != TypeDocument || r.Name != tt.wantName || r.Detail != tt.wantDetail || r.Attachment == nil {
				t.Fatalf("got %q detail %q attachment %+v", r.Name, r.Detail, r.Attachment)
			}
			a := r.Attachment
			if a.ContentType != tt.wantType || string(a.Data) != tt.wantData || a.URL != tt.wantURL || a.Title != tt.wantTitle {
				t.Errorf("attachment %+v", a)
			}
		})
	}
}

func TestEnteredInErrorAndUnreadable(t *testing.T) {
	res := []data.ClinicalResource{
		cr("Condition", "ok", `{"resourceType":"Condition","code":{"text":"Asthma"}}`),
		// Entered in error: left out, not counted.
		cr("Condition", "e1", `{"resourceType":"Condition","code":{"text":"Gout"},"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"entered-in-error"}]}}`),
		cr("AllergyIntolerance", "e2", `{"resourceType":"AllergyIntolerance","code":{"text":"Sulfa"},"verificationStatus":{"coding":[{"code":"entered-in-error"}]}}`),
		cr("MedicationRequest", "e3", `{"resourceType":"MedicationRequest","status":"entered-in-error","medicationCodeableConcept":{"text":"X"}}`),
		cr("Immunization", "e4", `{"resourceType":"Immunization","status":"entered-in-error","vaccineCode":{"text":"X"}}`),
		cr("DiagnosticReport", "e5", `{"resourceType":"DiagnosticReport","status":"entered-in-error","code":{"text":"X"}}`),
		cr("DocumentReference", "e6", `{"resourceType":"DocumentReference","status":"entered-in-error","description":"X"}`),
		cr("DocumentReference", "e7", `{"resourceType":"DocumentReference","status":"current","docStatus":"entered-in-error","description":"X"}`),
		// A Medication is not a row, and not skipped.
		cr("Medication", "m1", `{"resourceType":"Medication","code":{"text":"X"}}`),
		// Unreadable: counted.
		cr("Condition", "bad1", `{"resourceType":"Condition","code":{"text":"Asthma"}`),
		cr("Condition", "bad2", `{"resourceType":"Condition","code":{"coding":[{"code":"195967001"}]}}`), // no name
		cr("Condition", "bad3", `{"resourceType":"Observation","code":{"text":"Asthma"}}`),               // not what it says
		cr("Observation", "bad4", `{"resourceType":"Observation","code":{"text":"A1c"},"valueQuantity":{"value":"seven"}}`),
		cr("Observation", "bad5", `{"resourceType":"Observation","code":{"text":"A1c"},"valueQuantity":{"value":7,"comparator":"~"}}`),
		cr("Observation", "bad6", `{"resourceType":"Observation","code":"A1c"}`),
		cr("DocumentReference", "bad7", `{"resourceType":"DocumentReference","description":"X","content":[{"attachment":{"data":"***"}}]}`),
		cr("MedicationRequest", "bad8", `{"resourceType":"MedicationRequest","medicationReference":{"reference":"Medication/none"}}`),
		cr("Medication", "bad9", `[]`),
		cr("Patient", "bad10", `{"resourceType":"Patient"}`),
		cr("Condition", "bad11", ``),
		cr("Observation", "bad13", `{"resourceType":"Observation","code":{"text":"A1c"},"valueQuantity":{"value":1e999}}`),
	}
	rows, skipped := Rows(res)
	if len(rows) != 1 || rows[0].ID != "L-ok" {
		var ids []string
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		t.Errorf("rows %v, want only L-ok", ids)
	}
	if skipped != 12 {
		t.Errorf("skipped %d, want 12", skipped)
	}
}

func TestRowOrder(t *testing.T) {
	res := []data.ClinicalResource{
		cr("DocumentReference", "doc", `{"resourceType":"DocumentReference","description":"Letter","date":"2026-01-01T00:00:00Z"}`),
		cr("Immunization", "imm", `{"resourceType":"Immunization","vaccineCode":{"text":"Tdap"},"occurrenceDateTime":"2020-01-01"}`),
		cr("Observation", "old", obs("old", "1", "Zinc", `"valueQuantity":{"value":1}`, `"effectiveDateTime":"2020-01-01"`)),
		cr("Condition", "c-nodate", `{"resourceType":"Condition","code":{"text":"Acne"}}`),
		cr("Condition", "c-2019", `{"resourceType":"Condition","code":{"text":"Zoster"},"onsetDateTime":"2019"}`),
		cr("Condition", "c-2019b", `{"resourceType":"Condition","code":{"text":"Asthma"},"onsetDateTime":"2019"}`),
		cr("Condition", "c-2024", `{"resourceType":"Condition","code":{"text":"Back pain"},"onsetDateTime":"2024-05-01T10:00:00+02:00"}`),
		cr("MedicationRequest", "med", `{"resourceType":"MedicationRequest","medicationCodeableConcept":{"text":"Metformin"}}`),
		cr("AllergyIntolerance", "all", `{"resourceType":"AllergyIntolerance","code":{"text":"Penicillin"}}`),
	}
	// obs() gives effectiveDateTime first; the later key wins in encoding/json, so "old" is 2020.
	rows, skipped := Rows(res)
	if skipped != 0 {
		t.Fatalf("skipped %d", skipped)
	}
	var got []string
	for _, r := range rows {
		got = append(got, strings.TrimPrefix(r.ID, "L-"))
	}
	want := []string{"c-2024", "c-2019b", "c-2019", "c-nodate", "all", "med", "old", "imm", "doc"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestTrend(t *testing.T) {
	a1c := func(id, date, v string) data.ClinicalResource {
		return cr("Observation", id, obs(id, "4548-4", "Hemoglobin A1c", `"valueQuantity":{"value":`+v+`,"unit":"%"}`, `"effectiveDateTime":"`+date+`"`))
	}
	res := []data.ClinicalResource{
		a1c("a3", "2026-01-10T09:00:00Z", "7.9"),
		a1c("a1", "2025-01-10", "6.8"),
		a1c("a2", "2025-07-10T09:00:00-04:00", "7.2"),
		cr("Observation", "other", obs("other", "2345-7", "Glucose", `"valueQuantity":{"value":99}`, "")),
		bp("bp1", "2026-01-01T00:00:00Z", 120, 80, ""),
		bp("bp2", "2025-01-01T00:00:00Z", 130, 85, ""),
	}
	rows, _ := Rows(res)
	ids := func(rs []Row) (out []string) {
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	if got := ids(Trend(rows, rowByID(t, rows, "L-a3"))); !reflect.DeepEqual(got, []string{"L-a1", "L-a2", "L-a3"}) {
		t.Errorf("A1c trend %v", got)
	}
	if got := ids(Trend(rows, rowByID(t, rows, "L-bp1"))); !reflect.DeepEqual(got, []string{"L-bp2", "L-bp1"}) {
		t.Errorf("BP trend %v", got)
	}
	// The same test with the lab's local code listed first: still the same trend.
	local := cr("Observation", "a4", `{"resourceType":"Observation","status":"final","effectiveDateTime":"2026-02-01",
		"code":{"coding":[{"system":"urn:lab:local","code":"HBA1C"},{"system":"http://loinc.org","code":"4548-4"}],"text":"A1c"},
		"valueQuantity":{"value":7.1,"unit":"%"}}`)
	rows, _ = Rows(append(res, local))
	if got := ids(Trend(rows, rowByID(t, rows, "L-a1"))); !reflect.DeepEqual(got, []string{"L-a1", "L-a2", "L-a3", "L-a4"}) {
		t.Errorf("A1c trend with a local code first %v", got)
	}
	if got := Trend(rows, Row{}); got != nil {
		t.Errorf("trend of no code: %v", got)
	}
}
