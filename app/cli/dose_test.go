package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

func newDoseHarness(t *testing.T) *harness {
	h := newHarness(t)
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	h.loc = loc
	h.now = time.Date(2026, 11, 25, 12, 0, 0, 0, loc)
	h.env["COMPANION_PASSPHRASE"] = testPass
	h.ok("profile", "create", "A", "--no-keyring")
	return h
}

func TestTakeAndSkip(t *testing.T) {
	h := newDoseHarness(t)
	med := strings.TrimSpace(h.ok("med", "add", "--name", "Metformin", "--dose", "500 mg", "--times", "08:00,20:00", "--start", "2026-11-20"))

	var d map[string]any
	// 08:20 answers the 08:00 dose (within its 2-hour window).
	h.jsonOK(&d, "med", "take", med, "--at", "2026-11-25T08:20:00-05:00")
	if d["state"] != "taken" || d["scheduled_at"] != "2026-11-25T08:00:00-05:00" || d["late"] != false {
		t.Fatalf("take = %v", d)
	}
	// Again: the nearest dose is answered already (20:00 is more than an hour away).
	h.wantCode(ExitUsage, "med", "take", med, "--at", "2026-11-25T08:30:00-05:00")
	// 19:10 is within the hour before 20:00.
	h.jsonOK(&d, "med", "skip", med, "--at", "2026-11-25T19:10:00-05:00")
	if d["state"] != "skipped" || d["scheduled_at"] != "2026-11-25T20:00:00-05:00" {
		t.Fatalf("skip = %v", d)
	}
	// Taken 50 minutes after its time: late.
	h.jsonOK(&d, "med", "take", med, "--at", "2026-11-26T08:50:00-05:00")
	if d["late"] != true {
		t.Fatalf("late take = %v", d)
	}
	// Past the window: nothing to answer.
	h.wantCode(ExitNotFound, "med", "take", med, "--at", "2026-11-26T22:30:00-05:00")

	var log []map[string]any
	h.jsonOK(&log, "med", "log", med)
	if len(log) != 3 || log[0]["state"] != "taken" || log[1]["state"] != "skipped" {
		t.Fatalf("log = %v", log)
	}
	// Doses are journal entries.
	var j []map[string]any
	h.jsonOK(&j, "journal", "list", "--since", "2026-11-25T00:00:00-05:00")
	if len(j) != 3 || j[0]["kind"] != "dose" || j[0]["medication_id"] != med || j[0]["state"] != "taken" || j[0]["name"] != "Metformin" {
		t.Fatalf("journal = %v", j)
	}

	// As needed: take logs a new dose each time; skip makes no sense.
	prn := strings.TrimSpace(h.ok("med", "add", "--name", "Paracetamol", "--as-needed"))
	h.ok("med", "take", prn, "--at", "2026-11-25T09:00:00-05:00")
	h.ok("med", "take", prn, "--at", "2026-11-25T15:00:00-05:00")
	h.wantCode(ExitUsage, "med", "skip", prn)
	h.jsonOK(&log, "med", "log", prn)
	if len(log) != 2 || log[0]["scheduled_at"] != nil {
		t.Fatalf("as-needed log = %v", log)
	}
	h.wantCode(ExitNotFound, "med", "take", "00000000-0000-4000-8000-000000000000")

	// Removing keeps the history in the journal.
	h.ok("med", "remove", med)
	var meds []map[string]any
	h.jsonOK(&meds, "med", "list")
	if len(meds) != 1 {
		t.Fatalf("after remove: %v", meds)
	}
	h.jsonOK(&j, "journal", "list", "--since", "2026-11-25T00:00:00-05:00")
	if len(j) != 5 {
		t.Fatalf("journal after remove has %d entries, want 5", len(j))
	}
	h.wantCode(ExitNotFound, "med", "take", med)
}

