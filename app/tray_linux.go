//go:build linux

package app

import "github.com/godbus/dbus/v5"

// trayAvailable reports whether something shows tray icons (a StatusNotifierItem host).
// Without one, a window hidden to the tray could not be brought back.
func trayAvailable() bool {
	conn, err := dbus.SessionBus()
	if err != nil {
		return false
	}
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	return err == nil && has
}
