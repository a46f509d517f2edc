package main

// The command line and the profile folder attacked as someone with access to the files, or a
// careless user, would (issue 10): real processes, real files, the real keyring where the test
// environment has one.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/patient-companion/companion/app/single"
	"github.com/patient-companion/companion/data/datatest"
	"github.com/patient-companion/companion/data/vault"
	"github.com/patient-companion/companion/sync/portal/portaltest"
)

const (
	hardPass = "COMPANION_PASSPHRASE=a long enough passphrase"
	// fakeBrowserEnv makes the test binary a "browser" that writes its environment to the
	// file named and refuses the sign-in, so `portal connect` ends by itself.
	fakeBrowserEnv = "COMPANION_TEST_FAKE_BROWSER"
	asBrowser      = "COMPANION_TEST_AS_BROWSER"
)

// fakeBrowser is the test binary started as xdg-open by `portal connect`.
func fakeBrowser(dump string, args []string) int {
	if err := os.WriteFile(dump, []byte(strings.Join(os.Environ(), "\n")), 0o600); err != nil {
		return 1
	}
	if len(args) != 1 {
		return 1
	}
	u, err := url.Parse(args[0])
	if err != nil {
		return 1
	}
	q := u.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		return 1
	}
	back.RawQuery = url.Values{"error": {"access_denied"}, "state": {q.Get("state")}}.Encode()
	resp, err := http.Get(back.String())
	if err != nil {
		return 1
	}
	resp.Body.Close()
	return 0
}

// profileID creates a profile and returns its id.
func createID(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	var created map[string]any
	out := mustRun(t, dir, env, append([]string{"profile", "create", "--json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatalf("create: %v %q", err, out)
	}
	return created["id"].(string)
}

func listProfiles(t *testing.T, dir string) []map[string]any {
	t.Helper()
	var list []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, dir, nil, "profile", "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	return list
}

// hidden returns the names of the hidden entries of the profiles folder (work in progress).
func hidden(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dir, "profiles"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".creating-") || strings.HasPrefix(e.Name(), ".deleting-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestCreateNeedsTheKeyShown: when the recovery key cannot be written (stdout on a full
// disk), no profile is left whose key nobody saw.
func TestCreateNeedsTheKeyShown(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full here")
	}
	defer full.Close()
	dir := t.TempDir()
	for _, args := range [][]string{{"Pat", "--no-keyring", "--demo"}, {"Pat", "--no-keyring", "--json"}} {
		cmd := exec.Command(os.Args[0], append([]string{"profile", "create"}, args...)...)
		cmd.Env = append(os.Environ(), asCompanion+"=1", "COMPANION_DATA_DIR="+dir, hardPass)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = full, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(stderr.String(), "recovery key") {
			t.Fatalf("%v: %v, stderr %q", args, err, stderr.String())
		}
		if list := listProfiles(t, dir); len(list) != 0 {
			t.Fatalf("%v: a profile whose key nobody saw: %v", args, list)
		}
		if h := hidden(t, dir); len(h) != 0 {
			t.Fatalf("%v: left behind: %v", args, h)
		}
	}
}

// TestCreateCrashLeavesNothing: a create killed half-way leaves no profile; while it runs,
// another process's start-up sweep leaves it alone; after it died, the next start removes
// its folder and its keyring key.
func TestCreateCrashLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	useKeyring := keyringAvailable(t)
	args := []string{"profile", "create", "Big", "--demo-entries", "400000"}
	env := []string{hardPass}
	if !useKeyring {
		args = append(args, "--no-keyring")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), asCompanion+"=1", "COMPANION_DATA_DIR="+dir)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var making string
	for deadline := time.Now().Add(2 * time.Minute); making == ""; {
		// The -wal appears once the journal is built and being filled, after the names lock
		// is released, so the sweep below really looks at the profile in the making.
		if m, _ := filepath.Glob(filepath.Join(dir, "profiles", ".creating-*", "journal.db-wal")); len(m) > 0 {
			making = filepath.Dir(m[0])
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("create finished before it could be stopped (%v, %s): give it more entries", err, stderr.String())
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no profile folder in the making appeared")
		}
	}
	id := strings.TrimPrefix(filepath.Base(making), ".creating-")
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	if list := listProfiles(t, dir); len(list) != 0 {
		t.Fatalf("a profile in the making is listed: %v", list)
	}
	if _, err := os.Stat(making); err != nil {
		t.Fatalf("another start swept a create in progress: %v", err)
	}
	if useKeyring {
		if _, err := (vault.OSKeyring{}).Get(context.Background(), id); err != nil {
			t.Fatalf("the keyring key of the profile in the making: %v", err)
		}
	}
	cmd.Process.Kill()
	<-exited
	if stdout.Len() != 0 {
		t.Fatalf("a recovery key was shown for a profile that never was: %q", stdout.String())
	}
	if list := listProfiles(t, dir); len(list) != 0 {
		t.Fatalf("after the crash: %v", list)
	}
	if h := hidden(t, dir); len(h) != 0 {
		t.Fatalf("the next start left: %v", h)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "profiles", ".creating-*")); len(m) != 0 {
		t.Fatalf("the next start left: %v", m)
	}
	if useKeyring {
		if _, err := (vault.OSKeyring{}).Get(context.Background(), id); !errors.Is(err, vault.ErrKeyringEntryMissing) {
			t.Fatalf("keyring key of the crashed create: %v", err)
		}
	}
}

