package app

// A chart of one kind of reading over time (the Readings screen): each reading a point,
// joined by a line; blood pressure shows its top and bottom numbers as two lines. A personal
// target range is a shaded band, and a reading outside it is drawn as a larger square rather
// than a dot and counted in the chart's title, so it is told in words and shape, never only
// in colour. Kept apart from chart.go (the journal's severity bars).

import (
	"image/color"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/app/words"
	"github.com/patient-companion/companion/data"
)

// vitalChartDays is how far back the chart reaches.
const vitalChartDays = 90

// vitalPlotHeight is the least height of the plot, whatever the text size.
const vitalPlotHeight = 180

type vitalChart struct {
	widget.BaseWidget
	vitalType string
	unit      string
	readings  []data.Vital // oldest first
	target    *data.VitalTarget
	from, to  time.Time
}

func newVitalChart() *vitalChart {
	c := &vitalChart{}
	c.ExtendBaseWidget(c)
	return c
}

// set shows readings (any order) of vitalType taken between from and to, in unit, with
// target (nil: none).
func (c *vitalChart) set(vitalType, unit string, readings []data.Vital, target *data.VitalTarget, from, to time.Time) {
	c.vitalType, c.unit, c.target, c.from, c.to = vitalType, unit, target, from, to
	c.readings = c.readings[:0]
	for i := len(readings) - 1; i >= 0; i-- {
		if v := readings[i]; !v.At.Before(from) && !v.At.After(to) {
			c.readings = append(c.readings, v)
		}
	}
	c.Refresh()
}

// outside counts the readings outside the target range.
func (c *vitalChart) outside() (above, below int) {
	if c.target == nil {
		return 0, 0
	}
	for _, v := range c.readings {
		switch c.target.Outside(v) {
		case "above":
			above++
		case "below":
			below++
		}
	}
	return above, below
}

// title says what the chart shows, in words: how many readings, and how many fall outside
// the target range.
func (c *vitalChart) title() string {
	n := len(c.readings)
	args := tr.Args{"Name": words.Vital(c.vitalType), "Days": tr.Int(vitalChartDays)}
	if n == 0 {
		return tr.T("chart.vital_none", args)
	}
	s := tr.N("chart.vital_count", n, args)
	if c.target == nil {
		return s
	}
	above, below := c.outside()
	switch {
	case above+below == 0:
		return tr.T("chart.vital_all_in", tr.Args{"Title": s})
	case below == 0:
		return tr.T("chart.vital_above", tr.Args{"Title": s, "Above": tr.Int(above)})
	case above == 0:
		return tr.T("chart.vital_below", tr.Args{"Title": s, "Below": tr.Int(below)})
	}
	return tr.T("chart.vital_above_below", tr.Args{"Title": s, "Above": tr.Int(above), "Below": tr.Int(below)})
}

// legend explains the marks in words.
func (c *vitalChart) legend() string {
	bp := c.vitalType == data.VitalBloodPressure
	if c.target == nil {
		if bp {
			return tr.T("chart.legend_bp")
		}
		return ""
	}
	args := tr.Args{"Range": localNum(c.target.Text(c.vitalType, c.unit)), "Unit": unitWords(c.unit)}
	if bp {
		return tr.T("chart.legend_bp_target", args)
	}
	return tr.T("chart.legend_target", args)
}

func (c *vitalChart) CreateRenderer() fyne.WidgetRenderer {
	r := &vitalChartRenderer{c: c}
	r.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.heading.Wrapping = fyne.TextWrapWord
	r.legend = widget.NewLabel("")
	r.legend.SizeName = theme.SizeNameCaptionText
	r.legend.Wrapping = fyne.TextWrapWord
	r.Refresh()
	return r
}

type vitalChartRenderer struct {
	c       *vitalChart
	heading *widget.Label
	legend  *widget.Label
	// Rebuilt on each refresh (a chart has at most a few hundred points).
	bands []*canvas.Rectangle
	chartAxes
	lines  []*canvas.Line
	points []fyne.CanvasObject
	// where each line and point goes, in values: computed in Refresh, placed in Layout.
	lineAt  [][4]float64 // t1, v1, t2, v2
	pointAt [][2]float64 // t, v
	lo, hi  float64      // the value axis
	ticks   []float64
}

func (r *vitalChartRenderer) Destroy() {}

func (r *vitalChartRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.heading}
	for _, b := range r.bands {
		objs = append(objs, b)
	}
	objs = append(objs, r.axisObjects()...)
	for _, l := range r.lines {
		objs = append(objs, l)
	}
	objs = append(objs, r.points...)
	return append(objs, r.legend)
}

