package tr

import (
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Style is a way of writing a date or time. Each language writes it with its own layout,
// the translation of "format.<style>": a Go time layout ("Mon 2 Jan 2006") whose names
// (Mon, Monday, Jan, January, PM) are then put in the language's words.
type Style string

// The styles, with how English writes them.
const (
	Clock        Style = "clock"          // 15:04
	Date         Style = "date"           // Mon 2 Jan 2006
	DateNoYear   Style = "date_no_year"   // Mon 2 Jan
	DayMonth     Style = "day_month"      // 2 Jan
	DayMonthYear Style = "day_month_year" // 2 Jan 2006
	ShortDate    Style = "short_date"     // 2 Jan 06
	MonthYear    Style = "month_year"     // Jan 2006
	LongDate     Style = "long_date"      // Monday 2 January 2006
	DateClock    Style = "date_clock"     // Mon 2 Jan 2006, 15:04
	DayClock     Style = "day_clock"      // Mon 2 Jan at 15:04
	DayMonthTime Style = "day_month_time" // 2 Jan 2006 15:04
	WeekdayClock Style = "weekday_clock"  // Mon 15:04
	Weekday      Style = "weekday"        // Monday
	Month        Style = "month"          // January
)

// Format writes t the running language's way in style.
func Format(t time.Time, style Style) string {
	return Layout(t, T("format."+string(style)))
}

// Layout writes t with a Go time layout, putting day and month names and AM/PM in the
// running language's words. Numbers (2, 02, 15, 3, 04, 2006…) are as Go writes them.
func Layout(t time.Time, layout string) string {
	var b strings.Builder
	for layout != "" {
		tok := layoutToken(layout)
		switch tok {
		case "":
			b.WriteByte(layout[0])
			layout = layout[1:]
			continue
		case "Monday":
			b.WriteString(T("day." + strings.ToLower(t.Weekday().String()[:3])))
		case "Mon":
			b.WriteString(T("day_short." + strings.ToLower(t.Weekday().String()[:3])))
		case "January":
			b.WriteString(T("month." + strings.ToLower(t.Month().String()[:3])))
		case "Jan":
			b.WriteString(T("month_short." + strings.ToLower(t.Month().String()[:3])))
		case "PM":
			if t.Hour() < 12 {
				b.WriteString(T("format.am"))
			} else {
				b.WriteString(T("format.pm"))
			}
		default:
			b.WriteString(t.Format(tok))
		}
		layout = layout[len(tok):]
	}
	return b.String()
}

// layoutTokens are the parts of a Go layout Layout knows, longest first where one begins
// another.
var layoutTokens = [...]string{"January", "Monday", "2006", "Jan", "Mon", "MST",
	"15", "01", "02", "03", "04", "05", "_2", "PM", "2", "3"}

func layoutToken(s string) string {
	for _, tok := range layoutTokens {
		if strings.HasPrefix(s, tok) {
			return tok
		}
	}
	return ""
}

// Num writes x with decimals digits after the point, grouped and pointed the running
// language's way: 1,234.5 in English, 1.234,5 in German.
func Num(x float64, decimals int) string {
	p := message.NewPrinter(tag())
	return p.Sprint(number.Decimal(x, number.MinFractionDigits(decimals), number.MaxFractionDigits(decimals)))
}

// Int writes n grouped the running language's way.
func Int(n int) string {
	return message.NewPrinter(tag()).Sprint(number.Decimal(n))
}

// Trim writes x with at most decimals digits after the point, none when it is whole
// (5, 2.5, 0.25): how a dose or a reading is said.
func Trim(x float64, decimals int) string {
	p := message.NewPrinter(tag())
	return p.Sprint(number.Decimal(x, number.MaxFractionDigits(decimals)))
}

func tag() language.Tag {
	t, err := language.Parse(Lang())
	if err != nil {
		return language.English
	}
	return t
}
