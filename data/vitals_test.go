package data

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseVitalUnits(t *testing.T) {
	for _, c := range []struct {
		typ, value, unit string
		want, want2      float64
		text             string // canonical text
	}{
		{VitalBloodPressure, "120/80", "", 120, 80, "120/80"},
		{VitalBloodPressure, " 142 / 91 ", "mmHg", 142, 91, "142/91"},
		{VitalPulse, "72", "bpm", 72, 0, "72"},
		{VitalWeight, "72.5", "", 72.5, 0, "72.5"},
		{VitalWeight, "160", "lb", 72.57477920, 0, "72.6"},
		{VitalWeight, "72,5", "kg", 72.5, 0, "72.5"},
		{VitalGlucose, "5.5", "mmol/L", 5.5, 0, "5.5"},
		{VitalGlucose, "99", "mg/dL", 99 / glucoseFactor, 0, "5.5"},
		{VitalTemperature, "37.2", "°C", 37.2, 0, "37.2"},
		{VitalTemperature, "98.6", "F", 37, 0, "37"},
		{VitalOxygen, "97", "%", 97, 0, "97"},
	} {
		v, err := ParseVital(c.typ, c.value, c.unit)
		if err != nil {
			t.Errorf("%s %q %q: %v", c.typ, c.value, c.unit, err)
			continue
		}
		if math.Abs(v.Value-c.want) > 1e-6 || math.Abs(v.Value2-c.want2) > 1e-6 {
			t.Errorf("%s %q %q = %v/%v, want %v/%v", c.typ, c.value, c.unit, v.Value, v.Value2, c.want, c.want2)
		}
		if got := v.Text(""); got != c.text {
			t.Errorf("%s %q %q: canonical text %q, want %q", c.typ, c.value, c.unit, got, c.text)
		}
		// And back into the unit it was typed in.
		if c.unit != "" && c.typ != VitalBloodPressure {
			if got := v.Text(c.unit); strings.ReplaceAll(c.value, ",", ".") != got {
				t.Errorf("%s %q %q shown in its unit as %q", c.typ, c.value, c.unit, got)
			}
		}
	}
}

func TestParseVitalRefusesImplausible(t *testing.T) {
	for _, c := range []struct{ typ, value, unit, says string }{
		{VitalBloodPressure, "120", "", "120/80"},
		{VitalBloodPressure, "80/120", "", "higher than the bottom"},
		{VitalBloodPressure, "400/80", "", "between 50 and 300"},
		{VitalBloodPressure, "120/10", "", "between 20 and 200"},
		{VitalPulse, "7", "", "between 20 and 300"},
		{VitalWeight, "7250", "kg", "between 0.5 and 500 kg"},
		{VitalWeight, "2000", "lb", "lb"},
		{VitalGlucose, "5.5", "mg/dL", "between"},
		{VitalTemperature, "98.6", "", "between 25 and 45 °C"},
		{VitalOxygen, "101", "", "between 50 and 100"},
		{VitalOxygen, "NaN", "", "not a number"},
		{VitalOxygen, "1e2", "", "not a number"},
		{VitalWeight, "70", "stone", "not a unit"},
		{"mood", "5", "", "not a kind of reading"},
	} {
		_, err := ParseVital(c.typ, c.value, c.unit)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s %q %q: %v, want ErrInvalid saying %q", c.typ, c.value, c.unit, err, c.says)
		}
	}
}

func TestVitalUnitByLocale(t *testing.T) {
	set := DefaultSettings()
	for _, c := range []struct{ typ, locale, want string }{
		{VitalWeight, "en_US.UTF-8", "lb"}, {VitalWeight, "en_GB.UTF-8", "kg"}, {VitalWeight, "C", "kg"},
		{VitalTemperature, "en_US.UTF-8", "°F"}, {VitalTemperature, "de_DE.UTF-8", "°C"},
		{VitalGlucose, "de_DE.UTF-8", "mg/dL"}, {VitalGlucose, "en_GB.UTF-8", "mmol/L"}, {VitalGlucose, "es_US@x", "mg/dL"},
		{VitalBloodPressure, "en_US.UTF-8", "mmHg"},
	} {
		if got := VitalUnit(set, c.typ, c.locale); got != c.want {
			t.Errorf("%s in %s: %q, want %q", c.typ, c.locale, got, c.want)
		}
	}
	set.Units[VitalWeight] = "kg"
	if got := VitalUnit(set, VitalWeight, "en_US.UTF-8"); got != "kg" {
		t.Errorf("a chosen unit: %q, want kg", got)
	}
}

