package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"

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

// writeEvents numbers and inserts events: the one-row counter is moved by
// len(events) and the events take the seqs below its new value, in order.
// The counter's row stays locked until the transaction ends, so seqs are
// handed out in commit order (see the package doc).
func (t *tx) writeEvents(events []queuedEvent) ([]*stmt, func()) {
	d := t.s.d
	n := len(events)
	var last int64
	assign := func() {
		for i, q := range events {
			q.caller.Seq = last - int64(n-1-i)
		}
	}
	if d.pg() {
		types := make([]string, n)
		convs := make([]string, n)
		entities := make([]string, n)
		actors := make([]string, n)
		ats := make([]time.Time, n)
		changes := make([]string, n)
		for i, q := range events {
			e := q.copy
			types[i], convs[i], entities[i], actors[i] = string(e.Type), e.ConversationID, e.EntityID, e.Actor
			ats[i], changes[i] = d.time(e.At).(time.Time), q.changes
		}
		// Without the counter's row the seqs are NULL and the INSERT fails,
		// so the COMMIT behind it in the pipeline never runs.
		st := d.stmt(`WITH c AS (UPDATE {event_seq} SET last = last + $1 WHERE id = 1 RETURNING last)
			INSERT INTO {events} (seq, type, conversation_id, entity_id, actor, at, changes)
			SELECT (SELECT last FROM c) - $1 + e.n, e.type, NULLIF(e.conversation_id, ''), e.entity_id, e.actor, e.at, e.changes
			FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])
				WITH ORDINALITY AS e(type, conversation_id, entity_id, actor, at, changes, n)
			RETURNING seq`, int64(n), types, convs, entities, actors, ats, changes)
		st.each(func(r row) error {
			var seq int64
			err := r.Scan(&seq)
			last = max(last, seq)
			return err
		})
		return []*stmt{st}, assign
	}
	// SQLite: write transactions run one at a time, so the next seq is
	// one past the highest ever handed out: the events' own highest seq,
	// or the counter, which only DeleteConversation moves (when it deletes
	// the newest events). An append dirties no counter page: a third of
	// the pages an event costs. One INSERT per chunk; with the counter's
	// row missing (a damaged schema) it inserts nothing and the
	// transaction fails. No RETURNING: on go-sqlite3 a statement read as
	// rows costs about twice an Exec; the last row's id (seq is the rowid)
	// is the new top.
	var stmts []*stmt
	for start := 0; start < n; start += sqliteEventsPerInsert {
		chunk := events[start:min(n, start+sqliteEventsPerInsert)]
		b := newBuilder(d)
		b.WriteString(`INSERT INTO {events} (seq, type, conversation_id, entity_id, actor, at, changes)
			SELECT b.base + v.column1, v.column2, v.column3, v.column4, v.column5, v.column6, v.column7
			FROM (SELECT max(coalesce((SELECT max(seq) FROM {events}), 0), s.last) AS base
				FROM {event_seq} s WHERE s.id = 1) b,
			(VALUES `)
		for i, q := range chunk {
			e := q.copy
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + b.arg(int64(i+1)) + ", " + b.arg(string(e.Type)) + ", " + b.arg(nullString(e.ConversationID)) + ", " +
				b.arg(e.EntityID) + ", " + b.arg(e.Actor) + ", " + b.arg(d.time(e.At)) + ", " + b.arg(q.changes) + ")")
		}
		b.WriteString(") v ORDER BY v.column1")
		ins := b.stmt()
		ins.done = func() error {
			if ins.affected != int64(len(chunk)) {
				return errNoCounter
			}
			last = ins.lastID
			return nil
		}
		stmts = append(stmts, ins)
	}
	return stmts, assign
}

// sqliteEventsPerInsert bounds the rows of one INSERT of events, well
// inside SQLite's limit on parameters (7 a row).
const sqliteEventsPerInsert = 500

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
