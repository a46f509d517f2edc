package fhirtest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/fhir/fhirtest"
)

// TestLoadRecord: both fixtures load into the Medplum engine (so they are valid R4), and
// references point at the created resources.
func TestLoadRecord(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	base := fhirtest.Start(t)
	alice := fhirtest.LoadRecord(t, base, fhirtest.Alice)
	bob := fhirtest.LoadRecord(t, base, fhirtest.Bob)
	if alice.Patient == "" || bob.Patient == "" || alice.Patient == bob.Patient {
		t.Fatalf("patients %q and %q", alice.Patient, bob.Patient)
	}
	c, err := fhir.New(base)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := c.Read(ctx, "DiagnosticReport", alice.ID("DiagnosticReport/dr-lipids"))
	if err != nil {
		t.Fatal(err)
	}
	var dr struct {
		Subject struct{ Reference string }
		Result  []struct{ Reference string }
	}
	json.Unmarshal(raw, &dr)
	if dr.Subject.Reference != "Patient/"+alice.Patient || len(dr.Result) != 2 || dr.Result[0].Reference != alice.IDs["Observation/obs-ldl"] {
		t.Fatalf("references not rewritten: %s", raw)
	}
	raw, _ = c.Read(ctx, "DocumentReference", alice.ID("DocumentReference/doc-discharge-url"))
	if !strings.Contains(string(raw), `"url":"`+alice.IDs["Binary/bin-discharge"]+`"`) {
		t.Fatalf("attachment url not rewritten: %s", raw)
	}
}
