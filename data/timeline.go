package data

// The journal's timeline: pages of entries newest first (so a window can show the first
// screenful of a 100,000-entry journal without reading it all), moods and free notes, edits,
// and deletes that can be undone.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Cursor marks a place in the timeline: the page after it starts with the entry just older.
// The zero Cursor is the newest end.
type Cursor struct {
	At time.Time
	ID string
}

// IsZero reports whether c is the newest end of the timeline.
func (c Cursor) IsZero() bool { return c.At.IsZero() && c.ID == "" }

// CursorOf is the place of e in the timeline.
func CursorOf(e Entry) Cursor { return Cursor{At: e.At, ID: e.ID} }

// EntryFilter narrows the timeline. The zero filter lets everything through.
type EntryFilter struct {
	// Symptom keeps only symptoms of this name (case and surrounding spaces do not matter).
	Symptom string
	// Since and Until keep entries with Since <= at < Until; a zero bound is open.
	Since, Until time.Time
}

func (f EntryFilter) bounds() (lo, hi int64) {
	lo, hi = int64(-1<<62), int64(1<<62)
	if !f.Since.IsZero() {
		lo = toMillis(f.Since)
	}
	if !f.Until.IsZero() {
		hi = toMillis(f.Until)
	}
	return lo, hi
}

func (f EntryFilter) symptomKey() string { return strings.ToLower(strings.TrimSpace(f.Symptom)) }

// EntryPage is one page of the timeline.
type EntryPage struct {
	Entries []Entry
	// Next is where the following page starts; More says whether there may be one.
	Next Cursor
	More bool
}

// MaxPage is the largest page ListEntriesPage returns.
const MaxPage = 1000

// ListEntriesPage returns up to limit entries (doses included) strictly older than before
// (the zero Cursor: from the newest), newest first, that pass f. Records that fail
// authentication are left out and reported in a *TamperedError returned with the page.
//
// Without a symptom filter it reads only the rows of the page (keyset on the (deleted, at,
// id) index). Names are sealed, so a symptom filter cannot be answered by SQL: it scans the
// in-memory search index instead, building it first if this session has not yet.
func (s *Store) ListEntriesPage(ctx context.Context, before Cursor, limit int, f EntryFilter) (EntryPage, error) {
	if limit <= 0 || limit > MaxPage {
		return EntryPage{}, invalid("input.page_size", kv{"Max": MaxPage, "Limit": limit}, "a page holds 1 to %d entries, not %d", MaxPage, limit)
	}
	if f.symptomKey() != "" {
		return s.pageFromIndex(ctx, before, limit, f)
	}
	lo, hi := f.bounds()
	// The page ends at the cursor or at Until, whichever comes first: one upper bound, as a
	// row value, so SQLite seeks the (deleted, at, id) index straight to it. (With a
	// separate at < ?, it took that bound and walked every row from there to the cursor:
	// page 500 of 1,000 took 12 ms rather than 1.5.) at < hi is (at, id) < (hi, "").
	bAt, bID := hi, ""
	if c := toMillis(before.At); !before.IsZero() && c < hi {
		bAt, bID = c, before.ID
	}
	// Entries and doses live in two tables: read up to limit+1 rows of each past the cursor,
	// merge, and keep the newest limit. The extra row tells whether more follow.
	rows, err := s.queryRows(ctx,
		`SELECT `+entrySelect+` FROM entries
		 WHERE deleted = 0 AND at >= ? AND (at, id) < (?, ?)
		 ORDER BY at DESC, id DESC LIMIT ?`, lo, bAt, bID, limit+1)
	if err != nil {
		return EntryPage{}, fmt.Errorf("list journal page: %w", err)
	}
	var bad TamperedError
	entries, err := s.scanEntries(ctx, rows, limit+1)
	if bad.Keep(err) != nil {
		return EntryPage{}, fmt.Errorf("list journal page: %w", err)
	}
	if before.IsZero() {
		// Rows marked deleted are authenticated with the first page (not every page: the
		// damage would be reported again at every scroll).
		if err := s.checkHiddenEntries(ctx, &bad); err != nil {
			return EntryPage{}, fmt.Errorf("list journal page: %w", err)
		}
	}
	// Rows read, damaged ones included: a damaged entry must not end the timeline early.
	rawEntries := len(entries) + len(bad.Records)
	doses, rawDoses, err := s.dosePage(ctx, lo, bAt, bID, limit+1, &bad)
	if err != nil {
		return EntryPage{}, fmt.Errorf("list journal page: %w", err)
	}
	all := append(entries, doses...)
	sortTimeline(all)
	page := EntryPage{More: len(all) > limit || rawEntries > limit || rawDoses > limit}
	if len(all) > limit {
		all = all[:limit]
	}
	switch {
	case len(all) > 0:
		page.Next = CursorOf(all[len(all)-1])
	case page.More:
		// Every row read was damaged: step past them, or the next page would read them again.
		if page.Next, err = s.skipDamaged(ctx, lo, bAt, bID, limit); err != nil {
			return EntryPage{}, fmt.Errorf("list journal page: %w", err)
		}
	}
	// A snoozed dose is a reminder put off, not a journal entry: dropped after the cursor
	// is set, so the next page starts after it.
	page.Entries = all[:0]
	for _, e := range all {
		if !(e.Kind == KindDose && e.State == DoseSnoozed) {
			page.Entries = append(page.Entries, e)
		}
	}
	return page, bad.OrNil()
}

