package cli

// Fuzz targets for the command line, which clinic IT scripts drive (DESIGN §6): the split
// of a line into command words and flags, and a whole Run with hostile arguments against a
// real profile in a temporary data folder. A fuzz input is the argument list joined with
// NUL bytes (no argument can hold one).

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
	"github.com/patient-companion/companion/data/vault"
	"github.com/patient-companion/companion/sync/portal/portaltest"
)

func splitArgs(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}

func joinArgs(args ...string) string { return strings.Join(args, "\x00") }

var cliSeeds = [][]string{
	{"profile", "create", "Pat", "--no-keyring"},
	{"profile", "create", "--demo-entries", "3", "Kay"},
	{"--profile", "Pat", "symptom", "add", "--name", "Cough", "--severity", "3", "--at", "2026-03-01T08:30:00+01:00", "--note", "x"},
	{"symptom", "--json", "add", "--severity=11", "--name", "X"},
	{"journal", "list", "--since", "2026-01-01T00:00:00Z", "--json"},
	{"journal", "search", "cough"},
	{"med", "add", "--name", "Metformin", "--times", "08:00,20:00", "--every-days", "2", "--start", "2026-03-01"},
	{"med", "add", "--name", "X", "--cron", "0 8 * * 1", "--json"},
	{"med", "add", "--name", "X", "--as-needed", "--times", "08:00"},
	{"med", "take", "0000", "--at", "2026-03-01T08:00:00Z"},
	{"med", "step", "add", "abcd", "--times", "09:00"},
	{"med", "add", "--name", "X", "--dose", "½ tablet", "--times", "08:00", "--stock", "27.5", "--refill-days", "10"},
	{"med", "stock", "abcd", "--add", "1/2", "--json"},
	{"med", "stock", "abcd", "--set", "-0"},
	{"reminders", "next", "--count", "3", "--json"},
	{"appointment", "add", "--at", "2026-03-02T10:00:00Z", "--title", "Check", "--end", "2026-03-02T09:00:00Z"},
	{"note", "add", "hello", "--json"},
	{"vital", "add", "--type", "blood-pressure", "--value", "120/80", "--share", "--json"},
	{"vital", "add", "--type", "weight", "--value", "1e3", "--unit", "lb"},
	{"vital", "list", "--type", "glucose", "--since", "2026-01-01T00:00:00Z"},
	{"appointment", "request", "--reason", "Check-up", "--after", "2026-12-01", "--before", "2026-11-01", "--with", "Dr X"},
	{"appointment", "cancel", "abcd", "--reason", "away"},
	{"question", "add", "--appointment", "abcd", "Why?", "--json"},
	{"question", "list", "--appointment", "abcd"},
	{"question", "done", "abcd"},
	{"survey", "list", "--json"},
	{"survey", "answer", "abcd", "--answers-file", "/nonexistent"},
	{"settings", "set", "auto_lock_minutes", "-5"},
	{"settings", "get", "hide_medicine_names", "--json"},
	{"portal", "connect", "http://127.0.0.1:9/fhir", "--patient", "p1", "--no-browser"},
	{"portal", "connect", "https://portal.example.org/fhir", "--json"},
	{"sync", "--json"},
	{"profile", "passwd", "Pat"},
	{"profile", "recover", "Pat", "--recovery-key-file", "/nonexistent"},
	{"profile", "delete", "nobody"},
	{"--", "profile", "list"},
	{"-h", "med", "add"},
	{"help"},
	{"about", "--json"},
	{},
	{"--json"},
	{"-", "--", "-x", "---", "--=", "-h=1"},
	{"note", "add", "line one\nline two"},
	{"record", "list", "--type", "result", "--json"},
	{"record", "list", "--type", "lab"},
	{"record", "show", "abcd", "--json"},
	{"record", "show", "abcd", "--out", "visit.pdf"},
	{"med", "add", "--from-record", "abcd", "--times", "08:00,20:00", "--json"},
	{"med", "add", "--from-record", "abcd", "--name", "X"},
	{"settings", "set", "time_morning", "7:30"},
}

