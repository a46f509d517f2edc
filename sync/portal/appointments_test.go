package portal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/fhir/fhirtest"
	"github.com/patient-companion/companion/sync/portal"
)

// gate forwards to the FHIR engine; before forwarding a request it may run a hook (a
// clinic editing the appointment at the same moment) or answer with a status itself.
type gate struct {
	upstream string
	before   func(r *http.Request) int // status to answer with instead, or 0
	drops    atomic.Int32              // creates whose answer is lost after the engine stored them
	puts     atomic.Int32
	posts    atomic.Int32
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut {
		g.puts.Add(1)
	}
	if r.Method == http.MethodPost {
		g.posts.Add(1)
	}
	if g.before != nil {
		if st := g.before(r); st != 0 {
			w.WriteHeader(st)
			io.WriteString(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden"}]}`)
			return
		}
	}
	body, _ := io.ReadAll(r.Body)
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, g.upstream+strings.TrimPrefix(r.URL.RequestURI(), "/fhir"), strings.NewReader(string(body)))
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if r.Method == http.MethodPost && g.drops.Add(-1) >= 0 {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(out)
}

type apptWorld struct {
	t       *testing.T
	ctx     context.Context
	direct  *fhir.Client
	gate    *gate
	store   *data.Store
	eng     *portal.Engine
	patient string
}

func newApptWorld(t *testing.T) *apptWorld {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	upstream, direct, patID := fhirtest.StartWithPatient(t)
	g := &gate{upstream: upstream}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	c, err := fhir.New(srv.URL + "/fhir")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := datatest.CreatePassphrase(t, datatest.NewProfiles(t, nil), "Ada", "pw")
	return &apptWorld{t: t, ctx: ctx, direct: direct, gate: g, store: s, patient: patID,
		eng: &portal.Engine{Client: c, Store: s, Patient: patID, Sleep: func(context.Context, time.Duration) error { return nil }}}
}

// booked makes an appointment at the clinic and syncs it down; it returns the local one.
func (w *apptWorld) booked(start time.Time) data.Appointment {
	w.t.Helper()
	body := fmt.Sprintf(`{"resourceType":"Appointment","status":"booked","description":"Diabetes review","comment":"Bring your readings","start":%q,"end":%q,"participant":[{"actor":{"reference":"Patient/%s"},"status":"accepted"}]}`,
		start.Format(time.RFC3339), start.Add(30*time.Minute).Format(time.RFC3339), w.patient)
	if _, err := w.direct.Create(w.ctx, "Appointment", fhir.Raw(body), ""); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.eng.Sync(w.ctx); err != nil {
		w.t.Fatal(err)
	}
	all, _ := w.store.ListAppointments(w.ctx, time.Time{}, time.Time{})
	for _, a := range all {
		if a.Start.Equal(start) {
			return a
		}
	}
	w.t.Fatalf("appointment at %s not pulled", start)
	return data.Appointment{}
}

func (w *apptWorld) upstream(a data.Appointment) map[string]any {
	w.t.Helper()
	raw, err := w.direct.Read(w.ctx, "Appointment", a.RemoteID)
	if err != nil {
		w.t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(raw, &m)
	return m
}

// edit changes the clinic's copy behind the app's back.
func (w *apptWorld) edit(remoteID string, change map[string]any) {
	w.t.Helper()
	raw, err := w.direct.Read(w.ctx, "Appointment", remoteID)
	if err != nil {
		w.t.Fatal(err)
	}
	body, _ := fhir.Merge(raw, change)
	if _, err := w.direct.Update(w.ctx, "Appointment", remoteID, body, ""); err != nil {
		w.t.Fatal(err)
	}
}

func TestCancelKeepsTheClinicsComment(t *testing.T) {
	w := newApptWorld(t)
	a := w.booked(time.Now().Add(72 * time.Hour).Truncate(time.Minute).UTC())
	if _, err := w.store.CancelAppointment(w.ctx, a.ID, "I feel better"); err != nil {
		t.Fatal(err)
	}
	// The clinic edits the appointment between our read and our write: the first PUT meets
	// 412, the engine reads again and cancels the new version, keeping the clinic's change.
	w.gate.before = func(r *http.Request) int {
		if r.Method == http.MethodPut && w.gate.puts.Load() == 1 {
			if got := r.Header.Get("If-Match"); !strings.HasPrefix(got, `W/"`) {
				t.Errorf("If-Match %q is not the weak ETag the server sent", got)
			}
			w.edit(a.RemoteID, map[string]any{"comment": "Room changed to 4"})
		}
		return 0
	}
	res, err := w.eng.Sync(w.ctx)
	if err != nil || res.Pushed != 1 || res.Failed != 0 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	if n := w.gate.puts.Load(); n != 2 {
		t.Errorf("%d updates sent, want 2 (one answered 412)", n)
	}
	up := w.upstream(a)
	reason, _ := up["cancelationReason"].(map[string]any)
	if up["status"] != "cancelled" || reason["text"] != "I feel better" || up["comment"] != "Room changed to 4" {
		t.Errorf("the clinic's copy: %v", up)
	}
	got, _ := w.store.Appointment(w.ctx, a.ID)
	if got.Status != data.StatusCancelled || got.Pending != "" || got.Error != "" {
		t.Errorf("local: %+v", got)
	}
}

func TestCancelAsksAgainWhenTheClinicMovedIt(t *testing.T) {
	w := newApptWorld(t)
	start := time.Now().Add(72 * time.Hour).Truncate(time.Minute).UTC()
	a := w.booked(start)
	if _, err := w.store.CancelAppointment(w.ctx, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	moved := start.Add(24 * time.Hour)
	w.edit(a.RemoteID, map[string]any{"start": moved.Format(time.RFC3339), "end": moved.Add(30 * time.Minute).Format(time.RFC3339)})
	res, err := w.eng.Sync(w.ctx)
	if err != nil || res.Failed != 1 || w.gate.puts.Load() != 0 {
		t.Fatalf("sync = %+v, %v (%d updates)", res, err, w.gate.puts.Load())
	}
	got, _ := w.store.Appointment(w.ctx, a.ID)
	if got.Status == data.StatusCancelled || got.Pending != "" || !strings.Contains(got.Error, "moved it to") || !got.Start.Equal(moved) {
		t.Errorf("local: %+v", got)
	}
	if up := w.upstream(a); up["status"] != "booked" {
		t.Errorf("the clinic's copy was cancelled: %v", up)
	}
}

func TestCancelRefusedByThePortal(t *testing.T) {
	w := newApptWorld(t)
	a := w.booked(time.Now().Add(72 * time.Hour).Truncate(time.Minute).UTC())
	if _, err := w.store.CancelAppointment(w.ctx, a.ID, "away"); err != nil {
		t.Fatal(err)
	}
	w.gate.before = func(r *http.Request) int {
		if r.Method == http.MethodPut {
			return http.StatusForbidden
		}
		return 0
	}
	res, err := w.eng.Sync(w.ctx)
	if err != nil || res.Failed != 1 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	got, _ := w.store.Appointment(w.ctx, a.ID)
	if got.Status != "booked" || got.Error != portal.CancelByPhone || got.Pending != "" {
		t.Errorf("local: %+v", got)
	}
}

// A request reaches the engine once although the first answer is lost, is valid FHIR, and
// the next pull matches it to the request instead of adding a second appointment.
func TestRequestCreatedOnce(t *testing.T) {
	w := newApptWorld(t)
	w.gate.drops.Store(1)
	after := data.DateOf(time.Now().AddDate(0, 0, 7))
	before := data.DateOf(time.Now().AddDate(0, 0, 21))
	req, err := w.store.RequestAppointment(w.ctx, data.Appointment{Reason: "Blood pressure review", After: after, Before: before, With: "Dr Okafor"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.eng.Sync(w.ctx)
	if err != nil || res.Pushed != 1 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	var found []map[string]any
	w.direct.Search(w.ctx, "Appointment", url.Values{"identifier": {"urn:ietf:rfc:3986|urn:uuid:" + req.ID}}, func(r fhir.Raw) error {
		var m map[string]any
		json.Unmarshal(r, &m)
		found = append(found, m)
		return nil
	})
	if len(found) != 1 {
		t.Fatalf("%d requests on the engine, want 1", len(found))
	}
	js, _ := json.Marshal(found[0])
	for _, want := range []string{`"status":"proposed"`, `"needs-action"`, `"Blood pressure review"`, `with Dr Okafor`, `"requestedPeriod"`, after.String()} {
		if !strings.Contains(string(js), want) {
			t.Errorf("request lacks %s: %s", want, js)
		}
	}
	got, _ := w.store.Appointment(w.ctx, req.ID)
	if got.Status != data.StatusRequested || got.RemoteID == "" || got.Pending != "" || got.Source != "portal" {
		t.Errorf("local request after sending: %+v", got)
	}
	// The clinic books it: the pull matches it by our identifier, one appointment.
	booked := time.Now().AddDate(0, 0, 10).Truncate(time.Minute).UTC()
	w.edit(got.RemoteID, map[string]any{"status": "booked", "start": booked.Format(time.RFC3339), "end": booked.Add(20 * time.Minute).Format(time.RFC3339)})
	if _, err := w.eng.Sync(w.ctx); err != nil {
		t.Fatal(err)
	}
	all, _ := w.store.ListAppointments(w.ctx, time.Time{}, time.Time{})
	if len(all) != 1 || all[0].ID != req.ID || all[0].Status != "booked" || !all[0].Start.Equal(booked) || all[0].Reason != "Blood pressure review" {
		t.Errorf("after the clinic booked it: %+v", all)
	}
}

// A sign-in without Appointment create: the request is not sent, and the person is told
// the clinic takes requests elsewhere.
func TestRequestRefusedWhereThePortalTakesNone(t *testing.T) {
	w := newApptWorld(t)
	w.eng.Grants = grants("patient/Appointment.rs")
	req, err := w.store.RequestAppointment(w.ctx, data.Appointment{Reason: "Check-up"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.eng.Sync(w.ctx)
	if err != nil || res.Failed != 1 || w.gate.posts.Load() != 0 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	got, _ := w.store.Appointment(w.ctx, req.ID)
	if got.Error != portal.RequestsElsewhere || got.Pending != "" {
		t.Errorf("local: %+v", got)
	}
}