// TestDeleteFinishedAtStart: a delete that crashed after moving the folder aside is finished
// (files and keyring key) by the next start, never undone.
func TestDeleteFinishedAtStart(t *testing.T) {
	dir := t.TempDir()
	useKeyring := keyringAvailable(t)
	args := []string{"Kay"}
	if !useKeyring {
		args = append(args, "--no-keyring")
	}
	id := createID(t, dir, []string{hardPass}, args...)
	root := filepath.Join(dir, "profiles")
	if err := os.Rename(filepath.Join(root, id), filepath.Join(root, ".deleting-"+id)); err != nil {
		t.Fatal(err)
	}
	if list := listProfiles(t, dir); len(list) != 0 {
		t.Fatalf("half-deleted profile listed: %v", list)
	}
	if h := hidden(t, dir); len(h) != 0 {
		t.Fatalf("left: %v", h)
	}
	if useKeyring {
		if _, err := (vault.OSKeyring{}).Get(context.Background(), id); !errors.Is(err, vault.ErrKeyringEntryMissing) {
			t.Fatalf("keyring key of the deleted profile: %v", err)
		}
	}
}

// TestOddDataDirCLI: #, ?, %, spaces and non-ASCII in the data folder, across create, list,
// open, delete and the instance lock; nothing is written beside the folder.
func TestOddDataDirCLI(t *testing.T) {
	base := t.TempDir()
	name := "we#ird?dir%41 ü 日本"
	dir := filepath.Join(base, name)
	env := []string{hardPass}
	check := func(step string) {
		t.Helper()
		ents, _ := os.ReadDir(base)
		if len(ents) != 1 || ents[0].Name() != name {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Fatalf("after %s, beside the data folder: %q", step, names)
		}
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if fi, _ := d.Info(); err == nil && !d.IsDir() && fi.Mode().Perm()&0o077 != 0 {
				t.Errorf("after %s: %s has mode %v", step, p, fi.Mode())
			}
			return nil
		})
	}
	mustRun(t, dir, env, "profile", "create", "Odd", "--no-keyring", "--demo-entries", "5")
	check("create")
	if list := listProfiles(t, dir); len(list) != 1 || list[0]["error"] != nil {
		t.Fatalf("list: %v", list)
	}
	mustRun(t, dir, env, "symptom", "add", "--name", "Cough", "--severity", "2")
	if out := mustRun(t, dir, env, "journal", "list"); !strings.Contains(out, "Cough") {
		t.Fatalf("open: %q", out)
	}
	check("open")
	in, err := single.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := single.Acquire(dir); !errors.Is(err, single.ErrRunning) {
		t.Fatalf("second instance: %v", err)
	}
	in.Close()
	mustRun(t, dir, env, "profile", "delete", "Odd")
	if list := listProfiles(t, dir); len(list) != 0 {
		t.Fatalf("after delete: %v", list)
	}
	check("delete")
}

