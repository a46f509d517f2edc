package data

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
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

const maxMessageLen = 10000

func (r *messageRecord) encode(w *recWriter) {
	w.str(1, r.Text)
	w.str(2, r.Sender)
	w.str(3, r.Error)
}

func (r *messageRecord) decode(rd *recReader) {
	for rd.next() {
		switch rd.tag {
		case 1:
			r.Text = rd.str()
		case 2:
			r.Sender = rd.str()
		case 3:
			r.Error = rd.str()
		default:
			rd.unknown()
		}
	}
}

// messageRow is a messages row as stored; remote_id is NULL until the portal has it.
type messageRow struct {
	id, direction, state string
	remoteID             sql.NullString
	at, created, updated int64
	format               int
	blob                 []byte
}

const messageColumns = `id, at, direction, state, remote_id, created_at, updated_at, fmt, sealed`

func (r *messageRow) scan(sc interface{ Scan(...any) error }) error {
	return sc.Scan(&r.id, &r.at, &r.direction, &r.state, &r.remoteID, &r.created, &r.updated, &r.format, &r.blob)
}

func (r *messageRow) sealed() (string, int, []byte, bool) { return r.id, r.format, r.blob, true }

func (r *messageRow) bound() cols {
	return cols{ival(r.at), sval(r.direction), sval(r.state), nullString(r.remoteID), ival(r.created), ival(r.updated)}
}

// writeMessage seals rec into row and stores it, a new row or over the old one.
func (s *Store) writeMessage(ctx context.Context, tx execer, row messageRow, rec messageRecord) error {
	blob, err := s.seal("messages", row.id, row.bound(), &rec)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO messages (`+messageColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET at = excluded.at, direction = excluded.direction, state = excluded.state,
			remote_id = excluded.remote_id, created_at = excluded.created_at, updated_at = excluded.updated_at,
			fmt = excluded.fmt, sealed = excluded.sealed`,
		row.id, row.at, row.direction, row.state, row.remoteID, row.created, row.updated, recordFormat, blob)
	return err
}

// openMessage authenticates one row and decodes it.
func (s *Store) openMessage(row *messageRow) (Message, messageRecord, error) {
	var rec messageRecord
	if err := s.unseal("messages", row.id, row.format, row.bound(), row.blob, &rec); err != nil {
		return Message{}, rec, err
	}
	m := Message{ID: row.id, Direction: row.direction, State: row.state, RemoteID: row.remoteID.String,
		At: s.fromMillis(row.at), UpdatedAt: s.fromMillis(row.updated),
		Text: rec.Text, Sender: rec.Sender, Error: rec.Error}
	if m.State == "received" {
		m.State = MessageSent
	}
	return m, rec, nil
}

// messageTx reads one message inside tx, authenticated.
func (s *Store) messageTx(ctx context.Context, tx *sql.Tx, id string) (messageRow, messageRecord, error) {
	var row messageRow
	err := row.scan(tx.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return row, messageRecord{}, fmt.Errorf("message %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return row, messageRecord{}, err
	}
	_, rec, err := s.openMessage(&row)
	if err == errTampered {
		return row, rec, &TamperedError{Records: []RecordRef{{"messages", id}}}
	}
	return row, rec, err
}

// OutboxItem is a local change that must reach the portal.
type OutboxItem struct {
	Seq      int64
	Entity   string // "message", "vital", "appointment" or "survey"
	EntityID string
	Op       string // "create"; for an appointment "request" or "cancel"
	Attempts int
	NextAt   time.Time
}

// AddNote writes a note to the care team and queues it for the portal, in one transaction:
// it is never lost between the journal and the outbox.
func (s *Store) AddNote(ctx context.Context, text string) (Message, error) {
	text = strings.TrimSpace(text)
	switch {
	case !utf8.ValidString(text):
		return Message{}, errNotText("the note")
	case text == "":
		return Message{}, invalid("input.message_empty", nil, "the note is empty")
	case utf8.RuneCountInString(text) > maxMessageLen:
		return Message{}, invalid("input.message_long", kv{"Max": maxMessageLen}, "the note is longer than %d characters", maxMessageLen)
	}
	now := s.now()
	m := Message{ID: newID(), At: now.In(s.loc), Text: text, Direction: DirectionOut, State: MessageQueued, UpdatedAt: now.In(s.loc)}
	row := messageRow{id: m.ID, at: toMillis(now), direction: m.Direction, state: m.State, created: toMillis(now), updated: toMillis(now)}
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := s.writeMessage(ctx, tx, row, messageRecord{Text: text}); err != nil {
			return err
		}
		return s.writeOutbox(ctx, tx, outboxRow{entity: "message", entityID: m.ID, op: "create", created: toMillis(now)})
	})
	if err != nil {
		return Message{}, fmt.Errorf("save note: %w", err)
	}
	return m, nil
}

