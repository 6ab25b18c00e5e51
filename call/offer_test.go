package call_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
)

var (
	q1   = &routing.Queue{ID: "q1", Name: "Support"}
	beat = t0.Add(-30 * time.Second) // a fresh heartbeat at t0 under the default policy
	hb   routing.HeartbeatPolicy
)

// ready is the presence of an agent of q1 that may be offered a call.
func ready(id string) routing.Presence {
	return routing.Presence{
		Agent:         &routing.Agent{ID: id, DisplayName: id, Status: routing.Active, Queues: []string{"q1"}},
		LastHeartbeat: beat,
	}
}

func TestCheckOffer(t *testing.T) {
	t.Parallel()
	queued := fixtures(t)["queued"]
	refused := queued.Clone()
	refused.Refused = []string{"a1"}
	with := func(change func(p *routing.Presence)) routing.Presence {
		p := ready("a1")
		change(&p)
		return p
	}
	tests := []struct {
		name string
		c    *call.Call
		q    *routing.Queue
		p    routing.Presence
		want routing.Ineligibility
	}{
		{"eligible", queued, q1, ready("a1"), ""},
		{"messaging load does not matter", queued, q1, with(func(p *routing.Presence) { p.Load = 50 }), ""},
		{"membership from the queue's side", queued, &routing.Queue{ID: "q1", Members: []string{"a1"}}, with(func(p *routing.Presence) { p.Agent.Queues = nil }), ""},
		{"no agent", queued, q1, routing.Presence{}, routing.IneligibleUnknown},
		{"disabled", queued, q1, with(func(p *routing.Presence) { p.Agent.Disabled = true }), routing.IneligibleDisabled},
		{"BUSY", queued, q1, with(func(p *routing.Presence) { p.Agent.Status = routing.Busy }), routing.IneligibleNotActive},
		{"AWAY", queued, q1, with(func(p *routing.Presence) { p.Agent.Status = routing.Away }), routing.IneligibleNotActive},
		{"INVISIBLE", queued, q1, with(func(p *routing.Presence) { p.Agent.Status = routing.Invisible }), routing.IneligibleNotActive},
		{"never sent a heartbeat", queued, q1, with(func(p *routing.Presence) { p.LastHeartbeat = time.Time{} }), routing.IneligibleNoHeartbeat},
		{"heartbeat lapsed exactly now", queued, q1, with(func(p *routing.Presence) { p.LastHeartbeat = t0.Add(-routing.DefaultHeartbeatTTL) }), routing.IneligibleNoHeartbeat},
		{"on another call", queued, q1, with(func(p *routing.Presence) { p.OnCall = true }), routing.IneligibleOnCall},
		{"in wrap-up", queued, q1, with(func(p *routing.Presence) { p.Agent.WrapUpUntil = at(1) }), routing.IneligibleWrapUp},
		{"wrap-up over exactly now", queued, q1, with(func(p *routing.Presence) { p.Agent.WrapUpUntil = t0 }), ""},
		{"not a member", queued, q1, with(func(p *routing.Presence) { p.Agent.Queues = []string{"q2"} }), routing.IneligibleNotMember},
		{"no queue given", queued, nil, ready("a1"), routing.IneligibleNotMember},
		{"another queue than the call's", queued, &routing.Queue{ID: "q2", Members: []string{"a1"}}, ready("a1"), routing.IneligibleNotMember},
		{"refused it", refused, q1, ready("a1"), call.IneligibleRefused},
		{"another agent than the refuser", refused, q1, ready("a2"), ""},
		{"refused and on a call: the call counts first", refused, q1, with(func(p *routing.Presence) { p.OnCall = true }), routing.IneligibleOnCall},
		{"not a member and disabled: disabled first", queued, q1, with(func(p *routing.Presence) { p.Agent.Queues = nil; p.Agent.Disabled = true }), routing.IneligibleDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, call.CheckOffer(tt.c, tt.q, tt.p, hb, t0))
		})
	}
}

