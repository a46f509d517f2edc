package vault

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// fastArgon2 keeps unit tests quick; the real cost is measured in the benchmarks.
var fastArgon2 = Argon2Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

func TestSealOpen(t *testing.T) {
	k, err := NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	blob, err := k.Seal([]byte("entries|id1|1"), []byte("headache"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blob, []byte("headache")) {
		t.Fatal("sealed blob contains the plaintext")
	}
	pt, err := k.Open([]byte("entries|id1|1"), blob)
	if err != nil || string(pt) != "headache" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	tests := map[string]struct {
		aad  string
		blob func() []byte
	}{
		"other row":     {"entries|id2|1", func() []byte { return blob }},
		"other table":   {"medications|id1|1", func() []byte { return blob }},
		"other version": {"entries|id1|2", func() []byte { return blob }},
		"flipped byte": {"entries|id1|1", func() []byte {
			b := bytes.Clone(blob)
			b[len(b)/2] ^= 0x01
			return b
		}},
		"truncated": {"entries|id1|1", func() []byte { return blob[:10] }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := k.Open([]byte(tc.aad), tc.blob()); !errors.Is(err, ErrTampered) {
				t.Fatalf("Open = %v, want ErrTampered", err)
			}
		})
	}
	other, _ := NewDataKey()
	if _, err := other.Open([]byte("entries|id1|1"), blob); !errors.Is(err, ErrTampered) {
		t.Fatalf("Open with another key = %v, want ErrTampered", err)
	}
}

func TestWrapUnwrap(t *testing.T) {
	k, _ := NewDataKey()
	blob, _ := k.Seal(nil, []byte("x"))
	check := func(t *testing.T, got *DataKey) {
		t.Helper()
		pt, err := got.Open(nil, blob)
		if err != nil || string(pt) != "x" {
			t.Fatalf("unwrapped key does not open data: %v", err)
		}
	}

	t.Run("passphrase", func(t *testing.T) {
		e, err := k.WrapWithPassphrase([]byte("correct horse"), fastArgon2, "p1")
		if err != nil {
			t.Fatal(err)
		}
		if e.KDF.Name != "argon2id" || e.KDF.MemoryKiB != fastArgon2.MemoryKiB || len(e.KDF.Salt) != 16 {
			t.Fatalf("KDF parameters not recorded: %+v", e.KDF)
		}
		got, err := Unwrap(e, []byte("correct horse"), "p1")
		if err != nil {
			t.Fatal(err)
		}
		check(t, got)
		if _, err := Unwrap(e, []byte("correct horsE"), "p1"); !errors.Is(err, ErrWrongSecret) {
			t.Fatalf("wrong passphrase: %v", err)
		}
		if _, err := Unwrap(e, []byte("correct horse"), "p2"); !errors.Is(err, ErrWrongSecret) {
			t.Fatalf("envelope moved to another profile: %v", err)
		}
	})
	t.Run("keyring key", func(t *testing.T) {
		kek, _ := NewKEK()
		e, err := k.WrapWithKey(kek, "p1")
		if err != nil {
			t.Fatal(err)
		}
		got, err := Unwrap(e, kek, "p1")
		if err != nil {
			t.Fatal(err)
		}
		check(t, got)
		kek2, _ := NewKEK()
		if _, err := Unwrap(e, kek2, "p1"); !errors.Is(err, ErrWrongSecret) {
			t.Fatalf("other keyring key: %v", err)
		}
	})
	t.Run("recovery key", func(t *testing.T) {
		rk, _ := NewRecoveryKey()
		e, err := k.WrapWithRecoveryKey(rk, "p1")
		if err != nil {
			t.Fatal(err)
		}
		typed := strings.ToLower(strings.ReplaceAll(rk.String(), "-", " "))
		parsed, err := ParseRecoveryKey(typed)
		if err != nil {
			t.Fatal(err)
		}
		got, err := UnwrapRecovery(e, parsed, "p1")
		if err != nil {
			t.Fatal(err)
		}
		check(t, got)
		other, _ := NewRecoveryKey()
		if _, err := UnwrapRecovery(e, other, "p1"); !errors.Is(err, ErrWrongSecret) {
			t.Fatalf("other recovery key: %v", err)
		}
	})
}

func TestParseRecoveryKeyTypos(t *testing.T) {
	rk, _ := NewRecoveryKey()
	s := rk.String()
	if len(strings.Split(s, "-")) != 9 {
		t.Fatalf("unexpected format %q", s)
	}
	// Change one character to another valid base32 character: the checksum must catch it.
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	if _, err := ParseRecoveryKey(string(b)); !errors.Is(err, ErrBadRecoveryKey) {
		t.Fatalf("typo not caught: %v", err)
	}
	if _, err := ParseRecoveryKey(s[:len(s)-5]); !errors.Is(err, ErrBadRecoveryKey) {
		t.Fatalf("missing group not caught: %v", err)
	}
	if _, err := ParseRecoveryKey(""); !errors.Is(err, ErrBadRecoveryKey) {
		t.Fatalf("empty key not caught: %v", err)
	}
}

func TestDataKeyNeverPrinted(t *testing.T) {
	k, _ := NewDataKey()
	for _, s := range []string{k.String(), k.GoString()} {
		if !strings.Contains(s, "redacted") {
			t.Fatalf("DataKey prints as %q", s)
		}
	}
}

func TestKeyringTimeout(t *testing.T) {
	start := make(chan struct{})
	_, err := call(context.Background(), 20*time.Millisecond, func() (string, error) {
		<-start // a keyring waiting for an unlock prompt nobody sees
		return "", nil
	})
	close(start)
	if !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("hung keyring call: %v, want ErrKeyringUnavailable", err)
	}
}

// TestOSKeyring runs against the real Secret Service over D-Bus (gnome-keyring started by
// scripts/test-env.sh). Outside that environment it skips, unless COMPANION_REQUIRE_KEYRING is set
// (as make test does), where a missing keyring is a failure.
func TestOSKeyring(t *testing.T) {
	ctx := context.Background()
	kr := OSKeyring{}
	user := "vault-test-" + time.Now().Format("150405.000000000")
	kek, _ := NewKEK()
	if err := kr.Set(ctx, user, kek); err != nil {
		if os.Getenv("COMPANION_REQUIRE_KEYRING") == "" && errors.Is(err, ErrKeyringUnavailable) {
			t.Skipf("no keyring here: %v", err)
		}
		t.Fatal(err)
	}
	got, err := kr.Get(ctx, user)
	if err != nil || !bytes.Equal(got, kek) {
		t.Fatalf("Get = %x, %v", got, err)
	}
	if err := kr.Delete(ctx, user); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Get(ctx, user); !errors.Is(err, ErrKeyringEntryMissing) {
		t.Fatalf("Get after Delete = %v, want ErrKeyringEntryMissing", err)
	}
	if err := kr.Delete(ctx, user); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
}