func (r *vitalChartRenderer) caption() float32 {
	return r.c.Theme().Size(theme.SizeNameCaptionText)
}

func (r *vitalChartRenderer) axisWidth() float32 {
	w := float32(0)
	for _, t := range r.yLabels {
		w = max(w, t.MinSize().Width)
	}
	return w + 2*r.c.Theme().Size(theme.SizeNamePadding)
}

func (r *vitalChartRenderer) MinSize() fyne.Size {
	cap := r.caption()
	// The plot grows with the text, so the value labels beside it never crowd each other.
	plot := max(vitalPlotHeight, 12*cap)
	h := r.heading.MinSize().Height + plot + cap*2 + r.legend.MinSize().Height
	return fyne.NewSize(r.axisWidth()+200, h)
}

// plot is the area the points stand in.
func (r *vitalChartRenderer) plot(size fyne.Size) (x, w, top, base float32) {
	top = r.heading.MinSize().Height + r.caption()/2
	base = size.Height - r.legend.MinSize().Height - r.caption()*1.8
	axis := r.axisWidth()
	return axis, size.Width - axis - 8, top, base
}

func (r *vitalChartRenderer) Layout(size fyne.Size) {
	pad := r.heading.Theme().Size(theme.SizeNameInnerPadding)
	r.heading.Move(fyne.NewPos(-pad, -pad/2))
	r.heading.Resize(fyne.NewSize(size.Width+pad, r.heading.MinSize().Height))
	x0, w, top, base := r.plot(size)
	c := r.c
	span := c.to.Sub(c.from).Seconds()
	xOf := func(t float64) float32 {
		if span <= 0 {
			return x0 + w/2
		}
		return x0 + w*float32(t/span)
	}
	yOf := func(v float64) float32 {
		if r.hi <= r.lo {
			return (top + base) / 2
		}
		return base - (base-top)*float32((v-r.lo)/(r.hi-r.lo))
	}
	if c.target != nil {
		ranges := [][2]float64{{c.target.Lo, c.target.Hi}}
		if c.vitalType == data.VitalBloodPressure {
			ranges = append(ranges, [2]float64{c.target.Lo2, c.target.Hi2})
		}
		for i, b := range r.bands {
			lo, hi := r.toUnit(ranges[i][0]), r.toUnit(ranges[i][1])
			y1, y2 := yOf(hi), yOf(lo)
			b.Move(fyne.NewPos(x0, y1))
			b.Resize(fyne.NewSize(w, y2-y1))
		}
	}
	for i, v := range r.ticks {
		r.placeValue(i, yOf(v), x0, w, c.Theme().Size(theme.SizeNamePadding))
	}
	for i, l := range r.lines {
		a := r.lineAt[i]
		l.Position1 = fyne.NewPos(xOf(a[0]), yOf(a[1]))
		l.Position2 = fyne.NewPos(xOf(a[2]), yOf(a[3]))
	}
	for i, p := range r.points {
		a := r.pointAt[i]
		s := p.MinSize()
		p.Resize(s)
		p.Move(fyne.NewPos(xOf(a[0])-s.Width/2, yOf(a[1])-s.Height/2))
	}
	for i, t := range r.xLabels {
		lw := t.MinSize().Width
		cx := x0 + w*float32(i)/2
		cx = max(x0+lw/2, min(x0+w-lw/2, cx))
		t.Move(fyne.NewPos(cx-lw/2, base+4))
		t.Resize(fyne.NewSize(lw, t.MinSize().Height))
	}
	lh := r.legend.MinSize().Height
	r.legend.Move(fyne.NewPos(x0-pad, size.Height-lh))
	r.legend.Resize(fyne.NewSize(size.Width-x0+pad, lh))
}

// toUnit turns a canonical value into the chart's unit.
func (r *vitalChartRenderer) toUnit(v float64) float64 {
	return data.VitalIn(r.c.vitalType, r.c.unit, v)
}