// The rotation: each agent that refuses is skipped, the call goes round
// the others, and when all have refused a new round starts with someone
// other than the latest refuser.
func TestOfferRotation(t *testing.T) {
	t.Parallel()
	agents := []routing.Presence{ready("a1"), ready("a2"), ready("a3")}
	c := fixtures(t)["queued"]
	now := t0
	offer := func(want string, newRound bool) {
		t.Helper()
		id, nr := call.Next(c, q1, agents, hb, now)
		require.Equal(t, want, id)
		require.Equal(t, newRound, nr)
		n, ch, err := c.OfferNext(q1, agents, hb, now, call.Timeouts{})
		require.NoError(t, err)
		require.Equal(t, want, n.AgentID)
		require.Equal(t, newRound, ch.NewRound)
		require.Equal(t, c.Version+1, n.Version, "one transition, new round or not")
		require.NoError(t, n.Validate())
		c = n
	}
	reject := func() {
		t.Helper()
		n, _, err := c.Reject(c.AgentID, now)
		require.NoError(t, err)
		c = n
	}
	timeout := func() {
		t.Helper()
		now = c.Deadline
		n, _, err := c.OfferTimedOut(now)
		require.NoError(t, err)
		c = n
	}

	offer("a1", false)
	reject()
	require.Equal(t, []string{"a1"}, c.Refused)
	offer("a2", false)
	timeout()
	require.Equal(t, []string{"a1", "a2"}, c.Refused)
	offer("a3", false)
	reject()
	require.Equal(t, []string{"a1", "a2", "a3"}, c.Refused)
	// Everyone refused: a new round, starting with a1, not a3.
	offer("a1", true)
	require.Equal(t, []string{"a3"}, c.Refused)
	reject()
	require.Equal(t, []string{"a3", "a1"}, c.Refused)
	offer("a2", false)
	reject()
	// a3 is not offered straight back: its refusal is the round's oldest
	// and still stands; everyone refused again, and a new round starts
	// past the latest refuser, a2.
	require.Equal(t, []string{"a3", "a1", "a2"}, c.Refused)
	offer("a1", true)
	require.Equal(t, []string{"a2"}, c.Refused)
}

// With one agent, a refusal leaves nobody: the call waits rather than ring
// the refuser again, until another agent can take it.
func TestOfferWhenTheOnlyAgentRefused(t *testing.T) {
	t.Parallel()
	c := fixtures(t)["queued"]
	only := []routing.Presence{ready("a1")}
	r, _, err := c.OfferNext(q1, only, hb, t0, call.Timeouts{})
	require.NoError(t, err)
	c, _, err = r.Reject("a1", t0)
	require.NoError(t, err)

	id, nr := call.Next(c, q1, only, hb, t0)
	require.Empty(t, id)
	require.False(t, nr)
	n, ch, err := c.OfferNext(q1, only, hb, t0, call.Timeouts{})
	require.ErrorIs(t, err, call.ErrNoAgent)
	require.Nil(t, n)
	require.Equal(t, call.Change{}, ch)

	// A second agent comes on shift.
	two := append(only, ready("a2"))
	n, _, err = c.OfferNext(q1, two, hb, t0, call.Timeouts{})
	require.NoError(t, err)
	require.Equal(t, "a2", n.AgentID)
	c, _, err = n.Reject("a2", t0)
	require.NoError(t, err)
	// Both refused: a new round, back to a1, which did not refuse last.
	n, ch, err = c.OfferNext(q1, two, hb, t0, call.Timeouts{})
	require.NoError(t, err)
	require.Equal(t, "a1", n.AgentID)
	require.True(t, ch.NewRound)

	// a1, first in the order, refuses again: the next round starts with
	// a2, not with a1.
	c, _, err = n.Reject("a1", t0)
	require.NoError(t, err)
	require.Equal(t, []string{"a2", "a1"}, c.Refused)
	n, ch, err = c.OfferNext(q1, two, hb, t0, call.Timeouts{})
	require.NoError(t, err)
	require.Equal(t, "a2", n.AgentID)
	require.True(t, ch.NewRound)
	require.Equal(t, []string{"a1"}, n.Refused)
}

