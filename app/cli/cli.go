// Package cli is the command line: the same binary as the window, running one command
// (DESIGN §6). Its commands, flags, JSON fields and exit codes are a contract that clinic IT
// scripts rely on.
package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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
	// store is the profile openStore opened, checkpointed before any output (see out);
	// damage found about the profile itself at opening (data.Store.Damage) fails the
	// command once its output is printed.
	store *data.Store
	// profile, when set, is the profile the command names itself (profile passwd NAME).
	profile string
}

// flagSet is the command's flags and the global ones, unparsed; errors are the caller's to
// say (pflag's own output is discarded).
func (c *command) flagSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet(c.path, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	globalFlags(fs)
	if c.flags != nil {
		c.flags(fs)
	}
	return fs
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
		{path: "med add", usage: "--name N [--dose D] [--strength S] [--form F] [--instructions I] [--dose-window D] (--times HH:MM,... [--every-days N | --weekdays mon,...] [--start DATE] [--end DATE] | --cron EXPR | --as-needed) [--stock N] [--refill-days N]  |  --from-record ID [--times HH:MM,...]  (a medicine of your clinic's record; its timing's times of day are the time_* settings)", flags: medAddFlags, run: medAdd},
		{path: "med stock", usage: "ID (--add N | --set N)", flags: medStockFlags, run: medStock},
		{path: "med list", run: medList},
		{path: "med step add", usage: "ID (--times HH:MM,... [--every-days N | --weekdays mon,...] [--start DATE] [--end DATE] | --cron EXPR) [--dose D]", flags: medStepFlags, run: medStepAdd},
		{path: "med take", usage: "ID [--at TIME] [--change]", flags: answerFlags, run: medTake},
		{path: "med skip", usage: "ID [--at TIME] [--change]", flags: answerFlags, run: medSkip},
		{path: "med log", usage: "ID", run: medLog},
		{path: "med remove", usage: "ID", run: medRemove},
		{path: "reminders next", usage: "[--from TIME] [--count N]", flags: remindersNextFlags, run: remindersNext},
		{path: "appointment add", usage: "--at TIME --title T [--end TIME] [--location L]", flags: appointmentAddFlags, run: appointmentAdd},
		{path: "appointment list", run: appointmentList},
		{path: "appointment request", usage: "--reason T [--after DATE] [--before DATE] [--with NAME]", flags: appointmentRequestFlags, run: appointmentRequest},
		{path: "appointment cancel", usage: "ID [--reason T]", flags: appointmentCancelFlags, run: appointmentCancel},
		{path: "question add", usage: "--appointment ID TEXT", flags: questionAddFlags, run: questionAdd},
		{path: "question list", usage: "[--appointment ID]", flags: questionListFlags, run: questionList},
		{path: "question done", usage: "ID", run: questionDone},
		{path: "survey list", run: surveyList},
		{path: "survey answer", usage: "ID --answers-file F  (JSON: {\"linkId\": value, ...})", flags: surveyAnswerFlags, run: surveyAnswer},
		{path: "vital add", usage: "--type blood-pressure|pulse|weight|glucose|temperature|oxygen --value V [--unit U] [--at TIME] [--share]", flags: vitalAddFlags, run: vitalAdd},
		{path: "vital list", usage: "[--type T] [--since TIME]", flags: vitalListFlags, run: vitalList},
		{path: "note add", usage: "TEXT", run: noteAdd},
		{path: "note list", run: noteList},
		{path: "portal connect", usage: "URL [--patient ID] [--client-id ID] [--no-browser]", flags: portalConnectFlags, run: portalConnect},
		{path: "portal status", run: portalStatus},
		{path: "portal disconnect", run: portalDisconnect},
		{path: "sync", usage: "[--full]", flags: syncFlags, run: syncCmd},
		{path: "record list", usage: "[--type condition|allergy|medication|immunization|result|document]  (the health record from your clinic; dates are YYYY-MM-DD when the clinic gave no time, else RFC 3339)", flags: recordListFlags, run: recordList},
		{path: "record show", usage: "ID [--out FILE]  (one row with everything; --out saves a document's file, not encrypted)", flags: recordShowFlags, run: recordShow},
		{path: "settings get", usage: "[KEY]", run: settingsGet},
		{path: "settings set", usage: "KEY VALUE", run: settingsSet},
		{path: "export csv", usage: "--out DIR  (one CSV file per kind of record; not encrypted)", flags: exportOutFlag("folder for the CSV files"), run: exportCSV},
		{path: "export ics", usage: "--out FILE  (the appointments as a calendar; not encrypted)", flags: exportOutFlag("calendar file (.ics)"), run: exportICS},
		{path: "export fhir", usage: "--out FILE  (a FHIR R4 Bundle of the journal; not encrypted)", flags: exportOutFlag("FHIR Bundle file (.json)"), run: exportFHIR},
		{path: "export report", usage: "--out FILE.pdf [--from DATE] [--to DATE]", flags: exportReportFlags, run: exportReport},
		{path: "backup", usage: "--out FILE", flags: backupFlags, run: backupCmd},
		{path: "restore", usage: "FILE --recovery-key-file F [--new-passphrase-file F] [--as NAME] [--replace]", flags: restoreFlags, run: restoreCmd},
		{path: "about", run: about},
	}
}

