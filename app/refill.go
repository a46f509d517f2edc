package app

// The stock of a medicine in the window (issue 14): the stock line on the Medications
// screen, the refill notice there and on Today, "Ask my clinic for a refill", and the
// once-a-day refill notification.

import (
	"context"
	"log"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/remind"
	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

const (
	// refillCheckEvery: the refill notification is checked at most this often (it reads
	// every medicine; the 30-second reminder tick must stay light).
	refillCheckEvery = time.Hour
)

// refillBox is a refill notice with its button: "Metformin runs out around 3 Dec — ask for a
// refill by 26 Nov" [Ask my clinic for a refill].
type refillBox struct {
	text  *widget.Label
	ask   *widget.Button
	state *widget.Label // asked, or why it failed
	box   fyne.CanvasObject
}

// newRefillBox words the refill notice of m and wires its button to send the request
// through st's outbox.
func (u *UI) newRefillBox(w worker, st *data.Store, m data.Medication, sp remind.Supply, now time.Time) *refillBox {
	loc := st.Location()
	rb := &refillBox{text: paragraph(sp.RefillText(m.Name, loc, now)), state: caption("")}
	rb.text.Importance = widget.WarningImportance
	rb.state.Hide()
	request := remind.RefillRequest(m, sp, loc, now)
	rb.ask = widget.NewButtonWithIcon(tr.T("today.ask_refill"), theme.MailSendIcon(), nil)
	rb.ask.OnTapped = func() {
		rb.ask.Disable()
		background(w, func(ctx context.Context) (data.Message, error) {
			return st.AddNote(ctx, request)
		}, func(_ data.Message, err error) {
			if err != nil {
				rb.ask.Enable()
				say(rb.state, tr.T("today.refill_ask_failed"))
				return
			}
			say(rb.state, tr.T("today.refill_asked"))
		})
	}
	rb.box = container.NewVBox(rb.text, container.NewHBox(tall(rb.ask)), rb.state)
	return rb
}

// checkRefills sends p's refill notification when one is due (remind.Engine.CheckRefills:
// once a day), from the engine's goroutine, as the dose reminders are sent.
func (u *UI) checkRefills(ctx context.Context, p *openProfile, now time.Time) {
	title, body, ok, err := p.engine.CheckRefills(ctx, now)
	if err != nil {
		log.Printf("refill reminder: %v", err) // never a medicine's name
		return
	}
	if !ok {
		return
	}
	// Today needs no redraw: it words the refill notice itself at each load.
	if err := u.opt.Notify(ctx, title, body); err != nil {
		log.Printf("refill reminder: desktop notification: %v", err)
	}
}
