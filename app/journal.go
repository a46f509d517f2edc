package app

// The Journal screen: a timeline of everything logged, grouped by day, newest first, with
// search as you type and filters by symptom and dates. Adding or editing an entry opens the
// entry form (journal_form.go) in place of the timeline, so both get the window's full width.
//
// The timeline reads the journal a page at a time (data.ListEntriesPage) as the person
// scrolls, so a 100,000-entry journal opens as fast as an empty one.

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/app/words"
	"github.com/patient-companion/companion/data"
)

// The Journal's messages, in the running language.
func msgEmptyJournal() string      { return tr.T("journal.empty") }
func msgNoMatches() string         { return tr.T("journal.no_matches") }
func msgLoading() string           { return tr.T("journal.loading") }
func msgLoadFailed() string        { return tr.T("journal.load_failed") }
func msgSaveFailed() string        { return tr.T("journal.save_failed") }
func msgNoSeverity() string        { return tr.T("journal.no_severity") }
func msgNoName() string            { return tr.T("journal.no_name") }
func msgNoMood() string            { return tr.T("journal.no_mood") }
func msgNoNote() string            { return tr.T("journal.no_note") }
func msgBadDate() string           { return tr.T("journal.bad_date") }
func msgDatesReversed() string     { return tr.T("journal.dates_reversed") }
func msgEntryDeleteFailed() string { return tr.T("journal.delete_failed") }
func msgUndoFailed() string        { return tr.T("journal.undo_failed") }
func msgDoseNoEdit() string        { return tr.T("journal.dose_no_edit") }

// allSymptoms is the symptom filter's "no filter" choice.
func allSymptoms() string { return tr.T("journal.all_symptoms") }

const (
	// suggestedOwn is how many of the person's own recent symptom names lead the suggestions.
	suggestedOwn = 8
	// journalPage is how many entries one read brings: a few screens' worth, so scrolling
	// rarely waits, and small enough that the first screen shows at once.
	journalPage = 100
	// pageAhead is how close to the end of what is loaded a row may be drawn before the next
	// page is read.
	pageAhead = 30
	// searchDelay is how long typing must pause before a search or a date filter runs: one
	// search per pause, not one per key.
	searchDelay = 250 * time.Millisecond
	// largeText is the text size above which the Journal stacks what sits side by side at
	// smaller sizes, so that it still fits a 1000-pixel window.
	largeText = 1.5
	// undoFor is how long "Entry deleted — Undo" stays.
	undoFor = 10 * time.Second
	// purgeAfter is how long a deleted entry is kept (sealed, hidden) before the Journal
	// erases it for good: well past its Undo.
	purgeAfter = time.Hour
)

type journalScreen struct {
	screenBase

	// What the timeline shows. gen counts the queries: results of an older one are ignored.
	entries     []data.Entry // newest first
	items       []timelineItem
	next        data.Cursor
	more        bool // more pages after next
	loaded      bool
	loadingMore bool
	gen         int
	total       int
	query       string
	filter      data.EntryFilter
	selected    string // id of the selected entry, "" for none
	delay       time.Duration
	debounce    *time.Timer

	timeline *fyne.Container // the timeline view
	form     fyne.CanvasObject

	// The timeline's controls.
	add      *widget.Button
	count    *widget.Label
	listTop  *fyne.Container // holds count: re-laid out when it changes
	search   *navEntry
	symptom  *widget.Select
	from, to *navEntry
	rangeErr *widget.Label
	warning  *widget.Label
	chart    *severityChart
	chartBox *fyne.Container
	empty    *widget.Label
	retry    *widget.Button
	list     *widget.List

	// symptomNames are what is stored for the symptom filter's choices shown translated
	// ("Kopfschmerzen" → "Headache").
	symptomNames map[string]string

	// The selected entry's actions, and the undo bar after a delete.
	actions  *fyne.Container
	selText  *widget.Label
	edit     *widget.Button
	del      *widget.Button
	undoBar  *fyne.Container
	undoText *widget.Label
	undo     *widget.Button
	undoID   string
	undoGen  int

	// status says what the last save did (or why it did not); shown over both views.
	status *widget.Label

	journalForm
}

// timelineItem is a day's header or an entry.
type timelineItem struct {
	day   string // the header's date, as 2006-01-02; "" for an entry
	entry int    // index into entries
}

