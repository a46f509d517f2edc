//go:build darwin

package autostart

import (
	"os"
	"path/filepath"
)

// Path is the LaunchAgent file.
func (e Entry) Path() string {
	return filepath.Join(e.getenv("HOME"), "Library", "LaunchAgents", AppID+".plist")
}

// Enable starts the app at login.
func (e Entry) Enable() error { return writeFile(e.Path(), e.launchAgent()) }

// Disable stops starting the app at login.
func (e Entry) Disable() error { return removeFile(e.Path()) }

// Enabled reports whether the entry exists.
func (e Entry) Enabled() bool {
	_, err := os.Stat(e.Path())
	return err == nil
}
