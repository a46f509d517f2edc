package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// chartAxes are what the Journal's, the Readings' and the Health record's charts share: a
// grid line and a value label for each value marked up the side, and the dates below.
type chartAxes struct {
	grid    []*canvas.Line
	yLabels []*canvas.Text
	xLabels []*canvas.Text
}

// axisObjects are the axes' parts, for a renderer's Objects: after its background (bands),
// before its marks, so lines and points draw over the grid.
func (a *chartAxes) axisObjects() []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, 0, len(a.grid)+len(a.yLabels)+len(a.xLabels))
	for _, l := range a.grid {
		objs = append(objs, l)
	}
	for _, t := range a.yLabels {
		objs = append(objs, t)
	}
	for _, t := range a.xLabels {
		objs = append(objs, t)
	}
	return objs
}

// placeValue puts value i's grid line across the plot (from x0, w wide) at height y, and its
// label left of the plot, centred on the line, in the room pad short of x0.
func (a *chartAxes) placeValue(i int, y, x0, w, pad float32) {
	a.grid[i].Position1, a.grid[i].Position2 = fyne.NewPos(x0, y), fyne.NewPos(x0+w, y)
	t := a.yLabels[i]
	h := t.MinSize().Height
	t.Move(fyne.NewPos(0, y-h/2))
	t.Resize(fyne.NewSize(x0-pad, h))
}
