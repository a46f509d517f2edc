package vault

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name under which every profile's wrapping key is stored.
const KeyringService = "Patient Companion"

// ErrKeyringUnavailable means no OS keyring answered: none is installed, it is locked and no
// desktop shows the unlock prompt, or it timed out. The remedy is a passphrase.
var ErrKeyringUnavailable = errors.New("the system keyring is not available")

// ErrKeyringEntryMissing means the keyring answered but has no key for this profile (it was
// deleted, or the profile was copied from another computer).
var ErrKeyringEntryMissing = errors.New("the system keyring has no key for this profile")

// Keyring stores one wrapping key per profile. OSKeyring is the real one; tests of callers may
// use their own.
type Keyring interface {
	Get(ctx context.Context, profileID string) ([]byte, error)
	Set(ctx context.Context, profileID string, key []byte) error
	Delete(ctx context.Context, profileID string) error
}

// OSKeyring is the operating system's keyring (Secret Service on Linux, Keychain on macOS,
// Credential Manager on Windows) through go-keyring.
type OSKeyring struct {
	// Timeout bounds every call: go-keyring can wait forever for an unlock prompt that no
	// desktop will ever show.
	Timeout time.Duration
}

// DefaultKeyringTimeout is long enough for a real unlock prompt to appear, short enough that a
// headless machine gets a clear answer.
const DefaultKeyringTimeout = 5 * time.Second

// NewKEK returns a fresh random key-encryption key for the keyring.
func NewKEK() ([]byte, error) {
	kek := make([]byte, KeySize)
	if _, err := rand.Read(kek); err != nil {
		return nil, fmt.Errorf("generate keyring key: %w", err)
	}
	return kek, nil
}

// Get returns the profile's wrapping key.
func (k OSKeyring) Get(ctx context.Context, profileID string) ([]byte, error) {
	s, err := call(ctx, k.timeout(), func() (string, error) { return keyring.Get(KeyringService, profileID) })
	if err != nil {
		return nil, err
	}
	kek, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(kek) != KeySize {
		return nil, fmt.Errorf("the system keyring's key for this profile is damaged: %w", ErrKeyringEntryMissing)
	}
	return kek, nil
}

// Set stores the profile's wrapping key, replacing any earlier one.
func (k OSKeyring) Set(ctx context.Context, profileID string, kek []byte) error {
	s := base64.StdEncoding.EncodeToString(kek)
	_, err := call(ctx, k.timeout(), func() (string, error) { return "", keyring.Set(KeyringService, profileID, s) })
	return err
}

// Delete removes the profile's wrapping key. A key that is already gone is not an error.
func (k OSKeyring) Delete(ctx context.Context, profileID string) error {
	_, err := call(ctx, k.timeout(), func() (string, error) { return "", keyring.Delete(KeyringService, profileID) })
	if errors.Is(err, ErrKeyringEntryMissing) {
		return nil
	}
	return err
}

func (k OSKeyring) timeout() time.Duration {
	if k.Timeout <= 0 {
		return DefaultKeyringTimeout
	}
	return k.Timeout
}

// NoSessionBus is the session bus address the program sets where there is no bus, so that
// godbus does not start one of its own (main.noBusAutolaunch): the keyring is then not
// available, said in words rather than as D-Bus's complaint about the address.
const NoSessionBus = "disabled:"

// call runs a go-keyring function with a deadline. go-keyring has no context, so a call that
// hangs is abandoned (its goroutine ends whenever the keyring finally answers).
func call(ctx context.Context, timeout time.Duration, f func() (string, error)) (string, error) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == NoSessionBus {
		return "", fmt.Errorf("%w (no D-Bus session here)", ErrKeyringUnavailable)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := f()
		ch <- result{s, err}
	}()
	select {
	case r := <-ch:
		switch {
		case r.err == nil:
			return r.s, nil
		case errors.Is(r.err, keyring.ErrNotFound):
			return "", ErrKeyringEntryMissing
		default:
			// The underlying error (D-Bus, Keychain) goes along for diagnosis; it holds no secret.
			return "", fmt.Errorf("%w (%v)", ErrKeyringUnavailable, r.err)
		}
	case <-ctx.Done():
		return "", fmt.Errorf("%w (no answer within %s)", ErrKeyringUnavailable, timeout)
	}
}