// FuzzSplitArgs: the command words found by skipping flags (positionals) are the ones the
// command's own flag set leaves as arguments, and HasCommand agrees with them (or with a
// request for help or the version), wherever flags stand.
func FuzzSplitArgs(f *testing.F) {
	for _, s := range cliSeeds {
		f.Add(joinArgs(s...))
	}
	cmds := commands()
	known := allFlags(cmds)
	f.Fuzz(func(t *testing.T, line string) {
		args := splitArgs(line)
		words, at := positionals(args, known)
		if len(words) != len(at) {
			t.Fatalf("%d words at %d places", len(words), len(at))
		}
		for i := range at {
			if at[i] < 0 || at[i] >= len(args) || args[at[i]] != words[i] || (i > 0 && at[i] <= at[i-1]) {
				t.Fatalf("word %d %q is not at %d in %q", i, words[i], at[i], args)
			}
		}
		// A command word, or a request for help or the version, is for the command line;
		// anything else opens the window.
		asks := slices.ContainsFunc(args, func(a string) bool {
			a, _, _ = strings.Cut(a, "=")
			return a == "--help" || a == "-h" || a == "--version"
		})
		if has := HasCommand(args); (len(words) > 0 && !has) || (has && len(words) == 0 && !asks) {
			t.Fatalf("HasCommand(%q) = %v, with words %q", args, has, words)
		}
		cmd, n := findCommand(cmds, words)
		if cmd == nil {
			return
		}
		var rest []string
		for i, a := range args {
			if !slices.Contains(at[:n], i) {
				rest = append(rest, a)
			}
		}
		fs := cmd.flagSet()
		if err := fs.Parse(rest); err != nil {
			return // exit 2, checked by FuzzRun
		}
		if got := fs.Args(); !slices.Equal(got, words[n:]) && !(len(got) == 0 && len(words) == n) {
			t.Fatalf("%q: %s takes arguments %q but the command words were found among %q", args, cmd.path, got, words)
		}
	})
}

// Health data in the template profile; it must never show in an error.
const (
	secretSymptom = "QQSECRETSYMPTOM"
	secretNote    = "QQSECRETNOTE"
	secretMed     = "QQSECRETMED"
	secretRecord  = "QQSECRETRECORD"
)

// FuzzRun runs a whole command with hostile arguments against a copy of a real profile
// (passphrase "fuzz passphrase", the new one for passwd and recover "new fuzz passphrase";
// connected to a fake portal): it never panics, exits with a code of DESIGN §6, prints
// exactly one line on stderr and nothing on stdout when it fails, one JSON value with --json
// when it succeeds, and never names health data in an error. Every web address is pointed at
// the fake portal (so nothing leaves this computer) and no browser can start (PATH is
// empty). "@KEYFILE" stands for a file holding the profile's recovery key.
func FuzzRun(f *testing.F) {
	for _, s := range cliSeeds {
		f.Add(joinArgs(s...))
	}
	f.Add(joinArgs("profile", "recover", "Pat", "--recovery-key-file", "@KEYFILE", "--json"))
	f.Add(joinArgs("profile", "recover", "pat", "--recovery-key-file=@KEYFILE", "--new-passphrase-file", "/dev/null"))
	f.Add(joinArgs("portal", "status", "--json"))
	f.Add(joinArgs("portal", "disconnect"))
	f.Add(joinArgs("export", "report", "--out", "r.pdf", "--from", "2026-02-01", "--json"))
	portal := portaltest.Start(f)
	portalHost := portal.Host()
	f.Setenv("PATH", f.TempDir())

	// The template: one passphrase profile with a symptom, a medicine and a note, connected
	// to the fake portal.
	template := f.TempDir()
	kr := &datatest.MemKeyring{}
	var created bytes.Buffer
	for i, args := range [][]string{
		{"profile", "create", "Pat", "--no-keyring"},
		{"symptom", "add", "--name", secretSymptom, "--severity", "4", "--at", "2026-02-28T09:00:00Z"},
		{"med", "add", "--name", secretMed, "--times", "08:00", "--start", "2026-02-01"},
		{"note", "add", secretNote},
		{"portal", "connect", portal.Base, "--patient", portaltest.Patient},
	} {
		var stdout, stderr bytes.Buffer
		if code := Run(context.Background(), args, fuzzEnv(template, kr, &stdout, &stderr)); code != 0 {
			f.Fatalf("template %v: exit %d: %s", args, code, stderr.String())
		}
		if i == 0 {
			created = stdout
		}
	}
	// The clinic's health record: a problem and a medicine, as the sync stores them.
	func() {
		p := &data.Profiles{Dir: template, Keyring: kr, Argon2: datatest.FastArgon2(), Location: time.UTC}
		s := datatest.Open(f, p, "Pat", "fuzz passphrase")
		defer s.Close()
		_, err := s.PutClinical(context.Background(), []data.ClinicalResource{
			{Type: "Condition", RemoteID: "c1", Version: "1", Raw: []byte(`{"resourceType":"Condition","id":"c1","code":{"text":"` + secretRecord + ` problem"},"onsetDateTime":"2019-03-02"}`)},
			{Type: "MedicationRequest", RemoteID: "m1", Version: "1", Raw: []byte(`{"resourceType":"MedicationRequest","id":"m1","status":"active","intent":"order",` +
				`"medicationCodeableConcept":{"text":"` + secretRecord + ` tablet"},"dosageInstruction":[{"text":"as directed"}]}`)},
		})
		if err != nil {
			f.Fatal(err)
		}
	}()
	_, key, ok := strings.Cut(created.String(), "Recovery key: ")
	if !ok {
		f.Fatalf("no recovery key in %q", created.String())
	}
	key, _, _ = strings.Cut(key, "\n")
	recoveryFile := filepath.Join(f.TempDir(), "key")
	if err := os.WriteFile(recoveryFile, []byte(key+"\n"), 0o600); err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, line string) {
		args := splitArgs(line)
		if !fuzzable(args) {
			return
		}
		for i, a := range args {
			args[i] = toFakePortal(a, portalHost)
			if a == "@KEYFILE" {
				args[i] = recoveryFile
			}
		}
		// Whatever --out names, a file is written only in this run's own folder.
		outDir := t.TempDir()
		for i, a := range args {
			switch {
			case a == "--out" && i+1 < len(args):
				args[i+1] = filepath.Join(outDir, "out")
			case strings.HasPrefix(a, "--out="):
				args[i] = "--out=" + filepath.Join(outDir, "out")
			}
		}
		dir := datatest.CopyDir(t, template)
		var stdout, stderr bytes.Buffer
		env := fuzzEnv(dir, kr.Clone(), &stdout, &stderr)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		code := Run(ctx, args, env)

		if code < ExitOK || code > ExitClinicLock {
			t.Fatalf("%q: exit %d is not one of DESIGN §6", args, code)
		}
		if code != ExitOK {
			if stdout.Len() > 0 {
				t.Fatalf("%q: exit %d with %q on stdout", args, code, stdout.String())
			}
			if e := stderr.String(); !strings.HasPrefix(e, "companion: ") || strings.Count(e, "\n") != 1 || !strings.HasSuffix(e, "\n") {
				t.Fatalf("%q: exit %d, stderr is not one line: %q", args, code, e)
			}
		} else if jsonFlag(args) {
			out := bytes.TrimSpace(stdout.Bytes())
			if !json.Valid(out) || string(out) == "null" {
				t.Fatalf("%q: --json printed %q", args, out)
			}
			dec := json.NewDecoder(bytes.NewReader(out))
			var v any
			dec.Decode(&v)
			if dec.More() {
				t.Fatalf("%q: --json printed more than one value: %q", args, out)
			}
		}
		lowerArgs := strings.ToLower(strings.Join(args, " "))
		for _, secret := range []string{secretSymptom, secretNote, secretMed, secretRecord} {
			if strings.Contains(stderr.String(), secret) && !strings.Contains(lowerArgs, strings.ToLower(secret)) {
				t.Fatalf("%q: stderr names health data: %q", args, stderr.String())
			}
		}
	})
}

