package app

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/app/words"
	"github.com/patient-companion/companion/data"
)

func msgMedsLoading() string    { return tr.T("medicines.loading") }
func msgMedsLoadFailed() string { return tr.T("medicines.load_failed") }
func msgMedsEmpty() string      { return tr.T("medicines.empty") }
func msgMedsDamaged() string    { return tr.T("medicines.damaged") }
func msgArchiveFailed() string  { return tr.T("medicines.archive_failed") }

// medicationsScreen lists the profile's medicines with how today and the last 30 days went,
// and holds the add / edit form while it is open (in place of the list, so the form has the
// whole width and nothing behind it to lose track of).
type medicationsScreen struct {
	screenBase
	loaded bool

	status   *widget.Label // loading, failure or the empty state
	retry    *widget.Button
	retryBox *fyne.Container // holds retry; hidden with it (tall keeps its height)
	warning  *widget.Label   // some records damaged
	notice   *widget.Label   // what the last action did: "Saved: Metformin."
	add      *widget.Button
	list     *fyne.Container
	rows     []*medRow
	archived []*medRow

	listView fyne.CanvasObject
	body     *fyne.Container // listView, or the form's box
	scroll   *container.Scroll
	form     *medForm // nil while the list shows

	// The archive confirmation, while it shows.
	confirm                   *dialog.CustomDialog
	confirmYes, confirmCancel *widget.Button
}

// medRow is one medicine in the list.
type medRow struct {
	info      medInfo
	name      *widget.Label
	schedule  *widget.Label
	today     *widget.Label
	adherence *widget.Label
	changed   *widget.Label     // "Your clinic changed the dose", nil otherwise
	review    *widget.Button    // opens the change to review, nil otherwise
	stock     *widget.Label     // nil when no stock is kept (refill.go)
	refill    *refillBox        // nil unless a refill is due
	bar       fyne.CanvasObject // nil when there is nothing to draw
	edit      *widget.Button    // nil for archived ones
	archive   *widget.Button    // nil for archived ones
	restore   *widget.Button    // nil for active ones
	box       fyne.CanvasObject
}

func (u *UI) showMedications() {
	b, ok := u.newScreen(navMedications)
	if !ok {
		return
	}
	s := &medicationsScreen{screenBase: b}
	u.medications = s

	s.status = paragraph(msgMedsLoading())
	s.retry = widget.NewButton(tr.T("medicines.try_again"), u.loadMedications)
	s.retryBox = container.NewCenter(tall(s.retry))
	s.retryBox.Hide()
	s.warning = paragraph("")
	s.warning.Importance = widget.WarningImportance
	s.warning.Hide()
	s.notice = paragraph("")
	s.notice.Hide()
	s.add = widget.NewButtonWithIcon(tr.T("medicines.add"), theme.ContentAddIcon(), func() { u.openMedForm(data.Medication{}) })
	s.add.Importance = widget.HighImportance
	s.list = container.NewVBox()
	s.listView = container.NewVBox(s.warning, s.notice, container.NewHBox(tall(s.add)), s.status, s.retryBox, s.list)
	s.body = container.NewStack(s.listView)
	s.scroll = container.NewVScroll(container.NewPadded(column(760, s.body)))
	u.setContent(u.frame(b, s.scroll))
	if d := s.prof.medDraft; d != nil {
		// Back from another screen with the form still open: it comes back as it was left.
		s.form = d
		s.body.Objects = []fyne.CanvasObject{d.box}
		s.body.Refresh()
	}
	u.loadMedications()
}

// medInfo is one medicine as read for the list.
type medInfo struct {
	med   data.Medication
	today string // today's status, empty for archived ones
	adh   remind.Adherence
	// changed: added from the clinic's record, which now has another dosage (recordmed.go).
	changed *doseChange
	// supply is the stock as at now (refill.go).
	supply remind.Supply
	now    time.Time
}

// medsData is what one load of the list read.
type medsData struct {
	meds    []medInfo
	damaged bool
}

// loadMedicationsData reads the medicines and their recent doses and works out each one's
// status today and its adherence.
func loadMedicationsData(ctx context.Context, st *data.Store, now time.Time) (medsData, error) {
	var md medsData
	var te *data.TamperedError
	meds, err := st.ListMedications(ctx)
	if errors.As(err, &te) {
		md.damaged = true
	} else if err != nil {
		return md, err
	}
	// A day either side covers late answers and doses answered early.
	events, err := st.DoseEvents(ctx, "", now.AddDate(0, 0, -remind.AdherenceDays-1), now.AddDate(0, 0, 2))
	if errors.As(err, &te) {
		md.damaged = true
	} else if err != nil {
		return md, err
	}
	byMed := map[string][]data.DoseEvent{}
	for _, ev := range events {
		byMed[ev.MedicationID] = append(byMed[ev.MedicationID], ev)
	}
	changes, err := recordChanges(ctx, st, meds)
	if err != nil {
		return md, err
	}
	loc := st.Location()
	for _, m := range meds {
		evs := byMed[m.ID]
		mi := medInfo{med: m, today: todayStatus(m, evs, loc, now), adh: remind.MedAdherence(m, evs, loc, now),
			supply: remind.SupplyOf(m, loc, now), now: now}
		if c, ok := changes[m.ID]; ok {
			mi.changed = &c
		}
		md.meds = append(md.meds, mi)
	}
	return md, nil
}

