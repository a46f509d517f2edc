package data

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/mattn/go-sqlite3"

	"github.com/patient-companion/companion/data/vault"
)

// Sentinel errors; callers check them with errors.Is.
var (
	// ErrNotFound: no such profile, entry or medication.
	ErrNotFound = errors.New("not found")
	// ErrLocked: the profile needs a passphrase (or the keyring) and none was given.
	ErrLocked = errors.New("profile is locked")
	// ErrWrongPassphrase: the passphrase or recovery key does not unlock the profile.
	ErrWrongPassphrase = errors.New("wrong passphrase")
	// ErrInvalid: the input breaks a rule (an empty name, a severity of 11).
	ErrInvalid = errors.New("invalid input")
	// ErrExists: a profile of that name already exists.
	ErrExists = errors.New("already exists")
	// ErrNewerSchema: the file was written by a newer version of the app.
	ErrNewerSchema = errors.New("written by a newer version of Patient Companion")
	// ErrNotOurFile: the file is not a Patient Companion journal (or is damaged beyond reading).
	ErrNotOurFile = errors.New("not a Patient Companion journal")
	// ErrDamaged: the journal is ours but damaged: SQLite finds it malformed, or it holds
	// another profile's id (copied into this folder).
	ErrDamaged = errors.New("damaged")
	// ErrPermission: this user may not read or write the profile's folder or file. It is
	// fs.ErrPermission too, so errors.Is finds it either way.
	ErrPermission = fmt.Errorf("permission denied: %w", fs.ErrPermission)
)

// IsDamaged reports whether err means damaged data (exit 5 on the command line): a tampered
// record, a foreign, newer or malformed file, a key record that cannot be right. Some of
// these come straight from SQLite or the vault, wherever the damage is met.
func IsDamaged(err error) bool {
	var te *TamperedError
	switch {
	case err == nil:
		return false
	case errors.As(err, &te), errors.Is(err, ErrDamaged), errors.Is(err, ErrNotOurFile),
		errors.Is(err, ErrNewerSchema), errors.Is(err, errTampered), errors.Is(err, vault.ErrDamaged):
		return true
	}
	code, ok := sqliteCode(err)
	return ok && (code == sqlite3.ErrCorrupt || code == sqlite3.ErrNotADB)
}

// IsPermission reports whether err means the files may not be read or written by this user
// (a read-only folder or file), as the system or SQLite said it.
func IsPermission(err error) bool {
	if errors.Is(err, fs.ErrPermission) {
		return true
	}
	code, ok := sqliteCode(err)
	return ok && (code == sqlite3.ErrReadonly || code == sqlite3.ErrPerm)
}

func sqliteCode(err error) (sqlite3.ErrNo, bool) {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code, true
	}
	var sp *sqlite3.Error
	if errors.As(err, &sp) && sp != nil {
		return sp.Code, true
	}
	return 0, false
}

// InputError is input that breaks a rule: which field (one of the Field… names, or "" when
// the rule is about the whole) and a message meant for the user that describes the rule,
// never the text that broke it. It is ErrInvalid for errors.Is, so the command line maps it
// to exit 2; the window finds the field to flag with errors.As, never by reading the text.
type InputError struct {
	Field string
	Msg   string
	// Key names the message's translation for the window ("input.<name>", in
	// assets/translations/input.*.json) and Args fill its {{.Fields}}: the same facts as Msg,
	// as values (numbers, Dates, times, a ReadingType) that the window writes the person's
	// way. Msg stays the command line's English.
	Key  string
	Args map[string]any
}

// ReadingType is a reading type (one of VitalTypes) among an InputError's Args: the window
// names it in words.
type ReadingType string

// The fields an InputError can name.
const (
	FieldName       = "name"
	FieldSeverity   = "severity"
	FieldDuration   = "duration"
	FieldNote       = "note"
	FieldTimes      = "times"
	FieldStart      = "start"
	FieldEnd        = "end"
	FieldDate       = "date"
	FieldEveryDays  = "every_days"
	FieldDoseWindow = "dose_window"
	FieldRepeat     = "repeat"
	FieldHeadsUp    = "heads_up"
	FieldTitle      = "title"
	FieldPassphrase = "passphrase"
	FieldPIN        = "pin"
)

func (e *InputError) Error() string { return ErrInvalid.Error() + ": " + e.Msg }

