package storagetest

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

func equalAgent(t *testing.T, want, got *routing.Agent) {
	t.Helper()
	requireUTC(t, got.CreatedAt, got.UpdatedAt, got.LastAssignedAt, got.WrapUpUntil)
	for _, pair := range [][2]time.Time{{want.CreatedAt, got.CreatedAt}, {want.UpdatedAt, got.UpdatedAt}, {want.LastAssignedAt, got.LastAssignedAt}, {want.WrapUpUntil, got.WrapUpUntil}} {
		require.True(t, pair[0].Equal(pair[1]), "want %v, got %v", pair[0], pair[1])
	}
	w, g := *want, *got
	w.CreatedAt, w.UpdatedAt, w.LastAssignedAt, w.WrapUpUntil = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	g.CreatedAt, g.UpdatedAt, g.LastAssignedAt, g.WrapUpUntil = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if len(w.Queues) == 0 {
		w.Queues = nil
	}
	if len(g.Queues) == 0 {
		g.Queues = nil
	}
	require.Equal(t, w, g)
}

func equalQueue(t *testing.T, want, got *routing.Queue) {
	t.Helper()
	requireUTC(t, got.CreatedAt, got.UpdatedAt)
	require.True(t, want.CreatedAt.Equal(got.CreatedAt))
	require.True(t, want.UpdatedAt.Equal(got.UpdatedAt))
	w, g := *want, *got
	w.CreatedAt, w.UpdatedAt, g.CreatedAt, g.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if len(w.Members) == 0 {
		w.Members = nil
	}
	if len(g.Members) == 0 {
		g.Members = nil
	}
	require.Equal(t, w, g)
}

var agentCases = []testCase{
	{"CreateGetRoundTrip", func(t *testing.T, f *fixture) {
		a := f.createAgent("a1", func(a *routing.Agent) {
			a.DisplayName, a.Role, a.Status = "Zoë O'Brien", routing.RoleSupervisor, routing.Away
			a.Disabled, a.Capacity, a.WrapUpSeconds = true, 12, 30
			a.LastAssignedAt, a.WrapUpUntil, a.UpdatedAt = at(time.Hour), at(2*time.Hour), at(3*time.Hour)
			a.Queues = []string{"ignored"}
		})
		got, err := f.store.GetAgent(f.ctx, "a1")
		require.NoError(t, err)
		want := a.Clone()
		want.Queues = nil
		equalAgent(t, want, got)
		locked, err := InTx(f.ctx, f.store, func(tx storage.Tx) (*routing.Agent, error) { return tx.LockAgent(f.ctx, "a1") })
		require.NoError(t, err)
		equalAgent(t, want, locked)
	}},
	{"Errors", func(t *testing.T, f *fixture) {
		f.createAgent("a1")
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			return tx.CreateAgent(f.ctx, &routing.Agent{ID: "a1", DisplayName: "again", Role: routing.RoleAgent, Status: routing.Active, Capacity: 1, CreatedAt: t0, UpdatedAt: t0})
		}), storage.ErrAlreadyExists)
		_, err := f.store.GetAgent(f.ctx, "missing")
		requireErr(t, err, storage.ErrNotFound)
		_, err = InTx(f.ctx, f.store, func(tx storage.Tx) (*routing.Agent, error) { return tx.LockAgent(f.ctx, "missing") })
		requireErr(t, err, storage.ErrNotFound)
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			return tx.UpdateAgent(f.ctx, &routing.Agent{ID: "missing", DisplayName: "x", Role: routing.RoleAgent, Status: routing.Active, Capacity: 1})
		}), storage.ErrNotFound)
	}},
	{"UpdateWritesEveryFieldButQueuesAndCreatedAt", func(t *testing.T, f *fixture) {
		a := f.createAgent("a1")
		f.createQueue("q1")
		_, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, "q1", "a1") })
		require.NoError(t, err)
		next := a.Clone()
		next.DisplayName, next.Role, next.Status = "New", routing.RoleSupervisor, routing.Busy
		next.Disabled, next.Capacity, next.WrapUpSeconds = true, 3, 60
		next.LastAssignedAt, next.WrapUpUntil = at(time.Minute), at(time.Hour)
		next.CreatedAt, next.UpdatedAt = at(99*time.Hour), at(time.Hour)
		next.Queues = nil
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateAgent(f.ctx, next) }))
		got, err := f.store.GetAgent(f.ctx, "a1")
		require.NoError(t, err)
		want := next.Clone()
		want.CreatedAt, want.Queues = t0, []string{"q1"}
		equalAgent(t, want, got)
	}},
	{"ListByID", func(t *testing.T, f *fixture) {
		var want []string
		for i := range 23 {
			id := idf("a", (i*5)%23)
			f.createAgent(id)
		}
		for i := range 23 {
			want = append(want, idf("a", i))
		}
		var got []string
		q := storage.AgentQuery{Paging: storage.Paging{Limit: 5}}
		for {
			page, err := f.store.ListAgents(f.ctx, q)
			require.NoError(t, err)
			require.Equal(t, 23, page.Total)
			got = append(got, ids(page.Items, func(a *routing.Agent) string { return a.ID })...)
			if page.NextCursor == "" {
				break
			}
			q.Cursor = page.NextCursor
		}
		require.Equal(t, want, got)
		page, err := f.store.ListAgents(f.ctx, storage.AgentQuery{Paging: storage.Paging{Limit: 10, Page: 2}})
		require.NoError(t, err)
		require.Equal(t, want[20:], ids(page.Items, func(a *routing.Agent) string { return a.ID }))
		// An agents cursor is no queues cursor.
		first, err := f.store.ListAgents(f.ctx, storage.AgentQuery{Paging: storage.Paging{Limit: 1}})
		require.NoError(t, err)
		_, err = f.store.ListQueues(f.ctx, storage.QueueQuery{Paging: storage.Paging{Cursor: first.NextCursor}})
		requireField(t, err, "cursor")
	}},
}

