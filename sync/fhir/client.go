package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Errors a caller tells apart with errors.Is; HTTPError carries the detail.
var (
	ErrInsecure     = errors.New("the portal address must use https (plain http only on this computer's loopback address)")
	ErrMalformed    = errors.New("the portal sent a response that is not valid FHIR")
	ErrTooLarge     = errors.New("the portal's response is too large")
	ErrUnauthorized = errors.New("the portal refused the sign-in")
	ErrNotFound     = errors.New("not found on the portal")
	ErrOtherOrigin  = errors.New("the portal pointed to another server")
)

// DefaultMaxBody caps one response (DESIGN §4: responses are size-capped).
const DefaultMaxBody = 16 << 20

// HTTPError is a response with an error status.
type HTTPError struct {
	Method     string
	Path       string // without query: it may identify the patient
	Status     int
	Outcome    *OperationOutcome // when the server explained itself
	RetryAfter time.Duration     // from Retry-After on 429 and 503
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("portal: %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Outcome != nil {
		if sum := e.Outcome.Summary(); sum != "" {
			s += " (" + sum + ")"
		}
	}
	return s
}

// Is lets errors.Is(err, ErrUnauthorized) and ErrNotFound match status codes.
func (e *HTTPError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrNotFound:
		return e.Status == http.StatusNotFound || e.Status == http.StatusGone
	}
	return false
}

// Temporary reports whether trying again later may succeed (429, 5xx but 501).
func (e *HTTPError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || (e.Status >= 500 && e.Status != http.StatusNotImplemented)
}

// TokenSource gives the access token for each request ("" for an open server).
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// Client talks to one FHIR server.
type Client struct {
	base    *url.URL
	http    *http.Client
	tokens  TokenSource
	maxBody int64
	// maxPages is MaxPages (tests lower it).
	maxPages int
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (timeouts, transport).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithTokens sets where access tokens come from.
func WithTokens(t TokenSource) Option { return func(c *Client) { c.tokens = t } }

// WithMaxBody sets the response size cap.
func WithMaxBody(n int64) Option { return func(c *Client) { c.maxBody = n } }

// New makes a client for the FHIR base URL. Only https is accepted, except for loopback
// addresses (a local test server).
func New(base string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(base), "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not a portal address: give the FHIR base URL, like https://portal.example.org/fhir", base)
	}
	if err := checkScheme(u); err != nil {
		return nil, err
	}
	c := &Client{base: u, http: &http.Client{Timeout: 60 * time.Second}, maxBody: DefaultMaxBody, maxPages: MaxPages}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

func checkScheme(u *url.URL) error {
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if host == "localhost" {
			return nil
		}
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
			return nil
		}
	}
	return fmt.Errorf("%w: %s", ErrInsecure, u.Redacted())
}

// Base is the FHIR base URL.
func (c *Client) Base() string { return c.base.String() }

func (c *Client) resolve(ref string) (*url.URL, error) {
	u, err := c.base.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("%w: bad link %v", ErrMalformed, err)
	}
	// A next link elsewhere would carry our bearer token to another server.
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return nil, fmt.Errorf("%w (%s)", ErrOtherOrigin, u.Host)
	}
	return u, nil
}

func (c *Client) endpoint(parts ...string) *url.URL {
	u := *c.base
	for _, p := range parts {
		u.Path = strings.TrimRight(u.Path, "/") + "/" + url.PathEscape(p)
	}
	return &u
}

// do sends one request and returns the body of a 2xx response (capped), or an error.
func (c *Client) do(ctx context.Context, method string, u *url.URL, body []byte, hdr http.Header) ([]byte, http.Header, int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, nil, 0, err
	}
	req.Header.Set("Accept", "application/fhir+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if c.tokens != nil {
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			return nil, nil, 0, err
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// url.Error quotes the URL; ours holds no token (tokens go in a header only).
		return nil, nil, 0, fmt.Errorf("portal: %s %s: %w", method, u.Path, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return nil, nil, resp.StatusCode, fmt.Errorf("portal: %s %s: reading the response: %w", method, u.Path, err)
	}
	if int64(len(data)) > c.maxBody {
		return nil, nil, resp.StatusCode, fmt.Errorf("%w (over %d MiB): %s %s", ErrTooLarge, c.maxBody>>20, method, u.Path)
	}
	if resp.StatusCode/100 != 2 {
		he := &HTTPError{Method: method, Path: u.Path, Status: resp.StatusCode}
		var oo OperationOutcome
		if json.Unmarshal(data, &oo) == nil && oo.ResourceType == "OperationOutcome" {
			he.Outcome = &oo
		}
		if s := resp.Header.Get("Retry-After"); s != "" {
			he.RetryAfter = parseRetryAfter(s, time.Now())
		}
		return nil, resp.Header, resp.StatusCode, he
	}
	return data, resp.Header, resp.StatusCode, nil
}

