// Package datatest is the kit for tests that need a profile: cheap Argon2id parameters, an
// in-memory keyring, profiles in a temporary folder, and a way to edit a journal file behind
// the app's back as a plain SQLite editor would. It is imported only by tests.
//
// The files are real (SQLite in t.TempDir()); only the keyring and the Argon2id cost are
// stand-ins, and OSKeyring gives the real keyring where a test needs it.
package datatest

import (
	"context"
	"testing"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/vault"
)

// FastArgon2 is an Argon2id cost that keeps tests quick (8 MiB, one pass). The real cost is
// measured by data's BenchmarkOpenPassphraseUnlock, and the end-to-end tests of the built
// program pay it.
func FastArgon2() vault.Argon2Params {
	return vault.Argon2Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}
}

// NewProfiles is an empty data folder in t.TempDir() with the fast Argon2id cost. kr may be
// nil: a computer without a keyring.
func NewProfiles(t testing.TB, kr vault.Keyring) *data.Profiles {
	t.Helper()
	return &data.Profiles{Dir: t.TempDir(), Keyring: kr, Argon2: FastArgon2()}
}

// Create makes a profile and returns it open, with its recovery key. The store is closed when
// the test ends (closing it earlier is fine).
func Create(t testing.TB, p *data.Profiles, opt data.CreateOptions) (*data.Store, vault.RecoveryKey) {
	t.Helper()
	s, rk, err := p.Create(context.Background(), opt)
	if err != nil {
		t.Fatalf("create profile: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, rk
}

// CreatePassphrase makes a passphrase-only profile and returns it open, with its recovery key.
func CreatePassphrase(t testing.TB, p *data.Profiles, name, pass string) (*data.Store, vault.RecoveryKey) {
	t.Helper()
	return Create(t, p, data.CreateOptions{Name: name, Passphrase: []byte(pass), NoKeyring: true})
}

// CreateKeyring makes a profile unlocked by p's keyring alone and returns it open, with its
// recovery key.
func CreateKeyring(t testing.TB, p *data.Profiles, name string) (*data.Store, vault.RecoveryKey) {
	t.Helper()
	return Create(t, p, data.CreateOptions{Name: name})
}

// Open unlocks the profile named nameOrID: with pass, or with p's keyring when pass is
// empty. The store is closed when the test ends.
func Open(t testing.TB, p *data.Profiles, nameOrID, pass string) *data.Store {
	t.Helper()
	ctx := context.Background()
	info, err := p.Find(ctx, nameOrID)
	if err != nil {
		t.Fatalf("find profile %q: %v", nameOrID, err)
	}
	var cred data.Credentials
	if pass != "" {
		cred.Passphrase = []byte(pass)
	}
	s, err := p.Open(ctx, info, cred)
	if err != nil {
		t.Fatalf("open profile %q: %v", nameOrID, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