// skipDamaged is the place after the next limit rows of each table (the newer of the two,
// so that no row is passed over), for a page whose rows were all damaged.
func (s *Store) skipDamaged(ctx context.Context, lo, bAt int64, bID string, limit int) (Cursor, error) {
	var c Cursor
	for _, q := range []string{
		`SELECT at, id FROM entries WHERE deleted = 0 AND at >= ? AND (at, id) < (?, ?) ORDER BY at DESC, id DESC LIMIT 1 OFFSET ?`,
		`SELECT at, id FROM dose_events WHERE at >= ? AND (at, id) < (?, ?) ORDER BY at DESC, id DESC LIMIT 1 OFFSET ?`,
	} {
		var at int64
		var id string
		err := s.db.QueryRowContext(ctx, q, lo, bAt, bID, limit-1).Scan(&at, &id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return Cursor{}, err
		}
		if k := (Cursor{At: s.fromMillis(at), ID: id}); c.IsZero() || olderThan(Entry{At: c.At, ID: c.ID}, k) {
			c = k
		}
	}
	return c, nil
}

// dosePage reads up to limit dose events older than (bAt, bID) as journal entries, snoozed
// ones included (the caller drops them after paging), and says how many rows it read,
// damaged ones included.
func (s *Store) dosePage(ctx context.Context, lo, bAt int64, bID string, limit int, bad *TamperedError) ([]Entry, int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM dose_events WHERE at >= ? AND (at, id) < (?, ?)`,
		lo, bAt, bID).Scan(&n); err != nil {
		return nil, 0, err
	}
	if n == 0 {
		return nil, 0, nil
	}
	names, err := s.medicationNames(ctx, bad)
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.queryRows(ctx, `SELECT `+doseColumns+` FROM dose_events
		WHERE at >= ? AND (at, id) < (?, ?) ORDER BY at DESC, id DESC LIMIT ?`,
		lo, bAt, bID, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Entry
	raw := 0
	for rows.Next() {
		raw++
		var row doseRow
		if err := row.scan(rows); err != nil {
			return nil, 0, err
		}
		d, err := s.openDose(&row)
		if err != nil {
			if err == errTampered {
				bad.add("dose_events", row.id)
				continue
			}
			return nil, 0, err
		}
		out = append(out, doseEntry(d, names))
	}
	return out, raw, rows.Err()
}

// pageFromIndex answers a filtered page from the search index, which holds every entry
// decrypted, in timeline order.
func (s *Store) pageFromIndex(ctx context.Context, before Cursor, limit int, f EntryFilter) (EntryPage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index == nil {
		s.searchWanted = true // a filter once means filtering again: keep the index
		if err := s.buildIndexLocked(ctx); err != nil {
			return EntryPage{}, fmt.Errorf("list journal page: %w", err)
		}
	}
	idx := s.index
	start := 0
	if !before.IsZero() {
		start = sort.Search(len(idx.rows), func(i int) bool { return idx.after(&idx.rows[i], before) })
	}
	lo, hi := f.bounds()
	key := []byte(f.symptomKey())
	var buf []byte
	page := EntryPage{Entries: []Entry{}}
	for i := start; i < len(idx.rows); i++ {
		r := &idx.rows[i]
		if r.at < lo {
			break // older than the range, and so is everything after
		}
		if r.at >= hi || !idx.symptomIs(r, key, &buf) {
			continue
		}
		if len(page.Entries) == limit {
			page.More = true
			break
		}
		page.Entries = append(page.Entries, idx.entry(s, r))
	}
	if n := len(page.Entries); n > 0 {
		page.Next = CursorOf(page.Entries[n-1])
	}
	return page, idx.damaged
}

// olderThan reports whether e comes after c in the timeline (newest first).
func olderThan(e Entry, c Cursor) bool {
	return e.At.Before(c.At) || (e.At.Equal(c.At) && e.ID < c.ID)
}

// sortTimeline orders entries newest first, then by id descending (as the index does).
func sortTimeline(es []Entry) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if !a.At.Equal(b.At) {
			return a.At.After(b.At)
		}
		return a.ID > b.ID
	})
}

// Mood is a new mood entry: a word or two ("calm", "worried") and an optional note.
type Mood struct {
	Word string
	At   time.Time // zero means now
	Note string
}

// ValidateMood checks a mood as typed and returns it cleaned.
func ValidateMood(in Mood) (Mood, error) {
	in.Word, in.Note = strings.TrimSpace(in.Word), strings.TrimSpace(in.Note)
	switch {
	case !utf8.ValidString(in.Word) || !utf8.ValidString(in.Note):
		return in, errNotText("the mood or its note")
	case in.Word == "":
		return in, invalid("input.mood_empty", nil, "the mood is empty")
	case utf8.RuneCountInString(in.Word) > maxNameLen:
		return in, invalid("input.mood_long", kv{"Max": maxNameLen}, "the mood is longer than %d characters", maxNameLen)
	case utf8.RuneCountInString(in.Note) > maxNoteLen:
		return in, invalid("input.note_long", kv{"Max": maxNoteLen}, "the note is longer than %d characters", maxNoteLen)
	}
	return in, nil
}

// AddMood records a mood. It returns once the entry is durably on disk.
func (s *Store) AddMood(ctx context.Context, in Mood) (Entry, error) {
	in, err := ValidateMood(in)
	if err != nil {
		return Entry{}, err
	}
	e, err := s.addEntry(ctx, Entry{Kind: KindMood, At: in.At, Name: in.Word, Note: in.Note})
	if err != nil {
		return Entry{}, fmt.Errorf("save mood: %w", err)
	}
	return e, nil
}

// JournalNote is a new free note in the journal — private, unlike a note to the care team
// (AddNote), which goes to the portal.
type JournalNote struct {
	Text string
	At   time.Time // zero means now
}

// ValidateJournalNote checks a journal note as typed and returns it cleaned.
func ValidateJournalNote(in JournalNote) (JournalNote, error) {
	in.Text = strings.TrimSpace(in.Text)
	switch {
	case !utf8.ValidString(in.Text):
		return in, errNotText("the note")
	case in.Text == "":
		return in, invalid("input.note_empty", nil, "the note is empty")
	case utf8.RuneCountInString(in.Text) > maxNoteLen:
		return in, invalid("input.note_long", kv{"Max": maxNoteLen}, "the note is longer than %d characters", maxNoteLen)
	}
	return in, nil
}

// AddJournalNote records a free note in the journal. It returns once it is durably on disk.
func (s *Store) AddJournalNote(ctx context.Context, in JournalNote) (Entry, error) {
	in, err := ValidateJournalNote(in)
	if err != nil {
		return Entry{}, err
	}
	e, err := s.addEntry(ctx, Entry{Kind: KindNote, At: in.At, Note: in.Text})
	if err != nil {
		return Entry{}, fmt.Errorf("save note: %w", err)
	}
	return e, nil
}

// addEntry stores a validated new entry, stamping its id and times.
func (s *Store) addEntry(ctx context.Context, e Entry) (Entry, error) {
	now := s.now()
	if e.At.IsZero() {
		e.At = now
	}
	e.ID = newID()
	e.At = e.At.In(s.loc).Truncate(time.Millisecond)
	e.CreatedAt, e.UpdatedAt = now.In(s.loc), now.In(s.loc)
	if err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return s.insertEntry(ctx, tx, e) }); err != nil {
		return Entry{}, err
	}
	s.indexAdd(e)
	return e, nil
}

// validateEntry checks an edited entry by its kind and returns it cleaned.
func validateEntry(e Entry) (Entry, error) {
	switch e.Kind {
	case KindSymptom:
		if e.Severity == nil {
			return e, invalid("input.severity_needed", nil, "a symptom needs a severity from 0 to 10")
		}
		in, err := ValidateSymptom(Symptom{Name: e.Name, Severity: *e.Severity, Duration: e.Duration, Note: e.Note})
		sev := in.Severity
		e.Name, e.Severity, e.Note = in.Name, &sev, in.Note
		return e, err
	case KindMood:
		in, err := ValidateMood(Mood{Word: e.Name, Note: e.Note})
		e.Name, e.Note, e.Severity, e.Duration = in.Word, in.Note, nil, 0
		return e, err
	case KindNote:
		in, err := ValidateJournalNote(JournalNote{Text: e.Note})
		e.Name, e.Note, e.Severity, e.Duration = "", in.Text, nil, 0
		return e, err
	}
	return e, invalid("input.kind_not_editable", kv{"Kind": string(e.Kind)}, "a %s cannot be edited in the journal", e.Kind)
}

// UpdateEntry replaces the content and time of the symptom, mood or note with e's id (its
// kind stays what it was). Doses are changed through the medicine, not here.
func (s *Store) UpdateEntry(ctx context.Context, e Entry) (Entry, error) {
	if e.At.IsZero() {
		return Entry{}, invalid("input.entry_time", nil, "the entry needs a time")
	}
	now := s.now()
	var out Entry
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		old, err := s.entryTx(ctx, tx, e.ID)
		if err != nil {
			return err
		}
		e.Kind = old.Kind
		if e, err = validateEntry(e); err != nil {
			return err
		}
		e.At = e.At.In(s.loc).Truncate(time.Millisecond)
		e.CreatedAt, e.UpdatedAt = old.CreatedAt, now.In(s.loc)
		e.MedicationID, e.State = "", ""
		if err := s.writeEntry(ctx, tx, entryRowOf(e, false), entryRecordOf(e)); err != nil {
			return err
		}
		out = e
		return nil
	})
	if err != nil {
		return Entry{}, fmt.Errorf("update entry: %w", err)
	}
	s.indexRemove(out.ID)
	s.indexAdd(out)
	return out, nil
}

// DeleteEntry removes an entry from the journal. The row stays, marked deleted, so that
// RestoreEntry can bring it back (the window's Undo).
func (s *Store) DeleteEntry(ctx context.Context, id string) error {
	if err := s.setDeleted(ctx, id, true); err != nil {
		return fmt.Errorf("delete entry: %w", err)
	}
	s.indexRemove(id)
	return nil
}

// RestoreEntry brings back an entry removed by DeleteEntry and returns it.
func (s *Store) RestoreEntry(ctx context.Context, id string) (Entry, error) {
	if err := s.setDeleted(ctx, id, false); err != nil {
		return Entry{}, fmt.Errorf("restore entry: %w", err)
	}
	e, err := s.GetEntry(ctx, id)
	if err != nil {
		return Entry{}, fmt.Errorf("restore entry: %w", err)
	}
	s.indexRemove(id) // in case it was never taken out
	s.indexAdd(e)
	return e, nil
}

func (s *Store) setDeleted(ctx context.Context, id string, deleted bool) error {
	return s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var row entryRow
		err := row.scan(tx.QueryRowContext(ctx, `SELECT `+entrySelect+` FROM entries WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) || err == nil && (row.deleted != 0) != !deleted {
			return fmt.Errorf("entry %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		e, err := s.openEntry(&row)
		if err == errTampered {
			return &TamperedError{Records: []RecordRef{{"entries", id}}}
		}
		if err != nil {
			return err
		}
		e.UpdatedAt = s.now().In(s.loc)
		return s.writeEntry(ctx, tx, entryRowOf(e, deleted), entryRecordOf(e))
	})
}

