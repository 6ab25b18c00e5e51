package parley

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// recorder collects the events of one change, and the routing it calls for
// once committed.
type recorder struct {
	actor  string
	now    time.Time
	events []*storage.Event

	wakeQueues []string // queues a waiting conversation entered
	wakeAgents []string // agents that gained room for work

	// lockedAgents are the agents this transaction has locked, as it last
	// read or wrote them: nobody else can change a locked agent (nor its
	// memberships, which lock it too), so a second read needs no trip.
	lockedAgents map[string]*routing.Agent
}

// lockedAgent returns a copy of the agent this transaction locked, if it
// did.
func (r *recorder) lockedAgent(id string) (*routing.Agent, bool) {
	a, ok := r.lockedAgents[id]
	if !ok {
		return nil, false
	}
	return a.Clone(), true
}

// noteLocked records a copy of the locked agent a.
func (r *recorder) noteLocked(a *routing.Agent) {
	if r.lockedAgents == nil {
		r.lockedAgents = make(map[string]*routing.Agent, 1)
	}
	r.lockedAgents[a.ID] = a.Clone()
}

func (r *recorder) add(typ storage.EventType, conversationID, entityID string, changes []storage.Change) {
	r.events = append(r.events, &storage.Event{
		Type:           typ,
		ConversationID: conversationID,
		EntityID:       entityID,
		Actor:          r.actor,
		At:             r.now,
		Changes:        changes,
	})
}

// conversationChanged records the events of the change diff made to c (as
// Patch.Apply returned it): the assignee's change as assigned or
// unassigned, the status's as closed or status_changed, the rest as
// updated. With as set, all of it is one event of that type instead
// (routed, transferred).
func (r *recorder) conversationChanged(after *conversation.Conversation, diff []conversation.FieldChange, as storage.EventType) {
	if len(diff) == 0 {
		return
	}
	if as != "" {
		r.add(as, after.ID, after.ID, conversationChanges(diff))
		return
	}
	var status, agent, rest []conversation.FieldChange
	for _, d := range diff {
		switch d.Field {
		case "status", "closedAt":
			status = append(status, d)
		case "agentId":
			agent = append(agent, d)
		default:
			rest = append(rest, d)
		}
	}
	if len(rest) > 0 {
		r.add(storage.ConversationUpdated, after.ID, after.ID, conversationChanges(rest))
	}
	if len(agent) > 0 {
		typ := storage.ConversationAssigned
		if after.AgentID == "" {
			typ = storage.ConversationUnassigned
		}
		r.add(typ, after.ID, after.ID, conversationChanges(agent))
	}
	if len(status) > 0 {
		typ := storage.ConversationStatusChanged
		if after.Status == conversation.Closed {
			typ = storage.ConversationClosed
		}
		r.add(typ, after.ID, after.ID, conversationChanges(status))
	}
}

func conversationChanges(diff []conversation.FieldChange) []storage.Change {
	out := make([]storage.Change, len(diff))
	for i, d := range diff {
		out[i] = change(d.Field, d.Before, d.After)
	}
	return out
}

func routingChanges(diff []routing.Change) []storage.Change {
	out := make([]storage.Change, len(diff))
	for i, d := range diff {
		out[i] = change(d.Field, d.Before, d.After)
	}
	return out
}

// change encodes one field change. An empty string, a zero time or an empty
// map is "not set" and encodes as no value at all.
func change(field string, before, after any) storage.Change {
	return storage.Change{Field: field, Before: jsonValue(before), After: jsonValue(after)}
}

func jsonValue(v any) json.RawMessage {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if x == "" {
			return nil
		}
		if b, ok := appendJSONString(make([]byte, 0, len(x)+2), x); ok {
			return b
		}
	case time.Time:
		if x.IsZero() {
			return nil
		}
		b := append(make([]byte, 0, len(time.RFC3339Nano)+2), '"')
		return append(x.UTC().AppendFormat(b, time.RFC3339Nano), '"')
	case map[string]string:
		if len(x) == 0 {
			return nil
		}
		if b, ok := appendJSONObject(x); ok {
			return b
		}
	case []string:
		if b, ok := appendJSONArray(x); ok {
			return b
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		// Only plain values reach here; they always encode.
		return nil
	}
	return b
}

// appendJSONString appends s as a JSON string when encoding/json would
// write it as it is, between quotes: printable ASCII without the characters
// it escapes ("\<>&). It reports false for anything else, which the
// caller leaves to encoding/json, so that the bytes are always the same.
// Events are written on every change: this keeps reflection off that path.
func appendJSONString(b []byte, s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return b, false
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), true
}

// appendJSONObject is encoding/json's encoding of m (keys sorted), or false
// when a key or value needs escaping.
func appendJSONObject(m map[string]string) ([]byte, bool) {
	keys := make([]string, 0, len(m))
	size := 2
	for k, v := range m {
		keys = append(keys, k)
		size += len(k) + len(v) + 6
	}
	slices.Sort(keys)
	b := append(make([]byte, 0, size), '{')
	var ok bool
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		if b, ok = appendJSONString(b, k); !ok {
			return nil, false
		}
		b = append(b, ':')
		if b, ok = appendJSONString(b, m[k]); !ok {
			return nil, false
		}
	}
	return append(b, '}'), true
}

// appendJSONArray is encoding/json's encoding of a non-nil list, or false
// when an element needs escaping.
func appendJSONArray(list []string) ([]byte, bool) {
	if list == nil {
		return nil, false
	}
	size := 2
	for _, s := range list {
		size += len(s) + 3
	}
	b := append(make([]byte, 0, size), '[')
	var ok bool
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		if b, ok = appendJSONString(b, s); !ok {
			return nil, false
		}
	}
	return append(b, ']'), true
}
