package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Medication is a medicine with its schedule, decrypted.
type Medication struct {
	ID           string
	Name         string
	Strength     string // "500 mg"
	Form         string // "tablet"
	Dose         string // "1 tablet"
	Instructions string // "with food"
	AsNeeded     bool
	DoseWindow   time.Duration // how long after its time a dose may still be taken
	Archived     bool
	// ArchivedAt is when it was archived (zero when it is not, or for an archive older than
	// the field): its doses after that are neither reminded nor counted as missed.
	ArchivedAt time.Time
	// ScheduleFrom is when the current schedule took effect: when the medication was added,
	// its schedule last changed, or it was restored. Doses before it are history — neither
	// reminded nor counted as missed — so editing a schedule changes the future only.
	ScheduleFrom time.Time
	Steps        []Step
	// FromRecord is the portal id of the clinic's MedicationRequest this medicine was added
	// from ("Add to my medicines"), and RecordDosage what its dosage said then (a signature
	// from app/health), so that a later change upstream can be shown. Empty otherwise.
	FromRecord   string
	RecordDosage string
	// StockKept says whether the person counts this medicine's units; Stock is how many are
	// left (a taken dose lowers it, data/stock.go) and RefillDays how many days before it
	// runs out the refill reminder starts (0: DefaultRefillDays). UpdateMedication keeps the
	// stored stock: it changes only through doses, SetStock and AddStock, so an editor left
	// open while a dose is taken cannot put the taken tablet back.
	StockKept  bool
	Stock      Units
	RefillDays int
	// RepeatEvery and RepeatTimes: a dose still unanswered is reminded again every
	// RepeatEvery, at most RepeatTimes times (0: DefaultRepeatEvery, DefaultRepeatTimes;
	// RepeatTimes NoRepeat: never again). HeadsUp is how long before a dose's time a
	// heads-up comes (0: none).
	RepeatEvery time.Duration
	RepeatTimes int
	HeadsUp     time.Duration
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Step is one schedule step: which times on which days, between two dates. A taper is a
// sequence of steps.
type Step struct {
	ID        string
	Times     []TimeOfDay
	EveryDays int            // 0 or 1: every day; N: every N days counted from Start
	Weekdays  []time.Weekday // empty: every day (or every N days)
	Start     Date
	End       Date // zero: no end; inclusive
	Dose      string
	Cron      string // a custom cron expression instead of Times/EveryDays/Weekdays
}

// Repeat reminders of a dose still unanswered, for a medicine that sets none (DESIGN §3).
const (
	DefaultRepeatEvery = 10 * time.Minute
	DefaultRepeatTimes = 3
	// NoRepeat as RepeatTimes: a dose is reminded once only.
	NoRepeat = -1
	// MaxRepeatTimes and MaxHeadsUp bound what the medicine editor accepts.
	MaxRepeatTimes = 20
	MaxHeadsUp     = 12 * time.Hour
)

// DefaultDoseWindow is how long a dose stays answerable before it counts as missed.
const DefaultDoseWindow = 2 * time.Hour

// TimeOfDay is a wall-clock time, minutes after midnight.
type TimeOfDay int

// ParseTimeOfDay reads "HH:MM" (24-hour clock; the hour may have one digit).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	s = strings.TrimSpace(s)
	// Digits only: Sscanf's %d took signs and stopped before trailing letters, so "08:3O"
	// (a letter O) read as 08:03 and "+8:00" as 08:00.
	hh, mm, _ := strings.Cut(s, ":")
	h, herr := strconv.Atoi(hh)
	m, merr := strconv.Atoi(mm)
	if len(hh) < 1 || len(hh) > 2 || len(mm) != 2 || !allDigits(hh) || !allDigits(mm) ||
		herr != nil || merr != nil || h > 23 || m > 59 {
		return 0, invalidField(FieldTimes, "input.time_of_day", kv{"Value": s}, "%q is not a time of day: use HH:MM on a 24-hour clock, like 08:00 or 20:30", s)
	}
	return TimeOfDay(h*60 + m), nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// Date is a calendar date without a zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return Date{}, invalidField(FieldDate, "input.date", kv{"Value": s}, "%q is not a date: use YYYY-MM-DD, like 2026-03-01", s)
	}
	return DateOf(t), nil
}

// DateOf is the calendar date of t in t's zone.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool {
	if d.Year != o.Year {
		return d.Year < o.Year
	}
	if d.Month != o.Month {
		return d.Month < o.Month
	}
	return d.Day < o.Day
}

