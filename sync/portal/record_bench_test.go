package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/patient-companion/companion/data/datatest"
	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/fhir/fhirtest"
)

// BenchmarkRecordMedplum is the health record's performance target (issue 13), run with
// `make bench-record` (outside CI: loading the engine takes a while): the first pull of
// 5,000 observations and 200 other records (< 5 s), and a no-change sync of every type
// (< 300 ms), from the local Medplum engine without sign-in, so the figures are the sync's
// and the engine's. Each is measured searching by subject (what the sync does) and by
// patient (what Medplum's in-memory engine resolves resource by resource).
//
// "no-change-recent" runs right after the first pull: the writes are under two minutes
// old, so the delta re-reads them (a write may still be in flight) and skips each by its
// version. "no-change" is the steady state: the benchmark first waits until the portal
// has been quiet for longer than that.
func BenchmarkRecordMedplum(b *testing.B) {
	ctx := context.Background()
	base := fhirtest.Start(b)
	direct, err := fhir.New(base)
	if err != nil {
		b.Fatal(err)
	}
	patient := loadBenchRecord(b, base)
	// Another patient's records beside (the searches must pass them over).
	fhirtest.LoadRecord(b, base, fhirtest.Bob)
	loaded := time.Now()
	const want = 5000 + 200 + 20 // observations, other records, their Medications

	newEngine := func(byPatient bool) *Engine {
		s, _ := datatest.CreatePassphrase(b, datatest.NewProfiles(b, nil), "B", "pw")
		return &Engine{Client: direct, Store: s, Patient: patient, byPatient: byPatient}
	}
	noChange := func(name string, byPatient bool) {
		b.Run(name, func(b *testing.B) {
			eng := newEngine(byPatient)
			if _, err := eng.Sync(ctx); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				res, err := eng.Sync(ctx)
				if err != nil || res.Pulled != 0 {
					b.Fatalf("sync = %+v, %v", res, err)
				}
			}
		})
	}
	noChange("no-change-recent/subject", false) // first, while the writes are recent
	for _, by := range []struct {
		name      string
		byPatient bool
	}{{"subject", false}, {"patient", true}} {
		b.Run("first/"+by.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				eng := newEngine(by.byPatient)
				b.StartTimer()
				res, err := eng.Sync(ctx)
				if err != nil || res.Pulled != want {
					b.Fatalf("sync = %+v, %v", res, err)
				}
			}
		})
	}
	if wait := overlap + 2*time.Second - time.Since(loaded); wait > 0 {
		time.Sleep(wait)
	}
	noChange("no-change/subject", false)
	noChange("no-change/patient", true)
}

// loadBenchRecord creates a patient with 5,000 observations (lab and vital signs) and 200
// other records: 40 problems, 20 allergies, 40 medicine requests (20 naming a Medication,
// 20 with one contained), 40 immunizations, 40 reports, 20 documents. It returns the
// patient's id.
func loadBenchRecord(b *testing.B, base string) string {
	b.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	post := func(typ string, body map[string]any) (string, error) {
		raw, _ := json.Marshal(body)
		resp, err := client.Post(base+"/"+typ, "application/fhir+json", bytes.NewReader(raw))
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		var created struct{ ID string }
		if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || resp.StatusCode != http.StatusCreated {
			return "", fmt.Errorf("create %s: %s %v", typ, resp.Status, err)
		}
		return created.ID, nil
	}
	must := func(id string, err error) string {
		if err != nil {
			b.Fatal(err)
		}
		return id
	}
	patient := must(post("Patient", map[string]any{"resourceType": "Patient", "name": []any{map[string]any{"family": "Bench"}}}))
	ref := map[string]any{"reference": "Patient/" + patient}
	cat := func(code string) []any {
		return []any{map[string]any{"coding": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": code}}}}
	}
	type job struct {
		typ  string
		body map[string]any
	}
	var jobs []job
	start := time.Date(2020, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 5000; i++ {
		at := start.Add(time.Duration(i) * 8 * time.Hour).Format(time.RFC3339)
		o := map[string]any{"resourceType": "Observation", "status": "final", "subject": ref, "effectiveDateTime": at}
		switch i % 3 {
		case 0:
			o["category"] = cat("laboratory")
			o["code"] = map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": "4548-4"}}, "text": "HbA1c"}
			o["valueQuantity"] = map[string]any{"value": 5 + float64(i%40)/10, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"}
			o["referenceRange"] = []any{map[string]any{"high": map[string]any{"value": 5.6, "unit": "%"}}}
		case 1:
			o["category"] = cat("vital-signs")
			o["code"] = map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": "85354-9"}}, "text": "Blood pressure"}
			o["component"] = []any{
				map[string]any{"code": map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": "8480-6"}}}, "valueQuantity": map[string]any{"value": 110 + i%40, "unit": "mmHg"}},
				map[string]any{"code": map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": "8462-4"}}}, "valueQuantity": map[string]any{"value": 70 + i%20, "unit": "mmHg"}},
			}
		default:
			o["category"] = cat("vital-signs")
			o["code"] = map[string]any{"coding": []any{map[string]any{"system": "http://loinc.org", "code": "8867-4"}}, "text": "Pulse"}
			o["valueQuantity"] = map[string]any{"value": 60 + i%30, "unit": "/min"}
		}
		jobs = append(jobs, job{"Observation", o})
	}
	for i := 0; i < 40; i++ {
		jobs = append(jobs, job{"Condition", map[string]any{"resourceType": "Condition", "subject": ref, "code": map[string]any{"text": fmt.Sprintf("Problem %d", i)}}},
			job{"Immunization", map[string]any{"resourceType": "Immunization", "status": "completed", "patient": ref, "occurrenceDateTime": "2026-01-01", "vaccineCode": map[string]any{"text": "Flu"}}},
			job{"DiagnosticReport", map[string]any{"resourceType": "DiagnosticReport", "status": "final", "subject": ref, "code": map[string]any{"text": "Panel"}, "conclusion": "Fine."}})
	}
	for i := 0; i < 20; i++ {
		jobs = append(jobs, job{"AllergyIntolerance", map[string]any{"resourceType": "AllergyIntolerance", "patient": ref, "code": map[string]any{"text": fmt.Sprintf("Allergy %d", i)}, "criticality": "high",
			"clinicalStatus": map[string]any{"coding": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}}}}},
			job{"DocumentReference", map[string]any{"resourceType": "DocumentReference", "status": "current", "subject": ref,
				"content": []any{map[string]any{"attachment": map[string]any{"contentType": "text/plain", "data": "U2VlbiB0b2RheS4="}}}}},
			job{"MedicationRequest", map[string]any{"resourceType": "MedicationRequest", "status": "active", "intent": "order", "subject": ref,
				"contained":           []any{map[string]any{"resourceType": "Medication", "id": "m", "code": map[string]any{"text": "Metformin"}}},
				"medicationReference": map[string]any{"reference": "#m"}}})
	}
	for i := 0; i < 20; i++ {
		med := must(post("Medication", map[string]any{"resourceType": "Medication", "code": map[string]any{"text": fmt.Sprintf("Medicine %d", i)}}))
		jobs = append(jobs, job{"MedicationRequest", map[string]any{"resourceType": "MedicationRequest", "status": "active", "intent": "order", "subject": ref,
			"medicationReference": map[string]any{"reference": "Medication/" + med}}})
	}
	// Four at a time: the engine is in memory, the load is the benchmark's setup.
	work := make(chan job)
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				if _, err := post(j.typ, j.body); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	return patient
}
