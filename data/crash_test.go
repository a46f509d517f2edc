package data

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The crash test runs this test binary again as a child that writes entries until it is
// killed; TestMain sends the child here instead of running the tests.
const crashChildEnv = "COMPANION_CRASH_CHILD_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		os.Exit(crashChild(dir))
	}
	if dir := os.Getenv(syncLockChildEnv); dir != "" {
		os.Exit(syncLockChild(dir))
	}
	code := m.Run()
	if bench.cleanup != nil {
		bench.cleanup()
	}
	os.Exit(code)
}

// crashChild adds entries in a loop and prints each id once AddSymptom has returned, i.e.
// once the entry is acknowledged as durable.
func crashChild(dir string) int {
	ctx := context.Background()
	p := &Profiles{Dir: dir, Argon2: fastArgon2}
	info, err := p.Find(ctx, "Crash")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s, err := p.Open(ctx, info, Credentials{Passphrase: []byte("pw")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	w := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		e, err := s.AddSymptom(ctx, Symptom{Name: "Crash test", Severity: i % 11, Note: strings.Repeat("x", i%500)})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Fprintln(w, e.ID)
		w.Flush()
	}
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	ctx := context.Background()
	p := newProfiles(t)
	p.Keyring = nil
	s, _ := createPassphraseProfile(t, p, "Crash", "pw")
	s.Close()

	acked := map[string]bool{}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	const kills = 25
	for round := 0; round < kills; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+p.Dir)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Wait for the first acknowledgement, so every round kills a process mid-work, then
		// let it run a random while longer.
		first, ok := <-lines
		if !ok {
			cmd.Wait()
			t.Fatalf("round %d: child wrote nothing", round)
		}
		acked[first] = true
		deadline := time.After(time.Duration(rng.IntN(150)) * time.Millisecond)
	collect:
		for {
			select {
			case id, ok := <-lines:
				if !ok {
					break collect
				}
				acked[id] = true
			case <-deadline:
				cmd.Process.Signal(syscall.SIGKILL)
				deadline = nil
			}
		}
		cmd.Wait()

		info, err := p.Find(ctx, "Crash")
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		s, err := p.Open(ctx, info, Credentials{Passphrase: []byte("pw")})
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		var check string
		if err := s.DB().QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("round %d: integrity_check = %q, %v", round, check, err)
		}
		all, err := s.ListEntries(ctx, time.Time{}, time.Time{})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		present := map[string]bool{}
		for _, e := range all {
			present[e.ID] = true
		}
		for id := range acked {
			if !present[id] {
				t.Fatalf("round %d: acknowledged entry %s lost", round, id)
			}
		}
		s.Close()
	}
	t.Logf("%d kills, %d acknowledged entries, all present", kills, len(acked))
}
