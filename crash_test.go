package main

// The crash campaign: every command that writes is killed with SIGKILL at random moments,
// and after each kill the data folder is checked the way a person would find it next:
//   - every journal file passes PRAGMA integrity_check and its profile opens (for passwd
//     and recover with the old or the new passphrase, never neither);
//   - every write acknowledged before the kill (exit 0 and its output read) is there;
//   - no half profile: create (also --demo) leaves no profile or a whole one; delete leaves
//     the whole profile or none, and running it again finishes it; hidden .creating-/
//     .deleting- folders are gone after the next command;
//   - sync loses and duplicates no note on the portal (an in-process fake, on 127.0.0.1).
// The program is the built binary (buildCompanion), started as a person or script would.
//
// COMPANION_CRASH_RUNS kills per command (default 1: `make test` stays quick; `make
// test-crash` runs 100) and COMPANION_CRASH_SEED the seed for when to kill (default 1;
// logged, so a failure can be replayed — timing still varies from machine to machine).

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/patient-companion/companion/data/vault"
	"github.com/patient-companion/companion/sync/portal/portaltest"
)

func TestCrashCampaign(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills hundreds of processes")
	}
	if !keyringAvailable(t) {
		t.Skip("no keyring (run under scripts/test-env.sh)")
	}
	runs := envInt(t, "COMPANION_CRASH_RUNS", 1)
	seed := uint64(envInt(t, "COMPANION_CRASH_SEED", 1))
	t.Logf("crash campaign: kills per command %d, seed %d (replay: COMPANION_CRASH_SEED=%d COMPANION_CRASH_RUNS=%d)", runs, seed, seed, runs)
	exe := buildCompanion(t)

	cases := []struct {
		name string
		run  func(r *crashRig)
	}{
		{"symptom-add", crashSymptomAdd},
		{"med-add", crashMedAdd},
		{"med-take", crashMedTake},
		{"profile-create", func(r *crashRig) { crashCreate(r, false) }},
		{"profile-create-demo", func(r *crashRig) { crashCreate(r, true) }},
		{"profile-passwd", func(r *crashRig) { crashPassphrase(r, false) }},
		{"profile-recover", func(r *crashRig) { crashPassphrase(r, true) }},
		{"profile-delete", crashDelete},
		{"sync", crashSync},
		{"restore-replace", crashRestoreReplace},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &crashRig{t: t, exe: exe, dir: t.TempDir(), runs: runs,
				rng: rand.New(rand.NewPCG(seed, uint64(i)))}
			c.run(r)
			t.Logf("%d rounds, %d killed while running, %d finished first; %d left unfinished work for the next command",
				runs, r.killed, runs-r.killed, r.unfinished)
			if len(r.failed) > 0 {
				t.Errorf("rounds failing: %s", r.summary())
			}
		})
	}
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a whole number", name, v)
	}
	return n
}

// crashRig runs one command's rounds against one data folder.
type crashRig struct {
	t      *testing.T
	exe    string
	dir    string
	runs   int
	rng    *rand.Rand
	killed int
	// lastKill is when the last round's kill was set for, after its first command started.
	lastKill time.Duration
	failed   map[string]map[int]bool // kind of failed check → rounds
	seen     map[string]bool         // leftovers already reported
	// unfinished counts the rounds whose kill left unfinished work (.creating-/.deleting-)
	// for the next command to clear: the sweep's checks were really exercised.
	unfinished int
}

// errorf reports a failed check of one round, with when its kill came (to replay it), and
// counts the rounds failing each kind of check for the summary.
func (r *crashRig) errorf(round int, kind, format string, args ...any) {
	r.t.Helper()
	r.t.Errorf("round %d (kill %v after the start): %s", round, r.lastKill.Round(time.Millisecond), fmt.Sprintf(format, args...))
	if r.failed == nil {
		r.failed = map[string]map[int]bool{}
	}
	if r.failed[kind] == nil {
		r.failed[kind] = map[int]bool{}
	}
	r.failed[kind][round] = true
}

