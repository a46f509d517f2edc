package health

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// LOINC codes of a blood pressure's components.
const (
	loincSystolic  = "8480-6"
	loincDiastolic = "8462-4"
)

func observationRow(o *observation, row *Row, tr Words) ([]string, error) {
	row.Type = TypeResult
	row.Name = o.Code.words()
	row.Code = codeKey(o.Code, row.Name)
	eff := ""
	if o.EffectivePeriod != nil {
		eff = o.EffectivePeriod.Start
	}
	setDate(row, o.EffectiveDateTime, eff, o.EffectiveInstant, o.Issued)

	sys, dia := component(o.Component, loincSystolic), component(o.Component, loincDiastolic)
	switch {
	case sys != nil && dia != nil && sys.ValueQuantity.present() && dia.ValueQuantity.present():
		if err := bloodPressure(o, sys, dia, row, tr); err != nil {
			return nil, err
		}
	default:
		v, err := readValue(&o.observationValue, tr)
		if err != nil {
			return nil, err
		}
		v.apply(row)
		row.Flag = flagFromInterpretation(o.Interpretation)
		if row.Flag == "" && !isNormal(o.Interpretation) {
			row.Flag = v.rangeFlag()
		}
		if row.Value == "" && len(o.Component) > 0 {
			// Components other than a blood pressure's: listed in words.
			var parts []string
			for i := range o.Component {
				c := &o.Component[i]
				cv, err := readValue(c, tr)
				if err != nil {
					return nil, err
				}
				if cv.text == "" {
					continue
				}
				p := c.Code.words()
				if p != "" {
					p += " "
				}
				p += cv.text
				if cv.unit != "" {
					p += " " + cv.unit
				}
				parts = append(parts, p)
				if row.Flag == "" {
					row.Flag = worstFlag(flagFromInterpretation(c.Interpretation), cv.rangeFlag())
				}
			}
			if len(parts) > 0 {
				row.Detail = strings.Join(parts, ", ")
			}
		}
		if row.Value == "" && row.Detail == "" {
			row.Detail = absentWords(tr, o.DataAbsentReason) // "Not done", "Unknown"
		}
	}
	return observationRefs(o.HasMember), nil
}

// absentSystem is the code system of why a value is missing.
const absentSystem = "http://terminology.hl7.org/CodeSystem/data-absent-reason"

// absentWords says why a value is missing: the clinic's own text, else its code in tr's
// words (the code system's names are English, and not plain), else the code's display.
func absentWords(tr Words, c *codeable) string {
	if c == nil {
		return ""
	}
	if t := strings.TrimSpace(c.Text); t != "" {
		return t
	}
	if _, cli := tr.(english); cli {
		return c.words() // the command line prints the clinic's words, as it always has
	}
	for _, cd := range c.Coding {
		if cd.System != absentSystem {
			continue
		}
		switch cd.Code {
		case "unknown", "asked-unknown", "temp-unknown":
			return tr.T("health.absent_unknown")
		case "not-asked":
			return tr.T("health.absent_not_asked")
		case "asked-declined":
			return tr.T("health.absent_declined")
		case "masked":
			return tr.T("health.absent_masked")
		case "not-applicable":
			return tr.T("health.absent_not_applicable")
		case "unsupported":
			return tr.T("health.absent_unsupported")
		case "error":
			return tr.T("health.absent_error")
		case "not-a-number", "negative-infinity", "positive-infinity":
			return tr.T("health.absent_not_a_number")
		case "not-performed":
			return tr.T("health.absent_not_performed")
		case "not-permitted":
			return tr.T("health.absent_not_permitted")
		}
	}
	return c.words()
}

func component(cs []observationValue, loinc string) *observationValue {
	for i := range cs {
		if cs[i].Code.has(loinc) {
			return &cs[i]
		}
	}
	return nil
}

// bloodPressure reads "142/91" mmHg: Number is the systolic (what a trend chart draws), the
// range and its numbers the systolic's, the flag the worst of both components' unless the
// observation itself is interpreted.
func bloodPressure(o *observation, sys, dia *observationValue, row *Row, tr Words) error {
	s, err := readValue(sys, tr)
	if err != nil {
		return err
	}
	d, err := readValue(dia, tr)
	if err != nil {
		return err
	}
	row.Value = s.text + "/" + d.text
	row.Unit = s.unit
	row.Number, row.Comparator = s.number, s.comparator
	row.Low, row.High = s.low, s.high
	switch {
	case s.rangeText != "" && d.rangeText != "":
		row.ReferenceRange = s.rangeText + "/" + d.rangeText
	default:
		row.ReferenceRange = s.rangeText
	}
	row.Flag = flagFromInterpretation(o.Interpretation)
	if row.Flag == "" && !isNormal(o.Interpretation) {
		row.Flag = worstFlag(
			orRange(flagFromInterpretation(sys.Interpretation), sys.Interpretation, s),
			orRange(flagFromInterpretation(dia.Interpretation), dia.Interpretation, d))
	}
	return nil
}

