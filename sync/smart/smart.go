// Package smart signs a person in to their clinic's portal with SMART App Launch (OAuth 2
// authorization code with PKCE S256, the system browser and a loopback redirect on
// 127.0.0.1 with a random port, RFC 8252), and refreshes the tokens.
//
// Tokens are secrets: Token prints redacted, and no error here carries one.
package smart

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// ErrNoSMART means the server publishes no SMART configuration (an open server).
var ErrNoSMART = errors.New("the portal does not offer SMART sign-in")

// ErrSignInAgain means the refresh token was refused: the person must sign in again.
var ErrSignInAgain = errors.New("the portal needs you to sign in again")

// DefaultScopes are what Patient Companion asks for (DESIGN §4): sign-in, appointments and
// messages, and reading the health record. Binary is for documents whose content the
// portal keeps apart from their DocumentReference (a url to a Binary).
var DefaultScopes = []string{"openid", "fhirUser", "launch/patient", "offline_access",
	"patient/Appointment.rs", "patient/Communication.crs", "patient/Patient.r",
	"patient/Condition.rs", "patient/AllergyIntolerance.rs", "patient/MedicationRequest.rs",
	"patient/Medication.rs", "patient/Immunization.rs", "patient/Observation.rs",
	"patient/DiagnosticReport.rs", "patient/DocumentReference.rs", "patient/Binary.r"}

// SpeaksV1Only reports whether the server knows only SMART v1 scopes (patient/X.read):
// its capabilities lack permission-v2, or the scopes it lists are all v1 forms. A server
// that says nothing either way gets v2 scopes, which SMART 2 servers must accept.
func (c *Config) SpeaksV1Only() bool {
	if contains(c.Capabilities, "permission-v2") {
		return false
	}
	if contains(c.Capabilities, "permission-v1") || (len(c.Capabilities) > 0 && len(c.ScopesSupported) == 0) {
		return true
	}
	v1, v2 := false, false
	for _, s := range c.ScopesSupported {
		if _, perm, ok := resourceScope(s); ok {
			if isV1Perm(perm) {
				v1 = true
			} else {
				v2 = true
			}
		}
	}
	return v1 && !v2
}

// scopesFor turns v2 resource scopes into their v1 forms for a v1 server: a v2 permission
// with read or search becomes .read, one with create, update or delete .write.
func scopesFor(c *Config, scopes []string) []string {
	if c == nil || !c.SpeaksV1Only() {
		return scopes
	}
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		res, perm, ok := resourceScope(s)
		if !ok || isV1Perm(perm) {
			out = append(out, s)
			continue
		}
		if strings.ContainsAny(perm, "rs") {
			out = append(out, res+".read")
		}
		if strings.ContainsAny(perm, "cud") {
			out = append(out, res+".write")
		}
	}
	return out
}

// resourceScope splits "patient/Observation.rs?category=laboratory" into
// "patient/Observation" and "rs".
func resourceScope(s string) (res, perm string, ok bool) {
	s, _, _ = strings.Cut(s, "?")
	if !strings.HasPrefix(s, "patient/") && !strings.HasPrefix(s, "user/") && !strings.HasPrefix(s, "system/") {
		return "", "", false
	}
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}

func isV1Perm(perm string) bool { return perm == "read" || perm == "write" || perm == "*" }

// Grants reports whether a granted scope string (a token response's "scope") lets the app
// search resources of type resourceType for the patient. An empty string grants all: a
// server that omits "scope" granted what was asked (RFC 6749 §5.1).
func Grants(granted, resourceType string) bool {
	if strings.TrimSpace(granted) == "" {
		return true
	}
	for _, s := range strings.Fields(granted) {
		res, perm, ok := resourceScope(s)
		if !ok {
			continue
		}
		_, typ, _ := strings.Cut(res, "/")
		if typ != resourceType && typ != "*" {
			continue
		}
		if perm == "read" || perm == "*" || (!isV1Perm(perm) && strings.Contains(perm, "s")) {
			return true
		}
	}
	return false
}

// Config is the server's .well-known/smart-configuration.
type Config struct {
	Issuer                string   `json:"issuer,omitempty"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	CodeChallengeMethods  []string `json:"code_challenge_methods_supported,omitempty"`
	ScopesSupported       []string `json:"scopes_supported,omitempty"`
	Capabilities          []string `json:"capabilities,omitempty"`
}

// Discover reads the SMART configuration of a FHIR base URL.
func Discover(ctx context.Context, hc *http.Client, fhirBase string) (*Config, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(fhirBase, "/")+"/.well-known/smart-configuration", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("SMART discovery: %w", errors.Unwrap(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, ErrNoSMART
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("SMART discovery: %s", resp.Status)
	}
	var c Config
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&c); err != nil {
		return nil, fmt.Errorf("SMART discovery: the configuration is not valid JSON: %w", err)
	}
	if c.AuthorizationEndpoint == "" || c.TokenEndpoint == "" {
		return nil, fmt.Errorf("SMART discovery: the configuration has no authorization or token endpoint")
	}
	if len(c.CodeChallengeMethods) > 0 && !contains(c.CodeChallengeMethods, "S256") {
		return nil, fmt.Errorf("SMART discovery: the portal does not support PKCE S256, which Patient Companion requires")
	}
	return &c, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Token is a sign-in: the tokens and the patient the portal chose.
type Token struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry"`
	Patient      string    `json:"patient,omitempty"`
	Scope        string    `json:"scope,omitempty"`
}

