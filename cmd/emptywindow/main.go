// Command emptywindow opens an empty Fyne window the size of Patient Companion's and does
// nothing else: the yardstick for the app's start-up time (DESIGN §9: start to first frame
// within 1.5 times this, on the same machine). cmd/startbench times both; see
// docs/PERFORMANCE.md.
package main

import (
	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
)

func main() {
	// An app id, as the companion has: Fyne then loads and watches a preferences file, which
	// is part of any real app's start.
	a := fyneapp.NewWithID("org.patientcompanion.emptywindow")
	w := a.NewWindow("Empty window")
	w.Resize(fyne.NewSize(1000, 700))
	w.ShowAndRun()
}
