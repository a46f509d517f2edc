//go:build unix || windows

package data

// Tests of the profile folder as someone with access to the files, or a careless user, would
// treat it (issue 10): odd paths, copied journals, damaged files, half-made profiles, names
// made at the same moment.

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patient-companion/companion/data/vault"
)

// TestOddDataDirPaths: characters that mean something in a URI (#, ?, %), spaces and
// non-ASCII in the data folder stay part of the path everywhere, and nothing is written
// beside the folder.
func TestOddDataDirPaths(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"a#b", "what?now", "100%25 sure", "two  spaces", "Ünïcødé 日本", "#?% ü x"} {
		t.Run(name, func(t *testing.T) {
			base := t.TempDir()
			p := &Profiles{Dir: filepath.Join(base, name), Argon2: fastArgon2, Keyring: &memKeyring{}}
			s, _, err := p.Create(ctx, CreateOptions{Name: "Odd", Passphrase: []byte("odd path pass"), NoKeyring: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.AddSymptom(ctx, Symptom{Name: "Cough", Severity: 3}); err != nil {
				t.Fatal(err)
			}
			unlock, err := s.LockSync(ctx)
			if err != nil {
				t.Fatal(err)
			}
			unlock()
			s.Close()
			info, err := p.Find(ctx, "Odd")
			if err != nil || info.Err != nil {
				t.Fatalf("find: %+v %v", info, err)
			}
			s, err = p.Open(ctx, info, Credentials{Passphrase: []byte("odd path pass")})
			if err != nil {
				t.Fatal(err)
			}
			if es, err := s.ListEntries(ctx, time.Time{}, time.Time{}); err != nil || len(es) != 1 {
				t.Fatalf("entries: %v %v", es, err)
			}
			s.Close()
			onlyInside(t, base, name)
			if err := p.Delete(ctx, info); err != nil {
				t.Fatal(err)
			}
			onlyInside(t, base, name)
			left := snapshot(t, p.Dir)
			delete(left, filepath.Join(p.Dir, "profiles", namesLockName)) // empty; it only locks
			if len(left) != 0 {
				t.Fatalf("after delete: %v", left)
			}
		})
	}
}

// onlyInside fails if base holds anything but the folder name, or if a file in it may be
// read by others.
func onlyInside(t *testing.T, base, name string) {
	t.Helper()
	ents, err := os.ReadDir(base)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != name {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("beside the data folder: %q", names)
	}
	filepath.WalkDir(filepath.Join(base, name), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if fi, _ := d.Info(); !d.IsDir() && fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v", p, fi.Mode())
		}
		return nil
	})
}

// TestStoredIDMustMatchFolder: a journal copied into another profile's folder is damage, not
// a second profile with the first one's id.
func TestStoredIDMustMatchFolder(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	a, _ := createPassphraseProfile(t, p, "Ann", "pw")
	b, _ := createPassphraseProfile(t, p, "Bea", "pw")
	aInfo, bInfo := a.Info(), b.Info()
	a.Close()
	b.Close()
	raw, err := os.ReadFile(filepath.Join(aInfo.Dir, dbName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bInfo.Dir, dbName), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	list, err := p.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var bad *ProfileInfo
	for i, pi := range list {
		if pi.ID == aInfo.ID && pi.Dir != aInfo.Dir {
			t.Fatalf("two profiles with id %s: %+v", aInfo.ID, list)
		}
		if filepath.Base(pi.Dir) == bInfo.ID {
			bad = &list[i]
		}
	}
	if bad == nil || bad.Err == nil || !IsDamaged(bad.Err) || bad.ID != bInfo.ID || !strings.Contains(bad.Err.Error(), bInfo.ID) {
		t.Fatalf("copied journal listed as %+v", bad)
	}
	// Opened by folder, with the other profile's passphrase: damaged, not unlocked.
	_, err = p.Open(ctx, ProfileInfo{ID: bInfo.ID, Dir: bInfo.Dir}, Credentials{Passphrase: []byte("pw")})
	if !IsDamaged(err) {
		t.Fatalf("open the copy: %v", err)
	}
	if info, err := p.Find(ctx, "Ann"); err != nil || info.Dir != aInfo.Dir {
		t.Fatalf("the original: %+v %v", info, err)
	}
}

// TestFindNamesUnreadableFolder: a name that matches no readable profile, while some folder
// cannot be read (the name may be inside it), is damage naming that folder, not "not found".
func TestFindNamesUnreadableFolder(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "Pat", "pw")
	info := s.Info()
	s.Close()
	if err := os.WriteFile(filepath.Join(info.Dir, dbName), make([]byte, 8192), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := p.Find(ctx, "Pat")
	if !IsDamaged(err) || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), info.ID) {
		t.Fatalf("find a name while a folder is unreadable: %v", err)
	}
}

