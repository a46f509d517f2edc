package app

import (
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// severityPicker is a row of eleven big cells, 0 to 10, of which one may be chosen. It is a
// single keyboard stop (eleven buttons would be eleven Tab presses): the arrow keys move the
// choice, Home and End go to 0 and 10, a digit picks 0–9.
type severityPicker struct {
	widget.BaseWidget

	// OnChanged is called when the person changes the choice (not by SetSelected).
	OnChanged func(int)

	selected int // -1: none
	hovered  int // -1: none
	focused  bool
	disabled bool
}

const severityCells = 11

// severityStrip is the height of the colour strip along each cell's foot.
const severityStrip = 8

var (
	_ fyne.Focusable     = (*severityPicker)(nil)
	_ fyne.Tappable      = (*severityPicker)(nil)
	_ fyne.Disableable   = (*severityPicker)(nil)
	_ desktop.Hoverable  = (*severityPicker)(nil)
	_ desktop.Cursorable = (*severityPicker)(nil)
)

func newSeverityPicker(changed func(int)) *severityPicker {
	p := &severityPicker{OnChanged: changed, selected: -1, hovered: -1}
	p.ExtendBaseWidget(p)
	return p
}

// Selected is the chosen severity, or -1.
func (p *severityPicker) Selected() int { return p.selected }

// SetSelected chooses n (0–10), or clears the choice with -1, without calling OnChanged.
func (p *severityPicker) SetSelected(n int) {
	if n < -1 || n >= severityCells {
		n = -1
	}
	if p.selected != n {
		p.selected = n
		p.Refresh()
	}
}

func (p *severityPicker) choose(n int) {
	if p.disabled {
		return
	}
	n = max(0, min(severityCells-1, n))
	changed := n != p.selected
	p.SetSelected(n)
	if changed && p.OnChanged != nil {
		p.OnChanged(n)
	}
}

// cellAt is the cell under x, for a picker of width w.
func (p *severityPicker) cellAt(x float32) int {
	w := p.Size().Width
	if w <= 0 {
		return -1
	}
	return max(0, min(severityCells-1, int(x/w*severityCells)))
}

// cellCenter is the middle of cell n, for taps in tests.
func (p *severityPicker) cellCenter(n int) fyne.Position {
	w := p.Size().Width / severityCells
	return fyne.NewPos(w*float32(n)+w/2, p.Size().Height/2)
}

func (p *severityPicker) Tapped(e *fyne.PointEvent) {
	if p.disabled {
		return
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(p); c != nil {
		c.Focus(p)
	}
	if n := p.cellAt(e.Position.X); n >= 0 {
		p.choose(n)
	}
}

func (p *severityPicker) FocusGained() { p.focused = true; p.Refresh() }
func (p *severityPicker) FocusLost()   { p.focused = false; p.Refresh() }

func (p *severityPicker) TypedRune(r rune) {
	if r >= '0' && r <= '9' {
		p.choose(int(r - '0'))
	}
}

func (p *severityPicker) TypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyLeft, fyne.KeyDown:
		if p.selected < 0 {
			p.choose(0)
		} else {
			p.choose(p.selected - 1)
		}
	case fyne.KeyRight, fyne.KeyUp:
		p.choose(p.selected + 1)
	case fyne.KeyHome:
		p.choose(0)
	case fyne.KeyEnd:
		p.choose(severityCells - 1)
	}
}

func (p *severityPicker) MouseIn(e *desktop.MouseEvent) { p.MouseMoved(e) }

func (p *severityPicker) MouseMoved(e *desktop.MouseEvent) {
	if n := p.cellAt(e.Position.X); n != p.hovered {
		p.hovered = n
		p.Refresh()
	}
}

func (p *severityPicker) MouseOut() {
	p.hovered = -1
	p.Refresh()
}

func (p *severityPicker) Cursor() desktop.Cursor { return desktop.PointerCursor }

func (p *severityPicker) Disable() {
	if !p.disabled {
		p.disabled = true
		p.Refresh()
	}
}

func (p *severityPicker) Enable() {
	if p.disabled {
		p.disabled = false
		p.Refresh()
	}
}

func (p *severityPicker) Disabled() bool { return p.disabled }

func (p *severityPicker) CreateRenderer() fyne.WidgetRenderer {
	r := &severityRenderer{p: p}
	for i := range severityCells {
		bg := canvas.NewRectangle(nil)
		strip := canvas.NewRectangle(severityColor(i))
		label := canvas.NewText(strconv.Itoa(i), nil)
		label.Alignment = fyne.TextAlignCenter
		label.TextStyle = fyne.TextStyle{Bold: true}
		r.cells = append(r.cells, bg)
		r.strips = append(r.strips, strip)
		r.labels = append(r.labels, label)
		r.objects = append(r.objects, bg, strip, label)
	}
	r.Refresh()
	return r
}

type severityRenderer struct {
	p       *severityPicker
	cells   []*canvas.Rectangle
	strips  []*canvas.Rectangle // each cell's colour on the severity scale, along its foot
	labels  []*canvas.Text
	objects []fyne.CanvasObject
}

func (r *severityRenderer) Destroy() {}

func (r *severityRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *severityRenderer) MinSize() fyne.Size {
	th := r.p.Theme()
	pad := th.Size(theme.SizeNamePadding)
	text := fyne.MeasureText("10", th.Size(theme.SizeNameText), fyne.TextStyle{Bold: true})
	// The number needs only a little room around it; the cell is at least 40 wide (a big
	// target) anyway, and at 200 % text eleven cells must still fit a 1000-pixel window.
	cell := max(text.Width+pad, 40)
	return fyne.NewSize(cell*severityCells+pad*(severityCells-1), max(bigTarget, text.Height+2*th.Size(theme.SizeNameInnerPadding)))
}

