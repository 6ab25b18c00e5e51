package storagetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// activeAgent creates an ACTIVE agent with a capacity, member of queues.
func (fx *serviceFixture) activeAgent(t *testing.T, id string, capacity int, queues ...string) *routing.Agent {
	t.Helper()
	a, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{ID: id, DisplayName: id, Status: routing.Active, Capacity: capacity})
	require.NoError(t, err)
	for _, q := range queues {
		require.NoError(t, ignore(fx.svc.AddQueueMember(fx.ctx, q, id)))
	}
	return a
}

func (fx *serviceFixture) autoQueue(t *testing.T, id string, mods ...func(*routing.Queue)) *routing.Queue {
	t.Helper()
	in := routing.Queue{ID: id, Name: "Queue " + id, AutoAssignment: true}
	for _, m := range mods {
		m(&in)
	}
	q, err := fx.svc.CreateQueue(fx.ctx, in)
	require.NoError(t, err)
	return q
}

func (fx *serviceFixture) rules(t *testing.T, rules ...routing.Rule) {
	t.Helper()
	_, err := fx.svc.SetRoutingRules(fx.ctx, rules)
	require.NoError(t, err)
}

// closingStore closes a conversation inside the transaction, just before
// the service locks it, once: what a close that commits between inbound
// threading's list and its lock looks like to the service.
type closingStore struct {
	storage.Store
	target string
	done   atomic.Bool
}

func (s *closingStore) InTx(ctx context.Context, fn func(tx storage.Tx) error) error {
	return s.Store.InTx(ctx, func(tx storage.Tx) error { return fn(&closingTx{Tx: tx, s: s}) })
}

type closingTx struct {
	storage.Tx
	s *closingStore
}

func (t *closingTx) LockConversation(ctx context.Context, id string) (*conversation.Conversation, error) {
	c, err := t.Tx.LockConversation(ctx, id)
	if err != nil || id != t.s.target || !t.s.done.CompareAndSwap(false, true) {
		return c, err
	}
	prev := c.Version
	c.Status, c.ClosedAt, c.Version = conversation.Closed, c.UpdatedAt, c.Version+1
	if err := t.Tx.UpdateConversation(ctx, c, prev); err != nil {
		return nil, err
	}
	return t.Tx.LockConversation(ctx, id)
}

