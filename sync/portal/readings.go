package portal

// Readings shared with the care team (issue 14): each becomes a FHIR Observation — vital
// signs (or, for blood sugar, laboratory) with its LOINC code, the patient as subject and
// performer, tagged patient-supplied — created conditionally on our urn:uuid identifier, so
// a retry after a dropped connection can never make a second copy.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir"
)

// Grants tells which scopes the portal granted (a *Tokens).
type Grants interface {
	Granted(ctx context.Context) (string, error)
}

// ReadingsRefused is the reason kept on a reading the clinic's portal does not accept.
const ReadingsRefused = "your clinic does not accept readings"

// refusedRetry is how long a reading the portal cannot take waits before it is tried again
// (the clinic may start accepting readings, or the person may sign in again with the scope).
const refusedRetry = 24 * time.Hour

// ScopeAllows reports whether a granted SMART scope string lets the app do op ("c", "r",
// "u", "d" or "s", SMART v2) on resourceType in the patient's compartment. SMART v1 scopes
// (.read, .write, .*) are read as their v2 equivalents.
func ScopeAllows(granted, resourceType, op string) bool {
	for _, s := range strings.Fields(granted) {
		ctxPart, rest, ok := strings.Cut(s, "/")
		if !ok || (ctxPart != "patient" && ctxPart != "user") {
			continue
		}
		typ, perms, ok := strings.Cut(rest, ".")
		if !ok || (typ != resourceType && typ != "*") {
			continue
		}
		perms, _, _ = strings.Cut(perms, "?") // v2 granular scopes narrow, never widen
		switch perms {
		case "*":
			return true
		case "read":
			perms = "rs"
		case "write":
			perms = "cud"
		}
		if strings.Contains(perms, op) && strings.Trim(perms, "cruds") == "" {
			return true
		}
	}
	return false
}

// mayCreate reports whether the portal accepts new resources of a type from us: the granted
// scopes say so after a SMART sign-in; a portal without sign-in says so in its
// CapabilityStatement. The answer is kept for the rest of this sync.
func (e *Engine) mayCreate(ctx context.Context, resourceType string) (bool, error) {
	if v, ok := e.creatable[resourceType]; ok {
		return v, nil
	}
	var ok bool
	if e.Grants != nil {
		scope, err := e.Grants.Granted(ctx)
		if err != nil {
			return false, err
		}
		ok = ScopeAllows(scope, resourceType, "c")
	} else {
		caps, err := e.capabilities(ctx, "read what the portal accepts")
		if err != nil {
			return false, err
		}
		ok = fhir.Interactions(caps)[resourceType]["create"]
	}
	if e.creatable == nil {
		e.creatable = map[string]bool{}
	}
	e.creatable[resourceType] = ok
	return ok, nil
}

// capabilities is the portal's CapabilityStatement, as it is now (what it accepts, what it
// offers). A portal without one (a lasting HTTP error) promises nothing: nil, and no error.
// what names the step for an unreachable portal.
func (e *Engine) capabilities(ctx context.Context, what string) (fhir.Raw, error) {
	var caps fhir.Raw
	err := e.retry(ctx, func() error {
		var err error
		caps, err = e.Client.Capabilities(ctx)
		return err
	})
	var he *fhir.HTTPError
	switch {
	case errors.As(err, &he) && !he.Temporary():
		caps = nil
	case err != nil:
		return nil, unreachable(what, err)
	}
	return caps, nil
}

// pushVital sends one shared reading. It returns an error only when the portal cannot be
// reached (the sync stops, the reading stays queued).
func (e *Engine) pushVital(ctx context.Context, it data.OutboxItem, res *Result) error {
	v, err := e.Store.Vital(ctx, it.EntityID)
	if err != nil {
		res.Errors = append(res.Errors, fmt.Sprintf("reading %s: %v", it.EntityID, err))
		return nil
	}
	return e.pushWaiting(ctx, it, waiting{resourceType: "Observation", id: v.ID, noun: "reading",
		what: "share reading", elsewhere: ReadingsRefused, body: func() (any, error) { return e.observation(v), nil },
		sent: e.Store.VitalSent, refused: e.Store.VitalRefused}, res)
}

