package storagetest

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

const goroutines = 8

// parallel runs fn on n goroutines and returns the first error.
func parallel(n int, fn func(g int) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for g := range n {
		wg.Go(func() {
			if err := fn(g); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

var concurrencyCases = []testCase{
	{"NoLostUpdateUnderLockConversation", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		const each = 20
		require.NoError(t, parallel(goroutines, func(g int) error {
			for range each {
				err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
					c, err := tx.LockConversation(f.ctx, "c1")
					if err != nil {
						return err
					}
					next := c.Clone()
					next.Version++
					next.Attributes = map[string]string{"last": idf("g", g)}
					return tx.UpdateConversation(f.ctx, next, c.Version)
				})
				if err != nil {
					return err
				}
			}
			return nil
		}))
		require.Equal(t, int64(1+goroutines*each), f.getConversation("c1").Version)
	}},
	{"LockKeySerialises", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		const each = 15
		require.NoError(t, parallel(goroutines, func(g int) error {
			for range each {
				err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
					if err := tx.LockKey(f.ctx, "counter"); err != nil {
						return err
					}
					// A plain read: the key lock alone must keep the
					// version check from failing.
					c, err := tx.GetConversation(f.ctx, "c1")
					if err != nil {
						return err
					}
					next := c.Clone()
					next.Version++
					return tx.UpdateConversation(f.ctx, next, c.Version)
				})
				if err != nil {
					return err
				}
			}
			return nil
		}))
		require.Equal(t, int64(1+goroutines*each), f.getConversation("c1").Version)
	}},
	{"CapacityClaimUnderLockAgent", func(t *testing.T, f *fixture) {
		// The routing claim: lock the conversation, then the agent, count
		// the load and assign only under capacity. Racing claimers must
		// never take the agent over capacity.
		const capacity = 3
		f.createAgent("a1")
		for g := range goroutines * 2 {
			f.createConversation(newConversation(idf("c", g)))
		}
		var won atomic.Int32
		require.NoError(t, parallel(goroutines*2, func(g int) error {
			return f.store.InTx(f.ctx, func(tx storage.Tx) error {
				c, err := tx.LockConversation(f.ctx, idf("c", g))
				if err != nil {
					return err
				}
				if _, err := tx.LockAgent(f.ctx, "a1"); err != nil {
					return err
				}
				load, err := tx.AgentLoad(f.ctx, "a1")
				if err != nil || load >= capacity {
					return err
				}
				next := c.Clone()
				next.AgentID, next.Version = "a1", c.Version+1
				if err := tx.UpdateConversation(f.ctx, next, c.Version); err != nil {
					return err
				}
				won.Add(1)
				return nil
			})
		}))
		load, err := f.store.AgentLoad(f.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, capacity, load)
		require.Equal(t, int32(capacity), won.Load())
	}},
	{"EnsureTagRace", func(t *testing.T, f *fixture) {
		var created atomic.Int32
		require.NoError(t, parallel(goroutines, func(int) error {
			ok, err := f.store.EnsureTag(f.ctx, &tag.Tag{Name: "same", CreatedAt: t0})
			if ok {
				created.Add(1)
			}
			return err
		}))
		require.Equal(t, int32(1), created.Load())
		// And inside transactions, as the service uses it.
		created.Store(0)
		require.NoError(t, parallel(goroutines, func(int) error {
			return f.store.InTx(f.ctx, func(tx storage.Tx) error {
				ok, err := tx.EnsureTag(f.ctx, &tag.Tag{Name: "in-tx", CreatedAt: t0})
				if ok {
					created.Add(1)
				}
				return err
			})
		}))
		require.Equal(t, int32(1), created.Load())
	}},
	{"AddTagRace", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		f.ensureTag("t")
		var added atomic.Int32
		require.NoError(t, parallel(goroutines, func(int) error {
			ok, err := f.store.AddConversationTag(f.ctx, "c1", "t")
			if ok {
				added.Add(1)
			}
			return err
		}))
		require.Equal(t, int32(1), added.Load())
		require.Equal(t, []string{"t"}, f.getConversation("c1").Tags)
	}},
	{"WritersAndReaders", func(t *testing.T, f *fixture) {
		const each = 15
		require.NoError(t, parallel(goroutines, func(g int) error {
			for i := range each {
				c := newConversation(idf(idf("g", g), i))
				c.Status = conversation.Statuses[i%3]
				if err := f.store.CreateConversation(f.ctx, c); err != nil {
					return err
				}
				if _, err := f.store.ListConversations(f.ctx, storage.ConversationQuery{Paging: storage.Paging{Limit: 10}}); err != nil {
					return err
				}
				if err := f.store.CreateMessage(f.ctx, newMessage(idf(c.ID, 0), c.ID, 0)); err != nil {
					return err
				}
			}
			return nil
		}))
		page, err := f.store.ListConversations(f.ctx, storage.ConversationQuery{})
		require.NoError(t, err)
		require.Equal(t, goroutines*each, page.Total)
	}},
}
