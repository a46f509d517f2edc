package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/data"
)

// openJournal makes a passphrase profile with the given symptoms and unlocks it in the UI.
func openJournal(t *testing.T, symptoms ...data.Symptom) (*UI, *data.Profiles, data.ProfileInfo) {
	t.Helper()
	p := testProfiles(t, nil)
	st, _, err := p.Create(context.Background(), data.CreateOptions{Name: "Mum", Passphrase: []byte(goodPass), NoKeyring: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range symptoms {
		if _, err := st.AddSymptom(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	info := st.Info()
	st.Close()
	u := newTestUI(t, p)
	unlockWith(t, u, goodPass)
	if u.today == nil {
		t.Fatal("Today did not open")
	}
	test.Tap(u.today.nav.journal)
	if u.journal == nil {
		t.Fatal("the journal did not open")
	}
	return u, p, info
}

// storedEntries reopens the profile from disk, as another run of the app would.
func storedEntries(t *testing.T, p *data.Profiles, info data.ProfileInfo) []data.Entry {
	t.Helper()
	st, err := p.Open(context.Background(), info, data.Credentials{Passphrase: []byte(goodPass)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, err := st.ListEntries(context.Background(), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// addEntry presses "Add to journal": the form takes the timeline's place, ready to type.
func addEntry(t *testing.T, u *UI) *journalScreen {
	t.Helper()
	j := u.journal
	test.Tap(j.add)
	if !j.form.Visible() || j.timeline.Visible() {
		t.Fatal("Add to journal should show the form in place of the timeline")
	}
	assertFocused(t, u, j.name, "symptom name field")
	return j
}

// tapSeverity taps the middle of cell n of the severity picker.
func tapSeverity(j *journalScreen, n int) {
	test.TapAt(j.severity, j.severity.cellCenter(n))
}

// rowTexts is the text of every journal row drawn on the canvas, top to bottom: a day's
// header as "# day", an entry as "time | name | note | severity".
func rowTexts(u *UI) []string {
	var out []string
	for _, o := range test.LaidOutObjects(u.journal.list) {
		r, ok := o.(*entryRow)
		if !ok || !r.Visible() {
			continue
		}
		if r.isDay {
			out = append(out, "# "+r.day.Text)
			continue
		}
		out = append(out, r.when.Text+" | "+r.name.Text+" | "+r.note.Text+" | "+r.severity.Text)
	}
	return out
}

func TestAddSymptom(t *testing.T) {
	u, p, info := openJournal(t, data.Symptom{Name: "Cough", Severity: 2, At: fixedNow.Add(-48 * time.Hour)})
	assertFocused(t, u, u.journal.add, "Add to journal")
	j := addEntry(t, u)
	if j.when.Text != "2025-11-25 14:30" {
		t.Errorf("time field = %q, want now", j.when.Text)
	}

	test.Type(j.name, "Headache")
	tapSeverity(j, 6)
	if j.sevLabel.Text != "6 — moderate" {
		t.Errorf("severity label = %q", j.sevLabel.Text)
	}
	test.Type(j.duration, "1 hour 30 min")
	test.Type(j.note, "Worse after the stairs")
	test.Tap(j.save)

	if len(j.entries) != 2 || j.entries[0].Name != "Headache" {
		t.Fatalf("entries on screen = %+v, want Headache on top", j.entries)
	}
	if !j.timeline.Visible() || j.form.Visible() {
		t.Error("after saving, the timeline should show again")
	}
	rows := rowTexts(u)
	if len(rows) != 4 || rows[0] != "# Today" || !strings.Contains(rows[1], "Headache") || !strings.Contains(rows[1], "6 — moderate") ||
		!strings.HasPrefix(rows[1], "14:30 |") || !strings.Contains(rows[1], "Worse after the stairs") ||
		rows[2] != "# Sun 23 Nov" || !strings.Contains(rows[3], "Cough") {
		t.Errorf("rows drawn = %q", rows)
	}
	if !strings.HasPrefix(j.count.Text, "2 ") {
		t.Errorf("count = %q", j.count.Text)
	}
	assertShows(t, j.status, "Saved. It is at the top of your journal.")

	// The form is ready for the next one.
	if j.name.Text != "" || j.severity.Selected() != -1 || j.note.Text != "" || j.duration.Text != "" || j.when.Text != "2025-11-25 14:30" {
		t.Errorf("form not reset: name %q sev %d note %q dur %q when %q", j.name.Text, j.severity.Selected(), j.note.Text, j.duration.Text, j.when.Text)
	}
	if j.save.Disabled() || j.save.Text != "Save" {
		t.Error("Save should be ready again")
	}
	// The next entry is one key away; the form opens empty.
	assertFocused(t, u, j.add, "Add to journal")
	addEntry(t, u)
	if j.name.Text != "" || j.severity.Selected() != -1 {
		t.Error("the form should open empty for the next entry")
	}
	if j.suggestions[0] != "Headache" || j.suggestions[1] != "Cough" {
		t.Errorf("suggestions should start with the person's own: %q", j.suggestions[:3])
	}

	u.win.Close()
	es := storedEntries(t, p, info)
	if len(es) != 2 {
		t.Fatalf("stored %d entries, want 2", len(es))
	}
	e := es[0]
	if e.Name != "Headache" || e.Severity == nil || *e.Severity != 6 || e.Note != "Worse after the stairs" ||
		!e.At.Equal(fixedNow) || e.Duration != 90*time.Minute {
		t.Errorf("stored entry = %+v", e)
	}
}

func TestAddSymptomInThePastGoesInTimeOrder(t *testing.T) {
	u, _, _ := openJournal(t, data.Symptom{Name: "Cough", Severity: 2, At: fixedNow.Add(-time.Hour)})
	j := addEntry(t, u)
	test.Type(j.name, "Dizziness")
	tapSeverity(j, 0)
	j.when.SetText("2025-11-20 08:15")
	test.Tap(j.save)
	if len(j.entries) != 2 || j.entries[1].Name != "Dizziness" {
		t.Fatalf("entries = %+v", j.entries)
	}
	assertShows(t, j.status, "Saved in your journal, in time order.")
	if j.entries[1].Severity == nil || *j.entries[1].Severity != 0 {
		t.Error("severity 0 is a real answer")
	}
}

func TestAddSymptomChecksTheForm(t *testing.T) {
	for _, tt := range []struct {
		name     string
		severity int
		when     string
		duration string
		errLabel func(*journalScreen) *widget.Label
		want     string
	}{
		{name: "", severity: 3, errLabel: func(j *journalScreen) *widget.Label { return j.nameErr }, want: msgNoName()},
		{name: "   ", severity: 3, errLabel: func(j *journalScreen) *widget.Label { return j.nameErr }, want: msgNoName()},
		{name: "Nausea", severity: -1, errLabel: func(j *journalScreen) *widget.Label { return j.sevErr }, want: msgNoSeverity()},
		{name: "Nausea", severity: 3, when: "yesterday", errLabel: func(j *journalScreen) *widget.Label { return j.whenErr }, want: "Write the time like 2025-11-25 14:30."},
		{name: "Nausea", severity: 3, when: "2025-11-26 09:00", errLabel: func(j *journalScreen) *widget.Label { return j.whenErr }, want: "That time is in the future."},
		{name: "Nausea", severity: 3, duration: "a while", errLabel: func(j *journalScreen) *widget.Label { return j.durationErr }, want: "Write how long, like 30 minutes or 2 hours."},
		{name: strings.Repeat("x", 201), severity: 3, errLabel: func(j *journalScreen) *widget.Label { return j.status }, want: "The symptom name is longer than 200 characters."},
	} {
		t.Run(tt.want, func(t *testing.T) {
			u, p, info := openJournal(t)
			j := addEntry(t, u)
			test.Type(j.name, tt.name)
			if tt.severity >= 0 {
				tapSeverity(j, tt.severity)
			}
			if tt.when != "" {
				j.when.SetText(tt.when)
			}
			test.Type(j.duration, tt.duration)
			test.Tap(j.save)
			assertShows(t, tt.errLabel(j), tt.want)
			if len(j.entries) != 0 || j.list.Visible() || !j.form.Visible() {
				t.Error("nothing should be added, and the form should stay open")
			}
			if j.name.Text != tt.name {
				t.Error("the form should keep what was typed")
			}
			u.win.Close()
			if es := storedEntries(t, p, info); len(es) != 0 {
				t.Errorf("stored %d entries", len(es))
			}
		})
	}
}

func TestSaveFailureDoesNotShowEntryText(t *testing.T) {
	u, _, _ := openJournal(t)
	j := addEntry(t, u)
	test.Type(j.name, "Secret symptom")
	tapSeverity(j, 4)
	test.Type(j.note, "private words")
	_ = j.store.Close() // the disk goes away under the app
	test.Tap(j.save)
	assertShows(t, j.status, msgSaveFailed())
	if j.name.Text != "Secret symptom" || j.note.Text != "private words" {
		t.Error("a failed save must keep the form")
	}
	if j.save.Disabled() || !j.form.Visible() {
		t.Error("Save should be usable again to retry")
	}
}

func TestJournalShowsDamagedEntriesCalmly(t *testing.T) {
	u, p, info := openJournal(t,
		data.Symptom{Name: "Cough", Severity: 2, At: fixedNow.Add(-time.Hour)},
		data.Symptom{Name: "Fever", Severity: 5, At: fixedNow.Add(-2 * time.Hour)},
	)
	u.win.Close()
	st, err := p.Open(context.Background(), info, data.Credentials{Passphrase: []byte(goodPass)})
	if err != nil {
		t.Fatal(err)
	}
	// Flip a byte of one sealed record, as a bad disk would.
	if _, err := st.DB().Exec(`UPDATE entries SET sealed = CAST(zeroblob(length(sealed)) AS BLOB) WHERE id = (SELECT id FROM entries ORDER BY at LIMIT 1)`); err != nil {
		t.Fatal(err)
	}
	st.Close()

	u = newTestUIOn(t, test.NewTempApp(t), p)
	unlockWith(t, u, goodPass)
	test.Tap(u.today.nav.journal)
	j := u.journal
	if len(j.entries) != 1 || j.entries[0].Name != "Cough" {
		t.Fatalf("entries = %+v, want the one that reads", j.entries)
	}
	assertShows(t, j.warning, "1 entry could not be read because the file was damaged. Everything else is shown, and nothing was changed.")
}

func TestJournalMarkup(t *testing.T) {
	u, _, _ := openJournal(t,
		data.Symptom{Name: "Headache", Severity: 6, At: fixedNow.Add(-3 * time.Hour), Duration: 90 * time.Minute,
			Note: "Worse after climbing the stairs. Better after a rest and a cup of tea, then came back in the evening."},
		data.Symptom{Name: "Swollen ankles", Severity: 3, At: fixedNow.Add(-26 * time.Hour)},
		data.Symptom{Name: "Trouble sleeping", Severity: 8, At: time.Date(2024, 12, 31, 23, 5, 0, 0, time.UTC),
			Note: "Woke up at 3."},
	)
	assertMarkup(t, u, "journal.xml")
}

func TestJournalEmptyMarkup(t *testing.T) {
	u, _, _ := openJournal(t)
	assertMarkup(t, u, "journal_empty.xml")
}

// TestJournalErrorMarkup: the form after Save with nothing filled in says what is missing
// next to each field.
func TestJournalErrorMarkup(t *testing.T) {
	u, _, _ := openJournal(t, data.Symptom{Name: "Cough", Severity: 2, At: fixedNow.Add(-time.Hour)})
	j := addEntry(t, u)
	test.Type(j.note, "Kept while the rest is fixed")
	test.Tap(j.save)
	assertShows(t, j.nameErr, msgNoName())
	assertShows(t, j.sevErr, msgNoSeverity())
	assertMarkup(t, u, "journal_error.xml")
}

func TestUnlockMarkup(t *testing.T) {
	p := testProfiles(t, nil)
	passProfile(t, p, "Anne")
	passProfile(t, p, "Bob")
	u := newTestUI(t, p)
	unlockWith(t, u, "wrong passphrase")
	assertMarkup(t, u, "unlock.xml")
}

func TestUntouchedTimeMeansNow(t *testing.T) {
	u, _, _ := openJournal(t)
	clock := fixedNow
	u.opt.Clock = clockOf(func() time.Time { return clock })
	j := addEntry(t, u)
	clock = fixedNow.Add(2 * time.Hour) // the form sat open over lunch
	test.Type(j.name, "Tiredness")
	tapSeverity(j, 3)
	test.Tap(j.save)
	if len(j.entries) != 1 || !j.entries[0].At.Equal(clock) {
		t.Fatalf("entries = %+v, want one at %v", j.entries, clock)
	}
	if j.when.Text != "2025-11-25 16:30" {
		t.Errorf("time field = %q, want the new now", j.when.Text)
	}
}

func TestSeverityPickerKeyboard(t *testing.T) {
	u, _, _ := openJournal(t)
	p := addEntry(t, u).severity
	u.win.Canvas().Focus(p)
	if u.win.Canvas().Focused() != p {
		t.Fatal("the picker should take the keyboard focus")
	}
	steps := []struct {
		key  fyne.KeyName
		r    rune
		want int
	}{
		{key: fyne.KeyRight, want: 0},
		{r: '7', want: 7},
		{key: fyne.KeyUp, want: 8},
		{key: fyne.KeyEnd, want: 10},
		{key: fyne.KeyRight, want: 10},
		{key: fyne.KeyDown, want: 9},
		{key: fyne.KeyHome, want: 0},
		{key: fyne.KeyLeft, want: 0},
		{r: 'x', want: 0},
	}
	for i, s := range steps {
		if s.r != 0 {
			p.TypedRune(s.r)
		} else {
			p.TypedKey(&fyne.KeyEvent{Name: s.key})
		}
		if p.Selected() != s.want {
			t.Fatalf("step %d: selected %d, want %d", i, p.Selected(), s.want)
		}
	}
	if u.journal.sevLabel.Text != "0 — none" {
		t.Errorf("label = %q", u.journal.sevLabel.Text)
	}
	p.Disable()
	p.TypedRune('5')
	test.TapAt(p, p.cellCenter(9))
	if p.Selected() != 0 {
		t.Error("a disabled picker must not change")
	}
}

func TestKeyboardReachesSave(t *testing.T) {
	u, _, _ := openJournal(t)
	j := addEntry(t, u)
	if j.note.AcceptsTab() {
		t.Error("Tab must leave the note, or Save cannot be reached from the keyboard")
	}
	// Tabbing into the time field selects it, so typing replaces the time filled in.
	u.win.Canvas().Focus(j.when)
	test.Type(j.when, "09:10")
	if j.when.Text != "09:10" {
		t.Errorf("time field = %q, want the typed time only", j.when.Text)
	}
}
