package data

// Encrypted backups (issue 12, item 5; docs/SECURITY.md, "Backups").
//
// A backup is one file:
//
//	"patient-companion backup v1\n"       magic
//	uint32, big endian                    length of the header (at most maxBackupHeader)
//	header (JSON)                         the profile id, its recovery envelope, and the
//	                                      profile's backup identity sealed with the data key
//	SHA-256 of everything above           so that damage to the header is told apart from a
//	                                      wrong recovery key
//	age file (X25519)                     the journal: a consistent SQLite image, taken with
//	                                      the online backup API into memory and serialized
//
// The body is encrypted to the profile's own age identity (a random X25519 key pair kept
// sealed in the profile, made on the first backup), so a backup can be written unattended
// by whatever unlocked the profile (keyring or passphrase) without the recovery key. The
// recovery key opens the recovery envelope, which gives the data key, which opens the
// sealed private half of the identity, which opens the body: the recovery key alone restores
// on any computer. Nothing else is in the clear: the profile id is a random UUID that says
// nothing about the person; the name is inside the encrypted journal.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"github.com/mattn/go-sqlite3"

	"github.com/patient-companion/companion/data/vault"
)

const (
	backupMagic     = "patient-companion backup v1\n"
	backupVersion   = 1
	maxBackupHeader = 64 << 10
	// secretBackupIdentity holds the profile's age identity, both halves, sealed like every
	// secret (so its public half is authenticated: an edit is damage, never a backup
	// encrypted to somebody else's key).
	secretBackupIdentity = "backup.identity"
	// replacedPrefix names a profile that restore --replace is putting a backup in place of:
	// it is removed once the new one is in place, or put back by Sweep if the process died
	// before that.
	replacedPrefix = ".replaced-"
)

type backupHeader struct {
	Version   int            `json:"v"`
	ProfileID string         `json:"profile_id"`
	Recovery  vault.Envelope `json:"recovery"`
	// Identity is the age identity's private half (its bech32 text), sealed with the data
	// key and bound to the profile id (identityAAD).
	Identity []byte `json:"identity"`
}

type backupIdentity struct {
	Private string `json:"private"`
	Public  string `json:"public"`
}

func identityAAD(profileID string) []byte {
	return []byte("patient-companion/backup-identity/v1|" + profileID)
}

// errBackupDamaged is wrapped by every "this file is not a whole, unaltered backup" error.
func backupDamaged(reason string, err error) error {
	if err != nil {
		return fmt.Errorf("the backup file is damaged or incomplete (%s): %w: %w", reason, ErrDamaged, err)
	}
	return fmt.Errorf("the backup file is damaged or incomplete (%s): %w", reason, ErrDamaged)
}

// identity returns the profile's age identity, making and storing one the first time (an
// existing profile gets it on its first backup; nothing else changes).
func (s *Store) identity(ctx context.Context) (*age.X25519Identity, error) {
	var bi backupIdentity
	ok, err := s.Secret(ctx, secretBackupIdentity, &bi)
	if err != nil {
		return nil, fmt.Errorf("read the backup key: %w", err)
	}
	if ok {
		id, err := age.ParseX25519Identity(bi.Private)
		if err != nil || id.Recipient().String() != bi.Public {
			return nil, fmt.Errorf("the backup key is damaged: %w", ErrDamaged)
		}
		return id, nil
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("make the backup key: %w", err)
	}
	if err := s.PutSecret(ctx, secretBackupIdentity, backupIdentity{Private: id.String(), Public: id.Recipient().String()}); err != nil {
		return nil, fmt.Errorf("save the backup key: %w", err)
	}
	return id, nil
}

