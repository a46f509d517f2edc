//go:build unix || windows

package data

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/patient-companion/companion/internal/filelock"
)

// Whole-file locks between processes (the window, command lines, their start-up sweeps) on
// the profiles folder: the names lock keeps names unique, and each profile being made holds
// its own lock so no sweep takes it for the leftover of a crash. The system releases a lock
// when its process ends, even by a crash.

// lockFile takes the lock on path (made if missing), waiting while another holds it. Close
// the file to release it.
func lockFile(ctx context.Context, path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	for {
		ok, err := filelock.TryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			return f, nil
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// tryLockFile takes the lock on an existing path if nobody holds it. It returns nil and no
// error when another holds it, and fs.ErrNotExist when there is no such file.
func tryLockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	ok, err := filelock.TryLock(f)
	if err != nil || !ok {
		f.Close()
		return nil, err
	}
	return f, nil
}

// newLockFile makes path, which must not exist, and takes its lock.
func newLockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	ok, err := filelock.TryLock(f)
	if err == nil && !ok {
		err = errors.New("held by another process")
	}
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}
