package cli

import (
	"strings"
	"testing"

	"github.com/patient-companion/companion/sync/portal/portaltest"
)

// TestPortalConnectAndSync is the command line's side of sync, against a portal without
// SMART sign-in (the engine itself is tested in sync/portal).
func TestPortalConnectAndSync(t *testing.T) {
	h := newDoseHarness(t)
	srv := portaltest.Start(t)
	base := srv.Base

	h.wantCode(ExitUsage, "sync") // not connected
	h.wantCode(ExitUsage, "portal", "connect", "http://portal.example.org/fhir", "--patient", "p1")
	h.wantCode(ExitUsage, "portal", "connect", base) // no SMART and no --patient
	h.wantCode(ExitNotFound, "portal", "connect", base, "--patient", "nobody")
	r := h.run("portal", "connect", base, "--patient", portaltest.Patient)
	if r.code != 0 || !strings.Contains(r.stderr, "warning") {
		t.Fatalf("connect: %+v", r)
	}
	h.ok("note", "add", "Question for the nurse")
	var st map[string]any
	h.jsonOK(&st, "portal", "status")
	if st["connected"] != true || st["queued"] != 1.0 || st["last_sync"] != nil {
		t.Fatalf("status = %v", st)
	}
	var res map[string]any
	h.jsonOK(&res, "sync")
	if res["pushed"] != 1.0 || srv.Created() != 1 {
		t.Fatalf("sync = %v, created %d", res, srv.Created())
	}
	var notes []map[string]any
	h.jsonOK(&notes, "note", "list")
	if notes[0]["state"] != "sent" {
		t.Fatalf("note = %v", notes[0])
	}
	h.jsonOK(&st, "portal", "status")
	if st["queued"] != 0.0 || st["last_sync"] == nil {
		t.Fatalf("status after sync = %v", st)
	}

	// The portal goes away: exit 6, nothing on stdout, the new note stays queued.
	h.ok("note", "add", "Second question")
	srv.Close()
	r = h.wantCode(ExitPortal, "sync")
	if r.stdout != "" {
		t.Fatalf("stdout on failure: %q", r.stdout)
	}
	h.jsonOK(&notes, "note", "list")
	if notes[1]["state"] != "queued" {
		t.Fatalf("note after failed sync = %v", notes[1])
	}
	h.ok("portal", "disconnect")
	h.jsonOK(&st, "portal", "status")
	if st["connected"] != false {
		t.Fatalf("after disconnect: %v", st)
	}
}

// TestSyncHealthRecordNotShared: a portal that does not share immunizations: sync says so
// (not_shared, exit 0) and portal status remembers it; sync --full resyncs the record.
func TestSyncHealthRecordNotShared(t *testing.T) {
	h := newDoseHarness(t)
	srv := portaltest.Start(t)
	srv.AddResource(map[string]any{"resourceType": "Condition", "subject": map[string]any{"reference": "Patient/" + portaltest.Patient}, "code": map[string]any{"text": "Asthma"}})
	srv.Refuse("Immunization")
	h.ok("portal", "connect", srv.Base, "--patient", portaltest.Patient)
	var st map[string]any
	h.jsonOK(&st, "portal", "status")
	if ns, ok := st["not_shared"].([]any); !ok || len(ns) != 0 {
		t.Fatalf("status before any sync = %v", st)
	}
	var res map[string]any
	h.jsonOK(&res, "sync")
	if ns, _ := res["not_shared"].([]any); len(ns) != 1 || ns[0] != "Immunization" || res["pulled"] != 1.0 {
		t.Fatalf("sync = %v", res)
	}
	r := h.run("sync")
	if r.code != 0 || !strings.Contains(r.stdout, "does not share immunizations") {
		t.Fatalf("sync = %+v", r)
	}
	h.jsonOK(&st, "portal", "status")
	if ns, _ := st["not_shared"].([]any); len(ns) != 1 || ns[0] != "Immunization" {
		t.Fatalf("status = %v", st)
	}
	srv.Share("Immunization")
	h.jsonOK(&res, "sync", "--full")
	if ns, _ := res["not_shared"].([]any); res["not_shared"] == nil || len(ns) != 0 {
		t.Fatalf("sync --full = %v", res)
	}
	h.wantCode(ExitUsage, "sync", "--fulll")
}
