//go:build linux

package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/systray"
	"github.com/godbus/dbus/v5"
)

// trayWatcher is the D-Bus name of the StatusNotifier host, what shows tray icons.
const trayWatcher = "org.kde.StatusNotifierWatcher"

// trayAvailable reports whether something shows tray icons (a StatusNotifierItem host).
// Without one, a window hidden to the tray could not be brought back from there.
func trayAvailable() bool {
	conn, err := dbus.SessionBus()
	if err != nil {
		return false
	}
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, trayWatcher).Store(&has)
	return err == nil && has
}

// waitForTrayHost returns once a tray host takes its name on the session bus (the panel
// came up after the app, as at login), true; or false when ctx ends or the bus cannot say.
// It waits for the bus's NameOwnerChanged signal: nothing is polled.
func waitForTrayHost(ctx context.Context) bool {
	conn, err := dbus.SessionBus()
	if err != nil {
		return false
	}
	match := []dbus.MatchOption{
		dbus.WithMatchSender("org.freedesktop.DBus"),
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, trayWatcher),
	}
	if err := conn.AddMatchSignal(match...); err != nil {
		return false
	}
	defer conn.RemoveMatchSignal(match...)
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)
	defer conn.RemoveSignal(signals)
	if trayAvailable() { // came up between the first look and the match
		return true
	}
	for {
		select {
		case <-ctx.Done():
			return false
		case s, ok := <-signals:
			if !ok || s == nil {
				return false
			}
			// The connection hands every signal to every channel: keep only ours.
			if s.Name != "org.freedesktop.DBus.NameOwnerChanged" || len(s.Body) < 3 {
				continue
			}
			if name, _ := s.Body[0].(string); name != trayWatcher {
				continue
			}
			if owner, _ := s.Body[2].(string); owner != "" {
				return true
			}
		}
	}
}

// lateTray shows the tray icon and menu once the app is already running. Fyne starts its tray
// only when the menu was set before the app ran (it calls the tray's start once, as its loop
// begins), so here the menu is set as usual, on the UI goroutine — which makes Fyne's hidden
// tray window, a GL window that must be made there — and the tray is then started the way
// Fyne would have, through fyne.io/systray's own external-loop entry, whose start exports the
// icon on the bus and registers it with the host (and again with any later host). Fyne's own
// "ready" callback is replaced by ours, which sets the icon and the menu. Called off the UI
// goroutine.
func lateTray(desk desktop.App, menu *fyne.Menu, icon fyne.Resource) {
	fyne.DoAndWait(func() { desk.SetSystemTrayMenu(menu) })
	start, _ := systray.RunWithExternalLoop(func() {
		fyne.Do(func() {
			if icon != nil {
				desk.SetSystemTrayIcon(icon)
			}
			desk.SetSystemTrayMenu(menu) // the menu must be set again once the tray is ready
		})
		systray.SetTitle(windowTitle) // some hosts crash on an item without one (Fyne #3678)
	}, nil)
	start()
}
