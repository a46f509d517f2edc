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
