package data

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind is the kind of a journal entry.
type Kind string

// Journal entry kinds.
const (
	KindSymptom Kind = "symptom"
	KindMood    Kind = "mood"
	KindNote    Kind = "note"
	KindDose    Kind = "dose"
)

// Entry is one journal entry, decrypted.
type Entry struct {
	ID        string
	Kind      Kind
	At        time.Time
	Name      string // symptom name, mood word, or medication name for a dose
	Severity  *int   // 0–10 for a symptom
	Duration  time.Duration
	Note      string
	CreatedAt time.Time
	UpdatedAt time.Time
	// For doses:
	MedicationID string
	State        string
}

// entryRecord is the sealed part of an entry.
type entryRecord struct {
	Name        string `json:"name,omitempty"`
	Severity    *int   `json:"severity,omitempty"`
	DurationSec int64  `json:"duration_s,omitempty"`
	Note        string `json:"note,omitempty"`
}

func (r *entryRecord) encode(w *recWriter) {
	w.str(1, r.Name)
	if r.Severity != nil {
		w.intAlways(2, int64(*r.Severity))
	}
	w.int(3, r.DurationSec)
	w.str(4, r.Note)
}

func (r *entryRecord) decode(rd *recReader) {
	for rd.next() {
		switch rd.tag {
		case 1:
			r.Name = rd.str()
		case 2:
			v := rd.small()
			r.Severity = &v
		case 3:
			r.DurationSec = rd.int()
		case 4:
			r.Note = rd.str()
		default:
			rd.unknown()
		}
	}
}

func entryRecordOf(e Entry) entryRecord {
	return entryRecord{Name: e.Name, Severity: e.Severity, DurationSec: int64(e.Duration / time.Second), Note: e.Note}
}

// entryRow is an entries row as stored: the clear columns its record is bound to, and the
// record.
type entryRow struct {
	id                   string
	kind                 string
	at, created, updated int64
	deleted              int64
	format               int
	blob                 []byte
	// garbled: the clear columns did not read as what this app writes (a number that is
	// not one, a kind with a space): the row is damaged whatever its seal says.
	garbled bool
}

// entryColumns are the columns an entries row is written with.
const entryColumns = `id, kind, at, created_at, updated_at, deleted, fmt, sealed`

// entrySelect reads a row as entryRow.scan wants it: the clear columns the record is bound to
// come as one text that SQLite puts together, one value to hand over instead of five, which
// took a fifth off reading the whole journal (docs/PERFORMANCE.md).
const entrySelect = `id, fmt, sealed, kind || ' ' || at || ' ' || created_at || ' ' || updated_at || ' ' || deleted`

func (r *entryRow) scan(sc interface{ Scan(...any) error }) error {
	var packed sql.NullString
	if err := sc.Scan(&r.id, &r.format, &r.blob, &packed); err != nil {
		return err
	}
	rest := packed.String
	var ok [5]bool
	r.kind, rest, ok[0] = strings.Cut(rest, " ")
	var f string
	for i, dst := range []*int64{&r.at, &r.created, &r.updated, &r.deleted} {
		if i < 3 {
			f, rest, ok[i+1] = strings.Cut(rest, " ")
		} else {
			f, ok[i+1] = rest, !strings.Contains(rest, " ")
		}
		var good bool
		*dst, good = canonicalInt(f)
		ok[i+1] = ok[i+1] && good
	}
	r.garbled = !packed.Valid || ok != [5]bool{true, true, true, true, true}
	return nil
}

