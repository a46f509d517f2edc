package fhirtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The health record fixtures (issue 13): hand-written US Core-shaped records for two
// patients in testdata/record at the module root (its README lists what they cover).
const (
	Alice = "alice" // every type and value shape
	Bob   = "bob"   // the other patient: every display text starts with BOB-ONLY
)

// Record is one patient's fixture as loaded into a server.
type Record struct {
	// Patient is the server's id of the patient.
	Patient string
	// IDs maps each fixture reference ("Observation/obs-a1c") to the server's
	// ("Observation/1f0c…").
	IDs map[string]string
}

// ID is the server's id (without the type) of a fixture reference like "Observation/obs-a1c".
func (r Record) ID(ref string) string {
	full, ok := r.IDs[ref]
	if !ok {
		panic("fhirtest: no fixture resource " + ref)
	}
	return full[strings.IndexByte(full, '/')+1:]
}

// RecordResources reads a fixture ("alice" or "bob") as its resources, in file order, with
// their fixture ids and references.
func RecordResources(name string) ([]map[string]any, error) {
	raw, err := RecordRaw(name)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(raw))
	for _, r := range raw {
		var m map[string]any
		if err := json.Unmarshal(r.JSON, &m); err != nil {
			return nil, fmt.Errorf("testdata/record/%s.json: %w", name, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// RawResource is one resource of a fixture: its type, id and JSON as written (compacted, so
// a decimal keeps its digits: 5.0 stays 5.0).
type RawResource struct {
	Type, ID string
	JSON     json.RawMessage
}

// RecordRaw reads a fixture ("alice" or "bob") as its resources' JSON, in file order: what a
// sync stores, for tests that fill a profile without a server.
func RecordRaw(name string) ([]RawResource, error) {
	dir, err := harnessDir()
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, "..", "record", name+".json"))
	if err != nil {
		return nil, err
	}
	var bundle struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		return nil, fmt.Errorf("testdata/record/%s.json: %w", name, err)
	}
	out := make([]RawResource, 0, len(bundle.Entry))
	for _, e := range bundle.Entry {
		var head struct{ ResourceType, ID string }
		if err := json.Unmarshal(e.Resource, &head); err != nil {
			return nil, fmt.Errorf("testdata/record/%s.json: %w", name, err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, e.Resource); err != nil {
			return nil, fmt.Errorf("testdata/record/%s.json: %w", name, err)
		}
		out = append(out, RawResource{Type: head.ResourceType, ID: head.ID, JSON: compact.Bytes()})
	}
	return out, nil
}

// LoadRecord creates a fixture's resources on the FHIR server at base (a Start URL), in
// file order (each file lists what is referenced before what refers to it), rewriting every
// reference — and an attachment's url to a Binary — to the ids the server gives.
func LoadRecord(t testing.TB, base, name string) Record {
	t.Helper()
	res, err := RecordResources(name)
	if err != nil {
		t.Fatal(err)
	}
	rec := Record{IDs: map[string]string{}}
	client := &http.Client{Timeout: 30 * time.Second}
	for _, r := range res {
		local := fmt.Sprintf("%s/%s", r["resourceType"], r["id"])
		body := rewrite(r, rec.IDs).(map[string]any)
		delete(body, "id")
		created, err := post(client, strings.TrimRight(base, "/")+"/"+fmt.Sprint(r["resourceType"]), body)
		if err != nil {
			t.Fatalf("fhirtest: loading %s of %s: %v", local, name, err)
		}
		rec.IDs[local] = fmt.Sprintf("%s/%s", r["resourceType"], created)
		if r["resourceType"] == "Patient" {
			rec.Patient = created
		}
	}
	return rec
}

// rewrite copies v with fixture references replaced by server ones.
func rewrite(v any, ids map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if s, ok := val.(string); ok && (k == "reference" || k == "url") {
				if id, ok := ids[s]; ok {
					out[k] = id
					continue
				}
			}
			out[k] = rewrite(val, ids)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = rewrite(val, ids)
		}
		return out
	}
	return v
}

func post(client *http.Client, u string, body map[string]any) (string, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %s", resp.Status, data)
	}
	var created struct{ ID string }
	if err := json.Unmarshal(data, &created); err != nil || created.ID == "" {
		return "", errors.New("the server did not return the created resource")
	}
	return created.ID, nil
}
