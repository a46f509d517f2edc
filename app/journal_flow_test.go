package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/data"
)

// entryNames is the names of the entries the timeline holds, in order.
func entryNames(j *journalScreen) []string {
	var out []string
	for _, e := range j.entries {
		out = append(out, e.Name+e.Note)
	}
	return out
}

// itemOf is the list row of the entry named name.
func itemOf(t *testing.T, j *journalScreen, name string) widget.ListItemID {
	t.Helper()
	for k, it := range j.items {
		if it.day == "" && j.entries[it.entry].Name == name {
			return k
		}
	}
	t.Fatalf("%q is not in the timeline", name)
	return -1
}

func TestJournalSearchAsYouType(t *testing.T) {
	u, _, _ := openJournal(t,
		data.Symptom{Name: "Headache", Severity: 4, At: fixedNow.Add(-time.Hour), Note: "after the stairs"},
		data.Symptom{Name: "Cough", Severity: 2, At: fixedNow.Add(-2 * time.Hour)},
		data.Symptom{Name: "Back pain", Severity: 5, At: fixedNow.Add(-3 * time.Hour), Note: "stairs again"},
	)
	j := u.journal
	j.delay = 0 // no pause to wait for in a test: each key searches
	test.Type(j.search, "STAIRS")
	if got := entryNames(j); len(got) != 2 || got[0] != "Headacheafter the stairs" || got[1] != "Back painstairs again" {
		t.Errorf("found %q", got)
	}
	assertShows(t, j.count, "2 found")
	test.Type(j.search, " back")
	if got := entryNames(j); len(got) != 1 || !strings.HasPrefix(got[0], "Back pain") {
		t.Errorf("found %q", got)
	}
	test.Type(j.search, "zzz")
	assertShows(t, j.empty, msgNoMatches())
	if j.list.Visible() {
		t.Error("no matches: the list should give way to the message")
	}
	j.search.SetText("")
	if len(j.entries) != 3 {
		t.Errorf("clearing the search shows %d entries, want all 3", len(j.entries))
	}
	assertShows(t, j.count, "3 entries")
}

// TestJournalSearchIgnoresStaleResults: typing goes on while a search runs; the older
// search's answer must not replace the newer one's.
func TestJournalSearchIgnoresStaleResults(t *testing.T) {
	u, _, _ := openJournal(t,
		data.Symptom{Name: "Headache", Severity: 4, At: fixedNow.Add(-time.Hour)},
		data.Symptom{Name: "Cough", Severity: 2, At: fixedNow.Add(-2 * time.Hour)},
	)
	j := u.journal
	j.delay = 0
	var pending []func()
	u.opt.Go = func(f func()) { pending = append(pending, f) }
	test.Type(j.search, "h") // both match (Headache, Cough)
	test.Type(j.search, "e") // "he": Headache only
	if len(pending) != 2 {
		t.Fatalf("%d searches started, want 2", len(pending))
	}
	pending[1]()
	pending[0]() // the older answer comes last
	if got := entryNames(j); len(got) != 1 || got[0] != "Headache" {
		t.Errorf("shown %q, want the newer search's answer", got)
	}
}

// TestJournalSearchWaitsForAPause: with the real delay, typing does not search at once.
func TestJournalSearchWaitsForAPause(t *testing.T) {
	u, _, _ := openJournal(t, data.Symptom{Name: "Headache", Severity: 4, At: fixedNow.Add(-time.Hour)})
	j := u.journal
	j.delay = time.Hour
	started := 0
	u.opt.Go = func(f func()) { started++; f() }
	test.Type(j.search, "cough")
	if started != 0 || len(j.entries) != 1 {
		t.Errorf("typing started %d reads; the search should wait for a pause", started)
	}
	j.debounce.Stop()
}

