package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWindowMemory measures the resident memory of the real window (DESIGN §9: < 150 MB with
// 100,000 journal entries), beside an empty Fyne window measured the same way in the same run.
// The profile is opened with its passphrase (Argon2id's 64 MiB are part of the story) and the
// figure is taken once the search index is built and the process has settled. It is a
// measurement, not a test: it needs COMPANION_MEMORY_WINDOW=1 and a build without -race
// (make bench-memory); figures in docs/PERFORMANCE.md.
func TestWindowMemory(t *testing.T) {
	if os.Getenv("COMPANION_MEMORY_WINDOW") == "" || os.Getenv("DISPLAY") == "" {
		t.Skip("set COMPANION_MEMORY_WINDOW=1 (make bench-memory runs it under scripts/test-env.sh)")
	}
	if raceBuild {
		t.Skip("the race detector multiplies memory: run without -race (make bench-memory)")
	}
	entries := "100000"
	if n := os.Getenv("COMPANION_MEMORY_WINDOW"); n != "1" {
		entries = n
	}
	dir := t.TempDir()
	// COMPANION_MEMORY_KEYRING=1 opens a keyring profile instead (no Argon2id), to tell the
	// passphrase's share from the rest.
	pass := "memory window"
	if os.Getenv("COMPANION_MEMORY_KEYRING") != "" {
		pass = ""
		mustRun(t, dir, nil, "profile", "create", "Memory", "--demo-entries", entries)
	} else {
		mustRun(t, dir, []string{"COMPANION_PASSPHRASE=" + pass}, "profile", "create", "Memory", "--no-keyring", "--demo-entries", entries)
	}

	exe := buildCompanion(t)
	empty := filepath.Join(t.TempDir(), "emptywindow")
	if out, err := exec.Command("go", "build", "-o", empty, "./cmd/emptywindow").CombinedOutput(); err != nil {
		t.Fatalf("go build emptywindow: %v\n%s", err, out)
	}

	// The empty window first: its figure is the floor of any Fyne app on this display.
	e := startProgram(t, empty, nil)
	waitForWindow(t, "^Empty window$", 60*time.Second)
	emptyRSS, emptyPeak := settle(t, e.Process.Pid, 3*time.Second, 30*time.Second)
	e.Process.Kill()
	e.Wait()

	// COMPANION_MEMORY_ENV adds environment to the companion alone (GOGC=50, GODEBUG=…), to try
	// what changes its figure.
	cenv := append([]string{"COMPANION_DATA_DIR=" + dir, "COMPANION_PASSPHRASE=", "XDG_CONFIG_HOME=" + t.TempDir()},
		strings.Fields(os.Getenv("COMPANION_MEMORY_ENV"))...)
	c := startProgram(t, exe, cenv)
	win := waitForWindow(t, "^Patient Companion$", 60*time.Second)
	xdo(t, "windowfocus", "--sync", win)
	if pass != "" {
		xdo(t, "type", "--delay", "20", pass)
	}
	xdo(t, "key", "Return")
	waitForWindow(t, "^Memory — Patient Companion$", 60*time.Second)
	// The search index is built in the background after unlock: wait until the process has
	// stopped growing, then open the Journal (its first page) and let it settle again.
	settle(t, c.Process.Pid, 5*time.Second, 90*time.Second)
	xdo(t, "key", "ctrl+2")
	rss, peak := settle(t, c.Process.Pid, 5*time.Second, 60*time.Second)

	t.Logf("empty Fyne window: resident %s, peak %s", mib(emptyRSS), mib(emptyPeak))
	t.Logf("companion, %s entries, index built, Journal open: resident %s, peak %s (%s above the empty window)",
		entries, mib(rss), mib(peak), mib(rss-emptyRSS))
}

// startProgram starts exe with extra environment; it is killed when the test ends.
func startProgram(t *testing.T, exe string, env []string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() || os.Getenv("COMPANION_MEMORY_ENV") != "" {
			t.Logf("%s stderr:\n%s", filepath.Base(exe), stderr.String())
		}
	})
	return cmd
}

// settle waits until pid's resident memory has not grown for quiet (or limit passes) and
// returns its resident set and its peak (VmRSS, VmHWM), in KiB.
func settle(t *testing.T, pid int, quiet, limit time.Duration) (rss, peak int) {
	t.Helper()
	start, grew := time.Now(), time.Now()
	last := 0
	for time.Since(start) < limit {
		rss, peak = procStatus(t, pid)
		if rss > last+1024 { // a MiB or more
			last, grew = rss, time.Now()
		}
		if time.Since(grew) >= quiet {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	return rss, peak
}

func procStatus(t *testing.T, pid int) (rss, peak int) {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			peak = n
		}
	}
	return rss, peak
}

func mib(kib int) string { return fmt.Sprintf("%.0f MiB", float64(kib)/1024) }
