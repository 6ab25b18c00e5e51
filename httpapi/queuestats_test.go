package httpapi

import (
	"context"
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/routing"
)

// The entries of the queue statistics routes in the tables the route
// tests read, kept beside the routes they describe.
func init() {
	maps.Copy(routeOperations, map[string]string{
		"GET " + voiceAPI + "/queues/statistics":           "AllQueueStatistics",
		"GET " + voiceAPI + "/queues/{queueId}/statistics": "QueueStatistics",
	})
	maps.Copy(routeErrors, map[string][]errorCase{
		"GET " + voiceAPI + "/queues/statistics": nil,
		"GET " + voiceAPI + "/queues/{queueId}/statistics": {
			{404, "NOT_FOUND", voiceAPI + "/queues/nope/statistics", "", ""},
		},
	})
}

// TestQueueStatisticsOverHTTP reads a queue's live statistics as
// conversations wait and agents sign in.
func TestQueueStatisticsOverHTTP(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 27, 7, 30, 0, 0, time.UTC)
	svc := parley.New(memstore.New(), parley.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	_, err := svc.CreateQueue(ctx, routing.Queue{ID: "q1", Name: "Support"})
	require.NoError(t, err)
	h := New(svc)
	empty := doJSON(t, h, http.MethodGet, voiceAPI+"/queues/q1/statistics", "", http.StatusOK)
	require.Equal(t, map[string]any{"queueId": "q1", "waitingConversations": float64(0), "waitingCalls": float64(0),
		"oldestWaitSeconds": float64(0), "oldestWaitingSince": nil,
		"agentsAvailable": float64(0), "agentsOnCall": float64(0), "agentsInWrapUp": float64(0)}, empty)

	_, err = svc.CreateConversation(ctx, conversation.Conversation{ID: "c1", QueueID: "q1"})
	require.NoError(t, err)
	_, err = svc.CreateAgent(ctx, routing.Agent{ID: "ann", DisplayName: "Ann", Status: routing.Active})
	require.NoError(t, err)
	_, err = svc.AddQueueMember(ctx, "q1", "ann")
	require.NoError(t, err)
	require.NoError(t, svc.Heartbeat(ctx, "ann"))
	now = now.Add(95 * time.Second)
	got := doJSON(t, h, http.MethodGet, voiceAPI+"/queues/q1/statistics", "", http.StatusOK)
	require.Equal(t, float64(1), got["waitingConversations"])
	require.Equal(t, float64(95), got["oldestWaitSeconds"])
	require.Equal(t, "2026-03-27T07:30:00.000+00:00", got["oldestWaitingSince"])
	require.Equal(t, float64(1), got["agentsAvailable"])

	all := doJSON(t, h, http.MethodGet, voiceAPI+"/queues/statistics", "", http.StatusOK)
	require.Equal(t, float64(1), all["total"])
	require.Equal(t, got, all["elements"].([]any)[0])
}
