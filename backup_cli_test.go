package main

// backup and restore on the built binary: the command line's contract (exit codes, output,
// nothing created on failure), a restore on a "new computer" (another HOME and XDG folders,
// another data folder, no keyring entry), and a backup taken while another process writes.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/patient-companion/companion/data/vault"
	"github.com/patient-companion/companion/sync/portal"
)

// lists is every list the command line shows for a profile, as JSON text.
func lists(t *testing.T, dir string, env []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, cmd := range [][]string{{"journal", "list"}, {"med", "list"}, {"appointment", "list"}, {"note", "list"}, {"settings", "get"}} {
		out[strings.Join(cmd, " ")] = mustRun(t, dir, env, append(cmd, "--json")...)
	}
	var ps []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, dir, env, "profile", "list", "--json")), &ps); err != nil || len(ps) != 1 {
		t.Fatalf("profile list: %v %v", ps, err)
	}
	out["profile"] = fmt.Sprint(ps[0]["id"], ps[0]["name"], ps[0]["created_at"])
	return out
}

// newComputer is the environment of another computer: its own HOME and XDG folders.
func newComputer(t *testing.T) []string {
	home := t.TempDir()
	return []string{"HOME=" + home, "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state")}
}

func profileEntries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dir, "profiles"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if e.Name() != ".names.lock" {
			names = append(names, e.Name())
		}
	}
	return names
}

