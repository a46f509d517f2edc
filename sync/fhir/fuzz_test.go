package fhir

// Fuzz targets for what a portal sends us: resources (decode, then Merge back for an
// update) and searchset Bundles with their paging. A portal is another party's server; it
// may be buggy or hostile, so each target checks properties, not just "no panic":
// errors are the documented kinds, unknown fields survive Merge, paging stays on the
// portal's own origin with the token, ends, and each body is capped.
// Seeds are in testdata/fuzz/<FuzzName>; `make fuzz` runs each target longer.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// FuzzDecodeMerge: a resource as a server might send it decodes or fails with
// ErrMalformed; once decoded, Merge writes it back as valid JSON that decodes to the same
// modelled fields and keeps every top-level field we do not model, numbers as written.
func FuzzDecodeMerge(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Appointment","id":"a1","meta":{"versionId":"3","tag":[{"code":"t"}]},"status":"booked","extension":[{"url":"http://x","valueString":"keep me"}],"_start":{"extension":[{"url":"http://y","valueBoolean":true}]},"start":"2026-12-01T10:00:00Z","minutesDuration":30,"x":{"valueDecimal":1.50}}`))
	f.Add([]byte(`{"resourceType":"Communication","id":"c1","identifier":[{"system":"urn:ietf:rfc:3986","value":"urn:uuid:1"}],"status":"completed","subject":{"reference":"Patient/p1"},"sender":{"reference":"Practitioner/d1","display":"Dr Who"},"sent":"2026-11-01T09:00:00Z","payload":[{"contentString":"hello"}],"priority":"routine","x":1e400}`))
	f.Add([]byte(`{"resourceType":"Appointment","status":null,"participant":[{"actor":{"reference":"Location/l1","display":"Room 1"},"type":[{"text":"x"}]}],"serviceType":[{"text":"Check"}]}`))
	f.Add([]byte(`{"resourceType":"Appointment","STATUS":"x","status":"booked"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"resourceType":"Patient"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, kind := range []string{"Appointment", "Communication"} {
			var (
				v       any
				decoded Raw
				err     error
			)
			switch kind {
			case "Appointment":
				var a *Appointment
				if a, err = DecodeAppointment(raw); err == nil {
					v, decoded = a, a.Raw()
				}
			case "Communication":
				var c *Communication
				if c, err = DecodeCommunication(raw); err == nil {
					v, decoded = c, c.Raw()
				}
			}
			if err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("%s: error %v is not ErrMalformed", kind, err)
				}
				continue
			}
			if !bytes.Equal(decoded, raw) {
				t.Fatalf("%s: Raw() is not the JSON it was read from", kind)
			}
			merged, err := Merge(decoded, v)
			if err != nil {
				// Decode accepted it, so the raw JSON is an object Merge must read too.
				t.Fatalf("%s: Merge of a decoded resource: %v", kind, err)
			}
			if !json.Valid(merged) {
				t.Fatalf("%s: Merge wrote invalid JSON: %s", kind, merged)
			}
			// The modelled fields read back the same.
			again := reflect.New(reflect.TypeOf(v).Elem()).Interface()
			if err := decodeResource(merged, kind, again); err != nil {
				t.Fatalf("%s: merged resource does not decode: %v\n%s", kind, err, merged)
			}
			want, _ := json.Marshal(v)
			got, _ := json.Marshal(again)
			if !bytes.Equal(want, got) {
				t.Fatalf("%s: modelled fields changed by Merge:\nwant %s\ngot  %s", kind, want, got)
			}
			// Every top-level field we do not model is still there, unchanged (numbers as
			// written: FHIR decimals carry their precision).
			var before, after map[string]any
			if decodeKeepingNumbers(raw, &before) != nil || decodeKeepingNumbers(merged, &after) != nil {
				continue // raw is not an object (decode accepted e.g. a JSON null prefix); nothing to keep
			}
			var modelled map[string]any
			json.Unmarshal(want, &modelled)
			for k, old := range before {
				if _, ok := modelled[k]; ok {
					continue
				}
				if !reflect.DeepEqual(after[k], old) {
					t.Fatalf("%s: unmodelled field %q changed by Merge: %v → %v", kind, k, old, after[k])
				}
			}
		}
	})
}

// FuzzSearchPaging serves three fuzzed pages on a fake portal: the first answers the
// search, the others sit at /fhir/page/1 and /fhir/page/2. In page text, {{ORIGIN}} is the
// portal's base URL ({{ORIGIN_HOST}} its host and port) and {{ELSEWHERE}} another server's, so the fuzzer can write both kinds
// of next link. Search must never send a request (or the token) to the other server, must
// end (no page fetched twice), must cap each body, and must fail only with the documented
// errors.
func FuzzSearchPaging(f *testing.F) {
	page := func(next string, ids ...string) string {
		var entries []string
		for _, id := range ids {
			entries = append(entries, `{"resource":{"resourceType":"Appointment","id":"`+id+`","status":"booked"},"search":{"mode":"match"}}`)
		}
		link := ""
		if next != "" {
			link = `,"link":[{"relation":"self","url":"x"},{"relation":"next","url":"` + next + `"}]`
		}
		return `{"resourceType":"Bundle","type":"searchset"` + link + `,"entry":[` + strings.Join(entries, ",") + `]}`
	}
	f.Add(page("{{ORIGIN}}/page/1", "a1"), page("/fhir/page/2?x=%2F", "a2"), page("", "a3"), uint16(4096))
	f.Add(page("{{ELSEWHERE}}/page/1", "a1"), page("", "a2"), "", uint16(0))
	f.Add(page("{{ORIGIN}}/page/1"), page("{{ORIGIN}}/page/1"), "", uint16(0)) // a page linking to itself
	f.Add(page("/fhir/page/2"), page(""), page("/fhir/Appointment?patient=p1"), uint16(0))
	f.Add(page("//evil.example/fhir/page/1"), "", "", uint16(0))
	f.Add(`{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"OperationOutcome"},"search":{"mode":"outcome"}},{"search":{"mode":"match"}}]}`, "", "", uint16(64))
	f.Add(`{"resourceType":"Bundle","type":"collection"}`, "", "", uint16(0))
	f.Add(page("http://{{ORIGIN_HOST}}@evil.example/fhir/page/1"), page("http://evil.example@{{ORIGIN_HOST}}/fhir/page/2"), page(""), uint16(0))
	f.Fuzz(func(t *testing.T, p0, p1, p2 string, maxBody uint16) {
		limit := int64(DefaultMaxBody)
		if maxBody > 0 {
			limit = int64(maxBody)
		}
		var elsewhere atomic.Bool
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			elsewhere.Store(true)
			w.WriteHeader(http.StatusTeapot)
		}))
		defer other.Close()

		var (
			mu      sync.Mutex
			fetched = map[string]int{}
			total   int
			badAuth bool
			tooBig  bool // a body over the cap was served
		)
		var origin *httptest.Server
		origin = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			total++
			fetched[r.URL.RequestURI()]++
			if r.Header.Get("Authorization") != "Bearer "+secretToken {
				badAuth = true
			}
			// A client that loops would never stop by itself; end it here and let the
			// checks below say what happened.
			if total > 10 {
				w.WriteHeader(http.StatusNotImplemented)
				return
			}
			fill := func(s string) string {
				s = strings.ReplaceAll(s, "{{ORIGIN}}", origin.URL+"/fhir")
				s = strings.ReplaceAll(s, "{{ORIGIN_HOST}}", strings.TrimPrefix(origin.URL, "http://"))
				return strings.ReplaceAll(s, "{{ELSEWHERE}}", other.URL+"/fhir")
			}
			var body string
			switch r.URL.Path {
			case "/fhir/Appointment":
				body = fill(p0)
			case "/fhir/page/1":
				body = fill(p1)
			case "/fhir/page/2":
				body = fill(p2)
			default:
				w.WriteHeader(http.StatusNotFound)
				return
			}
			if int64(len(body)) > limit {
				tooBig = true
			}
			w.Write([]byte(body))
		}))
		defer origin.Close()

		opts := []Option{WithTokens(staticToken(secretToken)), WithMaxBody(limit)}
		c, err := New(origin.URL+"/fhir", opts...)
		if err != nil {
			t.Fatal(err)
		}
		// Local servers answer at once; a search still running after seconds is stuck.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = c.Search(ctx, "Appointment", url.Values{"patient": {"p1"}}, func(raw Raw) error {
			if len(raw) > 0 && !json.Valid(raw) {
				t.Errorf("a result is not valid JSON: %q", raw)
			}
			return nil
		})

		if ctx.Err() != nil {
			t.Fatalf("Search was still running after 5 s: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if elsewhere.Load() {
			t.Fatalf("Search sent a request to another server (err %v)", err)
		}
		if badAuth {
			t.Fatal("a request to the portal went without its token")
		}
		for uri, n := range fetched {
			if n > 1 {
				t.Fatalf("Search fetched %s %d times: its paging does not end (err %v)", uri, n, err)
			}
		}
		var he *HTTPError
		switch {
		case err == nil:
		case errors.Is(err, ErrMalformed), errors.Is(err, ErrOtherOrigin), errors.Is(err, ErrTooLarge):
		case errors.As(err, &he) && he.Status == http.StatusNotFound:
		default:
			t.Fatalf("Search failed with an undocumented error: %v", err)
		}
		if errors.Is(err, ErrOtherOrigin) && strings.Contains(err.Error(), secretToken) {
			t.Fatal("the error quotes the token")
		}
		if tooBig && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("a page over the %d-byte cap was read: err %v", limit, err)
		}
	})
}

// TestSearchEndlessPaging: a portal whose every page links to a new one is stopped at the
// page limit, with ErrTooLarge, rather than keeping a sync busy for ever.
func TestSearchEndlessPaging(t *testing.T) {
	requests := 0
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		requests++
		w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","link":[{"relation":"next","url":"/fhir/Appointment?page=` + strconv.Itoa(requests) + `"}]}`))
	})
	c.maxPages = 5
	err := c.Search(context.Background(), "Appointment", nil, func(Raw) error { return nil })
	if !errors.Is(err, ErrTooLarge) || requests != 5 {
		t.Fatalf("err = %v after %d requests; want ErrTooLarge after 5", err, requests)
	}
}
