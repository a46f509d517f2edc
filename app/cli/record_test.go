package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/app/health"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
	"github.com/patient-companion/companion/sync/fhir/fhirtest"
)

// The health record on the command line (issue 13, DESIGN §6.1), on real profiles filled
// with the hand-written US Core fixtures of testdata/record as the portal sync stores them.

// fixtureResources reads a testdata/record Bundle into what the sync stores: every entry but
// the Patient and Binary, by its id, version 1.
func fixtureResources(t *testing.T, name string) []data.ClinicalResource {
	t.Helper()
	res, err := fhirtest.RecordRaw(strings.TrimSuffix(name, ".json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []data.ClinicalResource
	for _, r := range res {
		if r.Type != "Patient" && r.Type != "Binary" {
			out = append(out, data.ClinicalResource{Type: r.Type, RemoteID: r.ID, Version: "1", Raw: r.JSON})
		}
	}
	return out
}

// putClinical stores resources in the harness's only profile, as a sync would.
func (h *harness) putClinical(res ...data.ClinicalResource) {
	h.t.Helper()
	s := h.openDirect()
	defer s.Close()
	if _, err := s.PutClinical(context.Background(), res); err != nil {
		h.t.Fatal(err)
	}
}

// localID is the local id of the resource the portal calls remoteID.
func (h *harness) localID(remoteID string) string {
	h.t.Helper()
	s := h.openDirect()
	defer s.Close()
	all, err := s.ClinicalResources(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	for _, r := range all {
		if r.RemoteID == remoteID {
			return r.ID
		}
	}
	h.t.Fatalf("no stored resource %s", remoteID)
	return ""
}

// newRecordHarness is a profile in Paris holding Ada's health record.
func newRecordHarness(t *testing.T) *harness {
	h := newHarness(t)
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	h.loc = loc
	h.now = time.Date(2026, 11, 25, 12, 0, 0, 0, loc)
	h.env["COMPANION_PASSPHRASE"] = testPass
	h.ok("profile", "create", "Ada", "--no-keyring")
	h.putClinical(fixtureResources(t, "alice.json")...)
	return h
}

// recordRows is `record list --json` (with args), as maps, by name and type.
func (h *harness) recordRows(args ...string) []map[string]any {
	h.t.Helper()
	var rows []map[string]any
	h.jsonOK(&rows, append([]string{"record", "list"}, args...)...)
	return rows
}

// rowID is the row of rows with the given id.
func rowID(t *testing.T, rows []map[string]any, id string) map[string]any {
	t.Helper()
	for _, r := range rows {
		if r["id"] == id {
			return r
		}
	}
	t.Fatalf("no row %s in %v", id, rows)
	return nil
}

func rowNamed(t *testing.T, rows []map[string]any, typ, name string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, r := range rows {
		if r["type"] == typ && r["name"] == name {
			found = append(found, r)
		}
	}
	if len(found) == 0 {
		t.Fatalf("no %s row named %q in %v", typ, name, rows)
	}
	return found[0] // the newest: rows are newest first within a type
}

func TestRecordListFields(t *testing.T) {
	h := newRecordHarness(t)
	rows := h.recordRows()
	want := []string{"date", "detail", "flag", "id", "name", "reference_range", "status", "type", "unit", "value"}
	types := map[string]int{}
	for _, r := range rows {
		var keys []string
		for k := range r {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if !slices.Equal(keys, want) {
			t.Fatalf("row fields %v, want exactly %v", keys, want)
		}
		types[r["type"].(string)]++
	}
	for _, typ := range health.Types {
		if types[typ] == 0 {
			t.Errorf("no %s rows: %v", typ, types)
		}
	}
	// Entered in error is not shown; Medication resources are not rows of their own.
	for _, r := range rows {
		if n, _ := r["name"].(string); strings.Contains(n, "Asthma") || strings.Contains(n, "Warfarin") || strings.Contains(n, "Potassium") {
			t.Errorf("entered-in-error row listed: %v", r)
		}
	}
	if types[health.TypeMedication] != 4 {
		t.Errorf("%d medication rows, want 4 (metformin, lisinopril, atorvastatin, ibuprofen)", types[health.TypeMedication])
	}

	// Every value shape, as the contract spells it.
	for _, c := range []struct {
		name, value, unit string
		flag              any
	}{
		{"obs-a1c", "7.9", "%", "high"},
		{"obs-crp", "<0.5", "mg/L", nil},
		{"obs-bp", "142/91", "mmHg", "high"},
		{"obs-strep", "Positive", "", "abnormal"},
		{"obs-urine-culture", "No growth after 48 hours", "", nil},
		{"obs-weight", "81.4", "kg", nil},
	} {
		r := rowID(t, rows, h.localID(c.name))
		if r["value"] != c.value || (c.unit == "" && r["unit"] != nil) || (c.unit != "" && r["unit"] != c.unit) || r["flag"] != c.flag {
			t.Errorf("%s: value %v unit %v flag %v, want %q %q %v", c.name, r["value"], r["unit"], r["flag"], c.value, c.unit, c.flag)
		}
	}
	if r := rowID(t, rows, h.localID("obs-a1c")); r["reference_range"] == nil || r["date"] != "2026-09-08T10:30:00+02:00" {
		t.Errorf("HbA1c: range %v, date %v (want RFC 3339 in the profile's zone)", r["reference_range"], r["date"])
	}
	for _, name := range []string{"Glucose", "LDL cholesterol", "HDL cholesterol"} {
		if r := rowNamed(t, rows, "result", name); r["flag"] == nil {
			t.Errorf("%s: no flag (from interpretation or the range): %v", name, r)
		}
	}
	// A report is a result row without a value; its conclusion is its detail.
	lipids := rowNamed(t, rows, "result", "Lipid panel")
	if lipids["value"] != nil || !strings.Contains(lipids["detail"].(string), "statin") {
		t.Errorf("report row: %v", lipids)
	}
	// Absent values are null; a FHIR date without a time is a DATE.
	diabetes := rowNamed(t, rows, "condition", "Type 2 diabetes")
	if diabetes["value"] != nil || diabetes["unit"] != nil || diabetes["flag"] != nil || diabetes["reference_range"] != nil || diabetes["date"] != "2019-03-02" {
		t.Errorf("condition: %v", diabetes)
	}
	if flu := rowNamed(t, rows, "immunization", "Flu vaccine"); flu["date"] != "2026-10-05" {
		t.Errorf("immunization date %v, want 2026-10-05", flu["date"])
	}
	if pen := rowNamed(t, rows, "allergy", "Penicillin"); !strings.Contains(pen["detail"].(string), "Anaphylaxis") {
		t.Errorf("allergy detail: %v", pen)
	}
	if met := rowNamed(t, rows, "medication", "Metformin 500 mg tablet"); !strings.Contains(met["detail"].(string), "breakfast") {
		t.Errorf("medication detail: %v", met)
	}

	// The human list: allergies first, flags in words, a report's results under it.
	out := h.ok("record", "list")
	if a, p := strings.Index(out, "Allergies"), strings.Index(out, "Problems"); a < 0 || p < a {
		t.Errorf("allergies are not first:\n%s", out)
	}
	if !strings.Contains(out, "HIGH, above the normal range") || !strings.Contains(out, "HIGH RISK") {
		t.Errorf("flags or criticality not in words:\n%s", out)
	}
	if l, ldl := strings.Index(out, "Lipid panel"), strings.Index(out, "\n      2026-09-08 10:30  LDL cholesterol"); l < 0 || ldl < l {
		t.Errorf("results not under their report:\n%s", out)
	}
}

func TestRecordListType(t *testing.T) {
	h := newRecordHarness(t)
	all := h.recordRows()
	n := 0
	for _, typ := range health.Types {
		rows := h.recordRows("--type", typ)
		if len(rows) == 0 {
			t.Errorf("--type %s: no rows", typ)
		}
		for _, r := range rows {
			if r["type"] != typ {
				t.Errorf("--type %s listed a %v", typ, r["type"])
			}
		}
		n += len(rows)
	}
	if n != len(all) {
		t.Errorf("the types add up to %d rows, the whole list has %d", n, len(all))
	}
	if out := h.ok("record", "list", "--type", "allergy"); strings.Contains(out, "Problems") || !strings.Contains(out, "Penicillin") {
		t.Errorf("human --type allergy:\n%s", out)
	}
	r := h.wantCode(ExitUsage, "record", "list", "--type", "lab")
	for _, typ := range health.Types {
		if !strings.Contains(r.stderr, typ) {
			t.Errorf("unknown type: %q does not name %s", r.stderr, typ)
		}
	}
	h.wantCode(ExitUsage, "record", "list", "extra")

	// An empty record is an empty list, never null.
	e := newHarness(t)
	e.env["COMPANION_PASSPHRASE"] = testPass
	e.ok("profile", "create", "Empty", "--no-keyring")
	if out := strings.TrimSpace(e.ok("record", "list", "--json")); out != "[]" {
		t.Errorf("empty record: %q", out)
	}
}

func TestRecordShow(t *testing.T) {
	h := newRecordHarness(t)
	var j map[string]any
	lipids := h.localID("dr-lipids")
	h.jsonOK(&j, "record", "show", lipids)
	res, _ := j["results"].([]any)
	if j["id"] != lipids || j["type"] != "result" || j["value"] != nil || len(res) != 2 {
		t.Fatalf("report: %v", j)
	}
	var names []string
	for _, r := range res {
		names = append(names, r.(map[string]any)["name"].(string))
	}
	if !slices.Equal(names, []string{"LDL cholesterol", "HDL cholesterol"}) {
		t.Errorf("report results %v", names)
	}
	if out := h.ok("record", "show", h.localID("mr-metformin")); !strings.Contains(out, "med add --from-record "+h.localID("mr-metformin")) {
		t.Errorf("a clinic medicine does not say how to add it:\n%s", out)
	}
	out := h.ok("record", "show", lipids)
	if !strings.Contains(out, "LDL cholesterol") || !strings.Contains(out, "statin") {
		t.Errorf("human report:\n%s", out)
	}

	// An id prefix does, as for medicines.
	pen := h.localID("allergy-penicillin")
	h.jsonOK(&j, "record", "show", pen[:8])
	if j["id"] != pen || j["criticality"] != "high" || len(j["reactions"].([]any)) != 2 {
		t.Errorf("allergy by prefix: %v", j)
	}

	// A text document shows its text; a PDF says how to save it, and --out saves it.
	note := h.localID("doc-summary-text")
	h.jsonOK(&j, "record", "show", note)
	if d, _ := j["document"].(map[string]any); d == nil || !strings.Contains(d["text"].(string), "Continue metformin") {
		t.Errorf("text document: %v", j)
	}
	pdf := h.localID("doc-summary-pdf")
	out = h.ok("record", "show", pdf)
	if !strings.Contains(out, "record show "+pdf+" --out") {
		t.Errorf("PDF document does not say how to save it:\n%s", out)
	}
	dest := filepath.Join(t.TempDir(), "summary.pdf")
	h.jsonOK(&j, "record", "show", pdf, "--out", dest)
	got, err := os.ReadFile(dest)
	if err != nil || !bytes.HasPrefix(got, []byte("%PDF-")) {
		t.Fatalf("saved PDF: %v %q", err, got[:min(len(got), 8)])
	}
	if d := j["document"].(map[string]any); d["saved_to"] != dest || int(d["size"].(float64)) != len(got) {
		t.Errorf("document JSON: %v", d)
	}
	if fi, _ := os.Stat(dest); fi.Mode().Perm() != 0o600 {
		t.Errorf("saved with mode %v, want 0600", fi.Mode().Perm())
	}
	for _, bad := range [][]string{
		{"record", "show", pdf, "--out", filepath.Join(h.dir, "summary.pdf")},       // inside the data folder
		{"record", "show", h.localID("doc-discharge-url"), "--out", dest + ".2"},    // only linked
		{"record", "show", lipids, "--out", dest + ".3"},                            // not a document
		{"record", "show", pdf, "--out", filepath.Join(t.TempDir(), "no", "x.pdf")}, // no such folder
		{"record", "show"},
		{"record", "show", pdf, lipids},
	} {
		h.wantCode(ExitUsage, bad...)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "summary.pdf")); err == nil {
		t.Error("a document was saved inside the data folder")
	}
	h.wantCode(ExitNotFound, "record", "show", "00000000-0000-0000-0000-000000000000")
	h.wantCode(ExitNotFound, "record", "show", "zzzz")
}

// TestRecordDamaged: a damaged resource is left out of the list, which still prints the
// others, then exits 5; showing it exits 5, showing another does not.
func TestRecordDamaged(t *testing.T) {
	h := newRecordHarness(t)
	before := len(h.recordRows())
	bad, good := h.localID("cond-hypertension"), h.localID("allergy-penicillin")
	lipids, ldl := h.localID("dr-lipids"), h.localID("obs-ldl")
	j := datatest.OpenJournal(t, datatest.OnlyJournal(t, h.dir))
	j.FlipSealed("clinical", bad)
	j.FlipSealed("clinical", ldl)
	j.Close()
	r := h.wantCode(ExitDamaged, "record", "list", "--json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != before-2 || !strings.Contains(r.stderr, bad) || !strings.Contains(r.stderr, ldl) {
		t.Fatalf("damaged list: %d rows of %d, %v, stderr %q", len(rows), before, err, r.stderr)
	}
	h.wantCode(ExitDamaged, "record", "list", "--type", "condition")
	h.ok("record", "list", "--type", "allergy") // its damage is the conditions'
	h.wantCode(ExitDamaged, "record", "show", bad)
	h.ok("record", "show", good)
	// A report whose result is damaged is shown with the others, and the damage said.
	r = h.wantCode(ExitDamaged, "record", "show", lipids)
	if !strings.Contains(r.stdout, "HDL cholesterol") || strings.Contains(r.stdout, "LDL cholesterol") || !strings.Contains(r.stderr, ldl) {
		t.Errorf("report with a damaged result: %q, %q", r.stdout, r.stderr)
	}
}

// TestMedAddFromRecord: a clinic medicine becomes a local one, its timing mapped (timeOfDay;
// `when` codes at the time settings' times), or --times; it stays linked, and med list says
// when the clinic changes its dose.
func TestMedAddFromRecord(t *testing.T) {
	h := newRecordHarness(t)
	var before []map[string]any
	h.jsonOK(&before, "med", "list")

	// timeOfDay 08:00.
	var m map[string]any
	h.jsonOK(&m, "med", "add", "--from-record", h.localID("mr-lisinopril"))
	if !strings.HasPrefix(m["schedule"].(string), "08:00 every day") || !strings.Contains(m["name"].(string), "Lisinopril") {
		t.Errorf("lisinopril: %v", m)
	}
	lisinopril := m["id"].(string)

	// when MORN, EVE with a changed morning time.
	h.ok("settings", "set", "time_morning", "7:30")
	if v := strings.TrimSpace(h.ok("settings", "get", "time_morning")); v != "07:30" {
		t.Fatalf("time_morning = %q", v)
	}
	h.wantCode(ExitUsage, "settings", "set", "time_evening", "25:00")
	metformin := strings.TrimSpace(h.ok("med", "add", "--from-record", h.localID("mr-metformin")))
	var list []map[string]any
	h.jsonOK(&list, "med", "list")
	for _, med := range list {
		if med["id"] == metformin && !strings.HasPrefix(med["schedule"].(string), "07:30, 18:00 every day") {
			t.Errorf("metformin schedule %v, want 07:30, 18:00 every day", med["schedule"])
		}
	}

	// --times overrides the timing.
	h.jsonOK(&m, "med", "add", "--from-record", h.localID("mr-atorvastatin"), "--times", "22:15")
	if !strings.HasPrefix(m["schedule"].(string), "22:15 every day") {
		t.Errorf("--times: %v", m)
	}

	// A timing that cannot be mapped, without --times: exit 2 saying what to add.
	h.putClinical(data.ClinicalResource{Type: "MedicationRequest", RemoteID: "mr-asdirected", Version: "1", Raw: []byte(`{"resourceType":"MedicationRequest","id":"mr-asdirected","status":"active","intent":"order",` +
		`"medicationCodeableConcept":{"text":"Prednisolone 5 mg tablet"},"subject":{"reference":"Patient/alice"},"authoredOn":"2026-11-01",` +
		`"dosageInstruction":[{"text":"as directed by your doctor"}]}`)})
	asDirected := h.localID("mr-asdirected")
	r := h.wantCode(ExitUsage, "med", "add", "--from-record", asDirected)
	if !strings.Contains(r.stderr, "--times") || strings.Contains(r.stderr, "Prednisolone") {
		t.Errorf("unmappable: %q", r.stderr)
	}
	h.ok("med", "add", "--from-record", asDirected, "--times", "08:00")

	// Not a medicine; unknown; added already; flags that do not go with it.
	h.wantCode(ExitUsage, "med", "add", "--from-record", h.localID("cond-diabetes"))
	h.wantCode(ExitNotFound, "med", "add", "--from-record", "00000000-0000-0000-0000-000000000000")
	h.wantCode(ExitUsage, "med", "add", "--from-record", h.localID("mr-lisinopril"))
	h.wantCode(ExitUsage, "med", "add", "--from-record", h.localID("mr-ibuprofen"), "--name", "X")
	h.wantCode(ExitUsage, "med", "add", "--from-record", h.localID("mr-ibuprofen"), "--times", "8")

	// The link, then the clinic changes the dose (a new version of the request).
	s := h.openDirect()
	got, err := s.Medication(context.Background(), lisinopril)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.ClinicalResource(context.Background(), h.localID("mr-lisinopril"))
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got.FromRecord != "mr-lisinopril" || got.RecordDosage == "" || got.RecordDosage != health.DosageSignature(res) {
		t.Fatalf("link: %q %q", got.FromRecord, got.RecordDosage)
	}
	if out := h.ok("med", "list"); strings.Contains(out, "changed the dose") {
		t.Fatalf("a dose change before any:\n%s", out)
	}
	h.jsonOK(&before, "med", "list")
	changed := bytes.ReplaceAll(res.Raw, []byte(`"1 tablet every morning at 8"`), []byte(`"2 tablets every morning at 8"`))
	changed = bytes.ReplaceAll(changed, []byte(`"doseQuantity":{"value":1,`), []byte(`"doseQuantity":{"value":2,`))
	if bytes.Equal(changed, res.Raw) {
		t.Fatal("the fixture's dose was not found to change")
	}
	h.putClinical(data.ClinicalResource{Type: "MedicationRequest", RemoteID: "mr-lisinopril", Version: "2", Raw: changed})
	out := h.ok("med", "list")
	if n := strings.Count(out, "your clinic changed the dose"); n != 1 {
		t.Fatalf("%d dose changes said, want 1 (lisinopril):\n%s", n, out)
	}
	line := out[strings.Index(out, "Lisinopril"):]
	if !strings.HasPrefix(line[strings.Index(line, "\n")+1:], "    your clinic changed the dose: see 'companion record show "+h.localID("mr-lisinopril")+"'") {
		t.Errorf("the change is not said under lisinopril:\n%s", out)
	}
	var after []map[string]any
	h.jsonOK(&after, "med", "list")
	if b, _ := json.Marshal(before); string(b) != string(mustJSON(t, after)) {
		t.Errorf("med list JSON changed with the dose:\n%s\n%s", b, mustJSON(t, after))
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
