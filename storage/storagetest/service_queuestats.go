package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// stats reads queue id's live statistics through svc.
func stats(t *testing.T, ctx context.Context, svc *parley.Service, id string) parley.QueueStats {
	t.Helper()
	st, err := svc.QueueStatistics(ctx, id)
	require.NoError(t, err)
	require.Equal(t, id, st.QueueID)
	return st
}

// counts is what the cases compare: waiting conversations and calls, the
// oldest wait, and agents available, on a call and in wrap-up.
type counts struct {
	Conversations, Calls        int
	OldestWait                  time.Duration
	Available, OnCall, InWrapUp int
}

func countsOf(st parley.QueueStats) counts {
	return counts{st.WaitingConversations, st.WaitingCalls, st.OldestWait, st.AgentsAvailable, st.AgentsOnCall, st.AgentsInWrapUp}
}

var serviceQueueStatisticsCases = []serviceCase{
	{"CountsFollowChanges", func(t *testing.T, s *serviceSuite) {
		// Queue q assigns automatically, with a1 and a2; queue m does not.
		fx := s.callFixture(t, []string{"a1", "a2"})
		_, err := fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: "m", Name: "Manual"})
		require.NoError(t, err)
		require.NoError(t, ignore(fx.svc.AddQueueMember(fx.ctx, "m", "a1")))
		_, err = fx.svc.SetWrapUpConfig(fx.ctx, call.WrapUpConfig{WrapUpSeconds: 60, Enabled: true})
		require.NoError(t, err)
		require.Equal(t, counts{Available: 2}, countsOf(stats(t, fx.ctx, fx.svc, "q")))
		require.Equal(t, counts{Available: 1}, countsOf(stats(t, fx.ctx, fx.svc, "m")))

		// Two conversations wait in m; the oldest wait grows with the clock.
		fx.conversation(t, conversation.Conversation{ID: "c1", QueueID: "m"})
		fx.clock.Advance(30 * time.Second)
		fx.conversation(t, conversation.Conversation{ID: "c2", QueueID: "m"})
		fx.clock.Advance(60 * time.Second)
		require.Equal(t, counts{Conversations: 2, OldestWait: 90 * time.Second, Available: 1}, countsOf(stats(t, fx.ctx, fx.svc, "m")))

		// Assigned, c1 waits no more: c2 is the oldest.
		_, err = fx.svc.AssignConversation(fx.ctx, "c1", "a1")
		require.NoError(t, err)
		require.Equal(t, counts{Conversations: 1, OldestWait: 60 * time.Second, Available: 1}, countsOf(stats(t, fx.ctx, fx.svc, "m")))
		_, err = fx.svc.UpdateConversation(fx.ctx, "c2", conversation.Patch{Status: ptr(conversation.Closed)})
		require.NoError(t, err)
		require.Equal(t, counts{Available: 1}, countsOf(stats(t, fx.ctx, fx.svc, "m")))

		// A call rings at a2 (a1 has had an assignment): it waits until
		// answered, and a2 is on it.
		c := fx.inboundCall(t, "k1")
		require.Equal(t, call.Ringing, c.State)
		require.Equal(t, "a2", c.AgentID)
		fx.clock.Advance(10 * time.Second)
		require.Equal(t, counts{Calls: 1, OldestWait: 10 * time.Second, Available: 1, OnCall: 1}, countsOf(stats(t, fx.ctx, fx.svc, "q")))
		require.Equal(t, counts{Available: 1}, countsOf(stats(t, fx.ctx, fx.svc, "m")), "a2 is no member of m")
		_, err = fx.svc.AcceptCall(fx.ctx, c.ID, c.AgentID)
		require.NoError(t, err)
		require.Equal(t, counts{Available: 1, OnCall: 1}, countsOf(stats(t, fx.ctx, fx.svc, "q")))

		// Hung up, a2 wraps up for a minute, then is available again.
		_, err = fx.svc.HangUpCall(fx.ctx, c.ID, call.Customer)
		require.NoError(t, err)
		require.Equal(t, counts{Available: 1, InWrapUp: 1}, countsOf(stats(t, fx.ctx, fx.svc, "q")))
		fx.clock.Advance(time.Minute)
		for _, id := range []string{"a1", "a2"} {
			require.NoError(t, fx.svc.Heartbeat(fx.ctx, id), "still signed in")
		}
		require.Equal(t, counts{Available: 2}, countsOf(stats(t, fx.ctx, fx.svc, "q")))

		// Nobody available: a call queues and waits.
		for _, id := range []string{"a1", "a2"} {
			_, err := fx.svc.UpdateAgent(fx.ctx, id, routing.AgentPatch{Status: ptr(routing.Away)})
			require.NoError(t, err)
		}
		q := fx.inboundCall(t, "k2")
		require.Equal(t, call.Queued, q.State)
		fx.clock.Advance(5 * time.Second)
		require.Equal(t, counts{Calls: 1, OldestWait: 5 * time.Second}, countsOf(stats(t, fx.ctx, fx.svc, "q")))

		all, err := fx.svc.AllQueueStatistics(fx.ctx)
		require.NoError(t, err)
		require.Len(t, all, 2)
		require.Equal(t, "m", all[0].QueueID)
		require.Equal(t, "q", all[1].QueueID)
		require.Equal(t, 1, all[1].WaitingCalls)

		_, err = fx.svc.QueueStatistics(fx.ctx, "nope")
		require.ErrorIs(t, err, parley.ErrNotFound)
		_, err = fx.svc.QueueStatistics(fx.ctx, "")
		requireInvalid(t, err, "queueId")
	}},
	{"BuiltFromWhatExists", func(t *testing.T, s *serviceSuite) {
		// What waited before the service first read the board counts, with
		// its wait from when it entered the queue.
		fx := s.setup(t)
		_, err := fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: "m", Name: "Manual"})
		require.NoError(t, err)
		fx.conversation(t, conversation.Conversation{ID: "c1", QueueID: "m"})
		fx.activeAgent(t, "a1", 5, "m")
		require.NoError(t, fx.svc.Heartbeat(fx.ctx, "a1"))
		fx.clock.Advance(time.Minute)
		other := parley.New(fx.store, parley.WithClock(fx.clock.Now))
		require.Equal(t, counts{Conversations: 1, OldestWait: time.Minute, Available: 1}, countsOf(stats(t, fx.ctx, other, "m")))
	}},
	{"FollowsAnotherInstance", func(t *testing.T, s *serviceSuite) {
		// Two services on one store: the board of one follows the changes
		// the other makes, through the event log.
		fx := s.setup(t)
		reader := parley.New(fx.store, parley.WithClock(fx.clock.Now))
		_, err := fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: "m", Name: "Manual"})
		require.NoError(t, err)
		require.Equal(t, counts{}, countsOf(stats(t, fx.ctx, reader, "m")), "built before anything waits")

		fx.conversation(t, conversation.Conversation{ID: "c1", QueueID: "m"})
		fx.activeAgent(t, "a1", 5, "m")
		require.NoError(t, fx.svc.Heartbeat(fx.ctx, "a1"))
		fx.clock.Advance(time.Minute)
		require.Equal(t, counts{Conversations: 1, OldestWait: time.Minute, Available: 1}, countsOf(stats(t, fx.ctx, reader, "m")))

		_, err = fx.svc.AssignConversation(fx.ctx, "c1", "a1")
		require.NoError(t, err)
		_, err = fx.svc.UpdateAgent(fx.ctx, "a1", routing.AgentPatch{Status: ptr(routing.Away)})
		require.NoError(t, err)
		require.Equal(t, counts{}, countsOf(stats(t, fx.ctx, reader, "m")))

		require.NoError(t, ignore(fx.svc.RemoveQueueMember(fx.ctx, "m", "a1")))
		_, err = fx.svc.UpdateAgent(fx.ctx, "a1", routing.AgentPatch{Status: ptr(routing.Active)})
		require.NoError(t, err)
		require.Equal(t, counts{}, countsOf(stats(t, fx.ctx, reader, "m")), "a1 left m")
	}},
}

func init() {
	operations["QueueStatistics"] = operation{parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.QueueStatistics(ctx, "q1"))
	}}
	operations["AllQueueStatistics"] = operation{parley.ScopeRead, func(ctx context.Context, svc *parley.Service) error {
		return ignore(svc.AllQueueStatistics(ctx))
	}}
}
