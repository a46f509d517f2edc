package app

import (
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/patient-companion/companion/app/tr"
)

// calmTheme is the default theme with larger text, roomier controls and stronger contrast: the
// people who use this app are often older, and many read it without their glasses. Fonts and
// icons are the base theme's, and the light and dark variants still follow the system; a few
// colours are darkened (light) or lifted (dark) where Fyne's defaults are too faint to read:
// text, input borders, placeholders, disabled text, button faces and the success green.
//
// scale multiplies every text size (the "Text size" setting, 1 to 2); contrast switches to
// the high-contrast colours (black on white, or white on black), whose every foreground and
// background pair reads at 4.5:1 or better (WCAG AA; see TestHighContrastRatios).
type calmTheme struct {
	fyne.Theme
	scale    float32
	contrast bool
	// redrawn is told whenever a colour is asked for, that is, something is being drawn
	// (the focus ring follows the focus that way: focusring.go); nil in tests.
	redrawn *ringNudge
}

var _ fyne.Theme = calmTheme{}

// newCalmThemeWith is the calm theme with text scaled by scale and, if contrast, the
// high-contrast colours.
func newCalmThemeWith(base fyne.Theme, scale float32, contrast bool) fyne.Theme {
	if base == nil {
		base = theme.DefaultTheme()
	}
	if scale < 1 || scale > 2 {
		scale = 1
	}
	return calmTheme{Theme: base, scale: scale, contrast: contrast}
}

// Preference keys for the accessibility settings (per computer, not per profile).
const (
	prefTextScale = "text.scale"
	prefContrast  = "theme.contrast"
)

// textScales are the "Text size" choices.
var textScales = []float32{1, 1.25, 1.5, 1.75, 2}

// Minimum height of the main buttons: a comfortable target for an unsteady hand.
const bigTarget = 48

var (
	lightColors = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameForeground:  color.NRGBA{R: 0x1f, G: 0x1f, B: 0x1f, A: 0xff},
		theme.ColorNameInputBorder: color.NRGBA{R: 0x8c, G: 0x8c, B: 0x8c, A: 0xff},
		theme.ColorNamePlaceHolder: color.NRGBA{R: 0x6e, G: 0x6e, B: 0x6e, A: 0xff},
		theme.ColorNameDisabled:    color.NRGBA{R: 0x9e, G: 0x9e, B: 0x9e, A: 0xff},
		theme.ColorNameButton:      color.NRGBA{R: 0xe6, G: 0xe6, B: 0xeb, A: 0xff},
		theme.ColorNameSuccess:     color.NRGBA{R: 0x1e, G: 0x7e, B: 0x34, A: 0xff},
		theme.ColorNameWarning:     color.NRGBA{R: 0xa8, G: 0x52, B: 0x00, A: 0xff},
	}
	darkColors = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameInputBorder: color.NRGBA{R: 0x6a, G: 0x6a, B: 0x70, A: 0xff},
		theme.ColorNamePlaceHolder: color.NRGBA{R: 0xa8, G: 0xa8, B: 0xa8, A: 0xff},
	}
)

