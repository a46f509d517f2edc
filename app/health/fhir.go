package health

// The parts of FHIR R4 (US Core shapes) this package reads. Only the fields a row or a
// medicine plan needs are declared: encoding/json ignores the rest, so a clinic's extra
// fields, extensions and narrative never make a resource unreadable, while a field we do read
// having the wrong JSON type does (the resource is then skipped and counted).

import (
	"encoding/json"
	"strings"
)

type coding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display"`
}

type codeable struct {
	Coding []coding `json:"coding"`
	Text   string   `json:"text"`
}

// words is what a person reads for a concept: its text, else the first coding's display.
func (c *codeable) words() string {
	if c == nil {
		return ""
	}
	if t := strings.TrimSpace(c.Text); t != "" {
		return t
	}
	for _, cd := range c.Coding {
		if d := strings.TrimSpace(cd.Display); d != "" {
			return d
		}
	}
	return ""
}

// has reports whether one of c's codings has this code (in any system: the codes this
// package looks for are not ambiguous across the systems clinics use for them).
func (c *codeable) has(code string) bool {
	if c == nil {
		return false
	}
	for _, cd := range c.Coding {
		if cd.Code == code {
			return true
		}
	}
	return false
}

// firstCode is the first coding's code ("" when there is none).
func (c *codeable) firstCode() string {
	if c == nil {
		return ""
	}
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return cd.Code
		}
	}
	return ""
}

type reference struct {
	Reference string `json:"reference"`
	Display   string `json:"display"`
}

type quantity struct {
	Value      json.Number `json:"value"`
	Comparator string      `json:"comparator"`
	Unit       string      `json:"unit"`
	System     string      `json:"system"`
	Code       string      `json:"code"`
}

func (q *quantity) present() bool { return q != nil && q.Value != "" }

type ratio struct {
	Numerator   *quantity `json:"numerator"`
	Denominator *quantity `json:"denominator"`
}

type rangeQ struct {
	Low  *quantity `json:"low"`
	High *quantity `json:"high"`
}

type period struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type attachment struct {
	ContentType string `json:"contentType"`
	Data        string `json:"data"`
	URL         string `json:"url"`
	Title       string `json:"title"`
}

// resource is what every resource shares, read first to know what it is.
type resource struct {
	ResourceType       string    `json:"resourceType"`
	ID                 string    `json:"id"`
	Status             string    `json:"status"`
	DocStatus          string    `json:"docStatus"`
	VerificationStatus *codeable `json:"verificationStatus"`
}

type condition struct {
	resource
	ClinicalStatus *codeable  `json:"clinicalStatus"`
	Category       []codeable `json:"category"`
	Severity       *codeable  `json:"severity"`
	Code           *codeable  `json:"code"`
	OnsetDateTime  string     `json:"onsetDateTime"`
	OnsetPeriod    *period    `json:"onsetPeriod"`
	RecordedDate   string     `json:"recordedDate"`
}

type allergy struct {
	resource
	ClinicalStatus *codeable `json:"clinicalStatus"`
	Criticality    string    `json:"criticality"`
	Code           *codeable `json:"code"`
	OnsetDateTime  string    `json:"onsetDateTime"`
	RecordedDate   string    `json:"recordedDate"`
	Reaction       []struct {
		Substance     *codeable  `json:"substance"`
		Manifestation []codeable `json:"manifestation"`
		Severity      string     `json:"severity"`
	} `json:"reaction"`
}

type medicationRequest struct {
	resource
	Contained                 []json.RawMessage `json:"contained"`
	MedicationCodeableConcept *codeable         `json:"medicationCodeableConcept"`
	MedicationReference       *reference        `json:"medicationReference"`
	AuthoredOn                string            `json:"authoredOn"`
	DosageInstruction         []dosage          `json:"dosageInstruction"`
}

type medication struct {
	ResourceType string    `json:"resourceType"`
	ID           string    `json:"id"`
	Code         *codeable `json:"code"`
	Form         *codeable `json:"form"`
	Ingredient   []struct {
		ItemCodeableConcept *codeable `json:"itemCodeableConcept"`
		Strength            *ratio    `json:"strength"`
	} `json:"ingredient"`
}

