package storagetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/storage"
)

// The outbox under concurrency: consumers reading the event log after
// their own positions while writers change and delete conversations.

// outboxReader reads the log after its own position, a small page at a
// time, and checks that the seqs it reads only ever increase.
type outboxReader struct {
	after int64
	seen  map[int64]storage.EventType
}

// poll reads pages until one comes back short; it reports the first
// error, or a seq at or below one it had already read.
func (r *outboxReader) poll(fx *serviceFixture, limit int) error {
	for {
		page, err := fx.svc.Events(fx.ctx, storage.EventQuery{After: r.after, Limit: limit})
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

var serviceOutboxCases = []serviceCase{
	{"ConsumersMissNothingWhileWritersDelete", func(t *testing.T, s *serviceSuite) {
		// Writers create, update, tag and delete conversations while
		// consumers poll with pages of 3 from positions of their own. At
		// the end each consumer has read every event the log holds, and
		// never read a seq below one it had read before. Events it read
		// that the log no longer holds belong to deleted conversations.
		fx := s.setup(t)
		const writers, rounds, consumers, pageSize = 4, 12, 3, 3
		var wg sync.WaitGroup
		errs := make(chan error, writers+consumers)
		deleted := sync.Map{}
		for w := range writers {
			wg.Go(func() {
				for i := range rounds {
					id := fmt.Sprintf("w%d-%02d", w, i)
					if _, err := fx.svc.CreateConversation(fx.ctx, conversation.Conversation{ID: id, Topic: "Parcel"}); err != nil {
						errs <- err
						return
					}
					topic := "Parcel, late"
					if _, err := fx.svc.UpdateConversation(fx.ctx, id, conversation.Patch{Topic: &topic}); err != nil {
						errs <- err
						return
					}
					if _, err := fx.svc.AddTag(fx.ctx, id, "late"); err != nil {
						errs <- err
						return
					}
					if i%2 == 0 {
						deleted.Store(id, true)
						if err := fx.svc.DeleteConversation(fx.ctx, id, "duplicate"); err != nil {
							errs <- err
							return
						}
					}
				}
			})
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()

		readers := make([]*outboxReader, consumers)
		var cwg sync.WaitGroup
		for c := range readers {
			r := &outboxReader{seen: map[int64]storage.EventType{}}
			readers[c] = r
			cwg.Go(func() {
				for {
					select {
					case <-done:
						// Once every writer has returned, one more
						// reading reaches the end of the log.
						if err := r.poll(fx, pageSize); err != nil {
							errs <- err
						}
						return
					default:
					}
					if err := r.poll(fx, pageSize); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		cwg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}

		log := fx.events(t)
		require.NotEmpty(t, log)
		for c, r := range readers {
			for _, e := range log {
				typ, ok := r.seen[e.Seq]
				require.True(t, ok, "consumer %d missed seq %d (%s of %s)", c, e.Seq, e.Type, e.ConversationID)
				require.Equal(t, e.Type, typ, "consumer %d, seq %d", c, e.Seq)
			}
			inLog := map[int64]bool{}
			for _, e := range log {
				inLog[e.Seq] = true
			}
			for seq, typ := range r.seen {
				if !inLog[seq] {
					require.NotEqual(t, storage.ConversationDeleted, typ, "a deletion record vanished (seq %d)", seq)
				}
			}
		}
		// Each deleted conversation left its record.
		records := 0
		for _, e := range log {
			if e.Type == storage.ConversationDeleted {
				_, ok := deleted.Load(e.ConversationID)
				require.True(t, ok, e.ConversationID)
				records++
			}
		}
		require.Equal(t, writers*rounds/2, records)
	}},
}
