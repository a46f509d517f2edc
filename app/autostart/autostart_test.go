package autostart

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestLinuxEntry(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG autostart")
	}
	cfg := t.TempDir()
	e := Entry{Exe: "/opt/Patient Companion/companion", Args: []string{"--data-dir", "/home/a/my data"},
		Getenv: func(k string) string {
			if k == "XDG_CONFIG_HOME" {
				return cfg
			}
			return ""
		}}
	if e.Enabled() {
		t.Fatal("enabled before Enable")
	}
	if err := e.Enable(); err != nil {
		t.Fatal(err)
	}
	if !e.Enabled() || e.Path() != filepath.Join(cfg, "autostart", AppID+".desktop") {
		t.Fatalf("not enabled at %s", e.Path())
	}
	b, _ := os.ReadFile(e.Path())
	want := `Exec="/opt/Patient Companion/companion" --data-dir "/home/a/my data" --background`
	if !strings.Contains(string(b), "\n"+want+"\n") || !strings.HasPrefix(string(b), "[Desktop Entry]\n") {
		t.Fatalf("desktop file:\n%s\nwant line %s", b, want)
	}
	if err := e.Disable(); err != nil || e.Enabled() {
		t.Fatalf("disable: %v, enabled %v", err, e.Enabled())
	}
	if err := e.Disable(); err != nil {
		t.Fatalf("disabling twice: %v", err)
	}
}

func TestDesktopQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/bin/companion": "/usr/bin/companion",
		"a b":                `"a b"`,
		`say "hi"`:           `"say \\"hi\\""`,
		"50%":                `"50%%"`,
		"$HOME":              `"\\$HOME"`,
	} {
		if got := desktopQuote(in); got != want {
			t.Errorf("desktopQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestLaunchAgentIsValidPlist(t *testing.T) {
	e := Entry{Exe: "/Applications/Patient Companion.app/Contents/MacOS/companion", Args: []string{"--data-dir", "a&b"}}
	var v struct {
		Dict struct {
			Strings []string `xml:"string"`
		} `xml:"dict"`
	}
	plist := e.launchAgent()
	if err := xml.Unmarshal([]byte(plist[strings.Index(plist, "<plist"):]), &v); err != nil {
		t.Fatalf("not XML: %v\n%s", err, plist)
	}
	if !strings.Contains(plist, "<string>a&amp;b</string>") || !strings.Contains(plist, "<string>--background</string>") || !strings.Contains(plist, "<key>RunAtLoad</key>") {
		t.Fatalf("plist:\n%s", plist)
	}
}
