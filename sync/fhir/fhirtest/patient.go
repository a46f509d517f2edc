package fhirtest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/patient-companion/companion/sync/fhir"
)

// StartWithPatient starts the engine (Start) with one empty Patient on it, and returns its
// base URL, a client talking to it directly, and the patient's id: how the tests that act
// on a patient's appointments, requests and readings begin.
func StartWithPatient(t testing.TB) (base string, direct *fhir.Client, patientID string) {
	t.Helper()
	base = Start(t)
	direct, err := fhir.New(base)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := direct.Create(context.Background(), "Patient", fhir.Raw(`{"resourceType":"Patient"}`), "")
	if err != nil {
		t.Fatal(err)
	}
	var pat struct{ ID string }
	if err := json.Unmarshal(raw, &pat); err != nil || pat.ID == "" {
		t.Fatalf("the new Patient: %s (%v)", raw, err)
	}
	return base, direct, pat.ID
}