func (r *vitalChartRenderer) Refresh() {
	c := r.c
	th := c.Theme()
	variant := fyne.CurrentApp().Settings().ThemeVariant()
	fg := th.Color(theme.ColorNameForeground, variant)
	primary := th.Color(theme.ColorNamePrimary, variant)
	warn := th.Color(theme.ColorNameError, variant)
	bg := th.Color(theme.ColorNameBackground, variant)
	r.heading.Text = c.title()
	r.legend.Text = c.legend()
	if r.legend.Text == "" {
		r.legend.Hide()
	} else {
		r.legend.Show()
	}

	// The value axis covers the readings and the target band, with a margin.
	var vals []float64
	val := func(v float64) float64 { return r.toUnit(v) }
	for _, v := range c.readings {
		vals = append(vals, val(v.Value))
		if c.vitalType == data.VitalBloodPressure {
			vals = append(vals, val(v.Value2))
		}
	}
	if c.target != nil {
		vals = append(vals, val(c.target.Lo), val(c.target.Hi))
		if c.vitalType == data.VitalBloodPressure {
			vals = append(vals, val(c.target.Lo2), val(c.target.Hi2))
		}
	}
	r.lo, r.hi = 0, 1
	if len(vals) > 0 {
		r.lo, r.hi = vals[0], vals[0]
		for _, v := range vals {
			r.lo, r.hi = math.Min(r.lo, v), math.Max(r.hi, v)
		}
	}
	step := niceStep((r.hi - r.lo) / 5)
	r.lo = math.Floor(r.lo/step)*step - step/2
	r.hi = math.Ceil(r.hi/step)*step + step/2
	r.ticks = r.ticks[:0]
	for v := math.Ceil(r.lo/step) * step; v <= r.hi; v += step {
		r.ticks = append(r.ticks, v)
	}
	r.grid, r.yLabels = nil, nil
	for _, v := range r.ticks {
		l := canvas.NewLine(th.Color(theme.ColorNameSeparator, variant))
		l.StrokeWidth = 1
		r.grid = append(r.grid, l)
		t := canvas.NewText(tr.Trim(v, 3), fg)
		t.TextSize, t.Alignment = r.caption(), fyne.TextAlignTrailing
		r.yLabels = append(r.yLabels, t)
	}

	r.bands = nil
	if c.target != nil {
		n := 1
		if c.vitalType == data.VitalBloodPressure {
			n = 2
		}
		for range n {
			// The band is shaded and outlined: the outline shows in high contrast too.
			b := canvas.NewRectangle(withAlpha(primary, 0x30))
			b.StrokeColor, b.StrokeWidth = withAlpha(primary, 0x90), 1
			r.bands = append(r.bands, b)
		}
	}

	r.xLabels = nil
	for i := range 3 {
		t := c.from.Add(c.to.Sub(c.from) * time.Duration(i) / 2)
		s := tr.Format(t, tr.DayMonth)
		if i == 2 {
			s = tr.T("chart.today")
		}
		x := canvas.NewText(s, fg)
		x.TextSize = r.caption()
		r.xLabels = append(r.xLabels, x)
	}

	r.lines, r.lineAt, r.points, r.pointAt = nil, nil, nil, nil
	series := [][2]bool{{true, false}} // value; filled
	if c.vitalType == data.VitalBloodPressure {
		series = append(series, [2]bool{false, false})
	}
	for _, s := range series {
		first := s[0]
		var prevT, prevV float64
		for i, v := range c.readings {
			t := v.At.Sub(c.from).Seconds()
			y := val(v.Value)
			if !first {
				y = val(v.Value2)
			}
			if i > 0 {
				l := canvas.NewLine(fg)
				l.StrokeWidth = 2
				r.lines = append(r.lines, l)
				r.lineAt = append(r.lineAt, [4]float64{prevT, prevV, t, y})
			}
			prevT, prevV = t, y
			out := c.target != nil && c.target.Outside(v) != ""
			r.points = append(r.points, vitalMark(first, out, fg, warn, bg))
			r.pointAt = append(r.pointAt, [2]float64{t, y})
		}
	}
	r.Layout(c.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

// vitalMark is one reading's mark: a dot (filled for the top number or a single value, open
// for the bottom number), or, outside the target range, a larger square in the warning colour.
func vitalMark(filled, outside bool, fg, warn, bg color.Color) fyne.CanvasObject {
	if outside {
		m := canvas.NewRectangle(warn)
		if !filled {
			m.FillColor = bg
		}
		m.StrokeColor, m.StrokeWidth = fg, 2
		m.SetMinSize(fyne.NewSize(16, 16))
		return m
	}
	m := canvas.NewRectangle(fg)
	if !filled {
		m.FillColor = bg
	}
	m.StrokeColor, m.StrokeWidth, m.CornerRadius = fg, 2, 6
	m.SetMinSize(fyne.NewSize(12, 12))
	return m
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}
