package storagetest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
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
	{"UnlockedVersionCheckIsAtomic", func(t *testing.T, f *fixture) {
		// No lock at all: every writer reads the same version, then all
		// write with it at once. The version check must be one atomic
		// compare-and-set, so exactly one write per version wins and the
		// others get ErrConflict, never a second success.
		f.createConversation(newConversation("c1"))
		const rounds = 5
		var successes int
		for round := range rounds {
			var read sync.WaitGroup
			read.Add(goroutines)
			var won, conflicted atomic.Int32
			winner := make(chan string, goroutines)
			require.NoError(t, parallel(goroutines, func(g int) error {
				c, err := f.store.GetConversation(f.ctx, "c1")
				read.Done()
				// Nobody writes before every writer has read.
				read.Wait()
				if err != nil {
					return err
				}
				next := c.Clone()
				next.Version++
				next.Attributes = map[string]string{"writer": idf("g", g)}
				err = f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateConversation(f.ctx, next, c.Version) })
				switch {
				case err == nil:
					won.Add(1)
					winner <- idf("g", g)
				case errors.Is(err, storage.ErrConflict):
					conflicted.Add(1)
				default:
					return err
				}
				return nil
			}))
			close(winner)
			require.Equal(t, int32(1), won.Load(), "round %d: one write per version succeeds", round)
			require.Equal(t, int32(goroutines), won.Load()+conflicted.Load(), "round %d", round)
			successes += int(won.Load())
			got := f.getConversation("c1")
			require.Equal(t, int64(1+successes), got.Version)
			require.Equal(t, map[string]string{"writer": <-winner}, got.Attributes, "round %d: the winning write is the one stored", round)
		}
		require.Equal(t, int64(1+rounds), f.getConversation("c1").Version)
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
	{"ClaimersRaceForOneConversation", func(t *testing.T, f *fixture) {
		// Two routers claim the same unassigned conversation, as the
		// service claims: lock it, check it is still unassigned, lock the
		// agent, count its load, assign. The conversation lock must make
		// the loser wait and then see the winner's assignment; a loser
		// that read it unassigned would get ErrConflict, or worse.
		const rounds = 30
		claimers := []string{"a1", "a2"}
		for _, id := range claimers {
			f.createAgent(id, func(a *routing.Agent) { a.Capacity = rounds })
		}
		wins := map[string]int{}
		for round := range rounds {
			id := idf("c", round)
			f.createConversation(newConversation(id))
			outcome := make([]string, len(claimers))
			var ready sync.WaitGroup
			ready.Add(len(claimers))
			require.NoError(t, parallel(len(claimers), func(g int) error {
				// Both start together.
				ready.Done()
				ready.Wait()
				agent := claimers[g]
				return f.store.InTx(f.ctx, func(tx storage.Tx) error {
					c, err := tx.LockConversation(f.ctx, id)
					if err != nil {
						return err
					}
					if c.AgentID != "" {
						outcome[g] = "saw " + c.AgentID
						return nil
					}
					a, err := tx.LockAgent(f.ctx, agent)
					if err != nil {
						return err
					}
					load, err := tx.AgentLoad(f.ctx, agent)
					if err != nil {
						return err
					}
					if load >= a.Capacity {
						outcome[g] = "full"
						return nil
					}
					next := c.Clone()
					next.AgentID, next.Version = agent, c.Version+1
					if err := tx.UpdateConversation(f.ctx, next, c.Version); err != nil {
						return err
					}
					outcome[g] = "won"
					return nil
				})
			}))
			got := f.getConversation(id)
			require.Contains(t, claimers, got.AgentID, "round %d", round)
			require.Equal(t, int64(2), got.Version, "round %d: assigned once", round)
			winner := got.AgentID
			for g, agent := range claimers {
				if agent == winner {
					require.Equal(t, "won", outcome[g], "round %d", round)
				} else {
					require.Equal(t, "saw "+winner, outcome[g], "round %d: the loser sees the winner's assignment", round)
				}
			}
			wins[winner]++
		}
		for _, agent := range claimers {
			load, err := f.store.AgentLoad(f.ctx, agent)
			require.NoError(t, err)
			require.Equal(t, wins[agent], load)
		}
	}},
	{"EnsureTagRace", func(t *testing.T, f *fixture) {
		var created atomic.Int32
		require.NoError(t, parallel(goroutines, func(int) error {
			ok, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.EnsureTag(f.ctx, &tag.Tag{Name: "same", CreatedAt: t0}) })
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
	{"EnsureCustomerRace", func(t *testing.T, f *fixture) {
		var created atomic.Int32
		require.NoError(t, parallel(goroutines, func(int) error {
			return f.store.InTx(f.ctx, func(tx storage.Tx) error {
				ok, err := tx.EnsureCustomer(f.ctx, newCustomer("same"))
				if ok {
					created.Add(1)
				}
				return err
			})
		}))
		require.Equal(t, int32(1), created.Load())
	}},
	// EnsureCustomerHolds: EnsureCustomer holds the customer as
	// LockCustomer does, so read-modify-writes after it lose nothing.
	{"EnsureCustomerHolds", func(t *testing.T, f *fixture) {
		const each = 10
		require.NoError(t, parallel(goroutines, func(int) error {
			for range each {
				err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
					c := newCustomer("counted")
					c.Name = ""
					if _, err := tx.EnsureCustomer(f.ctx, c); err != nil {
						return err
					}
					got, err := tx.GetCustomer(f.ctx, "counted") // a plain read: the hold must do
					if err != nil {
						return err
					}
					got.Name += "x"
					return tx.UpdateCustomer(f.ctx, got)
				})
				if err != nil {
					return err
				}
			}
			return nil
		}))
		got, err := f.store.GetCustomer(f.ctx, "counted")
		require.NoError(t, err)
		require.Len(t, got.Name, goroutines*each, "no update was lost")
	}},
	// EnsureCustomerAfterDeletions: racing deletions never leave an
	// EnsureCustomer without its customer.
	{"EnsureCustomerAfterDeletions", func(t *testing.T, f *fixture) {
		const each = 10
		require.NoError(t, parallel(goroutines, func(g int) error {
			for range each {
				err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
					if g%2 == 0 {
						if _, err := tx.LockCustomer(f.ctx, "flaky"); errors.Is(err, storage.ErrNotFound) {
							return nil
						} else if err != nil {
							return err
						}
						return tx.DeleteCustomer(f.ctx, "flaky")
					}
					if _, err := tx.EnsureCustomer(f.ctx, newCustomer("flaky")); err != nil {
						return err
					}
					_, err := tx.GetCustomer(f.ctx, "flaky")
					return err
				})
				if err != nil {
					return err
				}
			}
			return nil
		}))
	}},
	{"AddTagRace", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		f.ensureTag("t")
		var added atomic.Int32
		require.NoError(t, parallel(goroutines, func(int) error {
			ok, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddConversationTag(f.ctx, "c1", "t") })
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
				if err := f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateConversation(f.ctx, c) }); err != nil {
					return err
				}
				if _, err := f.store.ListConversations(f.ctx, storage.ConversationQuery{Paging: storage.Paging{Limit: 10}}); err != nil {
					return err
				}
				if err := f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, newMessage(idf(c.ID, 0), c.ID, 0)) }); err != nil {
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
