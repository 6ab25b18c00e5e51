package storage

import (
	"encoding/json"
	"time"
)

// EventType names what happened.
type EventType string

// The event types.
const (
	ConversationCreated       EventType = "conversation.created"
	ConversationUpdated       EventType = "conversation.updated"
	ConversationStatusChanged EventType = "conversation.status_changed"
	ConversationAssigned      EventType = "conversation.assigned"
	ConversationUnassigned    EventType = "conversation.unassigned"
	ConversationRouted        EventType = "conversation.routed"
	ConversationTransferred   EventType = "conversation.transferred"
	ConversationTagged        EventType = "conversation.tagged"
	ConversationUntagged      EventType = "conversation.untagged"
	ConversationClosed        EventType = "conversation.closed"
	ConversationDeleted       EventType = "conversation.deleted"
	MessageCreated            EventType = "message.created"
	AgentCreated              EventType = "agent.created"
	AgentUpdated              EventType = "agent.updated"
	QueueCreated              EventType = "queue.created"
	QueueUpdated              EventType = "queue.updated"
	QueueMemberAdded          EventType = "queue.member_added"
	QueueMemberRemoved        EventType = "queue.member_removed"
	TagCreated                EventType = "tag.created"
	TagDeleted                EventType = "tag.deleted"
	RoutingRulesReplaced      EventType = "routing.rules_replaced"
	CustomerCreated           EventType = "customer.created"
	CustomerUpdated           EventType = "customer.updated"
	CustomerDeleted           EventType = "customer.deleted"

	CallCreated        EventType = "call.created"         // a call arrived (inbound) or was placed (outbound)
	CallOffered        EventType = "call.offered"         // an inbound call started ringing at an agent
	CallOfferRejected  EventType = "call.offer_rejected"  // the agent rejected the offer
	CallOfferTimedOut  EventType = "call.offer_timed_out" // the offer rang out
	CallConnected      EventType = "call.connected"       // an agent accepted, or the customer answered
	CallHeld           EventType = "call.held"            // the customer was put on hold
	CallUnheld         EventType = "call.unheld"          // the customer was taken off hold
	CallRequeued       EventType = "call.requeued"        // the call moved to another queue, or started a new round
	CallEnded          EventType = "call.ended"           // the call ended, with its reason
	AgentLapsed        EventType = "agent.heartbeat_lapsed"
	AgentReturned      EventType = "agent.heartbeat_resumed"
	AgentWrapUpStarted EventType = "agent.wrap_up_started"
	AgentWrapUpChanged EventType = "agent.wrap_up_changed" // extended or cleared
	SettingsUpdated    EventType = "settings.updated"      // call timeouts or the wrap-up config changed

	WorkingHoursCreated EventType = "working_hours.created"
	WorkingHoursUpdated EventType = "working_hours.updated"
	WorkingHoursDeleted EventType = "working_hours.deleted"
)

// Change is one changed field: its wire name and its JSON values before and
// after. A field that did not exist before (or no longer exists) has a nil
// Before (or After).
type Change struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// Event is one entry of the store-wide event log, appended in the same
// transaction as the change it records.
type Event struct {
	Seq            int64 // store-wide, increasing in the order events become visible; set on the appended event once its transaction has committed (0 until then, or if it could not be read back)
	Type           EventType
	ConversationID string // the conversation concerned, "" for events about no conversation
	EntityID       string // what the event is about: a conversation, message, agent, queue or customer id, or a tag name
	Actor          string // the agent id of the actor, "" when none
	At             time.Time
	Changes        []Change
}

// Clone returns a deep copy. The copies of the changes' values share one
// buffer, each with its capacity cut to its length, so that appending to
// one never writes into another.
func (e *Event) Clone() *Event {
	if e == nil {
		return nil
	}
	cp := *e
	if e.Changes == nil {
		return &cp
	}
	size := 0
	for _, c := range e.Changes {
		size += len(c.Before) + len(c.After)
	}
	buf := make([]byte, 0, size)
	clone := func(v json.RawMessage) json.RawMessage {
		if v == nil {
			return nil
		}
		start := len(buf)
		buf = append(buf, v...)
		return buf[start:len(buf):len(buf)]
	}
	cp.Changes = make([]Change, len(e.Changes))
	for i, c := range e.Changes {
		cp.Changes[i] = Change{Field: c.Field, Before: clone(c.Before), After: clone(c.After)}
	}
	return &cp
}
