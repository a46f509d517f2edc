package portal

// Acting on appointments (issue 15). A request becomes a proposed Appointment, created
// conditionally on our urn:uuid identifier (a retry never makes a second one, and a pull
// that sees it first matches it to the request). A cancellation is a conditional update
// (If-Match with the version as the server sent it) of the appointment as the server has it
// now, so the clinic's other changes are kept and a clinic that moved it is asked about
// first.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir"
)

// What the person is told when the portal will not take a request or a cancellation. The
// command line and the window add the clinic's page or telephone number where they know it.
const (
	RequestsElsewhere = "your clinic does not take appointment requests through the app"
	CancelByPhone     = "your clinic does not let the app cancel appointments: call the clinic"
	ClinicCancelled   = "the clinic had already cancelled it"
	AlreadyBegun      = "it has already begun"
	UnknownToPortal   = "the portal does not know this appointment"
	// RequestRefused and CancelRefused begin the reason kept when the portal refused a
	// request or a cancellation; the portal's own words follow.
	RequestRefused = "request not accepted by the portal: "
	CancelRefused  = "cancellation not accepted by the portal: "
)

// The reason ClinicMoved keeps: the window reads it back (ParseClinicMoved) to say it in
// the person's language.
const (
	clinicMovedPrefix = "the clinic moved it to "
	clinicMovedSuffix = ": cancel again if you still want to"
	clinicMovedLayout = "Mon 2 Jan 2006 15:04"
)

// ClinicMoved is the reason kept when the clinic moved an appointment before our
// cancellation reached it: the person is asked again.
func ClinicMoved(start time.Time) string {
	return clinicMovedPrefix + start.Format(clinicMovedLayout) + clinicMovedSuffix
}

