//go:build !linux

package app

// trayAvailable reports whether something shows tray icons: always, on Windows and macOS.
func trayAvailable() bool { return true }
