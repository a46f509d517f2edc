package data

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"time"
)

// searchIndex holds every journal entry (doses included) decrypted in memory, newest first:
// search and the symptom filter must work on decrypted text, which the file only holds
// sealed. The window builds it once after unlock (WarmSearch) and later writes keep it
// current.
//
// It is packed for a window that runs all day: one slice of fixed-size rows without pointers
// (the garbage collector never scans it) and one byte arena holding each entry's id, name and
// note. At 100,000 entries that is ~14 MiB in a handful of objects, where a slice of Entry
// values held 33 MiB in 470,000 (docs/PERFORMANCE.md, "Memory"). Entries are made from rows
// only for what is returned. Doses, a few thousand, are kept whole beside it.
type searchIndex struct {
	rows    []indexRow
	arena   []byte
	doses   []Entry
	damaged error // a *TamperedError from building, reported with every search
}

// span is a slice of the arena.
type span struct{ off, n uint32 }

type indexRow struct {
	at, created, updated int64 // Unix ms
	id, name, note       span
	durationSec          int32
	dose                 int32 // index into doses, or -1 for a symptom, mood or note
	severity             int8  // -1: none
	kind                 uint8 // kindCodes
}

// kindCodes numbers the entry kinds for indexRow.kind (0 is unused, so a zero row is no kind).
var kindCodes = [...]Kind{1: KindSymptom, 2: KindMood, 3: KindNote, 4: KindDose}

func kindCode(k Kind) uint8 {
	for i, c := range kindCodes {
		if c == k && i > 0 {
			return uint8(i)
		}
	}
	return 0
}

func (idx *searchIndex) put(s string) span {
	sp := span{uint32(len(idx.arena)), uint32(len(s))}
	idx.arena = append(idx.arena, s...)
	return sp
}

func (idx *searchIndex) view(sp span) []byte { return idx.arena[sp.off : sp.off+sp.n] }

// row packs e into the arena (and, for a dose, the doses) and returns its row, not yet placed.
func (idx *searchIndex) row(e Entry) indexRow {
	r := indexRow{
		at: toMillis(e.At), created: toMillis(e.CreatedAt), updated: toMillis(e.UpdatedAt),
		id: idx.put(e.ID), name: idx.put(e.Name), note: idx.put(e.Note),
		durationSec: int32(e.Duration / time.Second), dose: -1, severity: -1, kind: kindCode(e.Kind),
	}
	if e.Severity != nil {
		r.severity = int8(*e.Severity)
	}
	if e.Kind == KindDose {
		r.dose = int32(len(idx.doses))
		idx.doses = append(idx.doses, e)
	}
	return r
}

// entry makes the Entry a row describes.
func (idx *searchIndex) entry(s *Store, r *indexRow) Entry {
	if r.dose >= 0 {
		return idx.doses[r.dose]
	}
	e := Entry{
		ID: string(idx.view(r.id)), Kind: kindCodes[r.kind], At: s.fromMillis(r.at),
		Name: string(idx.view(r.name)), Note: string(idx.view(r.note)),
		Duration:  time.Duration(r.durationSec) * time.Second,
		CreatedAt: s.fromMillis(r.created), UpdatedAt: s.fromMillis(r.updated),
	}
	if r.severity >= 0 {
		sev := int(r.severity)
		e.Severity = &sev
	}
	return e
}

// newer reports whether a comes before b in the timeline: newest first, then by id
// descending (as the lists order them).
func (idx *searchIndex) newer(a, b *indexRow) bool {
	if a.at != b.at {
		return a.at > b.at
	}
	return bytes.Compare(idx.view(a.id), idx.view(b.id)) > 0
}

// after reports whether r comes after the cursor c in the timeline.
func (idx *searchIndex) after(r *indexRow, c Cursor) bool {
	at := toMillis(c.At)
	return r.at < at || (r.at == at && string(idx.view(r.id)) < c.ID)
}

// matches reports whether the row's name or note holds every word (lower-case), lower-casing
// into buf as it goes.
func (idx *searchIndex) matches(r *indexRow, words [][]byte, buf *[]byte) bool {
	*buf = appendLower(append(appendLower((*buf)[:0], idx.view(r.name)), '\n'), idx.view(r.note))
	return containsAllBytes(*buf, words)
}

// symptomIs reports whether the row is a symptom named key (lower-case, trimmed).
func (idx *searchIndex) symptomIs(r *indexRow, key []byte, buf *[]byte) bool {
	if kindCodes[r.kind] != KindSymptom {
		return false
	}
	*buf = appendLower((*buf)[:0], idx.view(r.name))
	return bytes.Equal(bytes.TrimSpace(*buf), key)
}

// insert places a row in timeline order.
func (idx *searchIndex) insert(r indexRow) {
	i := sort.Search(len(idx.rows), func(i int) bool { return idx.newer(&r, &idx.rows[i]) })
	idx.rows = append(idx.rows, indexRow{})
	copy(idx.rows[i+1:], idx.rows[i:])
	idx.rows[i] = r
}

// remove takes the row of id out (its arena bytes stay until the index is rebuilt).
func (idx *searchIndex) remove(id string) {
	for i := range idx.rows {
		if string(idx.view(idx.rows[i].id)) == id {
			idx.rows = append(idx.rows[:i], idx.rows[i+1:]...)
			return
		}
	}
}

// buildIndexLocked decrypts the whole journal into a new index: the entries streamed (one core
// reads, the other decrypts), the doses, then everything in timeline order.
func (s *Store) buildIndexLocked(ctx context.Context) error {
	n, err := s.CountEntries(ctx)
	if err != nil {
		return fmt.Errorf("count journal: %w", err)
	}
	idx := &searchIndex{rows: make([]indexRow, 0, n+n/16), arena: make([]byte, 0, n*96)}
	rows, err := s.queryRows(ctx, `SELECT `+entrySelect+` FROM entries WHERE +deleted = 0`)
	if err != nil {
		return fmt.Errorf("read journal: %w", err)
	}
	batches, finish := readEntryRows(ctx, rows)
	var bad TamperedError
	var openErr error
	for batch := range batches {
		for i := range batch {
			if openErr != nil {
				continue
			}
			e, err := s.openEntry(&batch[i])
			switch {
			case err == errTampered:
				bad.add("entries", batch[i].id)
			case err != nil:
				openErr = err
			default:
				idx.rows = append(idx.rows, idx.row(e))
			}
		}
	}
	if err := finish(openErr); err != nil {
		return fmt.Errorf("read journal: %w", err)
	}
	if err := s.checkHiddenEntries(ctx, &bad); err != nil {
		return fmt.Errorf("read journal: %w", err)
	}
	doses, err := s.withDoses(ctx, nil, nil, int64(-1<<62), int64(1<<62))
	if bad.Keep(err) != nil {
		return err
	}
	for _, d := range doses {
		idx.rows = append(idx.rows, idx.row(d))
	}
	sort.Slice(idx.rows, func(i, j int) bool { return idx.newer(&idx.rows[i], &idx.rows[j]) })
	idx.damaged = bad.OrNil()
	s.index = idx
	return nil
}

// indexAdd keeps a built index current after a write.
func (s *Store) indexAdd(e Entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index != nil {
		s.index.insert(s.index.row(e))
	}
}

// indexRemove takes an entry out of a built index after a delete or before an edit is put
// back in its (maybe new) place.
func (s *Store) indexRemove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index != nil {
		s.index.remove(id)
	}
}
