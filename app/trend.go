package app

// The trend chart of one test of the health record (HbA1c, blood pressure, cholesterol…):
// its values over time, the reference range as a shaded band, and each value outside the
// range marked by its shape — a triangle pointing up for high, down for low, a round dot
// for one in range — and by the word ("High", "Low") beside it, never by colour alone.
// Blood pressure draws both numbers, the top one (systolic) and the bottom one (diastolic).
// Everything the chart shows is also said in words under it (trendSummary), for a screen
// reader and for anyone who does not read charts.

import (
	"image/color"
	"math"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/health"
	"github.com/patient-companion/companion/app/tr"
)

// trendPoint is one value of the chart.
type trendPoint struct {
	at    time.Time
	value float64
	// second is the bottom number of a blood pressure (NaN for other tests).
	second float64
	flag   string // high|low|abnormal|critical|"", as health.Row.Flag
}

// trendData is what a chart draws: its points (oldest first) and the reference range.
type trendData struct {
	points    []trendPoint
	low, high *float64
	unit      string
	pair      bool // blood pressure: two numbers per point
	// limits are blood pressure's range as lines (130 for the top number, 80 for the
	// bottom one): one band for two numbers would shade the bottom one's high values as
	// normal.
	limits []float64
}

// newTrendData takes the chart's points from rows of one test (health.Trend), leaving out
// the ones without a number or a date.
func newTrendData(rows []health.Row) trendData {
	var d trendData
	for _, r := range rows {
		if r.Number == nil || r.Date.IsZero() {
			continue
		}
		p := trendPoint{at: r.Date, value: *r.Number, second: math.NaN(), flag: r.Flag}
		if top, bottom, ok := bloodPressure(r.Value); ok {
			p.value, p.second = top, bottom
			d.pair = true
		}
		d.points = append(d.points, p)
		// The latest range is the one the person is measured against now.
		if r.Low != nil || r.High != nil {
			d.low, d.high = r.Low, r.High
		}
		if d.pair && r.ReferenceRange != "" {
			d.limits = pairLimits(r.ReferenceRange)
		}
		if r.Unit != "" {
			d.unit = r.Unit
		}
	}
	return d
}

// bloodPressure reads a "142/91" value.
func bloodPressure(v string) (top, bottom float64, ok bool) {
	a, b, found := strings.Cut(v, "/")
	if !found {
		return 0, 0, false
	}
	// The window's values are written the person's way ("120,5" in German).
	x, err1 := strconv.ParseFloat(typedDecimal(strings.TrimSpace(a)), 64)
	y, err2 := strconv.ParseFloat(typedDecimal(strings.TrimSpace(b)), 64)
	return x, y, err1 == nil && err2 == nil
}

// pairLimits reads the limits of a blood pressure's range, "<130/<80" or "90–130/60–80".
func pairLimits(rng string) []float64 {
	var out []float64
	for _, part := range strings.Split(rng, "/") {
		part = strings.NewReplacer("<", " ", ">", " ", "=", " ", "≤", " ", "≥", " ", "–", " ", "-", " ").Replace(part)
		for _, f := range strings.Fields(part) {
			if v, err := strconv.ParseFloat(typedDecimal(f), 64); err == nil {
				out = append(out, v)
			}
		}
	}
	return out
}

// flagWord is a result's flag in words: "High", "Low", "Abnormal", "Critical"; "" in range.
func flagWord(flag string) string {
	switch flag {
	case "high":
		return tr.T("trend.high")
	case "low":
		return tr.T("trend.low")
	case "abnormal":
		return tr.T("trend.abnormal")
	case "critical":
		return tr.T("trend.critical")
	}
	return ""
}

// trendChart draws one test's trendData.
type trendChart struct {
	widget.BaseWidget
	d trendData
}

func newTrendChart(d trendData) *trendChart {
	c := &trendChart{d: d}
	c.ExtendBaseWidget(c)
	return c
}

// trendPlotHeight is the least height of the plot, whatever the text size.
const trendPlotHeight = 120

