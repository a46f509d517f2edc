package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"runtime"
	"time"

	"github.com/spf13/pflag"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/portal"
	"github.com/patient-companion/companion/sync/smart"
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
	var raw string
	if cl := c.env.Clinic; cl != nil && cl.Portal != nil && len(c.args) == 0 {
		// A clinic's build knows its portal: nothing to type.
		raw = cl.Portal.FHIRBaseURL
		if !c.changed("client-id") && cl.Portal.ClientID != "" {
			c.fs.Set("client-id", cl.Portal.ClientID)
		}
	} else {
		var err error
		if raw, err = c.oneArg("portal address (the FHIR base URL)"); err != nil {
			return err
		}
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
	cfg, err := smart.Discover(c.ctx, &http.Client{Timeout: 20 * time.Second}, client.Base())
	switch {
	case errors.Is(err, smart.ErrNoSMART):
		return connectOpen(c, s, client)
	case err != nil:
		return portalError{fmt.Errorf("cannot reach %s: %w", client.Base(), err)}
	}
	clientID := c.str("client-id")
	if clientID == "" {
		return usagef("%s signs people in with SMART: give the app's client id the clinic registered, with --client-id ID", client.Base())
	}
	sc := &smart.Client{Config: cfg, ClientID: clientID, Audience: client.Base()}
	noBrowser, _ := c.fs.GetBool("no-browser")
	ctx, cancel := context.WithTimeout(c.ctx, 15*time.Minute)
	defer cancel()
	tok, err := sc.SignIn(ctx, func(u string) error {
		fmt.Fprintln(c.env.Stderr, "companion: sign in to your portal in the browser; if it does not open, go to: "+u)
		if noBrowser {
			return nil
		}
		if err := openBrowser(u); err != nil {
			fmt.Fprintln(c.env.Stderr, "companion: the browser did not open; copy the address above into it")
		}
		return nil
	})
	if err != nil {
		return portalError{err}
	}
	patient := tok.Patient
	if p := c.str("patient"); p != "" {
		patient = p
	}
	if patient == "" {
		return portalError{errors.New("the portal did not say which patient this sign-in is for; choose one with --patient ID")}
	}
	if err := s.SetPortalConnection(c.ctx, data.Portal{URL: client.Base(), PatientID: patient, ClientID: clientID}); err != nil {
		return err
	}
	if err := s.PutSecret(c.ctx, portal.TokenKey, tok); err != nil {
		return err
	}
	return c.out(map[string]any{"url": client.Base(), "patient": patient, "connected": true, "sign_in": "smart"}, func(w io.Writer) {
		fmt.Fprintf(w, "Signed in to %s (patient %s).\n", client.Base(), patient)
	})
}

// connectOpen connects to a portal without sign-in, for an explicit patient, with a warning.
func connectOpen(c *call, s *data.Store, client *fhir.Client) error {
	patient := c.str("patient")
	if patient == "" {
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

// openBrowser opens u in the system browser.
func openBrowser(u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	case "darwin":
		cmd = exec.Command("open", u)
	default:
		cmd = exec.Command("xdg-open", u)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
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
	if p.ClientID != "" {
		cfg, err := smart.Discover(c.ctx, &http.Client{Timeout: 20 * time.Second}, p.URL)
		if err != nil {
			return portalError{err}
		}
		tokens := &portal.Tokens{SMART: &smart.Client{Config: cfg, ClientID: p.ClientID, Audience: p.URL}, Store: s}
		if client, err = fhir.New(p.URL, fhir.WithHTTPClient(&http.Client{Timeout: 60 * time.Second}), fhir.WithTokens(tokens)); err != nil {
			return usagef("%v", err)
		}
		eng.Client, eng.Reauth = client, tokens
	}
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
