package data

import (
	"context"
	"sort"
	"strings"
)

// searchIndex holds every entry's decrypted text in memory, newest first. Search has to work
// on decrypted text (the file holds only sealed blobs), so the first search of a session pays
// for decrypting the journal once and later searches scan memory.
type searchIndex struct {
	entries []Entry
	text    []string // lower-cased name + note, parallel to entries
	damaged error    // a *TamperedError from building, reported with every search
}

func indexText(e Entry) string {
	return strings.ToLower(e.Name + "\n" + e.Note)
}

// Search returns the entries whose name or note contains every word of query (case does not
// matter), newest first.
func (s *Store) Search(ctx context.Context, query string) ([]Entry, error) {
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 {
		return nil, invalid("the search text is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index == nil {
		if err := s.buildIndexLocked(ctx); err != nil {
			return nil, err
		}
	}
	out := []Entry{}
	for i, t := range s.index.text {
		if containsAll(t, words) {
			out = append(out, s.index.entries[i])
		}
	}
	return out, s.index.damaged
}

// WarmSearch builds the search index ahead of the first search (the window does this in the
// background after unlock).
func (s *Store) WarmSearch(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index != nil {
		return nil
	}
	return s.buildIndexLocked(ctx)
}

func (s *Store) buildIndexLocked(ctx context.Context) error {
	all, err := s.listAll(ctx)
	idx := &searchIndex{}
	if err != nil {
		if _, ok := err.(*TamperedError); !ok {
			return err
		}
		idx.damaged = err
	}
	idx.entries = all
	idx.text = make([]string, len(all))
	for i, e := range all {
		idx.text[i] = indexText(e)
	}
	s.index = idx
	return nil
}

// indexAdd keeps a built index current after a write.
func (s *Store) indexAdd(e Entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := s.index
	if idx == nil {
		return
	}
	// Newest first; among equal times, by id descending (as ListEntries orders them).
	i := sort.Search(len(idx.entries), func(i int) bool {
		o := idx.entries[i]
		return o.At.Before(e.At) || (o.At.Equal(e.At) && o.ID < e.ID)
	})
	idx.entries = append(idx.entries, Entry{})
	copy(idx.entries[i+1:], idx.entries[i:])
	idx.entries[i] = e
	idx.text = append(idx.text, "")
	copy(idx.text[i+1:], idx.text[i:])
	idx.text[i] = indexText(e)
}

func containsAll(text string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// indexRemove takes an entry out of a built index after a delete or before an edit is put
// back in its (maybe new) place.
func (s *Store) indexRemove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := s.index
	if idx == nil {
		return
	}
	for i := range idx.entries {
		if idx.entries[i].ID == id {
			idx.entries = append(idx.entries[:i], idx.entries[i+1:]...)
			idx.text = append(idx.text[:i], idx.text[i+1:]...)
			return
		}
	}
}