// TestSecretsNotInherited: the browser that `portal connect` starts sees neither passphrase
// in its environment.
func TestSecretsNotInherited(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, []string{hardPass}, "profile", "create", "Pat", "--no-keyring")
	portal := portaltest.Start(t)
	portal.AdvertiseSMART()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	script := "#!/bin/sh\n" + asBrowser + "=1 exec " + shellQuote(exe) + " \"$@\"\n"
	for _, name := range []string{"xdg-open", "open"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	dump := filepath.Join(t.TempDir(), "env")
	r := companion(t, dir, []string{
		hardPass, "COMPANION_NEW_PASSPHRASE=the other secret value",
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		fakeBrowserEnv + "=" + dump, "COMPANION_TEST_MARKER=seen",
	}, "portal", "connect", portal.Base, "--client-id", "companion")
	if r.code != 6 || !strings.Contains(r.stderr, "access_denied") {
		t.Fatalf("connect: exit %d, stderr %q", r.code, r.stderr)
	}
	got, err := os.ReadFile(dump)
	if err != nil {
		t.Fatalf("the browser did not start: %v", err)
	}
	if !strings.Contains(string(got), "COMPANION_TEST_MARKER=seen") {
		t.Fatalf("the dump is not the browser's environment: %q", got)
	}
	for _, secret := range []string{"COMPANION_PASSPHRASE", "COMPANION_NEW_PASSPHRASE", "a long enough passphrase", "the other secret value"} {
		if strings.Contains(string(got), secret) {
			t.Errorf("the browser's environment holds %q", secret)
		}
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// withoutDisplay is the environment of a session with no screen.
func withoutDisplay(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

func runPlain(t *testing.T, env []string, args ...string) cliResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(env, asCompanion+"=1")
	return runCommand(t, cmd)
}

// TestNoDisplay: the window without a screen is one line and exit 1, and leaves nothing
// behind (no login entry, no lock file); help and version print without one.
func TestNoDisplay(t *testing.T) {
	for _, display := range []string{"", "DISPLAY=:987"} {
		cfg, dir := t.TempDir(), filepath.Join(t.TempDir(), "data")
		env := withoutDisplay("XDG_CONFIG_HOME="+cfg, "COMPANION_DATA_DIR="+dir)
		if display != "" {
			env = append(env, display)
		}
		r := runPlain(t, env)
		if r.code != 1 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "display") ||
			strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "panic") {
			t.Fatalf("%q: exit %d, stdout %q, stderr %q", display, r.code, r.stdout, r.stderr)
		}
		if ents, _ := os.ReadDir(cfg); len(ents) != 0 {
			t.Errorf("%q: left in the config folder: %v", display, ents)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%q: the data folder was made: %v", display, err)
		}
	}
	env := withoutDisplay("XDG_CONFIG_HOME="+t.TempDir(), "COMPANION_DATA_DIR="+t.TempDir())
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"--data-dir", t.TempDir(), "--help"}} {
		r := runPlain(t, env, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "profile create") || !strings.Contains(r.stdout, "journal list") || r.stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	for _, args := range [][]string{{"help", "profile", "create"}, {"profile", "create", "--help"}} {
		r := runPlain(t, env, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "profile create NAME") || strings.Contains(r.stdout, "journal list") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	r := runPlain(t, env, "help", "frobnicate")
	if r.code != 2 || r.stdout != "" {
		t.Errorf("help for an unknown command: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	r = runPlain(t, env, "--version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "Patient Companion "+version) || r.stderr != "" {
		t.Errorf("--version: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestDamagedJournalByName: a damaged journal addressed by its name is damage (exit 5)
// naming its folder, never "not found"; SQLite's own "malformed" too.
func TestDamagedJournalByName(t *testing.T) {
	cases := map[string]func(t *testing.T, path string){
		"truncated": func(t *testing.T, p string) {
			if err := os.Truncate(p, 4096); err != nil {
				t.Fatal(err)
			}
		},
		"zeroed": func(t *testing.T, p string) {
			fi, _ := os.Stat(p)
			os.WriteFile(p, make([]byte, fi.Size()), 0o600)
		},
		"not a database": func(t *testing.T, p string) {
			os.WriteFile(p, bytes.Repeat([]byte("this is not a database\n"), 500), 0o600)
		},
		"malformed pages": func(t *testing.T, p string) {
			b, _ := os.ReadFile(p)
			for i := 4096; i < len(b); i++ {
				b[i] = 0x5a
			}
			os.WriteFile(p, b, 0o600)
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			env := []string{hardPass}
			id := createID(t, dir, env, "Pat", "--no-keyring", "--demo-entries", "200")
			path := filepath.Join(dir, "profiles", id, "journal.db")
			damage(t, path)
			for _, args := range [][]string{
				{"--profile", "Pat", "journal", "list"},
				{"--profile", id, "journal", "list"},
				{"journal", "list"},
				{"--profile", "Pat", "symptom", "add", "--name", "Cough", "--severity", "2"},
			} {
				r := companion(t, dir, env, args...)
				if r.code != 5 || !strings.Contains(r.stderr, id) || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 {
					t.Errorf("%v: exit %d, stdout %q, stderr %q; want 5 naming %s", args, r.code, r.stdout, r.stderr, id)
				}
			}
		})
	}
}

// runAsOther runs the binary as a user other than root (root passes every permission
// check, so a read-only folder would not be read-only to it).
func runAsOther(t *testing.T, exe, dir string, env []string, args ...string) cliResult {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), asCompanion+"=1", "COMPANION_DATA_DIR="+dir)
	cmd.Env = append(cmd.Env, env...)
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	return runCommand(t, cmd)
}

// TestReadOnlyProfile: a folder or journal that cannot be written is said to be a
// permissions problem, not a failed migration or damage.
func TestReadOnlyProfile(t *testing.T) {
	base, err := os.MkdirTemp("", "companion-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o700)
			}
			return nil
		})
		os.RemoveAll(base)
	})
	exe := os.Args[0]
	if os.Geteuid() == 0 {
		// The other user must reach the binary and the folder.
		os.Chmod(base, 0o755)
		exe = filepath.Join(base, "companion")
		src, err := os.Open(os.Args[0])
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.OpenFile(exe, os.O_CREATE|os.O_WRONLY, 0o755)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(dst, src)
		src.Close()
		dst.Close()
	}
	dir := filepath.Join(base, "data")
	os.Mkdir(dir, 0o700)
	if os.Geteuid() == 0 {
		os.Chown(dir, 65534, 65534)
	}
	env := []string{hardPass}
	if r := runAsOther(t, exe, dir, env, "profile", "create", "Pat", "--no-keyring", "--json"); r.code != 0 {
		t.Fatalf("create: %+v", r)
	}
	ids, _ := filepath.Glob(filepath.Join(dir, "profiles", "*-*-*-*-*"))
	if len(ids) != 1 {
		t.Fatalf("profiles: %v", ids)
	}
	folder := ids[0]
	for _, step := range []struct {
		name string
		lock func()
	}{
		{"read-only folder", func() { os.Chmod(folder, 0o500) }},
		{"read-only journal", func() { os.Chmod(folder, 0o700); os.Chmod(filepath.Join(folder, "journal.db"), 0o400) }},
	} {
		step.lock()
		for _, args := range [][]string{{"journal", "list"}, {"symptom", "add", "--name", "Cough", "--severity", "2"}} {
			r := runAsOther(t, exe, dir, env, args...)
			if r.code != 1 || !strings.Contains(r.stderr, "permission") || strings.Contains(r.stderr, "migrat") ||
				strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("%s, %v: exit %d, stderr %q", step.name, args, r.code, r.stderr)
			}
		}
	}
}

