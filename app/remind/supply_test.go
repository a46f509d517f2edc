package remind

import (
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
)

func TestSupplyOf(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	daily := func(dose string, times ...data.TimeOfDay) data.Step {
		return data.Step{Times: times, Start: data.Date{Year: 2026, Month: 11, Day: 1}, Dose: dose}
	}
	med := func(stock data.Units, steps ...data.Step) data.Medication {
		return data.Medication{ID: "m", Name: "Metformin", StockKept: true, Stock: stock * data.UnitScale, Steps: steps}
	}
	d := func(y int, m time.Month, day int) data.Date { return data.Date{Year: y, Month: m, Day: day} }
	for _, tc := range []struct {
		name     string
		m        data.Medication
		now      string
		known    bool
		runOut   string
		days     int
		refillBy data.Date
	}{
		// 28 tablets at 08:00 and 20:00 from the evening of 19 Nov: the 29th dose, 3 Dec
		// 20:00, finds none.
		{"twice a day", med(28, daily("1 tablet", 8*60, 20*60)), "2026-11-19T09:00:00Z", true, "2026-12-03T20:00:00Z", 14, d(2026, 11, 26)},
		{"a dose at exactly now counts", med(1, daily("1 tablet", 8*60)), "2026-11-19T08:00:00Z", true, "2026-11-20T08:00:00Z", 1, d(2026, 11, 13)},
		{"none left", med(0, daily("1 tablet", 8*60)), "2026-11-19T07:00:00Z", true, "2026-11-19T08:00:00Z", 0, d(2026, 11, 12)},
		{"half tablets", med(2, daily("½ tablet", 8*60)), "2026-11-19T09:00:00Z", true, "2026-11-24T08:00:00Z", 4, d(2026, 11, 17)},
		// 2 tablets for 3 days, then 1 a day: 10 tablets last 2+2+2+1+1+1+1 doses.
		{"taper", med(10,
			data.Step{Times: []data.TimeOfDay{8 * 60}, Start: d(2026, 11, 19), End: d(2026, 11, 21), Dose: "2 tablets"},
			data.Step{Times: []data.TimeOfDay{8 * 60}, Start: d(2026, 11, 22), Dose: "1 tablet"}),
			"2026-11-19T07:00:00Z", true, "2026-11-26T08:00:00Z", 7, d(2026, 11, 19)},
		// Every 3 days from 19 Nov: 3 tablets cover 19, 22 and 25 Nov.
		{"every 3 days", med(3, data.Step{Times: []data.TimeOfDay{8 * 60}, EveryDays: 3, Start: d(2026, 11, 19), Dose: "1 tablet"}),
			"2026-11-19T07:00:00Z", true, "2026-11-28T08:00:00Z", 9, d(2026, 11, 21)},
		{"weekdays", med(2, data.Step{Times: []data.TimeOfDay{8 * 60}, Weekdays: []time.Weekday{time.Monday}, Start: d(2026, 11, 1), Dose: "1 capsule"}),
			"2026-11-19T07:00:00Z", true, "2026-12-07T08:00:00Z", 18, d(2026, 11, 30)},
		{"the schedule ends first", med(10, data.Step{Times: []data.TimeOfDay{8 * 60}, Start: d(2026, 11, 1), End: d(2026, 11, 25), Dose: "1 tablet"}),
			"2026-11-19T07:00:00Z", false, "", 0, data.Date{}},
		{"a dose by weight", med(30, daily("500 mg", 8*60)), "2026-11-19T07:00:00Z", false, "", 0, data.Date{}},
		{"a later step by volume", med(30, data.Step{Times: []data.TimeOfDay{8 * 60}, Start: d(2026, 11, 1), End: d(2026, 11, 20), Dose: "1 tablet"},
			data.Step{Times: []data.TimeOfDay{8 * 60}, Start: d(2026, 11, 21), Dose: "5 ml"}),
			"2026-11-19T07:00:00Z", false, "", 0, data.Date{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp := SupplyOf(tc.m, time.UTC, utc(tc.now))
			if !sp.Kept || sp.Left != tc.m.Stock || sp.Known != tc.known {
				t.Fatalf("supply = %+v", sp)
			}
			if !tc.known {
				return
			}
			if !sp.RunOut.Equal(utc(tc.runOut)) || sp.DaysLeft != tc.days || sp.RefillBy != tc.refillBy {
				t.Fatalf("run out %v, %d days, refill by %v; want %s, %d, %v", sp.RunOut, sp.DaysLeft, sp.RefillBy, tc.runOut, tc.days, tc.refillBy)
			}
		})
	}

	t.Run("as needed", func(t *testing.T) {
		m := data.Medication{Name: "Paracetamol", Dose: "2 tablets", AsNeeded: true, StockKept: true, Stock: 16 * data.UnitScale}
		if sp := SupplyOf(m, time.UTC, utc("2026-11-19T07:00:00Z")); !sp.Kept || sp.Known || sp.Unit != "tablet" {
			t.Fatalf("supply = %+v", sp)
		}
	})
	t.Run("no stock kept", func(t *testing.T) {
		m := med(0, daily("1 tablet", 8*60))
		m.StockKept = false
		if sp := SupplyOf(m, time.UTC, utc("2026-11-19T07:00:00Z")); sp.Kept || sp.Known {
			t.Fatalf("supply = %+v", sp)
		}
	})
	t.Run("refill days and the reminder window", func(t *testing.T) {
		m := med(28, daily("1 tablet", 8*60, 20*60))
		m.RefillDays = 3
		now := utc("2026-11-19T09:00:00Z")
		sp := SupplyOf(m, time.UTC, now)
		if sp.RefillBy != d(2026, 11, 30) || sp.RefillDue(time.UTC, now) {
			t.Fatalf("refill by %v, due %v", sp.RefillBy, sp.RefillDue(time.UTC, now))
		}
		if !sp.RefillDue(time.UTC, utc("2026-11-30T00:00:00Z")) || sp.RefillDue(time.UTC, utc("2026-11-29T23:59:59Z")) {
			t.Fatal("the refill reminder starts on the refill-by date")
		}
	})
	t.Run("the profile's zone", func(t *testing.T) {
		// 08:00 in New York is 13:00 UTC; run-out date and refill-by are New York dates.
		sp := SupplyOf(med(1, daily("1 tablet", 8*60)), ny, utc("2026-11-19T14:00:00Z"))
		if !sp.RunOut.Equal(utc("2026-11-21T13:00:00Z")) || sp.DaysLeft != 1 || sp.RefillBy != d(2026, 11, 14) {
			t.Fatalf("supply = %+v", sp)
		}
	})
}