// medRecord and stepRecord are the sealed parts (format 1).
type medRecord struct {
	Name          string `json:"name"`
	Strength      string `json:"strength,omitempty"`
	Form          string `json:"form,omitempty"`
	Dose          string `json:"dose,omitempty"`
	Instructions  string `json:"instructions,omitempty"`
	AsNeeded      bool   `json:"as_needed,omitempty"`
	DoseWindowSec int64  `json:"dose_window_s,omitempty"`
	// ScheduleFrom is Unix ms; absent in records written before it existed (then the
	// creation time stands in). Sealed, like the schedule it belongs to.
	ScheduleFrom int64 `json:"schedule_from,omitempty"`
	// ArchivedAt is Unix ms. The clear archived column says only whether (listing needs
	// that); when a medicine was stopped is health history, so it is sealed.
	ArchivedAt int64 `json:"archived_at,omitempty"`
	// FromRecord and RecordDosage link a medicine added from the clinic's record to it.
	FromRecord   string `json:"from_record,omitempty"`
	RecordDosage string `json:"record_dosage,omitempty"`
	// The stock (health data like the dose it counts): whether one is kept, the units left
	// in thousandths, the refill reminder's lead in days.
	StockKept  bool  `json:"stock_kept,omitempty"`
	Stock      int64 `json:"stock,omitempty"`
	RefillDays int64 `json:"refill_days,omitempty"`
	// Repeat reminders and the heads-up (tags 20 and up: 12–19 belong to other fields).
	RepeatEverySec int64 `json:"repeat_every_s,omitempty"`
	RepeatTimes    int64 `json:"repeat_times,omitempty"`
	HeadsUpSec     int64 `json:"heads_up_s,omitempty"`
}

func medRecordOf(m Medication) medRecord {
	rec := medRecord{
		Name: m.Name, Strength: m.Strength, Form: m.Form, Dose: m.Dose, Instructions: m.Instructions,
		AsNeeded: m.AsNeeded, DoseWindowSec: int64(m.DoseWindow / time.Second),
		FromRecord: m.FromRecord, RecordDosage: m.RecordDosage,
		StockKept: m.StockKept, Stock: int64(m.Stock), RefillDays: int64(m.RefillDays),
		RepeatEverySec: int64(m.RepeatEvery / time.Second), RepeatTimes: int64(m.RepeatTimes),
		HeadsUpSec: int64(m.HeadsUp / time.Second),
	}
	if !m.ScheduleFrom.IsZero() {
		rec.ScheduleFrom = toMillis(m.ScheduleFrom)
	}
	if m.Archived && !m.ArchivedAt.IsZero() {
		rec.ArchivedAt = toMillis(m.ArchivedAt)
	}
	return rec
}

type stepRecord struct {
	Times     []int  `json:"times,omitempty"`
	EveryDays int    `json:"every_days,omitempty"`
	Weekdays  []int  `json:"weekdays,omitempty"`
	Start     string `json:"start,omitempty"`
	End       string `json:"end,omitempty"`
	Dose      string `json:"dose,omitempty"`
	Cron      string `json:"cron,omitempty"`
}

func (r *medRecord) encode(w *recWriter) {
	w.str(1, r.Name)
	w.str(2, r.Strength)
	w.str(3, r.Form)
	w.str(4, r.Dose)
	w.str(5, r.Instructions)
	w.flag(6, r.AsNeeded)
	w.int(7, r.DoseWindowSec)
	w.int(8, r.ScheduleFrom)
	w.int(9, r.ArchivedAt)
	w.str(10, r.FromRecord)
	w.str(11, r.RecordDosage)
	w.flag(12, r.StockKept)
	w.int(13, r.Stock)
	w.int(14, r.RefillDays)
	w.int(20, r.RepeatEverySec)
	w.int(21, r.RepeatTimes)
	w.int(22, r.HeadsUpSec)
}

