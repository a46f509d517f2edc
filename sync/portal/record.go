package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/smart"
)

// recordType is how one type of the health record is searched.
type recordType struct {
	Type string
	// Param is the search parameter that names the patient. Every type with a subject is
	// searched by `subject`, the two without one (AllergyIntolerance, Immunization) by
	// `patient`. Both are R4 base search parameters, and for these types `subject=Patient/x`
	// means exactly `patient=x`. The choice is the engine's cost, not the protocol's:
	// Medplum's in-memory engine evaluates `patient` on these types as
	// `subject.where(resolve() is Patient)`, resolving every stored resource — 3.5–4 s a
	// page at 5,000 observations, even for an empty delta — while `subject` is a plain
	// reference match (50–100 ms). Real servers index both. A server that rejects `subject`
	// (400, as US Core only requires `patient`) is asked again with `patient`, and that is
	// remembered for the type.
	Param string
	// Count is the page size asked for (servers may give less; next links follow).
	// Documents can carry a PDF each, so their pages are small.
	Count int
	Extra url.Values
}

// recordTypes are the health record's searches, in the order they run. Medication has
// none of its own: it comes with MedicationRequest (contained, _include'd or read).
var recordTypes = []recordType{
	{Type: "Condition", Param: "subject", Count: 1000},
	{Type: "AllergyIntolerance", Param: "patient", Count: 1000},
	{Type: "MedicationRequest", Param: "subject", Count: 1000,
		Extra: url.Values{"_include": {"MedicationRequest:medication"}}},
	{Type: "Immunization", Param: "patient", Count: 1000},
	{Type: "Observation", Param: "subject", Count: 1000,
		Extra: url.Values{"category": {"laboratory,vital-signs"}}},
	{Type: "DiagnosticReport", Param: "subject", Count: 1000},
	{Type: "DocumentReference", Param: "subject", Count: 20},
}

// RecordTypes are the FHIR types the health record is searched by, in sync order.
func RecordTypes() []string {
	out := make([]string, len(recordTypes))
	for i, rt := range recordTypes {
		out[i] = rt.Type
	}
	return out
}

// fullEvery is how often a full resync runs on its own: it is what removes records gone
// upstream (a delta search cannot see a deletion).
const fullEvery = 7 * 24 * time.Hour

// maxInline caps a document's content fetched from a Binary and kept inline in its
// DocumentReference (base64 text; the store caps a whole resource at 20 MB).
const maxInline = 12 << 20

// Sync marks kept per type beside the _lastUpdated mark (SyncMark keys; the store forgets
// them all with the connection).
const (
	markFull      = "record.full" // when the last full resync of the record finished
	markNotShared = ".not_shared" // Type + this: "yes" when the portal refused the type
	markParam     = ".patient_by" // Type + this: the search parameter that worked, when not the default
	notSharedYes  = "yes"
)

// NotShared lists the types of the health record the portal refused at the last sync
// (never nil).
func NotShared(ctx context.Context, st interface {
	SyncMark(ctx context.Context, key string) (string, error)
}) ([]string, error) {
	out := []string{}
	for _, rt := range recordTypes {
		v, err := st.SyncMark(ctx, rt.Type+markNotShared)
		if err != nil {
			return out, err
		}
		if v == notSharedYes {
			out = append(out, rt.Type)
		}
	}
	return out, nil
}

// refused reports whether a search's error means the portal does not share the type: 403
// (not permitted), or 404 (no such endpoint on this server).
func refused(err error) bool {
	var he *fhir.HTTPError
	return errors.As(err, &he) && (he.Status == http.StatusForbidden || he.Status == http.StatusNotFound)
}

// SignInForRecord is said when the sign-in grants no part of the health record.
const SignInForRecord = "your sign-in does not include your health record: sign in to the portal again to see it, if your clinic shares it"

func grantsAnyRecordType(scope string) bool {
	for _, rt := range recordTypes {
		if smart.Grants(scope, rt.Type) {
			return true
		}
	}
	return false
}

