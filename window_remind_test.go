package main

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/app/notify/notifytest"
)

// notifyCall is one org.freedesktop.Notifications.Notify call seen on the session bus.
type notifyCall struct {
	at      time.Time // when the bus saw it (dbus-monitor's time stamp)
	summary string
}

// watchNotifications runs dbus-monitor on the session bus and sends every Notify call.
func watchNotifications(t *testing.T) <-chan notifyCall {
	t.Helper()
	cmd := exec.Command("dbus-monitor", "--session", "type='method_call',interface='org.freedesktop.Notifications',member='Notify'")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("dbus-monitor: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	calls := make(chan notifyCall, 16)
	go func() {
		// A call is a header line with its time, then its arguments one per line: app name,
		// replaces id, icon, then the summary.
		sc := bufio.NewScanner(out)
		var cur *notifyCall
		strs := 0
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if strings.HasPrefix(line, "method call time=") && strings.Contains(line, "member=Notify") {
				f := strings.Fields(strings.TrimPrefix(line, "method call time="))
				sec, _ := strconv.ParseFloat(f[0], 64)
				cur, strs = &notifyCall{at: time.Unix(0, int64(sec*1e9))}, 0
				continue
			}
			if cur != nil && strings.HasPrefix(line, "string ") {
				if strs++; strs == 3 { // app name, icon, summary
					cur.summary, _ = strconv.Unquote(strings.TrimPrefix(line, "string "))
					calls <- *cur
					cur = nil
				}
			}
		}
	}()
	return calls
}

// TestWindowRemindsOnTheMinute: in the real window, a dose added for the next whole minute
// is reminded by a desktop notification (to dunst, over D-Bus) when that minute comes. The
// delay is logged, not asserted: docs/PERFORMANCE.md records it (the engine's own test,
// app.TestReminderOnTheMinute, shows the timer, not the 30-second tick, brings it). Then Take
// is chosen on that notification in dunst, and the real app records the dose taken — the
// whole way through main's wiring (a dunst of the test's own, whose menu can choose).
func TestWindowRemindsOnTheMinute(t *testing.T) {
	if os.Getenv("DISPLAY") == "" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("COMPANION_REQUIRE_KEYRING") != "" {
			t.Fatal("no DISPLAY or session bus in the test environment")
		}
		t.Skip("no DISPLAY or session bus")
	}
	for _, tool := range []string{"xdotool", "dbus-monitor"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (scripts/install-deps.sh installs it): %v", tool, err)
		}
	}
	dunst := notifytest.StartDunst(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", dunst.Addr) // the app's, dbus-monitor's and the commands'
	dir := t.TempDir()
	env := []string{"COMPANION_PASSPHRASE=minute test"}
	mustRun(t, dir, env, "profile", "create", "Minute", "--no-keyring")
	calls := watchNotifications(t)
	openByTyping(t, os.Args[0], dir, "minute test", "Minute")
	// The first whole minute at least 40 s away, so the engine has checked since the medicine
	// was added (each check reads the medicines; the 30-second tick is the latest).
	due := time.Now().Add(40 * time.Second).Truncate(time.Minute).Add(time.Minute)
	mustRun(t, dir, env, "med", "add", "--name", "Minute test", "--dose", "1 tablet", "--times", due.Format("15:04"))
	want := "Time for your " + due.Format("15:04") + " Minute test 1 tablet"
	deadline := time.After(time.Until(due) + 90*time.Second) // a bound on a broken test
	for {
		select {
		case c := <-calls:
			if c.summary == want {
				t.Logf("notification %.3f s after %s", c.at.Sub(due).Seconds(), due.Format("15:04:05"))
				if c.at.Before(due) {
					t.Fatalf("reminded %s before its time", due.Sub(c.at))
				}
				takeInDunst(t, dunst, dir, env)
				return
			}
			t.Logf("other notification: %q", c.summary)
		case <-deadline:
			t.Fatalf("no notification %q", want)
		}
	}
}

// takeInDunst chooses Take on the notification dunst shows, and waits for the app to record
// the dose (read with the command line from the profile's file).
func takeInDunst(t *testing.T, dunst *notifytest.Dunst, dir string, env []string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second) // a bound on a broken test, not a measure
	for dunst.Displayed(t) == 0 {                // dunst shows it a moment after the call
		if time.Now().After(deadline) {
			t.Fatal("dunst shows no notification")
		}
		time.Sleep(50 * time.Millisecond)
	}
	dunst.Choose(t, "Take")
	for {
		out := mustRun(t, dir, env, "journal", "list", "--json")
		if strings.Contains(out, `"taken"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Take on the notification recorded nothing; the journal lists %s", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
