package call_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
)

// An agent transfers its call to a colleague, who lets it ring out: the
// call comes back. A transfer to an agent who is away is refused.
func ExampleCall_TransferToAgent() {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	presence := func(id string, s routing.AgentStatus) routing.Presence {
		return routing.Presence{Agent: &routing.Agent{ID: id, Status: s}, LastHeartbeat: now}
	}
	var hb routing.HeartbeatPolicy
	var timeouts call.Timeouts

	c, _ := call.NewInbound(call.Call{ConversationID: "conv-1", From: "+385991234567", To: "+38510000000", QueueID: "support"}, "call-1", now)
	c, _, _ = c.Offer("ana", now, timeouts)
	c, _, _ = c.Accept("ana", now.Add(5*time.Second))

	_, _, err := c.TransferToAgent(presence("cid", routing.Away), hb, now.Add(time.Minute), timeouts)
	fmt.Println(errors.Is(err, call.ErrNotAvailable), errors.Is(err, fault.ErrConflict))

	c, ch, _ := c.TransferToAgent(presence("ben", routing.Active), hb, now.Add(time.Minute), timeouts)
	fmt.Println("ringing at", ch.Offer.AgentID, "until", ch.Offer.ExpiresAt.Format(time.TimeOnly), "while", c.AgentID, "keeps the call")

	c, ch, _ = c.TransferTimedOut(ch.Offer.ExpiresAt)
	fmt.Println("returned:", ch.Returned, "to", c.AgentID)
	// Output:
	// true true
	// ringing at ben until 09:01:30 while ana keeps the call
	// returned: true to ana
}
