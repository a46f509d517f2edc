// Package smarttest is a SMART-on-FHIR portal for tests: zitadel/oidc's example OpenID
// provider in-process, behind a gateway that serves the SMART configuration under /fhir,
// adds the patient context to token responses, checks bearer tokens on FHIR requests and
// forwards them to a FHIR server (the Medplum engine from sync/fhir/fhirtest, or a fake),
// and can be told to refuse tokens, to speak only SMART v1, or to refuse a resource type.
package smarttest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// ClientID is the public client registered with the provider.
const ClientID = "companion"

// Portal is a running test portal.
type Portal struct {
	Issuer   string // the OpenID provider
	FHIRBase string // what the app connects to: <issuer>fhir
	Patient  string // the patient context added to token responses

	auth, token string
	mu          sync.Mutex
	valid       map[string]bool // access tokens issued and not revoked
	rejectAll   bool
	seenTokens  int
	v1Only      bool
	withheld    map[string]bool // resource types whose scopes the portal does not grant
	refused     map[string]bool // resource types the gateway answers 403 for
}

// Start runs a portal in front of fhirUpstream (a FHIR base URL; "" for none, then FHIR
// requests get 404). It stops with the test.
func Start(t testing.TB, fhirUpstream, patient string) *Portal {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String() + "/"
	storage.RegisterClients(storage.NativeClient(ClientID, "http://127.0.0.1/callback"))
	st := smartStorage{storage.NewStorage(storage.NewUserStore(issuer))}
	router := exampleop.SetupServer(issuer, st, slog.New(slog.NewTextHandler(io.Discard, nil)), false, op.WithAllowInsecure())
	p := &Portal{Issuer: issuer, FHIRBase: issuer + "fhir", Patient: patient, valid: map[string]bool{},
		withheld: map[string]bool{}, refused: map[string]bool{}}
	var proxy http.Handler = http.NotFoundHandler()
	if fhirUpstream != "" {
		up, err := url.Parse(fhirUpstream)
		if err != nil {
			t.Fatal(err)
		}
		rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Path = strings.TrimPrefix(r.In.URL.Path, "/fhir")
			r.SetURL(up)
			r.Out.Header.Del("Authorization")
		}}
		// The upstream writes its own absolute links (next pages, Location): point them back here.
		rp.ModifyResponse = func(resp *http.Response) error {
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			b = bytes.ReplaceAll(b, []byte(strings.TrimRight(fhirUpstream, "/")), []byte(p.FHIRBase))
			resp.Body = io.NopCloser(bytes.NewReader(b))
			resp.ContentLength = int64(len(b))
			resp.Header.Del("Content-Length")
			if loc := resp.Header.Get("Location"); loc != "" {
				resp.Header.Set("Location", strings.Replace(loc, strings.TrimRight(fhirUpstream, "/"), p.FHIRBase, 1))
			}
			return nil
		}
		proxy = rp
	}
	gateway := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/fhir/.well-known/smart-configuration":
			caps := []string{"launch-standalone", "client-public", "context-standalone-patient", "permission-offline", "permission-v2"}
			p.mu.Lock()
			if p.v1Only {
				caps = []string{"launch-standalone", "client-public", "context-standalone-patient", "permission-offline", "permission-v1"}
			}
			p.mu.Unlock()
			json.NewEncoder(w).Encode(map[string]any{
				"issuer": issuer, "authorization_endpoint": p.auth, "token_endpoint": p.token,
				"code_challenge_methods_supported": []string{"S256"},
				"capabilities":                     caps,
			})
		case p.token != "" && r.URL.Path == pathOf(p.token):
			p.serveToken(w, r, router)
		case strings.HasPrefix(r.URL.Path, "/fhir"):
			tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			typ, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/fhir/"), "/")
			p.mu.Lock()
			ok := p.valid[tok] && !p.rejectAll
			p.seenTokens++
			refused := p.refused[typ] || p.withheld[typ]
			p.mu.Unlock()
			if !ok {
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			if refused {
				w.Header().Set("Content-Type", "application/fhir+json")
				w.WriteHeader(http.StatusForbidden)
				io.WriteString(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden","diagnostics":"access to this resource type is not permitted"}]}`)
				return
			}
			proxy.ServeHTTP(w, r)
		default:
			router.ServeHTTP(w, r)
		}
	})
	srv := &http.Server{Handler: gateway, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	resp, err := http.Get(issuer + ".well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var disc struct {
		Auth  string `json:"authorization_endpoint"`
		Token string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&disc); err != nil {
		t.Fatal(err)
	}
	p.auth, p.token = disc.Auth, disc.Token
	return p
}

