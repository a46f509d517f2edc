package cli

import (
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/vault"
)

type profileJSON struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	CreatedAt   *string `json:"created_at"`
	Keyring     bool    `json:"keyring"`
	Passphrase  bool    `json:"passphrase"`
	Error       *string `json:"error"`
	RecoveryKey *string `json:"recovery_key,omitempty"`
}

func toProfileJSON(pi data.ProfileInfo) profileJSON {
	j := profileJSON{ID: pi.ID, Name: pi.Name, Keyring: pi.HasKeyring, Passphrase: pi.HasPassphrase}
	if !pi.CreatedAt.IsZero() {
		s := rfc3339(pi.CreatedAt)
		j.CreatedAt = &s
	}
	if pi.Err != nil {
		s := pi.Err.Error()
		j.Error = &s
	}
	return j
}

func profileCreateFlags(fs *pflag.FlagSet) {
	fs.Bool("no-keyring", false, "protect the profile with a passphrase only")
	fs.Bool("demo", false, "fill the profile with three months of synthetic data")
	fs.Int("demo-entries", 0, "add N synthetic journal entries")
}

func profileCreate(c *call) error {
	name, err := c.oneArg("profile name")
	if err != nil {
		return err
	}
	noKeyring, _ := c.fs.GetBool("no-keyring")
	demo, _ := c.fs.GetBool("demo")
	n, _ := c.fs.GetInt("demo-entries")
	if n < 0 || n > 10_000_000 {
		return usagef("--demo-entries must be between 0 and 10000000")
	}

	pass, err := c.passphrase()
	if err != nil {
		return err
	}
	if noKeyring && pass == nil {
		return usagef("a profile without the keyring needs a passphrase: give it with --passphrase-file F or COMPANION_PASSPHRASE")
	}
	if pass != nil {
		if err := data.ValidateNewPassphrase(pass); err != nil {
			return err
		}
	}
	p, err := c.profiles()
	if err != nil {
		return err
	}
	// Two phases: the whole profile (demo data included) is made out of sight, the recovery
	// key printed and the write checked, and only then is the profile put in place. A crash,
	// a failure or a full disk under stdout leaves no profile whose key nobody saw.
	pp, err := p.Prepare(c.ctx, data.CreateOptions{Name: name, Passphrase: pass, NoKeyring: noKeyring})
	if err != nil {
		return err
	}
	defer pp.Abort(c.ctx) // nothing once committed
	s := pp.Store()
	if demo {
		if err := s.AddDemoProfileIn(c.ctx, demoWords()); err != nil {
			return err
		}
	}
	if n > 0 {
		if err := s.AddDemoEntries(c.ctx, n, nil); err != nil {
			return err
		}
	}
	j := toProfileJSON(s.Info())
	key := pp.RecoveryKey().String()
	j.RecoveryKey = &key
	err = c.out(j, func(w io.Writer) {
		fmt.Fprintln(w, j.ID)
		fmt.Fprintf(w, "Recovery key: %s\n", key)
		fmt.Fprintln(w, "Write the recovery key down and keep it somewhere safe. It is shown only this once, and it is the")
		fmt.Fprintln(w, "only way back into this journal if the passphrase is forgotten or this computer's keyring is lost.")
	})
	if err == nil {
		err = syncOutput(c.env.Stdout)
	}
	if err != nil {
		return fmt.Errorf("the recovery key could not be shown, so the profile was not created: %w", err)
	}
	if s, err = pp.Commit(c.ctx); err != nil {
		return fmt.Errorf("the profile was not created (forget the recovery key above): %w", err)
	}
	return s.Close()
}

func profileList(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	p, err := c.profiles()
	if err != nil {
		return err
	}
	all, err := p.List(c.ctx)
	if err != nil {
		return err
	}
	out := make([]profileJSON, 0, len(all))
	for _, pi := range all {
		out = append(out, toProfileJSON(pi))
	}
	return c.out(out, func(w io.Writer) {
		if len(all) == 0 {
			fmt.Fprintln(w, "No profiles yet. Create one with: companion profile create NAME")
			return
		}
		for _, pi := range all {
			if pi.Err != nil {
				fmt.Fprintf(w, "%s\t(cannot be read: %s)\n", pi.ID, printable(pi.Err.Error()))
				continue
			}
			how := []string{}
			if pi.HasKeyring {
				how = append(how, "keyring")
			}
			if pi.HasPassphrase {
				how = append(how, "passphrase")
			}
			fmt.Fprintf(w, "%s\t%s\tcreated %s\tunlocks with %s\n", printable(pi.Name), pi.ID, pi.CreatedAt.Format("2006-01-02"), joinOr(how))
		}
	})
}

