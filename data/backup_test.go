package data_test

// Backup and restore through the store's API, with real SQLite files and the datatest kit.
// The command line's contract (exit codes, another HOME, a writer in another process) is
// tested on the built binary in the root package (backup_cli_test.go).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
	"github.com/patient-companion/companion/data/vault"
)

const backupPass = "a long passphrase"

// snapshotLists is every list a person sees, as JSON (comparable across stores).
func snapshotLists(t *testing.T, s *data.Store) string {
	t.Helper()
	ctx := context.Background()
	entries, err := s.ListEntries(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	meds, err := s.ListMedications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var doses []data.DoseEvent
	for _, m := range meds {
		d, err := s.DoseEvents(ctx, m.ID, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		doses = append(doses, d...)
	}
	appts, err := s.ListAppointments(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := s.ListMessages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	settings, err := s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(map[string]any{"entries": entries, "meds": meds, "doses": doses,
		"appointments": appts, "messages": msgs, "settings": settings, "name": s.Info().Name,
		"created": s.Info().CreatedAt.UTC()})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// filledProfile is a keyring profile with the demo data (journal, medicines and doses,
// appointments, notes) and a changed setting.
func filledProfile(t *testing.T) (*data.Profiles, *data.Store, vault.RecoveryKey) {
	t.Helper()
	p := datatest.NewProfiles(t, &datatest.MemKeyring{})
	s, rk := datatest.CreateKeyring(t, p, "Anastasia Quill")
	ctx := context.Background()
	if err := s.AddDemoProfile(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "reminders.hide_names", "true"); err != nil {
		t.Fatal(err)
	}
	return p, s, rk
}

func backupBytes(t *testing.T, s *data.Store) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := s.WriteBackup(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestBackupRestoreNewComputer: a backup restores on a computer with an empty keyring and
// another data folder, with the recovery key alone; every list is identical, and the
// restored profile opens with its new passphrase and the new keyring.
func TestBackupRestoreNewComputer(t *testing.T) {
	_, s, rk := filledProfile(t)
	want := snapshotLists(t, s)
	out := filepath.Join(t.TempDir(), "ana.backup")
	if err := s.BackupTo(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing readable inside, not even the name.
	for _, clear := range []string{"Anastasia Quill", "SQLite format", "Headache", "Ibuprofen"} {
		if bytes.Contains(raw, []byte(clear)) {
			t.Errorf("the backup holds %q in the clear at %d of %d: %q", clear, bytes.Index(raw, []byte(clear)), len(raw), raw[max(0, bytes.Index(raw, []byte(clear))-40):bytes.Index(raw, []byte(clear))+10])
		}
	}

	kr := &datatest.MemKeyring{}
	q := datatest.NewProfiles(t, kr)
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := q.Restore(context.Background(), f, data.RestoreOptions{RecoveryKey: rk, Passphrase: []byte(backupPass)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Info().ID != s.Info().ID || !r.Info().HasPassphrase || !r.Info().HasKeyring {
		t.Errorf("restored %+v", r.Info())
	}
	if got := snapshotLists(t, r); got != want {
		t.Errorf("restored lists differ:\n got %.400s\nwant %.400s", got, want)
	}
	r.Close()
	if got := snapshotLists(t, datatest.Open(t, q, "Anastasia Quill", backupPass)); got != want {
		t.Error("lists differ after reopening with the new passphrase")
	}
	if got := snapshotLists(t, datatest.Open(t, q, "Anastasia Quill", "")); got != want {
		t.Error("lists differ after reopening with the keyring")
	}
	// The recovery key still recovers the restored profile.
	info, err := q.Find(context.Background(), "Anastasia Quill")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := q.Recover(context.Background(), info, rk, []byte("another long passphrase"))
	if err != nil {
		t.Fatalf("recover the restored profile: %v", err)
	}
	rs.Close()
}

// TestBackupUnattended: a profile made before backups existed gets its backup key on its
// first backup; a second backup needs no recovery key either, and both restore.
func TestBackupUnattended(t *testing.T) {
	_, s, rk := filledProfile(t)
	b1, b2 := backupBytes(t, s), backupBytes(t, s)
	for i, b := range [][]byte{b1, b2} {
		q := datatest.NewProfiles(t, nil)
		r, err := q.Restore(context.Background(), bytes.NewReader(b), data.RestoreOptions{RecoveryKey: rk, Passphrase: []byte(backupPass)})
		if err != nil {
			t.Fatalf("backup %d: %v", i+1, err)
		}
		r.Close()
	}
}

// TestRestoreDamaged: a flipped byte anywhere, or a truncated file, is damage, and nothing
// is created in the data folder.
func TestRestoreDamaged(t *testing.T) {
	_, s, rk := filledProfile(t)
	good := backupBytes(t, s)
	var cases [][]byte
	for _, off := range []int{0, 20, 29, 31, 40, 100, 200, len(good) / 3, len(good) / 2, len(good) - 20, len(good) - 1} {
		b := bytes.Clone(good)
		b[off] ^= 0x01
		cases = append(cases, b)
	}
	for _, n := range []int{0, 10, 31, 200, len(good) / 2, len(good) - 1} {
		cases = append(cases, good[:n])
	}
	cases = append(cases, append(bytes.Clone(good), 0)) // a byte added at the end
	for i, b := range cases {
		q := datatest.NewProfiles(t, &datatest.MemKeyring{})
		_, err := q.Restore(context.Background(), bytes.NewReader(b), data.RestoreOptions{RecoveryKey: rk, Passphrase: []byte(backupPass)})
		if !data.IsDamaged(err) {
			t.Errorf("case %d: err = %v, want damage", i, err)
		}
		if files := datatest.Files(t, q.Dir); len(files) != 0 {
			t.Errorf("case %d: files left: %v", i, keys(files))
		}
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestRestoreWrongKey: another profile's recovery key is a wrong key, and nothing is created.
func TestRestoreWrongKey(t *testing.T) {
	_, s, _ := filledProfile(t)
	other, err := vault.NewRecoveryKey()
	if err != nil {
		t.Fatal(err)
	}
	q := datatest.NewProfiles(t, &datatest.MemKeyring{})
	_, err = q.Restore(context.Background(), bytes.NewReader(backupBytes(t, s)), data.RestoreOptions{RecoveryKey: other, Passphrase: []byte(backupPass)})
	if !errors.Is(err, data.ErrWrongPassphrase) || data.IsDamaged(err) {
		t.Fatalf("err = %v, want a wrong key", err)
	}
	if files := datatest.Files(t, q.Dir); len(files) != 0 {
		t.Errorf("files left: %v", keys(files))
	}
}

// TestRestoreExistsAndReplace: a profile with the same id is not overwritten unless asked;
// --replace puts the backup in its place and keeps the keyring key it shares.
func TestRestoreExistsAndReplace(t *testing.T) {
	p, s, rk := filledProfile(t)
	ctx := context.Background()
	b := backupBytes(t, s)
	want := snapshotLists(t, s)
	if _, err := s.AddSymptom(ctx, data.Symptom{Name: "After the backup", Severity: 3}); err != nil {
		t.Fatal(err)
	}
	changed := snapshotLists(t, s)
	s.Close()
	before := datatest.Files(t, p.Dir)
	_, err := p.Restore(ctx, bytes.NewReader(b), data.RestoreOptions{RecoveryKey: rk})
	if !errors.Is(err, data.ErrExists) {
		t.Fatalf("err = %v, want ErrExists", err)
	}
	datatest.AssertSameFiles(t, before, datatest.Files(t, p.Dir))
	if got := snapshotLists(t, datatest.Open(t, p, "Anastasia Quill", "")); got != changed {
		t.Error("the refused restore changed the profile")
	}
	// A damaged backup with --replace leaves the old profile as it was.
	bad := bytes.Clone(b)
	bad[len(bad)-5] ^= 1
	if _, err := p.Restore(ctx, bytes.NewReader(bad), data.RestoreOptions{RecoveryKey: rk, Replace: true}); !data.IsDamaged(err) {
		t.Fatalf("err = %v, want damage", err)
	}
	r, err := p.Restore(ctx, bytes.NewReader(b), data.RestoreOptions{RecoveryKey: rk, Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if got := snapshotLists(t, datatest.Open(t, p, "Anastasia Quill", "")); got != want {
		t.Error("after --replace the profile is not the backup's")
	}
	all, err := p.List(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("profiles after replace: %v %v", all, err)
	}
	ents, _ := os.ReadDir(filepath.Join(p.Dir, "profiles"))
	for _, e := range ents {
		if e.IsDir() && e.Name() != s.Info().ID {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestRestoreReplaceCrash: restore --replace killed between its two renames leaves the old
// profile aside (.replaced-<id>) and the new one unfinished (.creating-<id>, its lock
// released); the next start puts the old profile back, with its keyring key.
func TestRestoreReplaceCrash(t *testing.T) {
	p, s, _ := filledProfile(t)
	ctx := context.Background()
	want := snapshotLists(t, s)
	id := s.Info().ID
	s.Close()
	root := filepath.Join(p.Dir, "profiles")
	if err := os.Rename(filepath.Join(root, id), filepath.Join(root, ".replaced-"+id)); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, ".creating-"+id), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := p.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if got := snapshotLists(t, datatest.Open(t, p, "Anastasia Quill", "")); got != want {
		t.Error("the old profile did not come back whole, with its keyring key")
	}
	for _, n := range []string{".replaced-" + id, ".creating-" + id} {
		if _, err := os.Stat(filepath.Join(root, n)); err == nil {
			t.Errorf("%s left after the sweep", n)
		}
	}
	// Killed after the second rename: the new one is in place, the old one is removed.
	if err := os.Mkdir(filepath.Join(root, ".replaced-"+id), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := p.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, ".replaced-"+id)); err == nil {
		t.Error(".replaced- left after the sweep")
	}
	datatest.Open(t, p, "Anastasia Quill", "")
}

// TestRestoreAs: --as makes a copy with a new id and name beside the original; both open,
// the copy with the same recovery key, and the copy is signed out of the portal.
func TestRestoreAs(t *testing.T) {
	p, s, rk := filledProfile(t)
	ctx := context.Background()
	if err := s.PutSecret(ctx, "portal.token", map[string]string{"refresh": "x"}); err != nil {
		t.Fatal(err)
	}
	want := snapshotLists(t, s)
	b := backupBytes(t, s)
	if _, err := p.Restore(ctx, bytes.NewReader(b), data.RestoreOptions{RecoveryKey: rk, As: "anastasia quill"}); !errors.Is(err, data.ErrExists) {
		t.Fatalf("a copy under a name in use (case aside): %v, want ErrExists", err)
	}
	r, err := p.Restore(ctx, bytes.NewReader(b), data.RestoreOptions{RecoveryKey: rk, As: "Ana (copy)", Passphrase: []byte(backupPass)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Info().ID == s.Info().ID || r.Info().Name != "Ana (copy)" {
		t.Fatalf("copy %+v", r.Info())
	}
	var tok map[string]string
	if ok, err := r.Secret(ctx, "portal.token", &tok); ok || err != nil {
		t.Errorf("the copy kept the portal sign-in (%v, %v)", ok, err)
	}
	r.Close()
	c := datatest.Open(t, p, "Ana (copy)", backupPass)
	if err := c.Damage(); err != nil {
		t.Errorf("copy damage: %v", err)
	}
	var gotMap, wantMap map[string]any
	json.Unmarshal([]byte(snapshotLists(t, c)), &gotMap)
	json.Unmarshal([]byte(want), &wantMap)
	delete(gotMap, "name")
	delete(wantMap, "name")
	if !reflect.DeepEqual(gotMap, wantMap) {
		t.Error("the copy's lists differ from the original's")
	}
	datatest.Open(t, p, "Anastasia Quill", "")
	info, err := p.Find(ctx, "Ana (copy)")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := p.Recover(ctx, info, rk, []byte("another long passphrase"))
	if err != nil {
		t.Fatalf("recover the copy: %v", err)
	}
	rs.Close()
}

// TestRestoreOtherFolderSameKeyring: restoring into another data folder of the same account
// (one keyring) reuses the key kept under the profile's id, so the original keeps opening.
func TestRestoreOtherFolderSameKeyring(t *testing.T) {
	p, s, rk := filledProfile(t)
	b := backupBytes(t, s)
	s.Close()
	q := &data.Profiles{Dir: t.TempDir(), Keyring: p.Keyring, Argon2: datatest.FastArgon2()}
	r, err := q.Restore(context.Background(), bytes.NewReader(b), data.RestoreOptions{RecoveryKey: rk})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	datatest.Open(t, p, "Anastasia Quill", "")
	datatest.Open(t, q, "Anastasia Quill", "")
}

// TestBackupOldProfile: a profile written by schema 1 (before backups, its recovery key
// never stored anywhere) is upgraded on opening, gets its backup key on its first backup,
// and the backup restores with the recovery key written down at its creation.
func TestBackupOldProfile(t *testing.T) {
	for _, schema := range []string{"schema1", "schema3"} {
		t.Run(schema, func(t *testing.T) {
			fixture := filepath.Join("..", "testdata", "upgrade", schema)
			p := &data.Profiles{Dir: datatest.CopyDir(t, filepath.Join(fixture, "data")), Location: time.UTC, Argon2: datatest.FastArgon2()}
			s := datatest.Open(t, p, "Fixture", "upgrade fixture passphrase")
			want := snapshotLists(t, s)
			b := backupBytes(t, s)
			raw, err := os.ReadFile(filepath.Join(fixture, "recovery-key"))
			if err != nil {
				t.Fatal(err)
			}
			rk, err := vault.ParseRecoveryKey(string(raw))
			if err != nil {
				t.Fatal(err)
			}
			q := &data.Profiles{Dir: t.TempDir(), Location: time.UTC, Argon2: datatest.FastArgon2()}
			r, err := q.Restore(context.Background(), bytes.NewReader(b), data.RestoreOptions{RecoveryKey: rk, Passphrase: []byte(backupPass)})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got := snapshotLists(t, r); got != want {
				t.Errorf("lists differ:\n got %.300s\nwant %.300s", got, want)
			}
		})
	}
}

// TestRestoreNameTaken: a backup whose profile's name another profile here has (another
// id) is refused, saying how to restore it anyway, and leaves nothing.
func TestRestoreNameTaken(t *testing.T) {
	_, s, rk := filledProfile(t)
	b := backupBytes(t, s)
	q := datatest.NewProfiles(t, &datatest.MemKeyring{})
	datatest.CreateKeyring(t, q, "anastasia quill")
	before := datatest.Files(t, q.Dir)
	_, err := q.Restore(context.Background(), bytes.NewReader(b), data.RestoreOptions{RecoveryKey: rk})
	if !errors.Is(err, data.ErrExists) || !strings.Contains(err.Error(), "--as") {
		t.Fatalf("err = %v, want ErrExists naming --as", err)
	}
	datatest.AssertSameFiles(t, before, datatest.Files(t, q.Dir))
	if q.Keyring.(*datatest.MemKeyring).Has(s.Info().ID) {
		t.Error("the refused restore left a keyring key")
	}
}
