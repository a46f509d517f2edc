package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/patient-companion/companion/data/vault"
)

// Profiles is the set of profiles under one data directory.
type Profiles struct {
	// Dir is the data directory; profiles live in Dir/profiles/<id>/journal.db.
	Dir string
	// Keyring holds the wrapping keys; nil means no keyring on this computer.
	Keyring vault.Keyring
	// Argon2 is the passphrase cost for new passphrases; zero means vault.DefaultArgon2.
	Argon2 vault.Argon2Params
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Location is the zone for wall-clock times; nil means time.Local (TZ, else the system zone).
	Location *time.Location
	// Policy is the clinic's say over settings; nil without a clinic.
	Policy Policy
}

// ProfileInfo is what can be known about a profile without unlocking it.
type ProfileInfo struct {
	ID            string
	Name          string
	CreatedAt     time.Time
	HasKeyring    bool
	HasPassphrase bool
	Dir           string
	// Err is set when the profile's file could not be read (damaged, newer); the other
	// fields may then be partly empty.
	Err error
}

// Credentials is what the user offers to unlock a profile. With no passphrase the keyring
// is tried.
type Credentials struct {
	Passphrase []byte
}

// CreateOptions describe a new profile.
type CreateOptions struct {
	Name string
	// Passphrase, if set, wraps the data key (required with NoKeyring).
	Passphrase []byte
	// NoKeyring makes a passphrase-only profile.
	NoKeyring bool
}

const (
	metaID         = "profile_id"
	metaName       = "profile_name"
	metaCreated    = "created_at"
	metaEnvelope   = "envelope." // + method
	dbName         = "journal.db"
	maxProfileName = 60

	// In the profiles folder, hidden entries are work in progress, never a profile:
	// .creating-<id> (a profile being made, with .creating-<id>.lock held while it is),
	// .deleting-<id> (a profile being removed), and .names.lock (held while a name is
	// checked and taken).
	creatingPrefix = ".creating-"
	deletingPrefix = ".deleting-"
	lockSuffix     = ".lock"
	namesLockName  = ".names.lock"
)

// MinPassphrase is the fewest characters a new passphrase may have (create, change,
// recover). It is never checked when unlocking: an older, shorter passphrase still opens.
const MinPassphrase = 8

// ValidateNewPassphrase checks a passphrase being chosen: valid UTF-8 (what a person can
// type in the window again) and at least MinPassphrase characters.
func ValidateNewPassphrase(pass []byte) error {
	switch {
	case !utf8.Valid(pass):
		return invalidField(FieldPassphrase, "input.passphrase_not_text", nil, "the new passphrase is not valid UTF-8 text")
	case utf8.RuneCount(pass) < MinPassphrase:
		return invalidField(FieldPassphrase, "input.passphrase_short", kv{"Min": MinPassphrase}, "the new passphrase is shorter than %d characters: choose a longer one (a short sentence is easy to remember)", MinPassphrase)
	}
	return nil
}

func (p *Profiles) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Profiles) loc() *time.Location {
	if p.Location != nil {
		return p.Location
	}
	return time.Local
}

func (p *Profiles) argon2() vault.Argon2Params {
	if p.Argon2 == (vault.Argon2Params{}) {
		return vault.DefaultArgon2
	}
	return p.Argon2
}

func (p *Profiles) root() string { return filepath.Join(p.Dir, "profiles") }

// ValidateProfileName checks a name a person typed for a profile.
func ValidateProfileName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", invalidField(FieldName, "input.profile_name_empty", nil, "the profile name is empty")
	case utf8.RuneCountInString(name) > maxProfileName:
		return "", invalidField(FieldName, "input.profile_name_long", kv{"Max": maxProfileName}, "the profile name is longer than %d characters", maxProfileName)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", invalidField(FieldName, "input.profile_name_control", nil, "the profile name contains a control character")
	}
	return name, nil
}

