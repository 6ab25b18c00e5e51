package parley

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
)

func TestCreatedChangesAreTheDiffFromNothing(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	for _, c := range []*conversation.Conversation{
		{},
		{Topic: "Where is my parcel?", Status: conversation.Open, Priority: conversation.Normal, Channel: conversation.LiveChat,
			Source: conversation.SourceOf(conversation.LiveChat), CustomerID: "cust-1", Attributes: map[string]string{"lang": "en", "b": "x"}},
		{Topic: "quote \" and <tag> & é", Summary: "s", QueueID: "q", AgentID: "a", ClosedAt: at,
			Attributes: map[string]string{"k\u00e9": "<v>"}, Tags: []string{"b", "a"}},
	} {
		want := conversationChanges(conversation.Diff(&conversation.Conversation{}, c))
		if len(c.Tags) > 0 {
			want = append(want, change("tags", nil, c.Tags))
		}
		got := createdChanges(c)
		if len(want) == 0 {
			require.Empty(t, got)
			continue
		}
		require.Equal(t, want, got)
	}
}
