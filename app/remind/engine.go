package remind

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// Store is what the engine needs of a profile (a *data.Store).
type Store interface {
	ListMedications(ctx context.Context) ([]data.Medication, error)
	DoseEvents(ctx context.Context, medicationID string, since, until time.Time) ([]data.DoseEvent, error)
	RecordDose(ctx context.Context, ev data.DoseEvent) (data.DoseEvent, error)
	ForgetMissedAfter(ctx context.Context, t time.Time) (int, error)
	ListAppointments(ctx context.Context, since, until time.Time) ([]data.Appointment, error)
	Settings(ctx context.Context) (data.Settings, error)
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
	Location() *time.Location
}

// Notice is what one check has to tell the person: at most one notification per check.
type Notice struct {
	Title string
	Body  string
	// Due are doses whose time has just come; Late are doses whose time passed while the
	// computer was asleep or the app was closed, still within their window.
	Due, Late []Occurrence
	// Missed counts doses past their window found in this check (recorded as missed).
	Missed []Occurrence
	// Repeat are doses asked about again: still unanswered a medicine's RepeatEvery after
	// they were asked about (at their time, or when their snooze ran out), up to its
	// RepeatTimes times.
	Repeat []Occurrence
	// HeadsUp are doses whose time comes soon: a medicine's HeadsUp before it.
	HeadsUp []Occurrence
	// Overdue are doses still unanswered the person's caregiver_alert_minutes after their
	// time, while someone else has a profile open on this computer (Engine.Watched): the
	// caregiver alert.
	Overdue      []Occurrence
	Appointments []data.Appointment
	// ClockError says that the last check was recorded later than now (the clock was set
	// back after running ahead, or the record was damaged): the check looked back
	// clockCatchUp instead, and says so, once.
	ClockError bool
}

// Empty reports whether there is nothing to say.
func (n Notice) Empty() bool {
	return len(n.Due) == 0 && len(n.Late) == 0 && len(n.Missed) == 0 && len(n.Appointments) == 0 && !n.ClockError &&
		len(n.Repeat) == 0 && len(n.HeadsUp) == 0 && len(n.Overdue) == 0
}

// Asking is the doses the notice asks about now (Due, Late, then Repeat): those a
// notification's Take and Snooze act on.
func (n Notice) Asking() []Occurrence {
	out := make([]Occurrence, 0, len(n.Due)+len(n.Late)+len(n.Repeat))
	out = append(out, n.Due...)
	out = append(out, n.Late...)
	return append(out, n.Repeat...)
}

// Repeats is how often, and how many times, an unanswered dose of m is asked about again
// (times 0: never).
func Repeats(m data.Medication) (every time.Duration, times int) {
	every, times = m.RepeatEvery, m.RepeatTimes
	if every <= 0 {
		every = data.DefaultRepeatEvery
	}
	switch {
	case times == 0:
		times = data.DefaultRepeatTimes
	case times < 0:
		times = 0
	}
	return every, times
}

// repeatAt returns the first repeat of a dose asked about at base that comes after t, and
// false when every repeat of m has come by then.
func repeatAt(m data.Medication, base, t time.Time) (time.Time, bool) {
	every, times := Repeats(m)
	if times == 0 {
		return time.Time{}, false
	}
	k := int64(1)
	if t.After(base) {
		k = int64(t.Sub(base)/every) + 1
	}
	if k > int64(times) {
		return time.Time{}, false
	}
	return base.Add(time.Duration(k) * every), true
}

// Notifier delivers a notice (a system notification, the reminder window).
type Notifier interface {
	Notify(ctx context.Context, n Notice) error
}

const (
	// onTime is how late a dose may be noticed and still count as "due now" rather than
	// "missed while asleep": a little over the 30-second safety tick.
	onTime = 2 * time.Minute
	// silentAfter: doses older than this are recorded missed without any notice.
	silentAfter = 24 * time.Hour
	// lookBack bounds how far back a check looks for unanswered doses.
	lookBack = 7 * 24 * time.Hour
	// lastCheckKey persists the last check that found something to do or say, so a restart
	// catches up exactly once (see Tick).
	lastCheckKey = "engine.last_check"
	// clockSlack is how far ahead of now a recorded last check may be before it is a clock
	// error rather than a clock that was corrected by a few seconds.
	clockSlack = 5 * time.Minute
	// clockCatchUp is how far back a check looks when the recorded last check cannot be
	// believed (ahead of now, or damaged): a clock run ahead to 2100 must not silence every
	// reminder until then.
	clockCatchUp = 24 * time.Hour
)

