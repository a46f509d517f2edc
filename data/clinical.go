package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ClinicalResource is one resource of the health record the clinic keeps (a problem, an
// allergy, a medicine the clinic prescribed, a result, an immunization, a document), as the
// portal sent it. The store keeps the resource's JSON sealed and does not interpret it:
// package app/health turns resources into what people read.
type ClinicalResource struct {
	ID       string // local id (a UUID), stable across updates from the portal
	Type     string // FHIR resource type: "Observation", "MedicationRequest", ...
	RemoteID string // the portal's id
	Version  string // meta.versionId as the portal sent it ("" when it sent none)
	Raw      []byte // the resource's JSON
	// UpdatedAt is when this copy was stored.
	UpdatedAt time.Time
}

// ClinicalTypes are the FHIR resource types the health record holds.
var ClinicalTypes = []string{"Condition", "AllergyIntolerance", "MedicationRequest", "Medication",
	"Immunization", "Observation", "DiagnosticReport", "DocumentReference"}

func isClinicalType(t string) bool {
	for _, c := range ClinicalTypes {
		if c == t {
			return true
		}
	}
	return false
}

// maxClinicalSize caps one stored resource (a visit summary's PDF inlined in its
// DocumentReference can be large; a 20 MB one is not a visit summary).
const maxClinicalSize = 20 << 20

type clinicalRecord struct{ raw []byte }

func (r *clinicalRecord) encode(w *recWriter) { w.field(1, r.raw) }

func (r *clinicalRecord) decode(rd *recReader) {
	for rd.next() {
		switch rd.tag {
		case 1:
			r.raw = append([]byte(nil), rd.val...)
		default:
			rd.unknown()
		}
	}
}

type clinicalRow struct {
	id, rtype, remoteID, version string
	updated                      int64
	format                       int
	blob                         []byte
}

const clinicalColumns = `id, rtype, remote_id, version, updated_at, fmt, sealed`

func (r *clinicalRow) scan(sc interface{ Scan(...any) error }) error {
	return sc.Scan(&r.id, &r.rtype, &r.remoteID, &r.version, &r.updated, &r.format, &r.blob)
}

func (r *clinicalRow) bound() cols {
	return cols{sval(r.rtype), sval(r.remoteID), sval(r.version), ival(r.updated)}
}

func (s *Store) openClinical(row *clinicalRow) (ClinicalResource, error) {
	var rec clinicalRecord
	if err := s.unseal("clinical", row.id, row.format, row.bound(), row.blob, &rec); err != nil {
		return ClinicalResource{}, err
	}
	return ClinicalResource{ID: row.id, Type: row.rtype, RemoteID: row.remoteID, Version: row.version,
		Raw: rec.raw, UpdatedAt: s.fromMillis(row.updated)}, nil
}

func (s *Store) writeClinical(ctx context.Context, tx execer, row clinicalRow, raw []byte) error {
	rec := clinicalRecord{raw: raw}
	blob, err := s.seal("clinical", row.id, row.bound(), &rec)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO clinical (`+clinicalColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET rtype = excluded.rtype, remote_id = excluded.remote_id, version = excluded.version,
			updated_at = excluded.updated_at, fmt = excluded.fmt, sealed = excluded.sealed`,
		row.id, row.rtype, row.remoteID, row.version, row.updated, recordFormat, blob)
	return err
}

// PutClinical stores resources pulled from the portal, in one transaction (a page of a
// search: one durable write for a hundred results). Each is matched by type and remote id;
// a copy already stored with the same version is left alone, and a stored copy that fails
// authentication is replaced by the portal's. It returns how many were added or changed.
func (s *Store) PutClinical(ctx context.Context, batch []ClinicalResource) (int, error) {
	for _, r := range batch {
		switch {
		case !isClinicalType(r.Type):
			return 0, invalid("input.record_type_unknown", kv{"Type": r.Type}, "%q is not a type of the health record", r.Type)
		case r.RemoteID == "" || len(r.RemoteID) > 256:
			return 0, invalid("input.record_no_id", kv{"Type": r.Type}, "a %s from the portal has no usable id", r.Type)
		case len(r.Raw) == 0 || len(r.Raw) > maxClinicalSize:
			return 0, invalid("input.record_empty_or_large", kv{"Type": r.Type}, "a %s from the portal is empty or too large", r.Type)
		}
	}
	now := toMillis(s.now())
	changed := 0
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		changed = 0
		for _, r := range batch {
			row := clinicalRow{rtype: r.Type, remoteID: r.RemoteID, version: r.Version, updated: now}
			var old clinicalRow
			err := old.scan(tx.QueryRowContext(ctx, `SELECT `+clinicalColumns+` FROM clinical WHERE rtype = ? AND remote_id = ?`, r.Type, r.RemoteID))
			switch {
			case errors.Is(err, sql.ErrNoRows):
				row.id = newID()
			case err != nil:
				return err
			default:
				row.id = old.id
				if r.Version != "" && old.version == r.Version {
					if _, err := s.openClinical(&old); err == nil {
						continue // already have this version
					}
				}
			}
			if err := s.writeClinical(ctx, tx, row, r.Raw); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("save health record: %w", err)
	}
	return changed, nil
}

// RemoveClinical forgets one resource (entered in error, or gone upstream). Removing one
// that is not stored is not an error.
func (s *Store) RemoveClinical(ctx context.Context, resourceType, remoteID string) error {
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM clinical WHERE rtype = ? AND remote_id = ?`, resourceType, remoteID)
		return err
	})
}

// SweepClinical ends a full resync of one type: every stored resource of that type whose
// remote id is not in seen is gone upstream and removed. It returns how many were removed.
func (s *Store) SweepClinical(ctx context.Context, resourceType string, seen map[string]bool) (int, error) {
	removed := 0
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		removed = 0
		rows, err := tx.QueryContext(ctx, `SELECT remote_id FROM clinical WHERE rtype = ?`, resourceType)
		if err != nil {
			return err
		}
		var gone []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			if !seen[id] {
				gone = append(gone, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range gone {
			if _, err := tx.ExecContext(ctx, `DELETE FROM clinical WHERE rtype = ? AND remote_id = ?`, resourceType, id); err != nil {
				return err
			}
		}
		removed = len(gone)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("resync health record: %w", err)
	}
	return removed, nil
}

// ClinicalResources returns the stored resources of the given types (every type when none
// is given), ordered by type and remote id. Damaged records are reported in a
// *TamperedError alongside the others.
func (s *Store) ClinicalResources(ctx context.Context, types ...string) ([]ClinicalResource, error) {
	q := `SELECT ` + clinicalColumns + ` FROM clinical`
	args := make([]any, len(types))
	if len(types) > 0 {
		q += ` WHERE rtype IN (?` + strings.Repeat(", ?", len(types)-1) + `)`
		for i, t := range types {
			args[i] = t
		}
	}
	rows, err := s.queryRows(ctx, q+` ORDER BY rtype, remote_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read health record: %w", err)
	}
	defer rows.Close()
	out := []ClinicalResource{}
	var bad TamperedError
	for n := 0; rows.Next(); n++ {
		if err := cancelled(ctx, n); err != nil {
			return nil, err
		}
		var row clinicalRow
		if err := row.scan(rows); err != nil {
			return nil, fmt.Errorf("read health record: %w", err)
		}
		r, err := s.openClinical(&row)
		if err == errTampered {
			bad.add("clinical", row.id)
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read health record: %w", err)
	}
	return out, bad.OrNil()
}

// ClinicalResource returns one stored resource by its local id.
func (s *Store) ClinicalResource(ctx context.Context, id string) (ClinicalResource, error) {
	var row clinicalRow
	err := row.scan(s.db.QueryRowContext(ctx, `SELECT `+clinicalColumns+` FROM clinical WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ClinicalResource{}, fmt.Errorf("health record %s: %w", id, ErrNotFound)
	} else if err != nil {
		return ClinicalResource{}, fmt.Errorf("read health record: %w", err)
	}
	r, err := s.openClinical(&row)
	if err == errTampered {
		var bad TamperedError
		bad.add("clinical", row.id)
		return ClinicalResource{}, &bad
	}
	return r, err
}

// ClinicalVersions returns the version of every stored resource of a type by remote id, from
// the clear columns alone: nothing is unsealed, so a sync that re-reads a page it already
// has skips each unchanged resource for the price of one query. A version column edited
// behind the app's back can only make a sync skip a newer version; the stored copy then
// fails authentication when read (the version is bound to it), and PutClinical — which a
// full resync always calls — replaces it.
func (s *Store) ClinicalVersions(ctx context.Context, resourceType string) (map[string]string, error) {
	rows, err := s.queryRows(ctx, `SELECT remote_id, version FROM clinical WHERE rtype = ?`, resourceType)
	if err != nil {
		return nil, fmt.Errorf("read health record: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for n := 0; rows.Next(); n++ {
		if err := cancelled(ctx, n); err != nil {
			return nil, err
		}
		var id, version string
		if err := rows.Scan(&id, &version); err != nil {
			return nil, fmt.Errorf("read health record: %w", err)
		}
		out[id] = version
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read health record: %w", err)
	}
	return out, nil
}