func (u *UI) showJournal() {
	b, ok := u.newScreen(navJournal)
	if !ok {
		return
	}
	j := &journalScreen{screenBase: b, delay: searchDelay}
	u.journal = j

	j.status = widget.NewLabel("")
	j.status.Wrapping = fyne.TextWrapWord
	j.status.Hide()
	j.timeline = u.journalTimeline(j)
	j.form = u.buildJournalForm(j)
	j.form.Hide()
	body := container.NewBorder(j.status, nil, nil, nil, container.NewStack(j.timeline, j.form))
	u.setContent(u.frame(b, container.NewPadded(body)))

	u.reloadJournal()
	u.focus(j.add)
	u.restoreJournalDraft(j)
}

func (u *UI) journalTimeline(j *journalScreen) *fyne.Container {
	j.add = widget.NewButtonWithIcon(tr.T("journal.add"), theme.ContentAddIcon(), func() { u.openForm(nil) })
	j.add.Importance = widget.HighImportance
	j.count = widget.NewLabel("")
	heading := subheading(tr.T("journal.heading"))
	heading.Truncation = fyne.TextTruncateEllipsis // at 200 % text, Add keeps its room
	j.listTop = container.NewBorder(nil, nil, nil, container.NewHBox(container.NewCenter(j.count), tall(j.add)), heading)

	j.search = u.newEntry()
	j.search.SetPlaceHolder(tr.T("journal.search"))
	j.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	j.search.OnChanged = func(s string) {
		j.query = strings.TrimSpace(s)
		u.reloadSoon()
	}
	j.symptom = widget.NewSelect([]string{allSymptoms()}, func(s string) {
		if s == allSymptoms() {
			s = ""
		}
		if stored, ok := j.symptomNames[s]; ok {
			s = stored // what is stored, for a name shown in the running language
		}
		if s != j.filter.Symptom {
			j.filter.Symptom = s
			u.reloadJournal()
		}
	})
	j.symptom.SetSelected(allSymptoms())
	j.from, j.to = u.newEntry(), u.newEntry()
	j.from.SetPlaceHolder(tr.T("journal.date_example", tr.Args{"Date": "2025-11-01"}))
	j.to.SetPlaceHolder(tr.T("journal.date_example", tr.Args{"Date": "2025-11-30"}))
	j.from.OnChanged = func(string) { u.datesChanged() }
	j.to.OnChanged = func(string) { u.datesChanged() }
	j.rangeErr = message()
	symptom := labelled(fieldLabel(tr.T("journal.symptom")), j.symptom)
	from, to := labelled(fieldLabel(tr.T("journal.from_date")), j.from), labelled(fieldLabel(tr.T("journal.to_date")), j.to)
	filters := container.NewGridWithColumns(3, symptom, from, to)
	if u.textScale() > largeText {
		// Three across do not fit 1000 px at large text sizes, nor three labels over their
		// fields 700 px high: the labels go beside the fields, in two rows.
		beside := func(label string, field fyne.CanvasObject) fyne.CanvasObject {
			return container.NewBorder(nil, nil, fieldLabel(label), nil, field)
		}
		filters = container.NewVBox(beside(tr.T("journal.symptom"), j.symptom),
			container.NewGridWithColumns(2, beside(tr.T("journal.from"), j.from), beside(tr.T("journal.to"), j.to)))
	}

	j.warning = widget.NewLabel("")
	j.warning.Wrapping = fyne.TextWrapWord
	j.warning.Importance = widget.WarningImportance
	j.warning.Hide()
	j.chart = newSeverityChart()
	j.chartBox = container.NewVBox(j.chart)
	j.chartBox.Hide()

	j.empty = paragraph(msgLoading())
	j.empty.Alignment = fyne.TextAlignCenter
	j.retry = widget.NewButton(tr.T("journal.try_again"), u.reloadJournal)
	j.retry.Hide()
	j.list = widget.NewList(
		func() int { return len(j.items) },
		func() fyne.CanvasObject { return newEntryRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) { u.drawItem(id, o.(*entryRow)) },
	)
	j.list.HideSeparators = false
	j.list.OnSelected = func(id widget.ListItemID) { u.selectItem(id) }
	j.list.OnUnselected = func(widget.ListItemID) { j.selected = ""; j.actions.Hide() }
	j.list.Hide()

	j.selText = widget.NewLabel("")
	j.selText.Truncation = fyne.TextTruncateEllipsis
	j.edit = widget.NewButtonWithIcon(tr.T("journal.edit"), theme.DocumentCreateIcon(), func() { u.editSelected() })
	j.del = widget.NewButtonWithIcon(tr.T("journal.delete"), theme.DeleteIcon(), func() { u.deleteSelected() })
	j.actions = container.NewBorder(nil, nil, nil, container.NewHBox(tall(j.edit), tall(j.del)), j.selText)
	j.actions.Hide()
	j.undoText = widget.NewLabel("")
	j.undo = widget.NewButtonWithIcon(tr.T("journal.undo"), theme.ContentUndoIcon(), func() { u.undoDelete() })
	j.undo.Importance = widget.HighImportance
	j.undoBar = container.NewBorder(nil, nil, nil, tall(j.undo), j.undoText)
	j.undoBar.Hide()

	top := container.NewVBox(j.listTop, j.search, filters, j.rangeErr, j.warning, j.chartBox)
	if u.textScale() > largeText {
		// 700 px high has no room for a heading row at large text sizes: Add goes beside
		// the search, and the count (kept up to date, unseen) gives way, so that the chart
		// and at least one row of the list still fit under the filters.
		// Add must have one parent only: listTop, re-laid out when the count changes, would
		// size it to its own (unshown) size — in the window, zero.
		j.listTop = container.NewStack()
		top = container.NewVBox(container.NewBorder(nil, nil, nil, tall(j.add), j.search),
			filters, j.rangeErr, j.warning, j.chartBox)
	}
	emptyState := container.NewVBox(layout.NewSpacer(), j.empty, container.NewCenter(j.retry), layout.NewSpacer())
	bottom := container.NewVBox(j.actions, j.undoBar)
	// In this order, not NewBorder's (centre first), so Tab goes down the screen: Add,
	// search, filters, the list, then the chosen entry's Edit and Delete.
	center := container.NewStack(emptyState, j.list)
	return container.New(layout.NewBorderLayout(top, bottom, nil, nil), top, center, bottom)
}

