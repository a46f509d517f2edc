//go:build unix || windows

package data

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/patient-companion/companion/internal/filelock"
)

// LockSync takes the profile's sync lock, waiting while another process (the window, or a
// command-line sync) holds it, so two syncs never spend the same rotated refresh token. The
// returned function releases it; the system releases it too if the process dies.
func (s *Store) LockSync(ctx context.Context) (func(), error) {
	f, err := os.OpenFile(filepath.Join(filepath.Dir(s.path), "sync.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sync lock: %w", err)
	}
	for {
		ok, err := filelock.TryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("sync lock: %w", err)
		}
		if ok {
			return func() { f.Close() }, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