func (r *medRecord) decode(rd *recReader) {
	for rd.next() {
		switch rd.tag {
		case 1:
			r.Name = rd.str()
		case 2:
			r.Strength = rd.str()
		case 3:
			r.Form = rd.str()
		case 4:
			r.Dose = rd.str()
		case 5:
			r.Instructions = rd.str()
		case 6:
			r.AsNeeded = true
		case 7:
			r.DoseWindowSec = rd.int()
		case 8:
			r.ScheduleFrom = rd.int()
		case 9:
			r.ArchivedAt = rd.int()
		case 10:
			r.FromRecord = rd.str()
		case 11:
			r.RecordDosage = rd.str()
		case 12:
			r.StockKept = true
		case 13:
			r.Stock = rd.int()
		case 14:
			r.RefillDays = rd.int()
		case 20:
			r.RepeatEverySec = rd.int()
		case 21:
			r.RepeatTimes = rd.int()
		case 22:
			r.HeadsUpSec = rd.int()
		default:
			rd.unknown()
		}
	}
}

func (r *stepRecord) encode(w *recWriter) {
	w.ints(1, r.Times)
	w.int(2, int64(r.EveryDays))
	w.ints(3, r.Weekdays)
	w.str(4, r.Start)
	w.str(5, r.End)
	w.str(6, r.Dose)
	w.str(7, r.Cron)
}

func (r *stepRecord) decode(rd *recReader) {
	for rd.next() {
		switch rd.tag {
		case 1:
			r.Times = rd.ints()
		case 2:
			r.EveryDays = rd.small()
		case 3:
			r.Weekdays = rd.ints()
		case 4:
			r.Start = rd.str()
		case 5:
			r.End = rd.str()
		case 6:
			r.Dose = rd.str()
		case 7:
			r.Cron = rd.str()
		default:
			rd.unknown()
		}
	}
}

// medRow is a medications row as stored.
type medRow struct {
	id                string
	created, updated  int64
	archived, deleted int64
	format            int
	blob              []byte
}

const medColumns = `id, created_at, updated_at, archived, deleted, fmt, sealed`

func (r *medRow) scan(sc interface{ Scan(...any) error }) error {
	return sc.Scan(&r.id, &r.created, &r.updated, &r.archived, &r.deleted, &r.format, &r.blob)
}

func (r *medRow) sealed() (string, int, []byte, bool) { return r.id, r.format, r.blob, true }

func (r *medRow) bound() cols {
	return cols{ival(r.created), ival(r.updated), ival(r.archived), ival(r.deleted)}
}

// medRowOf is the row that stores m.
func medRowOf(m Medication, deleted bool) medRow {
	r := medRow{id: m.ID, created: toMillis(m.CreatedAt), updated: toMillis(m.UpdatedAt)}
	if m.Archived {
		r.archived = 1
	}
	if deleted {
		r.deleted = 1
	}
	return r
}

// writeMed seals m into its row and stores it, a new row or over the old one.
func (s *Store) writeMed(ctx context.Context, tx execer, m Medication, deleted bool) error {
	row := medRowOf(m, deleted)
	rec := medRecordOf(m)
	blob, err := s.seal("medications", row.id, row.bound(), &rec)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO medications (`+medColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, updated_at = excluded.updated_at,
			archived = excluded.archived, deleted = excluded.deleted, fmt = excluded.fmt, sealed = excluded.sealed`,
		row.id, row.created, row.updated, row.archived, row.deleted, recordFormat, blob)
	return err
}

// stepRow is a schedule_steps row as stored.
type stepRow struct {
	id, medID string
	seq       int64
	format    int
	blob      []byte
}

const stepColumns = `id, medication_id, seq, fmt, sealed`

func (r *stepRow) scan(sc interface{ Scan(...any) error }) error {
	return sc.Scan(&r.id, &r.medID, &r.seq, &r.format, &r.blob)
}

func (r *stepRow) sealed() (string, int, []byte, bool) { return r.id, r.format, r.blob, true }

func (r *stepRow) bound() cols { return cols{sval(r.medID), ival(r.seq)} }