func (c *trendChart) CreateRenderer() fyne.WidgetRenderer {
	r := &trendRenderer{c: c, band: canvas.NewRectangle(color.Transparent)}
	for range 3 {
		t := canvas.NewText("", nil)
		t.Alignment = fyne.TextAlignTrailing
		r.yLabels = append(r.yLabels, t)
		r.grid = append(r.grid, canvas.NewLine(nil))
	}
	for range 2 {
		r.xLabels = append(r.xLabels, canvas.NewText("", nil))
	}
	series := 1
	if c.d.pair {
		series = 2
	}
	for s := 0; s < series; s++ {
		var lines []*canvas.Line
		for i := 1; i < len(c.d.points); i++ {
			lines = append(lines, canvas.NewLine(nil))
		}
		r.lines = append(r.lines, lines)
	}
	for range c.d.limits {
		r.limits = append(r.limits, canvas.NewLine(nil))
	}
	for _, p := range c.d.points {
		m := trendMark{dot: canvas.NewCircle(nil), up: canvas.NewPolygon(3, nil), down: canvas.NewPolygon(3, nil)}
		m.down.Angle = 180
		if c.d.pair {
			m.second = canvas.NewCircle(nil)
		}
		if w := flagWord(p.flag); w != "" {
			m.word = canvas.NewText(w, nil)
			m.word.TextStyle.Bold = true
		}
		r.marks = append(r.marks, m)
	}
	r.Refresh()
	return r
}

// trendMark is one point's marker: a dot, or a triangle up or down, and its flag in words.
type trendMark struct {
	dot      *canvas.Circle
	up, down *canvas.Polygon
	second   *canvas.Circle // blood pressure's bottom number, nil otherwise
	word     *canvas.Text   // "High", nil in range
}

type trendRenderer struct {
	c    *trendChart
	band *canvas.Rectangle
	chartAxes
	lines  [][]*canvas.Line // per series, one between each two points
	limits []*canvas.Line   // blood pressure's range limits
	marks  []trendMark
	lo, hi float64 // the values at the plot's bottom and top
}

func (r *trendRenderer) Destroy() {}

func (r *trendRenderer) caption() float32 { return r.c.Theme().Size(theme.SizeNameCaptionText) }

func (r *trendRenderer) axisWidth() float32 {
	w := float32(0)
	for _, t := range r.yLabels {
		w = max(w, fyne.MeasureText(t.Text, r.caption(), fyne.TextStyle{}).Width)
	}
	return w + 2*r.c.Theme().Size(theme.SizeNamePadding)
}

func (r *trendRenderer) MinSize() fyne.Size {
	cap := r.caption()
	// Taller with larger text, so the markers and their words keep room between them.
	return fyne.NewSize(r.axisWidth()+200, max(trendPlotHeight, cap*10)+cap*4)
}

func (r *trendRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.band}
	for _, l := range r.limits {
		objs = append(objs, l)
	}
	objs = append(objs, r.axisObjects()...)
	for _, s := range r.lines {
		for _, l := range s {
			objs = append(objs, l)
		}
	}
	for _, m := range r.marks {
		objs = append(objs, m.dot, m.up, m.down)
		if m.second != nil {
			objs = append(objs, m.second)
		}
		if m.word != nil {
			objs = append(objs, m.word)
		}
	}
	return objs
}

