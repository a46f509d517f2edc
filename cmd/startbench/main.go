//go:build linux && cgo

// Command startbench measures start to first frame (DESIGN §9): the wall time from starting
// a program to the first frame of its finished first screen, for an empty Fyne window
// (cmd/emptywindow) and for Patient Companion on the unlock screen of an existing profile,
// each run N times, interleaved; it prints the medians and their ratio. Run it under X
// (make bench-start runs it under scripts/test-env.sh, on Xvfb).
//
// "First frame" is seen from outside, the same way for both programs, because Fyne has no
// hook for "this window has been painted" (Lifecycle's OnStarted runs before the first
// frame): the tool polls the X server every few milliseconds for a viewable top-level window
// with the program's title and reads its pixels. Each picture that differs from the one
// before in more than a few pixels is a new frame (so a blinking text cursor is not); once
// a picture has stayed the same for -settle, the run is over, and its start-to-first-frame
// time is when that last picture first appeared. For the empty window that is its first
// painted frame; for the companion it is the unlock screen, not the "Opening…" screen
// shown while it lists the profiles.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"
)

// A program to time: how to start it and the title its window has.
type program struct {
	name  string
	path  string
	title string
	env   []string
}

// A run's times, from the process start.
type run struct {
	mapped time.Duration // the window is viewable (its content may not be painted yet)
	frame  time.Duration // the first frame of the settled first screen
	frames int           // distinct frames seen before it settled
}

func main() {
	n := flag.Int("n", 10, "runs of each program (after one warm-up run each, not counted)")
	companion := flag.String("companion", "bin/companion", "the companion binary")
	empty := flag.String("empty", "bin/emptywindow", "the empty-window binary (cmd/emptywindow)")
	settle := flag.Duration("settle", time.Second, "how long the window must stay unchanged to count as finished")
	limit := flag.Duration("timeout", 60*time.Second, "the longest a run may take")
	verbose := flag.Bool("v", false, "print every run")
	flag.Parse()
	if err := bench(*n, *companion, *empty, *settle, *limit, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "startbench:", err)
		os.Exit(1)
	}
}

