package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/data/datatest"
)

// reportFixture is a passphrase profile in h's data folder with a symptom on 10 and 20
// March 2026, a medicine, and the time set to 31 March.
func reportFixture(t *testing.T, h *harness) (symptomID string) {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	h.loc = loc
	h.now = time.Date(2026, 3, 31, 12, 0, 0, 0, loc)
	h.env["COMPANION_PASSPHRASE"] = "pass-for-tests"
	h.ok("profile", "create", "Jörg Ødegård", "--no-keyring")
	h.ok("med", "add", "--name", "Metformin", "--times", "08:00", "--start", "2026-03-01")
	out := h.ok("symptom", "add", "--name", "Headache", "--severity", "6", "--at", "2026-03-10T09:00:00+01:00")
	h.ok("symptom", "add", "--name", "Nausea", "--severity", "3", "--at", "2026-03-20T09:00:00+01:00")
	h.ok("symptom", "add", "--name", "Toothache", "--severity", "3", "--at", "2026-02-20T09:00:00+01:00")
	return strings.TrimSpace(out)
}

func requirePoppler(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("COMPANION_REQUIRE_POPPLER") != "" {
			t.Fatal("pdftotext is missing (install poppler-utils: scripts/install-deps.sh)")
		}
		t.Skip("pdftotext is missing (poppler-utils); COMPANION_REQUIRE_POPPLER makes this a failure")
	}
}

func pdfText(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return string(out)
}

func TestExportReport(t *testing.T) {
	requirePoppler(t)
	h := newHarness(t)
	reportFixture(t, h)
	out := filepath.Join(t.TempDir(), "visit.pdf")
	var j reportJSON
	h.jsonOK(&j, "export", "report", "--out", out, "--from", "2026-03-01", "--to", "2026-03-31")
	if j.Out != out || j.From != "2026-03-01" || j.To != "2026-03-31" || j.Pages < 1 || j.Paper != "A4" {
		t.Errorf("output %+v", j)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the report is mode %v: health data is for its owner only", fi.Mode().Perm())
	}
	text := pdfText(t, out)
	for _, want := range []string{"Jörg Ødegård", "Metformin", "Headache", "Nausea"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report does not show %q", want)
		}
	}
	if strings.Contains(text, "Toothache") {
		t.Error("the report shows a symptom from before the period")
	}

	// The locale chooses Letter; the default period starts no more than 90 days back.
	h.env["LANG"] = "en_US.UTF-8"
	h.jsonOK(&j, "export", "report", "--out", out)
	if j.Paper != "Letter" || j.From != "2026-01-01" || j.To != "2026-03-31" {
		t.Errorf("default period and paper: %+v", j)
	}
	info, err := exec.Command("pdfinfo", out).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(info), "(letter)") {
		t.Errorf("pdfinfo: not Letter:\n%s", info)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*")); len(leftovers) > 0 {
		t.Errorf("files left beside the report: %v", leftovers)
	}
}

func TestExportReportBadUsage(t *testing.T) {
	h := newHarness(t)
	reportFixture(t, h)
	dir := t.TempDir()
	out := filepath.Join(dir, "r.pdf")
	for _, args := range [][]string{
		{"export", "report"},
		{"export", "report", "--out", out, "--from", "1 March"},
		{"export", "report", "--out", out, "--to", "2026-02-30"},
		{"export", "report", "--out", out, "--from", "2026-03-10", "--to", "2026-03-01"},
		{"export", "report", "--out", dir},
		{"export", "report", "--out", filepath.Join(dir, "no", "such", "r.pdf")},
		{"export", "report", "--out", out, "extra"},
		{"export", "report", "--out", out, "--from", "2026-04-01"}, // after today, no --to
	} {
		h.wantCode(ExitUsage, args...)
	}
	// Not beside the encrypted journal: the PDF is health data in clear.
	inside := filepath.Join(h.dir, "r.pdf")
	if r := h.wantCode(ExitUsage, "export", "report", "--out", inside); !strings.Contains(r.stderr, "inside the data folder") {
		t.Errorf("inside the data folder: %q", r.stderr)
	}
	if _, err := os.Stat(inside); !os.IsNotExist(err) {
		t.Errorf("a report was written inside the data folder: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused report left a file: %v", err)
	}
}

// A damaged record: the report shows everything else, and the command names the record
// and exits 5.
func TestExportReportDamaged(t *testing.T) {
	requirePoppler(t)
	h := newHarness(t)
	id := reportFixture(t, h)
	j := datatest.OpenJournal(t, datatest.OnlyJournal(t, h.dir))
	j.FlipSealed("entries", id)
	j.Close()
	out := filepath.Join(t.TempDir(), "r.pdf")
	r := h.wantCode(ExitDamaged, "export", "report", "--out", out, "--from", "2026-03-01", "--to", "2026-03-31")
	if !strings.Contains(r.stderr, "journal entry "+id) {
		t.Errorf("stderr does not name the damaged entry %s: %q", id, r.stderr)
	}
	text := pdfText(t, out)
	if !strings.Contains(text, "Nausea") || strings.Contains(text, "Headache") {
		t.Errorf("report of the readable records:\n%s", text)
	}
	if !strings.Contains(text, "1 record could not be read") {
		t.Error("the report does not say a record is missing")
	}
}
