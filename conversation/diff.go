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

// Diff lists the fields that differ between a and b, in a fixed order. Tags,
// times of bookkeeping (UpdatedAt, QueuedAt) and Version are not compared:
// tags have their own events and the rest change with every write.
func Diff(a, b *Conversation) []FieldChange {
	var out []FieldChange
	str := func(field, x, y string) {
		if x != y {
			out = append(out, FieldChange{field, x, y})
		}
	}
	str("topic", a.Topic, b.Topic)
	str("summary", a.Summary, b.Summary)
	str("status", string(a.Status), string(b.Status))
	str("priority", string(a.Priority), string(b.Priority))
	str("queueId", a.QueueID, b.QueueID)
	str("agentId", a.AgentID, b.AgentID)
	str("channel", string(a.Channel), string(b.Channel))
	str("customerId", a.CustomerID, b.CustomerID)
	if !maps.Equal(a.Attributes, b.Attributes) {
		out = append(out, FieldChange{"attributes", maps.Clone(a.Attributes), maps.Clone(b.Attributes)})
	}
	if !a.ClosedAt.Equal(b.ClosedAt) {
		out = append(out, FieldChange{"closedAt", a.ClosedAt, b.ClosedAt})
	}
	return out
}
