package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// calmTheme is the default theme with larger text, roomier controls and stronger contrast: the
// people who use this app are often older, and many read it without their glasses. Fonts and
// icons are the base theme's, and the light and dark variants still follow the system; a few
// colours are darkened (light) or lifted (dark) where Fyne's defaults are too faint to read:
// text, input borders, placeholders, disabled text, button faces and the success green.
type calmTheme struct {
	fyne.Theme
}

var _ fyne.Theme = calmTheme{}

func newCalmTheme(base fyne.Theme) fyne.Theme {
	if base == nil {
		base = theme.DefaultTheme()
	}
	return calmTheme{Theme: base}
}

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

func (t calmTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
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
	switch n {
	case theme.SizeNameText:
		return 18
	case theme.SizeNameHeadingText:
		return 30
	case theme.SizeNameSubHeadingText:
		return 22
	case theme.SizeNameCaptionText:
		return 15
	case theme.SizeNameInnerPadding:
		return 11
	case theme.SizeNamePadding:
		return 6
	case theme.SizeNameInputBorder:
		return 2
	case theme.SizeNameInlineIcon:
		return 24
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
