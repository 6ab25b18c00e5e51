package routing

import "github.com/parleyhq/parley/conversation"

// Effects is what a change of a conversation means for routing beyond the
// change itself. Each field names the agent or queue concerned, or is ""
// when the change calls for nothing of the kind.
type Effects struct {
	// Assigned is the agent the change gave the conversation to. The
	// change's time becomes its LastAssignedAt, which the strategies order
	// by.
	Assigned string
	// WrapUp is the assignee of the conversation the change closed: its
	// wrap-up starts (Agent.WrapUpAfterClose).
	WrapUp string
	// Loaded is the agent whose load the change raised (see CountsAsLoad):
	// an assignment, or a reopening of a conversation assigned to it. The
	// change holds the agent as automatic assignment does, so that the two
	// never interleave: an automatic assignment either sees the raised load
	// or commits before the change.
	Loaded string
	// Freed is the agent whose load the change lowered (see CountsAsLoad):
	// it may have room for a waiting conversation now.
	Freed string
	// Queue is the queue the conversation started waiting in (see
	// Waiting): an agent of it may take the conversation now.
	Queue string
}

// EffectsOf returns the Effects of a change of a conversation from before
// to after. A new conversation changes from the zero Conversation, and a
// deleted one to it. Both must be non-nil.
func EffectsOf(before, after *conversation.Conversation) Effects {
	var e Effects
	if after.Assigned() && after.AgentID != before.AgentID {
		e.Assigned = after.AgentID
	}
	if after.Assigned() && after.Status == conversation.Closed && before.Status != conversation.Closed {
		e.WrapUp = after.AgentID
	}
	if CountsAsLoad(after) && !(after.AgentID == before.AgentID && CountsAsLoad(before)) {
		e.Loaded = after.AgentID
	}
	if CountsAsLoad(before) && !(after.AgentID == before.AgentID && CountsAsLoad(after)) {
		e.Freed = before.AgentID
	}
	if Waiting(after) && (!Waiting(before) || before.QueueID != after.QueueID) {
		e.Queue = after.QueueID
	}
	return e
}
