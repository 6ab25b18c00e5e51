package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/storage"
)

// The outbox under concurrency: consumers reading the event log after
// their own positions while writers change and delete conversations.

// OutboxReader is a consumer of the event log for the outbox race: it
// reads after its own position, a small page at a time, and checks that
// the seqs it reads only ever increase. The zero value starts at the
// beginning of the log.
type OutboxReader struct {
	after int64
	seen  map[int64]storage.EventType
}

// Poll reads pages until one comes back short; it reports the first error,
// or a seq at or below one it had already read.
func (r *OutboxReader) Poll(ctx context.Context, svc *parley.Service, limit int) error {
	if r.seen == nil {
		r.seen = map[int64]storage.EventType{}
	}
	for {
		page, err := svc.Events(ctx, storage.EventQuery{After: r.after, Limit: limit})
		if err != nil {
			return err
		}
		for _, e := range page {
			if e.Seq <= r.after {
				return fmt.Errorf("seq %d after having read %d", e.Seq, r.after)
			}
			r.after = e.Seq
			r.seen[e.Seq] = e.Type
		}
		if len(page) < limit {
			return nil
		}
	}
}

// OutboxRaceRounds is how many conversations each writer of the outbox
// race makes; every other one it deletes.
const OutboxRaceRounds = 12

// OutboxRaceWrite is one writer of the outbox race: OutboxRaceRounds
// conversations with ids prefix-NN, each created, updated and tagged, and
// every other one deleted.
func OutboxRaceWrite(ctx context.Context, svc *parley.Service, prefix string) error {
	for i := range OutboxRaceRounds {
		id := fmt.Sprintf("%s-%02d", prefix, i)
		if _, err := svc.CreateConversation(ctx, conversation.Conversation{ID: id, Topic: "Parcel"}); err != nil {
			return err
		}
		topic := "Parcel, late"
		if _, err := svc.UpdateConversation(ctx, id, conversation.Patch{Topic: &topic}); err != nil {
			return err
		}
		if _, err := svc.AddTag(ctx, id, "late"); err != nil {
			return err
		}
		if i%2 == 0 {
			if err := svc.DeleteConversation(ctx, id, "duplicate"); err != nil {
				return err
			}
		}
	}
	return nil
}