// todayStatus sums up a medicine's day: "Taken 08:00 · next 20:00", "Missed 08:00",
// "As needed". events must cover remind.TodaySpan.
func todayStatus(m data.Medication, events []data.DoseEvent, loc *time.Location, now time.Time) string {
	if m.Archived {
		return ""
	}
	if m.AsNeeded {
		dayStart, dayEnd := remind.Day(now, loc)
		var last time.Time
		for _, ev := range events {
			if ev.ScheduledAt.IsZero() && ev.State == data.DoseTaken && !ev.At.Before(dayStart) && ev.At.Before(dayEnd) && ev.At.After(last) {
				last = ev.At
			}
		}
		if last.IsZero() {
			return tr.T("medicines.as_needed")
		}
		return tr.T("medicines.as_needed_last", tr.Args{"Time": tr.Format(last.In(loc), tr.Clock)})
	}
	ms, err := remind.NewMedSchedule(m, loc)
	if err != nil {
		return tr.T("medicines.schedule_unusable")
	}
	var parts []string
	next := ""
	for _, d := range ms.DayDoses(remind.NewEvents(events), now) {
		clock := tr.Args{"Time": tr.Format(d.At.In(loc), tr.Clock)}
		switch d.Status {
		case remind.Taken:
			if d.Event.Late() {
				parts = append(parts, tr.T("medicines.taken_late_at", clock))
			} else {
				parts = append(parts, tr.T("medicines.taken_at", clock))
			}
		case remind.Skipped:
			parts = append(parts, tr.T("medicines.skipped_at", clock))
		case remind.Upcoming:
			if next == "" {
				next = clock["Time"].(string)
			}
		case remind.Missed:
			parts = append(parts, tr.T("medicines.missed_at", clock))
		default: // waiting: due, late, snoozed
			parts = append(parts, tr.T("medicines.due_at", clock))
		}
	}
	switch {
	case next != "" && len(parts) == 0:
		return tr.T("medicines.next_today", tr.Args{"Time": next})
	case next != "":
		return tr.T("medicines.done_then_next", tr.Args{"Done": strings.Join(parts, " · "), "Time": next})
	case len(parts) > 0:
		return strings.Join(parts, " · ")
	}
	if o, ok := ms.Next(now); ok {
		return tr.T("medicines.nothing_today", tr.Args{"When": tr.Format(o.At.In(loc), tr.DayClock)})
	}
	return tr.T("medicines.schedule_ended")
}

// adherenceText says how the last 30 days went.
func adherenceText(m data.Medication, a remind.Adherence) string {
	if m.AsNeeded {
		if a.AsNeeded == 0 {
			return tr.T("medicines.adherence_none")
		}
		return tr.N("medicines.adherence_as_needed", a.AsNeeded, tr.Args{"Times": tr.Int(a.AsNeeded)})
	}
	if a.Total() == 0 {
		return tr.T("medicines.adherence_nothing_yet")
	}
	// Each count agrees with its own number ("1 tomada", "2 tomadas"); the four are a list.
	parts := []string{tr.N("medicines.adh_taken", a.Taken), tr.N("medicines.adh_late", a.Late),
		tr.N("medicines.adh_skipped", a.Skipped), tr.N("medicines.adh_missed", a.Missed)}
	return tr.T("medicines.adherence", tr.Args{"Counts": strings.Join(parts, " · ")})
}

// loadMedications reads the list again.
func (u *UI) loadMedications() {
	s := u.medications
	if s == nil {
		return
	}
	s.retryBox.Hide()
	if !s.loaded {
		say(s.status, msgMedsLoading())
	}
	st := s.store
	now := u.now()
	background(s.prof, func(ctx context.Context) (medsData, error) {
		return loadMedicationsData(ctx, st, now)
	}, func(md medsData, err error) {
		if u.medications != s {
			return
		}
		if err != nil {
			if !s.loaded {
				say(s.status, msgMedsLoadFailed())
				s.retryBox.Show()
			} else {
				// The list on screen is the last one read; say it may be out of date.
				s.notice.Importance = widget.DangerImportance
				say(s.notice, msgMedsLoadFailed())
			}
			return
		}
		s.loaded = true
		if md.damaged {
			say(s.warning, msgMedsDamaged())
		} else {
			say(s.warning, "")
		}
		u.fillMedications(s, md)
	})
}

