package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/data"
)

const (
	msgMedsLoading    = "Loading your medicines…"
	msgMedsLoadFailed = "Your medicines could not be read just now. Please try again."
	msgMedsEmpty      = "No medicines yet — add your first one with 'Add a medicine'."
	msgMedsDamaged    = "Some medicines could not be read because the file was damaged. " +
		"Everything else is shown, and nothing was changed."
	msgArchiveFailed = "That could not be changed just now. Please try again."
)

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

	s.status = paragraph(msgMedsLoading)
	s.retry = widget.NewButton("Try again", u.loadMedications)
	s.retryBox = container.NewCenter(tall(s.retry))
	s.retryBox.Hide()
	s.warning = paragraph("")
	s.warning.Importance = widget.WarningImportance
	s.warning.Hide()
	s.notice = paragraph("")
	s.notice.Hide()
	s.add = widget.NewButtonWithIcon("Add a medicine", theme.ContentAddIcon(), func() { u.openMedForm(data.Medication{}) })
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
			return "As needed"
		}
		return "As needed · last taken today at " + last.In(loc).Format("15:04")
	}
	ms, err := remind.NewMedSchedule(m, loc)
	if err != nil {
		return "This schedule cannot be used: choose Edit to fix it."
	}
	var parts []string
	next := ""
	for _, d := range ms.DayDoses(remind.NewEvents(events), now) {
		clock := d.At.In(loc).Format("15:04")
		switch d.Status {
		case remind.Taken:
			if d.Event.Late() {
				parts = append(parts, "Taken "+clock+" (late)")
			} else {
				parts = append(parts, "Taken "+clock)
			}
		case remind.Skipped:
			parts = append(parts, "Skipped "+clock)
		case remind.Upcoming:
			if next == "" {
				next = clock
			}
		case remind.Missed:
			parts = append(parts, "Missed "+clock)
		default: // waiting: due, late, snoozed
			parts = append(parts, "Due now ("+clock+")")
		}
	}
	switch {
	case next != "" && len(parts) == 0:
		return "Next today at " + next
	case next != "":
		return strings.Join(parts, " · ") + " · next " + next
	case len(parts) > 0:
		return strings.Join(parts, " · ")
	}
	if o, ok := ms.Next(now); ok {
		return "Nothing today · next " + o.At.In(loc).Format("Mon 2 Jan at 15:04")
	}
	return "No more doses: the schedule has ended"
}

// adherenceText says how the last 30 days went.
func adherenceText(m data.Medication, a remind.Adherence) string {
	const head = "Last 30 days: "
	if m.AsNeeded {
		switch a.AsNeeded {
		case 0:
			return head + "none logged"
		case 1:
			return head + "taken once"
		}
		return fmt.Sprintf("%staken %d times", head, a.AsNeeded)
	}
	if a.Total() == 0 {
		return head + "nothing to count yet"
	}
	return fmt.Sprintf("%s%d taken · %d taken late · %d skipped · %d missed", head, a.Taken, a.Late, a.Skipped, a.Missed)
}

// loadMedications reads the list again.
func (u *UI) loadMedications() {
	s := u.medications
	if s == nil {
		return
	}
	s.retryBox.Hide()
	if !s.loaded {
		say(s.status, msgMedsLoading)
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
				say(s.status, msgMedsLoadFailed)
				s.retryBox.Show()
			} else {
				// The list on screen is the last one read; say it may be out of date.
				s.notice.Importance = widget.DangerImportance
				say(s.notice, msgMedsLoadFailed)
			}
			return
		}
		s.loaded = true
		if md.damaged {
			say(s.warning, msgMedsDamaged)
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
		say(s.status, msgMedsEmpty)
	} else {
		say(s.status, "")
		objs = append(objs, subheading("Your medicines"))
		for _, r := range s.rows {
			objs = append(objs, r.box, widget.NewSeparator())
		}
	}
	if len(s.archived) > 0 {
		objs = append(objs, subheading("Archived"),
			paragraph("These are not reminded and not on Today. What you recorded about them is kept."))
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
		name += " " + m.Strength
	}
	r.name = widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.name.Wrapping = fyne.TextWrapWord
	r.schedule = paragraph(scheduleSummary(m))
	r.today = paragraph(mi.today)
	if m.Archived {
		text := "Archived"
		if !m.ArchivedAt.IsZero() {
			text += " on " + m.ArchivedAt.In(loc).Format("2 Jan 2006")
		}
		r.today.SetText(text + " — not reminded")
	}
	r.adherence = paragraph(adherenceText(m, mi.adh))
	texts := []fyne.CanvasObject{r.name, r.schedule, r.today, r.adherence}
	if c := mi.changed; c != nil {
		r.changed = widget.NewLabelWithStyle(doseChangedText(*c), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		r.changed.Wrapping = fyne.TextWrapWord
		r.changed.Importance = widget.WarningImportance
		r.review = widget.NewButtonWithIcon("Review the change", theme.WarningIcon(), func() { u.reviewDoseChange(m, *c) })
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
		r.restore = widget.NewButtonWithIcon("Restore", theme.ContentUndoIcon(), func() { u.setArchived(r, false) })
		buttons = container.NewHBox(tall(r.restore))
	} else {
		r.edit = widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() { u.openMedForm(m) })
		r.archive = widget.NewButton("Archive", func() { u.confirmArchive(r) })
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
// "1 tablet · 08:00, 20:00 every day from 2025-11-25 · with food".
func scheduleSummary(m data.Medication) string {
	var parts []string
	switch dose, form := m.Dose, m.Form; {
	case dose != "" && form != "" && !strings.Contains(strings.ToLower(dose), strings.ToLower(form)):
		parts = append(parts, dose+" ("+form+")")
	case dose != "":
		parts = append(parts, dose)
	case form != "":
		parts = append(parts, form)
	}
	if m.AsNeeded {
		parts = append(parts, "only when needed")
	} else {
		parts = append(parts, m.ScheduleText())
	}
	if m.Instructions != "" {
		parts = append(parts, m.Instructions)
	}
	s := strings.Join(parts, " · ")
	return strings.ToUpper(s[:1]) + s[1:]
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
	text := paragraph(name + " will leave Today and the reminders. Everything you recorded about it is kept, " +
		"and you can bring it back at any time with Restore, under \"Archived\".")
	s.confirmCancel = widget.NewButton("Keep it", nil)
	s.confirmYes = widget.NewButton("Archive", nil)
	s.confirmYes.Importance = widget.HighImportance
	content := container.NewVBox(fixedWidth(460, text), container.NewHBox(layout.NewSpacer(), tall(s.confirmCancel), tall(s.confirmYes)))
	d := dialog.NewCustomWithoutButtons("Archive "+name+"?", content, u.win)
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
			say(s.notice, msgArchiveFailed)
			return
		}
		s.notice.Importance = widget.MediumImportance
		if archived {
			say(s.notice, "Archived: "+m.Name+". Its history is kept; Restore brings it back.")
		} else {
			say(s.notice, "Restored: "+m.Name+". It is reminded again from now.")
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
