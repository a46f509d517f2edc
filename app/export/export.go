// Package export writes what a profile holds in formats other programs read: a calendar
// (RFC 5545) and a FHIR R4 Bundle (the CSV files are the command line's, whose columns are
// its lists' JSON fields). Every file is written atomically, next to where it goes: the
// health data never passes through a temporary file elsewhere (/tmp). The files themselves
// are plain text — not encrypted — by nature: they are for other programs.
package export

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/patient-companion/companion/data"
)

// Records is everything an export may write, as the lists read it.
type Records struct {
	Profile      data.ProfileInfo
	Entries      []data.Entry // the journal, doses included (kind "dose"), newest first
	Doses        []data.DoseEvent
	Medications  []data.Medication
	Appointments []data.Appointment
	Messages     []data.Message
}

// Read reads every record of s. Like the lists, it keeps what reads: damaged records are
// left out and named in a *data.TamperedError returned with the rest. Any other error is
// returned alone.
func Read(ctx context.Context, s *data.Store) (Records, error) {
	r := Records{Profile: s.Info()}
	var bad data.TamperedError
	var err error
	if r.Entries, err = s.ListEntries(ctx, time.Time{}, time.Time{}); bad.Keep(err) != nil {
		return Records{}, err
	}
	if r.Doses, err = s.DoseEvents(ctx, "", time.Time{}, time.Time{}); bad.Keep(err) != nil {
		return Records{}, err
	}
	if r.Medications, err = s.ListMedications(ctx); bad.Keep(err) != nil {
		return Records{}, err
	}
	if r.Appointments, err = s.ListAppointments(ctx, time.Time{}, time.Time{}); bad.Keep(err) != nil {
		return Records{}, err
	}
	if r.Messages, err = s.ListMessages(ctx); bad.Keep(err) != nil {
		return Records{}, err
	}
	// One record may be reported by two reads (a dose by the journal and the dose list):
	// OrNil names it once.
	return r, bad.OrNil()
}

// MedicationNames maps each medication's id to its name.
func (r Records) MedicationNames() map[string]string {
	names := make(map[string]string, len(r.Medications))
	for _, m := range r.Medications {
		names[m.ID] = m.Name
	}
	// A removed medicine is not listed; its doses in the journal still carry its name.
	for _, e := range r.Entries {
		if e.Kind == data.KindDose && e.MedicationID != "" && names[e.MedicationID] == "" {
			names[e.MedicationID] = e.Name
		}
	}
	return names
}

// WriteFile writes path atomically with mode 0600: write fills a temporary file in the same
// folder, which is synced and renamed over path only once complete. A reader (or a crash)
// sees the old file or the new one, never half of one, and nothing is left elsewhere.
func WriteFile(path string, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := write(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// The rename is durable once the folder is synced; some systems cannot sync a folder.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