func (u *UI) fillMedications(s *medicationsScreen, md medsData) {
	loc := s.store.Location()
	s.rows, s.archived = nil, nil
	for _, mi := range md.meds {
		if mi.med.Archived {
			s.archived = append(s.archived, u.newMedRow(mi, loc))
		} else {
			s.rows = append(s.rows, u.newMedRow(mi, loc))
		}
	}
	var objs []fyne.CanvasObject
	if len(s.rows) == 0 {
		say(s.status, msgMedsEmpty())
	} else {
		say(s.status, "")
		objs = append(objs, subheading(tr.T("medicines.yours")))
		for _, r := range s.rows {
			objs = append(objs, r.box, widget.NewSeparator())
		}
	}
	if len(s.archived) > 0 {
		objs = append(objs, subheading(tr.T("medicines.archived")),
			paragraph(tr.T("medicines.archived_about")))
		for _, r := range s.archived {
			objs = append(objs, r.box, widget.NewSeparator())
		}
	}
	s.list.Objects = objs
	s.list.Refresh()
}

func (u *UI) newMedRow(mi medInfo, loc *time.Location) *medRow {
	m := mi.med
	r := &medRow{info: mi}
	name := m.Name
	if m.Strength != "" {
		name += " " + m.Strength // both as the person wrote them
	}
	r.name = widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.name.Wrapping = fyne.TextWrapWord
	r.schedule = paragraph(scheduleSummary(m))
	r.today = paragraph(mi.today)
	if m.Archived {
		text := tr.T("medicines.archived_not_reminded")
		if !m.ArchivedAt.IsZero() {
			text = tr.T("medicines.archived_on", tr.Args{"Date": tr.Format(m.ArchivedAt.In(loc), tr.DayMonthYear)})
		}
		r.today.SetText(text)
	}
	r.adherence = paragraph(adherenceText(m, mi.adh))
	texts := []fyne.CanvasObject{r.name, r.schedule, r.today, r.adherence}
	if c := mi.changed; c != nil {
		r.changed = widget.NewLabelWithStyle(doseChangedText(*c), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		r.changed.Wrapping = fyne.TextWrapWord
		r.changed.Importance = widget.WarningImportance
		r.review = widget.NewButtonWithIcon(tr.T("medicines.review_change"), theme.WarningIcon(), func() { u.reviewDoseChange(m, *c) })
		texts = append([]fyne.CanvasObject{r.name, r.changed}, texts[1:]...)
	}
	if mi.supply.Kept && !m.Archived {
		r.stock = paragraph(mi.supply.Line(loc, mi.now))
		texts = append(texts, r.stock)
		if mi.supply.RefillDue(loc, mi.now) {
			r.refill = u.newRefillBox(u.medications.prof, u.medications.store, m, mi.supply, mi.now)
			texts = append(texts, r.refill.box)
		}
	}
	if !m.AsNeeded && mi.adh.Total() > 0 {
		r.bar = adherenceBar(mi.adh)
		texts = append(texts, container.NewPadded(r.bar))
	}
	var buttons *fyne.Container
	if m.Archived {
		r.restore = widget.NewButtonWithIcon(tr.T("medicines.restore"), theme.ContentUndoIcon(), func() { u.setArchived(r, false) })
		buttons = container.NewHBox(tall(r.restore))
	} else {
		r.edit = widget.NewButtonWithIcon(tr.T("medicines.edit"), theme.DocumentCreateIcon(), func() { u.openMedForm(m) })
		r.archive = widget.NewButton(tr.T("medicines.archive"), func() { u.confirmArchive(r) })
		buttons = container.NewHBox(tall(r.edit), tall(r.archive))
	}
	var text fyne.CanvasObject = container.New(layout.NewCustomPaddedVBoxLayout(-12), texts...)
	if r.review != nil {
		text = container.NewVBox(text, container.NewHBox(tall(r.review)))
	}
	if u.largeText() {
		// Large text needs the whole width: the buttons go under it.
		r.box = container.NewVBox(text, buttons)
	} else {
		r.box = container.NewBorder(nil, nil, nil, container.NewVBox(buttons), text)
	}
	return r
}

// scheduleSummary is the dose, the schedule and the instructions in words, for the list:
// "1 tablet · 08:00, 20:00 every day from 25 Nov 2025 · with food".
func scheduleSummary(m data.Medication) string {
	var parts []string
	switch dose, form := m.Dose, m.Form; {
	case dose != "" && form != "" && !strings.Contains(strings.ToLower(dose), strings.ToLower(form)):
		parts = append(parts, tr.T("medicines.dose_form", tr.Args{"Dose": dose, "Form": form}))
	case dose != "":
		parts = append(parts, dose)
	case form != "":
		parts = append(parts, form)
	}
	if m.AsNeeded {
		parts = append(parts, tr.T("medicines.only_when_needed"))
	} else {
		parts = append(parts, words.Schedule(m))
	}
	if m.Instructions != "" {
		parts = append(parts, m.Instructions)
	}
	return upperFirst(strings.Join(parts, " · "))
}

// upperFirst writes s's first letter as a capital (a letter outside ASCII too).
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// adherenceBar draws taken, late, skipped and missed as parts of one bar, so the month can
// be read at a glance; the words above it give the numbers.
func adherenceBar(a remind.Adherence) fyne.CanvasObject {
	parts := []struct {
		n int
		c fyne.ThemeColorName
	}{{a.Taken, theme.ColorNameSuccess}, {a.Late, theme.ColorNameWarning}, {a.Skipped, theme.ColorNameDisabled}, {a.Missed, theme.ColorNameError}}
	l := &barLayout{}
	c := &fyne.Container{Layout: l}
	for _, p := range parts {
		if p.n == 0 {
			continue
		}
		rect := canvas.NewRectangle(theme.Color(p.c))
		l.weights = append(l.weights, float32(p.n))
		c.Objects = append(c.Objects, rect)
	}
	return c
}

// barLayout lays its objects side by side, each as wide as its share of the weights.
type barLayout struct{ weights []float32 }

const barHeight = 10

func (l *barLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(40, barHeight) }

func (l *barLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	var total float32
	for _, w := range l.weights {
		total += w
	}
	x := float32(0)
	for i, o := range objects {
		if i >= len(l.weights) || total == 0 {
			o.Hide()
			continue
		}
		w := size.Width * l.weights[i] / total
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, barHeight))
		x += w
	}
}