// ValidateMedication checks a medication as typed and returns it cleaned.
func ValidateMedication(m Medication) (Medication, error) {
	for _, f := range []*string{&m.Name, &m.Strength, &m.Form, &m.Dose, &m.Instructions} {
		*f = strings.TrimSpace(*f)
		if !utf8.ValidString(*f) {
			return m, errNotText("a medication field")
		}
		if utf8.RuneCountInString(*f) > maxNameLen*5 {
			return m, invalid("input.med_field_long", kv{"Max": maxNameLen * 5}, "a medication field is longer than %d characters", maxNameLen*5)
		}
	}
	if m.Name == "" {
		return m, invalidField(FieldName, "input.med_name_empty", nil, "the medication name is empty")
	}
	if m.DoseWindow < 0 {
		return m, invalidField(FieldDoseWindow, "input.dose_window_negative", nil, "the dose window cannot be negative")
	}
	if m.DoseWindow == 0 {
		m.DoseWindow = DefaultDoseWindow
	}
	if err := validateStock(m); err != nil {
		return m, err
	}
	if !m.StockKept {
		m.Stock = 0
	}
	if m.RepeatEvery < 0 || m.RepeatEvery > 0 && m.RepeatEvery < time.Minute || m.RepeatEvery > 4*time.Hour {
		return m, invalidField(FieldRepeat, "input.repeat_every", nil, "repeat reminders every 1 to 240 minutes")
	}
	if m.RepeatTimes < NoRepeat || m.RepeatTimes > MaxRepeatTimes {
		return m, invalidField(FieldRepeat, "input.repeat_times", kv{"Max": MaxRepeatTimes}, "repeat a reminder at most %d times", MaxRepeatTimes)
	}
	if m.HeadsUp < 0 || m.HeadsUp > MaxHeadsUp {
		return m, invalidField(FieldHeadsUp, "input.heads_up", nil, "a heads-up comes 0 to 720 minutes before the dose")
	}
	if m.AsNeeded {
		if len(m.Steps) > 0 {
			return m, invalid("input.as_needed_no_times", nil, "an as-needed medication has no schedule: leave out the times")
		}
		return m, nil
	}
	if len(m.Steps) == 0 {
		return m, invalidField(FieldTimes, "input.times_needed", nil, "give the times to take it (like --times 08:00,20:00), or mark it as needed")
	}
	for i := range m.Steps {
		st, err := ValidateStep(m.Steps[i])
		if err != nil {
			return m, err
		}
		m.Steps[i] = st
	}
	return m, nil
}

// ValidateStep checks one schedule step.
func ValidateStep(st Step) (Step, error) {
	if st.Cron == "" && len(st.Times) == 0 {
		return st, invalidField(FieldTimes, "input.schedule_no_time", nil, "a schedule needs at least one time of day")
	}
	seen := map[TimeOfDay]bool{}
	for _, t := range st.Times {
		if t < 0 || t >= 24*60 {
			return st, invalidField(FieldTimes, "input.time_out_of_range", kv{"Minutes": int(t)}, "%d is not a time of day", int(t))
		}
		if seen[t] {
			return st, invalidField(FieldTimes, "input.time_twice", kv{"Time": t}, "the time %s is given twice", t)
		}
		seen[t] = true
	}
	sort.Slice(st.Times, func(i, j int) bool { return st.Times[i] < st.Times[j] })
	if st.EveryDays < 0 {
		return st, invalidField(FieldEveryDays, "input.every_days", kv{"Days": st.EveryDays}, "every %d days is not possible: give a number of days of 1 or more", st.EveryDays)
	}
	if !st.End.IsZero() && !st.Start.IsZero() && st.End.Before(st.Start) {
		return st, invalidField(FieldEnd, "input.end_before_start", kv{"End": st.End, "Start": st.Start}, "the end date %s is before the start date %s", st.End, st.Start)
	}
	st.Dose = strings.TrimSpace(st.Dose)
	if !utf8.ValidString(st.Dose) || !utf8.ValidString(st.Cron) {
		return st, errNotText("the dose or cron expression")
	}
	return st, nil
}

// errNotText refuses bytes that are not UTF-8 text (a terminal in another encoding, a
// caller other than the command line, which refuses them itself): a sealed record reads its
// text back only as UTF-8, so such a step was saved and then read as damaged.
func errNotText(what string) error {
	return invalid("input.not_text", nil, "%s is not valid text (UTF-8): check the terminal's encoding", what)
}

// AddMedication stores a new medication with its schedule steps.
func (s *Store) AddMedication(ctx context.Context, m Medication) (Medication, error) {
	m, err := ValidateMedication(m)
	if err != nil {
		return Medication{}, err
	}
	now := s.now().In(s.loc)
	m.ID, m.CreatedAt, m.UpdatedAt, m.ScheduleFrom = newID(), now, now, now
	for i := range m.Steps {
		m.Steps[i].ID = newID()
		if m.Steps[i].Start.IsZero() {
			m.Steps[i].Start = DateOf(now)
		}
	}
	err = s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := s.writeMed(ctx, tx, m, false); err != nil {
			return err
		}
		for i, st := range m.Steps {
			if err := s.insertStep(ctx, tx, m.ID, i, st); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Medication{}, fmt.Errorf("save medication: %w", err)
	}
	return m, nil
}

