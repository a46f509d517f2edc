package report

import (
	"fmt"
	"os"
	"path/filepath"
)

// SaveFile writes a finished report to path: into a new file beside it, synced, then renamed
// over it, so path is either the old file or the whole new report, never half of one. The
// file is readable by its owner only: it is health data.
func SaveFile(path string, pdf []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.partial")
	if err != nil {
		return fmt.Errorf("save the report: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(pdf); err != nil {
		return fmt.Errorf("save the report: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("save the report: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("save the report: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save the report: %w", err)
	}
	// The rename itself is durable once the folder is synced (best effort: not every
	// system lets a folder be opened for that).
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