// ---------------------------------------------------------------------------------------
// Reading the timeline

// journalLoad is what one read of the timeline brought.
type journalLoad struct {
	page  data.EntryPage
	total int
	chart []data.DaySeverity
	// own is the person's recent symptom names, for the form's suggestions (first load).
	own []string
}

// reloadSoon reloads after typing pauses.
func (u *UI) reloadSoon() {
	j := u.journal
	if j.debounce != nil {
		j.debounce.Stop()
	}
	if j.delay <= 0 {
		u.reloadJournal()
		return
	}
	j.gen++ // results of a read still running are stale already
	gen := j.gen
	j.debounce = time.AfterFunc(j.delay, func() {
		if u.ctx.Err() != nil {
			return
		}
		fyne.Do(func() {
			if u.journal == j && j.gen == gen {
				u.reloadJournal()
			}
		})
	})
}

// datesChanged reads the date range typed; it applies once both dates read.
func (u *UI) datesChanged() {
	j := u.journal
	loc := j.store.Location()
	since, err1 := parseDate(j.from.Text, loc)
	until, err2 := parseDate(j.to.Text, loc)
	if err1 != nil || err2 != nil {
		say(j.rangeErr, msgBadDate())
		return
	}
	if !since.IsZero() && !until.IsZero() && until.Before(since) {
		say(j.rangeErr, msgDatesReversed())
		return
	}
	say(j.rangeErr, "")
	if !until.IsZero() {
		until = until.AddDate(0, 0, 1) // "to 25 Nov" includes the 25th
	}
	if since.Equal(j.filter.Since) && until.Equal(j.filter.Until) {
		return
	}
	j.filter.Since, j.filter.Until = since, until
	u.reloadSoon()
}

// parseDate reads a date typed as 2025-11-01; empty is the zero time.
func parseDate(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	return time.ParseInLocation(time.DateOnly, s, loc)
}