// TestAnswerTwiceNeedsChange: a dose already taken or skipped is not answered again
// silently: exit 2 naming its answer, unless --change; the JSON is the same either way.
func TestAnswerTwiceNeedsChange(t *testing.T) {
	h := newDoseHarness(t)
	med := strings.TrimSpace(h.ok("med", "add", "--name", "Metformin", "--times", "08:00,20:00", "--start", "2026-11-20"))
	var taken, changed map[string]any
	h.jsonOK(&taken, "med", "take", med, "--at", "2026-11-25T08:20:00-05:00")
	for _, cmd := range []string{"take", "skip"} {
		r := h.wantCode(ExitUsage, "med", cmd, med, "--at", "2026-11-25T08:30:00-05:00")
		for _, want := range []string{"08:00 dose of Metformin on 2026-11-25 was already taken at 08:20", "--change"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("med %s again: stderr %q should say %q", cmd, r.stderr, want)
			}
		}
	}
	// The way out it names fits what was asked: a second take records the new time.
	if r := h.wantCode(ExitUsage, "med", "take", med, "--at", "2026-11-25T08:30:00-05:00"); !strings.Contains(r.stderr, "to record the time given instead, add --change") {
		t.Errorf("take again: %q", r.stderr)
	}
	if r := h.wantCode(ExitUsage, "med", "skip", med, "--at", "2026-11-25T08:30:00-05:00"); !strings.Contains(r.stderr, "to record it as skipped instead, add --change") {
		t.Errorf("skip after take: %q", r.stderr)
	}
	h.jsonOK(&changed, "med", "skip", med, "--at", "2026-11-25T08:30:00-05:00", "--change")
	if len(changed) != len(taken) {
		t.Errorf("--change printed fields %v, take printed %v", changed, taken)
	}
	for k := range taken {
		if _, ok := changed[k]; !ok {
			t.Errorf("--change lacks the field %q", k)
		}
	}
	if changed["id"] != taken["id"] || changed["state"] != "skipped" || changed["scheduled_at"] != "2026-11-25T08:00:00-05:00" ||
		changed["at"] != "2026-11-25T08:30:00-05:00" {
		t.Fatalf("changed = %v (taken was %v)", changed, taken)
	}
	if r := h.wantCode(ExitUsage, "med", "take", med, "--at", "2026-11-25T08:40:00-05:00"); !strings.Contains(r.stderr, "already skipped at 08:30") {
		t.Errorf("after the change: %q", r.stderr)
	}
	// --change on a dose not answered yet just answers it.
	h.jsonOK(&changed, "med", "take", med, "--at", "2026-11-25T20:05:00-05:00", "--change")
	if changed["state"] != "taken" || changed["scheduled_at"] != "2026-11-25T20:00:00-05:00" {
		t.Fatalf("--change on a new dose = %v", changed)
	}
	var log []map[string]any
	h.jsonOK(&log, "med", "log", med)
	if len(log) != 2 || log[1]["state"] != "skipped" {
		t.Fatalf("log = %v, want the 08:00 dose once, skipped", log)
	}
	// An as-needed medicine has no answer to change.
	prn := strings.TrimSpace(h.ok("med", "add", "--name", "Paracetamol", "--as-needed"))
	h.wantCode(ExitUsage, "med", "take", prn, "--change")
}

