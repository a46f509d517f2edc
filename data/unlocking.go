package data

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/patient-companion/companion/data/vault"
)

// Managing how a profile is named and unlocked, once it is open: rename, keyring unlock on
// or off, and the screen PIN.

// Rename gives the open profile s a new name, unique among p's profiles.
func (p *Profiles) Rename(ctx context.Context, s *Store, name string) error {
	name, err := ValidateProfileName(name)
	if err != nil {
		return err
	}
	// Under the names lock, so two renames (or a rename and a create) at once cannot end
	// with one name twice.
	release, err := p.lockNames(ctx)
	if err != nil {
		return err
	}
	defer release()
	if err := p.nameFree(ctx, name, s.info.ID); err != nil {
		return err
	}
	if err := s.setName(ctx, name); err != nil {
		return fmt.Errorf("rename profile: %w", err)
	}
	return nil
}

// The profile's name and creation time are in the clear (meta), because the unlock screen
// and `profile list` show them before any key is at hand. A sealed copy, the label, is
// compared with them at every unlock: a name edited behind the app's back is damage, and the
// sealed name is the one used.

const secretLabel = "profile.label"

type profileLabel struct {
	Name    string `json:"name"`
	Created string `json:"created_at"`
}

// checkLabel compares the clear name and creation time with the sealed label, writing the
// label the first time (a new profile, or one made before labels).
func (s *Store) checkLabel(ctx context.Context) error {
	var l profileLabel
	ok, err := s.Secret(ctx, secretLabel, &l)
	var te *TamperedError
	switch {
	case errors.As(err, &te):
		s.damage = append(s.damage, te.Records...)
		return nil
	case err != nil:
		return err
	case !ok:
		return s.PutSecret(ctx, secretLabel, profileLabel{Name: s.info.Name, Created: s.createdText()})
	}
	if l.Name != s.info.Name || l.Created != s.createdText() {
		s.damage = append(s.damage, RecordRef{"meta", metaName})
		s.info.Name = l.Name
		if t, err := time.Parse(time.RFC3339Nano, l.Created); err == nil {
			s.info.CreatedAt = t.In(s.loc)
		}
	}
	return nil
}

func (s *Store) createdText() string {
	if s.info.CreatedAt.IsZero() {
		return ""
	}
	return s.info.CreatedAt.UTC().Format(time.RFC3339Nano)
}

// setName renames the profile: the clear name and the sealed label together.
func (s *Store) setName(ctx context.Context, name string) error {
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			metaName, []byte(name)); err != nil {
			return err
		}
		return s.putSecret(ctx, tx, secretLabel, profileLabel{Name: name, Created: s.createdText()})
	})
	if err != nil {
		return err
	}
	s.info.Name = name
	s.damage = slices.DeleteFunc(s.damage, func(r RecordRef) bool { return r.Table == "meta" || r.ID == secretLabel })
	return nil
}

// Damage reports what was found damaged about the profile itself when it was opened (its
// name edited behind the app's back), as a *TamperedError; nil when nothing was.
func (s *Store) Damage() error {
	if len(s.damage) == 0 {
		return nil
	}
	return &TamperedError{Records: slices.Clone(s.damage)}
}

// AddKeyring lets the OS keyring unlock the open profile s: a new key in the keyring wraps
// the data key. The keyring entry is written before the envelope, so a failure leaves at
// worst an unused keyring entry, never an envelope without its key.
func (p *Profiles) AddKeyring(ctx context.Context, s *Store) error {
	if p.Keyring == nil {
		return vault.ErrKeyringUnavailable
	}
	kek, err := vault.NewKEK()
	if err != nil {
		return err
	}
	defer clear(kek)
	e, err := s.key.WrapWithKey(kek, s.info.ID)
	if err != nil {
		return err
	}
	if err := p.Keyring.Set(ctx, s.info.ID, kek); err != nil {
		return fmt.Errorf("keyring: %w", err)
	}
	if err := s.putEnvelope(ctx, e); err != nil {
		return err
	}
	s.info.HasKeyring = true
	return nil
}

