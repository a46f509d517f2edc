package app

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// The medicine form's reminder fields: repeat a reminder not answered (every N minutes, N
// times) and a heads-up before the dose (DESIGN §3). Shown with the schedule; an as-needed
// medicine has no reminders.

func msgMedRepeatEvery() string { return tr.T("medform.bad_repeat_every") }
func msgMedRepeatTimes() string { return tr.T("medform.bad_repeat_times") }
func msgMedHeadsUp() string     { return tr.T("medform.bad_heads_up") }

type reminderFields struct {
	every, times, headsUp *navEntry
	err                   *widget.Label
	box                   fyne.CanvasObject
}

func (u *UI) newReminderFields(m data.Medication) *reminderFields {
	changed := func(string) { u.medFormChanged() }
	r := &reminderFields{every: u.newEntry(), times: u.newEntry(), headsUp: u.newEntry(), err: message()}
	every, times := remind.Repeats(m)
	r.every.SetText(strconv.Itoa(int(every / time.Minute)))
	r.times.SetText(strconv.Itoa(times))
	if m.HeadsUp > 0 {
		r.headsUp.SetText(strconv.Itoa(int(m.HeadsUp / time.Minute)))
	}
	r.headsUp.SetPlaceHolder(tr.T("medform.heads_up_none"))
	for _, e := range []*navEntry{r.every, r.times, r.headsUp} {
		e.OnChanged = changed
	}
	word := func(s string) fyne.CanvasObject { return container.NewCenter(widget.NewLabel(s)) }
	r.box = container.NewVBox(
		subheading(tr.T("medform.reminders")),
		paragraph(tr.T("medform.reminders_about")),
		u.pair(
			labelled(fieldLabel(tr.T("medform.again_every")), container.NewHBox(fixedWidth(90, r.every), word(tr.T("medform.minutes")))),
			labelled(fieldLabel(tr.T("medform.at_most")), container.NewHBox(fixedWidth(90, r.times), word(tr.T("medform.times_word")))),
		),
		labelled(fieldLabel(tr.T("medform.heads_up")),
			container.NewHBox(fixedWidth(90, r.headsUp), word(tr.T("medform.minutes_before")))),
		r.err,
	)
	return r
}

// read sets m's repeat and heads-up from the fields, with what must be fixed. The defaults
// are stored as none (0), so that a medicine follows them.
func (r *reminderFields) read(m *data.Medication) []problem {
	var probs []problem
	num := func(e *navEntry, lo, hi int, msg string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(e.Text))
		if err != nil || n < lo || n > hi {
			probs = append(probs, problem{at: r.err, field: e, msg: msg})
			return 0, false
		}
		return n, true
	}
	if n, ok := num(r.every, 1, 240, msgMedRepeatEvery()); ok {
		m.RepeatEvery = time.Duration(n) * time.Minute
		if m.RepeatEvery == data.DefaultRepeatEvery {
			m.RepeatEvery = 0
		}
	}
	if n, ok := num(r.times, 0, data.MaxRepeatTimes, msgMedRepeatTimes()); ok {
		switch n {
		case 0:
			m.RepeatTimes = data.NoRepeat
		case data.DefaultRepeatTimes:
			m.RepeatTimes = 0
		default:
			m.RepeatTimes = n
		}
	}
	m.HeadsUp = 0
	if strings.TrimSpace(r.headsUp.Text) != "" && strings.TrimSpace(r.headsUp.Text) != "0" {
		if n, ok := num(r.headsUp, 1, int(data.MaxHeadsUp/time.Minute), msgMedHeadsUp()); ok {
			m.HeadsUp = time.Duration(n) * time.Minute
		}
	}
	return probs
}
