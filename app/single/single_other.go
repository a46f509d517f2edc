//go:build !unix && !windows

package single

// Elsewhere (neither Unix nor Windows: not a platform we ship) every launch runs.
func socketPath(dir string) string { return "" }

func acquire(lockPath, sock string) (*Instance, error) {
	return &Instance{requests: make(chan string)}, nil
}