// String keeps tokens out of logs.
func (t Token) String() string {
	return fmt.Sprintf("smart.Token{patient %q, expires %s, refresh %v}", t.Patient, t.Expiry.Format(time.RFC3339), t.RefreshToken != "")
}

// GoString is String for %#v.
func (t Token) GoString() string { return t.String() }

// Valid reports whether the access token is good for at least another minute.
func (t Token) Valid(now time.Time) bool {
	return t.AccessToken != "" && (t.Expiry.IsZero() || now.Add(time.Minute).Before(t.Expiry))
}

// Client signs in to one portal.
type Client struct {
	Config   *Config
	ClientID string
	Scopes   []string
	// Audience is the FHIR base URL (SMART's "aud").
	Audience string
	// HTTP is used for the token endpoint; nil means a client with a 30-second timeout.
	HTTP *http.Client
}

func (c *Client) oauth(redirect string) *oauth2.Config {
	scopes := c.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	scopes = scopesFor(c.Config, scopes)
	return &oauth2.Config{
		ClientID:    c.ClientID,
		RedirectURL: redirect,
		Scopes:      scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.Config.AuthorizationEndpoint,
			TokenURL:  c.Config.TokenEndpoint,
			AuthStyle: oauth2.AuthStyleInParams, // a public client: no secret, id in the form
		},
	}
}

func (c *Client) httpCtx(ctx context.Context) context.Context {
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return context.WithValue(ctx, oauth2.HTTPClient, hc)
}

// SignIn runs the authorization code flow: it listens on 127.0.0.1 at a random port, calls
// open with the sign-in address (the system browser, or print it), waits for the redirect,
// checks state and exchanges the code with the PKCE verifier.
func (c *Client) SignIn(ctx context.Context, open func(url string) error) (Token, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Token{}, fmt.Errorf("sign-in: %w", err)
	}
	defer ln.Close()
	redirect := fmt.Sprintf("http://127.0.0.1:%d/callback", ln.Addr().(*net.TCPAddr).Port)
	conf := c.oauth(redirect)
	verifier := oauth2.GenerateVerifier()
	state, err := randomState()
	if err != nil {
		return Token{}, err
	}
	type result struct {
		code string
		err  error
	}
	done := make(chan result, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		var res result
		switch {
		case q.Get("state") != state:
			res.err = errors.New("sign-in: the answer did not match this sign-in (state); try again")
		case q.Get("error") != "":
			res.err = fmt.Errorf("sign-in refused by the portal: %s %s", q.Get("error"), q.Get("error_description"))
		case q.Get("code") == "":
			res.err = errors.New("sign-in: the portal sent no code")
		default:
			res.code = q.Get("code")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		msg := "You are signed in. You can close this window and go back to Patient Companion."
		if res.err != nil {
			msg = "Sign-in did not work: " + res.err.Error()
		}
		fmt.Fprintf(w, "<!doctype html><title>Patient Companion</title><p style=\"font:1.4em sans-serif\">%s</p>", html.EscapeString(msg))
		select {
		case done <- res:
		default:
		}
	})}
	go srv.Serve(ln)
	defer srv.Close()

	authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("aud", c.Audience))
	if err := open(authURL); err != nil {
		return Token{}, fmt.Errorf("sign-in: open the browser: %w", err)
	}
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		return Token{}, ctx.Err()
	}
	if res.err != nil {
		return Token{}, res.err
	}
	tok, err := conf.Exchange(c.httpCtx(ctx), res.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return Token{}, fmt.Errorf("sign-in: exchanging the code: %w", scrub(err))
	}
	return fromOAuth(tok), nil
}

// Refresh spends the refresh token once and returns the new tokens (with the rotated
// refresh token, or the old one when the server keeps it). A refused refresh token is
// ErrSignInAgain.
func (c *Client) Refresh(ctx context.Context, t Token) (Token, error) {
	if t.RefreshToken == "" {
		return Token{}, ErrSignInAgain
	}
	src := c.oauth("").TokenSource(c.httpCtx(ctx), &oauth2.Token{RefreshToken: t.RefreshToken, Expiry: time.Unix(1, 0)})
	tok, err := src.Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode/100 == 4 {
			return Token{}, ErrSignInAgain
		}
		return Token{}, fmt.Errorf("refresh sign-in: %w", scrub(err))
	}
	nt := fromOAuth(tok)
	if nt.Patient == "" {
		nt.Patient = t.Patient
	}
	if nt.RefreshToken == "" {
		nt.RefreshToken = t.RefreshToken
	}
	return nt, nil
}

func fromOAuth(tok *oauth2.Token) Token {
	t := Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: tok.Expiry}
	if p, ok := tok.Extra("patient").(string); ok {
		t.Patient = p
	}
	if s, ok := tok.Extra("scope").(string); ok {
		t.Scope = s
	}
	return t
}

// scrub drops the response body from an oauth2 error: some servers echo the request,
// refresh token included.
func scrub(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			return fmt.Errorf("%s %s", re.ErrorCode, re.ErrorDescription)
		}
		if re.Response != nil {
			return errors.New(re.Response.Status)
		}
	}
	return err
}

func randomState() (string, error) {
	b := make([]byte, 16) // 128 bits
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