func TestNextSkipsTheIneligible(t *testing.T) {
	t.Parallel()
	c := fixtures(t)["queued"]
	busy := ready("a1")
	busy.OnCall = true
	away := ready("a2")
	away.Agent.Status = routing.Away
	stranger := ready("a3")
	stranger.Agent.Queues = nil
	candidates := []routing.Presence{busy, away, stranger, ready("a4"), ready("a5")}
	id, nr := call.Next(c, q1, candidates, hb, t0)
	require.Equal(t, "a4", id, "the first eligible in the order given")
	require.False(t, nr)

	id, _ = call.Next(c, q1, candidates[:3], hb, t0)
	require.Empty(t, id)
	id, _ = call.Next(c, q1, nil, hb, t0)
	require.Empty(t, id)

	// Only a QUEUED call is offered.
	for _, name := range []string{"ringing", "dialing", "connected", "ended"} {
		id, _ := call.Next(fixtures(t)[name], q1, candidates, hb, t0)
		require.Empty(t, id, name)
		_, _, err := fixtures(t)[name].OfferNext(q1, candidates, hb, t0, call.Timeouts{})
		require.ErrorIs(t, err, call.ErrState, name)
	}

	// A refuser that is ineligible anyway does not start a new round.
	refused := c.Clone()
	refused.Refused = []string{"a4", "a1"}
	id, nr = call.Next(refused, q1, []routing.Presence{ready("a4"), busy}, hb, t0)
	require.Equal(t, "a4", id)
	require.True(t, nr)
	refused.Refused = []string{"a1", "a4"}
	id, nr = call.Next(refused, q1, []routing.Presence{ready("a4"), busy}, hb, t0)
	require.Empty(t, id, "a4 refused last; a1 is on a call")
	require.False(t, nr)
}

func TestNewRound(t *testing.T) {
	t.Parallel()
	c := fixtures(t)["queued"].Clone()
	_, _, err := c.NewRound(soon)
	require.ErrorIs(t, err, call.ErrState, "nobody refused")
	c.Refused = []string{"a1"}
	_, _, err = c.NewRound(soon)
	require.ErrorIs(t, err, call.ErrState, "one refusal: the round would be the same")
	c.Refused = []string{"a1", "a2", "a3"}
	n, ch, err := c.NewRound(soon)
	require.NoError(t, err)
	require.Equal(t, []string{"a3"}, n.Refused)
	require.Equal(t, []string{"a1", "a2", "a3"}, c.Refused, "the given call is unchanged")
	require.Equal(t, call.Change{From: call.Queued, To: call.Queued}, ch)
	require.Equal(t, c.Version+1, n.Version)
}

func TestCheckOutbound(t *testing.T) {
	t.Parallel()
	require.NoError(t, call.CheckOutbound(ready("a1")))

	// Status, heartbeat, wrap-up and load do not matter.
	p := ready("a1")
	p.Agent.Status = routing.Invisible
	p.LastHeartbeat = time.Time{}
	p.Agent.WrapUpUntil = at(60)
	p.Load = 99
	require.NoError(t, call.CheckOutbound(p))

	require.ErrorIs(t, call.CheckOutbound(routing.Presence{}), fault.ErrNotFound)
	disabled := ready("a1")
	disabled.Agent.Disabled = true
	require.ErrorIs(t, call.CheckOutbound(disabled), fault.ErrForbidden)
	onCall := ready("a1")
	onCall.OnCall = true
	err := call.CheckOutbound(onCall)
	require.ErrorIs(t, err, call.ErrState)
	require.ErrorIs(t, err, fault.ErrConflict)
	require.ErrorContains(t, err, "already on a call")
}
