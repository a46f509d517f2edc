package cli

import (
	"strings"
	"testing"

	"github.com/patient-companion/companion/clinic"
)

func riverside(t *testing.T) *clinic.Clinic {
	t.Helper()
	c, err := clinic.Parse([]byte(`{"name":"Riverside Health",
		"portal":{"fhir_base_url":"https://portal.riverside.example/fhir","client_id":"companion"},
		"support":{"phone":"+44 20 7946 0000"},
		"policy":{"auto_lock_minutes":3,"hide_medicine_names":true},
		"locked":["hide_medicine_names"]}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClinicBuild(t *testing.T) {
	h := newHarness(t)
	h.clinic = riverside(t)
	h.env["COMPANION_PASSPHRASE"] = testPass
	h.ok("profile", "create", "Pat", "--no-keyring")

	var about map[string]any
	h.jsonOK(&about, "about")
	locked, _ := about["locked_settings"].([]any)
	if about["clinic"] != "Riverside Health" || about["portal_url"] != "https://portal.riverside.example/fhir" || len(locked) != 1 || locked[0] != "hide_medicine_names" {
		t.Fatalf("about = %v", about)
	}
	// The clinic's policy: a locked setting cannot be changed (exit 7); the others are defaults.
	r := h.wantCode(ExitClinicLock, "settings", "set", "hide_medicine_names", "false")
	if !strings.Contains(r.stderr, "clinic") {
		t.Fatalf("stderr %q", r.stderr)
	}
	if v := strings.TrimSpace(h.ok("settings", "get", "hide_medicine_names")); v != "true" {
		t.Fatalf("locked setting = %q", v)
	}
	if v := strings.TrimSpace(h.ok("settings", "get", "auto_lock_minutes")); v != "3" {
		t.Fatalf("clinic default = %q", v)
	}
	h.ok("settings", "set", "auto_lock_minutes", "10")
	if v := strings.TrimSpace(h.ok("settings", "get", "auto_lock_minutes")); v != "10" {
		t.Fatalf("unlocked setting after set = %q", v)
	}
	// Without a clinic, about says so.
	h.clinic = nil
	h.jsonOK(&about, "about")
	if about["clinic"] != nil || about["portal_url"] != nil || len(about["locked_settings"].([]any)) != 0 {
		t.Fatalf("unprovisioned about = %v", about)
	}
}