// fuzzable leaves out what would make one input take minutes or leave the temp folder:
// another --data-dir, and more demo entries than a fuzzer should write each time.
func fuzzable(args []string) bool {
	for i, a := range args {
		if strings.Contains(a, "data-dir") {
			return false
		}
		if v, ok := strings.CutPrefix(a, "--demo-entries"); ok {
			if v, ok = strings.CutPrefix(v, "="); !ok && i+1 < len(args) {
				v = args[i+1]
			}
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 500 {
				return false
			}
		}
	}
	return true
}

// toFakePortal points any address (what fhir.New would take for one) at the fake portal,
// keeping its scheme and path: https then fails its handshake with the plain-http fake.
func toFakePortal(a, portalHost string) string {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(a), "/"))
	if err != nil || u.Host == "" {
		return a
	}
	u.Host = portalHost
	return u.String()
}

// jsonFlag reports whether Run would see --json on (the same parse Run does).
func jsonFlag(args []string) bool {
	cmds := commands()
	words, at := positionals(args, allFlags(cmds))
	cmd, n := findCommand(cmds, words)
	if cmd == nil {
		return false
	}
	var rest []string
	for i, a := range args {
		if !slices.Contains(at[:n], i) {
			rest = append(rest, a)
		}
	}
	fs := cmd.flagSet()
	if fs.Parse(rest) != nil {
		return false
	}
	h, _ := fs.GetBool("help")
	j, _ := fs.GetBool("json")
	return j && !h
}

func fuzzEnv(dir string, kr vault.Keyring, stdout, stderr *bytes.Buffer) Env {
	vars := map[string]string{
		"COMPANION_DATA_DIR":       dir,
		"COMPANION_PASSPHRASE":     "fuzz passphrase",
		"COMPANION_NEW_PASSPHRASE": "new fuzz passphrase",
	}
	return Env{
		Stdout: stdout, Stderr: stderr,
		Getenv:   func(k string) string { return vars[k] },
		Keyring:  kr,
		Argon2:   datatest.FastArgon2(),
		Now:      func() time.Time { return time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC) },
		Location: time.UTC,
		Version:  "fuzz", Build: "fuzz",
	}
}
