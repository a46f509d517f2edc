package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWindowSmoke opens the real window under X (Xvfb in make test), unlocks a profile by
// typing into it as a person would, and checks the screenshot is not blank. It is the one test
// of the real GL driver; everything else about the window uses Fyne's test driver.
func TestWindowSmoke(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		if os.Getenv("COMPANION_REQUIRE_KEYRING") != "" {
			t.Fatal("no DISPLAY in the test environment")
		}
		t.Skip("no DISPLAY")
	}
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (scripts/install-deps.sh installs it): %v", tool, err)
		}
	}
	dir := t.TempDir()
	env := []string{"COMPANION_PASSPHRASE=window test"}
	mustRun(t, dir, env, "profile", "create", "Smoke", "--no-keyring", "--demo-entries", "30")

	cmd := exec.Command(os.Args[0])
	// No passphrase in the window's environment: it must be typed. A private config folder
	// keeps Fyne's preferences and the login entry out of the developer's own.
	cfg := t.TempDir()
	cmd.Env = append(os.Environ(), asCompanion+"=1", "COMPANION_DATA_DIR="+dir, "COMPANION_PASSPHRASE=", "XDG_CONFIG_HOME="+cfg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("app stderr:\n%s", stderr.String())
		}
	}()

	win := waitForWindow(t, "^Patient Companion$", 60*time.Second)

	// A second launch hands over to the running app and exits.
	second := exec.Command(os.Args[0])
	second.Env = cmd.Env
	out, err := second.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "already running") {
		t.Fatalf("second launch: %v: %s", err, out)
	}
	xdo(t, "windowfocus", "--sync", win)
	xdo(t, "type", "--delay", "20", "window test")
	xdo(t, "key", "Return")
	// The title names the profile once it is open; Today comes first, Ctrl+2 is the journal.
	waitForWindow(t, "^Smoke — Patient Companion$", 30*time.Second)
	// Its start at login is on (the default), so it put itself in the login items, with its
	// data folder, to start hidden (written in the background as the profile is shown).
	entryPath := filepath.Join(cfg, "autostart", "org.patientcompanion.companion.desktop")
	deadline := time.Now().Add(20 * time.Second)
	for {
		entry, err := os.ReadFile(entryPath)
		if err == nil && strings.Contains(string(entry), "--data-dir "+dir+" --background") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("login entry: %v\n%s", err, entry)
		}
		time.Sleep(100 * time.Millisecond) // another process's file: nothing to wait on
	}
	xdo(t, "key", "ctrl+2")

	// Then the journal is drawn and its timeline fills in from disk (off the UI goroutine):
	// wait until the side bar (an empty margin on the unlock screen) and the timeline's first
	// day and row, under the search and filters (the "Loading" message sits lower, in the
	// middle), both show something.
	shot := filepath.Join(t.TempDir(), "window.png")
	deadline = time.Now().Add(30 * time.Second)
	for {
		img := screenshot(t, shot)
		if n := colours(img, image.Rect(0, 0, 1000, 700)); n < 50 {
			t.Fatalf("the window looks blank: %d distinct colours in its area", n)
		}
		form := colours(img, image.Rect(0, 100, 200, 700)) // empty margin on the unlock screen
		rows := colours(img, image.Rect(230, 340, 990, 460))
		if form >= 20 && rows >= 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the journal list never showed its entries")
		}
		time.Sleep(300 * time.Millisecond)
	}
	// Log a symptom with the keyboard alone: "Add to journal" has the focus, and Space opens
	// the form with the name field focused; Tab moves through its suggestions button,
	// severity (digits choose), time, duration and note to Save.
	xdo(t, "key", "space")
	time.Sleep(500 * time.Millisecond) // the form is drawn on the next frame
	xdo(t, "type", "--delay", "20", "Smoke test symptom")
	xdo(t, "key", "--delay", "80", "Tab", "Tab", "7", "Tab", "Tab", "Tab", "Tab", "space")
	deadline = time.Now().Add(20 * time.Second)
	for {
		r := companion(t, dir, env, "journal", "search", "smoke test symptom", "--json")
		if strings.Contains(r.stdout, `"severity": 7`) {
			break
		}
		if time.Now().After(deadline) {
			screenshot(t, shot)
			if dst := os.Getenv("COMPANION_SCREENSHOT_DIR"); dst != "" {
				b, _ := os.ReadFile(shot)
				os.WriteFile(filepath.Join(dst, "window-failed.png"), b, 0o644)
			}
			t.Fatalf("the symptom typed into the window was not saved: %+v", r)
		}
		time.Sleep(300 * time.Millisecond)
	}
	screenshot(t, shot)
	if dst := os.Getenv("COMPANION_SCREENSHOT_DIR"); dst != "" {
		b, _ := os.ReadFile(shot)
		os.WriteFile(filepath.Join(dst, "window-journal.png"), b, 0o644)
	}
}

