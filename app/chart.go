package app

// A 30-day chart of one symptom: one bar per day as high as the strongest severity logged
// that day, coloured on the severity scale; a day without an entry shows a small open mark on
// the base line, so "not logged" never looks like "0".

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// chartDays is how many days the chart covers, today included.
const chartDays = 30

type severityChart struct {
	widget.BaseWidget
	symptom string
	days    []data.DaySeverity
	today   time.Time
}

func newSeverityChart() *severityChart {
	c := &severityChart{}
	c.ExtendBaseWidget(c)
	return c
}

// set shows days (oldest first) for symptom; today names the last day.
func (c *severityChart) set(symptom string, days []data.DaySeverity, today time.Time) {
	c.symptom, c.days, c.today = symptom, days, today
	c.Refresh()
}

// title says what the chart shows, in words (it is also what a screen reader would say).
func (c *severityChart) title() string {
	n, top := 0, -1
	for _, d := range c.days {
		if d.Max != nil {
			n++
			top = max(top, *d.Max)
		}
	}
	args := tr.Args{"Name": c.symptom, "Days": tr.Int(len(c.days)), "Top": tr.Int(top)}
	if n == 0 {
		return tr.T("chart.severity_none", args)
	}
	return tr.N("chart.severity_logged", n, args)
}

func (c *severityChart) CreateRenderer() fyne.WidgetRenderer {
	// The heading is a label so that a long symptom name, or large text, ends in "…"
	// rather than running out of the chart.
	r := &chartRenderer{c: c, heading: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	r.heading.Truncation = fyne.TextTruncateEllipsis
	for _, v := range []string{"10", "5", "0"} {
		t := canvas.NewText(v, nil)
		t.Alignment = fyne.TextAlignTrailing
		r.yLabels = append(r.yLabels, t)
		r.grid = append(r.grid, canvas.NewLine(nil))
	}
	for range 3 {
		t := canvas.NewText("", nil)
		t.Alignment = fyne.TextAlignCenter
		r.xLabels = append(r.xLabels, t)
	}
	r.Refresh()
	return r
}

type chartRenderer struct {
	c       *severityChart
	heading *widget.Label
	chartAxes
	bars []*canvas.Rectangle // one per day; hidden on a day without an entry
	gaps []*canvas.Circle    // one per day; shown on a day without an entry
}

const (
	// chartPlot is the least height of the bars' area, whatever the text size.
	chartPlot = 90
)

// axisWidth is the room left of the bars for the severity labels ("10" the widest).
func (r *chartRenderer) axisWidth() float32 {
	th := r.c.Theme()
	return fyne.MeasureText("10", th.Size(theme.SizeNameCaptionText), fyne.TextStyle{}).Width + 2*th.Size(theme.SizeNamePadding)
}

func (r *chartRenderer) Destroy() {}

func (r *chartRenderer) MinSize() fyne.Size {
	th := r.c.Theme()
	h := r.heading.MinSize().Height + chartPlot + th.Size(theme.SizeNameCaptionText)*1.6
	return fyne.NewSize(r.axisWidth()+float32(chartDays)*6, h)
}

func (r *chartRenderer) Objects() []fyne.CanvasObject {
	objs := append([]fyne.CanvasObject{r.heading}, r.axisObjects()...)
	for i := range r.bars {
		objs = append(objs, r.bars[i], r.gaps[i])
	}
	return objs
}

// plot is the area the bars stand in: x, width, and the y of 10 and of 0.
func (r *chartRenderer) plot(size fyne.Size) (x, w, top, base float32) {
	th := r.c.Theme()
	caption := th.Size(theme.SizeNameCaptionText)
	top = r.heading.MinSize().Height + caption/2
	base = size.Height - caption*1.6
	axis := r.axisWidth()
	return axis, size.Width - axis, top, base
}

func (r *chartRenderer) Layout(size fyne.Size) {
	x0, w, top, base := r.plot(size)
	// The label's own padding would indent the heading from the axis labels below it.
	pad := r.heading.Theme().Size(theme.SizeNameInnerPadding)
	r.heading.Move(fyne.NewPos(-pad, -pad/2))
	r.heading.Resize(fyne.NewSize(size.Width+pad, r.heading.MinSize().Height))
	for i, v := range []float32{10, 5, 0} {
		r.placeValue(i, base-(base-top)*v/10, x0, w, r.c.Theme().Size(theme.SizeNamePadding))
	}
	n := len(r.bars)
	if n == 0 {
		return
	}
	slot := w / float32(n)
	barW := max(2, slot*0.7)
	for i, d := range r.c.days {
		cx := x0 + slot*float32(i) + slot/2
		// A 0 is a real answer: it gets a low bar of its own, above the base line.
		h := float32(3)
		if d.Max != nil {
			h = max(3, (base-top)*float32(*d.Max)/10)
		}
		r.bars[i].Move(fyne.NewPos(cx-barW/2, base-h))
		r.bars[i].Resize(fyne.NewSize(barW, h))
		g := min(barW, 10)
		r.gaps[i].Move(fyne.NewPos(cx-g/2, base-g/2))
		r.gaps[i].Resize(fyne.NewSize(g, g))
	}
	for i, day := range []int{0, n / 2, n - 1} {
		t := r.xLabels[i]
		lw := t.MinSize().Width
		cx := x0 + slot*float32(day) + slot/2
		cx = max(x0+lw/2, min(x0+w-lw/2, cx))
		t.Move(fyne.NewPos(cx-lw/2, base+4))
		t.Resize(fyne.NewSize(lw, t.MinSize().Height))
	}
}

func (r *chartRenderer) Refresh() {
	c := r.c
	th := c.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	fg := th.Color(theme.ColorNameForeground, v)
	muted := th.Color(theme.ColorNameDisabled, v)
	r.heading.Text = c.title()
	for _, t := range r.yLabels {
		t.Color, t.TextSize = fg, th.Size(theme.SizeNameCaptionText)
	}
	for _, l := range r.grid {
		l.StrokeColor, l.StrokeWidth = th.Color(theme.ColorNameSeparator, v), 1
	}
	for len(r.bars) < len(c.days) {
		r.bars = append(r.bars, canvas.NewRectangle(nil))
		r.gaps = append(r.gaps, canvas.NewCircle(nil))
	}
	r.bars, r.gaps = r.bars[:len(c.days)], r.gaps[:len(c.days)]
	for i, d := range c.days {
		if d.Max == nil {
			r.bars[i].Hide()
			r.gaps[i].Show()
		} else {
			r.bars[i].FillColor = severityColor(*d.Max)
			// An outline keeps the palest colours visible on a light background.
			r.bars[i].StrokeColor, r.bars[i].StrokeWidth = fg, 1
			r.bars[i].Show()
			r.gaps[i].Hide()
		}
		r.gaps[i].FillColor = color.Transparent
		r.gaps[i].StrokeColor, r.gaps[i].StrokeWidth = muted, 2
	}
	labels := []string{"", "", ""}
	if n := len(c.days); n > 0 {
		labels[0] = tr.Format(c.days[0].Day, tr.DayMonth)
		labels[1] = tr.Format(c.days[n/2].Day, tr.DayMonth)
		labels[2] = tr.Format(c.days[n-1].Day, tr.DayMonth)
		if c.days[n-1].Day.Format(time.DateOnly) == c.today.Format(time.DateOnly) {
			labels[2] = tr.T("chart.today")
		}
	}
	for i, t := range r.xLabels {
		t.Text, t.Color, t.TextSize = labels[i], fg, th.Size(theme.SizeNameCaptionText)
	}
	r.Layout(c.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}