// canonicalInt reads a decimal integer exactly as SQLite prints one: no sign but a leading
// minus, no leading zeros, no spaces, in range.
func canonicalInt(s string) (int64, bool) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || len(digits) > 19 || (digits[0] == '0' && (len(digits) > 1 || len(s) > 1)) {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if len(s) > len(digits) {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

func (r *entryRow) sealed() (string, int, []byte, bool) { return r.id, r.format, r.blob, !r.garbled }

func (r *entryRow) bound() cols {
	return cols{sval(r.kind), ival(r.at), ival(r.created), ival(r.updated), ival(r.deleted)}
}

// entryRowOf is the row that stores e (deleted or not).
func entryRowOf(e Entry, deleted bool) entryRow {
	r := entryRow{id: e.ID, kind: string(e.Kind), at: toMillis(e.At), created: toMillis(e.CreatedAt), updated: toMillis(e.UpdatedAt), format: recordFormat}
	if deleted {
		r.deleted = 1
	}
	return r
}

// writeEntry seals rec into row and stores it, a new row or over the old one.
func (s *Store) writeEntry(ctx context.Context, tx execer, row entryRow, rec entryRecord) error {
	blob, err := s.seal("entries", row.id, row.bound(), &rec)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO entries (`+entryColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, at = excluded.at, created_at = excluded.created_at,
			updated_at = excluded.updated_at, deleted = excluded.deleted, fmt = excluded.fmt, sealed = excluded.sealed`,
		row.id, row.kind, row.at, row.created, row.updated, row.deleted, recordFormat, blob)
	return err
}

// openEntry authenticates one row and decodes it into an Entry.
func (s *Store) openEntry(row *entryRow) (Entry, error) {
	if row.garbled {
		return Entry{}, errTampered
	}
	var rec entryRecord
	if err := s.unseal("entries", row.id, row.format, row.bound(), row.blob, &rec); err != nil {
		return Entry{}, err
	}
	return Entry{
		ID: row.id, Kind: Kind(row.kind), At: s.fromMillis(row.at),
		CreatedAt: s.fromMillis(row.created), UpdatedAt: s.fromMillis(row.updated),
		Name: rec.Name, Severity: rec.Severity, Note: rec.Note,
		Duration: time.Duration(rec.DurationSec) * time.Second,
	}, nil
}

// Limits on what a person can type; generous, but a pasted book is a mistake.
const (
	maxNameLen = 200
	maxNoteLen = 20000
)

// Symptom is a new symptom entry.
type Symptom struct {
	Name     string
	Severity int
	At       time.Time // zero means now
	Duration time.Duration
	Note     string
}

// ValidateSymptom checks a symptom as typed and returns it cleaned.
func ValidateSymptom(in Symptom) (Symptom, error) {
	in.Name = strings.TrimSpace(in.Name)
	in.Note = strings.TrimSpace(in.Note)
	switch {
	case !utf8.ValidString(in.Name) || !utf8.ValidString(in.Note):
		return in, errNotText("the symptom's name or note")
	case in.Name == "":
		return in, invalidField(FieldName, "input.symptom_name_empty", nil, "the symptom name is empty")
	case utf8.RuneCountInString(in.Name) > maxNameLen:
		return in, invalidField(FieldName, "input.symptom_name_long", kv{"Max": maxNameLen}, "the symptom name is longer than %d characters", maxNameLen)
	case in.Severity < 0 || in.Severity > 10:
		return in, invalidField(FieldSeverity, "input.severity_range", kv{"Severity": in.Severity}, "severity must be a whole number from 0 to 10, not %d", in.Severity)
	case in.Duration < 0:
		return in, invalidField(FieldDuration, "input.duration_negative", nil, "the duration cannot be negative")
	case utf8.RuneCountInString(in.Note) > maxNoteLen:
		return in, invalidField(FieldNote, "input.note_long", kv{"Max": maxNoteLen}, "the note is longer than %d characters", maxNoteLen)
	}
	return in, nil
}

// AddSymptom records a symptom. It returns once the entry is durably on disk.
func (s *Store) AddSymptom(ctx context.Context, in Symptom) (Entry, error) {
	in, err := ValidateSymptom(in)
	if err != nil {
		return Entry{}, err
	}
	now := s.now()
	if in.At.IsZero() {
		in.At = now
	}
	sev := in.Severity
	e := Entry{
		ID: newID(), Kind: KindSymptom, At: in.At.In(s.loc).Truncate(time.Millisecond),
		Name: in.Name, Severity: &sev, Duration: in.Duration, Note: in.Note,
		CreatedAt: now.In(s.loc), UpdatedAt: now.In(s.loc),
	}
	err = s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return s.insertEntry(ctx, tx, e) })
	if err != nil {
		return Entry{}, fmt.Errorf("save symptom: %w", err)
	}
	s.indexAdd(e)
	return e, nil
}

func (s *Store) insertEntry(ctx context.Context, tx *sql.Tx, e Entry) error {
	return s.writeEntry(ctx, tx, entryRowOf(e, false), entryRecordOf(e))
}

// ListEntries returns entries with since <= at < until, newest first, doses included (kind
// "dose", named after their medication). A zero bound is open. Records that fail
// authentication are left out and reported in a *TamperedError, returned together with every
// entry that did read.
func (s *Store) ListEntries(ctx context.Context, since, until time.Time) ([]Entry, error) {
	lo, hi := int64(-1<<62), int64(1<<62)
	if !since.IsZero() {
		lo = toMillis(since)
	}
	if !until.IsZero() {
		hi = toMillis(until)
	}
	rows, err := s.queryRows(ctx,
		`SELECT `+entrySelect+` FROM entries
		 WHERE deleted = 0 AND at >= ? AND at < ? ORDER BY at DESC, id DESC`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("list journal: %w", err)
	}
	entries, err := s.scanEntries(ctx, rows, 0)
	var bad TamperedError
	if bad.Keep(err) != nil {
		return nil, err
	}
	if err := s.checkHiddenEntries(ctx, &bad); err != nil {
		return nil, fmt.Errorf("list journal: %w", err)
	}
	return s.withDoses(ctx, entries, bad.OrNil(), lo, hi)
}

