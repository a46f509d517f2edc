package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/clinic"
	"github.com/patient-companion/companion/data/datatest"
	"github.com/patient-companion/companion/data/vault"
)

// harness runs commands in-process against one data folder.
type harness struct {
	t      *testing.T
	dir    string
	env    map[string]string
	kr     vault.Keyring
	loc    *time.Location
	now    time.Time
	clinic *clinic.Clinic
}

func newHarness(t *testing.T) *harness {
	return &harness{t: t, dir: t.TempDir(), env: map[string]string{}}
}

type result struct {
	code           int
	stdout, stderr string
}

func (h *harness) run(args ...string) result {
	h.t.Helper()
	var out, errb bytes.Buffer
	env := Env{
		Stdout: &out, Stderr: &errb,
		Getenv:  func(k string) string { return h.env[k] },
		Keyring: h.kr,
		Argon2:  datatest.FastArgon2(),
		Version: "test", Build: "test",
		Location: h.loc,
		Clinic:   h.clinic,
	}
	if !h.now.IsZero() {
		env.Now = func() time.Time { return h.now }
	}
	if h.dir != "" {
		args = append([]string{"--data-dir", h.dir}, args...)
	}
	code := Run(context.Background(), args, env)
	r := result{code, out.String(), errb.String()}
	if code != 0 {
		// A list prints what it could read, then reports damage with exit 5.
		if r.stdout != "" && code != ExitDamaged {
			h.t.Errorf("%v: exit %d with output on stdout: %q", args, code, r.stdout)
		}
		if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || r.stderr == "" {
			h.t.Errorf("%v: exit %d, stderr is not one line: %q", args, code, r.stderr)
		}
	}
	return r
}

func (h *harness) ok(args ...string) string {
	h.t.Helper()
	r := h.run(args...)
	if r.code != 0 {
		h.t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
	}
	return r.stdout
}

func (h *harness) jsonOK(v any, args ...string) {
	h.t.Helper()
	out := h.ok(append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		h.t.Fatalf("%v: output is not JSON: %v\n%s", args, err, out)
	}
}

func (h *harness) wantCode(code int, args ...string) result {
	h.t.Helper()
	r := h.run(args...)
	if r.code != code {
		h.t.Fatalf("%v: exit %d, want %d (stderr %q)", args, r.code, code, r.stderr)
	}
	return r
}

func TestFlagsAnywhere(t *testing.T) {
	h := newHarness(t)
	h.env["COMPANION_PASSPHRASE"] = testPass
	// Flags before, between and after the command words.
	h.ok("profile", "create", "alice", "--no-keyring")
	h.ok("--json", "symptom", "--severity", "3", "add", "--name", "Cough")
	var list []map[string]any
	h.jsonOK(&list, "journal", "list", "--profile", "alice")
	if len(list) != 1 || list[0]["name"] != "Cough" {
		t.Fatalf("list = %v", list)
	}
	dir := h.dir
	h.dir = "" // --data-dir only where the line puts it
	r := h.run("journal", "list", "--json", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "Cough") {
		t.Fatalf("--data-dir after the command: %+v", r)
	}
	// Given twice, a flag is refused rather than silently taking the last value.
	r = h.wantCode(ExitUsage, "--data-dir", t.TempDir(), "journal", "list", "--json", "--data-dir", dir)
	if !strings.Contains(r.stderr, "--data-dir") {
		t.Fatalf("duplicate --data-dir: %q", r.stderr)
	}
}

func TestProfileSelection(t *testing.T) {
	h := newHarness(t)
	h.env["COMPANION_PASSPHRASE"] = testPass
	r := h.wantCode(ExitUsage, "journal", "list")
	if !strings.Contains(r.stderr, "profile create") {
		t.Fatalf("no profiles: %q", r.stderr)
	}
	h.ok("profile", "create", "Alice", "--no-keyring")
	h.ok("journal", "list") // the only profile
	h.ok("profile", "create", "Bob", "--no-keyring")
	r = h.wantCode(ExitUsage, "journal", "list")
	if !strings.Contains(r.stderr, "Alice, Bob") {
		t.Fatalf("several profiles: %q", r.stderr)
	}
	h.env["COMPANION_PROFILE"] = "bob"
	h.ok("journal", "list")
	h.wantCode(ExitNotFound, "journal", "list", "--profile", "carol")
	h.wantCode(ExitNotFound, "profile", "delete", "carol")
	h.wantCode(ExitUsage, "profile", "create", "alice", "--no-keyring") // exists, any case
	var profiles []map[string]any
	h.jsonOK(&profiles, "profile", "list")
	if len(profiles) != 2 || profiles[0]["name"] != "Alice" || profiles[0]["passphrase"] != true || profiles[0]["keyring"] != false {
		t.Fatalf("profile list = %v", profiles)
	}
	h.ok("profile", "delete", "Bob")
	h.jsonOK(&profiles, "profile", "list")
	if len(profiles) != 1 {
		t.Fatalf("after delete: %v", profiles)
	}
}

