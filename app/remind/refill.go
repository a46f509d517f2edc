package remind

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// refillNotifiedKey keeps the day the refill reminder was last sent, so that it comes once a
// day while a medicine is due for a refill, also across restarts.
const refillNotifiedKey = "engine.refill_notified"

// RefillDue is a medicine whose refill reminder is on.
type RefillDue struct {
	Med    data.Medication
	Supply Supply
}

// RefillsDue lists the medicines of meds whose stock runs out within their refill days at
// now (Supply.RefillDue), soonest first. Archived and as-needed medicines have none.
func RefillsDue(meds []data.Medication, loc *time.Location, now time.Time) []RefillDue {
	var out []RefillDue
	for _, m := range meds {
		if !m.StockKept || m.Archived {
			continue
		}
		if sp := SupplyOf(m, loc, now); sp.RefillDue(loc, now) {
			out = append(out, RefillDue{Med: m, Supply: sp})
		}
	}
	for i := 1; i < len(out); i++ { // a handful: insertion sort keeps equal ones in name order
		for j := i; j > 0 && out[j].Supply.RunOut.Before(out[j-1].Supply.RunOut); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// CheckRefills words the day's refill reminder, once a day while a medicine is due for one:
// ok is false when none is due or it was sent today already. The day is recorded before the
// words are returned (a notification reports no delivery anyway). Medicine names are
// hidden while locked or when the person chose so, as for doses.
func (e *Engine) CheckRefills(ctx context.Context, now time.Time) (title, body string, ok bool, err error) {
	loc := e.Store.Location()
	day := data.DateOf(now.In(loc)).String()
	sent, err := e.Store.Setting(ctx, refillNotifiedKey)
	var te *data.TamperedError
	if err != nil && !errors.As(err, &te) {
		return "", "", false, fmt.Errorf("read refill reminder: %w", err)
	}
	if err == nil && sent == day {
		return "", "", false, nil
	}
	meds, err := e.Store.ListMedications(ctx)
	if err != nil && !errors.As(err, &te) {
		return "", "", false, fmt.Errorf("read medicines: %w", err)
	}
	due := RefillsDue(meds, loc, now)
	if len(due) == 0 {
		return "", "", false, nil
	}
	set, err := e.Store.Settings(ctx)
	if err != nil && !errors.As(err, &te) {
		return "", "", false, fmt.Errorf("read settings: %w", err)
	}
	hide := set.HideMedicineNames || (e.Locked != nil && e.Locked())
	title, body = refillText(due, loc, now, hide, e.person())
	if err := e.Store.SetSetting(ctx, refillNotifiedKey, day); err != nil {
		return "", "", false, fmt.Errorf("save refill reminder: %w", err)
	}
	return title, body, true, nil
}

// refillText words the refill reminder: "Metformin runs out around 3 Dec" / "Ask for a
// refill by 26 Nov.", or without names "A medicine is running out".
func refillText(due []RefillDue, loc *time.Location, now time.Time, hide bool, person string) (title, body string) {
	args := tr.Args{"Person": person}
	switch {
	case hide:
		title, body = tr.N("remind.refill_hidden", len(due)), tr.T("remind.refill_hidden_body")
		if person != "" {
			title = tr.N("remind.refill_hidden_person", len(due), args)
		}
	default:
		var lines []string
		for _, d := range due {
			lines = append(lines, d.Supply.RefillText(d.Med.Name, loc, now)+".")
		}
		title = tr.N("remind.refill_title", len(due))
		if person != "" {
			title = tr.N("remind.refill_title_person", len(due), args)
		}
		body = strings.Join(lines, "\n")
	}
	return title, body
}

// RefillRequest is the message "Ask my clinic for a refill" sends through the outbox: plain
// words a receptionist can act on. It is in the person's language: they read it under
// Messages before it goes (and can delete it there), and their clinic speaks it.
func RefillRequest(m data.Medication, sp Supply, loc *time.Location, now time.Time) string {
	name := m.Name
	if m.Strength != "" {
		name += " " + m.Strength
	}
	args := tr.Args{"Name": name}
	switch {
	case sp.Known && sp.Left > 0:
		args["Left"] = data.UnitName(sp.Left, sp.Unit)
		args["Date"] = refillDate(data.DateOf(sp.RunOut.In(loc)), now.In(loc))
		return tr.T("remind.request_left_until", args)
	case sp.Kept && sp.Left == 0:
		return tr.T("remind.request_run_out", args)
	case sp.Kept:
		args["Left"] = data.UnitName(sp.Left, sp.Unit)
		return tr.T("remind.request_left", args)
	}
	return tr.T("remind.request", args)
}

// refillDate is "3 Dec" in the running language, with the year when it is not now's (the
// person reads it; shortDate is the command line's English).
func refillDate(d data.Date, now time.Time) string {
	t := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	if d.Year != now.Year() {
		return tr.Format(t, tr.DayMonthYear)
	}
	return tr.Format(t, tr.DayMonth)
}