// snapshot is a consistent image of the journal, taken with SQLite's online backup API into
// an in-memory database and serialized: the app may keep writing meanwhile (WAL), and no
// plaintext or temporary file is written.
func (s *Store) snapshot(ctx context.Context) ([]byte, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	defer conn.Close()
	dc, err := (&sqlite3.SQLiteDriver{}).Open(":memory:")
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	mem := dc.(*sqlite3.SQLiteConn)
	defer mem.Close()
	err = conn.Raw(func(raw any) error {
		src, ok := raw.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", raw)
		}
		b, err := mem.Backup("main", src, "main")
		if err != nil {
			return err
		}
		// One step: the whole copy under one read transaction, so it is one moment's state.
		if _, err := b.Step(-1); err != nil {
			b.Finish()
			return err
		}
		return b.Finish()
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	img, err := mem.Serialize("main")
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	return img, nil
}

// WriteBackup writes an encrypted backup of the profile to w (see the top of this file).
func (s *Store) WriteBackup(ctx context.Context, w io.Writer) error {
	id, err := s.identity(ctx)
	if err != nil {
		return err
	}
	var rec vault.Envelope
	var raw []byte
	err = s.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", metaEnvelope+string(vault.MethodRecovery)).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("this profile has no recovery key, which a backup needs: %w", ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("read the recovery envelope: %w", err)
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return fmt.Errorf("the recovery key record is damaged: %w", errTampered)
	}
	priv := []byte(id.String())
	sealed, err := s.key.Seal(identityAAD(s.info.ID), priv)
	clear(priv)
	if err != nil {
		return err
	}
	hdr, err := json.Marshal(backupHeader{Version: backupVersion, ProfileID: s.info.ID, Recovery: rec, Identity: sealed})
	if err != nil {
		return err
	}
	img, err := s.snapshot(ctx)
	if err != nil {
		return err
	}
	var head bytes.Buffer
	head.WriteString(backupMagic)
	head.Write(binary.BigEndian.AppendUint32(nil, uint32(len(hdr))))
	head.Write(hdr)
	sum := sha256.Sum256(head.Bytes())
	head.Write(sum[:])
	if _, err := w.Write(head.Bytes()); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	aw, err := age.Encrypt(w, id.Recipient())
	if err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	if _, err := aw.Write(img); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	if err := aw.Close(); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	return nil
}

// BackupTo writes an encrypted backup to the file path, atomically: a temporary file in the
// same folder, synced, renamed over path, the folder synced. The file is 0600. A failure
// leaves path as it was.
func (s *Store) BackupTo(ctx context.Context, path string) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	if err := s.WriteBackup(ctx, f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	// For "last backup 2 hours ago" and the reminder (backup_schedule.go). Best effort: the
	// backup is whole and in place; a profile that cannot be written to (a read-only file)
	// only shows an older time, and reminds sooner.
	_ = s.noteBackup(ctx, s.now())
	return nil
}

// RestoreOptions say how a backup becomes a profile here.
type RestoreOptions struct {
	RecoveryKey vault.RecoveryKey
	// Passphrase, if set, unlocks the restored profile (with the keyring too, where one
	// answers). Without it a keyring is required.
	Passphrase []byte
	// As, if set, restores a copy under this name with a new id, beside the original.
	As string
	// Replace puts the backup in place of a profile here with the same id.
	Replace bool
}

// readBackup reads and checks a backup's header; the rest of r is the age body.
func readBackup(r io.Reader) (backupHeader, error) {
	var hdr backupHeader
	head := make([]byte, len(backupMagic)+4)
	if _, err := io.ReadFull(r, head); err != nil {
		return hdr, backupDamaged("it is too short", nil)
	}
	if string(head[:len(backupMagic)]) != backupMagic {
		return hdr, fmt.Errorf("this is not a Patient Companion backup (or one from a newer version): %w", ErrNotOurFile)
	}
	n := binary.BigEndian.Uint32(head[len(backupMagic):])
	if n == 0 || n > maxBackupHeader {
		return hdr, backupDamaged("its header has an impossible length", nil)
	}
	rest := make([]byte, int(n)+sha256.Size)
	if _, err := io.ReadFull(r, rest); err != nil {
		return hdr, backupDamaged("it is too short", nil)
	}
	h := sha256.New()
	h.Write(head)
	h.Write(rest[:n])
	if !bytes.Equal(h.Sum(nil), rest[n:]) {
		return hdr, backupDamaged("its header was altered", nil)
	}
	if err := json.Unmarshal(rest[:n], &hdr); err != nil || hdr.Version != backupVersion || hdr.ProfileID == "" ||
		strings.ContainsAny(hdr.ProfileID, `/\.`) || hdr.Recovery.Method != vault.MethodRecovery {
		return hdr, backupDamaged("its header cannot be read", nil)
	}
	return hdr, nil
}

