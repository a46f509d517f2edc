package app

// The add / edit form of the Medicines screen: the details, a schedule editor for every kind
// of schedule the reminders support, and a live preview of the next reminders.

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/app/words"
	"github.com/patient-companion/companion/data"
)

// The kinds of schedule, as the form offers them: the radio group shows kindLabel of each.
const (
	kindDaily    = "daily"
	kindWeekdays = "weekdays"
	kindEveryN   = "every_n"
	kindTaper    = "taper"
	kindCron     = "cron"
)

// kinds are the kinds in the order the form offers them.
var kinds = [...]string{kindDaily, kindWeekdays, kindEveryN, kindTaper, kindCron}

// kindLabel is how the form words a kind.
func kindLabel(kind string) string {
	switch kind {
	case kindWeekdays:
		return tr.T("medform.kind_weekdays")
	case kindEveryN:
		return tr.T("medform.kind_every_n")
	case kindTaper:
		return tr.T("medform.kind_taper")
	case kindCron:
		return tr.T("medform.kind_cron")
	}
	return tr.T("medform.kind_daily")
}

// selectedKind is the kind chosen in the form.
func (f *medForm) selectedKind() string {
	for _, k := range kinds {
		if kindLabel(k) == f.kind.Selected {
			return k
		}
	}
	return kindDaily
}

// setKind chooses a kind in the form.
func (f *medForm) setKind(kind string) { f.kind.SetSelected(kindLabel(kind)) }

const previewCount = 5

func msgMedSaveFailed() string  { return tr.T("medform.save_failed") }
func msgMedCheckFields() string { return tr.T("medform.check_fields") }
func msgMedNoName() string      { return tr.T("medform.no_name") }
func msgMedBadStock() string    { return tr.T("medform.bad_stock") }
func msgMedBadRefill() string   { return tr.T("medform.bad_refill") }
func msgMedNoTimes() string     { return tr.T("medform.no_times") }
func msgMedNoWeekdays() string  { return tr.T("medform.no_weekdays") }
func msgMedBadEvery() string    { return tr.T("medform.bad_every") }
func msgMedNoCron() string      { return tr.T("medform.no_cron") }
func msgMedStepStart() string   { return tr.T("medform.step_start") }

// weekdayAt is the weekday of check i: Monday first, as calendars here show it.
func weekdayAt(i int) time.Weekday { return time.Weekday((i + 1) % 7) }

// medForm adds a medicine, or edits one (editing.ID set).
type medForm struct {
	editing data.Medication

	heading *widget.Label
	// origin says where a medicine from the clinic's record came from and what to finish
	// (recordmed.go); hidden otherwise.
	origin       *widget.Label
	name         *navEntry
	nameErr      *widget.Label
	strength     *navEntry
	form         *navSelectEntry
	dose         *navEntry
	instructions *navEntry
	asNeeded     *widget.Check
	// The stock (refill.go): units left (empty: none kept) and the refill reminder's days.
	stock, refillDays   *navEntry
	stockErr, refillErr *widget.Label

	kind       *widget.RadioGroup
	schedule   *fyne.Container // hidden for an as-needed medicine
	steps      []*stepEditor
	stepsBox   *fyne.Container
	addStep    *widget.Button
	addStepRow fyne.CanvasObject

	preview    *widget.Label // the next reminders, one a line
	previewMsg *widget.Label // what to fix before there is a preview

	reminders *reminderFields // repeat and heads-up (medform_remind.go)

	state  *widget.Label // why saving failed
	save   *widget.Button
	cancel *widget.Button
	box    fyne.CanvasObject

	// showErrors: a save was refused, so field messages follow the typing until it is fixed.
	showErrors bool
}

// stepEditor is one schedule step: all kinds but a taper use only the first.
type stepEditor struct {
	id string

	heading  *widget.Label
	remove   *widget.Button
	headRow  fyne.CanvasObject // heading and remove, shown for a taper only
	times    []*timeField
	timesBox *fyne.Container
	addTime  *widget.Button
	timesErr *widget.Label
	timesRow fyne.CanvasObject

	weekdays    [7]*widget.Check
	weekdaysErr *widget.Label
	weekdaysRow fyne.CanvasObject

	every    *navEntry
	everyErr *widget.Label
	everyRow fyne.CanvasObject

	cron    *navEntry
	cronErr *widget.Label
	cronRow fyne.CanvasObject

	dose    *navEntry
	doseRow fyne.CanvasObject

	start, end *navEntry
	datesErr   *widget.Label

	box *fyne.Container
}

