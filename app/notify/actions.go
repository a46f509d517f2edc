package notify

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/tr"
)

// Take and Snooze on the notification itself. Fyne's Notification has no actions
// (fyne#4953), so a reminder that asks about doses goes out beside it, through a Server:
// on Linux the desktop's notification server over D-Bus (DBus: Notify with actions, the
// ActionInvoked and NotificationClosed signals), on Windows a toast with buttons whose
// clicks come back through COM activation (Toast, toast_windows.go). Where the server cannot
// show buttons (GetCapabilities lacks "actions") the notification goes out without them and
// the reminder window is the way to answer, as on macOS until a signed .app can register a
// notification category (docs/ARCHITECTURE.md).

// The action keys of a reminder notification, and what the buttons say.
const (
	ActionTake   = "take"
	ActionSnooze = "snooze"
)

// doseActions are the buttons of a reminder notification, key then label (in the running
// language) as the org.freedesktop.Notifications spec lists them.
func doseActions() []string {
	return []string{ActionTake, tr.T("notify.take"), ActionSnooze, tr.T("notify.snooze")}
}

// Dose is one scheduled dose of one open profile: what a notification's buttons act on.
type Dose struct {
	Profile string // the profile's id
	remind.Occurrence
}

// Event is what the notification server says about one notification: an action chosen
// (Action set), or the notification closed.
type Event struct {
	ID     uint32
	Action string
	Closed bool
}

// Server is what a Center needs of a notification server; DBus is the real one, tests
// use their own.
type Server interface {
	// Capabilities are the server's capabilities ("actions", "body", …).
	Capabilities(ctx context.Context) ([]string, error)
	// Send shows a notification and returns its id.
	Send(ctx context.Context, m Message) (uint32, error)
	// Events delivers the server's events until ctx ends, when the channel closes.
	Events(ctx context.Context) (<-chan Event, error)
}

// Message is one notification.
type Message struct {
	Title, Body string
	// Actions are its buttons, key then label (nil: none).
	Actions []string
	// Replaces is the id of a notification it takes the place of (0: none): a repeat of a
	// reminder replaces the one before, rather than piling up beside it.
	Replaces uint32
}

// maxShown bounds the notifications a Center remembers: a server that never says a
// notification closed must not grow the map all day.
const maxShown = 64

// Center shows reminders with Take and Snooze and routes the buttons pressed to OnAction.
type Center struct {
	Server Server
	// OnAction is told the action chosen (ActionTake, ActionSnooze) and the doses the
	// notification asked about, from Run's goroutine. Set it before Run.
	OnAction func(action string, doses []Dose)

	mu    sync.Mutex
	shown map[uint32][]Dose
	order []uint32 // ids in shown, oldest first
}

// Show shows a notification; with doses, and a server that can, with Take and Snooze.
// withActions says whether it had them: when false, the buttons are the reminder window's.
func (c *Center) Show(ctx context.Context, title, body string, doses []Dose) (withActions bool, err error) {
	if len(doses) > 0 {
		caps, err := c.Server.Capabilities(ctx)
		withActions = err == nil && slices.Contains(caps, "actions") // cannot say: no buttons
	}
	if !withActions {
		if _, err := c.Server.Send(ctx, Message{Title: title, Body: body}); err != nil {
			return false, fmt.Errorf("show notification: %w", err)
		}
		return false, nil
	}
	// Held across Send: an action chosen at once waits for the id to be remembered.
	c.mu.Lock()
	defer c.mu.Unlock()
	// A notification asking only about doses this one asks about again (a repeat) is
	// replaced by it.
	var replaces uint32
	for _, id := range c.order {
		if covers(doses, c.shown[id]) {
			replaces = id
		}
	}
	id, err := c.Server.Send(ctx, Message{Title: title, Body: body, Actions: doseActions(), Replaces: replaces})
	if err != nil {
		return false, fmt.Errorf("show notification with actions: %w", err)
	}
	if c.shown == nil {
		c.shown = map[uint32][]Dose{}
	}
	if replaces != 0 {
		c.forget(replaces)
	}
	c.shown[id] = slices.Clone(doses)
	c.order = append(c.order, id)
	if len(c.order) > maxShown {
		c.forget(c.order[0])
	}
	return true, nil
}

// forget drops notification id; c.mu is held.
func (c *Center) forget(id uint32) {
	delete(c.shown, id)
	c.order = slices.DeleteFunc(c.order, func(x uint32) bool { return x == id })
}

// covers reports whether every dose of old is among doses (and old has some).
func covers(doses, old []Dose) bool {
	if len(old) == 0 {
		return false
	}
	for _, o := range old {
		if !slices.ContainsFunc(doses, func(d Dose) bool {
			return d.Profile == o.Profile && d.MedicationID == o.MedicationID && d.At.Equal(o.At)
		}) {
			return false
		}
	}
	return true
}

// Run listens to the server until ctx ends, and hands each action chosen on a notification
// it showed to OnAction, once.
func (c *Center) Run(ctx context.Context) error {
	events, err := c.Server.Events(ctx)
	if err != nil {
		return fmt.Errorf("listen to notifications: %w", err)
	}
	for ev := range events {
		c.mu.Lock()
		doses, ok := c.shown[ev.ID]
		if ok && (ev.Closed || ev.Action != "") {
			// Answered or gone: a second click (some servers keep the notification) does
			// nothing more.
			c.forget(ev.ID)
		}
		c.mu.Unlock()
		if ok && !ev.Closed && (ev.Action == ActionTake || ev.Action == ActionSnooze) && c.OnAction != nil {
			c.OnAction(ev.Action, doses)
		}
	}
	return nil
}

// Doses are the doses of profile that n asks about (due, late or asked again): what its
// Take and Snooze act on.
func Doses(profile string, n remind.Notice) []Dose {
	var out []Dose
	for _, o := range n.Asking() {
		out = append(out, Dose{Profile: profile, Occurrence: o})
	}
	return out
}
