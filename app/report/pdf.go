package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/app/words"
	"github.com/patient-companion/companion/assets"
	"github.com/patient-companion/companion/data"
)

// Paper is a page size.
type Paper string

// The two page sizes: Letter where it is the custom (the United States and Canada), A4
// everywhere else.
const (
	A4     Paper = "A4"
	Letter Paper = "Letter"
)

// PaperFor chooses the page size from the locale: LC_ALL, then LC_PAPER, then LANG, as
// setlocale does.
func PaperFor(getenv func(string) string) Paper {
	loc := ""
	for _, k := range []string{"LC_ALL", "LC_PAPER", "LANG"} {
		if v := getenv(k); v != "" {
			loc = v
			break
		}
	}
	loc, _, _ = strings.Cut(loc, ".")
	loc, _, _ = strings.Cut(loc, "@")
	switch strings.ReplaceAll(loc, "-", "_") {
	case "en_US", "en_CA":
		return Letter
	}
	return A4
}

// Layout, in millimetres and points.
const (
	margin   = 18.0
	bodySize = 9.5
	lineH    = 4.6
	font     = "DejaVu"
)

// Colours: dark text, a grey for secondary text and rules, a pale band behind table heads.
var (
	ink   = [3]int{0x1a, 0x1a, 0x1a}
	muted = [3]int{0x5f, 0x63, 0x68}
	rule  = [3]int{0xc8, 0xcc, 0xd0}
	band  = [3]int{0xee, 0xf1, 0xf4}
)

// severityScale is the window's severity scale (app/severity.go): pale yellow at 0 to deep
// blue at 10, readable in grey and by people with colour-vision deficiency (cividis).
var severityScale = [11][3]int{
	{0xfe, 0xe8, 0x38}, {0xe4, 0xcf, 0x5b}, {0xc4, 0xb5, 0x6c},
	{0xa6, 0x9d, 0x75}, {0x8a, 0x87, 0x79}, {0x70, 0x71, 0x73},
	{0x57, 0x5d, 0x6d}, {0x3b, 0x49, 0x6c}, {0x12, 0x35, 0x70},
	{0x00, 0x2a, 0x5e}, {0x00, 0x22, 0x4e},
}

// Write draws r as a PDF on paper and writes it to w. It returns the number of pages.
func Write(w io.Writer, r *Report, paper Paper) (int, error) {
	p := &pdf{r: r, f: fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: string(paper)})}
	f := p.f
	f.AddUTF8FontFromBytes(font, "", assets.FontRegular)
	f.AddUTF8FontFromBytes(font, "B", assets.FontBold)
	f.SetMargins(margin, margin+8, margin)
	f.SetAutoPageBreak(true, margin+6)
	f.AliasNbPages("{nb}")
	// The file's dates are the report's, so the same report is the same file. In UTC:
	// fpdf writes them without an offset, which readers take as UTC.
	f.SetCreationDate(r.Generated.UTC())
	f.SetModificationDate(r.Generated.UTC())
	f.SetTitle(tr.T("report.file_title", tr.Args{"Name": r.Person}), true)
	f.SetAuthor(r.Person, true)
	f.SetCreator("Patient Companion", true)
	f.SetProducer("Patient Companion", true)
	p.pageW, p.pageH = f.GetPageSize()
	p.textW = p.pageW - 2*margin
	f.SetHeaderFunc(p.header)
	f.SetFooterFunc(p.footer)
	f.AddPage()

	p.titleBlock()
	p.medicines()
	p.symptoms()
	p.moods()
	p.readings()
	p.notes()
	p.appointments()
	p.questions()

	if err := f.Output(w); err != nil {
		return 0, fmt.Errorf("write the report: %w", err)
	}
	return f.PageCount(), nil
}

type pdf struct {
	r                   *Report
	f                   *fpdf.Fpdf
	pageW, pageH, textW float64
}

func (p *pdf) color(c [3]int) { p.f.SetTextColor(c[0], c[1], c[2]) }

func (p *pdf) date(t time.Time) string { return tr.Format(t.In(p.r.Loc), tr.DayMonthYear) }

func (p *pdf) dateTime(t time.Time) string { return tr.Format(t.In(p.r.Loc), tr.DayMonthTime) }

