package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// medByID is one medicine of `med list --json`, as decoded JSON.
func medByID(t *testing.T, h *harness, id string) map[string]any {
	t.Helper()
	var meds []map[string]any
	h.jsonOK(&meds, "med", "list")
	for _, m := range meds {
		if m["id"] == id {
			return m
		}
	}
	t.Fatalf("%s not in med list", id)
	return nil
}

// wantSupply checks med list's stock, days_left and refill_by exactly (nil for null).
func wantSupply(t *testing.T, h *harness, id string, stock, days, refillBy any) {
	t.Helper()
	m := medByID(t, h, id)
	for k, want := range map[string]any{"stock": stock, "days_left": days, "refill_by": refillBy} {
		got, ok := m[k]
		if !ok {
			t.Fatalf("med list lacks %q: %v", k, m)
		}
		if got != want {
			t.Fatalf("%s = %v (%T), want %v; med %v", k, got, got, want, m)
		}
	}
}

func TestMedStock(t *testing.T) {
	h := newDoseHarness(t) // now: 2026-11-25 12:00, New York
	// Twice a day from the evening of 25 Nov: the 29th dose, 9 Dec 20:00, finds none.
	med := strings.TrimSpace(h.ok("med", "add", "--name", "Metformin", "--dose", "1 tablet", "--times", "08:00,20:00",
		"--start", "2026-11-20", "--stock", "28"))
	wantSupply(t, h, med, 28.0, 14.0, "2026-12-02")
	if out := h.ok("med", "list"); !strings.Contains(out, "28 tablets left · about 14 days · refill by 2 Dec") {
		t.Fatalf("med list says:\n%s", out)
	}

	// A taken dose lowers it, whatever the dose's own time (this morning's, answered late
	// in the day); un-taking it gives it back.
	h.ok("med", "take", med, "--at", "2026-11-25T08:20:00-05:00")
	wantSupply(t, h, med, 27.0, 13.0, "2026-12-02")
	h.ok("med", "take", med, "--at", "2026-11-25T08:40:00-05:00", "--change") // the time corrected: no second tablet
	wantSupply(t, h, med, 27.0, 13.0, "2026-12-02")
	h.ok("med", "skip", med, "--at", "2026-11-25T08:20:00-05:00", "--change")
	wantSupply(t, h, med, 28.0, 14.0, "2026-12-02")

	// A refill, then a count.
	if out := h.ok("med", "stock", med, "--add", "30"); !strings.Contains(out, "Metformin refilled +30: 58 tablets left") {
		t.Fatalf("refill says %q", out)
	}
	var m map[string]any
	h.jsonOK(&m, "med", "stock", med, "--set", "0")
	if m["id"] != med || m["stock"] != 0.0 || m["days_left"] != 0.0 || m["refill_by"] != "2026-11-18" {
		t.Fatalf("--set 0 = %v", m)
	}
	h.jsonOK(&m, "med", "stock", med[:8], "--set", "27.5")
	if m["stock"] != 27.5 {
		t.Fatalf("--set 27.5 = %v", m)
	}
	for _, bad := range [][]string{
		{"med", "stock", med},
		{"med", "stock", med, "--add", "1", "--set", "2"},
		{"med", "stock", med, "--add", "-5"},
		{"med", "stock", med, "--add", "0"},
		{"med", "stock", med, "--add", "abc"},
		{"med", "stock", med, "--set", "1e3"},
		{"med", "stock", med, "--set", "-1"},
		{"med", "stock", med, "--set", "100001"},
		{"med", "stock", "--set", "3"},
		{"med", "add", "--name", "X", "--as-needed", "--stock", "-1"},
		{"med", "add", "--name", "X", "--as-needed", "--stock", "many"},
		{"med", "add", "--name", "X", "--as-needed", "--refill-days", "0"},
		{"med", "add", "--name", "X", "--as-needed", "--refill-days", "91"},
		{"med", "add", "--name", "X", "--as-needed", "--refill-days", "a week"},
	} {
		h.wantCode(ExitUsage, bad...)
	}
	h.wantCode(ExitNotFound, "med", "stock", "00000000-0000-4000-8000-000000000000", "--add", "5")
	wantSupply(t, h, med, 27.5, 13.0, "2026-12-02") // nothing refused changed anything

	// The last tablet: the dose is recorded, the stock reaches 0 and says so; a further
	// dose leaves it at 0 and says the count was short.
	one := strings.TrimSpace(h.ok("med", "add", "--name", "Ramipril", "--dose", "1 capsule", "--times", "08:00,20:00", "--start", "2026-11-20", "--stock", "1"))
	r := h.run("med", "take", one, "--at", "2026-11-25T08:00:00-05:00")
	if r.code != 0 || !strings.Contains(r.stderr, "Ramipril ran out: 0 capsules left") {
		t.Fatalf("last capsule: %d %q", r.code, r.stderr)
	}
	r = h.run("med", "take", one, "--at", "2026-11-24T20:00:00-05:00")
	if r.code != 0 || !strings.Contains(r.stderr, "Ramipril ran out: the stock had 1 capsule fewer than this dose; it stays at 0") {
		t.Fatalf("beyond the stock: %d %q", r.code, r.stderr)
	}
	wantSupply(t, h, one, 0.0, 0.0, "2026-11-18")
}

