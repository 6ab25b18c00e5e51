package wallboard

import (
	"time"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// ConversationWaiting is the waiting state of conversation c: in its queue
// when it is unassigned and OPEN or WAITING, in none otherwise. since is
// used only when it starts waiting in a queue (the time of the change).
func ConversationWaiting(c *conversation.Conversation, since time.Time) Waiting {
	w := Waiting{Kind: Conversation, ID: c.ID, Since: since}
	if !c.Assigned() && c.Status.InProgress() {
		w.QueueID = c.QueueID
	}
	return w
}

// CallWaiting is the waiting state of call c: in its queue when QUEUED or
// RINGING, in none otherwise.
func CallWaiting(c *call.Call, since time.Time) Waiting {
	w := Waiting{Kind: Call, ID: c.ID, Since: since}
	if c.State == call.Queued || c.State == call.Ringing {
		w.QueueID = c.QueueID
	}
	return w
}

// AgentOf is the board's view of the agent of presence p at now: on a
// call when it has one, in wrap-up when it wraps up, available when it
// may be offered a call (routing.AvailabilityOf), other otherwise; a
// disabled agent is other whatever it does.
func AgentOf(p routing.Presence, hb routing.HeartbeatPolicy, now time.Time) Agent {
	a := p.Agent
	if a == nil {
		return Agent{Presence: Other}
	}
	out := Agent{ID: a.ID, Queues: a.Queues, Presence: Other}
	switch {
	case a.Disabled:
	case p.OnCall:
		out.Presence = OnCall
	case a.InWrapUp(now):
		out.Presence = WrapUp
	case routing.AvailabilityOf(p, hb, now).Calls == "":
		out.Presence = Available
	}
	return out
}