// timeField is one "HH:MM" of a step with its Remove button.
type timeField struct {
	entry  *navEntry
	remove *widget.Button
	box    fyne.CanvasObject
}

// openMedForm shows the form in place of the list: empty to add, filled from m to edit.
func (u *UI) openMedForm(m data.Medication) {
	s := u.medications
	if s == nil {
		return
	}
	f := &medForm{editing: m}
	now := u.now().In(s.store.Location())
	changed := func(string) { u.medFormChanged() }

	f.heading = subheading(tr.T("medform.add_heading"))
	if m.ID != "" {
		f.heading.SetText(tr.T("medform.change_heading", tr.Args{"Name": m.Name}))
	}
	f.origin = paragraph("")
	f.origin.Hide()
	f.name = u.newEntry()
	f.name.SetPlaceHolder(tr.T("medform.name_hint"))
	f.name.SetText(m.Name)
	f.name.OnChanged = changed
	f.nameErr = message()
	f.strength = u.newEntry()
	f.strength.SetPlaceHolder(tr.T("medform.strength_hint"))
	f.strength.SetText(m.Strength)
	f.strength.OnChanged = changed
	f.form = u.newSelectEntry([]string{tr.T("medform.form_tablet"), tr.T("medform.form_capsule"), tr.T("medform.form_liquid"),
		tr.T("medform.form_inhaler"), tr.T("medform.form_drops"), tr.T("medform.form_injection"), tr.T("medform.form_patch"),
		tr.T("medform.form_cream")})
	f.form.SetPlaceHolder(tr.T("medform.form_hint"))
	f.form.SetText(m.Form)
	f.form.OnChanged = changed
	f.dose = u.newEntry()
	f.dose.SetPlaceHolder(tr.T("medform.dose_hint"))
	f.dose.SetText(m.Dose)
	f.dose.OnChanged = changed
	f.instructions = u.newEntry()
	f.instructions.SetPlaceHolder(tr.T("medform.instructions_hint"))
	f.instructions.SetText(m.Instructions)
	f.instructions.OnChanged = changed
	f.stock = u.newEntry()
	f.stock.SetPlaceHolder(tr.T("medform.stock_hint"))
	if m.StockKept {
		f.stock.SetText(shownDecimal(m.Stock.String()))
	}
	f.stock.OnChanged = changed
	f.stockErr = message()
	f.refillDays = u.newEntry()
	f.refillDays.SetText(strconv.Itoa(m.EffectiveRefillDays()))
	f.refillDays.OnChanged = changed
	f.refillErr = message()
	f.asNeeded = widget.NewCheck(tr.T("medform.as_needed"), nil)
	f.asNeeded.SetChecked(m.AsNeeded)
	f.asNeeded.OnChanged = func(bool) { u.layoutSteps(); u.medFormChanged() }

	labels := make([]string, len(kinds))
	for i, k := range kinds {
		labels[i] = kindLabel(k)
	}
	f.kind = widget.NewRadioGroup(labels, nil)
	f.kind.Required = true
	f.setKind(kindOf(m))
	f.kind.OnChanged = func(string) { u.layoutSteps(); u.medFormChanged() }
	f.stepsBox = container.NewVBox()
	steps := m.Steps
	if len(steps) == 0 {
		steps = []data.Step{{Times: []data.TimeOfDay{8 * 60}, Start: data.DateOf(now)}}
	}
	for _, st := range steps {
		f.steps = append(f.steps, u.newStepEditor(st))
	}
	f.addStep = widget.NewButtonWithIcon(tr.T("medform.add_step"), theme.ContentAddIcon(), func() { u.addTaperStep() })
	f.addStepRow = container.NewHBox(tall(f.addStep))
	f.preview = paragraph("")
	f.previewMsg = message()
	f.previewMsg.Importance = widget.WarningImportance
	f.reminders = u.newReminderFields(m)
	f.schedule = container.NewVBox(
		subheading(tr.T("medform.when_heading")),
		f.kind,
		f.stepsBox,
		f.addStepRow,
		subheading(tr.T("medform.next_heading")),
		f.previewMsg,
		f.preview,
		f.reminders.box,
	)

	f.state = message()
	f.save = widget.NewButtonWithIcon(tr.T("medform.save"), theme.DocumentSaveIcon(), u.saveMedForm)
	f.save.Importance = widget.HighImportance
	f.cancel = widget.NewButton(tr.T("medform.cancel"), u.closeMedForm)
	f.name.OnSubmitted = func(string) { u.saveMedForm() }

	f.box = container.NewVBox(
		f.heading,
		f.origin,
		labelled(fieldLabel(tr.T("medform.name")), f.name, f.nameErr),
		u.pair(
			labelled(fieldLabel(tr.T("medform.strength")), f.strength),
			labelled(fieldLabel(tr.T("medform.form")), f.form),
		),
		u.pair(
			labelled(fieldLabel(tr.T("medform.dose")), f.dose),
			labelled(fieldLabel(tr.T("medform.instructions")), f.instructions),
		),
		u.pair(
			labelled(fieldLabel(tr.T("medform.stock")), f.stock, f.stockErr),
			labelled(fieldLabel(tr.T("medform.refill_days")), f.refillDays, f.refillErr),
		),
		f.asNeeded,
		f.schedule,
		widget.NewSeparator(),
		f.state,
		container.NewHBox(tall(f.save), tall(f.cancel)),
	)
	s.form = f
	s.prof.medDraft = f
	say(s.notice, "")
	u.layoutSteps()
	u.medFormChanged()
	s.body.Objects = []fyne.CanvasObject{f.box}
	s.body.Refresh()
	s.scroll.ScrollToTop() // the form starts at its top, wherever the list was scrolled to
	u.focus(f.name)
}

