package cli

// A medicine's stock on the command line (DESIGN §6.1): `med add --stock N --refill-days N`,
// `med stock ID (--add N | --set N)`, and med list's stock, days_left and refill_by.

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/data"
)

func stockPtr(m data.Medication) *float64 {
	if !m.StockKept {
		return nil
	}
	f := m.Stock.Float()
	return &f
}

// medJSONAt returns toMedJSON with the days the stock lasts on the schedule from now, and
// the refill-by date, filled in where they are known.
func medJSONAt(loc *time.Location, now time.Time) func(data.Medication) medJSON {
	return func(m data.Medication) medJSON {
		j := toMedJSON(m)
		if sp := remind.SupplyOf(m, loc, now); sp.Known {
			days, by := sp.DaysLeft, sp.RefillBy.String()
			j.DaysLeft, j.RefillBy = &days, &by
		}
		return j
	}
}

func stockFlags(fs *pflag.FlagSet) {
	fs.String("stock", "", "units left, e.g. 28 (a taken dose of \"2 tablets\" lowers it by 2)")
	fs.String("refill-days", "", fmt.Sprintf("remind this many days before the stock runs out (default %d)", data.DefaultRefillDays))
}

// stockFromFlags reads --stock and --refill-days into m.
func stockFromFlags(c *call, m *data.Medication) error {
	if c.changed("stock") {
		n, err := data.ParseUnits(c.str("stock"))
		if err != nil {
			return usagef("--stock %q is not a number of units: give the units left, like --stock 28", c.str("stock"))
		}
		m.StockKept, m.Stock = true, n
	}
	if c.changed("refill-days") {
		n, err := refillDays(c.str("refill-days"))
		if err != nil {
			return err
		}
		m.RefillDays = n
	}
	return nil
}

// refillDays reads a number of days, 1 to data.MaxRefillDays.
func refillDays(s string) (int, error) {
	n := 0
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || fmt.Sprint(n) != s || n < 1 || n > data.MaxRefillDays {
		return 0, usagef("--refill-days %q is not a number of days from 1 to %d", s, data.MaxRefillDays)
	}
	return n, nil
}

func medStockFlags(fs *pflag.FlagSet) {
	fs.String("add", "", "a refill: add N units")
	fs.String("set", "", "set the units left to N (after counting them)")
}

// medStock records a refill (--add) or a count (--set) of a medicine's units.
func medStock(c *call) error {
	id, err := c.oneArg("medication id")
	if err != nil {
		return err
	}
	add, set := c.changed("add"), c.changed("set")
	if add == set {
		return usagef("give either --add N (a refill) or --set N (the units left), one of them")
	}
	flag := "set"
	if add {
		flag = "add"
	}
	n, err := data.ParseUnits(c.str(flag))
	if err != nil || add && n == 0 {
		return usagef("--%s %q is not a number of units: give one like --%s 30", flag, c.str(flag), flag)
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	var m data.Medication
	if add {
		m, err = s.AddStock(c.ctx, id, n)
	} else {
		m, err = s.SetStock(c.ctx, id, n, true)
	}
	if err != nil {
		return err
	}
	loc, now := s.Location(), c.env.Now()
	return c.out(medJSONAt(loc, now)(m), func(w io.Writer) {
		what := "counted"
		if add {
			what = "refilled +" + n.String()
		}
		fmt.Fprintf(w, "%s %s: %s\n", printable(m.Name), what, printable(remind.SupplyOf(m, loc, now).Line(loc, now)))
	})
}

// warnStock says on stderr when a dose taken emptied the stock, or found it already empty:
// the stock never goes below 0, and never gets there without a word.
func warnStock(c *call, m data.Medication, ch data.StockChange) {
	unit := m.StockUnit()
	switch {
	case ch.Short > 0:
		fmt.Fprintf(c.env.Stderr, "companion: %s ran out: the stock had %s fewer than this dose; it stays at 0. After counting, run: companion med stock %s --set N\n",
			printable(m.Name), data.UnitName(ch.Short, unit), m.ID)
	case ch.RanOut():
		fmt.Fprintf(c.env.Stderr, "companion: %s ran out: %s left. After a refill, run: companion med stock %s --add N\n",
			printable(m.Name), data.UnitName(0, unit), m.ID)
	}
}