// summary says how many rounds failed each kind of check.
func (r *crashRig) summary() string {
	var kinds []string
	for k, rounds := range r.failed {
		kinds = append(kinds, fmt.Sprintf("%s in %d", k, len(rounds)))
	}
	slices.Sort(kinds)
	return strings.Join(kinds, "; ")
}

// outcome is one process: its exit, its output, and whether the kill ended it.
type outcome struct {
	code           int
	stdout, stderr string
	killed         bool
}

func (r *crashRig) cmd(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(r.exe, args...)
	cmd.Env = append(os.Environ(), "COMPANION_DATA_DIR="+r.dir, "COMPANION_PASSPHRASE=", "COMPANION_NEW_PASSPHRASE=")
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// start runs the program and kills it at deadline if it is still running then.
func (r *crashRig) start(deadline time.Time, env []string, args ...string) outcome {
	r.t.Helper()
	cmd := r.cmd(env, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	timer := time.AfterFunc(time.Until(deadline), func() { cmd.Process.Signal(syscall.SIGKILL) })
	err := cmd.Wait()
	timer.Stop()
	o := outcome{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			o.killed, o.code = true, -1
		} else {
			o.code = ee.ExitCode()
		}
	case err != nil:
		r.t.Fatal(err)
	}
	if strings.Contains(o.stderr, "panic") || strings.Contains(o.stderr, "goroutine ") {
		r.t.Fatalf("%v crashed by itself:\n%s", args, o.stderr)
	}
	return o
}

// must runs the program to the end and wants exit 0.
func (r *crashRig) must(env []string, args ...string) string {
	r.t.Helper()
	o := r.start(time.Now().Add(time.Hour), env, args...)
	if o.code != 0 {
		r.t.Fatalf("%v: exit %d: %s", args, o.code, o.stderr)
	}
	return o.stdout
}

// timed runs the program to the end (exit 0) and says how long it took: the span kills are
// spread over.
func (r *crashRig) timed(env []string, args ...string) (string, time.Duration) {
	r.t.Helper()
	start := time.Now()
	out := r.must(env, args...)
	return out, time.Since(start)
}

// killAfter is a random moment within span from now.
func (r *crashRig) killAfter(span time.Duration) time.Time {
	r.lastKill = time.Duration(r.rng.Int64N(int64(span) + 1))
	return time.Now().Add(r.lastKill)
}

// once runs a command with a kill at a random moment within span, and counts the kill.
func (r *crashRig) once(span time.Duration, env []string, args ...string) outcome {
	r.t.Helper()
	o := r.start(r.killAfter(span), env, args...)
	if o.killed {
		r.killed++
	} else if o.code != 0 {
		r.t.Fatalf("%v: exit %d: %s", args, o.code, o.stderr)
	}
	return o
}

// loop runs next() commands back to back until one is killed at a random moment within
// span, and returns the output of each that finished (acknowledged).
func (r *crashRig) loop(span time.Duration, next func(i int) []string) []string {
	r.t.Helper()
	deadline := r.killAfter(span)
	var acked []string
	for i := 0; ; i++ {
		args := next(i)
		o := r.start(deadline, nil, args...)
		if o.killed {
			r.killed++
			return acked
		}
		if o.code != 0 {
			r.t.Fatalf("%v: exit %d: %s", args, o.code, o.stderr)
		}
		acked = append(acked, strings.TrimSpace(o.stdout))
		if time.Now().After(deadline) {
			return acked // it finished just as the kill came
		}
	}
}

// checkFiles opens every profile's journal directly with SQLite and wants integrity_check ok.
func (r *crashRig) checkFiles(round int) {
	r.t.Helper()
	paths, _ := filepath.Glob(filepath.Join(r.dir, "profiles", "*", "journal.db"))
	for _, p := range paths {
		if strings.HasPrefix(filepath.Base(filepath.Dir(p)), ".") {
			continue // unfinished work, not a profile; leftovers are checked separately
		}
		db, err := sql.Open("sqlite3", "file:"+p+"?mode=rw")
		if err != nil {
			r.t.Fatal(err)
		}
		var check string
		err = db.QueryRow("PRAGMA integrity_check").Scan(&check)
		db.Close()
		if err != nil || check != "ok" {
			r.errorf(round, "damaged file", "%s: integrity_check = %q, %v", p, check, err)
		}
	}
}

// leftovers lists hidden .creating-/.deleting- folders (unfinished creates and deletes).
func (r *crashRig) leftovers() []string {
	ents, _ := os.ReadDir(filepath.Join(r.dir, "profiles"))
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".creating-") || strings.HasPrefix(e.Name(), ".deleting-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// checkSwept runs a command that reads the folder (as the window or any command would at
// start) and wants no unfinished work left behind afterwards: neither the hidden folder nor,
// for an unfinished create, the keyring key it had already stored. before is what the kill
// left, listed before any command ran.
func (r *crashRig) checkSwept(round int, before []string) {
	r.t.Helper()
	if len(before) > 0 {
		r.unfinished++
	}
	r.must(nil, "profile", "list")
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	for _, l := range r.leftovers() {
		if !r.seen[l] { // each once, in the round that left it
			r.seen[l] = true
			r.errorf(round, "unfinished work not swept", "unfinished work left after the next command: %s", l)
		}
	}
	for _, l := range before {
		id, ok := strings.CutPrefix(l, ".creating-")
		if !ok || r.seen["key "+id] {
			continue
		}
		if _, err := (vault.OSKeyring{}).Get(context.Background(), id); !errors.Is(err, vault.ErrKeyringEntryMissing) {
			r.seen["key "+id] = true
			r.errorf(round, "keyring key of an unfinished create left", "the unfinished profile %s left its keyring key (%v)", id, err)
		}
	}
}

type profileJSON struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Keyring    bool    `json:"keyring"`
	Passphrase bool    `json:"passphrase"`
	Error      *string `json:"error"`
}

func (r *crashRig) profiles() []profileJSON {
	r.t.Helper()
	var list []profileJSON
	if err := json.Unmarshal([]byte(r.must(nil, "profile", "list", "--json")), &list); err != nil {
		r.t.Fatal(err)
	}
	return list
}

func (r *crashRig) find(name string) (profileJSON, bool) {
	for _, p := range r.profiles() {
		if p.Name == name {
			return p, true
		}
	}
	return profileJSON{}, false
}

// ids runs a --json list command and returns the "id" of each item.
func (r *crashRig) ids(env []string, args ...string) []string {
	r.t.Helper()
	var items []map[string]any
	if err := json.Unmarshal([]byte(r.must(env, append(args, "--json")...)), &items); err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, fmt.Sprint(it["id"]))
	}
	return out
}