// reloadJournal reads the timeline afresh for the current search and filters.
func (u *UI) reloadJournal() {
	j := u.journal
	if j == nil {
		return
	}
	if j.debounce != nil {
		j.debounce.Stop()
	}
	j.gen++
	gen := j.gen
	j.retry.Hide()
	if !j.loaded {
		say(j.empty, msgLoading())
	} else if j.query != "" {
		// The first search of a session decrypts the whole journal (about half a second
		// at 100,000 entries): say so rather than look stuck.
		j.count.SetText(tr.T("journal.searching"))
		j.listTop.Refresh()
	}
	st, query, filter, first := j.store, j.query, j.filter, !j.loaded
	now := u.now()
	background(j.prof, func(ctx context.Context) (journalLoad, error) {
		return readJournal(ctx, st, query, filter, now, first)
	}, func(l journalLoad, err error) {
		if u.journal != j || j.gen != gen {
			return
		}
		var te *data.TamperedError
		switch {
		case errors.As(err, &te):
			n := len(te.Records)
			say(j.warning, tr.N("journal.damaged", n, tr.Args{"Number": tr.Int(n)}))
		case err != nil:
			if !j.loaded {
				say(j.empty, msgLoadFailed())
				j.retry.Show()
			}
			return
		default:
			say(j.warning, "")
		}
		j.loaded = true
		j.loadingMore = false // a page read for the old query was dropped unseen
		j.entries, j.next, j.more = l.page.Entries, l.page.Next, l.page.More
		if first {
			j.total = l.total
		}
		j.selected = ""
		j.list.UnselectAll()
		j.actions.Hide()
		j.refreshList()
		j.list.ScrollToTop()
		if l.own != nil {
			u.refreshSuggestions(l.own)
		}
		if filter.Symptom != "" {
			j.chart.set(words.Symptom(filter.Symptom), l.chart, now.In(st.Location()))
			j.chartBox.Show()
		} else {
			j.chartBox.Hide()
		}
	})
}

// readJournal is one read of the timeline (off the UI goroutine): the first page, or every
// match of a search (the search index is in memory, so all of it is cheap).
func readJournal(ctx context.Context, st *data.Store, query string, f data.EntryFilter, now time.Time, first bool) (journalLoad, error) {
	var l journalLoad
	var bad data.TamperedError
	var err error
	if query != "" {
		var found []data.Entry
		found, err = st.Search(ctx, query)
		if err = bad.Keep(err); err != nil {
			return l, err
		}
		// A symptom or mood offered as a choice is stored in English: a search for its
		// name in the running language finds it too.
		if stored := storedName("", query); stored != query {
			var more []data.Entry
			more, err = st.Search(ctx, stored)
			if err = bad.Keep(err); err != nil {
				return l, err
			}
			found = mergeFound(found, more)
		}
		l.page.Entries = found[:0]
		for _, e := range found {
			if matchesFilter(e, f) {
				l.page.Entries = append(l.page.Entries, e)
			}
		}
	} else {
		l.page, err = st.ListEntriesPage(ctx, data.Cursor{}, journalPage, f)
		if err = bad.Keep(err); err != nil {
			return l, err
		}
		l.page.Entries, err = withReadings(ctx, st, l.page.Entries, pageStart(l.page), time.Time{}, f)
		if err = bad.Keep(err); err != nil {
			return l, err
		}
	}
	// Counted once: later the screen keeps the count itself as entries are added and
	// deleted (counting 100,000 rows takes 7 ms, on every key typed in the search).
	if first {
		if l.total, err = st.CountEntries(ctx); err != nil {
			return l, err
		}
	}
	if f.Symptom != "" {
		l.chart, err = st.SeverityByDay(ctx, f.Symptom, now, chartDays)
		if err = bad.Keep(err); err != nil {
			return l, err
		}
	}
	if first {
		l.own = ownSymptoms(l.page.Entries)
		// Entries deleted in an earlier session are past their Undo: erase them for good.
		// A failure only leaves them (sealed, hidden) until the next time.
		_, _ = st.PurgeDeletedEntries(ctx, now.Add(-purgeAfter))
	}
	return l, bad.OrNil()
}

// matchesFilter applies a filter to an entry found by search.
func matchesFilter(e data.Entry, f data.EntryFilter) bool {
	if !f.Since.IsZero() && e.At.Before(f.Since) || !f.Until.IsZero() && !e.At.Before(f.Until) {
		return false
	}
	if s := strings.TrimSpace(f.Symptom); s != "" {
		return e.Kind == data.KindSymptom && strings.EqualFold(strings.TrimSpace(e.Name), s)
	}
	return true
}