// largeText reports a text size at which two fields side by side no longer fit the screen.
func (u *UI) largeText() bool { return u.textScale() >= 1.5 }

// pair puts two fields side by side, or one under the other with large text.
func (u *UI) pair(a, b fyne.CanvasObject) fyne.CanvasObject {
	if u.largeText() {
		return container.NewVBox(a, b)
	}
	return container.NewGridWithColumns(2, a, b)
}

// kindOf is the form's kind for a stored schedule.
func kindOf(m data.Medication) string {
	switch {
	case len(m.Steps) > 1:
		return kindTaper
	case len(m.Steps) == 0:
		return kindDaily
	case m.Steps[0].Cron != "":
		return kindCron
	case len(m.Steps[0].Weekdays) > 0:
		return kindWeekdays
	case m.Steps[0].EveryDays > 1:
		return kindEveryN
	}
	return kindDaily
}

func (u *UI) newStepEditor(st data.Step) *stepEditor {
	changed := func(string) { u.medFormChanged() }
	se := &stepEditor{id: st.ID}
	se.heading = subheading("")
	se.remove = widget.NewButtonWithIcon(tr.T("medform.remove_step"), theme.DeleteIcon(), func() { u.removeTaperStep(se) })
	se.timesBox = container.NewVBox()
	for _, t := range st.Times {
		se.times = append(se.times, u.newTimeField(se, t.String()))
	}
	if len(se.times) == 0 && st.Cron == "" {
		se.times = append(se.times, u.newTimeField(se, ""))
	}
	se.addTime = widget.NewButtonWithIcon(tr.T("medform.add_time"), theme.ContentAddIcon(), func() {
		tf := u.newTimeField(se, "")
		se.times = append(se.times, tf)
		u.layoutTimes(se)
		u.focus(tf.entry)
		u.medFormChanged()
	})
	se.timesErr = message()
	se.timesRow = labelled(fieldLabel(tr.T("medform.times")),
		container.NewVBox(se.timesBox, container.NewHBox(tall(se.addTime))), se.timesErr)

	on := map[time.Weekday]bool{}
	for _, w := range st.Weekdays {
		on[w] = true
	}
	days := container.NewGridWithColumns(7)
	if u.largeText() {
		days = container.NewGridWithColumns(4) // seven large day names do not fit across
	}
	for i := range se.weekdays {
		w := weekdayAt(i)
		c := widget.NewCheck(words.WeekdayShort(w), func(bool) { u.medFormChanged() })
		c.Checked = on[w]
		se.weekdays[i] = c
		days.Add(c)
	}
	se.weekdaysErr = message()
	se.weekdaysRow = labelled(fieldLabel(tr.T("medform.weekdays")), days, se.weekdaysErr)

	se.every = u.newEntry()
	se.every.SetPlaceHolder("2")
	if st.EveryDays > 1 {
		se.every.SetText(strconv.Itoa(st.EveryDays))
	}
	se.every.OnChanged = changed
	se.everyErr = message()
	se.everyRow = labelled(fieldLabel(tr.T("medform.every")), paragraph(tr.T("medform.every_about")),
		container.NewHBox(fixedWidth(120, se.every), container.NewCenter(widget.NewLabel(tr.T("medform.days")))), se.everyErr)

	se.cron = u.newEntry()
	se.cron.SetPlaceHolder("0 8 * * 1-5")
	se.cron.SetText(st.Cron)
	se.cron.OnChanged = changed
	se.cronErr = message()
	se.cronRow = labelled(fieldLabel(tr.T("medform.cron")), paragraph(tr.T("medform.cron_about")), se.cron, se.cronErr)

	se.dose = u.newEntry()
	se.dose.SetPlaceHolder(tr.T("medform.step_dose_hint"))
	se.dose.SetText(st.Dose)
	se.dose.OnChanged = changed
	se.doseRow = labelled(fieldLabel(tr.T("medform.step_dose")), se.dose)

	se.start = u.newEntry()
	se.start.SetPlaceHolder(tr.T("medform.date_hint"))
	se.start.SetText(st.Start.String())
	se.start.OnChanged = changed
	se.end = u.newEntry()
	se.end.SetPlaceHolder(tr.T("medform.no_end"))
	se.end.SetText(st.End.String())
	se.end.OnChanged = changed
	se.datesErr = message()

	se.headRow = container.NewBorder(nil, nil, nil, tall(se.remove), se.heading)
	se.box = container.NewVBox(
		se.headRow,
		se.doseRow,
		se.cronRow,
		se.timesRow,
		se.weekdaysRow,
		se.everyRow,
		u.pair(
			labelled(fieldLabel(tr.T("medform.first_day")), se.start),
			labelled(fieldLabel(tr.T("medform.last_day")), se.end),
		),
		se.datesErr,
	)
	u.layoutTimes(se)
	return se
}

