// Package cli is the command line: the same binary as the window, running one command
// (DESIGN §6). Its commands, flags, JSON fields and exit codes are a contract that clinic IT
// scripts rely on.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/patient-companion/companion/clinic"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/vault"
)

// Exit codes (DESIGN §6).
const (
	ExitOK         = 0
	ExitFailure    = 1
	ExitUsage      = 2
	ExitLocked     = 3
	ExitNotFound   = 4
	ExitDamaged    = 5
	ExitPortal     = 6
	ExitClinicLock = 7
)

// Env is everything a command touches outside itself.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Keyring is the OS keyring; nil when none should be used.
	Keyring vault.Keyring
	// Argon2 is the passphrase cost; zero means the default.
	Argon2 vault.Argon2Params
	Now    func() time.Time
	// Location is the zone for wall-clock times; nil means time.Local (TZ, else the system's).
	Location *time.Location
	// Clinic is the clinic built into this binary, or nil.
	Clinic *clinic.Clinic
	// Version and Build identify this binary for `about`.
	Version, Build string
}

// usageError is bad usage: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// command is one leaf of the command tree.
type command struct {
	path  string // "profile create"
	usage string // arguments and flags, for help
	flags func(fs *pflag.FlagSet)
	run   func(c *call) error
}

// call is one invocation of a command.
type call struct {
	ctx  context.Context
	env  Env
	fs   *pflag.FlagSet
	args []string // positional arguments after the command words
	json bool
	// store is the profile the command opened, if any: damage found about the profile
	// itself at opening (data.Store.Damage) fails the command once its output is printed.
	store *data.Store
}

func commands() []*command {
	return []*command{
		{path: "profile create", usage: "NAME [--no-keyring] [--demo] [--demo-entries N]", flags: profileCreateFlags, run: profileCreate},
		{path: "profile list", run: profileList},
		{path: "profile delete", usage: "NAME", run: profileDelete},
		{path: "profile passwd", usage: "NAME [--new-passphrase-file F]", flags: newPassphraseFlags, run: profilePasswd},
		{path: "profile recover", usage: "NAME --recovery-key-file F [--new-passphrase-file F]", flags: profileRecoverFlags, run: profileRecover},
		{path: "symptom add", usage: "--name S --severity 0-10 [--at TIME] [--duration D] [--note T]", flags: symptomAddFlags, run: symptomAdd},
		{path: "journal list", usage: "[--since TIME] [--until TIME]", flags: journalListFlags, run: journalList},
		{path: "journal search", usage: "TEXT", run: journalSearch},
		{path: "med add", usage: "--name N [--dose D] [--strength S] [--form F] [--instructions I] [--dose-window D] (--times HH:MM,... [--every-days N | --weekdays mon,...] [--start DATE] [--end DATE] | --cron EXPR | --as-needed)", flags: medAddFlags, run: medAdd},
		{path: "med list", run: medList},
		{path: "med step add", usage: "ID (--times HH:MM,... [--every-days N | --weekdays mon,...] [--start DATE] [--end DATE] | --cron EXPR) [--dose D]", flags: medStepFlags, run: medStepAdd},
		{path: "med take", usage: "ID [--at TIME]", flags: atFlag, run: medTake},
		{path: "med skip", usage: "ID [--at TIME]", flags: atFlag, run: medSkip},
		{path: "med log", usage: "ID", run: medLog},
		{path: "med remove", usage: "ID", run: medRemove},
		{path: "reminders next", usage: "[--from TIME] [--count N]", flags: remindersNextFlags, run: remindersNext},
		{path: "appointment add", usage: "--at TIME --title T [--end TIME] [--location L]", flags: appointmentAddFlags, run: appointmentAdd},
		{path: "appointment list", run: appointmentList},
		{path: "note add", usage: "TEXT", run: noteAdd},
		{path: "note list", run: noteList},
		{path: "portal connect", usage: "URL [--patient ID] [--client-id ID] [--no-browser]", flags: portalConnectFlags, run: portalConnect},
		{path: "portal status", run: portalStatus},
		{path: "portal disconnect", run: portalDisconnect},
		{path: "sync", run: syncCmd},
		{path: "settings get", usage: "[KEY]", run: settingsGet},
		{path: "settings set", usage: "KEY VALUE", run: settingsSet},
		{path: "about", run: about},
	}
}

