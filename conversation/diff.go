package conversation

import "maps"

// FieldChange is one changed field: its wire name and the values before and
// after. Values are strings, time.Time (zero for "not set") or
// map[string]string, as in Conversation.
type FieldChange struct {
	Field  string
	Before any
	After  any
}

// diffFields is how many fields Diff compares.
const diffFields = 11

// Diff lists the fields that differ between a and b, in a fixed order. Tags,
// times of bookkeeping (UpdatedAt, QueuedAt) and Version are not compared:
// tags have their own events and the rest change with every write.
func Diff(a, b *Conversation) []FieldChange {
	var out []FieldChange
	add := func(c FieldChange) {
		if out == nil {
			out = make([]FieldChange, 0, diffFields) // one allocation, however many differ
		}
		out = append(out, c)
	}
	str := func(field, x, y string) {
		if x != y {
			add(FieldChange{field, x, y})
		}
	}
	str("topic", a.Topic, b.Topic)
	str("summary", a.Summary, b.Summary)
	str("status", string(a.Status), string(b.Status))
	str("priority", string(a.Priority), string(b.Priority))
	str("queueId", a.QueueID, b.QueueID)
	str("agentId", a.AgentID, b.AgentID)
	str("channel", string(a.Channel), string(b.Channel))
	str("source", string(a.Source), string(b.Source))
	str("customerId", a.CustomerID, b.CustomerID)
	if !maps.Equal(a.Attributes, b.Attributes) {
		add(FieldChange{"attributes", maps.Clone(a.Attributes), maps.Clone(b.Attributes)})
	}
	if !a.ClosedAt.Equal(b.ClosedAt) {
		add(FieldChange{"closedAt", a.ClosedAt, b.ClosedAt})
	}
	return out
}