func TestVitalsStoredAndShared(t *testing.T) {
	ctx := context.Background()
	s, _ := clinicalFixture(t) // a profile at 2026-03-10 12:00 UTC
	bp, _ := ParseVital(VitalBloodPressure, "142/91", "")
	bp.At = time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	bp.Note = "after coffee"
	kept, err := s.AddVital(ctx, bp, false)
	if err != nil || kept.Shared != ShareNo {
		t.Fatalf("add: %+v, %v", kept, err)
	}
	w, _ := ParseVital(VitalWeight, "160", "lb")
	shared, err := s.AddVital(ctx, w, true)
	if err != nil || shared.Shared != ShareQueued {
		t.Fatalf("add shared: %+v, %v", shared, err)
	}
	future := w
	future.At = time.Date(2026, 3, 11, 8, 0, 0, 0, time.UTC)
	if _, err := s.AddVital(ctx, future, false); !errors.Is(err, ErrInvalid) {
		t.Errorf("a reading tomorrow: %v, want ErrInvalid", err)
	}

	all, err := s.ListVitals(ctx, "", time.Time{})
	if err != nil || len(all) != 2 || all[0].ID != shared.ID || all[1].Note != "after coffee" || all[1].Text("") != "142/91" {
		t.Fatalf("list: %+v, %v", all, err)
	}
	if only, _ := s.ListVitals(ctx, VitalBloodPressure, time.Time{}); len(only) != 1 || only[0].ID != kept.ID {
		t.Errorf("by type: %+v", only)
	}
	if since, _ := s.ListVitals(ctx, "", time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)); len(since) != 1 || since[0].ID != shared.ID {
		t.Errorf("since: %+v", since)
	}

	// The outbox holds the shared reading only; deleted behind the app's back, it comes back.
	items, err := s.Outbox(ctx)
	if err != nil || len(items) != 1 || items[0].Entity != "vital" || items[0].EntityID != shared.ID {
		t.Fatalf("outbox: %+v, %v", items, err)
	}
	if _, err := s.db.Exec(`DELETE FROM outbox`); err != nil {
		t.Fatal(err)
	}
	items, err = s.Outbox(ctx)
	if err != nil || len(items) != 1 || items[0].EntityID != shared.ID {
		t.Fatalf("outbox after the item was deleted: %+v, %v", items, err)
	}
	if err := s.VitalRefused(ctx, items[0].Seq, shared.ID, "your clinic does not accept readings", time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Vital(ctx, shared.ID); v.Shared != ShareQueued || v.Error == "" {
		t.Errorf("refused: %+v", v)
	}
	if err := s.VitalSent(ctx, items[0].Seq, shared.ID, "obs-1"); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Vital(ctx, shared.ID); v.Shared != ShareSent || v.RemoteID != "obs-1" || v.Error != "" {
		t.Errorf("sent: %+v", v)
	}
	if items, _ := s.Outbox(ctx); len(items) != 0 {
		t.Errorf("outbox after sending: %+v", items)
	}
	// Sharing the other one later queues it.
	if v, err := s.ShareVital(ctx, kept.ID); err != nil || v.Shared != ShareQueued {
		t.Errorf("share later: %+v, %v", v, err)
	}
	if _, err := s.Vital(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown: %v", err)
	}
}

func TestVitalColumnsAuthenticated(t *testing.T) {
	ctx := context.Background()
	for _, edit := range []string{
		`UPDATE vitals SET at = at - 86400000`,
		`UPDATE vitals SET shared = 'sent'`,
		`UPDATE vitals SET remote_id = 'x'`,
		`UPDATE vitals SET deleted = 1`,
		`UPDATE vitals SET created_at = created_at + 1`,
		`UPDATE vitals SET fmt = 1`,
	} {
		s, _ := clinicalFixture(t)
		v, _ := ParseVital(VitalPulse, "72", "")
		v, err := s.AddVital(ctx, v, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Exec(edit); err != nil {
			t.Fatal(err)
		}
		_, err = s.ListVitals(ctx, "", time.Time{})
		damaged(t, edit, err, RecordRef{"vitals", v.ID})
		if _, err := s.Vital(ctx, v.ID); !IsDamaged(err) {
			t.Errorf("%s: by id %v, want damage", edit, err)
		}
	}
}

func TestShareReadingsSetting(t *testing.T) {
	for in, want := range map[string]string{"all": "all", "None": "none", "weight, blood-pressure": "blood-pressure,weight"} {
		if got, err := CheckSetting(KeyShareReadings, in); err != nil || got != want {
			t.Errorf("%q: %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "weight,mood", "weight,weight"} {
		if _, err := CheckSetting(KeyShareReadings, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got, err := CheckSetting(KeyWeightUnit, "LBS"); err != nil || got != "lb" {
		t.Errorf("weight unit: %q, %v", got, err)
	}
}
