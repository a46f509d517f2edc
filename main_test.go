package main

// End-to-end tests of the command line: the real binary (this test binary, re-executed as
// `companion`), real SQLite files, the real Argon2id cost and, where the test environment
// provides it, the real OS keyring over D-Bus.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/patient-companion/companion/data/datatest"
	"github.com/patient-companion/companion/data/vault"
	"github.com/patient-companion/companion/internal/quietinit"
)

const asCompanion = "COMPANION_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asBrowser) == "1" {
		os.Exit(fakeBrowser(os.Getenv(fakeBrowserEnv), os.Args[1:]))
	}
	if os.Getenv(asCompanion) == "1" {
		quietinit.Restore()
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

type cliResult struct {
	code           int
	stdout, stderr string
}

// companion runs the binary with a private data folder and the given extra environment.
func companion(t *testing.T, dataDir string, env []string, args ...string) cliResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asCompanion+"=1", "COMPANION_DATA_DIR="+dataDir)
	cmd.Env = append(cmd.Env, env...)
	r := runCommand(t, cmd)
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
		t.Fatalf("%v crashed:\n%s", args, r.stderr)
	}
	return r
}

// runCommand runs cmd and returns its exit code and output; a command that cannot start
// fails the test.
func runCommand(t *testing.T, cmd *exec.Cmd) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return cliResult{code, out.String(), errb.String()}
}

func mustRun(t *testing.T, dataDir string, env []string, args ...string) string {
	t.Helper()
	r := companion(t, dataDir, env, args...)
	if r.code != 0 {
		t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
	}
	return r.stdout
}

// keyringAvailable reports whether the OS keyring answers; under `make test` it must.
func keyringAvailable(t *testing.T) bool {
	t.Helper()
	ctx := context.Background()
	kr := vault.OSKeyring{}
	err := kr.Set(ctx, "probe-"+t.Name(), make([]byte, vault.KeySize))
	if err == nil {
		kr.Delete(ctx, "probe-"+t.Name())
		return true
	}
	if os.Getenv("COMPANION_REQUIRE_KEYRING") != "" {
		t.Fatalf("the keyring is required here but does not answer: %v", err)
	}
	return false
}

func TestNoPlaintextAtRestCLI(t *testing.T) {
	type variant struct {
		name    string
		create  []string
		env     []string
		keyring bool
	}
	variants := []variant{
		{"passphrase", []string{"profile", "create", "Pat", "--no-keyring"}, []string{"COMPANION_PASSPHRASE=open sesame"}, false},
		{"keyring", []string{"profile", "create", "Pat"}, nil, true},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			if v.keyring && !keyringAvailable(t) {
				t.Skip("no keyring")
			}
			dir := t.TempDir()
			mustRun(t, dir, v.env, v.create...)
			markers := []string{"QQMARKSYMPTOMNAME", "QQMARKSYMPTOMNOTE", "QQMARKMEDNAME", "QQMARKMEDDOSE", "QQMARKINSTRUCTIONS", "QQMARKSTRENGTH"}
			mustRun(t, dir, v.env, "symptom", "add", "--name", markers[0], "--severity", "7", "--note", markers[1])
			mustRun(t, dir, v.env, "med", "add", "--name", markers[2], "--dose", markers[3], "--instructions", markers[4], "--strength", markers[5], "--times", "08:00")
			// It really is stored: it reads back.
			if out := mustRun(t, dir, v.env, "journal", "search", strings.ToLower(markers[1])); !strings.Contains(out, markers[0]) {
				t.Fatalf("entry not found back: %q", out)
			}
			if out := mustRun(t, dir, v.env, "med", "list"); !strings.Contains(out, markers[2]) {
				t.Fatalf("medication not found back: %q", out)
			}
			all := datatest.Files(t, dir)
			if len(all) == 0 {
				t.Fatal("no files written")
			}
			for path, b := range all {
				low := bytes.ToLower(b)
				for _, m := range markers {
					if bytes.Contains(low, []byte(strings.ToLower(m))) {
						t.Errorf("%s holds %s in the clear", path, m)
					}
				}
			}
			if v.keyring {
				mustRun(t, dir, v.env, "profile", "delete", "Pat")
			}
		})
	}
}

func TestWrongPassphraseCLI(t *testing.T) {
	dir := t.TempDir()
	right := []string{"COMPANION_PASSPHRASE=right horse"}
	mustRun(t, dir, right, "profile", "create", "Pat", "--no-keyring")
	mustRun(t, dir, right, "symptom", "add", "--name", "Cough", "--severity", "3")
	before := datatest.Files(t, dir)
	for _, args := range [][]string{
		{"journal", "list"},
		{"symptom", "add", "--name", "Cough", "--severity", "3"},
		{"med", "add", "--name", "X", "--times", "08:00"},
		{"profile", "passwd", "Pat"},
	} {
		r := companion(t, dir, []string{"COMPANION_PASSPHRASE=wrong horse", "COMPANION_NEW_PASSPHRASE=a new passphrase"}, args...)
		if r.code != 3 || r.stdout != "" || !strings.Contains(r.stderr, "wrong passphrase") {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q; want 3 and one line", args, r.code, r.stdout, r.stderr)
		}
	}
	datatest.AssertSameFiles(t, before, datatest.Files(t, dir))
}

