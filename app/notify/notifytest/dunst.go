// Package notifytest is the test kit for desktop notifications with buttons: a dunst of the
// test's own, on a D-Bus session bus of its own, whose context menu chooses the action the
// test names (docs/ARCHITECTURE.md, "Tests: the kits").
package notifytest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// Dunst is a running dunst on a private bus. The shared dunst of scripts/test-env.sh runs
// with built-in defaults, which have no context menu program (dunst's "dmenu" setting); this
// one's is a script that chooses the action written in a file.
type Dunst struct {
	// Addr is the private bus's address (for DBUS_SESSION_BUS_ADDRESS), Conn the test's own
	// connection to it.
	Addr string
	Conn *dbus.Conn

	choice string // the file naming the action to choose ("Take", "Snooze")
}

// StartDunst starts the bus and dunst (on the test's X display), both stopped when the
// test ends. Without dunst, dunstctl, dbus-daemon or a display it skips the test, or fails
// it under `make test` (COMPANION_REQUIRE_KEYRING).
func StartDunst(t *testing.T) *Dunst {
	t.Helper()
	for _, tool := range []string{"dunst", "dunstctl", "dbus-daemon"} {
		if _, err := exec.LookPath(tool); err != nil || os.Getenv("DISPLAY") == "" {
			if os.Getenv("COMPANION_REQUIRE_KEYRING") != "" {
				t.Fatalf("the test environment has no %s or no display: %v", tool, err)
			}
			t.Skipf("no %s or no display (run under scripts/test-env.sh)", tool)
		}
	}
	dir := t.TempDir()
	d := &Dunst{choice: filepath.Join(dir, "choice")}
	// The bus: its address is the first line dbus-daemon prints.
	bus := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1")
	out, err := bus.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	bus.Stderr = os.Stderr
	if err := bus.Start(); err != nil {
		t.Fatalf("dbus-daemon: %v", err)
	}
	t.Cleanup(func() { stop(bus) })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	d.Addr = strings.TrimSpace(line)

	// dunst hands its menu one line per action, "#Take [...]" (the rest varies between
	// versions; the label comes first).
	script := filepath.Join(dir, "choose.sh")
	if err := os.WriteFile(script, []byte(`#!/bin/sh
# Stands in for dmenu: chooses the action named in the choice file.
want=$(cat "`+d.choice+`")
grep -m1 "^#$want"
`), 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "dunstrc")
	if err := os.WriteFile(conf, []byte("[global]\n    dmenu = "+script+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dunst := exec.Command("dunst", "-config", conf)
	dunst.Env = d.Env()
	dunst.Stdout, dunst.Stderr = os.Stderr, os.Stderr
	if err := dunst.Start(); err != nil {
		t.Fatalf("dunst: %v", err)
	}
	t.Cleanup(func() { stop(dunst) })

	if d.Conn, err = dbus.Connect(d.Addr); err != nil {
		t.Fatalf("connect to the private bus: %v", err)
	}
	t.Cleanup(func() { d.Conn.Close() })
	deadline := time.Now().Add(10 * time.Second) // a bound on a broken setup, not a measure
	for {
		var has bool
		err := d.Conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.Notifications").Store(&has)
		if err == nil && has {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("dunst did not take org.freedesktop.Notifications on the private bus: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Env is the environment with the private bus as the session bus.
func (d *Dunst) Env() []string {
	return append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+d.Addr)
}

// Displayed is how many notifications dunst shows.
func (d *Dunst) Displayed(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("dunstctl", "count", "displayed")
	cmd.Env = d.Env()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dunstctl count: %v", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("dunstctl count: %q", out)
	}
	return n
}

// Choose opens dunst's context menu (dunstctl context), whose script chooses action, the
// label of a button ("Take").
func (d *Dunst) Choose(t *testing.T, action string) {
	t.Helper()
	if err := os.WriteFile(d.choice, []byte(action), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dunstctl", "context")
	cmd.Env = d.Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dunstctl context: %v: %s", err, out)
	}
}

// stop ends a process the kit started, by its pid, and reaps it.
func stop(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}
