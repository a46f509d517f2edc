package app

// The Journal's entry form: a symptom, a mood or a free note, new or edited. It takes the
// timeline's place while open. What a person types is never thrown away: Back keeps the
// draft for the next "Add", and editing an entry puts the draft aside until it is done.

import (
	"context"
	"errors"
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

// moodChoices are words.Moods in the running language.
func moodChoices() []string {
	var out []string
	for _, m := range words.Moods() {
		out = append(out, words.Mood(m))
	}
	return out
}

// storedName is what to store for a symptom (or, for mood, a mood) typed or chosen: the
// English word of a choice shown in the running language ("Kopfschmerzen" → "Headache"), so
// entries name a common symptom alike in every language; anything else as it was typed. A
// search looks for either (kind "").
func storedName(kind data.Kind, name string) string {
	if tr.Lang() == "en" {
		return name
	}
	k := strings.ToLower(strings.TrimSpace(name))
	if k == "" {
		return name
	}
	if kind != data.KindMood {
		for _, w := range data.CommonSymptoms {
			if strings.ToLower(words.Symptom(w)) == k {
				return w
			}
		}
	}
	if kind != data.KindSymptom {
		for _, w := range words.Moods() {
			if strings.ToLower(words.Mood(w)) == k {
				return w
			}
		}
	}
	return name
}

type journalForm struct {
	kind    data.Kind
	editing *data.Entry // nil while adding
	draft   *formDraft  // the new entry typed so far, put aside while editing another

	formTitle   *widget.Label
	kindSymptom *widget.Button
	kindMood    *widget.Button
	kindNote    *widget.Button
	kindRow     *fyne.Container

	nameLabel   *widget.Label
	nameBlock   *fyne.Container
	name        *navSelectEntry
	suggestions []string // what name offers for a symptom
	nameErr     *widget.Label
	sevBlock    *fyne.Container
	severity    *severityPicker
	sevLabel    *widget.Label
	sevRow      *fyne.Container // holds sevLabel: re-laid out when it changes
	sevErr      *widget.Label
	when        *timeEntry
	whenFilled  string // what the app put in when; left as it is, it means "now" (or, editing, the entry's time)
	whenErr     *widget.Label
	durBlock    *fyne.Container
	duration    *navEntry
	durationErr *widget.Label
	noteLabel   *widget.Label
	note        *noteEntry
	noteErr     *widget.Label
	save        *widget.Button
	back        *widget.Button
	saving      bool
}

// formDraft is what the form holds, to put back later.
type formDraft struct {
	kind                       data.Kind
	name, when, duration, note string
	whenFilled                 string
	severity                   int
}

func (u *UI) buildJournalForm(j *journalScreen) fyne.CanvasObject {
	j.kind = data.KindSymptom
	j.formTitle = subheading(tr.T("journal.form_add"))
	j.kindSymptom = widget.NewButton(tr.T("journal.kind_symptom"), func() { u.setKind(data.KindSymptom) })
	j.kindMood = widget.NewButton(tr.T("journal.kind_mood"), func() { u.setKind(data.KindMood) })
	j.kindNote = widget.NewButton(tr.T("journal.kind_note"), func() { u.setKind(data.KindNote) })
	j.kindRow = container.NewHBox(tall(j.kindSymptom), tall(j.kindMood), tall(j.kindNote))

	for _, s := range data.CommonSymptoms {
		j.suggestions = append(j.suggestions, words.Symptom(s))
	}
	j.name = u.newSelectEntry(j.suggestions)
	j.name.SetPlaceHolder(tr.T("journal.symptom_example"))
	j.name.OnChanged = func(string) { say(j.nameErr, ""); j.clearStatus() }
	j.nameErr = message()
	j.nameLabel = subheading(tr.T("journal.what_feel"))
	j.nameBlock = container.NewStack(labelled(j.nameLabel, j.name, j.nameErr))

	j.sevLabel = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	j.sevErr = message()
	j.severity = newSeverityPicker(func(int) { u.severityChanged() })
	j.sevRow = container.NewBorder(nil, nil, fieldLabel(tr.T("journal.how_strong")), j.sevLabel)
	scale := container.NewBorder(nil, nil, caption(tr.T("journal.scale_low")), caption(tr.T("journal.scale_high")))
	j.sevBlock = container.NewStack(labelled(j.sevRow, j.severity, scale, j.sevErr))

	j.when = u.newTimeEntry()
	j.fillWhen(u.now())
	j.when.OnChanged = func(string) { say(j.whenErr, ""); j.clearStatus() }
	j.whenErr = message()
	j.duration = u.newEntry()
	j.duration.SetPlaceHolder(tr.T("journal.duration_example"))
	j.duration.OnChanged = func(string) { say(j.durationErr, ""); j.clearStatus() }
	j.durationErr = message()
	j.durBlock = container.NewStack(labelled(fieldLabel(tr.T("journal.how_long")), j.duration, j.durationErr))

	j.note = u.newNoteEntry()
	j.note.SetMinRowsVisible(3)
	j.note.SetPlaceHolder(tr.T("journal.note_hint_symptom"))
	j.note.OnChanged = func(string) { say(j.noteErr, ""); j.clearStatus() }
	j.noteErr = message()
	j.noteLabel = fieldLabel(tr.T("journal.note_optional"))

	j.save = widget.NewButtonWithIcon(tr.T("journal.save"), theme.ConfirmIcon(), u.saveEntry)
	j.save.Importance = widget.HighImportance
	j.back = widget.NewButtonWithIcon(tr.T("journal.back"), theme.NavigateBackIcon(), u.closeForm)

	u.severityChanged()
	u.setKind(data.KindSymptom)
	// Side by side at ordinary text sizes; stacked at large ones, to fit 1000 px.
	var top fyne.CanvasObject = container.NewBorder(nil, nil, j.formTitle, j.kindRow)
	whenAndHowLong := container.NewGridWithColumns(2, labelled(fieldLabel(tr.T("journal.when")), j.when, j.whenErr), j.durBlock)
	if u.textScale() > largeText {
		top = container.NewVBox(j.formTitle, j.kindRow)
		whenAndHowLong = container.NewVBox(labelled(fieldLabel(tr.T("journal.when")), j.when, j.whenErr), j.durBlock)
	}
	form := container.NewVBox(
		top,
		j.nameBlock,
		j.sevBlock,
		whenAndHowLong,
		labelled(j.noteLabel, j.note, j.noteErr),
	)
	// Save stays in sight below the fields, however long the note or large the text.
	buttons := container.NewHBox(tall(j.save), tall(j.back), layout.NewSpacer())
	return container.NewBorder(nil, buttons, nil, nil, container.NewVScroll(form))
}

// setKind shows the fields of a symptom, a mood or a note. What is typed stays.
func (u *UI) setKind(k data.Kind) {
	j := u.journal
	j.kind = k
	for _, b := range []struct {
		k data.Kind
		b *widget.Button
	}{{data.KindSymptom, j.kindSymptom}, {data.KindMood, j.kindMood}, {data.KindNote, j.kindNote}} {
		if b.k == k {
			b.b.Importance = widget.HighImportance
		} else {
			b.b.Importance = widget.MediumImportance
		}
		b.b.Refresh()
	}
	for _, l := range []*widget.Label{j.nameErr, j.sevErr, j.durationErr, j.noteErr} {
		say(l, "")
	}
	switch k {
	case data.KindSymptom:
		j.nameLabel.SetText(tr.T("journal.what_feel"))
		j.name.SetPlaceHolder(tr.T("journal.symptom_example"))
		j.name.SetOptions(j.suggestions)
		j.nameBlock.Show()
		j.sevBlock.Show()
		j.durBlock.Show()
		j.noteLabel.SetText(tr.T("journal.note_optional"))
		j.note.SetPlaceHolder(tr.T("journal.note_hint_symptom"))
	case data.KindMood:
		j.nameLabel.SetText(tr.T("journal.how_mood"))
		j.name.SetPlaceHolder(tr.T("journal.mood_example"))
		j.name.SetOptions(moodChoices())
		j.nameBlock.Show()
		j.sevBlock.Hide()
		j.durBlock.Hide()
		j.noteLabel.SetText(tr.T("journal.note_optional"))
		j.note.SetPlaceHolder(tr.T("journal.note_hint_mood"))
	case data.KindNote:
		j.nameBlock.Hide()
		j.sevBlock.Hide()
		j.durBlock.Hide()
		j.noteLabel.SetText(tr.T("journal.your_note"))
		j.note.SetPlaceHolder(tr.T("journal.note_hint_note"))
	}
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

// openForm shows the form for a new entry (e nil) or to edit e.
func (u *UI) openForm(e *data.Entry) {
	j := u.journal
	if j == nil || j.saving {
		return
	}
	say(j.status, "")
	if e == nil {
		if j.editing != nil {
			j.restoreDraft()
		}
		j.formTitle.SetText(tr.T("journal.form_add"))
		j.kindRow.Show()
	} else {
		if j.editing == nil {
			d := j.takeDraft()
			j.draft = &d
		}
		c := *e
		j.editing = &c
		j.fillFrom(c)
		j.formTitle.SetText(tr.T("journal.form_edit"))
		j.kindRow.Hide()
	}
	u.setKind(j.kind)
	u.severityChanged()
	j.timeline.Hide()
	j.form.Show()
	if j.kind == data.KindNote {
		u.focus(j.note)
	} else {
		u.focus(j.name)
	}
}

// closeForm goes back to the timeline, keeping a new entry's draft for later.
func (u *UI) closeForm() {
	j := u.journal
	if j == nil || j.saving {
		return
	}
	if j.editing != nil {
		j.restoreDraft()
		u.setKind(j.kind)
		u.severityChanged()
	}
	j.form.Hide()
	j.timeline.Show()
	u.focus(j.add)
}

func (j *journalScreen) takeDraft() formDraft {
	return formDraft{kind: j.kind, name: j.name.Text, when: j.when.Text, whenFilled: j.whenFilled,
		duration: j.duration.Text, note: j.note.Text, severity: j.severity.Selected()}
}

// restoreDraft puts back the new entry put aside by editing.
func (j *journalScreen) restoreDraft() {
	j.editing = nil
	d := j.draft
	j.draft = nil
	if d == nil {
		return
	}
	j.kind = d.kind
	j.name.SetText(d.name)
	j.when.SetText(d.when)
	j.whenFilled = d.whenFilled
	j.duration.SetText(d.duration)
	j.note.SetText(d.note)
	j.severity.SetSelected(d.severity)
	for _, l := range []*widget.Label{j.nameErr, j.sevErr, j.whenErr, j.durationErr, j.noteErr} {
		say(l, "")
	}
}

// fillFrom puts an entry in the form to edit.
func (j *journalScreen) fillFrom(e data.Entry) {
	j.kind = e.Kind
	switch e.Kind {
	case data.KindSymptom:
		j.name.SetText(words.Symptom(e.Name))
	case data.KindMood:
		j.name.SetText(words.Mood(e.Name))
	default:
		j.name.SetText(e.Name)
	}
	j.whenFilled = e.At.In(j.store.Location()).Format(whenLayout)
	j.when.SetText(j.whenFilled)
	j.duration.SetText(durationField(e.Duration))
	j.note.SetText(e.Note)
	if e.Severity != nil {
		j.severity.SetSelected(*e.Severity)
	} else {
		j.severity.SetSelected(-1)
	}
	for _, l := range []*widget.Label{j.nameErr, j.sevErr, j.whenErr, j.durationErr, j.noteErr} {
		say(l, "")
	}
}

// readForm checks the form and shows what is wrong next to each field. It returns the entry
// to add, or to store over the one edited (then with its ID).
func (u *UI) readForm() (data.Entry, bool) {
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
	e := data.Entry{Kind: j.kind, Name: storedName(j.kind, j.name.Text), Note: j.note.Text}
	if j.editing != nil {
		e.ID = j.editing.ID
	}
	switch j.kind {
	case data.KindSymptom:
		if strings.TrimSpace(e.Name) == "" {
			fail(j.nameErr, msgNoName(), j.name)
		}
		if n := j.severity.Selected(); n < 0 {
			fail(j.sevErr, msgNoSeverity(), j.severity)
		} else {
			e.Severity = &n
		}
	case data.KindMood:
		if strings.TrimSpace(e.Name) == "" {
			fail(j.nameErr, msgNoMood(), j.name)
		}
	case data.KindNote:
		e.Name = ""
		if strings.TrimSpace(e.Note) == "" {
			fail(j.noteErr, msgNoNote(), j.note)
		}
	}
	when := j.when.Text
	untouched := strings.TrimSpace(when) == j.whenFilled
	if untouched {
		// Untouched: the form may have been open a while, so "now" is now, not then.
		when = ""
	}
	at, err := parseWhen(when, u.now(), j.store.Location())
	switch {
	case err != nil:
		fail(j.whenErr, err.Error(), j.when)
	case untouched && j.editing != nil:
		at = j.editing.At // an edit keeps the entry's time unless it is changed
	}
	e.At = at
	if j.kind == data.KindSymptom {
		d, err := parseDuration(j.duration.Text)
		if err != nil {
			fail(j.durationErr, err.Error(), j.duration)
		}
		e.Duration = d
	}
	if ok {
		if err := validateInput(e); err != nil {
			fail(j.status, inputMessage(err), j.name)
			j.status.Importance = widget.DangerImportance
			j.status.Refresh()
		}
	}
	if focus != nil {
		u.focus(focus)
	}
	return e, ok
}

// validateInput runs the store's own checks, so the form says what is wrong before saving.
func validateInput(e data.Entry) error {
	var err error
	switch e.Kind {
	case data.KindSymptom:
		_, err = data.ValidateSymptom(data.Symptom{Name: e.Name, Severity: *e.Severity, Duration: e.Duration, Note: e.Note})
	case data.KindMood:
		_, err = data.ValidateMood(data.Mood{Word: e.Name, Note: e.Note})
	case data.KindNote:
		_, err = data.ValidateJournalNote(data.JournalNote{Text: e.Note})
	}
	return err
}

func (j *journalScreen) setSaving(on bool) {
	j.saving = on
	setEnabled(!on, j.name, j.severity, j.when, j.duration, j.note, j.save, j.back,
		j.kindSymptom, j.kindMood, j.kindNote)
	if on {
		j.save.SetText(tr.T("journal.saving"))
	} else {
		j.save.SetText(tr.T("journal.save"))
	}
}

// saveEntry writes the form's entry to the journal: a new one, or over the one edited.
func (u *UI) saveEntry() {
	j := u.journal
	if j == nil || j.saving {
		return
	}
	say(j.status, "")
	e, ok := u.readForm()
	if !ok {
		return
	}
	j.setSaving(true)
	st := j.store
	editing := j.editing != nil
	background(j.prof, func(ctx context.Context) (data.Entry, error) {
		switch {
		case editing:
			return st.UpdateEntry(ctx, e)
		case e.Kind == data.KindMood:
			return st.AddMood(ctx, data.Mood{Word: e.Name, At: e.At, Note: e.Note})
		case e.Kind == data.KindNote:
			return st.AddJournalNote(ctx, data.JournalNote{Text: e.Note, At: e.At})
		}
		return st.AddSymptom(ctx, data.Symptom{Name: e.Name, Severity: *e.Severity, At: e.At, Duration: e.Duration, Note: e.Note})
	}, func(saved data.Entry, err error) {
		if u.journal != j {
			return
		}
		j.setSaving(false)
		if err != nil {
			// Never the entry's text: the message says what rule broke, or nothing.
			msg := msgSaveFailed()
			if errors.Is(err, data.ErrInvalid) {
				msg = inputMessage(err)
			}
			j.status.Importance = widget.DangerImportance
			say(j.status, msg)
			return
		}
		if saved.Kind == data.KindSymptom {
			u.noteUsed(saved.Name)
		}
		if editing {
			j.remove(saved.ID)
		} else {
			j.total++
			u.resetForm()
		}
		u.closeForm()
		i, shown := j.place(saved)
		if shown {
			j.insertAt(i, saved)
			j.selectEntry(saved.ID)
		} else {
			j.refreshList()
		}
		j.status.Importance = widget.SuccessImportance
		switch {
		case editing:
			say(j.status, tr.T("journal.saved_changes"))
		case !shown && (j.query != "" || j.filter != (data.EntryFilter{})):
			say(j.status, tr.T("journal.saved_hidden"))
		case shown && i == 0:
			say(j.status, tr.T("journal.saved_top"))
		default:
			say(j.status, tr.T("journal.saved_in_order"))
		}
		u.focus(j.add)
	})
}

// resetForm empties the form for the next entry, with the time set to now.
func (u *UI) resetForm() {
	j := u.journal
	j.name.SetText("")
	j.severity.SetSelected(-1)
	u.severityChanged()
	j.fillWhen(u.now())
	j.duration.SetText("")
	j.note.SetText("")
	for _, l := range []*widget.Label{j.nameErr, j.sevErr, j.whenErr, j.durationErr, j.noteErr} {
		say(l, "")
	}
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

// keptJournalDraft is a new entry typed in the Journal, kept by its profile while another
// screen (the lock screen, another profile) is shown.
type keptJournalDraft struct {
	draft    formDraft
	formOpen bool
}

// keepJournalDraft keeps the Journal's unsaved new entry as the screen goes. (An edit of an
// existing entry is not kept: the entry itself is still there.)
func (u *UI) keepJournalDraft() {
	j := u.journal
	if j == nil || j.name == nil {
		return
	}
	d := j.draft
	if j.editing == nil {
		taken := j.takeDraft()
		d = &taken
	}
	if d == nil || (d.name == "" && d.note == "" && d.duration == "" && d.severity < 0 && d.when == d.whenFilled) {
		j.prof.journalDraft = nil
		return
	}
	j.prof.journalDraft = &keptJournalDraft{draft: *d, formOpen: j.form.Visible() && j.editing == nil}
}

// restoreJournalDraft puts a kept draft back in a newly shown Journal.
func (u *UI) restoreJournalDraft(j *journalScreen) {
	k := j.prof.journalDraft
	j.prof.journalDraft = nil
	if k == nil {
		return
	}
	d := k.draft
	j.draft = &d
	j.restoreDraft()
	if k.formOpen {
		u.openForm(nil)
	}
}