func (u *UI) newTimeField(se *stepEditor, text string) *timeField {
	tf := &timeField{entry: u.newEntry()}
	tf.entry.SetPlaceHolder("08:00")
	tf.entry.SetText(text)
	tf.entry.OnChanged = func(string) { u.medFormChanged() }
	tf.remove = widget.NewButtonWithIcon(tr.T("medform.remove"), theme.ContentRemoveIcon(), func() {
		for i, x := range se.times {
			if x == tf {
				se.times = append(se.times[:i], se.times[i+1:]...)
				break
			}
		}
		u.layoutTimes(se)
		u.medFormChanged()
	})
	tf.box = container.NewHBox(fixedWidth(140, tf.entry), tall(tf.remove))
	return tf
}

// layoutTimes shows a step's time fields; the only one left has no Remove.
func (u *UI) layoutTimes(se *stepEditor) {
	objs := make([]fyne.CanvasObject, 0, len(se.times))
	for _, tf := range se.times {
		if len(se.times) > 1 {
			tf.remove.Show()
		} else {
			tf.remove.Hide()
		}
		objs = append(objs, tf.box)
	}
	se.timesBox.Objects = objs
	se.timesBox.Refresh()
}

// usesDose reports whether the step's own dose shows and counts: always in a taper, and
// in any kind when the step already has one (set from the command line), so it is neither
// hidden nor dropped by saving.
func (se *stepEditor) usesDose(kind string) bool {
	return kind == kindTaper || (se.doseRow.Visible() && strings.TrimSpace(se.dose.Text) != "")
}