func TestCreateJSONAndRecovery(t *testing.T) {
	h := newHarness(t)
	h.env["COMPANION_PASSPHRASE"] = "first passphrase"
	var created map[string]any
	h.jsonOK(&created, "profile", "create", "Mum", "--no-keyring", "--demo-entries", "40")
	rk, _ := created["recovery_key"].(string)
	if created["id"] == "" || rk == "" || created["name"] != "Mum" {
		t.Fatalf("create --json = %v", created)
	}
	// Forget the passphrase.
	h.env["COMPANION_PASSPHRASE"] = "forgotten passphrase"
	h.wantCode(ExitLocked, "journal", "list")
	keyFile := filepath.Join(t.TempDir(), "rk.txt")
	os.WriteFile(keyFile, []byte(strings.ToLower(rk)+"\n"), 0o600)
	badFile := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(badFile, []byte("AAAA-BBBB\n"), 0o600)
	h.env["COMPANION_NEW_PASSPHRASE"] = "second passphrase"
	h.wantCode(ExitUsage, "profile", "recover", "Mum", "--recovery-key-file", badFile)
	h.ok("profile", "recover", "Mum", "--recovery-key-file", keyFile)
	h.env["COMPANION_PASSPHRASE"] = "second passphrase"
	var list []map[string]any
	h.jsonOK(&list, "journal", "list")
	if len(list) != 40 {
		t.Fatalf("after recovery %d entries, want 40", len(list))
	}
	// passwd: current from --passphrase-file, new from --new-passphrase-file.
	cur := filepath.Join(t.TempDir(), "cur")
	os.WriteFile(cur, []byte("second passphrase\n"), 0o600)
	nw := filepath.Join(t.TempDir(), "new")
	os.WriteFile(nw, []byte("third passphrase\n"), 0o600)
	delete(h.env, "COMPANION_PASSPHRASE")
	delete(h.env, "COMPANION_NEW_PASSPHRASE")
	h.ok("profile", "passwd", "Mum", "--passphrase-file", cur, "--new-passphrase-file", nw)
	h.wantCode(ExitLocked, "journal", "list", "--passphrase-file", cur)
	h.ok("journal", "list", "--passphrase-file", nw)
}

func TestBadInputWritesNothing(t *testing.T) {
	h := newHarness(t)
	h.env["COMPANION_PASSPHRASE"] = testPass
	h.ok("profile", "create", "A", "--no-keyring")
	cases := [][]string{
		{"symptom", "add", "--name", "Cough", "--severity", "11"},
		{"symptom", "add", "--name", "Cough", "--severity", "-1"},
		{"symptom", "add", "--name", "Cough", "--severity", "five"},
		{"symptom", "add", "--name", "Cough"},
		{"symptom", "add", "--name", "  ", "--severity", "2"},
		{"symptom", "add", "--severity", "2"},
		{"symptom", "add", "--name", "Cough", "--severity", "2", "--at", "yesterday"},
		{"symptom", "add", "--name", "Cough", "--severity", "2", "--at", "2026-03-01 08:00"},
		{"symptom", "add", "--name", "Cough", "--severity", "2", "--duration", "a while"},
		{"symptom", "add", "--name", "Cough", "--severity", "2", "--bogus"},
		{"journal", "list", "--since", "last week"},
		{"med", "add", "--name", "Metformin"},
		{"med", "add", "--name", "Metformin", "--times", "25:00"},
		{"med", "add", "--name", "Metformin", "--times", "08:00", "--every-days", "0"},
		{"med", "add", "--name", "Metformin", "--times", "08:00", "--weekdays", "mon,funday"},
		{"med", "add", "--name", "Metformin", "--times", "08:00", "--start", "2026-03-10", "--end", "2026-03-01"},
		{"med", "add", "--name", "Metformin", "--cron", "not a cron"},
		{"med", "add", "--times", "08:00"},
		{"profile", "create", "", "--no-keyring"},
		{"nonsense"},
		{"symptom", "remove"},
	}
	for _, args := range cases {
		h.wantCode(ExitUsage, args...)
	}
	var list []any
	h.jsonOK(&list, "journal", "list")
	var meds []any
	h.jsonOK(&meds, "med", "list")
	if len(list) != 0 || len(meds) != 0 {
		t.Fatalf("bad input wrote something: %v %v", list, meds)
	}
}