// ownSymptoms is the person's recent symptom names, newest first, without repeats.
func ownSymptoms(es []data.Entry) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, e := range es {
		k := strings.ToLower(strings.TrimSpace(e.Name))
		if e.Kind != data.KindSymptom || k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e.Name)
		if len(out) == suggestedOwn {
			break
		}
	}
	return out
}

// loadMore reads the next page as the person scrolls near the end of what is loaded.
func (u *UI) loadMore() {
	j := u.journal
	if j == nil || !j.more || j.loadingMore || j.query != "" {
		return
	}
	j.loadingMore = true
	gen := j.gen
	st, cur, filter := j.store, j.next, j.filter
	background(j.prof, func(ctx context.Context) (data.EntryPage, error) {
		p, err := st.ListEntriesPage(ctx, cur, journalPage, filter)
		var bad data.TamperedError
		if err = bad.Keep(err); err != nil {
			return p, err
		}
		p.Entries, err = withReadings(ctx, st, p.Entries, pageStart(p), cur.At, filter)
		if err = bad.Keep(err); err != nil {
			return p, err
		}
		return p, bad.OrNil()
	}, func(p data.EntryPage, err error) {
		if u.journal != j || j.gen != gen {
			return
		}
		// Cleared after the list is redrawn: drawing the rows just added must not start
		// another read from inside this one. A page that brought nothing (its rows were
		// all damaged) draws no new row to ask for the next one, so it asks itself.
		var te *data.TamperedError
		defer func() {
			j.loadingMore = false
			if (err == nil || te != nil) && len(p.Entries) == 0 && j.more {
				u.loadMore()
			}
		}()
		if err != nil && !errors.As(err, &te) {
			return // the next scroll tries again
		}
		if te != nil {
			say(j.warning, tr.T("journal.damaged_some"))
		}
		j.entries = append(j.entries, p.Entries...)
		j.next, j.more = p.Next, p.More
		j.refreshList()
	})
}

// refreshList rebuilds the day headers and shows the list, or why it is empty.
func (j *journalScreen) refreshList() {
	j.rebuildItems()
	switch {
	case j.query != "" || j.filter != (data.EntryFilter{}):
		n := len(j.entries)
		if j.more {
			j.count.SetText("")
		} else {
			j.count.SetText(tr.N("journal.found", n, tr.Args{"Number": thousands(n)}))
		}
	default:
		j.count.SetText(tr.N("journal.entries", j.total, tr.Args{"Number": thousands(j.total)}))
	}
	if len(j.entries) == 0 {
		j.list.Hide()
		if j.query != "" || j.filter != (data.EntryFilter{}) {
			say(j.empty, msgNoMatches())
		} else {
			j.count.SetText("")
			say(j.empty, msgEmptyJournal())
		}
	} else {
		j.empty.Hide()
		j.list.Show()
	}
	j.listTop.Refresh()
	j.list.Refresh()
}

// thousands writes n with its thousands grouped the running language's way: 100,000 (or
// 100.000) reads at a glance, 100000 does not.
func thousands(n int) string { return tr.Int(n) }

// rebuildItems puts a header before each day's first entry.
func (j *journalScreen) rebuildItems() {
	j.items = j.items[:0]
	var lastDay string
	for i, e := range j.entries {
		if d := e.At.Format(time.DateOnly); d != lastDay {
			lastDay = d
			j.items = append(j.items, timelineItem{day: d})
		}
		j.items = append(j.items, timelineItem{entry: i})
	}
}

// dayTitle names a day for its header: "Today", "Yesterday", "Wed 19 Nov", and the year
// when it is not this one.
func dayTitle(day string, now time.Time, loc *time.Location) string {
	d, err := time.ParseInLocation(time.DateOnly, day, loc)
	if err != nil {
		return day
	}
	n := now.In(loc)
	switch day {
	case n.Format(time.DateOnly):
		return tr.T("journal.today")
	case n.AddDate(0, 0, -1).Format(time.DateOnly):
		return tr.T("journal.yesterday")
	}
	if d.Year() == n.Year() {
		return tr.Format(d, tr.DateNoYear)
	}
	return tr.Format(d, tr.Date)
}