// The high-contrast colours. Everything drawn on a background is near black (light) or near
// white (dark); the primary colour carries its own text colour.
var (
	hcLightColors = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameBackground:        color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff},
		theme.ColorNameOverlayBackground: color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff},
		theme.ColorNameMenuBackground:    color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff},
		// Not the background's white: a drop-down list has no border, only this fill.
		theme.ColorNameInputBackground:     color.NRGBA{R: 0xe8, G: 0xe8, B: 0xe8, A: 0xff},
		theme.ColorNameHeaderBackground:    color.NRGBA{R: 0xf0, G: 0xf0, B: 0xf0, A: 0xff},
		theme.ColorNameForeground:          color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff},
		theme.ColorNameInputBorder:         color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff},
		theme.ColorNamePlaceHolder:         color.NRGBA{R: 0x4a, G: 0x4a, B: 0x4a, A: 0xff},
		theme.ColorNameDisabled:            color.NRGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff},
		theme.ColorNameDisabledButton:      color.NRGBA{R: 0xd8, G: 0xd8, B: 0xd8, A: 0xff},
		theme.ColorNameButton:              color.NRGBA{R: 0xe0, G: 0xe0, B: 0xe0, A: 0xff},
		theme.ColorNamePrimary:             color.NRGBA{R: 0x00, G: 0x3c, B: 0x9e, A: 0xff},
		theme.ColorNameForegroundOnPrimary: color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff},
		theme.ColorNameFocus:               color.NRGBA{R: 0x00, G: 0x3c, B: 0x9e, A: 0x80},
		theme.ColorNameHover:               color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0x18},
		theme.ColorNamePressed:             color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0x30},
		theme.ColorNameSelection:           color.NRGBA{R: 0x00, G: 0x3c, B: 0x9e, A: 0x40},
		theme.ColorNameSeparator:           color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff},
		theme.ColorNameError:               color.NRGBA{R: 0xa8, G: 0x00, B: 0x00, A: 0xff},
		theme.ColorNameForegroundOnError:   color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff},
		theme.ColorNameSuccess:             color.NRGBA{R: 0x0b, G: 0x5a, B: 0x1e, A: 0xff},
		theme.ColorNameForegroundOnSuccess: color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff},
		theme.ColorNameWarning:             color.NRGBA{R: 0x80, G: 0x3c, B: 0x00, A: 0xff},
		theme.ColorNameForegroundOnWarning: color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff},
		theme.ColorNameHyperlink:           color.NRGBA{R: 0x00, G: 0x3c, B: 0x9e, A: 0xff},
	}
	hcDarkColors = map[fyne.ThemeColorName]color.Color{
		theme.ColorNameBackground:          color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff},
		theme.ColorNameOverlayBackground:   color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff},
		theme.ColorNameMenuBackground:      color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff},
		theme.ColorNameInputBackground:     color.NRGBA{R: 0x2a, G: 0x2a, B: 0x2a, A: 0xff},
		theme.ColorNameHeaderBackground:    color.NRGBA{R: 0x14, G: 0x14, B: 0x14, A: 0xff},
		theme.ColorNameForeground:          color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff},
		theme.ColorNameInputBorder:         color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff},
		theme.ColorNamePlaceHolder:         color.NRGBA{R: 0xc8, G: 0xc8, B: 0xc8, A: 0xff},
		theme.ColorNameDisabled:            color.NRGBA{R: 0xb4, G: 0xb4, B: 0xb4, A: 0xff},
		theme.ColorNameDisabledButton:      color.NRGBA{R: 0x26, G: 0x26, B: 0x26, A: 0xff},
		theme.ColorNameButton:              color.NRGBA{R: 0x30, G: 0x30, B: 0x30, A: 0xff},
		theme.ColorNamePrimary:             color.NRGBA{R: 0x8c, G: 0xc4, B: 0xff, A: 0xff},
		theme.ColorNameForegroundOnPrimary: color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff},
		theme.ColorNameFocus:               color.NRGBA{R: 0x8c, G: 0xc4, B: 0xff, A: 0x80},
		theme.ColorNameHover:               color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0x20},
		theme.ColorNamePressed:             color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0x38},
		theme.ColorNameSelection:           color.NRGBA{R: 0x8c, G: 0xc4, B: 0xff, A: 0x50},
		theme.ColorNameSeparator:           color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff},
		theme.ColorNameError:               color.NRGBA{R: 0xff, G: 0x8a, B: 0x8a, A: 0xff},
		theme.ColorNameForegroundOnError:   color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff},
		theme.ColorNameSuccess:             color.NRGBA{R: 0x7d, G: 0xe0, B: 0x8f, A: 0xff},
		theme.ColorNameForegroundOnSuccess: color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff},
		theme.ColorNameWarning:             color.NRGBA{R: 0xff, G: 0xc0, B: 0x66, A: 0xff},
		theme.ColorNameForegroundOnWarning: color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff},
		theme.ColorNameHyperlink:           color.NRGBA{R: 0x8c, G: 0xc4, B: 0xff, A: 0xff},
	}
)

