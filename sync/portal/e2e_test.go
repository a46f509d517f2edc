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
	"github.com/patient-companion/companion/data/datatest"
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
	var apptIDs []string
	for i := 0; i < 250; i++ {
		body := fmt.Sprintf(`{"resourceType":"Appointment","status":"booked","description":"Visit %d","start":%q,"end":%q,"participant":[{"actor":{"reference":"Patient/%s"},"status":"accepted"}]}`,
			i, start.Add(time.Duration(i)*24*time.Hour).Format(time.RFC3339), start.Add(time.Duration(i)*24*time.Hour+30*time.Minute).Format(time.RFC3339), pat.ID)
		raw, err := direct.Create(ctx, "Appointment", fhir.Raw(body), "")
		if err != nil {
			t.Fatal(err)
		}
		var a struct{ ID string }
		json.Unmarshal(raw, &a)
		apptIDs = append(apptIDs, a.ID)
	}

	gw := smarttest.Start(t, upstream, pat.ID)
	s, _ := datatest.CreatePassphrase(t, datatest.NewProfiles(t, nil), "Ada", "pw")

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
	if err != nil || res.Pushed != 1 || res.Pulled != 250 {
		t.Fatalf("first sync = %+v, %v", res, err)
	}
	appts, _ := s.ListAppointments(ctx, time.Time{}, time.Time{})
	if len(appts) != 250 || appts[0].Title != "Visit 0" || appts[0].Source != "portal" {
		t.Fatalf("appointments = %d, first %+v", len(appts), appts[0])
	}
	// Three change upstream, one of them cancelled: only those three come down.
	for _, i := range []int{3, 100, 249} {
		raw, err := direct.Read(ctx, "Appointment", apptIDs[i])
		if err != nil {
			t.Fatal(err)
		}
		a, _ := fhir.DecodeAppointment(raw)
		if i == 3 {
			a.Status = "cancelled"
		} else {
			a.Comment = "Bring your medicines"
		}
		body, _ := fhir.Merge(a.Raw(), a)
		if _, err := direct.Update(ctx, "Appointment", a.ID, body, ""); err != nil {
			t.Fatal(err)
		}
	}
	res, err = engine().Sync(ctx)
	if err != nil || res.Pulled != 3 {
		t.Fatalf("sync after 3 upstream changes = %+v, %v", res, err)
	}
	appts, _ = s.ListAppointments(ctx, time.Time{}, time.Time{})
	if len(appts) != 250 || appts[3].Status != "cancelled" || appts[100].Description != "Bring your medicines" {
		t.Fatalf("after the changes: %d appointments, #3 %q, #100 %q", len(appts), appts[3].Status, appts[100].Description)
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

// BenchmarkSyncMedplum: first sync of 1,000 appointments + 1,000 messages from the local FHIR
// engine, then a no-change sync (DESIGN §9: < 3 s and < 200 ms). No sign-in: the engine is
// reached directly, so the figure is the sync's own.
func BenchmarkSyncMedplum(b *testing.B) {
	ctx := context.Background()
	direct, patient := loadSyncMedplum(b)
	newStore := func() *data.Store {
		s, _ := datatest.CreatePassphrase(b, datatest.NewProfiles(b, nil), "B", "pw")
		return s
	}
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			s := newStore()
			b.StartTimer()
			res, err := (&portal.Engine{Client: direct, Store: s, Patient: patient}).Sync(ctx)
			if err != nil || res.Pulled != 2000 {
				b.Fatalf("sync = %+v, %v", res, err)
			}
		}
	})
	// Seconds after the writes: a delta re-reads the last two minutes (a write may still be
	// in flight) and skips each by its version.
	b.Run("no-change", func(b *testing.B) { benchNoChange(b, direct, patient) })
}

// BenchmarkSyncMedplumQuiet is BenchmarkSyncMedplum's no-change sync in the steady state:
// it waits until the portal has been quiet for longer than a write can be in flight (two
// minutes), so a delta has nothing to re-read.
func BenchmarkSyncMedplumQuiet(b *testing.B) {
	direct, patient := loadSyncMedplum(b)
	time.Sleep(2*time.Minute + 2*time.Second)
	b.Run("no-change", func(b *testing.B) { benchNoChange(b, direct, patient) })
}

func benchNoChange(b *testing.B, direct *fhir.Client, patient string) {
	ctx := context.Background()
	s, _ := datatest.CreatePassphrase(b, datatest.NewProfiles(b, nil), "B", "pw")
	eng := &portal.Engine{Client: direct, Store: s, Patient: patient}
	if _, err := eng.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if res, err := eng.Sync(ctx); err != nil || res.Pulled != 0 {
			b.Fatalf("sync = %+v, %v", res, err)
		}
	}
}

// loadSyncMedplum starts the engine with a patient, 1,000 appointments and 1,000 messages.
func loadSyncMedplum(b *testing.B) (*fhir.Client, string) {
	ctx := context.Background()
	_, direct, patID := fhirtest.StartWithPatient(b)
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 1000; i++ {
		at := start.Add(time.Duration(i) * time.Hour)
		if _, err := direct.Create(ctx, "Appointment", fhir.Raw(fmt.Sprintf(`{"resourceType":"Appointment","status":"booked","description":"Visit","start":%q,"end":%q,"participant":[{"actor":{"reference":"Patient/%s"},"status":"accepted"}]}`,
			at.Format(time.RFC3339), at.Add(30*time.Minute).Format(time.RFC3339), patID)), ""); err != nil {
			b.Fatal(err)
		}
		if _, err := direct.Create(ctx, "Communication", fhir.Raw(fmt.Sprintf(`{"resourceType":"Communication","status":"completed","subject":{"reference":"Patient/%s"},"sender":{"reference":"Practitioner/x","display":"Dr Okafor"},"payload":[{"contentString":"Your results are fine."}]}`, patID)), ""); err != nil {
			b.Fatal(err)
		}
	}
	return direct, patID
}
