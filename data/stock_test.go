package data

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestDoseUnits(t *testing.T) {
	counts := []struct {
		dose, form string
		want       Units
		unit       string
	}{
		{"2 tablets", "", 2000, "tablet"},
		{"1 capsule", "", 1000, "capsule"},
		{"½ tablet", "", 500, "tablet"},
		{"1½ tablets", "", 1500, "tablet"},
		{"1 1/2 tablets", "", 1500, "tablet"},
		{"1/4 tablet", "", 250, "tablet"},
		{"1.5 Tablets", "", 1500, "tablet"},
		{"2 puffs", "", 2000, "puff"},
		{"1 patch", "", 1000, "patch"},
		{"2", "tablet", 2000, "tablet"},
		{"2tablets", "", 2000, "tablet"},
		{"2 Tabletten", "", 2000, "tablette"},
		{"½ Tablette", "", 500, "tablette"},
		{"1 comprimido", "", 1000, "comprimido"},
		{"2 cápsulas", "", 2000, "cápsula"},
		{"2 Hübe", "", 2000, "hub"},
		{"1", "Kapsel", 1000, "kapsel"},
	}
	for _, c := range counts {
		n, unit, ok := DoseUnits(c.dose, c.form)
		if !ok || n != c.want || unit != c.unit {
			t.Errorf("DoseUnits(%q, %q) = %v %q %v, want %v %q", c.dose, c.form, n, unit, ok, c.want, c.unit)
		}
	}
	for _, dose := range []string{"500 mg", "5 ml", "2 drops", "10 units", "one tablet", "", "2", "0 tablets", "-1 tablet", "2 tablets with food", "1/0 tablet", "1.2345 tablets"} {
		if n, unit, ok := DoseUnits(dose, ""); ok {
			t.Errorf("DoseUnits(%q) = %v %q, want no count", dose, n, unit)
		}
	}
}

func TestUnitNameInLanguages(t *testing.T) {
	for _, c := range []struct {
		n    Units
		unit string
		want string
	}{{28000, "tablette", "28 Tabletten"}, {1000, "tablette", "1 Tablette"}, {3000, "comprimido", "3 comprimidos"},
		{2000, "tablet", "2 tablets"}, {2000, "hub", "2 Hübe"}} {
		if got := UnitName(c.n, c.unit); got != c.want {
			t.Errorf("UnitName(%v, %q) = %q, want %q", c.n, c.unit, got, c.want)
		}
	}
}