func TestJournalFilterBySymptomAndDates(t *testing.T) {
	u, _, _ := openJournal(t,
		data.Symptom{Name: "Headache", Severity: 6, At: fixedNow.Add(-time.Hour)},
		data.Symptom{Name: "Cough", Severity: 2, At: fixedNow.Add(-2 * time.Hour)},
		data.Symptom{Name: "headache", Severity: 3, At: fixedNow.AddDate(0, 0, -2)},
		data.Symptom{Name: "Headache", Severity: 9, At: fixedNow.AddDate(0, 0, -40)},
	)
	j := u.journal
	j.delay = 0
	if opts := j.symptom.Options; len(opts) < 3 || opts[0] != allSymptoms() || opts[1] != "Headache" || opts[2] != "Cough" {
		t.Errorf("symptom filter offers %q, want the person's own first", opts)
	}
	j.symptom.SetSelected("Headache")
	if got := entryNames(j); len(got) != 3 {
		t.Errorf("Headache filter shows %q", got)
	}
	if !j.chartBox.Visible() || j.chart.symptom != "Headache" || len(j.chart.days) != chartDays {
		t.Fatalf("the chart should show Headache's last %d days", chartDays)
	}
	test.Type(j.from, "2025-11-20")
	if got := entryNames(j); len(got) != 2 {
		t.Errorf("from 20 Nov shows %q", got)
	}
	test.Type(j.to, "2025-11-23")
	if got := entryNames(j); len(got) != 1 || got[0] != "headache" {
		t.Errorf("20–23 Nov shows %q (the 'to' day included)", got)
	}
	j.to.SetText("23/11")
	assertShows(t, j.rangeErr, msgBadDate())
	j.to.SetText("2025-11-19")
	assertShows(t, j.rangeErr, msgDatesReversed())
	j.to.SetText("")
	j.from.SetText("")
	if j.rangeErr.Visible() {
		t.Error("the date message should go once the dates read")
	}
	j.symptom.SetSelected(allSymptoms())
	if len(j.entries) != 4 || j.chartBox.Visible() {
		t.Errorf("no filter: %d entries, chart shown %v", len(j.entries), j.chartBox.Visible())
	}
}

// TestJournalPagesInAsItScrolls: the timeline reads a page at a time, and scrolling near
// the end reads the next.
func TestJournalPagesInAsItScrolls(t *testing.T) {
	var symptoms []data.Symptom
	const n = journalPage*2 + 10
	for i := range n {
		symptoms = append(symptoms, data.Symptom{Name: fmt.Sprintf("S%03d", i), Severity: i % 11, At: fixedNow.Add(-time.Duration(i+1) * 20 * time.Minute)})
	}
	u, _, _ := openJournal(t, symptoms...)
	j := u.journal
	if len(j.entries) != journalPage || !j.more {
		t.Fatalf("opening read %d entries (more %v), want one page of %d", len(j.entries), j.more, journalPage)
	}
	assertShows(t, j.count, fmt.Sprintf("%d entries", n))
	for range 20 {
		j.list.ScrollToBottom()
		u.win.Content().Refresh()
		if !j.more {
			break
		}
	}
	if len(j.entries) != n || j.more {
		t.Fatalf("after scrolling to the end: %d entries (more %v), want %d", len(j.entries), j.more, n)
	}
	for i, e := range j.entries {
		if want := fmt.Sprintf("S%03d", i); e.Name != want {
			t.Fatalf("entry %d is %s, want %s: pages out of order", i, e.Name, want)
		}
	}
}

