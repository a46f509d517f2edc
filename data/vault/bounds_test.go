package vault

import (
	"errors"
	"testing"
)

// TestKDFBounds: Argon2 costs outside sane bounds, as a damaged or hostile file might hold
// them, are refused before any work: 2^32-1 KiB ran out of memory and 2^32-1 passes hung.
func TestKDFBounds(t *testing.T) {
	dk, err := NewDataKey()
	if err != nil {
		t.Fatal(err)
	}
	good, err := dk.WrapWithPassphrase([]byte("correct horse"), Argon2Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}, "p")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(*KDF)
	}{
		{"memory 2^32-1 KiB", func(k *KDF) { k.MemoryKiB = 1<<32 - 1 }},
		{"memory above the bound", func(k *KDF) { k.MemoryKiB = MaxArgon2.MemoryKiB + 1 }},
		{"memory below the bound", func(k *KDF) { k.MemoryKiB = 7 }},
		{"time 2^32-1", func(k *KDF) { k.Time = 1<<32 - 1 }},
		{"time above the bound", func(k *KDF) { k.Time = MaxArgon2.Time + 1 }},
		{"threads above the bound", func(k *KDF) { k.Threads = MaxArgon2.Threads + 1 }},
		{"long salt", func(k *KDF) { k.Salt = make([]byte, 1<<20) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := good
			e.KDF.Salt = append([]byte(nil), good.KDF.Salt...)
			tc.edit(&e.KDF)
			if _, err := Unwrap(e, []byte("correct horse"), "p"); !errors.Is(err, ErrDamaged) {
				t.Fatalf("unwrap: %v, want ErrDamaged", err)
			}
			if _, err := dk.WrapWithPassphrase([]byte("x"), Argon2Params{Time: e.KDF.Time, MemoryKiB: e.KDF.MemoryKiB, Threads: e.KDF.Threads}, "p"); err == nil && tc.name != "long salt" {
				t.Fatal("wrapping with costs out of bounds succeeded")
			}
		})
	}
	if _, err := Unwrap(good, []byte("correct horse"), "p"); err != nil {
		t.Fatalf("costs within bounds: %v", err)
	}
}