// pullRecord pulls every type of the health record. A type the portal does not share is
// reported in res.NotShared and the others go on; anything else that stops a search
// stops the sync, as for appointments.
func (e *Engine) pullRecord(ctx context.Context, res *Result) error {
	full := e.Full
	if !full {
		last, err := e.Store.SyncMark(ctx, markFull)
		if err != nil {
			return err
		}
		t, err := time.Parse(time.RFC3339Nano, last)
		full = err != nil || e.now().Sub(t) >= fullEvery
	}
	scope := e.Scope
	if scope == "" && e.Grants != nil {
		var err error
		if scope, err = e.Grants.Granted(ctx); err != nil {
			return err
		}
	}
	if scope != "" && !grantsAnyRecordType(scope) {
		// A sign-in from before the app asked for the health record (or a clinic that
		// shares none of it): only a new sign-in can tell which.
		res.Errors = append(res.Errors, SignInForRecord)
	}
	for _, rt := range recordTypes {
		shared := smart.Grants(scope, rt.Type)
		var n int
		var err error
		if shared {
			n, err = e.pullRecordType(ctx, rt, full)
			res.Pulled += n
			if refused(err) {
				shared = false
			} else if err != nil {
				return unreachable("pull the health record ("+rt.Type+")", err)
			}
		}
		mark := ""
		if !shared {
			mark = notSharedYes
			res.NotShared = append(res.NotShared, rt.Type)
		}
		// Written only when it changes: each write is a durable transaction, and a
		// no-change sync should make none it does not need.
		if old, err := e.Store.SyncMark(ctx, rt.Type+markNotShared); err != nil {
			return err
		} else if old != mark {
			if err := e.Store.SetSyncMark(ctx, rt.Type+markNotShared, mark); err != nil {
				return err
			}
		}
	}
	if full {
		// Every type the portal shares was pulled whole (an error returned above). One it
		// does not share keeps what it had, and does not make every sync a full one.
		return e.Store.SetSyncMark(ctx, markFull, e.now().UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// head is what the engine reads of a resource of the record.
type head struct {
	ResourceType       string           `json:"resourceType"`
	ID                 string           `json:"id"`
	Meta               *fhir.Meta       `json:"meta"`
	Status             string           `json:"status"`
	DocStatus          string           `json:"docStatus"`
	VerificationStatus *codeableConcept `json:"verificationStatus"`
	Subject            *fhir.Reference  `json:"subject"`
	Patient            *fhir.Reference  `json:"patient"`
	MedicationRef      *fhir.Reference  `json:"medicationReference"`
}

type codeableConcept struct {
	Coding []struct {
		Code string `json:"code"`
	} `json:"coding"`
}

// versions are the stored versions by type and remote id (empty in a full resync).
type versions map[string]map[string]string

// has reports whether that version of the resource is stored (never for one without a
// version: it cannot be told apart from a change).
func (v versions) has(resourceType, id, version string) bool {
	return version != "" && v[resourceType][id] == version
}

// enteredInError: recorded by mistake, never shown (status, or verificationStatus for
// Condition and AllergyIntolerance, which have no status).
func (h *head) enteredInError() bool {
	if h.Status == "entered-in-error" || h.DocStatus == "entered-in-error" {
		return true
	}
	if h.VerificationStatus != nil {
		for _, c := range h.VerificationStatus.Coding {
			if c.Code == "entered-in-error" {
				return true
			}
		}
	}
	return false
}

// refersTo reports whether a reference names Patient/id, relative or absolute.
func refersTo(r *fhir.Reference, patient string) bool {
	return r != nil && patient != "" && (r.Reference == "Patient/"+patient || strings.HasSuffix(r.Reference, "/Patient/"+patient))
}

// pullRecordType pulls one type: a delta from its mark, or everything (full) — after
// which what was not seen is gone upstream and removed.
func (e *Engine) pullRecordType(ctx context.Context, rt recordType, full bool) (int, error) {
	param := rt.Param
	if p, err := e.Store.SyncMark(ctx, rt.Type+markParam); err != nil {
		return 0, err
	} else if p == "patient" || e.byPatient {
		param = "patient"
	}
	prev, err := e.since(ctx, rt.Type)
	if err != nil {
		return 0, err
	}
	// The versions stored, to skip what a delta re-reads (its in-flight window) without
	// opening anything; read when a page first brings something (a no-change sync reads
	// none). A full resync hands everything to PutClinical, which replaces a stored copy
	// that fails authentication.
	have := versions{}
	loadVersions := func() error {
		if full || have[rt.Type] != nil {
			return nil
		}
		var err error
		if have[rt.Type], err = e.Store.ClinicalVersions(ctx, rt.Type); err != nil {
			return err
		}
		if rt.Type == "MedicationRequest" {
			have["Medication"], err = e.Store.ClinicalVersions(ctx, "Medication")
		}
		return err
	}
	var (
		n      int
		seen   map[string]bool
		meds   map[string]bool // Medications stored (or tried) in this sync
		date   time.Time
		newest time.Time
		skew   bool
	)
	search := func(param string) error {
		count := rt.Count
		if e.PageSize > 0 {
			count = e.PageSize
		}
		params := url.Values{param: {"Patient/" + e.Patient}, "_count": {strconv.Itoa(count)}}
		for k, v := range rt.Extra {
			params[k] = v
		}
		if !full && !prev.IsZero() {
			params.Set("_lastUpdated", "gt"+prev.UTC().Format(time.RFC3339))
		}
		return e.retry(ctx, func() error {
			// A failed page restarts the search: every write is an upsert, and what was
			// seen is counted afresh.
			seen, meds = map[string]bool{}, map[string]bool{}
			date, newest, skew = time.Time{}, time.Time{}, false
			first := true
			return e.Client.SearchPages(ctx, rt.Type, params, func(p fhir.Page) error {
				if first {
					date, first = p.Date, false
				}
				if len(p.Matches) > 0 {
					if err := loadVersions(); err != nil {
						return err
					}
				}
				c, lu, err := e.storePage(ctx, rt, p, have, seen, meds)
				n += c
				if lu.After(newest) {
					newest = lu
				}
				if !date.IsZero() && lu.After(date) {
					skew = true
				}
				return err
			})
		})
	}
	err = search(param)
	var he *fhir.HTTPError
	if param == "subject" && errors.As(err, &he) && he.Status == http.StatusBadRequest {
		// The server does not know `subject` for this type: ask by `patient`, and keep
		// asking so.
		param = "patient"
		if err = search(param); err == nil {
			err = e.Store.SetSyncMark(ctx, rt.Type+markParam, param)
		}
	}
	if err != nil {
		return n, err
	}
	if full {
		if _, err := e.Store.SweepClinical(ctx, rt.Type, seen); err != nil {
			return n, err
		}
		if rt.Type == "MedicationRequest" {
			if _, err := e.Store.SweepClinical(ctx, "Medication", meds); err != nil {
				return n, err
			}
		}
	}
	return n, e.setMark(ctx, rt.Type, prev, date, newest, skew)
}

// storePage stores one page in one PutClinical call: the matches that are this patient's
// (a Bundle from a server that ignored the patient parameter could hold others'), their
// Medications (included, or read when only referenced), and DocumentReference content
// fetched from a Binary. Entered-in-error records are removed instead. It returns how
// many were added or changed and the newest lastUpdated seen.
func (e *Engine) storePage(ctx context.Context, rt recordType, p fhir.Page, have versions, seen, meds map[string]bool) (int, time.Time, error) {
	var newest time.Time
	batch := make([]data.ClinicalResource, 0, len(p.Matches))
	var remove []string
	var wantMeds []string
	for _, raw := range p.Matches {
		var h head
		if err := json.Unmarshal(raw, &h); err != nil {
			return 0, newest, fmt.Errorf("%w: a %s in the search result: %v", fhir.ErrMalformed, rt.Type, err)
		}
		if h.ResourceType != rt.Type || h.ID == "" {
			continue
		}
		version := ""
		if h.Meta != nil {
			version = h.Meta.VersionID
			if t, err := time.Parse(time.RFC3339Nano, h.Meta.LastUpdated); err == nil && t.After(newest) {
				newest = t
			}
		}
		owner := h.Subject
		if rt.Param == "patient" {
			owner = h.Patient
		}
		if !refersTo(owner, e.Patient) {
			continue // not this patient's: never stored
		}
		if h.enteredInError() {
			remove = append(remove, h.ID)
			continue
		}
		seen[h.ID] = true
		if have.has(rt.Type, h.ID, version) {
			continue // stored already: its document and Medication too
		}
		if rt.Type == "DocumentReference" {
			var err error
			if raw, err = e.inlineContent(ctx, raw); err != nil {
				return 0, newest, err
			}
		}
		if h.MedicationRef != nil {
			if id, ok := strings.CutPrefix(h.MedicationRef.Reference, "Medication/"); ok && id != "" && !strings.Contains(id, "/") {
				wantMeds = append(wantMeds, id)
			}
		}
		batch = append(batch, data.ClinicalResource{Type: rt.Type, RemoteID: h.ID, Version: version, Raw: raw})
	}
	for _, raw := range p.Included {
		var h head
		if json.Unmarshal(raw, &h) != nil || h.ResourceType != "Medication" || h.ID == "" || meds[h.ID] {
			continue
		}
		meds[h.ID] = true
		version := ""
		if h.Meta != nil {
			version = h.Meta.VersionID
		}
		if have.has("Medication", h.ID, version) {
			continue
		}
		batch = append(batch, data.ClinicalResource{Type: "Medication", RemoteID: h.ID, Version: version, Raw: raw})
	}
	for _, id := range wantMeds {
		if meds[id] {
			continue
		}
		meds[id] = true
		var raw fhir.Raw
		err := e.retry(ctx, func() error {
			var err error
			raw, err = e.Client.Read(ctx, "Medication", id)
			return err
		})
		var he *fhir.HTTPError
		if errors.As(err, &he) && !he.Temporary() && he.Status != http.StatusUnauthorized {
			continue // gone or not shared: the request still shows its reference's display
		} else if err != nil {
			return 0, newest, err
		}
		var h head
		if json.Unmarshal(raw, &h) != nil || h.ResourceType != "Medication" || h.ID != id {
			continue
		}
		version := ""
		if h.Meta != nil {
			version = h.Meta.VersionID
		}
		batch = append(batch, data.ClinicalResource{Type: "Medication", RemoteID: id, Version: version, Raw: raw})
	}
	changed := 0
	if len(batch) > 0 {
		var err error
		if changed, err = e.Store.PutClinical(ctx, batch); err != nil {
			return 0, newest, err
		}
	}
	for _, id := range remove {
		if err := e.Store.RemoveClinical(ctx, rt.Type, id); err != nil {
			return changed, newest, err
		}
	}
	return changed, newest, nil
}

// inlineContent puts into a DocumentReference the content of each attachment that is only
// a url to a Binary on the same server, as `data` (up to maxInline): the record is then
// complete offline, and the document never has to be written anywhere to be shown. It
// returns raw unchanged when there is nothing to fetch. A Binary that is refused, gone or
// too large leaves its attachment as the server sent it.
func (e *Engine) inlineContent(ctx context.Context, raw fhir.Raw) (fhir.Raw, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // numbers stay exactly as sent
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: a DocumentReference: %v", fhir.ErrMalformed, err)
	}
	content, _ := doc["content"].([]any)
	changed := false
	for _, c := range content {
		cm, _ := c.(map[string]any)
		att, _ := cm["attachment"].(map[string]any)
		if att == nil || att["data"] != nil {
			continue
		}
		u, _ := att["url"].(string)
		id := e.binaryID(u)
		if id == "" {
			continue
		}
		var bin fhir.Raw
		err := e.retry(ctx, func() error {
			var err error
			bin, err = e.Client.Read(ctx, "Binary", id)
			return err
		})
		var he *fhir.HTTPError
		switch {
		case errors.As(err, &he) && !he.Temporary() && he.Status != http.StatusUnauthorized,
			errors.Is(err, fhir.ErrTooLarge), errors.Is(err, fhir.ErrMalformed):
			continue
		case err != nil:
			return nil, err
		}
		var b struct {
			ResourceType string `json:"resourceType"`
			ContentType  string `json:"contentType"`
			Data         string `json:"data"`
		}
		if json.Unmarshal(bin, &b) != nil || b.ResourceType != "Binary" || b.Data == "" || len(b.Data) > maxInline {
			continue
		}
		att["data"] = b.Data
		if att["contentType"] == nil && b.ContentType != "" {
			att["contentType"] = b.ContentType
		}
		changed = true
	}
	if !changed {
		return raw, nil
	}
	return json.Marshal(doc)
}

// binaryID is the id of a Binary on this server that u points to ("" for anything else:
// a url elsewhere would be fetched with our token).
func (e *Engine) binaryID(u string) string {
	rest, ok := strings.CutPrefix(u, "Binary/")
	if !ok {
		rest, ok = strings.CutPrefix(u, e.Client.Base()+"/Binary/")
	}
	if !ok || rest == "" || strings.ContainsAny(rest, "/?#") {
		return ""
	}
	return rest
}