// TestThreeCreatesAtOnce: three `profile create Dup` at the same moment make one profile.
func TestThreeCreatesAtOnce(t *testing.T) {
	dir := t.TempDir()
	var cmds []*exec.Cmd
	var errs []*bytes.Buffer
	for range 3 {
		cmd := exec.Command(os.Args[0], "profile", "create", "Dup", "--no-keyring")
		cmd.Env = append(os.Environ(), asCompanion+"=1", "COMPANION_DATA_DIR="+dir, hardPass)
		var e bytes.Buffer
		cmd.Stderr = &e
		cmds, errs = append(cmds, cmd), append(errs, &e)
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	ok, exists := 0, 0
	for i, c := range cmds {
		err := c.Wait()
		var ee *exec.ExitError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &ee) && ee.ExitCode() == 2 && strings.Contains(errs[i].String(), "already exists"):
			exists++
		default:
			t.Fatalf("create: %v %s", err, errs[i])
		}
	}
	if list := listProfiles(t, dir); ok != 1 || exists != 2 || len(list) != 1 {
		t.Fatalf("%d made, %d refused, profiles %v", ok, exists, list)
	}
	r := companion(t, dir, []string{hardPass}, "--profile", "Dup", "journal", "list")
	if r.code != 0 {
		t.Fatalf("--profile Dup: %+v", r)
	}
}

