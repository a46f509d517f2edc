package data

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patient-companion/companion/data/vault"
)

// fastArgon2 keeps tests quick; the real cost is measured in BenchmarkUnlockPassphrase.
var fastArgon2 = vault.Argon2Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

// memKeyring stands in for the OS keyring in tests of this package's logic; the real one is
// exercised by TestProfileWithOSKeyring. It is not datatest.MemKeyring because datatest imports
// this package, which its internal tests then could not import (docs/ARCHITECTURE.md, Tests).
type memKeyring struct {
	mu   sync.Mutex
	keys map[string][]byte
	err  error
}

func (k *memKeyring) Get(_ context.Context, id string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return nil, k.err
	}
	v, ok := k.keys[id]
	if !ok {
		return nil, vault.ErrKeyringEntryMissing
	}
	return bytes.Clone(v), nil
}

func (k *memKeyring) Set(_ context.Context, id string, key []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return k.err
	}
	if k.keys == nil {
		k.keys = map[string][]byte{}
	}
	k.keys[id] = bytes.Clone(key)
	return nil
}

func (k *memKeyring) Delete(_ context.Context, id string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return k.err
	}
	delete(k.keys, id)
	return nil
}

func newProfiles(t testing.TB) *Profiles {
	t.Helper()
	return &Profiles{Dir: t.TempDir(), Argon2: fastArgon2, Keyring: &memKeyring{}}
}

func createPassphraseProfile(t testing.TB, p *Profiles, name, pass string) (*Store, vault.RecoveryKey) {
	t.Helper()
	s, rk, err := p.Create(context.Background(), CreateOptions{Name: name, Passphrase: []byte(pass), NoKeyring: true})
	if err != nil {
		t.Fatalf("create profile: %v", err)
	}
	return s, rk
}

// snapshot reads every file under dir.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		out[path] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func assertSameFiles(t *testing.T, before, after map[string][]byte) {
	t.Helper()
	for p, b := range before {
		if a, ok := after[p]; !ok {
			t.Errorf("%s disappeared", p)
		} else if !bytes.Equal(a, b) {
			t.Errorf("%s changed", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s appeared", p)
		}
	}
}

