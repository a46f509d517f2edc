package data

import (
	"os"
	"testing"
)

// TestMain sends a child process started by a test (the sync lock's) to its own work
// instead of the tests. (Killing writers at random moments is the crash campaign's job:
// crash_test.go at the top of the repository, against the built program.)
func TestMain(m *testing.M) {
	if dir := os.Getenv(syncLockChildEnv); dir != "" {
		os.Exit(syncLockChild(dir))
	}
	code := m.Run()
	if bench.cleanup != nil {
		bench.cleanup()
	}
	os.Exit(code)
}
