// Package notify delivers reminder notices as desktop notifications — over D-Bus
// (org.freedesktop.Notifications) on Linux, the way Fyne's SendNotification does but
// reporting errors, and as toasts on Windows (wintoast) — with Take and Snooze on the
// notification where the platform allows (Center, actions.go). A notification that could not
// be shown must not count as a reminder: the in-app reminder window stays the guaranteed
// channel (DESIGN §3).
package notify

import (
	"context"
	"fmt"

	"github.com/godbus/dbus/v5"

	"github.com/patient-companion/companion/app/remind"
)

const (
	service = "org.freedesktop.Notifications"
	path    = "/org/freedesktop/Notifications"
)

// DBus sends notifications on the session bus.
type DBus struct {
	// AppName is shown by the notification server ("Patient Companion").
	AppName string
	// Icon is a themed icon name or an absolute path to an image; may be empty.
	Icon string
	// Conn is the session bus; nil means dbus.SessionBus().
	Conn *dbus.Conn
}

var (
	_ remind.Notifier = DBus{}
	_ Server          = DBus{}
)

// Notify shows n.Title and n.Body. The server's id for the notification is discarded.
func (d DBus) Notify(ctx context.Context, n remind.Notice) error {
	_, err := d.Send(ctx, Message{Title: n.Title, Body: n.Body})
	return err
}

// Send shows one notification and returns the server's id for it.
func (d DBus) Send(ctx context.Context, m Message) (uint32, error) {
	conn, err := d.conn()
	if err != nil {
		return 0, err
	}
	actions := m.Actions
	if actions == nil {
		actions = []string{}
	}
	hints := map[string]dbus.Variant{
		"urgency":  dbus.MakeVariant(byte(2)), // critical: stays until dismissed, like a pill box alarm
		"category": dbus.MakeVariant("reminder"),
	}
	var id uint32
	call := conn.Object(service, path).CallWithContext(ctx, service+".Notify", 0,
		d.AppName, m.Replaces, d.Icon, m.Title, m.Body, actions, hints, int32(-1))
	if call.Err != nil {
		return 0, fmt.Errorf("show notification: %w", call.Err)
	}
	if err := call.Store(&id); err != nil {
		return 0, fmt.Errorf("show notification: %w", err)
	}
	return id, nil
}

func (d DBus) conn() (*dbus.Conn, error) {
	if d.Conn != nil {
		return d.Conn, nil
	}
	conn, err := dbus.SessionBus()
	if err != nil {
		return nil, fmt.Errorf("no session bus for notifications: %w", err)
	}
	return conn, nil
}

// Capabilities asks the notification server what it can do ("actions": buttons).
func (d DBus) Capabilities(ctx context.Context) ([]string, error) {
	conn, err := d.conn()
	if err != nil {
		return nil, err
	}
	var caps []string
	if err := conn.Object(service, path).CallWithContext(ctx, service+".GetCapabilities", 0).Store(&caps); err != nil {
		return nil, fmt.Errorf("notification server capabilities: %w", err)
	}
	return caps, nil
}

// Events delivers the server's ActionInvoked and NotificationClosed signals until ctx ends.
// They come on the connection that sent the notifications (the server sends them to it,
// or to everyone), so DBus's Send and Events must share it: both use Conn, or the session
// bus.
func (d DBus) Events(ctx context.Context) (<-chan Event, error) {
	conn, err := d.conn()
	if err != nil {
		return nil, err
	}
	match := []dbus.MatchOption{dbus.WithMatchInterface(service), dbus.WithMatchObjectPath(path)}
	if err := conn.AddMatchSignalContext(ctx, match...); err != nil {
		return nil, fmt.Errorf("listen to notifications: %w", err)
	}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	out := make(chan Event)
	// Only the notification server's own signals count: any program on the session bus can
	// send a signal named ActionInvoked. Its unique name is looked up again when a signal
	// comes from another (the server may have restarted).
	var owner string
	fromServer := func(sender string) bool {
		if sender != owner {
			var now string
			if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.GetNameOwner", 0, service).Store(&now); err == nil {
				owner = now
			}
		}
		return sender != "" && sender == owner
	}
	go func() {
		defer close(out)
		defer conn.RemoveSignal(signals)
		defer conn.RemoveMatchSignal(match...) // an error: the bus is gone, and the match with it
		for {
			select {
			case <-ctx.Done():
				return
			case s, ok := <-signals:
				if !ok {
					return
				}
				ev, ok := eventOf(s)
				if !ok || !fromServer(s.Sender) {
					continue
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// eventOf reads one of the notification server's signals; the connection hands every
// signal to every channel, so others are not ours (false).
func eventOf(s *dbus.Signal) (Event, bool) {
	if s == nil || s.Path != path || len(s.Body) < 2 {
		return Event{}, false
	}
	id, ok := s.Body[0].(uint32)
	if !ok {
		return Event{}, false
	}
	switch s.Name {
	case service + ".ActionInvoked":
		key, ok := s.Body[1].(string)
		return Event{ID: id, Action: key}, ok
	case service + ".NotificationClosed":
		return Event{ID: id, Closed: true}, true
	}
	return Event{}, false
}
