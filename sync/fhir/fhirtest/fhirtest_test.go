package fhirtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/fhir/fhirtest"
)

// resource is what these tests read back from the server.
type resource struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id"`
	Meta         fhir.Meta         `json:"meta"`
	Identifier   []fhir.Identifier `json:"identifier"`
}

func decode(t *testing.T, raw fhir.Raw) resource {
	t.Helper()
	var r resource
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	if r.ID == "" || r.Meta.VersionID == "" || r.Meta.LastUpdated == "" {
		t.Fatalf("resource without id, versionId or lastUpdated: %s", raw)
	}
	return r
}

func newClient(t *testing.T) *fhir.Client {
	t.Helper()
	c, err := fhir.New(fhirtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func create(t *testing.T, c *fhir.Client, body any, ifNoneExist string) resource {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	var rt struct {
		ResourceType string `json:"resourceType"`
	}
	_ = json.Unmarshal(b, &rt)
	raw, err := c.Create(context.Background(), rt.ResourceType, b, ifNoneExist)
	if err != nil {
		t.Fatalf("create %s: %v", rt.ResourceType, err)
	}
	return decode(t, raw)
}

func appointment(patientID string, i int) map[string]any {
	start := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
	return map[string]any{
		"resourceType": "Appointment",
		"status":       "booked",
		"description":  fmt.Sprintf("visit %d", i),
		"start":        start.Format(time.RFC3339),
		"end":          start.Add(30 * time.Minute).Format(time.RFC3339),
		"participant": []any{map[string]any{
			"actor":  map[string]any{"reference": "Patient/" + patientID},
			"status": "accepted",
		}},
	}
}

func search(t *testing.T, c *fhir.Client, typ string, params url.Values) []resource {
	t.Helper()
	var out []resource
	err := c.Search(context.Background(), typ, params, func(raw fhir.Raw) error {
		out = append(out, decode(t, raw))
		return nil
	})
	if err != nil {
		t.Fatalf("search %s?%s: %v", typ, params.Encode(), err)
	}
	return out
}

func TestServer(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	patient := create(t, c, map[string]any{
		"resourceType": "Patient",
		"name":         []any{map[string]any{"family": "Doe", "given": []string{"Jane"}}},
	}, "")

	t.Run("PagedSearchFollowsNextLinks", func(t *testing.T) {
		const n = 250
		for i := 0; i < n; i++ {
			create(t, c, appointment(patient.ID, i), "")
		}
		// Another patient's appointment must not show up.
		other := create(t, c, map[string]any{"resourceType": "Patient"}, "")
		create(t, c, appointment(other.ID, 0), "")

		got := search(t, c, "Appointment", url.Values{"patient": {"Patient/" + patient.ID}, "_count": {"100"}})
		ids := map[string]bool{}
		for _, r := range got {
			if r.ResourceType != "Appointment" {
				t.Fatalf("search returned a %s", r.ResourceType)
			}
			ids[r.ID] = true
		}
		if len(got) != n || len(ids) != n {
			t.Fatalf("got %d results with %d distinct ids, want %d", len(got), len(ids), n)
		}
	})

	t.Run("ConditionalCreate", func(t *testing.T) {
		id := "urn:uuid:6f1c9a52-3b7e-4d4a-9c1e-2a8f5d0b7e13"
		note := map[string]any{
			"resourceType": "Communication",
			"status":       "completed",
			"identifier":   []any{map[string]any{"system": "urn:ietf:rfc:3986", "value": id}},
			"subject":      map[string]any{"reference": "Patient/" + patient.ID},
			"sender":       map[string]any{"reference": "Patient/" + patient.ID},
			"sent":         time.Now().UTC().Format(time.RFC3339),
			"payload":      []any{map[string]any{"contentString": "Can I take it with food?"}},
		}
		first := create(t, c, note, "identifier="+id)
		second := create(t, c, note, "identifier="+id) // a retry after a lost response
		if first.ID != second.ID || first.Meta.VersionID != second.Meta.VersionID {
			t.Errorf("retry made %s/%s, first was %s/%s", second.ID, second.Meta.VersionID, first.ID, first.Meta.VersionID)
		}
		if got := search(t, c, "Communication", url.Values{"identifier": {id}}); len(got) != 1 {
			t.Errorf("identifier search found %d, want 1", len(got))
		}
	})

	t.Run("InvalidResourceIsRejected", func(t *testing.T) {
		bad := appointment(patient.ID, 0)
		bad["status"] = "not-a-status"
		b, _ := json.Marshal(bad)
		_, err := c.Create(context.Background(), "Appointment", b, "")
		var he *fhir.HTTPError
		if !errors.As(err, &he) {
			t.Fatalf("got %v, want an *fhir.HTTPError", err)
		}
		if he.Status < 400 || he.Status > 499 {
			t.Errorf("status %d, want 4xx", he.Status)
		}
		if he.Outcome == nil || len(he.Outcome.Issue) == 0 {
			t.Fatalf("no OperationOutcome: %v", err)
		}
		t.Logf("rejected as: %v", err)
	})

	t.Run("LastUpdatedGt", func(t *testing.T) {
		p := create(t, c, map[string]any{"resourceType": "Patient"}, "")
		var before []resource
		for i := 0; i < 3; i++ {
			before = append(before, create(t, c, appointment(p.ID, i), ""))
		}
		mark := before[len(before)-1].Meta.LastUpdated // the server's own clock, as sync keeps it
		time.Sleep(5 * time.Millisecond)

		// One new appointment and one changed one.
		added := create(t, c, appointment(p.ID, 3), "")
		changed := appointment(p.ID, 0)
		changed["id"] = before[0].ID
		changed["status"] = "cancelled"
		b, _ := json.Marshal(changed)
		raw, err := c.Update(context.Background(), "Appointment", before[0].ID, b, before[0].Meta.VersionID)
		if err != nil {
			t.Fatal(err)
		}
		upd := decode(t, raw)
		if upd.Meta.VersionID == before[0].Meta.VersionID {
			t.Errorf("update kept versionId %s", upd.Meta.VersionID)
		}

		got := search(t, c, "Appointment", url.Values{"patient": {"Patient/" + p.ID}, "_lastUpdated": {"gt" + mark}})
		want := map[string]bool{added.ID: true, before[0].ID: true}
		if len(got) != len(want) {
			t.Fatalf("_lastUpdated=gt%s found %d, want %d: %+v", mark, len(got), len(want), got)
		}
		for _, r := range got {
			if !want[r.ID] {
				t.Errorf("unexpected %s (lastUpdated %s)", r.ID, r.Meta.LastUpdated)
			}
		}

		// A stale version is refused with 412.
		_, err = c.Update(context.Background(), "Appointment", before[0].ID, b, before[0].Meta.VersionID)
		var he *fhir.HTTPError
		if !errors.As(err, &he) || he.Status != http.StatusPreconditionFailed {
			t.Errorf("update with a stale version: got %v, want 412", err)
		}
	})
}

// TestHTTP checks what the wrapper adds around the engine, on the wire.
func TestHTTP(t *testing.T) {
	t.Parallel()
	base := fhirtest.Start(t)

	resp, err := http.Get(base + "/metadata")
	if err != nil {
		t.Fatal(err)
	}
	var cs struct {
		ResourceType string `json:"resourceType"`
		FHIRVersion  string `json:"fhirVersion"`
	}
	err = json.NewDecoder(resp.Body).Decode(&cs)
	resp.Body.Close()
	if err != nil || cs.ResourceType != "CapabilityStatement" || cs.FHIRVersion != "4.0.1" {
		t.Errorf("/metadata: %+v, %v", cs, err)
	}

	post := func(body, ifNoneExist string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+"/Patient", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/fhir+json")
		if ifNoneExist != "" {
			req.Header.Set("If-None-Exist", ifNoneExist)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var r resource
		_ = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			if want := `W/"` + r.Meta.VersionID + `"`; resp.Header.Get("ETag") != want {
				t.Errorf("ETag %q, want %q", resp.Header.Get("ETag"), want)
			}
			if want := base + "/Patient/" + r.ID + "/_history/" + r.Meta.VersionID; resp.Header.Get("Location") != want {
				t.Errorf("Location %q, want %q", resp.Header.Get("Location"), want)
			}
		}
		return resp
	}
	body := `{"resourceType":"Patient","identifier":[{"system":"urn:example:mrn","value":"42"}]}`
	if r := post(body, "identifier=urn:example:mrn|42"); r.StatusCode != http.StatusCreated {
		t.Errorf("create: %s, want 201", r.Status)
	}
	if r := post(body, "identifier=urn:example:mrn|42"); r.StatusCode != http.StatusOK {
		t.Errorf("conditional create of an existing one: %s, want 200", r.Status)
	}
	r := post(`{"resourceType":"Patient","gender":"sometimes"}`, "")
	if r.StatusCode != http.StatusBadRequest {
		t.Errorf("invalid gender: %s, want 400", r.Status)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/fhir+json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}

	// Bundle links: absolute, with previous on later pages.
	for i := 0; i < 4; i++ {
		post(`{"resourceType":"Patient"}`, "")
	}
	var page fhir.Bundle
	get := func(u string) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
			t.Fatal(err)
		}
	}
	get(base + "/Patient?_count=2")
	next := page.Next()
	if u, err := url.Parse(next); err != nil || u.Scheme+"://"+u.Host != base {
		t.Fatalf("next link %q is not absolute on %s", next, base)
	}
	get(next)
	prev := ""
	for _, l := range page.Link {
		if l.Relation == "previous" {
			prev = l.URL
		}
	}
	if prev == "" || len(page.Entry) != 2 {
		t.Errorf("second page: %d entries, previous %q", len(page.Entry), prev)
	}
}

// TestFresh checks each Start gives an empty server.
func TestFresh(t *testing.T) {
	t.Parallel()
	a, b := newClient(t), newClient(t)
	p := create(t, a, map[string]any{"resourceType": "Patient"}, "")
	if _, err := b.Read(context.Background(), "Patient", p.ID); !errors.Is(err, fhir.ErrNotFound) {
		t.Errorf("second server: read of the first one's patient: %v, want ErrNotFound", err)
	}
	if a.Base() == b.Base() {
		t.Errorf("both servers at %s", a.Base())
	}
}
