package app

import (
	"image/png"
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestZZCapture(t *testing.T) {
	u := openRecord(t, withRecord(t))
	test.Tap(recordMed(t, u, os.Getenv("CAP_MED")).add)
	u.win.Resize(fyne.NewSize(1000, 1400))
	u.win.Content().Refresh()
	f, _ := os.Create("/tmp/hwin-cap/full.png")
	defer f.Close()
	png.Encode(f, u.win.Canvas().Capture())
}
