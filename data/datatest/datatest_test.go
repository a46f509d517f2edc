package datatest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
	"github.com/patient-companion/companion/data/vault"
)

// The stand-in and the real keyring pass the same semantics.
func TestMemKeyringSemantics(t *testing.T) {
	datatest.KeyringSemantics(t, &datatest.MemKeyring{})
}

func TestOSKeyringSemantics(t *testing.T) {
	kr, ok := datatest.OSKeyring(t)
	if !ok {
		t.Skip("no OS keyring here")
	}
	datatest.KeyringSemantics(t, kr)
}

// TestMemKeyringFaults: a failing keyring and a lost key are what a profile meets on the
// real one — "locked", naming the cause — and Clone is a keyring of its own.
func TestMemKeyringFaults(t *testing.T) {
	ctx := context.Background()
	kr := &datatest.MemKeyring{}
	p := datatest.NewProfiles(t, kr)
	s, _ := datatest.CreateKeyring(t, p, "K")
	info := s.Info()
	s.Close()
	if !kr.Has(info.ID) || kr.Len() != 1 {
		t.Fatalf("after create: has %v, %d keys", kr.Has(info.ID), kr.Len())
	}
	copied := kr.Clone()

	kr.Fail(vault.ErrKeyringUnavailable)
	if _, err := p.Open(ctx, info, data.Credentials{}); !errors.Is(err, data.ErrLocked) || !errors.Is(err, vault.ErrKeyringUnavailable) {
		t.Fatalf("failing keyring: %v", err)
	}
	if err := kr.Delete(ctx, info.ID); !errors.Is(err, vault.ErrKeyringUnavailable) {
		t.Fatalf("Delete on a failing keyring: %v", err)
	}
	kr.Fail(nil)
	datatest.Open(t, p, "K", "").Close()

	kr.Lose(info.ID)
	if _, err := p.Open(ctx, info, data.Credentials{}); !errors.Is(err, data.ErrLocked) || !errors.Is(err, vault.ErrKeyringEntryMissing) {
		t.Fatalf("lost key: %v", err)
	}
	if !copied.Has(info.ID) {
		t.Fatal("the clone lost its key with the original")
	}
	p.Keyring = copied
	datatest.Open(t, p, info.ID, "").Close()
}

// TestMemKeyringConcurrent is for -race: a keyring shared by goroutines (the window's
// background work, several profiles) is safe.
func TestMemKeyringConcurrent(t *testing.T) {
	ctx := context.Background()
	kr := &datatest.MemKeyring{}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			id := fmt.Sprint("p", i)
			for range 50 {
				kr.Set(ctx, id, []byte{byte(i)})
				kr.Get(ctx, id)
				kr.Has(id)
				kr.Len()
				kr.Clone()
			}
			kr.Delete(ctx, id)
		})
	}
	wg.Wait()
	if kr.Len() != 0 {
		t.Fatalf("%d keys left", kr.Len())
	}
}

// TestJournalEdits: each edit is met by the app as the damage it is, in a file the app still
// has open and in one it opens afterwards.
func TestJournalEdits(t *testing.T) {
	ctx := context.Background()
	p := datatest.NewProfiles(t, nil)
	p.Location = time.UTC
	s, _ := datatest.CreatePassphrase(t, p, "Pat", "a passphrase")
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 5 {
		e, err := s.AddSymptom(ctx, data.Symptom{Name: "Cough", Severity: i, At: base.Add(time.Duration(i) * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	tampered := func(want ...string) {
		t.Helper()
		_, err := s.ListEntries(ctx, time.Time{}, time.Time{})
		var te *data.TamperedError
		if len(want) == 0 {
			if err != nil {
				t.Fatalf("ListEntries: %v", err)
			}
			return
		}
		if !errors.As(err, &te) {
			t.Fatalf("ListEntries: %v, want a TamperedError naming %v", err, want)
		}
		got := map[string]bool{}
		for _, r := range te.Records {
			got[r.ID] = true
		}
		for _, id := range want {
			if !got[id] {
				t.Errorf("%v does not name %s", err, id)
			}
		}
		if len(te.Records) != len(want) {
			t.Errorf("%d records named, want %d: %v", len(te.Records), len(want), err)
		}
	}

	j := datatest.OpenJournal(t, s.Path())
	before := j.Sealed("entries", ids[0])
	j.FlipSealed("entries", ids[0])
	tampered(ids[0])
	j.SetSealed("entries", ids[0], before)
	tampered()
	j.MoveSealed("entries", ids[1], ids[2])
	tampered(ids[2])
	j.Set("entries", ids[3], "deleted", 1)
	tampered(ids[2], ids[3])
	j.Exec("UPDATE entries SET kind = 'note' WHERE id = ?", ids[1])
	tampered(ids[1], ids[2], ids[3])
	n, _ := s.CountEntries(ctx)
	j.Delete("entries", ids[4])
	if after, _ := s.CountEntries(ctx); after != n-1 {
		t.Errorf("after deleting a row: %d entries, want %d", after, n-1)
	}
	tampered(ids[1], ids[2], ids[3])
	j.Close()

	// The same damage, met by a later Open.
	s.Close()
	s = datatest.Open(t, p, "Pat", "a passphrase")
	tampered(ids[1], ids[2], ids[3])
}

func TestJournalPaths(t *testing.T) {
	p := datatest.NewProfiles(t, nil)
	s, _ := datatest.CreatePassphrase(t, p, "Pat", "a passphrase")
	if got := datatest.JournalPath(p.Dir, s.Info().ID); got != s.Path() {
		t.Errorf("JournalPath = %s, the store's file is %s", got, s.Path())
	}
	if got := datatest.OnlyJournal(t, p.Dir); got != s.Path() {
		t.Errorf("OnlyJournal = %s, the store's file is %s", got, s.Path())
	}
}

// TestFilesCopyDir: a copy holds the same files, and a snapshot sees a new one.
func TestFilesCopyDir(t *testing.T) {
	p := datatest.NewProfiles(t, nil)
	s, _ := datatest.CreatePassphrase(t, p, "Pat", "a passphrase")
	s.Close()
	cp := datatest.CopyDir(t, p.Dir)
	rel := func(m map[string][]byte, root string) map[string][]byte {
		out := map[string][]byte{}
		for k, v := range m {
			r, _ := filepath.Rel(root, k)
			out[r] = v
		}
		return out
	}
	orig := datatest.Files(t, p.Dir)
	datatest.AssertSameFiles(t, rel(orig, p.Dir), rel(datatest.Files(t, cp), cp))

	path := datatest.OnlyJournal(t, cp)
	if err := os.WriteFile(path+"-extra", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	after := datatest.Files(t, cp)
	if _, ok := after[path+"-extra"]; !ok || len(after) != len(orig)+1 {
		t.Fatalf("the snapshot missed a new file: %d files", len(after))
	}
}
