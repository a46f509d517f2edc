//go:build linux

package notify

// Platform is this system's notification server for reminders with buttons: on Linux the
// desktop's, over the D-Bus session bus (its capabilities say whether it shows buttons).
func Platform(appName, icon string) Server {
	return DBus{AppName: appName, Icon: icon}
}