func (t calmTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n != colorNameFocusRing { // the ring's own colour is asked by the ring
		t.redrawn.nudge()
	}
	if n == colorNameFocusRing {
		if v == theme.VariantLight {
			return focusRingLight
		}
		return focusRingDark
	}
	if t.contrast {
		hc := hcDarkColors
		if v == theme.VariantLight {
			hc = hcLightColors
		}
		if c, ok := hc[n]; ok {
			return c
		}
	}
	colors := darkColors
	if v == theme.VariantLight {
		colors = lightColors
	}
	if c, ok := colors[n]; ok {
		return c
	}
	return t.Theme.Color(n, v)
}

func (t calmTheme) Size(n fyne.ThemeSizeName) float32 {
	scale := t.scale
	if scale == 0 {
		scale = 1
	}
	switch n {
	case theme.SizeNameText:
		return 18 * scale
	case theme.SizeNameHeadingText:
		return 30 * scale
	case theme.SizeNameSubHeadingText:
		return 22 * scale
	case theme.SizeNameCaptionText:
		return 15 * scale
	case theme.SizeNameInnerPadding:
		return 11
	case theme.SizeNamePadding:
		return 6
	case theme.SizeNameInputBorder:
		return 2
	case theme.SizeNameInlineIcon:
		// Icons grow with the text they stand beside, though less: at 200 % text the
		// side bar must still leave room for a screen in a 1000 px window (a quarter as much).
		return 24 + 6*(scale-1)
	case theme.SizeNameScrollBar:
		return 14
	}
	return t.Theme.Size(n)
}

// minHeightLayout gives its objects at least a fixed height, and all the width it has.
type minHeightLayout struct{ height float32 }

func (l minHeightLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(0, l.height)
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

func (l minHeightLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// tall wraps a button (or any object) so it is at least bigTarget high.
func tall(o fyne.CanvasObject) fyne.CanvasObject {
	return &fyne.Container{Layout: minHeightLayout{height: bigTarget}, Objects: []fyne.CanvasObject{o}}
}

// widthLayout keeps its content at a readable width, centred, however wide the window is.
type widthLayout struct{ width float32 }

func (l widthLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(0, 0)
	for _, o := range objects {
		s = s.Max(o.MinSize())
	}
	return s
}

func (l widthLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	w := min(size.Width, max(l.width, l.MinSize(objects).Width))
	for _, o := range objects {
		o.Resize(fyne.NewSize(w, size.Height))
		o.Move(fyne.NewPos((size.Width-w)/2, 0))
	}
}

// column centres content in a column at most width wide.
func column(width float32, o fyne.CanvasObject) fyne.CanvasObject {
	return &fyne.Container{Layout: widthLayout{width: width}, Objects: []fyne.CanvasObject{o}}
}

// textScale is the "Text size" preference, 1 (100 %) when unset or out of range.
func (u *UI) textScale() float32 {
	f := float32(u.app.Preferences().FloatWithFallback(prefTextScale, 1))
	for _, s := range textScales {
		if f == s {
			return f
		}
	}
	return 1
}

// highContrast is the "High contrast" preference.
func (u *UI) highContrast() bool { return u.app.Preferences().Bool(prefContrast) }

// applyTheme sets the calm theme with the text size and contrast preferences; Fyne redraws
// every window with it at once.
func (u *UI) applyTheme() {
	th := newCalmThemeWith(u.opt.Theme, u.textScale(), u.highContrast()).(calmTheme)
	th.redrawn = u.nudge
	u.app.Settings().SetTheme(th)
}

// setTextScale remembers a text size and applies it.
func (u *UI) setTextScale(f float32) {
	u.app.Preferences().SetFloat(prefTextScale, float64(f))
	u.applyTheme()
}

// setHighContrast remembers the contrast choice and applies it.
func (u *UI) setHighContrast(on bool) {
	u.app.Preferences().SetBool(prefContrast, on)
	u.applyTheme()
}

// scaleLabel words a text size as a percentage ("150 %").
func scaleLabel(f float32) string {
	return tr.T("theme.percent", tr.Args{"Percent": strconv.Itoa(int(f*100 + 0.5))})
}