// TestCheckpointAfterWrite: an entry the command line acknowledged is in the journal file
// itself, not only in its -wal, even while another process (the window) has the file open;
// deleting the -wal after a crash then loses nothing acknowledged.
func TestCheckpointAfterWrite(t *testing.T) {
	dir := t.TempDir()
	env := []string{hardPass}
	id := createID(t, dir, env, "Pat", "--no-keyring")
	path := filepath.Join(dir, "profiles", id, "journal.db")
	// The window, holding the journal open.
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=rw")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var n int
	if err := db.QueryRow("SELECT count(*) FROM meta").Scan(&n); err != nil {
		t.Fatal(err)
	}
	entry := strings.TrimSpace(mustRun(t, dir, env, "symptom", "add", "--name", "Cough", "--severity", "2"))
	// A crash, then the -wal deleted: copy the folder without it.
	copyDir := t.TempDir()
	os.MkdirAll(filepath.Join(copyDir, "profiles", id), 0o700)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(copyDir, "profiles", id, "journal.db"), raw, 0o600)
	out := mustRun(t, copyDir, env, "journal", "list")
	if !strings.Contains(out, entry) {
		t.Fatalf("the acknowledged entry %s is only in the -wal: %q", entry, out)
	}
}

// TestCopiedJournalCLI: a journal copied into another profile's folder is damage (exit 5)
// naming that folder.
func TestCopiedJournalCLI(t *testing.T) {
	dir := t.TempDir()
	env := []string{hardPass}
	a := createID(t, dir, env, "Ann", "--no-keyring")
	b := createID(t, dir, env, "Bea", "--no-keyring")
	raw, err := os.ReadFile(filepath.Join(dir, "profiles", a, "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "profiles", b, "journal.db"), raw, 0o600)
	r := companion(t, dir, env, "--profile", b, "journal", "list")
	if r.code != 5 || !strings.Contains(r.stderr, b) {
		t.Fatalf("open the copy: exit %d, stderr %q", r.code, r.stderr)
	}
	list := listProfiles(t, dir)
	ids := map[string]bool{}
	for _, p := range list {
		if ids[p["id"].(string)] {
			t.Fatalf("two profiles with one id: %v", list)
		}
		ids[p["id"].(string)] = true
	}
	mustRun(t, dir, env, "--profile", "Ann", "journal", "list")
}

// TestKDFBoundsCLI: a key record asking for 4 TiB of memory is damage (exit 5), not a crash.
func TestKDFBoundsCLI(t *testing.T) {
	dir := t.TempDir()
	env := []string{hardPass}
	id := createID(t, dir, env, "Pat", "--no-keyring")
	path := filepath.Join(dir, "profiles", id, "journal.db")
	j := datatest.OpenJournal(t, path)
	var raw []byte
	if err := j.DB.QueryRow("SELECT value FROM meta WHERE key = 'envelope.passphrase'").Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var e map[string]any
	json.Unmarshal(raw, &e)
	e["kdf"].(map[string]any)["memory_kib"] = 4294967295
	raw, _ = json.Marshal(e)
	j.Exec("UPDATE meta SET value = ? WHERE key = 'envelope.passphrase'", raw)
	j.Close()
	r := companion(t, dir, env, "journal", "list")
	if r.code != 5 || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestNoSessionBusStartsNone: without a session bus (cron, ssh), the program does not start
// one: godbus would run dbus-launch, whose daemon (and the keyring daemon it activates)
// outlive the command. A dbus-launch of the test's own records being called.
func TestNoSessionBusStartsNone(t *testing.T) {
	dir, bin := t.TempDir(), t.TempDir()
	called := filepath.Join(t.TempDir(), "dbus-launch-called")
	script := "#!/bin/sh\ntouch " + shellQuote(called) + "\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{hardPass, "DBUS_SESSION_BUS_ADDRESS=", "XDG_RUNTIME_DIR=" + t.TempDir(),
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	// Without --no-keyring, create asks the keyring first.
	r := companion(t, dir, env, "profile", "create", "Pat")
	if _, err := os.Stat(called); err == nil {
		t.Fatalf("dbus-launch was run (exit %d, stderr %q)", r.code, r.stderr)
	}
	// Create refuses to make a keyring profile without a keyring (exit 3), in words.
	if r.code != 3 || !strings.Contains(r.stderr, "keyring is not available (no D-Bus session here)") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	// A passphrase profile works as ever.
	if r := companion(t, dir, env, "profile", "create", "Pat", "--no-keyring"); r.code != 0 {
		t.Fatalf("--no-keyring: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(called); err == nil {
		t.Fatal("dbus-launch was run")
	}
}
