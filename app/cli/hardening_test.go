package cli

// Input the command line must refuse, and output it must not let do harm (issue 10).

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

const testPass = "pass phrase for tests"

// openDirect unlocks the harness's only profile through the data package, to put in what the
// command line itself would refuse (as a portal or an older version might).
func (h *harness) openDirect() *data.Store {
	h.t.Helper()
	ctx := context.Background()
	p := &data.Profiles{Dir: h.dir, Argon2: datatest.FastArgon2(), Location: h.loc}
	all, err := p.List(ctx)
	if err != nil || len(all) != 1 {
		h.t.Fatalf("profiles: %v %v", all, err)
	}
	return datatest.Open(h.t, p, all[0].ID, h.env["COMPANION_PASSPHRASE"])
}

func TestRefusedInput(t *testing.T) {
	h := newHarness(t)
	h.env["COMPANION_PASSPHRASE"] = testPass
	h.ok("profile", "create", "A", "--no-keyring")
	zero := filepath.Join(t.TempDir(), "big")
	os.WriteFile(zero, make([]byte, 5000), 0o600)
	for _, args := range [][]string{
		{"symptom", "add", "--name", "Cough", "--severity", "2", "--duration", "99999999999999999"},
		{"symptom", "add", "--name", "Cough", "--severity", "2", "--duration", "153722867280912931"},
		{"symptom", "add", "--name", "Cough", "--severity", "2", "--duration", "2562047h48m"},
		{"symptom", "add", "--name", "Cou\x1b[2Jgh", "--severity", "2"},
		{"symptom", "add", "--name", "Cough\x07", "--severity", "2"},
		{"symptom", "add", "--name", "Cough\nFever", "--severity", "2"},
		{"symptom", "add", "--name", "Cough", "--severity", "2", "--note", "bad \x1b]0;title\x07"},
		{"symptom", "add", "--name", "Cou\xffgh", "--severity", "2"},
		{"symptom", "add", "--name", "Cough", "--severity", "2", "--note", "\xc3\x28"},
		{"note", "add", "bad \xff byte"},
		{"symptom", "add", "--name", "Cough", "--severity", "2", "--at", "2026-03-01T08:00:00+24:00"},
		{"symptom", "add", "--name", "Cough", "--severity", "2", "--at", "2026-03-01T08:00:00+23:60"},
		{"symptom", "add", "--name", "Cough", "--severity", "2", "--at", "2026-03-01T08:00:00-24:00"},
		{"journal", "list", "--since", "2026-03-01T08:00:00+24:00"},
		{"med", "add", "--name", "Metformin", "--times", "+8:00"},
		{"med", "add", "--name", "Metformin", "--times", "08:+5"},
		{"med", "add", "--name", "Metformin", "--times", "-0:30"},
		{"med", "add", "--name", "Metformin", "--times", " 8:00"},
		{"symptom", "add", "--name", "Cough", "--name", "Fever", "--severity", "2"},
		{"symptom", "add", "--name", "Cough", "--severity", "2", "--severity", "3"},
		{"--json", "journal", "list", "--json"},
		{"--profile", "A", "journal", "list", "--profile", "A"},
		{"journal", "list", "--passphrase-file", "/dev/zero"},
		{"journal", "list", "--passphrase-file", zero},
		{"journal", "list", "--passphrase-file", t.TempDir()},
	} {
		r := h.wantCode(ExitUsage, args...)
		if strings.ContainsAny(r.stderr, "\x1b\x07") || strings.Contains(r.stderr, "\xff") {
			t.Errorf("%q: stderr echoes raw bytes: %q", args, r.stderr)
		}
	}
	r := h.wantCode(ExitUsage, "symptom", "add", "--name", "Cough", "--name", "Fever", "--severity", "2")
	if !strings.Contains(r.stderr, "--name") || !strings.Contains(r.stderr, "twice") {
		t.Errorf("duplicate flag not named: %q", r.stderr)
	}
	var list, meds, notes []any
	h.jsonOK(&list, "journal", "list")
	h.jsonOK(&meds, "med", "list")
	h.jsonOK(&notes, "note", "list")
	if len(list)+len(meds)+len(notes) != 0 {
		t.Fatalf("refused input wrote something: %v %v %v", list, meds, notes)
	}
	// Tabs and newlines belong in a note.
	h.ok("symptom", "add", "--name", "Cough", "--severity", "2", "--note", "line one\nline two\tand a tab", "--duration", "90")
	h.ok("med", "add", "--name", "Metformin", "--times", "8:00,20:30")
}

