package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
)

// The seeded data set: n conversations, one every seedSpacing, the newest
// an hour before the run, over seedRoster's queues (which assign nothing)
// and agents, 100,000 customers and five channels; 40% OPEN (half of them
// assigned), 20% WAITING, 20% SOLVED and 20% CLOSED; a third untagged, a
// third with one tag, a third with two (of 21). Each is as the service
// creates it at its time, with its conversation.created event, and has
// not changed since (version 1).
//
// The rows go in through parley's public API, never into the tables
// directly, so that the seeded data cannot drift from what parley writes:
// each row is created by a parley.Service over a scratch memstore that
// holds the same roster, with its clock set to the row's time, which
// gives the conversation and its event exactly as the service makes them;
// the measured store then takes them through storage.Tx
// (CreateConversation, AddConversationTag and AppendEvents), seedBatch
// rows a transaction, seedWriters transactions at a time. The roster
// itself is made first, through the measured store's service.
const (
	seedSpacing = 30 * time.Second
	seedBatch   = 5000
)

// seedFilterQueue and the OPEN status are the status + queue filter the
// scale section measures: about a tenth of the rows.
var seedFilterQueue = seedQueueID(1)

var (
	seedChannels = []conversation.Channel{conversation.LiveChat, conversation.Email, conversation.WhatsApp, conversation.SMS, conversation.Voice}
	seedTopics   = []string{"Where is my parcel?", "Refund for order", "Invoice copy", "Change my address",
		"Card declined", "Cancel subscription", "Password reset", "Damaged item"}
)

// seedWriters is how many transactions write at once: several on
// PostgreSQL, where each spends most of its time waiting on round trips;
// two on SQLite, which writes one transaction at a time, so that one
// batch is made while the other is written.
func seedWriters(s *sqlStore) int {
	if s.store.Dialect() == sqlstore.Postgres {
		return 4
	}
	return 2
}

// seedRow is one seeded conversation: what its create is given, and when.
type seedRow struct {
	in conversation.Conversation
	at time.Time
}

func seedStatus(i int) conversation.Status {
	switch i % 10 {
	case 0, 1, 2, 3:
		return conversation.Open
	case 4, 5:
		return conversation.Waiting
	case 6, 7:
		return conversation.Solved
	}
	return conversation.Closed
}

func seedPriority(i int) conversation.Priority {
	switch (i / 7) % 10 {
	case 0:
		return conversation.Low
	case 7, 8:
		return conversation.High
	case 9:
		return conversation.Urgent
	}
	return conversation.Normal
}

func seedQueue(i int) string { return seedQueueID((i / 3) % seedQueues) }

// uuidV7At is a UUIDv7 for time t, as parley would have made then.
func uuidV7At(t time.Time, src rand.Source) string {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[8:], src.Uint64())
	binary.BigEndian.PutUint64(u[0:], uint64(t.UnixMilli())<<16|src.Uint64()&0xffff)
	u[6] = u[6]&0x0f | 0x70 // version 7
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

// seedSet is a seeded data set: row(i) makes its i-th row, the same every
// time, so that no row need be held in memory and batches can be made in
// any order.
type seedSet struct {
	n           int
	base        time.Time // the oldest row's time
	first, last seedRow
	matching    int // rows OPEN in seedFilterQueue
}

func newSeedSet(n int, now time.Time) *seedSet {
	s := &seedSet{n: n, base: now.Add(-time.Hour - time.Duration(n)*seedSpacing).UTC().Truncate(time.Microsecond)}
	s.first, s.last = s.row(0), s.row(n-1)
	for i := range n {
		if seedStatus(i) == conversation.Open && seedQueue(i) == seedFilterQueue {
			s.matching++
		}
	}
	return s
}

// row returns the i-th row, in creation order.
func (s *seedSet) row(i int) seedRow {
	at := s.base.Add(time.Duration(i) * seedSpacing)
	in := conversation.Conversation{
		ID:         uuidV7At(at, rand.NewPCG(uint64(s.n), uint64(i))),
		Topic:      fmt.Sprintf("%s #%d", seedTopics[i%len(seedTopics)], i),
		Status:     seedStatus(i),
		Priority:   seedPriority(i),
		QueueID:    seedQueue(i),
		Channel:    seedChannels[(i/5)%len(seedChannels)],
		CustomerID: fmt.Sprintf("cust-%06d", (i*7919)%100_000),
	}
	if in.Status != conversation.Waiting && (in.Status != conversation.Open || (i/11)%2 == 0) {
		in.AgentID = agentID((i / 13) % seedAgents)
	}
	if i%4 == 0 {
		in.Attributes = map[string]string{"lang": "en"}
	}
	switch i % 3 {
	case 1:
		in.Tags = []string{seedTagName((i / 17) % seedTags)}
	case 2:
		in.Tags = []string{seedTagName((i / 17) % seedTags), tagVIP}
	}
	return seedRow{in: in, at: at}
}

// rowMaker creates seeded rows through a parley.Service over a scratch
// memstore with seedRoster, and hands back what the service made of each:
// the conversation and its conversation.created event.
type rowMaker struct {
	svc    *parley.Service
	now    time.Time       // svc's clock: the time of the row being made
	events []storage.Event // what svc published since make began
}

func newRowMaker(ctx context.Context, now time.Time) (*rowMaker, error) {
	m := &rowMaker{now: now}
	m.svc = parley.New(memstore.New(),
		parley.WithClock(func() time.Time { return m.now }),
		parley.WithSubscriber(func(_ context.Context, e storage.Event) { m.events = append(m.events, e) }))
	if err := seedRoster().create(ctx, m.svc); err != nil {
		return nil, fmt.Errorf("the scratch roster: %w", err)
	}
	return m, nil
}