func missing(want, have []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(have, w) {
			out = append(out, w)
		}
	}
	return out
}

func crashSymptomAdd(r *crashRig) {
	r.must(nil, "profile", "create", "Crash")
	_, d := r.timed(nil, "symptom", "add", "--name", "Warm-up", "--severity", "1")
	var acked []string
	for round := 0; round < r.runs; round++ {
		acked = append(acked, r.loop(3*d, func(i int) []string {
			return []string{"symptom", "add", "--name", "Crash test", "--severity", strconv.Itoa(i % 11),
				"--note", strings.Repeat("x", r.rng.IntN(500))}
		})...)
		r.checkFiles(round)
		if lost := missing(acked, r.ids(nil, "journal", "list")); len(lost) > 0 {
			r.errorf(round, "acknowledged write lost", "acknowledged entries lost: %v", lost)
		}
	}
	r.t.Logf("%d acknowledged entries, all checked after each kill", len(acked))
}

func crashMedAdd(r *crashRig) {
	r.must(nil, "profile", "create", "Crash")
	_, d := r.timed(nil, "med", "add", "--name", "Warm-up", "--times", "08:00")
	var acked []string
	for round := 0; round < r.runs; round++ {
		acked = append(acked, r.loop(3*d, func(i int) []string {
			return []string{"med", "add", "--name", fmt.Sprintf("Med %d-%d", round, i), "--dose", "1 tablet",
				"--times", "08:00,20:00", "--weekdays", "mon,wed,fri"}
		})...)
		r.checkFiles(round)
		var meds []struct {
			ID, Schedule string
		}
		if err := json.Unmarshal([]byte(r.must(nil, "med", "list", "--json")), &meds); err != nil {
			r.t.Fatal(err)
		}
		var have []string
		for _, m := range meds {
			have = append(have, m.ID)
			if !strings.Contains(m.Schedule, "08:00") {
				r.errorf(round, "schedule lost", "medication %s has lost its schedule: %q", m.ID, m.Schedule)
			}
		}
		if lost := missing(acked, have); len(lost) > 0 {
			r.errorf(round, "acknowledged write lost", "acknowledged medications lost: %v", lost)
		}
	}
	r.t.Logf("%d acknowledged medications", len(acked))
}

