// Package portaltest is a fake FHIR R4 portal for tests: an in-process httptest server
// without sign-in, holding one patient (Patient), Appointments and Communications in memory.
// It creates a Communication conditionally (If-None-Exist) as a real server does, pages its
// searches (_count, a next link) and honours _lastUpdated=gt, and it can be told to
// misbehave in the ways a real server cannot be asked to: drop the connection after
// committing a create, answer 429/503 with Retry-After or 401, send a malformed or oversized
// body, refuse a note with an OperationOutcome.
//
// The real FHIR engine (Medplum, sync/fhir/fhirtest) is used where none of that is needed;
// smarttest adds SMART sign-in in front of either.
package portaltest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Patient is the id of the portal's one patient.
const Patient = "p1"

// RetryAfter is what a 429 or 503 from FailNext or FailAll asks the client to wait.
const RetryAfter = 2 * time.Second

// Portal is a running fake portal. Its methods are safe for concurrent use with the
// requests it serves.
type Portal struct {
	URL  string // the server's root, http://127.0.0.1:port
	Base string // the FHIR base URL to connect to: URL + "/fhir"

	srv *httptest.Server

	mu      sync.Mutex
	now     time.Time // the portal's clock, for meta.lastUpdated: one second on per change
	nextID  int
	appts   map[string]map[string]any // id → resource
	comms   map[string]map[string]any
	other   map[string]map[string]map[string]any // other types (the health record): type → id → resource
	refused map[string]bool                      // types answered with 403
	unknown map[string]string                    // type → a search parameter answered with 400
	created []string                             // identifiers of the Communications created, in order
	posts   int
	served  int // resources returned by searches
	reads   int // resources returned by reads of other types

	// Faults, set by the methods below.
	dropAfterCommit int
	failNext        []int
	failAll         int
	searchBody      func(io.Writer)
	refuse          string
	smart           bool
}

// Start runs a portal; it stops when the test ends, or earlier with Close.
func Start(t testing.TB) *Portal {
	t.Helper()
	p := &Portal{
		now:     time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC),
		appts:   map[string]map[string]any{},
		comms:   map[string]map[string]any{},
		other:   map[string]map[string]map[string]any{},
		refused: map[string]bool{},
		unknown: map[string]string{},
	}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.srv.URL
	p.Base = p.srv.URL + "/fhir"
	t.Cleanup(p.srv.Close)
	return p
}

// Close stops the server: the portal becomes unreachable.
func (p *Portal) Close() { p.srv.Close() }

// Host is the server's host:port.
func (p *Portal) Host() string { return p.srv.Listener.Addr().String() }

// AddAppointment puts a new appointment for the patient on the portal and returns its id.
func (p *Portal) AddAppointment(start time.Time, status, description string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := p.newID("ap")
	p.appts[id] = map[string]any{
		"resourceType": "Appointment", "id": id, "status": status, "description": description,
		"start":       start.Format(time.RFC3339),
		"participant": []any{map[string]any{"actor": map[string]any{"reference": "Patient/" + Patient}}},
		"meta":        map[string]any{"versionId": "1", "lastUpdated": p.tick()},
	}
	return id
}

// SetAppointmentStatus changes an appointment on the portal (a new version), as the clinic
// does when it cancels or confirms one.
func (p *Portal) SetAppointmentStatus(id, status string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	a, ok := p.appts[id]
	if !ok {
		panic("portaltest: no appointment " + id)
	}
	a["status"] = status
	v, _ := strconv.Atoi(a["meta"].(map[string]any)["versionId"].(string))
	a["meta"] = map[string]any{"versionId": strconv.Itoa(v + 1), "lastUpdated": p.tick()}
}

// AddMessage puts a message from the care team to the patient on the portal and returns its
// id.
func (p *Portal) AddMessage(text, sender string, sent time.Time) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := p.newID("m")
	p.comms[id] = map[string]any{
		"resourceType": "Communication", "id": id, "status": "completed",
		"subject":   map[string]any{"reference": "Patient/" + Patient},
		"recipient": []any{map[string]any{"reference": "Patient/" + Patient}},
		"sender":    map[string]any{"reference": "Practitioner/dr", "display": sender},
		"sent":      sent.Format(time.RFC3339),
		"payload":   []any{map[string]any{"contentString": text}},
		"meta":      map[string]any{"versionId": "1", "lastUpdated": p.tick()},
	}
	return id
}

// AddResource puts any other resource (a Condition, an Observation…) on the portal as
// version 1 and returns its id. The portal serves it by read and by search of its type;
// searches ignore every parameter but _lastUpdated, _count and _offset (the portal has one
// patient).
func (p *Portal) AddResource(res map[string]any) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	typ := res["resourceType"].(string)
	if p.other[typ] == nil {
		p.other[typ] = map[string]map[string]any{}
	}
	id := p.newID(strings.ToLower(typ[:1]))
	res["id"] = id
	res["meta"] = map[string]any{"versionId": "1", "lastUpdated": p.tick()}
	p.other[typ][id] = res
	return id
}

