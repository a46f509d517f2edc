package data

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SettingSpec describes one profile setting: its default and how a value is checked.
type SettingSpec struct {
	Key     string
	Default string
	Help    string
	// Check returns the value in its canonical form, or an error saying what is allowed.
	Check func(string) (string, error)
}

func checkBool(v string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "on", "1":
		return "true", nil
	case "false", "no", "off", "0":
		return "false", nil
	}
	return "", invalid("input.use_true_false", nil, "use true or false")
}

func checkInt(lo, hi int) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			return "", invalid("input.whole_number_range", kv{"Min": lo, "Max": hi}, "use a whole number from %d to %d", lo, hi)
		}
		return strconv.Itoa(n), nil
	}
}

func checkDurations(v string) (string, error) {
	if strings.EqualFold(strings.TrimSpace(v), "none") {
		return "none", nil // what the help says, and what an empty list is stored as
	}
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		d, err := time.ParseDuration(p)
		if err != nil || d <= 0 || d > 14*24*time.Hour {
			return "", invalid("input.appt_reminders", nil, "use durations before the appointment, like 24h,1h (at most 336h each)")
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return "none", nil
	}
	return strings.Join(out, ","), nil
}

// ParseDurations reads a checked list like "24h,1h" (or "none").
func ParseDurations(v string) []time.Duration {
	var out []time.Duration
	for _, p := range strings.Split(v, ",") {
		if d, err := time.ParseDuration(strings.TrimSpace(p)); err == nil && d > 0 {
			out = append(out, d)
		}
	}
	return out
}

// The settings a person can change (the command line's `settings get/set` keys).
const (
	KeyHideMedicineNames    = "hide_medicine_names"
	KeyAutoLockMinutes      = "auto_lock_minutes"
	KeySnoozeMinutes        = "snooze_minutes"
	KeyAppointmentReminders = "appointment_reminders"
	KeyStartAtLogin         = "start_at_login"
	// The times of day a clinic's dosage words ("in the morning": FHIR timing `when` code
	// MORN) mean when a clinic medicine becomes a local one (DESIGN §6.1).
	KeyTimeMorning     = "time_morning"
	KeyTimeNoon        = "time_noon"
	KeyTimeAfternoon   = "time_afternoon"
	KeyTimeEvening     = "time_evening"
	KeyTimeNight       = "time_night"
	KeyWeightUnit      = "weight_unit"
	KeyGlucoseUnit     = "glucose_unit"
	KeyTemperatureUnit = "temperature_unit"
	KeyShareReadings   = "share_readings"
	// KeyCaregiverAlertMinutes: how long a dose of this person may stay unanswered before
	// whoever else has their profile open on this computer is told (0: never).
	KeyCaregiverAlertMinutes = "caregiver_alert_minutes"
	// keySyncInterval is the clinic's policy only (clinic.json); no person sets it.
	keySyncInterval = "sync_interval_minutes"
)

