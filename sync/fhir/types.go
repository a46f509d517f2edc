// Package fhir is a small HL7 FHIR R4 JSON client for the few resources Patient Companion
// uses. Types are hand-written and keep each resource's raw JSON, so an update sends back
// every field and extension we do not model (DESIGN §10: generated models drop primitive
// extensions or reject unknown codes).
package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Raw is a resource's JSON as the server sent it.
type Raw = json.RawMessage

// Meta is Resource.meta.
type Meta struct {
	VersionID   string `json:"versionId,omitempty"`
	LastUpdated string `json:"lastUpdated,omitempty"`
}

// Reference is a FHIR Reference.
type Reference struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

// Identifier is a FHIR Identifier.
type Identifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

// Appointment is the part of an R4 Appointment we read.
type Appointment struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id,omitempty"`
	Meta         *Meta        `json:"meta,omitempty"`
	Identifier   []Identifier `json:"identifier,omitempty"`
	Status       string       `json:"status"`
	Description  string       `json:"description,omitempty"`
	Start        string       `json:"start,omitempty"`
	End          string       `json:"end,omitempty"`
	Comment      string       `json:"comment,omitempty"`
	Participant  []struct {
		Actor  Reference `json:"actor,omitempty"`
		Status string    `json:"status,omitempty"`
	} `json:"participant,omitempty"`
	ServiceType []struct {
		Text string `json:"text,omitempty"`
	} `json:"serviceType,omitempty"`

	raw Raw
}

// Communication is the part of an R4 Communication we read and write.
type Communication struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id,omitempty"`
	Meta         *Meta        `json:"meta,omitempty"`
	Identifier   []Identifier `json:"identifier,omitempty"`
	Status       string       `json:"status"`
	Subject      *Reference   `json:"subject,omitempty"`
	Sender       *Reference   `json:"sender,omitempty"`
	Recipient    []Reference  `json:"recipient,omitempty"`
	Sent         string       `json:"sent,omitempty"`
	Payload      []struct {
		ContentString string `json:"contentString,omitempty"`
	} `json:"payload,omitempty"`

	raw Raw
}

// Patient is the part of an R4 Patient we read.
type Patient struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id,omitempty"`
	Name         []struct {
		Text   string   `json:"text,omitempty"`
		Family string   `json:"family,omitempty"`
		Given  []string `json:"given,omitempty"`
	} `json:"name,omitempty"`

	raw Raw
}

// Bundle is a searchset or transaction-response Bundle.
type Bundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Total        *int   `json:"total,omitempty"`
	Link         []struct {
		Relation string `json:"relation"`
		URL      string `json:"url"`
	} `json:"link,omitempty"`
	Entry []struct {
		FullURL  string `json:"fullUrl,omitempty"`
		Resource Raw    `json:"resource,omitempty"`
		Search   *struct {
			Mode string `json:"mode,omitempty"`
		} `json:"search,omitempty"`
	} `json:"entry,omitempty"`
}

// Next is the URL of the next page, exactly as the server gave it, or "".
func (b *Bundle) Next() string {
	for _, l := range b.Link {
		if l.Relation == "next" {
			return l.URL
		}
	}
	return ""
}

// OperationOutcome is a FHIR OperationOutcome.
type OperationOutcome struct {
	ResourceType string `json:"resourceType"`
	Issue        []struct {
		Severity    string `json:"severity"`
		Code        string `json:"code"`
		Diagnostics string `json:"diagnostics,omitempty"`
		Details     *struct {
			Text string `json:"text,omitempty"`
		} `json:"details,omitempty"`
	} `json:"issue"`
}

// Summary is the outcome's issues in one line.
func (o *OperationOutcome) Summary() string {
	var parts []string
	for _, is := range o.Issue {
		s := is.Severity + " " + is.Code
		switch {
		case is.Details != nil && is.Details.Text != "":
			s += ": " + is.Details.Text
		case is.Diagnostics != "":
			s += ": " + is.Diagnostics
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// decodeResource decodes raw into v after checking its resourceType, keeping raw.
func decodeResource(raw Raw, want string, v any) error {
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if head.ResourceType != want {
		return fmt.Errorf("%w: expected a %s, got %q", ErrMalformed, want, head.ResourceType)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrMalformed, want, err)
	}
	return nil
}

// Raw returns the JSON the resource was read from (nil for one made locally).
func (a *Appointment) Raw() Raw { return a.raw }

// Raw returns the JSON the resource was read from (nil for one made locally).
func (c *Communication) Raw() Raw { return c.raw }

// Raw returns the JSON the resource was read from.
func (p *Patient) Raw() Raw { return p.raw }

// DecodeAppointment reads an Appointment, keeping its raw JSON.
func DecodeAppointment(raw Raw) (*Appointment, error) {
	a := &Appointment{}
	if err := decodeResource(raw, "Appointment", a); err != nil {
		return nil, err
	}
	a.raw = append(Raw(nil), raw...)
	return a, nil
}

// DecodeCommunication reads a Communication, keeping its raw JSON.
func DecodeCommunication(raw Raw) (*Communication, error) {
	c := &Communication{}
	if err := decodeResource(raw, "Communication", c); err != nil {
		return nil, err
	}
	c.raw = append(Raw(nil), raw...)
	return c, nil
}

// Merge writes the modelled fields of v over raw (the resource as read), so fields and
// extensions we do not model go back to the server unchanged. Objects merge key by key, at
// every depth (meta keeps its tags when we set versionId); arrays and values are replaced.
// A modelled field left empty keeps the server's value (omitempty): set it to clear it.
func Merge(raw Raw, v any) (Raw, error) {
	var base any = map[string]any{}
	if len(raw) > 0 {
		if err := decodeKeepingNumbers(raw, &base); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var over any
	if err := decodeKeepingNumbers(b, &over); err != nil {
		return nil, err
	}
	return json.Marshal(mergeJSON(base, over))
}

// decodeKeepingNumbers keeps numbers as written: FHIR decimals carry their precision
// ("1.50" is not 1.5), which float64 would lose.
func decodeKeepingNumbers(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

func mergeJSON(base, over any) any {
	bm, ok1 := base.(map[string]any)
	om, ok2 := over.(map[string]any)
	if !ok1 || !ok2 {
		return over
	}
	for k, v := range om {
		if old, ok := bm[k]; ok {
			bm[k] = mergeJSON(old, v)
		} else {
			bm[k] = v
		}
	}
	return bm
}
