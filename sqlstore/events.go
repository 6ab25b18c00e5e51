package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

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

// flushEvents returns what writes the events waiting in the transaction:
// the statements that go with the commit, those that run right after it
// (see writeEvents), and the function to call once it has committed.
func (t *tx) flushEvents(ctx context.Context) (write, after []*stmt, assign func(), err error) {
	if len(t.events) == 0 {
		return nil, nil, func() {}, nil
	}
	return t.writeEvents(ctx, t.events)
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

// writeEvents returns the statements that insert events in the round trip
// that commits, the statements to run right after the commit, in the same
// round trip where the driver allows, and the function that sets the
// callers' seqs once committed.
//
// Where the flavor numbers events as it writes them (SQLite), the seqs are
// known at the commit. On PostgreSQL the events are written under draft
// keys and numbered after they commit by the sequencer (see the package
// doc): it runs right after the commit, and reads back the seqs of these
// events; in the host's transaction it runs when the host reports the
// commit (HostStore.Committed).
func (t *tx) writeEvents(ctx context.Context, events []queuedEvent) (write, after []*stmt, assign func(), err error) {
	d := t.s.d
	if !d.numbersLater() {
		var last int64
		write = d.insertEvents(d, events, nil, &last)
		return write, nil, func() {
			for i, q := range events {
				q.caller.Seq = last - int64(len(events)-1-i)
			}
		}, nil
	}
	if len(events) <= draftBlock {
		// The usual case: the INSERT takes its draft block itself, in the
		// commit's round trip.
		var drafts []int64
		ins := d.insertInBlock(d, events, &drafts)
		callers := func() map[int64]*storage.Event {
			m := make(map[int64]*storage.Event, len(events))
			for i, q := range events {
				if i < len(drafts) {
					m[drafts[i]] = q.caller
				}
			}
			return m
		}
		if h := t.s.host; h != nil {
			return []*stmt{ins}, nil, func() { h.numberAtCommit(drafts, callers()) }, nil
		}
		got := make(map[int64]int64, len(events))
		after = append(d.numberEvents(d, blockCond, int64(len(events))), d.blockSeqs(d, len(events), func(draft, seq int64) { got[draft] = seq }))
		return []*stmt{ins}, after, func() { setSeqs(callers(), got) }, nil
	}
	drafts, err := takeDrafts(ctx, t.s, t.r, len(events))
	if err != nil {
		return nil, nil, nil, err
	}
	write = d.insertEvents(d, events, drafts, nil)
	callers := make(map[int64]*storage.Event, len(events))
	for i, q := range events {
		callers[drafts[i]] = q.caller
	}
	if h := t.s.host; h != nil {
		return write, nil, func() { h.numberAtCommit(drafts, callers) }, nil
	}
	got := make(map[int64]int64, len(events))
	after = t.s.numbering(drafts, func(draft, seq int64) { got[draft] = seq })
	return write, after, func() { setSeqs(callers, got) }, nil
}

// numbering is a writer's run of the sequencer for the events with the
// given drafts, then the read of their seqs, reported to seq.
func (s *Store) numbering(drafts []int64, seq func(draft, seq int64)) []*stmt {
	d := s.d
	return append(d.numberEvents(d, draftsCond, drafts), d.draftSeqs(d, drafts, seq))
}

// setSeqs sets the seqs read by draft on the callers' events, once the run
// that read them has committed. An event deleted, or held by a deleting
// transaction, before it was numbered keeps seq 0.
func setSeqs(callers map[int64]*storage.Event, seqs map[int64]int64) {
	for draft, seq := range seqs {
		if e := callers[draft]; e != nil {
			e.Seq = seq
		}
	}
}

// number runs the sequencer on the store's own connections, and sets the
// seqs of the events with the given drafts on callers.
func (s *Store) number(ctx context.Context, drafts []int64, callers map[int64]*storage.Event) error {
	if len(drafts) == 0 {
		return nil
	}
	got := make(map[int64]int64, len(drafts))
	if err := s.own.reader().run(ctx, s.numbering(drafts, func(draft, seq int64) { got[draft] = seq })...); err != nil {
		return err
	}
	setSeqs(callers, got)
	return nil
}

// draftBlock is the event_drafts sequence's INCREMENT BY (migration 6):
// one nextval reserves that many draft keys.
const draftBlock = 1024

// takeDrafts returns n increasing draft keys for a writing transaction's
// events on PostgreSQL, taken in one round trip on the transaction's own
// connection just before its commit, so that the writer knows its events'
// drafts before it sends them. A transaction takes blocks of its own,
// never the rest of an earlier one's: a transaction that saw another's
// changes (it waited for its locks, or read what it committed) then takes
// larger drafts than that one did, on any store of the database, and the
// sequencer, numbering in draft order, keeps cause before effect in the
// log (a close before the assignment it made room for). Nothing is shared
// between transactions, so concurrent writers of one store never wait for
// each other here.
func takeDrafts(ctx context.Context, s *Store, r runner, n int) ([]int64, error) {
	blocks := (n + draftBlock - 1) / draftBlock
	var starts []int64
	st := s.d.draftBlocks(s.d, blocks, func(start int64) { starts = append(starts, start) })
	// On the transaction's own connection: a second one from the pool
	// could wait for writers that wait for it. The sequence is not
	// transactional: a rollback loses a block, never hands it out twice.
	if err := r.run(ctx, st); err != nil {
		return nil, s.wrap(ctx, "appending events", "", err)
	}
	slices.Sort(starts)
	out := make([]int64, 0, n)
	for _, start := range starts {
		for k := start; k < start+draftBlock && len(out) < n; k++ {
			out = append(out, k)
		}
	}
	return out, nil
}

// errNoCounter is the cause when the event counter's row is missing: the
// schema was not migrated, or was damaged. On SQLite the write that needs
// it fails; on PostgreSQL the sequencer does.
var errNoCounter = errors.New("the event counter is missing: run Migrate")

// ListEvents implements storage.Tx, on the seq index or the
// (conversation_id, seq) index. Unnumbered events (seq NULL) are never
// read.
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
	stmts := []*stmt{st}
	// Where events are numbered after they commit, a read outside a
	// transaction runs the sequencer first, in the same round trip, so
	// that it sees every event committed before it asked. A read inside a
	// transaction reads what is numbered: numbering there would hold the
	// sequencer's lock, and its numbers, until that transaction ends.
	if t.auto {
		stmts = append(d.numberEvents(d, ""), st)
	}
	if err := t.run(ctx, stmts...); err != nil {
		return nil, t.s.wrap(ctx, op, q.ConversationID, err)
	}
	return out, nil
}

// NotifyEvents implements storage.EventNotifier. On PostgreSQL it listens
// to the channel the sequencer notifies whenever it numbered events
// ("parley_events_" + schema), on a connection of its own taken out of the
// pool for as long as ctx lasts: it hears of the events of every process
// on the database. On SQLite it hears of the events committed through
// this store and the stores derived from it (WithSQLTx); another
// process's are found by polling.
func (s *Store) NotifyEvents(ctx context.Context) (<-chan struct{}, error) {
	const op = "listening for events"
	if err := checkCtx(ctx, op); err != nil {
		return nil, err
	}
	if p, ok := s.own.(pgPool); ok {
		ch, err := p.listen(ctx, eventsChannel(s.d.schema))
		if err != nil {
			return nil, s.wrap(ctx, op, "", err)
		}
		return ch, nil
	}
	return s.wakes.Listen(ctx), nil
}