var queueCases = []testCase{
	{"CreateGetRoundTrip", func(t *testing.T, f *fixture) {
		f.createQueue("overflow")
		q := f.createQueue("q1", func(q *routing.Queue) {
			q.Name, q.AutoAssignment, q.Strategy = "Billing — EU", true, routing.RoundRobin
			q.StickyAgent, q.StickyTimeoutSeconds, q.MaxWaitSeconds = true, 3600, 120
			q.OverflowQueueID, q.Default, q.UpdatedAt = "overflow", true, at(time.Hour)
			q.Members = []string{"ignored"}
		})
		got, err := f.store.GetQueue(f.ctx, "q1")
		require.NoError(t, err)
		want := q.Clone()
		want.Members = nil
		equalQueue(t, want, got)
	}},
	{"UniqueIDAndName", func(t *testing.T, f *fixture) {
		f.createQueue("q1")
		f.createQueue("q2")
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			return tx.CreateQueue(f.ctx, &routing.Queue{ID: "q1", Name: "Fresh", Strategy: routing.LeastBusy, CreatedAt: t0, UpdatedAt: t0})
		}), storage.ErrAlreadyExists)
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			return tx.CreateQueue(f.ctx, &routing.Queue{ID: "q3", Name: "Queue q1", Strategy: routing.LeastBusy, CreatedAt: t0, UpdatedAt: t0})
		}), storage.ErrAlreadyExists)
		q2, err := f.store.GetQueue(f.ctx, "q2")
		require.NoError(t, err)
		q2.Name = "Queue q1"
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateQueue(f.ctx, q2) }), storage.ErrAlreadyExists)
		got, err := f.store.GetQueue(f.ctx, "q2")
		require.NoError(t, err)
		require.Equal(t, "Queue q2", got.Name)
	}},
	{"OneDefault", func(t *testing.T, f *fixture) {
		_, err := f.store.DefaultQueue(f.ctx)
		requireErr(t, err, storage.ErrNotFound)
		f.createQueue("q1", func(q *routing.Queue) { q.Default = true })
		f.createQueue("q2")
		def, err := f.store.DefaultQueue(f.ctx)
		require.NoError(t, err)
		require.Equal(t, "q1", def.ID)
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			return tx.CreateQueue(f.ctx, &routing.Queue{ID: "q3", Name: "three", Strategy: routing.LeastBusy, Default: true, CreatedAt: t0, UpdatedAt: t0})
		}), storage.ErrAlreadyExists)
		q2, err := f.store.GetQueue(f.ctx, "q2")
		require.NoError(t, err)
		q2.Default = true
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateQueue(f.ctx, q2) }), storage.ErrAlreadyExists)
		// Moving the role: demote first, then promote, in one transaction.
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			def.Default = false
			if err := tx.UpdateQueue(f.ctx, def); err != nil {
				return err
			}
			return tx.UpdateQueue(f.ctx, q2)
		}))
		def, err = f.store.DefaultQueue(f.ctx)
		require.NoError(t, err)
		require.Equal(t, "q2", def.ID)
	}},
	{"UpdateWritesEveryFieldButMembersAndCreatedAt", func(t *testing.T, f *fixture) {
		q := f.createQueue("q1")
		f.createQueue("q2")
		f.createAgent("a1")
		_, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, "q1", "a1") })
		require.NoError(t, err)
		next := q.Clone()
		next.Name, next.AutoAssignment, next.Strategy = "Renamed", true, routing.RoundRobin
		next.StickyAgent, next.StickyTimeoutSeconds, next.MaxWaitSeconds = true, 10, 20
		next.OverflowQueueID, next.Default = "q2", true
		next.CreatedAt, next.UpdatedAt = at(99*time.Hour), at(time.Hour)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateQueue(f.ctx, next) }))
		got, err := f.store.GetQueue(f.ctx, "q1")
		require.NoError(t, err)
		want := next.Clone()
		want.CreatedAt, want.Members = t0, []string{"a1"}
		equalQueue(t, want, got)
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
			return tx.UpdateQueue(f.ctx, &routing.Queue{ID: "missing", Name: "m", Strategy: routing.LeastBusy})
		}), storage.ErrNotFound)
		_, err = f.store.GetQueue(f.ctx, "missing")
		requireErr(t, err, storage.ErrNotFound)
	}},
	{"Membership", func(t *testing.T, f *fixture) {
		f.createQueue("q1")
		f.createQueue("q2")
		for _, a := range []string{"b", "a", "c"} {
			f.createAgent(a)
		}
		for _, m := range [][2]string{{"q1", "b"}, {"q1", "a"}, {"q2", "a"}} {
			added, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, m[0], m[1]) })
			require.NoError(t, err)
			require.True(t, added)
		}
		added, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, "q1", "a") })
		require.NoError(t, err)
		require.False(t, added)
		q1, err := f.store.GetQueue(f.ctx, "q1")
		require.NoError(t, err)
		require.Equal(t, []string{"a", "b"}, q1.Members)
		a, err := f.store.GetAgent(f.ctx, "a")
		require.NoError(t, err)
		require.Equal(t, []string{"q1", "q2"}, a.Queues)
		page, err := f.store.ListQueues(f.ctx, storage.QueueQuery{})
		require.NoError(t, err)
		require.Equal(t, []string{"a", "b"}, page.Items[0].Members, "lists carry members")
		agents, err := f.store.ListAgents(f.ctx, storage.AgentQuery{})
		require.NoError(t, err)
		require.Equal(t, []string{"q1", "q2"}, agents.Items[0].Queues, "lists carry memberships")

		_, err = InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, "missing", "a") })
		requireErr(t, err, storage.ErrNotFound)
		_, err = InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, "q1", "missing") })
		requireErr(t, err, storage.ErrNotFound)

		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.RemoveQueueMember(f.ctx, "q1", "a") }))
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.RemoveQueueMember(f.ctx, "q1", "a") }), storage.ErrNotFound)
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.RemoveQueueMember(f.ctx, "q1", "c") }), storage.ErrNotFound)
		a, err = f.store.GetAgent(f.ctx, "a")
		require.NoError(t, err)
		require.Equal(t, []string{"q2"}, a.Queues)
	}},
	{"ListByID", func(t *testing.T, f *fixture) {
		for _, id := range []string{"q3", "q1", "q2"} {
			f.createQueue(id)
		}
		page, err := f.store.ListQueues(f.ctx, storage.QueueQuery{Paging: storage.Paging{Limit: 2}})
		require.NoError(t, err)
		require.Equal(t, []string{"q1", "q2"}, ids(page.Items, func(q *routing.Queue) string { return q.ID }))
		require.Equal(t, 3, page.Total)
		page, err = f.store.ListQueues(f.ctx, storage.QueueQuery{Paging: storage.Paging{Limit: 2, Cursor: page.NextCursor}})
		require.NoError(t, err)
		require.Equal(t, []string{"q3"}, ids(page.Items, func(q *routing.Queue) string { return q.ID }))
		require.Empty(t, page.NextCursor)
	}},
}

