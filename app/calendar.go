package app

import (
	"context"
	"errors"
	"io"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/export"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// addToCalendar asks where to save one appointment as an RFC 5545 file (.ics), which any
// calendar program opens, and writes it there (the same writer as `export ics`). A cancelled
// one is offered too: its file has the same UID and STATUS:CANCELLED, which cancels the
// event in a calendar that already has it.
func (u *UI) addToCalendar(ap data.Appointment) {
	a := u.appointments
	if a == nil {
		return
	}
	a.calSave = u.saveDialog(icsFileName(ap.Title), ".ics", func() bool { return u.appointments == a },
		func(w fyne.URIWriteCloser, err error) {
			a.calSave = nil
			if err != nil {
				u.calendarFailed(a)
				return
			}
			if w == nil {
				return // cancelled
			}
			u.saveCalendar(a, ap, w)
		})
}

// saveCalendar writes the appointment to w. A file on this computer is written atomically
// with mode 0600 through a temporary file beside it (the dialog has already created it
// empty); anything else (a portal's storage) through w itself.
func (u *UI) saveCalendar(a *appointmentsScreen, ap data.Appointment, w fyne.URIWriteCloser) {
	uri := w.URI()
	version, now := u.opt.Version, u.now()
	background(a.prof, func(ctx context.Context) (struct{}, error) {
		write := func(out io.Writer) error { return export.ICS(out, []data.Appointment{ap}, version, now) }
		if uri.Scheme() == "file" {
			if err := w.Close(); err != nil {
				return struct{}{}, err
			}
			return struct{}{}, export.WriteFile(uri.Path(), write)
		}
		err := write(w)
		return struct{}{}, errors.Join(err, w.Close())
	}, func(_ struct{}, err error) {
		if u.appointments != a {
			return
		}
		if err != nil {
			u.calendarFailed(a)
			return
		}
		a.calState.Importance = widget.MediumImportance
		say(a.calState, tr.T("calendar.saved", tr.Args{"File": uri.Name()}))
	})
}

func (u *UI) calendarFailed(a *appointmentsScreen) {
	a.calState.Importance = widget.DangerImportance
	say(a.calState, tr.T("calendar.save_failed"))
	u.failed(u.win, tr.T("calendar.not_saved"), tr.T("calendar.save_failed"))
}

// icsFileName suggests a file name from the title: letters, digits and dashes only, so that
// it is valid on every system and says what it is.
func icsFileName(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range title {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" {
		name = tr.T("calendar.file_name")
	}
	return name + ".ics"
}
