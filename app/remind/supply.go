package remind

import (
	"fmt"
	"time"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// supplyHorizon bounds how far ahead a stock is followed: a supply that lasts longer than
// this is no refill to think about yet (and a huge stock on a minute-by-minute cron
// expression must not walk forever).
const supplyHorizon = 5 * 366 * 24 * time.Hour

// Supply is how long a medicine's stock lasts on its schedule (`med list`'s stock,
// days_left and refill_by; the Medications screen's stock line; the refill reminder).
type Supply struct {
	Kept bool       // the medicine keeps a stock
	Left data.Units // units left
	Unit string     // what they are ("tablet"), "" when unknown
	// Known: the stock runs out on the schedule, at RunOut: the first dose from now that
	// what is left cannot cover. False for an as-needed or archived medicine, a dose that is
	// not a count of units, or a schedule that ends (or goes beyond supplyHorizon) before
	// the stock runs out.
	Known    bool
	RunOut   time.Time
	DaysLeft int       // whole days from now until RunOut, floored
	RefillBy data.Date // RunOut's date less the refill days
}

// SupplyOf follows m's stock through its doses from now (the dose of each step of a taper,
// every-N-days and weekdays included) and says when it runs out. Doses whose time has come
// but are not answered yet are not counted: the stock is what is left now, and days_left
// is from now.
func SupplyOf(m data.Medication, loc *time.Location, now time.Time) Supply {
	sp := Supply{Kept: m.StockKept, Left: m.Stock, Unit: m.StockUnit()}
	if !m.StockKept || m.AsNeeded || m.Archived {
		return sp
	}
	ms, err := NewMedSchedule(m, loc)
	if err != nil {
		return sp
	}
	left := m.Stock
	end := now.Add(supplyHorizon)
	var buf []Occurrence
	// From just before now, so that a dose at exactly now counts as still to take.
	for from := now.Add(-time.Nanosecond); from.Before(end); {
		to := from.Add(60 * 24 * time.Hour)
		buf = ms.Between(buf[:0], from, to)
		for _, o := range buf {
			n, _, ok := data.DoseUnits(o.Dose, m.Form)
			if !ok {
				return sp // a dose on the way is no count: when it runs out is unknown
			}
			if n > left {
				sp.Known, sp.RunOut = true, o.At
				sp.DaysLeft = int(o.At.Sub(now) / (24 * time.Hour))
				d := data.DateOf(o.At.In(loc))
				sp.RefillBy = data.DateOf(time.Date(d.Year, d.Month, d.Day-m.EffectiveRefillDays(), 12, 0, 0, 0, time.UTC))
				return sp
			}
			left -= n
		}
		if len(buf) == 0 {
			if _, ok := ms.Next(to); !ok {
				return sp // the schedule has ended: the stock outlasts it
			}
		}
		from = to
	}
	return sp
}

// RefillDue reports whether the refill reminder is on at now: the stock runs out and now's
// date is on or after the refill-by date.
func (sp Supply) RefillDue(loc *time.Location, now time.Time) bool {
	return sp.Known && !data.DateOf(now.In(loc)).Before(sp.RefillBy)
}

// Line is the stock in a few words, as the Medications screen and `med list` show it:
// "28 tablets left · about 14 days · refill by 26 Nov".
func (sp Supply) Line(loc *time.Location, now time.Time) string {
	if !sp.Kept {
		return ""
	}
	line := data.UnitName(sp.Left, sp.Unit) + " left"
	if sp.Left == 0 {
		line = "ran out: " + line
	}
	if !sp.Known {
		return line
	}
	switch sp.DaysLeft {
	case 0:
		line += " · less than a day"
	case 1:
		line += " · about 1 day"
	default:
		line += fmt.Sprintf(" · about %d days", sp.DaysLeft)
	}
	return line + " · refill by " + shortDate(sp.RefillBy, now.In(loc))
}

// RefillText is the refill reminder: "Metformin runs out around 3 Dec — ask for a refill by
// 26 Nov". name is the medicine's name, or a stand-in when names are hidden.
func (sp Supply) RefillText(name string, loc *time.Location, now time.Time) string {
	now = now.In(loc)
	args := tr.Args{"Name": name, "Date": refillDate(data.DateOf(sp.RunOut.In(loc)), now)}
	if sp.Left == 0 {
		return tr.T("remind.refill_run_out", args)
	}
	if data.DateOf(now).Before(sp.RefillBy) || data.DateOf(now) == sp.RefillBy {
		args["By"] = refillDate(sp.RefillBy, now)
		return tr.T("remind.refill_by", args)
	}
	return tr.T("remind.refill_now", args)
}

// shortDate is "3 Dec", with the year when it is not now's.
func shortDate(d data.Date, now time.Time) string {
	t := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	if d.Year != now.Year() {
		return t.Format("2 Jan 2006")
	}
	return t.Format("2 Jan")
}
