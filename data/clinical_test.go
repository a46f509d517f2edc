package data

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

func clinicalFixture(t *testing.T) (*Store, []ClinicalResource) {
	t.Helper()
	p := newProfiles(t)
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	p.Now, p.Location = func() time.Time { return now }, time.UTC
	s, _ := createPassphraseProfile(t, p, "A", "correct horse")
	t.Cleanup(func() { s.Close() })
	batch := []ClinicalResource{
		{Type: "Condition", RemoteID: "c1", Version: "1", Raw: []byte(`{"resourceType":"Condition","id":"c1","code":{"text":"Type 2 diabetes"}}`)},
		{Type: "Observation", RemoteID: "o1", Version: "1", Raw: []byte(`{"resourceType":"Observation","id":"o1","valueQuantity":{"value":7.9,"unit":"%"}}`)},
		{Type: "Observation", RemoteID: "o2", Version: "3", Raw: []byte(`{"resourceType":"Observation","id":"o2"}`)},
	}
	n, err := s.PutClinical(context.Background(), batch)
	if err != nil || n != 3 {
		t.Fatalf("PutClinical = %d, %v; want 3 stored", n, err)
	}
	return s, batch
}

func TestClinicalRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, batch := clinicalFixture(t)
	obs, err := s.ClinicalResources(ctx, "Observation")
	if err != nil || len(obs) != 2 {
		t.Fatalf("observations: %d, %v", len(obs), err)
	}
	if obs[0].RemoteID != "o1" || !bytes.Equal(obs[0].Raw, batch[1].Raw) || obs[0].Version != "1" {
		t.Errorf("read back %+v", obs[0])
	}
	all, err := s.ClinicalResources(ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("all: %d, %v", len(all), err)
	}
	one, err := s.ClinicalResource(ctx, obs[1].ID)
	if err != nil || one.RemoteID != "o2" {
		t.Fatalf("by id: %+v, %v", one, err)
	}
	if _, err := s.ClinicalResource(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}

	// The same version again changes nothing; a new version replaces it under the same id.
	if n, err := s.PutClinical(ctx, batch[:1]); err != nil || n != 0 {
		t.Errorf("same version again: %d, %v; want 0", n, err)
	}
	upd := ClinicalResource{Type: "Observation", RemoteID: "o1", Version: "2", Raw: []byte(`{"resourceType":"Observation","id":"o1","valueQuantity":{"value":8.1}}`)}
	if n, err := s.PutClinical(ctx, []ClinicalResource{upd}); err != nil || n != 1 {
		t.Fatalf("new version: %d, %v", n, err)
	}
	again, _ := s.ClinicalResource(ctx, obs[0].ID)
	if again.Version != "2" || !bytes.Equal(again.Raw, upd.Raw) {
		t.Errorf("after update: %+v", again)
	}

	// A full resync removes what it did not see; RemoveClinical one by one.
	if n, err := s.SweepClinical(ctx, "Observation", map[string]bool{"o1": true}); err != nil || n != 1 {
		t.Errorf("sweep: %d, %v; want 1 removed", n, err)
	}
	if err := s.RemoveClinical(ctx, "Condition", "c1"); err != nil {
		t.Fatal(err)
	}
	all, _ = s.ClinicalResources(ctx)
	if len(all) != 1 || all[0].RemoteID != "o1" {
		t.Errorf("left: %+v", all)
	}
}

func TestClinicalRefusesBadInput(t *testing.T) {
	s, _ := clinicalFixture(t)
	for _, r := range []ClinicalResource{
		{Type: "Patient", RemoteID: "p", Raw: []byte(`{}`)},
		{Type: "Condition", RemoteID: "", Raw: []byte(`{}`)},
		{Type: "Condition", RemoteID: "x"},
	} {
		if _, err := s.PutClinical(context.Background(), []ClinicalResource{r}); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", r, err)
		}
	}
}

// Every clear column of the clinical table is bound to its record.
func TestClinicalColumnsAuthenticated(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		edit  string
		moves bool // the damaged row then stands under another type or id
	}{
		{`UPDATE clinical SET rtype = 'Condition' WHERE remote_id = 'o2'`, true},
		{`UPDATE clinical SET remote_id = 'o9' WHERE remote_id = 'o2'`, true},
		{`UPDATE clinical SET version = '4' WHERE remote_id = 'o2'`, false},
		{`UPDATE clinical SET updated_at = updated_at + 1 WHERE remote_id = 'o2'`, false},
		{`UPDATE clinical SET sealed = (SELECT sealed FROM clinical WHERE remote_id = 'o1') WHERE remote_id = 'o2'`, false},
	} {
		edit := c.edit
		t.Run(edit, func(t *testing.T) {
			s, _ := clinicalFixture(t)
			var id string
			if err := s.db.QueryRow(`SELECT id FROM clinical WHERE remote_id = 'o2'`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, err := s.db.Exec(edit); err != nil {
				t.Fatal(err)
			}
			got, err := s.ClinicalResources(ctx)
			damaged(t, edit, err, RecordRef{"clinical", id})
			if len(got) != 2 {
				t.Errorf("%d others read, want 2", len(got))
			}
			if _, err := s.ClinicalResource(ctx, id); !IsDamaged(err) {
				t.Errorf("by id: %v, want damage", err)
			}
			// The portal's copy replaces a damaged one, even at the same version.
			r := ClinicalResource{Type: "Observation", RemoteID: "o2", Version: "3", Raw: []byte(`{"resourceType":"Observation","id":"o2"}`)}
			if _, err := s.PutClinical(ctx, []ClinicalResource{r}); err != nil {
				t.Fatal(err)
			}
			if c.moves {
				return // still reported, under the key it was moved to
			}
			if _, err := s.ClinicalResources(ctx); err != nil {
				t.Errorf("after the portal's copy: %v", err)
			}
		})
	}
}

func TestClinicalVersions(t *testing.T) {
	s, _ := clinicalFixture(t)
	got, err := s.ClinicalVersions(context.Background(), "Observation")
	if err != nil || len(got) != 2 || got["o1"] != "1" || got["o2"] != "3" {
		t.Fatalf("ClinicalVersions = %v, %v", got, err)
	}
	if got, err := s.ClinicalVersions(context.Background(), "Immunization"); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("none stored: %v, %v", got, err)
	}
}
