//go:build !unix

package data

import "context"

// LockSync on systems without flock serializes syncs within this process only; across
// processes (the window and a command-line sync at once) Windows needs LockFileEx, not yet
// done (docs/ARCHITECTURE.md).
func (s *Store) LockSync(ctx context.Context) (func(), error) {
	s.syncMu.Lock()
	return s.syncMu.Unlock, nil
}