// entryTx reads one (not deleted) entry inside tx, authenticated.
func (s *Store) entryTx(ctx context.Context, tx *sql.Tx, id string) (Entry, error) {
	var row entryRow
	err := row.scan(tx.QueryRowContext(ctx, `SELECT `+entrySelect+` FROM entries WHERE id = ? AND deleted = 0`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, fmt.Errorf("entry %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Entry{}, err
	}
	e, err := s.openEntry(&row)
	if err == errTampered {
		return Entry{}, &TamperedError{Records: []RecordRef{{"entries", id}}}
	}
	return e, err
}

// PurgeDeletedEntries erases the entries deleted before t, for good: DeleteEntry keeps a row
// (sealed, marked deleted) only so that it can be undone for a while. It returns how many
// were erased.
func (s *Store) PurgeDeletedEntries(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM entries WHERE deleted = 1 AND updated_at < ?`, toMillis(before))
	if err != nil {
		return 0, fmt.Errorf("purge deleted entries: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// GetEntry reads one (not deleted) symptom, mood or note.
func (s *Store) GetEntry(ctx context.Context, id string) (Entry, error) {
	var row entryRow
	err := row.scan(s.db.QueryRowContext(ctx, `SELECT `+entrySelect+` FROM entries WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, fmt.Errorf("entry %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("read entry: %w", err)
	}
	e, err := s.openEntry(&row)
	switch {
	case err == errTampered:
		return Entry{}, &TamperedError{Records: []RecordRef{{"entries", id}}}
	case err != nil:
		return Entry{}, err
	case row.deleted != 0:
		return Entry{}, fmt.Errorf("entry %s: %w", id, ErrNotFound)
	}
	return e, nil
}

// DaySeverity is the strongest severity of one symptom on one day; Max is nil on a day
// without an entry for it.
type DaySeverity struct {
	Day time.Time // midnight, in the store's time zone
	Max *int
}

// SeverityByDay returns, for each of the days days ending with the day of last, the highest
// severity recorded for symptom (case does not matter), oldest day first.
func (s *Store) SeverityByDay(ctx context.Context, symptom string, last time.Time, days int) ([]DaySeverity, error) {
	if days <= 0 || days > 366 {
		return nil, invalid("input.chart_days", kv{"Days": days}, "a chart covers 1 to 366 days, not %d", days)
	}
	l := last.In(s.loc)
	first := time.Date(l.Year(), l.Month(), l.Day()-(days-1), 0, 0, 0, 0, s.loc)
	out := make([]DaySeverity, days)
	for i := range out {
		out[i].Day = time.Date(first.Year(), first.Month(), first.Day()+i, 0, 0, 0, 0, s.loc)
	}
	end := time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, s.loc)
	es, ok, err := s.indexSymptoms(first, end, symptom)
	if !ok {
		es, err = s.ListEntries(ctx, first, end)
	}
	var bad TamperedError
	if bad.Keep(err) != nil {
		return nil, fmt.Errorf("chart symptom: %w", err)
	}
	key := strings.ToLower(strings.TrimSpace(symptom))
	for _, e := range es {
		if e.Kind != KindSymptom || e.Severity == nil || strings.ToLower(strings.TrimSpace(e.Name)) != key {
			continue
		}
		at := e.At.In(s.loc)
		d := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, s.loc)
		// Days are counted by calendar date, not by 24 hours: a daylight-saving day is 23 or 25.
		i := int(d.Sub(first).Hours()/24 + 0.5)
		if i < 0 || i >= days {
			continue
		}
		if out[i].Max == nil || *e.Severity > *out[i].Max {
			v := *e.Severity
			out[i].Max = &v
		}
	}
	return out, bad.OrNil()
}

// indexSymptoms is the symptoms named symptom with since <= at < until, answered from the
// search index when this session has built it (a symptom filter does), without decrypting
// again; ok is false when it has not been built.
func (s *Store) indexSymptoms(since, until time.Time, symptom string) (es []Entry, ok bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := s.index
	if idx == nil {
		return nil, false, nil
	}
	lo, hi := toMillis(since), toMillis(until)
	key := []byte(strings.ToLower(strings.TrimSpace(symptom)))
	var buf []byte
	i := sort.Search(len(idx.rows), func(i int) bool { return idx.rows[i].at < hi })
	for ; i < len(idx.rows) && idx.rows[i].at >= lo; i++ {
		if idx.symptomIs(&idx.rows[i], key, &buf) {
			es = append(es, idx.entry(s, &idx.rows[i]))
		}
	}
	return es, true, idx.damaged
}
