package data

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// Issue 10, finding 1: every clear column whose change would change what the app shows or
// does is authenticated. Each case edits one column the way a plain SQLite editor would,
// then checks that the read reports the row as damaged (by id) instead of showing the edit.

// columnsFixture is a profile with two medicines (one a two-step taper) and their doses, a
// symptom, a mood, and a queued note.
type columnsFixture struct {
	s                   *Store
	metformin, ramipril Medication
	taken, skipped      DoseEvent
	symptom, mood, note Entry
	queued              Message
}

func newColumnsFixture(t *testing.T) *columnsFixture {
	t.Helper()
	ctx := context.Background()
	p := newProfiles(t)
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	p.Now, p.Location = func() time.Time { return now }, time.UTC
	s, _ := createPassphraseProfile(t, p, "A", "correct horse")
	t.Cleanup(func() { s.Close() })
	f := &columnsFixture{s: s}
	var err error
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f.metformin, err = s.AddMedication(ctx, Medication{Name: "Metformin", Steps: []Step{
		{Times: []TimeOfDay{8 * 60}, Start: Date{2026, 3, 1}, End: Date{2026, 3, 20}},
		{Times: []TimeOfDay{8 * 60, 20 * 60}, Start: Date{2026, 3, 21}},
	}})
	must(err)
	f.ramipril, err = s.AddMedication(ctx, Medication{Name: "Ramipril", Steps: []Step{{Times: []TimeOfDay{9 * 60}, Start: Date{2026, 3, 1}}}})
	must(err)
	f.taken, err = s.RecordDose(ctx, DoseEvent{MedicationID: f.metformin.ID, ScheduledAt: now.Add(-4 * time.Hour), State: DoseTaken, At: now.Add(-4 * time.Hour)})
	must(err)
	f.skipped, err = s.RecordDose(ctx, DoseEvent{MedicationID: f.ramipril.ID, ScheduledAt: now.Add(-3 * time.Hour), State: DoseSkipped, At: now.Add(-3 * time.Hour)})
	must(err)
	f.symptom, err = s.AddSymptom(ctx, Symptom{Name: "Nausea", Severity: 6, At: now.Add(-2 * time.Hour)})
	must(err)
	f.mood, err = s.AddMood(ctx, Mood{Word: "calm", At: now.Add(-time.Hour)})
	must(err)
	f.note, err = s.AddJournalNote(ctx, JournalNote{Text: "slept well", At: now.Add(-30 * time.Minute)})
	must(err)
	f.queued, err = s.AddNote(ctx, "Should I take it with food?")
	must(err)
	return f
}

