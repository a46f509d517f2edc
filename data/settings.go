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
	return "", fmt.Errorf("use true or false")
}

func checkInt(lo, hi int) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < lo || n > hi {
			return "", fmt.Errorf("use a whole number from %d to %d", lo, hi)
		}
		return strconv.Itoa(n), nil
	}
}

func checkDurations(v string) (string, error) {
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		d, err := time.ParseDuration(p)
		if err != nil || d <= 0 || d > 14*24*time.Hour {
			return "", fmt.Errorf("use durations before the appointment, like 24h,1h (at most 336h each)")
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

// Settings are every profile setting, by key.
var Settings = map[string]SettingSpec{
	"hide_medicine_names":   {Default: "false", Help: "notifications say \"your 8:00 medicine\" instead of its name", Check: checkBool},
	"auto_lock_minutes":     {Default: "5", Help: "lock the window after this many idle minutes (0: never)", Check: checkInt(0, 1440)},
	"snooze_minutes":        {Default: "10", Help: "how long Snooze waits", Check: checkInt(1, 240)},
	"appointment_reminders": {Key: "appointment_reminders", Default: "24h,1h", Help: "how long before an appointment to remind (none: never)", Check: checkDurations},
	"start_at_login":        {Default: "true", Help: "start the app when you log in, so reminders fire", Check: checkBool},
}

// SettingKeys lists the setting keys in order.
func SettingKeys() []string {
	keys := make([]string, 0, len(Settings))
	for k := range Settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Policy is a clinic's say over settings (a *clinic.Clinic): defaults, and settings locked.
type Policy interface {
	Default(key string) string
	IsLocked(key string) bool
}

// ErrLockedByClinic: the clinic that provided this installation set this setting for good.
var ErrLockedByClinic = errors.New("this setting is set by your clinic and cannot be changed")

// GetSetting returns a setting's value: the clinic's when it locked it, else the person's,
// else the clinic's default, else the app's. When the stored value cannot be trusted it
// returns the default together with the *TamperedError, so a caller that goes on has a
// sane value.
func (s *Store) GetSetting(ctx context.Context, key string) (string, error) {
	spec, ok := Settings[key]
	if !ok {
		return "", fmt.Errorf("setting %q: %w (known: %s)", key, ErrNotFound, strings.Join(SettingKeys(), ", "))
	}
	if s.policy != nil && s.policy.IsLocked(key) {
		return s.policy.Default(key), nil
	}
	v, err := s.Setting(ctx, key)
	var te *TamperedError
	if err != nil && !errors.As(err, &te) {
		return "", err
	}
	if te != nil {
		v = ""
	}
	if v == "" && s.policy != nil {
		v = s.policy.Default(key)
	}
	if v == "" {
		v = spec.Default
	}
	return v, err
}

// SettingLocked reports whether the clinic locked a setting.
func (s *Store) SettingLocked(key string) bool { return s.policy != nil && s.policy.IsLocked(key) }

// PutSetting checks and stores a setting's value, returning it in canonical form.
func (s *Store) PutSetting(ctx context.Context, key, value string) (string, error) {
	spec, ok := Settings[key]
	if !ok {
		return "", fmt.Errorf("setting %q: %w (known: %s)", key, ErrNotFound, strings.Join(SettingKeys(), ", "))
	}
	if s.SettingLocked(key) {
		return "", fmt.Errorf("%s: %w", key, ErrLockedByClinic)
	}
	v, err := spec.Check(value)
	if err != nil {
		return "", invalid("%s %q: %v", key, value, err)
	}
	return v, s.SetSetting(ctx, key, v)
}