func (u *UI) drawItem(id widget.ListItemID, r *entryRow) {
	j := u.journal
	if j == nil || id >= len(j.items) {
		return
	}
	it := j.items[id]
	if it.day == "" && it.entry >= len(j.entries) {
		return
	}
	if it.day != "" {
		r.setDay(dayTitle(it.day, u.now(), j.store.Location()))
	} else {
		r.set(j.entries[it.entry])
	}
	if id >= len(j.items)-pageAhead {
		u.loadMore()
	}
}

// ---------------------------------------------------------------------------------------
// Selecting, editing and deleting

func (u *UI) selectItem(id widget.ListItemID) {
	j := u.journal
	if id >= len(j.items) || j.items[id].day != "" {
		j.list.Unselect(id) // a day's header is not an entry
		return
	}
	e := j.entries[j.items[id].entry]
	j.selected = e.ID
	j.selText.SetText(tr.T("journal.selected", tr.Args{"Title": entryTitle(e), "When": tr.Format(e.At, tr.DateClock)}))
	if !editable(e) {
		j.edit.Disable()
		j.del.Disable()
		j.selText.SetText(noEditText(e))
	} else {
		j.edit.Enable()
		j.del.Enable()
	}
	j.actions.Show()
}

// selectedEntry is the selected entry, if it is still loaded.
func (j *journalScreen) selectedEntry() (data.Entry, bool) {
	for _, e := range j.entries {
		if e.ID == j.selected && j.selected != "" {
			return e, true
		}
	}
	return data.Entry{}, false
}

func (u *UI) editSelected() {
	j := u.journal
	if e, ok := j.selectedEntry(); ok && editable(e) {
		u.openForm(&e)
	}
}

// deleteSelected deletes at once; the undo bar offers it back for a while.
func (u *UI) deleteSelected() {
	j := u.journal
	e, ok := j.selectedEntry()
	if !ok || !editable(e) || j.del.Disabled() {
		return
	}
	j.del.Disable()
	st := j.store
	background(j.prof, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, st.DeleteEntry(ctx, e.ID)
	}, func(_ struct{}, err error) {
		if u.journal != j {
			return
		}
		j.del.Enable()
		if err != nil {
			j.status.Importance = widget.DangerImportance
			say(j.status, msgEntryDeleteFailed())
			return
		}
		j.remove(e.ID)
		j.total--
		j.selected = ""
		j.list.UnselectAll()
		j.actions.Hide()
		j.refreshList()
		say(j.status, "")
		j.undoID = e.ID
		j.undoText.SetText(tr.T("journal.deleted", tr.Args{"Title": entryTitle(e)}))
		j.undo.Enable()
		j.undoBar.Show()
		u.focus(j.undo)
		j.undoGen++
		gen := j.undoGen
		time.AfterFunc(undoFor, func() {
			if u.ctx.Err() != nil {
				return
			}
			fyne.Do(func() {
				if u.journal == j && j.undoGen == gen {
					j.undoBar.Hide()
					j.undoID = ""
				}
			})
		})
	})
}

// undoDelete brings back the entry just deleted.
func (u *UI) undoDelete() {
	j := u.journal
	id := j.undoID
	if id == "" || j.undo.Disabled() {
		return
	}
	j.undo.Disable()
	st := j.store
	background(j.prof, func(ctx context.Context) (data.Entry, error) {
		return st.RestoreEntry(ctx, id)
	}, func(e data.Entry, err error) {
		if u.journal != j {
			return
		}
		if err != nil {
			j.undo.Enable()
			j.undoText.SetText(msgUndoFailed())
			return
		}
		j.undoGen++
		j.undoID = ""
		j.undoBar.Hide()
		j.total++
		if i, ok := j.place(e); ok {
			j.insertAt(i, e)
			j.selectEntry(e.ID)
		}
		j.status.Importance = widget.SuccessImportance
		say(j.status, tr.T("journal.restored"))
		u.focus(j.add)
	})
}

// remove takes an entry out of what is shown.
func (j *journalScreen) remove(id string) {
	for i, e := range j.entries {
		if e.ID == id {
			j.entries = append(j.entries[:i], j.entries[i+1:]...)
			j.rebuildItems() // the list may redraw before refreshList
			return
		}
	}
}

