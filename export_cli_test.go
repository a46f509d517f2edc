package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patient-companion/companion/data/datatest"
)

// TestExportLeavesNoPlaintextElsewhere: the built program's exports write their plain text
// in the chosen place and nowhere else — not in TMPDIR, not in the data folder.
func TestExportLeavesNoPlaintextElsewhere(t *testing.T) {
	dir, tmp, out := t.TempDir(), t.TempDir(), t.TempDir()
	env := []string{"COMPANION_PASSPHRASE=open sesame", "TMPDIR=" + tmp}
	mustRun(t, dir, env, "profile", "create", "Pat", "--no-keyring")
	const marker = "QQEXPORTMARKER"
	mustRun(t, dir, env, "symptom", "add", "--name", marker, "--severity", "3")
	mustRun(t, dir, env, "appointment", "add", "--at", "2026-12-03T10:30:00+01:00", "--title", marker)
	mustRun(t, dir, env, "export", "csv", "--out", filepath.Join(out, "csv"))
	mustRun(t, dir, env, "export", "ics", "--out", filepath.Join(out, "a.ics"))
	if r := companion(t, dir, env, "export", "fhir", "--out", filepath.Join(out, "f.json")); r.code != 0 || !strings.Contains(r.stdout, "not encrypted") {
		t.Fatalf("export fhir: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, f := range []string{"csv/entries.csv", "a.ics", "f.json"} {
		if b, err := os.ReadFile(filepath.Join(out, f)); err != nil || !bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s does not hold the export (%v)", f, err)
		}
	}
	for _, where := range []string{dir, tmp} {
		for path, b := range datatest.Files(t, where) {
			if bytes.Contains(b, []byte(marker)) {
				t.Errorf("%s holds the exported text in the clear", path)
			}
		}
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("TMPDIR holds %d files after the exports", len(entries))
	}
}