func crashMedTake(r *crashRig) {
	r.must(nil, "profile", "create", "Crash")
	med := strings.TrimSpace(r.must(nil, "med", "add", "--name", "Paracetamol", "--as-needed"))
	at := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	next := func(int) []string {
		at = at.Add(time.Minute)
		return []string{"med", "take", med, "--at", at.Format(time.RFC3339)}
	}
	_, d := r.timed(nil, next(0)...)
	var acked []string
	for round := 0; round < r.runs; round++ {
		acked = append(acked, r.loop(3*d, next)...)
		r.checkFiles(round)
		if lost := missing(acked, r.ids(nil, "med", "log", med)); len(lost) > 0 {
			r.errorf(round, "acknowledged write lost", "acknowledged doses lost: %v", lost)
		}
	}
	r.t.Logf("%d acknowledged doses", len(acked))
}

// demoTally is what a whole demo profile holds; doses due today depend on the hour, so
// they are counted apart.
type demoTally struct {
	Entries, Doses, Meds, Appointments, Notes, Queued int
}

func (r *crashRig) tally(profile string) demoTally {
	r.t.Helper()
	env := []string{"COMPANION_PROFILE=" + profile}
	var tl demoTally
	var entries []struct{ Kind string }
	json.Unmarshal([]byte(r.must(env, "journal", "list", "--json")), &entries)
	for _, e := range entries {
		if e.Kind == "dose" {
			tl.Doses++
		} else {
			tl.Entries++
		}
	}
	tl.Meds = len(r.ids(env, "med", "list"))
	tl.Appointments = len(r.ids(env, "appointment", "list"))
	var notes []struct{ State string }
	json.Unmarshal([]byte(r.must(env, "note", "list", "--json")), &notes)
	tl.Notes = len(notes)
	for _, n := range notes {
		if n.State == "queued" {
			tl.Queued++
		}
	}
	return tl
}