func day(d data.Date) string { return tr.Format(noon(d), tr.DayMonthYear) }

// noon is midday of d, a time that names d in any zone's arithmetic.
func noon(d data.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC) }

func (p *pdf) period() string { return day(p.r.From) + " – " + day(p.r.To) }

// header names the person on every page, so a loose page is never taken for someone else's.
func (p *pdf) header() {
	f := p.f
	f.SetY(margin - 6)
	f.SetFont(font, "B", 8.5)
	p.color(ink)
	f.CellFormat(p.textW/2, 4, p.fit(safe(p.r.Person), p.textW/2-2), "", 0, "L", false, 0, "")
	f.SetFont(font, "", 8.5)
	p.color(muted)
	f.CellFormat(p.textW/2, 4, tr.T("report.header", tr.Args{"Period": p.period()}), "", 1, "R", false, 0, "")
	f.SetDrawColor(rule[0], rule[1], rule[2])
	f.SetLineWidth(0.2)
	f.Line(margin, margin-1.2, p.pageW-margin, margin-1.2)
	f.SetY(margin + 8)
	p.color(ink)
}

func (p *pdf) footer() {
	f := p.f
	f.SetY(-margin)
	f.SetFont(font, "", 8)
	p.color(muted)
	// {nb} is fpdf's alias for the number of pages, filled in when the file is written; it
	// is about as wide as the number. The footer's words get the rest of the line, which
	// some languages need all of.
	page := tr.T("report.page", tr.Args{"Page": tr.Int(f.PageNo()), "Pages": "{nb}"})
	pageW := f.GetStringWidth(page) + 2
	f.CellFormat(p.textW-pageW, 4, p.fit(tr.T("report.footer", tr.Args{"When": p.dateTime(p.r.Generated)}), p.textW-pageW-2), "", 0, "L", false, 0, "")
	f.CellFormat(pageW, 4, page, "", 0, "R", false, 0, "")
	p.color(ink)
}

func (p *pdf) titleBlock() {
	f := p.f
	f.SetFont(font, "B", 18)
	p.color(ink)
	f.CellFormat(p.textW, 9, tr.T("report.title"), "", 1, "L", false, 0, "")
	f.Ln(1)
	rows := [][2]string{{tr.T("report.person"), p.r.Person}}
	if p.r.Clinic != "" {
		rows = append(rows, [2]string{tr.T("report.clinic"), p.r.Clinic})
	}
	rows = append(rows, [2]string{tr.T("report.period"), tr.N("report.period_days", p.r.Days(),
		tr.Args{"Period": p.period(), "Days": tr.Int(p.r.Days())})})
	rows = append(rows, [2]string{tr.T("report.time_zone"), zoneName(p.r.Generated, p.r.Loc)})
	// The labels' column is as wide as the widest label in the running language.
	f.SetFont(font, "", 10)
	labelW := 24.0
	for _, kv := range rows {
		labelW = max(labelW, f.GetStringWidth(kv[0])+3)
	}
	for _, kv := range rows {
		f.SetFont(font, "", 10)
		p.color(muted)
		f.CellFormat(labelW, 5.5, kv[0], "", 0, "L", false, 0, "")
		f.SetFont(font, "B", 10)
		p.color(ink)
		f.MultiCell(p.textW-labelW, 5.5, strings.Join(p.wrap(safe(kv[1]), p.textW-labelW-2), "\n"), "", "L", false)
	}
	if p.r.Damaged > 0 {
		f.Ln(2)
		f.SetFont(font, "B", bodySize)
		f.SetTextColor(0x9a, 0x1b, 0x1b)
		p.para(tr.N("report.damaged", p.r.Damaged, tr.Args{"N": tr.Int(p.r.Damaged)}))
		p.color(ink)
	}
	f.Ln(2)
}

// section starts a titled section, on a new page when fewer than need millimetres remain.
func (p *pdf) section(title string, need float64) {
	f := p.f
	p.ensure(need + 12)
	f.Ln(3)
	f.SetFont(font, "B", 13)
	p.color(ink)
	f.CellFormat(p.textW, 7, title, "", 1, "L", false, 0, "")
	y := f.GetY()
	f.SetDrawColor(ink[0], ink[1], ink[2])
	f.SetLineWidth(0.35)
	f.Line(margin, y, margin+p.textW, y)
	f.Ln(2)
	f.SetFont(font, "", bodySize)
}

