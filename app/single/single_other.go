//go:build !unix

package single

// On Windows there is not yet a single-instance check (a named mutex and pipe would be the
// way); every launch runs. Documented in docs/ARCHITECTURE.md.
func socketPath(dir string) string { return "" }

func acquire(lockPath, sock string) (*Instance, error) {
	return &Instance{requests: make(chan string)}, nil
}
