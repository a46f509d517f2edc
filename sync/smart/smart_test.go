package smart

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// portal is a test sign-in server: zitadel's example OpenID provider, in-process, behind a
// gateway that serves the SMART configuration under the FHIR base and adds the SMART
// "patient" to token responses (as a SMART server does).
type portal struct {
	issuer, fhirBase string
	auth, token      string
}

func startPortal(t *testing.T) *portal {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String() + "/"
	storage.RegisterClients(storage.NativeClient("companion", "http://127.0.0.1/callback"))
	st := storage.NewStorage(storage.NewUserStore(issuer))
	router := exampleop.SetupServer(issuer, st, slog.New(slog.NewTextHandler(io.Discard, nil)), false, op.WithAllowInsecure())
	p := &portal{issuer: issuer, fhirBase: issuer + "fhir"}
	gateway := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/fhir/.well-known/smart-configuration":
			json.NewEncoder(w).Encode(map[string]any{
				"issuer": issuer, "authorization_endpoint": p.auth, "token_endpoint": p.token,
				"code_challenge_methods_supported": []string{"S256"},
				"capabilities":                     []string{"launch-standalone", "client-public", "context-standalone-patient"},
			})
		case p.token != "" && r.URL.Path == mustPath(p.token):
			rec := httptest.NewRecorder()
			router.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			if rec.Code == http.StatusOK {
				var m map[string]any
				if json.Unmarshal(body, &m) == nil {
					m["patient"] = "p1"
					body, _ = json.Marshal(m)
				}
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			w.Write(body)
		default:
			router.ServeHTTP(w, r)
		}
	})
	srv := &http.Server{Handler: gateway}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	// The provider's own discovery names its endpoints.
	resp, err := http.Get(issuer + ".well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var disc struct {
		Auth  string `json:"authorization_endpoint"`
		Token string `json:"token_endpoint"`
	}
	json.NewDecoder(resp.Body).Decode(&disc)
	p.auth, p.token = disc.Auth, disc.Token
	return p
}

func mustPath(u string) string {
	p, _ := url.Parse(u)
	return p.Path
}

// browser signs in the test user the way a person would: open the address, fill in the
// login form, follow the redirects back to the app's loopback address.
func browser(t *testing.T, p *portal) func(string) error {
	return func(authURL string) error {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
		resp, err := c.Get(authURL)
		if err != nil {
			return err
		}
		resp.Body.Close()
		id := resp.Request.URL.Query().Get("authRequestID")
		if id == "" {
			return fmt.Errorf("no login page: ended at %s (%s)", resp.Request.URL, resp.Status)
		}
		host := strings.Split(strings.TrimPrefix(p.issuer, "http://"), ":")[0]
		resp, err = c.PostForm(p.issuer+"login/username", url.Values{"id": {id}, "username": {"test-user@" + host}, "password": {"verysecure"}})
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if !bytes.Contains(b, []byte("You are signed in")) {
			return fmt.Errorf("sign-in did not reach the app: %s %s", resp.Status, b)
		}
		return nil
	}
}

func TestSignInAndRefresh(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := startPortal(t)
	cfg, err := Discover(ctx, nil, p.fhirBase)
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{Config: cfg, ClientID: "companion", Audience: p.fhirBase}
	tok, err := c.SignIn(ctx, browser(t, p))
	if err != nil {
		t.Fatal(err)
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
