package conversation_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
)

// TestStatusSets: every status, in or out of the sets the rules use.
func TestStatusSets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status     conversation.Status
		notClosed  bool
		inProgress bool
		reopens    bool
	}{
		{conversation.Open, true, true, false},
		{conversation.Waiting, true, true, true},
		{conversation.Solved, true, false, true},
		{conversation.Closed, false, false, false},
	}
	require.Len(t, tests, len(conversation.Statuses), "a row per status")
	var notClosed []conversation.Status
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.inProgress, tt.status.InProgress())
			c := existing(tt.status)
			p, ok := conversation.ReopenOnInbound(c)
			require.Equal(t, tt.reopens, ok)
			if !ok {
				require.True(t, p.Empty(), "no reopening, no patch")
				return
			}
			require.Equal(t, conversation.Open, *p.Status)
			require.NoError(t, p.Validate())
			diff, err := p.Apply(c, t1)
			require.NoError(t, err)
			require.Equal(t, []conversation.FieldChange{{Field: "status", Before: string(tt.status), After: "OPEN"}}, diff)
		})
		if tt.notClosed {
			notClosed = append(notClosed, tt.status)
		}
	}
	require.Equal(t, notClosed, conversation.NotClosed())
	got := conversation.NotClosed()
	got[0] = conversation.Closed
	require.Equal(t, notClosed, conversation.NotClosed(), "each call returns a slice of its own")
}
