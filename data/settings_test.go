package data

import (
	"context"
	"errors"
	"testing"
	"time"
)

// policyStub is a clinic's say over settings.
type policyStub struct {
	defaults map[string]string
	locked   map[string]bool
}

func (p policyStub) Default(key string) string { return p.defaults[key] }
func (p policyStub) IsLocked(key string) bool  { return p.locked[key] }

// TestSettingsInOneGo: Settings reads every setting at once, typed, with the app's
// defaults, the person's values, and the clinic's defaults and locks applied.
func TestSettingsInOneGo(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "A", "pw")
	defer s.Close()
	set, err := s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if set.HideMedicineNames || !set.StartAtLogin || set.AutoLock != 5*time.Minute || set.Snooze != 10*time.Minute ||
		len(set.AppointmentReminders) != 2 || set.AppointmentReminders[0] != 24*time.Hour || set.SyncInterval != 15*time.Minute {
		t.Fatalf("defaults: %+v", set)
	}
	if _, err := s.PutSetting(ctx, KeyAppointmentReminders, " 90m "); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutSetting(ctx, KeyStartAtLogin, "no"); err != nil {
		t.Fatal(err)
	}
	set, _ = s.Settings(ctx)
	if v, _ := set.Text(KeyAppointmentReminders); v != "90m" || set.AppointmentReminders[0] != 90*time.Minute || set.StartAtLogin {
		t.Fatalf("after writing: %q %+v", v, set)
	}
	// The caregiver alert: an hour by default, per person, 0 for never.
	if set.CaregiverAlert != time.Hour {
		t.Fatalf("caregiver alert by default %v, want 1h", set.CaregiverAlert)
	}
	if _, err := s.PutSetting(ctx, KeyCaregiverAlertMinutes, "0"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutSetting(ctx, KeyCaregiverAlertMinutes, "-5"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("caregiver alert of -5 minutes: %v", err)
	}
	if set, _ = s.Settings(ctx); set.CaregiverAlert != 0 {
		t.Fatalf("caregiver alert off reads %v", set.CaregiverAlert)
	}
	if _, err := set.Text("colour"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown key: %v", err)
	}

	// The clinic: a locked auto-lock, a default for hiding names, its sync interval (which
	// is nobody's setting but the clinic's, and was read by nothing before).
	s.policy = policyStub{
		defaults: map[string]string{KeyAutoLockMinutes: "2", KeyHideMedicineNames: "true", keySyncInterval: "30"},
		locked:   map[string]bool{KeyAutoLockMinutes: true},
	}
	if _, err := s.PutSetting(ctx, KeyAutoLockMinutes, "9"); !errors.Is(err, ErrLockedByClinic) {
		t.Fatalf("locked setting written: %v", err)
	}
	set, _ = s.Settings(ctx)
	if set.AutoLock != 2*time.Minute || !set.Locked[KeyAutoLockMinutes] || !set.HideMedicineNames || set.SyncInterval != 30*time.Minute {
		t.Fatalf("with the clinic: %+v", set)
	}
}

// TestSettingsDamaged: a setting that fails its integrity check is reported, with the
// default in its place and the others read.
func TestSettingsDamaged(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "A", "pw")
	defer s.Close()
	if _, err := s.PutSetting(ctx, KeySnoozeMinutes, "30"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutSetting(ctx, KeyHideMedicineNames, "true"); err != nil {
		t.Fatal(err)
	}
	var blob []byte
	if err := s.DB().QueryRow("SELECT sealed FROM settings WHERE key = ?", KeySnoozeMinutes).Scan(&blob); err != nil {
		t.Fatal(err)
	}
	blob[len(blob)/2] ^= 0x40
	if _, err := s.DB().Exec("UPDATE settings SET sealed = ? WHERE key = ?", blob, KeySnoozeMinutes); err != nil {
		t.Fatal(err)
	}
	set, err := s.Settings(ctx)
	var te *TamperedError
	if !errors.As(err, &te) || len(te.Records) != 1 || te.Records[0].ID != KeySnoozeMinutes {
		t.Fatalf("err = %v, want the damaged snooze setting named", err)
	}
	if set.Snooze != 10*time.Minute || !set.HideMedicineNames {
		t.Fatalf("damaged: %+v (want the default snooze, the stored hide)", set)
	}

	// A setting the clinic locked is the clinic's: its stored row, damaged or not, is not
	// read, so its damage is nobody's business. One the clinic only defaults falls back to
	// the clinic's default, not the app's.
	s.policy = policyStub{
		defaults: map[string]string{KeySnoozeMinutes: "25", KeyAutoLockMinutes: "3"},
		locked:   map[string]bool{KeySnoozeMinutes: true},
	}
	if set, err = s.Settings(ctx); err != nil || set.Snooze != 25*time.Minute {
		t.Fatalf("locked by the clinic over a damaged row: %+v, %v", set, err)
	}
	s.policy = policyStub{defaults: map[string]string{KeyAutoLockMinutes: "3"}}
	if err := s.SetSetting(ctx, KeyAutoLockMinutes, "soon"); err != nil { // another version's form
		t.Fatal(err)
	}
	set, _ = s.Settings(ctx)
	if set.AutoLock != 3*time.Minute {
		t.Fatalf("a stored value that fails its check: auto-lock %s, want the clinic's default 3m", set.AutoLock)
	}
}

