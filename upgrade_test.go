package main

// Upgrade safety: a newer build installed over an older one must open every profile the
// older one wrote, with every entry, medicine, appointment, note and setting, and with the
// same keys. Each folder in testdata/upgrade was written by an earlier build (its revision
// is in the folder; scripts/upgrade-fixture.sh makes one per release), together with what
// that build's command line printed about it.

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

const fixturePassphrase = "COMPANION_PASSPHRASE=upgrade fixture passphrase"

func TestUpgradeFixtures(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "upgrade", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 2 {
		t.Fatalf("want fixtures from at least two earlier schemas in testdata/upgrade, have %v", dirs)
	}
	older := 0 // fixtures that the new build has to migrate
	for _, fixture := range dirs {
		t.Run(filepath.Base(fixture), func(t *testing.T) {
			dir := datatest.CopyDir(t, filepath.Join(fixture, "data"))
			env := []string{fixturePassphrase, "TZ=UTC"}
			dbs, _ := filepath.Glob(filepath.Join(dir, "profiles", "*", "journal.db"))
			if len(dbs) != 1 {
				t.Fatalf("want one profile in the fixture, have %v", dbs)
			}
			if schemaOf(t, dbs[0]) < data.SchemaVersion() {
				older++
			}

			// A wrong passphrase neither opens nor upgrades the file.
			orig, err := os.ReadFile(dbs[0])
			if err != nil {
				t.Fatal(err)
			}
			if r := companion(t, dir, []string{"COMPANION_PASSPHRASE=not it", "TZ=UTC"}, "--profile", "Fixture", "journal", "list"); r.code == 0 {
				t.Fatal("a wrong passphrase opened the fixture")
			}
			if now, _ := os.ReadFile(dbs[0]); !reflect.DeepEqual(orig, now) {
				t.Fatal("a wrong passphrase changed the file")
			}

			// Everything the old build listed, the new one lists the same.
			for _, c := range []struct {
				file string
				args []string
			}{
				{"journal.json", []string{"journal", "list", "--since", "2026-01-01T00:00:00Z"}},
				{"meds.json", []string{"med", "list"}},
				{"appointments.json", []string{"appointment", "list"}},
				{"notes.json", []string{"note", "list"}},
				{"settings.json", []string{"settings", "get"}},
			} {
				want, err := os.ReadFile(filepath.Join(fixture, "expected", c.file))
				if os.IsNotExist(err) {
					continue // the old build had no such command
				}
				if err != nil {
					t.Fatal(err)
				}
				r := companion(t, dir, env, append([]string{"--profile", "Fixture", "--json"}, c.args...)...)
				if r.code != 0 {
					t.Fatalf("%v: exit %d: %s", c.args, r.code, r.stderr)
				}
				got := []byte(r.stdout)
				if c.file == "settings.json" {
					got = onlyOldSettings(t, want, got)
				}
				if c.file == "meds.json" {
					got = onlyOldFields(t, want, got)
				}
				assertSameJSON(t, c.file, want, got)
			}
			if after := schemaOf(t, dbs[0]); after != data.SchemaVersion() {
				t.Errorf("after opening, the file is at schema %d, want %d", after, data.SchemaVersion())
			}
			// Every record was re-sealed in the current format (schema 4), so the clear
			// columns of an upgraded profile are authenticated too: an edit is damage.
			assertAllRecordsCurrent(t, dbs[0])
			edit(t, dbs[0], `UPDATE entries SET kind = CASE kind WHEN 'note' THEN 'mood' ELSE 'note' END
				WHERE id = (SELECT min(id) FROM entries)`)
			if r := companion(t, dir, env, "--profile", "Fixture", "journal", "list"); r.code != 5 {
				t.Errorf("an edited kind in an upgraded profile: exit %d, want 5 (%s)", r.code, r.stderr)
			}
			edit(t, dbs[0], `UPDATE entries SET kind = CASE kind WHEN 'note' THEN 'mood' ELSE 'note' END
				WHERE id = (SELECT min(id) FROM entries)`)

			// The old recovery key still opens it (the keys survived), and sets a new passphrase.
			keyFile := filepath.Join(fixture, "recovery-key")
			newPass := filepath.Join(t.TempDir(), "new")
			if err := os.WriteFile(newPass, []byte("a new passphrase after the upgrade\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if r := companion(t, dir, nil, "profile", "recover", "Fixture", "--recovery-key-file", keyFile, "--new-passphrase-file", newPass); r.code != 0 {
				t.Fatalf("recovery key after upgrade: exit %d: %s", r.code, r.stderr)
			}
			r := companion(t, dir, []string{"COMPANION_PASSPHRASE=a new passphrase after the upgrade", "TZ=UTC"}, "--profile", "Fixture", "--json", "med", "list")
			if r.code != 0 {
				t.Fatalf("new passphrase after recovery: exit %d: %s", r.code, r.stderr)
			}
		})
	}
	if older == 0 {
		t.Error("no fixture is older than this build's schema: nothing was upgraded")
	}
}

// assertAllRecordsCurrent checks that every sealed row of the journal is in the current
// record format.
func assertAllRecordsCurrent(t *testing.T, path string) {
	t.Helper()
	j := datatest.OpenJournal(t, path)
	defer j.Close()
	db := j.DB
	for _, table := range []string{"entries", "medications", "schedule_steps", "dose_events", "appointments", "messages", "outbox", "settings", "secrets"} {
		var old int
		if err := db.QueryRow("SELECT count(*) FROM " + table + " WHERE fmt != 2").Scan(&old); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if old != 0 {
			t.Errorf("%s: %d records not re-sealed in format 2", table, old)
		}
	}
}

// edit changes a journal file behind the app's back, as a plain SQLite editor would, and
// closes it before the app runs again.
func edit(t *testing.T, path, query string) {
	t.Helper()
	j := datatest.OpenJournal(t, path)
	j.Exec(query)
	j.Close()
}

// assertSameJSON compares two JSON documents as values, so spacing does not matter.
func assertSameJSON(t *testing.T, name string, want, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s in the fixture: %v", name, err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s now: %v\n%s", name, err, got)
	}
	// A setting added since the old build is listed too, at its default: new, not changed.
	wm, wok := w.(map[string]any)
	gm, gok := g.(map[string]any)
	if name == "settings.json" && wok && gok {
		for k, v := range gm {
			def, err := data.DefaultSettings().Text(k)
			if _, old := wm[k]; !old && err == nil && v == def {
				delete(gm, k)
			}
		}
	}
	if !reflect.DeepEqual(w, g) {
		t.Errorf("%s differs after the upgrade:\nold build: %s\nnew build: %s", name, want, got)
	}
}