// TestTakeMissedDoseLate: a dose the reminder engine recorded missed may still be taken late
// with --at inside its window, as Today offers, without --change. (The engine's "missed"
// used to count as an answer here and not on Today.)
func TestTakeMissedDoseLate(t *testing.T) {
	h := newDoseHarness(t)
	med := strings.TrimSpace(h.ok("med", "add", "--name", "Metformin", "--times", "08:00,20:00", "--start", "2026-11-20"))
	s := h.openDirect()
	e := &remind.Engine{Store: s}
	for _, now := range []time.Time{h.now, h.now.Add(11 * time.Hour)} { // 12:00, then 23:00
		if _, err := e.Tick(context.Background(), now); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := s.DoseEvents(context.Background(), med, time.Time{}, time.Time{})
	s.Close()
	if err != nil || len(evs) != 1 || evs[0].State != data.DoseMissed {
		t.Fatalf("the engine should have recorded the 20:00 dose missed: %+v %v", evs, err)
	}
	h.now = h.now.Add(11 * time.Hour)
	var d map[string]any
	h.jsonOK(&d, "med", "take", med, "--at", "2026-11-25T21:00:00-05:00")
	if d["state"] != "taken" || d["scheduled_at"] != "2026-11-25T20:00:00-05:00" || d["late"] != true {
		t.Fatalf("take = %v", d)
	}
}

func TestRemindersNext(t *testing.T) {
	h := newDoseHarness(t)
	med := strings.TrimSpace(h.ok("med", "add", "--name", "Ramipril", "--times", "08:00", "--start", "2026-11-20"))
	h.ok("appointment", "add", "--at", "2026-11-27T10:30:00-05:00", "--title", "Diabetes check", "--location", "Clinic")
	h.ok("med", "take", med, "--at", "2026-11-26T07:30:00-05:00") // tomorrow's dose, taken early

	var r []map[string]any
	// from is inclusive: the 08:00 dose at exactly 08:00 is listed.
	h.jsonOK(&r, "reminders", "next", "--from", "2026-11-25T08:00:00-05:00", "--count", "4")
	want := []struct{ at, kind string }{
		{"2026-11-25T08:00:00-05:00", "dose"},
		{"2026-11-26T10:30:00-05:00", "appointment"}, // 24 h before
		{"2026-11-27T08:00:00-05:00", "dose"},        // the 26th is answered already
		{"2026-11-27T09:30:00-05:00", "appointment"}, // 1 h before
	}
	if len(r) != len(want) {
		t.Fatalf("reminders = %v", r)
	}
	for i, w := range want {
		if r[i]["at"] != w.at || r[i]["kind"] != w.kind {
			t.Errorf("#%d = %v %v, want %s %s", i, r[i]["at"], r[i]["kind"], w.at, w.kind)
		}
	}
	if r[0]["medication"] != "Ramipril" || r[0]["medication_id"] != med || r[1]["title"] != "Diabetes check" || r[1]["start"] != "2026-11-27T10:30:00-05:00" {
		t.Fatalf("fields: %v / %v", r[0], r[1])
	}
	h.ok("settings", "set", "appointment_reminders", "2h")
	h.jsonOK(&r, "reminders", "next", "--from", "2026-11-26T00:00:00-05:00", "--count", "10")
	n := 0
	for _, x := range r {
		if x["kind"] == "appointment" {
			n++
			if x["at"] != "2026-11-27T08:30:00-05:00" {
				t.Fatalf("appointment reminder at %v, want 2 h before", x["at"])
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d appointment reminders, want 1", n)
	}
	for _, bad := range [][]string{{"--count", "0"}, {"--count", "many"}, {"--from", "tomorrow"}} {
		h.wantCode(ExitUsage, append([]string{"reminders", "next"}, bad...)...)
	}

	// Damage to a setting this command does not use is not its damage: exit 0.
	h.ok("settings", "set", "snooze_minutes", "20")
	j := datatest.OpenJournal(t, datatest.OnlyJournal(t, h.dir))
	j.FlipSealed("settings", "snooze_minutes")
	h.jsonOK(&r, "reminders", "next", "--from", "2026-11-26T00:00:00-05:00", "--count", "10")
	// Damage to appointment_reminders is: exit 5, naming it, and the reminders as the
	// window's engine gives them meanwhile (the defaults, 24 h and 1 h before).
	j.FlipSealed("settings", "appointment_reminders")
	res := h.wantCode(ExitDamaged, "reminders", "next", "--from", "2026-11-26T00:00:00-05:00", "--count", "10", "--json")
	if !strings.Contains(res.stderr, "appointment_reminders") || strings.Contains(res.stderr, "snooze_minutes") {
		t.Errorf("stderr %q should name appointment_reminders alone", res.stderr)
	}
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("with damage the reminders are still listed: %v %q", err, res.stdout)
	}
	var at []any
	for _, x := range r {
		if x["kind"] == "appointment" {
			at = append(at, x["at"])
		}
	}
	if len(at) != 2 || at[0] != "2026-11-26T10:30:00-05:00" || at[1] != "2026-11-27T09:30:00-05:00" {
		t.Errorf("appointment reminders with the setting damaged: %v, want the defaults", at)
	}
}

func TestTaperStepAdd(t *testing.T) {
	h := newDoseHarness(t)
	med := strings.TrimSpace(h.ok("med", "add", "--name", "Prednisolone", "--dose", "20 mg", "--times", "08:00", "--start", "2026-12-01"))
	h.ok("med", "step", "add", med, "--times", "08:00", "--start", "2026-12-04", "--dose", "10 mg")
	h.wantCode(ExitUsage, "med", "step", "add", med, "--times", "08:00", "--start", "2026-12-02")
	var r []map[string]any
	h.jsonOK(&r, "reminders", "next", "--from", "2026-12-01T00:00:00-05:00", "--count", "5")
	wantDose := []string{"20 mg", "20 mg", "20 mg", "10 mg", "10 mg"}
	for i, w := range wantDose {
		if r[i]["dose"] != w {
			t.Fatalf("reminder %d = %v, want dose %s (the first step ends the day before the next)", i, r[i], w)
		}
	}
}

func TestAppointmentsAndSettings(t *testing.T) {
	h := newDoseHarness(t)
	var a map[string]any
	h.jsonOK(&a, "appointment", "add", "--at", "2026-12-03T10:30:00-05:00", "--end", "2026-12-03T11:00:00-05:00", "--title", "Eye test")
	for _, k := range []string{"id", "start", "end", "status", "title", "description", "location", "source"} {
		if _, ok := a[k]; !ok {
			t.Errorf("appointment JSON lacks %q", k)
		}
	}
	if a["source"] != "local" || a["status"] != "booked" || a["location"] != nil {
		t.Fatalf("appointment = %v", a)
	}
	h.ok("appointment", "add", "--at", "2026-12-01T09:00:00-05:00", "--title", "Blood test")
	var list []map[string]any
	h.jsonOK(&list, "appointment", "list")
	if len(list) != 2 || list[0]["title"] != "Blood test" {
		t.Fatalf("list = %v", list)
	}
	for _, bad := range [][]string{
		{"appointment", "add", "--title", "No time"},
		{"appointment", "add", "--at", "2026-12-01T09:00:00Z"},
		{"appointment", "add", "--at", "2026-12-01T09:00:00Z", "--title", " "},
		{"appointment", "add", "--at", "2026-12-01T09:00:00Z", "--title", "X", "--end", "2026-12-01T08:00:00Z"},
		{"settings", "set", "auto_lock_minutes", "-1"},
		{"settings", "set", "hide_medicine_names", "perhaps"},
		{"settings", "set", "snooze_minutes"},
	} {
		h.wantCode(ExitUsage, bad...)
	}
	h.wantCode(ExitNotFound, "settings", "get", "colour")
	h.wantCode(ExitNotFound, "settings", "set", "colour", "blue")
	var all map[string]string
	h.jsonOK(&all, "settings", "get")
	if all["hide_medicine_names"] != "false" || all["auto_lock_minutes"] != "5" {
		t.Fatalf("defaults = %v", all)
	}
	h.ok("settings", "set", "hide_medicine_names", "yes")
	if v := strings.TrimSpace(h.ok("settings", "get", "hide_medicine_names")); v != "true" {
		t.Fatalf("after set: %q", v)
	}
}

func TestNotes(t *testing.T) {
	h := newDoseHarness(t)
	h.wantCode(ExitUsage, "note", "add")
	h.wantCode(ExitUsage, "note", "add", "   ")
	var n map[string]any
	h.jsonOK(&n, "note", "add", "Is it fine to take ibuprofen?")
	if n["state"] != "queued" || n["direction"] != "out" || n["text"] != "Is it fine to take ibuprofen?" {
		t.Fatalf("note = %v", n)
	}
	h.ok("note", "add", "--", "-5 kg since March") // text that looks like a flag
	var list []map[string]any
	h.jsonOK(&list, "note", "list")
	if len(list) != 2 || list[1]["text"] != "-5 kg since March" {
		t.Fatalf("list = %v", list)
	}
	for _, k := range []string{"id", "at", "text", "direction", "state"} {
		if _, ok := list[0][k]; !ok {
			t.Errorf("note JSON lacks %q", k)
		}
	}
}