var serviceRoutingCases = []serviceCase{
	{"RouteEvaluatesRules", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.queue(t, "vip", "VIP")
		fx.queue(t, "email", "Email")
		fx.queue(t, "general", "General")
		fx.rules(t,
			routing.Rule{ID: "off", Name: "disabled", QueueID: "general", Disabled: true},
			routing.Rule{ID: "vip", Name: "vip", QueueID: "vip", Priority: conversation.Urgent,
				Condition: routing.Condition{TagsAny: []string{"vip"}}},
			routing.Rule{ID: "email", Name: "email", QueueID: "email",
				Condition: routing.Condition{Channels: []conversation.Channel{conversation.Email}}},
		)
		fx.agent(t, "ann", routing.RoleAgent)

		vip := fx.conversation(t, conversation.Conversation{Channel: conversation.Email, Tags: []string{"vip"}, AgentID: "ann"})
		d, err := fx.svc.SimulateRouting(fx.ctx, vip.ID)
		require.NoError(t, err)
		require.Equal(t, parley.RoutingDecision{ConversationID: vip.ID, QueueID: "vip", Priority: conversation.Urgent, RuleID: "vip"}, d)
		require.Equal(t, vip, fx.get(t, vip.ID), "simulating writes nothing")

		before := fx.lastSeq(t)
		at := fx.tick()
		routed, err := fx.svc.Route(fx.ctx, vip.ID)
		require.NoError(t, err)
		require.Equal(t, "vip", routed.QueueID)
		require.Equal(t, conversation.Urgent, routed.Priority)
		require.Empty(t, routed.AgentID, "routing unassigns")
		require.True(t, at.Equal(routed.QueuedAt))
		events := fx.eventsSince(t, before)
		require.Len(t, events, 1)
		requireEvent(t, events[0], storage.ConversationRouted, vip.ID, "", at,
			change{"priority", `"NORMAL"`, `"URGENT"`}, change{"queueId", "", `"vip"`}, change{"agentId", `"ann"`, ""})

		email := fx.conversation(t, conversation.Conversation{Channel: conversation.Email, Priority: conversation.Low})
		routed, err = fx.svc.Route(fx.ctx, email.ID)
		require.NoError(t, err)
		require.Equal(t, "email", routed.QueueID)
		require.Equal(t, conversation.Low, routed.Priority, "a rule without a priority leaves it")

		// No rule matches and there is no default queue: no queue.
		other := fx.conversation(t, conversation.Conversation{Channel: conversation.SMS, QueueID: "general"})
		routed, err = fx.svc.Route(fx.ctx, other.ID)
		require.NoError(t, err)
		require.Empty(t, routed.QueueID)
		// With a default queue, that one.
		_, err = fx.svc.UpdateQueue(fx.ctx, "general", routing.QueuePatch{Default: ptr(true)})
		require.NoError(t, err)
		d, err = fx.svc.SimulateRouting(fx.ctx, other.ID)
		require.NoError(t, err)
		require.Equal(t, "general", d.QueueID)
		require.Empty(t, d.RuleID)
	}},
	{"RouteClosedConversation", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.queue(t, "q", "Q")
		c := fx.conversation(t, conversation.Conversation{})
		_, err := fx.svc.CloseConversation(fx.ctx, c.ID)
		require.NoError(t, err)
		before := fx.snapshot(t)
		_, err = fx.svc.Route(fx.ctx, c.ID)
		require.ErrorIs(t, err, parley.ErrClosed)
		_, err = fx.svc.SimulateRouting(fx.ctx, c.ID)
		require.ErrorIs(t, err, parley.ErrClosed)
		_, err = fx.svc.TransferToQueue(fx.ctx, c.ID, "q")
		require.ErrorIs(t, err, parley.ErrClosed)
		fx.requireUnchanged(t, before)
		fx.agent(t, "ann", routing.RoleAgent)
		before = fx.snapshot(t)
		_, err = fx.svc.TransferToAgent(fx.ctx, c.ID, "ann")
		require.ErrorIs(t, err, parley.ErrClosed)
		fx.requireUnchanged(t, before)
		_, err = fx.svc.Route(fx.ctx, "missing")
		require.ErrorIs(t, err, parley.ErrNotFound)
	}},
	{"RouteAutoAssigns", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.autoQueue(t, "q")
		fx.rules(t, routing.Rule{ID: "all", Name: "all", QueueID: "q"})
		fx.activeAgent(t, "busy", 5, "q")
		fx.activeAgent(t, "idle", 5, "q")
		fx.activeAgent(t, "outsider", 5)
		// busy already holds a conversation.
		fx.conversation(t, conversation.Conversation{AgentID: "busy"})

		c := fx.conversation(t, conversation.Conversation{})
		before := fx.lastSeq(t)
		at := fx.tick()
		routed, err := fx.svc.Route(fx.ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, "idle", routed.AgentID, "LEAST_BUSY takes the agent with the lowest load")
		require.Equal(t, []storage.EventType{storage.ConversationRouted, storage.ConversationAssigned}, types(fx.eventsSince(t, before)))
		idle, err := fx.svc.GetAgent(fx.ctx, "idle")
		require.NoError(t, err)
		require.True(t, at.Equal(idle.LastAssignedAt), "the assignment is recorded on the agent")

		// Equal loads: the one longest without an assignment.
		c2 := fx.conversation(t, conversation.Conversation{})
		fx.tick()
		routed, err = fx.svc.Route(fx.ctx, c2.ID)
		require.NoError(t, err)
		require.Equal(t, "busy", routed.AgentID)
	}},
	{"AutoAssignmentSkipsIneligibleAgents", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.autoQueue(t, "q")
		fx.rules(t, routing.Rule{ID: "all", Name: "all", QueueID: "q"})
		fx.activeAgent(t, "full", 1, "q")
		fx.conversation(t, conversation.Conversation{AgentID: "full"})
		fx.activeAgent(t, "away", 5, "q")
		_, err := fx.svc.UpdateAgent(fx.ctx, "away", routing.AgentPatch{Status: ptr(routing.Away)})
		require.NoError(t, err)
		fx.activeAgent(t, "off", 5, "q")
		fx.disable(t, "off")

		c := fx.conversation(t, conversation.Conversation{})
		routed, err := fx.svc.Route(fx.ctx, c.ID)
		require.NoError(t, err)
		require.Empty(t, routed.AgentID, "no eligible agent: the conversation waits")
		require.Equal(t, "q", routed.QueueID)

		// The agent coming back ACTIVE drains the queue by itself.
		_, err = fx.svc.UpdateAgent(fx.ctx, "away", routing.AgentPatch{Status: ptr(routing.Active)})
		require.NoError(t, err)
		require.Equal(t, "away", fx.get(t, c.ID).AgentID)
	}},
	{"RoundRobinAndSticky", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.autoQueue(t, "rr", func(q *routing.Queue) {
			q.Strategy, q.StickyAgent, q.StickyTimeoutSeconds = routing.RoundRobin, true, 3600
		})
		fx.rules(t, routing.Rule{ID: "all", Name: "all", QueueID: "rr"})
		for _, id := range []string{"a", "b", "c"} {
			fx.activeAgent(t, id, 10, "rr")
		}
		var got []string
		for i := range 6 {
			fx.tick()
			c := fx.conversation(t, conversation.Conversation{CustomerID: fmt.Sprintf("cust-%d", i)})
			routed, err := fx.svc.Route(fx.ctx, c.ID)
			require.NoError(t, err)
			got = append(got, routed.AgentID)
		}
		require.Equal(t, []string{"a", "b", "c", "a", "b", "c"}, got, "ROUND_ROBIN ignores load and rotates")

		// cust-1 was served by b: within the timeout, b wins again.
		fx.tick()
		c := fx.conversation(t, conversation.Conversation{CustomerID: "cust-1"})
		routed, err := fx.svc.Route(fx.ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, "b", routed.AgentID)
		// After the timeout, the rotation decides.
		fx.clock.Advance(2 * time.Hour)
		c = fx.conversation(t, conversation.Conversation{CustomerID: "cust-2"})
		routed, err = fx.svc.Route(fx.ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, "a", routed.AgentID)
	}},
	{"Transfer", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.autoQueue(t, "auto")
		fx.queue(t, "manual", "Manual")
		fx.activeAgent(t, "worker", 5, "auto")
		fx.activeAgent(t, "full", 1)
		_, err := fx.svc.UpdateAgent(fx.ctx, "full", routing.AgentPatch{Status: ptr(routing.Away)})
		require.NoError(t, err)
		fx.conversation(t, conversation.Conversation{AgentID: "full"})
		fx.agent(t, "off", routing.RoleAgent)
		fx.disable(t, "off")

		c := fx.conversation(t, conversation.Conversation{})
		before := fx.lastSeq(t)
		at := fx.tick()
		moved, err := fx.svc.TransferToAgent(fx.ctx, c.ID, "full")
		require.NoError(t, err)
		require.Equal(t, "full", moved.AgentID, "a transfer to an agent ignores status and capacity")
		events := fx.eventsSince(t, before)
		require.Len(t, events, 1)
		requireEvent(t, events[0], storage.ConversationTransferred, c.ID, "", at, change{"agentId", "", `"full"`})

		snap := fx.snapshot(t)
		_, err = fx.svc.TransferToAgent(fx.ctx, c.ID, "off")
		require.ErrorIs(t, err, parley.ErrNotFound)
		_, err = fx.svc.TransferToAgent(fx.ctx, c.ID, "nobody")
		require.ErrorIs(t, err, parley.ErrNotFound)
		_, err = fx.svc.TransferToQueue(fx.ctx, c.ID, "nowhere")
		require.ErrorIs(t, err, parley.ErrNotFound)
		fx.requireUnchanged(t, snap)

		before = fx.lastSeq(t)
		moved, err = fx.svc.TransferToQueue(fx.ctx, c.ID, "manual")
		require.NoError(t, err)
		require.Equal(t, "manual", moved.QueueID)
		require.Empty(t, moved.AgentID, "a transfer to a queue unassigns")
		require.Equal(t, []storage.EventType{storage.ConversationTransferred}, types(fx.eventsSince(t, before)))

		moved, err = fx.svc.TransferToQueue(fx.ctx, c.ID, "auto")
		require.NoError(t, err)
		require.Equal(t, "worker", moved.AgentID, "and auto-assigns there")
	}},
	{"DrainTriggers", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.autoQueue(t, "q")
		fx.activeAgent(t, "ann", 1, "q")
		first := fx.conversation(t, conversation.Conversation{QueueID: "q"})
		require.Equal(t, "ann", fx.get(t, first.ID).AgentID, "a conversation entering a queue is drained at once")
		fx.tick()
		second := fx.conversation(t, conversation.Conversation{QueueID: "q", Priority: conversation.Low})
		fx.tick()
		third := fx.conversation(t, conversation.Conversation{QueueID: "q", Priority: conversation.Urgent})
		require.Empty(t, fx.get(t, second.ID).AgentID)
		require.Empty(t, fx.get(t, third.ID).AgentID)

		// Solving the first frees ann: the URGENT one goes first.
		_, err := fx.svc.UpdateConversation(fx.ctx, first.ID, conversation.Patch{Status: ptr(conversation.Solved)})
		require.NoError(t, err)
		require.Equal(t, "ann", fx.get(t, third.ID).AgentID)
		require.Empty(t, fx.get(t, second.ID).AgentID)

		// More capacity drains again.
		_, err = fx.svc.UpdateAgent(fx.ctx, "ann", routing.AgentPatch{Capacity: ptr(2)})
		require.NoError(t, err)
		require.Equal(t, "ann", fx.get(t, second.ID).AgentID)

		// A new member drains its queue.
		fx.tick()
		fourth := fx.conversation(t, conversation.Conversation{QueueID: "q"})
		require.Empty(t, fx.get(t, fourth.ID).AgentID)
		fx.activeAgent(t, "bob", 1, "q")
		require.Equal(t, "bob", fx.get(t, fourth.ID).AgentID)
	}},
	{"WrapUp", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.autoQueue(t, "q")
		_, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{ID: "ann", DisplayName: "Ann", Status: routing.Active, Capacity: 1, WrapUpSeconds: 60})
		require.NoError(t, err)
		require.NoError(t, ignore(fx.svc.AddQueueMember(fx.ctx, "q", "ann")))
		first := fx.conversation(t, conversation.Conversation{QueueID: "q"})
		fx.tick()
		waiting := fx.conversation(t, conversation.Conversation{QueueID: "q"})
		closedAt := fx.tick()
		closed, err := fx.svc.CloseConversation(fx.ctx, first.ID)
		require.NoError(t, err)
		require.Equal(t, "ann", closed.AgentID, "closing keeps the assignee on record")
		ann, err := fx.svc.GetAgent(fx.ctx, "ann")
		require.NoError(t, err)
		require.True(t, closedAt.Add(time.Minute).Equal(ann.WrapUpUntil))
		require.Empty(t, fx.get(t, waiting.ID).AgentID, "no auto-assignment during wrap-up")

		fx.clock.Advance(59 * time.Second)
		n, err := fx.svc.AssignAllWaiting(fx.ctx)
		require.NoError(t, err)
		require.Zero(t, n)
		fx.clock.Advance(time.Second)
		n, err = fx.svc.AssignAllWaiting(fx.ctx)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		require.Equal(t, "ann", fx.get(t, waiting.ID).AgentID)
	}},
	{"Overflow", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.autoQueue(t, "spill")
		fx.autoQueue(t, "main", func(q *routing.Queue) { q.MaxWaitSeconds, q.OverflowQueueID = 30, "spill" })
		c := fx.conversation(t, conversation.Conversation{QueueID: "main"})
		fx.clock.Advance(30 * time.Second)
		_, err := fx.svc.AssignWaiting(fx.ctx, "main")
		require.NoError(t, err)
		require.Equal(t, "main", fx.get(t, c.ID).QueueID, "exactly the max wait is not longer")
		fx.clock.Advance(time.Second)
		before := fx.lastSeq(t)
		_, err = fx.svc.AssignWaiting(fx.ctx, "main")
		require.NoError(t, err)
		moved := fx.get(t, c.ID)
		require.Equal(t, "spill", moved.QueueID)
		require.True(t, fx.clock.Now().Equal(moved.QueuedAt), "it waits afresh in the overflow queue")
		require.Equal(t, []storage.EventType{storage.ConversationRouted}, types(fx.eventsSince(t, before)))

		fx.activeAgent(t, "ann", 5, "spill")
		require.Equal(t, "ann", fx.get(t, c.ID).AgentID)

		_, err = fx.svc.AssignWaiting(fx.ctx, "missing")
		require.ErrorIs(t, err, parley.ErrNotFound)
	}},
	{"ReceiveInboundThreads", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.autoQueue(t, "support")
		fx.rules(t, routing.Rule{ID: "wa", Name: "WhatsApp", QueueID: "support", Priority: conversation.High,
			Condition: routing.Condition{Channels: []conversation.Channel{conversation.WhatsApp}}})
		fx.activeAgent(t, "ann", 5, "support")
		hello := message.Message{From: "+15550100", Content: message.Content{Text: "hello"}}

		c1, m1, err := fx.svc.ReceiveInbound(fx.ctx, "cust", conversation.WhatsApp, hello)
		require.NoError(t, err)
		require.Equal(t, message.Inbound, m1.Direction)
		require.Equal(t, c1.ID, m1.ConversationID)
		require.Equal(t, "support", c1.QueueID, "a new conversation is routed")
		require.Equal(t, conversation.High, c1.Priority)
		require.Equal(t, "ann", c1.AgentID)
		require.Equal(t, "cust", c1.CustomerID)
		require.Equal(t, conversation.SourceAPI, c1.Source, "WhatsApp reaches parley through the API")

		fx.tick()
		c2, _, err := fx.svc.ReceiveInbound(fx.ctx, "cust", conversation.WhatsApp, hello)
		require.NoError(t, err)
		require.Equal(t, c1.ID, c2.ID, "the next message threads into it")

		// Another channel is another thread.
		c3, _, err := fx.svc.ReceiveInbound(fx.ctx, "cust", conversation.Email, hello)
		require.NoError(t, err)
		require.NotEqual(t, c1.ID, c3.ID)
		require.Empty(t, c3.QueueID)
		require.Equal(t, conversation.SourceEmail, c3.Source, "an email starts a conversation whose source is email")

		// A SOLVED conversation reopens; a CLOSED one never takes the message.
		_, err = fx.svc.UpdateConversation(fx.ctx, c1.ID, conversation.Patch{Status: ptr(conversation.Solved)})
		require.NoError(t, err)
		c4, _, err := fx.svc.ReceiveInbound(fx.ctx, "cust", conversation.WhatsApp, hello)
		require.NoError(t, err)
		require.Equal(t, c1.ID, c4.ID)
		require.Equal(t, conversation.Open, c4.Status)
		_, err = fx.svc.CloseConversation(fx.ctx, c1.ID)
		require.NoError(t, err)
		c5, _, err := fx.svc.ReceiveInbound(fx.ctx, "cust", conversation.WhatsApp, hello)
		require.NoError(t, err)
		require.NotEqual(t, c1.ID, c5.ID)
		msgs, err := fx.svc.ListMessages(fx.ctx, storage.MessageQuery{ConversationID: c1.ID})
		require.NoError(t, err)
		require.Equal(t, 3, msgs.Total)

		snap := fx.snapshot(t)
		_, _, err = fx.svc.ReceiveInbound(fx.ctx, "", conversation.WhatsApp, hello)
		requireInvalid(t, err, "customerId")
		_, _, err = fx.svc.ReceiveInbound(fx.ctx, "cust", "PIGEON", hello)
		requireInvalid(t, err, "channel")
		_, _, err = fx.svc.ReceiveInbound(fx.ctx, "cust", conversation.SMS, message.Message{})
		requireInvalid(t, err, "content.text")
		fx.requireUnchanged(t, snap)
	}},
	{"ReceiveInboundRaceStartsOneConversation", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		const n = 8
		ids := make([]string, n)
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				c, _, err := fx.svc.ReceiveInbound(fx.ctx, "racer", conversation.SMS, message.Message{Content: message.Content{Text: "hi"}})
				errs <- err
				if err == nil {
					ids[i] = c.ID
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		for _, id := range ids {
			require.Equal(t, ids[0], id)
		}
		page, err := fx.svc.ListConversations(fx.ctx, storage.ConversationQuery{Filter: storage.ConversationFilter{CustomerID: "racer"}})
		require.NoError(t, err)
		require.Equal(t, 1, page.Total)
	}},
	// RoutedConversationWaitsItsTurn: a conversation routed into a queue
	// where others already wait does not overtake them, even when an agent has
	// room that no drain has used yet (here: a wrap-up that ended with no
	// trigger). The URGENT one waiting gets the agent.
	{"RoutedConversationWaitsItsTurn", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.autoQueue(t, "q")
		_, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{ID: "ann", DisplayName: "Ann", Status: routing.Active, Capacity: 1, WrapUpSeconds: 60})
		require.NoError(t, err)
		require.NoError(t, ignore(fx.svc.AddQueueMember(fx.ctx, "q", "ann")))
		first := fx.conversation(t, conversation.Conversation{QueueID: "q"})
		require.Equal(t, "ann", fx.get(t, first.ID).AgentID)
		fx.tick()
		urgent := fx.conversation(t, conversation.Conversation{QueueID: "q", Priority: conversation.Urgent})
		fx.tick()
		_, err = fx.svc.CloseConversation(fx.ctx, first.ID) // ann wraps up for a minute
		require.NoError(t, err)
		require.Empty(t, fx.get(t, urgent.ID).AgentID)

		fx.clock.Advance(2 * time.Minute) // the wrap-up ends; nothing drains
		late := fx.conversation(t, conversation.Conversation{Priority: conversation.Low})
		routed, err := fx.svc.TransferToQueue(fx.ctx, late.ID, "q")
		require.NoError(t, err)
		require.Empty(t, routed.AgentID, "the newcomer waits behind the URGENT one")
		require.Equal(t, "ann", fx.get(t, urgent.ID).AgentID, "the drain after the transfer serves the queue in order")
		require.Empty(t, fx.get(t, late.ID).AgentID)

		// With nobody waiting ahead, routing assigns at once.
		_, err = fx.svc.UpdateAgent(fx.ctx, "ann", routing.AgentPatch{Capacity: ptr(3)})
		require.NoError(t, err)
		require.Equal(t, "ann", fx.get(t, late.ID).AgentID)
		fx.rules(t, routing.Rule{ID: "all", Name: "all", QueueID: "q"})
		next := fx.conversation(t, conversation.Conversation{})
		got, err := fx.svc.Route(fx.ctx, next.ID)
		require.NoError(t, err)
		require.Equal(t, "ann", got.AgentID)
	}},
	// OverflowOfAManualQueue: the wait limit holds on a queue that does not
	// assign by itself too.
	{"OverflowOfAManualQueue", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.queue(t, "spill", "Spill")
		_, err := fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: "manual", Name: "Manual", MaxWaitSeconds: 30, OverflowQueueID: "spill"})
		require.NoError(t, err)
		c := fx.conversation(t, conversation.Conversation{QueueID: "manual"})
		fx.clock.Advance(time.Hour)
		n, err := fx.svc.AssignAllWaiting(fx.ctx)
		require.NoError(t, err)
		require.Zero(t, n)
		require.Equal(t, "spill", fx.get(t, c.ID).QueueID)
	}},
	// DeletingAnAssignedConversationDrains: deleting a conversation that
	// counted against its agent's capacity frees the place at once.
	{"DeletingAnAssignedConversationDrains", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.autoQueue(t, "q")
		fx.activeAgent(t, "ann", 1, "q")
		first := fx.conversation(t, conversation.Conversation{QueueID: "q"})
		fx.tick()
		second := fx.conversation(t, conversation.Conversation{QueueID: "q"})
		require.Empty(t, fx.get(t, second.ID).AgentID)
		require.NoError(t, fx.svc.DeleteConversation(fx.ctx, first.ID, "spam"))
		require.Equal(t, "ann", fx.get(t, second.ID).AgentID)
	}},
	// ReceiveInboundAfterARacingClose: when the conversation inbound
	// threading found is closed before it is locked, the message starts a new
	// conversation instead of failing with ErrClosed.
	{"ReceiveInboundAfterARacingClose", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		hello := message.Message{Content: message.Content{Text: "hello"}}
		first, _, err := fx.svc.ReceiveInbound(fx.ctx, "cust", conversation.SMS, hello)
		require.NoError(t, err)
		cs := &closingStore{Store: fx.store, target: first.ID}
		svc := parley.New(cs, parley.WithClock(fx.clock.Now))
		fx.tick()
		second, m, err := svc.ReceiveInbound(fx.ctx, "cust", conversation.SMS, hello)
		require.NoError(t, err)
		require.True(t, cs.done.Load(), "the close ran")
		require.NotEqual(t, first.ID, second.ID)
		require.Equal(t, second.ID, m.ConversationID)
		require.Equal(t, conversation.Closed, fx.get(t, first.ID).Status)
	}},
	// RoutingInvariantsUnderRace: 8 goroutines route the 500 conversations;
	// exactly 50 are assigned, none twice, no agent over capacity, 450 wait.
	// Then agents close their conversations while AssignWaiting runs from
	// several goroutines: every conversation is assigned exactly once and
	// capacity holds throughout (replayed from the event log, whose seqs follow
	// commit order).
	{"RoutingInvariantsUnderRace", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		RoutingRaceSetUp(t, fx.svc)
		require.NoError(t, RoutingRaceRoute(fx.ctx, fx.svc, 0, 1, RoutingRaceRouters))
		assigned, waiting := RoutingRaceCheckRouted(t, fx.svc)
		require.NoError(t, RoutingRaceDrain(fx.ctx, fx.svc, RoutingRaceRouters))
		RoutingRaceCheckLog(t, fx.svc, "one service", assigned, waiting)
	}},
	// LoadRaces: automatic assignment racing, from two goroutines, each
	// change that raises the agent's load (a reopen by message or by
	// status, a manual assignment) or makes it ineligible (a lower
	// capacity, AWAY) and the agent's leaving the queue: in commit order,
	// no automatic assignment takes the agent over capacity, or happens
	// while it is not ACTIVE or after it left (see load_race.go).
	{"LoadRaces", func(t *testing.T, s *serviceSuite) {
		for _, race := range LoadRaces {
			t.Run(string(race), func(t *testing.T) {
				s.parallel(t)
				fx := s.setup(t)
				after := LoadRaceSetUp(t, fx.svc, race, loadRaceTrials)
				require.NoError(t, LoadRaceTrials(fx.ctx, fx.svc, race, loadRaceTrials))
				require.Empty(t, LoadRaceViolations(t, fx.svc, race, loadRaceTrials, after))
			})
		}
	}},
	// CatalogRaces: concurrent replacements of the routing rules, and a
	// conversation created with a tag that a concurrent delete removes from
	// the catalog, from two goroutines: neither side fails, and each trial
	// ends as one of its serial orders would (see catalog_race.go).
	{"CatalogRaces", func(t *testing.T, s *serviceSuite) {
		for _, race := range CatalogRaces {
			t.Run(string(race), func(t *testing.T) {
				s.parallel(t)
				fx := s.setup(t)
				CatalogRaceSetUp(t, fx.svc, race, loadRaceTrials)
				require.NoError(t, CatalogRaceTrials(fx.ctx, fx.svc, race, loadRaceTrials))
				CatalogRaceCheck(t, fx.svc, race, loadRaceTrials)
			})
		}
	}},
}

// loadRaceTrials is how many trials of each load race the service suite
// runs in one process; parley's system tests run many more across two
// processes on PostgreSQL.
const loadRaceTrials = 20