func (m *rowMaker) make(ctx context.Context, r seedRow) (*conversation.Conversation, *storage.Event, error) {
	m.now, m.events = r.at, m.events[:0]
	c, err := m.svc.CreateConversation(ctx, r.in)
	if err != nil {
		return nil, nil, err
	}
	if len(m.events) != 1 || m.events[0].Type != storage.ConversationCreated {
		return nil, nil, fmt.Errorf("creating %s recorded %d events, not its %s alone", c.ID, len(m.events), storage.ConversationCreated)
	}
	e := m.events[0]
	return c, &e, nil
}

// seed writes set into s and checks through parley that it reads back.
func seed(ctx context.Context, s *sqlStore, set *seedSet) error {
	if err := seedRoster().create(ctx, s.svc); err != nil {
		return err
	}
	seq0, err := lastSeq(ctx, s)
	if err != nil {
		return err
	}
	if err := seedRows(ctx, s.store, set, seedWriters(s)); err != nil {
		return err
	}
	if err := s.settle(ctx); err != nil {
		return fmt.Errorf("statistics: %w", err)
	}
	return checkSeed(ctx, s, set, seq0)
}

// seedRows writes the rows of set in batches, writers at a time. The
// batches commit in any order, so the events' seqs follow the commits,
// not the rows' times, as they would under concurrent writers.
func seedRows(ctx context.Context, store storage.Store, set *seedSet, writers int) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	starts := make(chan int)
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for start := range starts {
				if err := seedBatchFrom(ctx, store, set, start); err != nil {
					cancel(fmt.Errorf("rows from %d: %w", start, err))
					return
				}
			}
		})
	}
feed:
	for start := 0; start < set.n; start += seedBatch {
		select {
		case starts <- start:
		case <-ctx.Done():
			break feed
		}
	}
	close(starts)
	wg.Wait()
	return context.Cause(ctx)
}

// seedBatchFrom makes the batch of rows from start, then writes it in one
// transaction: the rows are made before it begins, so that it holds its
// locks only while it writes.
func seedBatchFrom(ctx context.Context, store storage.Store, set *seedSet, start int) error {
	end := min(set.n, start+seedBatch)
	m, err := newRowMaker(ctx, set.base)
	if err != nil {
		return err
	}
	convs := make([]*conversation.Conversation, 0, end-start)
	events := make([]*storage.Event, 0, end-start)
	for i := start; i < end; i++ {
		c, e, err := m.make(ctx, set.row(i))
		if err != nil {
			return err
		}
		convs, events = append(convs, c), append(events, e)
	}
	return store.InTx(ctx, func(tx storage.Tx) error {
		for _, c := range convs {
			// The tags are linked one by one, a statement each: with
			// Tags, CreateConversation first checks that the id is free
			// and the tags exist (two more round trips on PostgreSQL),
			// which the scratch service has made sure of.
			tags := c.Tags
			c.Tags = nil
			if err := tx.CreateConversation(ctx, c); err != nil {
				return err
			}
			for _, name := range tags {
				if _, err := tx.AddConversationTag(ctx, c.ID, name); err != nil {
					return err
				}
			}
		}
		return tx.AppendEvents(ctx, events...)
	})
}

// lastSeq is the seq of the newest event.
func lastSeq(ctx context.Context, s *sqlStore) (int64, error) {
	var last int64
	q := storage.EventQuery{Limit: storage.MaxLimit}
	for {
		events, err := s.store.ListEvents(ctx, q)
		if err != nil {
			return 0, err
		}
		if len(events) == 0 {
			return last, nil
		}
		last = events[len(events)-1].Seq
		q.After = last
	}
}

// checkSeed reads the seeded set back through parley: the newest and the
// oldest conversation with their tags and their history, a first page,
// and the event log's end, one event per row past seq0.
func checkSeed(ctx context.Context, s *sqlStore, set *seedSet, seq0 int64) error {
	for _, want := range []seedRow{set.first, set.last} {
		got, err := s.svc.GetConversation(ctx, want.in.ID)
		if err != nil {
			return fmt.Errorf("reading a seeded conversation back: %w", err)
		}
		if got.Status != want.in.Status || len(got.Tags) != len(want.in.Tags) || !got.CreatedAt.Equal(want.at) {
			return fmt.Errorf("seeded conversation %s reads back as %+v", want.in.ID, got)
		}
		history, err := s.svc.History(ctx, got.ID, 0, 0)
		if err != nil {
			return err
		}
		if len(history) != 1 || history[0].Type != storage.ConversationCreated {
			return fmt.Errorf("seeded conversation %s has a history of %d events, not its %s alone", got.ID, len(history), storage.ConversationCreated)
		}
	}
	page, err := s.svc.ListConversations(ctx, storage.ConversationQuery{Paging: storage.Paging{SkipTotal: true}})
	if err != nil {
		return err
	}
	if len(page.Items) != storage.DefaultLimit || page.Items[0].ID != set.last.in.ID {
		return fmt.Errorf("the first page of the seeded set does not start with its newest conversation")
	}
	end := seq0 + int64(set.n)
	events, err := s.svc.Events(ctx, storage.EventQuery{After: end - 1})
	if err != nil {
		return err
	}
	if len(events) != 1 || events[0].Seq != end || events[0].Type != storage.ConversationCreated {
		return fmt.Errorf("the event log does not end at seq %d with a seeded conversation's event", end)
	}
	return nil
}
