package portal

// Booking a free slot (issue 15), where the portal offers the Argonaut / IHE scheduling
// operations Appointment/$find and Appointment/$book: $find answers proposed Appointments
// (the free slots) for the days that suit; $book takes one back and books it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir"
)

// ErrNoScheduling means the portal does not offer $find and $book.
var ErrNoScheduling = errors.New("your clinic's portal does not offer free times to book")

// Slot is a free time the portal offered.
type Slot struct {
	Start, End time.Time
	Title      string // the kind of visit or who with, as the portal says
	Location   string
	raw        fhir.Raw // the proposed Appointment, sent back to $book
}

// OffersBooking reports whether the portal's CapabilityStatement lists $find and $book.
func (e *Engine) OffersBooking(ctx context.Context) (bool, error) {
	caps, err := e.capabilities(ctx, "read what the portal offers")
	if err != nil {
		return false, err
	}
	ops := fhir.Operations(caps)
	has := func(name string) bool { return ops["Appointment"][name] || ops[""][name] }
	return has("find") && has("book"), nil
}

// FindSlots asks the portal for free times between two days (both included; zero: open).
func (e *Engine) FindSlots(ctx context.Context, after, before data.Date, reason string) ([]Slot, error) {
	params := url.Values{"patient": {"Patient/" + e.Patient}}
	if !after.IsZero() {
		params.Set("start", after.String())
	}
	if !before.IsZero() {
		params.Set("end", before.String())
	}
	if reason != "" {
		params.Set("reason", reason)
	}
	var raw fhir.Raw
	err := e.retry(ctx, func() error {
		var err error
		raw, err = e.Client.Operation(ctx, "Appointment", "$find", params, nil)
		return err
	})
	if err != nil {
		return nil, unreachable("find free times", err)
	}
	var bundle struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &bundle); err != nil {
		return nil, unreachable("find free times", fmt.Errorf("%w: not a Bundle", fhir.ErrMalformed))
	}
	out := []Slot{}
	for _, en := range bundle.Entry {
		a, err := fhir.DecodeAppointment(fhir.Raw(en.Resource))
		if err != nil {
			continue
		}
		local, err := toAppointment(a)
		if err != nil {
			continue // no start: not a time one can book
		}
		out = append(out, Slot{Start: local.Start, End: local.End, Title: local.Title, Location: local.Location,
			raw: append(fhir.Raw(nil), en.Resource...)})
	}
	return out, nil
}

// Book books a slot FindSlots offered, with the person's reason, and stores the booked
// appointment as a portal appointment (it is reminded like any other).
func (e *Engine) Book(ctx context.Context, slot Slot, reason string) (data.Appointment, error) {
	// The slot's participants (who with, where) stay; the patient joins them. Merge replaces
	// lists, so the list is built whole.
	var slotParts struct {
		Participant []json.RawMessage `json:"participant"`
	}
	if err := json.Unmarshal(slot.raw, &slotParts); err != nil {
		return data.Appointment{}, fmt.Errorf("%w: %v", fhir.ErrMalformed, err)
	}
	me, _ := json.Marshal(map[string]any{
		"actor": map[string]string{"reference": "Patient/" + e.Patient}, "required": "required", "status": "accepted"})
	appt, err := fhir.Merge(slot.raw, map[string]any{"participant": append(slotParts.Participant, me)})
	if err != nil {
		return data.Appointment{}, err
	}
	if reason != "" {
		if appt, err = fhir.Merge(appt, map[string]any{"reasonCode": []map[string]string{{"text": reason}}}); err != nil {
			return data.Appointment{}, err
		}
	}
	body, err := json.Marshal(map[string]any{"resourceType": "Parameters",
		"parameter": []map[string]any{{"name": "appt-resource", "resource": json.RawMessage(appt)}}})
	if err != nil {
		return data.Appointment{}, err
	}
	var raw fhir.Raw
	// Not retried blindly: a lost answer to $book may have booked it; the next sync
	// brings it down either way.
	raw, err = e.Client.Operation(ctx, "Appointment", "$book", nil, body)
	if err != nil {
		return data.Appointment{}, unreachable("book", err)
	}
	booked, err := bookedAppointment(raw)
	if err != nil {
		return data.Appointment{}, unreachable("book", err)
	}
	local, err := toAppointment(booked)
	if err != nil {
		return data.Appointment{}, unreachable("book", fmt.Errorf("%w: the booked appointment has no time", fhir.ErrMalformed))
	}
	version := ""
	if booked.Meta != nil {
		version = booked.Meta.VersionID
	}
	if _, err := e.Store.UpsertPortalAppointment(ctx, booked.ID, version, local); err != nil {
		return data.Appointment{}, err
	}
	local.RemoteID, local.RemoteVersion, local.Source = booked.ID, version, "portal"
	return local, nil
}

// bookedAppointment reads $book's answer: the Appointment itself, or a Bundle holding it.
func bookedAppointment(raw fhir.Raw) (*fhir.Appointment, error) {
	var probe struct {
		ResourceType string `json:"resourceType"`
		Entry        []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("%w: %v", fhir.ErrMalformed, err)
	}
	if probe.ResourceType == "Bundle" {
		for _, en := range probe.Entry {
			if a, err := fhir.DecodeAppointment(fhir.Raw(en.Resource)); err == nil && a.ID != "" {
				return a, nil
			}
		}
		return nil, fmt.Errorf("%w: no appointment in the answer", fhir.ErrMalformed)
	}
	a, err := fhir.DecodeAppointment(raw)
	if err != nil || a.ID == "" {
		return nil, fmt.Errorf("%w: no appointment in the answer", fhir.ErrMalformed)
	}
	return a, nil
}
