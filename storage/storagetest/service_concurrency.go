package storagetest

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

var serviceConcurrencyCases = []serviceCase{
	// ConcurrentChanges has many goroutines update, tag and message the
	// same conversations at once. Afterwards every change is there exactly
	// once: versions count the changes, the log has one event per change and
	// nothing was lost.
	{"ConcurrentChanges", func(t *testing.T, s *serviceSuite) {
		const (
			conversations = 4
			workers       = 8
			rounds        = 5
		)
		fx := s.setup(t)
		for c := range conversations {
			fx.conversation(t, conversation.Conversation{ID: fmt.Sprintf("c%d", c)})
		}
		errs := make(chan error, conversations*workers*rounds*5)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for r := range rounds {
					for c := range conversations {
						id := fmt.Sprintf("c%d", c)
						unique := fmt.Sprintf("w%d-r%d", w, r)
						_, err := fx.svc.UpdateConversation(fx.ctx, id, conversation.Patch{Topic: &unique})
						errs <- err
						_, err = fx.svc.AddTag(fx.ctx, id, unique)
						errs <- err
						_, err = fx.svc.AddTag(fx.ctx, id, "shared")
						errs <- err
						_, err = fx.svc.CreateMessage(fx.ctx, id, message.Message{Direction: message.Inbound, Content: message.Content{Text: unique}})
						errs <- err
						_, err = fx.svc.CreateMessage(fx.ctx, id, message.Message{Content: message.Content{Text: unique}})
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}

		const perConversation = workers * rounds
		for c := range conversations {
			id := fmt.Sprintf("c%d", c)
			got := fx.get(t, id)
			// created, each topic update, each unique tag, and "shared" once.
			require.Equal(t, int64(1+perConversation+perConversation+1), got.Version, id)
			require.Len(t, got.Tags, perConversation+1, id)
			require.Contains(t, got.Tags, "shared")

			counts := map[storage.EventType]int{}
			for _, e := range fx.history(t, id) {
				counts[e.Type]++
			}
			require.Equal(t, map[storage.EventType]int{
				storage.ConversationCreated: 1,
				storage.ConversationUpdated: perConversation,
				storage.ConversationTagged:  perConversation + 1,
				storage.MessageCreated:      2 * perConversation,
			}, counts, id)

			page, err := fx.svc.ListMessages(fx.ctx, storage.MessageQuery{ConversationID: id, Paging: storage.Paging{Limit: storage.MaxLimit}})
			require.NoError(t, err)
			require.Len(t, page.Items, 2*perConversation)
		}

		events := fx.events(t)
		seen := map[int64]bool{}
		tagsCreated := 0
		for i, e := range events {
			require.False(t, seen[e.Seq], "seq %d twice", e.Seq)
			seen[e.Seq] = true
			if i > 0 {
				require.Greater(t, e.Seq, events[i-1].Seq)
			}
			if e.Type == storage.TagCreated {
				tagsCreated++
			}
		}
		require.Equal(t, perConversation+1, tagsCreated, "each tag enters the catalog once")
	}},
	// ConcurrentOptimisticUpdates has goroutines increment a counter held in
	// an attribute with read, modify and a write guarded by IfVersion, retrying
	// on ErrConflict. No increment may be lost.
	{"ConcurrentOptimisticUpdates", func(t *testing.T, s *serviceSuite) {
		const (
			workers    = 8
			increments = 10
		)
		fx := s.setup(t)
		fx.conversation(t, conversation.Conversation{ID: "c1", Attributes: map[string]string{"n": "0"}})
		errs := make(chan error, workers)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for done := 0; done < increments; {
					c, err := fx.svc.GetConversation(fx.ctx, "c1")
					if err != nil {
						errs <- err
						return
					}
					n, err := strconv.Atoi(c.Attributes["n"])
					if err != nil {
						errs <- err
						return
					}
					_, err = fx.svc.UpdateConversation(fx.ctx, "c1", conversation.Patch{
						Attributes: map[string]string{"n": strconv.Itoa(n + 1)},
						IfVersion:  c.Version,
					})
					switch {
					case errors.Is(err, parley.ErrConflict):
						// Someone else won this round: read again.
					case err != nil:
						errs <- err
						return
					default:
						done++
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		got := fx.get(t, "c1")
		require.Equal(t, strconv.Itoa(workers*increments), got.Attributes["n"], "no lost update")
		require.Equal(t, int64(1+workers*increments), got.Version)
		require.Len(t, fx.history(t, "c1"), 1+workers*increments, "one event per successful change, none for a conflict")
	}},
	// ConcurrentCreateSameID: of many creates of one id, exactly one wins.
	{"ConcurrentCreateSameID", func(t *testing.T, s *serviceSuite) {
		const workers = 16
		fx := s.setup(t)
		errs := make(chan error, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				_, err := fx.svc.CreateConversation(fx.ctx, conversation.Conversation{ID: "race", Topic: strconv.Itoa(w), Tags: []string{"t" + strconv.Itoa(w)}})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		won := 0
		for err := range errs {
			if err == nil {
				won++
				continue
			}
			require.ErrorIs(t, err, parley.ErrAlreadyExists)
		}
		require.Equal(t, 1, won)
		c := fx.get(t, "race")
		require.Len(t, c.Tags, 1)
		require.Equal(t, "t"+c.Topic, c.Tags[0], "the winner's tag, and only it")
		tags, err := fx.svc.ListTags(fx.ctx, storage.TagQuery{})
		require.NoError(t, err)
		require.Len(t, tags.Items, 1, "the losers' tags were rolled back")
		require.Len(t, fx.events(t), 2, "the winner's tag.created and conversation.created")
	}},
	// ConcurrentQueueUpdates patches one queue's fields from many
	// goroutines at once, and makes several queues the default at once: no
	// patch is lost, and exactly one queue ends as the default with no error on
	// the way.
	{"ConcurrentQueueUpdates", func(t *testing.T, s *serviceSuite) {
		const workers = 6
		fx := s.setup(t)
		fx.queue(t, "q", "Queue")
		for w := range workers {
			fx.queue(t, fmt.Sprintf("d%d", w), fmt.Sprintf("Default %d", w))
		}
		errs := make(chan error, 2*workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				// Each worker sets a field of its own on q.
				var p routing.QueuePatch
				switch w % 3 {
				case 0:
					p.Name = ptr("Renamed")
				case 1:
					p.MaxWaitSeconds = ptr(60)
				default:
					p.StickyAgent = ptr(true)
				}
				_, err := fx.svc.UpdateQueue(fx.ctx, "q", p)
				errs <- err
				_, err = fx.svc.UpdateQueue(fx.ctx, fmt.Sprintf("d%d", w), routing.QueuePatch{Default: ptr(true)})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		q, err := fx.svc.GetQueue(fx.ctx, "q")
		require.NoError(t, err)
		require.Equal(t, "Renamed", q.Name)
		require.Equal(t, 60, q.MaxWaitSeconds)
		require.True(t, q.StickyAgent)
		defaults := 0
		for w := range workers {
			d, err := fx.svc.GetQueue(fx.ctx, fmt.Sprintf("d%d", w))
			require.NoError(t, err)
			if d.Default {
				defaults++
			}
		}
		require.Equal(t, 1, defaults)
	}},
}
