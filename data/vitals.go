package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Reading (vital sign) types, as the command line names them (`vital add --type`).
const (
	VitalBloodPressure = "blood-pressure"
	VitalPulse         = "pulse"
	VitalWeight        = "weight"
	VitalGlucose       = "glucose"
	VitalTemperature   = "temperature"
	VitalOxygen        = "oxygen"
)

// VitalTypes are the reading types in the order they are offered.
var VitalTypes = []string{VitalBloodPressure, VitalPulse, VitalWeight, VitalGlucose, VitalTemperature, VitalOxygen}

// Sharing states of a reading (`vital list`'s `shared`).
const (
	ShareNo     = "no"     // kept on this computer
	ShareQueued = "queued" // waiting for the portal (or refused by it: then Error says why)
	ShareSent   = "sent"   // on the portal
)

// Field an InputError about a reading's value names.
const FieldValue = "value"

// Vital is one reading taken at home. Values are stored in one canonical unit per type
// (CanonicalUnit): mmHg, /min, kg, mmol/L, °C, %; a person may enter and see other units.
type Vital struct {
	ID   string
	Type string // one of VitalTypes
	At   time.Time
	// Value is the reading in the canonical unit; for blood pressure the systolic, with the
	// diastolic in Value2.
	Value, Value2 float64
	Note          string
	Shared        string // ShareNo, ShareQueued, ShareSent
	RemoteID      string // the portal's Observation id, once sent
	Error         string // why the portal did not take it (still queued)
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// unitSpec is one unit a type's value may be given in: to turns it into the canonical unit.
type unitSpec struct {
	name    string   // as shown: "kg", "lb", "mg/dL"
	aliases []string // lower case, also accepted
	to      func(float64) float64
	from    func(float64) float64
}

func same(v float64) float64 { return v }

// glucoseFactor is mg/dL per mmol/L for glucose (molar mass 180.16 g/mol).
const glucoseFactor = 18.016

// vitalSpec is what is known about one reading type.
type vitalSpec struct {
	units    []unitSpec // the first is canonical
	lo, hi   float64    // plausible range, canonical unit (systolic for blood pressure)
	decimals int        // shown in the canonical unit
}

func vitalSpecs(t string) (vitalSpec, bool) {
	switch t {
	case VitalBloodPressure:
		return vitalSpec{units: []unitSpec{{"mmHg", []string{"mmhg", "mm[hg]", "mm hg"}, same, same}}, lo: 50, hi: 300}, true
	case VitalPulse:
		return vitalSpec{units: []unitSpec{{"/min", []string{"bpm", "/min", "beats/min", "min-1"}, same, same}}, lo: 20, hi: 300}, true
	case VitalWeight:
		return vitalSpec{units: []unitSpec{
			{"kg", []string{"kg", "kilo", "kilos", "kilogram", "kilograms"}, same, same},
			{"lb", []string{"lb", "lbs", "pound", "pounds", "[lb_av]"}, func(v float64) float64 { return v * 0.45359237 }, func(v float64) float64 { return v / 0.45359237 }},
		}, lo: 0.5, hi: 500, decimals: 1}, true
	case VitalGlucose:
		return vitalSpec{units: []unitSpec{
			{"mmol/L", []string{"mmol/l", "mmol"}, same, same},
			{"mg/dL", []string{"mg/dl"}, func(v float64) float64 { return v / glucoseFactor }, func(v float64) float64 { return v * glucoseFactor }},
		}, lo: 0.5, hi: 60, decimals: 1}, true
	case VitalTemperature:
		return vitalSpec{units: []unitSpec{
			{"°C", []string{"°c", "c", "cel", "degc", "celsius"}, same, same},
			{"°F", []string{"°f", "f", "[degf]", "degf", "fahrenheit"}, func(v float64) float64 { return (v - 32) * 5 / 9 }, func(v float64) float64 { return v*9/5 + 32 }},
		}, lo: 25, hi: 45, decimals: 1}, true
	case VitalOxygen:
		return vitalSpec{units: []unitSpec{{"%", []string{"%", "percent"}, same, same}}, lo: 50, hi: 100}, true
	}
	return vitalSpec{}, false
}

// CanonicalUnit is the unit a type's readings are stored and listed in ("" for an unknown type).
func CanonicalUnit(t string) string {
	spec, ok := vitalSpecs(t)
	if !ok {
		return ""
	}
	return spec.units[0].name
}

// VitalUnits are the units a type's readings may be entered and shown in, canonical first.
func VitalUnits(t string) []string {
	spec, _ := vitalSpecs(t)
	out := make([]string, len(spec.units))
	for i, u := range spec.units {
		out[i] = u.name
	}
	return out
}

func (spec vitalSpec) unit(name string) (unitSpec, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, u := range spec.units {
		if n == strings.ToLower(u.name) {
			return u, true
		}
		for _, a := range u.aliases {
			if n == a {
				return u, true
			}
		}
	}
	return unitSpec{}, false
}

// ParseVital reads a reading as typed: its type, its value ("120/80" for blood pressure;
// a comma is taken as a decimal point) and its unit ("" for the canonical one). The value
// comes back in the canonical unit, checked against a plausible range, so a typo (a
// weight of 7250 kg) is refused with a message that says what is expected.
func ParseVital(t, value, unit string) (Vital, error) {
	spec, ok := vitalSpecs(t)
	if !ok {
		return Vital{}, invalidField(FieldName, "input.reading_type_unknown", kv{"Type": t, "Types": strings.Join(VitalTypes, ", ")}, "%q is not a kind of reading: use one of %s", t, strings.Join(VitalTypes, ", "))
	}
	u := spec.units[0]
	if strings.TrimSpace(unit) != "" {
		if u, ok = spec.unit(unit); !ok {
			return Vital{}, invalidField(FieldValue, "input.reading_unit", kv{"Unit": unit, "Reading": ReadingType(t), "Units": strings.Join(VitalUnits(t), " / ")}, "%q is not a unit for %s: use %s", unit, vitalWords(t), strings.Join(VitalUnits(t), " or "))
		}
	}
	num := func(s string) (float64, bool) {
		s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && !strings.ContainsAny(s, "eExXpP_")
	}
	v := Vital{Type: t}
	if t == VitalBloodPressure {
		sys, dia, found := strings.Cut(value, "/")
		s, ok1 := num(sys)
		d, ok2 := num(dia)
		if !found || !ok1 || !ok2 {
			return Vital{}, invalidField(FieldValue, "input.bp_format", kv{"Value": value}, "%q is not a blood pressure: write it as top/bottom number, like 120/80", value)
		}
		v.Value, v.Value2 = u.to(s), u.to(d)
		switch {
		case v.Value < spec.lo || v.Value > spec.hi:
			return Vital{}, invalidField(FieldValue, "input.bp_top_range", kv{"Value": round(s, 0)}, "a top number of %s mmHg is not plausible: it should be between 50 and 300", fmtNum(s, 0))
		case v.Value2 < 20 || v.Value2 > 200:
			return Vital{}, invalidField(FieldValue, "input.bp_bottom_range", kv{"Value": round(d, 0)}, "a bottom number of %s mmHg is not plausible: it should be between 20 and 200", fmtNum(d, 0))
		case v.Value2 >= v.Value:
			return Vital{}, invalidField(FieldValue, "input.bp_order", kv{"Top": round(s, 0), "Bottom": round(d, 0)}, "the top number (%s) should be higher than the bottom number (%s): write it as 120/80", fmtNum(s, 0), fmtNum(d, 0))
		}
		return v, nil
	}
	f, ok := num(value)
	if !ok {
		return Vital{}, invalidField(FieldValue, "input.reading_not_number", kv{"Value": value, "Reading": ReadingType(t), "Example": round(spec.units[0].from((spec.lo+spec.hi)/4), spec.decimals)}, "%q is not a number: write the %s as a number, like %s", value, vitalWords(t), fmtNum(spec.units[0].from((spec.lo+spec.hi)/4), spec.decimals))
	}
	v.Value = u.to(f)
	if v.Value < spec.lo || v.Value > spec.hi {
		return Vital{}, invalidField(FieldValue, "input.reading_range", kv{"Reading": ReadingType(t), "Value": f, "Unit": u.name, "Low": round(u.from(spec.lo), spec.decimals), "High": round(u.from(spec.hi), spec.decimals)}, "a %s of %s %s is not plausible: it should be between %s and %s %s",
			vitalWords(t), value, u.name, fmtNum(u.from(spec.lo), spec.decimals), fmtNum(u.from(spec.hi), spec.decimals), u.name)
	}
	return v, nil
}

// vitalWords names a reading type in plain words.
func vitalWords(t string) string {
	switch t {
	case VitalBloodPressure:
		return "blood pressure"
	case VitalOxygen:
		return "oxygen level"
	case VitalGlucose:
		return "blood sugar"
	}
	return t
}

func fmtNum(f float64, decimals int) string {
	return strconv.FormatFloat(round(f, decimals), 'f', -1, 64)
}

// round is f to decimals digits after the point: the number fmtNum writes, as a number for
// an InputError's Args (the window writes it the person's way).
func round(f float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(f*p) / p
}

// Text is the reading's value in unit ("" for the canonical one), as shown and as
// `vital list --json` gives it in the canonical unit: "120/80", "72.5".
func (v Vital) Text(unit string) string {
	spec, ok := vitalSpecs(v.Type)
	if !ok {
		return ""
	}
	u, decimals := spec.units[0], spec.decimals
	if unit != "" {
		if uu, ok := spec.unit(unit); ok {
			u = uu
		}
	}
	if v.Type == VitalBloodPressure {
		return fmtNum(u.from(v.Value), 0) + "/" + fmtNum(u.from(v.Value2), 0)
	}
	if v.Type == VitalGlucose && u.name == "mg/dL" {
		decimals = 0
	}
	return fmtNum(u.from(v.Value), decimals)
}

type vitalRecord struct {
	Type          string
	Value, Value2 float64
	Note          string
	Error         string
}

func (r *vitalRecord) encode(w *recWriter) {
	w.str(1, r.Type)
	w.intAlways(2, int64(math.Float64bits(r.Value)))
	w.int(3, int64(math.Float64bits(r.Value2)))
	w.str(4, r.Note)
	w.str(5, r.Error)
}

func (r *vitalRecord) decode(rd *recReader) {
	for rd.next() {
		switch rd.tag {
		case 1:
			r.Type = rd.str()
		case 2:
			r.Value = math.Float64frombits(uint64(rd.int()))
		case 3:
			r.Value2 = math.Float64frombits(uint64(rd.int()))
		case 4:
			r.Note = rd.str()
		case 5:
			r.Error = rd.str()
		default:
			rd.unknown()
		}
	}
}

type vitalRow struct {
	id, shared           string
	remoteID             sql.NullString
	at, created, updated int64
	deleted              int64
	format               int
	blob                 []byte
}

const vitalColumns = `id, at, shared, remote_id, created_at, updated_at, deleted, fmt, sealed`

func (r *vitalRow) scan(sc interface{ Scan(...any) error }) error {
	return sc.Scan(&r.id, &r.at, &r.shared, &r.remoteID, &r.created, &r.updated, &r.deleted, &r.format, &r.blob)
}

func (r *vitalRow) bound() cols {
	return cols{ival(r.at), sval(r.shared), nullString(r.remoteID), ival(r.created), ival(r.updated), ival(r.deleted)}
}

func (s *Store) writeVital(ctx context.Context, tx execer, row vitalRow, rec vitalRecord) error {
	blob, err := s.seal("vitals", row.id, row.bound(), &rec)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO vitals (`+vitalColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET at = excluded.at, shared = excluded.shared, remote_id = excluded.remote_id,
			created_at = excluded.created_at, updated_at = excluded.updated_at, deleted = excluded.deleted,
			fmt = excluded.fmt, sealed = excluded.sealed`,
		row.id, row.at, row.shared, row.remoteID, row.created, row.updated, row.deleted, recordFormat, blob)
	return err
}

func (s *Store) openVital(row *vitalRow) (Vital, vitalRecord, error) {
	var rec vitalRecord
	if err := s.unseal("vitals", row.id, row.format, row.bound(), row.blob, &rec); err != nil {
		return Vital{}, rec, err
	}
	if _, ok := vitalSpecs(rec.Type); !ok {
		return Vital{}, rec, errTampered // sealed by us, so a type we do not know is not ours
	}
	return Vital{ID: row.id, Type: rec.Type, At: s.fromMillis(row.at), Value: rec.Value, Value2: rec.Value2,
		Note: rec.Note, Shared: row.shared, RemoteID: row.remoteID.String, Error: rec.Error,
		CreatedAt: s.fromMillis(row.created), UpdatedAt: s.fromMillis(row.updated)}, rec, nil
}

// AddVital stores a reading (from ParseVital, with its time and note). share queues it for
// the portal in the same transaction, like a note: it is never lost between the journal and
// the outbox.
func (s *Store) AddVital(ctx context.Context, v Vital, share bool) (Vital, error) {
	if _, ok := vitalSpecs(v.Type); !ok {
		return Vital{}, invalidField(FieldName, "input.reading_type_unknown", kv{"Type": v.Type, "Types": strings.Join(VitalTypes, ", ")}, "%q is not a kind of reading", v.Type)
	}
	v.Note = strings.TrimSpace(v.Note)
	switch {
	case !utf8.ValidString(v.Note):
		return Vital{}, errNotText("the reading's note")
	case utf8.RuneCountInString(v.Note) > maxMessageLen:
		return Vital{}, invalidField(FieldNote, "input.note_long", kv{"Max": maxMessageLen}, "the note is longer than %d characters", maxMessageLen)
	}
	now := s.now()
	if v.At.IsZero() {
		v.At = now
	}
	if v.At.After(now.Add(5 * time.Minute)) {
		return Vital{}, invalidField(FieldStart, "input.reading_future", kv{"When": v.At.In(s.loc)}, "a reading cannot be in the future (%s)", v.At.In(s.loc).Format("2 Jan 2006 15:04"))
	}
	v.ID, v.Shared, v.RemoteID, v.Error = newID(), ShareNo, "", ""
	if share {
		v.Shared = ShareQueued
	}
	v.At, v.CreatedAt, v.UpdatedAt = v.At.In(s.loc), now.In(s.loc), now.In(s.loc)
	row := vitalRow{id: v.ID, at: toMillis(v.At), shared: v.Shared, created: toMillis(now), updated: toMillis(now)}
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := s.writeVital(ctx, tx, row, vitalRecord{Type: v.Type, Value: v.Value, Value2: v.Value2, Note: v.Note}); err != nil {
			return err
		}
		if !share {
			return nil
		}
		return s.writeOutbox(ctx, tx, outboxRow{entity: "vital", entityID: v.ID, op: "create", created: toMillis(now)})
	})
	if err != nil {
		return Vital{}, fmt.Errorf("save reading: %w", err)
	}
	return v, nil
}

