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
)

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
		return "", invalid("the profile name is empty")
	case utf8.RuneCountInString(name) > maxProfileName:
		return "", invalid("the profile name is longer than %d characters", maxProfileName)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", invalid("the profile name contains a control character")
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

// Find returns the profile whose name (case-insensitive) or id is nameOrID.
func (p *Profiles) Find(ctx context.Context, nameOrID string) (ProfileInfo, error) {
	all, err := p.List(ctx)
	if err != nil {
		return ProfileInfo{}, err
	}
	for _, pi := range all {
		if pi.ID == nameOrID || (pi.Name != "" && strings.EqualFold(pi.Name, strings.TrimSpace(nameOrID))) {
			return pi, nil
		}
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
		return ProfileInfo{}, &FileError{Path: path, Reason: "its profile record is unreadable", Err: err}
	}
	return p.infoFromMeta(dir, meta)
}

func (p *Profiles) infoFromMeta(dir string, meta map[string][]byte) (ProfileInfo, error) {
	pi := ProfileInfo{
		ID:   string(meta[metaID]),
		Name: string(meta[metaName]),
		Dir:  dir,
	}
	if pi.ID == "" || pi.Name == "" {
		return pi, &FileError{Path: filepath.Join(dir, dbName), Reason: "its profile record is missing", Err: ErrNotOurFile}
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
// A crash at any point leaves either no profile or a whole one: the profile is built in a
// hidden folder and renamed into place.
func (p *Profiles) Create(ctx context.Context, opt CreateOptions) (*Store, vault.RecoveryKey, error) {
	var rk vault.RecoveryKey
	name, err := ValidateProfileName(opt.Name)
	if err != nil {
		return nil, rk, err
	}
	if opt.NoKeyring && len(opt.Passphrase) == 0 {
		return nil, rk, invalid("a profile without the keyring needs a passphrase")
	}
	if opt.Passphrase != nil && strings.TrimSpace(string(opt.Passphrase)) == "" {
		return nil, rk, invalid("the passphrase is empty")
	}
	existing, err := p.List(ctx)
	if err != nil {
		return nil, rk, err
	}
	for _, e := range existing {
		if strings.EqualFold(e.Name, name) {
			return nil, rk, fmt.Errorf("a profile named %q %w", e.Name, ErrExists)
		}
	}

	id := newID()
	dk, err := vault.NewDataKey()
	if err != nil {
		return nil, rk, err
	}
	if rk, err = vault.NewRecoveryKey(); err != nil {
		return nil, rk, err
	}
	meta := map[string][]byte{
		metaID:      []byte(id),
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
	if err := addEnvelope(dk.WrapWithRecoveryKey(rk, id)); err != nil {
		return nil, rk, err
	}
	if len(opt.Passphrase) > 0 {
		if err := addEnvelope(dk.WrapWithPassphrase(opt.Passphrase, p.argon2(), id)); err != nil {
			return nil, rk, err
		}
	}
	keyringSet := false
	if !opt.NoKeyring {
		if p.Keyring == nil {
			return nil, rk, fmt.Errorf("%w: create the profile with --no-keyring and a passphrase (--passphrase-file F or COMPANION_PASSPHRASE)", vault.ErrKeyringUnavailable)
		}
		kek, err := vault.NewKEK()
		if err != nil {
			return nil, rk, err
		}
		if err := addEnvelope(dk.WrapWithKey(kek, id)); err != nil {
			return nil, rk, err
		}
		if err := p.Keyring.Set(ctx, id, kek); err != nil {
			return nil, rk, fmt.Errorf("%w: create the profile with --no-keyring and a passphrase (--passphrase-file F or COMPANION_PASSPHRASE)", err)
		}
		clear(kek)
		keyringSet = true
	}
	final := filepath.Join(p.root(), id)
	if err := p.build(ctx, id, final, meta); err != nil {
		if keyringSet {
			_ = p.Keyring.Delete(context.WithoutCancel(ctx), id)
		}
		return nil, rk, err
	}
	s, err := p.openWithKey(ctx, final, dk)
	if err != nil {
		return nil, rk, err
	}
	return s, rk, nil
}

// build writes a complete new journal into a hidden folder and renames it to final.
func (p *Profiles) build(ctx context.Context, id, final string, meta map[string][]byte) error {
	if err := os.MkdirAll(p.root(), 0o700); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	tmp := filepath.Join(p.root(), ".creating-"+id)
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return fmt.Errorf("create profile folder: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	path := filepath.Join(tmp, dbName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("create journal: %w", err)
	}
	f.Close()
	// Rollback journal while creating, so application_id and user_version land in the file's
	// header itself (not in a WAL) before anyone can look at it.
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=rw&_synchronous=FULL&_foreign_keys=1")
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
	if err := syncDir(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("create profile folder: %w", err)
	}
	ok = true
	return syncDir(p.root())
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
	dk, err := p.unlock(ctx, db, info.ID, cred)
	if err != nil {
		db.Close()
		return nil, err
	}
	return p.finishOpen(ctx, db, path, dk)
}

func (p *Profiles) unlock(ctx context.Context, db *sql.DB, id string, cred Credentials) (*vault.DataKey, error) {
	meta, err := readMeta(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("read profile record: %w", err)
	}
	if string(meta[metaID]) != id {
		return nil, fmt.Errorf("profile record does not match its folder: %w", ErrNotOurFile)
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
		return nil, invalid("the new passphrase is empty")
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
		return invalid("the new passphrase is empty")
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
	aside := filepath.Join(p.root(), ".deleting-"+filepath.Base(info.Dir))
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