func stepRecordOf(st Step) stepRecord {
	rec := stepRecord{EveryDays: st.EveryDays, Start: st.Start.String(), End: st.End.String(), Dose: st.Dose, Cron: st.Cron}
	for _, t := range st.Times {
		rec.Times = append(rec.Times, int(t))
	}
	for _, w := range st.Weekdays {
		rec.Weekdays = append(rec.Weekdays, int(w))
	}
	return rec
}

// insertStep stores a schedule step of medication medID at position seq, a new row or over
// the old one.
func (s *Store) insertStep(ctx context.Context, tx execer, medID string, seq int, st Step) error {
	row := stepRow{id: st.ID, medID: medID, seq: int64(seq)}
	rec := stepRecordOf(st)
	blob, err := s.seal("schedule_steps", row.id, row.bound(), &rec)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schedule_steps (`+stepColumns+`) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET medication_id = excluded.medication_id, seq = excluded.seq,
			fmt = excluded.fmt, sealed = excluded.sealed`,
		row.id, row.medID, row.seq, recordFormat, blob)
	return err
}

// ListMedications returns every medication that was not removed, by name. Damaged records are
// reported in a *TamperedError alongside the others. Removed ones are read too, so that a
// medicine marked removed behind the app's back (its reminders would stop) is reported.
func (s *Store) ListMedications(ctx context.Context) ([]Medication, error) {
	var bad TamperedError
	steps, err := s.loadSteps(ctx, &bad)
	if err != nil {
		return nil, err
	}
	rows, err := s.queryRows(ctx, `SELECT `+medColumns+` FROM medications`)
	if err != nil {
		return nil, fmt.Errorf("list medications: %w", err)
	}
	defer rows.Close()
	out := []Medication{}
	for rows.Next() {
		var row medRow
		if err := row.scan(rows); err != nil {
			return nil, fmt.Errorf("list medications: %w", err)
		}
		var rec medRecord
		if err := s.unseal("medications", row.id, row.format, row.bound(), row.blob, &rec); err != nil {
			if err == errTampered {
				bad.add("medications", row.id)
				continue
			}
			return nil, err
		}
		if row.deleted != 0 {
			continue
		}
		m := s.medFrom(&row, &rec)
		m.Steps = steps[m.ID]
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list medications: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out, bad.OrNil()
}

// medFrom is the Medication an authenticated row and its record describe (without steps).
func (s *Store) medFrom(row *medRow, rec *medRecord) Medication {
	m := Medication{ID: row.id, Archived: row.archived != 0}
	m.Name, m.Strength, m.Form, m.Dose, m.Instructions = rec.Name, rec.Strength, rec.Form, rec.Dose, rec.Instructions
	m.AsNeeded, m.DoseWindow = rec.AsNeeded, time.Duration(rec.DoseWindowSec)*time.Second
	m.FromRecord, m.RecordDosage = rec.FromRecord, rec.RecordDosage
	m.StockKept, m.Stock, m.RefillDays = rec.StockKept, Units(rec.Stock), int(rec.RefillDays)
	m.RepeatEvery, m.RepeatTimes = time.Duration(rec.RepeatEverySec)*time.Second, int(rec.RepeatTimes)
	m.HeadsUp = time.Duration(rec.HeadsUpSec) * time.Second
	m.CreatedAt, m.UpdatedAt = s.fromMillis(row.created), s.fromMillis(row.updated)
	m.ScheduleFrom = m.CreatedAt
	if rec.ScheduleFrom != 0 {
		m.ScheduleFrom = s.fromMillis(rec.ScheduleFrom)
	}
	if m.Archived && rec.ArchivedAt != 0 {
		m.ArchivedAt = s.fromMillis(rec.ArchivedAt)
	}
	return m
}

func (s *Store) loadSteps(ctx context.Context, bad *TamperedError) (map[string][]Step, error) {
	rows, err := s.queryRows(ctx, `SELECT `+stepColumns+` FROM schedule_steps ORDER BY medication_id, seq`)
	if err != nil {
		return nil, fmt.Errorf("read schedules: %w", err)
	}
	defer rows.Close()
	out := map[string][]Step{}
	for rows.Next() {
		var row stepRow
		if err := row.scan(rows); err != nil {
			return nil, fmt.Errorf("read schedules: %w", err)
		}
		var rec stepRecord
		if err := s.unseal("schedule_steps", row.id, row.format, row.bound(), row.blob, &rec); err != nil {
			if err == errTampered {
				bad.add("schedule_steps", row.id)
				continue
			}
			return nil, err
		}
		out[row.medID] = append(out[row.medID], stepFrom(row.id, &rec))
	}
	return out, rows.Err()
}

// stepFrom is the Step an authenticated step record describes.
func stepFrom(id string, rec *stepRecord) Step {
	st := Step{ID: id}
	for _, t := range rec.Times {
		st.Times = append(st.Times, TimeOfDay(t))
	}
	for _, w := range rec.Weekdays {
		st.Weekdays = append(st.Weekdays, time.Weekday(w))
	}
	st.EveryDays, st.Dose, st.Cron = rec.EveryDays, rec.Dose, rec.Cron
	st.Start, _ = ParseDate(rec.Start)
	if rec.End != "" {
		st.End, _ = ParseDate(rec.End)
	}
	return st
}

// ScheduleText describes a medication's schedule in plain words, e.g.
// "08:00, 20:00 every day from 2026-11-25".
func (m Medication) ScheduleText() string {
	if m.AsNeeded {
		return "as needed"
	}
	parts := make([]string, 0, len(m.Steps))
	for _, st := range m.Steps {
		parts = append(parts, st.Text())
	}
	return strings.Join(parts, "; then ")
}

// Text describes one step.
func (st Step) Text() string {
	var b strings.Builder
	if st.Cron != "" {
		b.WriteString("cron \"" + st.Cron + "\"")
	} else {
		ts := make([]string, len(st.Times))
		for i, t := range st.Times {
			ts[i] = t.String()
		}
		b.WriteString(strings.Join(ts, ", "))
		switch {
		case len(st.Weekdays) > 0:
			ws := make([]string, len(st.Weekdays))
			for i, w := range st.Weekdays {
				ws[i] = w.String()[:3]
			}
			b.WriteString(" on " + strings.Join(ws, ", "))
		case st.EveryDays > 1:
			fmt.Fprintf(&b, " every %d days", st.EveryDays)
		default:
			b.WriteString(" every day")
		}
	}
	if !st.Start.IsZero() {
		b.WriteString(" from " + st.Start.String())
	}
	if !st.End.IsZero() {
		b.WriteString(" to " + st.End.String())
	}
	if st.Dose != "" {
		b.WriteString(" (" + st.Dose + ")")
	}
	return b.String()
}

// Medication returns one medication (removed ones are not found). A unique id prefix of at
// least 4 characters also finds it, so people can type short ids. A medication whose record
// is damaged is reported as damaged, not as missing.
func (s *Store) Medication(ctx context.Context, id string) (Medication, error) {
	all, err := s.ListMedications(ctx)
	var te *TamperedError
	if err != nil && !errors.As(err, &te) {
		return Medication{}, err
	}
	var found []Medication
	for _, m := range all {
		if m.ID == id {
			return m, nil
		}
		if len(id) >= 4 && strings.HasPrefix(m.ID, id) {
			found = append(found, m)
		}
	}
	if len(found) == 0 && te != nil {
		for _, r := range te.Records {
			if r.Table == "medications" && (r.ID == id || len(id) >= 4 && strings.HasPrefix(r.ID, id)) {
				return Medication{}, &TamperedError{Records: []RecordRef{r}}
			}
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return Medication{}, fmt.Errorf("medication %s: %w", id, ErrNotFound)
	}
	return Medication{}, invalid("input.med_id_ambiguous", kv{"ID": id, "Count": len(found)}, "%q matches %d medications: give more of the id", id, len(found))
}

// medTx reads medication id (exactly) inside tx, authenticated, with its steps and their
// positions: every change to a medication starts from what is really stored, so that a
// re-seal never launders a column edited behind the app's back. Removed (or damaged)
// medications are not found.
func (s *Store) medTx(ctx context.Context, tx *sql.Tx, id string) (Medication, []int64, error) {
	var row medRow
	err := row.scan(tx.QueryRowContext(ctx, `SELECT `+medColumns+` FROM medications WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Medication{}, nil, fmt.Errorf("medication %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Medication{}, nil, err
	}
	var rec medRecord
	if err := s.unseal("medications", row.id, row.format, row.bound(), row.blob, &rec); err != nil {
		if err == errTampered {
			return Medication{}, nil, &TamperedError{Records: []RecordRef{{"medications", id}}}
		}
		return Medication{}, nil, err
	}
	if row.deleted != 0 {
		return Medication{}, nil, fmt.Errorf("medication %s: %w", id, ErrNotFound)
	}
	m := s.medFrom(&row, &rec)
	rows, err := tx.QueryContext(ctx, `SELECT `+stepColumns+` FROM schedule_steps WHERE medication_id = ? ORDER BY seq`, id)
	if err != nil {
		return Medication{}, nil, err
	}
	var seqs []int64
	var bad TamperedError
	for rows.Next() {
		var st stepRow
		if err := st.scan(rows); err != nil {
			rows.Close()
			return Medication{}, nil, err
		}
		var rec stepRecord
		if err := s.unseal("schedule_steps", st.id, st.format, st.bound(), st.blob, &rec); err != nil {
			if err != errTampered {
				rows.Close()
				return Medication{}, nil, err
			}
			bad.add("schedule_steps", st.id)
			continue
		}
		m.Steps = append(m.Steps, stepFrom(st.id, &rec))
		seqs = append(seqs, st.seq)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Medication{}, nil, err
	}
	return m, seqs, bad.OrNil()
}

