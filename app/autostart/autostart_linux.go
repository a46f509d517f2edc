//go:build linux || freebsd || openbsd || netbsd

package autostart

import (
	"os"
	"path/filepath"
)

// Path is the XDG autostart file.
func (e Entry) Path() string {
	base := e.getenv("XDG_CONFIG_HOME")
	if base == "" || !filepath.IsAbs(base) {
		base = filepath.Join(e.getenv("HOME"), ".config")
	}
	return filepath.Join(base, "autostart", AppID+".desktop")
}

// Enable starts the app at login.
func (e Entry) Enable() error { return writeFile(e.Path(), e.desktopFile()) }

// Disable stops starting the app at login.
func (e Entry) Disable() error { return removeFile(e.Path()) }

// Enabled reports whether the entry exists.
func (e Entry) Enabled() bool {
	_, err := os.Stat(e.Path())
	return err == nil
}