func TestJournalRoundTrip(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "Alice", "pw")
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i, name := range []string{"Headache", "Back pain", "Headache"} {
		_, err := s.AddSymptom(ctx, Symptom{Name: name, Severity: i + 3, At: base.Add(time.Duration(i) * time.Hour), Note: "note " + name, Duration: 30 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	info, err := p.Find(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !info.HasPassphrase || info.HasKeyring {
		t.Fatalf("info = %+v", info)
	}
	s, err = p.Open(ctx, info, Credentials{Passphrase: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.ListEntries(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].Name != "Headache" || *all[0].Severity != 5 || all[1].Name != "Back pain" {
		t.Fatalf("entries = %+v", all)
	}
	if all[0].Duration != 30*time.Minute || all[0].Note != "note Headache" {
		t.Fatalf("entry fields lost: %+v", all[0])
	}
	// since inclusive, until exclusive
	got, err := s.ListEntries(ctx, base.Add(time.Hour), base.Add(2*time.Hour))
	if err != nil || len(got) != 1 || got[0].Name != "Back pain" {
		t.Fatalf("range = %+v, %v", got, err)
	}
	found, err := s.Search(ctx, "HEAD")
	if err != nil || len(found) != 2 {
		t.Fatalf("search = %+v, %v", found, err)
	}
	if _, err := s.AddSymptom(ctx, Symptom{Name: "Headache again", Severity: 1, At: base.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	found, _ = s.Search(ctx, "headache")
	if len(found) != 3 || found[2].Name != "Headache again" {
		t.Fatalf("index not kept current or not newest first: %+v", found)
	}
}

func TestSymptomValidation(t *testing.T) {
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "A", "pw")
	defer s.Close()
	for name, in := range map[string]Symptom{
		"empty name":        {Name: "  ", Severity: 3},
		"severity above 10": {Name: "x", Severity: 11},
		"negative severity": {Name: "x", Severity: -1},
		"negative duration": {Name: "x", Severity: 1, Duration: -time.Minute},
	} {
		if _, err := s.AddSymptom(context.Background(), in); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
	if n, _ := s.CountEntries(context.Background()); n != 0 {
		t.Fatalf("invalid input wrote %d entries", n)
	}
}

func TestProfileNames(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "Mum", "pw")
	s.Close()
	if _, _, err := p.Create(ctx, CreateOptions{Name: "mum", Passphrase: []byte("x"), NoKeyring: true}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate name: %v", err)
	}
	if _, _, err := p.Create(ctx, CreateOptions{Name: " ", NoKeyring: true, Passphrase: []byte("x")}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty name: %v", err)
	}
	if _, _, err := p.Create(ctx, CreateOptions{Name: "Dad", NoKeyring: true}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("no keyring and no passphrase: %v", err)
	}
	if _, err := p.Find(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown profile: %v", err)
	}
	list, _ := p.List(ctx)
	if len(list) != 1 {
		t.Fatalf("failed creates left profiles behind: %+v", list)
	}
}

func TestWrongPassphraseChangesNothing(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "A", "right")
	s.AddSymptom(ctx, Symptom{Name: "Cough", Severity: 2})
	s.Close()
	info, _ := p.Find(ctx, "A")
	before := snapshot(t, p.Dir)
	if _, err := p.Open(ctx, info, Credentials{Passphrase: []byte("wrong")}); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("err = %v, want ErrWrongPassphrase", err)
	}
	if _, err := p.Open(ctx, info, Credentials{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("no passphrase: err = %v, want ErrLocked", err)
	}
	assertSameFiles(t, before, snapshot(t, p.Dir))
}

func TestPassphraseChangeAndRecovery(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, rk := createPassphraseProfile(t, p, "A", "old")
	for i := 0; i < 5; i++ {
		s.AddSymptom(ctx, Symptom{Name: "Dizziness", Severity: i})
	}
	if err := s.SetPassphrase(ctx, []byte("new"), fastArgon2); err != nil {
		t.Fatal(err)
	}
	s.Close()
	info, _ := p.Find(ctx, "A")
	if _, err := p.Open(ctx, info, Credentials{Passphrase: []byte("old")}); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("old passphrase still works: %v", err)
	}
	// Forget the passphrase; recover with the recovery key.
	other, _ := vault.NewRecoveryKey()
	if _, err := p.Recover(ctx, info, other, []byte("newer")); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("someone else's recovery key: %v", err)
	}
	s, err := p.Recover(ctx, info, rk, []byte("newer"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = p.Open(ctx, info, Credentials{Passphrase: []byte("newer")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.CountEntries(ctx); n != 5 {
		t.Fatalf("after recovery %d entries, want 5", n)
	}
	all, err := s.ListEntries(ctx, time.Time{}, time.Time{})
	if err != nil || len(all) != 5 {
		t.Fatalf("entries after recovery: %d, %v", len(all), err)
	}
}

func TestKeyringProfile(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	kr := p.Keyring.(*memKeyring)
	s, _, err := p.Create(ctx, CreateOptions{Name: "K"})
	if err != nil {
		t.Fatal(err)
	}
	id := s.Info().ID
	s.Close()
	info, _ := p.Find(ctx, "K")
	if !info.HasKeyring || info.HasPassphrase {
		t.Fatalf("info = %+v", info)
	}
	s, err = p.Open(ctx, info, Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// A keyring that does not answer: a clear "locked" error naming the cause.
	kr.err = vault.ErrKeyringUnavailable
	if _, err := p.Open(ctx, info, Credentials{}); !errors.Is(err, ErrLocked) || !errors.Is(err, vault.ErrKeyringUnavailable) {
		t.Fatalf("keyring down: %v", err)
	}
	if _, _, err := p.Create(ctx, CreateOptions{Name: "K2"}); !errors.Is(err, vault.ErrKeyringUnavailable) || !strings.Contains(err.Error(), "passphrase") {
		t.Fatalf("create without keyring: %v", err)
	}
	kr.err = nil
	if err := p.Delete(ctx, info); err != nil {
		t.Fatal(err)
	}
	if _, ok := kr.keys[id]; ok {
		t.Fatal("delete left the keyring key")
	}
	if _, err := os.Stat(info.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("delete left the files: %v", err)
	}
}

// TestProfileWithOSKeyring creates, unlocks and deletes a profile against the real Secret
// Service (gnome-keyring over D-Bus, started by scripts/test-env.sh).
func TestProfileWithOSKeyring(t *testing.T) {
	ctx := context.Background()
	kr := vault.OSKeyring{}
	p := &Profiles{Dir: t.TempDir(), Keyring: kr, Argon2: fastArgon2}
	s, _, err := p.Create(ctx, CreateOptions{Name: "Real keyring"})
	if err != nil {
		if os.Getenv("COMPANION_REQUIRE_KEYRING") == "" && errors.Is(err, vault.ErrKeyringUnavailable) {
			t.Skipf("no keyring here: %v", err)
		}
		t.Fatal(err)
	}
	id := s.Info().ID
	s.AddSymptom(ctx, Symptom{Name: "Fever", Severity: 6})
	s.Close()
	if _, err := kr.Get(ctx, id); err != nil {
		t.Fatalf("keyring item missing after create: %v", err)
	}
	info, _ := p.Find(ctx, "real keyring")
	s, err = p.Open(ctx, info, Credentials{})
	if err != nil {
		t.Fatalf("unlock with the keyring: %v", err)
	}
	if n, _ := s.CountEntries(ctx); n != 1 {
		t.Fatalf("%d entries", n)
	}
	s.Close()
	if err := p.Delete(ctx, info); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Get(ctx, id); !errors.Is(err, vault.ErrKeyringEntryMissing) {
		t.Fatalf("keyring item after delete: %v", err)
	}
}

func TestTamperedRecord(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "A", "pw")
	defer s.Close()
	var ids []string
	for i := 0; i < 5; i++ {
		e, _ := s.AddSymptom(ctx, Symptom{Name: "Nausea", Severity: i, At: time.Now().Add(-time.Duration(i) * time.Minute)})
		ids = append(ids, e.ID)
	}
	flipBlobByte(t, s.DB(), "entries", ids[2])
	got, err := s.ListEntries(ctx, time.Time{}, time.Time{})
	var te *TamperedError
	if !errors.As(err, &te) || len(te.Records) != 1 || te.Records[0].ID != ids[2] {
		t.Fatalf("err = %v, want TamperedError naming %s", err, ids[2])
	}
	if len(got) != 4 {
		t.Fatalf("the other records: got %d, want 4", len(got))
	}
	if !strings.Contains(err.Error(), ids[2]) {
		t.Fatalf("error does not name the record: %v", err)
	}
	// Moving a valid blob onto another row is tampering too.
	moveBlob(t, s.DB(), ids[0], ids[1])
	_, err = s.ListEntries(ctx, time.Time{}, time.Time{})
	if !errors.As(err, &te) || len(te.Records) != 2 {
		t.Fatalf("moved blob: err = %v", err)
	}
	if _, err := s.Search(ctx, "nausea"); !errors.As(err, &te) {
		t.Fatalf("search hides the damage: %v", err)
	}
}

func flipBlobByte(t *testing.T, db *sql.DB, table, id string) {
	t.Helper()
	var blob []byte
	if err := db.QueryRow("SELECT sealed FROM "+table+" WHERE id = ?", id).Scan(&blob); err != nil {
		t.Fatal(err)
	}
	blob[len(blob)/2] ^= 0x40
	if _, err := db.Exec("UPDATE "+table+" SET sealed = ? WHERE id = ?", blob, id); err != nil {
		t.Fatal(err)
	}
}

func moveBlob(t *testing.T, db *sql.DB, from, to string) {
	t.Helper()
	if _, err := db.Exec("UPDATE entries SET sealed = (SELECT sealed FROM entries WHERE id = ?) WHERE id = ?", from, to); err != nil {
		t.Fatal(err)
	}
}

func TestBadFiles(t *testing.T) {
	ctx := context.Background()
	foreign := func(t *testing.T, path string) {
		db, err := sql.Open("sqlite3", "file:"+path+"?mode=rwc")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)"); err != nil {
			t.Fatal(err)
		}
	}
	newer := func(t *testing.T, path string) {
		db, err := sql.Open("sqlite3", "file:"+path+"?mode=rw")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec("PRAGMA journal_mode = DELETE; PRAGMA user_version = 999"); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		damage func(t *testing.T, path string)
		want   error
		reason string
	}{
		{"empty file", func(t *testing.T, path string) { os.WriteFile(path, nil, 0o600) }, ErrNotOurFile, "empty"},
		{"not sqlite", func(t *testing.T, path string) {
			os.WriteFile(path, []byte(strings.Repeat("hello, world\n", 40)), 0o600)
		}, ErrNotOurFile, "not an SQLite"},
		{"short file", func(t *testing.T, path string) { os.WriteFile(path, []byte("SQLite format 3\x00"), 0o600) }, ErrNotOurFile, "too short"},
		{"foreign sqlite", func(t *testing.T, path string) { os.Remove(path); foreign(t, path) }, ErrNotOurFile, "application id"},
		{"newer schema", newer, ErrNewerSchema, "newer version"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newProfiles(t)
			s, _ := createPassphraseProfile(t, p, "A", "pw")
			info := s.Info()
			s.Close()
			path := filepath.Join(info.Dir, dbName)
			tc.damage(t, path)
			before := snapshot(t, p.Dir)
			_, err := p.Open(ctx, info, Credentials{Passphrase: []byte("pw")})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open: err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.reason) || !strings.Contains(err.Error(), "not changed") {
				t.Fatalf("unclear error: %v", err)
			}
			list, err := p.List(ctx)
			if err != nil || len(list) != 1 || !errors.Is(list[0].Err, tc.want) {
				t.Fatalf("List = %+v, %v", list, err)
			}
			assertSameFiles(t, before, snapshot(t, p.Dir))
		})
	}
}

func TestNoPlaintextAtRest(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "A", "pw")
	markers := []string{"ZQXMARKERSYMPTOM", "ZQXMARKERNOTE", "ZQXMARKERMED", "ZQXMARKERDOSE"}
	s.AddSymptom(ctx, Symptom{Name: markers[0], Severity: 4, Note: markers[1]})
	_, err := s.AddMedication(ctx, Medication{Name: markers[2], Dose: markers[3], Steps: []Step{{Times: []TimeOfDay{480}}}})
	if err != nil {
		t.Fatal(err)
	}
	// Scan while open (WAL and shm present) and after closing.
	scan := func() {
		for path, b := range snapshot(t, p.Dir) {
			for _, m := range markers {
				if bytes.Contains(b, []byte(m)) || bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(m))) {
					t.Errorf("%s holds %q in the clear", path, m)
				}
			}
		}
	}
	scan()
	s.Close()
	scan()
}

