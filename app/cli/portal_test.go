package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// openPortal is a minimal FHIR server without SMART sign-in, for the command line's side of
// sync (the engine itself is tested in sync/portal).
func openPortal(t *testing.T) (*httptest.Server, *int) {
	var mu sync.Mutex
	created := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/fhir+json")
		switch {
		case r.URL.Path == "/fhir/Patient/p1":
			fmt.Fprint(w, `{"resourceType":"Patient","id":"p1"}`)
		case r.Method == http.MethodPost && r.URL.Path == "/fhir/Communication":
			created++
			var res map[string]any
			json.NewDecoder(r.Body).Decode(&res)
			res["id"] = fmt.Sprintf("c%d", created)
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(res)
		case r.Method == http.MethodGet && (r.URL.Path == "/fhir/Appointment" || r.URL.Path == "/fhir/Communication"):
			fmt.Fprint(w, `{"resourceType":"Bundle","type":"searchset","entry":[]}`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &created
}

func TestPortalConnectAndSync(t *testing.T) {
	h := newDoseHarness(t)
	srv, created := openPortal(t)
	base := srv.URL + "/fhir"

	h.wantCode(ExitUsage, "sync") // not connected
	h.wantCode(ExitUsage, "portal", "connect", "http://portal.example.org/fhir", "--patient", "p1")
	h.wantCode(ExitUsage, "portal", "connect", base) // no SMART and no --patient
	h.wantCode(ExitNotFound, "portal", "connect", base, "--patient", "nobody")
	r := h.run("portal", "connect", base, "--patient", "p1")
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
	if res["pushed"] != 1.0 || *created != 1 {
		t.Fatalf("sync = %v, created %d", res, *created)
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
