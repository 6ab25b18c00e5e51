package storagetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/storage"
)

// eventHeadCases check storage.EventHead, on a store that has it: where
// the log ends, 0 when it is empty, moving with each commit and not with a
// rolled-back one.
var eventHeadCases = []testCase{
	{"LastEventSeq", func(t *testing.T, f *fixture) {
		h, ok := f.store.(storage.EventHead)
		if !ok {
			t.Skip("the store has no EventHead")
		}
		seq, err := h.LastEventSeq(f.ctx)
		require.NoError(t, err)
		require.Zero(t, seq, "an empty log")
		e1, e2 := sampleEvent("c1", storage.ConversationCreated), sampleEvent("c2", storage.ConversationUpdated)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.AppendEvents(f.ctx, e1, e2) }))
		seq, err = h.LastEventSeq(f.ctx)
		require.NoError(t, err)
		require.Equal(t, e2.Seq, seq)
		require.Error(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if err := tx.AppendEvents(f.ctx, sampleEvent("c3", storage.ConversationCreated)); err != nil {
				return err
			}
			return context.Canceled // rolls back
		}))
		seq, err = h.LastEventSeq(f.ctx)
		require.NoError(t, err)
		require.Equal(t, e2.Seq, seq, "a rolled-back append moves nothing")
		ctx, cancel := context.WithCancel(f.ctx)
		cancel()
		_, err = h.LastEventSeq(ctx)
		require.ErrorIs(t, err, context.Canceled)
	}},
}
