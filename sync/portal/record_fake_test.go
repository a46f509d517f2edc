package portal

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/sync/portal/portaltest"
)

func observation(patient, text string) map[string]any {
	return map[string]any{"resourceType": "Observation", "status": "final",
		"code":        map[string]any{"text": "Note"},
		"subject":     map[string]any{"reference": "Patient/" + patient},
		"valueString": text}
}

func (h *harness) record() map[string]string {
	h.t.Helper()
	all, err := h.store.ClinicalResources(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range all {
		out[r.Type+"/"+r.RemoteID] = string(r.Raw)
	}
	return out
}

// TestNoChangeSyncQuietPortal: once the portal has been quiet for longer than a write can
// be in flight, a sync re-reads nothing. (Before, each sync re-read everything stamped in
// the two minutes before the newest record, for ever.)
func TestNoChangeSyncQuietPortal(t *testing.T) {
	h := newHarness(t)
	fill(h, 100)
	for i := 0; i < 100; i++ {
		h.portal.AddResource(observation(portaltest.Patient, "ok"))
	}
	if res, err := h.sync(); err != nil || res.Pulled != 300 {
		t.Fatalf("first sync = %+v, %v", res, err)
	}
	// Right after, the last two minutes of writes may still have company in flight:
	// they are read again (and not stored again).
	if res, err := h.sync(); err != nil || res.Pulled != 0 {
		t.Fatalf("second sync = %+v, %v", res, err)
	}
	h.portal.Advance(3 * time.Minute)
	if _, err := h.sync(); err != nil {
		t.Fatal(err)
	}
	before := h.portal.Served()
	if res, err := h.sync(); err != nil || res.Pulled != 0 {
		t.Fatalf("quiet sync = %+v, %v", res, err)
	}
	if n := h.portal.Served() - before; n != 0 {
		t.Fatalf("a sync of a portal quiet for 3 minutes re-read %d resources", n)
	}
}

// TestWriteInFlightNotMissed: a write stamped before a sync's search but committed after it
// (so that search could not see it) comes down at the next sync.
func TestWriteInFlightNotMissed(t *testing.T) {
	h := newHarness(t)
	h.portal.AddResource(observation(portaltest.Patient, "first"))
	h.portal.Advance(10 * time.Minute)
	if _, err := h.sync(); err != nil {
		t.Fatal(err)
	}
	searched := h.portal.Now()
	h.portal.Advance(5 * time.Second)
	id := h.portal.AddResourceStamped(observation(portaltest.Patient, "in flight"), searched.Add(-90*time.Second))
	h.portal.Advance(10 * time.Minute)
	if res, err := h.sync(); err != nil || res.Pulled != 1 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	if _, ok := h.record()["Observation/"+id]; !ok {
		t.Fatal("the write in flight during the last sync was missed")
	}
}

// TestRecordOnlyThisPatient: a portal that ignores the patient parameter (this fake does)
// sends others' records; they are never stored. Entered-in-error ones are not either.
func TestRecordOnlyThisPatient(t *testing.T) {
	h := newHarness(t)
	mine := h.portal.AddResource(observation(portaltest.Patient, "mine"))
	h.portal.AddResource(observation("someone-else", "theirs"))
	h.portal.AddResource(map[string]any{"resourceType": "Observation", "status": "final", "valueString": "no subject"})
	wrong := observation(portaltest.Patient, "wrong patient")
	wrong["status"] = "entered-in-error"
	h.portal.AddResource(wrong)
	h.portal.AddResource(map[string]any{"resourceType": "AllergyIntolerance", "patient": map[string]any{"reference": "Patient/someone-else"}})
	if _, err := h.sync(); err != nil {
		t.Fatal(err)
	}
	got := h.record()
	if len(got) != 1 || !strings.Contains(got["Observation/"+mine], "mine") {
		t.Fatalf("stored %v", got)
	}
}

// TestRecordTypeRefused: a portal answering 403 for one type: reported, not an error, the
// others sync; when it shares the type again, the note goes.
func TestRecordTypeRefused(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.portal.AddResource(observation(portaltest.Patient, "a result"))
	h.portal.AddResource(map[string]any{"resourceType": "Immunization", "status": "completed", "patient": map[string]any{"reference": "Patient/" + portaltest.Patient}})
	h.portal.Refuse("Immunization")
	h.portal.Refuse("DocumentReference")
	res, err := h.sync()
	if err != nil || !slices.Equal(res.NotShared, []string{"Immunization", "DocumentReference"}) || res.Pulled != 1 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	if ns, _ := NotShared(ctx, h.store); !slices.Equal(ns, res.NotShared) {
		t.Fatalf("remembered %v", ns)
	}
	// A type not shared does not make every sync a full resync.
	h.portal.Advance(3 * time.Minute)
	if _, err := h.sync(); err != nil {
		t.Fatal(err)
	}
	before := h.portal.Served()
	if _, err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if n := h.portal.Served() - before; n != 0 {
		t.Fatalf("a later sync re-read %d resources", n)
	}
	h.portal.Share("Immunization")
	h.portal.Share("DocumentReference")
	res, err = h.sync()
	if err != nil || len(res.NotShared) != 0 || res.NotShared == nil || res.Pulled != 1 {
		t.Fatalf("sync once shared = %+v, %v", res, err)
	}
	if ns, _ := NotShared(ctx, h.store); len(ns) != 0 || ns == nil {
		t.Fatalf("remembered %v", ns)
	}
}

// TestRecordScopeNotGranted: a type whose scope the sign-in did not grant is not asked for.
func TestRecordScopeNotGranted(t *testing.T) {
	h := newHarness(t)
	h.portal.AddResource(observation(portaltest.Patient, "a result"))
	h.eng.Scope = "openid launch/patient patient/Appointment.rs patient/Communication.crs patient/Condition.rs patient/MedicationRequest.rs"
	res, err := h.sync()
	want := []string{"AllergyIntolerance", "Immunization", "Observation", "DiagnosticReport", "DocumentReference"}
	if err != nil || !slices.Equal(res.NotShared, want) || res.Pulled != 0 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
}

// A sign-in from before the app asked for the health record grants none of it: the sync
// says to sign in again (once), not only "not shared" seven times; a sign-in that grants
// part of it does not say so.
func TestRecordOldSignIn(t *testing.T) {
	h := newHarness(t)
	h.eng.Scope = "openid fhirUser launch/patient offline_access patient/Appointment.rs patient/Communication.crs patient/Patient.r"
	res, err := h.sync()
	if err != nil || len(res.NotShared) != 7 || !slices.Equal(res.Errors, []string{SignInForRecord}) {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	h.eng.Scope = "openid patient/Appointment.rs patient/Condition.rs"
	if res, err := h.sync(); err != nil || slices.Contains(res.Errors, SignInForRecord) {
		t.Errorf("a partial grant: %+v, %v", res, err)
	}
}

// TestRecordErrorsCarryNoHealthData: a malformed record stops the sync with an error that
// names the type, not what the record says.
func TestRecordErrorsCarryNoHealthData(t *testing.T) {
	h := newHarness(t)
	bad := observation(portaltest.Patient, "HIV-1 RNA detected")
	bad["status"] = 5
	h.portal.AddResource(bad)
	_, err := h.sync()
	if err == nil {
		t.Fatal("a malformed record synced")
	}
	if msg := err.Error(); strings.Contains(msg, "HIV") || strings.Contains(msg, portaltest.Patient) || !strings.Contains(msg, "Observation") {
		t.Fatalf("error %q", msg)
	}
}

// TestWeeklyFullResync: a record deleted upstream stays through delta syncs and goes at
// the weekly full resync.
func TestWeeklyFullResync(t *testing.T) {
	h := newHarness(t)
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	h.eng.Now = func() time.Time { return now }
	gone := h.portal.AddResource(observation(portaltest.Patient, "deleted upstream"))
	h.portal.AddResource(observation(portaltest.Patient, "kept"))
	if _, err := h.sync(); err != nil {
		t.Fatal(err)
	}
	h.portal.DeleteResource("Observation", gone)
	now = now.Add(6 * 24 * time.Hour)
	if _, err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if len(h.record()) != 2 {
		t.Fatal("a delta sync removed a record")
	}
	now = now.Add(24 * time.Hour)
	if _, err := h.sync(); err != nil {
		t.Fatal(err)
	}
	if got := h.record(); len(got) != 1 || got["Observation/"+gone] != "" {
		t.Fatalf("after a week: %v", got)
	}
}

// TestRecordRereadSkipsStored: a sync right after another re-reads the last two minutes (a
// write may be in flight) but skips what it has by version: a document's Binary is not
// fetched again, nothing is stored again.
func TestRecordRereadSkipsStored(t *testing.T) {
	h := newHarness(t)
	bin := h.portal.AddResource(map[string]any{"resourceType": "Binary", "contentType": "application/pdf", "data": "JVBERi0xLjQK"})
	h.portal.AddResource(map[string]any{"resourceType": "DocumentReference", "status": "current",
		"subject": map[string]any{"reference": "Patient/" + portaltest.Patient},
		"content": []any{map[string]any{"attachment": map[string]any{"contentType": "application/pdf", "url": "Binary/" + bin}}}})
	if res, err := h.sync(); err != nil || res.Pulled != 1 || h.portal.Reads() != 1 {
		t.Fatalf("first sync = %+v, %v; %d reads", res, err, h.portal.Reads())
	}
	for _, raw := range h.record() {
		if !strings.Contains(raw, `"data":"JVBERi0xLjQK"`) {
			t.Fatalf("document not inlined: %s", raw)
		}
	}
	served := h.portal.Served()
	if res, err := h.sync(); err != nil || res.Pulled != 0 {
		t.Fatalf("second sync = %+v, %v", res, err)
	}
	if h.portal.Served() == served {
		t.Fatal("the second sync did not re-read the last two minutes")
	}
	if n := h.portal.Reads(); n != 1 {
		t.Fatalf("the Binary was fetched again: %d reads", n)
	}
}

// TestRecordSubjectRejected: a server that answers 400 to `subject` (US Core requires only
// `patient`) is asked again by `patient`, and from then on by `patient` only.
func TestRecordSubjectRejected(t *testing.T) {
	h := newHarness(t)
	h.portal.AddResource(observation(portaltest.Patient, "a result"))
	h.portal.RejectParam("Observation", "subject")
	if res, err := h.sync(); err != nil || res.Pulled != 1 || len(res.NotShared) != 0 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	if by, _ := h.store.SyncMark(context.Background(), "Observation"+markParam); by != "patient" {
		t.Fatalf("remembered %q", by)
	}
	h.portal.AddResource(observation(portaltest.Patient, "another"))
	if res, err := h.sync(); err != nil || res.Pulled != 1 {
		t.Fatalf("second sync = %+v, %v", res, err)
	}
}