// checkHiddenEntries authenticates the rows marked deleted, which lists skip: a row whose
// deleted flag was set behind the app's back would otherwise vanish without a word. There
// are few (the Journal erases them an hour after the delete).
func (s *Store) checkHiddenEntries(ctx context.Context, bad *TamperedError) error {
	rows, err := s.queryRows(ctx, `SELECT `+entrySelect+` FROM entries WHERE deleted > 0 OR deleted < 0`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var row entryRow
		if err := row.scan(rows); err != nil {
			return err
		}
		if _, err := s.openEntry(&row); err != nil {
			if err != errTampered {
				return err
			}
			bad.add("entries", row.id)
		}
	}
	return rows.Err()
}

// withDoses merges the dose events taken, skipped or missed in [lo, hi) into entries.
func (s *Store) withDoses(ctx context.Context, entries []Entry, entriesErr error, lo, hi int64) ([]Entry, error) {
	var bad TamperedError
	if err := bad.Keep(entriesErr); err != nil {
		return nil, err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM dose_events WHERE at >= ? AND at < ?`, lo, hi).Scan(&n); err != nil {
		return nil, fmt.Errorf("list journal: %w", err)
	}
	if n == 0 {
		return entries, bad.OrNil()
	}
	names, err := s.medicationNames(ctx, &bad)
	if err != nil {
		return nil, err
	}
	doses, err := s.DoseEvents(ctx, "", time.Time{}, time.Time{})
	if err := bad.Keep(err); err != nil {
		return nil, err
	}
	for _, d := range doses {
		if at := toMillis(d.At); at < lo || at >= hi || d.State == DoseSnoozed {
			continue
		}
		entries = append(entries, doseEntry(d, names))
	}
	sort.SliceStable(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if !a.At.Equal(b.At) {
			return a.At.After(b.At)
		}
		return a.ID > b.ID
	})
	return entries, bad.OrNil()
}

// doseEntry is a dose as a journal entry, named after its medication.
func doseEntry(d DoseEvent, names map[string]string) Entry {
	return Entry{
		ID: d.ID, Kind: KindDose, At: d.At, Name: names[d.MedicationID], Note: d.Note,
		MedicationID: d.MedicationID, State: d.State, CreatedAt: d.UpdatedAt, UpdatedAt: d.UpdatedAt,
	}
}

// medicationNames maps every medication id, removed ones too (their doses stay in the
// journal), to its name.
func (s *Store) medicationNames(ctx context.Context, bad *TamperedError) (map[string]string, error) {
	rows, err := s.queryRows(ctx, `SELECT `+medColumns+` FROM medications`)
	if err != nil {
		return nil, fmt.Errorf("read medications: %w", err)
	}
	defer rows.Close()
	names := map[string]string{}
	for rows.Next() {
		var row medRow
		if err := row.scan(rows); err != nil {
			return nil, fmt.Errorf("read medications: %w", err)
		}
		var rec medRecord
		if err := s.unseal("medications", row.id, row.format, row.bound(), row.blob, &rec); err != nil {
			if err == errTampered {
				bad.add("medications", row.id)
				continue
			}
			return nil, err
		}
		names[row.id] = rec.Name
	}
	return names, rows.Err()
}

// scanEntries decrypts rows (selected as entrySelect) into entries; sizeHint preallocates
// for a known count.
func (s *Store) scanEntries(ctx context.Context, rows *sql.Rows, sizeHint int) ([]Entry, error) {
	defer rows.Close()
	out := make([]Entry, 0, sizeHint)
	var bad TamperedError
	for n := 0; rows.Next(); n++ {
		if err := cancelled(ctx, n); err != nil {
			return nil, err
		}
		var row entryRow
		if err := row.scan(rows); err != nil {
			return nil, fmt.Errorf("read journal: %w", err)
		}
		e, err := s.openEntry(&row)
		if err != nil {
			if err == errTampered {
				bad.add("entries", row.id)
				continue
			}
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	return out, bad.OrNil()
}

// CountEntries returns how many entries the journal holds.
func (s *Store) CountEntries(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM entries WHERE deleted = 0").Scan(&n)
	return n, err
}
