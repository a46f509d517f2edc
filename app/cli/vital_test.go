package cli

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestVitalAddAndList(t *testing.T) {
	h := newHarness(t)
	h.env["COMPANION_PASSPHRASE"] = testPass
	h.env["LANG"] = "en_US.UTF-8"
	h.loc = time.UTC
	h.now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	h.ok("profile", "create", "Mum", "--no-keyring")

	var bp map[string]any
	h.jsonOK(&bp, "vital", "add", "--type", "blood-pressure", "--value", "142/91", "--at", "2026-03-10T08:00:00Z")
	var keys []string
	for k := range bp {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if want := []string{"at", "id", "shared", "type", "unit", "value"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("vital add --json fields %v, want %v", keys, want)
	}
	if bp["value"] != "142/91" || bp["unit"] != "mmHg" || bp["shared"] != "no" || bp["at"] != "2026-03-10T08:00:00Z" {
		t.Errorf("blood pressure: %v", bp)
	}
	// In the United States a bare weight is in pounds; the list gives the canonical kg.
	id := strings.TrimSpace(h.ok("vital", "add", "--type", "weight", "--value", "160", "--at", "2026-03-10T09:00:00Z"))
	h.ok("vital", "add", "--type", "glucose", "--value", "5.4", "--unit", "mmol/L", "--share")
	h.ok("vital", "add", "--type", "temperature", "--value", "37.5", "--unit", "C", "--at", "2026-03-09T20:00:00Z")

	var list []vitalJSON
	h.jsonOK(&list, "vital", "list")
	want := []vitalJSON{
		{Type: "glucose", At: "2026-03-10T12:00:00Z", Value: "5.4", Unit: "mmol/L", Shared: "queued"},
		{ID: id, Type: "weight", At: "2026-03-10T09:00:00Z", Value: "72.6", Unit: "kg", Shared: "no"},
		{Type: "blood-pressure", At: "2026-03-10T08:00:00Z", Value: "142/91", Unit: "mmHg", Shared: "no"},
		{Type: "temperature", At: "2026-03-09T20:00:00Z", Value: "37.5", Unit: "°C", Shared: "no"},
	}
	if len(list) != len(want) {
		t.Fatalf("vital list: %+v", list)
	}
	for i := range want {
		if want[i].ID == "" {
			want[i].ID = list[i].ID
		}
		if list[i] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, list[i], want[i])
		}
	}
	h.jsonOK(&list, "vital", "list", "--type", "weight")
	if len(list) != 1 || list[0].ID != id {
		t.Errorf("--type weight: %+v", list)
	}
	h.jsonOK(&list, "vital", "list", "--since", "2026-03-10T08:30:00Z")
	if len(list) != 2 {
		t.Errorf("--since: %+v", list)
	}
	// Human text follows the person's units: pounds and °F here.
	out := h.ok("vital", "list")
	for _, s := range []string{"160 lb", "99.5 °F", "142/91 mmHg", "(waiting to share)"} {
		if !strings.Contains(out, s) {
			t.Errorf("vital list does not say %q:\n%s", s, out)
		}
	}
	h.ok("settings", "set", "weight_unit", "kg")
	if out := h.ok("vital", "list", "--type", "weight"); !strings.Contains(out, "72.6 kg") {
		t.Errorf("after weight_unit kg: %s", out)
	}
	// Always sharing a type queues its readings without --share.
	h.ok("settings", "set", "share_readings", "pulse")
	var p vitalJSON
	h.jsonOK(&p, "vital", "add", "--type", "pulse", "--value", "72")
	if p.Shared != "queued" || p.Unit != "/min" {
		t.Errorf("pulse with share_readings: %+v", p)
	}
	var empty []vitalJSON
	h.jsonOK(&empty, "vital", "list", "--type", "oxygen")
	if empty == nil || len(empty) != 0 {
		t.Errorf("no oxygen readings: %v", empty)
	}
	if raw := h.ok("vital", "list", "--type", "oxygen", "--json"); strings.TrimSpace(raw) != "[]" {
		t.Errorf("an empty list is %q, want []", raw)
	}
}

func TestVitalRefusals(t *testing.T) {
	h := newHarness(t)
	h.env["COMPANION_PASSPHRASE"] = testPass
	h.ok("profile", "create", "Mum", "--no-keyring")
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"vital", "add", "--value", "72"}, "--type"},
		{[]string{"vital", "add", "--type", "pulse"}, "--value"},
		{[]string{"vital", "add", "--type", "mood", "--value", "3"}, "not a kind of reading"},
		{[]string{"vital", "add", "--type", "weight", "--value", "7250", "--unit", "kg"}, "not plausible"},
		{[]string{"vital", "add", "--type", "blood-pressure", "--value", "80/120"}, "higher than the bottom"},
		{[]string{"vital", "add", "--type", "oxygen", "--value", "101"}, "between 50 and 100"},
		{[]string{"vital", "add", "--type", "weight", "--value", "70", "--unit", "stone"}, "not a unit"},
		{[]string{"vital", "add", "--type", "pulse", "--value", "72", "--at", "2999-01-01T00:00:00Z"}, "future"},
		{[]string{"vital", "list", "--type", "mood"}, "not a kind of reading"},
		{[]string{"vital", "list", "--since", "yesterday"}, "since"},
		{[]string{"settings", "set", "glucose_unit", "g/L"}, "mmol/L or mg/dL"},
	} {
		r := h.wantCode(ExitUsage, c.args...)
		if !strings.Contains(r.stderr, c.says) {
			t.Errorf("%v: %q does not say %q", c.args, r.stderr, c.says)
		}
	}
	var list []json.RawMessage
	h.jsonOK(&list, "vital", "list")
	if len(list) != 0 {
		t.Errorf("a refused reading was stored: %s", list)
	}
}
