package call_test

import (
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/fault"
)

// fixtures builds a valid call in each state, by transitions:
//
//	queued     inbound in q1 since t0
//	ringing    offered to a1 at at(1), expiring at at(31)
//	dialing    outbound from a1 at t0, expiring at at(45)
//	connected  ringing, accepted by a1 at at(2)
//	held       connected, on hold since at(3)
//	ended      connected, hung up by the customer at at(4)
func fixtures(t *testing.T) map[string]*call.Call {
	t.Helper()
	must := func(c *call.Call, _ call.Change, err error) *call.Call {
		t.Helper()
		require.NoError(t, err)
		require.NoError(t, c.Validate())
		return c
	}
	queued, err := call.NewInbound(inbound(), "call-1", t0)
	require.NoError(t, err)
	dialing, err := call.NewOutbound(outbound(), "call-2", t0, call.Timeouts{})
	require.NoError(t, err)
	ringing := must(queued.Offer("a1", at(1), call.Timeouts{}))
	connected := must(ringing.Accept("a1", at(2)))
	return map[string]*call.Call{
		"queued":    queued,
		"ringing":   ringing,
		"dialing":   dialing,
		"connected": connected,
		"held":      must(connected.Hold(at(3))),
		"ended":     must(connected.HangUp(call.Customer, at(4))),
	}
}

// An op is one transition, tried on every fixture.
type op func(c *call.Call) (*call.Call, call.Change, error)

// soon is before every fixture's deadline; late is after all of them.
var (
	soon = at(10)
	late = at(100)
)

var ops = map[string]op{
	"offer a2":              func(c *call.Call) (*call.Call, call.Change, error) { return c.Offer("a2", soon, call.Timeouts{}) },
	"accept a1":             func(c *call.Call) (*call.Call, call.Change, error) { return c.Accept("a1", soon) },
	"accept a1 late":        func(c *call.Call) (*call.Call, call.Change, error) { return c.Accept("a1", late) },
	"accept a2":             func(c *call.Call) (*call.Call, call.Change, error) { return c.Accept("a2", soon) },
	"reject a1":             func(c *call.Call) (*call.Call, call.Change, error) { return c.Reject("a1", soon) },
	"reject a1 late":        func(c *call.Call) (*call.Call, call.Change, error) { return c.Reject("a1", late) },
	"reject a2":             func(c *call.Call) (*call.Call, call.Change, error) { return c.Reject("a2", soon) },
	"offer timed out":       func(c *call.Call) (*call.Call, call.Change, error) { return c.OfferTimedOut(late) },
	"offer timed out early": func(c *call.Call) (*call.Call, call.Change, error) { return c.OfferTimedOut(soon) },
	"answer":                func(c *call.Call) (*call.Call, call.Change, error) { return c.Answer(soon) },
	"answer late":           func(c *call.Call) (*call.Call, call.Change, error) { return c.Answer(late) },
	"no answer":             func(c *call.Call) (*call.Call, call.Change, error) { return c.NoAnswer(soon) },
	"dial timed out":        func(c *call.Call) (*call.Call, call.Change, error) { return c.DialTimedOut(late) },
	"dial timed out early":  func(c *call.Call) (*call.Call, call.Change, error) { return c.DialTimedOut(soon) },
	"hold":                  func(c *call.Call) (*call.Call, call.Change, error) { return c.Hold(soon) },
	"unhold":                func(c *call.Call) (*call.Call, call.Change, error) { return c.Unhold(soon) },
	"customer hangs up":     func(c *call.Call) (*call.Call, call.Change, error) { return c.HangUp(call.Customer, soon) },
	"agent hangs up":        func(c *call.Call) (*call.Call, call.Change, error) { return c.HangUp(call.Agent, soon) },
	"abandon":               func(c *call.Call) (*call.Call, call.Change, error) { return c.Abandon(soon) },
	"fail":                  func(c *call.Call) (*call.Call, call.Change, error) { return c.Fail(soon) },
	"move to q2":            func(c *call.Call) (*call.Call, call.Change, error) { return c.MoveToQueue("q2", soon) },
	"move to q1":            func(c *call.Call) (*call.Call, call.Change, error) { return c.MoveToQueue("q1", soon) },
	"new round":             func(c *call.Call) (*call.Call, call.Change, error) { return c.NewRound(soon) },
}

