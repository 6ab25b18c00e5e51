package storagetest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

// writeEverything writes one of each kind of entity through tx.
func writeEverything(f *fixture, tx storage.Tx) error {
	c := newConversation("c1")
	c.Tags = []string{"t1"}
	if err := tx.CreateTag(f.ctx, &tag.Tag{Name: "t1", CreatedAt: t0}); err != nil {
		return err
	}
	if err := tx.CreateConversation(f.ctx, c); err != nil {
		return err
	}
	if err := tx.CreateMessage(f.ctx, newMessage("m1", "c1", 0)); err != nil {
		return err
	}
	if err := tx.CreateAgent(f.ctx, &routing.Agent{ID: "a1", DisplayName: "A", Role: routing.RoleAgent, Status: routing.Active, Capacity: 5, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		return err
	}
	if err := tx.CreateQueue(f.ctx, &routing.Queue{ID: "q1", Name: "Q", Strategy: routing.LeastBusy, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		return err
	}
	if _, err := tx.AddQueueMember(f.ctx, "q1", "a1"); err != nil {
		return err
	}
	if err := tx.ReplaceRules(f.ctx, []routing.Rule{{ID: "r1", Name: "R", QueueID: "q1"}}); err != nil {
		return err
	}
	next := c.Clone()
	next.Topic, next.Version = "changed in tx", 2
	if err := tx.UpdateConversation(f.ctx, next, 1); err != nil {
		return err
	}
	return tx.AppendEvents(f.ctx, sampleEvent("c1", storage.ConversationCreated))
}

// requireNothingWritten checks that the store is as empty as it started.
func requireNothingWritten(t *testing.T, f *fixture) {
	t.Helper()
	_, err := f.store.GetConversation(f.ctx, "c1")
	requireErr(t, err, storage.ErrNotFound)
	_, err = f.store.GetMessage(f.ctx, "m1")
	requireErr(t, err, storage.ErrNotFound)
	_, err = f.store.GetTag(f.ctx, "t1")
	requireErr(t, err, storage.ErrNotFound)
	_, err = f.store.GetAgent(f.ctx, "a1")
	requireErr(t, err, storage.ErrNotFound)
	_, err = f.store.GetQueue(f.ctx, "q1")
	requireErr(t, err, storage.ErrNotFound)
	rules, err := f.store.ListRules(f.ctx)
	require.NoError(t, err)
	require.Empty(t, rules)
	require.Empty(t, f.allEvents())
}

var txCases = []testCase{
	{"Commit", func(t *testing.T, f *fixture) {
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if err := writeEverything(f, tx); err != nil {
				return err
			}
			// Reads inside the transaction see its own writes.
			c, err := tx.GetConversation(f.ctx, "c1")
			require.NoError(t, err)
			require.Equal(t, "changed in tx", c.Topic)
			require.Equal(t, []string{"t1"}, c.Tags)
			page, err := tx.ListMessages(f.ctx, storage.MessageQuery{ConversationID: "c1"})
			require.NoError(t, err)
			require.Len(t, page.Items, 1)
			return nil
		}))
		require.Equal(t, "changed in tx", f.getConversation("c1").Topic)
		_, err := f.store.GetMessage(f.ctx, "m1")
		require.NoError(t, err)
		a, err := f.store.GetAgent(f.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, []string{"q1"}, a.Queues)
		require.Len(t, f.allEvents(), 1)
	}},
	{"ErrorRollsBackEverything", func(t *testing.T, f *fixture) {
		boom := errors.New("boom")
		err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if err := writeEverything(f, tx); err != nil {
				return err
			}
			return boom
		})
		require.ErrorIs(t, err, boom)
		requireNothingWritten(t, f)
	}},
	{"StoreErrorRollsBackEarlierWrites", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("existing"))
		err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if err := writeEverything(f, tx); err != nil {
				return err
			}
			return tx.CreateConversation(f.ctx, newConversation("existing"))
		})
		requireErr(t, err, storage.ErrAlreadyExists)
		requireNothingWritten(t, f)
	}},
	{"PanicRollsBackAndPropagates", func(t *testing.T, f *fixture) {
		require.PanicsWithValue(t, "boom", func() {
			_ = f.store.InTx(f.ctx, func(tx storage.Tx) error {
				if err := writeEverything(f, tx); err != nil {
					return err
				}
				panic("boom")
			})
		})
		requireNothingWritten(t, f)
		// The store still works.
		f.createConversation(newConversation("after"))
	}},
	{"DeleteAndUpdateRollBack", func(t *testing.T, f *fixture) {
		c := newConversation("c1")
		c.Tags = []string{"t1"}
		f.createConversation(c)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, newMessage("m1", "c1", 0)) }))
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			return tx.AppendEvents(f.ctx, sampleEvent("c1", storage.ConversationCreated))
		}))
		boom := errors.New("boom")
		err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
			next := c.Clone()
			next.Status, next.Version = conversation.Closed, 2
			if err := tx.UpdateConversation(f.ctx, next, 1); err != nil {
				return err
			}
			if err := tx.DeleteTag(f.ctx, "t1"); err != nil {
				return err
			}
			if err := tx.DeleteConversation(f.ctx, "c1"); err != nil {
				return err
			}
			return boom
		})
		require.ErrorIs(t, err, boom)
		equalConversation(t, c, f.getConversation("c1"))
		_, err = f.store.GetMessage(f.ctx, "m1")
		require.NoError(t, err)
		require.Len(t, f.allEvents(), 1)
		own, err := f.store.ListEvents(f.ctx, storage.EventQuery{ConversationID: "c1"})
		require.NoError(t, err)
		require.Len(t, own, 1)
	}},
	{"TxIsUnusableAfterwards", func(t *testing.T, f *fixture) {
		var leaked storage.Tx
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			leaked = tx
			return nil
		}))
		require.Error(t, leaked.CreateConversation(f.ctx, newConversation("late")))
		_, err := f.store.GetConversation(f.ctx, "late")
		requireErr(t, err, storage.ErrNotFound)
	}},
}
