package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// TestBesideOrBelow: a row's buttons stay on the right while the words keep at least as
// much room as the buttons, and go under the words (the row growing taller) when not, as
// with German labels at 200 % text.
func TestBesideOrBelow(t *testing.T) {
	words := widget.NewLabel("Metformin 500 mg")
	buttons := container.NewHBox(widget.NewButton("Genommen", nil), widget.NewButton("Auslassen", nil))
	row := besideOrBelow(words, buttons)
	bs := buttons.MinSize()

	row.Resize(fyne.NewSize(3*bs.Width, row.MinSize().Height))
	if buttons.Position().X <= words.Position().X || buttons.Position().Y != 0 {
		t.Fatalf("wide: buttons at %v, words at %v; want them beside the words", buttons.Position(), words.Position())
	}
	beside := row.MinSize().Height

	row.Resize(fyne.NewSize(1.5*bs.Width, beside))
	row.Resize(fyne.NewSize(1.5*bs.Width, row.MinSize().Height)) // the parent, laying out again
	if buttons.Position().X != 0 || buttons.Position().Y < words.MinSize().Height {
		t.Fatalf("narrow: buttons at %v; want them under the words", buttons.Position())
	}
	if h := row.MinSize().Height; h < words.MinSize().Height+bs.Height {
		t.Fatalf("narrow: the row asks for %v high, less than words and buttons", h)
	}
	if words.Size().Width != 1.5*bs.Width {
		t.Fatalf("narrow: the words get %v wide, want the whole row", words.Size().Width)
	}

	row.Resize(fyne.NewSize(3*bs.Width, beside))
	if row.MinSize().Height != beside || buttons.Position().X == 0 {
		t.Fatal("wide again: the buttons should be back beside the words")
	}
}
