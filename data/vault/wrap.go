package vault

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Method names how an Envelope's wrapping key is obtained.
type Method string

// The ways a data key can be wrapped. A profile may have several envelopes at once.
const (
	MethodKeyring    Method = "keyring"    // a random key kept in the OS keyring
	MethodPassphrase Method = "passphrase" // Argon2id over the user's passphrase
	MethodRecovery   Method = "recovery"   // HKDF over the recovery key shown once at creation
)

// ErrWrongSecret means the passphrase, keyring key or recovery key does not unwrap the envelope.
var ErrWrongSecret = errors.New("wrong key or passphrase")

// ErrDamaged means a key record cannot be right: its key-derivation costs are outside the
// bounds below. Such a record is damaged or hostile; it is refused before any work, because
// the costs are read from the file (2^32-1 KiB ran out of memory, 2^32-1 passes never ended).
var ErrDamaged = errors.New("the key record is damaged")

// MinArgon2 and MaxArgon2 bound the Argon2id costs accepted for passphrase wrapping, whether
// asked for (a new passphrase) or read from a file (unlocking). The maximum is RFC 9106's
// first recommended option (2 GiB) with room for ten passes: minutes at worst on an old
// desktop, never an exhausted machine; the minimum is what tests and the screen PIN use.
var (
	MinArgon2 = Argon2Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}
	MaxArgon2 = Argon2Params{Time: 10, MemoryKiB: 2 * 1024 * 1024, Threads: 16}
)

// Salt lengths accepted in a key record: we write 16 bytes.
const minSalt, maxSalt = 8, 64

// ErrBadRecoveryKey means a recovery key is not well formed (a typo, a missing group).
var ErrBadRecoveryKey = errors.New("recovery key is not valid: check it for typos")

// KDF records how a wrapping key was derived, so parameters can be raised later without
// breaking envelopes made earlier.
type KDF struct {
	Name      string `json:"name"` // "argon2id", "hkdf-sha256" or "none"
	Salt      []byte `json:"salt,omitempty"`
	Time      uint32 `json:"time,omitempty"`
	MemoryKiB uint32 `json:"memory_kib,omitempty"`
	Threads   uint8  `json:"threads,omitempty"`
}

// Argon2Params are the Argon2id costs for passphrase wrapping.
type Argon2Params struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

// DefaultArgon2 follows RFC 9106's second recommended option (64 MiB, 3 passes), which takes
// about a quarter of a second on the slow desktops our patients keep for a decade.
var DefaultArgon2 = Argon2Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}

// Envelope is the data key wrapped (AES-256-GCM) by one wrapping key.
type Envelope struct {
	Version int    `json:"v"`
	Method  Method `json:"method"`
	KDF     KDF    `json:"kdf"`
	Wrapped []byte `json:"wrapped"`
}

const envelopeVersion = 1

// WrapWithKey wraps the data key with a random key-encryption key (the one kept in the OS
// keyring). context binds the envelope to its profile.
func (k *DataKey) WrapWithKey(kek []byte, context string) (Envelope, error) {
	if len(kek) != KeySize {
		return Envelope{}, fmt.Errorf("wrapping key has %d bytes, want %d", len(kek), KeySize)
	}
	return k.wrap(kek, MethodKeyring, KDF{Name: "none"}, context)
}

// WrapWithPassphrase wraps the data key with a key derived from passphrase by Argon2id.
func (k *DataKey) WrapWithPassphrase(passphrase []byte, p Argon2Params, context string) (Envelope, error) {
	if len(passphrase) == 0 {
		return Envelope{}, errors.New("passphrase is empty")
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return Envelope{}, fmt.Errorf("salt: %w", err)
	}
	kdf := KDF{Name: "argon2id", Salt: salt, Time: p.Time, MemoryKiB: p.MemoryKiB, Threads: p.Threads}
	if err := checkArgon2(kdf); err != nil {
		return Envelope{}, err
	}
	kek, err := derive(kdf, passphrase)
	if err != nil {
		return Envelope{}, err
	}
	defer clear(kek)
	return k.wrap(kek, MethodPassphrase, kdf, context)
}

// WrapWithRecoveryKey wraps the data key with a key derived from a recovery key. The recovery
// key has 160 random bits, so a fast KDF (HKDF) is enough.
func (k *DataKey) WrapWithRecoveryKey(rk RecoveryKey, context string) (Envelope, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return Envelope{}, fmt.Errorf("salt: %w", err)
	}
	kdf := KDF{Name: "hkdf-sha256", Salt: salt}
	kek, err := derive(kdf, rk.bytes[:])
	if err != nil {
		return Envelope{}, err
	}
	defer clear(kek)
	return k.wrap(kek, MethodRecovery, kdf, context)
}

