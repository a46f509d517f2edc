package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

type staticToken string

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }

const secretToken = "eyJ-very-secret-access-token"

// setup starts a FHIR-ish test server; handler gets every request after the token check.
func setup(t *testing.T, handler http.HandlerFunc) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+secretToken {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New(srv.URL+"/fhir", WithTokens(staticToken(secretToken)))
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func bundle(next string, ids ...string) string {
	var entries []string
	for _, id := range ids {
		entries = append(entries, fmt.Sprintf(`{"resource":{"resourceType":"Appointment","id":%q,"status":"booked"},"search":{"mode":"match"}}`, id))
	}
	link := ""
	if next != "" {
		link = fmt.Sprintf(`,"link":[{"relation":"self","url":"x"},{"relation":"next","url":%q}]`, next)
	}
	return `{"resourceType":"Bundle","type":"searchset"` + link + `,"entry":[` + strings.Join(entries, ",") + `]}`
}

func TestSearchFollowsNextLinks(t *testing.T) {
	var queries []string
	c, srv := setup(t, func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.RawQuery)
		switch r.URL.Query().Get("page") {
		case "":
			fmt.Fprint(w, bundle("/fhir/Appointment?page=2&_count=2&opaque=a%2Fb", "a1", "a2"))
		case "2":
			// An absolute next link, as most servers give.
			fmt.Fprint(w, bundle("http://"+r.Host+"/fhir/Appointment?page=3", "a3", "a4"))
		default:
			fmt.Fprint(w, bundle("", "a5"))
		}
	})
	_ = srv
	var ids []string
	err := c.Search(context.Background(), "Appointment", url.Values{"patient": {"p1"}, "_count": {"2"}}, func(raw Raw) error {
		a, err := DecodeAppointment(raw)
		if err != nil {
			return err
		}
		ids = append(ids, a.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ids, ",") != "a1,a2,a3,a4,a5" {
		t.Fatalf("ids = %v", ids)
	}
	if queries[1] != "page=2&_count=2&opaque=a%2Fb" {
		t.Fatalf("next link not followed exactly as given: %q", queries[1])
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		respond func(w http.ResponseWriter)
		want    error
		check   func(t *testing.T, err error)
	}{
		{"malformed JSON", func(w http.ResponseWriter) { fmt.Fprint(w, `{"resourceType":"Bundle",`) }, ErrMalformed, nil},
		{"wrong bundle type", func(w http.ResponseWriter) {
			fmt.Fprint(w, `{"resourceType":"Bundle","type":"transaction-response","entry":[]}`)
		}, ErrMalformed, nil},
		{"not a bundle", func(w http.ResponseWriter) { fmt.Fprint(w, `{"resourceType":"Patient","id":"x"}`) }, ErrMalformed, nil},
		{"60 MB body", func(w http.ResponseWriter) {
			chunk := strings.Repeat("x", 1<<20)
			fmt.Fprint(w, `{"resourceType":"Bundle","type":"searchset","junk":"`)
			for i := 0; i < 60; i++ {
				fmt.Fprint(w, chunk)
			}
			fmt.Fprint(w, `"}`)
		}, ErrTooLarge, nil},
		{"operation outcome", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","diagnostics":"bad date"}]}`)
		}, nil, func(t *testing.T, err error) {
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != 422 || he.Outcome == nil || !strings.Contains(err.Error(), "error invalid: bad date") {
				t.Fatalf("err = %v", err)
			}
			if he.Temporary() {
				t.Fatal("422 is not temporary")
			}
		}},
		{"429 with Retry-After", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		}, nil, func(t *testing.T, err error) {
			var he *HTTPError
			if !errors.As(err, &he) || he.RetryAfter != 7*time.Second || !he.Temporary() {
				t.Fatalf("err = %v (%+v)", err, he)
			}
		}},
		{"401", func(w http.ResponseWriter) { w.WriteHeader(http.StatusUnauthorized) }, ErrUnauthorized, nil},
		{"next link to another server", func(w http.ResponseWriter) {
			fmt.Fprint(w, bundle("https://evil.example/fhir/Appointment?page=2", "a1"))
		}, ErrOtherOrigin, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) { tc.respond(w) })
			err := c.Search(ctx, "Appointment", nil, func(Raw) error { return nil })
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.check != nil {
				tc.check(t, err)
			}
			if err == nil || strings.Contains(err.Error(), secretToken) {
				t.Fatalf("err = %v (nil, or it holds the token)", err)
			}
		})
	}
}

func TestOnlyHTTPSOrLoopback(t *testing.T) {
	for _, u := range []string{"http://portal.example.org/fhir", "http://10.0.0.5/fhir", "ftp://x/fhir", "portal.example.org", ""} {
		if _, err := New(u); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	for _, u := range []string{"https://portal.example.org/fhir", "http://127.0.0.1:8080/fhir", "http://localhost:9/fhir", "http://[::1]:80/fhir"} {
		if _, err := New(u); err != nil {
			t.Errorf("%q refused: %v", u, err)
		}
	}
}

func TestCreateIsConditional(t *testing.T) {
	var got http.Header
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Header().Set("Location", "/fhir/Communication/c1/_history/1")
		w.WriteHeader(http.StatusCreated)
		if r.Method == http.MethodGet {
			fmt.Fprint(w, `{"resourceType":"Communication","id":"c1","status":"completed"}`)
		}
	})
	raw, err := c.Create(context.Background(), "Communication", Raw(`{"resourceType":"Communication","status":"completed"}`), "identifier=urn:uuid:1234")
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("Authorization") == "" {
		t.Fatal("no token on the follow-up read")
	}
	cm, err := DecodeCommunication(raw)
	if err != nil || cm.ID != "c1" {
		t.Fatalf("created = %s, %v", raw, err)
	}
}

func TestMergeKeepsUnknownFields(t *testing.T) {
	raw := Raw(`{"resourceType":"Appointment","id":"a1","meta":{"versionId":"3","tag":[{"code":"t"}]},"status":"booked","extension":[{"url":"http://x","valueString":"keep me"}],"_start":{"extension":[{"url":"http://y","valueBoolean":true}]},"start":"2026-12-01T10:00:00Z","minutesDuration":30,"x":{"valueDecimal":1.50}}`)
	a, err := DecodeAppointment(raw)
	if err != nil {
		t.Fatal(err)
	}
	a.Status = "cancelled"
	out, err := Merge(a.Raw(), a)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"valueDecimal":1.50`) {
		t.Fatalf("decimal precision lost: %s", out)
	}
	var m map[string]any
	json.Unmarshal(out, &m)
	if meta, _ := m["meta"].(map[string]any); meta["tag"] == nil {
		t.Fatalf("meta lost its tag: %s", out)
	}
	if m["status"] != "cancelled" || m["extension"] == nil || m["_start"] == nil || m["start"] != "2026-12-01T10:00:00Z" {
		t.Fatalf("merged = %s", out)
	}
}
