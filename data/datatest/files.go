package datatest

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Files reads every file under dir, by path: a snapshot to compare with a later one
// ("a wrong passphrase changes no byte") or to search for text that must not be there.
func Files(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// AssertSameFiles reports every file that changed, appeared or disappeared between two
// snapshots taken by Files.
func AssertSameFiles(t testing.TB, before, after map[string][]byte) {
	t.Helper()
	for p, b := range before {
		if a, ok := after[p]; !ok {
			t.Errorf("%s disappeared", p)
		} else if !bytes.Equal(a, b) {
			t.Errorf("%s changed", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s appeared", p)
		}
	}
}

// CopyDir copies a data folder into a new folder in t.TempDir() and returns it: a closed
// journal, with its -wal if there is one, and the folders around it. Only regular files are
// copied (not the sync lock's socket and the like), each readable by this user only.
func CopyDir(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o600)
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
	return dst
}