// usesEvery reports whether "every N days" shows and counts: for that kind, and with chosen
// weekdays when a number is there (the command line can combine them).
func (se *stepEditor) usesEvery(kind string) bool {
	return kind == kindEveryN || (kind == kindWeekdays && se.everyRow.Visible() && strings.TrimSpace(se.every.Text) != "")
}

// layoutSteps shows the parts of the schedule editor the chosen kind uses. Fields of other
// kinds keep what was typed in them, so trying another kind loses nothing.
func (u *UI) layoutSteps() {
	f := u.medForm()
	if f == nil {
		return
	}
	kind := f.selectedKind()
	taper := kind == kindTaper
	var objs []fyne.CanvasObject
	for i, se := range f.steps {
		if i > 0 && !taper {
			break
		}
		show := func(o fyne.CanvasObject, on bool) {
			if on {
				o.Show()
			} else {
				o.Hide()
			}
		}
		se.heading.SetText(tr.T("medform.step", tr.Args{"N": tr.Int(i + 1)}))
		// Hide whole rows: a row of hidden widgets still keeps its tall() height.
		show(se.headRow, taper)
		show(se.remove, taper && len(f.steps) > 1)
		show(se.doseRow, se.usesDose(kind))
		show(se.cronRow, kind == kindCron)
		show(se.timesRow, kind != kindCron)
		show(se.weekdaysRow, kind == kindWeekdays)
		show(se.everyRow, se.usesEvery(kind))
		if taper && i > 0 {
			objs = append(objs, widget.NewSeparator())
		}
		objs = append(objs, se.box)
	}
	f.stepsBox.Objects = objs
	f.stepsBox.Refresh()
	if taper {
		f.addStepRow.Show()
	} else {
		f.addStepRow.Hide()
	}
	if f.asNeeded.Checked {
		f.schedule.Hide()
	} else {
		f.schedule.Show()
	}
}

func (u *UI) medForm() *medForm {
	if s := u.medications; s != nil {
		return s.form
	}
	return nil
}

// addTaperStep adds a step after the last one, starting the day after it ends (or a week
// after it starts), at the same times: the usual next step of a taper.
func (u *UI) addTaperStep() {
	f := u.medForm()
	if f == nil {
		return
	}
	last := f.steps[len(f.steps)-1]
	st := data.Step{}
	for _, tf := range last.times {
		if t, err := data.ParseTimeOfDay(tf.entry.Text); err == nil {
			st.Times = append(st.Times, t)
		}
	}
	if end, err := data.ParseDate(last.end.Text); err == nil {
		st.Start = addDays(end, 1)
	} else if start, err := data.ParseDate(last.start.Text); err == nil {
		st.Start = addDays(start, 7)
	}
	se := u.newStepEditor(st)
	f.steps = append(f.steps, se)
	u.layoutSteps()
	u.focus(se.dose)
	u.medFormChanged()
}

