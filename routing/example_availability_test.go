package routing_test

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/routing"
)

// An agent's chosen status and its derived availability part ways when the
// system knows better: a call, a full load, a lapsed heartbeat.
func ExampleAvailabilityOf() {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	var hb routing.HeartbeatPolicy // two minutes
	agent := &routing.Agent{ID: "ana", Status: routing.Active, Capacity: 2}

	show := func(what string, p routing.Presence) {
		a := routing.AvailabilityOf(p, hb, now)
		fmt.Printf("%-16s %-6s conversations:%q calls:%q\n", what, a.Status, a.Conversations, a.Calls)
	}
	show("ready", routing.Presence{Agent: agent, LastHeartbeat: now.Add(-time.Minute)})
	show("on a call", routing.Presence{Agent: agent, OnCall: true, LastHeartbeat: now})
	show("two chats", routing.Presence{Agent: agent, Load: 2, LastHeartbeat: now})
	show("heartbeat lapsed", routing.Presence{Agent: agent, LastHeartbeat: now.Add(-2 * time.Minute)})
	show("no heartbeat yet", routing.Presence{Agent: agent})
	// Output:
	// ready            ACTIVE conversations:"" calls:""
	// on a call        BUSY   conversations:"ON_CALL" calls:"ON_CALL"
	// two chats        BUSY   conversations:"AT_CAPACITY" calls:""
	// heartbeat lapsed AWAY   conversations:"NO_HEARTBEAT" calls:"NO_HEARTBEAT"
	// no heartbeat yet ACTIVE conversations:"" calls:"NO_HEARTBEAT"
}
