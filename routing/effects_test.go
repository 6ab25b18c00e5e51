package routing_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

func TestEffectsOf(t *testing.T) {
	t.Parallel()
	none := &conversation.Conversation{}
	conv := func(status conversation.Status, queueID, agentID string) *conversation.Conversation {
		return &conversation.Conversation{ID: "c1", Status: status, QueueID: queueID, AgentID: agentID}
	}
	const (
		open, waiting, solved, closed = conversation.Open, conversation.Waiting, conversation.Solved, conversation.Closed
	)
	tests := []struct {
		name          string
		before, after *conversation.Conversation
		want          routing.Effects
	}{
		{"created in no queue", none, conv(open, "", ""), routing.Effects{}},
		{"created waiting", none, conv(open, "q1", ""), routing.Effects{Queue: "q1"}},
		{"created assigned", none, conv(open, "q1", "a1"), routing.Effects{Assigned: "a1", Loaded: "a1"}},
		{"created closed and assigned", none, conv(closed, "", "a1"), routing.Effects{Assigned: "a1", WrapUp: "a1"}},
		{"created solved and assigned", none, conv(solved, "", "a1"), routing.Effects{Assigned: "a1"}},
		{"created closed in a queue", none, conv(closed, "q1", ""), routing.Effects{}},

		{"assigned", conv(open, "q1", ""), conv(open, "q1", "a1"), routing.Effects{Assigned: "a1", Loaded: "a1"}},
		{"same assignee", conv(open, "q1", "a1"), conv(waiting, "q1", "a1"), routing.Effects{}},
		{"reassigned", conv(open, "", "a1"), conv(open, "", "a2"), routing.Effects{Assigned: "a2", Loaded: "a2", Freed: "a1"}},
		{"reassigned from a solved one", conv(solved, "", "a1"), conv(solved, "", "a2"), routing.Effects{Assigned: "a2"}},
		{"unassigned in no queue", conv(open, "", "a1"), conv(open, "", ""), routing.Effects{Freed: "a1"}},
		{"unassigned in a queue", conv(open, "q1", "a1"), conv(open, "q1", ""), routing.Effects{Freed: "a1", Queue: "q1"}},
		{"solved", conv(open, "", "a1"), conv(solved, "", "a1"), routing.Effects{Freed: "a1"}},
		{"reopened", conv(solved, "", "a1"), conv(open, "", "a1"), routing.Effects{Loaded: "a1"}},
		{"reopened to waiting", conv(solved, "", "a1"), conv(waiting, "", "a1"), routing.Effects{Loaded: "a1"}},
		{"assigned while solved", conv(solved, "", ""), conv(solved, "", "a1"), routing.Effects{Assigned: "a1"}},
		{"closed", conv(waiting, "", "a1"), conv(closed, "", "a1"), routing.Effects{WrapUp: "a1", Freed: "a1"}},
		{"closed from solved", conv(solved, "", "a1"), conv(closed, "", "a1"), routing.Effects{WrapUp: "a1"}},
		{"closed unassigned", conv(open, "q1", ""), conv(closed, "q1", ""), routing.Effects{}},
		{"closed and reassigned at once", conv(open, "", "a1"), conv(closed, "", "a2"), routing.Effects{Assigned: "a2", WrapUp: "a2", Freed: "a1"}},
		{"moved queue while waiting", conv(open, "q1", ""), conv(open, "q2", ""), routing.Effects{Queue: "q2"}},
		{"left the queue", conv(open, "q1", ""), conv(open, "", ""), routing.Effects{}},
		{"solved one queued", conv(solved, "", ""), conv(solved, "q1", ""), routing.Effects{}},
		{"reopened in a queue", conv(solved, "q1", ""), conv(open, "q1", ""), routing.Effects{Queue: "q1"}},
		{"still waiting, topic changed", conv(open, "q1", ""), conv(open, "q1", ""), routing.Effects{}},

		{"deleted while assigned", conv(open, "q1", "a1"), none, routing.Effects{Freed: "a1"}},
		{"deleted while solved", conv(solved, "", "a1"), none, routing.Effects{}},
		{"deleted closed", conv(closed, "", "a1"), none, routing.Effects{}},
		{"deleted waiting", conv(open, "q1", ""), none, routing.Effects{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, routing.EffectsOf(tt.before, tt.after))
		})
	}
}