// onlyOldFields keeps of each object of a new build's list the fields the old build printed.
// A field added since (med list's stock, days_left, refill_by) must be null: nothing the old
// build recorded can have given it a value.
func onlyOldFields(t *testing.T, want, got []byte) []byte {
	t.Helper()
	var w, g []map[string]any
	if json.Unmarshal(want, &w) != nil || json.Unmarshal(got, &g) != nil || len(w) != len(g) {
		return got // assertSameJSON says what is wrong
	}
	for i := range g {
		for k, v := range g[i] {
			if _, ok := w[i][k]; !ok {
				if v != nil {
					t.Errorf("%s: the new field %s is %v after the upgrade, want null", g[i]["id"], k, v)
				}
				delete(g[i], k)
			}
		}
	}
	b, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// onlyOldSettings keeps of the new build's `settings get` output the settings the old build
// had: a setting added since has no value to compare (its default is checked elsewhere).
func onlyOldSettings(t *testing.T, want, got []byte) []byte {
	t.Helper()
	var w, g map[string]any
	if json.Unmarshal(want, &w) != nil || json.Unmarshal(got, &g) != nil {
		return got // assertSameJSON says what is wrong
	}
	for k := range g {
		if _, ok := w[k]; !ok {
			delete(g, k)
		}
	}
	b, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// schemaOf reads a journal file's user_version without changing it.
func schemaOf(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