func joinOr(s []string) string {
	switch len(s) {
	case 0:
		return "recovery key only"
	case 1:
		return s[0]
	}
	return s[0] + " or " + s[1]
}

func profileDelete(c *call) error {
	name, err := c.oneArg("profile name")
	if err != nil {
		return err
	}
	p, err := c.profiles()
	if err != nil {
		return err
	}
	info, err := p.Find(c.ctx, name)
	if err != nil {
		return err
	}
	if err := p.Delete(c.ctx, info); err != nil {
		return err
	}
	return c.out(map[string]any{"id": info.ID, "name": info.Name, "deleted": true}, func(w io.Writer) {
		fmt.Fprintf(w, "Deleted profile %s and its key.\n", strconv.Quote(info.Name))
	})
}

func newPassphraseFlags(fs *pflag.FlagSet) {
	fs.String("new-passphrase-file", "", "read the new passphrase from this file (env COMPANION_NEW_PASSPHRASE)")
}

func profileRecoverFlags(fs *pflag.FlagSet) {
	newPassphraseFlags(fs)
	fs.String("recovery-key-file", "", "file holding the recovery key")
}

func profilePasswd(c *call) error {
	name, err := c.oneArg("profile name")
	if err != nil {
		return err
	}
	newPass, err := c.secret("new-passphrase-file", "COMPANION_NEW_PASSPHRASE")
	if err != nil {
		return err
	}
	if newPass == nil {
		return usagef("give the new passphrase with --new-passphrase-file F or COMPANION_NEW_PASSPHRASE (the current one with --passphrase-file or COMPANION_PASSPHRASE)")
	}
	if err := data.ValidateNewPassphrase(newPass); err != nil {
		return err
	}
	c.profile = name
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.SetPassphrase(c.ctx, newPass, c.env.Argon2); err != nil {
		return err
	}
	return c.out(toProfileJSON(s.Info()), func(w io.Writer) {
		fmt.Fprintf(w, "Passphrase changed for profile %s.\n", strconv.Quote(s.Info().Name))
	})
}

// recoveryKey reads and parses the key in --recovery-key-file (profile recover, restore).
func (c *call) recoveryKey() (vault.RecoveryKey, error) {
	f := c.str("recovery-key-file")
	if f == "" {
		return vault.RecoveryKey{}, usagef("give the recovery key with --recovery-key-file F")
	}
	raw, err := readSecretFile(f, "--recovery-key-file")
	if err != nil {
		return vault.RecoveryKey{}, err
	}
	rk, err := vault.ParseRecoveryKey(string(raw))
	if err != nil {
		return vault.RecoveryKey{}, usagef("%v", err)
	}
	return rk, nil
}

func profileRecover(c *call) error {
	name, err := c.oneArg("profile name")
	if err != nil {
		return err
	}
	rk, err := c.recoveryKey()
	if err != nil {
		return err
	}
	newPass, err := c.secret("new-passphrase-file", "COMPANION_NEW_PASSPHRASE")
	if err != nil {
		return err
	}
	if newPass == nil {
		if newPass, err = c.passphrase(); err != nil {
			return err
		}
	}
	if newPass == nil {
		return usagef("give the new passphrase with --new-passphrase-file F or COMPANION_NEW_PASSPHRASE")
	}
	if err := data.ValidateNewPassphrase(newPass); err != nil {
		return err
	}
	p, err := c.profiles()
	if err != nil {
		return err
	}
	info, err := p.Find(c.ctx, name)
	if err != nil {
		return err
	}
	s, err := p.Recover(c.ctx, info, rk, newPass)
	if err != nil {
		return err
	}
	defer s.Close()
	c.store = s
	return c.out(toProfileJSON(s.Info()), func(w io.Writer) {
		fmt.Fprintf(w, "Profile %s recovered; it now opens with the new passphrase. The recovery key stays the same.\n", strconv.Quote(info.Name))
	})
}

// demoWords puts a demo profile's texts in the language the app runs in (nil: English, also
// when no translations were loaded, as in a test).
func demoWords() data.DemoWords {
	if l := tr.Lang(); l == "en" || !tr.Supported(l) {
		return nil
	}
	return func(en string) string { return tr.T("demo." + en) }
}
