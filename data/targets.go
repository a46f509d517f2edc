package data

// Personal target ranges for readings: what the person (or their doctor) set as the range a
// reading should stay in, drawn on the Readings screen's chart. Kept as settings
// (target_<type>) in the canonical unit, so changing the unit a person sees them in never
// changes the range.

import (
	"fmt"
	"strings"
)

// VitalTarget is a reading type's personal target range, in its canonical unit; for blood
// pressure Lo/Hi bound the top number and Lo2/Hi2 the bottom one.
type VitalTarget struct {
	Lo, Hi, Lo2, Hi2 float64
}

// TargetKey is the setting that holds a reading type's target range: target_blood_pressure,
// target_weight...
func TargetKey(vitalType string) string {
	return "target_" + strings.ReplaceAll(vitalType, "-", "_")
}

// targetSettings are the target range settings, one per reading type.
func targetSettings() map[string]SettingSpec {
	out := map[string]SettingSpec{}
	for _, t := range VitalTypes {
		t := t
		help := fmt.Sprintf("your target range for %s in %s, like %s (none: no target)", vitalWords(t), CanonicalUnit(t), targetExample(t))
		out[TargetKey(t)] = SettingSpec{Default: "none", Help: help, Check: func(v string) (string, error) {
			tg, ok, err := ParseTarget(t, v, "")
			if err != nil {
				return "", err
			}
			if !ok {
				return "none", nil
			}
			return tg.SettingText(t), nil
		}}
	}
	return out
}

func targetExample(t string) string {
	switch t {
	case VitalBloodPressure:
		return "90-135/60-85"
	case VitalPulse:
		return "60-100"
	case VitalWeight:
		return "70-80"
	case VitalGlucose:
		return "4-7"
	case VitalTemperature:
		return "36-37.5"
	}
	return "94-100"
}

// TargetExample is an example of a target range for a reading type, in its canonical unit.
func TargetExample(t string) string { return targetExample(t) }

// ParseTarget reads a target range as typed, in unit ("" for the canonical one): "90-130",
// or for blood pressure "90-135/60-85" (top number, then bottom number). Empty or "none"
// is no target (false). Each bound must be a plausible reading, the low one below the high.
func ParseTarget(vitalType, s, unit string) (VitalTarget, bool, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "none") {
		return VitalTarget{}, false, nil
	}
	bad := fmt.Errorf("write the range as low-high, like %s, or none", targetExample(vitalType))
	if vitalType == VitalBloodPressure {
		top, bottom, ok := strings.Cut(s, "/")
		tl, th, ok1 := strings.Cut(top, "-")
		bl, bh, ok2 := strings.Cut(bottom, "-")
		if !ok || !ok1 || !ok2 {
			return VitalTarget{}, false, fmt.Errorf("write the range as top number low-high/bottom number low-high, like %s, or none", targetExample(vitalType))
		}
		lo, err := ParseVital(vitalType, tl+"/"+bl, unit)
		if err != nil {
			return VitalTarget{}, false, bad
		}
		hi, err := ParseVital(vitalType, th+"/"+bh, unit)
		if err != nil {
			return VitalTarget{}, false, bad
		}
		if lo.Value >= hi.Value || lo.Value2 >= hi.Value2 {
			return VitalTarget{}, false, fmt.Errorf("the low number of a range should be below the high one, like %s", targetExample(vitalType))
		}
		return VitalTarget{Lo: lo.Value, Hi: hi.Value, Lo2: lo.Value2, Hi2: hi.Value2}, true, nil
	}
	l, h, ok := strings.Cut(s, "-")
	if !ok {
		return VitalTarget{}, false, bad
	}
	lo, err := ParseVital(vitalType, l, unit)
	if err != nil {
		return VitalTarget{}, false, bad
	}
	hi, err := ParseVital(vitalType, h, unit)
	if err != nil {
		return VitalTarget{}, false, bad
	}
	if lo.Value >= hi.Value {
		return VitalTarget{}, false, fmt.Errorf("the low number of a range should be below the high one, like %s", targetExample(vitalType))
	}
	return VitalTarget{Lo: lo.Value, Hi: hi.Value}, true, nil
}

// Text is the range in unit ("" for the canonical one), as ParseTarget reads it.
func (tg VitalTarget) Text(vitalType, unit string) string {
	lo := Vital{Type: vitalType, Value: tg.Lo, Value2: tg.Lo2}.Text(unit)
	hi := Vital{Type: vitalType, Value: tg.Hi, Value2: tg.Hi2}.Text(unit)
	if vitalType == VitalBloodPressure {
		l1, l2, _ := strings.Cut(lo, "/")
		h1, h2, _ := strings.Cut(hi, "/")
		return l1 + "-" + h1 + "/" + l2 + "-" + h2
	}
	return lo + "-" + hi
}

// SettingText is the range as its setting keeps it: in the canonical unit, to three
// decimals, so a range typed in pounds holds a reading typed in pounds on its bound (one
// decimal of kilograms would move the bound by up to 0.1 lb).
func (tg VitalTarget) SettingText(vitalType string) string {
	if vitalType == VitalBloodPressure {
		return fmtNum(tg.Lo, 3) + "-" + fmtNum(tg.Hi, 3) + "/" + fmtNum(tg.Lo2, 3) + "-" + fmtNum(tg.Hi2, 3)
	}
	return fmtNum(tg.Lo, 3) + "-" + fmtNum(tg.Hi, 3)
}

// Outside says how a reading falls outside the range: "above", "below" or "" (inside). For
// blood pressure either number outside is enough; above wins over below.
func (tg VitalTarget) Outside(v Vital) string {
	// Slack for a bound kept to three decimals (SettingText) after a unit conversion.
	const eps = 0.0005
	above := v.Value > tg.Hi+eps
	below := v.Value < tg.Lo-eps
	if v.Type == VitalBloodPressure {
		above = above || v.Value2 > tg.Hi2+eps
		below = below || v.Value2 < tg.Lo2-eps
	}
	switch {
	case above:
		return "above"
	case below:
		return "below"
	}
	return ""
}

// VitalIn is a canonical value in unit, unrounded, for drawing ("" or an unknown unit: the
// canonical one).
func VitalIn(vitalType, unit string, v float64) float64 {
	spec, ok := vitalSpecs(vitalType)
	if !ok {
		return v
	}
	if u, ok := spec.unit(unit); ok {
		return u.from(v)
	}
	return v
}
