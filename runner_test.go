package parley_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// manualClock is a clock the test moves; safe for the runner's goroutine.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Run does on its own what time decides, at the injected clock: the test
// moves the clock past an offer's deadline and waits for the event that
// the offer rang out, with no sleep; cancelling the context stops Run,
// which returns nil.
func TestRunTimesOutOffersOnItsOwn(t *testing.T) {
	t.Parallel()
	clk := &manualClock{now: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	svc := parley.New(memstore.New(), parley.WithClock(clk.Now))
	ctx := t.Context()
	_, err := svc.CreateQueue(ctx, routing.Queue{ID: "q", Name: "Voice", Default: true, AutoAssignment: true})
	require.NoError(t, err)
	for _, id := range []string{"a1", "a2"} {
		_, err := svc.CreateAgent(ctx, routing.Agent{ID: id, DisplayName: id, Status: routing.Active})
		require.NoError(t, err)
		_, err = svc.AddQueueMember(ctx, "q", id)
		require.NoError(t, err)
		require.NoError(t, svc.Heartbeat(ctx, id))
	}
	c, err := svc.ReceiveCall(ctx, parley.InboundCall{CustomerID: "k1", From: "+1", To: "+2"})
	require.NoError(t, err)
	require.Equal(t, "a1", c.AgentID)

	sub, err := svc.Subscribe(64)
	require.NoError(t, err)
	defer sub.Close()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- svc.Run(runCtx, time.Millisecond) }()

	clk.Advance(call.DefaultInboundTimeout * time.Second)
	var timedOut, offered bool
	for !timedOut || !offered {
		select {
		case e := <-sub.C:
			timedOut = timedOut || e.Type == storage.CallOfferTimedOut
			offered = offered || e.Type == storage.CallOffered
		case <-time.After(10 * time.Second):
			t.Fatal("the runner did not time the offer out")
		}
	}
	stop()
	require.NoError(t, <-done)
	c, err = svc.GetCall(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, "a2", c.AgentID, "the offer went on to the next agent")
}

// A new call draws one id, the one it gets: checking the call's fields
// before the transaction wastes none of the host's generator.
func TestNewCallsDrawOneIDEach(t *testing.T) {
	t.Parallel()
	var drawn []string
	n := 0
	newID := func() string {
		n++
		id := fmt.Sprintf("id-%d", n)
		drawn = append(drawn, id)
		return id
	}
	svc := parley.New(memstore.New(), parley.WithIDGenerator(newID))
	ctx := t.Context()
	_, err := svc.CreateAgent(ctx, routing.Agent{ID: "a1", DisplayName: "a1", Status: routing.Active})
	require.NoError(t, err)
	require.Empty(t, drawn, "an agent with its own id draws none")

	in, err := svc.ReceiveCall(ctx, parley.InboundCall{CustomerID: "k1", From: "+1", To: "+2"})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{in.ConversationID, in.ID}, drawn, "the conversation's id and the call's")

	drawn = nil
	out, err := svc.PlaceCall(ctx, parley.OutboundCall{From: "+2", To: "+3", AgentID: "a1"})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{out.ConversationID, out.ID}, drawn)
}

// queueReads counts the store-level GetQueue calls of a service.
type queueReads struct {
	storage.Store
	mu  sync.Mutex
	ids []string
}

func (s *queueReads) GetQueue(ctx context.Context, id string) (*routing.Queue, error) {
	s.mu.Lock()
	s.ids = append(s.ids, id)
	s.mu.Unlock()
	return s.Store.GetQueue(ctx, id)
}

func (s *queueReads) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.ids
	s.ids = nil
	return ids
}

// A pass of the runner visits only the queues in which a conversation
// waits: idle queues cost it nothing.
func TestRunDueVisitsOnlyQueuesWithWork(t *testing.T) {
	t.Parallel()
	store := &queueReads{Store: memstore.New()}
	svc := parley.New(store)
	ctx := t.Context()
	for _, id := range []string{"q1", "q2", "q3"} {
		_, err := svc.CreateQueue(ctx, routing.Queue{ID: id, Name: id, AutoAssignment: true})
		require.NoError(t, err)
	}
	store.take()
	_, err := svc.RunDue(ctx)
	require.NoError(t, err)
	require.Empty(t, store.take(), "nothing waits: no queue is read")

	_, err = svc.CreateConversation(ctx, conversation.Conversation{CustomerID: "k1", Channel: conversation.SMS, QueueID: "q2"})
	require.NoError(t, err)
	store.take()
	_, err = svc.RunDue(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"q2"}, store.take(), "only the queue with a conversation waiting")
}