// TestInputErrorField: validators name the field they refuse, and stay ErrInvalid with the
// same message, so the window flags a field with errors.As and the command line keeps exit 2.
func TestInputErrorField(t *testing.T) {
	for _, c := range []struct {
		err   error
		field string
		msg   string
	}{
		{func() error {
			_, err := ValidateStep(Step{Times: []TimeOfDay{480}, Start: Date{2026, 3, 2}, End: Date{2026, 3, 1}})
			return err
		}(),
			FieldEnd, "invalid input: the end date 2026-03-01 is before the start date 2026-03-02"},
		{func() error { _, err := ValidateStep(Step{Times: []TimeOfDay{480, 480}}); return err }(),
			FieldTimes, "invalid input: the time 08:00 is given twice"},
		{func() error { _, err := ParseTimeOfDay("25:00"); return err }(),
			FieldTimes, `invalid input: "25:00" is not a time of day: use HH:MM on a 24-hour clock, like 08:00 or 20:30`},
		{func() error { _, err := CheckSetting(KeyAutoLockMinutes, "soon"); return err }(),
			KeyAutoLockMinutes, "invalid input: use a whole number from 0 to 1440"},
	} {
		var ie *InputError
		if !errors.Is(c.err, ErrInvalid) || !errors.As(c.err, &ie) || ie.Field != c.field || c.err.Error() != c.msg {
			t.Errorf("%v: field %q, want %q and message %q", c.err, fieldOf(c.err), c.field, c.msg)
		}
	}
}

func fieldOf(err error) string {
	var ie *InputError
	if errors.As(err, &ie) {
		return ie.Field
	}
	return ""
}

// TestWhenTimeSettings: the times of day of the clinic's dosage words are settings, checked
// as HH:MM, and read as the `when` codes they stand for; the clinic may lock them.
func TestWhenTimeSettings(t *testing.T) {
	ctx := context.Background()
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "A", "pw")
	defer s.Close()
	set, err := s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]TimeOfDay{"MORN": 8 * 60, "NOON": 12 * 60, "AFT": 14 * 60, "EVE": 18 * 60, "NIGHT": 21 * 60, "HS": 21 * 60}
	for code, tod := range want {
		if set.When[code] != tod {
			t.Errorf("default %s = %s, want %s", code, set.When[code], tod)
		}
	}
	for _, bad := range []string{"25:00", "8", "08:60", "+8:00", "morning", ""} {
		if _, err := s.PutSetting(ctx, KeyTimeMorning, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("time_morning %q: %v, want invalid", bad, err)
		}
	}
	if v, err := s.PutSetting(ctx, KeyTimeMorning, "7:15"); err != nil || v != "07:15" {
		t.Fatalf("time_morning 7:15: %q %v", v, err)
	}
	if _, err := s.PutSetting(ctx, KeyTimeNight, "22:30"); err != nil {
		t.Fatal(err)
	}
	set, _ = s.Settings(ctx)
	if set.When["MORN"] != 7*60+15 || set.When["NIGHT"] != 22*60+30 || set.When["HS"] != 22*60+30 || set.When["EVE"] != 18*60 {
		t.Fatalf("after setting: %v", set.When)
	}
	s.policy = policyStub{defaults: map[string]string{KeyTimeEvening: "19:00"}, locked: map[string]bool{KeyTimeEvening: true}}
	if _, err := s.PutSetting(ctx, KeyTimeEvening, "17:00"); !errors.Is(err, ErrLockedByClinic) {
		t.Fatalf("locked time_evening written: %v", err)
	}
	if set, _ = s.Settings(ctx); set.When["EVE"] != 19*60 {
		t.Fatalf("clinic's evening: %v", set.When)
	}
}

// TestAppointmentRemindersNone: "none", as the help says, turns appointment reminders off
// (it was refused as a duration); an empty list is stored the same way.
func TestAppointmentRemindersNone(t *testing.T) {
	for _, in := range []string{"none", " None ", ""} {
		v, err := CheckSetting(KeyAppointmentReminders, in)
		if err != nil || v != "none" {
			t.Errorf("CheckSetting(%q) = %q, %v; want none", in, v, err)
		}
	}
	if _, err := CheckSetting(KeyAppointmentReminders, "nonesense"); err == nil {
		t.Error("a word that is not none was taken")
	}
}
