// Package autostart makes the app start when the person logs in, so reminders fire without
// anyone remembering to open it: a Linux XDG autostart entry, a macOS LaunchAgent, or a
// Windows Run key. The app starts hidden (--background) and shows only its reminders.
package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// AppID names the entry; it matches the app's id.
const AppID = "org.patientcompanion.companion"

// BackgroundFlag is added to the command line of the login entry.
const BackgroundFlag = "--background"

// Entry is where the login entry lives on this computer.
type Entry struct {
	// Exe is the program to start (an absolute path).
	Exe string
	// Args are extra arguments (for example --data-dir DIR).
	Args []string
	// Getenv reads XDG_CONFIG_HOME, HOME and APPDATA; nil means os.Getenv.
	Getenv func(string) string
}

func (e Entry) getenv(k string) string {
	if e.Getenv != nil {
		return e.Getenv(k)
	}
	return os.Getenv(k)
}

func (e Entry) command() []string {
	return append(append([]string{e.Exe}, e.Args...), BackgroundFlag)
}

// desktopFile is the XDG autostart entry (https://specifications.freedesktop.org/autostart-spec/).
func (e Entry) desktopFile() string {
	quoted := make([]string, 0, len(e.command()))
	for _, a := range e.command() {
		quoted = append(quoted, desktopQuote(a))
	}
	return strings.Join([]string{
		"[Desktop Entry]",
		"Type=Application",
		"Name=Patient Companion",
		"Comment=Medicine reminders and health journal",
		"Exec=" + strings.Join(quoted, " "),
		"Icon=" + AppID,
		"Terminal=false",
		"X-GNOME-Autostart-enabled=true",
		"",
	}, "\n")
}

// desktopQuote quotes one Exec argument per the Desktop Entry spec.
func desktopQuote(a string) string {
	if a != "" && !strings.ContainsAny(a, " \t\n\"'\\><~|&;$*?#()`%") {
		return a
	}
	r := strings.NewReplacer(`\`, `\\\\`, `"`, `\\"`, "`", "\\\\`", `$`, `\\$`, `%`, `%%`)
	return `"` + r.Replace(a) + `"`
}

// launchAgent is the macOS LaunchAgent property list.
func (e Entry) launchAgent() string {
	var args strings.Builder
	for _, a := range e.command() {
		args.WriteString("\t\t<string>" + xmlEscape(a) + "</string>\n")
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + AppID + `</string>
	<key>ProgramArguments</key>
	<array>
` + args.String() + `	</array>
	<key>RunAtLoad</key>
	<true/>
</dict>
</plist>
`
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}

// writeFile replaces path atomically, so a crash never leaves half an entry.
func writeFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}

func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}