func TestJournalEditEntry(t *testing.T) {
	u, p, info := openJournal(t,
		data.Symptom{Name: "Headache", Severity: 6, At: fixedNow.Add(-time.Hour), Note: "dull"},
		data.Symptom{Name: "Cough", Severity: 2, At: fixedNow.Add(-2 * time.Hour)},
	)
	j := u.journal
	// A draft of a new entry, put aside by editing, comes back afterwards.
	test.Tap(j.add)
	test.Type(j.name, "Half-typed")
	test.Tap(j.back)
	if !j.timeline.Visible() {
		t.Fatal("Back should show the timeline")
	}

	j.list.Select(itemOf(t, j, "Headache"))
	if !j.actions.Visible() || j.edit.Disabled() {
		t.Fatal("selecting an entry should offer Edit and Delete")
	}
	test.Tap(j.edit)
	if !j.form.Visible() || j.formTitle.Text != "Edit this entry" || j.name.Text != "Headache" ||
		j.severity.Selected() != 6 || j.note.Text != "dull" || j.when.Text != "2025-11-25 13:30" || j.kindRow.Visible() {
		t.Fatalf("edit form: title %q name %q sev %d note %q when %q", j.formTitle.Text, j.name.Text, j.severity.Selected(), j.note.Text, j.when.Text)
	}
	j.name.SetText("Migraine")
	tapSeverity(j, 8)
	test.Tap(j.save)
	assertShows(t, j.status, "Your changes are saved.")
	if got := entryNames(j); len(got) != 2 || got[0] != "Migrainedull" {
		t.Errorf("timeline after edit: %q", got)
	}
	if *j.entries[0].Severity != 8 || !j.entries[0].At.Equal(fixedNow.Add(-time.Hour)) {
		t.Errorf("edited entry = %+v (its time should stay)", j.entries[0])
	}
	test.Tap(j.add)
	if j.name.Text != "Half-typed" || j.formTitle.Text != "Add to your journal" {
		t.Errorf("the draft typed before editing is lost: %q", j.name.Text)
	}
	u.win.Close()
	es := storedEntries(t, p, info)
	if len(es) != 2 || es[0].Name != "Migraine" || *es[0].Severity != 8 {
		t.Errorf("stored: %+v", es)
	}
}

func TestJournalDeleteAndUndo(t *testing.T) {
	u, p, info := openJournal(t,
		data.Symptom{Name: "Headache", Severity: 6, At: fixedNow.Add(-time.Hour)},
		data.Symptom{Name: "Cough", Severity: 2, At: fixedNow.Add(-2 * time.Hour)},
	)
	j := u.journal
	j.list.Select(itemOf(t, j, "Cough"))
	test.Tap(j.del)
	if got := entryNames(j); len(got) != 1 || got[0] != "Headache" {
		t.Fatalf("after delete: %q", got)
	}
	if !j.undoBar.Visible() || !strings.HasPrefix(j.undoText.Text, "Entry deleted") {
		t.Fatal("a delete should offer Undo")
	}
	assertFocused(t, u, j.undo, "Undo")
	assertShows(t, j.count, "1 entry")
	if es := storedEntries(t, p, info); len(es) != 1 {
		t.Fatalf("stored after delete: %d", len(es))
	}
	test.Tap(j.undo)
	if got := entryNames(j); len(got) != 2 || got[1] != "Cough" {
		t.Fatalf("after undo: %q", got)
	}
	if j.undoBar.Visible() {
		t.Error("the undo bar should go once used")
	}
	assertShows(t, j.status, "The entry is back in your journal.")
	if es := storedEntries(t, p, info); len(es) != 2 {
		t.Fatalf("stored after undo: %d", len(es))
	}
}

func TestJournalMoodAndNote(t *testing.T) {
	u, p, info := openJournal(t)
	j := addEntry(t, u)
	test.Tap(j.kindMood)
	if j.sevBlock.Visible() || j.durBlock.Visible() || j.nameLabel.Text != "How is your mood?" {
		t.Error("a mood has no severity or duration")
	}
	test.Tap(j.save)
	assertShows(t, j.nameErr, msgNoMood())
	test.Type(j.name, "Cheerful")
	test.Tap(j.save)
	assertShows(t, j.status, "Saved. It is at the top of your journal.")

	test.Tap(j.add)
	test.Tap(j.kindNote)
	if j.nameBlock.Visible() {
		t.Error("a note has no name")
	}
	test.Tap(j.save)
	assertShows(t, j.noteErr, msgNoNote())
	test.Type(j.note, "Ask about the new tablets")
	j.when.SetText("2025-11-25 14:00")
	test.Tap(j.save)
	rows := rowTexts(u)
	if len(rows) != 3 || rows[1] != "14:30 | Mood: Cheerful |  | " || rows[2] != "14:00 | Note | Ask about the new tablets | " {
		t.Errorf("rows = %q", rows)
	}
	u.win.Close()
	es := storedEntries(t, p, info)
	if len(es) != 2 || es[0].Kind != data.KindMood || es[1].Kind != data.KindNote || es[1].Note != "Ask about the new tablets" {
		t.Errorf("stored = %+v", es)
	}
}

