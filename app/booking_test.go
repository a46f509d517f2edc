package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// scheduler is a small Argonaut-style scheduling portal: $find offers two free times, $book
// books one; taken makes $book refuse (someone was quicker).
type scheduler struct {
	mu           sync.Mutex
	start        time.Time
	taken        bool
	booked       int
	capabilities bool // lists $find and $book at /metadata
}

func (s *scheduler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/fhir+json")
	switch {
	case r.URL.Path == "/fhir/metadata" && s.capabilities:
		io.WriteString(w, `{"resourceType":"CapabilityStatement","status":"active","kind":"instance","fhirVersion":"4.0.1","format":["json"],"rest":[{"mode":"server","resource":[{"type":"Appointment","operation":[{"name":"find","definition":"x"},{"name":"book","definition":"y"}]}]}]}`)
	case r.URL.Path == "/fhir/Patient/p1":
		io.WriteString(w, `{"resourceType":"Patient","id":"p1"}`)
	case r.URL.Path == "/fhir/Appointment/$find":
		var e []string
		for i := 0; i < 2; i++ {
			st := s.start.Add(time.Duration(i) * 24 * time.Hour)
			e = append(e, fmt.Sprintf(`{"resource":{"resourceType":"Appointment","status":"proposed","serviceType":[{"text":"Nurse clinic"}],"start":%q,"end":%q,"participant":[{"actor":{"reference":"Location/l","display":"Room 2"},"status":"accepted"}]}}`,
				st.Format(time.RFC3339), st.Add(20*time.Minute).Format(time.RFC3339)))
		}
		fmt.Fprintf(w, `{"resourceType":"Bundle","type":"searchset","entry":[%s]}`, strings.Join(e, ","))
	case r.URL.Path == "/fhir/Appointment/$book" && s.taken:
		w.WriteHeader(http.StatusConflict)
		io.WriteString(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"conflict","diagnostics":"slot taken"}]}`)
	case r.URL.Path == "/fhir/Appointment/$book":
		var p struct {
			Parameter []struct {
				Resource map[string]any `json:"resource"`
			} `json:"parameter"`
		}
		json.NewDecoder(r.Body).Decode(&p)
		a := p.Parameter[0].Resource
		s.booked++
		a["id"], a["status"], a["meta"] = fmt.Sprintf("b%d", s.booked), "booked", map[string]any{"versionId": "1"}
		json.NewEncoder(w).Encode(a)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func TestBookAFreeTime(t *testing.T) {
	clk := &testClock{}
	clk.Set(fixedNow)
	sched := &scheduler{start: fixedNow.Add(72 * time.Hour).Truncate(time.Hour)}
	srv := httptest.NewServer(sched)
	defer srv.Close()
	u := openToday(t, clk, func(ctx context.Context, st *data.Store) {
		if err := st.SetPortalConnection(ctx, data.Portal{URL: srv.URL + "/fhir", PatientID: "p1"}); err != nil {
			t.Fatal(err)
		}
	})
	var got data.Appointment
	b := u.showBooking(u.cur, "Blood pressure check", data.DateOf(fixedNow), data.Date{}, func(a data.Appointment) { got = a })
	if len(b.choice.Options) != 2 || !strings.Contains(b.choice.Options[1], "Nurse clinic, Room 2") || b.state.Text != tr.T("booking.choose") {
		t.Fatalf("offered %q (%q)", b.choice.Options, b.state.Text)
	}
	if !b.book.Disabled() {
		t.Error("Book is enabled before a time is chosen")
	}
	// Someone else was quicker: said in words, the dialog stays to choose another.
	sched.taken = true
	b.choice.SetSelected(b.choice.Options[0])
	test.Tap(b.book)
	if b.state.Text != tr.T("booking.taken") || got.ID != "" || b.book.Disabled() {
		t.Errorf("a taken time: %q, booked %+v", b.state.Text, got)
	}
	sched.taken = false
	b.choice.SetSelected(b.choice.Options[1])
	test.Tap(b.book)
	if got.RemoteID != "b1" || !got.Start.Equal(sched.start.Add(24*time.Hour)) || got.Status != "booked" {
		t.Fatalf("booked %+v (state %q)", got, b.state.Text)
	}
	appts, err := u.curStore().ListAppointments(context.Background(), time.Time{}, time.Time{})
	if err != nil || len(appts) != 1 || appts[0].Title != "Nurse clinic" || appts[0].Source != "portal" {
		t.Errorf("stored %+v, %v", appts, err)
	}
}

// Asking for an appointment where the portal offers free times: they are shown to book.
func TestRequestFormOffersFreeTimes(t *testing.T) {
	sched := &scheduler{start: fixedNow.Add(72 * time.Hour).Truncate(time.Hour), capabilities: true}
	srv := httptest.NewServer(sched)
	defer srv.Close()
	u := openAppointments(t, nil, func(ctx context.Context, st *data.Store) {
		if err := st.SetPortalConnection(ctx, data.Portal{URL: srv.URL + "/fhir", PatientID: "p1"}); err != nil {
			t.Fatal(err)
		}
	})
	a := u.appointments
	test.Tap(a.ask)
	test.Type(a.req.reason, "Blood pressure check")
	test.Tap(a.req.save)
	if u.booking == nil || len(u.booking.choice.Options) != 2 {
		t.Fatal("the clinic's free times were not offered")
	}
	u.booking.choice.SetSelected(u.booking.choice.Options[0])
	test.Tap(u.booking.book)
	if !strings.HasPrefix(a.notice.Text, "Booked: Nurse clinic") {
		t.Errorf("notice %q", a.notice.Text)
	}
	list, _ := u.curStore().ListAppointments(context.Background(), time.Time{}, time.Time{})
	if len(list) != 1 || list[0].Status != "booked" {
		t.Errorf("stored %+v", list)
	}
}