func addDays(d data.Date, n int) data.Date {
	return data.DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

func (u *UI) removeTaperStep(se *stepEditor) {
	f := u.medForm()
	if f == nil || len(f.steps) < 2 {
		return
	}
	for i, x := range f.steps {
		if x == se {
			f.steps = append(f.steps[:i], f.steps[i+1:]...)
			break
		}
	}
	u.layoutSteps()
	u.medFormChanged()
}

// problem is something to fix, said next to its field.
type problem struct {
	at       *widget.Label
	field    fyne.Focusable // where to type the fix; nil when it is not a text field
	msg      string
	schedule bool // blocks the preview
}

// read turns the form into a medication, with what must be fixed first. A step without a
// first day starts today, as the store would make it.
func (f *medForm) read(now time.Time, loc *time.Location) (data.Medication, []problem) {
	var probs []problem
	m := data.Medication{
		ID: f.editing.ID, Name: strings.TrimSpace(f.name.Text), Strength: f.strength.Text, Form: f.form.Text,
		Dose: f.dose.Text, Instructions: f.instructions.Text, AsNeeded: f.asNeeded.Checked,
		DoseWindow: f.editing.DoseWindow, CreatedAt: f.editing.CreatedAt,
		// The link to the clinic's record goes through every edit (recordmed.go).
		FromRecord: f.editing.FromRecord, RecordDosage: f.editing.RecordDosage,
	}
	if m.Name == "" {
		probs = append(probs, problem{at: f.nameErr, field: f.name, msg: msgMedNoName()})
	}
	if text := strings.TrimSpace(f.stock.Text); text != "" {
		n, err := data.ParseUnits(typedDecimal(text))
		if err != nil {
			probs = append(probs, problem{at: f.stockErr, field: f.stock, msg: msgMedBadStock()})
		}
		m.StockKept, m.Stock = err == nil, n
	}
	if n, err := strconv.Atoi(strings.TrimSpace(f.refillDays.Text)); err != nil || n < 1 || n > data.MaxRefillDays {
		probs = append(probs, problem{at: f.refillErr, field: f.refillDays, msg: msgMedBadRefill()})
	} else {
		m.RefillDays = n
	}
	if m.AsNeeded {
		// No reminders: what was set for them stays as it was.
		m.RepeatEvery, m.RepeatTimes, m.HeadsUp = f.editing.RepeatEvery, f.editing.RepeatTimes, f.editing.HeadsUp
		return m, probs
	}
	probs = append(probs, f.reminders.read(&m)...)
	kind := f.selectedKind()
	for i, se := range f.steps {
		if i > 0 && kind != kindTaper {
			break
		}
		st, ps := se.read(kind, i, now, loc)
		probs = append(probs, ps...)
		if len(ps) == 0 && i > 0 {
			// Overlapping steps would both be reminded: a double dose in the middle of a taper.
			if p, ok := stepOrder(m.Steps[i-1], st, i, se); !ok {
				probs = append(probs, p)
			}
		}
		m.Steps = append(m.Steps, st)
	}
	return m, probs
}

// stepOrder checks that taper step i+1 (next) follows the one before it (prev) without
// overlapping it.
func stepOrder(prev, next data.Step, i int, se *stepEditor) (problem, bool) {
	// The dates as the person types them (YYYY-MM-DD), to compare with the fields.
	args := tr.Args{"N": tr.Int(i + 1), "Prev": tr.Int(i), "Start": prev.Start.String(),
		"End": prev.End.String(), "Next": next.Start.String()}
	switch {
	case !prev.Start.Before(next.Start):
		return problem{at: se.datesErr, field: se.start, schedule: true,
			msg: tr.T("medform.step_order_start", args)}, false
	case prev.End.IsZero():
		return problem{at: se.datesErr, field: se.start, schedule: true,
			msg: tr.T("medform.step_order_no_end", args)}, false
	case !prev.End.Before(next.Start):
		return problem{at: se.datesErr, field: se.start, schedule: true,
			msg: tr.T("medform.step_order_overlap", args)}, false
	}
	return problem{}, true
}

func (se *stepEditor) read(kind string, i int, now time.Time, loc *time.Location) (data.Step, []problem) {
	var probs []problem
	bad := func(at *widget.Label, field fyne.Focusable, msg string) {
		probs = append(probs, problem{at: at, field: field, msg: msg, schedule: true})
	}
	st := data.Step{ID: se.id}
	if kind == kindCron {
		st.Cron = strings.TrimSpace(se.cron.Text)
		if st.Cron == "" {
			bad(se.cronErr, se.cron, msgMedNoCron())
		} else if _, err := remind.ParseCron(st.Cron); err != nil {
			bad(se.cronErr, se.cron, tr.T("medform.bad_cron"))
		}
	} else {
		for _, tf := range se.times {
			if strings.TrimSpace(tf.entry.Text) == "" {
				continue
			}
			t, err := data.ParseTimeOfDay(tf.entry.Text)
			if err != nil {
				bad(se.timesErr, tf.entry, inputMessage(err))
				break
			}
			st.Times = append(st.Times, t)
		}
		if len(st.Times) == 0 && len(probs) == 0 {
			bad(se.timesErr, nil, msgMedNoTimes())
		}
	}
	if kind == kindWeekdays {
		for j, c := range se.weekdays {
			if c.Checked {
				st.Weekdays = append(st.Weekdays, weekdayAt(j))
			}
		}
		if len(st.Weekdays) == 0 {
			bad(se.weekdaysErr, nil, msgMedNoWeekdays())
		}
	}
	if se.usesEvery(kind) {
		n, err := strconv.Atoi(strings.TrimSpace(se.every.Text))
		if err != nil || n < 1 || n > 365 {
			bad(se.everyErr, se.every, msgMedBadEvery())
		}
		st.EveryDays = n
	}
	if se.usesDose(kind) {
		st.Dose = strings.TrimSpace(se.dose.Text)
	}
	datesOK := true
	if text := strings.TrimSpace(se.start.Text); text != "" {
		d, err := data.ParseDate(text)
		if err != nil {
			bad(se.datesErr, se.start, inputMessage(err))
			datesOK = false
		}
		st.Start = d
	} else if kind == kindTaper && i > 0 {
		bad(se.datesErr, se.start, msgMedStepStart())
		datesOK = false
	} else {
		st.Start = data.DateOf(now.In(loc))
	}
	if text := strings.TrimSpace(se.end.Text); text != "" && datesOK {
		d, err := data.ParseDate(text)
		if err != nil {
			bad(se.datesErr, se.end, inputMessage(err))
			datesOK = false
		}
		st.End = d
	}
	if len(probs) == 0 {
		// The store's own rules (a time given twice, the last day before the first).
		checked, err := data.ValidateStep(st)
		if err != nil {
			at, field := se.timesErr, fyne.Focusable(nil)
			var ie *data.InputError
			if errors.As(err, &ie) {
				switch ie.Field {
				case data.FieldEnd, data.FieldStart, data.FieldDate:
					at, field = se.datesErr, se.end
				case data.FieldEveryDays:
					at, field = se.everyErr, se.every
				}
			}
			bad(at, field, inputMessage(err))
		} else {
			st = checked
		}
	}
	return st, probs
}

// errorLabels are every field message of the form.
func (f *medForm) errorLabels() []*widget.Label {
	out := []*widget.Label{f.nameErr, f.stockErr, f.refillErr, f.reminders.err}
	for _, se := range f.steps {
		out = append(out, se.timesErr, se.weekdaysErr, se.everyErr, se.cronErr, se.datesErr)
	}
	return out
}

// showProblems puts each message next to its field (the first one per field) and clears
// the fields that are now right.
func (f *medForm) showProblems(probs []problem) {
	msgs := map[*widget.Label]string{}
	for _, p := range probs {
		if _, ok := msgs[p.at]; !ok {
			msgs[p.at] = p.msg
		}
	}
	for _, l := range f.errorLabels() {
		say(l, msgs[l])
	}
}

// medFormChanged runs on every change in the form: it shows the next reminders for what is
// typed now, and, after a refused save, which fields still need fixing.
func (u *UI) medFormChanged() {
	s := u.medications
	f := u.medForm()
	if f == nil {
		return
	}
	loc := s.store.Location()
	now := u.now()
	m, probs := f.read(now, loc)
	if f.showErrors {
		f.showProblems(probs)
		if len(probs) == 0 {
			say(f.state, "")
		}
	}
	if m.AsNeeded {
		say(f.previewMsg, "")
		say(f.preview, "")
		return
	}
	for _, p := range probs {
		if p.schedule {
			say(f.previewMsg, tr.T("medform.no_preview", tr.Args{"Why": p.msg}))
			say(f.preview, "")
			return
		}
	}
	lines, err := previewReminders(m, loc, now)
	if err != nil {
		say(f.previewMsg, tr.T("medform.no_preview", tr.Args{"Why": inputMessage(err)}))
		say(f.preview, "")
		return
	}
	say(f.previewMsg, "")
	if len(lines) == 0 {
		say(f.preview, tr.T("medform.preview_ended"))
		return
	}
	say(f.preview, strings.Join(lines, "\n"))
}

// previewReminders lists the next reminders of m after now, as the reminder engine will
// compute them.
func previewReminders(m data.Medication, loc *time.Location, now time.Time) ([]string, error) {
	m.Archived = false
	ms, err := remind.NewMedSchedule(m, loc)
	if err != nil {
		return nil, err
	}
	var out []string
	t := now
	for len(out) < previewCount {
		o, ok := ms.Next(t)
		if !ok {
			break
		}
		t = o.At
		line := tr.Format(o.At.In(loc), tr.DayClock)
		if o.Dose != "" {
			line = tr.T("medform.preview_dose", tr.Args{"When": line, "Dose": o.Dose})
		}
		out = append(out, line)
	}
	return out, nil
}

// saveMedForm checks the form and stores the medicine; on any failure everything typed
// stays where it is.
func (u *UI) saveMedForm() {
	s := u.medications
	f := u.medForm()
	if f == nil || f.save.Disabled() {
		return
	}
	loc := s.store.Location()
	m, probs := f.read(u.now(), loc)
	f.showProblems(probs)
	if len(probs) > 0 {
		f.showErrors = true
		say(f.state, msgMedCheckFields())
		for _, p := range probs {
			if p.field != nil {
				u.focus(p.field) // the person starts fixing at once, without hunting for it
				break
			}
		}
		return
	}
	if _, err := data.ValidateMedication(copyMed(m)); err != nil {
		f.showErrors = true
		say(f.state, inputMessage(err))
		return
	}
	say(f.state, "")
	f.save.Disable()
	f.save.SetText(tr.T("medform.saving"))
	st := s.store
	was := f.editing
	background(s.prof, func(ctx context.Context) (data.Medication, error) {
		if m.ID == "" {
			return st.AddMedication(ctx, m)
		}
		saved, err := st.UpdateMedication(ctx, m)
		// The stored stock changes only when the person typed another count: a dose taken
		// while the form was open is not undone by saving it.
		if err == nil && (m.StockKept != was.StockKept || m.Stock != was.Stock) {
			saved, err = st.SetStock(ctx, m.ID, m.Stock, m.StockKept)
		}
		return saved, err
	}, func(saved data.Medication, err error) {
		if u.medications != s || s.form != f {
			return
		}
		f.save.Enable()
		f.save.SetText(tr.T("medform.save"))
		switch {
		case errors.Is(err, data.ErrInvalid):
			say(f.state, inputMessage(err))
			return
		case err != nil:
			say(f.state, msgMedSaveFailed())
			return
		}
		u.closeMedForm()
		s.notice.Importance = widget.MediumImportance
		say(s.notice, tr.T("medform.saved", tr.Args{"Name": saved.Name}))
		u.loadMedications()
	})
}

// copyMed copies m's steps, so validating it leaves the form's reading alone.
func copyMed(m data.Medication) data.Medication {
	m.Steps = append([]data.Step(nil), m.Steps...)
	for i := range m.Steps {
		m.Steps[i].Times = append([]data.TimeOfDay(nil), m.Steps[i].Times...)
	}
	return m
}

// closeMedForm goes back to the list.
func (u *UI) closeMedForm() {
	s := u.medications
	if s == nil || s.form == nil {
		return
	}
	s.form = nil
	s.prof.medDraft = nil
	s.body.Objects = []fyne.CanvasObject{s.listView}
	s.body.Refresh()
	s.scroll.ScrollToTop() // where "Saved" and the list begin
}

// typedDecimal reads a number typed the person's way ("27,5" in German or Spanish) as the
// store reads numbers ("27.5").
func typedDecimal(s string) string {
	if langDecimalComma() {
		return strings.ReplaceAll(s, ",", ".")
	}
	return s
}

// shownDecimal writes a number the store wrote ("27.5") the person's way, ungrouped so it
// reads back as typed.
func shownDecimal(s string) string {
	if langDecimalComma() {
		return strings.ReplaceAll(s, ".", ",")
	}
	return s
}

// langDecimalComma says the running language writes 1.5 as 1,5.
func langDecimalComma() bool { return tr.Num(1.5, 1) == "1,5" }
