package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/sqlstore"
	"github.com/parleyhq/parley/storage"
)

// The SQL of AgentLoad, QueueMemberLoads and ListWaiting restates
// routing.CountsAsLoad, routing.Waiting and routing.ServingOrder. Over every
// status and priority, assigned or not, in the queue, another or none, each
// answer must be the one the Go functions give.
func TestSQLAgreesWithTheRulesItRestates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dialects(t, func(t *testing.T, s *sqlstore.Store) {
		agent := &routing.Agent{ID: "a1", DisplayName: "A1", Role: routing.RoleAgent, Status: routing.Active,
			Capacity: 100, CreatedAt: t0, UpdatedAt: t0}
		require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error {
			for _, q := range []string{"q1", "q2"} {
				if err := tx.CreateQueue(ctx, queue(q, "Queue "+q)); err != nil {
					return err
				}
			}
			if err := tx.CreateAgent(ctx, agent); err != nil {
				return err
			}
			_, err := tx.AddQueueMember(ctx, "q1", "a1")
			return err
		}))

		var all []*conversation.Conversation
		n := 0
		for _, status := range conversation.Statuses {
			for _, agentID := range []string{"", "a1"} {
				for _, queueID := range []string{"", "q1", "q2"} {
					for _, p := range conversation.Priorities {
						c := conv(fmt.Sprintf("c-%03d", n))
						c.Status, c.AgentID, c.QueueID, c.Priority = status, agentID, queueID, p
						if queueID != "" {
							// Queued in an order that is neither the ids' nor the priorities'.
							c.QueuedAt = t0.Add(time.Duration((n*7)%11) * time.Minute)
						}
						if status == conversation.Closed {
							c.ClosedAt = t0
						}
						all = append(all, c)
						n++
					}
				}
			}
		}
		require.NoError(t, s.InTx(ctx, func(tx storage.Tx) error {
			for _, c := range all {
				if err := tx.CreateConversation(ctx, c); err != nil {
					return err
				}
			}
			return nil
		}))

		wantLoad := 0
		var waiting []*conversation.Conversation
		for _, c := range all {
			if routing.CountsAsLoad(c) && c.AgentID == "a1" {
				wantLoad++
			}
			if routing.Waiting(c) && c.QueueID == "q1" {
				waiting = append(waiting, c)
			}
		}
		slices.SortFunc(waiting, routing.ServingOrder)
		require.NotZero(t, wantLoad)
		require.Less(t, wantLoad, n/2, "some assigned conversations do not count")
		require.NotEmpty(t, waiting)

		load, err := s.AgentLoad(ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, wantLoad, load, "AgentLoad restates routing.CountsAsLoad")

		loads, err := s.QueueMemberLoads(ctx, "q1")
		require.NoError(t, err)
		require.Len(t, loads, 1)
		require.Equal(t, wantLoad, loads[0].Load, "QueueMemberLoads restates routing.CountsAsLoad")

		got, err := s.ListWaiting(ctx, storage.WaitingQuery{QueueID: "q1", Limit: storage.MaxLimit})
		require.NoError(t, err)
		require.Equal(t, ids(waiting), ids(got), "ListWaiting restates routing.Waiting and routing.ServingOrder")
	})
}

func ids(cs []*conversation.Conversation) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
