package notify

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/patient-companion/companion/app/notify/notifytest"
	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

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
	d := notifytest.StartDunst(t)
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
	c := &Center{Server: DBus{AppName: "Patient Companion", Conn: d.Conn}}
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
	other, err := dbus.Connect(d.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Emit(path, service+".ActionInvoked", id, ActionTake); err != nil {
		t.Fatal(err)
	}
	d.Choose(t, "Snooze")
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
	d.Choose(t, "Take")
	wait()
	if ev := state(at20); ev.State != data.DoseTaken || !ev.At.Equal(now()) {
		t.Fatalf("20:00 after Take in dunst: %+v", ev)
	}
}