// Engine decides, at each Tick, which doses are due, which were missed, and what to say.
// It compares the wall clock with the schedule, so it survives sleep and clock jumps.
type Engine struct {
	Store    Store
	Notifier Notifier
	// Person names the profile in notifications when several people share the computer
	// ("Mum — time for the 8:00 medicine"); nil, or "", for a single profile. It is asked at
	// each notice, from the engine's goroutine, so a profile added or renamed meanwhile
	// counts.
	Person func() string
	// Locked reports whether the window is locked (medicine names are then hidden).
	Locked func() bool
	// Watched reports whether someone else has a profile open on this computer, who is then
	// told of this person's doses left unanswered (Notice.Overdue); nil: nobody is.
	Watched func() bool

	mu   sync.Mutex
	last time.Time // the latest time already checked; zero until loaded
}

// Tick checks the schedule at now (the wall clock) and notifies once about everything new.
//
// The last check is kept in memory for every tick, but written to the profile only when the
// check found something to do or say (a notice, a dose recorded missed, a clock error), and
// the first time: an idle app then writes nothing (each write is an fsync). A restart reads
// the last check written and looks again from there; every check since found nothing, so
// looking again finds nothing new either — doses answered meanwhile stay answered, doses
// recorded missed stay recorded — and what was said is never said twice.
func (e *Engine) Tick(ctx context.Context, now time.Time) (Notice, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var n Notice
	wrote := false // something was recorded: the last check must be written too
	if e.last.IsZero() {
		v, err := e.Store.Setting(ctx, lastCheckKey)
		var te *data.TamperedError
		switch {
		case errors.As(err, &te):
			// Damaged: neither "never checked" nor a time to trust.
			e.last, n.ClockError = now.Add(-clockCatchUp), true
		case err != nil:
			return Notice{}, fmt.Errorf("read last check: %w", err)
		case v != "":
			e.last, _ = time.Parse(time.RFC3339Nano, v)
		}
		if e.last.IsZero() {
			// First run ever: nothing before now is ours to remind.
			e.last = now
			if err := e.Store.SetSetting(ctx, lastCheckKey, now.UTC().Format(time.RFC3339Nano)); err != nil {
				return Notice{}, fmt.Errorf("save last check: %w", err)
			}
		}
	}
	if e.last.Sub(now) > clockSlack {
		// The last check is ahead of the clock by more than a correction: the clock ran ahead
		// and came back. Waiting for it to pass that time again would silence every reminder
		// until then; look back a day instead, and say so. Doses the engine recorded missed
		// while the clock was ahead have not even come yet: they are reminded after all.
		e.last, n.ClockError = now.Add(-clockCatchUp), true
		wrote = true
		if _, err := e.Store.ForgetMissedAfter(ctx, now); err != nil {
			return Notice{}, fmt.Errorf("forget doses missed while the clock was ahead: %w", err)
		}
	}
	if !now.After(e.last) {
		// The clock went back a little (or did not move): everything up to e.last was handled.
		return Notice{}, nil
	}
	loc := e.Store.Location()
	meds, err := e.Store.ListMedications(ctx)
	var te *data.TamperedError
	if err != nil && !errors.As(err, &te) {
		return n, err
	}
	from := now.Add(-lookBack)
	events, err := e.Store.DoseEvents(ctx, "", from.Add(-time.Hour), now.Add(time.Hour))
	if err != nil && !errors.As(err, &te) {
		return n, err
	}
	idx := NewEvents(events)
	set, serr := e.Store.Settings(ctx)
	if serr != nil && !errors.As(serr, &te) {
		return n, fmt.Errorf("read settings: %w", serr)
	}
	alert := set.CaregiverAlert
	if e.Watched == nil || !e.Watched() {
		alert = 0
	}
	for _, m := range meds {
		ms, err := NewMedSchedule(m, loc)
		if err != nil {
			continue // a schedule we cannot read is reported where it is edited
		}
		// Nothing before the medication was added is due, nor anything of a schedule before
		// it was changed (or before the medicine was restored from the archive).
		start := from
		if m.CreatedAt.After(start) {
			start = m.CreatedAt
		}
		if m.ScheduleFrom.After(start) {
			start = m.ScheduleFrom
		}
		e.headsUp(ms, idx, now, &n)
		for _, d := range ms.Doses(idx, start, now, now) {
			o := d.Occurrence
			if at := o.At.Add(alert); alert > 0 && d.Waiting() && at.After(e.last) && !at.After(now) {
				n.Overdue = append(n.Overdue, o)
			}
			// When the dose was last asked about: at its time, or when its snooze ran out.
			asked := o.At
			if d.Event.State == data.DoseSnoozed {
				asked = d.Event.SnoozeUntil
			}
			switch {
			case d.Status == Missed && d.Event.State != data.DoseMissed:
				// Past its window: recorded missed; said once only if it is recent and
				// was never raised before (its time came after the last check).
				_, err := e.Store.RecordDose(ctx, data.DoseEvent{MedicationID: o.MedicationID, ScheduledAt: o.At, State: data.DoseMissed, At: o.At})
				var ae *data.AnsweredError
				if errors.As(err, &ae) {
					continue // answered since it was read (the window, the tray): that answer stands
				}
				if err != nil {
					return n, fmt.Errorf("record missed dose: %w", err)
				}
				wrote = true
				if o.At.After(e.last) && now.Sub(o.At) <= silentAfter {
					n.Missed = append(n.Missed, o)
				}
			case d.Status != Due && d.Status != Late:
				// Answered, recorded missed, or snoozed still.
			case d.Event.State == data.DoseSnoozed && asked.After(e.last):
				// The snooze ran out: asked again, once, at the check after it did.
				n.Due = append(n.Due, o)
			case o.At.After(e.last):
				if now.Sub(o.At) <= onTime {
					n.Due = append(n.Due, o)
				} else {
					n.Late = append(n.Late, o)
				}
			default:
				// Asked before, still unanswered: asked again when a repeat came since the
				// last check (once, however many came while the computer slept).
				if r, ok := repeatAt(m, asked, e.last); ok && !r.After(now) {
					n.Repeat = append(n.Repeat, o)
				}
			}
		}
	}
	if err := e.appointments(ctx, now, set.AppointmentReminders, &n); err != nil {
		return n, err
	}
	e.last = now
	if n.Empty() && !wrote {
		return n, nil
	}
	if err := e.Store.SetSetting(ctx, lastCheckKey, now.UTC().Format(time.RFC3339Nano)); err != nil {
		return n, fmt.Errorf("save last check: %w", err)
	}
	if n.Empty() {
		return n, nil
	}
	// A setting that cannot be read (damaged) hides rather than shows.
	hide := set.HideMedicineNames || serr != nil || (e.Locked != nil && e.Locked())
	n.Title, n.Body = e.text(n, loc, hide, e.person())
	if e.Notifier != nil {
		if err := e.Notifier.Notify(ctx, n); err != nil {
			return n, fmt.Errorf("notify: %w", err)
		}
	}
	return n, nil
}