// Is makes an InputError ErrInvalid.
func (e *InputError) Is(target error) bool { return target == ErrInvalid }

// kv are an InputError's Args.
type kv = map[string]any

// invalid returns an *InputError about no one field: the window's message is key's
// translation filled from args, the command line's is format filled from a (the same facts).
func invalid(key string, args kv, format string, a ...any) error {
	return &InputError{Msg: fmt.Sprintf(format, a...), Key: key, Args: args}
}

// invalidField returns an *InputError about one field.
func invalidField(field, key string, args kv, format string, a ...any) error {
	return &InputError{Field: field, Msg: fmt.Sprintf(format, a...), Key: key, Args: args}
}

// asField is a checker's error as an *InputError about field: its message and translation
// when it is one, else its text.
func asField(field string, err error) *InputError {
	var ie *InputError
	if errors.As(err, &ie) {
		return &InputError{Field: field, Msg: ie.Msg, Key: ie.Key, Args: ie.Args}
	}
	return &InputError{Field: field, Msg: err.Error()}
}

// RecordRef names one stored record, never its content.
type RecordRef struct {
	Table string
	ID    string
}

// TamperedError reports records whose sealed content failed authentication. Operations that
// read many records return it alongside the records that did read, so one damaged entry
// never hides the rest of a journal.
type TamperedError struct {
	Records []RecordRef
}

func (e *TamperedError) Error() string {
	ids := make([]string, 0, len(e.Records))
	for _, r := range e.Records {
		ids = append(ids, recordNoun(r.Table)+" "+r.ID)
	}
	const limit = 5
	more := ""
	if len(ids) > limit {
		more = fmt.Sprintf(" and %d more", len(ids)-limit)
		ids = ids[:limit]
	}
	return fmt.Sprintf("damaged record (failed its integrity check; restore a backup or delete it): %s%s",
		strings.Join(ids, ", "), more)
}

// recordNoun names a table's record in words a person understands.
func recordNoun(table string) string {
	switch table {
	case "entries":
		return "journal entry"
	case "schedule_steps":
		return "schedule step"
	case "dose_events":
		return "dose record"
	case "outbox":
		return "outbox item"
	case "meta":
		return "profile record"
	}
	return strings.TrimSuffix(table, "s")
}

// Keep adds the damaged records a *TamperedError names to bad and returns nil, so that reading
// may go on and show what can be read (the lists' rule); any other error, and nil, comes back
// as it is. bad.OrNil() then says what was left out.
func (bad *TamperedError) Keep(err error) error {
	var te *TamperedError
	if errors.As(err, &te) {
		bad.Records = append(bad.Records, te.Records...)
		return nil
	}
	return err
}

func (e *TamperedError) add(table, id string) { e.Records = append(e.Records, RecordRef{table, id}) }

// OrNil returns e as an error if it holds any record, else nil. A record reported twice (a
// medication read for its name and for its schedule) is named once.
func (e *TamperedError) OrNil() error {
	if e == nil || len(e.Records) == 0 {
		return nil
	}
	seen := make(map[RecordRef]bool, len(e.Records))
	e.Records = slices.DeleteFunc(e.Records, func(r RecordRef) bool {
		dup := seen[r]
		seen[r] = true
		return dup
	})
	return e
}

// FileError is a problem with a journal file as a whole: not ours, newer, unreadable.
type FileError struct {
	Path   string
	Reason string
	Err    error // ErrNotOurFile or ErrNewerSchema, or an I/O error
}

func (e *FileError) Error() string {
	switch {
	case errors.Is(e.Err, ErrNewerSchema):
		return fmt.Sprintf("%s was %s (%s): install the latest version; the file was not changed", e.Path, ErrNewerSchema, e.Reason)
	case errors.Is(e.Err, ErrNotOurFile):
		return fmt.Sprintf("%s is %s (%s); the file was not changed", e.Path, ErrNotOurFile, e.Reason)
	case errors.Is(e.Err, ErrDamaged):
		return fmt.Sprintf("%s is damaged (%s): restore it from a backup; the file was not changed", e.Path, e.Reason)
	case errors.Is(e.Err, fs.ErrPermission):
		return fmt.Sprintf("%s: permission denied (%s): check that this user may read and write it and its folder", e.Path, e.Reason)
	}
	return fmt.Sprintf("%s: %s: %v", e.Path, e.Reason, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }
