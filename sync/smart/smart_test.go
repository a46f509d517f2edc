package smart

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/sync/smart/smarttest"
)

func TestSignInAndRefresh(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := smarttest.Start(t, "", "p1")
	cfg, err := Discover(ctx, nil, p.FHIRBase)
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{Config: cfg, ClientID: smarttest.ClientID, Audience: p.FHIRBase}
	tok, err := c.SignIn(ctx, p.Browser())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"offline_access", "launch/patient", "patient/Appointment.rs", "patient/Communication.crs"} {
		if !strings.Contains(" "+tok.Scope+" ", " "+want+" ") {
			t.Errorf("granted scopes %q lack %s", tok.Scope, want)
		}
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.Patient != "p1" || !tok.Valid(time.Now()) {
		t.Fatalf("token = %v (access %v, refresh %v)", tok, tok.AccessToken != "", tok.RefreshToken != "")
	}
	if s := fmt.Sprintf("%v %+v %#v", tok, tok, tok); strings.Contains(s, tok.AccessToken) || strings.Contains(s, tok.RefreshToken) {
		t.Fatalf("a token prints: %s", s)
	}
	// Refresh rotates the refresh token; the old one is spent.
	nt, err := c.Refresh(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if nt.AccessToken == "" || nt.AccessToken == tok.AccessToken || nt.Patient != "p1" {
		t.Fatalf("refreshed = %v", nt)
	}
	if nt.RefreshToken == tok.RefreshToken {
		t.Skip("this provider does not rotate refresh tokens")
	}
	if _, err := c.Refresh(ctx, tok); !errors.Is(err, ErrSignInAgain) {
		t.Fatalf("spending a refresh token twice: %v, want ErrSignInAgain", err)
	}
	if _, err := c.Refresh(ctx, nt); err != nil {
		t.Fatalf("the rotated refresh token: %v", err)
	}
}

func TestSignInStateChecked(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg := &Config{AuthorizationEndpoint: "http://127.0.0.1:1/authorize", TokenEndpoint: "http://127.0.0.1:1/token"}
	c := &Client{Config: cfg, ClientID: "companion"}
	_, err := c.SignIn(ctx, func(authURL string) error {
		u, _ := url.Parse(authURL)
		if u.Query().Get("code_challenge_method") != "S256" || len(u.Query().Get("state")) < 22 {
			return fmt.Errorf("no PKCE S256 or a short state: %s", authURL)
		}
		redirect := u.Query().Get("redirect_uri")
		if !strings.HasPrefix(redirect, "http://127.0.0.1:") {
			return fmt.Errorf("redirect %s is not a loopback address with a port", redirect)
		}
		// An attacker's page sends a code with a state of its own.
		resp, err := http.Get(redirect + "?code=stolen&state=forged")
		if err == nil {
			resp.Body.Close()
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "state") {
		t.Fatalf("err = %v, want a state mismatch", err)
	}
}

func TestDiscoverNoSMART(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	if _, err := Discover(context.Background(), nil, srv.URL+"/fhir"); !errors.Is(err, ErrNoSMART) {
		t.Fatalf("err = %v", err)
	}
}

func TestScopesForV1Server(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		v1   bool
	}{
		{"permission-v2", Config{Capabilities: []string{"launch-standalone", "permission-v2"}}, false},
		{"permission-v1 only", Config{Capabilities: []string{"launch-standalone", "permission-v1"}}, true},
		{"capabilities without permission-v2", Config{Capabilities: []string{"launch-standalone"}}, true},
		{"v1 scopes listed", Config{ScopesSupported: []string{"openid", "patient/*.read", "patient/Observation.read"}}, true},
		{"v2 scopes listed", Config{ScopesSupported: []string{"openid", "patient/*.rs", "patient/Observation.read"}}, false},
		{"says nothing", Config{}, false},
	} {
		if got := tc.cfg.SpeaksV1Only(); got != tc.v1 {
			t.Errorf("%s: SpeaksV1Only = %v", tc.name, got)
		}
	}
	v1 := &Config{Capabilities: []string{"permission-v1"}}
	got := strings.Join(scopesFor(v1, []string{"openid", "launch/patient", "patient/Observation.rs", "patient/Communication.crs", "patient/Patient.r"}), " ")
	if want := "openid launch/patient patient/Observation.read patient/Communication.read patient/Communication.write patient/Patient.read"; got != want {
		t.Errorf("v1 scopes = %q, want %q", got, want)
	}
	if got := scopesFor(&Config{Capabilities: []string{"permission-v2"}}, DefaultScopes); !slices.Equal(got, DefaultScopes) {
		t.Errorf("v2 scopes changed: %v", got)
	}
}

func TestGrants(t *testing.T) {
	for _, tc := range []struct {
		granted, typ string
		want         bool
	}{
		{"", "Observation", true}, // the server did not say: what was asked
		{"openid patient/Observation.rs", "Observation", true},
		{"patient/Observation.rs?category=laboratory", "Observation", true},
		{"patient/Observation.r", "Observation", false}, // read by id, no search
		{"patient/Observation.read", "Observation", true},
		{"patient/*.read", "Immunization", true},
		{"patient/*.rs", "Immunization", true},
		{"user/Condition.read", "Condition", true},
		{"patient/Observation.rs patient/Condition.rs", "Immunization", false},
		{"patient/Observation.write", "Observation", false},
		{"openid fhirUser", "Condition", false},
	} {
		if got := Grants(tc.granted, tc.typ); got != tc.want {
			t.Errorf("Grants(%q, %s) = %v, want %v", tc.granted, tc.typ, got, tc.want)
		}
	}
}
