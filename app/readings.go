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

	"github.com/patient-companion/companion/data"
)

const (
	msgReadingsLoading    = "Loading your readings…"
	msgReadingsLoadFailed = "Your readings could not be read just now. Please try again."
	msgReadingSaveFailed  = "Your reading could not be saved. Please try again."
	msgReadingSaved       = "Reading saved."
	msgNoValue            = "Write the number you measured."
	msgNoBloodPressure    = "Write both numbers: the top one (like 120) and the bottom one (like 80)."
	msgTargetSaved        = "Target range saved."
	msgShareFailed        = "That reading could not be shared. Please try again."
	// recentReadings is how many readings of a kind the list shows.
	recentReadings = 10
)

// vitalName names a reading type in plain words, as a heading.
func vitalName(t string) string {
	switch t {
	case data.VitalBloodPressure:
		return "Blood pressure"
	case data.VitalPulse:
		return "Pulse"
	case data.VitalWeight:
		return "Weight"
	case data.VitalGlucose:
		return "Blood sugar"
	case data.VitalTemperature:
		return "Temperature"
	case data.VitalOxygen:
		return "Oxygen level"
	}
	return t
}

// unitWords is a unit as a person reads it ("/min" is a pulse's "beats a minute").
func unitWords(unit string) string {
	if unit == "/min" {
		return "beats a minute"
	}
	return unit
}

// readingLine is a reading in a line: "Blood pressure 142/91 mmHg".
func readingLine(v data.Vital, unit string) string {
	return vitalName(v.Type) + " " + v.Text(unit) + " " + unitWords(unit)
}

// shareText says where a reading stands with the care team.
func shareText(v data.Vital) string {
	switch {
	case v.Shared == data.ShareSent:
		return "Shared with my care team"
	case v.Shared == data.ShareQueued && v.Error != "":
		return "Not shared: " + v.Error
	case v.Shared == data.ShareQueued:
		return "Waiting to share"
	}
	return "Kept on this computer"
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
		if vitalName(t) == s.kind.Selected {
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

	s.status = paragraph(msgReadingsLoading)
	var names []string
	for _, t := range data.VitalTypes {
		names = append(names, vitalName(t))
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
	s.when.SetPlaceHolder("Now — or like " + u.now().In(s.store.Location()).Format(whenLayout))
	s.when.OnChanged = func(string) { say(s.whenErr, "") }
	s.when.OnSubmitted = submit
	s.whenErr = message()
	s.note = u.newEntry()
	s.note.SetPlaceHolder("If you like: after my walk, before breakfast…")
	s.note.OnChanged = func(string) { say(s.noteErr, "") }
	s.note.OnSubmitted = submit
	s.noteErr = message()
	s.share = widget.NewCheck("Share with my care team", nil)
	s.save = widget.NewButtonWithIcon("Save reading", theme.DocumentSaveIcon(), u.addReading)
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
	s.targetBtn = widget.NewButton("Save target", u.saveTarget)
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
		labelled(fieldLabel("When"), s.when, s.whenErr),
		labelled(fieldLabel("Note"), s.note, s.noteErr),
		s.share,
		container.NewHBox(tall(s.save), container.NewCenter(s.saveMsg)),
	)
	s.body = container.NewVBox(
		s.status,
		labelled(fieldLabel("Which reading?"), s.kind),
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
				labelled(fieldLabel("Top number"), s.top),
				labelled(fieldLabel("Bottom number"), s.bottom)),
			caption("Both in " + unit + ", like 120 and 80."),
			s.valueErr,
		}
	} else {
		s.valueBox.Objects = []fyne.CanvasObject{labelled(fieldLabel(vitalName(t)+" ("+unit+")"), s.value), s.valueErr}
	}
	s.valueBox.Refresh()
	s.share.SetChecked(s.set.ShareReadings[t])
	s.formHead.SetText("Add a reading: " + strings.ToLower(vitalName(t)))
	s.chartHead.SetText("My target range")
	s.targetLbl.SetText("From–to, in " + unit)
	how := "Like " + data.TargetExample(t) + ", or none. Readings outside it are marked."
	if t == data.VitalBloodPressure {
		how = "Top numbers, then bottom numbers, like " + data.TargetExample(t) + " — or none. Readings outside it are marked."
	}
	s.targetHow.SetText(how)
	s.target.SetText("")
	if tg, ok := s.set.Targets[t]; ok {
		s.target.SetText(tg.Text(t, s.unit(t)))
	}
	sayError(s.targetErr, "")
	s.listHead.SetText("Recent readings: " + strings.ToLower(vitalName(t)))
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
		rows = append(rows, paragraph("No "+strings.ToLower(vitalName(t))+" readings yet. Add one above."))
	}
	s.list.Objects = rows
	s.list.Refresh()
}

// readingRow is one reading in the list: when, the value, whether it is outside the target
// range (in words), and where it stands with the care team, with Share when it is not shared.
func (u *UI) readingRow(s *readingsScreen, v data.Vital, tg *data.VitalTarget, unit string, loc *time.Location) fyne.CanvasObject {
	line := v.At.In(loc).Format("Mon 2 Jan 2006, 15:04") + " — " + v.Text(unit) + " " + unitWords(unit)
	if tg != nil {
		switch tg.Outside(v) {
		case "above":
			line += " — above my target"
		case "below":
			line += " — below my target"
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
	btn := widget.NewButtonWithIcon("Share", theme.MailSendIcon(), func() { u.shareReading(id) })
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
			say(s.status, "Some readings could not be read because the file was damaged. "+
				"Everything else is shown, and nothing was changed.")
		case err != nil:
			say(s.status, msgReadingsLoadFailed)
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
			say(s.valueErr, msgNoBloodPressure)
			return
		}
		text = top + "/" + bottom
	} else if text == "" {
		say(s.valueErr, msgNoValue)
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
			switch ie.Field {
			case data.FieldNote:
				say(s.noteErr, sentence(ie.Msg))
			case data.FieldStart:
				say(s.whenErr, sentence(ie.Msg))
			default:
				say(s.valueErr, sentence(ie.Msg))
			}
			return
		case err != nil:
			say(s.valueErr, msgReadingSaveFailed)
			u.failed(u.win, "Your reading was not saved", tryAgain())
			return
		}
		for _, e := range []*navEntry{s.value, s.top, s.bottom, s.when, s.note} {
			e.SetText("")
		}
		sayDone(s.saveMsg, msgReadingSaved+" "+readingLine(v, unit)+".")
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
			say(s.shareMsg, msgShareFailed)
			return
		}
		u.loadReadings()
	})
}

// saveTarget checks and stores the chosen type's target range (typed in the person's unit,
// kept in the canonical one).
func (u *UI) saveTarget() {
	s := u.readings
	if s == nil {
		return
	}
	t := s.chosen()
	tg, ok, err := data.ParseTarget(t, s.target.Text, s.unit(t))
	if err != nil {
		say(s.targetErr, sentence(err.Error()))
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
			say(s.targetErr, "Your clinic set this range; it cannot be changed here.")
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
		sayDone(s.targetErr, msgTargetSaved)
	})
}
