package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/fhir/fhirtest"
	"github.com/patient-companion/companion/sync/portal"
	"github.com/patient-companion/companion/sync/smart"
	"github.com/patient-companion/companion/sync/smart/smarttest"
)

// recordServer is the Medplum engine loaded with both patients' fixtures.
type recordServer struct {
	base       string
	direct     *fhir.Client
	alice, bob fhirtest.Record
}

func startRecordServer(t *testing.T) recordServer {
	t.Helper()
	base := fhirtest.Start(t)
	direct, err := fhir.New(base)
	if err != nil {
		t.Fatal(err)
	}
	return recordServer{base: base, direct: direct,
		alice: fhirtest.LoadRecord(t, base, fhirtest.Alice), bob: fhirtest.LoadRecord(t, base, fhirtest.Bob)}
}

// stored is the profile's health record by "Type/remote id".
func stored(t *testing.T, s *data.Store) map[string]data.ClinicalResource {
	t.Helper()
	all, err := s.ClinicalResources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]data.ClinicalResource{}
	for _, r := range all {
		out[r.Type+"/"+r.RemoteID] = r
	}
	return out
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// TestRecordSync pulls Ada's health record from the Medplum engine, which also holds Bo's:
// every type and value shape of the fixture stored as the server sent it, Medications
// contained, included and referenced, a document's Binary inlined, entered-in-error
// records left out, none of Bo's, paging, a delta, and a full resync after deletes.
func TestRecordSync(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv := startRecordServer(t)
	s, _ := datatest.CreatePassphrase(t, datatest.NewProfiles(t, nil), "Ada", "pw")
	// Pages of 3: every type with more than three records is read over several pages.
	eng := &portal.Engine{Client: srv.direct, Store: s, Patient: srv.alice.Patient, PageSize: 3}

	res, err := eng.Sync(ctx)
	if err != nil {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	if len(res.NotShared) != 0 || len(res.Errors) != 0 {
		t.Fatalf("sync = %+v", res)
	}
	got := stored(t, s)

	// Exactly Ada's records, but those entered in error, and the Medications her requests
	// name (included or read); the contained one stays inside its request.
	var want []string
	resources, _ := fhirtest.RecordResources(fhirtest.Alice)
	for _, r := range resources {
		local := r["resourceType"].(string) + "/" + r["id"].(string)
		switch {
		case r["resourceType"] == "Patient" || r["resourceType"] == "Binary":
		case local == "Condition/cond-error" || local == "Observation/obs-error" || local == "MedicationRequest/mr-error":
		default:
			want = append(want, srv.alice.IDs[local])
		}
	}
	var have []string
	for k := range got {
		have = append(have, k)
	}
	slices.Sort(want)
	slices.Sort(have)
	if !slices.Equal(have, want) {
		t.Fatalf("stored %d resources:\n%v\nwant %d:\n%v", len(have), have, len(want), want)
	}
	if res.Pulled != len(want) {
		t.Errorf("pulled %d, want %d", res.Pulled, len(want))
	}
	for k, r := range got {
		if bytes.Contains(r.Raw, []byte("BOB-ONLY")) || strings.Contains(string(r.Raw), srv.bob.Patient) {
			t.Fatalf("%s holds the other patient's data", k)
		}
		if k == srv.alice.IDs["DocumentReference/doc-discharge-url"] {
			continue
		}
		// As the server sent it: every value shape (comparator, components, reference
		// ranges, interpretation, codeable values, timings, contained resources) kept.
		typ, id, _ := strings.Cut(k, "/")
		raw, err := srv.direct.Read(ctx, typ, id)
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(raw, r.Raw) {
			t.Errorf("%s stored as\n%s\nthe server has\n%s", k, r.Raw, raw)
		}
	}
	if mr := got[srv.alice.IDs["MedicationRequest/mr-metformin"]]; !bytes.Contains(mr.Raw, []byte(`"contained"`)) {
		t.Errorf("the contained Medication is not inside its request: %s", mr.Raw)
	}

	// The discharge summary's PDF, kept on the server as a Binary, is inlined.
	var doc struct {
		Content []struct {
			Attachment struct{ URL, Data, ContentType string }
		}
	}
	json.Unmarshal(got[srv.alice.IDs["DocumentReference/doc-discharge-url"]].Raw, &doc)
	var bin struct{ Data string }
	binRaw, _ := srv.direct.Read(ctx, "Binary", srv.alice.ID("Binary/bin-discharge"))
	json.Unmarshal(binRaw, &bin)
	if len(doc.Content) != 1 || doc.Content[0].Attachment.Data == "" || doc.Content[0].Attachment.Data != bin.Data ||
		doc.Content[0].Attachment.URL != srv.alice.IDs["Binary/bin-discharge"] {
		t.Fatalf("discharge summary content = %+v", doc.Content)
	}

	// A delta: one result corrected, one problem entered in error upstream. Only those
	// come down; the problem disappears.
	a1c := srv.alice.ID("Observation/obs-a1c")
	update(t, srv.direct, "Observation", a1c, func(m map[string]any) {
		m["valueQuantity"].(map[string]any)["value"] = json.Number("8.1")
	})
	hyp := srv.alice.ID("Condition/cond-hypertension")
	update(t, srv.direct, "Condition", hyp, func(m map[string]any) {
		delete(m, "clinicalStatus")
		m["verificationStatus"] = map[string]any{"coding": []any{map[string]any{
			"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "entered-in-error"}}}
	})
	res, err = eng.Sync(ctx)
	if err != nil || res.Pulled != 1 {
		t.Fatalf("sync after one change = %+v, %v", res, err)
	}
	got = stored(t, s)
	if !bytes.Contains(got["Observation/"+a1c].Raw, []byte("8.1")) {
		t.Fatalf("the corrected result was not pulled: %s", got["Observation/"+a1c].Raw)
	}
	if _, ok := got["Condition/"+hyp]; ok {
		t.Fatal("a problem entered in error upstream is still stored")
	}

	// Gone upstream: a delta cannot see a delete; the full resync removes them (the
	// referenced Medication too, once no request names it).
	crp := srv.alice.ID("Observation/obs-crp")
	for _, ref := range []string{"Observation/" + crp, srv.alice.IDs["MedicationRequest/mr-atorvastatin"], srv.alice.IDs["Medication/med-atorvastatin"]} {
		typ, id, _ := strings.Cut(ref, "/")
		del(t, srv.base, typ, id)
	}
	if _, err := eng.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := stored(t, s)["Observation/"+crp]; !ok {
		t.Fatal("a delta sync removed a record")
	}
	eng.Full = true
	if res, err := eng.Sync(ctx); err != nil || len(res.NotShared) != 0 {
		t.Fatalf("full resync = %+v, %v", res, err)
	}
	got = stored(t, s)
	for _, ref := range []string{"Observation/" + crp, srv.alice.IDs["MedicationRequest/mr-atorvastatin"], srv.alice.IDs["Medication/med-atorvastatin"]} {
		if _, ok := got[ref]; ok {
			t.Errorf("%s is gone upstream but still stored after a full resync", ref)
		}
	}
	if len(got) != len(want)-4 {
		t.Errorf("after the full resync %d stored, want %d", len(got), len(want)-4)
	}
	if _, ok := got[srv.alice.IDs["Medication/med-lisinopril"]]; !ok {
		t.Error("the full resync removed a Medication still named")
	}
}

// update changes a resource on the server (a new version).
func update(t *testing.T, c *fhir.Client, typ, id string, change func(map[string]any)) {
	t.Helper()
	ctx := context.Background()
	raw, err := c.Read(ctx, typ, id)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	change(m)
	body, _ := json.Marshal(m)
	if _, err := c.Update(ctx, typ, id, body, ""); err != nil {
		t.Fatal(err)
	}
}

// del deletes a resource on the server.
func del(t *testing.T, base, typ, id string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, base+"/"+typ+"/"+id, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("DELETE %s/%s: %s", typ, id, resp.Status)
	}
}

// TestRecordNotShared signs in through the SMART gateway in front of the Medplum engine. The
// clinic grants no scope for immunizations and a gateway refuses documents with 403: both
// read "not shared", the other types sync, and portal status remembers them.
func TestRecordNotShared(t *testing.T) {
	for _, v1 := range []bool{false, true} {
		name := "v2"
		if v1 {
			name = "v1"
		}
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			srv := startRecordServer(t)
			gw := smarttest.Start(t, srv.base, srv.alice.Patient)
			if v1 {
				gw.SpeakV1Only()
			}
			gw.Withhold("Immunization")
			gw.Refuse("DocumentReference")
			s, _ := datatest.CreatePassphrase(t, datatest.NewProfiles(t, nil), "Ada", "pw")
			cfg, err := smart.Discover(ctx, nil, gw.FHIRBase)
			if err != nil {
				t.Fatal(err)
			}
			sc := &smart.Client{Config: cfg, ClientID: smarttest.ClientID, Audience: gw.FHIRBase}
			tok, err := sc.SignIn(ctx, gw.Browser())
			if err != nil {
				t.Fatal(err)
			}
			wantScope := "patient/Observation.rs"
			if v1 {
				wantScope = "patient/Observation.read"
			}
			if !strings.Contains(" "+tok.Scope+" ", " "+wantScope+" ") || strings.Contains(tok.Scope, "Immunization") {
				t.Fatalf("granted scope %q", tok.Scope)
			}
			if err := s.PutSecret(ctx, portal.TokenKey, tok); err != nil {
				t.Fatal(err)
			}
			tokens := &portal.Tokens{SMART: sc, Store: s}
			c, _ := fhir.New(gw.FHIRBase, fhir.WithTokens(tokens))
			eng := &portal.Engine{Client: c, Store: s, Patient: srv.alice.Patient, Reauth: tokens, Scope: tok.Scope,
				Sleep: func(context.Context, time.Duration) error { return nil }}
			res, err := eng.Sync(ctx)
			if err != nil {
				t.Fatalf("sync = %+v, %v", res, err)
			}
			if want := []string{"Immunization", "DocumentReference"}; !slices.Equal(res.NotShared, want) {
				t.Fatalf("not shared = %v, want %v", res.NotShared, want)
			}
			types := map[string]int{}
			for k := range stored(t, s) {
				typ, _, _ := strings.Cut(k, "/")
				types[typ]++
			}
			if types["Immunization"] != 0 || types["DocumentReference"] != 0 || types["Observation"] != 12 || types["Condition"] != 3 ||
				types["AllergyIntolerance"] != 2 || types["MedicationRequest"] != 4 || types["Medication"] != 2 || types["DiagnosticReport"] != 2 {
				t.Fatalf("stored %v", types)
			}
			ns, err := portal.NotShared(ctx, s)
			if err != nil || !slices.Equal(ns, res.NotShared) {
				t.Fatalf("remembered not shared = %v, %v", ns, err)
			}
			if b, _ := json.Marshal(portal.Result{}); !strings.Contains(string(b), `"not_shared"`) {
				t.Fatalf("result JSON %s", b)
			}
		})
	}
}
