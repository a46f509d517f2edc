package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/data"
)

const (
	msgEmptyJournal = "Nothing in your journal yet — add how you feel on the left."
	msgLoading      = "Loading your journal…"
	msgLoadFailed   = "Your journal could not be read just now. Please try again."
	msgSaveFailed   = "Your entry could not be saved. Please try again."
	msgNoSeverity   = "Choose how strong it is, from 0 to 10."
	msgNoName       = "Write what you feel, or choose it from the list."
	// formPanelWidth is the width of the "How do you feel?" form.
	formPanelWidth = 560
	// suggestedOwn is how many of the person's own recent symptom names lead the suggestions.
	suggestedOwn = 8
)

type journalScreen struct {
	store   *data.Store
	entries []data.Entry
	loaded  bool

	title   *widget.Label
	lockBtn *widget.Button
	nav     *navBar

	// The form.
	name        *navSelectEntry
	suggestions []string // what name offers
	nameErr     *widget.Label
	severity    *severityPicker
	sevLabel    *widget.Label
	sevRow      *fyne.Container // holds sevLabel: re-laid out when it changes
	sevErr      *widget.Label
	when        *timeEntry
	whenFilled  string // what the app put in when; left as it is, it means "now"
	whenErr     *widget.Label
	duration    *navEntry
	durationErr *widget.Label
	note        *noteEntry
	status      *widget.Label
	save        *widget.Button
	saving      bool

	// The list.
	listTop *fyne.Container // holds count: re-laid out when it changes
	count   *widget.Label
	warning *widget.Label
	empty   *widget.Label
	retry   *widget.Button
	list    *widget.List
}

func (u *UI) showJournal() {
	if u.store == nil || u.isLocked() {
		return
	}
	u.clearScreens()
	j := &journalScreen{store: u.store}
	u.journal = j
	info := j.store.Info()

	// Header.
	j.title, j.lockBtn = u.titleAndLock(info.Name)
	header, nav := u.header(navJournal, j.title, j.lockBtn)
	j.nav = nav

	form := u.journalForm(j)
	listPanel := u.journalList(j)

	formPanel := container.NewVScroll(container.NewPadded(form))
	formPanel.SetMinSize(fyne.NewSize(formPanelWidth, 0))
	body := container.NewBorder(nil, nil, formPanel, nil,
		container.NewBorder(nil, nil, widget.NewSeparator(), nil, container.NewPadded(listPanel)))
	u.setContent(u.frame(header, nav, body))

	u.loadEntries()
	u.focus(j.name)
}

// journalForm builds the "How do you feel?" form.
func (u *UI) journalForm(j *journalScreen) fyne.CanvasObject {
	j.name = u.newSelectEntry(data.CommonSymptoms)
	j.name.SetPlaceHolder("For example: Headache")
	j.name.OnChanged = func(string) { say(j.nameErr, ""); j.clearStatus() }
	j.nameErr = message()

	j.sevLabel = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	j.sevErr = message()
	j.severity = newSeverityPicker(func(int) { u.severityChanged() })
	j.sevRow = container.NewBorder(nil, nil, fieldLabel("How strong is it?"), j.sevLabel)
	scale := container.NewBorder(nil, nil, caption("0 = not at all"), caption("10 = the worst"))

	j.when = u.newTimeEntry()
	j.fillWhen(u.opt.Now())
	j.when.OnChanged = func(string) { say(j.whenErr, ""); j.clearStatus() }
	j.whenErr = message()
	j.duration = u.newEntry()
	j.duration.SetPlaceHolder("e.g. 30 minutes")
	j.duration.OnChanged = func(string) { say(j.durationErr, ""); j.clearStatus() }
	j.durationErr = message()

	j.note = u.newNoteEntry()
	j.note.SetMinRowsVisible(3)
	j.note.SetPlaceHolder("Anything else worth remembering")
	j.note.OnChanged = func(string) { j.clearStatus() }

	j.status = widget.NewLabel("")
	j.status.Hide()
	j.save = widget.NewButtonWithIcon("Save", theme.ConfirmIcon(), u.saveSymptom)
	j.save.Importance = widget.HighImportance

	u.severityChanged()
	return container.NewVBox(
		labelled(subheading("What do you feel?"), j.name, j.nameErr),
		labelled(j.sevRow, j.severity, scale, j.sevErr),
		container.NewGridWithColumns(2,
			labelled(fieldLabel("When?"), j.when, j.whenErr),
			labelled(fieldLabel("How long? (optional)"), j.duration, j.durationErr),
		),
		labelled(fieldLabel("Note (optional)"), j.note),
		j.status,
		tall(j.save),
	)
}