// ListVitals returns the readings of the given type ("" for all) taken at or after since
// (zero: all), newest first. Damaged records are reported in a *TamperedError alongside
// the others.
func (s *Store) ListVitals(ctx context.Context, vitalType string, since time.Time) ([]Vital, error) {
	lo := int64(-1 << 62)
	if !since.IsZero() {
		lo = toMillis(since)
	}
	// Rows marked deleted, or before since, are read too when they could be damage in
	// disguise: a row's time is bound to its record, so only authentic rows are skipped.
	rows, err := s.queryRows(ctx, `SELECT `+vitalColumns+` FROM vitals ORDER BY at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list readings: %w", err)
	}
	defer rows.Close()
	out := []Vital{}
	var bad TamperedError
	for n := 0; rows.Next(); n++ {
		if err := cancelled(ctx, n); err != nil {
			return nil, err
		}
		var row vitalRow
		if err := row.scan(rows); err != nil {
			return nil, fmt.Errorf("list readings: %w", err)
		}
		v, _, err := s.openVital(&row)
		if err == errTampered {
			bad.add("vitals", row.id)
			continue
		} else if err != nil {
			return nil, err
		}
		if row.deleted != 0 || row.at < lo || (vitalType != "" && v.Type != vitalType) {
			continue
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list readings: %w", err)
	}
	return out, bad.OrNil()
}

// vitalTx reads one reading inside tx, authenticated.
func (s *Store) vitalTx(ctx context.Context, tx *sql.Tx, id string) (vitalRow, vitalRecord, error) {
	var row vitalRow
	err := row.scan(tx.QueryRowContext(ctx, `SELECT `+vitalColumns+` FROM vitals WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return row, vitalRecord{}, fmt.Errorf("reading %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return row, vitalRecord{}, err
	}
	_, rec, err := s.openVital(&row)
	if err == errTampered {
		return row, rec, &TamperedError{Records: []RecordRef{{"vitals", id}}}
	}
	return row, rec, err
}

// Vital returns one reading by id.
func (s *Store) Vital(ctx context.Context, id string) (Vital, error) {
	var v Vital
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		row, _, err := s.vitalTx(ctx, tx, id)
		if err != nil {
			return err
		}
		v, _, err = s.openVital(&row)
		return err
	})
	return v, err
}

