package storagetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// callFixture is a fixture with a default queue "q" that assigns
// automatically and agents that are ACTIVE members with a fresh heartbeat.
func (s *serviceSuite) callFixture(t *testing.T, agents []string, opts ...parley.Option) *serviceFixture {
	t.Helper()
	fx := s.setup(t, opts...)
	fx.autoQueue(t, "q", func(q *routing.Queue) { q.Default = true })
	for _, id := range agents {
		fx.activeAgent(t, id, 5, "q")
		require.NoError(t, fx.svc.Heartbeat(fx.ctx, id))
	}
	return fx
}

func (fx *serviceFixture) inboundCall(t *testing.T, customerID string) *call.Call {
	t.Helper()
	c, err := fx.svc.ReceiveCall(fx.ctx, parley.InboundCall{CustomerID: customerID, From: "+38591000" + customerID, To: "+3851000"})
	require.NoError(t, err)
	return c
}

func (fx *serviceFixture) getCall(t *testing.T, id string) *call.Call {
	t.Helper()
	c, err := fx.svc.GetCall(fx.ctx, id)
	require.NoError(t, err)
	require.NoError(t, c.Validate())
	return c
}

func (fx *serviceFixture) runDue(t *testing.T) parley.RunReport {
	t.Helper()
	r, err := fx.svc.RunDue(fx.ctx)
	require.NoError(t, err)
	return r
}

