package remind

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

// The refill reminder comes once a day while a medicine is within its refill days, also
// after a restart (a new engine on the same profile), with names hidden while locked.
func TestCheckRefills(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, "08:00")
	m, err := f.store.AddMedication(ctx, data.Medication{Name: "Ramipril", Dose: "1 tablet", StockKept: true, Stock: 10 * data.UnitScale,
		Steps: []data.Step{{Times: []data.TimeOfDay{tod("08:00")}, Start: date("2026-03-01")}}})
	if err != nil {
		t.Fatal(err)
	}
	check := func(now string) (string, string, bool) {
		t.Helper()
		f.now = utc(now)
		title, body, ok, err := f.eng.CheckRefills(ctx, f.now)
		if err != nil {
			t.Fatal(err)
		}
		return title, body, ok
	}
	// 10 tablets from 3 Mar last to 12 Mar: refill by 6 Mar.
	if _, _, ok := check("2026-03-02T09:00:00Z"); ok {
		t.Fatal("a reminder before the refill-by date")
	}
	// 6 tablets last to 8 Mar; 9 Mar 08:00 finds none: refill by 2 Mar.
	if _, err := f.store.SetStock(ctx, m.ID, 6*data.UnitScale, true); err != nil {
		t.Fatal(err)
	}
	title, body, ok := check("2026-03-02T09:00:00Z")
	if !ok || title != "Time to ask for a refill" || body != "Ramipril runs out around 9 Mar — ask for a refill by 2 Mar." {
		t.Fatalf("reminder = %v %q %q", ok, title, body)
	}
	if _, _, ok := check("2026-03-02T18:00:00Z"); ok {
		t.Fatal("a second reminder the same day")
	}
	// A restart the same day: still once.
	f.eng = &Engine{Store: f.store, Notifier: f.rec, Locked: func() bool { return true }, Person: func() string { return "Mum" }}
	if _, _, ok := check("2026-03-02T19:00:00Z"); ok {
		t.Fatal("a second reminder after a restart")
	}
	title, body, ok = check("2026-03-03T08:30:00Z")
	if !ok || title != "Mum — a medicine is running out" || strings.Contains(body, "Ramipril") {
		t.Fatalf("locked reminder = %v %q %q", ok, title, body)
	}
	// A damaged record of the day sent is no reason to stay silent (the same day here).
	if _, err := f.store.SetStock(ctx, m.ID, 0, true); err != nil {
		t.Fatal(err)
	}
	datatest.OpenJournal(t, f.store.Path()).FlipSealed("settings", "engine.refill_notified")
	f.eng.Locked, f.eng.Person = nil, nil
	if title, body, ok = check("2026-03-03T09:00:00Z"); !ok || body != "Ramipril has run out — ask for a refill now." {
		t.Fatalf("after damage = %v %q %q", ok, title, body)
	}
	// Refilled: no reminder any more.
	if _, err := f.store.AddStock(ctx, m.ID, 30*data.UnitScale); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := check("2026-03-04T08:30:00Z"); ok {
		t.Fatal("a reminder after the refill")
	}
}

func TestRefillRequest(t *testing.T) {
	m := data.Medication{Name: "Metformin", Strength: "500 mg", Dose: "1 tablet", StockKept: true, Stock: 5 * data.UnitScale,
		Steps: []data.Step{{Times: []data.TimeOfDay{tod("08:00")}, Start: date("2026-03-01")}}}
	now := utc("2026-03-02T09:00:00Z")
	got := RefillRequest(m, SupplyOf(m, time.UTC, now), time.UTC, now)
	want := "Please could I have a repeat prescription for Metformin 500 mg? I have 5 tablets left, which runs out around 8 Mar. Thank you."
	if got != want {
		t.Fatalf("request = %q", got)
	}
}
