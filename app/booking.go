package app

// Booking a free time (issue 15), where the clinic's portal offers Appointment/$find and
// $book: the portal's free times for the days that suit are listed, the person picks one,
// and it is booked there and then. The portal work runs off the UI goroutine.

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir"
	"github.com/patient-companion/companion/sync/portal"
)

// bookingDialog is the dialog that lists free times and books one.
type bookingDialog struct {
	d      *dialog.CustomDialog
	state  *widget.Label
	choice *widget.RadioGroup
	book   *widget.Button
	slots  []portal.Slot
	labels map[string]int // a radio option's text → its slot
}

// slotText is how a free time reads in the list.
func slotText(s portal.Slot) string {
	t := tr.Format(s.Start.Local(), tr.DateClock)
	if s.Title != "" {
		t += " — " + s.Title
	}
	if s.Location != "" {
		t += ", " + s.Location
	}
	return t
}

// showBooking asks p's portal for free times between after and before (zero: open) and
// lets the person book one; booked runs on the UI goroutine with the booked appointment.
func (u *UI) showBooking(p *openProfile, reason string, after, before data.Date, booked func(data.Appointment)) *bookingDialog {
	b := &bookingDialog{state: paragraph(tr.T("booking.looking")), labels: map[string]int{}}
	b.choice = widget.NewRadioGroup(nil, func(string) { b.book.Enable(); say(b.state, "") })
	b.book = widget.NewButton(tr.T("booking.book"), nil)
	b.book.Importance = widget.HighImportance
	b.book.Disable()
	cancel := widget.NewButton(tr.T("booking.close"), func() { b.d.Hide() })
	content := container.NewVBox(b.state, container.NewVScroll(b.choice), container.NewHBox(tall(b.book), tall(cancel)))
	b.d = dialog.NewCustomWithoutButtons(tr.T("booking.title"), content, u.win)
	b.d.Resize(fyne.NewSize(640, 480))
	b.d.Show()

	background(p, func(ctx context.Context) ([]portal.Slot, error) {
		var slots []portal.Slot
		err := portal.WithProfile(ctx, p.store, func(e *portal.Engine) error {
			var err error
			slots, err = e.FindSlots(ctx, after, before, reason)
			return err
		})
		return slots, err
	}, func(slots []portal.Slot, err error) {
		switch {
		case err != nil:
			sayError(b.state, tr.T("booking.failed"))
			return
		case len(slots) == 0:
			say(b.state, tr.T("booking.none"))
			return
		}
		b.slots = slots
		var opts []string
		for i, s := range slots {
			text := slotText(s)
			if _, dup := b.labels[text]; dup {
				text = fmt.Sprintf("%s (%d)", text, i+1)
			}
			b.labels[text] = i
			opts = append(opts, text)
		}
		b.choice.Options = opts
		b.choice.Refresh()
		say(b.state, tr.T("booking.choose"))
	})

	b.book.OnTapped = func() {
		i, ok := b.labels[b.choice.Selected]
		if !ok {
			return
		}
		slot := b.slots[i]
		b.book.Disable()
		say(b.state, tr.T("booking.booking"))
		background(p, func(ctx context.Context) (data.Appointment, error) {
			var a data.Appointment
			err := portal.WithProfile(ctx, p.store, func(e *portal.Engine) error {
				var err error
				a, err = e.Book(ctx, slot, reason)
				return err
			})
			return a, err
		}, func(a data.Appointment, err error) {
			if err != nil {
				b.book.Enable()
				msg := tr.T("booking.failed")
				var he *fhir.HTTPError
				if errors.As(err, &he) && he.Status >= 400 && he.Status < 500 {
					msg = tr.T("booking.taken")
				}
				sayError(b.state, msg)
				return
			}
			b.d.Hide()
			if booked != nil {
				booked(a)
			}
		})
	}
	return b
}
