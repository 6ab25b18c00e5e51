package call_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
)

// steps decodes fuzz input into (operation, argument, seconds to wait)
// triples; a short tail is dropped.
func steps(data []byte) [][3]int {
	var out [][3]int
	for i := 0; i+2 < len(data); i += 3 {
		out = append(out, [3]int{int(data[i]), int(data[i+1]), int(data[i+2]) % 40})
	}
	return out
}

var fuzzAgents = []string{"a1", "a2", "a3"}

// apply runs operation op (taken modulo the number of operations) on c at
// now, with arg choosing an agent or a side; it names the operation.
func apply(c *call.Call, op, arg int, now time.Time, candidates []routing.Presence) (string, *call.Call, call.Change, error) {
	agent := fuzzAgents[arg%len(fuzzAgents)]
	side := call.Customer
	if arg%2 == 1 {
		side = call.Agent
	}
	switch op % 16 {
	case 0:
		n, ch, err := c.Offer(agent, now, call.Timeouts{Inbound: 3 + arg%58})
		return "offer " + agent, n, ch, err
	case 1:
		n, ch, err := c.OfferNext(q1, candidates, hb, now, call.Timeouts{})
		return "offer next", n, ch, err
	case 2:
		n, ch, err := c.Accept(agent, now)
		return "accept " + agent, n, ch, err
	case 3:
		n, ch, err := c.Reject(agent, now)
		return "reject " + agent, n, ch, err
	case 4:
		n, ch, err := c.OfferTimedOut(now)
		return "offer timed out", n, ch, err
	case 5:
		n, ch, err := c.Answer(now)
		return "answer", n, ch, err
	case 6:
		n, ch, err := c.NoAnswer(now)
		return "no answer", n, ch, err
	case 7:
		n, ch, err := c.DialTimedOut(now)
		return "dial timed out", n, ch, err
	case 8:
		n, ch, err := c.Hold(now)
		return "hold", n, ch, err
	case 9:
		n, ch, err := c.Unhold(now)
		return "unhold", n, ch, err
	case 10:
		n, ch, err := c.HangUp(side, now)
		return "hang up " + string(side), n, ch, err
	case 11:
		n, ch, err := c.Abandon(now)
		return "abandon", n, ch, err
	case 12:
		n, ch, err := c.Fail(now)
		return "fail", n, ch, err
	case 13:
		n, ch, err := c.MoveToQueue(fmt.Sprintf("q%d", 1+arg%2), now)
		return "move", n, ch, err
	case 14:
		n, ch, err := c.NewRound(now)
		return "new round", n, ch, err
	default:
		n, ch, err := c.HangUp(call.Side(fmt.Sprint(arg)), now)
		return "hang up nobody", n, ch, err
	}
}

// checkCall asserts the invariants of the package doc on c.
func checkCall(t *testing.T, c *call.Call) {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatalf("invalid call %+v: %v", c, err)
	}
	switch {
	case c.State.Live() && c.AgentID == "", c.State == call.Queued && c.AgentID != "":
		t.Fatalf("%s call with agent %q: a live call has exactly one agent, a queued one none", c.State, c.AgentID)
	case c.State == call.Ended && c.AgentID != "" && c.Direction == call.Inbound && c.ConnectedAt.IsZero():
		t.Fatalf("ended call with agent %q that never connected", c.AgentID)
	}
	if c.OnHold && c.State != call.Connected {
		t.Fatalf("on hold while %s", c.State)
	}
	if (c.State == call.Ended) != c.EndReason.Valid() {
		t.Fatalf("%s call with end reason %q", c.State, c.EndReason)
	}
}

// FuzzStateMachine drives one call through random operations at random
// times. Whatever the sequence, nothing panics, every refusal is one of
// the documented errors and changes nothing, every success keeps the
// invariants and bumps the version, and ENDED stays ENDED.
func FuzzStateMachine(f *testing.F) {
	f.Add(false, []byte{1, 0, 1, 2, 0, 1, 8, 0, 1, 9, 0, 1, 10, 0, 1})
	f.Add(true, []byte{5, 0, 3, 8, 0, 1, 10, 1, 1, 2, 0, 1})
	f.Add(false, []byte{0, 0, 0, 3, 0, 0, 1, 1, 0, 4, 0, 39, 1, 0, 0, 14, 0, 0})
	f.Add(true, []byte{7, 0, 39, 7, 0, 39, 5, 0, 0})
	f.Fuzz(func(t *testing.T, outbound bool, data []byte) {
		var c *call.Call
		var err error
		if outbound {
			in := call.Call{ConversationID: "conv", From: "1", To: "2", AgentID: "a1"}
			c, err = call.NewOutbound(in, "call", t0, call.Timeouts{})
		} else {
			c, err = call.NewInbound(inbound(), "call", t0)
		}
		if err != nil {
			t.Fatal(err)
		}
		checkCall(t, c)
		now := t0
		candidates := []routing.Presence{ready("a1"), ready("a2"), ready("a3")}
		for _, s := range steps(data) {
			now = now.Add(time.Duration(s[2]) * time.Second)
			for i := range candidates {
				candidates[i].LastHeartbeat = now
			}
			before := c.Clone()
			name, n, _, err := apply(c, s[0], s[1], now, candidates)
			if !reflect.DeepEqual(before, c) {
				t.Fatalf("%s changed the call it was given", name)
			}
			if err != nil {
				if n != nil {
					t.Fatalf("%s: refused but returned a call", name)
				}
				if !errors.Is(err, call.ErrState) && !errors.Is(err, fault.ErrForbidden) &&
					!errors.Is(err, fault.ErrInvalid) && !errors.Is(err, call.ErrNoAgent) {
					t.Fatalf("%s: undocumented error %v", name, err)
				}
				if c.State == call.Ended && !errors.Is(err, call.ErrState) && !errors.Is(err, fault.ErrInvalid) {
					t.Fatalf("%s on an ENDED call: %v", name, err)
				}
				continue
			}
			if c.State == call.Ended {
				t.Fatalf("%s succeeded on an ENDED call", name)
			}
			checkCall(t, n)
			if n.Version != c.Version+1 || !n.UpdatedAt.Equal(now) {
				t.Fatalf("%s: version %d→%d, updated %s at %s", name, c.Version, n.Version, n.UpdatedAt, now)
			}
			if n.Direction != c.Direction || n.ID != c.ID || n.ConversationID != c.ConversationID || !n.CreatedAt.Equal(c.CreatedAt) {
				t.Fatalf("%s changed what a call never changes", name)
			}
			c = n
		}
	})
}

