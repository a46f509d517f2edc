package portaltest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/portal/portaltest"
)

// The fake is checked through the client the app uses, so that what the tests of the sync
// rely on is what the fake does.

func client(t *testing.T, p *portaltest.Portal) *fhir.Client {
	t.Helper()
	c, err := fhir.New(p.Base, fhir.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func note(id, text string) fhir.Raw {
	return fhir.Raw(fmt.Sprintf(`{"resourceType":"Communication","status":"completed",
		"identifier":[{"system":"urn:ietf:rfc:3986","value":"urn:uuid:%s"}],
		"sender":{"reference":"Patient/p1"},"payload":[{"contentString":%q}]}`, id, text))
}

func ifNoneExist(id string) string {
	return "identifier=" + url.QueryEscape("urn:ietf:rfc:3986|urn:uuid:"+id)
}

func idOf(t *testing.T, raw fhir.Raw) string {
	t.Helper()
	var r struct{ ID string }
	if err := json.Unmarshal(raw, &r); err != nil || r.ID == "" {
		t.Fatalf("no id in %s: %v", raw, err)
	}
	return r.ID
}

func TestConditionalCreate(t *testing.T) {
	ctx := context.Background()
	p := portaltest.Start(t)
	c := client(t, p)
	first, err := c.Create(ctx, "Communication", note("n1", "hello"), ifNoneExist("n1"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Create(ctx, "Communication", note("n1", "hello"), ifNoneExist("n1"))
	if err != nil || idOf(t, again) != idOf(t, first) {
		t.Fatalf("the same create again: %s, %v; want %s", again, err, idOf(t, first))
	}
	if _, err := c.Create(ctx, "Communication", note("n2", "hello"), ifNoneExist("n2")); err != nil {
		t.Fatal(err)
	}
	got := p.CreatedIdentifiers()
	if p.Created() != 2 || p.Posts() != 3 || len(got) != 2 || got[0] != "urn:ietf:rfc:3986|urn:uuid:n1" {
		t.Fatalf("created %d %v from %d posts", p.Created(), got, p.Posts())
	}
}

func TestSearchPagesAndDelta(t *testing.T) {
	ctx := context.Background()
	p := portaltest.Start(t)
	c := client(t, p)
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 250 {
		ids = append(ids, p.AddAppointment(start.Add(time.Duration(i)*time.Hour), "booked", "Check-up"))
	}
	p.AddMessage("Your results are fine.", "Dr Okafor", start)
	count := func(typ string, params url.Values) (n int, last string) {
		t.Helper()
		err := c.Search(ctx, typ, params, func(raw fhir.Raw) error {
			var r struct{ Meta struct{ LastUpdated string } }
			json.Unmarshal(raw, &r)
			n++
			last = max(last, r.Meta.LastUpdated)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return n, last
	}
	n, mark := count("Appointment", url.Values{"_count": {"100"}})
	if n != 250 {
		t.Fatalf("%d appointments over the pages, want 250", n)
	}
	if n, _ := count("Communication", nil); n != 1 {
		t.Fatalf("%d messages", n)
	}
	p.SetAppointmentStatus(ids[7], "cancelled")
	if n, _ := count("Appointment", url.Values{"_lastUpdated": {"gt" + mark}}); n != 1 {
		t.Fatalf("%d changed since %s, want 1", n, mark)
	}
	if raw, err := c.Read(ctx, "Patient", portaltest.Patient); err != nil || idOf(t, raw) != portaltest.Patient {
		t.Fatalf("the patient: %s, %v", raw, err)
	}
	if _, err := c.Read(ctx, "Patient", "nobody"); !errors.Is(err, fhir.ErrNotFound) {
		t.Fatalf("another patient: %v", err)
	}
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	p := portaltest.Start(t)
	c := client(t, p)
	status := func(err error) (int, time.Duration) {
		var he *fhir.HTTPError
		if !errors.As(err, &he) {
			t.Fatalf("not an HTTP error: %v", err)
		}
		return he.Status, he.RetryAfter
	}
	search := func() error {
		return c.Search(ctx, "Appointment", nil, func(fhir.Raw) error { return nil })
	}

	p.FailNext(429, 503, 401)
	for _, want := range []int{429, 503, 401} {
		st, ra := status(search())
		if st != want || (want != 401 && ra != portaltest.RetryAfter) {
			t.Fatalf("got %d (Retry-After %s), want %d", st, ra, want)
		}
	}
	if err := search(); err != nil {
		t.Fatalf("after the faults: %v", err)
	}
	p.FailAll(401)
	for range 3 {
		if st, _ := status(search()); st != 401 {
			t.Fatalf("FailAll: %d", st)
		}
	}
	p.FailAll(0)

	p.DropAfterCommit(1)
	if _, err := c.Create(ctx, "Communication", note("n1", "hi"), ifNoneExist("n1")); err == nil {
		t.Fatal("a dropped connection answered")
	}
	if p.Created() != 1 {
		t.Fatalf("dropped after commit: %d created, want 1", p.Created())
	}

	p.RefuseNotesContaining("REFUSE")
	_, err := c.Create(ctx, "Communication", note("n2", "REFUSE me"), ifNoneExist("n2"))
	var he *fhir.HTTPError
	if !errors.As(err, &he) || he.Status != 422 || he.Outcome == nil || he.Outcome.Summary() != "error business-rule: messages to this clinic are closed" {
		t.Fatalf("refused note: %v", err)
	}

	p.AnswerSearches(portaltest.Malformed)
	if err := search(); !errors.Is(err, fhir.ErrMalformed) {
		t.Fatalf("malformed: %v", err)
	}
	p.AnswerSearches(portaltest.Oversized(fhir.DefaultMaxBody>>20 + 1))
	if err := search(); !errors.Is(err, fhir.ErrTooLarge) {
		t.Fatalf("oversized: %v", err)
	}
	p.AnswerSearches(nil)
	if err := search(); err != nil {
		t.Fatal(err)
	}

	p.Close()
	if err := search(); err == nil || errors.As(err, &he) {
		t.Fatalf("a closed portal: %v", err)
	}
}

func TestAdvertiseSMART(t *testing.T) {
	p := portaltest.Start(t)
	get := func() (int, map[string]any) {
		resp, err := http.Get(p.Base + "/.well-known/smart-configuration")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var cfg map[string]any
		json.NewDecoder(resp.Body).Decode(&cfg)
		return resp.StatusCode, cfg
	}
	if st, _ := get(); st != http.StatusNotFound {
		t.Fatalf("without SMART: %d", st)
	}
	p.AdvertiseSMART()
	st, cfg := get()
	if st != 200 || cfg["authorization_endpoint"] != p.URL+"/authorize" || cfg["token_endpoint"] != p.URL+"/token" {
		t.Fatalf("SMART configuration: %d %v", st, cfg)
	}
}