// List returns every profile, sorted by name. A damaged profile is listed with Err set.
func (p *Profiles) List(ctx context.Context) ([]ProfileInfo, error) {
	ents, err := os.ReadDir(p.root())
	if errors.Is(err, fs.ErrNotExist) {
		return []ProfileInfo{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	out := []ProfileInfo{}
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue // .creating-* and .deleting-* are unfinished work, never a profile
		}
		dir := filepath.Join(p.root(), e.Name())
		info, err := p.readInfo(ctx, dir)
		if err != nil {
			info = ProfileInfo{ID: e.Name(), Dir: dir, Err: err}
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, nil
}

// Find returns the profile whose id or name (case-insensitive) is nameOrID. A name two
// profiles share is refused (ErrInvalid, listing their ids), never picked between. A name
// that matches no readable profile while some folder cannot be read is that folder's error
// (the name may well be inside it), naming it, rather than ErrNotFound.
func (p *Profiles) Find(ctx context.Context, nameOrID string) (ProfileInfo, error) {
	all, err := p.List(ctx)
	if err != nil {
		return ProfileInfo{}, err
	}
	for _, pi := range all {
		if pi.ID == nameOrID {
			return pi, nil
		}
	}
	name := strings.TrimSpace(nameOrID)
	var named, unreadable []ProfileInfo
	for _, pi := range all {
		switch {
		case pi.Err != nil:
			unreadable = append(unreadable, pi)
		case strings.EqualFold(pi.Name, name):
			named = append(named, pi)
		}
	}
	switch {
	case len(named) == 1:
		return named[0], nil
	case len(named) > 1:
		ids := make([]string, len(named))
		for i, pi := range named {
			ids[i] = pi.ID
		}
		return ProfileInfo{}, invalid("input.profile_name_ambiguous", kv{"Count": len(named), "Name": name, "IDs": strings.Join(ids, ", ")}, "%d profiles are named %q (%s): choose one by its id", len(named), name, strings.Join(ids, ", "))
	case len(unreadable) > 0:
		ids := make([]string, len(unreadable))
		for i, pi := range unreadable {
			ids[i] = pi.ID
		}
		return ProfileInfo{}, fmt.Errorf("no readable profile is named %q, and profile folder %s cannot be read (it may be that one): %w",
			name, strings.Join(ids, ", "), unreadable[0].Err)
	}
	return ProfileInfo{}, fmt.Errorf("profile %q: %w", nameOrID, ErrNotFound)
}

// readInfo looks at a profile read-only, without any key.
func (p *Profiles) readInfo(ctx context.Context, dir string) (ProfileInfo, error) {
	path := filepath.Join(dir, dbName)
	// Read-write, though we only read: a read-only connection to a WAL database leaves -wal
	// and -shm files behind that it cannot clean up, so merely listing profiles would change
	// the folder.
	db, err := openDB(ctx, path, "rw")
	if err != nil {
		return ProfileInfo{}, err
	}
	defer db.Close()
	meta, err := readMeta(ctx, db)
	if err != nil {
		return ProfileInfo{}, fileErr(path, "its profile record is unreadable", err)
	}
	return p.infoFromMeta(dir, meta)
}

// folderID is the profile id a folder stands for: its name (also while being made).
func folderID(dir string) string { return strings.TrimPrefix(filepath.Base(dir), creatingPrefix) }

func (p *Profiles) infoFromMeta(dir string, meta map[string][]byte) (ProfileInfo, error) {
	pi := ProfileInfo{
		ID:   string(meta[metaID]),
		Name: string(meta[metaName]),
		Dir:  dir,
	}
	if pi.ID == "" || pi.Name == "" {
		return pi, &FileError{Path: filepath.Join(dir, dbName), Reason: "its profile record is missing", Err: ErrNotOurFile}
	}
	// The stored id must be its folder's: a journal copied into another profile's folder
	// would otherwise make two profiles with one id (and one keyring key).
	if f := folderID(dir); pi.ID != f {
		return pi, &FileError{Path: filepath.Join(dir, dbName),
			Reason: fmt.Sprintf("it holds profile %s, not %s, whose folder it is in: it was copied here", pi.ID, f), Err: ErrDamaged}
	}
	if t, err := time.Parse(time.RFC3339Nano, string(meta[metaCreated])); err == nil {
		pi.CreatedAt = t.In(p.loc())
	}
	_, pi.HasKeyring = meta[metaEnvelope+string(vault.MethodKeyring)]
	_, pi.HasPassphrase = meta[metaEnvelope+string(vault.MethodPassphrase)]
	return pi, nil
}

func readMeta(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (map[string][]byte, error) {
	rows, err := q.QueryContext(ctx, "SELECT key, value FROM meta")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string][]byte{}
	for rows.Next() {
		var k string
		var v []byte
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, rows.Err()
}

func envelope(meta map[string][]byte, m vault.Method) (vault.Envelope, bool, error) {
	raw, ok := meta[metaEnvelope+string(m)]
	if !ok {
		return vault.Envelope{}, false, nil
	}
	var e vault.Envelope
	if err := json.Unmarshal(raw, &e); err != nil {
		return e, true, fmt.Errorf("the %s key record is damaged: %w", m, errTampered)
	}
	return e, true, nil
}

// Create makes a new profile and returns it unlocked, with its recovery key (to show once).
// A crash at any point leaves either no profile or a whole one: see Prepare.
func (p *Profiles) Create(ctx context.Context, opt CreateOptions) (*Store, vault.RecoveryKey, error) {
	pp, err := p.Prepare(ctx, opt)
	if err != nil {
		return nil, vault.RecoveryKey{}, err
	}
	defer pp.Abort(ctx)
	s, err := pp.Commit(ctx)
	if err != nil {
		return nil, vault.RecoveryKey{}, err
	}
	return s, pp.RecoveryKey(), nil
}

// PendingProfile is a new profile made whole in a hidden folder (.creating-<id>) but not yet
// a profile: nobody lists it, opens it or takes its name until Commit renames it into place.
// Everything that belongs to it (demo data, say) is added through Store first, and the
// recovery key shown, so that a crash or a failure at any point leaves no profile whose key
// nobody saw. Abort, or a later start's Sweep if this process dies, removes it all, keyring
// key included; its lock file keeps other processes' sweeps away while it is being made.
type PendingProfile struct {
	p          *Profiles
	id, tmp    string
	lock       *os.File
	store      *Store
	rk         vault.RecoveryKey
	keyringSet bool
	done       bool // committed or aborted
}

// Store is the pending profile, unlocked, to fill before Commit.
func (pp *PendingProfile) Store() *Store { return pp.store }

// RecoveryKey is the key to show, once, before Commit.
func (pp *PendingProfile) RecoveryKey() vault.RecoveryKey { return pp.rk }

// Prepare makes a whole profile in a hidden folder, under the names lock, with its name
// checked against every profile and every other profile being made.
func (p *Profiles) Prepare(ctx context.Context, opt CreateOptions) (_ *PendingProfile, err error) {
	name, err := ValidateProfileName(opt.Name)
	if err != nil {
		return nil, err
	}
	if opt.NoKeyring && len(opt.Passphrase) == 0 {
		return nil, invalid("input.passphrase_needed", nil, "a profile without the keyring needs a passphrase")
	}
	if opt.Passphrase != nil && strings.TrimSpace(string(opt.Passphrase)) == "" {
		return nil, invalidField(FieldPassphrase, "input.passphrase_empty", nil, "the passphrase is empty")
	}
	if !opt.NoKeyring && p.Keyring == nil {
		return nil, fmt.Errorf("%w: create the profile with --no-keyring and a passphrase (--passphrase-file F or COMPANION_PASSPHRASE)", vault.ErrKeyringUnavailable)
	}
	// The slow part (Argon2) comes before any lock is taken.
	pp := &PendingProfile{p: p, id: newID()}
	pp.tmp = filepath.Join(p.root(), creatingPrefix+pp.id)
	dk, err := vault.NewDataKey()
	if err != nil {
		return nil, err
	}
	if pp.rk, err = vault.NewRecoveryKey(); err != nil {
		return nil, err
	}
	meta := map[string][]byte{
		metaID:      []byte(pp.id),
		metaName:    []byte(name),
		metaCreated: []byte(p.now().UTC().Format(time.RFC3339Nano)),
	}
	addEnvelope := func(e vault.Envelope, err error) error {
		if err != nil {
			return err
		}
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		meta[metaEnvelope+string(e.Method)] = b
		return nil
	}
	if err := addEnvelope(dk.WrapWithRecoveryKey(pp.rk, pp.id)); err != nil {
		return nil, err
	}
	if len(opt.Passphrase) > 0 {
		if err := addEnvelope(dk.WrapWithPassphrase(opt.Passphrase, p.argon2(), pp.id)); err != nil {
			return nil, err
		}
	}
	var kek []byte
	if !opt.NoKeyring {
		if kek, err = vault.NewKEK(); err != nil {
			return nil, err
		}
		defer clear(kek)
		if err := addEnvelope(dk.WrapWithKey(kek, pp.id)); err != nil {
			return nil, err
		}
	}

	release, err := p.lockNames(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	if err := p.nameFree(ctx, name, pp.id); err != nil {
		return nil, err
	}
	if pp.lock, err = newLockFile(pp.tmp + lockSuffix); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			pp.Abort(ctx)
		}
	}()
	if kek != nil {
		// Set while the lock file exists, so a crash from here on leaves the key findable
		// by the sweep (.creating-<id> names it).
		if err := p.Keyring.Set(ctx, pp.id, kek); err != nil {
			return nil, fmt.Errorf("%w: create the profile with --no-keyring and a passphrase (--passphrase-file F or COMPANION_PASSPHRASE)", err)
		}
		pp.keyringSet = true
	}
	if err := build(ctx, pp.tmp, meta); err != nil {
		return nil, err
	}
	release()
	if pp.store, err = p.openWithKey(ctx, pp.tmp, dk); err != nil {
		return nil, err
	}
	return pp, nil
}

// Commit puts the pending profile in place (checking its name once more) and returns it,
// open. After a failure the profile does not exist; call Abort to remove what is left.
func (pp *PendingProfile) Commit(ctx context.Context) (*Store, error) {
	if pp.done {
		return nil, errors.New("this profile was already committed or aborted")
	}
	p, s := pp.p, pp.store
	// Closing the only connection folds the -wal into the journal file, so the folder holds
	// one file when it moves; the key stays (it is not Store.Close).
	if err := s.db.Close(); err != nil {
		return nil, fmt.Errorf("create journal: %w", err)
	}
	release, err := p.lockNames(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	if err := p.nameFree(ctx, s.info.Name, pp.id); err != nil {
		return nil, err
	}
	final := filepath.Join(p.root(), pp.id)
	if err := os.Rename(pp.tmp, final); err != nil {
		return nil, fmt.Errorf("create profile folder: %w", err)
	}
	if err := pp.placed(release); err != nil {
		return nil, err
	}
	path := filepath.Join(final, dbName)
	db, err := openDB(ctx, path, "rw")
	if err != nil {
		return nil, err
	}
	s.db, s.path, s.info.Dir = db, path, final
	return s, nil
}

// Abort removes the pending profile: its files and its keyring key. After Commit it does
// nothing, so `defer pp.Abort(ctx)` is the way to use it.
func (pp *PendingProfile) Abort(ctx context.Context) {
	if pp.done {
		return
	}
	pp.done = true
	// Clean up even when ctx was cancelled (Ctrl-C is a common reason to be here).
	ctx = context.WithoutCancel(ctx)
	if pp.store != nil {
		pp.store.Close()
	}
	if pp.keyringSet {
		_ = pp.p.Keyring.Delete(ctx, pp.id)
	}
	os.RemoveAll(pp.tmp)
	pp.unlock()
}

// unlock gives up the pending profile's lock file. Closed first, then removed: a sweep
// that takes it between the two finds nothing left to sweep.
// placed follows the rename of the profile's folder into place (create, restore): nothing is
// left to undo, the names lock (release) and the folder's own lock go, and the rename is made
// durable.
func (pp *PendingProfile) placed(release func()) error {
	pp.done = true
	release()
	pp.unlock()
	return syncDir(pp.p.root())
}

func (pp *PendingProfile) unlock() {
	if pp.lock != nil {
		pp.lock.Close()
		os.Remove(pp.tmp + lockSuffix)
		pp.lock = nil
	}
}

// lockNames takes the profiles folder's names lock; the returned function releases it (and
// may be called more than once).
func (p *Profiles) lockNames(ctx context.Context) (func(), error) {
	if err := os.MkdirAll(p.root(), 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	f, err := lockFile(ctx, filepath.Join(p.root(), namesLockName))
	if err != nil {
		return nil, err
	}
	return sync.OnceFunc(func() { f.Close() }), nil
}

// nameFree checks, under the names lock, that no profile but self (an id) is named name:
// neither one in place nor one being made by a live process.
func (p *Profiles) nameFree(ctx context.Context, name, self string) error {
	all, err := p.List(ctx)
	if err != nil {
		return err
	}
	for _, e := range all {
		if e.ID != self && e.Err == nil && strings.EqualFold(e.Name, name) {
			return fmt.Errorf("a profile named %q %w", e.Name, ErrExists)
		}
	}
	ents, err := os.ReadDir(p.root())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("list profiles: %w", err)
	}
	for _, e := range ents {
		id, ok := strings.CutPrefix(e.Name(), creatingPrefix)
		if !ok || !e.IsDir() || id == self {
			continue
		}
		dir := filepath.Join(p.root(), e.Name())
		if f, err := tryLockFile(dir + lockSuffix); f != nil || err != nil {
			if f != nil {
				f.Close()
			}
			continue // abandoned by a crash: the next sweep's, not a name in use
		}
		if info, err := p.readInfo(ctx, dir); err == nil && strings.EqualFold(info.Name, name) {
			return fmt.Errorf("a profile named %q is being created; it %w", info.Name, ErrExists)
		}
	}
	return nil
}

// build writes a complete new journal into the folder tmp, which it makes.
func build(ctx context.Context, tmp string, meta map[string][]byte) error {
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return fmt.Errorf("create profile folder: %w", err)
	}
	path := filepath.Join(tmp, dbName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("create journal: %w", err)
	}
	f.Close()
	// Rollback journal while creating, so application_id and user_version land in the file's
	// header itself (not in a WAL) before anyone can look at it.
	db, err := sql.Open("sqlite3", createDSN(path))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
		return fmt.Errorf("create journal: %w", err)
	}
	if err := migrate(ctx, db, nil); err != nil {
		return fmt.Errorf("create journal: %w", err)
	}
	if err := writeMeta(ctx, db, meta); err != nil {
		return fmt.Errorf("create journal: %w", err)
	}
	if _, err := db.ExecContext(ctx, "PRAGMA journal_mode = WAL"); err != nil {
		return fmt.Errorf("create journal: %w", err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("create journal: %w", err)
	}
	return syncDir(tmp)
}

func writeMeta(ctx context.Context, db *sql.DB, meta map[string][]byte) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for k, v := range meta {
		if _, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, ?)", k, v); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// Open unlocks a profile: with the passphrase when one is offered, else with the keyring.
// A wrong passphrase returns ErrWrongPassphrase and changes nothing on disk.
func (p *Profiles) Open(ctx context.Context, info ProfileInfo, cred Credentials) (*Store, error) {
	if info.Err != nil {
		return nil, info.Err
	}
	path := filepath.Join(info.Dir, dbName)
	db, err := openDB(ctx, path, "rw")
	if err != nil {
		return nil, err
	}
	// The folder says which profile this is; the file must agree (unlock checks).
	dk, err := p.unlock(ctx, db, info.Dir, cred)
	if err != nil {
		db.Close()
		return nil, err
	}
	return p.finishOpen(ctx, db, path, dk)
}

func (p *Profiles) unlock(ctx context.Context, db *sql.DB, dir string, cred Credentials) (*vault.DataKey, error) {
	meta, err := readMeta(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("read profile record: %w", err)
	}
	id := folderID(dir)
	if stored := string(meta[metaID]); stored != id {
		return nil, &FileError{Path: filepath.Join(dir, dbName),
			Reason: fmt.Sprintf("it holds profile %q, not %s, whose folder it is in: it was copied here", stored, id), Err: ErrDamaged}
	}
	pass, hasPass, err := envelope(meta, vault.MethodPassphrase)
	if err != nil {
		return nil, err
	}
	kr, hasKeyring, err := envelope(meta, vault.MethodKeyring)
	if err != nil {
		return nil, err
	}
	if len(cred.Passphrase) > 0 && hasPass {
		dk, err := vault.Unwrap(pass, cred.Passphrase, id)
		if errors.Is(err, vault.ErrWrongSecret) {
			return nil, ErrWrongPassphrase
		}
		return dk, err
	}
	if hasKeyring {
		if p.Keyring == nil {
			return nil, p.lockedBecause(hasPass, vault.ErrKeyringUnavailable)
		}
		kek, err := p.Keyring.Get(ctx, id)
		if err != nil {
			return nil, p.lockedBecause(hasPass, err)
		}
		defer clear(kek)
		dk, err := vault.Unwrap(kr, kek, id)
		if errors.Is(err, vault.ErrWrongSecret) {
			return nil, p.lockedBecause(hasPass, vault.ErrKeyringEntryMissing)
		}
		return dk, err
	}
	if hasPass {
		return nil, fmt.Errorf("%w: give its passphrase", ErrLocked)
	}
	return nil, fmt.Errorf("%w: it has neither a passphrase nor a keyring key; use its recovery key", ErrLocked)
}

func (p *Profiles) lockedBecause(hasPass bool, why error) error {
	if hasPass {
		return fmt.Errorf("%w: %w; give its passphrase", ErrLocked, why)
	}
	return fmt.Errorf("%w: %w; unlock it with its recovery key", ErrLocked, why)
}

func (p *Profiles) openWithKey(ctx context.Context, dir string, dk *vault.DataKey) (*Store, error) {
	path := filepath.Join(dir, dbName)
	db, err := openDB(ctx, path, "rw")
	if err != nil {
		return nil, err
	}
	return p.finishOpen(ctx, db, path, dk)
}

func (p *Profiles) finishOpen(ctx context.Context, db *sql.DB, path string, dk *vault.DataKey) (*Store, error) {
	fail := func(err error) (*Store, error) {
		db.Close()
		return nil, err
	}
	if err := migrate(ctx, db, dk); err != nil {
		return fail(err)
	}
	meta, err := readMeta(ctx, db)
	if err != nil {
		return fail(fmt.Errorf("read profile record: %w", err))
	}
	info, err := p.infoFromMeta(filepath.Dir(path), meta)
	if err != nil {
		return fail(err)
	}
	now := p.Now
	if now == nil {
		now = time.Now
	}
	s := &Store{db: db, key: dk, path: path, info: info, now: now, loc: p.loc(), policy: p.Policy}
	if err := s.checkLabel(ctx); err != nil {
		return fail(err)
	}
	return s, nil
}

// Recover unlocks a profile with its recovery key and sets a new passphrase.
func (p *Profiles) Recover(ctx context.Context, info ProfileInfo, rk vault.RecoveryKey, newPassphrase []byte) (*Store, error) {
	if info.Err != nil {
		return nil, info.Err
	}
	if strings.TrimSpace(string(newPassphrase)) == "" {
		return nil, invalidField(FieldPassphrase, "input.new_passphrase_empty", nil, "the new passphrase is empty")
	}
	if folderID(info.Dir) != info.ID {
		return nil, &FileError{Path: filepath.Join(info.Dir, dbName), Reason: "it is not in its own profile's folder", Err: ErrDamaged}
	}
	path := filepath.Join(info.Dir, dbName)
	db, err := openDB(ctx, path, "rw")
	if err != nil {
		return nil, err
	}
	meta, err := readMeta(ctx, db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("read profile record: %w", err)
	}
	e, ok, err := envelope(meta, vault.MethodRecovery)
	if err == nil && !ok {
		err = fmt.Errorf("this profile has no recovery key: %w", ErrNotFound)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	dk, err := vault.UnwrapRecovery(e, rk, info.ID)
	if err != nil {
		db.Close()
		if errors.Is(err, vault.ErrWrongSecret) {
			return nil, fmt.Errorf("%w: the recovery key does not belong to this profile", ErrWrongPassphrase)
		}
		return nil, err
	}
	s, err := p.finishOpen(ctx, db, path, dk)
	if err != nil {
		return nil, err
	}
	if err := s.SetPassphrase(ctx, newPassphrase, p.argon2()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// SetPassphrase sets or changes the profile's passphrase. Only the data key is re-wrapped;
// no record changes.
func (s *Store) SetPassphrase(ctx context.Context, passphrase []byte, p vault.Argon2Params) error {
	if strings.TrimSpace(string(passphrase)) == "" {
		return invalidField(FieldPassphrase, "input.new_passphrase_empty", nil, "the new passphrase is empty")
	}
	if p == (vault.Argon2Params{}) {
		p = vault.DefaultArgon2
	}
	e, err := s.key.WrapWithPassphrase(passphrase, p, s.info.ID)
	if err != nil {
		return err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx,
		"INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		metaEnvelope+string(vault.MethodPassphrase), b)
	if err != nil {
		return fmt.Errorf("save new passphrase: %w", err)
	}
	s.info.HasPassphrase = true
	return nil
}

// Delete removes a profile: its keyring key and every file. The folder is first renamed
// aside, so a crash half-way never leaves a half-deleted profile that looks whole.
func (p *Profiles) Delete(ctx context.Context, info ProfileInfo) error {
	if info.Dir == "" || filepath.Dir(info.Dir) != p.root() {
		return fmt.Errorf("profile %q: %w", info.Name, ErrNotFound)
	}
	aside := filepath.Join(p.root(), deletingPrefix+filepath.Base(info.Dir))
	if err := os.Rename(info.Dir, aside); err != nil {
		return fmt.Errorf("delete profile: %w", err)
	}
	var kerr error
	if p.Keyring != nil && info.ID != "" && (info.HasKeyring || info.Err != nil) {
		kerr = p.Keyring.Delete(ctx, info.ID)
	}
	if err := os.RemoveAll(aside); err != nil {
		return fmt.Errorf("delete profile files: %w", err)
	}
	if kerr != nil {
		return fmt.Errorf("profile deleted, but its keyring key could not be removed: %w", kerr)
	}
	return nil
}

// Sweep finishes what crashed processes left in the profiles folder, at start: a profile
// half made (.creating-<id> whose lock nobody holds) is removed, and a delete that was
// under way (.deleting-<id>) is finished, never undone, each with its keyring key. A
// profile another process is making holds its lock and is left alone; if another process
// holds the names lock, sweeping waits for a later start.
func (p *Profiles) Sweep(ctx context.Context) error {
	ents, err := os.ReadDir(p.root())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sweep profiles: %w", err)
	}
	names, err := tryLockFile(filepath.Join(p.root(), namesLockName))
	if errors.Is(err, fs.ErrNotExist) {
		names, err = lockFile(ctx, filepath.Join(p.root(), namesLockName))
	}
	if names == nil || err != nil {
		return err
	}
	defer names.Close()
	var errs []error
	swept := map[string]bool{}
	for _, e := range ents {
		if id, ok := strings.CutPrefix(e.Name(), deletingPrefix); ok && e.IsDir() {
			errs = append(errs, p.forgetKey(ctx, id), os.RemoveAll(filepath.Join(p.root(), e.Name())))
			continue
		}
		if id, ok := strings.CutPrefix(e.Name(), replacedPrefix); ok && e.IsDir() {
			// restore --replace died between its two renames (backup.go, commitRestore):
			// the old profile goes back unless the new one is in place. Its keyring key
			// (one id, shared) stays either way.
			errs = append(errs, p.sweepReplaced(id))
			continue
		}
		id, ok := strings.CutPrefix(e.Name(), creatingPrefix)
		if !ok {
			continue
		}
		id = strings.TrimSuffix(id, lockSuffix)
		if swept[id] {
			continue
		}
		swept[id] = true
		dir := filepath.Join(p.root(), creatingPrefix+id)
		lock, err := tryLockFile(dir + lockSuffix)
		if errors.Is(err, fs.ErrNotExist) {
			lock, err = newLockFile(dir + lockSuffix)
		}
		if lock == nil || err != nil {
			continue // being made by a live process
		}
		errs = append(errs, p.forgetKey(ctx, id), os.RemoveAll(dir))
		lock.Close()
		os.Remove(dir + lockSuffix)
	}
	return errors.Join(errs...)
}

// forgetKey deletes id's keyring key for a profile that is gone, unless a profile in place
// has that id (a leftover named after a live profile must not cost it its key).
func (p *Profiles) forgetKey(ctx context.Context, id string) error {
	if p.Keyring == nil || id == "" {
		return nil
	}
	if _, err := os.Lstat(filepath.Join(p.root(), id)); err == nil {
		return nil
	}
	// Nor when a profile with that id is aside (restore --replace died half-way): it goes back.
	if _, err := os.Lstat(filepath.Join(p.root(), replacedPrefix+id)); err == nil {
		return nil
	}
	return p.Keyring.Delete(ctx, id)
}