func eventTypes(events []*storage.Event) []storage.EventType {
	out := make([]storage.EventType, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}

var serviceCallCases = []serviceCase{
	{"InboundOfferAcceptHangUpWrapUp", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1"})
		c := fx.inboundCall(t, "1")
		require.Equal(t, call.Ringing, c.State, "offered at once to the one eligible agent")
		require.Equal(t, "a1", c.AgentID)
		require.Equal(t, "q", c.QueueID)
		require.Equal(t, fx.clock.Now().Add(30*time.Second), c.Deadline, "rings for the default inbound timeout")
		conv := fx.get(t, c.ConversationID)
		require.Equal(t, conversation.Voice, conv.Channel)
		require.Empty(t, conv.AgentID, "not assigned before the agent accepts")
		require.Empty(t, conv.QueueID, "a call conversation is not queued for messaging")

		fx.tick()
		c, err := fx.svc.AcceptCall(fx.ctx, c.ID, "a1")
		require.NoError(t, err)
		require.Equal(t, call.Connected, c.State)
		conv = fx.get(t, c.ConversationID)
		require.Equal(t, "a1", conv.AgentID, "accepting assigns the conversation")
		require.Equal(t, "q", conv.QueueID)

		end := fx.tick()
		c, err = fx.svc.HangUpCall(fx.ctx, c.ID, call.Customer)
		require.NoError(t, err)
		require.Equal(t, call.Ended, c.State)
		require.Equal(t, call.CustomerHangUp, c.EndReason)
		a, err := fx.svc.GetAgent(fx.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, end.Add(call.DefaultWrapUpSeconds*time.Second), a.WrapUpUntil, "wrap-up starts when the call ends")
		av, err := fx.svc.AgentAvailability(fx.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, routing.Busy, av.Status)
		require.Equal(t, routing.IneligibleWrapUp, av.Calls)

		var types []storage.EventType
		for _, e := range fx.history(t, c.ConversationID) {
			types = append(types, e.Type)
		}
		require.Equal(t, []storage.EventType{storage.ConversationCreated, storage.CallCreated, storage.CallOffered,
			storage.CallConnected, storage.ConversationUpdated, storage.ConversationAssigned, storage.CallEnded}, types, "the history shows the call")
	}},
	{"RejectGoesToTheNextAgentThenRoundsAgain", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1", "a2"})
		c := fx.inboundCall(t, "1")
		require.Equal(t, "a1", c.AgentID)
		_, err := fx.svc.RejectCall(fx.ctx, c.ID, "a2")
		require.ErrorIs(t, err, parley.ErrForbidden, "only the ringing agent may reject")
		c, err = fx.svc.RejectCall(fx.ctx, c.ID, "a1")
		require.NoError(t, err)
		require.Equal(t, call.Ringing, c.State)
		require.Equal(t, "a2", c.AgentID, "the next agent, not straight back")
		require.Equal(t, []string{"a1"}, c.Refused)
		c, err = fx.svc.RejectCall(fx.ctx, c.ID, "a2")
		require.NoError(t, err)
		require.Equal(t, "a1", c.AgentID, "a new round starts with someone other than the latest refuser")
		require.Equal(t, []string{"a2"}, c.Refused)
	}},
	{"OnlyRefuserLeftWaits", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1"})
		c := fx.inboundCall(t, "1")
		c, err := fx.svc.RejectCall(fx.ctx, c.ID, "a1")
		require.NoError(t, err)
		require.Equal(t, call.Queued, c.State, "nobody else can take it")
		require.Zero(t, fx.runDue(t).Offered, "not offered back to the one who refused")
		fx.activeAgent(t, "a2", 5, "q")
		require.NoError(t, fx.svc.Heartbeat(fx.ctx, "a2"))
		c = fx.getCall(t, c.ID)
		require.Equal(t, call.Ringing, c.State, "a newly present agent gets it")
		require.Equal(t, "a2", c.AgentID)
	}},
	{"OfferTimesOutOnTheRunner", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1", "a2"})
		c := fx.inboundCall(t, "1")
		fx.clock.Advance(29 * time.Second)
		require.Zero(t, fx.runDue(t).OffersTimedOut, "not before the deadline")
		require.Equal(t, "a1", fx.getCall(t, c.ID).AgentID)
		fx.clock.Advance(time.Second)
		r := fx.runDue(t)
		require.Equal(t, 1, r.OffersTimedOut)
		c = fx.getCall(t, c.ID)
		require.Equal(t, call.Ringing, c.State)
		require.Equal(t, "a2", c.AgentID)
		require.Zero(t, fx.runDue(t).OffersTimedOut, "each due item is handled once")
		_, err := fx.svc.AcceptCall(fx.ctx, c.ID, "a1")
		require.ErrorIs(t, err, parley.ErrForbidden, "the offer moved on")
	}},
	{"AcceptAtTheDeadlineIsRefused", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1"})
		c := fx.inboundCall(t, "1")
		fx.clock.Advance(30 * time.Second)
		before := fx.snapshot(t)
		_, err := fx.svc.AcceptCall(fx.ctx, c.ID, "a1")
		require.ErrorIs(t, err, call.ErrState)
		require.ErrorIs(t, err, parley.ErrConflict)
		fx.requireUnchanged(t, before)
	}},
	{"NoHeartbeatNoOffer", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, nil)
		fx.activeAgent(t, "a1", 5, "q")
		c := fx.inboundCall(t, "1")
		require.Equal(t, call.Queued, c.State, "an agent that never sent a heartbeat gets no call")
		seq := fx.lastSeq(t)
		require.NoError(t, fx.svc.Heartbeat(fx.ctx, "a1"))
		require.Equal(t, []storage.EventType{storage.AgentReturned, storage.CallOffered}, eventTypes(fx.eventsSince(t, seq)))
		require.Equal(t, call.Ringing, fx.getCall(t, c.ID).State)
		seq = fx.lastSeq(t)
		require.NoError(t, fx.svc.Heartbeat(fx.ctx, "a1"))
		require.Empty(t, fx.eventsSince(t, seq), "a heartbeat of a present agent writes no event")
		require.ErrorIs(t, fx.svc.Heartbeat(fx.ctx, "nobody"), parley.ErrNotFound)
	}},
	{"HeartbeatLapse", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1"}, parley.WithHeartbeatPolicy(routing.HeartbeatPolicy{OnLapse: routing.RequeueConversations}))
		conv := fx.conversation(t, conversation.Conversation{Channel: conversation.SMS})
		_, err := fx.svc.Route(fx.ctx, conv.ID)
		require.NoError(t, err)
		require.Equal(t, "a1", fx.get(t, conv.ID).AgentID)

		fx.clock.Advance(2*time.Minute - time.Second)
		require.Zero(t, fx.runDue(t).Lapsed)
		fx.clock.Advance(time.Second)
		seq := fx.lastSeq(t)
		r := fx.runDue(t)
		require.Equal(t, 1, r.Lapsed)
		require.Equal(t, 1, r.Requeued)
		require.Empty(t, fx.get(t, conv.ID).AgentID, "REQUEUE hands the conversation back to its queue")
		require.Contains(t, eventTypes(fx.eventsSince(t, seq)), storage.AgentLapsed)
		require.Zero(t, fx.runDue(t).Lapsed, "a lapse is recorded once")

		av, err := fx.svc.AgentAvailability(fx.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, routing.Away, av.Status)
		c := fx.inboundCall(t, "2")
		require.Equal(t, call.Queued, c.State, "no offers after a lapse")

		seq = fx.lastSeq(t)
		require.NoError(t, fx.svc.Heartbeat(fx.ctx, "a1"))
		require.Contains(t, eventTypes(fx.eventsSince(t, seq)), storage.AgentReturned)
		require.Equal(t, call.Ringing, fx.getCall(t, c.ID).State, "coming back takes the waiting call")
	}},
	{"OneLiveCallPerAgent", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1"})
		c1 := fx.inboundCall(t, "1")
		c2 := fx.inboundCall(t, "2")
		require.Equal(t, call.Ringing, c1.State)
		require.Equal(t, call.Queued, c2.State, "the agent's one call is ringing")
		_, err := fx.svc.PlaceCall(fx.ctx, parley.OutboundCall{From: "+3851000", To: "+38591", AgentID: "a1"})
		require.ErrorIs(t, err, call.ErrState, "an agent on a call cannot dial")

		// Messaging is apart, but an agent on a call gets no conversation.
		conv := fx.conversation(t, conversation.Conversation{Channel: conversation.SMS})
		_, err = fx.svc.Route(fx.ctx, conv.ID)
		require.NoError(t, err)
		require.Empty(t, fx.get(t, conv.ID).AgentID)

		_, err = fx.svc.RejectCall(fx.ctx, c1.ID, "a1")
		require.NoError(t, err)
		// The agent is free again: c2, which waited, is offered to a1 at
		// once; c1 waits in the queue, as a1 declined it.
		got2, err := fx.svc.GetCall(fx.ctx, c2.ID)
		require.NoError(t, err)
		require.Equal(t, call.Ringing, got2.State, "the waiting call is offered to the freed agent")
		require.Equal(t, "a1", got2.AgentID)
		got1, err := fx.svc.GetCall(fx.ctx, c1.ID)
		require.NoError(t, err)
		require.Equal(t, call.Queued, got1.State, "the declined call waits")
		require.Empty(t, got1.AgentID)
		live, err := fx.svc.ListCalls(fx.ctx, storage.CallQuery{AgentID: "a1", States: []call.State{call.Ringing, call.Connected}})
		require.NoError(t, err)
		require.Len(t, live.Items, 1, "one live call per agent")
		require.Equal(t, c2.ID, live.Items[0].ID)
	}},
	{"AbandonWhileQueued", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, nil)
		c := fx.inboundCall(t, "1")
		c, err := fx.svc.HangUpCall(fx.ctx, c.ID, call.Customer)
		require.NoError(t, err)
		require.Equal(t, call.Abandoned, c.EndReason)
		require.Empty(t, c.AgentID)
		_, err = fx.svc.HangUpCall(fx.ctx, c.ID, call.Customer)
		require.ErrorIs(t, err, call.ErrState, "nothing happens to an ENDED call")
	}},
	{"OutboundAnswerHoldHangUp", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1"})
		c, err := fx.svc.PlaceCall(fx.ctx, parley.OutboundCall{From: "+3851000", To: "+38591", AgentID: "a1", CustomerID: "cust-1"})
		require.NoError(t, err)
		require.Equal(t, call.Dialing, c.State)
		require.Equal(t, fx.clock.Now().Add(45*time.Second), c.Deadline)
		conv := fx.get(t, c.ConversationID)
		require.Equal(t, "a1", conv.AgentID)
		_, err = fx.svc.HoldCall(fx.ctx, c.ID)
		require.ErrorIs(t, err, call.ErrState, "hold only while connected")
		fx.tick()
		c, err = fx.svc.AnswerCall(fx.ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, call.Connected, c.State)
		c, err = fx.svc.HoldCall(fx.ctx, c.ID)
		require.NoError(t, err)
		require.True(t, c.OnHold)
		_, err = fx.svc.HoldCall(fx.ctx, c.ID)
		require.ErrorIs(t, err, call.ErrState)
		c, err = fx.svc.UnholdCall(fx.ctx, c.ID)
		require.NoError(t, err)
		require.False(t, c.OnHold)
		c, err = fx.svc.HangUpCall(fx.ctx, c.ID, call.Agent)
		require.NoError(t, err)
		require.Equal(t, call.AgentHangUp, c.EndReason)
	}},
	{"DialTimesOut", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1"})
		c, err := fx.svc.PlaceCall(fx.ctx, parley.OutboundCall{From: "+3851000", To: "+38591", AgentID: "a1"})
		require.NoError(t, err)
		fx.clock.Advance(45 * time.Second)
		require.Equal(t, 1, fx.runDue(t).DialsTimedOut)
		c = fx.getCall(t, c.ID)
		require.Equal(t, call.NoAnswer, c.EndReason)
		a, err := fx.svc.GetAgent(fx.ctx, "a1")
		require.NoError(t, err)
		require.True(t, a.WrapUpUntil.IsZero(), "a call never answered leaves nothing to wrap up")
	}},
	{"Timeouts", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1"})
		got, err := fx.svc.CallTimeouts(fx.ctx)
		require.NoError(t, err)
		require.Equal(t, call.Timeouts{Inbound: 30, Outbound: 45}, got)
		before := fx.snapshot(t)
		_, err = fx.svc.SetCallTimeouts(fx.ctx, call.Timeouts{Inbound: 2})
		requireInvalid(t, err, "inbound")
		fx.requireUnchanged(t, before)
		got, err = fx.svc.SetCallTimeouts(fx.ctx, call.Timeouts{Inbound: 10})
		require.NoError(t, err)
		require.Equal(t, call.Timeouts{Inbound: 10, Outbound: 45}, got)
		c := fx.inboundCall(t, "1")
		require.Equal(t, fx.clock.Now().Add(10*time.Second), c.Deadline)
		got, err = fx.svc.ResetCallTimeouts(fx.ctx)
		require.NoError(t, err)
		require.Equal(t, call.Timeouts{Inbound: 30, Outbound: 45}, got)
		got, err = fx.svc.CallTimeouts(fx.ctx)
		require.NoError(t, err)
		require.Equal(t, call.Timeouts{Inbound: 30, Outbound: 45}, got)
	}},
	{"WrapUpConfig", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1", "a2"})
		cfg, err := fx.svc.WrapUpConfig(fx.ctx)
		require.NoError(t, err)
		require.Equal(t, call.DefaultWrapUpConfig(), cfg)
		_, err = fx.svc.SetWrapUpConfig(fx.ctx, call.WrapUpConfig{WrapUpSeconds: 60, Enabled: true})
		require.NoError(t, err)
		ten := 10
		_, err = fx.svc.SetAgentCallWrapUp(fx.ctx, "a2", &ten)
		require.NoError(t, err)
		bad := -1
		_, err = fx.svc.SetAgentCallWrapUp(fx.ctx, "a2", &bad)
		requireInvalid(t, err, "wrapUpSeconds")

		talk := func(agent string) time.Time {
			t.Helper()
			c, err := fx.svc.PlaceCall(fx.ctx, parley.OutboundCall{From: "+3851000", To: "+38591", AgentID: agent})
			require.NoError(t, err)
			_, err = fx.svc.AnswerCall(fx.ctx, c.ID)
			require.NoError(t, err)
			end := fx.tick()
			_, err = fx.svc.HangUpCall(fx.ctx, c.ID, call.Customer)
			require.NoError(t, err)
			return end
		}
		end := talk("a1")
		a1, err := fx.svc.GetAgent(fx.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, end.Add(60*time.Second), a1.WrapUpUntil)
		end = talk("a2")
		a2, err := fx.svc.GetAgent(fx.ctx, "a2")
		require.NoError(t, err)
		require.Equal(t, end.Add(10*time.Second), a2.WrapUpUntil, "the agent's own length wins")

		_, err = fx.svc.ExtendWrapUp(fx.ctx, "a1", 30)
		require.ErrorIs(t, err, parley.ErrForbidden, "the account does not allow extending")
		_, err = fx.svc.SetWrapUpConfig(fx.ctx, call.WrapUpConfig{WrapUpSeconds: 60, Enabled: true, CanExtendWrapUp: true})
		require.NoError(t, err)
		a1, err = fx.svc.ExtendWrapUp(fx.ctx, "a1", 30)
		require.NoError(t, err)
		require.Equal(t, end.Add(89*time.Second), a1.WrapUpUntil)
		_, err = fx.svc.ExtendWrapUp(fx.ctx, "a1", 0)
		requireInvalid(t, err, "seconds")
		a1, err = fx.svc.ClearWrapUp(fx.ctx, "a1")
		require.NoError(t, err)
		require.False(t, a1.InWrapUp(fx.clock.Now()))
		_, err = fx.svc.ExtendWrapUp(fx.ctx, "a1", 30)
		require.ErrorIs(t, err, call.ErrState, "not wrapping up")

		_, err = fx.svc.SetWrapUpConfig(fx.ctx, call.WrapUpConfig{WrapUpSeconds: 60})
		require.NoError(t, err)
		fx.clock.Advance(time.Hour)
		talk("a1")
		a1, err = fx.svc.GetAgent(fx.ctx, "a1")
		require.NoError(t, err)
		require.False(t, a1.InWrapUp(fx.clock.Now()), "a disabled wrap-up starts none")
	}},
	{"WrapUpBlocksOffersUntilItEnds", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1"})
		c := fx.inboundCall(t, "1")
		_, err := fx.svc.AcceptCall(fx.ctx, c.ID, "a1")
		require.NoError(t, err)
		_, err = fx.svc.HangUpCall(fx.ctx, c.ID, call.Agent)
		require.NoError(t, err)
		next := fx.inboundCall(t, "2")
		require.Equal(t, call.Queued, next.State, "no offer during wrap-up")
		fx.clock.Advance(call.DefaultWrapUpSeconds * time.Second)
		require.NoError(t, fx.svc.Heartbeat(fx.ctx, "a1"))
		require.Equal(t, 1, fx.runDue(t).Offered, "the runner offers it once wrap-up is over")
		require.Equal(t, "a1", fx.getCall(t, next.ID).AgentID)
	}},
	{"BadInputWritesNothing", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1"})
		before := fx.snapshot(t)
		_, err := fx.svc.ReceiveCall(fx.ctx, parley.InboundCall{CustomerID: "c", From: " ", To: "+1"})
		requireInvalid(t, err, "from")
		_, err = fx.svc.ReceiveCall(fx.ctx, parley.InboundCall{CustomerID: "c", From: "+1", To: "+1", Channel: conversation.SMS})
		requireInvalid(t, err, "channel")
		_, err = fx.svc.ReceiveCall(fx.ctx, parley.InboundCall{CustomerID: "c", From: "+1", To: "+1", ClientType: "FAX"})
		requireInvalid(t, err, "voiceClientType")
		_, err = fx.svc.PlaceCall(fx.ctx, parley.OutboundCall{From: "+1", To: "+2"})
		requireInvalid(t, err, "agentId")
		_, err = fx.svc.PlaceCall(fx.ctx, parley.OutboundCall{From: "+1", To: "+2", AgentID: "nobody"})
		require.ErrorIs(t, err, parley.ErrNotFound)
		_, err = fx.svc.HangUpCall(fx.ctx, "x", "BOTH")
		requireInvalid(t, err, "side")
		_, err = fx.svc.AcceptCall(fx.ctx, "missing", "a1")
		require.ErrorIs(t, err, parley.ErrNotFound)
		fx.requireUnchanged(t, before)
	}},
	{"OfferSkipsAgentsThatCannotTakeACall", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1", "a2", "a3", "a4", "a5"})
		fx.disable(t, "a1")
		away := routing.Away
		_, err := fx.svc.UpdateAgent(fx.ctx, "a2", routing.AgentPatch{Status: &away})
		require.NoError(t, err)
		require.NoError(t, ignore(fx.svc.RemoveQueueMember(fx.ctx, "q", "a3")))
		c, err := fx.svc.PlaceCall(fx.ctx, parley.OutboundCall{From: "+1", To: "+2", AgentID: "a4"})
		require.NoError(t, err)
		_, err = fx.svc.AnswerCall(fx.ctx, c.ID)
		require.NoError(t, err)
		_, err = fx.svc.HangUpCall(fx.ctx, c.ID, call.Customer) // a4 wraps up
		require.NoError(t, err)
		in := fx.inboundCall(t, "1")
		require.Equal(t, "a5", in.AgentID, "disabled, AWAY, no member and wrapping up are all passed over")
		avs, err := fx.svc.AgentAvailabilities(fx.ctx, "a1", "a2", "a3", "a4", "a5", "nobody")
		require.NoError(t, err)
		require.Len(t, avs, 5)
		require.Equal(t, routing.IneligibleDisabled, avs["a1"].Calls)
		require.Equal(t, routing.IneligibleNotActive, avs["a2"].Calls)
		require.Empty(t, avs["a3"].Calls, "membership is the call's to check, not availability's")
		require.Equal(t, routing.IneligibleWrapUp, avs["a4"].Calls)
		require.Equal(t, routing.IneligibleOnCall, avs["a5"].Calls)
		require.Equal(t, routing.Busy, avs["a5"].Status)
	}},
	{"CallInNoQueueWaits", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.activeAgent(t, "a1", 5)
		require.NoError(t, fx.svc.Heartbeat(fx.ctx, "a1"))
		c := fx.inboundCall(t, "1")
		require.Equal(t, call.Queued, c.State)
		require.Empty(t, c.QueueID, "no rule and no default queue")
		require.Zero(t, fx.runDue(t).Offered)
	}},
	{"FailFreesTheAgentForTheNextCall", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1"})
		c1 := fx.inboundCall(t, "1")
		c2 := fx.inboundCall(t, "2")
		require.Equal(t, call.Queued, c2.State)
		_, err := fx.svc.HangUpCall(fx.ctx, c1.ID, call.Agent)
		require.ErrorIs(t, err, call.ErrState, "an agent rejects a ringing call, it does not hang it up")
		c1, err = fx.svc.FailCall(fx.ctx, c1.ID)
		require.NoError(t, err)
		require.Equal(t, call.Failed, c1.EndReason)
		c2 = fx.getCall(t, c2.ID)
		require.Equal(t, call.Ringing, c2.State, "the freed agent is offered the waiting call at once")
		require.Equal(t, "a1", c2.AgentID)
		a, err := fx.svc.GetAgent(fx.ctx, "a1")
		require.NoError(t, err)
		require.True(t, a.WrapUpUntil.IsZero(), "a call that never connected leaves nothing to wrap up")
	}},
	{"CallsThreadAndList", func(t *testing.T, s *serviceSuite) {
		fx := s.callFixture(t, []string{"a1"})
		c1 := fx.inboundCall(t, "1")
		c2 := fx.inboundCall(t, "1")
		require.Equal(t, c1.ConversationID, c2.ConversationID, "a customer's calls join their open call conversation")
		_, err := fx.svc.CloseConversation(fx.ctx, c1.ConversationID)
		require.NoError(t, err)
		c3 := fx.inboundCall(t, "1")
		require.NotEqual(t, c1.ConversationID, c3.ConversationID, "a closed one is not joined")

		page, err := fx.svc.ListCalls(fx.ctx, storage.CallQuery{ConversationID: c1.ConversationID})
		require.NoError(t, err)
		require.Equal(t, []string{c1.ID, c2.ID}, callIDs(page.Items))
		page, err = fx.svc.ListCalls(fx.ctx, storage.CallQuery{States: []call.State{call.Queued}})
		require.NoError(t, err)
		require.Equal(t, []string{c2.ID, c3.ID}, callIDs(page.Items))
		page, err = fx.svc.ListCalls(fx.ctx, storage.CallQuery{AgentID: "a1"})
		require.NoError(t, err)
		require.Equal(t, []string{c1.ID}, callIDs(page.Items))
		_, err = fx.svc.ListCalls(fx.ctx, storage.CallQuery{States: []call.State{"LOST"}})
		requireInvalid(t, err, "state")
	}},
	// CallRaces: two call operations on one call or one agent from two
	// goroutines (see call_race.go): a call rings at one agent at a time,
	// an agent has at most one live call, and an accept racing the
	// offer's timeout has exactly one outcome.
	{"CallRaces", func(t *testing.T, s *serviceSuite) {
		for _, race := range CallRaces {
			t.Run(string(race), func(t *testing.T) {
				s.parallel(t)
				fx := s.setup(t)
				CallRaceSetUp(t, fx.svc, fx.store, race, loadRaceTrials)
				require.NoError(t, CallRaceTrials(fx.ctx, fx.store, race, loadRaceTrials))
				require.Empty(t, CallRaceViolations(t, fx.svc, race, loadRaceTrials))
			})
		}
	}},
}

func callIDs(calls []*call.Call) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.ID
	}
	return out
}