func TestJSONShapes(t *testing.T) {
	h := newHarness(t)
	h.env["COMPANION_PASSPHRASE"] = testPass
	h.ok("profile", "create", "A", "--no-keyring")
	var empty []any
	if out := h.ok("journal", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("empty list is %q, want []", out)
	}
	h.jsonOK(&empty, "med", "list")
	h.jsonOK(&empty, "journal", "search", "nothing")

	var e map[string]any
	h.jsonOK(&e, "symptom", "add", "--name", "Headache", "--severity", "6", "--at", "2026-03-01T08:30:00+01:00", "--note", "after lunch", "--duration", "45m")
	for _, k := range []string{"id", "kind", "at", "name", "severity", "note", "medication_id", "state"} {
		if _, ok := e[k]; !ok {
			t.Errorf("entry JSON lacks %q: %v", k, e)
		}
	}
	if e["kind"] != "symptom" || e["severity"] != 6.0 || e["note"] != "after lunch" || e["medication_id"] != nil || e["duration_minutes"] != 45.0 {
		t.Fatalf("entry = %v", e)
	}
	at, err := time.Parse(time.RFC3339, e["at"].(string))
	if err != nil || !at.Equal(time.Date(2026, 3, 1, 7, 30, 0, 0, time.UTC)) {
		t.Fatalf("at = %v (%v)", e["at"], err)
	}
	if _, off := at.Zone(); off != func() int { _, o := at.In(time.Local).Zone(); return o }() {
		t.Fatalf("at %v is not in the local zone", e["at"])
	}
	id := strings.TrimSpace(h.ok("symptom", "add", "--name", "Back pain", "--severity", "2", "--at", "2026-03-02T08:30:00Z"))
	if len(id) != 36 {
		t.Fatalf("symptom add printed %q, want the id", id)
	}
	var list []map[string]any
	h.jsonOK(&list, "journal", "list")
	if len(list) != 2 || list[0]["id"] != id {
		t.Fatalf("not newest first: %v", list)
	}
	// since inclusive, until exclusive
	h.jsonOK(&list, "journal", "list", "--since", "2026-03-02T08:30:00Z")
	if len(list) != 1 || list[0]["id"] != id {
		t.Fatalf("--since inclusive: %v", list)
	}
	h.jsonOK(&list, "journal", "list", "--until", "2026-03-02T08:30:00Z")
	if len(list) != 1 || list[0]["name"] != "Headache" {
		t.Fatalf("--until exclusive: %v", list)
	}
	h.jsonOK(&list, "journal", "search", "LUNCH")
	if len(list) != 1 || list[0]["name"] != "Headache" {
		t.Fatalf("search: %v", list)
	}

	var m map[string]any
	h.jsonOK(&m, "med", "add", "--name", "Metformin", "--dose", "500 mg", "--times", "20:00,08:00", "--start", "2026-03-01")
	var meds []map[string]any
	h.jsonOK(&meds, "med", "list")
	if len(meds) != 1 {
		t.Fatalf("meds = %v", meds)
	}
	for _, k := range []string{"id", "name", "dose", "schedule", "as_needed", "archived"} {
		if _, ok := meds[0][k]; !ok {
			t.Errorf("med JSON lacks %q", k)
		}
	}
	if meds[0]["id"] != m["id"] || meds[0]["schedule"] != "08:00, 20:00 every day from 2026-03-01 (500 mg)" || meds[0]["as_needed"] != false {
		t.Fatalf("med = %v", meds[0])
	}
	var about map[string]any
	h.jsonOK(&about, "about")
	if about["name"] != "Patient Companion" || about["data_dir"] != h.dir {
		t.Fatalf("about = %v", about)
	}
}

func TestPassphraseFileWinsOverEnv(t *testing.T) {
	h := newHarness(t)
	h.env["COMPANION_PASSPHRASE"] = "env passphrase"
	f := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(f, []byte("file passphrase\n"), 0o600)
	h.ok("profile", "create", "A", "--no-keyring", "--passphrase-file", f)
	h.wantCode(ExitLocked, "journal", "list") // env passphrase is not the one
	h.ok("journal", "list", "--passphrase-file", f)
	// Only one trailing newline is stripped: "file-pass\n\n" is a different passphrase.
	os.WriteFile(f, []byte("file passphrase\n\n"), 0o600)
	h.wantCode(ExitLocked, "journal", "list", "--passphrase-file", f)
	h.wantCode(ExitUsage, "journal", "list", "--passphrase-file", filepath.Join(t.TempDir(), "missing"))
}

func TestKeyringUnavailable(t *testing.T) {
	h := newHarness(t)
	kr := &datatest.MemKeyring{}
	kr.Fail(vault.ErrKeyringUnavailable)
	h.kr = kr
	r := h.wantCode(ExitLocked, "profile", "create", "A")
	if !strings.Contains(r.stderr, "passphrase") {
		t.Fatalf("error does not suggest a passphrase: %q", r.stderr)
	}
	var profiles []any
	h.jsonOK(&profiles, "profile", "list")
	if len(profiles) != 0 {
		t.Fatalf("failed create left a profile: %v", profiles)
	}
}