// confirmArchive asks before archiving, saying that nothing recorded is lost.
func (u *UI) confirmArchive(r *medRow) {
	s := u.medications
	if s == nil {
		return
	}
	name := r.info.med.Name
	text := paragraph(tr.T("medicines.archive_confirm", tr.Args{"Name": name}))
	s.confirmCancel = widget.NewButton(tr.T("medicines.keep_it"), nil)
	s.confirmYes = widget.NewButton(tr.T("medicines.archive"), nil)
	s.confirmYes.Importance = widget.HighImportance
	content := container.NewVBox(fixedWidth(460, text), container.NewHBox(layout.NewSpacer(), tall(s.confirmCancel), tall(s.confirmYes)))
	d := dialog.NewCustomWithoutButtons(tr.T("medicines.archive_title", tr.Args{"Name": name}), content, u.win)
	s.confirm = d
	s.confirmCancel.OnTapped = func() { d.Hide(); s.confirm = nil }
	s.confirmYes.OnTapped = func() {
		d.Hide()
		s.confirm = nil
		u.setArchived(r, true)
	}
	d.Show()
}

// setArchived archives or restores a medicine, then lists again.
func (u *UI) setArchived(r *medRow, archived bool) {
	s := u.medications
	if s == nil {
		return
	}
	for _, b := range []*widget.Button{r.archive, r.restore, r.edit} {
		if b != nil {
			b.Disable()
		}
	}
	st := s.store
	id := r.info.med.ID
	background(s.prof, func(ctx context.Context) (data.Medication, error) {
		return st.ArchiveMedication(ctx, id, archived)
	}, func(m data.Medication, err error) {
		if u.medications != s {
			return
		}
		if err != nil {
			for _, b := range []*widget.Button{r.archive, r.restore, r.edit} {
				if b != nil {
					b.Enable()
				}
			}
			s.notice.Importance = widget.DangerImportance
			say(s.notice, msgArchiveFailed())
			return
		}
		s.notice.Importance = widget.MediumImportance
		if archived {
			say(s.notice, tr.T("medicines.archived_notice", tr.Args{"Name": m.Name}))
		} else {
			say(s.notice, tr.T("medicines.restored_notice", tr.Args{"Name": m.Name}))
		}
		u.loadMedications()
	})
}

// fixedWidthLayout gives its content a set width (and the height it asks for), so wrapping
// text in a dialog or a short field in a row has a sensible size.
type fixedWidthLayout struct{ width float32 }

func (l fixedWidthLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(l.width, 0)
	for _, o := range objects {
		if o.Size().Width == 0 {
			// A wrapping label measures its height at its current width: give it ours
			// before it is first laid out, or a dialog opens as tall as one word a line.
			o.Resize(fyne.NewSize(l.width, o.MinSize().Height))
		}
		s.Height = max(s.Height, o.MinSize().Height)
	}
	return s
}

func (l fixedWidthLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func fixedWidth(w float32, o fyne.CanvasObject) fyne.CanvasObject {
	return &fyne.Container{Layout: fixedWidthLayout{width: w}, Objects: []fyne.CanvasObject{o}}
}
