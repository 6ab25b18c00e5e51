package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

var routingCases = []testCase{
	// WaitingQueues names the queues with a conversation waiting, in id
	// order, through the store's own statement and through the fallback,
	// outside and inside a transaction.
	{"WaitingQueues", func(t *testing.T, f *fixture) {
		for _, id := range []string{"q1", "q2", "q3", "q4", "q5"} {
			f.createQueue(id)
		}
		f.createAgent("a1")
		in := func(id, queue string, mod func(*conversation.Conversation)) {
			c := newConversation(id)
			c.QueueID, c.QueuedAt = queue, t0
			if mod != nil {
				mod(c)
			}
			f.createConversation(c)
		}
		in("w5", "q5", nil)
		in("assigned", "q1", func(c *conversation.Conversation) { c.AgentID = "a1" })
		in("closed", "q3", func(c *conversation.Conversation) { c.Status, c.ClosedAt = conversation.Closed, t0 })
		in("solved", "q4", func(c *conversation.Conversation) { c.Status = conversation.Solved })
		in("waiting", "q2", func(c *conversation.Conversation) { c.Status = conversation.Waiting })
		in("w5b", "q5", nil)
		f.createConversation(newConversation("nowhere"))
		want := []string{"q2", "q5"}

		type readerOnly struct{ storage.Reader }
		got, err := storage.WaitingQueues(f.ctx, f.store)
		require.NoError(t, err)
		require.Equal(t, want, got)
		got, err = storage.WaitingQueues(f.ctx, readerOnly{f.store})
		require.NoError(t, err)
		require.Equal(t, want, got, "the fallback agrees")
		_, err = InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) {
			got, err := storage.WaitingQueues(f.ctx, tx)
			require.NoError(t, err)
			require.Equal(t, want, got, "inside a transaction")
			return false, nil
		})
		require.NoError(t, err)

		ctx, cancel := context.WithCancel(f.ctx)
		cancel()
		_, err = storage.WaitingQueues(ctx, f.store)
		require.ErrorIs(t, err, context.Canceled)
	}},
	{"LockConversationAndAgents", func(t *testing.T, f *fixture) {
		f.createQueue("q1")
		f.createAgent("a1")
		f.createAgent("sup", func(a *routing.Agent) { a.Role = routing.RoleSupervisor })
		_, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, "q1", "a1") })
		require.NoError(t, err)
		c := newConversation("c1")
		c.AgentID, c.Tags = "a1", []string{"t1"}
		f.createConversation(c)
		f.createConversation(newConversation("c2"))
		a1, err := f.store.GetAgent(f.ctx, "a1")
		require.NoError(t, err)
		sup, err := f.store.GetAgent(f.ctx, "sup")
		require.NoError(t, err)
		want := f.getConversation("c1")
		check := func(tx storage.Tx) {
			t.Helper()
			// The assignee comes along unasked; unknown ids are absent.
			got, agents, err := storage.LockConversationAndAgents(f.ctx, tx, "c1", "sup", "ghost", "sup")
			require.NoError(t, err)
			equalConversation(t, want, got)
			require.Equal(t, map[string]*routing.Agent{"a1": a1, "sup": sup}, agents)
			agents["a1"].Queues[0] = "changed"
			got, agents, err = storage.LockConversationAndAgents(f.ctx, tx, "c2")
			require.NoError(t, err)
			require.Equal(t, "c2", got.ID)
			require.Empty(t, agents)
			_, _, err = storage.LockConversationAndAgents(f.ctx, tx, "missing", "a1")
			requireErr(t, err, storage.ErrNotFound)
		}
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			check(tx)
			check(plainTx{tx}) // the fallback, without the store's own
			return nil
		}))
		again, err := f.store.GetAgent(f.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, []string{"q1"}, again.Queues, "the agents read are copies")
	}},
	{"RoutingReader", func(t *testing.T, f *fixture) {
		f.createQueue("q1", func(q *routing.Queue) { q.AutoAssignment = true })
		f.createQueue("q2", func(q *routing.Queue) { q.Default = true })
		f.createAgent("a1")
		f.createAgent("a2")
		for _, a := range []string{"a1", "a2"} {
			_, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, "q1", a) })
			require.NoError(t, err)
		}
		rules := []routing.Rule{{ID: "r1", Name: "r1", QueueID: "q1", Priority: conversation.High}}
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.ReplaceRules(f.ctx, rules) }))
		busy := newConversation("busy")
		busy.AgentID = "a1"
		f.createConversation(busy)
		for i, at := range []time.Duration{2 * time.Minute, time.Minute} {
			c := newConversation(idf("w", i))
			c.QueueID, c.QueuedAt = "q1", t0.Add(at)
			f.createConversation(c)
		}
		check := func(tx storage.Tx) {
			t.Helper()
			c, gotRules, def, err := storage.LockConversationAndRules(f.ctx, tx, "busy")
			require.NoError(t, err)
			require.Equal(t, "busy", c.ID)
			wantRules, err := tx.ListRules(f.ctx)
			require.NoError(t, err)
			require.Equal(t, wantRules, gotRules)
			require.Equal(t, "q2", def.ID)
			_, _, _, err = storage.LockConversationAndRules(f.ctx, tx, "missing")
			requireErr(t, err, storage.ErrNotFound)

			q, head, loads, err := storage.QueueHeadAndLoads(f.ctx, tx, "q1")
			require.NoError(t, err)
			wantQueue, err := tx.GetQueue(f.ctx, "q1")
			require.NoError(t, err)
			require.Equal(t, wantQueue, q)
			require.Equal(t, "w-001", head.ID, "the longest waiting")
			wantLoads, err := tx.QueueMemberLoads(f.ctx, "q1")
			require.NoError(t, err)
			require.Equal(t, wantLoads, loads)
			_, head, loads, err = storage.QueueHeadAndLoads(f.ctx, tx, "q2")
			require.NoError(t, err)
			require.Nil(t, head)
			require.Empty(t, loads)
			_, _, _, err = storage.QueueHeadAndLoads(f.ctx, tx, "missing")
			requireErr(t, err, storage.ErrNotFound)

			l, err := storage.LockAgentAndLoad(f.ctx, tx, "a1")
			require.NoError(t, err)
			wantAgent, err := tx.GetAgent(f.ctx, "a1")
			require.NoError(t, err)
			require.Equal(t, wantAgent, l.Agent)
			require.Equal(t, 1, l.Load)
			ps, err := tx.AgentPresences(f.ctx, "a1")
			require.NoError(t, err)
			require.Equal(t, ps[0].OnCall, l.OnCall)
			require.Equal(t, ps[0].LastHeartbeat, l.LastHeartbeat)
			_, err = storage.LockAgentAndLoad(f.ctx, tx, "missing")
			requireErr(t, err, storage.ErrNotFound)
		}
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			check(tx)
			check(plainTx{tx}) // the fallback, without the store's own
			return nil
		}))
	}},
	{"AgentLoadCountsOpenAndWaiting", func(t *testing.T, f *fixture) {
		f.createAgent("a1")
		f.createAgent("a2")
		for i, st := range []conversation.Status{conversation.Open, conversation.Waiting, conversation.Solved, conversation.Closed, conversation.Open} {
			c := newConversation(idf("c", i))
			c.Status, c.AgentID = st, "a1"
			f.createConversation(c)
		}
		c := newConversation("unassigned")
		f.createConversation(c)
		load, err := f.store.AgentLoad(f.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, 3, load)
		load, err = f.store.AgentLoad(f.ctx, "a2")
		require.NoError(t, err)
		require.Equal(t, 0, load)

		// Loads follow updates and deletes.
		open := f.getConversation("c-000")
		next := open.Clone()
		next.Status, next.Version = conversation.Closed, 2
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateConversation(f.ctx, next, 1) }))
		moved := f.getConversation("c-001").Clone()
		moved.AgentID, moved.Version = "a2", 2
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateConversation(f.ctx, moved, 1) }))
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteConversation(f.ctx, "c-004") }))
		load, err = f.store.AgentLoad(f.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, 0, load)
		load, err = f.store.AgentLoad(f.ctx, "a2")
		require.NoError(t, err)
		require.Equal(t, 1, load)
	}},
	{"QueueMemberLoads", func(t *testing.T, f *fixture) {
		f.createQueue("q1")
		f.createQueue("q2")
		f.createAgent("b", func(a *routing.Agent) { a.Disabled = true })
		f.createAgent("a")
		f.createAgent("outsider")
		for _, m := range [][2]string{{"q1", "b"}, {"q1", "a"}, {"q2", "outsider"}} {
			_, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, m[0], m[1]) })
			require.NoError(t, err)
		}
		for i, agent := range []string{"a", "a", "b", "outsider"} {
			c := newConversation(idf("c", i))
			c.AgentID, c.QueueID = agent, "q2" // load counts whatever the queue
			f.createConversation(c)
		}
		loads, err := f.store.QueueMemberLoads(f.ctx, "q1")
		require.NoError(t, err)
		require.Len(t, loads, 2)
		require.Equal(t, "a", loads[0].Agent.ID)
		require.Equal(t, 2, loads[0].Load)
		require.Equal(t, "b", loads[1].Agent.ID)
		require.True(t, loads[1].Agent.Disabled)
		require.Equal(t, 1, loads[1].Load)
		require.Equal(t, []string{"q1"}, loads[0].Agent.Queues)

		_, err = f.store.QueueMemberLoads(f.ctx, "missing")
		requireErr(t, err, storage.ErrNotFound)
		f.createQueue("empty")
		loads, err = f.store.QueueMemberLoads(f.ctx, "empty")
		require.NoError(t, err)
		require.Empty(t, loads)
	}},
	{"ListWaitingInServingOrder", func(t *testing.T, f *fixture) {
		f.createQueue("q1")
		f.createQueue("q2")
		f.createAgent("a1")
		mk := func(id string, p conversation.Priority, queued time.Duration, mods ...func(*conversation.Conversation)) {
			c := newConversation(id)
			c.QueueID, c.Priority, c.QueuedAt = "q1", p, at(queued)
			for _, m := range mods {
				m(c)
			}
			f.createConversation(c)
		}
		mk("n-late", conversation.Normal, 3*time.Minute)
		mk("u-late", conversation.Urgent, 5*time.Minute)
		mk("n-early", conversation.Normal, time.Minute)
		mk("u-early-b", conversation.Urgent, 2*time.Minute)
		mk("u-early-a", conversation.Urgent, 2*time.Minute)
		mk("low", conversation.Low, 0)
		mk("high", conversation.High, 4*time.Minute, func(c *conversation.Conversation) { c.Status = conversation.Waiting })
		mk("assigned", conversation.Urgent, 0, func(c *conversation.Conversation) { c.AgentID = "a1" })
		mk("solved", conversation.Urgent, 0, func(c *conversation.Conversation) { c.Status = conversation.Solved })
		mk("closed", conversation.Urgent, 0, func(c *conversation.Conversation) { c.Status = conversation.Closed })
		mk("other-queue", conversation.Urgent, 0, func(c *conversation.Conversation) { c.QueueID = "q2" })

		got, err := f.store.ListWaiting(f.ctx, storage.WaitingQuery{QueueID: "q1"})
		require.NoError(t, err)
		require.Equal(t, []string{"u-early-a", "u-early-b", "u-late", "high", "n-early", "n-late", "low"}, conversationIDs(got))

		got, err = f.store.ListWaiting(f.ctx, storage.WaitingQuery{QueueID: "q1", Limit: 2})
		require.NoError(t, err)
		require.Equal(t, []string{"u-early-a", "u-early-b"}, conversationIDs(got))

		got, err = f.store.ListWaiting(f.ctx, storage.WaitingQuery{QueueID: "q1", QueuedBefore: at(3 * time.Minute)})
		require.NoError(t, err)
		require.Equal(t, []string{"u-early-a", "u-early-b", "n-early", "low"}, conversationIDs(got))

		got, err = f.store.ListWaiting(f.ctx, storage.WaitingQuery{QueueID: "missing"})
		require.NoError(t, err)
		require.Empty(t, got)
		_, err = f.store.ListWaiting(f.ctx, storage.WaitingQuery{QueueID: "q1", Limit: storage.MaxLimit + 1})
		requireField(t, err, "limit")
	}},
	{"LastAgentOfCustomer", func(t *testing.T, f *fixture) {
		for _, a := range []string{"a1", "a2", "a3"} {
			f.createAgent(a)
		}
		mk := func(id, customer, agent string, updated time.Duration) {
			c := newConversation(id)
			c.CustomerID, c.AgentID, c.UpdatedAt = customer, agent, at(updated)
			c.Status = conversation.Closed
			f.createConversation(c)
		}
		mk("old", "cust", "a1", time.Minute)
		mk("newer", "cust", "a2", time.Hour)
		mk("newest-unassigned", "cust", "", 2*time.Hour)
		mk("current", "cust", "a3", 3*time.Hour)
		mk("someone-else", "other", "a1", 4*time.Hour)

		got, err := f.store.LastAgentOfCustomer(f.ctx, "cust", "current", time.Time{})
		require.NoError(t, err)
		require.Equal(t, "a2", got)
		got, err = f.store.LastAgentOfCustomer(f.ctx, "cust", "", time.Time{})
		require.NoError(t, err)
		require.Equal(t, "a3", got)
		got, err = f.store.LastAgentOfCustomer(f.ctx, "cust", "current", at(2*time.Hour))
		require.NoError(t, err)
		require.Empty(t, got, "nothing assigned since then but the excluded one")
		got, err = f.store.LastAgentOfCustomer(f.ctx, "cust", "current", at(time.Hour))
		require.NoError(t, err)
		require.Equal(t, "a2", got, "since is inclusive")
		got, err = f.store.LastAgentOfCustomer(f.ctx, "nobody", "", time.Time{})
		require.NoError(t, err)
		require.Empty(t, got)
	}},
	{"LockKeyInAndOutOfTransactions", func(t *testing.T, f *fixture) {
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.LockKey(f.ctx, "customer:1/WHATSAPP") }))
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if err := tx.LockKey(f.ctx, "customer:1/WHATSAPP"); err != nil {
				return err
			}
			// Taking the same key twice in one transaction must not deadlock.
			return tx.LockKey(f.ctx, "customer:1/WHATSAPP")
		}))
	}},
}
