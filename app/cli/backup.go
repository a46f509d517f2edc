package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/internal/filelock"
)

// backup and restore (DESIGN §6.1; the file format is in data/backup.go and docs/SECURITY.md).

func backupFlags(fs *pflag.FlagSet) {
	fs.String("out", "", "write the encrypted backup to this file")
}

func backupCmd(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	out := c.str("out")
	if out == "" {
		return usagef("give the backup file with --out FILE")
	}
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return usagef("--out %s is a folder: give a file name, e.g. %s", out, filepath.Join(out, "companion.backup"))
	}
	if fi, err := os.Stat(filepath.Dir(out)); err != nil || !fi.IsDir() {
		return usagef("the folder of --out %s does not exist: create it first", out)
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.BackupTo(c.ctx, out); err != nil {
		return err
	}
	fi, err := os.Stat(out)
	if err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	info := s.Info()
	return c.out(map[string]any{"id": info.ID, "name": info.Name, "out": out, "bytes": fi.Size()}, func(w io.Writer) {
		fmt.Fprintf(w, "Backup of profile %s written to %s (%d bytes). It opens with the profile's recovery key.\n",
			strconv.Quote(info.Name), out, fi.Size())
	})
}

func restoreFlags(fs *pflag.FlagSet) {
	newPassphraseFlags(fs)
	fs.String("recovery-key-file", "", "file holding the profile's recovery key")
	fs.String("as", "", "restore a copy under this name, with a new id, beside the original")
	fs.Bool("replace", false, "put the backup in place of the profile with the same id here")
}

func restoreCmd(c *call) error {
	file, err := c.oneArg("backup file")
	if err != nil {
		return err
	}
	rk, err := c.recoveryKey()
	if err != nil {
		return err
	}
	replace, _ := c.fs.GetBool("replace")
	as := c.str("as")
	if as != "" {
		if err := c.oneLine("as"); err != nil {
			return err
		}
		if replace {
			return usagef("--as makes a copy beside the original and --replace puts the backup in its place: give one of them")
		}
	}
	// The new passphrase as for `profile recover`.
	newPass, err := c.secret("new-passphrase-file", "COMPANION_NEW_PASSPHRASE")
	if err != nil {
		return err
	}
	if newPass == nil {
		if newPass, err = c.passphrase(); err != nil {
			return err
		}
	}
	f, err := os.Open(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("backup file %s: %w", file, data.ErrNotFound)
		}
		return usagef("cannot read the backup file: %v", errors.Unwrap(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return usagef("the backup %s is not a regular file", file)
	}
	p, err := c.profiles()
	if err != nil {
		return err
	}
	if replace && windowRunning(p.Dir) {
		return usagef("Patient Companion is running on this data folder: quit it (Quit in its tray menu) before replacing a profile, or it would go on writing to the one replaced")
	}
	s, err := p.Restore(c.ctx, f, data.RestoreOptions{RecoveryKey: rk, Passphrase: newPass, As: as, Replace: replace})
	if err != nil {
		return err
	}
	defer s.Close()
	c.store = s
	info := s.Info()
	return c.out(toProfileJSON(info), func(w io.Writer) {
		fmt.Fprintln(w, info.ID)
	})
}

// windowRunning says whether the window runs on the data folder dir: it holds
// dir/.instance.lock for its whole life (app/single), and may have the profile open.
func windowRunning(dir string) bool {
	f, err := os.OpenFile(filepath.Join(dir, ".instance.lock"), os.O_RDWR, 0)
	if err != nil {
		return false // it never ran here
	}
	defer f.Close() // releases the lock if we took it
	ok, err := filelock.TryLock(f)
	return err == nil && !ok
}