func TestParseUnits(t *testing.T) {
	for in, want := range map[string]Units{"30": 30000, "0": 0, "27.5": 27500, " 12 ": 12000, "½": 500} {
		if got, err := ParseUnits(in); err != nil || got != want {
			t.Errorf("ParseUnits(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"-3", "abc", "", "1e3", "3.", "100001", "NaN", "0x10"} {
		if _, err := ParseUnits(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseUnits(%q) accepted", in)
		}
	}
	if got := UnitName(28000, "tablet"); got != "28 tablets" {
		t.Errorf("UnitName = %q", got)
	}
	if got := UnitName(1000, "patch"); got != "1 patch" {
		t.Errorf("UnitName = %q", got)
	}
}

// A taken dose lowers the stock in the same transaction; un-taking gives it back; a taper's
// step dose counts; a dose that is no count leaves the stock alone; the stock stops at 0.
func TestStockFollowsDoses(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := medStore(t, &now)
	at8 := func(day int) time.Time { return time.Date(2026, 3, day, 8, 0, 0, 0, time.UTC) }
	taper, err := s.AddMedication(ctx, Medication{Name: "Prednisolone", Dose: "1 tablet", StockKept: true, Stock: 10 * UnitScale,
		Steps: []Step{
			{Times: []TimeOfDay{8 * 60}, Start: Date{2026, 3, 1}, End: Date{2026, 3, 2}, Dose: "4 tablets"},
			{Times: []TimeOfDay{8 * 60}, Start: Date{2026, 3, 3}, End: Date{2026, 3, 4}, Dose: "½ tablet"},
			{Times: []TimeOfDay{8 * 60}, Start: Date{2026, 3, 5}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	stock := func(want Units) {
		t.Helper()
		m, err := s.Medication(ctx, taper.ID)
		if err != nil || !m.StockKept || m.Stock != want {
			t.Fatalf("stock = %v (kept %v), %v; want %v", m.Stock, m.StockKept, err, want)
		}
	}
	ev, err := s.RecordDose(ctx, DoseEvent{MedicationID: taper.ID, ScheduledAt: at8(1), State: DoseTaken})
	if err != nil || !ev.Stock.Counted || ev.Stock.Delta != -4000 || ev.Stock.Left != 6000 {
		t.Fatalf("take = %+v, %v", ev.Stock, err)
	}
	stock(6000)
	// Taken late, days after its time: the same box.
	now = time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
	if _, err := s.RecordDose(ctx, DoseEvent{MedicationID: taper.ID, ScheduledAt: at8(3), State: DoseTaken}); err != nil {
		t.Fatal(err)
	}
	stock(5500)
	// Taken again with --change (another time): no second tablet.
	if _, err := s.ChangeDose(ctx, DoseEvent{MedicationID: taper.ID, ScheduledAt: at8(3), State: DoseTaken, At: at8(3).Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	stock(5500)
	// Changed to skipped: the half tablet is back.
	ev, err = s.ChangeDose(ctx, DoseEvent{MedicationID: taper.ID, ScheduledAt: at8(3), State: DoseSkipped})
	if err != nil || ev.Stock.Delta != 500 {
		t.Fatalf("un-take = %+v, %v", ev.Stock, err)
	}
	stock(6000)
	// Snoozed, missed, skipped: nothing taken.
	if _, err := s.RecordDose(ctx, DoseEvent{MedicationID: taper.ID, ScheduledAt: at8(2), State: DoseMissed, At: at8(2)}); err != nil {
		t.Fatal(err)
	}
	stock(6000)
	// A missed dose taken late counts; the last step uses the medicine's own dose.
	if _, err := s.RecordDose(ctx, DoseEvent{MedicationID: taper.ID, ScheduledAt: at8(2), State: DoseTaken}); err != nil {
		t.Fatal(err)
	}
	stock(2000)
	if _, err := s.RecordDose(ctx, DoseEvent{MedicationID: taper.ID, ScheduledAt: at8(5), State: DoseTaken}); err != nil {
		t.Fatal(err)
	}
	stock(1000)
	// Editing the medicine keeps the stored stock, whatever the editor held.
	edit, _ := s.Medication(ctx, taper.ID)
	edit.Stock, edit.RefillDays = 99*UnitScale, 10
	if _, err := s.UpdateMedication(ctx, edit); err != nil {
		t.Fatal(err)
	}
	stock(1000)
	if m, _ := s.Medication(ctx, taper.ID); m.RefillDays != 10 || m.EffectiveRefillDays() != 10 {
		t.Fatalf("refill days = %d", m.RefillDays)
	}
	// One tablet left, the next step... take two doses: the stock reaches 0, then stays there
	// and says the dose was short.
	if ev, err = s.RecordDose(ctx, DoseEvent{MedicationID: taper.ID, ScheduledAt: at8(6), State: DoseTaken}); err != nil || !ev.Stock.RanOut() || ev.Stock.Short != 0 {
		t.Fatalf("last tablet = %+v, %v", ev.Stock, err)
	}
	if ev, err = s.RecordDose(ctx, DoseEvent{MedicationID: taper.ID, ScheduledAt: at8(7), State: DoseTaken}); err != nil || ev.Stock.Left != 0 || ev.Stock.Short != 1000 {
		t.Fatalf("beyond the stock = %+v, %v", ev.Stock, err)
	}
	stock(0)

	// Not a count of units: the stock stays.
	mg, err := s.AddMedication(ctx, Medication{Name: "Metformin", Dose: "500 mg", StockKept: true, Stock: 30 * UnitScale, Steps: []Step{{Times: []TimeOfDay{8 * 60}}}})
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := s.RecordDose(ctx, DoseEvent{MedicationID: mg.ID, ScheduledAt: at8(4), State: DoseTaken}); err != nil || ev.Stock.Counted {
		t.Fatalf("mg dose = %+v, %v", ev.Stock, err)
	}
	// As needed: each dose taken counts.
	prn, err := s.AddMedication(ctx, Medication{Name: "Paracetamol", Dose: "2 tablets", AsNeeded: true, StockKept: true, Stock: 16 * UnitScale})
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := s.RecordDose(ctx, DoseEvent{MedicationID: prn.ID, State: DoseTaken}); err != nil || ev.Stock.Left != 14000 {
		t.Fatalf("as needed = %+v, %v", ev.Stock, err)
	}
	// No stock kept: nothing changes, nothing is counted.
	none, _ := s.AddMedication(ctx, Medication{Name: "Vitamin D", Dose: "1 tablet", Steps: []Step{{Times: []TimeOfDay{8 * 60}}}})
	if ev, err := s.RecordDose(ctx, DoseEvent{MedicationID: none.ID, ScheduledAt: at8(4), State: DoseTaken}); err != nil || ev.Stock.Counted {
		t.Fatalf("no stock = %+v, %v", ev.Stock, err)
	}
	if m, _ := s.Medication(ctx, none.ID); m.StockKept || m.Stock != 0 {
		t.Fatalf("no stock kept: %+v", m)
	}
}

func TestSetAndAddStock(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := medStore(t, &now)
	m, err := s.AddMedication(ctx, Medication{Name: "Metformin", Dose: "1 tablet", Steps: []Step{{Times: []TimeOfDay{8 * 60}}}})
	if err != nil {
		t.Fatal(err)
	}
	if m, err = s.AddStock(ctx, m.ID, 30*UnitScale); err != nil || !m.StockKept || m.Stock != 30*UnitScale {
		t.Fatalf("add to none = %+v, %v", m, err)
	}
	if m, err = s.AddStock(ctx, m.ID[:6], 28*UnitScale); err != nil || m.Stock != 58*UnitScale {
		t.Fatalf("refill = %v, %v", m.Stock, err)
	}
	if m, err = s.SetStock(ctx, m.ID, 12500, true); err != nil || m.Stock != 12500 {
		t.Fatalf("set = %v, %v", m.Stock, err)
	}
	for _, bad := range []func() error{
		func() error { _, err := s.AddStock(ctx, m.ID, 0); return err },
		func() error { _, err := s.AddStock(ctx, m.ID, MaxStock); return err },
		func() error { _, err := s.SetStock(ctx, m.ID, -1, true); return err },
		func() error {
			_, err := s.AddMedication(ctx, Medication{Name: "X", AsNeeded: true, StockKept: true, Stock: -1})
			return err
		},
		func() error {
			_, err := s.AddMedication(ctx, Medication{Name: "X", AsNeeded: true, RefillDays: MaxRefillDays + 1})
			return err
		},
	} {
		if err := bad(); !errors.Is(err, ErrInvalid) {
			t.Errorf("accepted: %v", err)
		}
	}
	if _, err := s.AddStock(ctx, "nosuchid", UnitScale); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	// The stock is sealed with the rest of the record: it reads back after reopening.
	if m, err = s.SetStock(ctx, m.ID, 0, false); err != nil || m.StockKept {
		t.Fatalf("stop keeping = %+v, %v", m, err)
	}
	if got, _ := s.Medication(ctx, m.ID); got.StockKept || got.Stock != 0 {
		t.Fatalf("after stop: %+v", got)
	}
}