func globalFlags(fs *pflag.FlagSet) {
	fs.String("data-dir", "", "data folder (env COMPANION_DATA_DIR)")
	fs.String("profile", "", "profile name (env COMPANION_PROFILE)")
	fs.Bool("json", false, "print one JSON value")
	fs.String("passphrase-file", "", "read the passphrase from this file (env COMPANION_PASSPHRASE)")
	fs.BoolP("help", "h", false, "show help")
	fs.Bool("background", false, "window only: start without showing it (the login entry uses this)")
}

// allFlags is the union of every command's flags, to tell flags that take a value from
// switches while the command words are not yet known.
func allFlags(cmds []*command) *pflag.FlagSet {
	fs := pflag.NewFlagSet("all", pflag.ContinueOnError)
	globalFlags(fs)
	for _, c := range cmds {
		if c.flags != nil {
			sub := pflag.NewFlagSet(c.path, pflag.ContinueOnError)
			c.flags(sub)
			sub.VisitAll(func(f *pflag.Flag) {
				if fs.Lookup(f.Name) == nil {
					fs.AddFlag(f)
				}
			})
		}
	}
	return fs
}

// positionals returns the non-flag words of args, in order, and where each stands.
func positionals(args []string, known *pflag.FlagSet) (words []string, at []int) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			for j := i + 1; j < len(args); j++ {
				words, at = append(words, args[j]), append(at, j)
			}
			return words, at
		case strings.HasPrefix(a, "-") && len(a) > 1:
			if strings.Contains(a, "=") {
				continue
			}
			name := strings.TrimLeft(a, "-")
			var f *pflag.Flag
			if strings.HasPrefix(a, "--") {
				f = known.Lookup(name)
			} else if len(name) == 1 {
				f = known.ShorthandLookup(name)
			}
			if f != nil && f.NoOptDefVal == "" {
				i++ // the flag's value
			}
		default:
			words, at = append(words, a), append(at, i)
		}
	}
	return words, at
}

// HasCommand reports whether args name a command (otherwise the window opens).
func HasCommand(args []string) bool {
	words, _ := positionals(args, allFlags(commands()))
	return len(words) > 0
}

// DataDir resolves the data folder from --data-dir anywhere in args, then COMPANION_DATA_DIR,
// then the platform default. The window uses it too, so both see the same profiles.
func DataDir(args []string, getenv func(string) string) (string, error) {
	fs := allFlags(commands())
	fs.ParseErrorsAllowlist.UnknownFlags = true
	fs.SetOutput(io.Discard)
	_ = fs.Parse(args)
	if d, _ := fs.GetString("data-dir"); d != "" {
		return d, nil
	}
	if d := getenv("COMPANION_DATA_DIR"); d != "" {
		return d, nil
	}
	return data.DefaultDir(getenv)
}