// settingSpecs are every profile setting, by key (with the target ranges: targets.go).
var settingSpecs = withTargets(map[string]SettingSpec{
	KeyHideMedicineNames:    {Default: "false", Help: "notifications say \"your 8:00 medicine\" instead of its name", Check: checkBool},
	KeyAutoLockMinutes:      {Default: "5", Help: "lock the window after this many idle minutes (0: never)", Check: checkInt(0, 1440)},
	KeySnoozeMinutes:        {Default: "10", Help: "how long Snooze waits", Check: checkInt(1, 240)},
	KeyAppointmentReminders: {Default: "24h,1h", Help: "how long before an appointment to remind (none: never)", Check: checkDurations},
	KeyStartAtLogin:         {Default: "true", Help: "start the app when you log in, so reminders fire", Check: checkBool},
	KeyTimeMorning:          {Default: "08:00", Help: "the time of a clinic medicine taken \"in the morning\" (HH:MM)", Check: checkTimeOfDay},
	KeyTimeNoon:             {Default: "12:00", Help: "the time of a clinic medicine taken \"at noon\" (HH:MM)", Check: checkTimeOfDay},
	KeyTimeAfternoon:        {Default: "14:00", Help: "the time of a clinic medicine taken \"in the afternoon\" (HH:MM)", Check: checkTimeOfDay},
	KeyTimeEvening:          {Default: "18:00", Help: "the time of a clinic medicine taken \"in the evening\" (HH:MM)", Check: checkTimeOfDay},
	KeyTimeNight:            {Default: "21:00", Help: "the time of a clinic medicine taken \"at night\" or \"at bedtime\" (HH:MM)", Check: checkTimeOfDay},
	KeyWeightUnit:           {Default: "auto", Help: "weight in kg or lb (auto: as usual where you live)", Check: checkUnit(VitalWeight)},
	KeyGlucoseUnit:          {Default: "auto", Help: "blood sugar in mmol/L or mg/dL (auto: as usual where you live)", Check: checkUnit(VitalGlucose)},
	KeyTemperatureUnit:      {Default: "auto", Help: "temperature in °C or °F (auto: as usual where you live)", Check: checkUnit(VitalTemperature)},
	KeyShareReadings:        {Default: "none", Help: "readings always shared with your care team: all, none, or types like blood-pressure,weight", Check: checkShareReadings},
	// Per person: the caregiver alert of issue 14 (notify).
	KeyCaregiverAlertMinutes: {Default: "60", Help: "tell the others with a profile open here when a dose is this many minutes unanswered (0: never)", Check: checkInt(0, 1440)},
})

func withTargets(specs map[string]SettingSpec) map[string]SettingSpec {
	for k, v := range targetSettings() {
		specs[k] = v
	}
	return specs
}

// whenSettings are the FHIR timing `when` codes the time settings give a time of day.
func whenSettings() []struct{ code, key string } {
	return []struct{ code, key string }{
		{"MORN", KeyTimeMorning}, {"NOON", KeyTimeNoon}, {"AFT", KeyTimeAfternoon},
		{"EVE", KeyTimeEvening}, {"NIGHT", KeyTimeNight}, {"HS", KeyTimeNight},
	}
}

// checkTimeOfDay accepts a time of day as HH:MM on a 24-hour clock (the hour may have one
// digit) and gives it back with two.
func checkTimeOfDay(v string) (string, error) {
	t, err := ParseTimeOfDay(v)
	if err != nil {
		return "", invalid("input.setting_time_of_day", nil, "use a time of day as HH:MM on a 24-hour clock, like 08:00 or 21:30")
	}
	return t.String(), nil
}

// checkUnit accepts auto or one of a reading type's units.
func checkUnit(vitalType string) func(string) (string, error) {
	return func(v string) (string, error) {
		if strings.EqualFold(strings.TrimSpace(v), "auto") {
			return "auto", nil
		}
		spec, _ := vitalSpecs(vitalType)
		if u, ok := spec.unit(v); ok {
			return u.name, nil
		}
		return "", invalid("input.setting_unit", kv{"Units": strings.Join(VitalUnits(vitalType), " / ")}, "use auto, %s", strings.Join(VitalUnits(vitalType), " or "))
	}
}

// checkShareReadings accepts all, none, or a list of reading types.
func checkShareReadings(v string) (string, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "all" || v == "none" {
		return v, nil
	}
	var out []string
	for _, t := range VitalTypes {
		for _, p := range strings.Split(v, ",") {
			if strings.TrimSpace(p) == t {
				out = append(out, t)
				break
			}
		}
	}
	if n := len(strings.Split(v, ",")); len(out) == 0 || n != len(out) {
		return "", invalid("input.setting_share_readings", kv{"Types": strings.Join(VitalTypes, ", ")}, "use all, none, or a list of %s", strings.Join(VitalTypes, ", "))
	}
	return strings.Join(out, ","), nil
}