// place is where e goes among the loaded entries (newest first), and whether it belongs
// there at all: not when it fails the search or filters, or is older than what is loaded
// while more pages follow (the page that holds it will bring it).
func (j *journalScreen) place(e data.Entry) (int, bool) {
	if !matchesFilter(e, j.filter) {
		return 0, false
	}
	if j.query != "" {
		text := strings.ToLower(e.Name + "\n" + e.Note)
		words := strings.Fields(strings.ToLower(j.query))
		if stored := storedName("", j.query); stored != j.query {
			words = strings.Fields(strings.ToLower(stored))
		}
		for _, w := range words {
			if !strings.Contains(text, w) {
				return 0, false
			}
		}
	}
	i := 0
	for i < len(j.entries) {
		o := j.entries[i]
		if o.At.Before(e.At) || (o.At.Equal(e.At) && o.ID < e.ID) {
			break
		}
		i++
	}
	if i == len(j.entries) && j.more {
		return 0, false
	}
	return i, true
}

// insertAt shows e at place i.
func (j *journalScreen) insertAt(i int, e data.Entry) {
	j.entries = append(j.entries, data.Entry{})
	copy(j.entries[i+1:], j.entries[i:])
	j.entries[i] = e
	j.refreshList()
}

// selectEntry selects e's row and scrolls to it.
func (j *journalScreen) selectEntry(id string) {
	for k, it := range j.items {
		if it.day == "" && j.entries[it.entry].ID == id {
			j.list.ScrollTo(k)
			j.list.Select(k)
			return
		}
	}
}

// refreshSuggestions offers the person's own recent symptom names first (as stored), then
// common ones, in the form and in the symptom filter, in the running language.
func (u *UI) refreshSuggestions(own []string) {
	j := u.journal
	seen := map[string]bool{}
	var opts []string
	names := map[string]string{}
	add := func(s string) {
		shown := words.Symptom(s)
		k := strings.ToLower(strings.TrimSpace(shown))
		if k == "" || seen[k] {
			return
		}
		seen[k] = true
		opts = append(opts, shown)
		names[shown] = storedName(data.KindSymptom, s)
	}
	for _, s := range own {
		add(s)
	}
	for _, s := range data.CommonSymptoms {
		add(s)
	}
	j.suggestions = opts
	j.symptomNames = names
	if j.kind == data.KindSymptom {
		j.name.SetOptions(opts)
	}
	j.symptom.SetOptions(append([]string{allSymptoms()}, opts...))
}

// mergeFound adds to found (newest first) the entries of more it does not have, keeping the
// order.
func mergeFound(found, more []data.Entry) []data.Entry {
	have := map[string]bool{}
	for _, e := range found {
		have[e.ID] = true
	}
	for _, e := range more {
		if !have[e.ID] {
			found = append(found, e)
		}
	}
	sort.SliceStable(found, func(i, k int) bool {
		a, b := found[i], found[k]
		return a.At.After(b.At) || a.At.Equal(b.At) && a.ID > b.ID
	})
	return found
}

// noteUsed puts a symptom name just used at the head of the suggestions.
func (u *UI) noteUsed(name string) {
	j := u.journal
	u.refreshSuggestions(append([]string{name}, j.suggestions...))
}

// ---------------------------------------------------------------------------------------
// A row of the timeline

// entryRow is one row of the timeline: a day's header, or an entry — the time on the left;
// what, and how strong, on the first line; how long and the note on the second.
type entryRow struct {
	widget.BaseWidget
	day      *widget.Label
	when     *widget.Label
	severity *widget.Label
	swatch   *severitySwatch
	name     *widget.Label
	note     *widget.Label
	isDay    bool
}

// rowLineOverlap pulls a row's two lines together: each label carries its own padding.
const rowLineOverlap = 14

func newEntryRow() *entryRow {
	r := &entryRow{
		day:      widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		when:     widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		severity: widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{}),
		swatch:   newSeveritySwatch(),
		name:     widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		note:     widget.NewLabel(""),
	}
	r.day.SizeName = theme.SizeNameSubHeadingText
	r.day.Hide()
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.note.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

// setDay makes the row a day's header.
func (r *entryRow) setDay(title string) {
	r.isDay = true
	r.day.Text = title
	r.day.Hidden = false
	for _, o := range []*widget.Label{r.when, r.severity, r.name, r.note} {
		o.Hidden = true
	}
	r.swatch.Hidden = true
	r.Refresh()
}

