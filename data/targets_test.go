package data

import (
	"math"
	"testing"
)

func TestParseTarget(t *testing.T) {
	for _, c := range []struct {
		typ, in, unit string
		ok            bool
		want          string // canonical text; "" when refused or none
		bad           bool
	}{
		{VitalBloodPressure, "90-135/60-85", "", true, "90-135/60-85", false},
		{VitalBloodPressure, " none ", "", false, "", false},
		{VitalBloodPressure, "", "", false, "", false},
		{VitalBloodPressure, "135-90/60-85", "", false, "", true},
		{VitalBloodPressure, "90-135", "", false, "", true},
		{VitalWeight, "70-80", "", true, "70-80", false},
		{VitalWeight, "154-176", "lb", true, "69.9-79.8", false}, // shown to one decimal
		{VitalGlucose, "72-126", "mg/dL", true, "4-7", false},
		{VitalTemperature, "36-37,5", "", true, "36-37.5", false},
		{VitalPulse, "60-1000", "", false, "", true},
		{VitalOxygen, "95", "", false, "", true},
	} {
		tg, ok, err := ParseTarget(c.typ, c.in, c.unit)
		if (err != nil) != c.bad || ok != c.ok {
			t.Errorf("ParseTarget(%s, %q, %q): ok %v, err %v", c.typ, c.in, c.unit, ok, err)
			continue
		}
		if ok {
			if got := tg.Text(c.typ, ""); got != c.want {
				t.Errorf("ParseTarget(%s, %q, %q) = %q, want %q", c.typ, c.in, c.unit, got, c.want)
			}
		}
	}
}

func TestTargetOutside(t *testing.T) {
	tg, _, err := ParseTarget(VitalBloodPressure, "90-135/60-85", "")
	if err != nil {
		t.Fatal(err)
	}
	for bp, want := range map[string]string{"120/80": "", "135/85": "", "142/80": "above", "120/91": "above", "85/55": "below", "120/55": "below"} {
		v, err := ParseVital(VitalBloodPressure, bp, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := tg.Outside(v); got != want {
			t.Errorf("%s: %q, want %q", bp, got, want)
		}
	}
	// A bound typed in pounds holds a weight typed in pounds on it, kept as a setting too.
	typed, _, _ := ParseTarget(VitalWeight, "150-170", "lb")
	kept, err := CheckSetting(TargetKey(VitalWeight), typed.SettingText(VitalWeight))
	if err != nil {
		t.Fatal(err)
	}
	wt, _, _ := ParseTarget(VitalWeight, kept, "")
	v, _ := ParseVital(VitalWeight, "170", "lb")
	if got := wt.Outside(v); got != "" {
		t.Errorf("170 lb on a 150-170 lb range: %q", got)
	}
	if got := VitalIn(VitalTemperature, "°F", 37); math.Abs(got-98.6) > 1e-9 {
		t.Errorf("37 °C in °F = %v", got)
	}
}

func TestTargetSetting(t *testing.T) {
	if v, err := CheckSetting("target_blood_pressure", "90-135/60-85"); err != nil || v != "90-135/60-85" {
		t.Errorf("target_blood_pressure: %q, %v", v, err)
	}
	if _, err := CheckSetting("target_weight", "heavy"); err == nil {
		t.Error("target_weight heavy should be refused")
	}
	s := settingsFrom(map[string]string{"target_glucose": "4-7"}, nil)
	if tg, ok := s.Targets[VitalGlucose]; !ok || tg.Lo != 4 || tg.Hi != 7 {
		t.Errorf("Targets[glucose] = %+v, %v", tg, ok)
	}
	if _, ok := s.Targets[VitalWeight]; ok {
		t.Error("no weight target was set")
	}
}