func TestBackupRestoreCLI(t *testing.T) {
	dir := t.TempDir()
	env := []string{"COMPANION_PASSPHRASE=old passphrase here"}
	var created struct {
		ID          string `json:"id"`
		RecoveryKey string `json:"recovery_key"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, dir, env, "profile", "create", "Ana Quillfeather", "--no-keyring", "--demo", "--json")), &created); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { (vault.OSKeyring{}).Delete(context.Background(), created.ID) })
	mustRun(t, dir, env, "note", "add", "Ask about the rash")
	mustRun(t, dir, env, "settings", "set", "snooze_minutes", "15")
	keyFile := filepath.Join(t.TempDir(), "rk")
	if err := os.WriteFile(keyFile, []byte(created.RecoveryKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := lists(t, dir, env)
	backups := t.TempDir()
	file := filepath.Join(backups, "ana.backup")
	mustRun(t, dir, env, "backup", "--out", file)
	if ents, _ := os.ReadDir(backups); len(ents) != 1 {
		t.Errorf("the backup folder holds %d files (a temporary file left?)", len(ents))
	}

	// A new computer: another HOME, another data folder, no keyring entry for the profile.
	newDir := t.TempDir()
	newEnv := append(newComputer(t), "COMPANION_NEW_PASSPHRASE=new passphrase here")
	out := mustRun(t, newDir, newEnv, "restore", file, "--recovery-key-file", keyFile)
	if strings.TrimSpace(out) != created.ID {
		t.Errorf("restore printed %q, want the id %s", out, created.ID)
	}
	useNew := append(newComputer(t), "COMPANION_PASSPHRASE=new passphrase here")
	got := lists(t, newDir, useNew)
	for k := range want {
		if got[k] != want[k] {
			t.Errorf("%s differs after restore:\n got %.300s\nwant %.300s", k, got[k], want[k])
		}
	}

	// Damage: nothing created, exit 5. A wrong key: exit 3. Exists: exit 2.
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.backup")
	for _, c := range []struct {
		name string
		b    []byte
	}{
		{"flipped in the header", flip(raw, 50)},
		{"flipped in the body", flip(raw, len(raw)/2)},
		{"flipped at the end", flip(raw, len(raw)-1)},
		{"truncated", raw[:len(raw)*2/3]},
		{"truncated by one byte", raw[:len(raw)-1]},
	} {
		if err := os.WriteFile(bad, c.b, 0o600); err != nil {
			t.Fatal(err)
		}
		fresh := t.TempDir()
		r := companion(t, fresh, newEnv, "restore", bad, "--recovery-key-file", keyFile)
		if r.code != 5 {
			t.Errorf("%s: exit %d (%s), want 5", c.name, r.code, r.stderr)
		}
		if left := profileEntries(t, fresh); len(left) != 0 {
			t.Errorf("%s: left %v", c.name, left)
		}
	}
	var other struct {
		RecoveryKey string `json:"recovery_key"`
	}
	otherDir := t.TempDir()
	if err := json.Unmarshal([]byte(mustRun(t, otherDir, env, "profile", "create", "Bo", "--no-keyring", "--json")), &other); err != nil {
		t.Fatal(err)
	}
	otherKey := filepath.Join(t.TempDir(), "rk2")
	os.WriteFile(otherKey, []byte(other.RecoveryKey), 0o600)
	fresh := t.TempDir()
	if r := companion(t, fresh, newEnv, "restore", file, "--recovery-key-file", otherKey); r.code != 3 {
		t.Errorf("wrong key: exit %d (%s), want 3", r.code, r.stderr)
	}
	if left := profileEntries(t, fresh); len(left) != 0 {
		t.Errorf("wrong key: left %v", left)
	}
	if r := companion(t, newDir, newEnv, "restore", file, "--recovery-key-file", keyFile); r.code != 2 {
		t.Errorf("exists: exit %d (%s), want 2", r.code, r.stderr)
	}
	// --replace: a symptom added after the backup is gone, the rest is the backup's.
	mustRun(t, newDir, useNew, "symptom", "add", "--name", "Added after", "--severity", "2")
	mustRun(t, newDir, newEnv, "restore", file, "--recovery-key-file", keyFile, "--replace")
	if got := mustRun(t, newDir, useNew, "journal", "list", "--json"); got != want["journal list"] {
		t.Error("after --replace the journal is not the backup's")
	}
	if left := profileEntries(t, newDir); len(left) != 1 {
		t.Errorf("after --replace: %v", left)
	}
	// --as: a copy beside it, with a new id.
	copyID := strings.TrimSpace(mustRun(t, newDir, newEnv, "restore", file, "--recovery-key-file", keyFile, "--as", "Ana copy"))
	if copyID == created.ID || len(copyID) != 36 {
		t.Errorf("--as printed %q", copyID)
	}
	t.Cleanup(func() { (vault.OSKeyring{}).Delete(context.Background(), copyID) })
	if got := mustRun(t, newDir, append(useNew, "COMPANION_PROFILE=Ana copy"), "journal", "list", "--json"); got != want["journal list"] {
		t.Error("the copy's journal differs")
	}
}

func flip(b []byte, at int) []byte {
	c := append([]byte(nil), b...)
	c[at] ^= 0x10
	return c
}

// TestBackupWhileWriting: a backup taken while another process keeps adding entries is a
// consistent snapshot: it restores, passes integrity_check, and holds every entry written
// before the backup started.
func TestBackupWhileWriting(t *testing.T) {
	dir := t.TempDir()
	env := []string{"COMPANION_PASSPHRASE=old passphrase here"}
	var created struct {
		ID          string `json:"id"`
		RecoveryKey string `json:"recovery_key"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, dir, env, "profile", "create", "Wren", "--no-keyring", "--demo-entries", "5000", "--json")), &created); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { (vault.OSKeyring{}).Delete(context.Background(), created.ID) })
	keyFile := filepath.Join(t.TempDir(), "rk")
	os.WriteFile(keyFile, []byte(created.RecoveryKey), 0o600)

	stop := make(chan struct{})
	wrote := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			r := companion(t, dir, env, "symptom", "add", "--name", fmt.Sprintf("Writer %d", i), "--severity", "3")
			if r.code != 0 {
				t.Errorf("writer: exit %d: %s", r.code, r.stderr)
				return
			}
			select {
			case wrote <- struct{}{}:
			default:
			}
		}
	}()
	<-wrote // the writer is under way
	var files []string
	for i := range 3 {
		f := filepath.Join(t.TempDir(), fmt.Sprintf("b%d.backup", i))
		mustRun(t, dir, env, "backup", "--out", f)
		files = append(files, f)
	}
	close(stop)
	wg.Wait()
	for i, f := range files {
		newDir := t.TempDir()
		id := strings.TrimSpace(mustRun(t, newDir, append(newComputer(t), "COMPANION_NEW_PASSPHRASE=new passphrase here"),
			"restore", f, "--recovery-key-file", keyFile))
		db, err := sql.Open("sqlite3", filepath.Join(newDir, "profiles", id, "journal.db"))
		if err != nil {
			t.Fatal(err)
		}
		var res string
		var n int
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
			t.Errorf("backup %d: integrity_check %q %v", i, res, err)
		}
		if err := db.QueryRow("SELECT count(*) FROM entries").Scan(&n); err != nil || n < 5000 {
			t.Errorf("backup %d: %d entries (%v), want at least 5000", i, n, err)
		}
		db.Close()
		var entries []any
		if err := json.Unmarshal([]byte(mustRun(t, newDir, []string{"COMPANION_PASSPHRASE=new passphrase here"}, "journal", "list", "--json")), &entries); err != nil || len(entries) != n {
			t.Errorf("backup %d: journal list has %d entries, the file %d (%v)", i, len(entries), n, err)
		}
	}
}

// TestRestoreAsSignsOut: restore --as deletes the secret under "portal.token" (data cannot
// import sync/portal); this keeps the two names one.
func TestRestoreAsSignsOut(t *testing.T) {
	if portal.TokenKey != "portal.token" {
		t.Fatalf("portal.TokenKey is %q: change data/backup.go's restore --as with it", portal.TokenKey)
	}
}