// scale works out the values at the bottom and the top of the plot: every point and the
// range fit, with a little room above and below for the markers and their words.
func (r *trendRenderer) scale() {
	d := r.c.d
	lo, hi := math.Inf(1), math.Inf(-1)
	take := func(v float64) {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	for _, p := range d.points {
		take(p.value)
		take(p.second)
	}
	if d.low != nil {
		take(*d.low)
	}
	if d.high != nil {
		take(*d.high)
	}
	for _, v := range d.limits {
		take(v)
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	span := hi - lo
	if span == 0 {
		span = math.Max(1, math.Abs(hi)*0.2)
	}
	// Round numbers on the axis: the top, the middle and the bottom are whole steps.
	step := niceStep(span / 4)
	r.lo = math.Floor((lo-span*0.2)/step) * step
	r.hi = math.Ceil((hi+span*0.2)/step) * step
	if int(math.Round((r.hi-r.lo)/step))%2 == 1 {
		r.hi += step // an even number of steps puts the middle line on a round number too
	}
	if lo >= 0 && r.lo < 0 {
		r.lo = 0 // no negative blood sugar on the axis
	}
}

// niceStep is the round number (1, 2 or 5 times a power of ten) nearest above x.
func niceStep(x float64) float64 {
	if x <= 0 || math.IsNaN(x) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// plot is the area the points are drawn in.
func (r *trendRenderer) plot(size fyne.Size) (x, w, top, base float32) {
	cap := r.caption()
	axis := r.axisWidth()
	return axis, size.Width - axis - cap*2, cap * 1.2, size.Height - cap*2
}

func (r *trendRenderer) y(v float64, top, base float32) float32 {
	return base - (base-top)*float32((v-r.lo)/(r.hi-r.lo))
}

func (r *trendRenderer) Layout(size fyne.Size) {
	d := r.c.d
	x0, w, top, base := r.plot(size)
	pad := r.c.Theme().Size(theme.SizeNamePadding)
	// The grid: the top, middle and bottom values.
	for i, v := range []float64{r.hi, (r.lo + r.hi) / 2, r.lo} {
		r.placeValue(i, r.y(v, top, base), x0, w, pad)
	}
	// The band: the reference range (open-ended ranges run to the plot's edge).
	if d.low != nil || d.high != nil {
		bTop, bBase := top, base
		if d.high != nil {
			bTop = r.y(*d.high, top, base)
		}
		if d.low != nil {
			bBase = r.y(*d.low, top, base)
		}
		r.band.Move(fyne.NewPos(x0, bTop))
		r.band.Resize(fyne.NewSize(w, max(1, bBase-bTop)))
	}
	for i, v := range d.limits {
		y := r.y(v, top, base)
		r.limits[i].Position1, r.limits[i].Position2 = fyne.NewPos(x0, y), fyne.NewPos(x0+w, y)
	}
	if len(d.points) == 0 {
		return
	}
	first, last := d.points[0].at, d.points[len(d.points)-1].at
	xAt := func(t time.Time) float32 {
		if !last.After(first) {
			return x0 + w/2
		}
		return x0 + w*float32(t.Sub(first))/float32(last.Sub(first))
	}
	mark := max(14, r.caption())
	wordEnd := [2]float32{-1e9, -1e9} // where the last word above and below the points ends
	for i, p := range d.points {
		x := xAt(p.at)
		y := r.y(p.value, top, base)
		m := r.marks[i]
		for _, o := range []fyne.CanvasObject{m.dot, m.up, m.down} {
			o.Move(fyne.NewPos(x-mark/2, y-mark/2))
			o.Resize(fyne.NewSize(mark, mark))
		}
		if m.second != nil {
			y2 := r.y(p.second, top, base)
			m.second.Move(fyne.NewPos(x-mark/2, y2-mark/2))
			m.second.Resize(fyne.NewSize(mark, mark))
		}
		if m.word != nil {
			ts := m.word.MinSize()
			wx := max(x0, min(x0+w+r.caption()*2-ts.Width, x-ts.Width/2))
			wy := y - mark/2 - ts.Height // above the point
			side := 0
			if p.flag == "low" {
				wy, side = y+mark/2, 1 // below it
			}
			m.word.Move(fyne.NewPos(wx, max(0, wy)))
			m.word.Resize(ts)
			// Words that would run into the one before are left out (the shape stays, and
			// the summary under the chart names every value outside the range).
			if wx < wordEnd[side]+pad {
				m.word.Hide()
			} else {
				m.word.Show()
				wordEnd[side] = wx + ts.Width
			}
		}
		if i > 0 {
			prev := d.points[i-1]
			px := xAt(prev.at)
			r.lines[0][i-1].Position1 = fyne.NewPos(px, r.y(prev.value, top, base))
			r.lines[0][i-1].Position2 = fyne.NewPos(x, y)
			if d.pair {
				r.lines[1][i-1].Position1 = fyne.NewPos(px, r.y(prev.second, top, base))
				r.lines[1][i-1].Position2 = fyne.NewPos(x, r.y(p.second, top, base))
			}
		}
	}
	for i, t := range r.xLabels {
		ts := t.MinSize()
		x := x0
		if i == 1 {
			x = x0 + w - ts.Width
		}
		t.Move(fyne.NewPos(x, base+pad/2))
		t.Resize(ts)
	}
}

func (r *trendRenderer) Refresh() {
	c := r.c
	d := c.d
	th := c.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	fg := th.Color(theme.ColorNameForeground, v)
	line := th.Color(theme.ColorNamePrimary, v)
	warn := th.Color(theme.ColorNameError, v)
	capSize := r.caption()
	r.scale()
	for i, val := range []float64{r.hi, (r.lo + r.hi) / 2, r.lo} {
		t := r.yLabels[i]
		t.Text, t.Color, t.TextSize = trendNumber(val), fg, capSize
		r.grid[i].StrokeColor, r.grid[i].StrokeWidth = th.Color(theme.ColorNameSeparator, v), 1
	}
	// The band: the success colour, faint, with an outline that still shows in high contrast.
	band := th.Color(theme.ColorNameSuccess, v)
	rr, gg, bb, _ := band.RGBA()
	r.band.FillColor = color.NRGBA{R: uint8(rr >> 8), G: uint8(gg >> 8), B: uint8(bb >> 8), A: 0x40}
	r.band.StrokeColor, r.band.StrokeWidth = band, 1
	for _, l := range r.limits {
		l.StrokeColor, l.StrokeWidth = band, 2
	}
	if (d.low == nil && d.high == nil) || d.pair {
		r.band.Hide()
	} else {
		r.band.Show()
	}
	for s, lines := range r.lines {
		for _, l := range lines {
			l.StrokeColor, l.StrokeWidth = line, 2
			if s == 1 {
				l.StrokeWidth = 1 // the bottom number of a blood pressure: a thinner line
			}
		}
	}
	for i, p := range d.points {
		m := r.marks[i]
		m.dot.Hide()
		m.up.Hide()
		m.down.Hide()
		var shown fyne.CanvasObject = m.dot
		fill := line
		switch p.flag {
		case "high", "critical":
			shown, fill = m.up, warn
		case "low":
			shown, fill = m.down, warn
		case "abnormal":
			fill = warn
		}
		shown.Show()
		m.dot.FillColor, m.dot.StrokeColor, m.dot.StrokeWidth = fill, fg, 1
		m.up.FillColor, m.up.StrokeColor, m.up.StrokeWidth = fill, fg, 1
		m.down.FillColor, m.down.StrokeColor, m.down.StrokeWidth = fill, fg, 1
		if m.second != nil {
			// The bottom number: an open circle, so the two numbers are told apart by shape.
			m.second.FillColor, m.second.StrokeColor, m.second.StrokeWidth = th.Color(theme.ColorNameBackground, v), line, 2
		}
		if m.word != nil {
			m.word.Color, m.word.TextSize = fg, capSize
		}
	}
	if n := len(d.points); n > 0 {
		r.xLabels[0].Text = tr.Format(d.points[0].at, tr.MonthYear)
		r.xLabels[1].Text = tr.Format(d.points[n-1].at, tr.MonthYear)
		if n == 1 || d.points[0].at.Format("2006-01") == d.points[n-1].at.Format("2006-01") {
			r.xLabels[0].Text = tr.Format(d.points[0].at, tr.DayMonthYear)
			r.xLabels[1].Text = ""
		}
	}
	for _, t := range r.xLabels {
		t.Color, t.TextSize = fg, capSize
	}
	r.Layout(c.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

// trendNumber writes an axis value with no more digits than it needs.
func trendNumber(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return tr.Trim(math.Round(v), 0)
	case a >= 10:
		return tr.Trim(v, 1)
	}
	return tr.Trim(v, 2)
}
