package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestJSONSameInEveryLanguage: what --json prints is the same whatever language this
// computer speaks (computer.json, as Settings saves it), and so is every error line; the
// window and the report follow the language, the command line's machine output never does.
func TestJSONSameInEveryLanguage(t *testing.T) {
	dir := t.TempDir()
	env := []string{"COMPANION_PASSPHRASE=a passphrase for the test", "TZ=UTC"}
	mustRun(t, dir, env, "profile", "create", "Mum", "--no-keyring", "--demo")
	commands := [][]string{
		{"--json", "profile", "list"}, {"--json", "med", "list"}, {"--json", "journal", "list"},
		{"--json", "appointment", "list"}, {"--json", "question", "list"}, {"--json", "vital", "list"},
		{"--json", "record", "list"}, {"--json", "note", "list"}, {"--json", "settings", "get"},
		{"--json", "reminders", "next", "--from", "2026-12-01 08:00", "--count", "5"},
		{"--json", "portal", "status"},
		{"symptom", "add", "--name", "Headache", "--severity", "11"}, // an error line
	}
	run := func() []cliResult {
		var out []cliResult
		for _, c := range commands {
			out = append(out, companion(t, dir, env, c...))
		}
		return out
	}
	english := run()
	for _, code := range []string{"de", "es"} {
		if err := os.WriteFile(filepath.Join(dir, "computer.json"), []byte(`{"language":"`+code+`"}`), 0o600); err != nil {
			t.Fatal(err)
		}
		for i, r := range run() {
			if r != english[i] {
				t.Errorf("%s: %v differs from English:\n%+v\nEnglish:\n%+v", code, commands[i], r, english[i])
			}
		}
	}
	if english[1].code != 0 || len(english[1].stdout) < 100 {
		t.Fatalf("med list --json printed %q (%d)", english[1].stdout, english[1].code)
	}
}