// allowed is every (fixture, op) pair that succeeds, with the call it
// leads to and the change it reports. Every pair not listed is refused.
type outcome struct {
	state  call.State
	reason call.EndReason
	change call.Change // From, To and NewRound are checked apart
	check  func(t *testing.T, before, after *call.Call)
}

var allowed = map[[2]string]outcome{
	{"queued", "offer a2"}: {state: call.Ringing,
		change: call.Change{Offer: &call.Offer{CallID: "call-1", AgentID: "a2", OfferedAt: soon, ExpiresAt: soon.Add(30 * time.Second)}},
		check: func(t *testing.T, _, c *call.Call) {
			require.Equal(t, "a2", c.AgentID)
			require.Equal(t, soon, c.OfferedAt)
			require.Equal(t, soon.Add(30*time.Second), c.Deadline)
		}},
	{"queued", "customer hangs up"}: {state: call.Ended, reason: call.Abandoned},
	{"queued", "abandon"}:           {state: call.Ended, reason: call.Abandoned},
	{"queued", "fail"}:              {state: call.Ended, reason: call.Failed},
	{"queued", "move to q2"}: {state: call.Queued, check: func(t *testing.T, _, c *call.Call) {
		require.Equal(t, "q2", c.QueueID)
	}},

	{"ringing", "accept a1"}: {state: call.Connected, change: call.Change{Assignee: "a1"}, check: func(t *testing.T, _, c *call.Call) {
		require.Equal(t, "a1", c.AgentID)
		require.Equal(t, soon, c.ConnectedAt)
		require.True(t, c.Deadline.IsZero())
	}},
	{"ringing", "reject a1"}:         {state: call.Queued, change: call.Change{Refused: "a1", Released: "a1"}, check: refusedBy("a1")},
	{"ringing", "reject a1 late"}:    {state: call.Queued, change: call.Change{Refused: "a1", Released: "a1"}, check: refusedBy("a1")},
	{"ringing", "offer timed out"}:   {state: call.Queued, change: call.Change{Refused: "a1", Released: "a1"}, check: refusedBy("a1")},
	{"ringing", "customer hangs up"}: {state: call.Ended, reason: call.Abandoned, change: call.Change{Released: "a1"}},
	{"ringing", "abandon"}:           {state: call.Ended, reason: call.Abandoned, change: call.Change{Released: "a1"}},
	{"ringing", "fail"}:              {state: call.Ended, reason: call.Failed, change: call.Change{Released: "a1"}},
	{"ringing", "move to q2"}: {state: call.Queued, change: call.Change{Released: "a1"}, check: func(t *testing.T, _, c *call.Call) {
		require.Equal(t, "q2", c.QueueID)
		require.Empty(t, c.AgentID)
		require.Empty(t, c.Refused, "a withdrawn offer is no refusal")
	}},
	{"ringing", "move to q1"}: {state: call.Queued, change: call.Change{Released: "a1"}},

	{"dialing", "answer"}: {state: call.Connected, check: func(t *testing.T, _, c *call.Call) {
		require.Equal(t, "a1", c.AgentID)
		require.Equal(t, soon, c.ConnectedAt)
	}},
	{"dialing", "no answer"}:         {state: call.Ended, reason: call.NoAnswer, change: call.Change{Released: "a1"}},
	{"dialing", "dial timed out"}:    {state: call.Ended, reason: call.NoAnswer, change: call.Change{Released: "a1"}},
	{"dialing", "customer hangs up"}: {state: call.Ended, reason: call.NoAnswer, change: call.Change{Released: "a1"}},
	{"dialing", "agent hangs up"}:    {state: call.Ended, reason: call.AgentHangUp, change: call.Change{Released: "a1"}},
	{"dialing", "fail"}:              {state: call.Ended, reason: call.Failed, change: call.Change{Released: "a1"}},

	{"connected", "hold"}:              {state: call.Connected, check: func(t *testing.T, _, c *call.Call) { require.True(t, c.OnHold) }},
	{"connected", "customer hangs up"}: {state: call.Ended, reason: call.CustomerHangUp, change: call.Change{Released: "a1", WrapUp: "a1"}},
	{"connected", "agent hangs up"}:    {state: call.Ended, reason: call.AgentHangUp, change: call.Change{Released: "a1", WrapUp: "a1"}},
	{"connected", "fail"}:              {state: call.Ended, reason: call.Failed, change: call.Change{Released: "a1", WrapUp: "a1"}},

	{"held", "unhold"}:            {state: call.Connected, check: func(t *testing.T, _, c *call.Call) { require.False(t, c.OnHold) }},
	{"held", "customer hangs up"}: {state: call.Ended, reason: call.CustomerHangUp, change: call.Change{Released: "a1", WrapUp: "a1"}},
	{"held", "agent hangs up"}:    {state: call.Ended, reason: call.AgentHangUp, change: call.Change{Released: "a1", WrapUp: "a1"}},
	{"held", "fail"}:              {state: call.Ended, reason: call.Failed, change: call.Change{Released: "a1", WrapUp: "a1"}},
}