// OutboxRaceRead polls the log with readers, pages of three, until done is
// closed, then once more to the end of the log, and returns the first
// error.
func OutboxRaceRead(ctx context.Context, svc *parley.Service, readers []*OutboxReader, done <-chan struct{}) error {
	const pageSize = 3
	errs := make(chan error, len(readers))
	var wg sync.WaitGroup
	for _, r := range readers {
		wg.Go(func() {
			for {
				select {
				case <-done:
					// Every writer has returned: one more reading reaches
					// the end of the log.
					if err := r.Poll(ctx, svc, pageSize); err != nil {
						errs <- err
					}
					return
				default:
				}
				if err := r.Poll(ctx, svc, pageSize); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// OutboxRaceCheck checks what the readers read against the log once the
// writers are done: each read every event the log holds, with its type;
// what they read that the log no longer holds belongs to deleted
// conversations; and the log holds the deletion record of each of the
// writers' deleted conversations.
func OutboxRaceCheck(t *testing.T, svc *parley.Service, readers []*OutboxReader, writers int) {
	t.Helper()
	log := allServiceEvents(t, t.Context(), svc)
	require.NotEmpty(t, log)
	inLog := map[int64]bool{}
	for _, e := range log {
		inLog[e.Seq] = true
	}
	for c, r := range readers {
		for _, e := range log {
			typ, ok := r.seen[e.Seq]
			require.True(t, ok, "reader %d missed seq %d (%s of %s)", c, e.Seq, e.Type, e.ConversationID)
			require.Equal(t, e.Type, typ, "reader %d, seq %d", c, e.Seq)
		}
		for seq, typ := range r.seen {
			if !inLog[seq] {
				require.NotEqual(t, storage.ConversationDeleted, typ, "a deletion record vanished (seq %d)", seq)
			}
		}
	}
	records := 0
	for _, e := range log {
		if e.Type == storage.ConversationDeleted {
			records++
		}
	}
	require.Equal(t, writers*OutboxRaceRounds/2, records, "a deletion record for each deleted conversation")
}

var serviceOutboxCases = []serviceCase{
	{"ConsumersMissNothingWhileWritersDelete", func(t *testing.T, s *serviceSuite) {
		// Writers create, update, tag and delete conversations while
		// readers poll with pages of 3 from positions of their own. At the
		// end each reader has read every event the log holds, and never
		// read a seq below one it had read before.
		fx := s.setup(t)
		const writers, consumers = 4, 3
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Go(func() {
				if err := OutboxRaceWrite(fx.ctx, fx.svc, fmt.Sprintf("w%d", w)); err != nil {
					errs <- err
				}
			})
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		readers := make([]*OutboxReader, consumers)
		for c := range readers {
			readers[c] = &OutboxReader{}
		}
		require.NoError(t, OutboxRaceRead(fx.ctx, fx.svc, readers, done))
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		OutboxRaceCheck(t, fx.svc, readers, writers)
	}},
	{"ConsumeHandsOverInOrderAndWakesOnNewEvents", func(t *testing.T, s *serviceSuite) {
		// Consume reads what is there, a batch at a time, then waits: a
		// poll interval of an hour leaves the store's notifications as the
		// only way it learns of the later events.
		fx := s.setup(t)
		for i := range 5 {
			fx.conversation(t, conversation.Conversation{ID: fmt.Sprintf("c%d", i)})
		}
		ctx, cancel := context.WithCancel(fx.ctx)
		defer cancel()
		batches := make(chan []*storage.Event)
		done := make(chan error, 1)
		go func() {
			done <- fx.svc.Consume(ctx, parley.ConsumeOptions{BatchSize: 2, PollInterval: time.Hour},
				func(ctx context.Context, events []*storage.Event) error {
					select {
					case batches <- events:
						return nil
					case <-ctx.Done():
						return ctx.Err()
					}
				})
		}()
		var got []*storage.Event
		for len(got) < 5 {
			b := <-batches
			require.LessOrEqual(t, len(b), 2)
			got = append(got, b...)
		}
		for i, e := range got {
			require.Equal(t, storage.ConversationCreated, e.Type)
			require.Equal(t, fmt.Sprintf("c%d", i), e.ConversationID)
			if i > 0 {
				require.Greater(t, e.Seq, got[i-1].Seq)
			}
		}
		// Caught up, it waits; a new change wakes it.
		fx.conversation(t, conversation.Conversation{ID: "later"})
		b := <-batches
		require.Len(t, b, 1)
		require.Equal(t, "later", b[0].ConversationID)
		require.Greater(t, b[0].Seq, got[4].Seq)
		cancel()
		require.NoError(t, <-done, "a cancelled context is a normal stop")
	}},
	{"ConsumeIsAtLeastOnceFromTheCallersPosition", func(t *testing.T, s *serviceSuite) {
		// A handler that fails stops Consume with its error; started again
		// from the position the caller stored, the failed batch comes
		// again, and nothing before it.
		fx := s.setup(t)
		for i := range 4 {
			fx.conversation(t, conversation.Conversation{ID: fmt.Sprintf("c%d", i)})
		}
		boom := errors.New("boom")
		var stored int64
		var handled []string
		err := fx.svc.Consume(fx.ctx, parley.ConsumeOptions{BatchSize: 2, PollInterval: time.Hour},
			func(_ context.Context, events []*storage.Event) error {
				for _, e := range events {
					handled = append(handled, e.ConversationID)
				}
				if len(handled) > 2 {
					return boom // the second batch fails: its position is not stored
				}
				stored = events[len(events)-1].Seq
				return nil
			})
		require.ErrorIs(t, err, boom)
		require.Equal(t, []string{"c0", "c1", "c2", "c3"}, handled)

		ctx, cancel := context.WithCancel(fx.ctx)
		var again []string
		err = fx.svc.Consume(ctx, parley.ConsumeOptions{After: stored, PollInterval: time.Hour},
			func(_ context.Context, events []*storage.Event) error {
				for _, e := range events {
					again = append(again, e.ConversationID)
				}
				cancel() // caught up: stop
				return nil
			})
		require.NoError(t, err)
		require.Equal(t, []string{"c2", "c3"}, again)
	}},
	{"ConsumeRefusesBadOptions", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		handle := func(context.Context, []*storage.Event) error { return nil }
		for field, opts := range map[string]parley.ConsumeOptions{
			"after":        {After: -1},
			"batchSize":    {BatchSize: storage.MaxLimit + 1},
			"pollInterval": {PollInterval: -time.Second},
		} {
			requireInvalid(t, fx.svc.Consume(fx.ctx, opts, handle), field)
		}
		requireInvalid(t, fx.svc.Consume(fx.ctx, parley.ConsumeOptions{}, nil), "handle")
	}},
	{"SlowSubscriberNeverBlocksAWrite", func(t *testing.T, s *serviceSuite) {
		// A subscriber with room for one event that never reads: every
		// write still completes; the events that did not fit are counted,
		// and the one that did is there to read.
		fx := s.setup(t)
		slow, err := fx.svc.Subscribe(1)
		require.NoError(t, err)
		fast, err := fx.svc.Subscribe(10)
		require.NoError(t, err)
		for i := range 5 {
			fx.conversation(t, conversation.Conversation{ID: fmt.Sprintf("c%d", i)})
		}
		require.Equal(t, int64(4), slow.Dropped())
		require.Zero(t, fast.Dropped())
		first := <-slow.C
		require.Equal(t, "c0", first.ConversationID)
		require.Positive(t, first.Seq)
		for i := range 5 {
			e := <-fast.C
			require.Equal(t, fmt.Sprintf("c%d", i), e.ConversationID)
		}
		// Catching up from the log after the last event received.
		rest, err := fx.svc.Events(fx.ctx, storage.EventQuery{After: first.Seq})
		require.NoError(t, err)
		require.Len(t, rest, 4)

		slow.Close()
		slow.Close()
		_, open := <-slow.C
		require.False(t, open)
		fx.conversation(t, conversation.Conversation{ID: "after-close"})
		require.Equal(t, int64(4), slow.Dropped(), "a closed subscription hears nothing more")
		require.Equal(t, "after-close", (<-fast.C).ConversationID)
		fast.Close()

		_, err = fx.svc.Subscribe(0)
		requireInvalid(t, err, "buffer")
	}},
}