// RemoveKeyring stops the OS keyring unlocking s; the profile must have a passphrase, or
// nothing but the recovery key would open it. The envelope goes first: once it is gone
// the keyring's key opens nothing, even if deleting it fails.
func (p *Profiles) RemoveKeyring(ctx context.Context, s *Store) error {
	if !s.info.HasPassphrase {
		return invalid("input.pin_needs_passphrase", nil, "set a passphrase first: without the keyring, the passphrase is what opens the profile")
	}
	if _, err := s.db.ExecContext(ctx, "DELETE FROM meta WHERE key = ?", metaEnvelope+string(vault.MethodKeyring)); err != nil {
		return fmt.Errorf("remove keyring unlock: %w", err)
	}
	s.info.HasKeyring = false
	s.clearPIN(ctx) // a PIN is for keyring-only profiles
	if p.Keyring != nil {
		if err := p.Keyring.Delete(ctx, s.info.ID); err != nil && !errors.Is(err, vault.ErrKeyringEntryMissing) {
			return fmt.Errorf("%w: %w", ErrKeyringKeyLeft, err)
		}
	}
	return nil
}

// ErrKeyringKeyLeft: keyring unlock was removed from the profile, but the old key could
// not be deleted from the keyring. It opens nothing any more (its envelope is gone).
var ErrKeyringKeyLeft = errors.New("keyring unlock removed, but its old key could not be deleted from the keyring")

func (s *Store) putEnvelope(ctx context.Context, e vault.Envelope) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := s.putMeta(ctx, metaEnvelope+string(e.Method), b); err != nil {
		return fmt.Errorf("save key envelope: %w", err)
	}
	return nil
}

func (s *Store) putMeta(ctx context.Context, key string, value []byte) error {
	_, err := s.db.ExecContext(ctx,
		"INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)
	return err
}

// The screen PIN. A keyring-only profile has no passphrase to show its screens again after
// the lock; a PIN does that job. It guards the screen only (DESIGN §2, "Lock"): the data key
// stays in memory while locked, and the keyring opens the file for anyone at this login.
// Its verifier is sealed with the data key (the secrets table), so it cannot be tried
// offline without the key it would protect.

const (
	secretPIN  = "screen_pin"
	minPINLen  = 4
	maxPINLen  = 12
	pinSaltLen = 16
)

// pinArgon2 is cheap on purpose: the verifier is sealed, so the cost only has to slow a
// person at the screen, which the growing wait after wrong tries does already.
var pinArgon2 = vault.Argon2Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

type pinVerifier struct {
	Salt []byte `json:"salt"`
	Hash []byte `json:"hash"`
	vault.Argon2Params
}

// ValidatePIN checks a PIN's form: 4 to 12 digits.
func ValidatePIN(pin string) error {
	n := utf8.RuneCountInString(pin)
	if n < minPINLen || n > maxPINLen || strings.IndexFunc(pin, func(r rune) bool { return !unicode.IsDigit(r) || r > '9' }) >= 0 {
		return invalidField(FieldPIN, "input.pin_length", kv{"Min": minPINLen, "Max": maxPINLen}, "a PIN is %d to %d digits", minPINLen, maxPINLen)
	}
	return nil
}

// SetPIN sets the screen PIN of a keyring-only profile.
func (s *Store) SetPIN(ctx context.Context, pin string) error {
	if s.info.HasPassphrase {
		return invalid("input.pin_not_for_passphrase", nil, "this profile has a passphrase, which unlocks the screen; a PIN is for profiles opened by the keyring alone")
	}
	if err := ValidatePIN(pin); err != nil {
		return err
	}
	v := pinVerifier{Salt: make([]byte, pinSaltLen), Argon2Params: pinArgon2}
	if _, err := rand.Read(v.Salt); err != nil {
		return err
	}
	v.Hash = argon2.IDKey([]byte(pin), v.Salt, v.Time, v.MemoryKiB, v.Threads, 32)
	return s.PutSecret(ctx, secretPIN, v)
}

// HasPIN says whether the profile has a screen PIN.
func (s *Store) HasPIN(ctx context.Context) (bool, error) {
	var v pinVerifier
	return s.Secret(ctx, secretPIN, &v)
}

// CheckPIN says whether pin is the profile's screen PIN.
func (s *Store) CheckPIN(ctx context.Context, pin string) (bool, error) {
	var v pinVerifier
	ok, err := s.Secret(ctx, secretPIN, &v)
	if err != nil || !ok {
		return false, err
	}
	got := argon2.IDKey([]byte(pin), v.Salt, v.Time, v.MemoryKiB, v.Threads, 32)
	return subtle.ConstantTimeCompare(got, v.Hash) == 1, nil
}

// ClearPIN removes the screen PIN.
func (s *Store) ClearPIN(ctx context.Context) error { return s.DeleteSecret(ctx, secretPIN) }

func (s *Store) clearPIN(ctx context.Context) { _ = s.DeleteSecret(ctx, secretPIN) }