func screenshot(t *testing.T, path string) image.Image {
	t.Helper()
	if out, err := exec.Command("import", "-window", "root", path).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v: %s", err, out)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// waitForWindow polls until a visible window whose name matches pattern exists, and returns its id.
// (An external process is being waited for; there is no event to wait on instead.)
func waitForWindow(t *testing.T, pattern string, limit time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		out, err := exec.Command("xdotool", "search", "--onlyvisible", "--name", pattern).Output()
		if ids := strings.Fields(string(out)); err == nil && len(ids) > 0 {
			return ids[0]
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no window named %q within %s", pattern, limit)
	return ""
}

func xdo(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
		t.Fatalf("xdotool %v: %v: %s", args, err, out)
	}
}

// colours counts distinct colours in r, up to 1000.
func colours(img image.Image, r image.Rectangle) int {
	seen := map[[3]uint32]bool{}
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			seen[[3]uint32{cr, cg, cb}] = true
			if len(seen) >= 1000 {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// TestWindowVisitsEveryScreen opens a demo profile in the real window, unlocks it by
// typing, and visits every screen by its keyboard shortcut: each must draw something, and
// something different from the screen before.
func TestWindowVisitsEveryScreen(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		if os.Getenv("COMPANION_REQUIRE_KEYRING") != "" {
			t.Fatal("no DISPLAY in the test environment")
		}
		t.Skip("no DISPLAY")
	}
	dir := t.TempDir()
	mustRun(t, dir, []string{"COMPANION_PASSPHRASE=visit every screen"}, "profile", "create", "Visit", "--no-keyring", "--demo")
	// The built program itself, as a person would start it (the other tests re-run this
	// test binary as the program, which is the same code).
	openByTyping(t, buildCompanion(t), dir, "visit every screen", "Visit")

	shot := filepath.Join(t.TempDir(), "screen.png")
	var prev image.Image
	// The Journal puts the keyboard focus in its name field: the shortcuts after it check
	// that text fields pass the window's shortcuts on.
	for _, s := range []struct{ key, name string }{
		{"ctrl+1", "today"}, {"ctrl+2", "journal"}, {"ctrl+3", "medications"}, {"ctrl+4", "appointments"},
		{"ctrl+5", "messages"}, {"ctrl+6", "settings"},
	} {
		xdo(t, "key", s.key)
		deadline := time.Now().Add(15 * time.Second)
		var img image.Image
		for {
			img = screenshot(t, shot)
			if colours(img, image.Rect(0, 0, 1000, 700)) >= 50 && (prev == nil || differs(prev, img)) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s (%s): the screen is blank or did not change", s.name, s.key)
			}
			time.Sleep(300 * time.Millisecond)
		}
		prev = img
		if dst := os.Getenv("COMPANION_SCREENSHOT_DIR"); dst != "" {
			b, _ := os.ReadFile(shot)
			os.WriteFile(filepath.Join(dst, "screen-"+s.name+".png"), b, 0o644)
		}
	}

	// Locked, the passphrase field waits without the focus (its cursor would redraw the
	// window all day) and takes what is typed: typing the passphrase and Enter unlocks.
	xdo(t, "key", "ctrl+l")
	waitForWindow(t, "^Patient Companion$", 15*time.Second)
	xdo(t, "type", "--delay", "20", "visit every screen")
	xdo(t, "key", "Return")
	waitForWindow(t, "^Visit — Patient Companion$", 15*time.Second)
}

// differs reports whether two screenshots differ in a noticeable share of the window area.
func differs(a, b image.Image) bool {
	n := 0
	for y := 100; y < 700; y += 4 {
		for x := 0; x < 1000; x += 4 {
			ar, ag, ab, _ := a.At(x, y).RGBA()
			br, bg, bb, _ := b.At(x, y).RGBA()
			if ar != br || ag != bg || ab != bb {
				n++
			}
		}
	}
	return n > 500
}

// TestWindowLargeJournal opens the Journal of a 100,000-entry profile in the real window,
// (or COMPANION_LARGE_WINDOW=N entries, to compare with a small journal),
// then scrolls it with the mouse wheel, and logs how long each took to show on screen (the
// figures in docs/PERFORMANCE.md). It needs COMPANION_LARGE_WINDOW=1: making the profile
// takes seconds. Screenshots are taken as fast as `import` can (about 0.1 s apart), so the
// times are upper bounds; a stall would show as the window not answering the next key.
func TestWindowLargeJournal(t *testing.T) {
	if os.Getenv("COMPANION_LARGE_WINDOW") == "" || os.Getenv("DISPLAY") == "" {
		t.Skip("set COMPANION_LARGE_WINDOW=1 (and run under scripts/test-env.sh)")
	}
	// COMPANION_LARGE_WINDOW=1 means 100,000 entries; another number, that many (to compare).
	entries := os.Getenv("COMPANION_LARGE_WINDOW")
	if entries == "1" {
		entries = "100000"
	}
	dir := t.TempDir()
	env := []string{"COMPANION_PASSPHRASE=large window"}
	mustRun(t, dir, env, "profile", "create", "Large", "--no-keyring", "--demo-entries", entries)
	win := openByTyping(t, os.Args[0], dir, "large window", "Large")
	shot := filepath.Join(t.TempDir(), "large.png")
	// until waits for the window to differ from before (with rows drawn in the timeline's
	// area, when rows is set), and says how long that took.
	until := func(what string, before image.Image, rows bool) (time.Duration, image.Image) {
		t.Helper()
		start := time.Now()
		for time.Since(start) < 30*time.Second {
			img := screenshot(t, shot)
			if differs(before, img) && (!rows || colours(img, image.Rect(230, 340, 990, 460)) >= 20) {
				return time.Since(start), img
			}
		}
		t.Fatalf("%s: nothing changed on screen in 30 s", what)
		return 0, nil
	}
	today := screenshot(t, shot)
	xdo(t, "key", "ctrl+2")
	open, img := until("opening the Journal", today, true)
	t.Logf("Journal of %s entries on screen after at most %v", entries, open.Round(10*time.Millisecond))
	// Scroll a long way with the wheel: 60 notches is several pages of 100 entries.
	xdo(t, "mousemove", "--window", win, "600", "550")
	for i := range 5 {
		xdo(t, "click", "--repeat", "60", "--delay", "5", "5")
		d, next := until(fmt.Sprintf("scroll %d", i+1), img, true)
		img = next
		t.Logf("60 wheel notches down: the list moved within %v", d.Round(10*time.Millisecond))
	}
	if dst := os.Getenv("COMPANION_SCREENSHOT_DIR"); dst != "" {
		b, _ := os.ReadFile(shot)
		os.WriteFile(filepath.Join(dst, "large-journal.png"), b, 0o644)
	}
	// Still answering: a screen switch shows at once.
	xdo(t, "key", "ctrl+1")
	d, _ := until("back to Today", img, false)
	t.Logf("Today after the scrolling: within %v", d.Round(10*time.Millisecond))
}

// openByTyping starts the app (exe: a built companion, or this test binary) on dir's one
// passphrase profile (name), types the passphrase into the unlock screen and waits for the
// profile's window; the app is killed when the test ends (its stderr logged if it failed).
func openByTyping(t *testing.T, exe, dir, passphrase, name string) (win string) {
	t.Helper()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), asCompanion+"=1", "COMPANION_DATA_DIR="+dir, "COMPANION_PASSPHRASE=", "XDG_CONFIG_HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("app stderr:\n%s", stderr.String())
		}
	})
	win = waitForWindow(t, "^Patient Companion$", 60*time.Second)
	xdo(t, "windowfocus", "--sync", win)
	xdo(t, "type", "--delay", "20", passphrase)
	xdo(t, "key", "Return")
	waitForWindow(t, "^"+name+" — Patient Companion$", 30*time.Second)
	return win
}

// buildCompanion builds the program with `go build`, as make build does, into a temporary
// folder, with -race when this test binary has it (so only the link is new work).
func buildCompanion(t *testing.T) string {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "companion")
	args := []string{"build", "-o", exe}
	if raceBuild {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, ".")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return exe
}
