package main

import (
	"fmt"
	"net"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// noDisplay says why the window cannot open on this system's screen, or "" when it can (as
// far as can be told without opening it). Fyne's GLFW driver otherwise panics with a stack
// trace, after the lock file and the login entry were written.
func noDisplay(getenv func(string) string) string {
	switch runtime.GOOS {
	case "windows", "darwin", "android", "ios":
		return "" // a screen is part of the system
	}
	if getenv("WAYLAND_DISPLAY") != "" {
		return ""
	}
	d := getenv("DISPLAY")
	if d == "" {
		return "there is no display to open the window on (DISPLAY is not set): run it in a desktop session, or give a command (companion help)"
	}
	// A local X display (":0", ":1.0", "unix:0") has a socket; nothing answering there means
	// no X server. Remote ones (host:0, SSH forwarding) are left to GLFW.
	host, rest, ok := strings.Cut(d, ":")
	if !ok || (host != "" && host != "unix") {
		return ""
	}
	num, _, _ := strings.Cut(rest, ".")
	if _, err := strconv.Atoi(num); err != nil {
		return ""
	}
	for _, addr := range []string{"/tmp/.X11-unix/X" + num, "@/tmp/.X11-unix/X" + num} {
		if c, err := net.DialTimeout("unix", addr, 2*time.Second); err == nil {
			c.Close()
			return ""
		}
	}
	return fmt.Sprintf("there is no display %s to open the window on (no X server answers there): run it in a desktop session, or give a command (companion help)", d)
}