// headsUp adds ms's doses whose heads-up came since the last check and whose time is still
// to come, unless answered already (a dose can be taken up to AnswerEarly before its time).
func (e *Engine) headsUp(ms MedSchedule, idx Events, now time.Time, n *Notice) {
	h := ms.Med.HeadsUp
	if h <= 0 {
		return
	}
	for _, o := range ms.Between(nil, e.last.Add(h), now.Add(h)) {
		if !o.At.After(now) {
			continue // its time has come: the reminder itself says it
		}
		if st := idx.Of(o).State; st == data.DoseTaken || st == data.DoseSkipped {
			continue
		}
		n.HeadsUp = append(n.HeadsUp, o)
	}
}

func (e *Engine) appointments(ctx context.Context, now time.Time, offsets []time.Duration, n *Notice) error {
	if len(offsets) == 0 {
		return nil
	}
	appts, err := e.Store.ListAppointments(ctx, now, time.Time{})
	var te *data.TamperedError
	if err != nil && !errors.As(err, &te) {
		return err
	}
	for _, a := range appts {
		if !a.Takes() {
			continue
		}
		for _, off := range offsets {
			if at := a.Start.Add(-off); at.After(e.last) && !at.After(now) {
				n.Appointments = append(n.Appointments, a)
				break
			}
		}
	}
	return nil
}

