package notify

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

// dunstHistory returns the summaries and bodies dunst has shown, after closing what is on
// screen (dunst keeps shown notifications out of its history until they close).
func dunstHistory(t *testing.T) []string {
	t.Helper()
	if out, err := exec.Command("dunstctl", "close-all").CombinedOutput(); err != nil {
		t.Fatalf("dunstctl close-all: %v: %s", err, out)
	}
	out, err := exec.Command("dunstctl", "history").Output()
	if err != nil {
		t.Fatalf("dunstctl history: %v", err)
	}
	var h struct {
		Data [][]struct {
			Summary struct{ Data string } `json:"summary"`
			Body    struct{ Data string } `json:"body"`
		} `json:"data"`
	}
	if err := json.Unmarshal(out, &h); err != nil {
		t.Fatalf("dunstctl history: %v: %s", err, out)
	}
	var got []string
	for _, group := range h.Data {
		for _, n := range group {
			got = append(got, n.Summary.Data+" | "+n.Body.Data)
		}
	}
	return got
}

func needNotificationServer(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("dunstctl"); err != nil || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("COMPANION_REQUIRE_KEYRING") != "" {
			t.Fatalf("the test environment has no dunst on a session bus: %v", err)
		}
		t.Skip("no dunst on a session bus (run under scripts/test-env.sh)")
	}
}

// TestReminderReachesTheBus: the engine's notice, with medicine names hidden, is delivered
// to the real notification server (dunst) over the session bus.
func TestReminderReachesTheBus(t *testing.T) {
	needNotificationServer(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	p := datatest.NewProfiles(t, nil)
	p.Location, p.Now = time.UTC, func() time.Time { return now }
	s, _ := datatest.CreatePassphrase(t, p, "Mum", "pw")
	marker := "Zqxmedicine" + time.Now().Format("150405")
	if _, err := s.AddMedication(ctx, data.Medication{Name: marker, Steps: []data.Step{{Times: []data.TimeOfDay{8 * 60}, Start: data.Date{Year: 2026, Month: 3, Day: 1}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutSetting(ctx, "hide_medicine_names", "true"); err != nil {
		t.Fatal(err)
	}
	eng := &remind.Engine{Store: s, Notifier: DBus{AppName: "Patient Companion"}, Person: func() string { return "Mum" }}
	if _, err := eng.Tick(ctx, now.Add(time.Hour+59*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Tick(ctx, now.Add(2*time.Hour+10*time.Second)); err != nil {
		t.Fatal(err)
	}
	want := "Mum — time for the 08:00 medicine"
	var hist []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		hist = dunstHistory(t)
		found := false
		for _, h := range hist {
			if strings.HasPrefix(h, want+" | ") {
				found = true
			}
			if strings.Contains(h, marker) {
				t.Fatalf("the medicine's name reached the notification server: %q", h)
			}
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no notification %q on the bus; dunst history: %q", want, hist)
		}
		time.Sleep(100 * time.Millisecond) // dunst handles the call asynchronously
	}
}
