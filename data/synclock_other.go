//go:build !unix && !windows

package data

import "context"

// LockSync elsewhere (neither Unix nor Windows: not a platform we ship) serializes syncs
// within this process only.
func (s *Store) LockSync(ctx context.Context) (func(), error) {
	s.syncMu.Lock()
	return s.syncMu.Unlock, nil
}
