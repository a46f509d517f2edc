package app

import (
	"context"
	"errors"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/patient-companion/companion/app/tr"
	"github.com/patient-companion/companion/data"
)

// threadIndent is how far in the side of the thread a message is not on starts.
const threadIndent = 120

// messagesScreen is the thread with the care team, a box to write a note, and Sync now.
type messagesScreen struct {
	screenBase
	loaded bool

	syncLine *widget.Label // the sync status
	sync     *widget.Button
	syncMsg  *widget.Label // what went wrong with the last "Sync now"
	status   *widget.Label // loading, failure or the empty state
	warning  *widget.Label
	rows     []*messageRow
	thread   *fyne.Container
	scroll   *container.Scroll

	compose    *navEntry
	composeErr *widget.Label
	send       *widget.Button
}

// messageRow is one message of the thread.
type messageRow struct {
	msg  data.Message
	who  *widget.Label // "You" or the sender, and when
	text *widget.Label
	mark *widget.Label // for notes of ours: waiting, sent or not sent
	box  fyne.CanvasObject
}

func (u *UI) showMessages() {
	b, ok := u.newScreen(navMessages)
	if !ok {
		return
	}
	m := &messagesScreen{screenBase: b}
	u.messages = m

	m.syncLine = caption("")
	m.syncLine.Hide()
	m.sync = widget.NewButtonWithIcon(tr.T("messages.sync_now"), theme.ViewRefreshIcon(), u.syncNow)
	m.syncMsg = paragraph("")
	m.syncMsg.Importance = widget.WarningImportance
	m.syncMsg.Hide()
	m.status = paragraph(tr.T("messages.loading"))
	m.warning = paragraph("")
	m.warning.Importance = widget.WarningImportance
	m.warning.Hide()
	m.thread = container.NewVBox()

	m.compose = u.newMultiLineEntry()
	m.compose.Wrapping = fyne.TextWrapWord
	m.compose.SetMinRowsVisible(3)
	m.compose.SetPlaceHolder(tr.T("messages.compose_placeholder"))
	m.compose.OnChanged = func(string) { say(m.composeErr, "") }
	m.composeErr = message()
	m.send = widget.NewButtonWithIcon(tr.T("messages.send"), theme.MailSendIcon(), u.sendNote)
	m.send.Importance = widget.HighImportance

	m.syncLine.Alignment = fyne.TextAlignCenter
	// Not in a Center container: that would give the wrapping line its narrowest width.
	top := container.NewBorder(nil, nil, nil, container.NewCenter(tall(m.sync)), m.syncLine)
	m.scroll = container.NewVScroll(container.NewPadded(column(760,
		container.NewVBox(m.syncMsg, m.warning, m.status, m.thread))))
	bottom := container.NewPadded(column(760, container.NewVBox(
		labelled(fieldLabel(tr.T("messages.compose_label")), m.compose, m.composeErr),
		container.NewBorder(nil, nil, tall(m.send), nil, caption(tr.T("messages.compose_hint"))))))
	u.setContent(u.frame(b, container.NewBorder(container.NewPadded(top),
		container.NewVBox(widget.NewSeparator(), bottom), nil, nil, m.scroll)))
	if m.prof.sync.running {
		m.sync.Disable()
	}
	u.loadMessages()
}

// loadMessages reads the thread and the sync status.
func (u *UI) loadMessages() {
	m := u.messages
	if m == nil {
		return
	}
	st := m.store
	type loaded struct {
		msgs []data.Message
		si   syncInfo
	}
	background(m.prof, func(ctx context.Context) (loaded, error) {
		var l loaded
		var err error
		l.msgs, err = st.ListMessages(ctx)
		var te *data.TamperedError
		if err != nil && !errors.As(err, &te) {
			return l, err
		}
		si, serr := loadSyncInfo(ctx, st)
		if serr != nil {
			return l, serr
		}
		l.si = si
		return l, err
	}, func(l loaded, err error) {
		if u.messages != m {
			return
		}
		var te *data.TamperedError
		switch {
		case errors.As(err, &te):
			say(m.warning, tr.T("messages.damaged"))
		case err != nil:
			if !m.loaded {
				say(m.status, tr.T("messages.load_failed"))
			}
			say(m.syncLine, syncReadFailed())
			return
		default:
			say(m.warning, "")
		}
		m.loaded = true
		say(m.syncLine, syncText(l.si, m.prof.sync, u.now()))
		u.fillMessages(m, l.msgs)
	})
}