func TestMedications(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "A", "pw")
	defer s.Close()
	m, err := s.AddMedication(ctx, Medication{Name: "Metformin", Dose: "500 mg", Steps: []Step{{Times: []TimeOfDay{20 * 60, 8 * 60}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddMedication(ctx, Medication{Name: "Aspirin"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("no times: %v", err)
	}
	if _, err := s.AddMedication(ctx, Medication{Name: "X", Steps: []Step{{Times: []TimeOfDay{60, 60}}}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("duplicate time: %v", err)
	}
	list, err := s.ListMedications(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	got := list[0]
	if got.ID != m.ID || got.Name != "Metformin" || got.Dose != "500 mg" || got.DoseWindow != DefaultDoseWindow {
		t.Fatalf("got %+v", got)
	}
	if txt := got.ScheduleText(); !strings.HasPrefix(txt, "08:00, 20:00 every day from ") {
		t.Fatalf("schedule text %q", txt)
	}
}

func TestParseTimeOfDay(t *testing.T) {
	good := map[string]TimeOfDay{"08:00": 480, "8:05": 485, "23:59": 1439, "00:00": 0}
	for in, want := range good {
		if got, err := ParseTimeOfDay(in); err != nil || got != want {
			t.Errorf("%q = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"25:00", "12:60", "8", "8:5", "noon", "", "12:00:00", "-1:00"} {
		if _, err := ParseTimeOfDay(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestDemoEntriesDeterministic(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }
	var runs [2][]Entry
	for i := range runs {
		p := newProfiles(t)
		p.Now, p.Location = now, time.UTC
		s, _ := createPassphraseProfile(t, p, "Demo", "pw")
		if err := s.AddDemoEntries(ctx, 300, nil); err != nil {
			t.Fatal(err)
		}
		runs[i], _ = s.ListEntries(ctx, time.Time{}, time.Time{})
		s.Close()
	}
	if len(runs[0]) != 300 {
		t.Fatalf("%d entries", len(runs[0]))
	}
	for i := range runs[0] {
		a, b := runs[0][i], runs[1][i]
		if a.ID != b.ID || a.Name != b.Name || !a.At.Equal(b.At) || a.Note != b.Note {
			t.Fatalf("entry %d differs: %+v vs %+v", i, a, b)
		}
		if a.At.After(now()) {
			t.Fatalf("demo entry in the future: %v", a.At)
		}
	}
	kinds := map[Kind]int{}
	for _, e := range runs[0] {
		kinds[e.Kind]++
	}
	if kinds[KindSymptom] == 0 || kinds[KindMood] == 0 || kinds[KindNote] == 0 {
		t.Fatalf("kinds = %v", kinds)
	}
}

func TestDemoProfile(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	p.Now, p.Location = func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }, time.UTC
	s, _ := createPassphraseProfile(t, p, "Demo", "pw")
	defer s.Close()
	if err := s.AddDemoProfile(ctx); err != nil {
		t.Fatal(err)
	}
	meds, _ := s.ListMedications(ctx)
	appts, _ := s.ListAppointments(ctx, time.Time{}, time.Time{})
	msgs, _ := s.ListMessages(ctx)
	doses, _ := s.DoseEvents(ctx, "", time.Time{}, time.Time{})
	out, _ := s.Outbox(ctx)
	if len(meds) != 4 || len(appts) != 4 || len(msgs) != 4 || len(out) != 0 {
		t.Fatalf("meds %d, appointments %d, messages %d, outbox %d", len(meds), len(appts), len(msgs), len(out))
	}
	states := map[string]int{}
	for _, d := range doses {
		states[d.State]++
	}
	// 90 days × 4 scheduled doses, today's 08:00 doses (the clock says 12:00), 12 as needed.
	if len(doses) != 90*4+2+12 || states[DoseTaken] == 0 || states[DoseMissed] == 0 || states[DoseSkipped] == 0 {
		t.Fatalf("%d doses, states %v", len(doses), states)
	}
	// Blood pressure every other day for six weeks (today's at 07:40 or later), weight weekly.
	bp, _ := s.ListVitals(ctx, VitalBloodPressure, time.Time{})
	wt, _ := s.ListVitals(ctx, VitalWeight, time.Time{})
	if set, _ := s.Settings(ctx); len(bp) != 22 || len(wt) != 7 || set.Targets[VitalBloodPressure].Hi != 135 {
		t.Fatalf("%d blood pressures, %d weights, target %+v", len(bp), len(wt), set.Targets)
	}
	// The health record: every type, dated back from today, and Metformin linked to it.
	res, err := s.ClinicalResources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	latest := ""
	for _, r := range res {
		types[r.Type]++
		if bytes.Contains(r.Raw, []byte("{{")) {
			t.Errorf("%s %s has a date left unfilled", r.Type, r.RemoteID)
		}
		if r.RemoteID == "demo-obs-a1c-4" {
			latest = string(r.Raw)
		}
	}
	want := map[string]int{"Condition": 4, "AllergyIntolerance": 2, "MedicationRequest": 3, "Observation": 18,
		"DiagnosticReport": 1, "Immunization": 2, "DocumentReference": 2}
	if !maps.Equal(types, want) {
		t.Errorf("record types %v, want %v", types, want)
	}
	if !strings.Contains(latest, `"2026-11-04T08:45:00Z"`) {
		t.Errorf("the latest HbA1c is not 21 days before today: %.200s", latest)
	}
	if meds[0].FromRecord == "" && meds[1].FromRecord == "" && meds[2].FromRecord == "" && meds[3].FromRecord == "" {
		t.Error("no demo medicine is linked to the demo record")
	}
}
