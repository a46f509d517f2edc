// Command companion is Patient Companion: with no command it opens the window; with a
// command it runs that command and exits (see `companion help`). This file is the
// composition root: it builds the keyring, the profile store, the clock, the portal sync and
// the UI, and nothing else.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/patient-companion/companion/app"
	"github.com/patient-companion/companion/app/autostart"
	"github.com/patient-companion/companion/app/cli"
	"github.com/patient-companion/companion/app/notify"
	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/single"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/assets"
	"github.com/patient-companion/companion/clinic"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/vault"
	"github.com/patient-companion/companion/internal/quietinit"
	"github.com/patient-companion/companion/sync/portal"
)

// AppID is the stable application id (also in FyneApp.toml): it names the preferences folder
// and the single-instance lock, so it must never change.
const AppID = "org.patientcompanion.companion"

// version and buildRevision are set at build time with -ldflags "-X main.version=1.2.3
// -X main.buildRevision=abc123" (make dist does); they are constants in all but name.
var (
	version       = "0.1.0-dev"
	buildRevision = ""
)

func main() {
	quietinit.Restore()
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	// The passphrases are read once and leave the environment, so no child (a browser, a
	// helper Fyne starts) inherits them.
	getenv := cli.TakeSecrets(os.Getenv, os.Unsetenv)
	noBusAutolaunch()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	keyring := vault.OSKeyring{}
	cl, err := clinic.Provisioned()
	if err != nil {
		// A build with a broken clinic file is a packaging error; say so rather than run
		// without the clinic's policy.
		fmt.Fprintln(os.Stderr, "companion: this build's clinic settings are damaged:", err)
		return cli.ExitFailure
	}
	if cli.HasCommand(args) {
		// Commands print one line per error and nothing else on stderr; Fyne's own log lines
		// (e.g. about an unparseable locale such as "C") belong to the window only.
		log.SetOutput(io.Discard)
		// The command line's own words stay English (scripts read them; --json never
		// changes), but what it makes for a person, the visit report, is in their language.
		setupLanguage(args, cl)
		return cli.Run(ctx, args, cli.Env{
			Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: getenv,
			Keyring: keyring, Version: version, Build: build(), Clinic: cl,
		})
	}
	// Without a screen the window cannot open: say so in one line, before anything is
	// written (the lock file, the login entry).
	if msg := noDisplay(os.Getenv); msg != "" {
		fmt.Fprintln(os.Stderr, "companion:", msg)
		return cli.ExitFailure
	}
	dir, err := cli.DataDir(args, os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "companion:", err)
		return cli.ExitUsage
	}
	log.SetOutput(os.Stderr)
	// Whether a tray shows icons is a D-Bus round trip (10–20 ms); ask while the rest starts.
	trayCh := make(chan bool, 1)
	go func() { trayCh <- app.TrayAvailable() }()
	// One app per data folder: a second launch (a double click, the login entry) brings the
	// running one forward instead of reminding twice.
	inst, err := single.Acquire(dir)
	if errors.Is(err, single.ErrRunning) {
		fmt.Fprintln(os.Stderr, "companion:", err)
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "companion:", err)
		return cli.ExitFailure
	}
	defer inst.Close()

	plainLocale(os.Getenv, os.Setenv, os.Unsetenv)
	setupLanguage(args, cl)
	// The window runs all day: collect at half again the live heap rather than twice it, which
	// keeps ~17 MB less resident at 100,000 entries for a few milliseconds of collection when
	// something happens (docs/PERFORMANCE.md, "Memory"). GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	a := fyneapp.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	entry := loginEntry(dir)
	refreshLoginEntry(entry)
	profiles := &data.Profiles{Dir: dir, Keyring: keyring}
	if cl != nil {
		profiles.Policy = cl
	}
	// Finish what a crash left half made or half deleted; off the UI's way (it may ask the
	// keyring), and harmless to profiles being made meanwhile (they hold their locks).
	go profiles.Sweep(ctx)
	clock := remind.SystemClock{}
	center := notifyCenter()
	ui := app.New(a, app.Options{Profiles: profiles, Clinic: cl, Version: version, Build: build(),
		FirstScreenWait: 150 * time.Millisecond, HasTray: func() bool { return <-trayCh },
		Clock: clock, Notify: notifier(center), Actions: doseActions(center), Autostart: entry,
		Sync: func(ctx context.Context, st *data.Store) error {
			_, err := portal.SyncProfile(ctx, st, clock.Now, nil) // nil: real waits between retries
			return err
		},
		SyncFull: func(ctx context.Context, st *data.Store) error {
			_, err := portal.ResyncProfile(ctx, st, clock.Now, nil) // the Health record's "Fetch everything again"
			return err
		}})
	if center != nil {
		// Take and Snooze pressed on a notification come back here, as long as the app runs.
		center.OnAction = ui.NotificationAction
		go func() {
			if err := center.Run(ctx); err != nil {
				log.Printf("notification buttons: %v", err) // the reminder window still asks
			}
		}()
	}
	go func() {
		for range inst.Requests() {
			fyne.Do(ui.Show) // a second start: the window comes back (also from hidden)
		}
	}()
	if background(args) {
		// Started at login: no window until a reminder or the person asks for it.
		ui.StartHidden()
		a.Run()
		return 0
	}
	ui.ShowAndRun()
	return 0
}

