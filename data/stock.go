package data

// Stock: how many units of a medicine are left (issue 14, DESIGN §6.1). The count lives in
// the medicine's sealed record (it is health data), and a taken dose lowers it in the same
// transaction that records the dose, so the two can never disagree after a crash.

import (
	"context"
	"database/sql"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Units is an amount of a medicine's units (tablets, capsules…) in thousandths, so that half
// and quarter tablets add up exactly.
type Units int64

// UnitScale is one whole unit.
const UnitScale Units = 1000

// MaxStock is the largest stock accepted: far above any real supply, far below overflow.
const MaxStock = 100000 * UnitScale

// DefaultRefillDays is how many days before a medicine runs out its refill reminder starts.
const DefaultRefillDays = 7

// MaxRefillDays bounds the refill reminder: a reminder months ahead is no reminder.
const MaxRefillDays = 90

// FieldStock and FieldRefillDays name the stock fields in an InputError.
const (
	FieldStock      = "stock"
	FieldRefillDays = "refill_days"
)

// String is the amount as a plain decimal with "." and no trailing zeros: "28", "27.5".
func (u Units) String() string {
	return strconv.FormatFloat(float64(u)/float64(UnitScale), 'f', -1, 64)
}

// Float is the amount in whole units (for JSON).
func (u Units) Float() float64 { return float64(u) / float64(UnitScale) }

// ParseUnits reads a number of units as typed: a whole or decimal number ("30", "27.5") or
// a fraction ("½", "1/2", "1½"). Negative amounts and more than three decimals are refused.
func ParseUnits(s string) (Units, error) {
	u, ok := parseAmount(strings.TrimSpace(s))
	if !ok {
		return 0, invalidField(FieldStock, "input.stock_not_number", kv{"Value": s}, "%q is not a number of units: use a number like 30 or 27.5", s)
	}
	if u > MaxStock {
		return 0, invalidField(FieldStock, "input.stock_too_many", kv{"Units": u, "Max": MaxStock}, "%s units is more than the %s this app counts", u, MaxStock)
	}
	return u, nil
}

// parseAmount reads a non-negative number: digits with an optional "." and up to three
// decimals, a fraction "a/b" (b 2, 3… at most 8), a vulgar fraction (½ ¼ ¾), or a whole
// number followed by a fraction ("1½", "1 1/2").
func parseAmount(s string) (Units, bool) {
	if s == "" {
		return 0, false
	}
	vulgar := map[rune]Units{'½': 500, '¼': 250, '¾': 750, '⅛': 125}
	// A whole part, then maybe a fraction.
	whole, rest := s, ""
	if i := strings.IndexFunc(s, func(r rune) bool { return r == ' ' || vulgar[r] != 0 }); i >= 0 {
		whole, rest = s[:i], strings.TrimSpace(s[i:])
	}
	if strings.Contains(whole, "/") && rest == "" {
		return parseFraction(whole)
	}
	var u Units
	if whole != "" {
		w, ok := parseDecimal(whole)
		if !ok {
			return 0, false
		}
		u = w
	}
	if rest == "" {
		return u, whole != ""
	}
	if strings.Contains(whole, ".") {
		return 0, false // "1.5½" is no number
	}
	if r := []rune(rest); len(r) == 1 && vulgar[r[0]] != 0 {
		return u + vulgar[r[0]], true
	}
	f, ok := parseFraction(rest)
	if !ok || whole == "" || f >= UnitScale {
		return 0, false
	}
	return u + f, true
}

func parseDecimal(s string) (Units, bool) {
	ip, fp, hasDot := strings.Cut(s, ".")
	if ip == "" || !allDigits(ip) || len(ip) > 9 || (hasDot && (fp == "" || len(fp) > 3 || !allDigits(fp))) {
		return 0, false
	}
	n, _ := strconv.ParseInt(ip, 10, 64)
	for len(fp) < 3 {
		fp += "0"
	}
	f, _ := strconv.ParseInt(fp, 10, 64)
	return Units(n)*UnitScale + Units(f), true
}

func parseFraction(s string) (Units, bool) {
	a, b, ok := strings.Cut(s, "/")
	if !ok || a == "" || b == "" || !allDigits(a) || !allDigits(b) || len(a) > 3 || len(b) > 1 {
		return 0, false
	}
	n, _ := strconv.Atoi(a)
	d, _ := strconv.Atoi(b)
	if d < 2 || d > 8 {
		return 0, false
	}
	return Units(math.Round(float64(n) * float64(UnitScale) / float64(d))), true
}

// countUnits are the words a dose may count in, with their plurals. A dose in them ("2
// tablets") is a number of units taken from the stock; a dose by weight or volume ("500 mg",
// "5 ml"), in drops or international units is not: no one counts a bottle in drops.
var countUnits = map[string]string{
	"tablet": "tablets", "tab": "tabs", "capsule": "capsules", "cap": "caps", "pill": "pills",
	"caplet": "caplets", "puff": "puffs", "sachet": "sachets", "patch": "patches",
	"suppository": "suppositories", "pessary": "pessaries", "lozenge": "lozenges",
	"spray": "sprays", "injection": "injections", "pen": "pens", "syringe": "syringes",
	"vial": "vials", "ampoule": "ampoules", "inhalation": "inhalations",
	// Spanish and German, as people write their doses in the app's other languages.
	"comprimido": "comprimidos", "pastilla": "pastillas", "cápsula": "cápsulas", "gragea": "grageas",
	"sobre": "sobres", "parche": "parches", "supositorio": "supositorios", "inhalación": "inhalaciones",
	"pulsación": "pulsaciones", "inyección": "inyecciones", "ampolla": "ampollas", "pluma": "plumas",
	"tablette": "tabletten", "kapsel": "kapseln", "dragee": "dragees", "pille": "pillen", "beutel": "beutel",
	"pflaster": "pflaster", "zäpfchen": "zäpfchen", "hub": "hübe", "sprühstoß": "sprühstöße",
	"spritze": "spritzen", "ampulle": "ampullen", "lutschtablette": "lutschtabletten",
}

// nouns are the units written with a capital, as German writes its nouns.
var nouns = map[string]bool{"tablette": true, "kapsel": true, "dragee": true, "pille": true, "beutel": true,
	"pflaster": true, "zäpfchen": true, "hub": true, "sprühstoß": true, "spritze": true, "ampulle": true,
	"lutschtablette": true}

// countUnit returns the singular of word if it is a unit one counts, and "" otherwise.
func countUnit(word string) string {
	w := strings.ToLower(strings.TrimSuffix(word, "."))
	if _, ok := countUnits[w]; ok {
		return w
	}
	for one, many := range countUnits {
		if w == many {
			return one
		}
	}
	return ""
}

// UnitName is how a number of unit (a countUnit singular) reads: "1 tablet", "28 tablets",
// "0.5 tablet".
func UnitName(n Units, unit string) string {
	if unit == "" {
		unit = "unit"
	}
	noun := nouns[unit]
	if n > UnitScale {
		if many, ok := countUnits[unit]; ok {
			unit = many
		} else {
			unit += "s"
		}
	} else if n == 0 {
		if many, ok := countUnits[unit]; ok {
			unit = many
		}
	}
	if noun {
		unit = strings.ToUpper(unit[:1]) + unit[1:]
	}
	return n.String() + " " + unit
}

// DoseUnits reads a dose as a number of units: "2 tablets", "1 capsule", "½ tablet", "1.5
// tablets", "1 1/2 tablets"; a bare number ("2") counts in the medicine's form when that is a
// unit one counts ("tablet"). It returns the amount and the unit (singular), and false when
// the dose is not a count of units — "500 mg", "5 ml", "2 drops", "one tablet", "" — so that
// taking it leaves the stock alone and the days left are unknown.
func DoseUnits(dose, form string) (Units, string, bool) {
	dose = strings.TrimSpace(dose)
	// The number is everything up to the last word; the unit is that word.
	i := strings.LastIndexFunc(dose, unicode.IsSpace)
	num, word := dose, ""
	if i >= 0 {
		num, word = strings.TrimSpace(dose[:i]), dose[i+1:]
	}
	// "½tablet" or "2tablets": letters glued to the number.
	if j := strings.IndexFunc(num, unicode.IsLetter); j > 0 && word == "" {
		num, word = num[:j], num[j:]
	}
	unit := countUnit(word)
	if word == "" {
		unit = countUnit(strings.TrimSpace(form))
	}
	if unit == "" {
		return 0, "", false
	}
	n, ok := parseAmount(num)
	if !ok || n <= 0 || n > MaxStock {
		return 0, "", false
	}
	return n, unit, true
}

// StockUnit is the unit m's stock is counted in: the unit of its dose (or of its first step
// with a counted dose), else its form when that is one, else "".
func (m Medication) StockUnit() string {
	if _, u, ok := DoseUnits(m.Dose, m.Form); ok {
		return u
	}
	for _, st := range m.Steps {
		if _, u, ok := DoseUnits(st.Dose, m.Form); ok {
			return u
		}
	}
	return countUnit(m.Form)
}

// EffectiveRefillDays is the refill reminder's lead in days (DefaultRefillDays when unset).
func (m Medication) EffectiveRefillDays() int {
	if m.RefillDays <= 0 {
		return DefaultRefillDays
	}
	return m.RefillDays
}

// validateStock checks the stock fields of a medication as typed.
func validateStock(m Medication) error {
	if m.Stock < 0 {
		return invalidField(FieldStock, "input.stock_negative", nil, "the stock cannot be negative: give the number of units left, 0 or more")
	}
	if m.Stock > MaxStock {
		return invalidField(FieldStock, "input.stock_over_max", kv{"Max": MaxStock}, "a stock of more than %s units is not counted", MaxStock)
	}
	if m.RefillDays < 0 || m.RefillDays > MaxRefillDays {
		return invalidField(FieldRefillDays, "input.refill_days", kv{"Max": MaxRefillDays}, "the refill reminder must be 1 to %d days before the medicine runs out", MaxRefillDays)
	}
	return nil
}

// doseAmount is what taking dose scheduled at (zero for an as-needed dose) takes from m's
// stock: the dose of the schedule step in force on that day (a taper's step), else m's own
// dose; false when it is no count of units.
func (s *Store) doseAmount(m Medication, at time.Time) (Units, bool) {
	dose := m.Dose
	if !at.IsZero() {
		day := DateOf(at.In(s.loc))
		// The last step covering the day: of two overlapping steps the later is the newer.
		for _, st := range m.Steps {
			if !st.Start.IsZero() && day.Before(st.Start) || !st.End.IsZero() && st.End.Before(day) {
				continue
			}
			if st.Dose != "" {
				dose = st.Dose
			} else {
				dose = m.Dose
			}
		}
	}
	n, _, ok := DoseUnits(dose, m.Form)
	return n, ok
}

// StockChange is what recording a dose did to its medicine's stock.
type StockChange struct {
	// Counted: the medicine keeps a stock and the dose is a count of units, so the stock
	// changed (by Delta, negative for a dose taken).
	Counted bool
	Delta   Units
	Left    Units // the stock after
	// Short is how much a dose taken exceeded what was left: the stock stopped at 0 (it
	// never goes below), and the count was evidently wrong. Zero otherwise.
	Short Units
}

// RanOut reports whether the dose emptied the stock.
func (c StockChange) RanOut() bool { return c.Counted && c.Delta < 0 && c.Left == 0 }

// applyDoseStock changes m's stock for a dose going from state prev to state next (taken
// lowers it, un-taking gives it back) and re-seals m inside tx. It does nothing when m keeps
// no stock or the dose is not a count of units.
func (s *Store) applyDoseStock(ctx context.Context, tx *sql.Tx, m Medication, scheduled time.Time, prev, next string) (StockChange, error) {
	wasTaken, isTaken := prev == DoseTaken, next == DoseTaken
	if !m.StockKept || wasTaken == isTaken {
		return StockChange{}, nil
	}
	n, ok := s.doseAmount(m, scheduled)
	if !ok {
		return StockChange{}, nil
	}
	ch := StockChange{Counted: true}
	if isTaken {
		ch.Delta = -n
		if n > m.Stock {
			ch.Short, ch.Delta = n-m.Stock, -m.Stock
		}
	} else {
		ch.Delta = min(n, MaxStock-m.Stock)
	}
	m.Stock += ch.Delta
	ch.Left = m.Stock
	return ch, s.writeMed(ctx, tx, m, false)
}

// SetStock sets medication id's stock to n units (kept true), or stops keeping a stock
// (kept false: n is ignored). It returns the medication as saved.
func (s *Store) SetStock(ctx context.Context, id string, n Units, kept bool) (Medication, error) {
	return s.changeStock(ctx, id, func(m *Medication) error {
		if kept && (n < 0 || n > MaxStock) {
			return invalidField(FieldStock, "input.stock_range", kv{"Max": MaxStock}, "give a stock from 0 to %s units", MaxStock)
		}
		m.StockKept, m.Stock = kept, 0
		if kept {
			m.Stock = n
		}
		return nil
	})
}

// AddStock adds a refill of n units (more than 0) to medication id's stock, and starts
// keeping one (from 0) if it kept none.
func (s *Store) AddStock(ctx context.Context, id string, n Units) (Medication, error) {
	return s.changeStock(ctx, id, func(m *Medication) error {
		if n <= 0 {
			return invalidField(FieldStock, "input.refill_min", nil, "a refill adds 1 unit or more")
		}
		if !m.StockKept {
			m.StockKept, m.Stock = true, 0
		}
		if m.Stock+n > MaxStock {
			return invalidField(FieldStock, "input.refill_over_max", kv{"Max": MaxStock}, "that would make more than %s units", MaxStock)
		}
		m.Stock += n
		return nil
	})
}

func (s *Store) changeStock(ctx context.Context, id string, change func(*Medication) error) (Medication, error) {
	return s.changeMed(ctx, id, "save stock", func(m *Medication) (bool, bool, error) {
		return true, false, change(m)
	})
}
