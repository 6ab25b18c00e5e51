package sqlstore

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/parleyhq/parley/storage"
)

// storedChange is one change as the events' JSON column holds it. Before
// and After keep the caller's JSON text exactly, as strings; nil stays nil.
type storedChange struct {
	Field  string  `json:"field"`
	Before *string `json:"before"`
	After  *string `json:"after"`
}

func rawText(b json.RawMessage) *string {
	if b == nil {
		return nil
	}
	s := string(b)
	return &s
}

func rawJSON(s *string) json.RawMessage {
	if s == nil {
		return nil
	}
	return json.RawMessage(*s)
}

func changesText(changes []storage.Change) (string, error) {
	if changes == nil {
		return "null", nil
	}
	out := make([]storedChange, len(changes))
	for i, c := range changes {
		out[i] = storedChange{Field: c.Field, Before: rawText(c.Before), After: rawText(c.After)}
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func readChanges(s string) ([]storage.Change, error) {
	var stored []storedChange
	if err := json.Unmarshal([]byte(s), &stored); err != nil {
		return nil, err
	}
	if stored == nil {
		return nil, nil
	}
	out := make([]storage.Change, len(stored))
	for i, c := range stored {
		out[i] = storage.Change{Field: c.Field, Before: rawJSON(c.Before), After: rawJSON(c.After)}
	}
	return out, nil
}

// queuedEvent is an event appended in a transaction and written at its
// commit: the copy to write, and the caller's event, whose Seq is set once
// the commit succeeds.
type queuedEvent struct {
	copy    *storage.Event
	changes string
	caller  *storage.Event
}

// AppendEvents implements storage.Tx. The events wait in the transaction
// and are written, with their seqs, in the round trip that commits (see the
// package doc).
func (t *tx) AppendEvents(ctx context.Context, events ...*storage.Event) error {
	const op = "appending events"
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	if t.ended {
		return t.s.wrap(ctx, op, "", errTxDone)
	}
	if len(events) == 0 {
		return nil
	}
	queued := make([]queuedEvent, len(events))
	for i, e := range events {
		changes, err := changesText(e.Changes)
		if err != nil {
			return invalidJSON("changes", err)
		}
		queued[i] = queuedEvent{copy: e.Clone(), changes: changes, caller: e}
	}
	t.events = append(t.events, queued...)
	return nil
}

// flushEvents returns the statements that write the events waiting in the
// transaction, and the function that sets their seqs after the commit.
func (t *tx) flushEvents() ([]*stmt, func()) {
	if len(t.events) == 0 {
		return nil, func() {}
	}
	return t.writeEvents(t.events)
}

// dropEvents forgets the waiting events of a deleted conversation, as if
// they had been written before the delete: all but its deletion records.
func (t *tx) dropEvents(conversationID string) {
	if len(t.events) == 0 {
		return
	}
	kept := t.events[:0]
	for _, q := range t.events {
		if q.copy.ConversationID != conversationID || q.copy.Type == storage.ConversationDeleted {
			kept = append(kept, q)
		}
	}
	clear(t.events[len(kept):])
	t.events = kept
}

// writeEvents numbers and inserts events (see flavor.insertEvents), and
// returns the function that sets the callers' seqs once they have
// committed: the seqs run up to the last one, in order.
func (t *tx) writeEvents(events []queuedEvent) ([]*stmt, func()) {
	d := t.s.d
	var last int64
	stmts := d.insertEvents(d, events, &last)
	return stmts, func() {
		for i, q := range events {
			q.caller.Seq = last - int64(len(events)-1-i)
		}
	}
}

// errNoCounter is the cause when the event counter's row is missing: the
// schema was not migrated, or was damaged.
var errNoCounter = errors.New("the event counter is missing: run Migrate")

// ListEvents implements storage.Tx, on the seq key or the
// (conversation_id, seq) index.
func (t *tx) ListEvents(ctx context.Context, q storage.EventQuery) ([]*storage.Event, error) {
	const op = "listing events"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	d := t.s.d
	b := newBuilder(d)
	b.WriteString("SELECT seq, type, COALESCE(conversation_id, ''), entity_id, actor, at, changes FROM {events}")
	conds := []string{"seq > " + b.arg(q.After)}
	if q.ConversationID != "" {
		conds = append(conds, "conversation_id = "+b.arg(q.ConversationID))
	}
	b.where(conds)
	b.WriteString(" ORDER BY seq LIMIT " + b.arg(q.Limit))
	out := []*storage.Event{}
	st := b.stmt().each(func(r row) error {
		var (
			e            storage.Event
			typ, changes string
		)
		if err := r.Scan(&e.Seq, &typ, &e.ConversationID, &e.EntityID, &e.Actor, timeCol{&e.At}, &changes); err != nil {
			return err
		}
		e.Type = storage.EventType(typ)
		var err error
		e.Changes, err = readChanges(changes)
		out = append(out, &e)
		return err
	})
	if err := t.run(ctx, st); err != nil {
		return nil, t.s.wrap(ctx, op, q.ConversationID, err)
	}
	return out, nil
}
