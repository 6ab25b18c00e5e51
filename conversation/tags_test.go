package conversation_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
)

func TestSortedTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want []string
	}{
		{nil, nil},
		{[]string{}, nil},
		{[]string{"b"}, []string{"b"}},
		{[]string{"c", "a", "b", "a", "c"}, []string{"a", "b", "c"}},
		{[]string{"B", "a", "A"}, []string{"A", "B", "a"}},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.in)
		require.Equal(t, tt.want, conversation.SortedTags(in), "%q", tt.in)
		require.Equal(t, tt.in, in, "the input is left as it is")
	}
}

// TestTagChangesAreChanges: a tag linked or unlinked keeps Tags sorted,
// each name once, and bumps Version and UpdatedAt, as every change does.
func TestTagChangesAreChanges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		tags  []string
		apply func(c *conversation.Conversation)
		want  []string
	}{
		{"tag the untagged", nil, func(c *conversation.Conversation) { c.Tagged("vip", t1) }, []string{"vip"}},
		{"tag in the middle", []string{"a", "c"}, func(c *conversation.Conversation) { c.Tagged("b", t1) }, []string{"a", "b", "c"}},
		{"tag first", []string{"b", "c"}, func(c *conversation.Conversation) { c.Tagged("a", t1) }, []string{"a", "b", "c"}},
		{"tag last", []string{"a", "b"}, func(c *conversation.Conversation) { c.Tagged("c", t1) }, []string{"a", "b", "c"}},
		{"tag again keeps one", []string{"a", "b"}, func(c *conversation.Conversation) { c.Tagged("a", t1) }, []string{"a", "b"}},
		{"untag the middle", []string{"a", "b", "c"}, func(c *conversation.Conversation) { c.Untagged("b", t1) }, []string{"a", "c"}},
		{"untag the last one", []string{"a"}, func(c *conversation.Conversation) { c.Untagged("a", t1) }, []string{}},
		{"untag a name it lacks", []string{"a"}, func(c *conversation.Conversation) { c.Untagged("b", t1) }, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := existing(conversation.Open)
			c.Tags = tt.tags
			before := c.Clone()
			tt.apply(c)
			require.Equal(t, tt.want, c.Tags)
			require.Equal(t, before.Version+1, c.Version)
			require.Equal(t, t1, c.UpdatedAt)
			require.Empty(t, conversation.Diff(before, c), "a tag has its own events: no field change")
		})
	}
}

// TestTagChangesDoNotAlias: a caller holding the conversation's earlier
// Tags (or a slice sharing its array) never sees it change.
func TestTagChangesDoNotAlias(t *testing.T) {
	t.Parallel()
	backing := make([]string, 3, 10)
	copy(backing, []string{"a", "c", "d"})
	c := existing(conversation.Open)
	c.Tags = backing
	c.Tagged("b", t1)
	require.Equal(t, []string{"a", "c", "d"}, backing)
	held := c.Tags
	c.Untagged("a", t1)
	require.Equal(t, []string{"a", "b", "c", "d"}, held)
	require.Equal(t, []string{"b", "c", "d"}, c.Tags)
}
