package data

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDemoProfileInLanguage: a demo profile made in another language holds that language's
// texts, every one of them from DemoTexts (which the translations must cover), and still
// counts its tablets.
func TestDemoProfileInLanguage(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	p.Now, p.Location = func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }, time.UTC
	s, _ := createPassphraseProfile(t, p, "Demo", "pw")
	defer s.Close()
	known := DemoTexts()
	var unknown []string
	w := func(en string) string {
		if !slices.Contains(known, en) {
			unknown = append(unknown, en)
		}
		if en == "1 tablet" {
			return "1 Tablette"
		}
		return "«" + en + "»"
	}
	if err := s.AddDemoProfileIn(ctx, w); err != nil {
		t.Fatal(err)
	}
	if len(unknown) > 0 {
		t.Fatalf("texts missing from DemoTexts: %q", unknown)
	}
	appts, _ := s.ListAppointments(ctx, time.Time{}, time.Time{})
	if len(appts) == 0 || !strings.HasPrefix(appts[0].Title, "«") {
		t.Fatalf("appointments not in the language: %+v", appts)
	}
	meds, _ := s.ListMedications(ctx)
	for _, m := range meds {
		if m.Name == "Metformin" && (m.Dose != "1 Tablette" || m.StockUnit() != "tablette") {
			t.Errorf("Metformin: dose %q counted in %q, want 1 Tablette counted in tablette", m.Dose, m.StockUnit())
		}
	}
}