// Run runs the command in args and returns the exit code. Errors are one line on stderr.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	cmds := commands()
	words, at := positionals(args, allFlags(cmds))
	if len(words) == 0 || words[0] == "help" {
		printUsage(env.Stdout, cmds)
		if len(words) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	cmd, n := findCommand(cmds, words)
	if cmd == nil {
		return fail(env, usagef("unknown command %q; run 'companion help' for the list", strings.Join(words[:min(2, len(words))], " ")))
	}
	rest := make([]string, 0, len(args))
	skip := map[int]bool{}
	for _, i := range at[:n] {
		skip[i] = true
	}
	for i, a := range args {
		if !skip[i] {
			rest = append(rest, a)
		}
	}
	fs := pflag.NewFlagSet(cmd.path, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	globalFlags(fs)
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	if err := fs.Parse(rest); err != nil {
		return fail(env, usagef("%s: %v (usage: companion %s %s)", cmd.path, err, cmd.path, cmd.usage))
	}
	if h, _ := fs.GetBool("help"); h {
		fmt.Fprintf(env.Stdout, "usage: companion %s %s\n", cmd.path, cmd.usage)
		return ExitOK
	}
	jsonOut, _ := fs.GetBool("json")
	c := &call{ctx: ctx, env: env, fs: fs, args: fs.Args(), json: jsonOut}
	if err := cmd.run(c); err != nil {
		return fail(env, err)
	}
	if c.store != nil {
		if err := c.store.Damage(); err != nil {
			return fail(env, err)
		}
	}
	return ExitOK
}

func findCommand(cmds []*command, words []string) (*command, int) {
	for _, c := range cmds {
		parts := strings.Fields(c.path)
		if len(words) >= len(parts) && strings.Join(words[:len(parts)], " ") == c.path {
			return c, len(parts)
		}
	}
	return nil, 0
}

func printUsage(w io.Writer, cmds []*command) {
	fmt.Fprintln(w, "usage: companion [--data-dir DIR] [--profile NAME] [--json] [--passphrase-file F] COMMAND ...")
	fmt.Fprintln(w, "Without a command, the window opens. Commands:")
	for _, c := range cmds {
		fmt.Fprintf(w, "  %s %s\n", c.path, c.usage)
	}
}

// fail prints err as one line and returns its exit code.
func fail(env Env, err error) int {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	fmt.Fprintln(env.Stderr, "companion: "+msg)
	return exitCode(err)
}

func exitCode(err error) int {
	var ue usageError
	var te *data.TamperedError
	var pe portalError
	switch {
	case errors.Is(err, data.ErrLockedByClinic):
		return ExitClinicLock
	case errors.As(err, &pe):
		return ExitPortal
	case errors.As(err, &ue), errors.Is(err, data.ErrInvalid), errors.Is(err, data.ErrExists):
		return ExitUsage
	case errors.As(err, &te), errors.Is(err, data.ErrNotOurFile), errors.Is(err, data.ErrNewerSchema):
		return ExitDamaged
	case errors.Is(err, data.ErrLocked), errors.Is(err, data.ErrWrongPassphrase),
		errors.Is(err, vault.ErrKeyringUnavailable), errors.Is(err, vault.ErrKeyringEntryMissing):
		return ExitLocked
	case errors.Is(err, data.ErrNotFound):
		return ExitNotFound
	}
	return ExitFailure
}

// out prints v as JSON with --json, else calls human.
func (c *call) out(v any, human func(w io.Writer)) error {
	if c.json {
		enc := json.NewEncoder(c.env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	human(c.env.Stdout)
	return nil
}

// printList prints what a list read returned even when some records were damaged: the
// readable ones go to stdout and the damage comes back as the error (exit 5), so nothing is
// hidden and nothing good is lost. Any other read error is returned as it is.
func printList[T, J any](c *call, items []T, readErr error, toJSON func(T) J, human func(io.Writer)) error {
	var te *data.TamperedError
	if readErr != nil && !errors.As(readErr, &te) {
		return readErr
	}
	out := make([]J, 0, len(items))
	for _, it := range items {
		out = append(out, toJSON(it))
	}
	if err := c.out(out, human); err != nil {
		return err
	}
	return readErr
}

func (c *call) str(name string) string {
	s, _ := c.fs.GetString(name)
	return s
}

func (c *call) changed(name string) bool { return c.fs.Changed(name) }

func (c *call) profiles() (*data.Profiles, error) {
	dir, err := DataDir(nil, c.env.Getenv)
	if d := c.str("data-dir"); d != "" {
		dir, err = d, nil
	}
	if err != nil {
		return nil, usageError{err.Error()}
	}
	p := &data.Profiles{Dir: dir, Keyring: c.env.Keyring, Argon2: c.env.Argon2, Now: c.env.Now, Location: c.env.Location}
	if c.env.Clinic != nil {
		p.Policy = c.env.Clinic
	}
	return p, nil
}

// passphrase returns the passphrase from --passphrase-file or COMPANION_PASSPHRASE, or nil.
func (c *call) passphrase() ([]byte, error) {
	return c.secret("passphrase-file", "COMPANION_PASSPHRASE")
}

func (c *call) secret(flag, env string) ([]byte, error) {
	if f := c.str(flag); f != "" {
		return readSecretFile(f, "--"+flag)
	}
	if v := c.env.Getenv(env); v != "" {
		return []byte(v), nil
	}
	return nil, nil
}

func readSecretFile(path, what string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("cannot read %s: %v", what, errors.Unwrap(err))
	}
	if bytes := strings.TrimSuffix(string(b), "\n"); len(bytes) != len(b) {
		b = []byte(strings.TrimSuffix(bytes, "\r"))
	}
	if len(b) == 0 {
		return nil, usagef("%s %s is empty", what, path)
	}
	return b, nil
}

// chooseProfile finds the profile the command is about: --profile, COMPANION_PROFILE, or the
// only one there is.
func (c *call) chooseProfile(p *data.Profiles) (data.ProfileInfo, error) {
	name := c.str("profile")
	if name == "" {
		name = c.env.Getenv("COMPANION_PROFILE")
	}
	if name != "" {
		return p.Find(c.ctx, name)
	}
	all, err := p.List(c.ctx)
	if err != nil {
		return data.ProfileInfo{}, err
	}
	switch len(all) {
	case 0:
		return data.ProfileInfo{}, usagef("there is no profile yet in %s: create one with 'companion profile create NAME'", p.Dir)
	case 1:
		return all[0], nil
	}
	names := make([]string, len(all))
	for i, pi := range all {
		names[i] = pi.Name
	}
	sort.Strings(names)
	return data.ProfileInfo{}, usagef("there are several profiles (%s): choose one with --profile NAME", strings.Join(names, ", "))
}

// openStore unlocks the chosen profile.
func (c *call) openStore() (*data.Store, error) {
	p, err := c.profiles()
	if err != nil {
		return nil, err
	}
	info, err := c.chooseProfile(p)
	if err != nil {
		return nil, err
	}
	pass, err := c.passphrase()
	if err != nil {
		return nil, err
	}
	s, err := p.Open(c.ctx, info, data.Credentials{Passphrase: pass})
	if errors.Is(err, data.ErrWrongPassphrase) {
		return nil, fmt.Errorf("wrong passphrase for profile %q; nothing was changed (forgot it? see 'companion profile recover'): %w", info.Name, err)
	}
	if errors.Is(err, data.ErrLocked) && pass == nil {
		return nil, fmt.Errorf("profile %q is locked (%w); give the passphrase with --passphrase-file F or COMPANION_PASSPHRASE", info.Name, err)
	}
	c.store = s
	return s, err
}

// noArgs rejects stray positional arguments.
func (c *call) noArgs() error {
	if len(c.args) > 0 {
		return usagef("unexpected argument %q", c.args[0])
	}
	return nil
}

// oneArg returns the single positional argument, named what.
func (c *call) oneArg(what string) (string, error) {
	switch len(c.args) {
	case 0:
		return "", usagef("give the %s", what)
	case 1:
		return c.args[0], nil
	}
	return "", usagef("give one %s, not %d words (quote it if it has spaces)", what, len(c.args))
}

// rfc3339 formats a time for output: RFC 3339 in the local zone.
func rfc3339(t time.Time) string { return t.Format(time.RFC3339Nano) }

func parseTime(flag, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, usagef("--%s %q is not a time: use RFC 3339, like 2026-03-01T08:30:00+01:00", flag, s)
	}
	return t, nil
}