// ListMessages returns the whole thread, oldest first. Damaged records are reported in a
// *TamperedError alongside the others.
func (s *Store) ListMessages(ctx context.Context) ([]Message, error) {
	rows, err := s.queryRows(ctx, `SELECT `+messageColumns+` FROM messages ORDER BY at, rowid`)
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
		var row messageRow
		if err := row.scan(rows); err != nil {
			return nil, fmt.Errorf("list messages: %w", err)
		}
		m, _, err := s.openMessage(&row)
		if err != nil {
			if err == errTampered {
				bad.add("messages", row.id)
				continue
			}
			return nil, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	return out, bad.OrNil()
}

// outboxRow is an outbox row as stored. Its record holds nothing; its seal binds what must
// be sent and when, so that an item edited behind the app's back is reported, not obeyed.
// The row is named by what it sends (seq is only its place in the queue).
type outboxRow struct {
	seq                     int64
	entity, entityID, op    string
	created, attempts, next int64
	format                  int
	blob                    []byte
}

const outboxColumns = `seq, entity, entity_id, op, created_at, attempts, next_attempt_at, fmt, sealed`

func (r *outboxRow) scan(sc interface{ Scan(...any) error }) error {
	return sc.Scan(&r.seq, &r.entity, &r.entityID, &r.op, &r.created, &r.attempts, &r.next, &r.format, &r.blob)
}

func (r *outboxRow) name() string { return r.entity + "/" + r.entityID + "/" + r.op }

func (r *outboxRow) bound() cols { return cols{ival(r.created), ival(r.attempts), ival(r.next)} }

type outboxRecord struct{}

func (outboxRecord) encode(*recWriter) {}

func (outboxRecord) decode(rd *recReader) {
	for rd.next() {
		rd.unknown()
	}
}

// writeOutbox seals and stores an outbox row: a new one when row.seq is 0, else over it.
func (s *Store) writeOutbox(ctx context.Context, tx execer, row outboxRow) error {
	blob, err := s.seal("outbox", row.name(), row.bound(), outboxRecord{})
	if err != nil {
		return err
	}
	if row.seq == 0 {
		_, err = tx.ExecContext(ctx, `INSERT INTO outbox (entity, entity_id, op, created_at, attempts, next_attempt_at, fmt, sealed)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, row.entity, row.entityID, row.op, row.created, row.attempts, row.next, recordFormat, blob)
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE outbox SET entity = ?, entity_id = ?, op = ?, created_at = ?, attempts = ?,
		next_attempt_at = ?, fmt = ?, sealed = ? WHERE seq = ?`,
		row.entity, row.entityID, row.op, row.created, row.attempts, row.next, recordFormat, blob, row.seq)
	return err
}

// Outbox returns the items waiting for the portal, oldest first. A note whose (sealed) state
// says it still has to go, or was refused, but that has no item — the row was deleted behind
// the app's back — is queued again here: the outbox is a queue, the notes are the truth. Items
// that fail authentication are reported in a *TamperedError and not returned; their note,
// if it is still queued, gets a fresh item.
func (s *Store) Outbox(ctx context.Context) ([]OutboxItem, error) {
	var out []OutboxItem
	var bad TamperedError
	err := s.inTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		out, bad = []OutboxItem{}, TamperedError{}
		rows, err := tx.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox ORDER BY seq`)
		if err != nil {
			return err
		}
		has := map[string]bool{}
		var damaged []int64
		for rows.Next() {
			var row outboxRow
			if err := row.scan(rows); err != nil {
				rows.Close()
				return err
			}
			if err := s.unseal("outbox", row.name(), row.format, row.bound(), row.blob, outboxRecord{}); err != nil {
				if err != errTampered {
					rows.Close()
					return err
				}
				bad.add("outbox", strconv.FormatInt(row.seq, 10))
				damaged = append(damaged, row.seq)
				continue
			}
			has[row.entity+"/"+row.entityID] = true
			it := OutboxItem{Seq: row.seq, Entity: row.entity, EntityID: row.entityID, Op: row.op, Attempts: int(row.attempts)}
			if row.next != 0 {
				it.NextAt = s.fromMillis(row.next)
			}
			out = append(out, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, seq := range damaged {
			if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = ?`, seq); err != nil {
				return err
			}
		}
		return s.requeue(ctx, tx, has, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, bad.OrNil()
}

// requeue gives every authentic outgoing note that is queued (or was refused), and every
// authentic reading still to be shared, an outbox item if it has none.
func (s *Store) requeue(ctx context.Context, tx *sql.Tx, has map[string]bool, out *[]OutboxItem) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE direction = 'out' AND state IN ('queued', 'failed') ORDER BY at, rowid`)
	if err != nil {
		return err
	}
	var missing []outboxRow
	for rows.Next() {
		var row messageRow
		if err := row.scan(rows); err != nil {
			rows.Close()
			return err
		}
		if has["message/"+row.id] {
			continue
		}
		if _, _, err := s.openMessage(&row); err != nil {
			continue // damaged: reported by the lists, never sent
		}
		ob := outboxRow{entity: "message", entityID: row.id, op: "create", created: toMillis(s.now())}
		if row.state == MessageFailed {
			ob.next = toMillis(s.now().Add(refusedWait))
		}
		missing = append(missing, ob)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	vitals, err := s.unqueuedVitals(ctx, tx, has)
	if err != nil {
		return err
	}
	missing = append(missing, vitals...)
	appts, err := s.unqueuedAppointments(ctx, tx, has)
	if err != nil {
		return err
	}
	missing = append(missing, appts...)
	surveys, err := s.unqueuedSurveys(ctx, tx, has)
	if err != nil {
		return err
	}
	missing = append(missing, surveys...)
	for _, ob := range missing {
		if err := s.writeOutbox(ctx, tx, ob); err != nil {
			return err
		}
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT last_insert_rowid()`).Scan(&seq); err != nil {
			return err
		}
		it := OutboxItem{Seq: seq, Entity: ob.entity, EntityID: ob.entityID, Op: ob.op}
		if ob.next != 0 {
			it.NextAt = s.fromMillis(ob.next)
		}
		*out = append(*out, it)
	}
	return nil
}

// refusedWait is when a note the portal refused is tried again by itself: never, in effect;
// it waits for the person (edit, or retry by hand).
const refusedWait = 100 * 365 * 24 * time.Hour

// outboxTx reads one outbox item inside tx, authenticated.
func (s *Store) outboxTx(ctx context.Context, tx *sql.Tx, seq int64) (outboxRow, error) {
	var row outboxRow
	err := row.scan(tx.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE seq = ?`, seq))
	if errors.Is(err, sql.ErrNoRows) {
		return row, fmt.Errorf("outbox item %d: %w", seq, ErrNotFound)
	}
	if err != nil {
		return row, err
	}
	if err := s.unseal("outbox", row.name(), row.format, row.bound(), row.blob, outboxRecord{}); err != nil {
		if err == errTampered {
			return row, &TamperedError{Records: []RecordRef{{"outbox", strconv.FormatInt(seq, 10)}}}
		}
		return row, err
	}
	return row, nil
}
