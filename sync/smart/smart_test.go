package smart

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
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
