package portal_test

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

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/portal"
)

// schedServer is a small Argonaut-style scheduling server: $find offers three free times
// in the asked days, $book books one (once) and answers it in a Bundle.
type schedServer struct {
	mu       sync.Mutex
	offer    bool // lists $find and $book in its CapabilityStatement
	base     time.Time
	findArgs []string
	booked   []map[string]any
}

func (s *schedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/fhir+json")
	switch {
	case r.URL.Path == "/fhir/metadata":
		ops := ""
		if s.offer {
			ops = `,"operation":[{"name":"find","definition":"http://fhir.org/guides/argonaut-scheduling/OperationDefinition/appointment-find"},{"name":"book","definition":"http://fhir.org/guides/argonaut-scheduling/OperationDefinition/appointment-book"}]`
		}
		fmt.Fprintf(w, `{"resourceType":"CapabilityStatement","status":"active","kind":"instance","fhirVersion":"4.0.1","format":["json"],"rest":[{"mode":"server","resource":[{"type":"Appointment","interaction":[{"code":"read"}]%s}]}]}`, ops)
	case r.Method == http.MethodGet && r.URL.Path == "/fhir/Appointment/$find":
		s.findArgs = append(s.findArgs, r.URL.RawQuery)
		var entries []string
		for i := 0; i < 3; i++ {
			start := s.base.Add(time.Duration(i) * 24 * time.Hour)
			entries = append(entries, fmt.Sprintf(`{"resource":{"resourceType":"Appointment","status":"proposed","serviceType":[{"text":"Nurse clinic"}],"start":%q,"end":%q,"participant":[{"actor":{"reference":"Practitioner/p1","display":"Nurse Patel"},"status":"needs-action"},{"actor":{"reference":"Location/l1","display":"Room 2"},"status":"accepted"}]}}`,
				start.Format(time.RFC3339), start.Add(20*time.Minute).Format(time.RFC3339)))
		}
		fmt.Fprintf(w, `{"resourceType":"Bundle","type":"searchset","entry":[%s]}`, strings.Join(entries, ","))
	case r.Method == http.MethodPost && r.URL.Path == "/fhir/Appointment/$book":
		var p struct {
			Parameter []struct {
				Name     string         `json:"name"`
				Resource map[string]any `json:"resource"`
			} `json:"parameter"`
		}
		body, _ := io.ReadAll(r.Body)
		if json.Unmarshal(body, &p) != nil || len(p.Parameter) != 1 || p.Parameter[0].Name != "appt-resource" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		a := p.Parameter[0].Resource
		a["id"], a["status"] = fmt.Sprintf("booked-%d", len(s.booked)+1), "booked"
		a["meta"] = map[string]any{"versionId": "1"}
		s.booked = append(s.booked, a)
		json.NewEncoder(w).Encode(map[string]any{"resourceType": "Bundle", "type": "searchset", "entry": []any{map[string]any{"resource": a}}})
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func TestFindAndBookASlot(t *testing.T) {
	ctx := context.Background()
	srv := &schedServer{offer: true, base: time.Now().AddDate(0, 0, 3).Truncate(time.Hour).UTC()}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c, err := fhir.New(hs.URL + "/fhir")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := datatest.CreatePassphrase(t, datatest.NewProfiles(t, nil), "Ada", "pw")
	eng := &portal.Engine{Client: c, Store: s, Patient: "pat-1", Sleep: func(context.Context, time.Duration) error { return nil }}
	if ok, err := eng.OffersBooking(ctx); err != nil || !ok {
		t.Fatalf("OffersBooking = %v, %v", ok, err)
	}
	after := data.DateOf(time.Now().AddDate(0, 0, 2))
	before := data.DateOf(time.Now().AddDate(0, 0, 9))
	slots, err := eng.FindSlots(ctx, after, before, "Blood pressure check")
	if err != nil || len(slots) != 3 {
		t.Fatalf("FindSlots = %+v, %v", slots, err)
	}
	if q := srv.findArgs[0]; !strings.Contains(q, "start="+after.String()) || !strings.Contains(q, "end="+before.String()) || !strings.Contains(q, "patient=Patient%2Fpat-1") {
		t.Errorf("$find asked %q", q)
	}
	if slots[1].Title != "Nurse clinic" || slots[1].Location != "Room 2" || !slots[1].Start.Equal(srv.base.Add(24*time.Hour)) {
		t.Errorf("second slot %+v", slots[1])
	}
	a, err := eng.Book(ctx, slots[1], "Blood pressure check")
	if err != nil {
		t.Fatal(err)
	}
	if a.RemoteID != "booked-1" || a.Status != "booked" || !a.Start.Equal(slots[1].Start) {
		t.Errorf("booked %+v", a)
	}
	if len(srv.booked) != 1 {
		t.Fatalf("%d bookings", len(srv.booked))
	}
	js, _ := json.Marshal(srv.booked[0])
	for _, want := range []string{`"Patient/pat-1"`, `"Blood pressure check"`, `Nurse Patel`} {
		if !strings.Contains(string(js), want) {
			t.Errorf("booking lacks %s: %s", want, js)
		}
	}
	all, err := s.ListAppointments(ctx, time.Time{}, time.Time{})
	if err != nil || len(all) != 1 || all[0].Source != "portal" || all[0].Title != "Nurse clinic" {
		t.Errorf("stored: %+v, %v", all, err)
	}

	// A portal without the operations says so; nothing is asked of it.
	srv.offer = false
	if ok, err := eng.OffersBooking(ctx); err != nil || ok {
		t.Errorf("without the operations: %v, %v", ok, err)
	}
}
