package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// saveDialog opens Fyne's save dialog for a file named name, offering only files ending in
// ext to write over (the dialog empties the file chosen before the app sees it, so nothing
// else, the journal least of all, is offered). done gets the writer, nil when cancelled —
// but only while still() holds: a screen left meanwhile just closes what it was given.
func (u *UI) saveDialog(name, ext string, still func() bool, done func(w fyne.URIWriteCloser, err error)) *dialog.FileDialog {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if !still() {
			if w != nil {
				w.Close()
			}
			return
		}
		done(w, err)
	}, u.win)
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter([]string{ext}))
	// Fyne's dialog opens at its minimum size, too small to read a folder's files in.
	size := u.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(900, size.Width*0.9), min(650, size.Height*0.9)))
	d.Show()
	return d
}