func (f *columnsFixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.s.DB().Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// damaged asserts that err is a *TamperedError naming exactly the given records.
func damaged(t *testing.T, what string, err error, want ...RecordRef) {
	t.Helper()
	var te *TamperedError
	if !errors.As(err, &te) {
		t.Fatalf("%s: err = %v, want damage reported", what, err)
	}
	for _, w := range want {
		if !slices.Contains(te.Records, w) {
			t.Fatalf("%s: damage names %v, not %v", what, te.Records, w)
		}
	}
}

func TestClearColumnsAuthenticated(t *testing.T) {
	ctx := context.Background()
	list := func(s *Store) error { _, err := s.ListEntries(ctx, time.Time{}, time.Time{}); return err }
	meds := func(s *Store) error { _, err := s.ListMedications(ctx); return err }
	doses := func(s *Store) error { _, err := s.DoseEvents(ctx, "", time.Time{}, time.Time{}); return err }
	msgs := func(s *Store) error { _, err := s.ListMessages(ctx); return err }
	cases := []struct {
		name string
		edit func(t *testing.T, f *columnsFixture) RecordRef
		read func(*Store) error
	}{
		{"a taken dose moved to another medicine", func(t *testing.T, f *columnsFixture) RecordRef {
			f.exec(t, `UPDATE dose_events SET medication_id = ? WHERE id = ?`, f.ramipril.ID, f.taken.ID)
			return RecordRef{"dose_events", f.taken.ID}
		}, doses},
		{"a dose's time shifted", func(t *testing.T, f *columnsFixture) RecordRef {
			f.exec(t, `UPDATE dose_events SET scheduled_at = scheduled_at + 3600000, at = at + 3600000 WHERE id = ?`, f.taken.ID)
			return RecordRef{"dose_events", f.taken.ID}
		}, list},
		{"one medicine's schedule given to another", func(t *testing.T, f *columnsFixture) RecordRef {
			f.exec(t, `UPDATE schedule_steps SET medication_id = ?, seq = 7 WHERE id = ?`, f.ramipril.ID, f.metformin.Steps[1].ID)
			return RecordRef{"schedule_steps", f.metformin.Steps[1].ID}
		}, meds},
		{"taper steps reordered", func(t *testing.T, f *columnsFixture) RecordRef {
			f.exec(t, `UPDATE schedule_steps SET seq = seq + 10 WHERE id = ?`, f.metformin.Steps[0].ID)
			return RecordRef{"schedule_steps", f.metformin.Steps[0].ID}
		}, meds},
		{"a medicine archived so its reminders stop", func(t *testing.T, f *columnsFixture) RecordRef {
			f.exec(t, `UPDATE medications SET archived = 1 WHERE id = ?`, f.ramipril.ID)
			return RecordRef{"medications", f.ramipril.ID}
		}, meds},
		{"a medicine marked removed", func(t *testing.T, f *columnsFixture) RecordRef {
			f.exec(t, `UPDATE medications SET deleted = 1 WHERE id = ?`, f.ramipril.ID)
			return RecordRef{"medications", f.ramipril.ID}
		}, meds},
		{"an entry hidden", func(t *testing.T, f *columnsFixture) RecordRef {
			f.exec(t, `UPDATE entries SET deleted = 1 WHERE id = ?`, f.symptom.ID)
			return RecordRef{"entries", f.symptom.ID}
		}, list},
		{"a symptom turned into a note", func(t *testing.T, f *columnsFixture) RecordRef {
			f.exec(t, `UPDATE entries SET kind = 'note' WHERE id = ?`, f.symptom.ID)
			return RecordRef{"entries", f.symptom.ID}
		}, list},
		{"an entry moved a year", func(t *testing.T, f *columnsFixture) RecordRef {
			f.exec(t, `UPDATE entries SET at = at - 365*86400000 WHERE id = ?`, f.mood.ID)
			return RecordRef{"entries", f.mood.ID}
		}, list},
		{"a queued note marked sent", func(t *testing.T, f *columnsFixture) RecordRef {
			f.exec(t, `UPDATE messages SET state = 'sent' WHERE id = ?`, f.queued.ID)
			return RecordRef{"messages", f.queued.ID}
		}, msgs},
		{"a time that is no number", func(t *testing.T, f *columnsFixture) RecordRef {
			f.exec(t, `UPDATE entries SET at = 'soon', deleted = 1.0 WHERE id = ?`, f.note.ID)
			return RecordRef{"entries", f.note.ID}
		}, list},
		{"a time written as a fraction", func(t *testing.T, f *columnsFixture) RecordRef {
			f.exec(t, `UPDATE entries SET created_at = created_at + 0.5 WHERE id = ?`, f.note.ID)
			return RecordRef{"entries", f.note.ID}
		}, list},
		{"a record's format changed", func(t *testing.T, f *columnsFixture) RecordRef {
			f.exec(t, `UPDATE entries SET fmt = 1 WHERE id = ?`, f.note.ID)
			return RecordRef{"entries", f.note.ID}
		}, list},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newColumnsFixture(t)
			want := c.edit(t, f)
			damaged(t, c.name, c.read(f.s), want)
		})
	}
}

// A search and a page of the timeline see a hidden entry too: the damage is reported, not
// passed over.
func TestHiddenEntryReportedEverywhere(t *testing.T) {
	ctx := context.Background()
	f := newColumnsFixture(t)
	f.exec(t, `UPDATE entries SET deleted = 1 WHERE id = ?`, f.symptom.ID)
	want := RecordRef{"entries", f.symptom.ID}
	_, err := f.s.Search(ctx, "slept")
	damaged(t, "search", err, want)
	_, err = f.s.ListEntriesPage(ctx, Cursor{}, 10, EntryFilter{})
	damaged(t, "first page", err, want)
	_, err = f.s.GetEntry(ctx, f.symptom.ID)
	damaged(t, "get", err, want)
}

