package wallboard_test

import (
	"fmt"

	"github.com/parleyhq/parley/wallboard"
)

func ExampleBoard() {
	var b wallboard.Board
	b.SetWaiting(wallboard.Waiting{Kind: wallboard.Call, ID: "call-1", QueueID: "support", Since: sec(0)})
	b.SetWaiting(wallboard.Waiting{Kind: wallboard.Conversation, ID: "conv-1", QueueID: "support", Since: sec(30)})
	b.SetAgent(wallboard.Agent{ID: "ana", Queues: []string{"support"}, Presence: wallboard.OnCall})

	s := b.Stats("support")
	fmt.Println(s.WaitingCalls, "call and", s.WaitingConversations, "conversation waiting, the oldest for", s.OldestWait(sec(90)))
	fmt.Println(s.AgentsAvailable, "available,", s.AgentsOnCall, "on a call")
	// Output:
	// 1 call and 1 conversation waiting, the oldest for 1m30s
	// 0 available, 1 on a call
}