func TestMedStockSchedules(t *testing.T) {
	h := newDoseHarness(t) // now: 2026-11-25 12:00, New York
	// A taper: 2 tablets a day to 27 Nov, then 1: 10 tablets cover 26 and 27 Nov (4) and
	// 28 Nov to 3 Dec (6); 4 Dec 08:00 finds none.
	taper := strings.TrimSpace(h.ok("med", "add", "--name", "Prednisolone", "--dose", "2 tablets", "--times", "08:00",
		"--start", "2026-11-25", "--stock", "10", "--refill-days", "3"))
	h.ok("med", "step", "add", taper, "--times", "08:00", "--start", "2026-11-28", "--dose", "1 tablet")
	wantSupply(t, h, taper, 10.0, 8.0, "2026-12-01")
	// This morning's dose taken after its time counts the taper's 2 tablets.
	h.ok("med", "take", taper, "--at", "2026-11-25T09:30:00-05:00")
	wantSupply(t, h, taper, 8.0, 6.0, "2026-11-29")

	// Every 2 days from 25 Nov: 3 tablets cover 27, 29 Nov and 1 Dec.
	every := strings.TrimSpace(h.ok("med", "add", "--name", "Methotrexate", "--dose", "1 tablet", "--times", "08:00",
		"--every-days", "2", "--start", "2026-11-25", "--stock", "3"))
	wantSupply(t, h, every, 3.0, 7.0, "2026-11-26")

	// As needed: a stock, taken from, but no days left.
	prn := strings.TrimSpace(h.ok("med", "add", "--name", "Paracetamol", "--dose", "2 tablets", "--as-needed", "--stock", "16"))
	h.ok("med", "take", prn)
	wantSupply(t, h, prn, 14.0, nil, nil)

	// A dose by weight is no count: the stock stays, days left unknown.
	mg := strings.TrimSpace(h.ok("med", "add", "--name", "Metformin", "--dose", "500 mg", "--times", "08:00", "--start", "2026-11-20", "--stock", "60"))
	h.ok("med", "take", mg, "--at", "2026-11-25T08:00:00-05:00")
	wantSupply(t, h, mg, 60.0, nil, nil)

	// No stock kept: every field present, null.
	none := strings.TrimSpace(h.ok("med", "add", "--name", "Vitamin D", "--dose", "1 tablet", "--times", "08:00"))
	wantSupply(t, h, none, nil, nil, nil)
	var raw []json.RawMessage
	h.jsonOK(&raw, "med", "list")
	for _, r := range raw {
		if strings.Contains(string(r), "Vitamin D") && !strings.Contains(string(r), `"stock": null,
    "days_left": null,
    "refill_by": null`) {
			t.Fatalf("nulls: %s", r)
		}
	}
}

// A clinic medicine added as a local one takes --stock and --refill-days too (`med add ...
// [--stock N] [--refill-days N]`).
func TestMedAddFromRecordStock(t *testing.T) {
	h := newRecordHarness(t)
	h.wantCode(ExitUsage, "med", "add", "--from-record", h.localID("mr-atorvastatin"), "--stock", "-2")
	var m map[string]any
	h.jsonOK(&m, "med", "add", "--from-record", h.localID("mr-atorvastatin"), "--stock", "30", "--refill-days", "10")
	if m["stock"] != 30.0 {
		t.Fatalf("from record with stock: %v", m)
	}
	wantSupply(t, h, m["id"].(string), 30.0, m["days_left"], m["refill_by"])
}