func TestUnknownTimeZone(t *testing.T) {
	h := newHarness(t)
	h.env["COMPANION_PASSPHRASE"] = testPass
	h.ok("profile", "create", "A", "--no-keyring")
	for _, tz := range []string{"Mars/Olympus_Mons", "Europe/Pariss", "../../etc/passwd"} {
		h.env["TZ"] = tz
		r := h.wantCode(ExitUsage, "journal", "list")
		if !strings.Contains(r.stderr, "TZ") {
			t.Errorf("TZ=%s: %q", tz, r.stderr)
		}
	}
	for _, tz := range []string{"Europe/Paris", ":Europe/Paris", "UTC", ""} {
		h.env["TZ"] = tz
		h.ok("journal", "list")
	}
}

func TestNewPassphraseLength(t *testing.T) {
	h := newHarness(t)
	h.env["COMPANION_PASSPHRASE"] = "x"
	r := h.wantCode(ExitUsage, "profile", "create", "A", "--no-keyring")
	if !strings.Contains(r.stderr, "8 characters") {
		t.Fatalf("short passphrase: %q", r.stderr)
	}
	h.env["COMPANION_PASSPHRASE"] = "sevenøø" // 7 characters, 9 bytes
	h.wantCode(ExitUsage, "profile", "create", "A", "--no-keyring")
	h.env["COMPANION_PASSPHRASE"] = "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7"
	h.wantCode(ExitUsage, "profile", "create", "A", "--no-keyring")
	var profiles []any
	h.jsonOK(&profiles, "profile", "list")
	if len(profiles) != 0 {
		t.Fatalf("refused creates made profiles: %v", profiles)
	}
	h.env["COMPANION_PASSPHRASE"] = "eightøøø"
	var created map[string]any
	h.jsonOK(&created, "profile", "create", "A", "--no-keyring")
	h.env["COMPANION_NEW_PASSPHRASE"] = "short"
	h.wantCode(ExitUsage, "profile", "passwd", "A")
	keyFile := filepath.Join(t.TempDir(), "rk")
	os.WriteFile(keyFile, []byte(created["recovery_key"].(string)), 0o600)
	h.wantCode(ExitUsage, "profile", "recover", "A", "--recovery-key-file", keyFile)

	// An existing short passphrase (set before this rule) still unlocks: it is never checked.
	s := h.openDirect()
	if err := s.SetPassphrase(context.Background(), []byte("old"), datatest.FastArgon2()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	h.env["COMPANION_PASSPHRASE"] = "old"
	h.ok("journal", "list")
	h.env["COMPANION_NEW_PASSPHRASE"] = "a longer one now"
	h.ok("profile", "passwd", "A")
}

// TestControlCharactersEscaped: names and messages that hold terminal control sequences
// (from the portal, or an older version) are shown escaped; --json keeps them exact.
func TestControlCharactersEscaped(t *testing.T) {
	h := newHarness(t)
	h.env["COMPANION_PASSPHRASE"] = testPass
	h.ok("profile", "create", "A", "--no-keyring")
	ctx := context.Background()
	s := h.openDirect()
	evil := "Head\x1b[2J\x1b]0;owned\x07ache\nFAKE LINE\r\u202eevil\u009b"
	if _, err := s.AddSymptom(ctx, data.Symptom{Name: evil, Severity: 3, Note: evil}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, evil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddMedication(ctx, data.Medication{Name: evil, Dose: evil, AsNeeded: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAppointment(ctx, data.Appointment{Title: evil, Location: evil, Start: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, args := range [][]string{{"journal", "list"}, {"journal", "search", "head"}, {"note", "list"}, {"med", "list"}, {"appointment", "list"}} {
		out := h.ok(args...)
		if strings.ContainsAny(out, "\x1b\x07\r\u202e\u009b") {
			t.Errorf("%v prints control characters raw: %q", args, out)
		}
		if strings.Count(out, "\n") != 1 {
			t.Errorf("%v: one record is not one line: %q", args, out)
		}
	}
	var list []map[string]any
	h.jsonOK(&list, "journal", "list")
	if len(list) != 1 || list[0]["name"] != evil || list[0]["note"] != evil {
		t.Fatalf("JSON does not keep the text exact: %q", list)
	}
	var notes []map[string]any
	h.jsonOK(&notes, "note", "list")
	if notes[0]["text"] != evil {
		t.Fatalf("JSON note: %q", notes[0]["text"])
	}
}

// TestRemindersNextWithDamagedMedicine: one damaged medicine does not hide the others'
// reminders; it is named on stderr and the exit code says damage.
func TestRemindersNextWithDamagedMedicine(t *testing.T) {
	h := newDoseHarness(t)
	good := strings.TrimSpace(h.ok("med", "add", "--name", "Metformin", "--times", "08:00,20:00", "--start", "2026-11-20"))
	bad := strings.TrimSpace(h.ok("med", "add", "--name", "Lisinopril", "--times", "09:00", "--start", "2026-11-20"))
	j := datatest.OpenJournal(t, datatest.OnlyJournal(t, h.dir))
	j.FlipSealed("medications", bad)
	j.Close()
	r := h.run("reminders", "next", "--count", "3", "--json")
	if r.code != ExitDamaged || !strings.Contains(r.stderr, bad) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var rs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rs); err != nil {
		t.Fatalf("stdout: %v %q", err, r.stdout)
	}
	if len(rs) != 3 || rs[0]["medication_id"] != good || rs[0]["at"] != "2026-11-25T20:00:00-05:00" {
		t.Fatalf("reminders = %v", rs)
	}
	r = h.run("reminders", "next", "--count", "2")
	if r.code != ExitDamaged || strings.Count(r.stdout, "Metformin") != 2 {
		t.Fatalf("human: exit %d, %q", r.code, r.stdout)
	}
}

// TestAmbiguousProfileCLI: --profile NAME matching two profiles is refused, listing the ids.
func TestAmbiguousProfileCLI(t *testing.T) {
	h := newHarness(t)
	h.env["COMPANION_PASSPHRASE"] = testPass
	var a, b map[string]any
	h.jsonOK(&a, "profile", "create", "Dup", "--no-keyring")
	h.jsonOK(&b, "profile", "create", "Other", "--no-keyring")
	j := datatest.OpenJournal(t, datatest.JournalPath(h.dir, b["id"].(string)))
	j.Set("meta", "profile_name", "value", []byte("dup"))
	j.Close()
	r := h.wantCode(ExitUsage, "--profile", "Dup", "journal", "list")
	if !strings.Contains(r.stderr, a["id"].(string)) || !strings.Contains(r.stderr, b["id"].(string)) {
		t.Fatalf("ambiguous name: %q", r.stderr)
	}
	// By id it opens; the name edited behind the app's back is itself damage (the sealed
	// copy of the name says "Other"), reported after the listing.
	r = h.wantCode(ExitDamaged, "--profile", b["id"].(string), "journal", "list")
	if !strings.Contains(r.stderr, "profile record") {
		t.Fatalf("edited name: %q", r.stderr)
	}
}