// ParseClinicMoved reads the new time back from a ClinicMoved reason (in loc, the zone it
// was written in); ok is false for any other reason.
func ParseClinicMoved(reason string, loc *time.Location) (start time.Time, ok bool) {
	s, ok1 := strings.CutPrefix(reason, clinicMovedPrefix)
	s, ok2 := strings.CutSuffix(s, clinicMovedSuffix)
	if !ok1 || !ok2 {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(clinicMovedLayout, s, loc)
	return t, err == nil
}

// cancelTries bounds the re-reads after 412 (the clinic editing it at the same moment).
const cancelTries = 3

func (e *Engine) pushAppointment(ctx context.Context, it data.OutboxItem, res *Result) error {
	a, err := e.Store.Appointment(ctx, it.EntityID)
	if err != nil {
		res.Errors = append(res.Errors, fmt.Sprintf("appointment %s: %v", it.EntityID, err))
		return nil
	}
	switch it.Op {
	case data.PendingRequest:
		return e.pushRequest(ctx, it, a, res)
	case data.PendingCancel:
		return e.pushCancel(ctx, it, a, res)
	}
	return nil
}

func (e *Engine) notSent(ctx context.Context, it data.OutboxItem, id, reason string, res *Result) error {
	if err := e.Store.AppointmentNotSent(ctx, it.Seq, id, reason); err != nil {
		return err
	}
	res.Failed++
	res.Errors = append(res.Errors, reason)
	return nil
}

// requestBody is a request as a proposed FHIR Appointment: the patient a participant whose
// answer the clinic needs, the days that suit as requestedPeriod, the reason and the
// preferences in words.
func (e *Engine) requestBody(a data.Appointment) map[string]any {
	prefs := []string{}
	if !a.After.IsZero() || !a.Before.IsZero() {
		switch {
		case a.After.IsZero():
			prefs = append(prefs, "by "+a.Before.String())
		case a.Before.IsZero():
			prefs = append(prefs, "from "+a.After.String())
		default:
			prefs = append(prefs, "between "+a.After.String()+" and "+a.Before.String())
		}
	}
	if a.With != "" {
		prefs = append(prefs, "with "+a.With)
	}
	body := map[string]any{
		"resourceType": "Appointment",
		"identifier":   []map[string]string{{"system": identifierSystem, "value": "urn:uuid:" + a.ID}},
		"status":       "proposed",
		"description":  a.Reason,
		"reasonCode":   []map[string]string{{"text": a.Reason}},
		"participant": []map[string]any{{
			"actor":    map[string]string{"reference": "Patient/" + e.Patient},
			"required": "required",
			"status":   "needs-action",
		}},
		"created": a.CreatedAt.UTC().Format("2006-01-02"),
	}
	if len(prefs) > 0 {
		body["comment"] = "Requested by the patient in Patient Companion: " + strings.Join(prefs, ", ") + "."
	}
	if !a.After.IsZero() || !a.Before.IsZero() {
		p := map[string]string{}
		if !a.After.IsZero() {
			p["start"] = a.After.String() + "T00:00:00Z"
		}
		if !a.Before.IsZero() {
			p["end"] = a.Before.String() + "T23:59:59Z"
		}
		body["requestedPeriod"] = []map[string]string{p}
	}
	return body
}

func (e *Engine) pushRequest(ctx context.Context, it data.OutboxItem, a data.Appointment, res *Result) error {
	ok, err := e.mayCreate(ctx, "Appointment")
	if err != nil {
		return err
	}
	if !ok {
		return e.notSent(ctx, it, a.ID, RequestsElsewhere, res)
	}
	c, err := e.createOnce(ctx, it, "Appointment", a.ID, e.requestBody(a), "send request")
	switch {
	case err != nil:
		return err
	case c.Elsewhere:
		return e.notSent(ctx, it, a.ID, RequestsElsewhere, res)
	case c.Refused != "":
		return e.notSent(ctx, it, a.ID, RequestRefused+c.Refused, res)
	}
	if err := e.Store.AppointmentSent(ctx, it.Seq, a.ID, c.ID, c.Version, c.Status); err != nil {
		return err
	}
	res.Pushed++
	return nil
}

func (e *Engine) pushCancel(ctx context.Context, it data.OutboxItem, a data.Appointment, res *Result) error {
	if a.RemoteID == "" {
		return e.notSent(ctx, it, a.ID, UnknownToPortal, res)
	}
	seen := a.RemoteVersion
	for try := 0; ; try++ {
		var raw fhir.Raw
		err := e.retry(ctx, func() error {
			var err error
			raw, err = e.Client.Read(ctx, "Appointment", a.RemoteID)
			return err
		})
		var he *fhir.HTTPError
		switch {
		case errors.Is(err, fhir.ErrNotFound) || errors.As(err, &he) && he.Status == 410:
			// Gone upstream: there is nothing left to cancel.
			if err := e.Store.AppointmentSent(ctx, it.Seq, a.ID, a.RemoteID, seen, data.StatusCancelled); err != nil {
				return err
			}
			res.Pushed++
			return nil
		case errors.As(err, &he) && (he.Status == 403 || he.Status == 405):
			return e.notSent(ctx, it, a.ID, CancelByPhone, res)
		case err != nil:
			if perr := e.Store.PostponeOutbox(ctx, it.Seq, e.now()); perr != nil {
				return perr
			}
			return unreachable("cancel appointment", err)
		}
		cur, err := fhir.DecodeAppointment(raw)
		if err != nil {
			return unreachable("cancel appointment", err)
		}
		version := ""
		if cur.Meta != nil {
			version = cur.Meta.VersionID
		}
		start, _ := time.Parse(time.RFC3339, cur.Start)
		why := cancelText(a)
		switch {
		case cur.Status == data.StatusCancelled && cancelationText(raw) == why:
			// Ours: the answer to an earlier try was lost after the portal stored it.
			if err := e.Store.AppointmentSent(ctx, it.Seq, a.ID, a.RemoteID, version, data.StatusCancelled); err != nil {
				return err
			}
			res.Pushed++
			return nil
		case cur.Status == data.StatusCancelled:
			if err := e.notSent(ctx, it, a.ID, ClinicCancelled, res); err != nil {
				return err
			}
			return e.refresh(ctx, cur, version)
		case version != seen && !start.IsZero() && !start.Equal(a.Start):
			if err := e.notSent(ctx, it, a.ID, ClinicMoved(start.In(a.Start.Location())), res); err != nil {
				return err
			}
			return e.refresh(ctx, cur, version)
		case !start.IsZero() && start.Before(e.now()):
			return e.notSent(ctx, it, a.ID, AlreadyBegun, res)
		}
		// The patient's words go in cancelationReason; the clinic's comment is never touched.
		change := map[string]any{"status": data.StatusCancelled, "cancelationReason": map[string]string{"text": why}}
		body, err := fhir.Merge(raw, change)
		if err != nil {
			return unreachable("cancel appointment", err)
		}
		var updated fhir.Raw
		err = e.retry(ctx, func() error {
			var err error
			updated, err = e.Client.Update(ctx, "Appointment", a.RemoteID, body, version)
			return err
		})
		switch {
		case err == nil:
			got, derr := fhir.DecodeAppointment(updated)
			newVersion := ""
			if derr == nil && got.Meta != nil {
				newVersion = got.Meta.VersionID
			}
			if err := e.Store.AppointmentSent(ctx, it.Seq, a.ID, a.RemoteID, newVersion, data.StatusCancelled); err != nil {
				return err
			}
			res.Pushed++
			return nil
		case errors.As(err, &he) && he.Status == 412 && try+1 < cancelTries:
			// Changed between our read and our write: read again. What we saw is the
			// version we just read, so only a move since then asks the person again.
			seen = version
			continue
		case errors.As(err, &he) && (he.Status == 403 || he.Status == 405):
			return e.notSent(ctx, it, a.ID, CancelByPhone, res)
		case errors.As(err, &he) && !he.Temporary() && he.Status != 401:
			return e.notSent(ctx, it, a.ID, CancelRefused+http4xx(he), res)
		}
		if perr := e.Store.PostponeOutbox(ctx, it.Seq, e.now()); perr != nil {
			return perr
		}
		return unreachable("cancel appointment", err)
	}
}

// refresh stores the portal's current copy of an appointment after a cancellation could
// not go, so the person sees what the clinic did.
func (e *Engine) refresh(ctx context.Context, cur *fhir.Appointment, version string) error {
	local, err := toAppointment(cur)
	if err != nil {
		return nil
	}
	_, err = e.Store.UpsertPortalAppointment(ctx, cur.ID, version, local)
	return err
}

// ourID is the local id a resource names with our urn:uuid identifier ("" when none).
func ourID(ids []fhir.Identifier) string {
	for _, id := range ids {
		if id.System == identifierSystem {
			if v, ok := strings.CutPrefix(id.Value, "urn:uuid:"); ok {
				return v
			}
		}
	}
	return ""
}

// cancelText is what a cancellation says as its reason: the person's words, or that the
// patient cancelled it. It also recognises our own cancellation when its answer was lost.
func cancelText(a data.Appointment) string {
	if a.CancelReason != "" {
		return a.CancelReason
	}
	return "Cancelled by the patient"
}

// cancelationText is an Appointment's cancelationReason.text ("" when none).
func cancelationText(raw fhir.Raw) string {
	var v struct {
		CancelationReason struct {
			Text string `json:"text"`
		} `json:"cancelationReason"`
	}
	json.Unmarshal(raw, &v)
	return v.CancelationReason.Text
}
