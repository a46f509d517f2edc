package data

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

func indexText(e Entry) string {
	return strings.ToLower(e.Name + "\n" + e.Note)
}

// Search returns the entries whose name or note contains every word of query (case does not
// matter), newest first.
//
// With the index built (the window warms it after unlock, WarmSearch) it scans memory. Without
// it — a command-line search, a process that searches once — it streams the journal instead:
// each record is decrypted and matched as it is read, and only the matches are decoded into
// entries, which costs a third of building the index (docs/PERFORMANCE.md).
func (s *Store) Search(ctx context.Context, query string) ([]Entry, error) {
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 {
		return nil, invalid("input.search_empty", nil, "the search text is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index == nil && s.searchWanted {
		// The window wants the index and a write (a dose) dropped it: build it again.
		if err := s.buildIndexLocked(ctx); err != nil {
			return nil, err
		}
	}
	idx := s.index
	if idx == nil {
		return s.searchStream(ctx, words)
	}
	bwords := make([][]byte, len(words))
	for i, w := range words {
		bwords[i] = []byte(w)
	}
	out := []Entry{}
	var buf []byte
	for i := range idx.rows {
		if idx.matches(&idx.rows[i], bwords, &buf) {
			out = append(out, idx.entry(s, &idx.rows[i]))
		}
	}
	return out, idx.damaged
}

// WarmSearch builds the search index ahead of the first search (the window does this in the
// background after unlock); from then on this store keeps an index, rebuilding it when a
// write drops it.
func (s *Store) WarmSearch(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.searchWanted = true
	if s.index != nil {
		return nil
	}
	return s.buildIndexLocked(ctx)
}

func containsAll(text string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// searchStream is Search without the index: one pass over the journal, matching each record's
// text as it is decrypted.
func (s *Store) searchStream(ctx context.Context, words []string) ([]Entry, error) {
	bwords := make([][]byte, len(words))
	for i, w := range words {
		bwords[i] = []byte(w)
	}
	// In the table's own order (+deleted keeps SQLite off the (deleted, at, id) index): a scan
	// of the table reads each page once, where walking the index fetches every row from
	// elsewhere. The matches are sorted afterwards.
	rows, err := s.queryRows(ctx, `SELECT `+entrySelect+` FROM entries WHERE +deleted = 0`)
	if err != nil {
		return nil, fmt.Errorf("search journal: %w", err)
	}
	batches, finish := readEntryRows(ctx, rows)
	out := []Entry{}
	var bad TamperedError
	var text []byte
	match := func(row *entryRow) error {
		pt, err := s.openRecord("entries", row.id, row.format, row.bound(), row.blob)
		if err != nil {
			if err == errTampered {
				bad.add("entries", row.id)
				return nil
			}
			return err
		}
		defer clear(pt)
		name, note, ok := entryText(pt)
		if !ok {
			bad.add("entries", row.id)
			return nil
		}
		text = appendLower(append(appendLower(text[:0], name), '\n'), note)
		if !containsAllBytes(text, bwords) {
			return nil
		}
		e, err := s.openEntry(row)
		if err != nil {
			return err
		}
		out = append(out, e)
		return nil
	}
	var matchErr error
	for batch := range batches {
		for i := range batch {
			if matchErr == nil {
				matchErr = match(&batch[i])
			}
		}
	}
	clear(text)
	if err := finish(matchErr); err != nil {
		return nil, fmt.Errorf("search journal: %w", err)
	}
	if err := s.checkHiddenEntries(ctx, &bad); err != nil {
		return nil, fmt.Errorf("search journal: %w", err)
	}
	// Doses are journal entries named after their medicine; there are few enough to list.
	doses, err := s.withDoses(ctx, nil, bad.OrNil(), int64(-1<<62), int64(1<<62))
	var te *TamperedError
	if err != nil && !errors.As(err, &te) {
		return nil, err
	}
	for _, d := range doses {
		if containsAll(indexText(d), words) {
			out = append(out, d)
		}
	}
	sortTimeline(out)
	return out, err
}

// entryText picks an entry record's name and note out of its plaintext (slices of it) without
// decoding the rest; ok is false when the record does not decode.
func entryText(pt []byte) (name, note []byte, ok bool) {
	r := recReader{b: pt}
	for r.next() {
		switch r.tag {
		case 1:
			name = r.val
		case 4:
			note = r.val
		case 2, 3:
		default:
			return nil, nil, false
		}
	}
	return name, note, r.err == nil
}

// appendLower appends s lower-cased exactly as strings.ToLower lower-cases valid UTF-8,
// without allocating.
func appendLower(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		i += size
	}
	return dst
}

func containsAllBytes(text []byte, words [][]byte) bool {
	for _, w := range words {
		if !bytes.Contains(text, w) {
			return false
		}
	}
	return true
}

// readEntryRows scans rows (selected as entrySelect) on a goroutine of its own, in batches,
// so that SQLite's stepping — half the cost of a search without an index — runs on one core
// while the records are decrypted and matched on the other. Range over the channel, then call
// finish with the consumer's own error (it stops the reader early): finish closes the rows and
// returns the first error of either side.
func readEntryRows(ctx context.Context, rows *sql.Rows) (<-chan []entryRow, func(error) error) {
	const batchSize = 256
	batches := make(chan []entryRow, 4)
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		defer close(batches)
		batch := make([]entryRow, 0, batchSize)
		send := func() bool {
			select {
			case batches <- batch:
				batch = make([]entryRow, 0, batchSize)
				return true
			case <-stop:
				return false
			}
		}
		for n := 0; rows.Next(); n++ {
			if err := cancelled(ctx, n); err != nil {
				done <- err
				return
			}
			batch = append(batch, entryRow{})
			if err := batch[len(batch)-1].scan(rows); err != nil {
				done <- err
				return
			}
			if len(batch) == batchSize && !send() {
				done <- nil
				return
			}
		}
		if len(batch) > 0 && !send() {
			done <- nil
			return
		}
		done <- rows.Err()
	}()
	finish := func(consumerErr error) error {
		close(stop)
		for range batches {
			// drain, so the reader is not left blocked on a send
		}
		readErr := <-done
		rows.Close()
		if consumerErr != nil {
			return consumerErr
		}
		return readErr
	}
	return batches, finish
}