// forbidden is every pair refused as the wrong agent rather than the
// wrong state.
var forbidden = map[[2]string]bool{
	{"ringing", "accept a2"}: true,
	{"ringing", "reject a2"}: true,
}

func refusedBy(agent string) func(t *testing.T, before, after *call.Call) {
	return func(t *testing.T, before, after *call.Call) {
		require.Empty(t, after.AgentID)
		require.True(t, after.OfferedAt.IsZero())
		require.True(t, after.Deadline.IsZero())
		require.Equal(t, append(slices.Clone(before.Refused), agent), after.Refused)
	}
}

func TestTransitions(t *testing.T) {
	t.Parallel()
	calls := fixtures(t)
	names := make([]string, 0, len(ops))
	for name := range ops {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, from := range []string{"queued", "ringing", "dialing", "connected", "held", "ended"} {
		for _, name := range names {
			t.Run(from+"/"+name, func(t *testing.T) {
				t.Parallel()
				before := calls[from].Clone()
				kept := before.Clone()
				after, ch, err := ops[name](before)
				require.Equal(t, kept, before, "a transition never changes the call it is given")

				want, ok := allowed[[2]string{from, name}]
				if !ok {
					require.Error(t, err)
					require.Nil(t, after)
					require.Equal(t, call.Change{}, ch)
					if forbidden[[2]string{from, name}] {
						require.ErrorIs(t, err, fault.ErrForbidden)
						require.NotErrorIs(t, err, call.ErrState)
					} else {
						require.ErrorIs(t, err, call.ErrState)
						require.ErrorIs(t, err, fault.ErrConflict)
						var se *call.StateError
						require.ErrorAs(t, err, &se)
						require.Equal(t, before.State, se.State)
					}
					return
				}
				require.NoError(t, err)
				require.NoError(t, after.Validate())
				require.Equal(t, want.state, after.State)
				require.Equal(t, want.reason, after.EndReason)
				require.Equal(t, before.Version+1, after.Version)
				require.NotEqual(t, before.UpdatedAt, after.UpdatedAt)
				require.Equal(t, before.ID, after.ID)
				require.Equal(t, before.ConversationID, after.ConversationID)
				require.Equal(t, before.Direction, after.Direction)
				wantChange := want.change
				wantChange.From, wantChange.To = before.State, after.State
				require.Equal(t, wantChange, ch)
				if after.State == call.Ended {
					require.Equal(t, after.UpdatedAt, after.EndedAt)
					if before.State == call.Ringing {
						require.Empty(t, after.AgentID, "the agent it rang at never took it")
					} else {
						require.Equal(t, before.AgentID, after.AgentID, "kept for reporting")
					}
					require.False(t, after.OnHold)
					require.True(t, after.Deadline.IsZero())
				}
				if want.check != nil {
					want.check(t, before, after)
				}
			})
		}
	}
}

// ENDED is final: every transition on an ended call, whatever its reason,
// is refused.
func TestEndedIsFinal(t *testing.T) {
	t.Parallel()
	calls := fixtures(t)
	for from, name := range map[string]string{"queued": "abandon", "dialing": "no answer", "connected": "fail", "ringing": "customer hangs up"} {
		ended, _, err := ops[name](calls[from])
		require.NoError(t, err)
		for opName, o := range ops {
			_, _, err := o(ended)
			require.ErrorIs(t, err, call.ErrState, "%s after %s/%s", opName, from, name)
			require.ErrorContains(t, err, "the call is over")
		}
	}
}

func TestTransitionsRefuseBadInput(t *testing.T) {
	t.Parallel()
	calls := fixtures(t)
	_, _, err := calls["queued"].Offer("", soon, call.Timeouts{})
	requireField(t, err, "agentId")
	_, _, err = calls["queued"].Offer("a\x00", soon, call.Timeouts{})
	requireField(t, err, "agentId")
	_, _, err = calls["queued"].Offer("a2", soon, call.Timeouts{Inbound: 2})
	requireField(t, err, "inbound")
	_, _, err = calls["connected"].HangUp("NOBODY", soon)
	requireField(t, err, "side")
	_, _, err = calls["queued"].MoveToQueue("", soon)
	requireField(t, err, "queueId")
}

func TestOfferUsesTheInboundTimeout(t *testing.T) {
	t.Parallel()
	q := fixtures(t)["queued"]
	for _, secs := range []int{3, 17, 60} {
		r, ch, err := q.Offer("a1", soon, call.Timeouts{Inbound: secs})
		require.NoError(t, err)
		require.Equal(t, soon.Add(time.Duration(secs)*time.Second), r.Deadline)
		require.Equal(t, r.Deadline, ch.Offer.ExpiresAt)
	}
}

// The deadline boundary: an offer or a dialing call answers up to one
// nanosecond before its deadline and times out from the deadline on.
func TestDeadlineBoundary(t *testing.T) {
	t.Parallel()
	calls := fixtures(t)
	ringing, dialing := calls["ringing"], calls["dialing"]
	for _, c := range []*call.Call{ringing, dialing} {
		just := c.Deadline.Add(-time.Nanosecond)
		require.False(t, c.Expired(just))
		require.True(t, c.Expired(c.Deadline))
	}

	_, _, err := ringing.Accept("a1", ringing.Deadline.Add(-time.Nanosecond))
	require.NoError(t, err)
	_, _, err = ringing.Accept("a1", ringing.Deadline)
	require.ErrorIs(t, err, call.ErrState)
	_, _, err = ringing.OfferTimedOut(ringing.Deadline.Add(-time.Nanosecond))
	require.ErrorIs(t, err, call.ErrState)
	_, _, err = ringing.OfferTimedOut(ringing.Deadline)
	require.NoError(t, err)

	_, _, err = dialing.Answer(dialing.Deadline.Add(-time.Nanosecond))
	require.NoError(t, err)
	_, _, err = dialing.Answer(dialing.Deadline)
	require.ErrorIs(t, err, call.ErrState)
	_, _, err = dialing.DialTimedOut(dialing.Deadline.Add(-time.Nanosecond))
	require.ErrorIs(t, err, call.ErrState)
	_, _, err = dialing.DialTimedOut(dialing.Deadline)
	require.NoError(t, err)

	for _, name := range []string{"queued", "connected", "ended"} {
		require.False(t, calls[name].Expired(late), name)
	}
}

func TestCurrentOffer(t *testing.T) {
	t.Parallel()
	calls := fixtures(t)
	o, ok := calls["ringing"].CurrentOffer()
	require.True(t, ok)
	require.Equal(t, call.Offer{CallID: "call-1", AgentID: "a1", OfferedAt: at(1), ExpiresAt: at(31)}, o)
	require.False(t, o.Expired(at(31).Add(-time.Nanosecond)))
	require.True(t, o.Expired(at(31)))
	for _, name := range []string{"queued", "dialing", "connected", "held", "ended"} {
		_, ok := calls[name].CurrentOffer()
		require.False(t, ok, name)
	}
}

func TestOfferRefusesARefuser(t *testing.T) {
	t.Parallel()
	r := fixtures(t)["ringing"]
	q, _, err := r.Reject("a1", soon)
	require.NoError(t, err)
	_, _, err = q.Offer("a1", soon, call.Timeouts{})
	require.ErrorIs(t, err, call.ErrState)
	require.ErrorContains(t, err, `agent "a1" refused this call`)
	_, _, err = q.Offer("a2", soon, call.Timeouts{})
	require.NoError(t, err)
}

func TestStateErrorText(t *testing.T) {
	t.Parallel()
	_, _, err := fixtures(t)["queued"].Hold(soon)
	require.EqualError(t, err, "cannot hold (the call is QUEUED): only a CONNECTED call can")
	_, _, err = fixtures(t)["connected"].Abandon(soon)
	require.EqualError(t, err, "cannot abandon (the call is CONNECTED): only a QUEUED or RINGING call can")
	_, _, err = fixtures(t)["held"].Fail(soon)
	require.NoError(t, err)
	_, _, err = fixtures(t)["ended"].HangUp(call.Agent, soon)
	require.EqualError(t, err, "cannot hang up (the call is ENDED): the call is over")
}
