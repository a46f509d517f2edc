package data

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
)

// DefaultDir is where profiles live when neither --data-dir nor COMPANION_DATA_DIR says
// otherwise. getenv is os.Getenv outside tests.
func DefaultDir(getenv func(string) string) (string, error) {
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil && runtime.GOOS != "windows" {
			return "", errors.New("cannot find the home folder: set COMPANION_DATA_DIR or use --data-dir")
		}
		home = h
	}
	switch runtime.GOOS {
	case "windows":
		if d := getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "PatientCompanion"), nil
		}
		return "", errors.New("LOCALAPPDATA is not set: set COMPANION_DATA_DIR or use --data-dir")
	case "darwin":
		return filepath.Join(home, "Library", "Application Support", "PatientCompanion"), nil
	default:
		if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
			return filepath.Join(d, "patient-companion"), nil
		}
		return filepath.Join(home, ".local", "share", "patient-companion"), nil
	}
}
