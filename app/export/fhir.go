package export

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/patient-companion/companion/data"
)

// FHIR writes what the person recorded as a FHIR R4 Bundle of type "collection":
//
//   - the person: a Patient, named by the profile's name, whom every resource is about;
//   - symptoms: Observations, the symptom as code.text and its severity (0–10) as
//     valueInteger, over effectivePeriod when it lasted;
//   - moods: Observations with code.text "Mood" and the word as valueString;
//   - journal notes and messages to or from the care team: Communications;
//   - medicines: MedicationStatements (archived ones "stopped"), the schedule in dosage.text;
//   - doses: MedicationAdministrations, taken ones "completed", skipped or missed ones
//     "not-done" with the reason; snoozes are not administrations and are left out.
//
// Appointments are not in it: they go to the calendar export (and the portal's are the
// clinic's own). Names are free text (code.text): the app records no coded terms, and a code
// invented here would claim more than the person wrote. Every resource keeps its record's
// id (a UUID), and its fullUrl is urn:uuid:ID, so references stay inside the Bundle.
// It returns how many resources it wrote.
func FHIR(w io.Writer, r Records, now time.Time) (int, error) {
	b := bundle{ResourceType: "Bundle", Type: "collection", Timestamp: fhirTime(now)}
	patientID := derivedUUID("patient", r.Profile.ID)
	// The type lets a validator check the reference, which a urn:uuid does not tell.
	subject := ref{Reference: "urn:uuid:" + patientID, Type: "Patient"}
	add := func(res object) {
		b.Entry = append(b.Entry, bundleEntry{FullURL: "urn:uuid:" + res["id"].(string), Resource: res})
	}
	patient := object{"resourceType": "Patient", "id": patientID}
	if r.Profile.Name != "" {
		patient["name"] = []object{{"text": r.Profile.Name}}
	}
	add(patient)

	// Oldest first: a Bundle read top to bottom tells the story in order.
	for i := len(r.Entries) - 1; i >= 0; i-- {
		e := r.Entries[i]
		switch e.Kind {
		case data.KindSymptom:
			o := observation(e, subject, "Symptom", e.Name)
			if e.Severity != nil {
				o["valueInteger"] = *e.Severity
			}
			add(o)
		case data.KindMood:
			o := observation(e, subject, "Mood", "Mood")
			if e.Name != "" {
				o["valueString"] = e.Name
			}
			add(o)
		case data.KindNote:
			c := object{"resourceType": "Communication", "id": e.ID, "status": "completed",
				"category": []object{{"text": "Journal note"}}, "subject": subject,
				"sender": subject, "sent": fhirTime(e.At)}
			if e.Note != "" {
				c["payload"] = []object{{"contentString": e.Note}}
			}
			add(c)
		}
		// Doses come from the dose records below, with their state.
	}
	for _, m := range r.Medications {
		status := "active"
		if m.Archived {
			status = "stopped"
		}
		ms := object{"resourceType": "MedicationStatement", "id": m.ID, "status": status,
			"medicationCodeableConcept": object{"text": medicationText(m)}, "subject": subject}
		dosage := object{"text": dosageText(m)}
		if m.AsNeeded {
			dosage["asNeededBoolean"] = true
		}
		ms["dosage"] = []object{dosage}
		add(ms)
	}
	names := r.MedicationNames()
	doseText := map[string]string{}
	for _, m := range r.Medications {
		doseText[m.ID] = m.Dose
	}
	for _, d := range r.Doses {
		var status, reason string
		switch d.State {
		case data.DoseTaken:
			status = "completed"
		case data.DoseSkipped:
			status, reason = "not-done", "Skipped"
		case data.DoseMissed:
			status, reason = "not-done", "Missed: not taken within its window"
		default:
			continue // a snooze is a reminder put off, not an administration
		}
		name := names[d.MedicationID]
		if name == "" {
			name = "Medicine " + d.MedicationID // removed and never taken in the journal
		}
		ma := object{"resourceType": "MedicationAdministration", "id": d.ID, "status": status,
			"medicationCodeableConcept": object{"text": name}, "subject": subject,
			"effectiveDateTime": fhirTime(d.At)}
		if reason != "" {
			ma["statusReason"] = []object{{"text": reason}}
		}
		var notes []object
		// The dose as written ("1 tablet") is free text; MedicationAdministration.dosage
		// would need it as a Quantity (invariant mad-1), so it goes in a note.
		if t := doseText[d.MedicationID]; t != "" {
			notes = append(notes, object{"text": "Dose: " + t})
		}
		if !d.ScheduledAt.IsZero() {
			n := "Scheduled for " + fhirTime(d.ScheduledAt)
			if d.Late() {
				n += "; taken late"
			}
			notes = append(notes, object{"text": n})
		} else {
			notes = append(notes, object{"text": "Taken as needed"})
		}
		if d.Note != "" {
			notes = append(notes, object{"text": d.Note})
		}
		ma["note"] = notes
		add(ma)
	}
	for _, m := range r.Messages {
		c := object{"resourceType": "Communication", "id": m.ID, "subject": subject, "sent": fhirTime(m.At),
			"category": []object{{"text": "Message"}}}
		switch {
		case m.Direction == data.DirectionIn:
			c["status"] = "completed"
			c["recipient"] = []ref{subject}
			if m.Sender != "" {
				c["sender"] = ref{Display: m.Sender}
			}
		case m.State == data.MessageQueued:
			c["status"], c["sender"] = "preparation", subject
		case m.State == data.MessageFailed:
			c["status"], c["sender"] = "not-done", subject
			if m.Error != "" {
				c["statusReason"] = object{"text": "The portal refused it: " + m.Error}
			}
		default:
			c["status"], c["sender"] = "completed", subject
		}
		if m.Text != "" {
			c["payload"] = []object{{"contentString": m.Text}}
		}
		add(c)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return len(b.Entry), enc.Encode(b)
}

type object = map[string]any

type ref struct {
	Reference string `json:"reference,omitempty"`
	Type      string `json:"type,omitempty"`
	Display   string `json:"display,omitempty"`
}

type bundle struct {
	ResourceType string        `json:"resourceType"`
	Type         string        `json:"type"`
	Timestamp    string        `json:"timestamp"`
	Entry        []bundleEntry `json:"entry,omitempty"`
}

type bundleEntry struct {
	FullURL  string `json:"fullUrl"`
	Resource object `json:"resource"`
}

func observation(e data.Entry, subject ref, category, code string) object {
	o := object{"resourceType": "Observation", "id": e.ID, "status": "final",
		"category": []object{{"text": category}}, "code": object{"text": code}, "subject": subject}
	if e.Duration > 0 {
		o["effectivePeriod"] = object{"start": fhirTime(e.At), "end": fhirTime(e.At.Add(e.Duration))}
	} else {
		o["effectiveDateTime"] = fhirTime(e.At)
	}
	if e.Note != "" {
		o["note"] = []object{{"text": e.Note}}
	}
	return o
}

func medicationText(m data.Medication) string {
	s := m.Name
	if m.Strength != "" {
		s += " " + m.Strength
	}
	if m.Form != "" {
		s += " " + m.Form
	}
	return s
}

func dosageText(m data.Medication) string {
	parts := []string{}
	if m.Dose != "" {
		parts = append(parts, m.Dose)
	}
	if st := m.ScheduleText(); st != "" {
		parts = append(parts, st)
	}
	if m.Instructions != "" {
		parts = append(parts, m.Instructions)
	}
	return strings.Join(parts, ", ")
}

// fhirTime is a FHIR dateTime/instant: RFC 3339 with seconds and the zone offset.
func fhirTime(t time.Time) string { return t.Format(time.RFC3339Nano) }

// derivedUUID makes a stable UUID (version 8, name-based) from a kind and an id, so that two
// exports of one profile name the person alike.
func derivedUUID(kind, id string) string {
	h := sha256.Sum256([]byte("patient-companion " + kind + " " + id))
	h[6] = h[6]&0x0f | 0x80
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
