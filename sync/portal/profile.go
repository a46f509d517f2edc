package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/smart"
)

// The window and the command line sync and connect a profile the same way; these are the
// one copy of that wiring.

// ErrNotConnected means the profile has no portal connection.
var ErrNotConnected = errors.New("this profile is not connected to a portal")

// ErrNeedClientID means the portal signs people in with SMART and no client id was given.
var ErrNeedClientID = errors.New("the portal signs people in with SMART: the app's client id (from the clinic) is needed")

// ErrNoPatient means an open portal needs the patient's id, or the sign-in did not say.
var ErrNoPatient = errors.New("the portal did not say which patient this is; give the patient's id")

// SyncProfile runs one sync of an unlocked profile: its connection, the profile's sync lock
// (waiting while another process syncs), SMART tokens when the connection has a client id.
// now and sleep may be nil (the real clock).
func SyncProfile(ctx context.Context, st *data.Store, now func() time.Time, sleep func(context.Context, time.Duration) error) (Result, error) {
	return syncProfile(ctx, st, false, now, sleep)
}

// ResyncProfile is SyncProfile with a full resync of the health record: every type pulled
// whole, and records gone upstream removed (one also runs weekly without asking).
func ResyncProfile(ctx context.Context, st *data.Store, now func() time.Time, sleep func(context.Context, time.Duration) error) (Result, error) {
	return syncProfile(ctx, st, true, now, sleep)
}

func syncProfile(ctx context.Context, st *data.Store, full bool, now func() time.Time, sleep func(context.Context, time.Duration) error) (Result, error) {
	eng, unlock, err := engineFor(ctx, st, now, sleep)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	eng.Full = full
	return eng.Sync(ctx)
}

// PushProfile sends what the profile's outbox holds, without pulling: for a command that
// has just queued a change the person waits to hear about (a cancellation, a request).
func PushProfile(ctx context.Context, st *data.Store, now func() time.Time, sleep func(context.Context, time.Duration) error) (Result, error) {
	eng, unlock, err := engineFor(ctx, st, now, sleep)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	return eng.Push(ctx)
}

// AcceptsCreate asks the profile's portal whether it takes new resources of a type from
// the app (granted scopes, or the CapabilityStatement of a portal without sign-in).
func AcceptsCreate(ctx context.Context, st *data.Store, resourceType string) (bool, error) {
	eng, unlock, err := engineFor(ctx, st, nil, nil)
	if err != nil {
		return false, err
	}
	defer unlock()
	return eng.mayCreate(ctx, resourceType)
}

// engineFor wires the sync engine of an unlocked profile, holding its sync lock until
// unlock is called.
func engineFor(ctx context.Context, st *data.Store, now func() time.Time, sleep func(context.Context, time.Duration) error) (*Engine, func(), error) {
	p, err := st.PortalConnection(ctx)
	if err != nil {
		return nil, nil, err
	}
	if p.URL == "" {
		return nil, nil, ErrNotConnected
	}
	unlock, err := st.LockSync(ctx)
	if err != nil {
		return nil, nil, err
	}
	opts := []fhir.Option{fhir.WithHTTPClient(&http.Client{Timeout: 60 * time.Second})}
	var tokens *Tokens
	if p.ClientID != "" {
		cfg, err := smart.Discover(ctx, &http.Client{Timeout: 20 * time.Second}, p.URL)
		if err != nil {
			unlock()
			return nil, nil, err
		}
		tokens = &Tokens{SMART: &smart.Client{Config: cfg, ClientID: p.ClientID, Audience: p.URL}, Store: st, Now: now}
		opts = append(opts, fhir.WithTokens(tokens))
	}
	client, err := fhir.New(p.URL, opts...)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	eng := &Engine{Client: client, Store: st, Patient: p.PatientID, Now: now, Sleep: sleep}
	if tokens != nil {
		eng.Reauth, eng.Grants = tokens, tokens
	}
	return eng, unlock, nil
}

// Connection is how a profile was connected.
type Connection struct {
	URL     string `json:"url"`
	Patient string `json:"patient"`
	SignIn  string `json:"sign_in"` // "smart" or "none"
}

// ConnectProfile connects an unlocked profile to a portal. A portal with SMART sign-in needs
// clientID and opens the browser through open (the patient comes from the sign-in unless
// patient is given); one without needs patient, which must exist there. The old connection
// and sign-in are replaced only when the new one works.
func ConnectProfile(ctx context.Context, st *data.Store, rawURL, clientID, patient string, open func(string) error) (Connection, error) {
	client, err := fhir.New(rawURL, fhir.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}))
	if err != nil {
		return Connection{}, err
	}
	base := client.Base()
	cfg, err := smart.Discover(ctx, &http.Client{Timeout: 20 * time.Second}, base)
	if errors.Is(err, smart.ErrNoSMART) {
		if patient == "" {
			return Connection{}, fmt.Errorf("%s has no SMART sign-in: %w", base, ErrNoPatient)
		}
		if _, err := client.Read(ctx, "Patient", patient); err != nil {
			if errors.Is(err, fhir.ErrNotFound) {
				return Connection{}, fmt.Errorf("the portal has no patient %q: %w", patient, data.ErrNotFound)
			}
			return Connection{}, err
		}
		if err := st.SetPortalConnection(ctx, data.Portal{URL: base, PatientID: patient}); err != nil {
			return Connection{}, err
		}
		return Connection{URL: base, Patient: patient, SignIn: "none"}, nil
	}
	if err != nil {
		return Connection{}, err
	}
	if clientID == "" {
		return Connection{}, fmt.Errorf("%s: %w", base, ErrNeedClientID)
	}
	sc := &smart.Client{Config: cfg, ClientID: clientID, Audience: base}
	tok, err := sc.SignIn(ctx, open)
	if err != nil {
		return Connection{}, err
	}
	if patient == "" {
		patient = tok.Patient
	}
	if patient == "" {
		return Connection{}, ErrNoPatient
	}
	if err := st.SetPortalConnection(ctx, data.Portal{URL: base, PatientID: patient, ClientID: clientID}); err != nil {
		return Connection{}, err
	}
	if err := st.PutSecret(ctx, TokenKey, tok); err != nil {
		return Connection{}, err
	}
	return Connection{URL: base, Patient: patient, SignIn: "smart"}, nil
}

// WithProfile runs f with the sync engine of an unlocked profile, holding its sync lock:
// for the window's interactive steps (finding free times, booking one).
func WithProfile(ctx context.Context, st *data.Store, f func(*Engine) error) error {
	eng, unlock, err := engineFor(ctx, st, nil, nil)
	if err != nil {
		return err
	}
	defer unlock()
	return f(eng)
}
