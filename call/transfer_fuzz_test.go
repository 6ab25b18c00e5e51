package call_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/schedule"
)

// FuzzTransfers drives a connected call through random transfer
// operations at random times. Whatever the sequence, nothing panics, a
// refusal is a documented error and changes nothing, every success keeps
// the invariants, the call is connected to one agent at a time, a
// transfer nobody answers gives it back to the agent who made it, and no
// call is transferred more than MaxTransfers times.
func FuzzTransfers(f *testing.F) {
	f.Add([]byte{0, 1, 1, 4, 1, 1, 1, 2, 1, 3, 0, 1, 2, 0, 39, 6, 0, 1})
	f.Add([]byte{2, 0, 1, 7, 0, 1, 8, 1, 39, 3, 2, 1})
	f.Add([]byte{1, 0, 1, 5, 0, 1, 4, 2, 1, 0, 2, 1, 9, 0, 1})
	agents := []string{"a1", "a2", "a3", "a4"}
	q2 := &routing.Queue{ID: "q2", Name: "Sales", AutoAssignment: true}
	var candidates []routing.Presence
	for _, id := range agents {
		p := ready(id)
		p.Agent.Queues = []string{"q1", "q2"}
		candidates = append(candidates, p)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		queued, err := call.NewInbound(inbound(), "call", t0)
		if err != nil {
			t.Fatal(err)
		}
		ringing, _, err := queued.Offer("a1", t0, call.Timeouts{})
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := ringing.Accept("a1", t0)
		if err != nil {
			t.Fatal(err)
		}
		now := t0
		for _, s := range steps(data) {
			now = now.Add(time.Duration(s[2]) * time.Second)
			agent := agents[s[1]%len(agents)]
			before := c.Clone()
			var n *call.Call
			var ch call.Change
			var op string
			// Heartbeats are fresh: the presences are rebuilt for now.
			fresh := make([]routing.Presence, len(candidates))
			for i, p := range candidates {
				p.LastHeartbeat = now.Add(-time.Second)
				p.OnCall = c.Occupies(p.Agent.ID)
				fresh[i] = p
			}
			switch s[0] % 10 {
			case 0:
				op = "transfer to agent"
				n, ch, err = c.TransferToAgent(fresh[s[1]%len(fresh)], hb, now, call.Timeouts{})
			case 1:
				op = "transfer to queue"
				n, ch, err = c.TransferToQueue(q2, schedule.Inside, now)
			case 2:
				op = "transfer to number"
				n, ch, err = c.TransferToExternalNumber("41792036727", "41793026834", call.DefaultExternalTransferConfig(), nil, now, call.Timeouts{})
			case 3:
				op = "accept"
				n, ch, err = c.AcceptTransfer(agent, now)
			case 4:
				op = "reject"
				n, ch, err = c.RejectTransfer(agent, now)
			case 5:
				op = "offer next"
				next := call.NextTransferAgent(c, q2, fresh, hb, now)
				if next == "" {
					next = agent
				}
				n, ch, err = c.OfferTransfer(next, now, call.Timeouts{})
			case 6:
				op = "time out"
				n, ch, err = c.TransferTimedOut(now)
			case 7:
				op = "return"
				n, ch, err = c.ReturnTransfer(now)
			case 8:
				op = "answer"
				n, ch, err = c.AnswerTransfer(now)
			case 9:
				op = "hold or unhold"
				if c.OnHold {
					n, ch, err = c.Unhold(now)
				} else {
					n, ch, err = c.Hold(now)
				}
			}
			if !reflect.DeepEqual(before, c) {
				t.Fatalf("%s changed the call it was asked of", op)
			}
			if err != nil {
				if n != nil {
					t.Fatalf("%s refused but returned a call", op)
				}
				if !errors.Is(err, fault.ErrConflict) && !errors.Is(err, fault.ErrInvalid) &&
					!errors.Is(err, fault.ErrForbidden) && !errors.Is(err, fault.ErrNotFound) && !errors.Is(err, fault.ErrPrecondition) {
					t.Fatalf("%s: undocumented error %v", op, err)
				}
				continue
			}
			checkCall(t, n)
			if n.Version != c.Version+1 {
				t.Fatalf("%s did not bump the version", op)
			}
			if n.Transfers > call.MaxTransfers || n.Transfers < c.Transfers {
				t.Fatalf("%s: %d transfers after %d", op, n.Transfers, c.Transfers)
			}
			if ch.Returned && (n.AgentID != c.Transfer.From || n.Transfer != nil || n.State != call.Connected) {
				t.Fatalf("%s returned the call to %q, not to %q", op, n.AgentID, c.Transfer.From)
			}
			if ch.Assignee != "" && (n.AgentID != ch.Assignee || ch.WrapUp != c.AgentID) {
				t.Fatalf("%s assigned %q but the call is %q's", op, ch.Assignee, n.AgentID)
			}
			if n.Transfer != nil && n.Transfer.AgentID != "" && n.Transfer.AgentID == n.AgentID {
				t.Fatalf("%s: a transfer rings at the agent on the call", op)
			}
			c = n
			if c.State == call.Ended {
				if c.EndReason != call.Transferred {
					t.Fatalf("ended with %s", c.EndReason)
				}
				return
			}
		}
	})
}
