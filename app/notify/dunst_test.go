package notify

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

// privateDunst is a dunst of the test's own, on a session bus of its own, whose context menu
// (its "dmenu" setting) is a script that chooses the action written in its choice file: the
// shared dunst of scripts/test-env.sh runs with built-in defaults, which have no dmenu.
type privateDunst struct {
	addr   string // the bus
	conn   *dbus.Conn
	choice string // the file naming the action to choose ("Take", "Snooze")
	dir    string
}

func startPrivateDunst(t *testing.T) *privateDunst {
	t.Helper()
	for _, tool := range []string{"dunst", "dunstctl", "dbus-daemon"} {
		if _, err := exec.LookPath(tool); err != nil || os.Getenv("DISPLAY") == "" {
			if os.Getenv("COMPANION_REQUIRE_KEYRING") != "" {
				t.Fatalf("the test environment has no %s or no display: %v", tool, err)
			}
			t.Skipf("no %s or no display (run under scripts/test-env.sh)", tool)
		}
	}
	d := &privateDunst{dir: t.TempDir()}
	d.choice = filepath.Join(d.dir, "choice")
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
	t.Cleanup(func() { stopProcess(bus) })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	d.addr = strings.TrimSpace(line)

	// dunst, its menu answered by the script. dunst hands the menu one line per action,
	// "#Take [...]" (the form varies between versions; the label comes first).
	script := filepath.Join(d.dir, "choose.sh")
	if err := os.WriteFile(script, []byte(`#!/bin/sh
# Stands in for dmenu: chooses the action named in the choice file.
want=$(cat "`+d.choice+`")
grep -m1 "^#$want"
`), 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(d.dir, "dunstrc")
	if err := os.WriteFile(conf, []byte("[global]\n    dmenu = "+script+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dunst := exec.Command("dunst", "-config", conf)
	dunst.Env = d.env()
	dunst.Stdout, dunst.Stderr = os.Stderr, os.Stderr
	if err := dunst.Start(); err != nil {
		t.Fatalf("dunst: %v", err)
	}
	t.Cleanup(func() { stopProcess(dunst) })

	if d.conn, err = dbus.Connect(d.addr); err != nil {
		t.Fatalf("connect to the private bus: %v", err)
	}
	t.Cleanup(func() { d.conn.Close() })
	deadline := time.Now().Add(10 * time.Second) // a bound on a broken setup, not a measure
	for {
		var has bool
		err := d.conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, service).Store(&has)
		if err == nil && has {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dunst did not take %s on the private bus: %v", service, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return d
}

func (d *privateDunst) env() []string {
	return append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+d.addr)
}

// choose opens dunst's context menu, whose script chooses action.
func (d *privateDunst) choose(t *testing.T, action string) {
	t.Helper()
	if err := os.WriteFile(d.choice, []byte(action), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dunstctl", "context")
	cmd.Env = d.env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dunstctl context: %v: %s", err, out)
	}
}

// stopProcess ends a process the test started, by its pid, and reaps it.
func stopProcess(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}

// centerNotifier sends an engine's notices through a Center, as the window does.
type centerNotifier struct {
	c       *Center
	profile string
	shown   chan bool
}

func (n centerNotifier) Notify(ctx context.Context, no remind.Notice) error {
	with, err := n.c.Show(ctx, no.Title, no.Body, Doses(n.profile, no))
	n.shown <- with
	return err
}

// TestActionRoundTripThroughDunst: the reminder goes to the real dunst with Take and Snooze;
// choosing Snooze in dunst's menu (dunstctl context) comes back as ActionInvoked, and the
// dose is recorded snoozed for the snooze_minutes setting in the real profile; Take on the
// next dose records it taken. A forged ActionInvoked from another program does nothing.
func TestActionRoundTripThroughDunst(t *testing.T) {
	d := startPrivateDunst(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The clock: set here, read by the action's goroutine (Center.Run) too.
	var clockMu sync.Mutex
	clock := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	now := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return clock }
	setNow := func(t time.Time) { clockMu.Lock(); clock = t; clockMu.Unlock() }
	p := datatest.NewProfiles(t, nil)
	p.Location, p.Now = time.UTC, now
	st, _ := datatest.CreatePassphrase(t, p, "Mum", "pw")
	med, err := st.AddMedication(ctx, data.Medication{Name: "Metformin", Steps: []data.Step{{
		Times: []data.TimeOfDay{8 * 60, 20 * 60}, Start: data.Date{Year: 2026, Month: 3, Day: 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutSetting(ctx, data.KeySnoozeMinutes, "15"); err != nil {
		t.Fatal(err)
	}
	answered := make(chan error, 4)
	c := &Center{Server: DBus{AppName: "Patient Companion", Conn: d.conn}}
	c.OnAction = func(action string, doses []Dose) {
		state := data.DoseTaken
		if action == ActionSnooze {
			state = data.DoseSnoozed
		}
		for _, dose := range doses {
			if dose.Profile != st.Info().ID {
				answered <- fmt.Errorf("a dose of profile %q", dose.Profile)
				continue
			}
			_, err := remind.Answer(ctx, st, dose.Occurrence, state, now())
			answered <- err
		}
	}
	go c.Run(ctx) //nolint:errcheck // ends with ctx
	shown := make(chan bool, 4)
	eng := &remind.Engine{Store: st, Notifier: centerNotifier{c: c, profile: st.Info().ID, shown: shown}}
	tick := func(at time.Time) {
		t.Helper()
		setNow(at)
		if _, err := eng.Tick(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	wait := func() {
		t.Helper()
		select {
		case err := <-answered:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(20 * time.Second): // a bound on a broken test, not a wait for the app
			t.Fatal("the action chosen in dunst never came back")
		}
	}
	state := func(at time.Time) data.DoseEvent {
		t.Helper()
		evs, err := st.DoseEvents(ctx, med.ID, at, at.Add(time.Second))
		if err != nil || len(evs) != 1 {
			t.Fatalf("dose events at %s: %+v, %v", at, evs, err)
		}
		return evs[0]
	}

	tick(now())
	at8 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	tick(at8.Add(10 * time.Second))
	if !<-shown {
		t.Fatal("dunst has actions, but the reminder went out without them")
	}
	setNow(at8.Add(3 * time.Minute))
	// Another program on the bus sends a forged ActionInvoked for it first: ignored, only the
	// notification server's own signals count (if it were taken, the Snooze chosen next in
	// dunst would find the notification answered, and never come back).
	c.mu.Lock()
	id := c.order[len(c.order)-1]
	c.mu.Unlock()
	other, err := dbus.Connect(d.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Emit(path, service+".ActionInvoked", id, ActionTake); err != nil {
		t.Fatal(err)
	}
	d.choose(t, "Snooze")
	wait()
	if ev := state(at8); ev.State != data.DoseSnoozed || !ev.SnoozeUntil.Equal(now().Add(15*time.Minute)) {
		t.Fatalf("08:00 after Snooze in dunst: %+v", ev)
	}

	at20 := time.Date(2026, 3, 2, 20, 0, 0, 0, time.UTC)
	tick(at20.Add(5 * time.Second))
	if !<-shown {
		t.Fatal("the 20:00 reminder went out without actions")
	}
	setNow(at20.Add(2 * time.Minute))
	d.choose(t, "Take")
	wait()
	if ev := state(at20); ev.State != data.DoseTaken || !ev.At.Equal(now()) {
		t.Fatalf("20:00 after Take in dunst: %+v", ev)
	}
}