// DefaultSyncInterval is how often the window syncs with the portal when the clinic does
// not say (DESIGN §4).
const DefaultSyncInterval = 15 * time.Minute

// SettingKeys lists the setting keys in order.
func SettingKeys() []string {
	keys := make([]string, 0, len(settingSpecs))
	for k := range settingSpecs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// SettingHelp is a setting's one-line description ("" for an unknown key).
func SettingHelp(key string) string { return settingSpecs[key].Help }

// CheckSetting returns value in its canonical form, or an *InputError (naming the key as its
// field) saying what is allowed ("use a whole number from 0 to 1440").
func CheckSetting(key, value string) (string, error) {
	spec, ok := settingSpecs[key]
	if !ok {
		return "", unknownSetting(key)
	}
	v, err := spec.Check(value)
	if err != nil {
		return "", asField(key, err)
	}
	return v, nil
}

func unknownSetting(key string) error {
	return fmt.Errorf("setting %q: %w (known: %s)", key, ErrNotFound, strings.Join(SettingKeys(), ", "))
}

// Settings are a profile's settings, read in one go (Store.Settings) with the clinic's
// locks and defaults applied: the one way the window, the command line and the reminder
// engine read them.
type Settings struct {
	HideMedicineNames bool
	// AutoLock is how long the window may stay idle before it locks; 0 never.
	AutoLock time.Duration
	Snooze   time.Duration
	// AppointmentReminders are how long before an appointment to remind; none when empty.
	AppointmentReminders []time.Duration
	StartAtLogin         bool
	// When are the times of day of the FHIR timing `when` codes the time settings name
	// (MORN, NOON, AFT, EVE, NIGHT and HS, which is bedtime: time_night).
	When map[string]TimeOfDay
	// Units are the units readings are entered and shown in, by reading type, where the
	// person chose one ("auto" or absent: as usual in the locale, see VitalUnit).
	Units map[string]string
	// ShareReadings are the reading types always shared with the care team.
	ShareReadings map[string]bool
	// CaregiverAlert is how long a dose may stay unanswered before the others with a
	// profile open on this computer are told; 0 never.
	CaregiverAlert time.Duration
	// Targets are the personal target ranges, by reading type (absent: none).
	Targets map[string]VitalTarget
	// SyncInterval is how often the window syncs with the portal: the clinic's
	// sync_interval_minutes, else DefaultSyncInterval.
	SyncInterval time.Duration
	// Locked are the settings the clinic set for good (by key).
	Locked map[string]bool

	text map[string]string // each setting's canonical text, for Text
}

// Text is a setting's value as the command line shows it ("true", "5", "24h,1h").
func (s Settings) Text(key string) (string, error) {
	v, ok := s.text[key]
	if !ok {
		return "", unknownSetting(key)
	}
	return v, nil
}

// DefaultSettings are the settings of a profile that never changed any, without a clinic.
func DefaultSettings() Settings { return settingsFrom(nil, nil) }

// settingsFrom applies the policy (nil: none) and the defaults over stored values.
func settingsFrom(stored map[string]string, policy Policy) Settings {
	out := Settings{Locked: map[string]bool{}, text: map[string]string{}}
	for key, spec := range settingSpecs {
		// The first that passes the setting's check: the clinic's locked value; else the
		// person's, then the clinic's default (a stored value of another version's form
		// falls back to it); else the app's default.
		var tries []string
		switch {
		case policy != nil && policy.IsLocked(key):
			tries, out.Locked[key] = []string{policy.Default(key)}, true
		case policy != nil:
			tries = []string{stored[key], policy.Default(key)}
		default:
			tries = []string{stored[key]}
		}
		v := spec.Default
		for _, t := range tries {
			if c, err := spec.Check(t); t != "" && err == nil {
				v = c
				break
			}
		}
		out.text[key] = v
	}
	t := out.text
	out.HideMedicineNames = t[KeyHideMedicineNames] == "true"
	out.StartAtLogin = t[KeyStartAtLogin] == "true"
	out.AutoLock = minutes(t[KeyAutoLockMinutes])
	out.Snooze = minutes(t[KeySnoozeMinutes])
	out.CaregiverAlert = minutes(t[KeyCaregiverAlertMinutes])
	out.AppointmentReminders = ParseDurations(t[KeyAppointmentReminders])
	out.When = map[string]TimeOfDay{}
	for _, w := range whenSettings() {
		out.When[w.code], _ = ParseTimeOfDay(t[w.key]) // checked: canonical
	}
	out.Units = map[string]string{VitalWeight: t[KeyWeightUnit], VitalGlucose: t[KeyGlucoseUnit], VitalTemperature: t[KeyTemperatureUnit]}
	out.ShareReadings = map[string]bool{}
	for _, vt := range VitalTypes {
		out.ShareReadings[vt] = t[KeyShareReadings] == "all" || strings.Contains(","+t[KeyShareReadings]+",", ","+vt+",")
	}
	out.Targets = map[string]VitalTarget{}
	for _, vt := range VitalTypes {
		if tg, ok, err := ParseTarget(vt, t[TargetKey(vt)], ""); ok && err == nil {
			out.Targets[vt] = tg
		}
	}
	out.SyncInterval = DefaultSyncInterval
	if policy != nil {
		if n, err := strconv.Atoi(policy.Default(keySyncInterval)); err == nil && n > 0 {
			out.SyncInterval = time.Duration(n) * time.Minute
		}
	}
	return out
}

func minutes(v string) time.Duration {
	n, _ := strconv.Atoi(v) // checked: canonical
	return time.Duration(n) * time.Minute
}

// Policy is a clinic's say over settings (a *clinic.Clinic): defaults, and settings locked.
type Policy interface {
	Default(key string) string
	IsLocked(key string) bool
}

// ErrLockedByClinic: the clinic that provided this installation set this setting for good.
var ErrLockedByClinic = errors.New("this setting is set by your clinic and cannot be changed")

// Settings reads every setting at once: the clinic's value where it locked one, else the
// person's, else the clinic's default, else the app's. A stored value that fails its
// integrity check is reported in a *TamperedError, with the default in its place, so a
// caller that goes on has sane settings.
func (s *Store) Settings(ctx context.Context) (Settings, error) {
	vals, damaged, err := s.readSettings(ctx)
	if err != nil {
		return settingsFrom(nil, s.policy), err
	}
	var bad TamperedError
	for _, k := range damaged {
		if s.SettingLocked(k) {
			continue // the clinic's value is used; the stored one never is
		}
		if _, ok := settingSpecs[k]; ok || !knownSettingKey(k) {
			bad.add("settings", k)
		}
	}
	return settingsFrom(vals, s.policy), bad.OrNil()
}

// SettingLocked reports whether the clinic locked a setting.
func (s *Store) SettingLocked(key string) bool { return s.policy != nil && s.policy.IsLocked(key) }

// PutSetting checks and stores one setting's value, returning it in canonical form: the
// one way a setting is written.
func (s *Store) PutSetting(ctx context.Context, key, value string) (string, error) {
	if _, ok := settingSpecs[key]; !ok {
		return "", unknownSetting(key)
	}
	if s.SettingLocked(key) {
		return "", fmt.Errorf("%s: %w", key, ErrLockedByClinic)
	}
	v, err := CheckSetting(key, value)
	var ie *InputError
	if errors.As(err, &ie) {
		// The command line names the setting and what was given.
		return "", &InputError{Field: key, Msg: fmt.Sprintf("%s %q: %s", key, value, ie.Msg), Key: ie.Key, Args: ie.Args}
	}
	if err != nil {
		return "", err
	}
	return v, s.SetSetting(ctx, key, v)
}
