package app

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// The focus ring. Fyne shows a focused button by tinting its background with the theme's
// focus colour, which is faint on a pale button and all but invisible on a blue one; a
// person moving through the window with Tab could not see where they were. So the window
// draws its own ring — a thick outline in a colour that stands out from the background
// (checked by TestFocusRingContrast) — around whatever has the keyboard focus. Text fields
// are left out: they have a coloured border of their own when focused.
//
// The ring lies in a layer over the screen (a container without layout, so it is placed
// by hand); canvas rectangles take no taps, so the screen underneath works as before. It
// follows the focus, and whatever scrolls under it, by a light poll (focusRingEvery) and
// at every screen change.

const (
	focusRingWidth = 3
	focusRingGap   = 2 // between the ring and what it rings
	focusRingEvery = 120 * time.Millisecond
)

// colorNameFocusRing is the ring's colour in the calm theme.
const colorNameFocusRing fyne.ThemeColorName = "companion-focus-ring"

var (
	focusRingDark  = color.NRGBA{R: 0xff, G: 0xcc, B: 0x33, A: 0xff} // amber on near-black
	focusRingLight = color.NRGBA{R: 0xb3, G: 0x47, B: 0x00, A: 0xff} // burnt orange on white
)

type focusRing struct {
	ring  *canvas.Rectangle
	layer *fyne.Container
}

func newFocusRing() *focusRing {
	r := &focusRing{ring: canvas.NewRectangle(color.Transparent)}
	r.ring.StrokeWidth = focusRingWidth
	r.ring.Hide()
	r.layer = container.NewWithoutLayout(r.ring)
	return r
}

// followFocus keeps the ring on the focused object while the window lives (not in tests,
// which call updateFocusRing themselves).
func (u *UI) followFocus() {
	if u.opt.Tick < 0 {
		return
	}
	go func() {
		t := time.NewTicker(focusRingEvery)
		defer t.Stop()
		for {
			select {
			case <-u.ctx.Done():
				return
			case <-t.C:
				fyne.Do(u.updateFocusRing)
			}
		}
	}()
}

// updateFocusRing puts the ring around the focused object, or hides it.
func (u *UI) updateFocusRing() {
	r := u.ring
	if r == nil {
		return
	}
	obj, ok := u.win.Canvas().Focused().(fyne.CanvasObject)
	if !ok || obj == nil || isTextField(obj) || !obj.Visible() {
		if r.ring.Visible() {
			r.ring.Hide()
		}
		return
	}
	// Positions in the ring's layer: the object's place in the window less the layer's own
	// (the window's padding).
	d := u.app.Driver()
	pos := d.AbsolutePositionForObject(obj).Subtract(d.AbsolutePositionForObject(r.layer)).
		SubtractXY(focusRingGap+focusRingWidth, focusRingGap+focusRingWidth)
	size := obj.Size().AddWidthHeight(2*(focusRingGap+focusRingWidth), 2*(focusRingGap+focusRingWidth))
	c := u.app.Settings().Theme().Color(colorNameFocusRing, u.app.Settings().ThemeVariant())
	if r.ring.Visible() && r.ring.Position() == pos && r.ring.Size() == size && r.ring.StrokeColor == c {
		return
	}
	r.ring.StrokeColor = c
	r.ring.CornerRadius = focusRingWidth * 2
	r.ring.Move(pos)
	r.ring.Resize(size)
	r.ring.Show()
	r.ring.Refresh()
}

// isTextField says whether o is a text field (which shows its own focus).
func isTextField(o fyne.CanvasObject) bool {
	switch o.(type) {
	case *widget.Entry, *widget.SelectEntry:
		return true
	case interface{ entryText() string }:
		return true
	}
	return false
}
