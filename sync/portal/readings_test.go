package portal_test

import (
	"context"
	"encoding/json"
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

func TestScopeAllows(t *testing.T) {
	for _, c := range []struct {
		granted, typ, op string
		want             bool
	}{
		{"openid patient/Observation.rsc", "Observation", "c", true},
		{"patient/Observation.rs", "Observation", "c", false},
		{"patient/Observation.crs?category=vital-signs", "Observation", "c", true},
		{"patient/*.cruds", "Observation", "c", true},
		{"patient/Observation.write", "Observation", "c", true},
		{"patient/Observation.read", "Observation", "c", false},
		{"patient/Observation.read", "Observation", "s", true},
		{"user/*.*", "Observation", "c", true},
		{"system/Observation.c", "Observation", "c", false},
		{"patient/Condition.c", "Observation", "c", false},
		{"patient/Observation.cx", "Observation", "c", false},
		{"", "Observation", "c", false},
	} {
		if got := portal.ScopeAllows(c.granted, c.typ, c.op); got != c.want {
			t.Errorf("ScopeAllows(%q, %s, %s) = %v, want %v", c.granted, c.typ, c.op, got, c.want)
		}
	}
}

// dropper forwards to the FHIR engine and, for the first n creates of a type, lets the
// engine commit but closes the connection before the answer reaches the app.
type dropper struct {
	upstream string
	typ      string
	n        atomic.Int32
	posts    atomic.Int32
}

func (d *dropper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, d.upstream+strings.TrimPrefix(r.URL.RequestURI(), "/fhir"), strings.NewReader(string(body)))
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/"+d.typ) {
		d.posts.Add(1)
		if d.n.Add(-1) >= 0 {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(out)
}

// A shared reading reaches the Medplum engine exactly once although the first answer is
// lost after the engine stored it; the engine validated the Observation.
func TestReadingSharedExactlyOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	upstream := fhirtest.Start(t)
	direct, err := fhir.New(upstream)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := direct.Create(ctx, "Patient", fhir.Raw(`{"resourceType":"Patient","name":[{"family":"Okafor"}]}`), "")
	if err != nil {
		t.Fatal(err)
	}
	var pat struct{ ID string }
	json.Unmarshal(raw, &pat)

	d := &dropper{upstream: upstream, typ: "Observation"}
	d.n.Store(1)
	srv := httptest.NewServer(d)
	defer srv.Close()
	c, err := fhir.New(srv.URL + "/fhir")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := datatest.CreatePassphrase(t, datatest.NewProfiles(t, nil), "Ada", "pw")
	bp, _ := data.ParseVital(data.VitalBloodPressure, "142/91", "")
	bp.At, bp.Note = time.Now().Add(-time.Hour), "after the stairs"
	bp, err = s.AddVital(ctx, bp, true)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := data.ParseVital(data.VitalWeight, "160", "lb")
	w, _ = s.AddVital(ctx, w, true)
	kept, _ := data.ParseVital(data.VitalPulse, "72", "")
	kept, _ = s.AddVital(ctx, kept, false)

	eng := &portal.Engine{Client: c, Store: s, Patient: pat.ID, Sleep: func(context.Context, time.Duration) error { return nil }}
	res, err := eng.Sync(ctx)
	if err != nil || res.Pushed != 2 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	if n := d.posts.Load(); n != 3 {
		t.Errorf("%d creates posted, want 3 (one retried after the dropped answer)", n)
	}
	var found []map[string]any
	err = direct.Search(ctx, "Observation", url.Values{"subject": {"Patient/" + pat.ID}}, func(r fhir.Raw) error {
		var o map[string]any
		json.Unmarshal(r, &o)
		found = append(found, o)
		return nil
	})
	if err != nil || len(found) != 2 {
		t.Fatalf("the engine holds %d readings (%v), want 2", len(found), err)
	}
	vitals, _ := s.ListVitals(ctx, "", time.Time{})
	for _, v := range vitals {
		want := data.ShareSent
		if v.ID == kept.ID {
			want = data.ShareNo
		}
		if v.Shared != want || (want == data.ShareSent) != (v.RemoteID != "") {
			t.Errorf("%s: shared %q remote %q, want %q", v.Type, v.Shared, v.RemoteID, want)
		}
	}
	for _, o := range found {
		text, _ := json.Marshal(o)
		js := string(text)
		for _, want := range []string{`/us/core/CodeSystem/us-core-tags`, `"patient-supplied"`, `"performer":[{"reference":"Patient/` + pat.ID, `"status":"final"`, `"vital-signs"`} {
			if !strings.Contains(js, want) {
				t.Errorf("observation lacks %s: %s", want, js)
			}
		}
		switch {
		case strings.Contains(js, "85354-9"):
			for _, want := range []string{`"8480-6"`, `"8462-4"`, `"value":142`, `"value":91`, `"code":"mm[Hg]"`, `after the stairs`, "urn:uuid:" + bp.ID} {
				if !strings.Contains(js, want) {
					t.Errorf("blood pressure lacks %s: %s", want, js)
				}
			}
		case strings.Contains(js, "29463-7"):
			for _, want := range []string{`"value":72.6`, `"code":"kg"`, "urn:uuid:" + w.ID} {
				if !strings.Contains(js, want) {
					t.Errorf("weight lacks %s: %s", want, js)
				}
			}
		default:
			t.Errorf("unexpected observation %s", js)
		}
	}
	// Nothing left to send: a second sync posts nothing.
	if res, err := eng.Sync(ctx); err != nil || res.Pushed != 0 {
		t.Errorf("second sync = %+v, %v", res, err)
	}
}

type grants string

func (g grants) Granted(context.Context) (string, error) { return string(g), nil }

// A portal that does not accept readings keeps them queued with the reason, says so once,
// and still sends notes; with the scope granted they go.
func TestReadingsRefusedWithoutScope(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, c, patID := fhirtest.StartWithPatient(t)
	s, _ := datatest.CreatePassphrase(t, datatest.NewProfiles(t, nil), "Ada", "pw")
	for _, val := range []string{"70", "71"} {
		v, _ := data.ParseVital(data.VitalPulse, val, "")
		if _, err := s.AddVital(ctx, v, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddNote(ctx, "See you Tuesday"); err != nil {
		t.Fatal(err)
	}
	eng := &portal.Engine{Client: c, Store: s, Patient: patID, Grants: grants("openid patient/Observation.rs patient/Communication.crs")}
	res, err := eng.Sync(ctx)
	if err != nil || res.Pushed != 1 || len(res.Errors) != 1 || res.Errors[0] != "your clinic does not accept readings" {
		t.Fatalf("sync without the scope = %+v, %v", res, err)
	}
	vitals, _ := s.ListVitals(ctx, "", time.Time{})
	for _, v := range vitals {
		if v.Shared != data.ShareQueued || v.Error != "your clinic does not accept readings" {
			t.Errorf("refused reading: %+v", v)
		}
	}
	// The next day, signed in again with the scope: they go.
	eng = &portal.Engine{Client: c, Store: s, Patient: patID, Grants: grants("patient/Observation.crs"),
		Now: func() time.Time { return time.Now().Add(25 * time.Hour) }}
	if res, err := eng.Sync(ctx); err != nil || res.Pushed != 2 {
		t.Fatalf("sync with the scope = %+v, %v", res, err)
	}
	vitals, _ = s.ListVitals(ctx, "", time.Time{})
	for _, v := range vitals {
		if v.Shared != data.ShareSent || v.Error != "" {
			t.Errorf("after sending: %+v", v)
		}
	}
}