// TestAmbiguousName: two profiles with one name (made by an older version, or by copying)
// are never picked between silently.
func TestAmbiguousName(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	a, _ := createPassphraseProfile(t, p, "Dup", "pw")
	b, _ := createPassphraseProfile(t, p, "Other", "pw")
	if err := b.putMeta(ctx, metaName, []byte("dup")); err != nil {
		t.Fatal(err)
	}
	a.Close()
	b.Close()
	_, err := p.Find(ctx, "Dup")
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), a.Info().ID) || !strings.Contains(err.Error(), b.Info().ID) {
		t.Fatalf("ambiguous name: %v", err)
	}
	if info, err := p.Find(ctx, b.Info().ID); err != nil || info.ID != b.Info().ID {
		t.Fatalf("by id: %+v %v", info, err)
	}
}

// TestNamesUniqueAtOnce: profiles created and renamed at the same moment still end up with
// different names.
func TestNamesUniqueAtOnce(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() {
			s, _, err := p.Create(ctx, CreateOptions{Name: "Dup", Passphrase: []byte("pw"), NoKeyring: true})
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	made := 0
	for _, err := range errs {
		switch {
		case err == nil:
			made++
		case !errors.Is(err, ErrExists):
			t.Fatalf("create: %v", err)
		}
	}
	if list, _ := p.List(ctx); made != 1 || len(list) != 1 {
		t.Fatalf("%d creates succeeded, %d profiles: %+v", made, len(list), list)
	}

	// Renames: two profiles both renamed to one new name.
	x, _ := createPassphraseProfile(t, p, "X", "pw")
	y, _ := createPassphraseProfile(t, p, "Y", "pw")
	defer x.Close()
	defer y.Close()
	var rx, ry error
	wg.Go(func() { rx = p.Rename(ctx, x, "Same") })
	wg.Go(func() { ry = p.Rename(ctx, y, "Same") })
	wg.Wait()
	if (rx == nil) == (ry == nil) {
		t.Fatalf("both or neither renamed: %v, %v", rx, ry)
	}
}

// TestPendingProfile: a profile being made is invisible until committed, its name is taken
// meanwhile, and an abort leaves nothing: no folder, no keyring key.
func TestPendingProfile(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	kr := p.Keyring.(*memKeyring)
	pp, err := p.Prepare(ctx, CreateOptions{Name: "Dup"})
	if err != nil {
		t.Fatal(err)
	}
	id := pp.Store().Info().ID
	if err := pp.Store().AddDemoEntries(ctx, 50, nil); err != nil {
		t.Fatal(err)
	}
	if list, _ := p.List(ctx); len(list) != 0 {
		t.Fatalf("a profile in the making is listed: %+v", list)
	}
	if _, _, err := p.Create(ctx, CreateOptions{Name: "dup", Passphrase: []byte("pw"), NoKeyring: true}); !errors.Is(err, ErrExists) {
		t.Fatalf("the name of a profile in the making: %v", err)
	}
	other, _ := createPassphraseProfile(t, p, "Other", "pw")
	if err := p.Rename(ctx, other, "DUP"); !errors.Is(err, ErrExists) {
		t.Fatalf("rename onto the name of a profile in the making: %v", err)
	}
	other.Close()
	// Someone else's start-up sweep leaves a profile in the making alone.
	(&Profiles{Dir: p.Dir, Keyring: kr}).Sweep(ctx)
	if _, err := os.Stat(filepath.Join(p.Dir, "profiles", ".creating-"+id)); err != nil {
		t.Fatalf("the sweep removed a profile in the making: %v", err)
	}
	if _, err := kr.Get(ctx, id); err != nil {
		t.Fatalf("the sweep removed the keyring key of a profile in the making: %v", err)
	}
	pp.Abort(ctx)
	if _, err := kr.Get(ctx, id); !errors.Is(err, vault.ErrKeyringEntryMissing) {
		t.Fatalf("keyring key after abort: %v", err)
	}
	ents, _ := os.ReadDir(filepath.Join(p.Dir, "profiles"))
	for _, e := range ents {
		if strings.Contains(e.Name(), id) {
			t.Fatalf("left after abort: %s", e.Name())
		}
	}

	pp, err = p.Prepare(ctx, CreateOptions{Name: "Dup"})
	if err != nil {
		t.Fatal(err)
	}
	if err := pp.Store().AddDemoEntries(ctx, 20, nil); err != nil {
		t.Fatal(err)
	}
	s, err := pp.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pp.Abort(ctx) // after a commit: nothing
	if es, err := s.ListEntries(ctx, time.Time{}, time.Time{}); err != nil || len(es) != 20 {
		t.Fatalf("entries after commit: %d %v", len(es), err)
	}
	s.Close()
	info, err := p.Find(ctx, "Dup")
	if err != nil || info.Dir != filepath.Join(p.Dir, "profiles", info.ID) || !info.HasKeyring {
		t.Fatalf("committed: %+v %v", info, err)
	}
	if _, err := kr.Get(ctx, info.ID); err != nil {
		t.Fatalf("keyring key after commit: %v", err)
	}
}

// TestSweepLeftovers: what a crash left behind is finished at the next start: a half-made
// profile and a half-deleted one go, with their keyring keys; a live profile's key stays.
func TestSweepLeftovers(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	kr := p.Keyring.(*memKeyring)
	live, _, err := p.Create(ctx, CreateOptions{Name: "Live"})
	if err != nil {
		t.Fatal(err)
	}
	liveID := live.Info().ID
	live.Close()
	gone, _, err := p.Create(ctx, CreateOptions{Name: "Gone"})
	if err != nil {
		t.Fatal(err)
	}
	goneID := gone.Info().ID
	gone.Close()
	root := filepath.Join(p.Dir, "profiles")
	// A delete that crashed after its rename.
	if err := os.Rename(filepath.Join(root, goneID), filepath.Join(root, ".deleting-"+goneID)); err != nil {
		t.Fatal(err)
	}
	// A create that crashed half-way (its process, and so its lock, is gone).
	half := "0b9e0f3c-4d1a-4b7e-9a55-2f1f2a8d0c11"
	os.MkdirAll(filepath.Join(root, ".creating-"+half), 0o700)
	os.WriteFile(filepath.Join(root, ".creating-"+half, dbName), []byte("half"), 0o600)
	os.WriteFile(filepath.Join(root, ".creating-"+half+".lock"), nil, 0o600)
	kr.Set(ctx, half, make([]byte, 32))
	// A leftover named after a live profile must not cost it its key.
	os.MkdirAll(filepath.Join(root, ".deleting-"+liveID), 0o700)

	if err := p.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(root)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(ents) != 2 || !strings.HasPrefix(names[0], ".") || names[1] != liveID {
		// .names.lock stays; it holds nothing.
		t.Fatalf("after the sweep: %q", names)
	}
	for _, id := range []string{goneID, half} {
		if _, err := kr.Get(ctx, id); !errors.Is(err, vault.ErrKeyringEntryMissing) {
			t.Errorf("keyring key %s after the sweep: %v", id, err)
		}
	}
	if _, err := kr.Get(ctx, liveID); err != nil {
		t.Fatalf("the live profile lost its key: %v", err)
	}
}

// TestKDFBoundsOnOpen: absurd Argon2 costs in a journal's key record are damage (no hang, no
// out-of-memory), reported before any work.
func TestKDFBoundsOnOpen(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		edit func(*vault.Envelope)
	}{
		{"memory", func(e *vault.Envelope) { e.KDF.MemoryKiB = 1<<32 - 1 }},
		{"time", func(e *vault.Envelope) { e.KDF.Time = 1<<32 - 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProfiles(t)
			s, _ := createPassphraseProfile(t, p, "Pat", "pw")
			info := s.Info()
			meta, err := readMeta(ctx, s.db)
			if err != nil {
				t.Fatal(err)
			}
			e, _, err := envelope(meta, vault.MethodPassphrase)
			if err != nil {
				t.Fatal(err)
			}
			tc.edit(&e)
			if err := s.putEnvelope(ctx, e); err != nil {
				t.Fatal(err)
			}
			s.Close()
			_, err = p.Open(ctx, info, Credentials{Passphrase: []byte("pw")})
			if !IsDamaged(err) {
				t.Fatalf("open: %v", err)
			}
		})
	}
}

// TestPendingAbortOSKeyring: an aborted create removes its key from the real keyring.
func TestPendingAbortOSKeyring(t *testing.T) {
	ctx := context.Background()
	kr := vault.OSKeyring{}
	p := &Profiles{Dir: t.TempDir(), Keyring: kr, Argon2: fastArgon2}
	pp, err := p.Prepare(ctx, CreateOptions{Name: "Aborted"})
	if err != nil {
		if os.Getenv("COMPANION_REQUIRE_KEYRING") == "" && errors.Is(err, vault.ErrKeyringUnavailable) {
			t.Skipf("no keyring here: %v", err)
		}
		t.Fatal(err)
	}
	id := pp.Store().Info().ID
	if _, err := kr.Get(ctx, id); err != nil {
		t.Fatalf("keyring key while pending: %v", err)
	}
	pp.Abort(ctx)
	if _, err := kr.Get(ctx, id); !errors.Is(err, vault.ErrKeyringEntryMissing) {
		t.Fatalf("keyring key after abort: %v", err)
	}
}
