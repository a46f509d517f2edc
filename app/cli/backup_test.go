package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patient-companion/companion/app/single"
)

// TestBackupRestoreUsage: bad use of backup and restore is a one-line error with the exit
// code the contract gives, and creates nothing.
func TestBackupRestoreUsage(t *testing.T) {
	h, keyFile := aliceWithRecoveryKey(t)
	h.wantCode(ExitUsage, "backup")
	h.wantCode(ExitUsage, "backup", "--out", t.TempDir())
	h.wantCode(ExitUsage, "backup", "--out", filepath.Join(t.TempDir(), "missing", "b.backup"))
	file := filepath.Join(t.TempDir(), "a.backup")
	var info map[string]any
	h.jsonOK(&info, "backup", "--out", file)
	if info["out"] != file || info["bytes"].(float64) <= 0 {
		t.Errorf("backup --json: %v", info)
	}

	other := newHarness(t)                                               // another computer, without a keyring
	other.wantCode(ExitUsage, "restore", file)                           // no recovery key
	other.wantCode(ExitUsage, "restore", "--recovery-key-file", keyFile) // no file
	other.wantCode(ExitNotFound, "restore", file+".missing", "--recovery-key-file", keyFile)
	r := other.wantCode(ExitUsage, "restore", file, "--recovery-key-file", keyFile) // no passphrase, no keyring
	if !strings.Contains(r.stderr, "passphrase") {
		t.Errorf("no passphrase: %q", r.stderr)
	}
	other.env["COMPANION_NEW_PASSPHRASE"] = "a new passphrase"
	other.wantCode(ExitUsage, "restore", file, "--recovery-key-file", keyFile, "--as", "B", "--replace")
	other.wantCode(ExitDamaged, "restore", keyFile, "--recovery-key-file", keyFile) // a foreign file (the key file)
	if ents, _ := os.ReadDir(filepath.Join(other.dir, "profiles")); len(ents) > 1 {
		t.Errorf("refused restores left %d entries", len(ents))
	}
	var restored map[string]any
	other.jsonOK(&restored, "restore", file, "--recovery-key-file", keyFile)
	if restored["name"] != "Alice" || restored["passphrase"] != true {
		t.Errorf("restore --json: %v", restored)
	}
}

// TestRestoreReplaceWhileWindowRuns: --replace is refused while the window runs on the data
// folder (it holds the single-instance lock and may have the profile open), and works once
// it has quit.
func TestRestoreReplaceWhileWindowRuns(t *testing.T) {
	h, keyFile := aliceWithRecoveryKey(t)
	file := filepath.Join(t.TempDir(), "a.backup")
	h.ok("backup", "--out", file)
	in, err := single.Acquire(h.dir)
	if err != nil {
		t.Fatal(err)
	}
	r := h.wantCode(ExitUsage, "restore", file, "--recovery-key-file", keyFile, "--replace")
	if !strings.Contains(r.stderr, "quit it") {
		t.Errorf("stderr %q", r.stderr)
	}
	in.Close()
	h.ok("restore", file, "--recovery-key-file", keyFile, "--replace")
}

// aliceWithRecoveryKey is a harness holding one passphrase profile, Alice, and the file
// holding her recovery key.
func aliceWithRecoveryKey(t *testing.T) (*harness, string) {
	h := newHarness(t)
	h.env["COMPANION_PASSPHRASE"] = testPass
	var created struct {
		RecoveryKey string `json:"recovery_key"`
	}
	h.jsonOK(&created, "profile", "create", "Alice", "--no-keyring")
	keyFile := filepath.Join(t.TempDir(), "rk")
	if err := os.WriteFile(keyFile, []byte(created.RecoveryKey), 0o600); err != nil {
		t.Fatal(err)
	}
	return h, keyFile
}
