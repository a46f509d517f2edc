package app

import (
	"image/color"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
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
// by hand); canvas rectangles take no taps, so the screen underneath works as before.
//
// It follows the focus without polling. Fyne has no "focus changed" event, but a change of
// focus redraws the widget that lost it and the one that gained it (Tab, a click, a screen
// change), as scrolling redraws the scroll bars, and every redraw asks the theme for its
// colours: the theme nudges the ring (ringNudge), which looks once per burst of redraws,
// after it. An idle window redraws nothing, so the ring costs nothing then.

const (
	focusRingWidth = 3
	focusRingGap   = 2 // between the ring and what it rings
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

// ringNudge is how the theme tells the window that something was redrawn: the first
// nudge of a burst schedules one look at the focus on the UI goroutine, the others are
// dropped until that look has run. Safe from any goroutine (the theme is asked from several).
type ringNudge struct {
	pending atomic.Bool
	look    func() // runs on the UI goroutine
}

func (n *ringNudge) nudge() {
	if n == nil || n.look == nil || !n.pending.CompareAndSwap(false, true) {
		return
	}
	// Not inline: the theme is asked in the middle of a redraw.
	go fyne.Do(func() {
		n.pending.Store(false)
		n.look()
	})
}

// followFocus keeps the ring on the focused object while the window lives, nudged by the
// theme; before the theme is applied. Not on Fyne's test driver (not a desktop app), whose
// fyne.Do runs on the calling goroutine: tests call updateFocusRing themselves.
func (u *UI) followFocus() {
	if _, desk := u.app.(desktop.App); desk && u.opt.Tick >= 0 {
		u.nudge = &ringNudge{look: u.updateFocusRing}
	}
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