func (r *severityRenderer) Layout(size fyne.Size) {
	pad := r.p.Theme().Size(theme.SizeNamePadding)
	slot := size.Width / severityCells
	for i := range severityCells {
		x := slot * float32(i)
		r.cells[i].Move(fyne.NewPos(x+pad/2, 0))
		r.cells[i].Resize(fyne.NewSize(slot-pad, size.Height))
		r.strips[i].Move(fyne.NewPos(x+pad/2, size.Height-severityStrip))
		r.strips[i].Resize(fyne.NewSize(slot-pad, severityStrip))
		h := r.labels[i].MinSize().Height
		r.labels[i].Move(fyne.NewPos(x+pad/2, (size.Height-h)/2))
		r.labels[i].Resize(fyne.NewSize(slot-pad, h))
	}
}

func (r *severityRenderer) Refresh() {
	p := r.p
	th := p.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	radius := th.Size(theme.SizeNameInputRadius)
	for i := range severityCells {
		bg, label := r.cells[i], r.labels[i]
		bg.CornerRadius = radius
		bg.StrokeWidth = 0
		label.TextSize = th.Size(theme.SizeNameText)
		switch {
		case p.disabled && i == p.selected:
			bg.FillColor = th.Color(theme.ColorNameDisabled, v)
			label.Color = th.Color(theme.ColorNameBackground, v)
		case p.disabled:
			bg.FillColor = th.Color(theme.ColorNameDisabledButton, v)
			label.Color = th.Color(theme.ColorNameDisabled, v)
		case i == p.selected:
			// The choice takes its colour on the scale, all over.
			bg.FillColor = severityColor(i)
			label.Color = onSeverityColor(i)
		case i == p.hovered:
			bg.FillColor = th.Color(theme.ColorNameHover, v)
			label.Color = th.Color(theme.ColorNameForeground, v)
		default:
			bg.FillColor = th.Color(theme.ColorNameButton, v)
			label.Color = th.Color(theme.ColorNameForeground, v)
		}
		// The keyboard focus is a ring on the choice (or on 0 before there is one).
		if p.focused && !p.disabled && (i == p.selected || (p.selected < 0 && i == 0)) {
			bg.StrokeColor = th.Color(theme.ColorNameForeground, v)
			bg.StrokeWidth = 3
		}
		r.strips[i].FillColor = severityColor(i)
		r.strips[i].CornerRadius = radius
		if p.disabled {
			r.strips[i].FillColor = th.Color(theme.ColorNameDisabled, v)
		}
		bg.Refresh()
		r.strips[i].Refresh()
		label.Refresh()
	}
}

// severityColor is severity n's colour on a sequential scale after cividis, read from
// palest (0) to darkest (10): the stronger, the darker. Cividis was made to look the same to
// people with and without red–green colour blindness, and its lightness rises evenly, so the
// order survives greyscale printing too. Colour never stands alone: the number and word go
// with it. (A literal here rather than a package variable: nothing can change the scale.)
func severityColor(n int) color.NRGBA {
	scale := [severityCells]color.NRGBA{
		{0xfe, 0xe8, 0x38, 0xff}, {0xe4, 0xcf, 0x5b, 0xff}, {0xc4, 0xb5, 0x6c, 0xff},
		{0xa6, 0x9d, 0x75, 0xff}, {0x8a, 0x87, 0x79, 0xff}, {0x70, 0x71, 0x73, 0xff},
		{0x57, 0x5d, 0x6d, 0xff}, {0x3b, 0x49, 0x6c, 0xff}, {0x12, 0x35, 0x70, 0xff},
		{0x00, 0x2a, 0x5e, 0xff}, {0x00, 0x22, 0x4e, 0xff},
	}
	return scale[max(0, min(severityCells-1, n))]
}

// onSeverityColor is a text colour that reads on severity n's colour: dark on the pale half
// of the scale, white on the dark half.
func onSeverityColor(n int) color.Color {
	if n <= 4 {
		return color.NRGBA{0x1a, 0x1a, 0x1a, 0xff}
	}
	return color.White
}

// severitySwatch is a small square of a severity's colour, shown beside its number and word.
type severitySwatch struct {
	widget.BaseWidget
	rect *canvas.Rectangle
	n    int
}

func newSeveritySwatch() *severitySwatch {
	s := &severitySwatch{rect: canvas.NewRectangle(color.Transparent)}
	s.ExtendBaseWidget(s)
	return s
}

func (s *severitySwatch) CreateRenderer() fyne.WidgetRenderer {
	return &swatchRenderer{s: s}
}

type swatchRenderer struct{ s *severitySwatch }

const swatchSize = 22

func (r *swatchRenderer) Destroy()                     {}
func (r *swatchRenderer) MinSize() fyne.Size           { return fyne.NewSize(swatchSize, swatchSize) }
func (r *swatchRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.s.rect} }
func (r *swatchRenderer) Layout(size fyne.Size)        { r.s.rect.Resize(size) }

func (r *swatchRenderer) Refresh() {
	th := r.s.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	rect := r.s.rect
	rect.FillColor = severityColor(r.s.n)
	// An outline keeps the palest colours visible on a light background.
	rect.StrokeColor, rect.StrokeWidth = th.Color(theme.ColorNameForeground, v), 1
	rect.CornerRadius = 4
	rect.Resize(r.s.Size())
	rect.Refresh()
}
