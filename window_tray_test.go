package main

import (
	"os"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// fakeTrayHost is a StatusNotifierWatcher (what a desktop's panel runs to show tray icons)
// that records the items that register with it.
type fakeTrayHost struct{ items chan string }

func (h fakeTrayHost) RegisterStatusNotifierItem(service string) *dbus.Error {
	h.items <- service
	return nil
}

// TestWindowTrayHostLater: an app started before any tray host (a login before the panel is
// up) shows its icon once a host appears: the icon registers with it.
func TestWindowTrayHostLater(t *testing.T) {
	if os.Getenv("DISPLAY") == "" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("COMPANION_REQUIRE_KEYRING") != "" {
			t.Fatal("no DISPLAY or session bus in the test environment")
		}
		t.Skip("no DISPLAY or session bus")
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has); err != nil || has {
		t.Skipf("a tray host is already on this bus (%v): the test needs one that comes later", err)
	}
	dir := t.TempDir()
	mustRun(t, dir, []string{"COMPANION_PASSPHRASE=tray test"}, "profile", "create", "Tray", "--no-keyring")
	openByTyping(t, os.Args[0], dir, "tray test", "Tray")

	host := fakeTrayHost{items: make(chan string, 4)}
	if err := conn.Export(host, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		t.Fatal(err)
	}
	reply, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("taking the tray host's name: %v (%v)", err, reply)
	}
	defer conn.ReleaseName("org.kde.StatusNotifierWatcher")
	select {
	case item := <-host.items:
		t.Logf("the app's icon registered: %s", item)
	case <-time.After(30 * time.Second): // a bound on a broken test, not a wait for the app
		t.Fatal("the tray host appeared, but the app's icon never registered with it")
	}
}
