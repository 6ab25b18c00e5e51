package helpdesk_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/httpapi/helpdesk"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/routing"
)

// TestAssigneesReadInOneList checks that a page of conversations reads its
// assignees in one list of agents (the agentIds filter), not one read per
// agent, and still shows each of them.
func TestAssigneesReadInOneList(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	ops := map[string]int{}
	svc := parley.New(memstore.New(), parley.WithObserver(func(_ context.Context, op parley.Operation) {
		mu.Lock()
		defer mu.Unlock()
		ops[op.Name]++
	}))
	ctx := t.Context()
	_, err := svc.CreateQueue(ctx, routing.Queue{ID: "support", Name: "Support"})
	require.NoError(t, err)
	for i := range 4 {
		id := fmt.Sprintf("agent-%d", i)
		_, err := svc.CreateAgent(ctx, routing.Agent{ID: id, DisplayName: fmt.Sprintf("Agent %d", i)})
		require.NoError(t, err)
		for j := range 2 {
			_, err := svc.CreateConversation(ctx, conversation.Conversation{ID: fmt.Sprintf("c%d%d", i, j), Topic: "t", QueueID: "support", AgentID: id})
			require.NoError(t, err)
		}
	}
	_, err = svc.CreateConversation(ctx, conversation.Conversation{ID: "unassigned", Topic: "t", QueueID: "support"})
	require.NoError(t, err)

	mu.Lock()
	clear(ops)
	mu.Unlock()
	rec, m := send(t, helpdesk.New(svc), "GET", "/api/v1/conversations?limit=100", "")
	require.Equal(t, 200, rec.Code, rec.Body.String())
	mu.Lock()
	require.Equal(t, 0, ops["GetAgent"], "no read per agent: %v", ops)
	require.Equal(t, 1, ops["ListAgents"], "one list of the assignees: %v", ops)
	mu.Unlock()
	items := m["data"].([]any)
	require.Len(t, items, 9)
	seen := 0
	for _, it := range items {
		c := it.(map[string]any)
		if c["_id"] == "unassigned" {
			require.Nil(t, c["assignedTo"])
			continue
		}
		a := c["assignedTo"].(map[string]any)
		require.Equal(t, fmt.Sprintf("Agent %s", a["_id"].(string)[len("agent-"):]), a["name"], "populated: %v", a)
		seen++
	}
	require.Equal(t, 8, seen)
}
