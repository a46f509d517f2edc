// Package filelock takes advisory whole-file locks that the system releases when the
// process ends, even by a crash: flock on Unix, LockFileEx on Windows.
package filelock

import "os"

// TryLock takes an exclusive lock on f without waiting. It reports false, and no error,
// when another process (or another open file in this one) holds it.
func TryLock(f *os.File) (bool, error) { return tryLock(f) }