// AddResourceStamped is AddResource for a write that began at the given time on the
// portal's clock and commits only now: a write in flight during an earlier search, which
// that search could not see although its stamp is older.
func (p *Portal) AddResourceStamped(res map[string]any, at time.Time) string {
	id := p.AddResource(res)
	p.mu.Lock()
	defer p.mu.Unlock()
	res["meta"] = map[string]any{"versionId": "1", "lastUpdated": at.UTC().Format(time.RFC3339)}
	return id
}

// Now is the portal's clock: the last change's stamp, or later after Advance.
func (p *Portal) Now() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.now
}

// Advance moves the portal's clock on without a change, as time passing on a quiet portal.
func (p *Portal) Advance(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.now = p.now.Add(d)
}

// Served is how many resources the portal's searches have returned so far.
func (p *Portal) Served() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.served
}

// Reads is how many resources added with AddResource were read one by one (a Binary, a
// Medication).
func (p *Portal) Reads() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reads
}

// RejectParam makes searches of a type that use param answer 400 with an
// OperationOutcome, as a server that does not support that search parameter.
func (p *Portal) RejectParam(resourceType, param string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.unknown[resourceType] = param
}

// Share undoes Refuse.
func (p *Portal) Share(resourceType string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.refused, resourceType)
}

// UpdateResource changes a resource added with AddResource (a new version).
func (p *Portal) UpdateResource(typ, id string, change func(res map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	res, ok := p.other[typ][id]
	if !ok {
		panic("portaltest: no " + typ + "/" + id)
	}
	change(res)
	v, _ := strconv.Atoi(res["meta"].(map[string]any)["versionId"].(string))
	res["meta"] = map[string]any{"versionId": strconv.Itoa(v + 1), "lastUpdated": p.tick()}
}

// DeleteResource removes a resource added with AddResource; a search no longer finds it.
func (p *Portal) DeleteResource(typ, id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.other[typ], id)
}

// Refuse makes every request for a resource type answer 403 with an OperationOutcome, as a
// portal that does not share that type.
func (p *Portal) Refuse(resourceType string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refused[resourceType] = true
}

// Created is how many Communications (notes) were created; a retried create that found
// its first attempt (If-None-Exist) does not count again.
func (p *Portal) Created() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.created)
}

// CreatedIdentifiers are the identifiers ("system|value") of the Communications created, in
// order; one that shows twice was duplicated.
func (p *Portal) CreatedIdentifiers() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.created...)
}

// Posts is how many creates of a Communication were asked for, retries included.
func (p *Portal) Posts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.posts
}

// DropAfterCommit makes the next n creates store the Communication, then close the
// connection without an answer: the client cannot tell whether it was created.
func (p *Portal) DropAfterCommit(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropAfterCommit = n
}

// FailNext answers the next requests, one each, with these statuses and no body; a 429 or
// 503 comes with Retry-After (RetryAfter).
func (p *Portal) FailNext(statuses ...int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failNext = append(p.failNext, statuses...)
}

// FailAll answers every request with status (after any FailNext) until FailAll(0).
func (p *Portal) FailAll(status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failAll = status
}

// AnswerSearches makes every search answer 200 with what body writes instead of a Bundle of
// its own (nil: the portal's own again). Malformed and Oversized are two such bodies.
func (p *Portal) AnswerSearches(body func(w io.Writer)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.searchBody = body
}

// Malformed is a search answer cut off in the middle of its JSON.
func Malformed(w io.Writer) {
	io.WriteString(w, `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":`)
}

// Oversized is a search answer of well-formed JSON a little over mb megabytes.
func Oversized(mb int) func(w io.Writer) {
	return func(w io.Writer) {
		io.WriteString(w, `{"resourceType":"Bundle","type":"searchset","x":"`)
		chunk := bytes.Repeat([]byte("a"), 1<<20)
		for range mb {
			w.Write(chunk)
		}
		io.WriteString(w, `"}`)
	}
}

// RefuseNotesContaining makes a create of a Communication whose text holds s fail with 422
// and an OperationOutcome (business-rule: "messages to this clinic are closed"), as a
// clinic's rules might. A note with no text is always refused so.
func (p *Portal) RefuseNotesContaining(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuse = s
}

// AdvertiseSMART makes the portal ask for SMART sign-in: it serves a
// .well-known/smart-configuration whose authorize and token endpoints are on this server
// and refuse everyone.
func (p *Portal) AdvertiseSMART() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.smart = true
}

// newID and tick are called with mu held.
func (p *Portal) newID(prefix string) string {
	p.nextID++
	return fmt.Sprintf("%s%d", prefix, p.nextID)
}

func (p *Portal) tick() string {
	p.now = p.now.Add(time.Second)
	return p.now.Format(time.RFC3339)
}

