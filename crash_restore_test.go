package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// crashRestoreReplace: `restore --replace` killed at random moments. After each kill and the
// next command (its sweep), the profile is there, whole, opening with the keyring: either
// the old one (with the entry added just before) or the backup's (without it) — never
// neither, never a leftover .creating-/.replaced- folder; once acknowledged, the backup's.
func crashRestoreReplace(r *crashRig) {
	var created struct {
		ID          string `json:"id"`
		RecoveryKey string `json:"recovery_key"`
	}
	if err := json.Unmarshal([]byte(r.must(nil, "profile", "create", "Crash", "--demo-entries", "3000", "--json")), &created); err != nil {
		r.t.Fatal(err)
	}
	keyFile := filepath.Join(r.t.TempDir(), "recovery-key")
	os.WriteFile(keyFile, []byte(created.RecoveryKey+"\n"), 0o600)
	backup := filepath.Join(r.t.TempDir(), "crash.backup")
	r.must(nil, "backup", "--out", backup)
	restore := []string{"restore", backup, "--recovery-key-file", keyFile, "--replace"}
	_, d := r.timed(nil, restore...)
	for round := 0; round < r.runs; round++ {
		marker := fmt.Sprintf("Round %d", round)
		r.must(nil, "symptom", "add", "--name", marker, "--severity", "1")
		o := r.once(d*3/2, nil, restore...) // some rounds finish: those must be the backup's
		var aside []string
		ents, _ := os.ReadDir(filepath.Join(r.dir, "profiles"))
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".creating-") || strings.HasPrefix(e.Name(), ".replaced-") {
				aside = append(aside, e.Name())
			}
		}
		if len(aside) > 0 {
			r.unfinished++
		}
		r.must(nil, "profile", "list") // the next start sweeps
		ents, _ = os.ReadDir(filepath.Join(r.dir, "profiles"))
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".creating-") || strings.HasPrefix(e.Name(), ".replaced-") {
				r.errorf(round, "unfinished work not swept", "left after the next command: %s", e.Name())
			}
		}
		r.checkFiles(round)
		list := r.start(time.Now().Add(time.Hour), nil, "journal", "list", "--json")
		if list.code != 0 {
			r.errorf(round, "profile lost", "after the kill the profile does not open with the keyring: exit %d: %s", list.code, list.stderr)
			r.t.FailNow()
		}
		var entries []struct{ Name string }
		json.Unmarshal([]byte(list.stdout), &entries)
		old := slices.ContainsFunc(entries, func(e struct{ Name string }) bool { return e.Name == marker })
		if !o.killed && old {
			r.errorf(round, "acknowledged restore undone", "restore --replace exited 0 but the old profile is in place")
		}
	}
}
