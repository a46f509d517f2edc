package app

import (
	"context"
	"fmt"
	"log"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/notify"
	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// reminderWindow is the separate window that asks about due and late doses, with big
// Taken / Skip / Snooze buttons. T, S and Z act on the first dose not yet answered.
type reminderWindow struct {
	win    fyne.Window
	prof   *openProfile // whose doses it asks about
	store  *data.Store  // prof.store
	locked bool         // medicine names hidden
	head   *widget.Label
	intro  *widget.Label
	// notice is the words of a notice without doses (the test reminder), shown while the
	// window has no doses.
	notice string
	box    *fyne.Container
	rows   []*reminderRow
	close  *widget.Button
}

// reminderRow is one dose in the reminder window.
type reminderRow struct {
	occ    remind.Occurrence
	late   bool
	name   *widget.Label
	detail *widget.Label
	taken  *widget.Button
	skip   *widget.Button
	snooze *widget.Button
	// buttons holds the three; hidden once answered (tall keeps the height of hidden ones).
	buttons *fyne.Container
	done    bool // answered (or snoozed) in this window
	box     fyne.CanvasObject
}

// deliver shows a notice of p's in p's reminder window (its desktop notification went out
// from the engine's goroutine: engineNotifier). Called on the UI goroutine.
func (u *UI) deliver(p *openProfile, n remind.Notice) {
	if p.ctx.Err() != nil {
		return // closed meanwhile
	}
	u.showReminder(p, n)
	if o := u.overview; o != nil && len(n.Overdue) > 0 {
		u.loadOverview(o) // Everyone marks the dose left unanswered
	}
}

// showReminder opens p's reminder window for n's due and late doses, or adds them to the
// window already open. A notice without doses (only appointments, or only doses already
// missed) opens nothing, except a notice that is only words (the test reminder), which the
// window shows. Today is refreshed either way when it is p's.
func (u *UI) showReminder(p *openProfile, n remind.Notice) {
	if p == u.cur {
		defer u.refreshToday()
	}
	plain := n.Empty() && n.Body != ""
	if len(n.Due)+len(n.Late)+len(n.Repeat) == 0 && !plain {
		return
	}
	w := p.reminder
	if w == nil {
		w = u.newReminderWindow(p)
		p.reminder = w
	}
	if plain {
		w.notice = n.Body
		if len(w.rows) == 0 && n.Title != "" {
			w.head.SetText(n.Title)
		}
	}
	u.addReminders(w, n)
}

// addReminders adds n's due and late doses to w (asking again about a snoozed one) and
// shows it.
func (u *UI) addReminders(w *reminderWindow, n remind.Notice) {
	add := func(o remind.Occurrence, late bool) {
		for _, r := range w.rows {
			if sameDose(r.occ, o) {
				if r.done {
					// Asked again (a snooze ran out): ask afresh.
					r.done = false
					r.setButtons(true)
				}
				r.late = late
				r.setDetail(w.store.Location())
				return
			}
		}
		w.addRow(u, o, late)
	}
	for _, o := range n.Due {
		add(o, false)
	}
	for _, o := range n.Repeat {
		add(o, false) // asked again: still waiting for its answer
	}
	for _, o := range n.Late {
		add(o, true)
	}
	w.update()
	w.win.Show()
	w.win.RequestFocus()
}

// newReminderWindow makes the reminder window of p's doses; the caller keeps it.
func (u *UI) newReminderWindow(p *openProfile) *reminderWindow {
	st := p.store
	// With several profiles on this computer the window names the person: two reminder
	// windows (medicine names hidden while locked) must not look the same.
	title := tr.T("reminder.title")
	if len(u.known) > 1 {
		title = tr.T("reminder.title_person", tr.Args{"Name": st.Info().Name})
	}
	locked := p.locked.Load() || u.isLocked()
	w := &reminderWindow{prof: p, store: st, locked: locked, win: u.app.NewWindow(title)}
	w.head = heading(tr.T("reminder.title"))
	w.intro = paragraph("")
	w.box = container.NewVBox()
	w.close = widget.NewButton(tr.T("reminder.close"), p.closeReminder)
	w.win.SetContent(container.NewBorder(
		container.NewPadded(container.NewVBox(w.head, w.intro)),
		container.NewPadded(container.NewHBox(container.NewPadded(caption(tr.T("reminder.keys"))),
			layout.NewSpacer(), tall(w.close))),
		nil, nil,
		container.NewVScroll(container.NewPadded(w.box))))
	w.win.Resize(fyne.NewSize(640, 600))
	w.win.SetOnClosed(func() {
		if p.reminder == w {
			p.reminder = nil // closed by the person
		}
	})
	w.win.Canvas().SetOnTypedRune(func(r rune) {
		row := w.first()
		if row == nil {
			return
		}
		// The letters are the language's own (T taken in English, G genommen in German),
		// as the line at the bottom says.
		switch string(unicode.ToLower(r)) {
		case tr.T("reminder.key_taken"):
			row.taken.OnTapped()
		case tr.T("reminder.key_skip"):
			row.skip.OnTapped()
		case tr.T("reminder.key_snooze"):
			row.snooze.OnTapped()
		}
	})
	return w
}

func (w *reminderWindow) addRow(u *UI, o remind.Occurrence, late bool) {
	r := &reminderRow{occ: o, late: late}
	r.name = widget.NewLabelWithStyle(rowName(o, w.store, w.locked), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.name.SizeName = theme.SizeNameSubHeadingText
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.detail = widget.NewLabel("")
	r.setDetail(w.store.Location())
	act := func(state string) func() {
		return func() {
			if r.done || r.taken.Disabled() || w.prof.reminder != w {
				return
			}
			for _, b := range []*widget.Button{r.taken, r.skip, r.snooze} {
				b.Disable()
			}
			u.answerDose(w.prof, w.win, o, state, func(err error) {
				if err != nil {
					r.setButtons(true)
					r.detail.SetText(tr.T("reminder.save_error"))
					u.failed(w.win, tr.T("reminder.not_recorded"), tr.T("reminder.press_again"))
				}
			})
		}
	}
	r.taken = widget.NewButtonWithIcon(tr.T("reminder.taken"), theme.ConfirmIcon(), act(data.DoseTaken))
	r.taken.Importance = widget.HighImportance
	r.skip = widget.NewButton(tr.T("reminder.skip"), act(data.DoseSkipped))
	r.snooze = widget.NewButtonWithIcon(tr.T("reminder.snooze"), theme.HistoryIcon(), act(data.DoseSnoozed))
	r.buttons = container.NewGridWithColumns(3, tall(r.taken), tall(r.skip), tall(r.snooze))
	r.box = container.NewVBox(container.New(layout.NewCustomPaddedVBoxLayout(-12), r.name, r.detail),
		r.buttons, widget.NewSeparator())
	w.rows = append(w.rows, r)
	w.head.SetText(tr.T("reminder.title"))
	w.box.Add(r.box)
}

// setLocked words the reminder rows without (locked) or with medicine names.
func (w *reminderWindow) setLocked(on bool) {
	w.locked = on
	for _, r := range w.rows {
		r.name.SetText(rowName(r.occ, w.store, on))
	}
}

// rowName is the words for a dose in the reminder window: the medicine, or while locked
// only its time.
func rowName(o remind.Occurrence, st *data.Store, locked bool) string {
	if locked {
		return hiddenMedText(tr.Format(o.At.In(st.Location()), tr.Clock))
	}
	return medText(o)
}

func (r *reminderRow) setButtons(on bool) {
	for _, b := range []*widget.Button{r.taken, r.skip, r.snooze} {
		if on {
			b.Show()
			b.Enable()
		} else {
			b.Hide()
		}
	}
	if on {
		r.buttons.Show()
	} else {
		r.buttons.Hide()
	}
}

func (r *reminderRow) setDetail(loc *time.Location) {
	at := tr.Args{"Time": tr.Format(r.occ.At.In(loc), tr.Clock)}
	if r.late {
		r.detail.SetText(tr.T("reminder.detail_late", at))
	} else {
		r.detail.SetText(tr.T("reminder.detail_due", at))
	}
}

// first is the first dose not answered yet, which the keys act on.
func (w *reminderWindow) first() *reminderRow {
	for _, r := range w.rows {
		if !r.done && !r.taken.Disabled() {
			return r
		}
	}
	return nil
}

// answered shows where a dose of this window stands now that it was answered (or snoozed),
// here or elsewhere.
func (w *reminderWindow) answered(d remind.Dose) {
	loc := w.store.Location()
	for _, r := range w.rows {
		if !sameDose(r.occ, d.Occurrence) {
			continue
		}
		switch d.Status {
		case remind.Taken:
			r.detail.SetText(tr.T("reminder.taken_at", tr.Args{"Time": tr.Format(d.Event.At.In(loc), tr.Clock)}))
		case remind.Skipped:
			r.detail.SetText(tr.T("reminder.skipped"))
		case remind.Snoozed:
			r.detail.SetText(tr.T("reminder.snoozed_until", tr.Args{"Time": tr.Format(d.Event.SnoozeUntil.In(loc), tr.Clock)}))
		default: // not answered after all: keep asking
			r.setButtons(true)
			continue
		}
		r.done = true
		r.setButtons(false)
	}
	w.update()
}

// update words the introduction after the rows changed.
func (w *reminderWindow) update() {
	left := 0
	for _, r := range w.rows {
		if !r.done {
			left++
		}
	}
	if left == 0 {
		if len(w.rows) == 0 && w.notice != "" {
			say(w.intro, w.notice)
		} else {
			say(w.intro, tr.T("reminder.all_done"))
		}
		w.close.Importance = widget.HighImportance
	} else {
		say(w.intro, tr.N("reminder.have_you_taken", left))
		w.close.Importance = widget.MediumImportance
	}
	w.close.Refresh()
	w.box.Refresh()
}

// ---------------------------------------------------------------------------------------
// The engine

// engineNotifier delivers the notices of p's engine: a desktop notification, worded by the
// engine (which names the person when several share the computer), and p's reminder window
// (the guaranteed channel: notifications carry no buttons, and may not be shown at all).
type engineNotifier struct {
	u  *UI
	p  *openProfile
	id string // p's id, read once on the UI goroutine (Info may change there)
}

// Notify is called from the engine's goroutine: the notification is sent from there (a D-Bus
// call, Options.Notify), the window is touched through fyne.Do. A notification that could
// not be shown is returned, so the engine reports it; the reminder window opens anyway.
//
// A notice that asks about doses goes out with Take and Snooze on the notification where
// Options.Actions is set and the server can show them (notify.Center); the reminder window
// opens all the same, as the channel that cannot be missed.
func (nf engineNotifier) Notify(ctx context.Context, n remind.Notice) error {
	fyne.Do(func() { nf.u.deliver(nf.p, n) })
	var err error
	if doses := notify.Doses(nf.id, n); len(doses) > 0 && nf.u.opt.Actions != nil {
		_, err = nf.u.opt.Actions(ctx, n.Title, n.Body, doses)
	} else {
		err = nf.u.opt.Notify(ctx, n.Title, n.Body)
	}
	if err != nil {
		return fmt.Errorf("desktop notification: %w", err)
	}
	return nil
}

// startEngine creates p's reminder engine and, unless Options.Tick is negative, runs it
// (remind.Engine.Run: at once, then on the minute of each reminder, with a 30-second safety
// tick) until p closes.
func (u *UI) startEngine(p *openProfile) {
	// Names are hidden while p is locked, on screen or held behind another; the person is
	// named while several profiles share the computer.
	e := &remind.Engine{Store: p.store, Locked: p.locked.Load, Person: p.personName,
		Watched: func() bool { return u.open.Load() > 1 }}
	e.Notifier = engineNotifier{u: u, p: p, id: p.id()}
	p.engine = e
	if u.opt.Tick < 0 {
		return
	}
	clock, loc := u.opt.Clock, p.store.Location()
	p.loop(func(ctx context.Context) {
		day := clock.Now().In(loc).YearDay()
		var refillChecked time.Time // the refill reminder is checked hourly (refill.go)
		e.Run(ctx, clock, func(_ remind.Notice, err error) {
			if err != nil {
				log.Printf("reminders: %v", err) // ids and times only, never a medicine's name
			}
			if now := clock.Now(); refillChecked.IsZero() || now.Sub(refillChecked) >= refillCheckEvery || now.Before(refillChecked) {
				refillChecked = now
				u.checkRefills(ctx, p, now)
			}
			// Today changes when a reminder comes (showReminder refreshes it) and when the
			// day does; a quiet check redraws nothing.
			if d := clock.Now().In(loc).YearDay(); d != day {
				day = d
				fyne.Do(func() {
					if u.cur == p && p.ctx.Err() == nil {
						u.refreshToday()
					}
				})
			}
		})
	})
}