func (p *Portal) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st := p.fault(); st != 0 {
		if st == http.StatusTooManyRequests || st == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", strconv.Itoa(int(RetryAfter/time.Second)))
		}
		w.WriteHeader(st)
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, "/fhir/")
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if path == ".well-known/smart-configuration" && p.smart {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"authorization_endpoint":%q,"token_endpoint":%q,"code_challenge_methods_supported":["S256"]}`,
			p.URL+"/authorize", p.URL+"/token")
		return
	}
	w.Header().Set("Content-Type", "application/fhir+json")
	// The Date header is the portal's own clock, the one meta.lastUpdated is stamped with.
	w.Header().Set("Date", p.now.Format(http.TimeFormat))
	typ, id, _ := strings.Cut(path, "/")
	if p.refused[typ] {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden","diagnostics":"not shared"}]}`)
		return
	}
	switch {
	case r.Method == http.MethodGet && path == "Patient/"+Patient:
		fmt.Fprintf(w, `{"resourceType":"Patient","id":%q}`, Patient)
	case r.Method == http.MethodPost && path == "Communication":
		p.create(w, r)
	case r.Method == http.MethodGet && p.searchBody != nil && (path == "Appointment" || path == "Communication"):
		p.searchBody(w)
	case r.Method == http.MethodGet && path == "Appointment":
		p.search(w, r, p.appts)
	case r.Method == http.MethodGet && path == "Communication":
		p.search(w, r, p.comms)
	case r.Method == http.MethodGet && id == "" && p.unknown[typ] != "" && r.URL.Query().Has(p.unknown[typ]):
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-supported","diagnostics":"unknown search parameter"}]}`)
	case r.Method == http.MethodGet && id == "" && typ != "" && typ[0] >= 'A' && typ[0] <= 'Z':
		p.search(w, r, p.other[typ])
	case r.Method == http.MethodGet && p.other[typ][id] != nil:
		p.reads++
		json.NewEncoder(w).Encode(p.other[typ][id])
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// fault is the status to answer with instead of serving, or 0.
func (p *Portal) fault() int {
	if len(p.failNext) > 0 {
		st := p.failNext[0]
		p.failNext = p.failNext[1:]
		return st
	}
	return p.failAll
}

func (p *Portal) create(w http.ResponseWriter, r *http.Request) {
	p.posts++
	var res map[string]any
	if err := json.NewDecoder(r.Body).Decode(&res); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	payload, _ := res["payload"].([]any)
	if len(payload) == 0 || (p.refuse != "" && strings.Contains(fmt.Sprint(payload), p.refuse)) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		io.WriteString(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"business-rule","diagnostics":"messages to this clinic are closed"}]}`)
		return
	}
	// If-None-Exist: a create that matches one already made answers with it (200), so a
	// retried create is never a second note.
	cond, _ := url.ParseQuery(r.Header.Get("If-None-Exist"))
	if want := cond.Get("identifier"); want != "" {
		for _, c := range p.comms {
			if identifierOf(c) == want {
				json.NewEncoder(w).Encode(c)
				return
			}
		}
	}
	id := p.newID("c")
	res["id"] = id
	res["meta"] = map[string]any{"versionId": "1", "lastUpdated": p.tick()}
	p.comms[id] = res
	p.created = append(p.created, identifierOf(res))
	if p.dropAfterCommit > 0 {
		p.dropAfterCommit--
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(res)
}

// search answers with the resources changed after _lastUpdated=gt…, in pages of _count
// (default 50) by id, each page linking to the next.
func (p *Portal) search(w http.ResponseWriter, r *http.Request, src map[string]map[string]any) {
	q := r.URL.Query()
	gt := strings.TrimPrefix(q.Get("_lastUpdated"), "gt")
	var ids []string
	for id, res := range src {
		if lu := res["meta"].(map[string]any)["lastUpdated"].(string); gt == "" || lu > gt {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	count, _ := strconv.Atoi(q.Get("_count"))
	if count <= 0 {
		count = 50
	}
	off, _ := strconv.Atoi(q.Get("_offset"))
	off = min(max(off, 0), len(ids))
	end := min(off+count, len(ids))
	entries := []any{}
	for _, id := range ids[off:end] {
		entries = append(entries, map[string]any{"resource": src[id], "search": map[string]any{"mode": "match"}})
	}
	p.served += len(entries)
	b := map[string]any{"resourceType": "Bundle", "type": "searchset", "total": len(ids), "entry": entries}
	if end < len(ids) {
		q.Set("_offset", strconv.Itoa(end))
		b["link"] = []any{map[string]any{"relation": "next", "url": p.URL + r.URL.Path + "?" + q.Encode()}}
	}
	json.NewEncoder(w).Encode(b)
}

// identifierOf is a resource's first identifier as "system|value", the form If-None-Exist
// names it in.
func identifierOf(res map[string]any) string {
	ids, _ := res["identifier"].([]any)
	for _, x := range ids {
		if m, ok := x.(map[string]any); ok {
			return fmt.Sprint(m["system"]) + "|" + fmt.Sprint(m["value"])
		}
	}
	return ""
}