// ensure starts a new page when fewer than h millimetres remain on this one.
func (p *pdf) ensure(h float64) {
	if p.f.GetY()+h > p.pageH-margin-6 {
		p.f.AddPage()
	}
}

func (p *pdf) para(s string) {
	p.f.MultiCell(p.textW, lineH, safe(s), "", "L", false)
}

func (p *pdf) quiet(s string) {
	p.f.SetFont(font, "", bodySize)
	p.color(muted)
	p.para(s)
	p.color(ink)
}

// table draws rows under a head, wrapping each cell within its column and repeating the head
// on a new page.
func (p *pdf) table(head []string, widths []float64, rows [][]string) {
	f := p.f
	drawHead := func() {
		f.SetFont(font, "B", 8.5)
		f.SetFillColor(band[0], band[1], band[2])
		p.color(ink)
		x := margin
		for i, h := range head {
			f.SetXY(x, f.GetY())
			f.CellFormat(widths[i], 6, p.fit(h, widths[i]-1), "", 0, "L", true, 0, "")
			x += widths[i]
		}
		f.Ln(6)
	}
	p.ensure(6 + lineH + 2)
	drawHead()
	f.SetFont(font, "", bodySize)
	for _, row := range rows {
		lines := make([][]string, len(row))
		n := 1
		for i, cell := range row {
			if i == 0 {
				f.SetFont(font, "B", bodySize) // the first column is bold: wrap it so
			} else {
				f.SetFont(font, "", bodySize)
			}
			lines[i] = p.wrap(safe(cell), widths[i]-2)
			n = max(n, len(lines[i]))
		}
		bottom := p.pageH - margin - 6
		// A row goes to the next page whole when it fits on one; a longer one (a note of
		// thousands of characters) runs on over as many pages as it needs.
		fresh := bottom - (margin + 8) - 6 - 1.6
		if float64(n)*lineH <= fresh && f.GetY()+float64(n)*lineH+1.6 > bottom {
			f.AddPage()
			drawHead()
		}
		for done := 0; done < n; {
			take := min(n-done, int((bottom-f.GetY()-1.6)/lineH))
			if take < 1 {
				f.AddPage()
				drawHead()
				continue
			}
			y := f.GetY()
			x := margin
			for i := range row {
				if i == 0 {
					f.SetFont(font, "B", bodySize)
				} else {
					f.SetFont(font, "", bodySize)
				}
				for j := done; j < min(done+take, len(lines[i])); j++ {
					f.SetXY(x, y+0.8+float64(j-done)*lineH)
					f.CellFormat(widths[i], lineH, lines[i][j], "", 0, "L", false, 0, "")
				}
				x += widths[i]
			}
			h := float64(take)*lineH + 1.6
			f.SetDrawColor(rule[0], rule[1], rule[2])
			f.SetLineWidth(0.15)
			f.Line(margin, y+h, margin+p.textW, y+h)
			f.SetXY(margin, y+h)
			done += take
			if done < n {
				f.AddPage()
				drawHead()
			}
		}
	}
	f.SetFont(font, "", bodySize)
	f.Ln(1)
}

// wrap splits s into lines no wider than w in the current font, at spaces where it can.
func (p *pdf) wrap(s string, w float64) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.FieldsFunc(para, breaks) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if p.f.GetStringWidth(try) <= w {
				line = try
				continue
			}
			if line != "" {
				out = append(out, line)
			}
			// A word wider than the column (a long link) is cut, measured rune by rune:
			// measuring ever shorter prefixes was cubic in its length.
			if p.f.GetStringWidth(word) > w {
				var part []rune
				pw := 0.0
				for _, r := range word {
					rw := p.f.GetStringWidth(string(r))
					if len(part) > 0 && pw+rw > w {
						out = append(out, string(part))
						part, pw = part[:0], 0
					}
					part = append(part, r)
					pw += rw
				}
				word = string(part)
			}
			line = word
		}
		out = append(out, line)
	}
	return out
}