func orRange(flag string, interp []codeable, v value) string {
	if flag != "" || isNormal(interp) {
		return flag
	}
	return v.rangeFlag()
}

// value is one observation value read for showing.
type value struct {
	text, unit, comparator string
	number                 *float64
	rangeText              string
	low, high              *float64
	// unitKey and rangeUnit compare the value's unit with its range's: a range in other
	// units flags nothing and draws no band.
	unitKey, rangeUnit string
}

func (v value) apply(row *Row) {
	row.Value, row.Unit, row.Comparator, row.Number = v.text, v.unit, v.comparator, v.number
	row.ReferenceRange, row.Low, row.High = v.rangeText, v.low, v.high
}

// readValue reads a value, its numbers written tr's way for showing (Number, Low and High
// are the numbers themselves).
func readValue(o *observationValue, tr Words) (value, error) {
	var v value
	switch {
	case o.ValueQuantity.present():
		q := o.ValueQuantity
		text, n, ok := formatNumber(q.Value)
		if !ok {
			return value{}, errUnreadable
		}
		switch q.Comparator {
		case "<", "<=", ">=", ">":
			v.comparator = q.Comparator
		case "", "ad":
		default:
			return value{}, errUnreadable
		}
		v.text = v.comparator + tr.Decimal(text)
		v.number = n
		v.unit = humanUnit(q)
		v.unitKey = unitKey(q)
	case o.ValueString != nil:
		v.text = strings.TrimSpace(*o.ValueString)
	case o.ValueCodeableConcept != nil:
		v.text = o.ValueCodeableConcept.words()
	case o.ValueInteger != nil:
		text, n, ok := formatNumber(*o.ValueInteger)
		if !ok {
			return value{}, errUnreadable
		}
		v.text, v.number = tr.Decimal(text), n
	case o.ValueBoolean != nil:
		v.text = tr.T("health.no")
		if *o.ValueBoolean {
			v.text = tr.T("health.yes")
		}
	case o.ValueRatio != nil && o.ValueRatio.Numerator.present() && o.ValueRatio.Denominator.present():
		// A titer: 1:80.
		n, _, ok1 := formatNumber(o.ValueRatio.Numerator.Value)
		d, _, ok2 := formatNumber(o.ValueRatio.Denominator.Value)
		if !ok1 || !ok2 {
			return value{}, errUnreadable
		}
		v.text = n + ":" + d
	case o.ValueRange != nil && (o.ValueRange.Low.present() || o.ValueRange.High.present()):
		lo, _, ok1 := rangeBound(o.ValueRange.Low)
		hi, _, ok2 := rangeBound(o.ValueRange.High)
		q := o.ValueRange.High
		switch {
		case ok1 && ok2:
			v.text = tr.Decimal(lo) + "–" + tr.Decimal(hi)
		case ok2:
			v.text = "≤" + tr.Decimal(hi)
		case ok1:
			v.text, q = "≥"+tr.Decimal(lo), o.ValueRange.Low
		default:
			return value{}, errUnreadable
		}
		v.unit = humanUnit(q)
	case o.ValueDateTime != "":
		t, p, ok := parseDate(o.ValueDateTime)
		if !ok {
			return value{}, errUnreadable
		}
		v.text = Row{Date: t, DatePrecision: p}.DateText(t.Location())
	case o.ValueTime != "":
		tod, ok := parseFHIRTime(o.ValueTime)
		if !ok {
			return value{}, errUnreadable
		}
		v.text = tod.String()
	}
	if len(o.ReferenceRange) > 0 {
		rr := o.ReferenceRange[0]
		lowText, low, lowOK := rangeBound(rr.Low)
		highText, high, highOK := rangeBound(rr.High)
		// The lab's own words come first ("70-99 mg/dL fasting" says more than 70–99).
		switch {
		case strings.TrimSpace(rr.Text) != "":
			v.rangeText = strings.TrimSpace(rr.Text)
		case lowOK && highOK:
			v.rangeText = tr.Decimal(lowText) + "–" + tr.Decimal(highText)
		case highOK:
			v.rangeText = "<" + tr.Decimal(highText)
		case lowOK:
			v.rangeText = ">" + tr.Decimal(lowText)
		}
		if lowOK {
			v.low = low
		}
		if highOK {
			v.high = high
		}
		for _, q := range []*quantity{rr.Low, rr.High} {
			if q.present() && v.rangeUnit == "" {
				v.rangeUnit = unitKey(q)
			}
		}
		if v.unitKey != "" && v.rangeUnit != "" && v.unitKey != v.rangeUnit {
			v.low, v.high = nil, nil
		}
	}
	return v, nil
}