func TestTamperedRecordCLI(t *testing.T) {
	dir := t.TempDir()
	env := []string{"COMPANION_PASSPHRASE=pass phrase"}
	mustRun(t, dir, env, "profile", "create", "Pat", "--no-keyring")
	var ids []string
	for i, name := range []string{"Cough", "Fever", "Rash"} {
		out := mustRun(t, dir, env, "symptom", "add", "--name", name, "--severity", "2", "--at", "2026-01-0"+string(rune('1'+i))+"T10:00:00Z")
		ids = append(ids, strings.TrimSpace(out))
	}
	// Flip one byte inside the sealed blob of the second entry, behind the app's back.
	j := datatest.OpenJournal(t, datatest.OnlyJournal(t, dir))
	j.FlipSealed("entries", ids[1])
	j.Close()

	r := companion(t, dir, env, "journal", "list", "--json")
	if r.code != 5 {
		t.Fatalf("exit %d, want 5; stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, ids[1]) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("stderr does not name the damaged record in one line: %q", r.stderr)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatalf("the readable entries are not listed: %v %q", err, r.stdout)
	}
	if len(list) != 2 || list[0]["name"] != "Rash" || list[1]["name"] != "Cough" {
		t.Fatalf("readable entries = %v", list)
	}
	// The rest of the profile keeps working.
	mustRun(t, dir, env, "symptom", "add", "--name", "Itching", "--severity", "1")
}

func TestBadJournalFilesCLI(t *testing.T) {
	env := []string{"COMPANION_PASSPHRASE=pass phrase"}
	cases := map[string]struct {
		damage func(t *testing.T, path string)
		want   string
	}{
		"empty": {func(t *testing.T, p string) { os.WriteFile(p, nil, 0o600) }, "empty"},
		"not sqlite": {func(t *testing.T, p string) {
			os.WriteFile(p, bytes.Repeat([]byte("not a database\n"), 100), 0o600)
		}, "not an SQLite database"},
		"newer schema": {func(t *testing.T, p string) {
			db, err := sql.Open("sqlite3", "file:"+p+"?mode=rw")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec("PRAGMA journal_mode = DELETE; PRAGMA user_version = 4000"); err != nil {
				t.Fatal(err)
			}
		}, "newer version"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			mustRun(t, dir, env, "profile", "create", "Pat", "--no-keyring")
			path := datatest.OnlyJournal(t, dir)
			tc.damage(t, path)
			before := datatest.Files(t, dir)
			r := companion(t, dir, env, "--profile", filepath.Base(filepath.Dir(path)), "journal", "list")
			if r.code != 5 || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
				t.Fatalf("exit %d, stderr %q; want 5 and %q", r.code, r.stderr, tc.want)
			}
			datatest.AssertSameFiles(t, before, datatest.Files(t, dir))
		})
	}
}

func TestKeyringProfileCLI(t *testing.T) {
	if !keyringAvailable(t) {
		t.Skip("no keyring")
	}
	dir := t.TempDir()
	var created map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, dir, nil, "profile", "create", "Kay", "--json")), &created); err != nil {
		t.Fatal(err)
	}
	id := created["id"].(string)
	if created["keyring"] != true || created["passphrase"] != false {
		t.Fatalf("created = %v", created)
	}
	mustRun(t, dir, nil, "symptom", "add", "--name", "Fever", "--severity", "5")
	if out := mustRun(t, dir, nil, "journal", "list"); !strings.Contains(out, "Fever") {
		t.Fatalf("keyring unlock: %q", out)
	}
	if _, err := (vault.OSKeyring{}).Get(context.Background(), id); err != nil {
		t.Fatalf("keyring item: %v", err)
	}
	mustRun(t, dir, nil, "profile", "delete", "Kay")
	if _, err := (vault.OSKeyring{}).Get(context.Background(), id); !errors.Is(err, vault.ErrKeyringEntryMissing) {
		t.Fatalf("keyring item after delete: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "profiles", id)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("files after delete: %v", err)
	}
}

// TestOneLineOnStderr: with Debian's default C.UTF-8 locale, Fyne logs from its package
// init; a command's error must still be exactly one line (see internal/quietinit).
func TestOneLineOnStderr(t *testing.T) {
	dir := t.TempDir()
	for _, env := range [][]string{{"LANG=C.UTF-8"}, {"LC_ALL=C.UTF-8"}, {"LANG=en_US.UTF-8"}} {
		r := companion(t, dir, env, "symptom", "add", "--name", "Cough", "--severity", "12")
		if r.code != 2 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "companion: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one line", env, r.code, r.stdout, r.stderr)
		}
	}
}