// ShareVital queues an unshared reading for the portal (sharing it later).
func (s *Store) ShareVital(ctx context.Context, id string) (Vital, error) {
	now := s.now()
	var v Vital
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		row, rec, err := s.vitalTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if row.shared == ShareNo {
			row.shared, row.updated = ShareQueued, toMillis(now)
			if err := s.writeVital(ctx, tx, row, rec); err != nil {
				return err
			}
			if err := s.writeOutbox(ctx, tx, outboxRow{entity: "vital", entityID: id, op: "create", created: toMillis(now)}); err != nil {
				return err
			}
			if row, _, err = s.vitalTx(ctx, tx, id); err != nil {
				return err
			}
		}
		v, _, err = s.openVital(&row)
		return err
	})
	return v, err
}

// VitalSent records that the portal has the reading (remote id) and takes it off the
// outbox, in one transaction.
func (s *Store) VitalSent(ctx context.Context, seq int64, id, remoteID string) error {
	now := toMillis(s.now())
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		row, rec, err := s.vitalTx(ctx, tx, id)
		if err != nil {
			return err
		}
		row.shared, row.remoteID, row.updated = ShareSent, sql.NullString{String: remoteID, Valid: true}, now
		rec.Error = ""
		if err := s.writeVital(ctx, tx, row, rec); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = ?`, seq)
		return err
	})
}

// VitalRefused keeps a reading the portal did not take queued, with the reason shown, and
// waits until next before trying it again (the clinic may start accepting readings).
func (s *Store) VitalRefused(ctx context.Context, seq int64, id, reason string, next time.Time) error {
	now := toMillis(s.now())
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		row, rec, err := s.vitalTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if rec.Error != reason {
			rec.Error, row.updated = reason, now
			if err := s.writeVital(ctx, tx, row, rec); err != nil {
				return err
			}
		}
		return s.postpone(ctx, tx, seq, next)
	})
}

// unqueuedVitals are outbox items for the authentic readings still to be shared that have
// none (their item was deleted behind the app's back, or failed authentication).
func (s *Store) unqueuedVitals(ctx context.Context, tx *sql.Tx, has map[string]bool) ([]outboxRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+vitalColumns+` FROM vitals WHERE shared = 'queued' AND deleted = 0 ORDER BY at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var row vitalRow
		if err := row.scan(rows); err != nil {
			return nil, err
		}
		if has["vital/"+row.id] {
			continue
		}
		if _, _, err := s.openVital(&row); err != nil {
			continue // damaged: reported by the lists, never sent
		}
		out = append(out, outboxRow{entity: "vital", entityID: row.id, op: "create", created: toMillis(s.now())})
	}
	return out, rows.Err()
}