// breaks reports whether a line may break at r: at a space, but not a no-break space
// ("30 %" in German and Spanish stays on one line).
func breaks(r rune) bool { return unicode.IsSpace(r) && r != '\u00a0' && r != '\u202f' }

// fit shortens s with an ellipsis to w millimetres in the current font: for one-line places
// (the running header, a chart's title), where a long name would run off the page.
func (p *pdf) fit(s string, w float64) string {
	if p.f.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && p.f.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func (p *pdf) medicines() {
	p.section(tr.T("report.medicines"), 20)
	if len(p.r.Medicines) == 0 {
		p.quiet(tr.T("report.no_medicines"))
		return
	}
	end := p.date(p.r.AdherenceEnd.Add(-time.Nanosecond))
	p.quiet(tr.T("report.medicines_intro", tr.Args{"Short": tr.Int(ShortDays), "Long": tr.Int(LongDays), "End": end,
		"Late": tr.Int(int(data.LateAfter / time.Minute))}))
	p.f.Ln(1)
	w := p.textW
	widths := []float64{w * 0.25, w * 0.27, w * 0.24, w * 0.24}
	rows := make([][]string, 0, len(p.r.Medicines))
	for _, m := range p.r.Medicines {
		name := m.Name
		if m.Strength != "" {
			name += " " + m.Strength
		}
		sched := m.Schedule
		if m.Dose != "" {
			sched = m.Dose + ", " + sched
		}
		if m.Instructions != "" {
			sched += " (" + m.Instructions + ")"
		}
		if m.Archived {
			sched = tr.T("report.stopped", tr.Args{"Schedule": sched})
		}
		rows = append(rows, []string{name, sched, adherenceText(m, m.Short), adherenceText(m, m.Long)})
	}
	p.table([]string{tr.T("report.col_medicine"), tr.T("report.col_schedule"),
		tr.T("report.col_last_days", tr.Args{"Days": tr.Int(ShortDays)}), tr.T("report.col_last_days", tr.Args{"Days": tr.Int(LongDays)})}, widths, rows)
}

func adherenceText(m Medicine, a remind.Adherence) string {
	if m.AsNeeded {
		return tr.N("report.as_needed_taken", a.AsNeeded, tr.Args{"N": tr.Int(a.AsNeeded)})
	}
	if a.Total() == 0 {
		return tr.T("report.no_scheduled_doses")
	}
	pct := 100 * float64(a.Taken+a.Late) / float64(a.Total())
	return tr.T("report.adherence", tr.Args{"Done": tr.Int(a.Taken + a.Late), "Total": tr.Int(a.Total()),
		"Percent": tr.Num(pct, 0), "OnTime": tr.Int(a.Taken), "Late": tr.Int(a.Late),
		"Skipped": tr.Int(a.Skipped), "Missed": tr.Int(a.Missed)})
}

func (p *pdf) symptoms() {
	p.section(tr.T("report.symptoms"), 30)
	if len(p.r.Symptoms) == 0 {
		p.quiet(tr.T("report.no_symptoms"))
		return
	}
	p.quiet(tr.T("report.severity_scale"))
	p.f.Ln(1)
	w := p.textW
	widths := []float64{w * 0.34, w * 0.14, w * 0.16, w * 0.14, w * 0.22}
	rows := make([][]string, 0, len(p.r.Symptoms))
	for _, s := range p.r.Symptoms {
		mean := "—"
		if s.Mean > 0 || s.Highest > 0 {
			mean = tr.Num(s.Mean, 1)
		}
		rows = append(rows, []string{words.Symptom(s.Name), tr.Int(s.Count), mean, tr.Int(s.Highest), p.date(s.Last)})
	}
	p.table([]string{tr.T("report.col_symptom"), tr.T("report.col_times_logged"), tr.T("report.col_average"),
		tr.T("report.col_highest"), tr.T("report.col_last_logged")}, widths, rows)
	for i, s := range p.r.Symptoms {
		if i == MaxCharts {
			break
		}
		p.chart(s)
	}
}

// chart draws a symptom's strongest severity per day (per week over a long period) as
// vector bars on the severity scale, and the average as a line, with numbered axes. A day
// without an entry gets a small open mark on the base line, so "not logged" never reads as
// 0, as in the window's chart.
func (p *pdf) chart(s Symptom) {
	f := p.f
	const plotH, axisW, axisH = 38.0, 9.0, 9.0
	p.ensure(plotH + axisH + 14)
	f.Ln(3)
	per := barDays(len(s.Days))
	buckets := bucket(s, per)
	f.SetFont(font, "B", 10)
	p.color(ink)
	f.CellFormat(p.textW, 5.5, p.fit(safe(words.Symptom(s.Name)), p.textW-2), "", 1, "L", false, 0, "")
	f.SetFont(font, "", 8)
	p.color(muted)
	n := tr.Args{"N": tr.Int(s.Count)}
	var caption string
	switch per {
	case 1:
		caption = tr.N("report.chart_per_day", s.Count, n)
	case 7:
		caption = tr.N("report.chart_per_week", s.Count, n)
	default:
		caption = tr.N("report.chart_per_4_weeks", s.Count, n)
	}
	f.CellFormat(p.textW, 4, p.fit(caption, p.textW), "", 0, "L", false, 0, "")
	f.Ln(5.5)
	x0, y0 := margin+axisW, f.GetY()
	pw := p.textW - axisW
	base := y0 + plotH
	// Grid and the severity axis.
	f.SetFont(font, "", 7.5)
	for v := 0; v <= 10; v += 2 {
		y := base - plotH*float64(v)/10
		f.SetDrawColor(rule[0], rule[1], rule[2])
		f.SetLineWidth(0.12)
		f.Line(x0, y, x0+pw, y)
		f.SetXY(margin, y-2)
		f.CellFormat(axisW-1.5, 4, tr.Int(v), "", 0, "R", false, 0, "")
	}
	f.SetDrawColor(muted[0], muted[1], muted[2])
	f.SetLineWidth(0.25)
	f.Line(x0, y0, x0, base)
	f.Line(x0, base, x0+pw, base)
	// Bars.
	nb := len(buckets)
	slot := pw / float64(nb)
	gap := math.Min(slot*0.2, 0.8)
	for i, b := range buckets {
		x := x0 + float64(i)*slot
		if b.max < 0 {
			f.SetDrawColor(muted[0], muted[1], muted[2])
			f.SetLineWidth(0.15)
			r := math.Min(slot*0.3, 0.7)
			f.Circle(x+slot/2, base-r-0.3, r, "D")
			continue
		}
		c := severityScale[min(10, max(0, b.max))]
		f.SetFillColor(c[0], c[1], c[2])
		h := plotH * float64(b.max) / 10
		if b.max == 0 {
			h = 0.6 // a logged 0 shows as a sliver, unlike a day not logged
		}
		f.Rect(x+gap/2, base-h, slot-gap, h, "F")
	}
	// The average: vermilion, which stands apart from every colour of the scale, also
	// for colour-blind readers; broken where nothing was logged. Only over weeks: a day's
	// bar already tells its story.
	line := buckets
	if per == 1 {
		line = nil
	}
	f.SetDrawColor(0xd5, 0x5e, 0x00)
	f.SetFillColor(0xd5, 0x5e, 0x00)
	f.SetLineWidth(0.45)
	prev := -1
	for i, b := range line {
		if b.n == 0 {
			prev = -1
			continue
		}
		x, y := x0+(float64(i)+0.5)*slot, base-plotH*b.mean()/10
		if prev >= 0 {
			pb := line[prev]
			f.Line(x0+(float64(prev)+0.5)*slot, base-plotH*pb.mean()/10, x, y)
		}
		f.Circle(x, y, math.Min(0.6, slot*0.35), "F")
		prev = i
	}
	// Date axis: about six labels, at bucket starts.
	f.SetDrawColor(muted[0], muted[1], muted[2])
	f.SetLineWidth(0.25)
	labels := min(6, nb)
	for k := 0; k < labels; k++ {
		i := 0
		if labels > 1 {
			i = k * (nb - 1) / (labels - 1)
		}
		d := addDays(p.r.From, i*per)
		x := x0 + (float64(i)+0.5)*slot
		f.Line(x, base, x, base+1.2)
		label := tr.Format(noon(d), tr.DayMonth)
		if p.r.From.Year != p.r.To.Year {
			label = tr.Format(noon(d), tr.ShortDate)
		}
		lw := f.GetStringWidth(label) + 1
		lx := math.Max(x0, math.Min(x-lw/2, x0+pw-lw))
		f.SetXY(lx, base+1.4)
		f.CellFormat(lw, 3.5, label, "", 0, "C", false, 0, "")
	}
	p.color(ink)
	f.SetXY(margin, base+axisH-2)
}

// bar is one bar of a chart: the strongest severity (-1: nothing logged) and the sum and
// number of severities, for the average.
type bar struct{ max, sum, n int }

func (b bar) mean() float64 { return float64(b.sum) / float64(b.n) }

// barDays is how many days one bar of a chart stands for: a day, or over a long period a
// week or four (a bar per day of a year would be thinner than a hair).
func barDays(days int) int {
	switch {
	case days <= 120:
		return 1
	case days <= 7*120:
		return 7
	}
	return 28
}

// bucket makes a bar per per days.
func bucket(s Symptom, per int) []bar {
	out := make([]bar, 0, (len(s.Days)+per-1)/per)
	for i := 0; i < len(s.Days); i += per {
		b := bar{max: -1}
		for j := i; j < min(i+per, len(s.Days)); j++ {
			b.max = max(b.max, s.Days[j])
			b.sum += s.Sums[j]
			b.n += s.Counts[j]
		}
		out = append(out, b)
	}
	return out
}

func (p *pdf) moods() {
	p.section(tr.T("report.moods"), 20)
	if len(p.r.Moods) == 0 {
		p.quiet(tr.T("report.no_moods"))
		return
	}
	w := p.textW
	rows := make([][]string, 0, len(p.r.Moods))
	for _, m := range p.r.Moods {
		rows = append(rows, []string{words.Mood(m.Name), tr.Int(m.Count), p.date(m.Last)})
	}
	p.table([]string{tr.T("report.col_mood"), tr.T("report.col_times_logged"), tr.T("report.col_last_logged")}, []float64{w * 0.4, w * 0.25, w * 0.35}, rows)
}

// localNumbers writes the numbers in a reading's text ("120/80", "72.5") the running
// language's way ("72,5"). Units are symbols (kg, mmHg, °C), the same in every language.
func localNumbers(s string) string {
	parts := strings.Split(s, "/")
	for i, part := range parts {
		if x, err := strconv.ParseFloat(part, 64); err == nil {
			decimals := 0
			if _, frac, ok := strings.Cut(part, "."); ok {
				decimals = len(frac)
			}
			parts[i] = tr.Num(x, decimals)
		}
	}
	return strings.Join(parts, "/")
}

func (p *pdf) readings() {
	p.section(tr.T("report.readings"), 20)
	if len(p.r.Readings) == 0 {
		p.quiet(tr.T("report.no_readings"))
		return
	}
	w := p.textW
	rows := make([][]string, 0, len(p.r.Readings))
	for _, g := range p.r.Readings {
		val := func(v data.Vital) string {
			return tr.T("report.reading_value", tr.Args{"Value": localNumbers(v.Text(g.Unit)), "Unit": g.Unit}) + "\n" + p.date(v.At)
		}
		last := g.Points[len(g.Points)-1]
		rows = append(rows, []string{words.Vital(g.Type), tr.Int(len(g.Points)), val(last), val(g.Lowest), val(g.Highest)})
	}
	p.table([]string{tr.T("report.col_reading"), tr.T("report.col_times"), tr.T("report.col_latest"),
		tr.T("report.col_lowest"), tr.T("report.col_highest")}, []float64{w * 0.22, w * 0.1, w * 0.23, w * 0.22, w * 0.23}, rows)
}

func (p *pdf) notes() {
	p.section(tr.T("report.notes"), 20)
	if len(p.r.Notes) == 0 {
		p.quiet(tr.T("report.no_notes"))
		return
	}
	w := p.textW
	rows := make([][]string, 0, len(p.r.Notes))
	for _, n := range p.r.Notes {
		who := n.Who
		if who == "" {
			who = tr.T("report.journal")
		}
		rows = append(rows, []string{p.dateTime(n.At), who, n.Text})
	}
	p.table([]string{tr.T("report.col_when"), tr.T("report.col_note_where"), tr.T("report.col_note")}, []float64{w * 0.25, w * 0.19, w * 0.56}, rows)
	if p.r.NotesLeftOut > 0 {
		p.quiet(tr.N("report.notes_left_out", p.r.NotesLeftOut, tr.Args{"N": tr.Int(p.r.NotesLeftOut)}))
	}
}

func (p *pdf) appointments() {
	p.section(tr.T("report.appointments"), 20)
	p.apptTable(p.r.Appointments, tr.T("report.no_appointments"))
	p.section(tr.T("report.upcoming"), 20)
	p.apptTable(p.r.Upcoming, tr.T("report.no_upcoming"))
}

func (p *pdf) apptTable(list []data.Appointment, none string) {
	if len(list) == 0 {
		p.quiet(none)
		return
	}
	w := p.textW
	rows := make([][]string, 0, len(list))
	for _, a := range list {
		what := a.Title
		if a.Description != "" {
			what += "\n" + a.Description
		}
		rows = append(rows, []string{p.dateTime(a.Start), what, a.Location, statusWords(a.Status)})
	}
	p.table([]string{tr.T("report.col_when"), tr.T("report.col_what"), tr.T("report.col_where"), tr.T("report.col_status")}, []float64{w * 0.25, w * 0.35, w * 0.26, w * 0.14}, rows)
}

// questions lists what the person wrote down to ask at the next visit, each with a box to
// tick, then leaves room for notes during the visit.
func (p *pdf) questions() {
	p.section(tr.T("report.questions"), 50)
	f := p.f
	if len(p.r.Questions) == 0 {
		p.quiet(tr.T("report.no_questions"))
	} else {
		a := p.r.QuestionsFor
		p.quiet(tr.T("report.questions_for", tr.Args{"Title": a.Title, "When": p.dateTime(a.Start)}))
		for _, q := range p.r.Questions {
			box := "☐ "
			if q.Done {
				box = "☑ "
			}
			f.SetFont(font, "", 11)
			f.MultiCell(p.textW, 6, safe(box+q.Text), "", "L", false)
		}
		f.Ln(2)
		p.quiet(tr.T("report.room_for_notes"))
	}
	f.SetDrawColor(rule[0], rule[1], rule[2])
	f.SetLineWidth(0.2)
	for i := 0; i < 6; i++ {
		f.Ln(8)
		if f.GetY() > p.pageH-margin-8 {
			break
		}
		f.Line(margin, f.GetY(), margin+p.textW, f.GetY())
	}
}

// statusWords names an appointment's state (the portal's FHIR code, or ours) in words; a
// code we do not know shows as it is.
func statusWords(status string) string {
	switch status {
	case "", "booked":
		return tr.T("report.status_booked")
	case "pending", "proposed", data.StatusRequested:
		return tr.T("report.status_requested")
	case "arrived", "checked-in":
		return tr.T("report.status_arrived")
	case "fulfilled":
		return tr.T("report.status_fulfilled")
	case data.StatusCancelled:
		return tr.T("report.status_cancelled")
	case "noshow":
		return tr.T("report.status_noshow")
	case "waitlist":
		return tr.T("report.status_waitlist")
	case "entered-in-error":
		return tr.T("report.status_error")
	}
	return status
}

// safe keeps text within what the embedded font and fpdf's width tables cover (the Basic
// Multilingual Plane); a character beyond it (an emoji) shows as U+FFFD.
func safe(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r > 0xFFFF }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r > 0xFFFF {
			return '\uFFFD'
		}
		return r
	}, s)
}

// zoneName names the zone the report's times are in: its name, or for the system's own
// zone (which Go calls "Local") its abbreviation and offset.
func zoneName(t time.Time, loc *time.Location) string {
	if name := loc.String(); name != "Local" && name != "" {
		return name
	}
	return t.In(loc).Format("MST (UTC-07:00)")
}
