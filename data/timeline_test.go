package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// timelineStore is a profile with n symptoms, one an hour back from base (alternating
// Headache / Cough, severity i%11), a mood and a note, and a medication with one taken dose.
func timelineStore(t *testing.T, n int) (*Store, time.Time) {
	t.Helper()
	base := time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)
	p := newProfiles(t)
	p.Now = func() time.Time { return base }
	s, _ := createPassphraseProfile(t, p, "Timeline", "timeline pass")
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	for i := range n {
		name := "Headache"
		if i%2 == 1 {
			name = "cough"
		}
		if _, err := s.AddSymptom(ctx, Symptom{Name: name, Severity: i % 11, At: base.Add(-time.Duration(i+1) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	return s, base
}

// pageAll walks the whole timeline with pages of size, returning every entry in order.
func pageAll(t *testing.T, s *Store, size int, f EntryFilter) []Entry {
	t.Helper()
	var out []Entry
	var c Cursor
	for range 10000 {
		p, err := s.ListEntriesPage(context.Background(), c, size, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Entries...)
		if !p.More {
			return out
		}
		c = p.Next
	}
	t.Fatal("paging never ended")
	return nil
}

func ids(es []Entry) string {
	var b bytes.Buffer
	for _, e := range es {
		fmt.Fprintf(&b, "%s %s|", e.ID, e.At.UTC().Format(time.RFC3339))
	}
	return b.String()
}

func TestListEntriesPageMatchesListEntries(t *testing.T) {
	s, base := timelineStore(t, 25)
	ctx := context.Background()
	// Two entries at the very same time: the id orders them, and paging must not lose one.
	same := base.Add(-90 * time.Minute)
	for range 2 {
		if _, err := s.AddMood(ctx, Mood{Word: "calm", At: same}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddJournalNote(ctx, JournalNote{Text: "Blood test next week", At: base.Add(-30 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	m, err := s.AddMedication(ctx, Medication{Name: "Metformin", AsNeeded: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDose(ctx, DoseEvent{MedicationID: m.ID, State: DoseTaken, At: base.Add(-150 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	want, err := s.ListEntries(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 29 {
		t.Fatalf("ListEntries gave %d entries", len(want))
	}
	for _, size := range []int{1, 2, 3, 7, 28, 29, 30, 1000} {
		if got := pageAll(t, s, size, EntryFilter{}); ids(got) != ids(want) {
			t.Errorf("pages of %d:\n got %s\nwant %s", size, ids(got), ids(want))
		}
	}
	var dose Entry
	for _, e := range want {
		if e.Kind == KindDose {
			dose = e
		}
	}
	if dose.Name != "Metformin" || dose.State != DoseTaken {
		t.Errorf("dose in the timeline = %+v", dose)
	}

	// A date range: since inclusive, until exclusive.
	f := EntryFilter{Since: base.Add(-10 * time.Hour), Until: base.Add(-2 * time.Hour)}
	got := pageAll(t, s, 3, f)
	wantRange, _ := s.ListEntries(ctx, f.Since, f.Until)
	if ids(got) != ids(wantRange) || len(got) != 9 { // 8 symptoms (3h … 10h back) and the dose
		t.Errorf("range: got %d %s\nwant %s", len(got), ids(got), ids(wantRange))
	}

	if _, err := s.ListEntriesPage(ctx, Cursor{}, 0, EntryFilter{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a page of 0: %v", err)
	}
}

func TestListEntriesPageBySymptom(t *testing.T) {
	s, base := timelineStore(t, 20)
	ctx := context.Background()
	for _, f := range []EntryFilter{
		{Symptom: " COUGH "},
		{Symptom: "cough", Since: base.Add(-12 * time.Hour), Until: base.Add(-4 * time.Hour)},
	} {
		got := pageAll(t, s, 3, f)
		all, _ := s.ListEntries(ctx, f.Since, f.Until)
		var want []Entry
		for _, e := range all {
			if e.Name == "cough" {
				want = append(want, e)
			}
		}
		if len(want) == 0 || ids(got) != ids(want) {
			t.Errorf("filter %+v:\n got %s\nwant %s", f, ids(got), ids(want))
		}
	}
	if got := pageAll(t, s, 5, EntryFilter{Symptom: "Nausea"}); len(got) != 0 {
		t.Errorf("no nausea logged, got %d", len(got))
	}
	// A symptom added after the index was built is found by the filter.
	if _, err := s.AddSymptom(ctx, Symptom{Name: "Nausea", Severity: 2, At: base.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if got := pageAll(t, s, 5, EntryFilter{Symptom: "nausea"}); len(got) != 1 {
		t.Errorf("nausea after adding: %d entries", len(got))
	}
}

func TestUpdateDeleteRestoreEntry(t *testing.T) {
	s, base := timelineStore(t, 3)
	ctx := context.Background()
	if err := s.WarmSearch(ctx); err != nil {
		t.Fatal(err)
	}
	es, _ := s.ListEntries(ctx, time.Time{}, time.Time{})
	e := es[1] // cough, 2 hours back
	sev := 9
	e.Name, e.Severity, e.Note, e.Duration = "Dry cough", &sev, "worse at night", 45*time.Minute
	e.At = base.Add(-10 * time.Minute)
	e.Kind = KindMood // ignored: the kind stays
	up, err := s.UpdateEntry(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if up.Kind != KindSymptom || up.Name != "Dry cough" || *up.Severity != 9 {
		t.Errorf("updated = %+v", up)
	}
	got, err := s.GetEntry(ctx, e.ID)
	if err != nil || got.Name != "Dry cough" || *got.Severity != 9 || got.Note != "worse at night" ||
		got.Duration != 45*time.Minute || !got.At.Equal(e.At) || got.Kind != KindSymptom {
		t.Errorf("stored after update = %+v, %v", got, err)
	}
	if first := pageAll(t, s, 1, EntryFilter{})[0]; first.ID != e.ID {
		t.Errorf("the edited entry moved to its new time: first is %+v", first)
	}
	if found, _ := s.Search(ctx, "night"); len(found) != 1 || found[0].ID != e.ID {
		t.Errorf("search after update: %+v", found)
	}
	if found, _ := s.Search(ctx, "cough"); len(found) != 1 {
		t.Errorf("the old text is still in the index: %d hits", len(found))
	}
	if _, err := s.UpdateEntry(ctx, Entry{ID: e.ID, At: base, Name: "", Severity: &sev}); !errors.Is(err, ErrInvalid) {
		t.Errorf("an empty name: %v", err)
	}
	if _, err := s.UpdateEntry(ctx, Entry{ID: "no-such-id", At: base, Name: "x", Severity: &sev}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}

	if err := s.DeleteEntry(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountEntries(ctx); n != 2 {
		t.Errorf("count after delete = %d", n)
	}
	if found, _ := s.Search(ctx, "night"); len(found) != 0 {
		t.Error("a deleted entry is still found")
	}
	for _, x := range pageAll(t, s, 10, EntryFilter{}) {
		if x.ID == e.ID {
			t.Error("a deleted entry is still listed")
		}
	}
	if err := s.DeleteEntry(ctx, e.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
	// Deleted means hidden, and the record stays sealed: nothing of it is in the clear.
	var blob []byte
	if err := s.DB().QueryRow(`SELECT sealed FROM entries WHERE id = ?`, e.ID).Scan(&blob); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(blob, []byte("night")) {
		t.Error("the note is in the clear")
	}

	back, err := s.RestoreEntry(ctx, e.ID)
	if err != nil || back.Note != "worse at night" {
		t.Fatalf("restore = %+v, %v", back, err)
	}
	if found, _ := s.Search(ctx, "night"); len(found) != 1 {
		t.Error("a restored entry is not found")
	}
	if n, _ := s.CountEntries(ctx); n != 3 {
		t.Errorf("count after restore = %d", n)
	}
	if _, err := s.RestoreEntry(ctx, e.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("restoring twice: %v", err)
	}

	// Deleted a while ago: erased for good, the others untouched.
	if err := s.DeleteEntry(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PurgeDeletedEntries(ctx, base.Add(-time.Minute)); err != nil || n != 0 {
		t.Errorf("purging before the delete erased %d, %v", n, err)
	}
	if n, err := s.PurgeDeletedEntries(ctx, base.Add(time.Minute)); err != nil || n != 1 {
		t.Errorf("purge erased %d, %v; want the one deleted", n, err)
	}
	var rows int
	if err := s.DB().QueryRow(`SELECT count(*) FROM entries`).Scan(&rows); err != nil || rows != 2 {
		t.Errorf("rows left: %d, %v", rows, err)
	}
	if _, err := s.RestoreEntry(ctx, e.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("restoring a purged entry: %v", err)
	}
}

func TestMoodAndNote(t *testing.T) {
	s, base := timelineStore(t, 0)
	ctx := context.Background()
	m, err := s.AddMood(ctx, Mood{Word: "  content ", Note: "sun out", At: base.Add(-time.Hour)})
	if err != nil || m.Kind != KindMood || m.Name != "content" || m.Severity != nil {
		t.Fatalf("mood = %+v, %v", m, err)
	}
	n, err := s.AddJournalNote(ctx, JournalNote{Text: " Ask about the new tablets "})
	if err != nil || n.Kind != KindNote || n.Note != "Ask about the new tablets" || !n.At.Equal(base) {
		t.Fatalf("note = %+v, %v", n, err)
	}
	if _, err := s.AddMood(ctx, Mood{Word: " "}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty mood: %v", err)
	}
	if _, err := s.AddJournalNote(ctx, JournalNote{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty note: %v", err)
	}
	es, _ := s.ListEntries(ctx, time.Time{}, time.Time{})
	if len(es) != 2 || es[0].ID != n.ID || es[1].ID != m.ID {
		t.Errorf("listed = %+v", es)
	}
	n.Note = "Ask about the blue tablets"
	if up, err := s.UpdateEntry(ctx, n); err != nil || up.Note != n.Note || up.Kind != KindNote {
		t.Errorf("note update = %+v, %v", up, err)
	}
}

func TestSeverityByDay(t *testing.T) {
	s, base := timelineStore(t, 0)
	ctx := context.Background()
	add := func(name string, sev int, at time.Time) {
		if _, err := s.AddSymptom(ctx, Symptom{Name: name, Severity: sev, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	add("Headache", 3, base.Add(-time.Hour))    // today
	add("headache", 7, base.Add(-2*time.Hour))  // today, stronger
	add("Headache", 2, base.AddDate(0, 0, -2))  // two days back
	add("Headache", 9, base.AddDate(0, 0, -30)) // outside 30 days
	add("Cough", 10, base.Add(-3*time.Hour))    // another symptom
	add("Headache", 0, base.AddDate(0, 0, -29)) // the first day, a real 0
	// Read from the file, then from the search index once it is built: the same answer.
	for _, warm := range []bool{false, true} {
		if warm {
			if err := s.WarmSearch(ctx); err != nil {
				t.Fatal(err)
			}
		}
		checkSeverityByDay(t, s, base)
	}
}

func checkSeverityByDay(t *testing.T, s *Store, base time.Time) {
	t.Helper()
	days, err := s.SeverityByDay(context.Background(), "HEADACHE", base, 30)
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 30 || !days[29].Day.Equal(time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC)) ||
		!days[0].Day.Equal(time.Date(2025, 10, 27, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("days from %v to %v", days[0].Day, days[len(days)-1].Day)
	}
	want := map[int]int{29: 7, 27: 2, 0: 0}
	for i, d := range days {
		w, ok := want[i]
		switch {
		case ok && (d.Max == nil || *d.Max != w):
			t.Errorf("day %d: %v, want %d", i, d.Max, w)
		case !ok && d.Max != nil:
			t.Errorf("day %d: %d, want empty", i, *d.Max)
		}
	}
}

// TestListEntriesPageWithDamagedRows: damaged entries are reported, and the pages go on
// past them to the end, even when a whole page is damaged.
func TestListEntriesPageWithDamagedRows(t *testing.T) {
	s, _ := timelineStore(t, 12)
	ctx := context.Background()
	all, _ := s.ListEntries(ctx, time.Time{}, time.Time{})
	damaged := map[string]bool{}
	for _, i := range []int{2, 5, 6, 7, 8} { // 6–8 fill a page of 2 and more
		flipBlobByte(t, s.DB(), "entries", all[i].ID)
		damaged[all[i].ID] = true
	}
	var want []Entry
	for _, e := range all {
		if !damaged[e.ID] {
			want = append(want, e)
		}
	}
	for _, size := range []int{1, 2, 3, 5} {
		var got []Entry
		reported := map[string]bool{}
		var c Cursor
		for range 100 {
			p, err := s.ListEntriesPage(ctx, c, size, EntryFilter{})
			var te *TamperedError
			if errors.As(err, &te) {
				for _, r := range te.Records {
					reported[r.ID] = true
				}
			} else if err != nil {
				t.Fatal(err)
			}
			got = append(got, p.Entries...)
			if !p.More {
				break
			}
			c = p.Next
		}
		if ids(got) != ids(want) {
			t.Errorf("pages of %d:\n got %s\nwant %s", size, ids(got), ids(want))
		}
		if len(reported) != len(damaged) {
			t.Errorf("pages of %d reported %d damaged entries, want %d", size, len(reported), len(damaged))
		}
	}
}