// loinc is how one reading type is coded (LOINC, UCUM).
type loinc struct {
	category string // vital-signs or laboratory
	codes    [][2]string
	ucum     string // the canonical unit's UCUM code
}

func loincOf(vitalType string) loinc {
	switch vitalType {
	case data.VitalBloodPressure:
		return loinc{"vital-signs", [][2]string{{"85354-9", "Blood pressure panel with all children optional"}}, "mm[Hg]"}
	case data.VitalPulse:
		return loinc{"vital-signs", [][2]string{{"8867-4", "Heart rate"}}, "/min"}
	case data.VitalWeight:
		return loinc{"vital-signs", [][2]string{{"29463-7", "Body weight"}}, "kg"}
	case data.VitalTemperature:
		return loinc{"vital-signs", [][2]string{{"8310-5", "Body temperature"}}, "Cel"}
	case data.VitalOxygen:
		// US Core's pulse oximetry profile wants 59408-5 with 2708-6 beside it.
		return loinc{"vital-signs", [][2]string{{"59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"},
			{"2708-6", "Oxygen saturation in Arterial blood"}}, "%"}
	case data.VitalGlucose:
		// Stored in mmol/L, so sent as the molar LOINC (2339-0 is the mg/dL one).
		return loinc{"laboratory", [][2]string{{"15074-8", "Glucose [Moles/volume] in Blood"}}, "mmol/L"}
	}
	return loinc{}
}

func quantity(v float64, unit, ucum string) map[string]any {
	return map[string]any{"value": v, "unit": unit, "system": "http://unitsofmeasure.org", "code": ucum}
}

func coding(system, code, display string) map[string]any {
	return map[string]any{"system": system, "code": code, "display": display}
}

// observation is a reading as a FHIR Observation.
func (e *Engine) observation(v data.Vital) map[string]any {
	l := loincOf(v.Type)
	patient := map[string]string{"reference": "Patient/" + e.Patient}
	var codings []map[string]any
	for _, c := range l.codes {
		codings = append(codings, coding("http://loinc.org", c[0], c[1]))
	}
	catDisplay := map[string]string{"vital-signs": "Vital Signs", "laboratory": "Laboratory"}[l.category]
	o := map[string]any{
		"resourceType": "Observation",
		"meta": map[string]any{"tag": []map[string]any{
			coding("http://hl7.org/fhir/us/core/CodeSystem/us-core-tags", "patient-supplied", "Patient Supplied")}},
		"identifier": []map[string]string{{"system": identifierSystem, "value": "urn:uuid:" + v.ID}},
		"status":     "final",
		"category": []map[string]any{{"coding": []map[string]any{
			coding("http://terminology.hl7.org/CodeSystem/observation-category", l.category, catDisplay)}}},
		"code":              map[string]any{"coding": codings},
		"subject":           patient,
		"performer":         []map[string]string{patient},
		"effectiveDateTime": v.At.Format(time.RFC3339),
	}
	unit := data.CanonicalUnit(v.Type)
	if v.Type == data.VitalBloodPressure {
		sys, dia, _ := strings.Cut(v.Text(""), "/")
		o["component"] = []map[string]any{
			{"code": map[string]any{"coding": []map[string]any{coding("http://loinc.org", "8480-6", "Systolic blood pressure")}},
				"valueQuantity": quantity(number(sys), unit, l.ucum)},
			{"code": map[string]any{"coding": []map[string]any{coding("http://loinc.org", "8462-4", "Diastolic blood pressure")}},
				"valueQuantity": quantity(number(dia), unit, l.ucum)},
		}
	} else {
		// The value as the person saw it (72.6 kg), not the float behind it (72.57477…).
		o["valueQuantity"] = quantity(number(v.Text("")), unit, l.ucum)
	}
	if v.Note != "" {
		o["note"] = []map[string]string{{"text": v.Note}}
	}
	return o
}

// number reads a value's canonical text back (it is always a plain decimal).
func number(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}
