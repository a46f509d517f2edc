package portal

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/portal/portaltest"
)

type harness struct {
	t      testing.TB
	store  *data.Store
	portal *portaltest.Portal
	eng    *Engine
	slept  []time.Duration
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{t: t, portal: portaltest.Start(t)}
	p := datatest.NewProfiles(t, nil)
	p.Location = time.UTC
	s, _ := datatest.CreatePassphrase(t, p, "Pat", "pw")
	h.store = s
	c, err := fhir.New(h.portal.Base, fhir.WithHTTPClient(&http.Client{Timeout: 5 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	h.eng = &Engine{Client: c, Store: s, Patient: portaltest.Patient, Sleep: func(_ context.Context, d time.Duration) error {
		h.slept = append(h.slept, d)
		return nil
	}}
	return h
}

func (h *harness) sync() (Result, error) {
	h.t.Helper()
	return h.eng.Sync(context.Background())
}

func (h *harness) messages() []data.Message {
	h.t.Helper()
	m, err := h.store.ListMessages(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

func TestNoteQueuedWhilePortalDown(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if _, err := h.store.AddNote(ctx, "Can I take ibuprofen with my tablets?"); err != nil {
		t.Fatal(err)
	}
	// Down: every request fails with 503, past all retries.
	h.portal.FailNext(503, 503, 503, 503, 503)
	if _, err := h.sync(); err == nil {
		t.Fatal("sync against a portal that is down succeeded")
	}
	if m := h.messages(); len(m) != 1 || m[0].State != data.MessageQueued {
		t.Fatalf("after the failed sync: %+v", m)
	}
	if h.portal.Created() != 0 {
		t.Fatal("created while down")
	}
	// Back up.
	res, err := h.sync()
	if err != nil || res.Pushed != 1 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	if h.portal.Created() != 1 {
		t.Fatalf("%d Communications on the portal, want exactly 1", h.portal.Created())
	}
	if m := h.messages(); m[0].State != data.MessageSent || m[0].RemoteID == "" {
		t.Fatalf("after sync: %+v", m[0])
	}
	if out, _ := h.store.Outbox(ctx); len(out) != 0 {
		t.Fatalf("outbox not emptied: %+v", out)
	}
	// Syncing again sends nothing more.
	h.sync()
	if h.portal.Created() != 1 {
		t.Fatal("sent twice")
	}
}

func TestDroppedAfterCommitIsNotDuplicated(t *testing.T) {
	h := newHarness(t)
	h.store.AddNote(context.Background(), "Feeling dizzy since Tuesday")
	h.portal.DropAfterCommit(1)
	res, err := h.sync()
	if err != nil || res.Pushed != 1 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	if n := h.portal.Created(); n != 1 {
		t.Fatalf("%d Communications after a dropped response and a retry, want 1", n)
	}
}

func TestRetryAfterAndServiceUnavailable(t *testing.T) {
	h := newHarness(t)
	h.store.AddNote(context.Background(), "Question about my dose")
	h.portal.FailNext(429, 503, 503)
	res, err := h.sync()
	if err != nil || res.Pushed != 1 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	if len(h.slept) != 3 {
		t.Fatalf("slept %v, want three waits", h.slept)
	}
	for _, d := range h.slept {
		if d < portaltest.RetryAfter {
			t.Fatalf("waited %s, less than Retry-After (%s)", d, portaltest.RetryAfter)
		}
	}
}

func TestRefusedNoteIsKept(t *testing.T) {
	h := newHarness(t)
	h.portal.RefuseNotesContaining("REFUSE")
	h.store.AddNote(context.Background(), "REFUSE this one")
	res, err := h.sync()
	if err != nil || res.Failed != 1 || len(res.Errors) != 1 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	m := h.messages()
	if m[0].State != data.MessageFailed || m[0].Error != "error business-rule: messages to this clinic are closed" {
		t.Fatalf("message = %+v", m[0])
	}
	if out, _ := h.store.Outbox(context.Background()); len(out) != 1 {
		t.Fatal("a refused note left the outbox")
	}
	// Not retried automatically.
	h.sync()
	if h.portal.Created() != 0 {
		t.Fatal("refused note created")
	}
}

func TestSignInAgain(t *testing.T) {
	h := newHarness(t)
	h.store.AddNote(context.Background(), "hello")
	h.portal.FailNext(401)
	if _, err := h.sync(); !errors.Is(err, ErrSignInAgain) {
		t.Fatalf("err = %v", err)
	}
	if m := h.messages(); m[0].State != data.MessageQueued {
		t.Fatal("note lost its place")
	}
}

func TestPullAppointments(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var ids []string
	for i := 0; i < 250; i++ {
		ids = append(ids, h.portal.AddAppointment(start.Add(time.Duration(i)*time.Hour), "booked", "Check-up"))
	}
	res, err := h.sync()
	if err != nil || res.Pulled != 250 {
		t.Fatalf("first sync = %+v, %v", res, err)
	}
	appts, _ := h.store.ListAppointments(ctx, time.Time{}, time.Time{})
	if len(appts) != 250 || appts[0].Source != "portal" {
		t.Fatalf("%d appointments", len(appts))
	}
	res, _ = h.sync()
	if res.Pulled != 0 {
		t.Fatalf("no-change sync pulled %d", res.Pulled)
	}
	h.portal.SetAppointmentStatus(ids[3], "cancelled")
	h.portal.SetAppointmentStatus(ids[100], "booked")
	h.portal.SetAppointmentStatus(ids[249], "booked")
	res, _ = h.sync()
	if res.Pulled != 3 {
		t.Fatalf("after 3 upstream changes pulled %d", res.Pulled)
	}
	appts, _ = h.store.ListAppointments(ctx, time.Time{}, time.Time{})
	if len(appts) != 250 || appts[3].Status != "cancelled" {
		t.Fatalf("cancellation not shown: %d appointments, #3 %s", len(appts), appts[3].Status)
	}
}

// Bad answers from the portal: a clear error, and the local store exactly as it was.
func TestBadResponsesChangeNothing(t *testing.T) {
	cases := map[string]func(w io.Writer){
		"malformed JSON": portaltest.Malformed,
		"wrong bundle type": func(w io.Writer) {
			io.WriteString(w, `{"resourceType":"Bundle","type":"transaction-response","entry":[{"resource":{"resourceType":"Appointment","id":"x","status":"booked","start":"2026-12-01T09:00:00Z"}}]}`)
		},
		"60 MB body": portaltest.Oversized(60),
		"an entry that is not an appointment": func(w io.Writer) {
			io.WriteString(w, `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Patient","id":"p1"}}]}`)
		},
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			ctx := context.Background()
			h.portal.AddAppointment(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), "booked", "First")
			if _, err := h.sync(); err != nil {
				t.Fatal(err)
			}
			before, _ := h.store.ListAppointments(ctx, time.Time{}, time.Time{})
			mark, _ := h.store.SyncMark(ctx, "Appointment")
			h.portal.AnswerSearches(body)
			_, err := h.sync()
			if err == nil {
				t.Fatal("sync accepted a bad response")
			}
			if !errors.Is(err, fhir.ErrMalformed) && !errors.Is(err, fhir.ErrTooLarge) {
				t.Fatalf("unclear error: %v", err)
			}
			after, _ := h.store.ListAppointments(ctx, time.Time{}, time.Time{})
			mark2, _ := h.store.SyncMark(ctx, "Appointment")
			if len(after) != len(before) || after[0].Title != "First" || mark2 != mark {
				t.Fatalf("the store changed: %+v (mark %q → %q)", after, mark, mark2)
			}
			if len(h.slept) != 0 {
				t.Fatalf("retried a response that will not get better: %v", h.slept)
			}
		})
	}
}