func crashCreate(r *crashRig, demo bool) {
	extra := []string{}
	if demo {
		extra = []string{"--demo"}
	}
	_, d := r.timed(nil, append([]string{"profile", "create", "Whole"}, extra...)...)
	var whole demoTally
	if demo {
		whole = r.tally("Whole")
	}
	for round := 0; round < r.runs; round++ {
		name := fmt.Sprintf("P%d", round)
		o := r.once(d*6/5, nil, append([]string{"profile", "create", name}, extra...)...)
		left := r.leftovers()
		r.checkFiles(round)
		p, listed := r.find(name)
		switch {
		case !o.killed && !listed:
			r.errorf(round, "acknowledged create lost", "profile %s was created (exit 0) but is not listed", name)
		case listed && p.Error != nil:
			r.errorf(round, "half profile", "a half profile %s is listed: %s", name, *p.Error)
		case listed:
			if out := r.start(time.Now().Add(time.Hour), []string{"COMPANION_PROFILE=" + name}, "journal", "list"); out.code != 0 {
				r.errorf(round, "half profile", "profile %s is listed but does not open: exit %d: %s", name, out.code, out.stderr)
			} else if demo {
				got := r.tally(name)
				// Today's scheduled doses depend on the hour; the rest is fixed.
				if got.Entries != whole.Entries || got.Meds != whole.Meds || got.Appointments != whole.Appointments ||
					got.Notes != whole.Notes || got.Queued != 0 || got.Doses < whole.Doses-6 {
					r.errorf(round, "half demo profile", "demo profile %s is half made (killed=%v): has %+v, a whole one %+v", name, o.killed, got, whole)
				}
			}
		}
		r.checkSwept(round, left)
	}
}

func crashPassphrase(r *crashRig, recovery bool) {
	var created struct {
		RecoveryKey string `json:"recovery_key"`
	}
	out := r.must([]string{"COMPANION_PASSPHRASE=passphrase-0"}, "profile", "create", "Crash", "--no-keyring", "--json")
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		r.t.Fatal(err)
	}
	keyFile := filepath.Join(r.t.TempDir(), "recovery-key")
	os.WriteFile(keyFile, []byte(created.RecoveryKey+"\n"), 0o600)
	args := func() []string {
		if recovery {
			return []string{"profile", "recover", "Crash", "--recovery-key-file", keyFile}
		}
		return []string{"profile", "passwd", "Crash"}
	}
	opens := func(pass string) bool {
		o := r.start(time.Now().Add(time.Hour), []string{"COMPANION_PASSPHRASE=" + pass}, "journal", "list")
		if o.code != 0 && o.code != 3 {
			r.t.Errorf("opening with a passphrase: exit %d: %s", o.code, o.stderr)
		}
		return o.code == 0
	}
	cur := "passphrase-0"
	_, d := r.timed([]string{"COMPANION_PASSPHRASE=" + cur, "COMPANION_NEW_PASSPHRASE=passphrase-warm"}, args()...)
	cur = "passphrase-warm"
	for round := 0; round < r.runs; round++ {
		next := fmt.Sprintf("passphrase-%d", round+1)
		o := r.once(d, []string{"COMPANION_PASSPHRASE=" + cur, "COMPANION_NEW_PASSPHRASE=" + next}, args()...)
		r.checkFiles(round)
		newOK := opens(next)
		oldOK := !newOK && opens(cur)
		switch {
		case !o.killed && !newOK:
			r.errorf(round, "acknowledged passphrase lost", "the change was acknowledged but the new passphrase does not open the profile (old opens: %v)", oldOK)
		case !newOK && !oldOK:
			r.errorf(round, "locked out", "neither the old nor the new passphrase opens the profile")
			r.t.FailNow()
		}
		if newOK {
			cur = next
		}
	}
}