func globalFlags(fs *pflag.FlagSet) {
	fs.String("data-dir", "", "data folder (env COMPANION_DATA_DIR)")
	fs.String("profile", "", "profile name (env COMPANION_PROFILE)")
	fs.Bool("json", false, "print one JSON value")
	fs.String("passphrase-file", "", "read the passphrase from this file (env COMPANION_PASSPHRASE)")
	fs.BoolP("help", "h", false, "show help")
	fs.Bool("version", false, "print the version and exit")
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

// HasCommand reports whether args name a command, or ask for help or the version: then the
// command line answers and exits. Otherwise the window opens.
func HasCommand(args []string) bool {
	known := allFlags(commands())
	words, _ := positionals(args, known)
	if len(words) > 0 {
		return true
	}
	for i := 0; i < len(args); i++ {
		a, _, _ := strings.Cut(args[i], "=")
		switch {
		case a == "--":
			return false
		case a == "--help" || a == "-h" || a == "--version":
			return true
		case strings.HasPrefix(a, "--") && !strings.Contains(args[i], "="):
			if f := known.Lookup(a[2:]); f != nil && f.NoOptDefVal == "" {
				i++ // its value, which may itself read "--help"
			}
		}
	}
	return false
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
	// Input is text: invalid UTF-8 would be silently replaced on its way to JSON or the
	// journal, and control characters (ESC, BEL, CR) in a name would later play on the
	// terminal that lists it. Newlines and tabs belong in notes; names refuse them too.
	for i, a := range args {
		if !utf8.ValidString(a) {
			return fail(env, usagef("argument %d is not valid UTF-8 text: give text in UTF-8", i+1))
		}
		if strings.ContainsFunc(a, func(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }) {
			return fail(env, usagef("argument %d holds a control character (like ESC or BEL): leave it out", i+1))
		}
	}
	cmds := commands()
	words, at := positionals(args, allFlags(cmds))
	if len(words) == 0 {
		switch {
		case flagGiven(args, "--version"):
			return printVersion(env, flagGiven(args, "--json"))
		case flagGiven(args, "--help", "-h"):
			printUsage(env.Stdout, cmds)
			return ExitOK
		}
		// Bad usage like any other: one line on stderr, nothing on stdout (main opens the
		// window instead, so only a caller of Run gets here).
		return fail(env, usagef("no command given; run 'companion help' for the list"))
	}
	if words[0] == "help" {
		if len(words) == 1 {
			printUsage(env.Stdout, cmds)
			return ExitOK
		}
		cmd, n := findCommand(cmds, words[1:])
		if cmd == nil || n != len(words)-1 {
			return fail(env, usagef("no command %q; run 'companion help' for the list", strings.Join(words[1:], " ")))
		}
		fmt.Fprintf(env.Stdout, "usage: companion %s %s\n", cmd.path, cmd.usage)
		return ExitOK
	}
	cmd, n := findCommand(cmds, words)
	if cmd == nil && len(words) == 1 {
		// A group of commands named alone, like "export": say which ones it has.
		var subs []string
		for _, c := range cmds {
			if sub, ok := strings.CutPrefix(c.path, words[0]+" "); ok {
				subs = append(subs, sub)
			}
		}
		if len(subs) > 0 {
			return fail(env, usagef("%s needs one of: %s; run 'companion help' for the list", words[0], strings.Join(subs, ", ")))
		}
	}
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
	fs := cmd.flagSet()
	twice := onlyOnce(fs)
	if err := fs.Parse(rest); err != nil {
		if *twice != "" {
			return fail(env, usagef("--%s is given twice: give it once", *twice))
		}
		return fail(env, usagef("%s: %v (usage: companion %s %s)", cmd.path, err, cmd.path, cmd.usage))
	}
	if h, _ := fs.GetBool("help"); h {
		fmt.Fprintf(env.Stdout, "usage: companion %s %s\n", cmd.path, cmd.usage)
		return ExitOK
	}
	if v, _ := fs.GetBool("version"); v {
		return printVersion(env, flagGiven(args, "--json"))
	}
	if env.Location == nil {
		// Go quietly falls back to UTC for a TZ it does not know; times of day would then be
		// hours off with no word said.
		if err := checkTZ(env.Getenv("TZ")); err != nil {
			return fail(env, err)
		}
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

// flagGiven reports whether any of names stands on the line as a flag (before any "--").
func flagGiven(args []string, names ...string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		a, _, _ = strings.Cut(a, "=")
		for _, n := range names {
			if a == n {
				return true
			}
		}
	}
	return false
}

// onlyOnce makes every flag of fs refuse a second value: a flag given twice is a mistake
// (which one did they mean?), never silently the last one. The name of such a flag is
// left in the returned string.
func onlyOnce(fs *pflag.FlagSet) *string {
	twice := new(string)
	fs.VisitAll(func(f *pflag.Flag) {
		f.Value = &onceValue{Value: f.Value, name: f.Name, twice: twice}
	})
	return twice
}

type onceValue struct {
	pflag.Value
	name  string
	set   bool
	twice *string
}

func (v *onceValue) Set(s string) error {
	if v.set {
		*v.twice = v.name
		return fmt.Errorf("--%s is given twice", v.name)
	}
	v.set = true
	return v.Value.Set(s)
}

// checkTZ refuses a TZ that names no zone this computer knows (an empty TZ is UTC, as for
// every program).
func checkTZ(tz string) error {
	name := strings.TrimPrefix(tz, ":")
	if name == "" {
		return nil
	}
	var err error
	if filepath.IsAbs(name) {
		var b []byte
		if b, err = os.ReadFile(name); err == nil {
			_, err = time.LoadLocationFromTZData(name, b)
		}
	} else {
		_, err = time.LoadLocation(name)
	}
	if err != nil {
		return usagef("TZ=%s is not a time zone this computer knows: use a name like Europe/Paris, or unset TZ", strconv.Quote(tz))
	}
	return nil
}

func printVersion(env Env, asJSON bool) int {
	if asJSON {
		b, _ := json.Marshal(map[string]string{"name": "Patient Companion", "version": env.Version, "build": env.Build})
		fmt.Fprintf(env.Stdout, "%s\n", b)
		return ExitOK
	}
	fmt.Fprintf(env.Stdout, "Patient Companion %s (build %s)\n", env.Version, env.Build)
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

// fail prints err as one line (control characters escaped: an error may quote a name) and
// returns its exit code.
func fail(env Env, err error) int {
	fmt.Fprintln(env.Stderr, "companion: "+printable(err.Error()))
	return exitCode(err)
}

// printable makes text that came from the journal, a medicine or the portal safe to print
// on a terminal: control characters (ESC, BEL, CR…, with which a stored name could clear
// the screen, retitle the window or forge a line) and bidirectional overrides are shown
// escaped, like \x1b; newlines and tabs become spaces, so one record stays one line. JSON
// output needs none of this: encoding/json escapes them and keeps the text exact.
func printable(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r == '\n' || r == '\t' || needsEscape(r) }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteByte(' ')
		case needsEscape(r):
			b.WriteString(strings.Trim(strconv.QuoteRuneToASCII(r), "'"))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsEscape(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError
}

func exitCode(err error) int {
	var ue usageError
	var pe portalError
	switch {
	case errors.Is(err, data.ErrLockedByClinic):
		return ExitClinicLock
	case errors.As(err, &pe):
		return ExitPortal
	case errors.As(err, &ue), errors.Is(err, data.ErrInvalid), errors.Is(err, data.ErrExists):
		return ExitUsage
	case data.IsDamaged(err):
		return ExitDamaged
	case errors.Is(err, data.ErrLocked), errors.Is(err, data.ErrWrongPassphrase),
		errors.Is(err, vault.ErrKeyringUnavailable), errors.Is(err, vault.ErrKeyringEntryMissing):
		return ExitLocked
	case errors.Is(err, data.ErrNotFound):
		return ExitNotFound
	}
	return ExitFailure
}

// out prints v as JSON with --json, else calls human. An open profile is checkpointed first
// (see data.Store.Checkpoint): what a command reports as done is in the journal file itself.
// A failed write to stdout (a full disk) is an error, not a success nobody saw.
func (c *call) out(v any, human func(w io.Writer)) error {
	if c.store != nil {
		if err := c.store.Checkpoint(c.ctx); err != nil {
			return err
		}
	}
	if c.json {
		enc := json.NewEncoder(c.env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return fmt.Errorf("write the output: %w", err)
		}
		return nil
	}
	// Buffered: a search that prints thousands of entries made a write call per line.
	w := &errWriter{w: c.env.Stdout}
	bw := bufio.NewWriterSize(w, 64<<10)
	human(bw)
	bw.Flush()
	if w.err != nil {
		return fmt.Errorf("write the output: %w", w.err)
	}
	return nil
}

// errWriter keeps the first write error, which fmt.Fprint* calls would drop.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// syncOutput flushes stdout to the disk when it is a file, so "written" means on the disk.
func syncOutput(w io.Writer) error {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil // a terminal or a pipe: nothing to sync
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write the output: %w", err)
	}
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
	// What a crashed command or window left half made or half deleted is finished first.
	// Best effort: a folder that cannot be swept now is swept at a later start.
	_ = p.Sweep(c.ctx)
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

// maxSecretFile bounds a secret file: a passphrase or a recovery key is a line of text, and
// reading /dev/zero (or a film) as one would exhaust the memory.
const maxSecretFile = 4096

func readSecretFile(path, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("cannot read %s: %v", what, errors.Unwrap(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, usagef("cannot read %s: %v", what, errors.Unwrap(err))
	case !fi.Mode().IsRegular():
		return nil, usagef("%s %s is not a regular file: put the secret in a file", what, path)
	case fi.Size() > maxSecretFile:
		return nil, usagef("%s %s is larger than %d bytes: it should hold one line", what, path, maxSecretFile)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return nil, usagef("cannot read %s: %v", what, errors.Unwrap(err))
	}
	if len(b) > maxSecretFile {
		return nil, usagef("%s %s is larger than %d bytes: it should hold one line", what, path, maxSecretFile)
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
	name := c.profile
	if name == "" {
		name = c.str("profile")
	}
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
		if pi.Err != nil {
			names[i] = "unreadable folder " + pi.ID
		}
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
	switch {
	case err == nil:
		c.store = s
		return s, nil
	case errors.Is(err, data.ErrWrongPassphrase):
		return nil, fmt.Errorf("wrong passphrase for profile %q; nothing was changed (forgot it? see 'companion profile recover'): %w", info.Name, err)
	case errors.Is(err, data.ErrLocked) && pass == nil:
		return nil, fmt.Errorf("profile %q is locked (%w); give the passphrase with --passphrase-file F or COMPANION_PASSPHRASE", info.Name, err)
	case data.IsDamaged(err), data.IsPermission(err):
		return nil, fmt.Errorf("profile %s cannot be opened: %w", profileLabel(info), err)
	}
	return nil, err
}

// profileLabel names a profile in an error: its name and id, or its folder when unreadable.
func profileLabel(info data.ProfileInfo) string {
	if info.Name == "" {
		return "folder " + info.ID
	}
	return strconv.Quote(info.Name) + " (" + info.ID + ")"
}

// oneLine refuses a newline or a tab in flags that name something (a name, a title): every
// list shows such a value on one line.
func (c *call) oneLine(flags ...string) error {
	for _, f := range flags {
		if strings.ContainsAny(c.str(f), "\n\t") {
			return usagef("--%s must be one line of text", f)
		}
	}
	return nil
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
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || !validOffset(s) {
		return time.Time{}, usagef("--%s %q is not a time: use RFC 3339, like 2026-03-01T08:30:00+01:00", flag, s)
	}
	return t, nil
}

// validOffset checks the zone offset ending an RFC 3339 time, which Go's parser lets through
// up to +24:00 (and +23:60): hours 00-23, minutes 00-59.
func validOffset(s string) bool {
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		return true
	}
	if len(s) < 6 {
		return false
	}
	off := s[len(s)-6:]
	if off[0] != '+' && off[0] != '-' || off[3] != ':' {
		return false
	}
	h, err1 := strconv.Atoi(off[1:3])
	m, err2 := strconv.Atoi(off[4:6])
	return err1 == nil && err2 == nil && h <= 23 && m <= 59
}

// TakeSecrets reads the secrets the command line accepts from the environment
// (COMPANION_PASSPHRASE, COMPANION_NEW_PASSPHRASE) once, removes them from it, and
// returns a getenv that still answers them. Removed, no child process inherits them: the
// browser `portal connect` opens, or whatever the window (Fyne) starts.
func TakeSecrets(getenv func(string) string, unsetenv func(string) error) func(string) string {
	kept := map[string]string{}
	for _, k := range secretEnv() {
		if v := getenv(k); v != "" {
			kept[k] = v
		}
		_ = unsetenv(k)
	}
	return func(k string) string {
		if v, ok := kept[k]; ok {
			return v
		}
		return getenv(k)
	}
}

func secretEnv() []string { return []string{"COMPANION_PASSPHRASE", "COMPANION_NEW_PASSPHRASE"} }

// childEnv is environ without the secrets, for every process the command line starts: a
// belt to TakeSecrets' braces, for when Run is called without it.
func childEnv(environ []string) []string {
	out := make([]string, 0, len(environ))
next:
	for _, kv := range environ {
		if kv == "DBUS_SESSION_BUS_ADDRESS="+vault.NoSessionBus { // main.noBusAutolaunch's
			continue
		}
		for _, k := range secretEnv() {
			if strings.HasPrefix(kv, k+"=") {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}