// AddStep appends a schedule step (the next step of a taper) to a medication.
func (s *Store) AddStep(ctx context.Context, medicationID string, st Step) (Medication, error) {
	found, err := s.Medication(ctx, medicationID)
	if err != nil {
		return Medication{}, err
	}
	if found.AsNeeded {
		return Medication{}, invalid("input.as_needed_no_schedule", kv{"Name": found.Name}, "%s is taken as needed and has no schedule", found.Name)
	}
	if st.Start.IsZero() {
		st.Start = DateOf(s.now().In(s.loc))
	}
	if st, err = ValidateStep(st); err != nil {
		return Medication{}, err
	}
	st.ID = newID()
	var m Medication
	err = s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var seqs []int64
		var err error
		if m, seqs, err = s.medTx(ctx, tx, found.ID); err != nil {
			return err
		}
		if m.AsNeeded {
			return invalid("input.as_needed_no_schedule", kv{"Name": m.Name}, "%s is taken as needed and has no schedule", m.Name)
		}
		// A further step continues a taper: the step before it ends the day before it starts.
		seq := int64(0)
		if n := len(m.Steps); n > 0 {
			prev := &m.Steps[n-1]
			seq = seqs[n-1] + 1
			if !prev.Start.Before(st.Start) {
				return invalidField(FieldStart, "input.step_start", kv{"Start": prev.Start}, "the new step must start after the current one, which starts %s", prev.Start)
			}
			if prev.End.IsZero() || !prev.End.Before(st.Start) {
				prev.End = DateOf(time.Date(st.Start.Year, st.Start.Month, st.Start.Day-1, 12, 0, 0, 0, time.UTC))
				if err := s.insertStep(ctx, tx, m.ID, int(seqs[n-1]), *prev); err != nil {
					return err
				}
			}
		}
		if err := s.insertStep(ctx, tx, m.ID, int(seq), st); err != nil {
			return err
		}
		m.UpdatedAt = s.now().In(s.loc)
		m.Steps = append(m.Steps, st)
		return s.writeMed(ctx, tx, m, false)
	})
	if err != nil {
		return Medication{}, fmt.Errorf("save schedule step: %w", err)
	}
	return m, nil
}

