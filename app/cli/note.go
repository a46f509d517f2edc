package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/patient-companion/companion/data"
)

type noteJSON struct {
	ID        string `json:"id"`
	At        string `json:"at"`
	Text      string `json:"text"`
	Direction string `json:"direction"`
	State     string `json:"state"`
}

func toNoteJSON(m data.Message) noteJSON {
	return noteJSON{ID: m.ID, At: rfc3339(m.At), Text: m.Text, Direction: m.Direction, State: m.State}
}

func noteAdd(c *call) error {
	text := strings.Join(c.args, " ")
	if strings.TrimSpace(text) == "" {
		return usagef("give the note's text, like: companion note add \"Is it fine to take ibuprofen?\"")
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	m, err := s.AddNote(c.ctx, text)
	if err != nil {
		return err
	}
	return c.out(toNoteJSON(m), func(w io.Writer) { fmt.Fprintln(w, m.ID) })
}

func noteList(c *call) error {
	if err := c.noArgs(); err != nil {
		return err
	}
	s, err := c.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	msgs, lerr := s.ListMessages(c.ctx)
	return printList(c, msgs, lerr, toNoteJSON, func(w io.Writer) {
		if len(msgs) == 0 {
			fmt.Fprintln(w, "No notes or messages yet. Write one with: companion note add TEXT")
		}
		for _, m := range msgs {
			who := "You"
			if m.Direction == data.DirectionIn {
				who = "Care team"
				if m.Sender != "" {
					who = m.Sender
				}
			}
			mark := ""
			switch m.State {
			case data.MessageQueued:
				mark = "  (waiting to send)"
			case data.MessageFailed:
				mark = "  (not sent: " + printable(m.Error) + ")"
			}
			fmt.Fprintf(w, "%s  %s: %s%s  [%s]\n", m.At.Format("2006-01-02 15:04"), printable(who), printable(m.Text), mark, m.ID)
		}
	})
}