// person is the name notices give, "" for none.
func (e *Engine) person() string {
	if e.Person == nil {
		return ""
	}
	return e.Person()
}

// TestNotice is what "Send a test reminder" shows, worded as this engine's notices are.
func (e *Engine) TestNotice() Notice {
	n := Notice{Title: tr.T("remind.test_title"), Body: tr.T("remind.test_body")}
	if p := e.person(); p != "" {
		n.Title = tr.T("remind.test_title_person", tr.Args{"Person": p})
	}
	return n
}

// text words a notice: "Time for your 8:00 medicine", "2 doses were missed while the
// computer was asleep". With several people on the computer the person's name comes first
// and the medicine is "the", not "your" ("Mum — time for the 8:00 medicine"): the notice
// may be read by someone else, and we do not know the person's pronouns.
//
// The first thing said is the title, the rest lines of the body. Each thing is a whole
// sentence in the translations, in each of its forms (title, title after the person's name,
// line), so each language puts the name, the time and the words in its own order.
func (e *Engine) text(n Notice, loc *time.Location, hide bool, person string) (title, body string) {
	var lines []string
	// what words doses: the time of the first, and "Metformin 500 mg, Aspirin", or
	// "medicines (2)" when names are hidden.
	what := func(os []Occurrence) tr.Args {
		sort.SliceStable(os, func(i, j int) bool { return os[i].At.Before(os[j].At) })
		args := tr.Args{"Time": tr.Format(os[0].At.In(loc), tr.Clock), "Person": person}
		if hide {
			args["Names"] = tr.N("remind.hidden_medicines", len(os))
			return args
		}
		var names []string
		for _, o := range os {
			s := o.Medication
			if o.Dose != "" {
				s += " " + o.Dose
			}
			names = append(names, s)
		}
		args["Names"] = strings.Join(names, ", ")
		return args
	}
	// add says one thing: plain as the title, withPerson as the title when a person is
	// named, line as a line of the body once there is a title.
	add := func(plain, withPerson, line string) {
		switch {
		case title != "":
			lines = append(lines, line)
		case person != "":
			title = withPerson
		default:
			title = plain
		}
	}
	if asked := append(append([]Occurrence{}, n.Due...), n.Repeat...); len(asked) > 0 {
		if person != "" {
			title = tr.T("remind.time_for_person", what(asked))
		} else {
			title = tr.T("remind.time_for_your", what(asked))
		}
		if len(n.Due) == 0 {
			lines = append(lines, tr.T("remind.not_marked_yet"))
		}
		lines = append(lines, tr.T("remind.open_to_mark"))
	}
	if len(n.HeadsUp) > 0 {
		a := what(n.HeadsUp)
		line := tr.T("remind.coming_up_your", a)
		if person != "" {
			line = tr.T("remind.coming_up_the", a)
		}
		add(tr.T("remind.coming_up_your", a), tr.T("remind.coming_up_person", a), line+".")
	}
	if len(n.Overdue) > 0 {
		a := what(n.Overdue)
		line := tr.T("remind.overdue_your", a)
		if person != "" {
			line = tr.T("remind.overdue_the", a)
		}
		add(tr.T("remind.overdue_your", a), tr.T("remind.overdue_person", a), line+".")
	}
	if late := len(n.Late) + len(n.Missed); late > 0 {
		s := tr.N("remind.missed_asleep", late)
		add(s, tr.N("remind.missed_asleep_person", late, tr.Args{"Person": person}), s+".")
		if len(n.Late) > 0 {
			lines = append(lines, tr.T("remind.still_mark"))
		}
	}
	if n.ClockError {
		s := tr.T("remind.clock_wrong")
		add(s, tr.T("remind.clock_wrong_person", tr.Args{"Person": person}), s+".")
	}
	for _, a := range n.Appointments {
		args := tr.Args{"When": tr.Format(a.Start.In(loc), tr.WeekdayClock), "Title": a.Title, "Person": person}
		if hide {
			s := tr.T("remind.appointment_hidden", args)
			add(s, tr.T("remind.appointment_hidden_person", args), s)
		} else {
			s := tr.T("remind.appointment", args)
			add(s, tr.T("remind.appointment_person", args), s)
		}
	}
	return title, strings.Join(lines, "\n")
}