// RemoveMedication takes a medication off the list and out of the reminders. Its dose
// history stays in the journal.
func (s *Store) RemoveMedication(ctx context.Context, id string) (Medication, error) {
	return s.changeMed(ctx, id, "remove medication", func(m *Medication) (bool, bool, error) {
		m.UpdatedAt = s.now().In(s.loc)
		return true, true, nil
	})
}

// UpdateMedication saves edited details of medication m.ID and replaces its schedule steps,
// in one transaction. The ID stays, so its dose history stays attached. Steps keep their IDs
// when they already belonged to m; new ones get fresh IDs, and a step without a start date
// starts today. An archived medication must be restored before it is edited.
func (s *Store) UpdateMedication(ctx context.Context, m Medication) (Medication, error) {
	old, err := s.Medication(ctx, m.ID)
	if err != nil {
		return Medication{}, err
	}
	if old.ID != m.ID {
		// Medication accepts id prefixes for people typing; an edit names its row exactly.
		return Medication{}, fmt.Errorf("medication %s: %w", m.ID, ErrNotFound)
	}
	m.Steps = append([]Step(nil), m.Steps...)
	if m, err = ValidateMedication(m); err != nil {
		return Medication{}, err
	}
	err = s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// Read again inside the transaction: removed, archived or changed since.
		old, _, err := s.medTx(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		if old.Archived {
			return invalid("input.med_archived", kv{"Name": old.Name}, "%s is archived: restore it before changing it", old.Name)
		}
		now := s.now().In(s.loc)
		ownSteps := map[string]bool{}
		for _, st := range old.Steps {
			ownSteps[st.ID] = true
		}
		for i := range m.Steps {
			if m.Steps[i].ID == "" || !ownSteps[m.Steps[i].ID] {
				m.Steps[i].ID = newID()
			}
			delete(ownSteps, m.Steps[i].ID) // a step listed twice gets a new ID the second time
			if m.Steps[i].Start.IsZero() {
				m.Steps[i].Start = DateOf(now)
			}
		}
		m.CreatedAt, m.UpdatedAt = old.CreatedAt, now
		m.Archived, m.ArchivedAt = false, time.Time{}
		m.ScheduleFrom = old.ScheduleFrom
		m.StockKept, m.Stock = old.StockKept, old.Stock
		if !sameSchedule(old, m) {
			m.ScheduleFrom = now
		}
		if err := s.writeMed(ctx, tx, m, false); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM schedule_steps WHERE medication_id = ?`, m.ID); err != nil {
			return err
		}
		for i, st := range m.Steps {
			if err := s.insertStep(ctx, tx, m.ID, i, st); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Medication{}, fmt.Errorf("save medication: %w", err)
	}
	return m, nil
}

// ArchiveMedication takes a medication out of the reminders and Today (archived true), or
// brings it back (false). Unlike RemoveMedication it stays listable, with its dose history.
func (s *Store) ArchiveMedication(ctx context.Context, id string, archived bool) (Medication, error) {
	return s.changeMed(ctx, id, "archive medication", func(m *Medication) (bool, bool, error) {
		if m.Archived == archived {
			return false, false, nil
		}
		now := s.now().In(s.loc)
		m.Archived, m.ArchivedAt, m.UpdatedAt = archived, time.Time{}, now
		if archived {
			m.ArchivedAt = now
		} else {
			// Back in the reminders from now: the doses of the archived stretch are history,
			// not doses to record as missed.
			m.ScheduleFrom = now
		}
		return true, false, nil
	})
}

// changeMed reads medication id (a prefix, as people type it), changes it and writes it
// back in one transaction, so a change made meanwhile is never lost. change says whether
// to write at all and whether the medication is now deleted; what names the step in errors.
func (s *Store) changeMed(ctx context.Context, id, what string, change func(m *Medication) (write, deleted bool, err error)) (Medication, error) {
	found, err := s.Medication(ctx, id)
	if err != nil {
		return Medication{}, err
	}
	var m Medication
	err = s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		if m, _, err = s.medTx(ctx, tx, found.ID); err != nil {
			return err
		}
		write, deleted, err := change(&m)
		if err != nil || !write {
			return err
		}
		return s.writeMed(ctx, tx, m, deleted)
	})
	if err != nil {
		return Medication{}, fmt.Errorf("%s: %w", what, err)
	}
	return m, nil
}

// sameSchedule reports whether b would remind exactly the doses a does (IDs aside).
func sameSchedule(a, b Medication) bool {
	if a.AsNeeded != b.AsNeeded || len(a.Steps) != len(b.Steps) {
		return false
	}
	for i := range a.Steps {
		x, y := a.Steps[i], b.Steps[i]
		x.ID, y.ID = "", ""
		if !reflect.DeepEqual(normStep(x), normStep(y)) {
			return false
		}
	}
	return true
}

// normStep makes equal schedules compare equal: nil and empty lists, every 0 and 1 day.
func normStep(st Step) Step {
	if len(st.Times) == 0 {
		st.Times = nil
	}
	if len(st.Weekdays) == 0 {
		st.Weekdays = nil
	} else {
		st.Weekdays = append([]time.Weekday(nil), st.Weekdays...)
		sort.Slice(st.Weekdays, func(i, j int) bool { return st.Weekdays[i] < st.Weekdays[j] })
	}
	if st.EveryDays <= 1 {
		st.EveryDays = 0
	}
	return st
}
