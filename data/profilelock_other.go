//go:build !unix && !windows

package data

import (
	"context"
	"os"
)

// Elsewhere (neither Unix nor Windows: not a platform we ship) there are no file locks: the
// files are still made, so the layout is the same, but nothing is excluded.

func lockFile(ctx context.Context, path string) (*os.File, error) {
	return os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
}

func tryLockFile(path string) (*os.File, error) { return os.OpenFile(path, os.O_RDWR, 0) }

func newLockFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
}
