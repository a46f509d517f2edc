//go:build unix || windows

package single

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/patient-companion/companion/internal/filelock"
)

// socketPath is beside the lock, unless that path is too long for a Unix socket (about 100
// bytes), then in the runtime folder under a name derived from dir.
func socketPath(dir string) string {
	p := filepath.Join(dir, ".instance.sock")
	if len(p) < 100 {
		return p
	}
	base := os.Getenv("XDG_RUNTIME_DIR")
	if base == "" {
		base = os.TempDir()
	}
	sum := sha256.Sum256([]byte(dir))
	return filepath.Join(base, fmt.Sprintf("patient-companion-%x.sock", sum[:8]))
}

func acquire(lockPath, sock string) (*Instance, error) {
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("instance lock: %w", err)
	}
	ok, err := filelock.TryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("instance lock: %w", err)
	}
	if !ok {
		f.Close()
		return nil, ask(sock)
	}
	// We hold the lock: any socket file is a dead instance's.
	os.Remove(sock)
	l, err := net.Listen("unix", sock)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("instance socket: %w", err)
	}
	os.Chmod(sock, 0o600)
	in := &Instance{lock: f, listener: l, requests: make(chan string, 4)}
	go serve(l, in.requests)
	return in, nil
}

func serve(l net.Listener, out chan<- string) {
	for {
		c, err := l.Accept()
		if err != nil {
			return // closed
		}
		c.SetDeadline(time.Now().Add(2 * time.Second))
		line, _ := bufio.NewReader(c).ReadString('\n')
		if req := strings.TrimSpace(line); req == "show" {
			select {
			case out <- req:
			default: // a request is already waiting; one is enough
			}
			fmt.Fprintln(c, "ok")
		}
		c.Close()
	}
}

// ask tells the running instance to show itself. The first instance may be starting up (it
// holds the lock but is not listening yet), so it tries for a few seconds.
func ask(sock string) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("unix", sock, time.Second)
		if err == nil {
			defer c.Close()
			c.SetDeadline(time.Now().Add(2 * time.Second))
			fmt.Fprintln(c, "show")
			bufio.NewReader(c).ReadString('\n')
			return ErrRunning
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("another Patient Companion holds this data folder but does not answer (%v); quit it or restart the computer", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
