// Package notify delivers reminder notices as desktop notifications over D-Bus
// (org.freedesktop.Notifications), the way Fyne's SendNotification does on Linux, but
// reporting errors: a notification that could not be shown must not count as a reminder.
// The in-app reminder window stays the guaranteed channel (DESIGN §3).
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

var _ remind.Notifier = DBus{}

// Notify shows n.Title and n.Body. The server's id for the notification is discarded.
func (d DBus) Notify(ctx context.Context, n remind.Notice) error {
	_, err := d.Send(ctx, n.Title, n.Body)
	return err
}

// Send shows one notification and returns the server's id for it.
func (d DBus) Send(ctx context.Context, title, body string) (uint32, error) {
	conn := d.Conn
	if conn == nil {
		var err error
		if conn, err = dbus.SessionBus(); err != nil {
			return 0, fmt.Errorf("no session bus for notifications: %w", err)
		}
	}
	hints := map[string]dbus.Variant{
		"urgency":  dbus.MakeVariant(byte(2)), // critical: stays until dismissed, like a pill box alarm
		"category": dbus.MakeVariant("reminder"),
	}
	var id uint32
	call := conn.Object(service, path).CallWithContext(ctx, service+".Notify", 0,
		d.AppName, uint32(0), d.Icon, title, body, []string{}, hints, int32(-1))
	if call.Err != nil {
		return 0, fmt.Errorf("show notification: %w", call.Err)
	}
	if err := call.Store(&id); err != nil {
		return 0, fmt.Errorf("show notification: %w", err)
	}
	return id, nil
}
