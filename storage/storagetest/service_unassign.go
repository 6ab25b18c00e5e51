package storagetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// serviceUnassignCases check the rule of taking a conversation off its
// agent in a queue that assigns automatically: it is not handed straight
// back to that agent (conversation.PassedOver), it waits for another one,
// and a route may give it to any.
var serviceUnassignCases = []serviceCase{
	{"NotHandedStraightBack", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.autoQueue(t, "q")
		fx.activeAgent(t, "ann", 5, "q")
		c := fx.conversation(t, conversation.Conversation{QueueID: "q"})
		require.Equal(t, "ann", fx.get(t, c.ID).AgentID, "auto-assigned on create")

		fx.tick()
		out, err := fx.svc.UnassignConversation(fx.ctx, c.ID)
		require.NoError(t, err)
		require.Empty(t, out.AgentID)
		require.Equal(t, "ann", out.PassedOver)
		got := fx.get(t, c.ID)
		require.Empty(t, got.AgentID, "not handed back to ann, who has room")
		require.Equal(t, "ann", got.PassedOver, "kept by the store")

		// A drain, however often it runs, passes ann over.
		n, err := fx.svc.AssignWaiting(fx.ctx, "q")
		require.NoError(t, err)
		require.Zero(t, n)
		n, err = fx.svc.AssignAllWaiting(fx.ctx)
		require.NoError(t, err)
		require.Zero(t, n)
		require.Empty(t, fx.get(t, c.ID).AgentID)

		// Another conversation still goes to ann: only this one passes her over.
		other := fx.conversation(t, conversation.Conversation{QueueID: "q"})
		require.Equal(t, "ann", fx.get(t, other.ID).AgentID)

		// Another agent with room takes it.
		fx.tick()
		fx.activeAgent(t, "bob", 5, "q")
		got = fx.get(t, c.ID)
		require.Equal(t, "bob", got.AgentID, "the waiting conversation goes to another agent")
		require.Empty(t, got.PassedOver, "an assignment clears it")
	}},
	{"RouteMayGiveItToAny", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.autoQueue(t, "q")
		fx.activeAgent(t, "ann", 5, "q")
		fx.rules(t, routing.Rule{ID: "all", Name: "all", QueueID: "q"})
		c := fx.conversation(t, conversation.Conversation{QueueID: "q"})
		_, err := fx.svc.UnassignConversation(fx.ctx, c.ID)
		require.NoError(t, err)
		require.Empty(t, fx.get(t, c.ID).AgentID)

		before := fx.lastSeq(t)
		routed, err := fx.svc.Route(fx.ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, "ann", routed.AgentID, "a route may give it to the agent it was taken from")
		require.Empty(t, fx.get(t, c.ID).PassedOver)
		// Releasing the agent passed over changes no field of an event's:
		// the route, which moved nothing else, records the assignment only.
		require.Equal(t, []storage.EventType{storage.ConversationAssigned}, types(fx.eventsSince(t, before)))
	}},
	{"PatchAndTransferPassOver", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.autoQueue(t, "q")
		fx.autoQueue(t, "r")
		fx.activeAgent(t, "ann", 5, "q", "r")
		c := fx.conversation(t, conversation.Conversation{QueueID: "q"})
		require.Equal(t, "ann", fx.get(t, c.ID).AgentID)

		// Clearing the assignee in an update is an unassign.
		none := ""
		out, err := fx.svc.UpdateConversation(fx.ctx, c.ID, conversation.Patch{AgentID: &none})
		require.NoError(t, err)
		require.Empty(t, out.AgentID)
		require.Equal(t, "ann", fx.get(t, c.ID).PassedOver)

		// A manual assignment is a person's choice: it may be ann again.
		out, err = fx.svc.AssignConversation(fx.ctx, c.ID, "ann")
		require.NoError(t, err)
		require.Equal(t, "ann", out.AgentID)
		require.Empty(t, fx.get(t, c.ID).PassedOver)

		// A transfer to a queue does not hand it back to the agent it leaves.
		out, err = fx.svc.TransferToQueue(fx.ctx, c.ID, "r")
		require.NoError(t, err)
		require.Equal(t, "r", out.QueueID)
		require.Empty(t, out.AgentID)
		require.Equal(t, "ann", fx.get(t, c.ID).PassedOver)
	}},
	{"StickyAgentPassedOver", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.autoQueue(t, "q", func(q *routing.Queue) { q.StickyAgent, q.StickyTimeoutSeconds = true, 3600 })
		fx.activeAgent(t, "ann", 5, "q")
		fx.activeAgent(t, "bob", 5, "q")
		first := fx.conversation(t, conversation.Conversation{QueueID: "q", CustomerID: "ada"})
		agent := fx.get(t, first.ID).AgentID
		require.NotEmpty(t, agent)
		c := fx.conversation(t, conversation.Conversation{QueueID: "q", CustomerID: "ada"})
		require.Equal(t, agent, fx.get(t, c.ID).AgentID, "sticky")
		_, err := fx.svc.UnassignConversation(fx.ctx, c.ID)
		require.NoError(t, err)
		_, err = fx.svc.AssignWaiting(fx.ctx, "q")
		require.NoError(t, err)
		got := fx.get(t, c.ID)
		require.NotEmpty(t, got.AgentID)
		require.NotEqual(t, agent, got.AgentID, "the customer's previous agent is passed over too")
	}},
}
