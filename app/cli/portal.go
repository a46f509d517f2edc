package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/spf13/pflag"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/portal"
)

// portalError is a portal that could not be reached or refused: exit 6.
type portalError struct{ err error }

func (e portalError) Error() string { return e.err.Error() }
func (e portalError) Unwrap() error { return e.err }

func portalConnectFlags(fs *pflag.FlagSet) {
	fs.String("patient", "", "the portal's Patient id (for a portal without SMART sign-in)")
	fs.String("client-id", "", "the SMART client id the clinic registered")
	fs.Bool("no-browser", false, "print the sign-in address instead of opening the browser")
}

func portalConnect(c *call) error {
	raw, err := c.oneArg("portal address (the FHIR base URL)")
	if err != nil {
		return err
	}
	client, err := fhir.New(raw, fhir.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}))
	if err != nil {
		return usagef("%v", err)
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	smart, err := hasSMART(c.ctx, client.Base())
	if err != nil {
		return portalError{fmt.Errorf("cannot reach %s: %w", client.Base(), err)}
	}
	patient := c.str("patient")
	switch {
	case smart:
		return portalError{fmt.Errorf("%s signs people in with SMART, which this version of Patient Companion cannot do yet", client.Base())}
	case patient == "":
		return usagef("%s has no SMART sign-in: give the patient's id on the portal with --patient ID", client.Base())
	}
	if _, err := client.Read(c.ctx, "Patient", patient); err != nil {
		if errors.Is(err, fhir.ErrNotFound) {
			return fmt.Errorf("the portal has no patient %q: %w", patient, data.ErrNotFound)
		}
		return portalError{err}
	}
	if err := s.SetPortalConnection(c.ctx, data.Portal{URL: client.Base(), PatientID: patient}); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "companion: warning: %s has no sign-in; anyone who can reach it can read this patient's records\n", client.Base())
	return c.out(map[string]any{"url": client.Base(), "patient": patient, "connected": true, "sign_in": "none"}, func(w io.Writer) {
		fmt.Fprintf(w, "Connected to %s as patient %s.\n", client.Base(), patient)
	})
}

// hasSMART looks for the SMART configuration (DESIGN §4): found means sign-in is needed.
func hasSMART(ctx context.Context, base string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/.well-known/smart-configuration", nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, errors.Unwrap(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, nil
}

func portalStatus(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := s.PortalConnection(c.ctx)
	if err != nil {
		return err
	}
	msgs, err := s.ListMessages(c.ctx)
	var te *data.TamperedError
	if err != nil && !errors.As(err, &te) {
		return err
	}
	queued, failed := 0, 0
	for _, m := range msgs {
		switch m.State {
		case data.MessageQueued:
			queued++
		case data.MessageFailed:
			failed++
		}
	}
	v := map[string]any{"connected": p.URL != "", "url": strPtr(p.URL), "patient": strPtr(p.PatientID), "last_sync": nil, "queued": queued, "failed": failed}
	if !p.LastSync.IsZero() {
		v["last_sync"] = rfc3339(p.LastSync.In(s.Location()))
	}
	return c.out(v, func(w io.Writer) {
		if p.URL == "" {
			fmt.Fprintln(w, "Not connected to a portal. Connect with: companion portal connect URL")
			return
		}
		last := "never"
		if !p.LastSync.IsZero() {
			last = p.LastSync.In(s.Location()).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(w, "Connected to %s as patient %s; last synced %s; %d notes waiting to send, %d not accepted.\n", p.URL, p.PatientID, last, queued, failed)
	})
}

func portalDisconnect(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.SetPortalConnection(c.ctx, data.Portal{}); err != nil {
		return err
	}
	return c.out(map[string]any{"connected": false}, func(w io.Writer) {
		fmt.Fprintln(w, "Disconnected. Notes and appointments already here stay here.")
	})
}

func syncCmd(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := s.PortalConnection(c.ctx)
	if err != nil {
		return err
	}
	if p.URL == "" {
		return usagef("this profile is not connected to a portal: connect with 'companion portal connect URL'")
	}
	client, err := fhir.New(p.URL, fhir.WithHTTPClient(&http.Client{Timeout: 60 * time.Second}))
	if err != nil {
		return usagef("%v", err)
	}
	unlock, err := s.LockSync(c.ctx)
	if err != nil {
		return err
	}
	defer unlock()
	eng := &portal.Engine{Client: client, Store: s, Patient: p.PatientID}
	res, err := eng.Sync(c.ctx)
	if err != nil {
		return portalError{err}
	}
	return c.out(res, func(w io.Writer) {
		fmt.Fprintf(w, "Synced: %d pulled, %d sent", res.Pulled, res.Pushed)
		if res.Failed > 0 {
			fmt.Fprintf(w, ", %d not accepted", res.Failed)
		}
		fmt.Fprintln(w, ".")
		for _, e := range res.Errors {
			fmt.Fprintln(w, "  "+e)
		}
	})
}
