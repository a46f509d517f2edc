package data

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/patient-companion/companion/data/vault"
)

// TestCloseWhileReading: a store closes (the window closing a profile) while other goroutines
// still page through its journal, search it and add to it. Run with -race. Each of them either
// finishes or fails as closed; none reports tampering or reads with a half-cleared key.
func TestCloseWhileReading(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "Mum", "correct horse battery")
	if err := s.AddDemoEntries(ctx, 600, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.WarmSearch(ctx); err != nil {
		t.Fatal(err)
	}
	uses := map[string]func() error{
		"page": func() error {
			var cur Cursor
			for {
				page, err := s.ListEntriesPage(ctx, cur, 100, EntryFilter{})
				if err != nil || !page.More {
					return err
				}
				cur = page.Next
			}
		},
		"search": func() error { _, err := s.Search(ctx, "a"); return err },
		"add": func() error {
			_, err := s.AddSymptom(ctx, Symptom{Name: "Headache", Severity: 3, At: p.now()})
			return err
		},
	}
	closed := func(err error) bool {
		return errors.Is(err, vault.ErrForgotten) || errors.Is(err, sql.ErrConnDone) ||
			strings.Contains(err.Error(), "database is closed")
	}
	var wg sync.WaitGroup
	running := make(chan struct{}, len(uses))
	errs := make(chan error, len(uses))
	for name, use := range uses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			running <- struct{}{}
			for {
				if err := use(); err != nil {
					if !closed(err) {
						errs <- errors.New(name + ": " + err.Error())
					}
					return
				}
			}
		}()
	}
	for range uses {
		<-running
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