// setupLanguage makes the language chosen on this computer (else the clinic's, else the
// system's) the running one, before Fyne shows anything: Fyne has no call to change it later.
func setupLanguage(args []string, cl *clinic.Clinic) {
	choice := ""
	if dir, err := cli.DataDir(args, os.Getenv); err == nil {
		choice = tr.ReadChoice(dir)
	}
	code := tr.Choose(choice, cl.DefaultLanguage(), tr.SystemLocales())
	if err := tr.Setup(code); err != nil {
		log.Printf("companion: %v", err) // a build without its translations shows keys
	}
}

// background reports whether --background is on the command line (the login entry adds it).
func background(args []string) bool {
	for _, a := range args {
		if a == autostart.BackgroundFlag {
			return true
		}
	}
	return false
}

// loginEntry is this computer's login entry for the app on dir: it passes --data-dir when
// the folder is not the default. Nil when the program's path cannot be known.
func loginEntry(dir string) app.Autostart {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	var extra []string
	if def, err := data.DefaultDir(os.Getenv); err != nil || def != dir {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		extra = []string{"--data-dir", dir}
	}
	return autostart.Entry{Exe: exe, Args: extra}
}

// refreshLoginEntry rewrites the login entry if there is one, so it follows the program if
// it moved. Whether there is one is the open profile's "Start when I log in" (stored once, in
// the profile): the window adds or removes the entry when it shows a profile. Failing is not
// fatal: the app still runs now.
func refreshLoginEntry(a app.Autostart) {
	e, ok := a.(autostart.Entry)
	if !ok || !e.Enabled() {
		return
	}
	if err := e.Enable(); err != nil {
		log.Printf("start at login: %v", err)
	}
}

// notifyCenter is where reminders with Take and Snooze buttons go out, and the buttons
// pressed come back (app/notify): on Linux the desktop's notification server over D-Bus, on
// Windows toasts (notify.Toast); nil elsewhere (macOS: the reminder window asks, until a
// signed .app can register a notification category).
func notifyCenter() *notify.Center {
	srv := notify.Platform("Patient Companion", AppID)
	if srv == nil {
		return nil
	}
	return &notify.Center{Server: srv}
}

// notifier is how notifications without buttons go out: through the center's server, which
// says when a notification could not be shown, unlike Fyne's SendNotification; without a
// center nil, which is Fyne's.
func notifier(c *notify.Center) func(ctx context.Context, title, body string) error {
	if c == nil {
		return nil
	}
	return func(ctx context.Context, title, body string) error {
		// A notification server that hangs must not hold up the next reminder.
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, err := c.Server.Send(ctx, notify.Message{Title: title, Body: body})
		return err
	}
}

// doseActions shows reminders that ask about doses with Take and Snooze (nil without a
// center).
func doseActions(c *notify.Center) func(ctx context.Context, title, body string, doses []notify.Dose) (bool, error) {
	if c == nil {
		return nil
	}
	return func(ctx context.Context, title, body string, doses []notify.Dose) (bool, error) {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return c.Show(ctx, title, body, doses)
	}
}

// build is the VCS revision the binary was built from, when Go recorded it.
func build() string {
	if buildRevision != "" {
		return buildRevision
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "unknown"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}

// plainLocale replaces the "C" or "POSIX" locale, which Fyne cannot parse (it logs an error
// and falls back), with English, which is what C means for our translations anyway.
func plainLocale(getenv func(string) string, setenv func(string, string) error, unsetenv func(string) error) {
	isC := func(v string) bool {
		v, _, _ = strings.Cut(v, ".")
		return v == "C" || v == "POSIX"
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES"} {
		if isC(getenv(k)) {
			_ = unsetenv(k)
		}
	}
	if l := getenv("LANG"); l == "" || isC(l) {
		_ = setenv("LANG", "en_US.UTF-8")
	}
}

// noBusAutolaunch keeps godbus (under the keyring, the notifications and the tray) from
// starting a session bus of its own where there is none (cron, ssh, a service): it runs
// dbus-launch, whose daemon, and the keyring daemon that daemon activates, outlive the
// command, a pair per run (a test that ran the program without a bus left 26 pairs
// behind). With no address and no $XDG_RUNTIME_DIR/bus (what systemd sessions provide), the
// address is set to one that fails at once: the keyring is then "not available", as it is.
// cli.childEnv takes it out again for the processes the program starts.
func noBusAutolaunch() {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		if fi, err := os.Stat(filepath.Join(d, "bus")); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return
		}
	}
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", vault.NoSessionBus)
}
