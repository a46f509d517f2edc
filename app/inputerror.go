package app

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// inputText is an input error's message in the running language: its translation, the
// numbers, dates and times among its facts written the language's way. ok is false for an
// error that is no *data.InputError or carries no translation (its English sentence is all
// there is).
func inputText(err error) (text string, ok bool) {
	var ie *data.InputError
	if !errors.As(err, &ie) || ie.Key == "" {
		return "", false
	}
	args := make(tr.Args, len(ie.Args))
	for k, v := range ie.Args {
		args[k] = inputArg(v)
	}
	return tr.T(ie.Key, args), true
}

// inputArg writes one fact of an input error for a person.
func inputArg(v any) any {
	switch v := v.(type) {
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return plainNumber(v)
	case data.Units:
		return tr.Trim(v.Float(), 3)
	case data.Date:
		return tr.Format(time.Date(v.Year, v.Month, v.Day, 12, 0, 0, 0, time.UTC), tr.DayMonthYear)
	case time.Time:
		return tr.Format(v, tr.DayMonthTime)
	case data.TimeOfDay:
		return v.String()
	case data.ReadingType:
		return readingTypeWords(v)
	}
	return v
}

// plainNumber writes x as typed and as the rules are said (1440, 72.5), with the language's
// decimal mark (72,5) but without grouping: a limit of "1,440" minutes reads oddly, and the
// English text stays the command line's.
func plainNumber(x float64) string {
	s := strconv.FormatFloat(x, 'f', -1, 64)
	// The mark is what the language writes between 1 and 5 in one and a half.
	mark := strings.TrimSuffix(strings.TrimPrefix(tr.Num(1.5, 1), "1"), "5")
	return strings.Replace(s, ".", mark, 1)
}

// readingTypeWords names a reading type within a sentence.
func readingTypeWords(t data.ReadingType) string {
	switch string(t) {
	case data.VitalBloodPressure:
		return tr.T("input.reading_blood_pressure")
	case data.VitalPulse:
		return tr.T("input.reading_pulse")
	case data.VitalWeight:
		return tr.T("input.reading_weight")
	case data.VitalGlucose:
		return tr.T("input.reading_glucose")
	case data.VitalTemperature:
		return tr.T("input.reading_temperature")
	case data.VitalOxygen:
		return tr.T("input.reading_oxygen")
	}
	return string(t)
}