// set shows an entry. The texts are assigned, not SetText: each SetText would lay the label
// out again before the row's own Refresh does it once more (rows are redrawn as they scroll
// into view, so this is the timeline's hot path).
func (r *entryRow) set(e data.Entry) {
	r.isDay = false
	r.day.Hidden = true
	r.when.Text = tr.Format(e.At, tr.Clock)
	r.severity.Text = entryDetail(e)
	r.name.Text = entryTitle(e)
	r.note.Text = entryNote(e)
	for _, o := range []*widget.Label{r.when, r.severity, r.name, r.note} {
		o.Hidden = false
	}
	r.swatch.Hidden = e.Severity == nil
	if e.Severity != nil {
		r.swatch.n = *e.Severity
	}
	r.Refresh()
}

func (r *entryRow) CreateRenderer() fyne.WidgetRenderer {
	return &entryRowRenderer{r: r, objects: []fyne.CanvasObject{r.day, r.when, r.swatch, r.severity, r.name, r.note}}
}

type entryRowRenderer struct {
	r       *entryRow
	objects []fyne.CanvasObject
}

func (rr *entryRowRenderer) Destroy()                     {}
func (rr *entryRowRenderer) Objects() []fyne.CanvasObject { return rr.objects }
func (rr *entryRowRenderer) Refresh() {
	rr.Layout(rr.r.Size())
	for _, o := range rr.objects {
		o.Refresh()
	}
}

func (rr *entryRowRenderer) MinSize() fyne.Size {
	r := rr.r
	top := r.name.MinSize().Max(r.severity.MinSize())
	h := top.Height + r.note.MinSize().Height - rowLineOverlap
	return fyne.NewSize(rr.whenWidth()+top.Width, max(h, r.day.MinSize().Height))
}

// whenWidth is the time column's width: room for "00:00".
func (rr *entryRowRenderer) whenWidth() float32 {
	l := rr.r.when
	th := l.Theme()
	return fyne.MeasureText("00:00", th.Size(theme.SizeNameText), l.TextStyle).Width + 2*th.Size(theme.SizeNameInnerPadding) + 4
}

func (rr *entryRowRenderer) Layout(size fyne.Size) {
	r := rr.r
	// A day's header sits low in its row, close to the entries it heads.
	dh := r.day.MinSize().Height
	r.day.Move(fyne.NewPos(0, size.Height-dh))
	r.day.Resize(fyne.NewSize(size.Width, dh))

	ww := rr.whenWidth()
	topH := r.name.MinSize().Max(r.severity.MinSize()).Height
	r.when.Move(fyne.NewPos(0, 0))
	r.when.Resize(fyne.NewSize(ww, topH))
	// First line: the name, then the severity at its natural width on the right, its colour
	// swatch just before it.
	rest := size.Width - ww
	sevW := float32(0)
	if r.severity.Text != "" {
		sevW = min(labelWidth(r.severity), rest/2)
	}
	r.severity.Move(fyne.NewPos(size.Width-sevW, 0))
	r.severity.Resize(fyne.NewSize(sevW, topH))
	sw := r.swatch.MinSize()
	r.swatch.Move(fyne.NewPos(size.Width-sevW-sw.Width+r.severity.Theme().Size(theme.SizeNameInnerPadding)/2, (topH-sw.Height)/2))
	r.swatch.Resize(sw)
	nameW := rest - sevW
	if r.swatch.Visible() {
		nameW -= sw.Width
	}
	r.name.Move(fyne.NewPos(ww, 0))
	r.name.Resize(fyne.NewSize(max(0, nameW), topH))
	// Second line: how long and the note.
	y := topH - rowLineOverlap
	r.note.Move(fyne.NewPos(ww, y))
	r.note.Resize(fyne.NewSize(rest, r.note.MinSize().Height))
}

// labelWidth is the width l needs to show its whole text on one line. The slack covers the
// rounding to whole pixels when drawn, which would otherwise truncate a label just measured.
func labelWidth(l *widget.Label) float32 {
	th := l.Theme()
	size := th.Size(theme.SizeNameText)
	if l.SizeName != "" {
		size = th.Size(l.SizeName)
	}
	const slack = 4
	return fyne.MeasureText(l.Text, size, l.TextStyle).Width + 2*th.Size(theme.SizeNameInnerPadding) + slack
}