// smartStorage is the example storage with clients that accept SMART scopes
// (patient/Appointment.rs, launch/patient, fhirUser), which the example drops as unknown.
type smartStorage struct{ *storage.Storage }

func (s smartStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return smartClient{c}, nil
}

type smartClient struct{ op.Client }

func (c smartClient) IsScopeAllowed(scope string) bool {
	return strings.HasPrefix(scope, "patient/") || strings.HasPrefix(scope, "user/") ||
		strings.HasPrefix(scope, "launch") || scope == "fhirUser" || c.Client.IsScopeAllowed(scope)
}

func pathOf(u string) string {
	p, _ := url.Parse(u)
	return p.Path
}

// serveToken passes the token request to the provider, remembers the access token it
// issues, and adds the SMART patient context.
func (p *Portal) serveToken(w http.ResponseWriter, r *http.Request, router http.Handler) {
	rec := httptest.NewRecorder()
	router.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if rec.Code == http.StatusOK {
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			if at, _ := m["access_token"].(string); at != "" {
				p.mu.Lock()
				p.valid[at] = true
				p.mu.Unlock()
			}
			if p.Patient != "" {
				m["patient"] = p.Patient
			}
			if sc, ok := m["scope"].(string); ok {
				p.mu.Lock()
				var kept []string
				for _, s := range strings.Fields(sc) {
					typ := strings.SplitN(strings.TrimPrefix(s, "patient/"), ".", 2)[0]
					if !strings.HasPrefix(s, "patient/") || !p.withheld[typ] {
						kept = append(kept, s)
					}
				}
				p.mu.Unlock()
				m["scope"] = strings.Join(kept, " ")
			}
			body, _ = json.Marshal(m)
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	w.Write(body)
}

// SpeakV1Only makes the portal a SMART v1 server: its configuration lists permission-v1
// and not permission-v2.
func (p *Portal) SpeakV1Only() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.v1Only = true
}

// Withhold makes the portal grant no scope for a resource type (it drops them from token
// responses) and refuse that type's requests with 403, as a clinic that does not share it.
func (p *Portal) Withhold(resourceType string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.withheld[resourceType] = true
}

// Refuse makes the gateway answer every request for a resource type with 403 and an
// OperationOutcome, though the scope was granted (a policy in front of the server).
func (p *Portal) Refuse(resourceType string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refused[resourceType] = true
}

// ExpireAccessTokens makes every access token issued so far fail with 401, as if expired.
func (p *Portal) ExpireAccessTokens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.valid = map[string]bool{}
}

// Browser returns an "open the browser" function that signs the test user in as a person
// would: open the address, fill in the login form, follow the redirects back to the app.
func (p *Portal) Browser() func(string) error {
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
		host := strings.Split(strings.TrimPrefix(p.Issuer, "http://"), ":")[0]
		resp, err = c.PostForm(p.Issuer+"login/username", url.Values{"id": {id}, "username": {"test-user@" + host}, "password": {"verysecure"}})
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/callback" {
			b, _ := io.ReadAll(resp.Body)
			return fmt.Errorf("sign-in did not reach the app: %s %s", resp.Status, b)
		}
		return nil
	}
}
