package data

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Message directions and states.
const (
	DirectionOut = "out" // a note or question to the care team
	DirectionIn  = "in"  // from the care team

	MessageQueued = "queued" // waiting for the portal
	MessageSent   = "sent"   // on the portal (for "in": received from it)
	MessageFailed = "failed" // the portal refused it; kept, with the reason
)

// Message is a note to, or a message from, the care team.
type Message struct {
	ID        string
	At        time.Time
	Text      string
	Direction string
	State     string
	RemoteID  string // the portal's Communication id, once known
	Sender    string // who wrote it, for incoming messages
	Error     string // why the portal refused it (state failed)
	UpdatedAt time.Time
}

type messageRecord struct {
	Text   string `json:"text"`
	Sender string `json:"sender,omitempty"`
	Error  string `json:"error,omitempty"`
}

const (
	messageFormat = 1
	maxMessageLen = 10000
)

// OutboxItem is a local change that must reach the portal.
type OutboxItem struct {
	Seq      int64
	Entity   string // "message"
	EntityID string
	Op       string // "create"
	Attempts int
	NextAt   time.Time
}

// AddNote writes a note to the care team and queues it for the portal, in one transaction:
// it is never lost between the journal and the outbox.
func (s *Store) AddNote(ctx context.Context, text string) (Message, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return Message{}, invalid("the note is empty")
	case utf8.RuneCountInString(text) > maxMessageLen:
		return Message{}, invalid("the note is longer than %d characters", maxMessageLen)
	}
	now := s.now()
	m := Message{ID: newID(), At: now.In(s.loc), Text: text, Direction: DirectionOut, State: MessageQueued, UpdatedAt: now.In(s.loc)}
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		blob, err := s.seal("messages", m.ID, messageFormat, messageRecord{Text: text})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO messages (id, at, direction, state, created_at, updated_at, fmt, sealed)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.ID, toMillis(now), m.Direction, m.State, toMillis(now), toMillis(now), messageFormat, blob); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox (entity, entity_id, op, created_at) VALUES ('message', ?, 'create', ?)`, m.ID, toMillis(now))
		return err
	})
	if err != nil {
		return Message{}, fmt.Errorf("save note: %w", err)
	}
	return m, nil
}

// ListMessages returns the whole thread, oldest first. Damaged records are reported in a
// *TamperedError alongside the others.
func (s *Store) ListMessages(ctx context.Context) ([]Message, error) {
	rows, err := s.queryRows(ctx, `SELECT id, at, direction, state, coalesce(remote_id, ''), updated_at, fmt, sealed
		FROM messages ORDER BY at, rowid`)
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	out := []Message{}
	var bad TamperedError
	for n := 0; rows.Next(); n++ {
		if err := cancelled(ctx, n); err != nil {
			return nil, err
		}
		var (
			m           Message
			at, updated int64
			format      int
			blob        []byte
			rec         messageRecord
		)
		if err := rows.Scan(&m.ID, &at, &m.Direction, &m.State, &m.RemoteID, &updated, &format, &blob); err != nil {
			return nil, fmt.Errorf("list messages: %w", err)
		}
		if err := s.unseal("messages", m.ID, format, blob, &rec); err != nil {
			if err == errTampered {
				bad.add("messages", m.ID)
				continue
			}
			return nil, err
		}
		m.At, m.UpdatedAt = s.fromMillis(at), s.fromMillis(updated)
		m.Text, m.Sender, m.Error = rec.Text, rec.Sender, rec.Error
		if m.State == "received" {
			m.State = MessageSent
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	return out, bad.orNil()
}

// Outbox returns the items waiting for the portal, oldest first.
func (s *Store) Outbox(ctx context.Context) ([]OutboxItem, error) {
	rows, err := s.queryRows(ctx, `SELECT seq, entity, entity_id, op, attempts, next_attempt_at FROM outbox ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	out := []OutboxItem{}
	for rows.Next() {
		var it OutboxItem
		var next int64
		if err := rows.Scan(&it.Seq, &it.Entity, &it.EntityID, &it.Op, &it.Attempts, &next); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		if next != 0 {
			it.NextAt = s.fromMillis(next)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}