func TestJournalDosesAreNotEditable(t *testing.T) {
	u := openToday(t, &testClock{t: fixedNow}, func(ctx context.Context, st *data.Store) {
		m := addMed(t, st, "Metformin", "500 mg", hm(8, 0))
		if _, err := st.RecordDose(ctx, data.DoseEvent{MedicationID: m.ID, ScheduledAt: at(8, 0), State: data.DoseTaken, At: at(8, 5)}); err != nil {
			t.Fatal(err)
		}
	})
	ctrl(u, fyne.Key2)
	j := u.journal
	if len(j.entries) != 1 || j.entries[0].Kind != data.KindDose {
		t.Fatalf("entries = %+v", j.entries)
	}
	j.list.Select(1)
	if !j.edit.Disabled() || !j.del.Disabled() || j.selText.Text != msgDoseNoEdit() {
		t.Error("a dose is changed on the Medicines screen, not here")
	}
}

func TestSeverityChartDrawsTheData(t *testing.T) {
	test.NewTempApp(t)
	c := newSeverityChart()
	w := test.NewTempWindow(t, c)
	w.Resize(fyne.NewSize(700, 200))
	today := time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC)
	days := make([]data.DaySeverity, chartDays)
	for i := range days {
		days[i].Day = today.AddDate(0, 0, i-chartDays+1)
	}
	sev := func(n int) *int { return &n }
	days[0].Max, days[10].Max, days[28].Max, days[29].Max = sev(0), sev(10), sev(5), sev(7)
	c.set("Headache", days, today)
	r := test.TempWidgetRenderer(t, c).(*chartRenderer)
	if len(r.bars) != chartDays {
		t.Fatalf("%d bars, want one per day", len(r.bars))
	}
	_, _, top, base := r.plot(c.Size())
	full := base - top
	for i, d := range days {
		bar, gap := r.bars[i], r.gaps[i]
		if d.Max == nil {
			if bar.Visible() || !gap.Visible() {
				t.Errorf("day %d has no entry: it should show the open mark, not a bar", i)
			}
			continue
		}
		if !bar.Visible() || gap.Visible() {
			t.Errorf("day %d: a bar should show", i)
		}
		want := max(3, full*float32(*d.Max)/10)
		if h := bar.Size().Height; h < want-0.5 || h > want+0.5 {
			t.Errorf("day %d (severity %d): bar %.1f high, want %.1f", i, *d.Max, h, want)
		}
		if bar.Position().Y+bar.Size().Height < base-0.5 || bar.Position().Y+bar.Size().Height > base+0.5 {
			t.Errorf("day %d: the bar should stand on the base line", i)
		}
		if bar.FillColor != severityColor(*d.Max) {
			t.Errorf("day %d: colour %v, want the scale's %v", i, bar.FillColor, severityColor(*d.Max))
		}
	}
	if r.bars[10].Position().X <= r.bars[0].Position().X || r.bars[29].Position().X <= r.bars[28].Position().X {
		t.Error("days should run left to right, oldest first")
	}
	if got := []string{r.xLabels[0].Text, r.xLabels[1].Text, r.xLabels[2].Text}; got[0] != "27 Oct" || got[1] != "11 Nov" || got[2] != "Today" {
		t.Errorf("day labels = %q", got)
	}
	if got := []string{r.yLabels[0].Text, r.yLabels[1].Text, r.yLabels[2].Text}; got[0] != "10" || got[2] != "0" {
		t.Errorf("severity labels = %q", got)
	}
	if r.heading.Text != "Headache: strongest each day, last 30 days — logged on 4 days, at most 10" {
		t.Errorf("heading = %q", r.heading.Text)
	}
}

