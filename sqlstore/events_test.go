package sqlstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
)

// A transaction that appended its event first but commits last must still
// get the higher seq: a reader that has seen the other one's seq would
// otherwise never see it. A sequence alone fails this; the seq taken in the
// commit's round trip passes it.
func TestSeqFollowsCommitOrderNotAppendOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dialects(t, func(t *testing.T, s *sqlstore.Store) {
		if s.Dialect() == sqlstore.SQLite {
			// Write transactions run one at a time on SQLite: the slow one
			// would hold the fast one off until it commits.
			t.Skip("SQLite serialises write transactions")
		}
		appended := make(chan struct{})
		fastDone := make(chan struct{})
		slowEvent := event("slow")
		slowErr := make(chan error, 1)
		go func() {
			slowErr <- s.InTx(ctx, func(tx storage.Tx) error {
				if err := tx.CreateConversation(ctx, conv("slow")); err != nil {
					return err
				}
				if err := tx.AppendEvents(ctx, slowEvent); err != nil {
					return err
				}
				close(appended)
				<-fastDone // commit only after the other transaction has
				return nil
			})
		}()
		<-appended
		fastEvent := event("fast")
		require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error { return tx.AppendEvents(ctx, fastEvent) }))
		// A consumer reads up to the fast event...
		seen, err := s.ListEvents(ctx, storage.EventQuery{})
		require.NoError(t, err)
		require.Len(t, seen, 1)
		require.Equal(t, fastEvent.Seq, seen[0].Seq)
		close(fastDone)
		require.NoError(t, <-slowErr)
		// ...and then finds the slow one after it.
		require.Greater(t, slowEvent.Seq, fastEvent.Seq)
		later, err := s.ListEvents(ctx, storage.EventQuery{After: seen[0].Seq})
		require.NoError(t, err)
		require.Len(t, later, 1)
		require.Equal(t, "slow", later[0].ConversationID)
	})
}

func TestEventChangesKeepTheirJSONText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dialects(t, func(t *testing.T, s *sqlstore.Store) {
		e := event("c1")
		e.Changes = []storage.Change{
			{Field: "topic", Before: []byte(`"a\u0000b"`), After: []byte(`{ "spaced" : [1, 2] }`)},
			{Field: "agentId", Before: []byte(`"x"`)},
			{Field: "empty", Before: []byte{}},
		}
		require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error { return tx.AppendEvents(ctx, e) }))
		got, err := s.ListEvents(ctx, storage.EventQuery{})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, e.Changes, got[0].Changes)
	})
}

// Without the counter's row (a damaged schema), no event is ever handed
// out a seq. On SQLite, which numbers events as it writes them, appending
// fails and the transaction writes nothing. On PostgreSQL writers never
// touch the counter: their events commit unnumbered, and the sequencer,
// hence every reader of the log, fails with a message naming the counter,
// until the schema is repaired.
func TestMissingEventCounterFailsTheTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dialects(t, func(t *testing.T, s *sqlstore.Store) {
		q := "DELETE FROM " + sqlstore.TableForTest(s, "event_seq")
		if s.Dialect() == sqlstore.Postgres {
			_, err := poolOf(t, s).Exec(ctx, q)
			require.NoError(t, err)
			e := event("c1")
			require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error { return tx.AppendEvents(ctx, e) }))
			require.Zero(t, e.Seq, "no seq without the counter")
			_, err = s.ListEvents(ctx, storage.EventQuery{})
			require.Error(t, err)
			requireNoSQL(t, err)
			_, err = poolOf(t, s).Exec(ctx, "INSERT INTO "+sqlstore.TableForTest(s, "event_seq")+" (id, last) VALUES (1, 0)")
			require.NoError(t, err)
			events, err := s.ListEvents(ctx, storage.EventQuery{})
			require.NoError(t, err)
			require.Len(t, events, 1)
			require.Equal(t, int64(1), events[0].Seq)
			return
		}
		_, err := s.SQLDB().ExecContext(ctx, q)
		require.NoError(t, err)
		err = s.InTx(ctx, func(tx storage.Tx) error {
			if err := tx.CreateConversation(ctx, conv("c1")); err != nil {
				return err
			}
			return tx.AppendEvents(ctx, event("c1"))
		})
		require.Error(t, err)
		requireNoSQL(t, err)
		_, err = s.GetConversation(ctx, "c1")
		require.ErrorIs(t, err, storage.ErrNotFound)
		require.Error(t, s.InTx(ctx, func(tx storage.Tx) error { return tx.AppendEvents(ctx, event("c2")) }))
		events, err := s.ListEvents(ctx, storage.EventQuery{})
		require.NoError(t, err)
		require.Empty(t, events)
	})
}