func parseRetryAfter(s string, now time.Time) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(s); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// MaxPages bounds one search: a portal whose paging never ends (distinct next links
// forever) must not keep a sync busy, or grow the set of pages read, without limit. At
// the _count of 100 the sync asks for, it is a million resources.
const MaxPages = 10000

// Search runs a search and calls each with every resource of every page, following the
// Bundle's next links exactly as given (same server only). A next link back to a page
// already read is ErrMalformed: followed, it would loop for ever.
func (c *Client) Search(ctx context.Context, resourceType string, params url.Values, each func(Raw) error) error {
	return c.SearchPages(ctx, resourceType, params, func(p Page) error {
		for _, r := range p.Matches {
			if err := each(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// Page is one page of a search's results.
type Page struct {
	Matches  []Raw // the resources the search found
	Included []Raw // resources added by _include or _revinclude
	// Date is the server's clock when it answered (the Date header; zero when absent or
	// unreadable). On the first page it bounds what the search can have seen.
	Date time.Time
}

// SearchPages runs a search like Search, calling page once per page of the Bundle.
func (c *Client) SearchPages(ctx context.Context, resourceType string, params url.Values, page func(Page) error) error {
	u := c.endpoint(resourceType)
	u.RawQuery = params.Encode()
	read := map[string]bool{}
	for u != nil {
		if read[u.String()] {
			return fmt.Errorf("%w: %s search: a next link leads back to a page already read (%s)", ErrMalformed, resourceType, u.Path)
		}
		if len(read) >= c.maxPages {
			return fmt.Errorf("%w: %s search: more than %d pages", ErrTooLarge, resourceType, c.maxPages)
		}
		read[u.String()] = true
		data, hdr, _, err := c.do(ctx, http.MethodGet, u, nil, nil)
		if err != nil {
			return err
		}
		var b Bundle
		if err := json.Unmarshal(data, &b); err != nil {
			return fmt.Errorf("%w: %s search: %v", ErrMalformed, resourceType, err)
		}
		if b.ResourceType != "Bundle" || b.Type != "searchset" {
			return fmt.Errorf("%w: %s search returned a %q %q, not a searchset Bundle", ErrMalformed, resourceType, b.ResourceType, b.Type)
		}
		var p Page
		if d, err := http.ParseTime(hdr.Get("Date")); err == nil {
			p.Date = d
		}
		for _, e := range b.Entry {
			switch {
			case e.Search == nil || e.Search.Mode == "" || e.Search.Mode == "match":
				p.Matches = append(p.Matches, e.Resource)
			case e.Search.Mode == "include":
				p.Included = append(p.Included, e.Resource)
			}
			// "outcome" entries (warnings about the search) are not resources of the record.
		}
		if err := page(p); err != nil {
			return err
		}
		u = nil
		if next := b.Next(); next != "" {
			if u, err = c.resolve(next); err != nil {
				return err
			}
		}
	}
	return nil
}

// Read fetches one resource.
func (c *Client) Read(ctx context.Context, resourceType, id string) (Raw, error) {
	data, _, _, err := c.do(ctx, http.MethodGet, c.endpoint(resourceType, id), nil, nil)
	if err != nil {
		return nil, err
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("%w: %s/%s", ErrMalformed, resourceType, id)
	}
	return data, nil
}

// Create posts a resource. With ifNoneExist (a search, e.g. "identifier=urn:uuid:…") the
// server creates it only if nothing matches — so a retry after a lost response can never
// make a second copy. It returns the resource as stored (fetched when the server returns
// no body).
func (c *Client) Create(ctx context.Context, resourceType string, body Raw, ifNoneExist string) (Raw, error) {
	hdr := http.Header{"Prefer": {"return=representation"}}
	if ifNoneExist != "" {
		hdr.Set("If-None-Exist", ifNoneExist)
	}
	data, h, _, err := c.do(ctx, http.MethodPost, c.endpoint(resourceType), body, hdr)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) > 0 {
		if !json.Valid(data) {
			return nil, fmt.Errorf("%w: created %s", ErrMalformed, resourceType)
		}
		return data, nil
	}
	loc := h.Get("Location")
	if loc == "" {
		loc = h.Get("Content-Location")
	}
	if loc == "" {
		return nil, fmt.Errorf("%w: the server created a %s but did not say where", ErrMalformed, resourceType)
	}
	u, err := c.resolve(loc)
	if err != nil {
		return nil, err
	}
	data, _, _, err = c.do(ctx, http.MethodGet, u, nil, nil)
	return data, err
}

// Update puts a resource; with version set, only if the server still has that version
// (If-Match), else an HTTPError with status 412.
func (c *Client) Update(ctx context.Context, resourceType, id string, body Raw, version string) (Raw, error) {
	hdr := http.Header{"Prefer": {"return=representation"}}
	if version != "" {
		hdr.Set("If-Match", `W/"`+version+`"`)
	}
	data, _, _, err := c.do(ctx, http.MethodPut, c.endpoint(resourceType, id), body, hdr)
	if err != nil {
		return nil, err
	}
	return data, nil
}

// Capabilities fetches the server's CapabilityStatement (GET [base]/metadata).
func (c *Client) Capabilities(ctx context.Context) (Raw, error) {
	data, _, _, err := c.do(ctx, http.MethodGet, c.endpoint("metadata"), nil, nil)
	if err != nil {
		return nil, err
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("%w: metadata", ErrMalformed)
	}
	return data, nil
}

// Interactions lists what a CapabilityStatement says the server does with each resource
// type ("Observation" → {"create", "read", ...}). A statement that cannot be read lists nothing.
func Interactions(capability Raw) map[string]map[string]bool {
	var cs struct {
		Rest []struct {
			Mode     string `json:"mode"`
			Resource []struct {
				Type        string `json:"type"`
				Interaction []struct {
					Code string `json:"code"`
				} `json:"interaction"`
			} `json:"resource"`
		} `json:"rest"`
	}
	out := map[string]map[string]bool{}
	if json.Unmarshal(capability, &cs) != nil {
		return out
	}
	for _, r := range cs.Rest {
		if r.Mode != "" && r.Mode != "server" {
			continue
		}
		for _, res := range r.Resource {
			if out[res.Type] == nil {
				out[res.Type] = map[string]bool{}
			}
			for _, in := range res.Interaction {
				out[res.Type][in.Code] = true
			}
		}
	}
	return out
}

// Operation runs a FHIR operation on a resource type ("Appointment", "$find"): GET with
// params when body is nil, else POST of body (a Parameters resource). It returns the
// answer as the server sent it.
func (c *Client) Operation(ctx context.Context, resourceType, name string, params url.Values, body Raw) (Raw, error) {
	u := c.endpoint(resourceType)
	u.Path = strings.TrimRight(u.Path, "/") + "/" + name // "$find": not path-escaped
	method := http.MethodGet
	if body != nil {
		method = http.MethodPost
	}
	if len(params) > 0 {
		u.RawQuery = params.Encode()
	}
	data, _, _, err := c.do(ctx, method, u, body, nil)
	if err != nil {
		return nil, err
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("%w: %s/%s", ErrMalformed, resourceType, name)
	}
	return data, nil
}

// Operations lists the operations a CapabilityStatement names for each resource type
// ("Appointment" → {"find", "book"}), and for the whole server under "".
func Operations(capability Raw) map[string]map[string]bool {
	var cs struct {
		Rest []struct {
			Resource []struct {
				Type      string `json:"type"`
				Operation []struct {
					Name       string `json:"name"`
					Definition string `json:"definition"`
				} `json:"operation"`
			} `json:"resource"`
			Operation []struct {
				Name string `json:"name"`
			} `json:"operation"`
		} `json:"rest"`
	}
	out := map[string]map[string]bool{"": {}}
	if json.Unmarshal(capability, &cs) != nil {
		return out
	}
	for _, r := range cs.Rest {
		for _, op := range r.Operation {
			out[""][strings.TrimPrefix(op.Name, "$")] = true
		}
		for _, res := range r.Resource {
			if out[res.Type] == nil {
				out[res.Type] = map[string]bool{}
			}
			for _, op := range res.Operation {
				out[res.Type][strings.TrimPrefix(op.Name, "$")] = true
			}
		}
	}
	return out
}