// labelled stacks a label over its field (and the field's message), a little closer than
// the form's own spacing so each label reads as belonging to its field.
func labelled(label fyne.CanvasObject, field ...fyne.CanvasObject) fyne.CanvasObject {
	return container.New(layout.NewCustomPaddedVBoxLayout(-6), append([]fyne.CanvasObject{label}, field...)...)
}

func subheading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

func caption(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// severityChanged shows the chosen severity in words.
func (u *UI) severityChanged() {
	j := u.journal
	n := j.severity.Selected()
	defer j.sevRow.Refresh()
	if n < 0 {
		j.sevLabel.SetText("")
		return
	}
	j.sevLabel.SetText(severityText(n))
	say(j.sevErr, "")
	j.clearStatus()
}

// fillWhen puts now in the time field.
func (j *journalScreen) fillWhen(now time.Time) {
	j.whenFilled = now.In(j.store.Location()).Format(whenLayout)
	j.when.SetText(j.whenFilled)
}

func (j *journalScreen) clearStatus() {
	if j.status.Visible() && !j.saving {
		say(j.status, "")
	}
}

// readForm checks the form and shows what is wrong next to each field.
func (u *UI) readForm() (data.Symptom, bool) {
	j := u.journal
	ok := true
	var focus fyne.Focusable
	fail := func(l *widget.Label, msg string, f fyne.Focusable) {
		say(l, msg)
		if ok {
			focus = f
		}
		ok = false
	}
	in := data.Symptom{Name: j.name.Text, Severity: j.severity.Selected(), Note: j.note.Text}
	if strings.TrimSpace(in.Name) == "" {
		fail(j.nameErr, msgNoName, j.name)
	}
	if j.severity.Selected() < 0 {
		fail(j.sevErr, msgNoSeverity, j.severity)
	}
	when := j.when.Text
	if strings.TrimSpace(when) == j.whenFilled {
		// Untouched: the form may have been open a while, so "now" is now, not then.
		when = ""
	}
	at, err := parseWhen(when, u.opt.Now(), j.store.Location())
	if err != nil {
		fail(j.whenErr, err.Error(), j.when)
	}
	in.At = at
	d, err := parseDuration(j.duration.Text)
	if err != nil {
		fail(j.durationErr, err.Error(), j.duration)
	}
	in.Duration = d
	if ok {
		if _, err := data.ValidateSymptom(in); err != nil {
			fail(j.status, inputMessage(err), j.name)
			j.status.Importance = widget.DangerImportance
			j.status.Refresh()
		}
	}
	if focus != nil {
		u.focus(focus)
	}
	return in, ok
}

func (j *journalScreen) setSaving(on bool) {
	j.saving = on
	for _, w := range []fyne.Disableable{j.name, j.severity, j.when, j.duration, j.note, j.save} {
		if on {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	if on {
		j.save.SetText("Saving…")
	} else {
		j.save.SetText("Save")
	}
}

// saveSymptom writes the form's symptom to the journal.
func (u *UI) saveSymptom() {
	j := u.journal
	if j == nil || j.saving {
		return
	}
	say(j.status, "")
	in, ok := u.readForm()
	if !ok {
		return
	}
	j.setSaving(true)
	st := j.store
	background(u, func(ctx context.Context) (data.Entry, error) {
		return st.AddSymptom(ctx, in)
	}, func(e data.Entry, err error) {
		if u.journal != j {
			return
		}
		j.setSaving(false)
		if err != nil {
			// Never the entry's text: the message says what rule broke, or nothing.
			msg := msgSaveFailed
			if errors.Is(err, data.ErrInvalid) {
				msg = inputMessage(err)
			}
			j.status.Importance = widget.DangerImportance
			say(j.status, msg)
			return
		}
		top := j.insert(e) == 0
		u.refreshSuggestions()
		u.resetForm()
		j.status.Importance = widget.SuccessImportance
		if top {
			say(j.status, "Saved. It is at the top of your journal.")
		} else {
			say(j.status, "Saved in your journal, in time order.")
		}
		u.focus(j.name)
	})
}

// resetForm empties the form for the next entry, with the time set to now.
func (u *UI) resetForm() {
	j := u.journal
	j.name.SetText("")
	j.severity.SetSelected(-1)
	u.severityChanged()
	j.fillWhen(u.opt.Now())
	j.duration.SetText("")
	j.note.SetText("")
	for _, l := range []*widget.Label{j.nameErr, j.sevErr, j.whenErr, j.durationErr} {
		say(l, "")
	}
}

// ---------------------------------------------------------------------------------------
// The list of entries

// entryRow is one entry in the journal list: when and how strong on the first line, what and
// the note on the second.
type entryRow struct {
	widget.BaseWidget
	when     *widget.Label
	severity *widget.Label
	name     *widget.Label
	note     *widget.Label
}

// rowLineOverlap pulls a row's two lines together: each label carries its own padding.
const rowLineOverlap = 14

func newEntryRow() *entryRow {
	r := &entryRow{
		when:     widget.NewLabel(""),
		severity: widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}),
		name:     widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		note:     widget.NewLabel(""),
	}
	r.when.SizeName = theme.SizeNameCaptionText
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.note.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

func (r *entryRow) set(e data.Entry) {
	r.when.SetText(e.At.Format(rowDate) + " · " + e.At.Format(rowClock))
	r.severity.SetText(entryDetail(e))
	r.name.SetText(entryTitle(e))
	r.note.SetText(entryNote(e))
	r.Refresh()
}

func (r *entryRow) CreateRenderer() fyne.WidgetRenderer {
	return &entryRowRenderer{r: r, objects: []fyne.CanvasObject{r.when, r.severity, r.name, r.note}}
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
	top := r.when.MinSize().Max(r.severity.MinSize())
	bottom := r.name.MinSize().Max(r.note.MinSize())
	return fyne.NewSize(max(top.Width, bottom.Width), top.Height+bottom.Height-rowLineOverlap)
}

func (rr *entryRowRenderer) Layout(size fyne.Size) {
	r := rr.r
	// First line: the time on the left, the severity at its natural width on the right.
	sevW := min(labelWidth(r.severity), size.Width/2)
	topH := r.when.MinSize().Max(r.severity.MinSize()).Height
	r.severity.Move(fyne.NewPos(size.Width-sevW, 0))
	r.severity.Resize(fyne.NewSize(sevW, topH))
	r.when.Move(fyne.NewPos(0, 0))
	r.when.Resize(fyne.NewSize(size.Width-sevW, topH))
	// Second line: the name as wide as it needs (up to most of the row), then the note.
	y := topH - rowLineOverlap
	h := r.name.MinSize().Height
	nameW := labelWidth(r.name)
	if r.note.Text != "" {
		nameW = min(nameW, size.Width*0.6)
	} else {
		nameW = size.Width
	}
	r.name.Move(fyne.NewPos(0, y))
	r.name.Resize(fyne.NewSize(nameW, h))
	r.note.Move(fyne.NewPos(nameW-r.note.Theme().Size(theme.SizeNameInnerPadding), y))
	r.note.Resize(fyne.NewSize(max(0, size.Width-nameW+r.note.Theme().Size(theme.SizeNameInnerPadding)), h))
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

func (u *UI) journalList(j *journalScreen) fyne.CanvasObject {
	j.count = widget.NewLabel("")
	j.warning = widget.NewLabel("")
	j.warning.Wrapping = fyne.TextWrapWord
	j.warning.Importance = widget.WarningImportance
	j.warning.Hide()
	j.empty = paragraph(msgLoading)
	j.empty.Alignment = fyne.TextAlignCenter
	j.retry = widget.NewButton("Try again", u.loadEntries)
	j.retry.Hide()
	j.list = widget.NewList(
		func() int { return len(j.entries) },
		func() fyne.CanvasObject { return newEntryRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(j.entries) {
				o.(*entryRow).set(j.entries[id])
			}
		},
	)
	j.list.HideSeparators = false
	j.list.OnSelected = func(widget.ListItemID) { j.list.UnselectAll() }
	j.list.Hide()
	j.listTop = container.NewBorder(nil, nil, subheading("Your journal"), j.count)
	top := container.NewVBox(j.listTop, j.warning)
	emptyState := container.NewVBox(layout.NewSpacer(), j.empty, container.NewCenter(j.retry), layout.NewSpacer())
	return container.NewBorder(top, nil, nil, nil, container.NewStack(emptyState, j.list))
}

// loadEntries reads the whole journal, newest first.
func (u *UI) loadEntries() {
	j := u.journal
	if j == nil {
		return
	}
	j.retry.Hide()
	if !j.loaded {
		say(j.empty, msgLoading)
	}
	st := j.store
	background(u, func(ctx context.Context) ([]data.Entry, error) {
		return st.ListEntries(ctx, time.Time{}, time.Time{})
	}, func(list []data.Entry, err error) {
		if u.journal != j {
			return
		}
		var te *data.TamperedError
		switch {
		case errors.As(err, &te):
			n := len(te.Records)
			what := "1 entry"
			if n != 1 {
				what = strconv.Itoa(n) + " entries"
			}
			say(j.warning, what+" could not be read because the file was damaged. "+
				"Everything else is shown, and nothing was changed.")
		case err != nil:
			if !j.loaded {
				say(j.empty, msgLoadFailed)
				j.retry.Show()
			}
			return
		default:
			say(j.warning, "")
		}
		j.loaded = true
		j.entries = list
		j.refreshList()
		u.refreshSuggestions()
	})
}

// insert adds a new entry at its place (newest first) and returns that place.
func (j *journalScreen) insert(e data.Entry) int {
	i := 0
	for i < len(j.entries) && !e.At.After(j.entries[i].At) {
		i++
	}
	j.entries = append(j.entries, data.Entry{})
	copy(j.entries[i+1:], j.entries[i:])
	j.entries[i] = e
	j.refreshList()
	j.list.ScrollTo(i)
	return i
}

func (j *journalScreen) refreshList() {
	switch n := len(j.entries); n {
	case 0:
		j.count.SetText("")
		j.list.Hide()
		say(j.empty, msgEmptyJournal)
	default:
		if n == 1 {
			j.count.SetText("1 entry")
		} else {
			j.count.SetText(strconv.Itoa(n) + " entries")
		}
		j.empty.Hide()
		j.list.Show()
	}
	j.listTop.Refresh()
	j.list.Refresh()
}

// refreshSuggestions offers the person's own recent symptom names first, then common ones.
func (u *UI) refreshSuggestions() {
	j := u.journal
	seen := map[string]bool{}
	var opts []string
	add := func(s string) {
		k := strings.ToLower(strings.TrimSpace(s))
		if k == "" || seen[k] {
			return
		}
		seen[k] = true
		opts = append(opts, s)
	}
	for _, e := range j.entries {
		if len(opts) >= suggestedOwn {
			break
		}
		if e.Kind == data.KindSymptom {
			add(e.Name)
		}
	}
	for _, s := range data.CommonSymptoms {
		add(s)
	}
	j.suggestions = opts
	j.name.SetOptions(opts)
}

// timeEntry selects all its text when it gets the focus, so typing a new time replaces the
// one filled in rather than adding to it.
type timeEntry struct {
	navEntry
}

func (u *UI) newTimeEntry() *timeEntry {
	e := &timeEntry{navEntry{pass: u.runShortcut}}
	e.ExtendBaseWidget(e)
	return e
}

func (e *timeEntry) FocusGained() {
	e.navEntry.FocusGained()
	e.TypedShortcut(&fyne.ShortcutSelectAll{})
}

// noteEntry is a multi-line entry that Tab leaves, as it does every other field: a person
// using the keyboard must be able to reach Save. (A tab inside a note is of no use.)
type noteEntry struct {
	navEntry
}

func (u *UI) newNoteEntry() *noteEntry {
	e := &noteEntry{navEntry{pass: u.runShortcut}}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	return e
}

func (e *noteEntry) AcceptsTab() bool { return false }
