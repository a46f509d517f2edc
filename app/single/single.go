// Package single keeps one running app per data folder: a second launch hands over to the
// first (which shows its window) and exits. A reminder app that runs twice reminds twice.
//
// The first instance holds an advisory lock on <dir>/.instance.lock for its whole life (the
// system releases it when the process ends, even by a crash) and listens on a Unix socket
// beside it. A later launch fails to take the lock, connects, says "show", and exits.
package single

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrRunning is returned to a second launch after it has asked the first to show itself.
// It is the one line that launch prints, a sentence for the person.
//
//lint:ignore ST1005 printed as it is: the app's name starts the sentence
var ErrRunning = errors.New("Patient Companion is already running; its window has been brought forward")

// Instance is the running first instance.
type Instance struct {
	lock     *os.File
	listener closer
	requests chan string
}

type closer interface{ Close() error }

// Requests delivers what later launches asked for ("show").
func (in *Instance) Requests() <-chan string { return in.requests }

// Close gives up being the instance (at quit).
func (in *Instance) Close() error {
	var errs []error
	if in.listener != nil {
		errs = append(errs, in.listener.Close())
	}
	if in.lock != nil {
		errs = append(errs, in.lock.Close())
	}
	return errors.Join(errs...)
}

// Acquire makes this process the instance for dir, or, when another process is, asks it to
// show itself and returns ErrRunning.
func Acquire(dir string) (*Instance, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	return acquire(filepath.Join(dir, ".instance.lock"), socketPath(dir))
}
