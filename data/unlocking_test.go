package data

import (
	"context"
	"errors"
	"testing"

	"github.com/patient-companion/companion/data/vault"
)

func TestRenameProfile(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "Mum", "pw")
	defer s.Close()
	other, _ := createPassphraseProfile(t, p, "Dad", "pw")
	other.Close()
	if err := p.Rename(ctx, s, "dad"); !errors.Is(err, ErrExists) {
		t.Fatalf("rename onto another profile's name: %v, want ErrExists", err)
	}
	if err := p.Rename(ctx, s, "  "); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty name: %v, want ErrInvalid", err)
	}
	if err := p.Rename(ctx, s, "MUM"); err != nil {
		t.Fatalf("a change of case of its own name: %v", err)
	}
	if err := p.Rename(ctx, s, "Margaret"); err != nil {
		t.Fatal(err)
	}
	if s.Info().Name != "Margaret" {
		t.Errorf("open store still says %q", s.Info().Name)
	}
	info, err := p.Find(ctx, "Margaret")
	if err != nil || info.ID != s.Info().ID {
		t.Fatalf("find by the new name: %+v %v", info, err)
	}
	if _, err := p.Find(ctx, "Mum"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the old name still finds it: %v", err)
	}
}

func TestAddRemoveKeyring(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	kr := p.Keyring.(*memKeyring)
	s, _ := createPassphraseProfile(t, p, "Mum", "pw")
	id := s.Info().ID
	if err := p.AddKeyring(ctx, s); err != nil {
		t.Fatal(err)
	}
	s.Close()
	info, _ := p.Find(ctx, "Mum")
	if !info.HasKeyring || !info.HasPassphrase {
		t.Fatalf("after adding the keyring: %+v", info)
	}
	s, err := p.Open(ctx, info, Credentials{})
	if err != nil {
		t.Fatalf("open by keyring: %v", err)
	}
	if err := p.RemoveKeyring(ctx, s); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, ok := kr.keys[id]; ok {
		t.Error("removing keyring unlock left the key in the keyring")
	}
	info, _ = p.Find(ctx, "Mum")
	if info.HasKeyring {
		t.Fatal("the profile still says it has keyring unlock")
	}
	if _, err := p.Open(ctx, info, Credentials{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("open without passphrase after removing the keyring: %v, want ErrLocked", err)
	}
	if _, err := p.Open(ctx, info, Credentials{Passphrase: []byte("pw")}); err != nil {
		t.Fatalf("the passphrase must still open it: %v", err)
	}

	// The keyring refusing to delete the old key: unlock is removed all the same, and said so.
	s, err = p.Open(ctx, info, Credentials{Passphrase: []byte("pw")})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AddKeyring(ctx, s); err != nil {
		t.Fatal(err)
	}
	kr.err = errors.New("keyring locked")
	if err := p.RemoveKeyring(ctx, s); !errors.Is(err, ErrKeyringKeyLeft) {
		t.Fatalf("remove with a failing keyring: %v, want ErrKeyringKeyLeft", err)
	}
	kr.err = nil
	s.Close()
	if info, _ := p.Find(ctx, "Mum"); info.HasKeyring {
		t.Fatal("the envelope should be gone even when the keyring kept its key")
	}

	// A keyring-only profile cannot drop its keyring: nothing but the recovery key would open it.
	k, _, err := p.Create(ctx, CreateOptions{Name: "K"})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if err := p.RemoveKeyring(ctx, k); !errors.Is(err, ErrInvalid) {
		t.Fatalf("remove the only unlock: %v, want ErrInvalid", err)
	}
	// No keyring on this computer: a clear error.
	noKR := &Profiles{Dir: p.Dir, Argon2: fastArgon2}
	if err := noKR.AddKeyring(ctx, k); !errors.Is(err, vault.ErrKeyringUnavailable) {
		t.Fatalf("add keyring without one: %v", err)
	}
}

func TestScreenPIN(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	k, _, err := p.Create(ctx, CreateOptions{Name: "K"})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if has, err := k.HasPIN(ctx); has || err != nil {
		t.Fatalf("new profile has a PIN: %v %v", has, err)
	}
	for _, bad := range []string{"", "123", "1234567890123", "12a4", "１２３４"} {
		if err := k.SetPIN(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetPIN(%q) = %v, want ErrInvalid", bad, err)
		}
	}
	if err := k.SetPIN(ctx, "2468"); err != nil {
		t.Fatal(err)
	}
	if ok, err := k.CheckPIN(ctx, "2468"); !ok || err != nil {
		t.Fatalf("right PIN: %v %v", ok, err)
	}
	if ok, _ := k.CheckPIN(ctx, "2469"); ok {
		t.Fatal("a wrong PIN was accepted")
	}
	if err := k.ClearPIN(ctx); err != nil {
		t.Fatal(err)
	}
	if has, _ := k.HasPIN(ctx); has {
		t.Fatal("PIN still set after ClearPIN")
	}
	// A profile with a passphrase unlocks the screen with it; it takes no PIN.
	s, _ := createPassphraseProfile(t, p, "Mum", "pw")
	defer s.Close()
	if err := s.SetPIN(ctx, "2468"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("PIN on a passphrase profile: %v, want ErrInvalid", err)
	}
}
