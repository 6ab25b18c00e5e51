package waiting_test

import (
	"fmt"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/waiting"
)

func ExampleStrategy_AtMaximumWait() {
	s := strategy() // five minutes, an announcement every minute
	c := &call.Call{ID: "call-1", ConversationID: "conv-1", Direction: call.Inbound, QueueID: "q1",
		From: "385991", To: "123456789", ClientType: call.PSTN}
	q := &routing.Queue{ID: "q1", OverflowQueueID: "q2"}

	s = waiting.Select([]*waiting.Strategy{s}, c, q)
	plan := s.Plan(t0)
	fmt.Println(plan.Prompts[0].Kind, "then", plan.Prompts[1].Kind)
	for at, ok := plan.NextAnnouncement, true; ok; at, ok = s.NextAnnouncement(t0, at) {
		fmt.Println("announce after", at.Sub(t0))
	}
	d := s.AtMaximumWait(c, q, plan.MaximumWaitAt)
	fmt.Println(d.Prompts[0].Kind, "then overflow to", d.OverflowQueueID)
	// Output:
	// GREETING_MESSAGE then MUSIC_ON_HOLD
	// announce after 1m0s
	// announce after 2m0s
	// announce after 3m0s
	// announce after 4m0s
	// MAXIMUM_WAIT_TIME_MESSAGE then overflow to q2
}