var ruleCases = []testCase{
	{"ReplaceKeepsOrderAndEveryField", func(t *testing.T, f *fixture) {
		for _, q := range []string{"q1", "q2", "q3"} {
			f.createQueue(q)
		}
		rules, err := f.store.ListRules(f.ctx)
		require.NoError(t, err)
		require.Empty(t, rules)
		want := []routing.Rule{
			{ID: "r2", Name: "VIP", QueueID: "q1", Priority: conversation.Urgent, Condition: routing.Condition{
				Match: routing.MatchAny, Channels: []conversation.Channel{conversation.WhatsApp, conversation.Email},
				Priorities: []conversation.Priority{conversation.High}, TagsAny: []string{"vip", "gold"}, TagsAll: []string{"paid"},
				CustomerID: "c-1", TopicContains: "Rückerstattung", Attributes: map[string]string{"tier": "1", "ß": "x"},
			}},
			{ID: "r1", Name: "Off", QueueID: "q2", Disabled: true},
			{ID: "r3", Name: "Everything", QueueID: "q2"},
		}
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.ReplaceRules(f.ctx, want) }))
		got, err := f.store.ListRules(f.ctx)
		require.NoError(t, err)
		require.Equal(t, want, normalizeRules(got))

		next := []routing.Rule{{ID: "r9", Name: "Only", QueueID: "q3"}}
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.ReplaceRules(f.ctx, next) }))
		got, err = f.store.ListRules(f.ctx)
		require.NoError(t, err)
		require.Equal(t, next, normalizeRules(got))

		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.ReplaceRules(f.ctx, nil) }))
		got, err = f.store.ListRules(f.ctx)
		require.NoError(t, err)
		require.Empty(t, got)
	}},
	// ConcurrentReplace: replacements from several goroutines at once never
	// fail for each other, and the list is always one of them, whole.
	{"ConcurrentReplace", func(t *testing.T, f *fixture) {
		f.createQueue("q1")
		const writers, rounds = 6, 10
		for round := range rounds {
			lists := make([][]routing.Rule, writers)
			fns := make([]func() error, writers)
			for w := range writers {
				lists[w] = catalogRaceRules(round, w)
				for k := range lists[w] {
					lists[w][k].QueueID = "q1"
				}
				fns[w] = func() error {
					return f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.ReplaceRules(f.ctx, lists[w]) })
				}
			}
			require.NoError(t, parallelErr(fns...), "round %d", round)
			got, err := f.store.ListRules(f.ctx)
			require.NoError(t, err)
			ids := ruleIDs(got)
			found := false
			for _, l := range lists {
				found = found || slices.Equal(ids, ruleIDs(l))
			}
			require.True(t, found, "round %d: the rules are no one replacement: %v", round, ids)
		}
	}},
}

// normalizeRules maps empty lists to nil, which a store may return for
// either.
func normalizeRules(rules []routing.Rule) []routing.Rule {
	for i := range rules {
		c := &rules[i].Condition
		if len(c.Channels) == 0 {
			c.Channels = nil
		}
		if len(c.Priorities) == 0 {
			c.Priorities = nil
		}
		if len(c.TagsAny) == 0 {
			c.TagsAny = nil
		}
		if len(c.TagsAll) == 0 {
			c.TagsAll = nil
		}
		if len(c.Attributes) == 0 {
			c.Attributes = nil
		}
	}
	return rules
}
