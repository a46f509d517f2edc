package portal

import (
	"encoding/json"
	"fmt"
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

// fakePortal is a tiny in-memory FHIR server with fault injection. The real engine
// (Medplum, in sync/fhir/fhirtest) is used where it is available; this one can drop a
// connection after committing, which a real server cannot be asked to do.
type fakePortal struct {
	mu     sync.Mutex
	t      testing.TB
	srv    *httptest.Server
	now    time.Time
	nextID int
	comms  map[string]map[string]any // id → resource
	appts  map[string]map[string]any

	// faults, each consumed by one request
	dropAfterCommit int
	status          []int                       // respond with these first (429 gets Retry-After: 2)
	searchBody      func(w http.ResponseWriter) // answers searches instead, when set
	requests        []string
}

func newFakePortal(t testing.TB) *fakePortal {
	f := &fakePortal{t: t, now: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), comms: map[string]map[string]any{}, appts: map[string]map[string]any{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakePortal) base() string { return f.srv.URL + "/fhir" }

func (f *fakePortal) tick() string {
	f.now = f.now.Add(time.Second)
	return f.now.Format(time.RFC3339)
}

func (f *fakePortal) addAppointment(start time.Time, status, desc string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	id := fmt.Sprintf("ap%d", f.nextID)
	f.appts[id] = map[string]any{"resourceType": "Appointment", "id": id, "status": status, "description": desc,
		"start": start.Format(time.RFC3339), "participant": []any{map[string]any{"actor": map[string]any{"reference": "Patient/p1"}}},
		"meta": map[string]any{"versionId": "1", "lastUpdated": f.tick()}}
	return id
}

func (f *fakePortal) changeAppointment(id, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.appts[id]
	a["status"] = status
	v, _ := strconv.Atoi(a["meta"].(map[string]any)["versionId"].(string))
	a["meta"] = map[string]any{"versionId": strconv.Itoa(v + 1), "lastUpdated": f.tick()}
}

func (f *fakePortal) commCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.comms)
}

func (f *fakePortal) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	if len(f.status) > 0 {
		st := f.status[0]
		f.status = f.status[1:]
		if st == 429 || st == 503 {
			w.Header().Set("Retry-After", "2")
		}
		w.WriteHeader(st)
		return
	}
	w.Header().Set("Content-Type", "application/fhir+json")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/fhir/Communication":
		var res map[string]any
		if err := json.NewDecoder(r.Body).Decode(&res); err != nil {
			w.WriteHeader(400)
			return
		}
		payload, _ := res["payload"].([]any)
		if len(payload) == 0 || strings.Contains(fmt.Sprint(payload), "REFUSE") {
			w.WriteHeader(422)
			fmt.Fprint(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"business-rule","diagnostics":"messages to this clinic are closed"}]}`)
			return
		}
		cond, _ := url.ParseQuery(r.Header.Get("If-None-Exist"))
		want := cond.Get("identifier")
		for _, c := range f.comms {
			ids, _ := c["identifier"].([]any)
			for _, x := range ids {
				m := x.(map[string]any)
				if want != "" && (m["system"].(string)+"|"+m["value"].(string)) == want {
					w.WriteHeader(200)
					json.NewEncoder(w).Encode(c)
					return
				}
			}
		}
		f.nextID++
		id := fmt.Sprintf("c%d", f.nextID)
		res["id"] = id
		res["meta"] = map[string]any{"versionId": "1", "lastUpdated": f.tick()}
		f.comms[id] = res
		if f.dropAfterCommit > 0 {
			f.dropAfterCommit--
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		w.WriteHeader(201)
		json.NewEncoder(w).Encode(res)
	case r.Method == http.MethodGet && f.searchBody != nil:
		f.searchBody(w)
	case r.Method == http.MethodGet && (r.URL.Path == "/fhir/Appointment" || r.URL.Path == "/fhir/Communication"):
		src := f.appts
		if r.URL.Path == "/fhir/Communication" {
			src = f.comms
		}
		q := r.URL.Query()
		gt := strings.TrimPrefix(q.Get("_lastUpdated"), "gt")
		var ids []string
		for id, res := range src {
			lu := res["meta"].(map[string]any)["lastUpdated"].(string)
			if gt == "" || lu > gt {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		count, _ := strconv.Atoi(q.Get("_count"))
		if count == 0 {
			count = 50
		}
		off, _ := strconv.Atoi(q.Get("_offset"))
		end := min(off+count, len(ids))
		b := map[string]any{"resourceType": "Bundle", "type": "searchset", "total": len(ids)}
		var entries []any
		for _, id := range ids[min(off, len(ids)):end] {
			entries = append(entries, map[string]any{"resource": src[id], "search": map[string]any{"mode": "match"}})
		}
		b["entry"] = entries
		if end < len(ids) {
			q.Set("_offset", strconv.Itoa(end))
			b["link"] = []any{map[string]any{"relation": "next", "url": "http://" + r.Host + r.URL.Path + "?" + q.Encode()}}
		}
		json.NewEncoder(w).Encode(b)
	default:
		w.WriteHeader(404)
	}
}
