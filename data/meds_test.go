package data

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// medStore opens a real profile whose clock the test moves.
func medStore(t *testing.T, now *time.Time) *Store {
	t.Helper()
	p := newProfiles(t)
	p.Now = func() time.Time { return *now }
	p.Location = time.UTC
	s, _ := createPassphraseProfile(t, p, "A", "pw")
	t.Cleanup(func() { s.Close() })
	return s
}

func TestUpdateMedicationKeepsHistory(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := medStore(t, &now)
	m, err := s.AddMedication(ctx, Medication{Name: "Prednisolone", Strength: "5 mg", Steps: []Step{{Times: []TimeOfDay{8 * 60}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDose(ctx, DoseEvent{MedicationID: m.ID, ScheduledAt: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), State: DoseTaken}); err != nil {
		t.Fatal(err)
	}
	keep := m.Steps[0]
	keep.Dose = "4 tablets"
	keep.End = Date{2026, 3, 7}
	now = now.Add(time.Hour)
	edit := m
	edit.Name, edit.Instructions = "Prednisolone (taper)", "with breakfast"
	edit.Steps = []Step{keep, {Times: []TimeOfDay{8 * 60}, Start: Date{2026, 3, 8}, End: Date{2026, 3, 14}, Dose: "2 tablets"}}
	got, err := s.UpdateMedication(ctx, edit)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != m.ID || got.Steps[0].ID != keep.ID || got.Steps[1].ID == "" || got.Steps[1].ID == keep.ID {
		t.Fatalf("ids: %+v", got)
	}

	list, err := s.ListMedications(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("list = %+v, %v", list, err)
	}
	l := list[0]
	if l.Name != "Prednisolone (taper)" || l.Instructions != "with breakfast" || l.Strength != "5 mg" || len(l.Steps) != 2 ||
		l.Steps[1].Dose != "2 tablets" || l.Steps[1].Start != (Date{2026, 3, 8}) || !l.CreatedAt.Equal(m.CreatedAt) || !l.UpdatedAt.Equal(now) {
		t.Fatalf("after edit: %+v", l)
	}
	evs, err := s.DoseEvents(ctx, m.ID, time.Time{}, time.Time{})
	if err != nil || len(evs) != 1 {
		t.Fatalf("dose history after edit = %+v, %v", evs, err)
	}
	// The schedule changed: it takes effect now, so the doses before stay as they were.
	if !m.ScheduleFrom.Equal(m.CreatedAt) || !l.ScheduleFrom.Equal(now) {
		t.Fatalf("schedule from: added %s, after edit %s (now %s)", m.ScheduleFrom, l.ScheduleFrom, now)
	}
	// Only the details changed (the steps as read back): the schedule keeps its start.
	now = now.Add(time.Hour)
	rename := l
	rename.Name = "Prednisolone 5"
	if got, err := s.UpdateMedication(ctx, rename); err != nil || !got.ScheduleFrom.Equal(l.ScheduleFrom) {
		t.Fatalf("rename moved the schedule's start: %s, %v", got.ScheduleFrom, err)
	}

	// Down to one step again: the removed step is gone from the file.
	edit.Steps = []Step{{Times: []TimeOfDay{9 * 60}}}
	if got, err = s.UpdateMedication(ctx, edit); err != nil {
		t.Fatal(err)
	}
	if got.Steps[0].Start != DateOf(now) {
		t.Errorf("a step without a start date should start today, got %s", got.Steps[0].Start)
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM schedule_steps WHERE medication_id = ?`, m.ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("steps stored = %d, %v", n, err)
	}
}

func TestUpdateMedicationRefuses(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := medStore(t, &now)
	m, err := s.AddMedication(ctx, Medication{Name: "Metformin", Steps: []Step{{Times: []TimeOfDay{8 * 60}}}})
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]Medication{
		"no name":     {ID: m.ID, Steps: m.Steps},
		"no times":    {ID: m.ID, Name: "Metformin", Steps: []Step{{}}},
		"end < start": {ID: m.ID, Name: "Metformin", Steps: []Step{{Times: []TimeOfDay{60}, Start: Date{2026, 3, 5}, End: Date{2026, 3, 1}}}},
	} {
		if _, err := s.UpdateMedication(ctx, edit); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := s.UpdateMedication(ctx, Medication{ID: "no-such-id", Name: "X", AsNeeded: true}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if _, err := s.UpdateMedication(ctx, Medication{ID: m.ID[:6], Name: "X", AsNeeded: true}); !errors.Is(err, ErrNotFound) {
		t.Errorf("an id prefix must not edit: %v", err)
	}
	// A refused edit changes nothing.
	got, err := s.Medication(ctx, m.ID)
	if err != nil || got.Name != "Metformin" || len(got.Steps) != 1 || got.Steps[0].ID != m.Steps[0].ID {
		t.Fatalf("after refused edits: %+v, %v", got, err)
	}
	// To as needed: the schedule goes.
	if got, err = s.UpdateMedication(ctx, Medication{ID: m.ID, Name: "Metformin", AsNeeded: true}); err != nil || len(got.Steps) != 0 {
		t.Fatalf("to as needed: %+v, %v", got, err)
	}
	if got, err = s.Medication(ctx, m.ID); err != nil || !got.AsNeeded || len(got.Steps) != 0 {
		t.Fatalf("stored as needed: %+v, %v", got, err)
	}
}

func TestArchiveMedication(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := medStore(t, &now)
	m, err := s.AddMedication(ctx, Medication{Name: "Metformin", Steps: []Step{{Times: []TimeOfDay{8 * 60}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDose(ctx, DoseEvent{MedicationID: m.ID, ScheduledAt: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), State: DoseTaken}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	a, err := s.ArchiveMedication(ctx, m.ID, true)
	if err != nil || !a.Archived || !a.ArchivedAt.Equal(now) {
		t.Fatalf("archive: %+v, %v", a, err)
	}
	list, err := s.ListMedications(ctx)
	if err != nil || len(list) != 1 || !list[0].Archived || !list[0].ArchivedAt.Equal(now) || len(list[0].Steps) != 1 {
		t.Fatalf("archived med should stay listed with its schedule: %+v, %v", list, err)
	}
	if evs, err := s.DoseEvents(ctx, m.ID, time.Time{}, time.Time{}); err != nil || len(evs) != 1 {
		t.Fatalf("history of an archived med = %+v, %v", evs, err)
	}
	// The clear column says only whether; when it was stopped is sealed with the rest.
	var clear int64
	if err := s.DB().QueryRowContext(ctx, `SELECT archived FROM medications WHERE id = ?`, m.ID).Scan(&clear); err != nil || clear != 1 {
		t.Fatalf("archived column = %d, %v", clear, err)
	}
	if _, err := s.UpdateMedication(ctx, list[0]); !errors.Is(err, ErrInvalid) {
		t.Errorf("editing an archived med: %v, want ErrInvalid", err)
	}
	now = now.Add(48 * time.Hour)
	r, err := s.ArchiveMedication(ctx, m.ID, false)
	if err != nil || r.Archived || !r.ArchivedAt.IsZero() {
		t.Fatalf("restore: %+v, %v", r, err)
	}
	// Restored, it is reminded from now on: the archived days are not missed doses.
	if got, err := s.Medication(ctx, m.ID); err != nil || got.Archived || !got.ScheduleFrom.Equal(now) || got.Name != "Metformin" {
		t.Fatalf("restored: %+v, %v", got, err)
	}
	if _, err := s.ArchiveMedication(ctx, "nope", true); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if _, err := s.RemoveMedication(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ArchiveMedication(ctx, m.ID, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed med: %v", err)
	}
}

// An edit and an archive are sealed like the first save: nothing typed reaches the file in
// the clear.
func TestEditedMedicationNotInTheClear(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "A", "pw")
	m, err := s.AddMedication(ctx, Medication{Name: "Plain", Steps: []Step{{Times: []TimeOfDay{480}}}})
	if err != nil {
		t.Fatal(err)
	}
	markers := []string{"ZQXEDITNAME", "ZQXEDITDOSE", "ZQXSTEPDOSE"}
	m.Name, m.Dose = markers[0], markers[1]
	m.Steps = []Step{{Times: []TimeOfDay{540}, Dose: markers[2]}}
	if _, err := s.UpdateMedication(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ArchiveMedication(ctx, m.ID, true); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for path, b := range snapshot(t, p.Dir) {
		for _, mk := range markers {
			if bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(mk))) {
				t.Errorf("%s holds %q in the clear", path, mk)
			}
		}
	}
}

// TestMedicationReminderSettings: a medicine's repeat reminders and heads-up are kept in its
// sealed record (none stored means the defaults), changed by an edit, and checked.
func TestMedicationReminderSettings(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := medStore(t, &now)
	plain, err := s.AddMedication(ctx, Medication{Name: "Plain", Steps: []Step{{Times: []TimeOfDay{8 * 60}}}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.AddMedication(ctx, Medication{Name: "Levothyroxine", RepeatEvery: 5 * time.Minute, RepeatTimes: NoRepeat,
		HeadsUp: 15 * time.Minute, Steps: []Step{{Times: []TimeOfDay{7 * 60}}}})
	if err != nil {
		t.Fatal(err)
	}
	read := func(id string) Medication {
		t.Helper()
		list, err := s.ListMedications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range list {
			if l.ID == id {
				return l
			}
		}
		t.Fatalf("medicine %s not listed", id)
		return Medication{}
	}
	if l := read(plain.ID); l.RepeatEvery != 0 || l.RepeatTimes != 0 || l.HeadsUp != 0 {
		t.Errorf("a medicine without reminder settings reads %v × %d, heads-up %v", l.RepeatEvery, l.RepeatTimes, l.HeadsUp)
	}
	l := read(m.ID)
	if l.RepeatEvery != 5*time.Minute || l.RepeatTimes != NoRepeat || l.HeadsUp != 15*time.Minute {
		t.Fatalf("read back %v × %d, heads-up %v", l.RepeatEvery, l.RepeatTimes, l.HeadsUp)
	}
	l.RepeatTimes, l.HeadsUp = 5, 0
	if _, err := s.UpdateMedication(ctx, l); err != nil {
		t.Fatal(err)
	}
	if l := read(m.ID); l.RepeatEvery != 5*time.Minute || l.RepeatTimes != 5 || l.HeadsUp != 0 {
		t.Fatalf("after edit %v × %d, heads-up %v", l.RepeatEvery, l.RepeatTimes, l.HeadsUp)
	}
	for _, bad := range []Medication{
		{RepeatEvery: 30 * time.Second}, {RepeatEvery: -time.Minute}, {RepeatTimes: MaxRepeatTimes + 1},
		{RepeatTimes: -2}, {HeadsUp: -time.Minute}, {HeadsUp: MaxHeadsUp + time.Minute},
	} {
		bad.Name, bad.Steps = "Bad", []Step{{Times: []TimeOfDay{8 * 60}}}
		var ie *InputError
		if _, err := s.AddMedication(ctx, bad); !errors.As(err, &ie) || (ie.Field != FieldRepeat && ie.Field != FieldHeadsUp) {
			t.Errorf("%v × %d, heads-up %v: %v, want an input error", bad.RepeatEvery, bad.RepeatTimes, bad.HeadsUp, err)
		}
	}
}