func rangeBound(q *quantity) (string, *float64, bool) {
	if !q.present() {
		return "", nil, false
	}
	text, n, ok := formatNumber(q.Value)
	return text, n, ok && n != nil
}

// plainDecimal is a JSON number written the way people write numbers: kept as the lab sent
// it, so "7.9" stays "7.9" (not 7.900000000000000355) and "4.0" keeps its precision.
var plainDecimal = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// formatNumber is a FHIR decimal as shown and as a number. ok is false when it is not a
// finite number.
func formatNumber(n json.Number) (string, *float64, bool) {
	s := strings.TrimSpace(string(n))
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", nil, false
	}
	if !plainDecimal.MatchString(s) {
		s = strconv.FormatFloat(f, 'f', -1, 64) // "1.2e2" → "120"
	}
	return s, &f, true
}

// units maps UCUM codes to how people write them; a unit not listed is shown as sent.
var ucumWords = map[string]string{
	"mm[Hg]":           "mmHg",
	"Cel":              "°C",
	"[degF]":           "°F",
	"[lb_av]":          "lb",
	"[in_i]":           "in",
	"kg/m2":            "kg/m²",
	"/min":             "/min",
	"{beats}/min":      "/min",
	"{breaths}/min":    "/min",
	"10*3/uL":          "10³/µL",
	"10*6/uL":          "10⁶/µL",
	"10*9/L":           "10⁹/L",
	"10*12/L":          "10¹²/L",
	"ug/dL":            "µg/dL",
	"ug/L":             "µg/L",
	"uL":               "µL",
	"umol/L":           "µmol/L",
	"u[IU]/mL":         "µIU/mL",
	"m[IU]/L":          "mIU/L",
	"[IU]/L":           "IU/L",
	"mL/min/{1.73_m2}": "mL/min/1.73m²",
	"1":                "",
}

// humanUnit is the unit's human text: the quantity's unit when given, else its code,
// written as people write it (mm[Hg] → mmHg).
func humanUnit(q *quantity) string {
	u := strings.TrimSpace(q.Unit)
	if u == "" {
		u = strings.TrimSpace(q.Code)
	}
	if w, ok := ucumWords[u]; ok {
		return w
	}
	return u
}

func unitKey(q *quantity) string {
	if c := strings.TrimSpace(q.Code); c != "" {
		return c
	}
	return strings.TrimSpace(q.Unit)
}

// rangeFlag compares the value with its reference range (both bounds inclusive, as in
// FHIR). A value with a comparator flags only when the bound settles it ("<0.5" against a
// low of 1.0 is low).
func (v value) rangeFlag() string {
	if v.number == nil {
		return ""
	}
	x := *v.number
	switch v.comparator {
	case "":
		if v.low != nil && x < *v.low {
			return "low"
		}
		if v.high != nil && x > *v.high {
			return "high"
		}
	case "<":
		if v.low != nil && x <= *v.low {
			return "low"
		}
	case "<=":
		if v.low != nil && x < *v.low {
			return "low"
		}
	case ">":
		if v.high != nil && x >= *v.high {
			return "high"
		}
	case ">=":
		if v.high != nil && x > *v.high {
			return "high"
		}
	}
	return ""
}

// interpretationFlags maps HL7 v3 ObservationInterpretation codes to a flag. The critical
// codes (HH, LL, AA) say critical; HU/LU ("significantly") are still high/low; off-scale
// ("<", ">") is low/high.
var interpretationFlags = map[string]string{
	"H": "high", "HU": "high", ">": "high",
	"L": "low", "LU": "low", "<": "low",
	"A":  "abnormal",
	"HH": "critical", "LL": "critical", "AA": "critical",
}

func flagFromInterpretation(cs []codeable) string {
	flag := ""
	for _, c := range cs {
		for _, cd := range c.Coding {
			flag = worstFlag(flag, interpretationFlags[cd.Code])
		}
	}
	return flag
}

// isNormal says the lab called the value normal: the range is then not consulted.
func isNormal(cs []codeable) bool {
	for _, c := range cs {
		if c.has("N") {
			return true
		}
	}
	return false
}

// worstFlag combines two flags: critical beats all; high with low is abnormal.
func worstFlag(a, b string) string {
	switch {
	case a == b || b == "":
		return a
	case a == "":
		return b
	case a == "critical" || b == "critical":
		return "critical"
	default: // two different of high, low, abnormal
		return "abnormal"
	}
}
