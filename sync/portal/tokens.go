package portal

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/patient-companion/companion/sync/smart"
)

// TokenKey is where the sign-in is sealed in the profile's store.
const TokenKey = "portal.token"

// SecretStore keeps sealed secrets (a *data.Store).
type SecretStore interface {
	PutSecret(ctx context.Context, key string, v any) error
	Secret(ctx context.Context, key string, v any) (bool, error)
}

// Tokens keeps a SMART sign-in fresh: it refreshes a minute before expiry and saves each
// rotated token before using it, because a refresh token is spent the moment it is used.
// Callers hold the profile's sync lock, so no two processes spend the same one.
type Tokens struct {
	SMART *smart.Client
	Store SecretStore
	Now   func() time.Time

	mu     sync.Mutex
	tok    smart.Token
	loaded bool
}

func (t *Tokens) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func (t *Tokens) load(ctx context.Context) error {
	if t.loaded {
		return nil
	}
	ok, err := t.Store.Secret(ctx, TokenKey, &t.tok)
	if err != nil {
		return err
	}
	if !ok {
		return ErrSignInAgain
	}
	t.loaded = true
	return nil
}

// Token returns a valid access token (fhir.TokenSource).
func (t *Tokens) Token(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.load(ctx); err != nil {
		return "", err
	}
	if !t.tok.Valid(t.now()) {
		if err := t.refreshLocked(ctx); err != nil {
			return "", err
		}
	}
	return t.tok.AccessToken, nil
}

// ForceRefresh refreshes now (after a 401).
func (t *Tokens) ForceRefresh(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.load(ctx); err != nil {
		return err
	}
	return t.refreshLocked(ctx)
}

func (t *Tokens) refreshLocked(ctx context.Context) error {
	nt, err := t.SMART.Refresh(ctx, t.tok)
	if errors.Is(err, smart.ErrSignInAgain) {
		return ErrSignInAgain
	}
	if err != nil {
		return err
	}
	if err := t.Store.PutSecret(ctx, TokenKey, nt); err != nil {
		return fmt.Errorf("save the refreshed sign-in: %w", err)
	}
	t.tok = nt
	return nil
}

// Granted is the scope the portal granted at the last sign-in or refresh (space-separated).
func (t *Tokens) Granted(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.load(ctx); err != nil {
		return "", err
	}
	return t.tok.Scope, nil
}
