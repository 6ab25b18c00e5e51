package call_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/routing"
)

// An inbound call waits in its queue, rings at one agent, is refused, rings
// at the next, connects, is held and released, and ends; the agent's
// wrap-up starts when it ends.
func Example() {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	support := &routing.Queue{ID: "support"}
	agent := func(id string) routing.Presence {
		return routing.Presence{
			Agent:         &routing.Agent{ID: id, Status: routing.Active, Queues: []string{"support"}},
			LastHeartbeat: now,
		}
	}
	agents := []routing.Presence{agent("ana"), agent("ben")}
	var hb routing.HeartbeatPolicy // the default: two minutes
	var timeouts call.Timeouts     // the defaults: 30 s inbound, 45 s outbound

	c, _ := call.NewInbound(call.Call{ConversationID: "conv-1", From: "+385991234567", To: "+38510000000", QueueID: "support"}, "call-1", now)
	fmt.Println(c.State)

	c, ch, _ := c.OfferNext(support, agents, hb, now, timeouts)
	fmt.Println(c.State, "at", ch.Offer.AgentID, "until", ch.Offer.ExpiresAt.Format(time.TimeOnly))

	c, ch, _ = c.Reject("ana", now.Add(5*time.Second))
	fmt.Println(c.State, "refused by", ch.Refused)

	c, ch, _ = c.OfferNext(support, agents, hb, now.Add(5*time.Second), timeouts)
	fmt.Println(c.State, "at", ch.Offer.AgentID)

	c, ch, _ = c.Accept("ben", now.Add(8*time.Second))
	fmt.Println(c.State, "assign the conversation to", ch.Assignee)

	c, _, _ = c.Hold(now.Add(60 * time.Second))
	fmt.Println(c.State, "on hold:", c.OnHold)
	c, _, _ = c.Unhold(now.Add(90 * time.Second))

	_, _, err := c.Abandon(now.Add(100 * time.Second))
	fmt.Println(errors.Is(err, call.ErrState), err)

	c, ch, _ = c.HangUp(call.Customer, now.Add(120*time.Second))
	fmt.Println(c.State, c.EndReason, "wrap-up for", ch.WrapUp)

	w := call.StartWrapUp(call.DefaultWrapUpConfig(), nil, c.EndedAt, call.WrapUp{})
	fmt.Println("wrap-up until", w.End.Format(time.TimeOnly))
	// Output:
	// QUEUED
	// RINGING at ana until 09:00:30
	// QUEUED refused by ana
	// RINGING at ben
	// CONNECTED assign the conversation to ben
	// CONNECTED on hold: true
	// true cannot abandon (the call is CONNECTED): only a QUEUED or RINGING call can
	// ENDED CUSTOMER_HANGUP wrap-up for ben
	// wrap-up until 09:02:30
}

// An outbound call dials the customer for the outbound timeout; unanswered,
// it ends with NO_ANSWER and leaves nothing to wrap up.
func ExampleNewOutbound() {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	c, err := call.NewOutbound(call.Call{
		ConversationID: "conv-2", From: "385998779621", To: "38761123123", AgentID: "ana", ClientType: call.PSTN,
	}, "call-2", now, call.Timeouts{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.State, "until", c.Deadline.Format(time.TimeOnly))

	_, _, err = c.DialTimedOut(now.Add(44 * time.Second))
	fmt.Println(err != nil)

	c, ch, _ := c.DialTimedOut(now.Add(45 * time.Second))
	fmt.Printf("%s %s wrap-up for %q\n", c.State, c.EndReason, ch.WrapUp)
	// Output:
	// DIALING until 09:00:45
	// true
	// ENDED NO_ANSWER wrap-up for ""
}

// When every agent that could take a call has refused it, a new round
// starts, but not with the agent that refused last.
func ExampleNext() {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	q := &routing.Queue{ID: "support", Members: []string{"ana", "ben"}}
	agents := []routing.Presence{
		{Agent: &routing.Agent{ID: "ana", Status: routing.Active}, LastHeartbeat: now},
		{Agent: &routing.Agent{ID: "ben", Status: routing.Active}, LastHeartbeat: now},
	}
	c, _ := call.NewInbound(call.Call{ConversationID: "conv-1", From: "1", To: "2", QueueID: "support"}, "call-1", now)
	c.Refused = []string{"ben", "ana"}

	id, newRound := call.Next(c, q, agents, routing.HeartbeatPolicy{}, now)
	fmt.Println(id, newRound)
	// Output:
	// ben true
}

// An agent extends a running wrap-up, then clears it.
func ExampleWrapUp_Extend() {
	ended := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	cfg := call.DefaultWrapUpConfig()
	w := call.StartWrapUp(cfg, nil, ended, call.WrapUp{})
	fmt.Println("until", w.End.Format(time.TimeOnly))

	w, _ = w.Extend(cfg, 60, ended.Add(10*time.Second))
	fmt.Println("until", w.End.Format(time.TimeOnly))

	_, err := w.Extend(cfg, 0, ended.Add(20*time.Second))
	fmt.Println(err)

	w, cleared := w.Clear(ended.Add(20 * time.Second))
	fmt.Println(cleared, w.Active(ended.Add(20*time.Second)))

	_, err = w.Extend(cfg, 60, ended.Add(30*time.Second))
	fmt.Println(err)
	// Output:
	// until 09:00:30
	// until 09:01:30
	// invalid seconds: must be between 1 and 86400
	// true false
	// cannot extend wrap-up: the agent is not wrapping up
}

// Ring timeouts: 0 stands for Infobip's defaults.
func ExampleTimeouts() {
	t := call.Timeouts{Inbound: 20}
	fmt.Println(t.Validate(), t.Resolved())
	fmt.Println(call.Timeouts{Outbound: 90}.Validate())
	// Output:
	// <nil> {20 45}
	// invalid outbound: must be between 3 and 60
}
