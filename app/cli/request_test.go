package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/clinic"
	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/fhir/fhirtest"
	"github.com/patient-companion/companion/sync/portal/portaltest"
)

// Issue 15 on the command line, against the Medplum engine (a portal without sign-in whose
// CapabilityStatement takes Appointment create and update).
func TestAppointmentRequestCancelAndQuestions(t *testing.T) {
	h := newDoseHarness(t) // the profile's clock is 2026-11-25 12:00 New York
	ctx := context.Background()
	upstream, direct, patID := fhirtest.StartWithPatient(t)
	start := time.Now().AddDate(0, 1, 0).Truncate(time.Hour).UTC()
	raw, err := direct.Create(ctx, "Appointment", fhir.Raw(fmt.Sprintf(`{"resourceType":"Appointment","status":"booked","description":"Eye screening","comment":"Bring your glasses","start":%q,"end":%q,"participant":[{"actor":{"reference":"Patient/%s"},"status":"accepted"}]}`,
		start.Format(time.RFC3339), start.Add(30*time.Minute).Format(time.RFC3339), patID)), "")
	if err != nil {
		t.Fatal(err)
	}
	var remote struct{ ID string }
	json.Unmarshal(raw, &remote)
	h.run("portal", "connect", upstream, "--patient", patID)
	h.ok("sync")
	var appts []appointmentJSON
	h.jsonOK(&appts, "appointment", "list")
	if len(appts) != 1 || appts[0].Source != "portal" {
		t.Fatalf("pulled %+v", appts)
	}
	eye := appts[0].ID

	// Questions for the doctor: written down, listed, ticked off.
	var q questionJSON
	h.jsonOK(&q, "question", "add", "--appointment", eye[:8], "Can I drive after the drops?")
	h.ok("question", "add", "--appointment", eye, "Do I need new glasses?")
	var qs []questionJSON
	h.jsonOK(&qs, "question", "list", "--appointment", eye)
	if len(qs) != 2 || qs[0].Text != "Can I drive after the drops?" || qs[0].AppointmentID != eye || qs[0].Done {
		t.Fatalf("questions %+v", qs)
	}
	h.ok("question", "done", q.ID)
	h.jsonOK(&qs, "question", "list")
	if !qs[0].Done || qs[1].Done {
		t.Errorf("after done: %+v", qs)
	}
	past := strings.TrimSpace(h.ok("appointment", "add", "--at", "2026-11-20T10:00:00-05:00", "--title", "Old visit"))
	if r := h.wantCode(ExitUsage, "question", "add", "--appointment", past, "Too late?"); !strings.Contains(r.stderr, "is over") {
		t.Errorf("question for a past visit: %q", r.stderr)
	}
	h.wantCode(ExitNotFound, "question", "add", "--appointment", "ffffffff", "Who?")
	h.wantCode(ExitNotFound, "question", "done", "ffffffff")
	h.wantCode(ExitUsage, "question", "add", "--appointment", eye)

	// A request: sent at once, shown as requested, on the engine once.
	var req appointmentJSON
	after := time.Now().AddDate(0, 0, 14).Format(time.DateOnly)
	h.jsonOK(&req, "appointment", "request", "--reason", "Blood pressure review", "--after", after, "--with", "Dr Okafor")
	if req.Status != "requested" || req.Source != "portal" {
		t.Errorf("request: %+v", req)
	}
	n := 0
	direct.Search(ctx, "Appointment", url.Values{"identifier": {"urn:ietf:rfc:3986|urn:uuid:" + req.ID}}, func(fhir.Raw) error { n++; return nil })
	if n != 1 {
		t.Errorf("%d requests on the engine", n)
	}
	h.ok("sync")
	h.jsonOK(&appts, "appointment", "list")
	if len(appts) != 3 {
		t.Errorf("after a sync: %+v (the request once, not twice)", appts)
	}
	h.wantCode(ExitUsage, "appointment", "request")
	h.wantCode(ExitUsage, "appointment", "request", "--reason", "x", "--before", "2026-01-01")

	// Cancel: the portal's copy cancelled with the person's words, the clinic's comment kept.
	var c appointmentJSON
	h.jsonOK(&c, "appointment", "cancel", eye, "--reason", "I will be away")
	if c.Status != "cancelled" {
		t.Errorf("cancel: %+v", c)
	}
	raw, _ = direct.Read(ctx, "Appointment", remote.ID)
	var up map[string]any
	json.Unmarshal(raw, &up)
	if reason, _ := up["cancelationReason"].(map[string]any); up["status"] != "cancelled" || reason["text"] != "I will be away" || up["comment"] != "Bring your glasses" {
		t.Errorf("on the engine: %v", up)
	}
	if r := h.wantCode(ExitUsage, "appointment", "cancel", eye); !strings.Contains(r.stderr, "already cancelled") {
		t.Errorf("cancel twice: %q", r.stderr)
	}
	// A local appointment is simply cancelled.
	local := strings.TrimSpace(h.ok("appointment", "add", "--at", "2026-12-20T10:00:00-05:00", "--title", "Podiatry"))
	h.jsonOK(&c, "appointment", "cancel", local)
	if c.Status != "cancelled" || c.Source != "local" {
		t.Errorf("local cancel: %+v", c)
	}
	h.wantCode(ExitNotFound, "appointment", "cancel", "ffffffff")
}

// A portal that takes no requests: nothing kept, the person told where to book (exit 6).
func TestAppointmentRequestElsewhere(t *testing.T) {
	h := newDoseHarness(t)
	srv := portaltest.Start(t) // no CapabilityStatement: promises nothing
	c, err := clinic.Parse([]byte(`{"name":"Green Street Clinic","portal":{"fhir_base_url":"`+srv.Base+`","scheduling_url":"https://clinic.example.org/book"},"support":{"phone":"+1 555 0100"}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	h.clinic = c
	h.run("portal", "connect", srv.Base, "--patient", portaltest.Patient)
	r := h.wantCode(ExitPortal, "appointment", "request", "--reason", "Check-up")
	for _, want := range []string{"does not take appointment requests", "https://clinic.example.org/book", "+1 555 0100"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("%q does not say %q", r.stderr, want)
		}
	}
	var appts []appointmentJSON
	h.jsonOK(&appts, "appointment", "list")
	if len(appts) != 0 {
		t.Errorf("a request was kept: %+v", appts)
	}
}

// The portal cannot be reached: the request is kept (and says so), and goes at the next sync.
func TestAppointmentRequestWhileOffline(t *testing.T) {
	h := newDoseHarness(t)
	srv := portaltest.Start(t)
	h.run("portal", "connect", srv.Base, "--patient", portaltest.Patient)
	srv.Close()
	r := h.run("appointment", "request", "--reason", "Check-up", "--json")
	if r.code != 0 || !strings.Contains(r.stderr, "next sync") {
		t.Fatalf("offline request: %+v", r)
	}
	var a appointmentJSON
	if err := json.Unmarshal([]byte(r.stdout), &a); err != nil || a.Status != "requested" || a.Source != "local" {
		t.Fatalf("request: %s (%v)", r.stdout, err)
	}
	if out := h.ok("appointment", "list"); !strings.Contains(out, "(waiting to send)") {
		t.Errorf("the list does not say the request waits:\n%s", out)
	}
}