// Restore recreates a profile from a backup read from r, unlocked with the recovery key, and
// returns it open. A damaged or altered file is damage (IsDamaged) and a wrong recovery key
// ErrWrongPassphrase, both before anything is created; a profile with the same id here is
// ErrExists unless opt.Replace. The profile is made whole in a hidden .creating- folder like
// a new one; with Replace the old profile stays in place until the new one is complete.
func (p *Profiles) Restore(ctx context.Context, r io.Reader, opt RestoreOptions) (_ *Store, err error) {
	if len(opt.Passphrase) == 0 && p.Keyring == nil {
		return nil, invalid("input.restore_no_keyring", nil, "no keyring answers on this computer: give the restored profile a new passphrase")
	}
	if len(opt.Passphrase) > 0 {
		if err := ValidateNewPassphrase(opt.Passphrase); err != nil {
			return nil, err
		}
	}
	asName := ""
	if opt.As != "" {
		if asName, err = ValidateProfileName(opt.As); err != nil {
			return nil, err
		}
	}
	hdr, err := readBackup(r)
	if err != nil {
		return nil, err
	}
	dk, err := vault.UnwrapRecovery(hdr.Recovery, opt.RecoveryKey, hdr.ProfileID)
	if err != nil {
		if errors.Is(err, vault.ErrWrongSecret) {
			return nil, fmt.Errorf("the recovery key does not open this backup: it is another profile's (%w)", ErrWrongPassphrase)
		}
		return nil, backupDamaged("its recovery key record", err)
	}
	defer func() {
		if err != nil {
			dk.Forget()
		}
	}()
	priv, err := dk.Open(identityAAD(hdr.ProfileID), hdr.Identity)
	if err != nil {
		return nil, backupDamaged("its backup key", err)
	}
	ident, err := age.ParseX25519Identity(string(priv))
	clear(priv)
	if err != nil {
		return nil, backupDamaged("its backup key", err)
	}
	ar, err := age.Decrypt(r, ident)
	if err != nil {
		return nil, backupDamaged("its contents", err)
	}
	img, err := io.ReadAll(ar)
	if err != nil {
		return nil, backupDamaged("its contents", err)
	}
	if err := checkImage(ctx, img, hdr.ProfileID); err != nil {
		return nil, err
	}

	id := hdr.ProfileID
	if asName != "" {
		id = newID()
	}
	final := filepath.Join(p.root(), id)
	_, statErr := os.Lstat(final)
	replacing := statErr == nil
	if replacing && !opt.Replace {
		return nil, fmt.Errorf("profile %s %w here: give --replace to put the backup in its place, or --as NAME to restore a copy beside it", id, ErrExists)
	}
	if statErr != nil && !errors.Is(statErr, fs.ErrNotExist) {
		return nil, fmt.Errorf("restore: %w", statErr)
	}

	pp := &PendingProfile{p: p, id: id, tmp: filepath.Join(p.root(), creatingPrefix+id), rk: opt.RecoveryKey}
	defer pp.Abort(ctx)
	release, err := p.lockNames(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	if pp.lock, err = newLockFile(pp.tmp + lockSuffix); err != nil {
		return nil, err
	}
	release()
	if err := writeImage(pp.tmp, img); err != nil {
		return nil, err
	}
	clear(img)
	path := filepath.Join(pp.tmp, dbName)
	db, err := openDB(ctx, path, "rw")
	if err != nil {
		return nil, err
	}
	// The copy gets its own id (and name) before the store checks that its id is its folder's.
	if asName != "" {
		if _, err := db.ExecContext(ctx, "UPDATE meta SET value = ? WHERE key = ?", []byte(id), metaID); err != nil {
			db.Close()
			return nil, fmt.Errorf("restore: %w", err)
		}
	}
	// Another computer's keyring and passphrase envelopes open nothing here (the keyring's)
	// or are replaced (the passphrase's); the recovery envelope stays (or is made for the
	// copy's id).
	if _, err := db.ExecContext(ctx, "DELETE FROM meta WHERE key LIKE 'envelope.%' AND key != ?", metaEnvelope+string(vault.MethodRecovery)); err != nil {
		db.Close()
		return nil, fmt.Errorf("restore: %w", err)
	}
	s, err := p.finishOpen(ctx, db, path, dk)
	if err != nil {
		return nil, err
	}
	pp.store = s
	name := s.info.Name
	if asName != "" {
		name = asName
		e, err := dk.WrapWithRecoveryKey(opt.RecoveryKey, id)
		if err != nil {
			return nil, err
		}
		if err := s.putEnvelope(ctx, e); err != nil {
			return nil, err
		}
		// The copy is a second profile: it must not spend the original's portal sign-in
		// (a refresh token is used once), so it is signed out and signs in again.
		// ("portal.token" is sync/portal.TokenKey, which this package cannot import.)
		if err := s.DeleteSecret(ctx, "portal.token"); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
		// Its backups get their own key.
		if err := s.DeleteSecret(ctx, secretBackupIdentity); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
	}
	if err := s.setName(ctx, name); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	s.info.HasKeyring, s.info.HasPassphrase = false, false
	if len(opt.Passphrase) > 0 {
		if err := s.SetPassphrase(ctx, opt.Passphrase, p.argon2()); err != nil {
			return nil, err
		}
		s.clearPIN(ctx) // a PIN is for keyring-only profiles
	}
	if err := p.restoreKeyring(ctx, pp); err != nil && len(opt.Passphrase) == 0 {
		return nil, fmt.Errorf("%w: give the restored profile a new passphrase (--new-passphrase-file F or COMPANION_NEW_PASSPHRASE)", err)
	}
	return pp.commitRestore(ctx, replacing)
}

// restoreKeyring lets the keyring unlock the restored profile. When the keyring already
// holds a key for its id (the profile it replaces), that key is reused: the old profile
// keeps opening until the new one is in place, and the key is never lost to a crash.
func (p *Profiles) restoreKeyring(ctx context.Context, pp *PendingProfile) error {
	if p.Keyring == nil {
		return vault.ErrKeyringUnavailable
	}
	s := pp.store
	// A key already kept under this id is reused: it is the replaced profile's, or this
	// profile's in another data folder of this account, which must keep opening.
	kek, err := p.Keyring.Get(ctx, pp.id)
	switch {
	case errors.Is(err, vault.ErrKeyringEntryMissing):
		if kek, err = vault.NewKEK(); err != nil {
			return err
		}
		if err := p.Keyring.Set(ctx, pp.id, kek); err != nil {
			clear(kek)
			return err
		}
		pp.keyringSet = true
	case err != nil:
		return err // it may hold another profile's key: never overwrite what we cannot read
	}
	defer clear(kek)
	e, err := s.key.WrapWithKey(kek, pp.id)
	if err != nil {
		return err
	}
	if err := s.putEnvelope(ctx, e); err != nil {
		return err
	}
	s.info.HasKeyring = true
	return nil
}

// commitRestore puts the restored profile in place. With replacing, the old profile is
// renamed aside (.replaced-<id>) and the new one renamed into its place, under the names
// lock; only then is the old one removed. A crash between the two renames leaves the old
// one aside, which Sweep puts back.
func (pp *PendingProfile) commitRestore(ctx context.Context, replacing bool) (*Store, error) {
	p, s := pp.p, pp.store
	if err := s.db.Close(); err != nil {
		return nil, fmt.Errorf("restore journal: %w", err)
	}
	if err := syncDir(pp.tmp); err != nil {
		return nil, err
	}
	release, err := p.lockNames(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	if err := p.nameFree(ctx, s.info.Name, pp.id); err != nil {
		return nil, fmt.Errorf("%w: restore it beside that one under another name with --as NAME", err)
	}
	final := filepath.Join(p.root(), pp.id)
	aside := filepath.Join(p.root(), replacedPrefix+pp.id)
	if replacing {
		if err := os.Rename(final, aside); err != nil {
			return nil, fmt.Errorf("restore: move the old profile aside: %w", err)
		}
		if err := syncDir(p.root()); err != nil {
			os.Rename(aside, final)
			return nil, err
		}
	} else if _, err := os.Lstat(final); err == nil {
		return nil, fmt.Errorf("profile %s %w here (it appeared during the restore)", pp.id, ErrExists)
	}
	if err := os.Rename(pp.tmp, final); err != nil {
		if replacing {
			os.Rename(aside, final)
		}
		return nil, fmt.Errorf("restore: put the profile in place: %w", err)
	}
	if err := pp.placed(release); err != nil {
		return nil, err
	}
	if replacing {
		if err := os.RemoveAll(aside); err != nil {
			return nil, fmt.Errorf("restore: remove the old profile's files: %w", err)
		}
	}
	path := filepath.Join(final, dbName)
	db, err := openDB(ctx, path, "rw")
	if err != nil {
		return nil, err
	}
	s.db, s.path, s.info.Dir = db, path, final
	return s, nil
}

// checkImage checks a decrypted journal image before anything is written: an SQLite file of
// ours, whole (integrity_check), holding the profile the header names.
func checkImage(ctx context.Context, img []byte, profileID string) error {
	if len(img) < 100 || string(img[:16]) != sqliteMagic || binary.BigEndian.Uint32(img[68:72]) != ApplicationID {
		return backupDamaged("it does not hold a journal", nil)
	}
	if v := binary.BigEndian.Uint32(img[60:64]); int(v) > SchemaVersion() {
		return fmt.Errorf("the backup was written by a newer version of Patient Companion (schema %d): %w", v, ErrNewerSchema)
	}
	dc, err := (&sqlite3.SQLiteDriver{}).Open(":memory:")
	if err != nil {
		return err
	}
	mem := dc.(*sqlite3.SQLiteConn)
	defer mem.Close()
	// An image of a WAL journal says so in its header (bytes 18 and 19 are 2), which an
	// in-memory database cannot open; as a rollback journal it reads the same pages.
	// Deserialize copies the bytes, so the image is changed only for the call (no second
	// copy of a journal that may be large).
	wal := img[18] == 2 && img[19] == 2
	if wal {
		img[18], img[19] = 1, 1
	}
	err = mem.Deserialize(img, "main")
	if wal {
		img[18], img[19] = 2, 2
	}
	if err != nil {
		return backupDamaged("its journal cannot be read", err)
	}
	if res, err := queryText(mem, "PRAGMA integrity_check"); err != nil || res != "ok" {
		return backupDamaged("its journal fails SQLite's integrity check", err)
	}
	if stored, err := queryText(mem, "SELECT CAST(value AS TEXT) FROM meta WHERE key = '"+metaID+"'"); err != nil || stored != profileID {
		return backupDamaged("its journal belongs to another profile", err)
	}
	return nil
}

// queryText returns the first column of the first row of q, as text.
func queryText(c *sqlite3.SQLiteConn, q string) (string, error) {
	rows, err := c.Query(q, nil)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	v := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(v); err != nil {
		return "", err
	}
	switch x := v[0].(type) {
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	}
	return fmt.Sprint(v[0]), nil
}

// writeImage makes the folder dir and writes the journal image into it, synced, 0600.
func writeImage(dir string, img []byte) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("create profile folder: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, dbName), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("create journal: %w", err)
	}
	if _, err := f.Write(img); err != nil {
		f.Close()
		return fmt.Errorf("create journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("create journal: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create journal: %w", err)
	}
	return syncDir(dir)
}

// sweepReplaced finishes a restore --replace that died: the old profile, moved aside to
// .replaced-<id>, is put back when nothing took its place, and removed when the restored
// one is in place.
func (p *Profiles) sweepReplaced(id string) error {
	aside := filepath.Join(p.root(), replacedPrefix+id)
	final := filepath.Join(p.root(), id)
	if _, err := os.Lstat(final); err == nil {
		return os.RemoveAll(aside)
	}
	if err := os.Rename(aside, final); err != nil {
		return fmt.Errorf("put back profile %s: %w", id, err)
	}
	return syncDir(p.root())
}
