package health

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"

	"github.com/patient-companion/companion/data"
)

// signatureVersion prefixes every signature, so that a later change to what is signed reads
// as a new version rather than as the clinic changing every dose.
const signatureVersion = "d1-"

func dosageSignature(res data.ClinicalResource) string {
	var m struct {
		Contained                 []json.RawMessage `json:"contained"`
		MedicationCodeableConcept json.RawMessage   `json:"medicationCodeableConcept"`
		MedicationReference       *reference        `json:"medicationReference"`
		DosageInstruction         json.RawMessage   `json:"dosageInstruction"`
	}
	if res.Type != "MedicationRequest" {
		return ""
	}
	if err := json.Unmarshal(res.Raw, &m); err != nil {
		return ""
	}
	signed := map[string]any{}
	if m.DosageInstruction != nil {
		v, ok := canonical(m.DosageInstruction)
		if !ok {
			return ""
		}
		signed["dosage"] = v
	}
	if m.MedicationCodeableConcept != nil {
		v, ok := canonical(m.MedicationCodeableConcept)
		if !ok {
			return ""
		}
		signed["medication"] = v
	}
	if ref := m.MedicationReference; ref != nil {
		typ, id := refID(ref.Reference)
		signed["reference"] = typ + "/" + id
		if typ == "#" {
			// A contained Medication is part of this request: its content is signed (a
			// new strength is a new dose); its id and narrative are not.
			for _, c := range m.Contained {
				var head resource
				if json.Unmarshal(c, &head) != nil || head.ResourceType != "Medication" || head.ID != id {
					continue
				}
				var med map[string]json.RawMessage
				if json.Unmarshal(c, &med) != nil {
					return ""
				}
				delete(med, "id")
				delete(med, "meta")
				delete(med, "text")
				raw, _ := json.Marshal(med)
				v, ok := canonical(raw)
				if !ok {
					return ""
				}
				signed["contained"] = v
				break
			}
		}
	}
	b, err := json.Marshal(signed) // maps marshal with sorted keys: the canonical form
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return signatureVersion + hex.EncodeToString(sum[:12])
}

// canonical decodes JSON keeping numbers exact, then writes every number in one spelling
// (1, 1.0 and 1e0 alike). Objects come out with sorted keys when marshalled.
func canonical(raw []byte) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return normalize(v), true
}

func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
		return x
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return string(x)
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return v
}
