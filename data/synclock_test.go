//go:build unix || windows

package data

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// syncLockChild holds a profile's sync lock for a while in another process.
const syncLockChildEnv = "COMPANION_SYNCLOCK_CHILD_DIR"

func syncLockChild(dir string) int {
	ctx := context.Background()
	p := &Profiles{Dir: dir, Argon2: fastArgon2}
	info, err := p.Find(ctx, "Lock")
	if err != nil {
		return 1
	}
	s, err := p.Open(ctx, info, Credentials{Passphrase: []byte("pw")})
	if err != nil {
		return 1
	}
	unlock, err := s.LockSync(ctx)
	if err != nil {
		return 1
	}
	os.Stdout.WriteString("locked\n")
	time.Sleep(700 * time.Millisecond) // "a sync" in the other process
	os.Stdout.WriteString("released\n")
	unlock()
	return 0
}

// TestSyncLockAcrossProcesses: while another process syncs, a second sync waits.
func TestSyncLockAcrossProcesses(t *testing.T) {
	p := newProfiles(t)
	s, _ := createPassphraseProfile(t, p, "Lock", "pw")
	defer s.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), syncLockChildEnv+"="+p.Dir)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	r := bufio.NewReader(out)
	if line, _ := r.ReadString('\n'); line != "locked\n" {
		t.Fatalf("child: %q", line)
	}
	// Not available while the other process holds it...
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	if _, err := s.LockSync(ctx); err == nil {
		t.Fatal("took the sync lock while another process held it")
	}
	cancel()
	// ...and ours as soon as it lets go.
	unlock, err := s.LockSync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if line, _ := r.ReadString('\n'); line != "released\n" {
		t.Fatalf("got the lock before the other process released it (%q)", line)
	}
}