type dosage struct {
	Sequence                *int       `json:"sequence"`
	Text                    string     `json:"text"`
	AdditionalInstruction   []codeable `json:"additionalInstruction"`
	PatientInstruction      string     `json:"patientInstruction"`
	Timing                  *timing    `json:"timing"`
	AsNeededBoolean         bool       `json:"asNeededBoolean"`
	AsNeededCodeableConcept *codeable  `json:"asNeededCodeableConcept"`
	Route                   *codeable  `json:"route"`
	DoseAndRate             []struct {
		DoseQuantity *quantity `json:"doseQuantity"`
		DoseRange    *rangeQ   `json:"doseRange"`
	} `json:"doseAndRate"`
}

type timing struct {
	Event  []string  `json:"event"`
	Repeat *repeat   `json:"repeat"`
	Code   *codeable `json:"code"`
}

type repeat struct {
	BoundsPeriod   *period `json:"boundsPeriod"`
	BoundsDuration *struct {
		Value json.Number `json:"value"`
		Unit  string      `json:"unit"`
		Code  string      `json:"code"`
	} `json:"boundsDuration"`
	BoundsRange  *rangeQ     `json:"boundsRange"`
	Count        *int        `json:"count"`
	Frequency    *int        `json:"frequency"`
	FrequencyMax *int        `json:"frequencyMax"`
	Period       json.Number `json:"period"`
	PeriodMax    json.Number `json:"periodMax"`
	PeriodUnit   string      `json:"periodUnit"`
	DayOfWeek    []string    `json:"dayOfWeek"`
	TimeOfDay    []string    `json:"timeOfDay"`
	When         []string    `json:"when"`
	Offset       *int        `json:"offset"`
}

type immunization struct {
	resource
	VaccineCode        *codeable `json:"vaccineCode"`
	OccurrenceDateTime string    `json:"occurrenceDateTime"`
	Recorded           string    `json:"recorded"`
	StatusReason       *codeable `json:"statusReason"`
}

type observationValue struct {
	Code                 *codeable      `json:"code"`
	ValueQuantity        *quantity      `json:"valueQuantity"`
	ValueString          *string        `json:"valueString"`
	ValueCodeableConcept *codeable      `json:"valueCodeableConcept"`
	ValueInteger         *json.Number   `json:"valueInteger"`
	ValueBoolean         *bool          `json:"valueBoolean"`
	ValueRatio           *ratio         `json:"valueRatio"`
	ValueRange           *rangeQ        `json:"valueRange"`
	ValueDateTime        string         `json:"valueDateTime"`
	ValueTime            string         `json:"valueTime"`
	DataAbsentReason     *codeable      `json:"dataAbsentReason"`
	Interpretation       []codeable     `json:"interpretation"`
	ReferenceRange       []referenceRng `json:"referenceRange"`
}

type referenceRng struct {
	Low  *quantity `json:"low"`
	High *quantity `json:"high"`
	Text string    `json:"text"`
}

type observation struct {
	resource
	observationValue
	EffectiveDateTime string             `json:"effectiveDateTime"`
	EffectivePeriod   *period            `json:"effectivePeriod"`
	EffectiveInstant  string             `json:"effectiveInstant"`
	Issued            string             `json:"issued"`
	Component         []observationValue `json:"component"`
	HasMember         []reference        `json:"hasMember"`
}

type diagnosticReport struct {
	resource
	Code              *codeable    `json:"code"`
	EffectiveDateTime string       `json:"effectiveDateTime"`
	EffectivePeriod   *period      `json:"effectivePeriod"`
	Issued            string       `json:"issued"`
	Result            []reference  `json:"result"`
	Conclusion        string       `json:"conclusion"`
	ConclusionCode    []codeable   `json:"conclusionCode"`
	PresentedForm     []attachment `json:"presentedForm"`
}

type documentReference struct {
	resource
	Type        *codeable `json:"type"`
	Date        string    `json:"date"`
	Description string    `json:"description"`
	Content     []struct {
		Attachment attachment `json:"attachment"`
	} `json:"content"`
	Context *struct {
		Period *period `json:"period"`
	} `json:"context"`
}

// refID splits a reference ("Observation/123", "Observation/123/_history/2",
// "https://portal.example/fhir/Observation/123") into its type and id; a contained
// reference ("#med1") has the type "#".
func refID(ref string) (typ, id string) {
	ref = strings.TrimSpace(ref)
	if strings.HasPrefix(ref, "#") {
		return "#", ref[1:]
	}
	parts := strings.Split(ref, "/")
	if n := len(parts); n >= 4 && parts[n-2] == "_history" {
		parts = parts[:n-2]
	}
	if n := len(parts); n >= 2 {
		return parts[n-2], parts[n-1]
	}
	return "", ""
}