func TestSeverityScaleIsOrderedByLightness(t *testing.T) {
	// Darker means stronger, on any screen and in greyscale: the scale's lightness falls
	// steadily from 0 to 10.
	prev := 2.0
	for n := range severityCells {
		c := severityColor(n)
		l := 0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B)
		l /= 255
		if l >= prev {
			t.Errorf("severity %d is not darker than %d", n, n-1)
		}
		prev = l
	}
}

// TestJournalPagingSurvivesANewQuery: a page read still running when the person starts a
// search is dropped, and paging works again afterwards.
func TestJournalPagingSurvivesANewQuery(t *testing.T) {
	var symptoms []data.Symptom
	const n = journalPage*2 + 10
	for i := range n {
		symptoms = append(symptoms, data.Symptom{Name: fmt.Sprintf("S%03d", i), Severity: 1, At: fixedNow.Add(-time.Duration(i+1) * 20 * time.Minute)})
	}
	u, _, _ := openJournal(t, symptoms...)
	j := u.journal
	j.delay = 0
	var pending []func()
	u.opt.Go = func(f func()) { pending = append(pending, f) }
	j.list.ScrollToBottom()
	u.win.Content().Refresh()
	if len(pending) != 1 || !j.loadingMore {
		t.Fatalf("scrolling to the end should start one page read, started %d", len(pending))
	}
	j.search.SetText("S00")
	if len(pending) != 2 {
		t.Fatalf("%d reads started, want the page and the search", len(pending))
	}
	pending[1]() // the search answers first
	pending[0]() // then the page read for the old timeline, now stale
	if got := len(j.entries); got != 10 {
		t.Fatalf("search shows %d entries, want S000–S009", got)
	}
	u.opt.Go = syncGo
	j.search.SetText("")
	for range 20 {
		j.list.ScrollToBottom()
		u.win.Content().Refresh()
		if !j.more {
			break
		}
	}
	if len(j.entries) != n {
		t.Errorf("after the search, scrolling reads %d entries, want all %d", len(j.entries), n)
	}
}

func TestJournalSavedWhileFiltered(t *testing.T) {
	u, _, _ := openJournal(t, data.Symptom{Name: "Cough", Severity: 2, At: fixedNow.Add(-time.Hour)})
	j := u.journal
	j.symptom.SetSelected("Cough")
	j = addEntry(t, u)
	test.Type(j.name, "Headache")
	tapSeverity(j, 3)
	test.Tap(j.save)
	assertShows(t, j.status, "Saved. Clear the search and filters to see it in your journal.")
	if len(j.entries) != 1 {
		t.Errorf("the filter shows %d entries, want only the cough", len(j.entries))
	}
}

// TestJournalFitsTheWindow: at every text size the Journal and its form fit the window's
// 1000 × 700 without making it grow (the side bar took 200 px of it).
func TestJournalFitsTheWindow(t *testing.T) {
	u, _, _ := openJournal(t, data.Symptom{Name: "Shortness of breath", Severity: 6, At: fixedNow.Add(-time.Hour),
		Note: "A long note that must be cut short in its row rather than widen the window at all"})
	pad := 2 * u.win.Canvas().Scale() * 6 // the window's own padding around its content
	fits := func(what string, scale float32) {
		t.Helper()
		if s := u.win.Content().MinSize(); s.Width+pad > 1000 || s.Height+pad > 700 {
			t.Errorf("%s at %.0f %% text needs %.0f × %.0f", what, scale*100, s.Width+pad, s.Height+pad)
		}
	}
	for _, scale := range []float32{1, 1.5, 2} {
		u.setTextScale(scale)
		u.showJournal()
		j := u.journal
		fits("the timeline", scale)
		if scale <= largeText {
			// The chart keeps a legible height; at 200 % it makes the window taller.
			j.symptom.SetSelected("Shortness of breath")
			if !j.chartBox.Visible() {
				t.Fatal("the chart should show")
			}
			fits("the timeline with its chart", scale)
		}
		test.Tap(j.add)
		fits("the form", scale)
		test.Tap(j.kindNote)
		fits("the note form", scale)
	}
}