func bench(n int, companion, empty string, settle, limit time.Duration, verbose bool) error {
	x, err := openDisplay()
	if err != nil {
		return err
	}
	defer x.Close()
	// Under the test environment's temp dir when there is one: it is removed even after a kill.
	tmp, err := os.MkdirTemp(os.Getenv("TEST_ENV_TMP"), "startbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	// An existing profile, protected by a passphrase so the window stops at the unlock screen
	// (with the keyring it would be the same screen, but the demo data must not depend on one).
	dataDir := filepath.Join(tmp, "data")
	create := exec.Command(companion, "profile", "create", "Margaret", "--no-keyring", "--demo")
	create.Env = append(os.Environ(), "COMPANION_DATA_DIR="+dataDir, "COMPANION_PASSPHRASE=start bench")
	if out, err := create.CombinedOutput(); err != nil {
		return fmt.Errorf("create a profile: %v: %s", err, out)
	}
	// Each program keeps its own Fyne preferences across its runs, as on a person's computer;
	// both in the light theme, so neither draws more than the other for it.
	common := []string{"FYNE_THEME=light"}
	progs := []program{
		{name: "empty Fyne window", path: empty, title: "Empty window",
			env: slices.Concat(common, []string{"XDG_CONFIG_HOME=" + filepath.Join(tmp, "config-empty")})},
		{name: "companion, unlock screen", path: companion, title: "Patient Companion",
			env: slices.Concat(common, []string{"XDG_CONFIG_HOME=" + filepath.Join(tmp, "config-companion"),
				"COMPANION_DATA_DIR=" + dataDir, "COMPANION_PASSPHRASE="})},
	}

	buf, ref := x.newBuffer(), x.newBuffer()
	runs := make([][]run, len(progs))
	// Interleaved, so that a machine getting busier or quieter during the bench weighs on both.
	for i := -1; i < n; i++ {
		for p, prog := range progs {
			r, err := measure(x, prog, settle, limit, buf, ref)
			if err != nil {
				return fmt.Errorf("%s: %w", prog.name, err)
			}
			if verbose || i < 0 {
				label := fmt.Sprintf("run %d", i+1)
				if i < 0 {
					label = "warm-up"
				}
				fmt.Printf("%-26s %-8s mapped %6.0f ms, first frame %6.0f ms (%d frames)\n",
					prog.name, label, ms(r.mapped), ms(r.frame), r.frames)
			}
			if i >= 0 {
				runs[p] = append(runs[p], r)
			}
		}
	}

	fmt.Printf("\nmedian of %d runs (min–max)\n", n)
	var medians []time.Duration
	for p, prog := range progs {
		mapped, frame := stats(runs[p], func(r run) time.Duration { return r.mapped }),
			stats(runs[p], func(r run) time.Duration { return r.frame })
		medians = append(medians, frame[1])
		fmt.Printf("%-26s first frame %4.0f ms (%.0f–%.0f)   window mapped %4.0f ms (%.0f–%.0f)\n",
			prog.name, ms(frame[1]), ms(frame[0]), ms(frame[2]), ms(mapped[1]), ms(mapped[0]), ms(mapped[2]))
	}
	fmt.Printf("ratio (companion / empty window, first frame): %.2f (target ≤ 1.5)\n",
		float64(medians[1])/float64(medians[0]))
	return nil
}

// measure starts prog once and times its window's first frames (see the package comment).
func measure(x *display, prog program, settle, limit time.Duration, buf, ref []byte) (run, error) {
	if w := x.viewable(prog.title); w != 0 {
		return run{}, fmt.Errorf("a window named %q is already open", prog.title)
	}
	cmd := exec.Command(prog.path)
	cmd.Env = append(os.Environ(), prog.env...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return run{}, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		// Killed, not asked to quit: how it ends is not being measured, and the next run
		// must not find this one's window or single-instance lock.
		_ = cmd.Process.Kill()
		<-exited
	}()

	var (
		r       run
		win     uint64
		have    bool // ref holds a frame
		refSize [2]int
		refAt   time.Duration
	)
	for {
		now := time.Since(start)
		select {
		case err := <-exited:
			exited <- err // for the deferred receive
			return r, fmt.Errorf("exited before its window settled: %v\n%s", err, stderr.String())
		default:
		}
		if now > limit {
			return r, fmt.Errorf("no settled window within %s (window %#x, %d frames)\n%s", limit, win, r.frames, stderr.String())
		}
		if win == 0 {
			if win = x.viewable(prog.title); win != 0 && r.mapped == 0 {
				r.mapped = now
			}
		}
		if win != 0 {
			f, ok := x.grab(win, buf)
			switch {
			case !ok:
				win = 0 // unmapped or replaced: look for it again
			case !have || f.w != refSize[0] || f.h != refSize[1] || differing(f.pix, ref[:len(f.pix)]) > stillPixels:
				copy(ref, f.pix)
				have, refSize, refAt = true, [2]int{f.w, f.h}, now
				r.frames++
			case now-refAt >= settle:
				r.frame = refAt
				return r, nil
			}
		}
		// Polling an external process: X has no event for "a GL buffer was swapped" that an
		// outside client can wait on without the Damage extension. A short sleep leaves the
		// CPU to the program being timed.
		time.Sleep(3 * time.Millisecond)
	}
}

// stillPixels is how many pixels may change between two pictures of one frame: a blinking
// text cursor (2 × ~25 px at 100 %) but not a line of text.
const stillPixels = 200

// differing counts the 32-bit pixels that differ between a and b (of equal length), stopping
// once it is sure the answer is above stillPixels.
func differing(a, b []byte) int {
	n := 0
	for i := 0; i+4 <= len(a); i += 4 {
		// The fourth byte is padding (or alpha) in a 24-bit visual: ignored.
		if a[i] != b[i] || a[i+1] != b[i+1] || a[i+2] != b[i+2] {
			if n++; n > stillPixels {
				return n
			}
		}
	}
	return n
}

// stats returns the minimum, median and maximum of what of each run.
func stats(runs []run, what func(run) time.Duration) [3]time.Duration {
	d := make([]time.Duration, len(runs))
	for i, r := range runs {
		d[i] = what(r)
	}
	slices.Sort(d)
	if len(d) == 0 {
		return [3]time.Duration{}
	}
	mid := d[len(d)/2]
	if len(d)%2 == 0 {
		mid = (d[len(d)/2-1] + d[len(d)/2]) / 2
	}
	return [3]time.Duration{d[0], mid, d[len(d)-1]}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
