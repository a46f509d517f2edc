package datatest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"sync"
	"testing"

	"github.com/patient-companion/companion/data/vault"
)

// MemKeyring is a vault.Keyring in memory, safe for concurrent use. Its zero value is an
// empty keyring. It answers as the OS keyring does (KeyringSemantics checks both), and it can
// be made to fail (Fail) or to lose one profile's key (Lose), which the real one cannot be
// asked to do.
type MemKeyring struct {
	mu   sync.Mutex
	keys map[string][]byte
	fail error
}

var _ vault.Keyring = (*MemKeyring)(nil)

// Get returns a copy of the profile's key, or vault.ErrKeyringEntryMissing.
func (k *MemKeyring) Get(_ context.Context, profileID string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return nil, k.fail
	}
	v, ok := k.keys[profileID]
	if !ok {
		return nil, vault.ErrKeyringEntryMissing
	}
	return bytes.Clone(v), nil
}

// Set stores a copy of key, replacing any earlier one.
func (k *MemKeyring) Set(_ context.Context, profileID string, key []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return k.fail
	}
	if k.keys == nil {
		k.keys = map[string][]byte{}
	}
	k.keys[profileID] = bytes.Clone(key)
	return nil
}

// Delete removes the profile's key; a key already gone is not an error.
func (k *MemKeyring) Delete(_ context.Context, profileID string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fail != nil {
		return k.fail
	}
	delete(k.keys, profileID)
	return nil
}

// Fail makes every later call return err, as a keyring that is locked, gone or timing out
// does (vault.ErrKeyringUnavailable is what OSKeyring says then). Fail(nil) makes it answer
// again, with its keys as they were.
func (k *MemKeyring) Fail(err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.fail = err
}

// Lose forgets one profile's key without the app knowing, as when the keyring is reset or
// the profile is copied to another computer.
func (k *MemKeyring) Lose(profileID string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.keys, profileID)
}

// Has reports whether the keyring holds a key for the profile (whatever Fail says).
func (k *MemKeyring) Has(profileID string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.keys[profileID]
	return ok
}

// Len is the number of keys held.
func (k *MemKeyring) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.keys)
}

// Clone is an independent copy: the same keys, answering normally.
func (k *MemKeyring) Clone() *MemKeyring {
	k.mu.Lock()
	defer k.mu.Unlock()
	c := &MemKeyring{keys: make(map[string][]byte, len(k.keys))}
	for id, v := range k.keys {
		c.keys[id] = bytes.Clone(v)
	}
	return c
}

// requireKeyringEnv, when set (make test sets it), turns "no OS keyring here" from a skip
// into a failure: the test environment brings one up, so its absence is a bug.
const requireKeyringEnv = "COMPANION_REQUIRE_KEYRING"

// OSKeyring returns the real OS keyring and whether it answers (a probe key is stored and
// removed). Where it does not answer the test fails if COMPANION_REQUIRE_KEYRING is set;
// otherwise the caller decides: skip, or leave out what needs it.
func OSKeyring(t testing.TB) (vault.OSKeyring, bool) {
	t.Helper()
	ctx := context.Background()
	kr := vault.OSKeyring{}
	probe := "datatest-probe-" + rand.Text()
	err := kr.Set(ctx, probe, make([]byte, vault.KeySize))
	if err == nil {
		if err := kr.Delete(ctx, probe); err != nil {
			t.Fatalf("remove the keyring probe: %v", err)
		}
		return kr, true
	}
	if os.Getenv(requireKeyringEnv) != "" {
		t.Fatalf("the OS keyring is required here (%s is set) but does not answer: %v", requireKeyringEnv, err)
	}
	return kr, false
}

// KeyringSemantics is what every vault.Keyring must do, checked on kr: the real one
// (OSKeyring) and the stand-in (MemKeyring) pass the same test, so a test that passes with
// the stand-in is not relying on something the real keyring does not do. It uses profile
// ids of its own and removes them.
func KeyringSemantics(t *testing.T, kr vault.Keyring) {
	t.Helper()
	ctx := context.Background()
	run := "datatest-" + rand.Text()
	a, b := run+"-a", run+"-b"
	t.Cleanup(func() {
		kr.Delete(ctx, a)
		kr.Delete(ctx, b)
	})
	newKey := func() []byte {
		k, err := vault.NewKEK()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	want := func(id string, key []byte) {
		t.Helper()
		got, err := kr.Get(ctx, id)
		switch {
		case key == nil && !errors.Is(err, vault.ErrKeyringEntryMissing):
			t.Fatalf("Get(%s) = %x, %v; want vault.ErrKeyringEntryMissing", id, got, err)
		case key != nil && (err != nil || !bytes.Equal(got, key)):
			t.Fatalf("Get(%s) = %x, %v; want %x", id, got, err, key)
		}
	}

	want(a, nil)
	ka, kb := newKey(), newKey()
	if err := kr.Set(ctx, a, ka); err != nil {
		t.Fatalf("Set: %v", err)
	}
	want(a, ka)
	want(b, nil)
	if err := kr.Set(ctx, b, kb); err != nil {
		t.Fatalf("Set: %v", err)
	}
	want(a, ka)
	want(b, kb)

	// Neither the caller's slice nor the one returned is the stored key.
	sent := bytes.Clone(ka)
	if err := kr.Set(ctx, a, sent); err != nil {
		t.Fatal(err)
	}
	clear(sent)
	got, err := kr.Get(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	clear(got)
	want(a, ka)

	ka2 := newKey()
	if err := kr.Set(ctx, a, ka2); err != nil {
		t.Fatalf("Set over an existing key: %v", err)
	}
	want(a, ka2)

	if err := kr.Delete(ctx, a); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	want(a, nil)
	want(b, kb)
	if err := kr.Delete(ctx, a); err != nil {
		t.Fatalf("Delete of a key already gone: %v, want nil", err)
	}
	if err := kr.Delete(ctx, b); err != nil {
		t.Fatal(err)
	}
	want(b, nil)
}