func (u *UI) fillMessages(m *messagesScreen, msgs []data.Message) {
	loc := m.store.Location()
	m.rows = nil
	var objs []fyne.CanvasObject
	for _, msg := range msgs {
		r := newMessageRow(msg, loc)
		m.rows = append(m.rows, r)
		objs = append(objs, r.box)
	}
	if len(msgs) == 0 {
		say(m.status, tr.T("messages.empty"))
	} else {
		say(m.status, "")
	}
	m.thread.Objects = objs
	m.thread.Refresh()
	m.scroll.ScrollToBottom()
}

// messageMark says what became of a note of ours.
func messageMark(msg data.Message) string {
	switch msg.State {
	case data.MessageSent:
		return tr.T("messages.sent")
	case data.MessageFailed:
		// The reason is the portal's own words (or its HTTP status), kept as they came.
		reason := strings.TrimSpace(msg.Error)
		if reason == "" {
			return tr.T("messages.not_sent")
		}
		return tr.T("messages.not_sent_why", tr.Args{"Reason": reason})
	}
	return tr.T("messages.waiting")
}

func newMessageRow(msg data.Message, loc *time.Location) *messageRow {
	r := &messageRow{msg: msg}
	when := tr.Format(msg.At.In(loc), tr.DateClock)
	r.text = paragraph(msg.Text)
	gap := canvas.NewRectangle(color.Transparent)
	gap.SetMinSize(fyne.NewSize(threadIndent, 0))
	if msg.Direction == data.DirectionOut {
		r.who = widget.NewLabelWithStyle(tr.T("messages.from_you", tr.Args{"When": when}), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		r.text.Alignment = fyne.TextAlignTrailing
		r.mark = widget.NewLabel(messageMark(msg))
		r.mark.Alignment = fyne.TextAlignTrailing
		r.mark.SizeName = theme.SizeNameCaptionText
		switch msg.State {
		case data.MessageFailed:
			r.mark.Importance = widget.DangerImportance
			r.mark.Wrapping = fyne.TextWrapWord
		case data.MessageSent:
			r.mark.Importance = widget.SuccessImportance
		}
		r.box = container.NewBorder(nil, nil, gap, nil,
			container.New(layout.NewCustomPaddedVBoxLayout(-12), r.who, r.text, r.mark))
	} else {
		sender := strings.TrimSpace(msg.Sender)
		if sender == "" {
			sender = tr.T("messages.care_team")
		}
		r.who = widget.NewLabelWithStyle(tr.T("messages.from", tr.Args{"Sender": sender, "When": when}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		r.box = container.NewBorder(nil, nil, nil, gap,
			container.New(layout.NewCustomPaddedVBoxLayout(-12), r.who, r.text))
	}
	r.who.Truncation = fyne.TextTruncateEllipsis
	return r
}

// sendNote stores the note written in the box; it is queued for the portal.
func (u *UI) sendNote() {
	m := u.messages
	if m == nil || m.send.Disabled() {
		return
	}
	text := strings.TrimSpace(m.compose.Text)
	if text == "" {
		say(m.composeErr, tr.T("messages.note_empty"))
		return
	}
	m.send.Disable()
	st := m.store
	background(m.prof, func(ctx context.Context) (data.Message, error) {
		return st.AddNote(ctx, text)
	}, func(_ data.Message, err error) {
		if u.messages != m {
			return
		}
		m.send.Enable()
		switch {
		case errors.Is(err, data.ErrInvalid):
			say(m.composeErr, inputMessage(err))
			return
		case err != nil:
			say(m.composeErr, tr.T("messages.save_failed"))
			u.failed(u.win, tr.T("messages.not_saved"), tryAgain())
			return
		}
		m.compose.SetText("")
		u.loadMessages()
	})
}