func (k *DataKey) wrap(kek []byte, m Method, kdf KDF, context string) (Envelope, error) {
	aead, err := newGCM(kek)
	if err != nil {
		return Envelope{}, err
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.aead == nil {
		// Its bytes are zeros now: wrapping them would lock the journal away for good.
		return Envelope{}, ErrForgotten
	}
	w, err := seal(aead, wrapAAD(m, context), k.raw[:])
	if err != nil {
		return Envelope{}, fmt.Errorf("wrap data key: %w", err)
	}
	return Envelope{Version: envelopeVersion, Method: m, KDF: kdf, Wrapped: w}, nil
}

// Unwrap recovers the data key from an envelope with its secret: the keyring key, the
// passphrase or the recovery key's bytes (see RecoveryKey.Bytes), as the envelope's Method says.
// A wrong secret returns ErrWrongSecret.
func Unwrap(e Envelope, secret []byte, context string) (*DataKey, error) {
	if e.Version != envelopeVersion {
		return nil, fmt.Errorf("key envelope version %d is not supported by this version of the app", e.Version)
	}
	kek, err := derive(e.KDF, secret)
	if err != nil {
		return nil, err
	}
	defer clear(kek)
	aead, err := newGCM(kek)
	if err != nil {
		return nil, err
	}
	raw, err := open(aead, wrapAAD(e.Method, context), e.Wrapped)
	if err != nil {
		return nil, ErrWrongSecret
	}
	defer clear(raw)
	if len(raw) != KeySize {
		return nil, ErrWrongSecret
	}
	return newDataKey([KeySize]byte(raw))
}

// UnwrapRecovery is Unwrap for a recovery-key envelope.
func UnwrapRecovery(e Envelope, rk RecoveryKey, context string) (*DataKey, error) {
	return Unwrap(e, rk.bytes[:], context)
}

func wrapAAD(m Method, context string) []byte {
	return []byte("patient-companion/wrap/v1|" + string(m) + "|" + context)
}

func derive(kdf KDF, secret []byte) ([]byte, error) {
	switch kdf.Name {
	case "none":
		if len(secret) != KeySize {
			return nil, ErrWrongSecret
		}
		return append([]byte(nil), secret...), nil
	case "argon2id":
		if err := checkArgon2(kdf); err != nil {
			return nil, err
		}
		key := argon2.IDKey(secret, kdf.Salt, kdf.Time, kdf.MemoryKiB, kdf.Threads, KeySize)
		// Argon2id's working memory (64 MiB by default) is garbage the moment the key is
		// derived, but the heap goal has just doubled past it: left to itself the next
		// collection may not come for minutes, and a window that runs all day would carry
		// it all that time (docs/PERFORMANCE.md, "Memory"). Collect and return it now — on
		// the side, since handing 64 MiB back to the system takes ~100 ms the person
		// unlocking should not wait for.
		go debug.FreeOSMemory()
		return key, nil
	case "hkdf-sha256":
		if len(kdf.Salt) < minSalt || len(kdf.Salt) > maxSalt {
			return nil, fmt.Errorf("%w: its salt has %d bytes", ErrDamaged, len(kdf.Salt))
		}
		return hkdf.Key(sha256.New, secret, kdf.Salt, "patient-companion recovery", KeySize)
	default:
		return nil, fmt.Errorf("key derivation %q is not supported by this version of the app", kdf.Name)
	}
}

// RecoveryKey is a random secret shown to the user once, as text to write down.
type RecoveryKey struct {
	bytes [recoveryBytes]byte
}

const (
	recoveryBytes    = 20 // 160 bits
	recoveryChecksum = 2  // catches typos before we try to unwrap
)

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewRecoveryKey returns a fresh random recovery key.
func NewRecoveryKey() (RecoveryKey, error) {
	var rk RecoveryKey
	if _, err := rand.Read(rk.bytes[:]); err != nil {
		return rk, fmt.Errorf("generate recovery key: %w", err)
	}
	return rk, nil
}

// String formats the key as groups of four letters and digits, e.g. "ABCD-EFGH-…".
func (rk RecoveryKey) String() string {
	sum := sha256.Sum256(rk.bytes[:])
	raw := append(rk.bytes[:], sum[:recoveryChecksum]...)
	s := recoveryEncoding.EncodeToString(raw)
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// ParseRecoveryKey reads a recovery key as the user typed it: case, spaces and dashes do not
// matter, and the letters O and I are read as the digits 0 and 1 would be in base32 (never used).
func ParseRecoveryKey(s string) (RecoveryKey, error) {
	var rk RecoveryKey
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '\n' || r == '\r':
			return -1
		case r == '0':
			return 'O'
		case r == '1':
			return 'I'
		case r == '8':
			return 'B'
		}
		return r
	}, strings.ToUpper(s))
	raw, err := recoveryEncoding.DecodeString(s)
	if err != nil || len(raw) != recoveryBytes+recoveryChecksum {
		return rk, ErrBadRecoveryKey
	}
	sum := sha256.Sum256(raw[:recoveryBytes])
	if string(sum[:recoveryChecksum]) != string(raw[recoveryBytes:]) {
		return rk, ErrBadRecoveryKey
	}
	copy(rk.bytes[:], raw)
	return rk, nil
}

// checkArgon2 refuses Argon2id costs outside [MinArgon2, MaxArgon2] before any is spent.
func checkArgon2(kdf KDF) error {
	lo, hi := MinArgon2, MaxArgon2
	switch {
	case kdf.Time < lo.Time || kdf.Time > hi.Time:
		return fmt.Errorf("%w: %d Argon2 passes, outside %d to %d", ErrDamaged, kdf.Time, lo.Time, hi.Time)
	case kdf.MemoryKiB < lo.MemoryKiB || kdf.MemoryKiB > hi.MemoryKiB:
		return fmt.Errorf("%w: %d KiB of Argon2 memory, outside %d to %d", ErrDamaged, kdf.MemoryKiB, lo.MemoryKiB, hi.MemoryKiB)
	case kdf.Threads < lo.Threads || kdf.Threads > hi.Threads:
		return fmt.Errorf("%w: %d Argon2 lanes, outside %d to %d", ErrDamaged, kdf.Threads, lo.Threads, hi.Threads)
	case len(kdf.Salt) < minSalt || len(kdf.Salt) > maxSalt:
		return fmt.Errorf("%w: its salt has %d bytes, outside %d to %d", ErrDamaged, len(kdf.Salt), minSalt, maxSalt)
	}
	return nil
}