func crashDelete(r *crashRig) {
	ctx := context.Background()
	kr := vault.OSKeyring{}
	var d time.Duration
	for round := 0; round < r.runs; round++ {
		name := fmt.Sprintf("D%d", round)
		var created struct{ ID string }
		json.Unmarshal([]byte(r.must(nil, "profile", "create", name, "--json")), &created)
		if round == 0 {
			r.must(nil, "profile", "create", "Warm-up")
			_, d = r.timed(nil, "profile", "delete", "Warm-up")
		}
		o := r.once(d, nil, "profile", "delete", name)
		for _, l := range r.leftovers() {
			if strings.HasSuffix(l, created.ID) {
				r.unfinished++
				break
			}
		}
		r.checkFiles(round)
		if _, listed := r.find(name); listed {
			if !o.killed {
				r.errorf(round, "acknowledged delete undone", "profile %s was deleted (exit 0) but is still listed", name)
			}
			if out := r.start(time.Now().Add(time.Hour), []string{"COMPANION_PROFILE=" + name}, "journal", "list"); out.code != 0 {
				r.errorf(round, "half deleted", "profile %s is listed but does not open (half deleted): exit %d: %s", name, out.code, out.stderr)
			}
		}
		// Running it again finishes it: nothing of the profile is left, not even its key.
		again := r.start(time.Now().Add(time.Hour), nil, "profile", "delete", name)
		if again.code != 0 && again.code != 4 {
			r.errorf(round, "delete again fails", "deleting %s again: exit %d: %s", name, again.code, again.stderr)
		}
		if _, listed := r.find(name); listed {
			r.errorf(round, "delete again fails", "%s is still listed after deleting it again", name)
		}
		var left []string
		for _, l := range r.leftovers() {
			if strings.HasSuffix(l, created.ID) {
				left = append(left, l)
			}
		}
		if _, err := os.Stat(filepath.Join(r.dir, "profiles", created.ID)); err == nil {
			left = append(left, created.ID)
		}
		if _, err := kr.Get(ctx, created.ID); !errors.Is(err, vault.ErrKeyringEntryMissing) {
			left = append(left, "its keyring key")
		}
		if len(left) > 0 {
			r.errorf(round, "delete not finished by running it again", "after the kill (killed=%v) and deleting %s again (exit %d), left behind: %v", o.killed, name, again.code, left)
		}
	}
}

func crashSync(r *crashRig) {
	portal := portaltest.Start(r.t)
	r.must(nil, "profile", "create", "Crash")
	r.must(nil, "portal", "connect", portal.Base, "--patient", portaltest.Patient)
	var acked []string
	addNotes := func(n int) {
		for i := 0; i < n; i++ {
			acked = append(acked, strings.TrimSpace(r.must(nil, "note", "add", fmt.Sprintf("note %d", len(acked)))))
		}
	}
	addNotes(3)
	_, d := r.timed(nil, "sync")
	for round := 0; round < r.runs; round++ {
		addNotes(3)
		o := r.once(d, nil, "sync")
		r.checkFiles(round)
		checkPortal(r, portal, round, acked, !o.killed)
		// The next sync sends whatever the killed one did not, and nothing twice.
		r.must(nil, "sync")
		checkPortal(r, portal, round, acked, true)
		var notes []struct{ ID, State string }
		json.Unmarshal([]byte(r.must(nil, "note", "list", "--json")), &notes)
		for _, n := range notes {
			if n.State != "sent" {
				r.errorf(round, "note not sent by a whole sync", "note %s is %s after a whole sync", n.ID, n.State)
			}
		}
	}
	r.t.Logf("%d notes, %d POSTs to the portal", len(acked), portal.Posts())
}

// checkPortal wants each acknowledged note on the portal exactly once (complete: all of
// them; else at most once) and nothing else.
func checkPortal(r *crashRig, p *portaltest.Portal, round int, notes []string, complete bool) {
	r.t.Helper()
	created := p.CreatedIdentifiers()
	count := map[string]int{}
	for _, id := range created {
		count[id]++
	}
	for _, id := range notes {
		n := count["urn:ietf:rfc:3986|urn:uuid:"+id]
		if n > 1 {
			r.errorf(round, "note duplicated on the portal", "note %s is on the portal %d times", id, n)
		}
		if n == 0 && complete {
			r.errorf(round, "note lost", "note %s never reached the portal", id)
		}
	}
	if len(created) > len(notes) {
		r.errorf(round, "note duplicated on the portal", "the portal holds %d notes, %d were written", len(created), len(notes))
	}
}
