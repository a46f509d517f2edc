package app

// The small builders every screen uses: headings, paragraphs, labelled fields, messages
// that show and hide themselves, and the page that holds a narrow form.

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// formWidth is the width of the narrow forms (unlock, create, recovery key).
const formWidth = 560

func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

func paragraph(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func fieldLabel(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// message is a label for errors in a form: hidden until there is something to say.
func message() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

func say(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// page lays a narrow form out in the middle of the window, a little down from the top, and
// scrolls if the window is small. It is anchored at the top rather than centred, so a message
// appearing does not make the whole form jump.
func page(objects ...fyne.CanvasObject) fyne.CanvasObject {
	gap := canvas.NewRectangle(color.Transparent)
	gap.SetMinSize(fyne.NewSize(0, pageTop))
	box := container.NewVBox(append([]fyne.CanvasObject{gap}, objects...)...)
	return container.NewVScroll(container.NewPadded(column(formWidth, box)))
}

// pageTop is the space above a narrow form.
const pageTop = 40

// labelled stacks a label over its field (and the field's message), a little closer than
// the form's own spacing so each label reads as belonging to its field.
func labelled(label fyne.CanvasObject, field ...fyne.CanvasObject) fyne.CanvasObject {
	return container.New(layout.NewCustomPaddedVBoxLayout(-6), append([]fyne.CanvasObject{label}, field...)...)
}

func subheading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// caption is a small hint under a field. It wraps: at 200 % text a hint on one line would
// widen the window past the screen.
func caption(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameCaptionText
	l.Wrapping = fyne.TextWrapWord
	return l
}

// setEnabled enables or disables every one of ws (a form while it is busy).
func setEnabled(on bool, ws ...fyne.Disableable) {
	for _, w := range ws {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
}

// sayDone and sayError show a message in green or red.
func sayDone(l *widget.Label, text string) {
	l.Importance = widget.SuccessImportance
	say(l, text)
}

func sayError(l *widget.Label, text string) {
	l.Importance = widget.DangerImportance
	say(l, text)
}

// besideOrBelow lays out a row of words with its buttons on the right, as a border does,
// or under the words when beside them the words would have less room than the buttons:
// long button labels at large text (German at 200 %) otherwise squeeze a medicine's name
// to a letter or two.
func besideOrBelow(words, buttons fyne.CanvasObject) *fyne.Container {
	return container.New(&besideOrBelowLayout{beside: layout.NewBorderLayout(nil, nil, nil, buttons)}, words, buttons)
}

// besideOrBelowLayout: objects are the words, then the buttons. Its height depends on the
// width it was last given, as a wrapping label's does; the window lays its parent out again
// when that changes.
type besideOrBelowLayout struct {
	beside fyne.Layout
	below  bool
}

func (l *besideOrBelowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if !l.below {
		return l.beside.MinSize(objs)
	}
	words, buttons := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(fyne.Max(words.Width, buttons.Width), words.Height+theme.Padding()+buttons.Height)
}

func (l *besideOrBelowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	words, buttons := objs[0], objs[1]
	bs := buttons.MinSize()
	l.below = size.Width-theme.Padding()-bs.Width < bs.Width
	if !l.below {
		l.beside.Layout(objs, size)
		return
	}
	wh := size.Height - theme.Padding() - bs.Height
	words.Move(fyne.NewPos(0, 0))
	words.Resize(fyne.NewSize(size.Width, wh))
	buttons.Move(fyne.NewPos(0, wh+theme.Padding()))
	buttons.Resize(bs)
}
