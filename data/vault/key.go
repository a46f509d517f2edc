// Package vault holds the cryptography of a profile: its random data key, the keys that wrap it
// (OS keyring, passphrase, recovery key), and the sealing of records with AES-256-GCM.
//
// The data key never leaves this package in the clear: callers hold a *DataKey and ask it to
// seal or open records, the way upspin's factotum keeps its private key behind methods.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
)

// KeySize is the size in bytes of every symmetric key here: AES-256.
const KeySize = 32

// ErrTampered reports a sealed blob that failed authentication: it was changed on disk, moved
// to another row, or is damaged.
var ErrTampered = errors.New("sealed data failed authentication")

// ErrForgotten reports a use of a data key after Forget: its profile was closed, so nothing
// can be sealed, opened or wrapped with it any more. Reopen the profile.
var ErrForgotten = errors.New("the data key is forgotten: the profile was closed")

// DataKey is a profile's data key. The zero value is unusable; make one with NewDataKey or by
// unwrapping an Envelope. It is safe for concurrent use, Forget included: a profile closes
// (and forgets its key) while background reads and writes may still be using it.
type DataKey struct {
	// mu is held shared by every use of the key and exclusively by Forget, so Forget waits
	// for uses under way and a use never sees the key half cleared.
	mu   sync.RWMutex
	raw  [KeySize]byte
	aead cipher.AEAD // nil once forgotten
}

// NewDataKey returns a fresh random data key.
func NewDataKey() (*DataKey, error) {
	var raw [KeySize]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("generate data key: %w", err)
	}
	return newDataKey(raw)
}

func newDataKey(raw [KeySize]byte) (*DataKey, error) {
	aead, err := newGCM(raw[:])
	if err != nil {
		return nil, err
	}
	return &DataKey{raw: raw, aead: aead}, nil
}

// Seal encrypts plaintext and binds it to aad. The result is nonce || ciphertext || tag.
func (k *DataKey) Seal(aad, plaintext []byte) ([]byte, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.aead == nil {
		return nil, ErrForgotten
	}
	return seal(k.aead, aad, plaintext)
}

// Open authenticates and decrypts a blob made by Seal with the same aad. Any mismatch —
// a changed byte, another row's aad, another key — returns ErrTampered.
func (k *DataKey) Open(aad, blob []byte) ([]byte, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.aead == nil {
		return nil, ErrForgotten
	}
	return open(k.aead, aad, blob)
}

// Forget overwrites the key material, after the uses under way have finished; every use
// afterwards returns ErrForgotten. Go may have copied the key elsewhere in memory (the AES
// key schedule inside the cipher, for one); this is best effort, not a guarantee.
func (k *DataKey) Forget() {
	k.mu.Lock()
	defer k.mu.Unlock()
	clear(k.raw[:])
	k.aead = nil
}

// String keeps the key out of logs and panics even if a DataKey is printed by mistake.
func (k *DataKey) String() string { return "vault.DataKey(redacted)" }

// GoString is String for %#v.
func (k *DataKey) GoString() string { return k.String() }

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("gcm: %w", err)
	}
	return aead, nil
}

func seal(aead cipher.AEAD, aad, plaintext []byte) ([]byte, error) {
	ns := aead.NonceSize()
	out := make([]byte, ns, ns+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return aead.Seal(out, out[:ns], plaintext, aad), nil
}

func open(aead cipher.AEAD, aad, blob []byte) ([]byte, error) {
	ns := aead.NonceSize()
	if len(blob) < ns+aead.Overhead() {
		return nil, ErrTampered
	}
	pt, err := aead.Open(nil, blob[:ns], blob[ns:], aad)
	if err != nil {
		return nil, ErrTampered
	}
	return pt, nil
}
