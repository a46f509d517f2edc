package app

// The Readings screen: readings taken at home (blood pressure, pulse, weight, blood sugar,
// temperature, oxygen level). A form adds one in the person's units (data.VitalUnit); the
// chart and the list below it show the kind chosen in the form, so choosing "Weight" to
// write a weight also shows the weights so far. A reading the person did not share may be
// shared later from the list.

import (
	"context"
	"errors"
	"os"
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

// The Readings screen's messages, in the running language.
func msgReadingsLoading() string    { return tr.T("readings.loading") }
func msgReadingsLoadFailed() string { return tr.T("readings.load_failed") }
func msgReadingSaveFailed() string  { return tr.T("readings.save_failed") }
func msgNoValue() string            { return tr.T("readings.no_value") }
func msgNoBloodPressure() string    { return tr.T("readings.no_blood_pressure") }
func msgTargetSaved() string        { return tr.T("readings.target_saved") }
func msgShareFailed() string        { return tr.T("readings.share_failed") }

// recentReadings is how many readings of a kind the list shows.
const recentReadings = 10

// vitalInText names a reading type inside a sentence ("Add a reading: blood pressure"): in
// lower case in English and Spanish, but a German noun keeps its capital.
func vitalInText(t string) string {
	switch t {
	case data.VitalBloodPressure:
		return tr.T("readings.kind_text_blood_pressure")
	case data.VitalPulse:
		return tr.T("readings.kind_text_pulse")
	case data.VitalWeight:
		return tr.T("readings.kind_text_weight")
	case data.VitalGlucose:
		return tr.T("readings.kind_text_glucose")
	case data.VitalTemperature:
		return tr.T("readings.kind_text_temperature")
	case data.VitalOxygen:
		return tr.T("readings.kind_text_oxygen")
	}
	return t
}

// unitWords is a unit as a person reads it ("/min" is a pulse's "beats a minute").
func unitWords(unit string) string {
	switch unit {
	case "/min":
		return tr.T("readings.unit_per_min")
	case "mmHg":
		return tr.T("readings.unit_mmhg")
	case "kg":
		return tr.T("readings.unit_kg")
	case "lb":
		return tr.T("readings.unit_lb")
	case "mmol/L":
		return tr.T("readings.unit_mmol_l")
	case "mg/dL":
		return tr.T("readings.unit_mg_dl")
	case "°C":
		return tr.T("readings.unit_celsius")
	case "°F":
		return tr.T("readings.unit_fahrenheit")
	case "%":
		return tr.T("readings.unit_percent")
	}
	return unit
}

// localNum writes numbers as the data layer writes them ("72.5", "120/80", "36-37.5") with
// the running language's decimal mark ("72,5"). The data layer never groups thousands, and
// every number it writes is read back by ParseVital and ParseTarget, which take a comma too.
func localNum(s string) string {
	mark := []rune(tr.Num(0.5, 1))[1] // "0.5", "0,5"
	return strings.ReplaceAll(s, ".", string(mark))
}

// valueText is a reading's value in unit, the running language's way: "72,5".
func valueText(v data.Vital, unit string) string { return localNum(v.Text(unit)) }

// readingLine is a reading in a line: "Blood pressure 142/91 mmHg".
func readingLine(v data.Vital, unit string) string {
	return tr.T("readings.line", tr.Args{"Name": words.Vital(v.Type), "Value": valueText(v, unit), "Unit": unitWords(unit)})
}

// shareText says where a reading stands with the care team.
func shareText(v data.Vital) string {
	switch {
	case v.Shared == data.ShareSent:
		return tr.T("readings.shared")
	case v.Shared == data.ShareQueued && v.Error != "":
		// The app's reasons in the person's words; the portal's own as it sent them.
		return tr.T("readings.not_shared", tr.Args{"Why": portalReason(v.Error, time.Local)})
	case v.Shared == data.ShareQueued:
		return tr.T("readings.waiting")
	}
	return tr.T("readings.kept_here")
}

type readingsScreen struct {
	screenBase
	loaded bool

	set    data.Settings
	units  map[string]string
	vitals []data.Vital // every reading, newest first

	status   *widget.Label
	kind     *widget.Select
	valueBox *fyne.Container // the value field(s) of the kind chosen
	value    *navEntry
	top      *navEntry
	bottom   *navEntry
	valueErr *widget.Label
	when     *navEntry
	whenErr  *widget.Label
	note     *navEntry
	noteErr  *widget.Label
	share    *widget.Check
	save     *widget.Button
	saveMsg  *widget.Label

	chartHead *widget.Label
	formHead  *widget.Label
	chart     *vitalChart
	target    *navEntry
	targetLbl *widget.Label
	targetHow *widget.Label
	targetErr *widget.Label
	targetBtn *widget.Button

	listHead *widget.Label
	list     *fyne.Container
	shareMsg *widget.Label
	body     *fyne.Container
}

// chosen is the reading type chosen in the form.
func (s *readingsScreen) chosen() string {
	for _, t := range data.VitalTypes {
		if words.Vital(t) == s.kind.Selected {
			return t
		}
	}
	return data.VitalBloodPressure
}

func (s *readingsScreen) unit(t string) string {
	if u := s.units[t]; u != "" {
		return u
	}
	return data.CanonicalUnit(t)
}

func (u *UI) showReadings() {
	b, ok := u.newScreen(navReadings)
	if !ok {
		return
	}
	s := &readingsScreen{screenBase: b, set: data.DefaultSettings()}
	s.units = data.VitalUnitsFor(s.set, data.Locale(os.Getenv))
	u.readings = s

	s.status = paragraph(msgReadingsLoading())
	var names []string
	for _, t := range data.VitalTypes {
		names = append(names, words.Vital(t))
	}
	s.kind = widget.NewSelect(names, nil)
	s.kind.Selected = names[0]
	submit := func(string) { u.addReading() }
	s.value, s.top, s.bottom = u.newEntry(), u.newEntry(), u.newEntry()
	s.top.OnSubmitted = func(string) { u.focus(s.bottom) }
	for _, e := range []*navEntry{s.value, s.bottom} {
		e.OnSubmitted = submit
	}
	for _, e := range []*navEntry{s.value, s.top, s.bottom} {
		e.OnChanged = func(string) { say(s.valueErr, ""); say(s.saveMsg, "") }
	}
	s.valueErr = message()
	s.valueBox = container.NewVBox()
	s.when = u.newEntry()
	s.when.SetPlaceHolder(tr.T("readings.when_hint", tr.Args{"Example": u.now().In(s.store.Location()).Format(whenLayout)}))
	s.when.OnChanged = func(string) { say(s.whenErr, "") }
	s.when.OnSubmitted = submit
	s.whenErr = message()
	s.note = u.newEntry()
	s.note.SetPlaceHolder(tr.T("readings.note_hint"))
	s.note.OnChanged = func(string) { say(s.noteErr, "") }
	s.note.OnSubmitted = submit
	s.noteErr = message()
	s.share = widget.NewCheck(tr.T("readings.share_check"), nil)
	s.save = widget.NewButtonWithIcon(tr.T("readings.save"), theme.DocumentSaveIcon(), u.addReading)
	s.save.Importance = widget.HighImportance
	s.saveMsg = widget.NewLabel("")
	s.saveMsg.Hide()

	s.chartHead = subheading("")
	s.chart = newVitalChart()
	s.targetLbl = fieldLabel("")
	s.target = u.newEntry()
	s.target.OnChanged = func(string) { say(s.targetErr, "") }
	s.target.OnSubmitted = func(string) { u.saveTarget() }
	s.targetHow = caption("")
	s.targetErr = message()
	s.targetBtn = widget.NewButton(tr.T("readings.save_target"), u.saveTarget)
	s.listHead = subheading("")
	s.list = container.NewVBox()
	s.shareMsg = message()
	s.kind.OnChanged = func(string) {
		say(s.valueErr, "")
		say(s.saveMsg, "")
		s.showKind(u)
	}

	// The kind chosen leads, then its chart: what the readings say is seen first, the form
	// to add one under it.
	s.formHead = subheading("")
	// Headings that name the kind wrap: "oxygen level" at 200 % text is wide.
	for _, l := range []*widget.Label{s.formHead, s.chartHead, s.listHead} {
		l.Wrapping = fyne.TextWrapWord
	}
	form := container.NewVBox(
		s.formHead,
		s.valueBox,
		labelled(fieldLabel(tr.T("readings.when")), s.when, s.whenErr),
		labelled(fieldLabel(tr.T("readings.note")), s.note, s.noteErr),
		s.share,
		container.NewHBox(tall(s.save), container.NewCenter(s.saveMsg)),
	)
	s.body = container.NewVBox(
		s.status,
		labelled(fieldLabel(tr.T("readings.which")), s.kind),
		s.chart,
		widget.NewSeparator(),
		form,
		widget.NewSeparator(),
		s.chartHead,
		labelled(s.targetLbl, container.NewBorder(nil, nil, nil, tall(s.targetBtn), s.target), s.targetHow, s.targetErr),
		s.listHead,
		s.shareMsg,
		s.list,
	)
	s.showKind(u)
	content := container.NewVScroll(container.NewPadded(column(760, s.body)))
	u.setContent(u.frame(b, content))
	u.loadReadings()
}

// showKind lays the form, the chart and the list out for the reading type chosen.
func (s *readingsScreen) showKind(u *UI) {
	t := s.chosen()
	unit := unitWords(s.unit(t))
	if t == data.VitalBloodPressure {
		// The unit under both fields, not in their labels: two long labels side by side
		// widened the window at 200 % text.
		s.valueBox.Objects = []fyne.CanvasObject{
			container.NewGridWithColumns(2,
				labelled(fieldLabel(tr.T("readings.top_number")), s.top),
				labelled(fieldLabel(tr.T("readings.bottom_number")), s.bottom)),
			caption(tr.T("readings.both_in", tr.Args{"Unit": unit})),
			s.valueErr,
		}
	} else {
		s.valueBox.Objects = []fyne.CanvasObject{labelled(fieldLabel(tr.T("readings.value_label", tr.Args{"Name": words.Vital(t), "Unit": unit})), s.value), s.valueErr}
	}
	s.valueBox.Refresh()
	s.share.SetChecked(s.set.ShareReadings[t])
	s.formHead.SetText(tr.T("readings.add_heading", tr.Args{"Kind": vitalInText(t)}))
	s.chartHead.SetText(tr.T("readings.target_heading"))
	s.targetLbl.SetText(tr.T("readings.target_label", tr.Args{"Unit": unit}))
	example := localNum(data.TargetExample(t))
	how := tr.T("readings.target_how", tr.Args{"Example": example})
	if t == data.VitalBloodPressure {
		how = tr.T("readings.target_how_bp", tr.Args{"Example": example})
	}
	s.targetHow.SetText(how)
	s.target.SetText("")
	if tg, ok := s.set.Targets[t]; ok {
		s.target.SetText(localNum(tg.Text(t, s.unit(t))))
	}
	sayError(s.targetErr, "")
	s.listHead.SetText(tr.T("readings.recent_heading", tr.Args{"Kind": vitalInText(t)}))
	s.fill(u)
}

// fill draws the chart and the list of the chosen type from what was read.
func (s *readingsScreen) fill(u *UI) {
	t := s.chosen()
	unit := s.unit(t)
	var mine []data.Vital
	for _, v := range s.vitals {
		if v.Type == t {
			mine = append(mine, v)
		}
	}
	var tg *data.VitalTarget
	if x, ok := s.set.Targets[t]; ok {
		tg = &x
	}
	now := u.now().In(s.store.Location())
	s.chart.set(t, unit, mine, tg, now.AddDate(0, 0, -vitalChartDays), now)
	loc := s.store.Location()
	var rows []fyne.CanvasObject
	for i, v := range mine {
		if i == recentReadings {
			break
		}
		rows = append(rows, u.readingRow(s, v, tg, unit, loc))
	}
	if len(mine) == 0 && s.loaded {
		rows = append(rows, paragraph(tr.T("readings.none_yet", tr.Args{"Kind": vitalInText(t)})))
	}
	s.list.Objects = rows
	s.list.Refresh()
}

// readingRow is one reading in the list: when, the value, whether it is outside the target
// range (in words), and where it stands with the care team, with Share when it is not shared.
func (u *UI) readingRow(s *readingsScreen, v data.Vital, tg *data.VitalTarget, unit string, loc *time.Location) fyne.CanvasObject {
	row := tr.Args{"When": tr.Format(v.At.In(loc), tr.DateClock), "Value": valueText(v, unit), "Unit": unitWords(unit)}
	line := tr.T("readings.row", row)
	if tg != nil {
		switch tg.Outside(v) {
		case "above":
			line = tr.T("readings.row_above", row)
		case "below":
			line = tr.T("readings.row_below", row)
		}
	}
	value := widget.NewLabelWithStyle(line, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	value.Wrapping = fyne.TextWrapWord
	state := caption(shareText(v))
	if v.Shared == data.ShareQueued && v.Error != "" {
		state.Importance = widget.WarningImportance
	}
	lines := []fyne.CanvasObject{value}
	if v.Note != "" {
		lines = append(lines, caption(v.Note))
	}
	lines = append(lines, state)
	text := container.New(layout.NewCustomPaddedVBoxLayout(-12), lines...)
	if v.Shared != data.ShareNo {
		return text
	}
	id := v.ID
	btn := widget.NewButtonWithIcon(tr.T("readings.share"), theme.MailSendIcon(), func() { u.shareReading(id) })
	return container.NewBorder(nil, nil, nil, container.NewCenter(tall(btn)), text)
}

// loadReadings reads the settings and the readings.
func (u *UI) loadReadings() {
	s := u.readings
	if s == nil {
		return
	}
	st := s.store
	type loaded struct {
		set    data.Settings
		vitals []data.Vital
	}
	background(s.prof, func(ctx context.Context) (loaded, error) {
		var l loaded
		var bad data.TamperedError
		var err error
		l.set, err = st.Settings(ctx)
		if err = bad.Keep(err); err != nil {
			return l, err
		}
		l.vitals, err = st.ListVitals(ctx, "", time.Time{})
		if err = bad.Keep(err); err != nil {
			return l, err
		}
		return l, bad.OrNil()
	}, func(l loaded, err error) {
		if u.readings != s {
			return
		}
		var te *data.TamperedError
		switch {
		case errors.As(err, &te):
			say(s.status, tr.T("readings.damaged"))
		case err != nil:
			say(s.status, msgReadingsLoadFailed())
			return
		default:
			say(s.status, "")
		}
		s.loaded = true
		s.set, s.vitals = l.set, l.vitals
		s.units = data.VitalUnitsFor(s.set, data.Locale(os.Getenv))
		s.showKind(u)
	})
}

// addReading checks and stores the reading in the form (off the UI goroutine); a value that
// is not plausible is refused next to its field and nothing is stored.
func (u *UI) addReading() {
	s := u.readings
	if s == nil || s.save.Disabled() {
		return
	}
	t := s.chosen()
	unit := s.unit(t)
	text := strings.TrimSpace(s.value.Text)
	if t == data.VitalBloodPressure {
		top, bottom := strings.TrimSpace(s.top.Text), strings.TrimSpace(s.bottom.Text)
		if top == "" || bottom == "" {
			say(s.valueErr, msgNoBloodPressure())
			return
		}
		text = top + "/" + bottom
	} else if text == "" {
		say(s.valueErr, msgNoValue())
		return
	}
	at, err := parseWhen(s.when.Text, u.now(), s.store.Location())
	if err != nil {
		say(s.whenErr, err.Error())
		return
	}
	note, share := s.note.Text, s.share.Checked
	s.save.Disable()
	st := s.store
	background(s.prof, func(ctx context.Context) (data.Vital, error) {
		v, err := data.ParseVital(t, text, unit)
		if err != nil {
			return v, err
		}
		v.At, v.Note = at, note
		return st.AddVital(ctx, v, share)
	}, func(v data.Vital, err error) {
		if u.readings != s {
			return
		}
		s.save.Enable()
		var ie *data.InputError
		switch {
		case errors.As(err, &ie):
			// inputMessage puts the data layer's rule in the running language.
			switch ie.Field {
			case data.FieldNote:
				say(s.noteErr, inputMessage(err))
			case data.FieldStart:
				say(s.whenErr, inputMessage(err))
			default:
				say(s.valueErr, inputMessage(err))
			}
			return
		case err != nil:
			say(s.valueErr, msgReadingSaveFailed())
			u.failed(u.win, tr.T("readings.not_saved_title"), tryAgain())
			return
		}
		for _, e := range []*navEntry{s.value, s.top, s.bottom, s.when, s.note} {
			e.SetText("")
		}
		sayDone(s.saveMsg, tr.T("readings.saved", tr.Args{"Reading": readingLine(v, unit)}))
		u.loadReadings()
	})
}

// shareReading queues a reading kept on this computer for the care team.
func (u *UI) shareReading(id string) {
	s := u.readings
	if s == nil {
		return
	}
	say(s.shareMsg, "")
	st := s.store
	background(s.prof, func(ctx context.Context) (data.Vital, error) {
		return st.ShareVital(ctx, id)
	}, func(_ data.Vital, err error) {
		if u.readings != s {
			return
		}
		if err != nil {
			say(s.shareMsg, msgShareFailed())
			return
		}
		u.loadReadings()
	})
}

// targetError says, in the running language, why data.ParseTarget refused text (its own
// errors are the command line's English): the range is not written low-high, or its low
// number is not below its high one (both halves read, so that must be it).
func targetError(t, text, unit string) string {
	ex := tr.Args{"Example": localNum(data.TargetExample(t))}
	halves := func(lo, hi string) bool {
		_, err1 := data.ParseVital(t, lo, unit)
		_, err2 := data.ParseVital(t, hi, unit)
		return err1 == nil && err2 == nil
	}
	if t == data.VitalBloodPressure {
		top, bottom, ok := strings.Cut(text, "/")
		tl, th, ok1 := strings.Cut(top, "-")
		bl, bh, ok2 := strings.Cut(bottom, "-")
		if ok && ok1 && ok2 && halves(tl+"/"+bl, th+"/"+bh) {
			return tr.T("readings.target_reversed", ex)
		}
		return tr.T("readings.target_bad_bp", ex)
	}
	if l, h, ok := strings.Cut(text, "-"); ok && halves(l, h) {
		return tr.T("readings.target_reversed", ex)
	}
	return tr.T("readings.target_bad", ex)
}

// saveTarget checks and stores the chosen type's target range (typed in the person's unit,
// kept in the canonical one).
func (u *UI) saveTarget() {
	s := u.readings
	if s == nil {
		return
	}
	t := s.chosen()
	text := s.target.Text
	if strings.EqualFold(strings.TrimSpace(text), tr.T("readings.target_none")) {
		text = "" // "none" in the running language: no target
	}
	tg, ok, err := data.ParseTarget(t, text, s.unit(t))
	if err != nil {
		say(s.targetErr, targetError(t, text, s.unit(t)))
		return
	}
	value := "none"
	if ok {
		value = tg.SettingText(t)
	}
	st := s.store
	background(s.prof, func(ctx context.Context) (string, error) {
		return st.PutSetting(ctx, data.TargetKey(t), value)
	}, func(_ string, err error) {
		if u.readings != s {
			return
		}
		switch {
		case errors.Is(err, data.ErrLockedByClinic):
			say(s.targetErr, tr.T("readings.target_locked"))
			return
		case err != nil:
			say(s.targetErr, msgSettingSaveFailed())
			return
		}
		if ok {
			s.set.Targets[t] = tg
		} else {
			delete(s.set.Targets, t)
		}
		s.showKind(u)
		sayDone(s.targetErr, msgTargetSaved())
	})
}
