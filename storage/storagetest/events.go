package storagetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/storage"
)

func sampleEvent(conv string, typ storage.EventType) *storage.Event {
	return &storage.Event{
		Type: typ, ConversationID: conv, EntityID: conv, Actor: "agent-1", At: at(time.Second),
		Changes: []storage.Change{
			{Field: "topic", Before: rawJSON("old"), After: rawJSON("new ✓")},
			{Field: "attributes", After: rawJSON(map[string]string{"a": "b"})},
			{Field: "agentId", Before: rawJSON("a1")},
		},
	}
}

func equalEvent(t *testing.T, want, got *storage.Event) {
	t.Helper()
	requireUTC(t, got.At)
	require.True(t, want.At.Equal(got.At))
	require.Equal(t, want.Seq, got.Seq)
	require.Equal(t, want.Type, got.Type)
	require.Equal(t, want.ConversationID, got.ConversationID)
	require.Equal(t, want.EntityID, got.EntityID)
	require.Equal(t, want.Actor, got.Actor)
	require.Len(t, got.Changes, len(want.Changes))
	for i, c := range want.Changes {
		g := got.Changes[i]
		require.Equal(t, c.Field, g.Field)
		requireJSON(t, c.Before, g.Before)
		requireJSON(t, c.After, g.After)
	}
}

func requireJSON(t *testing.T, want, got []byte) {
	t.Helper()
	if want == nil {
		require.Nil(t, got)
		return
	}
	require.JSONEq(t, string(want), string(got))
}