// A change made through the store after a column was edited does not launder the edit: the
// re-seal starts from what authenticates, or refuses.
func TestEditsDoNotLaunderTampering(t *testing.T) {
	ctx := context.Background()
	f := newColumnsFixture(t)
	f.exec(t, `UPDATE entries SET kind = 'note' WHERE id = ?`, f.symptom.ID)
	sev := 3
	_, err := f.s.UpdateEntry(ctx, Entry{ID: f.symptom.ID, At: f.symptom.At, Name: "Nausea", Severity: &sev})
	damaged(t, "update", err, RecordRef{"entries", f.symptom.ID})
	if err := f.s.DeleteEntry(ctx, f.symptom.ID); err == nil {
		t.Fatal("deleting a damaged entry re-sealed it")
	}
	f.exec(t, `UPDATE medications SET archived = 1 WHERE id = ?`, f.ramipril.ID)
	if _, err := f.s.ArchiveMedication(ctx, f.ramipril.ID[:8], false); err == nil {
		t.Fatal("restoring a medicine archived behind the app's back re-sealed it")
	}
	_, err = f.s.ListMedications(ctx)
	damaged(t, "medications after the refused restore", err, RecordRef{"medications", f.ramipril.ID})
}

// A deleted outbox row does not lose the note: its sealed state says queued, so it is queued
// again; an edited outbox item is damage, and its note is queued afresh.
func TestOutboxRebuiltFromNotes(t *testing.T) {
	ctx := context.Background()
	f := newColumnsFixture(t)
	second, err := f.s.AddNote(ctx, "And with milk?")
	if err != nil {
		t.Fatal(err)
	}
	f.exec(t, `DELETE FROM outbox`)
	items, err := f.s.Outbox(ctx)
	if err != nil || len(items) != 2 || items[0].EntityID != f.queued.ID || items[1].EntityID != second.ID {
		t.Fatalf("after emptying the outbox: %+v, %v", items, err)
	}
	f.exec(t, `UPDATE outbox SET next_attempt_at = 4102444800000 WHERE entity_id = ?`, second.ID)
	items, err = f.s.Outbox(ctx)
	var te *TamperedError
	if !errors.As(err, &te) || len(te.Records) != 1 || te.Records[0].Table != "outbox" {
		t.Fatalf("postponed behind the app's back: err = %v", err)
	}
	if len(items) != 2 || items[1].EntityID != second.ID || !items[1].NextAt.IsZero() {
		t.Fatalf("the note is not queued afresh: %+v", items)
	}
	// Sent notes are not queued again.
	if err := f.s.MessageSent(ctx, items[0].Seq, f.queued.ID, "c1"); err != nil {
		t.Fatal(err)
	}
	if items, err = f.s.Outbox(ctx); err != nil || len(items) != 1 {
		t.Fatalf("after sending one: %+v, %v", items, err)
	}
}

// Finding 5: a sealed record's length does not tell one name from another.
func TestSealedLengthsHideNames(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "A", "correct horse")
	defer s.Close()
	var ids []string
	for _, n := range []string{"Nausea", "Headache", "Shortness of breath", "Itching"} {
		e, err := s.AddSymptom(ctx, Symptom{Name: n, Severity: 4})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	var meds []string
	for _, n := range []string{"Metformin", "Atorvastatin", "Co-codamol"} {
		m, err := s.AddMedication(ctx, Medication{Name: n, Dose: "1 tablet", AsNeeded: true})
		if err != nil {
			t.Fatal(err)
		}
		meds = append(meds, m.ID)
	}
	lengths := func(table string, ids []string) map[int]bool {
		out := map[int]bool{}
		for _, id := range ids {
			var n int
			if err := s.DB().QueryRow(`SELECT length(sealed) FROM `+table+` WHERE id = ?`, id).Scan(&n); err != nil {
				t.Fatal(err)
			}
			out[n] = true
		}
		return out
	}
	if l := lengths("entries", ids); len(l) != 1 {
		t.Errorf("symptom names seal to different lengths: %v", l)
	}
	if l := lengths("medications", meds); len(l) != 1 {
		t.Errorf("medicine names seal to different lengths: %v", l)
	}
}