// VitalUnit is the unit a reading type is entered and shown in: the person's setting, else
// the one usual where they live (locale is a POSIX locale such as en_US.UTF-8, from
// LC_ALL, LC_MEASUREMENT or LANG): pounds and °F in the United States, Liberia and
// Myanmar; blood sugar in mg/dL in the United States and the countries whose labs report it
// so (among them Germany, Austria, France, Italy, Spain, Japan and India); elsewhere the
// canonical unit.
func VitalUnit(set Settings, vitalType, locale string) string {
	if u := set.Units[vitalType]; u != "" && u != "auto" {
		return u
	}
	region := ""
	if _, after, ok := strings.Cut(locale, "_"); ok {
		region, _, _ = strings.Cut(after, ".")
		region, _, _ = strings.Cut(region, "@")
		region = strings.ToUpper(region)
	}
	imperial := region == "US" || region == "LR" || region == "MM"
	switch vitalType {
	case VitalWeight:
		if imperial {
			return "lb"
		}
	case VitalTemperature:
		if imperial {
			return "°F"
		}
	case VitalGlucose:
		switch region {
		case "US", "DE", "AT", "FR", "IT", "ES", "JP", "IN", "BE", "PT", "MX", "BR", "KR", "IL", "EG":
			return "mg/dL"
		}
	}
	return CanonicalUnit(vitalType)
}

// VitalUnitsFor are the units every reading type is shown in (VitalUnit for each).
func VitalUnitsFor(set Settings, locale string) map[string]string {
	out := map[string]string{}
	for _, t := range VitalTypes {
		out[t] = VitalUnit(set, t, locale)
	}
	return out
}

// Locale is the POSIX locale that measurement units follow: LC_ALL, else LC_MEASUREMENT,
// else LANG.
func Locale(getenv func(string) string) string {
	for _, k := range []string{"LC_ALL", "LC_MEASUREMENT", "LANG"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return ""
}
