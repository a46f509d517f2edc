package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
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
	var raw string
	clientID := c.str("client-id")
	if cl := c.env.Clinic; cl != nil && cl.Portal != nil && len(c.args) == 0 {
		// A clinic's build knows its portal: nothing to type.
		raw = cl.Portal.FHIRBaseURL
		if clientID == "" {
			clientID = cl.Portal.ClientID
		}
	} else {
		var err error
		if raw, err = c.oneArg("portal address (the FHIR base URL)"); err != nil {
			return err
		}
	}
	if _, err := fhir.New(raw); err != nil {
		return usagef("%v", err)
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	noBrowser, _ := c.fs.GetBool("no-browser")
	ctx, cancel := context.WithTimeout(c.ctx, 15*time.Minute)
	defer cancel()
	conn, err := portal.ConnectProfile(ctx, s, raw, clientID, c.str("patient"), func(u string) error {
		fmt.Fprintln(c.env.Stderr, "companion: sign in to your portal in the browser; if it does not open, go to: "+u)
		if !noBrowser {
			if err := openBrowser(u); err != nil {
				fmt.Fprintln(c.env.Stderr, "companion: the browser did not open; copy the address above into it")
			}
		}
		return nil
	})
	switch {
	case errors.Is(err, portal.ErrNoPatient) && c.str("patient") == "":
		return usagef("%v: use --patient ID", err)
	case errors.Is(err, portal.ErrNeedClientID):
		return usagef("%v: use --client-id ID", err)
	case errors.Is(err, data.ErrNotFound):
		return err
	case err != nil:
		return portalError{err}
	}
	if conn.SignIn == "none" {
		fmt.Fprintf(c.env.Stderr, "companion: warning: %s has no sign-in; anyone who can reach it can read this patient's records\n", conn.URL)
	}
	return c.out(map[string]any{"url": conn.URL, "patient": conn.Patient, "connected": true, "sign_in": conn.SignIn}, func(w io.Writer) {
		if conn.SignIn == "smart" {
			fmt.Fprintf(w, "Signed in to %s (patient %s).\n", printable(conn.URL), printable(conn.Patient))
		} else {
			fmt.Fprintf(w, "Connected to %s as patient %s.\n", printable(conn.URL), printable(conn.Patient))
		}
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
	// The browser is another program: it gets our environment without the secrets.
	cmd.Env = childEnv(os.Environ())
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
	notShared, nerr := portal.NotShared(c.ctx, s)
	if nerr != nil && !errors.As(nerr, &te) {
		return nerr
	}
	if err == nil {
		err = nerr
	}
	v := map[string]any{"connected": p.URL != "", "url": strPtr(p.URL), "patient": strPtr(p.PatientID), "last_sync": nil, "queued": queued, "failed": failed,
		"not_shared": notShared}
	if !p.LastSync.IsZero() {
		v["last_sync"] = rfc3339(p.LastSync.In(s.Location()))
	}
	return printed(err, c.out(v, func(w io.Writer) {
		if p.URL == "" {
			fmt.Fprintln(w, "Not connected to a portal. Connect with: companion portal connect URL")
			return
		}
		last := "never"
		if !p.LastSync.IsZero() {
			last = p.LastSync.In(s.Location()).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(w, "Connected to %s as patient %s; last synced %s; %d notes waiting to send, %d not accepted.\n", printable(p.URL), printable(p.PatientID), last, queued, failed)
		for _, t := range notShared {
			fmt.Fprintf(w, "Your clinic does not share %s.\n", recordTypeName(t))
		}
	}))
}

// printed is the error of a command that printed what it could read: the printing's own
// error first, else the damage (a *data.TamperedError) found while reading.
func printed(readErr, printErr error) error {
	if printErr != nil {
		return printErr
	}
	return readErr
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

func syncFlags(fs *pflag.FlagSet) {
	fs.Bool("full", false, "resync the whole health record now: records the clinic removed disappear (this also runs weekly)")
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
	sync := portal.SyncProfile
	if full, _ := c.fs.GetBool("full"); full {
		sync = portal.ResyncProfile
	}
	res, err := sync(c.ctx, s, nil, nil)
	var te *data.TamperedError
	switch {
	case errors.Is(err, portal.ErrNotConnected):
		return usagef("%v: connect with 'companion portal connect URL'", err)
	case errors.As(err, &te):
		// The sync went through; damaged outbox items are reported (exit 5) after the result.
	case err != nil:
		return portalError{err}
	}
	return printed(err, c.out(res, func(w io.Writer) {
		fmt.Fprintf(w, "Synced: %d pulled, %d sent", res.Pulled, res.Pushed)
		if res.Failed > 0 {
			fmt.Fprintf(w, ", %d not accepted", res.Failed)
		}
		fmt.Fprintln(w, ".")
		for _, t := range res.NotShared {
			fmt.Fprintf(w, "  Your clinic does not share %s.\n", recordTypeName(t))
		}
		for _, e := range res.Errors {
			fmt.Fprintln(w, "  "+printable(e))
		}
	}))
}

// recordTypeName is how a FHIR type of the health record reads in "your clinic does not
// share …".
func recordTypeName(t string) string {
	switch t {
	case "Condition":
		return "problems"
	case "AllergyIntolerance":
		return "allergies"
	case "MedicationRequest":
		return "medicines"
	case "Immunization":
		return "immunizations"
	case "Observation":
		return "results"
	case "DiagnosticReport":
		return "reports"
	case "DocumentReference":
		return "documents"
	}
	return t
}