var eventCases = []testCase{
	{"AppendSetsIncreasingSeq", func(t *testing.T, f *fixture) {
		e1, e2 := sampleEvent("c1", storage.ConversationCreated), sampleEvent("c2", storage.ConversationUpdated)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.AppendEvents(f.ctx, e1, e2) }))
		require.Positive(t, e1.Seq)
		require.Greater(t, e2.Seq, e1.Seq)
		e3 := &storage.Event{Type: storage.AgentCreated, EntityID: "a1", At: t0}
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.AppendEvents(f.ctx, e3) }))
		require.Greater(t, e3.Seq, e2.Seq)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.AppendEvents(f.ctx) }))

		all := f.allEvents()
		require.Len(t, all, 3)
		equalEvent(t, e1, all[0])
		equalEvent(t, e2, all[1])
		equalEvent(t, e3, all[2])
		require.Empty(t, all[2].Changes)
	}},
	{"ListAfterLimitAndConversation", func(t *testing.T, f *fixture) {
		var evs []*storage.Event
		for i := range 12 {
			conv := "c1"
			if i%3 == 0 {
				conv = "c2"
			}
			e := sampleEvent(conv, storage.ConversationUpdated)
			require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.AppendEvents(f.ctx, e) }))
			evs = append(evs, e)
		}
		got, err := f.store.ListEvents(f.ctx, storage.EventQuery{After: evs[4].Seq, Limit: 3})
		require.NoError(t, err)
		require.Equal(t, []int64{evs[5].Seq, evs[6].Seq, evs[7].Seq}, seqs(got))

		got, err = f.store.ListEvents(f.ctx, storage.EventQuery{ConversationID: "c2"})
		require.NoError(t, err)
		require.Equal(t, []int64{evs[0].Seq, evs[3].Seq, evs[6].Seq, evs[9].Seq}, seqs(got))
		got, err = f.store.ListEvents(f.ctx, storage.EventQuery{ConversationID: "c2", After: evs[3].Seq, Limit: 1})
		require.NoError(t, err)
		require.Equal(t, []int64{evs[6].Seq}, seqs(got))

		got, err = f.store.ListEvents(f.ctx, storage.EventQuery{After: evs[11].Seq})
		require.NoError(t, err)
		require.Empty(t, got)

		_, err = f.store.ListEvents(f.ctx, storage.EventQuery{Limit: storage.MaxLimit + 1})
		requireField(t, err, "limit")
		_, err = f.store.ListEvents(f.ctx, storage.EventQuery{After: -1})
		requireField(t, err, "after")
	}},
	{"SeqNeverReusedAfterDelete", func(t *testing.T, f *fixture) {
		// Deleting a conversation deletes its events, the newest included;
		// the next event still gets a seq above every one handed out, or a
		// reader that saw them would miss it.
		deleted := func(conv string) *storage.Event {
			return &storage.Event{Type: storage.ConversationDeleted, ConversationID: conv, EntityID: conv, At: t0}
		}
		f.createConversation(newConversation("c1"))
		e1, e2 := sampleEvent("c1", storage.ConversationCreated), sampleEvent("c1", storage.ConversationUpdated)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.AppendEvents(f.ctx, e1, e2) }))
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteConversation(f.ctx, "c1") }))
		e3 := deleted("c1")
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.AppendEvents(f.ctx, e3) }))
		require.Greater(t, e3.Seq, e2.Seq)

		// The same within one transaction, as the service deletes.
		f.createConversation(newConversation("c2"))
		e4 := sampleEvent("c2", storage.ConversationCreated)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.AppendEvents(f.ctx, e4) }))
		e5 := deleted("c2")
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if err := tx.DeleteConversation(f.ctx, "c2"); err != nil {
				return err
			}
			return tx.AppendEvents(f.ctx, e5)
		}))
		require.Greater(t, e5.Seq, e4.Seq)
		all := f.allEvents()
		require.Equal(t, []int64{e3.Seq, e5.Seq}, seqs(all))
	}},
	{"DeletionEventsSurviveIdReuse", func(t *testing.T, f *fixture) {
		// A deletion removes the conversation's events but its
		// conversation.deleted records: they are the only trace of a
		// deleted conversation, and an id may be used again, so a later
		// deletion of the same id must not take an earlier record along.
		deleted := func(reason string) *storage.Event {
			return &storage.Event{
				Type: storage.ConversationDeleted, ConversationID: "c1", EntityID: "c1", At: at(time.Minute),
				Changes: []storage.Change{{Field: "reason", After: rawJSON(reason)}},
			}
		}
		// Deleting as the service does: the record in the same transaction.
		remove := func(e *storage.Event) {
			t.Helper()
			require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
				if _, err := tx.LockConversation(f.ctx, "c1"); err != nil {
					return err
				}
				if err := tx.DeleteConversation(f.ctx, "c1"); err != nil {
					return err
				}
				return tx.AppendEvents(f.ctx, e)
			}))
		}
		byConversation := func(id string) []*storage.Event {
			t.Helper()
			evs, err := f.store.ListEvents(f.ctx, storage.EventQuery{ConversationID: id})
			require.NoError(t, err)
			return evs
		}
		f.createConversation(newConversation("c2"))
		other := sampleEvent("c2", storage.ConversationCreated)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.AppendEvents(f.ctx, other) }))

		// First life.
		f.createConversation(newConversation("c1"))
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			return tx.AppendEvents(f.ctx,
				sampleEvent("c1", storage.ConversationCreated), sampleEvent("c1", storage.ConversationUpdated))
		}))
		first := deleted("first life")
		remove(first)
		require.Equal(t, []int64{first.Seq}, seqs(byConversation("c1")))

		// Second life, under the same id: its history begins with the
		// record of the first.
		f.createConversation(newConversation("c1"))
		created, tagged := sampleEvent("c1", storage.ConversationCreated), sampleEvent("c1", storage.ConversationTagged)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.AppendEvents(f.ctx, created, tagged) }))
		require.Equal(t, []int64{first.Seq, created.Seq, tagged.Seq}, seqs(byConversation("c1")))
		second := deleted("second life")
		remove(second)
		require.Greater(t, second.Seq, first.Seq)

		// Both records remain, in seq order, and nothing else of either
		// life; the other conversation is untouched.
		all := f.allEvents()
		require.Equal(t, []int64{other.Seq, first.Seq, second.Seq}, seqs(all))
		equalEvent(t, other, all[0])
		equalEvent(t, first, all[1])
		equalEvent(t, second, all[2])
		own := byConversation("c1")
		require.Len(t, own, 2)
		equalEvent(t, first, own[0])
		equalEvent(t, second, own[1])
	}},
	{"RolledBackTransactionLeavesNoEvent", func(t *testing.T, f *fixture) {
		kept := sampleEvent("c1", storage.ConversationCreated)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.AppendEvents(f.ctx, kept) }))
		boom := errors.New("boom")
		err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if err := tx.AppendEvents(f.ctx, sampleEvent("c1", storage.ConversationUpdated)); err != nil {
				return err
			}
			return boom
		})
		require.ErrorIs(t, err, boom)
		later := sampleEvent("c1", storage.ConversationClosed)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.AppendEvents(f.ctx, later) }))
		all := f.allEvents()
		require.Len(t, all, 2)
		require.Equal(t, storage.ConversationCreated, all[0].Type)
		require.Equal(t, storage.ConversationClosed, all[1].Type)
		require.Greater(t, all[1].Seq, all[0].Seq)
	}},
	{"CommitOrder", func(t *testing.T, f *fixture) {
		// A consumer that polls after the last seq it saw, while writers
		// commit concurrently, must end up with every event exactly once:
		// seqs increase in commit order.
		const writers, perWriter = 6, 25
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Go(func() {
				for i := range perWriter {
					err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
						e := sampleEvent(idf("w", w), storage.ConversationUpdated)
						e.EntityID = idf(idf("w", w), i)
						return tx.AppendEvents(f.ctx, e, sampleEvent(idf("w", w), storage.ConversationTagged))
					})
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()

		seen := map[int64]bool{}
		var last int64
		consume := func() {
			for {
				page, err := f.store.ListEvents(f.ctx, storage.EventQuery{After: last, Limit: storage.MaxLimit})
				require.NoError(t, err)
				for _, e := range page {
					require.Greater(t, e.Seq, last)
					require.False(t, seen[e.Seq])
					seen[e.Seq] = true
					last = e.Seq
				}
				if len(page) < storage.MaxLimit {
					return
				}
			}
		}
	poll:
		for {
			select {
			case <-done:
				break poll
			default:
				consume()
			}
		}
		consume()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.Len(t, seen, writers*perWriter*2, "the consumer missed events that committed")
	}},
	{"ContextOfAppend", func(t *testing.T, f *fixture) {
		ctx, cancel := context.WithCancel(f.ctx)
		cancel()
		err := f.store.InTx(ctx, func(tx storage.Tx) error { return tx.AppendEvents(ctx, sampleEvent("c1", storage.ConversationCreated)) })
		require.ErrorIs(t, err, context.Canceled)
		require.Empty(t, f.allEvents())
	}},
}

func seqs(evs []*storage.Event) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.Seq
	}
	return out
}