// TestJournalByKeyboard: Tab goes down the screen, the arrow keys and Space choose an entry
// in the list, and Tab reaches its Edit and Delete.
func TestJournalByKeyboard(t *testing.T) {
	u, _, _ := openJournal(t,
		data.Symptom{Name: "Headache", Severity: 6, At: fixedNow.Add(-time.Hour)},
		data.Symptom{Name: "Cough", Severity: 2, At: fixedNow.Add(-2 * time.Hour)},
	)
	j := u.journal
	c := u.win.Canvas()
	assertFocused(t, u, j.add, "Add to journal")
	for _, want := range []fyne.Focusable{j.search, j.symptom, j.from, j.to, j.list} {
		c.FocusNext()
		if c.Focused() != want {
			t.Fatalf("Tab reached %T, want %T", c.Focused(), want)
		}
	}
	j.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace}) // the day's header: nothing to do
	if j.actions.Visible() {
		t.Error("a day's header is not an entry")
	}
	for _, k := range []fyne.KeyName{fyne.KeyDown, fyne.KeyDown, fyne.KeySpace} {
		j.list.TypedKey(&fyne.KeyEvent{Name: k})
	}
	if e, ok := j.selectedEntry(); !ok || e.Name != "Cough" || !j.actions.Visible() {
		t.Fatalf("Down, Down, Space should choose Cough; chose %+v", e)
	}
	c.FocusNext()
	assertFocused(t, u, j.edit, "Edit")
	c.FocusNext()
	assertFocused(t, u, j.del, "Delete")
	test.Tap(j.edit)
	if !j.form.Visible() || j.name.Text != "Cough" {
		t.Error("Edit should open the form on the chosen entry")
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestJournalDraftSurvivesLeaving: a new entry half typed is still there after going to
// another screen, and after the lock screen.
func TestJournalDraftSurvivesLeaving(t *testing.T) {
	u, _, _ := openJournal(t)
	j := u.journal
	test.Tap(j.add)
	test.Type(j.name, "Dizzy")
	tapSeverity(j, 5)
	test.Type(j.note, "When standing up")
	ctrl(u, fyne.Key1)
	ctrl(u, fyne.Key2)
	j = u.journal
	if !j.form.Visible() || j.name.Text != "Dizzy" || j.note.Text != "When standing up" || j.severity.Selected() != 5 {
		t.Fatalf("after another screen: form shown %v, name %q, note %q, severity %d",
			j.form.Visible(), j.name.Text, j.note.Text, j.severity.Selected())
	}
	ctrl(u, fyne.KeyL)
	unlockWith(t, u, goodPass)
	ctrl(u, fyne.Key2)
	if j = u.journal; j.name.Text != "Dizzy" {
		t.Fatalf("after the lock screen the draft reads %q", j.name.Text)
	}
	// Saved, it is gone: the next Add starts empty.
	test.Tap(j.save)
	ctrl(u, fyne.Key1)
	ctrl(u, fyne.Key2)
	test.Tap(u.journal.add)
	if u.journal.name.Text != "" {
		t.Errorf("after saving, the next entry starts with %q", u.journal.name.Text)
	}
}

// TestJournalLargeTextAddButton: at 200 % text, Add sits beside the search and keeps its
// size when the entry count changes (it once had two parents, and the count's re-layout
// shrank it to nothing in the real window).
func TestJournalLargeTextAddButton(t *testing.T) {
	u, _, _ := openJournal(t, data.Symptom{Name: "Headache", Severity: 6, At: fixedNow.Add(-3 * time.Hour)})
	u.setTextScale(2)
	u.showJournal()
	j := u.journal
	u.win.Resize(fyne.NewSize(1000, 700))
	j.listTop.Refresh() // as a change of the count does
	if h := j.add.Size().Height; h < bigTarget {
		t.Fatalf("Add is %v high after the count changed, want at least %v", h, bigTarget)
	}
}