// FuzzCallCentre runs several calls and three agents of one queue through
// random operations, as a service would: offers only through OfferNext
// over the agents' presence, outbound calls only after CheckOutbound, and
// wrap-up started from the changes. Whatever the sequence, no agent ever
// has two live calls, no agent in wrap-up is offered a call, and no call
// goes straight back to an agent that refused it.
func FuzzCallCentre(f *testing.F) {
	f.Add([]byte{0, 0, 1, 1, 0, 1, 2, 0, 1, 16, 1, 1, 0, 0, 1, 1, 1, 1, 3, 1, 1})
	f.Add([]byte{16, 0, 0, 16, 0, 0, 0, 0, 0, 1, 0, 0, 10, 0, 5, 1, 1, 39})
	f.Fuzz(func(t *testing.T, data []byte) {
		wrapUp := map[string]call.WrapUp{}
		var calls []*call.Call
		now := t0
		presence := func() []routing.Presence {
			var out []routing.Presence
			for _, id := range fuzzAgents {
				p := ready(id)
				p.LastHeartbeat = now
				p.Agent.WrapUpUntil = wrapUp[id].End
				for _, c := range calls {
					if c.State.Live() && c.AgentID == id {
						p.OnCall = true
					}
				}
				out = append(out, p)
			}
			return out
		}
		for i, s := range steps(data) {
			now = now.Add(time.Duration(s[2]) * time.Second)
			ps := presence()
			switch {
			case s[0]%17 == 16 && len(calls) < 8: // a new call
				var c *call.Call
				var err error
				if s[1]%2 == 0 {
					c, err = call.NewInbound(inbound(), fmt.Sprint("call-", i), now)
				} else {
					p := ps[s[1]%len(ps)]
					if call.CheckOutbound(p) != nil {
						continue
					}
					in := call.Call{ConversationID: "conv", From: "1", To: "2", AgentID: p.Agent.ID}
					c, err = call.NewOutbound(in, fmt.Sprint("call-", i), now, call.Timeouts{})
				}
				if err != nil {
					t.Fatal(err)
				}
				calls = append(calls, c)
			case len(calls) > 0:
				k := s[1] % len(calls)
				op := s[0] % 16
				if op == 0 {
					op = 1 // offers go through OfferNext only
				}
				arg := s[1] / len(calls)
				if op == 2 || op == 3 {
					// Accept and reject as the ringing agent, mostly.
					if c := calls[k]; c.AgentID != "" && arg%4 != 0 {
						arg = indexOf(c.AgentID)
					}
				}
				_, n, ch, err := apply(calls[k], op, arg, now, ps)
				if err != nil {
					continue
				}
				if ch.Offer != nil {
					agent, refused := ch.Offer.AgentID, calls[k].Refused
					if wrapUp[agent].Active(now) {
						t.Fatalf("offered to %s in wrap-up", agent)
					}
					if !ch.NewRound && slices.Contains(refused, agent) {
						t.Fatalf("offered to %s, which refused it in this round %v", agent, refused)
					}
					if ch.NewRound && (len(refused) < 2 || refused[len(refused)-1] == agent) {
						t.Fatalf("new round %v offered straight back to %s", refused, agent)
					}
				}
				if ch.WrapUp != "" {
					wrapUp[ch.WrapUp] = call.StartWrapUp(call.DefaultWrapUpConfig(), nil, now, wrapUp[ch.WrapUp])
				}
				calls[k] = n
			}
			live := map[string]string{}
			for _, c := range calls {
				checkCall(t, c)
				if !c.State.Live() {
					continue
				}
				if other, ok := live[c.AgentID]; ok {
					t.Fatalf("agent %s has two live calls: %s and %s", c.AgentID, other, c.ID)
				}
				live[c.AgentID] = c.ID
			}
		}
	})
}

func indexOf(agent string) int {
	for i, a := range fuzzAgents {
		if a == agent {
			return i
		}
	}
	return 0
}
