package cli

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/data/datatest"
)

// The generic tamper test (issue 10): for every table and every clear column of a journal
// with something in each, change one value the way a plain SQLite editor would — swap it
// with another row's, add or take one, flip 0 and 1 — and run every list command. Each must
// either report damage (exit 5) or print exactly what it printed before. It walks the
// schema, not a list of columns, so a column added later is covered too.
//
// Only meta is left out: it is read before any key exists (the profile's name, the key
// envelopes, which are themselves authenticated), and TestProfileNameChecked in data covers
// the name.

// tamperFixture fills a profile with at least two rows in every table.
func tamperFixture(t *testing.T, h *harness) (meds []string) {
	t.Helper()
	h.ok("profile", "create", "Mum")
	h.ok("symptom", "add", "--name", "Headache", "--severity", "4", "--at", "2026-03-09T10:00:00Z", "--note", "after lunch")
	h.ok("symptom", "add", "--name", "Nausea", "--severity", "0", "--at", "2026-03-09T11:00:00Z", "--duration", "45m")
	for _, args := range [][]string{
		{"med", "add", "--name", "Metformin", "--dose", "500 mg", "--times", "08:00,20:00", "--start", "2026-03-01"},
		{"med", "add", "--name", "Ramipril", "--times", "09:00", "--weekdays", "mon,wed,fri", "--start", "2026-03-01"},
		{"med", "add", "--name", "Paracetamol", "--as-needed"},
		// A stock: a clear column edited must not change the units left or the days.
		{"med", "add", "--name", "Atorvastatin", "--dose", "1 tablet", "--times", "21:00", "--start", "2026-03-01", "--stock", "28", "--refill-days", "5"},
	} {
		meds = append(meds, strings.TrimSpace(h.ok(args...)))
	}
	h.ok("med", "step", "add", meds[0], "--times", "08:00", "--start", "2026-03-15")
	h.ok("med", "take", meds[0], "--at", "2026-03-10T08:05:00Z")
	h.ok("med", "skip", meds[1], "--at", "2026-03-09T09:00:00Z")
	h.ok("med", "take", meds[2], "--at", "2026-03-09T15:00:00Z")
	h.ok("med", "take", meds[3], "--at", "2026-03-09T21:00:00Z")
	h.ok("med", "stock", meds[3], "--add", "30")
	diabetes := strings.TrimSpace(h.ok("appointment", "add", "--at", "2026-03-12T10:30:00Z", "--title", "Diabetes review", "--location", "Room 4"))
	h.ok("appointment", "add", "--at", "2026-03-20T09:00:00Z", "--title", "Blood test", "--end", "2026-03-20T09:15:00Z")
	// Questions for the coming visit; two past visits, whose surveys are offered, one answered.
	h.ok("question", "add", "--appointment", diabetes, "Can I stop the water tablets?")
	h.ok("question", "done", strings.TrimSpace(h.ok("question", "add", "--appointment", diabetes, "Is my HbA1c better?")))
	h.ok("appointment", "add", "--at", "2026-03-02T09:00:00Z", "--title", "Flu jab")
	h.ok("appointment", "add", "--at", "2026-03-05T14:00:00Z", "--title", "Physiotherapy", "--end", "2026-03-05T14:45:00Z")
	var surveys []surveyJSON
	h.jsonOK(&surveys, "survey", "list")
	if len(surveys) != 2 {
		t.Fatalf("fixture: surveys %+v", surveys)
	}
	answers := filepath.Join(t.TempDir(), "answers.json")
	if err := os.WriteFile(answers, []byte(`{"overall": 5, "comment": "Very kind"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	h.ok("survey", "answer", surveys[0].ID, "--answers-file", answers)
	h.ok("note", "add", "Should I take it with food?")
	h.ok("note", "add", "And with milk?")
	h.ok("vital", "add", "--type", "blood-pressure", "--value", "142/91", "--at", "2026-03-10T07:30:00Z", "--share")
	h.ok("vital", "add", "--type", "weight", "--value", "72.5", "--unit", "kg", "--at", "2026-03-10T07:35:00Z")
	h.ok("settings", "set", "hide_medicine_names", "true")
	h.ok("settings", "set", "auto_lock_minutes", "7")

	// What the command line cannot write: moods and journal notes, portal appointments and
	// messages, a sent and a refused note, the portal connection, sync marks, a PIN.
	ctx := context.Background()
	p := &data.Profiles{Dir: h.dir, Keyring: h.kr, Now: func() time.Time { return h.now }, Location: h.loc}
	s := datatest.Open(t, p, "Mum", "")
	defer s.Close()
	var err error
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.AddMood(ctx, data.Mood{Word: "calm", At: h.now.Add(-5 * time.Hour)})
	must(err)
	_, err = s.AddJournalNote(ctx, data.JournalNote{Text: "walked to the shop", At: h.now.Add(-4 * time.Hour)})
	must(err)
	must(s.SetPortalConnection(ctx, data.Portal{URL: "https://portal.example.org/fhir", PatientID: "p1"}))
	for i, title := range []string{"Eye screening", "Podiatry"} {
		_, err = s.UpsertPortalAppointment(ctx, fmt.Sprintf("a%d", i), fmt.Sprint(i+1), data.Appointment{
			Title: title, Status: "booked", Start: h.now.Add(time.Duration(48+24*i) * time.Hour)})
		must(err)
	}
	for i, text := range []string{"Please bring your readings.", "See you on Thursday."} {
		_, err = s.UpsertIncomingMessage(ctx, fmt.Sprintf("c%d", i), data.Message{Text: text, Sender: "Nurse Patel", At: h.now.Add(-time.Duration(3-i) * time.Hour)})
		must(err)
	}
	items, err := s.Outbox(ctx)
	must(err)
	must(s.MessageFailed(ctx, items[1].Seq, items[1].EntityID, "412 precondition failed"))
	sent, err := s.AddNote(ctx, "Thank you")
	must(err)
	items, err = s.Outbox(ctx)
	must(err)
	must(s.MessageSent(ctx, items[len(items)-1].Seq, sent.ID, "c9"))
	must(s.SetSyncMark(ctx, "Appointment", "2026-03-10T11:00:00Z"))
	must(s.SetLastSync(ctx, h.now.Add(-time.Hour)))
	must(s.SetPIN(ctx, "4711"))
	// The clinic's health record: a problem and a result.
	_, err = s.PutClinical(ctx, []data.ClinicalResource{
		{Type: "Condition", RemoteID: "cond-1", Version: "1", Raw: []byte(`{"resourceType":"Condition","id":"cond-1",` +
			`"clinicalStatus":{"coding":[{"code":"active"}]},"code":{"text":"Type 2 diabetes"},"onsetDateTime":"2019-03-02"}`)},
		{Type: "Observation", RemoteID: "obs-1", Version: "3", Raw: []byte(`{"resourceType":"Observation","id":"obs-1","status":"final",` +
			`"code":{"text":"HbA1c"},"effectiveDateTime":"2026-03-04T08:30:00Z","valueQuantity":{"value":7.9,"unit":"%"}}`)},
	})
	must(err)
	_, err = s.RequestAppointment(ctx, data.Appointment{Reason: "Blood pressure review", With: "Dr Okafor"})
	must(err)
	// A reading and a survey the portal has (their remote ids set).
	items, err = s.Outbox(ctx)
	must(err)
	for _, it := range items {
		switch it.Entity {
		case "vital":
			must(s.VitalSent(ctx, it.Seq, it.EntityID, "obs-1"))
		case "survey":
			must(s.SurveySent(ctx, it.Seq, it.EntityID, "qr-1"))
		}
	}
	return meds
}

// listCommands is every command that lists what the journal holds.
func listCommands(meds []string) [][]string {
	cmds := [][]string{
		{"journal", "list"}, {"journal", "search", "a"}, {"med", "list"}, {"reminders", "next", "--count", "20"},
		{"appointment", "list"}, {"note", "list"}, {"question", "list"}, {"survey", "list"}, {"vital", "list"}, {"settings", "get"}, {"portal", "status"}, {"profile", "list"},
		{"record", "list"},
	}
	for _, m := range meds {
		cmds = append(cmds, []string{"med", "log", m})
	}
	return cmds
}

func TestTamperEveryClearColumn(t *testing.T) {
	h := newHarness(t)
	h.kr = &datatest.MemKeyring{} // unlocking costs nothing across hundreds of runs
	h.loc = time.UTC
	h.now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	meds := tamperFixture(t, h)
	cmds := listCommands(meds)
	before := map[string]string{}
	for _, c := range cmds {
		before[strings.Join(c, " ")] = h.ok(append(c, "--json")...)
	}
	clean := h.dir
	tried, columns := eachEdit(t, clean, func(name, dir string) {
		h.dir = dir
		for _, c := range cmds {
			key := strings.Join(c, " ")
			r := h.run(append(c, "--json")...)
			switch {
			case r.code == ExitDamaged:
			case r.code != 0:
				t.Errorf("%s: %s: exit %d (%s), want 0 or 5", name, key, r.code, strings.TrimSpace(r.stderr))
			case r.stdout != before[key]:
				t.Errorf("%s: %s printed something else without reporting damage:\n%s", name, key, diffLines(before[key], r.stdout))
			}
		}
	})
	h.dir = clean
	t.Logf("%d edits on %d columns, %d commands each", tried, columns, len(cmds))
}

// eachEdit makes each edit mutations() can make to each column of the journal in the data
// folder clean, one at a time on a copy of the folder, and calls check with the edit's name
// and the copy. A column no edit could change fails the test (the fixture is too thin). It
// returns how many edits were made, and on how many columns.
func eachEdit(t *testing.T, clean string, check func(name, dir string)) (edits, columns int) {
	t.Helper()
	cols := schemaColumns(t, datatest.OnlyJournal(t, clean))
	for _, tc := range cols {
		edited := 0
		for _, m := range mutations() {
			name := tc.table + "." + tc.column + ": " + m.name
			dir := datatest.CopyDir(t, clean)
			j := datatest.OpenJournal(t, datatest.OnlyJournal(t, dir))
			applied, err := m.apply(j.DB, tc)
			j.Close()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !applied {
				continue
			}
			edited++
			check(name, dir)
		}
		if edited == 0 {
			t.Errorf("%s.%s: no edit could be made: the fixture is too thin", tc.table, tc.column)
		}
		edits += edited
	}
	return edits, len(cols)
}

type tableColumn struct {
	table, column string
	pk            bool
}

// schemaColumns lists every column of every table but meta and SQLite's own.
func schemaColumns(t *testing.T, path string) []tableColumn {
	t.Helper()
	j := datatest.OpenJournal(t, path)
	defer j.Close()
	db := j.DB
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'meta' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var out []tableColumn
	for _, tb := range tables {
		cols, err := db.Query(`SELECT name, pk FROM pragma_table_info(?)`, tb)
		if err != nil {
			t.Fatal(err)
		}
		for cols.Next() {
			var c tableColumn
			c.table = tb
			cols.Scan(&c.column, &c.pk)
			out = append(out, c)
		}
		cols.Close()
		var n int
		db.QueryRow(`SELECT count(*) FROM ` + tb).Scan(&n)
		if n < 2 {
			t.Fatalf("table %s has %d rows: the fixture must fill every table with two or more", tb, n)
		}
	}
	return out
}

type mutation struct {
	name  string
	apply func(db *sql.DB, c tableColumn) (bool, error)
}

func mutations() []mutation {
	return []mutation{
		{"swapped with another row's", swapValues},
		{"plus one", func(db *sql.DB, c tableColumn) (bool, error) { return addToInt(db, c, 1) }},
		{"minus one", func(db *sql.DB, c tableColumn) (bool, error) { return addToInt(db, c, -1) }},
		{"0 and 1 flipped", flipBit},
		{"text changed", changeText},
	}
}

// rowKeys are the keys of a table's rows: rowid, or the primary key of a WITHOUT ROWID table.
func rowKey(db *sql.DB, table string) string {
	var wr int
	db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = ? AND sql LIKE '%WITHOUT ROWID%'`, table).Scan(&wr)
	if wr > 0 {
		return "key"
	}
	return "rowid"
}

func swapValues(db *sql.DB, c tableColumn) (bool, error) {
	k := rowKey(db, c.table)
	var ka, kb any
	var va, vb any
	err := db.QueryRow(fmt.Sprintf(`SELECT a.%[1]s, b.%[1]s, a.%[2]s, b.%[2]s FROM %[3]s a, %[3]s b
		WHERE a.%[2]s IS NOT b.%[2]s ORDER BY a.%[1]s, b.%[1]s LIMIT 1`, k, c.column, c.table)).Scan(&ka, &kb, &va, &vb)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	// Through a placeholder, for unique columns; a constraint that refuses the edit refuses
	// it to an attacker too.
	tx, err := db.Begin()
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	up := fmt.Sprintf(`UPDATE %s SET %s = ? WHERE %s = ?`, c.table, c.column, k)
	if c.column == k {
		// Swapping the keys themselves.
		if _, err := tx.Exec(up, "zz-placeholder", ka); err != nil {
			return false, nil
		}
		if _, err := tx.Exec(up, va, kb); err != nil {
			return false, nil
		}
		if _, err := tx.Exec(up, vb, "zz-placeholder"); err != nil {
			return false, nil
		}
	} else if _, err := tx.Exec(up, vb, ka); err == nil {
		// Directly, where the column is not unique (a CHECK refuses a placeholder).
		if _, err := tx.Exec(up, va, kb); err != nil {
			return false, nil
		}
	} else {
		for _, step := range [][2]any{{placeholder(va), ka}, {va, kb}, {vb, ka}} {
			if _, err := tx.Exec(up, step[0], step[1]); err != nil {
				return false, nil
			}
		}
	}
	return true, tx.Commit()
}

// changeText appends a letter to a text value (a column whose rows all agree, like the
// outbox's operation, has nothing to swap with).
func changeText(db *sql.DB, c tableColumn) (bool, error) {
	k := rowKey(db, c.table)
	var key any
	err := db.QueryRow(fmt.Sprintf(`SELECT %s FROM %s WHERE typeof(%s) = 'text' ORDER BY %s LIMIT 1`, k, c.table, c.column, k)).Scan(&key)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := db.Exec(fmt.Sprintf(`UPDATE %s SET %s = %s || 'x' WHERE %s = ?`, c.table, c.column, c.column, k), key); err != nil {
		return false, nil
	}
	return true, nil
}

func placeholder(v any) any {
	switch v.(type) {
	case int64:
		return int64(-987654321)
	case []byte:
		return []byte("zz-placeholder")
	}
	return "zz-placeholder"
}

func addToInt(db *sql.DB, c tableColumn, d int) (bool, error) {
	k := rowKey(db, c.table)
	var key any
	err := db.QueryRow(fmt.Sprintf(`SELECT %s FROM %s WHERE typeof(%s) = 'integer' ORDER BY %s LIMIT 1`, k, c.table, c.column, k)).Scan(&key)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := db.Exec(fmt.Sprintf(`UPDATE %s SET %s = %s + ? WHERE %s = ?`, c.table, c.column, c.column, k), d, key); err != nil {
		return false, nil // a constraint refused it
	}
	return true, nil
}

func flipBit(db *sql.DB, c tableColumn) (bool, error) {
	k := rowKey(db, c.table)
	var n int
	db.QueryRow(fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s NOT IN (0, 1) OR typeof(%s) != 'integer'`, c.table, c.column, c.column)).Scan(&n)
	if n > 0 {
		return false, nil // not a flag
	}
	var key any
	if err := db.QueryRow(fmt.Sprintf(`SELECT %s FROM %s ORDER BY %s LIMIT 1`, k, c.table, k)).Scan(&key); err != nil {
		return false, err
	}
	if _, err := db.Exec(fmt.Sprintf(`UPDATE %s SET %s = 1 - %s WHERE %s = ?`, c.table, c.column, c.column, k), key); err != nil {
		return false, nil
	}
	return true, nil
}

// diffLines shows the first lines that differ.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d: before %q\n        now    %q", i+1, x, y)
		}
	}
	return "(same lines)"
}

// TestSettingsGetDamageOfOne: one damaged setting fails reading it (exit 5) and reading
// them all, but not reading another one, as before settings were read in one go.
func TestSettingsGetDamageOfOne(t *testing.T) {
	h := newHarness(t)
	h.env["COMPANION_PASSPHRASE"] = "a long passphrase"
	h.ok("profile", "create", "Mum", "--no-keyring")
	h.ok("settings", "set", "hide_medicine_names", "true")
	h.ok("settings", "set", "snooze_minutes", "20")
	j := datatest.OpenJournal(t, datatest.OnlyJournal(t, h.dir))
	j.Exec(`UPDATE settings SET sealed = sealed || x'00' WHERE key = 'snooze_minutes'`)
	j.Close()
	if got := strings.TrimSpace(h.ok("settings", "get", "hide_medicine_names")); got != "true" {
		t.Fatalf("hide_medicine_names = %q", got)
	}
	h.wantCode(ExitDamaged, "settings", "get", "snooze_minutes")
	h.wantCode(ExitDamaged, "settings", "get")
}