func TestPadding(t *testing.T) {
	for _, n := range []int{0, 1, 62, 63, 64, 100, 4095, 4096, 4097, 20000} {
		pt := bytes.Repeat([]byte{0}, n) // zeros are the hardest case for the 0x80 marker
		p := pad(pt)
		if len(p) != bucket(n+1) || len(p) < n+1 {
			t.Errorf("pad(%d) = %d bytes", n, len(p))
		}
		back, ok := unpad(p)
		if !ok || !bytes.Equal(back, pt) {
			t.Errorf("unpad(pad(%d zeros)) = %d bytes, %v", n, len(back), ok)
		}
	}
	for _, bad := range [][]byte{nil, {0, 0}, {1, 2, 3}} {
		if _, ok := unpad(bad); ok {
			t.Errorf("unpad(%v) accepted", bad)
		}
	}
}

// Finding 15: the portal's address and the patient's id there are sealed like the journal.
func TestPortalSettingsSealed(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "A", "correct horse")
	const url, patient = "https://zqx-portal.example.org/fhir", "zqx-patient-4711"
	if err := s.SetPortalConnection(ctx, Portal{URL: url, PatientID: patient, ClientID: "zqx-client"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "hide_medicine_names", "zqx-true"); err != nil {
		t.Fatal(err)
	}
	scan := func() {
		for path, b := range snapshot(t, p.Dir) {
			for _, m := range []string{"zqx-portal", "zqx-patient", "zqx-client", "zqx-true"} {
				if bytes.Contains(b, []byte(m)) {
					t.Errorf("%s holds %q in the clear", path, m)
				}
			}
		}
	}
	scan()
	got, err := s.PortalConnection(ctx)
	if err != nil || got.URL != url || got.PatientID != patient {
		t.Fatalf("read back: %+v, %v", got, err)
	}
	s.Close()
	scan()
}

// The profile's name is shown before unlocking, so it is in the clear; at unlock it is
// compared with its sealed copy, and an edit is damage (the sealed name is used).
func TestProfileNameChecked(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "Mum", "correct horse")
	info := s.Info()
	if s.Damage() != nil {
		t.Fatalf("new profile: %v", s.Damage())
	}
	if _, err := s.DB().Exec(`UPDATE meta SET value = 'Dad' WHERE key = 'profile_name'`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	info, err := p.Find(ctx, info.ID)
	if err != nil || info.Name != "Dad" {
		t.Fatalf("before unlocking the clear name shows: %+v, %v", info, err)
	}
	s, err = p.Open(ctx, info, Credentials{Passphrase: []byte("correct horse")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	damaged(t, "renamed behind the app's back", s.Damage(), RecordRef{"meta", "profile_name"})
	if s.Info().Name != "Mum" {
		t.Fatalf("name after unlock = %q, want the sealed one", s.Info().Name)
	}
	if err := p.Rename(ctx, s, "Mother"); err != nil {
		t.Fatal(err)
	}
	if s.Damage() != nil {
		t.Fatalf("a rename mends it: %v", s.Damage())
	}
}

// Text that is not UTF-8 is refused when it is written (it would read back as damage: a
// record's text must decode as UTF-8), whatever the caller.
func TestNotTextRefused(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "A", "correct horse")
	defer s.Close()
	bad := "caf\xe9"
	checks := map[string]error{}
	_, checks["symptom"] = s.AddSymptom(ctx, Symptom{Name: bad, Severity: 1})
	_, checks["symptom note"] = s.AddSymptom(ctx, Symptom{Name: "ok", Severity: 1, Note: bad})
	_, checks["mood"] = s.AddMood(ctx, Mood{Word: bad})
	_, checks["journal note"] = s.AddJournalNote(ctx, JournalNote{Text: bad})
	_, checks["note"] = s.AddNote(ctx, bad)
	_, checks["appointment"] = s.AddAppointment(ctx, Appointment{Title: "ok", Location: bad, Start: time.Now().Add(time.Hour)})
	for what, err := range checks {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s with invalid UTF-8: %v", what, err)
		}
	}
	if _, err := s.ListEntries(ctx, time.Time{}, time.Time{}); err != nil {
		t.Fatalf("nothing damaged should have been written: %v", err)
	}
}
