package portal_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/vault"
	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/fhir/fhirtest"
	"github.com/patient-companion/companion/sync/portal"
	"github.com/patient-companion/companion/sync/smart"
	"github.com/patient-companion/companion/sync/smart/smarttest"
)

// TestSyncThroughSMART is the whole chain with real components: the Medplum FHIR engine,
// zitadel's OpenID provider for sign-in (PKCE, loopback redirect, login form filled in),
// a real SQLite profile with the tokens sealed in it, and the sync engine.
func TestSyncThroughSMART(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	upstream := fhirtest.Start(t)
	direct, err := fhir.New(upstream)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := direct.Create(ctx, "Patient", fhir.Raw(`{"resourceType":"Patient","name":[{"family":"Okafor","given":["Ada"]}]}`), "")
	if err != nil {
		t.Fatal(err)
	}
	var pat struct{ ID string }
	json.Unmarshal(raw, &pat)
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 30; i++ {
		body := fmt.Sprintf(`{"resourceType":"Appointment","status":"booked","description":"Visit %d","start":%q,"end":%q,"participant":[{"actor":{"reference":"Patient/%s"},"status":"accepted"}]}`,
			i, start.Add(time.Duration(i)*24*time.Hour).Format(time.RFC3339), start.Add(time.Duration(i)*24*time.Hour+30*time.Minute).Format(time.RFC3339), pat.ID)
		if _, err := direct.Create(ctx, "Appointment", fhir.Raw(body), ""); err != nil {
			t.Fatal(err)
		}
	}

	gw := smarttest.Start(t, upstream, pat.ID)
	p := &data.Profiles{Dir: t.TempDir(), Argon2: vault.Argon2Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}}
	s, _, err := p.Create(ctx, data.CreateOptions{Name: "Ada", Passphrase: []byte("pw"), NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	cfg, err := smart.Discover(ctx, nil, gw.FHIRBase)
	if err != nil {
		t.Fatal(err)
	}
	sc := &smart.Client{Config: cfg, ClientID: smarttest.ClientID, Audience: gw.FHIRBase}
	tok, err := sc.SignIn(ctx, gw.Browser())
	if err != nil {
		t.Fatal(err)
	}
	if tok.Patient != pat.ID {
		t.Fatalf("patient context %q, want %q", tok.Patient, pat.ID)
	}
	if err := s.PutSecret(ctx, portal.TokenKey, tok); err != nil {
		t.Fatal(err)
	}
	engine := func() *portal.Engine {
		tokens := &portal.Tokens{SMART: sc, Store: s}
		c, err := fhir.New(gw.FHIRBase, fhir.WithTokens(tokens))
		if err != nil {
			t.Fatal(err)
		}
		return &portal.Engine{Client: c, Store: s, Patient: pat.ID, Reauth: tokens,
			Sleep: func(context.Context, time.Duration) error { return nil }}
	}

	note, _ := s.AddNote(ctx, "Should I still fast before the blood test?")
	res, err := engine().Sync(ctx)
	if err != nil || res.Pushed != 1 || res.Pulled != 30 {
		t.Fatalf("first sync = %+v, %v", res, err)
	}
	appts, _ := s.ListAppointments(ctx, time.Time{}, time.Time{})
	if len(appts) != 30 || appts[0].Title != "Visit 0" || appts[0].Source != "portal" {
		t.Fatalf("appointments = %d, first %+v", len(appts), appts[0])
	}
	countComms := func() int {
		n := 0
		direct.Search(ctx, "Communication", url.Values{"identifier": {"urn:ietf:rfc:3986|urn:uuid:" + note.ID}}, func(fhir.Raw) error { n++; return nil })
		return n
	}
	if n := countComms(); n != 1 {
		t.Fatalf("%d Communications for the note, want 1", n)
	}

	// The access token expires: the next sync refreshes once (saving the rotated refresh
	// token) and succeeds.
	gw.ExpireAccessTokens()
	if res, err := engine().Sync(ctx); err != nil {
		t.Fatalf("sync after expiry = %+v, %v", res, err)
	}
	var saved smart.Token
	if ok, _ := s.Secret(ctx, portal.TokenKey, &saved); !ok || saved.RefreshToken == tok.RefreshToken {
		t.Fatal("the rotated refresh token was not saved")
	}

	// The sign-in is revoked (a refresh token that no longer works): "sign in again", and the
	// note written meanwhile stays queued.
	gw.ExpireAccessTokens()
	saved.RefreshToken = "revoked"
	s.PutSecret(ctx, portal.TokenKey, saved)
	second, _ := s.AddNote(ctx, "Second question")
	if _, err := engine().Sync(ctx); !errors.Is(err, portal.ErrSignInAgain) {
		t.Fatalf("err = %v, want ErrSignInAgain", err)
	}
	m, _ := s.Message(ctx, second.ID)
	if m.State != data.MessageQueued {
		t.Fatalf("note after a refused sign-in: %+v", m)
	}
}
