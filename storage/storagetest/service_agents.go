package storagetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

var serviceAgentCases = []serviceCase{
	{"CreateAgentDefaults", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		a, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{DisplayName: "Ann"})
		require.NoError(t, err)
		require.Equal(t, "id-0001", a.ID, "the id comes from the generator")
		require.Equal(t, routing.RoleAgent, a.Role)
		require.Equal(t, routing.Invisible, a.Status)
		require.True(t, a.Enabled())
		require.Equal(t, 5, a.Capacity)
		require.Zero(t, a.WrapUpSeconds)
		require.Empty(t, a.Queues)
		require.Equal(t, t0, a.CreatedAt)
		require.Equal(t, t0, a.UpdatedAt)
		got, err := fx.svc.GetAgent(fx.ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, a, got)

		sup, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{ID: "sup", DisplayName: "Sue", Role: routing.RoleSupervisor, Status: routing.Active, Capacity: 9, WrapUpSeconds: 30, Disabled: true})
		require.NoError(t, err)
		require.Equal(t, "sup", sup.ID)
		require.Equal(t, routing.RoleSupervisor, sup.Role)
		require.Equal(t, routing.Active, sup.Status)
		require.False(t, sup.Enabled())
		require.Equal(t, 9, sup.Capacity)
		require.Equal(t, 30, sup.WrapUpSeconds)

		before := fx.snapshot(t)
		_, err = fx.svc.CreateAgent(fx.ctx, routing.Agent{ID: "sup", DisplayName: "Other"})
		require.ErrorIs(t, err, parley.ErrAlreadyExists)
		fx.requireUnchanged(t, before)

		_, err = fx.svc.GetAgent(fx.ctx, "nope")
		require.ErrorIs(t, err, parley.ErrNotFound)
	}},
	{"UpdateAgent", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.agent(t, "a1", routing.RoleAgent)
		now := fx.tick()
		a, err := fx.svc.UpdateAgent(fx.ctx, "a1", routing.AgentPatch{
			DisplayName: ptr("Ann B."),
			Status:      ptr(routing.Active),
			Role:        ptr(routing.RoleSupervisor),
			Capacity:    ptr(8),
		})
		require.NoError(t, err)
		require.Equal(t, "Ann B.", a.DisplayName)
		require.Equal(t, routing.Active, a.Status)
		require.Equal(t, routing.RoleSupervisor, a.Role)
		require.Equal(t, 8, a.Capacity)
		require.Equal(t, now, a.UpdatedAt)
		require.Equal(t, t0, a.CreatedAt)
		got, err := fx.svc.GetAgent(fx.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, a, got)

		// Capacity 0 restores the default.
		a, err = fx.svc.UpdateAgent(fx.ctx, "a1", routing.AgentPatch{Capacity: ptr(0)})
		require.NoError(t, err)
		require.Equal(t, routing.DefaultCapacity, a.Capacity)

		// A patch that changes nothing writes nothing.
		before := fx.snapshot(t)
		fx.tick()
		same, err := fx.svc.UpdateAgent(fx.ctx, "a1", routing.AgentPatch{Status: ptr(routing.Active)})
		require.NoError(t, err)
		require.Equal(t, a, same)
		fx.requireUnchanged(t, before)

		_, err = fx.svc.UpdateAgent(fx.ctx, "nope", routing.AgentPatch{Status: ptr(routing.Away)})
		require.ErrorIs(t, err, parley.ErrNotFound)
		fx.requireUnchanged(t, before)
	}},
	{"ListAgentsAndQueues", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		for _, id := range []string{"c", "a", "e", "b", "d"} {
			fx.agent(t, id, routing.RoleAgent)
			fx.queue(t, "q-"+id, "Queue "+id)
		}
		var agents []string
		q := storage.AgentQuery{Paging: storage.Paging{Limit: 2}}
		for {
			page, err := fx.svc.ListAgents(fx.ctx, q)
			require.NoError(t, err)
			for _, a := range page.Items {
				agents = append(agents, a.ID)
			}
			if page.NextCursor == "" {
				break
			}
			q.Cursor = page.NextCursor
		}
		require.Equal(t, []string{"a", "b", "c", "d", "e"}, agents)

		page, err := fx.svc.ListQueues(fx.ctx, storage.QueueQuery{Paging: storage.Paging{Page: 1, Limit: 2}})
		require.NoError(t, err)
		require.Equal(t, 5, page.Total)
		require.Len(t, page.Items, 2)
		require.Equal(t, "q-c", page.Items[0].ID)
		require.Equal(t, "q-d", page.Items[1].ID)

		// An agents cursor is not a queues cursor.
		first, err := fx.svc.ListAgents(fx.ctx, storage.AgentQuery{Paging: storage.Paging{Limit: 1}})
		require.NoError(t, err)
		_, err = fx.svc.ListQueues(fx.ctx, storage.QueueQuery{Paging: storage.Paging{Cursor: first.NextCursor}})
		requireInvalid(t, err, "cursor")
	}},
}

var serviceQueueCases = []serviceCase{
	{"CreateQueue", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		q, err := fx.svc.CreateQueue(fx.ctx, routing.Queue{Name: "Support"})
		require.NoError(t, err)
		require.Equal(t, "id-0001", q.ID)
		require.Equal(t, routing.LeastBusy, q.Strategy)
		require.False(t, q.AutoAssignment)
		require.False(t, q.Default)
		require.Empty(t, q.Members)
		got, err := fx.svc.GetQueue(fx.ctx, q.ID)
		require.NoError(t, err)
		require.Equal(t, q, got)

		before := fx.snapshot(t)
		_, err = fx.svc.CreateQueue(fx.ctx, routing.Queue{Name: "Support"})
		require.ErrorIs(t, err, parley.ErrAlreadyExists, "queue names are unique")
		fx.requireUnchanged(t, before)
		_, err = fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: q.ID, Name: "Other"})
		require.ErrorIs(t, err, parley.ErrAlreadyExists)
		fx.requireUnchanged(t, before)

		// The overflow queue must exist.
		_, err = fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: "q2", Name: "Sales", MaxWaitSeconds: 60, OverflowQueueID: "nope"})
		require.ErrorIs(t, err, parley.ErrNotFound)
		fx.requireUnchanged(t, before)
		q2, err := fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: "q2", Name: "Sales", MaxWaitSeconds: 60, OverflowQueueID: q.ID, Strategy: routing.RoundRobin})
		require.NoError(t, err)
		require.Equal(t, q.ID, q2.OverflowQueueID)
		require.Equal(t, routing.RoundRobin, q2.Strategy)

		_, err = fx.svc.GetQueue(fx.ctx, "nope")
		require.ErrorIs(t, err, parley.ErrNotFound)
	}},
	{"UpdateQueue", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.queue(t, "q1", "Support")
		fx.queue(t, "q2", "Sales")
		now := fx.tick()
		q, err := fx.svc.UpdateQueue(fx.ctx, "q1", routing.QueuePatch{Name: ptr("Help"), AutoAssignment: ptr(true), StickyAgent: ptr(true), StickyTimeoutSeconds: ptr(600)})
		require.NoError(t, err)
		require.Equal(t, "Help", q.Name)
		require.True(t, q.AutoAssignment)
		require.True(t, q.StickyAgent)
		require.Equal(t, 600, q.StickyTimeoutSeconds)
		require.Equal(t, now, q.UpdatedAt)
		got, err := fx.svc.GetQueue(fx.ctx, "q1")
		require.NoError(t, err)
		require.Equal(t, q, got)

		before := fx.snapshot(t)
		same, err := fx.svc.UpdateQueue(fx.ctx, "q1", routing.QueuePatch{Name: ptr("Help")})
		require.NoError(t, err)
		require.Equal(t, q, same)
		fx.requireUnchanged(t, before)

		_, err = fx.svc.UpdateQueue(fx.ctx, "q1", routing.QueuePatch{Name: ptr("Sales")})
		require.ErrorIs(t, err, parley.ErrAlreadyExists, "renaming onto a taken name")
		fx.requireUnchanged(t, before)
		_, err = fx.svc.UpdateQueue(fx.ctx, "q1", routing.QueuePatch{OverflowQueueID: ptr("nope")})
		require.ErrorIs(t, err, parley.ErrNotFound)
		fx.requireUnchanged(t, before)
		_, err = fx.svc.UpdateQueue(fx.ctx, "nope", routing.QueuePatch{Name: ptr("X")})
		require.ErrorIs(t, err, parley.ErrNotFound)
		fx.requireUnchanged(t, before)

		q, err = fx.svc.UpdateQueue(fx.ctx, "q1", routing.QueuePatch{OverflowQueueID: ptr("q2"), MaxWaitSeconds: ptr(120)})
		require.NoError(t, err)
		require.Equal(t, "q2", q.OverflowQueueID)
		q, err = fx.svc.UpdateQueue(fx.ctx, "q1", routing.QueuePatch{OverflowQueueID: ptr("")})
		require.NoError(t, err)
		require.Empty(t, q.OverflowQueueID, "an empty overflow removes it")
	}},
	{"OneDefaultQueue", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		isDefault := func(id string) bool {
			q, err := fx.svc.GetQueue(fx.ctx, id)
			require.NoError(t, err)
			return q.Default
		}
		_, err := fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: "q1", Name: "One", Default: true})
		require.NoError(t, err)
		require.True(t, isDefault("q1"))

		seq := fx.lastSeq(t)
		now := fx.tick()
		_, err = fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: "q2", Name: "Two", Default: true})
		require.NoError(t, err)
		require.False(t, isDefault("q1"), "a second default demotes the first")
		require.True(t, isDefault("q2"))
		events := fx.eventsSince(t, seq)
		require.Equal(t, []storage.EventType{storage.QueueUpdated, storage.QueueCreated}, types(events))
		requireEvent(t, events[0], storage.QueueUpdated, "", "", now, change{"default", "true", "false"})
		require.Equal(t, "q1", events[0].EntityID)

		fx.queue(t, "q3", "Three")
		_, err = fx.svc.UpdateQueue(fx.ctx, "q3", routing.QueuePatch{Default: ptr(true)})
		require.NoError(t, err)
		require.False(t, isDefault("q1"))
		require.False(t, isDefault("q2"), "promoting one by update demotes the other")
		require.True(t, isDefault("q3"))

		// Setting the default again on the default changes nothing.
		before := fx.snapshot(t)
		_, err = fx.svc.UpdateQueue(fx.ctx, "q3", routing.QueuePatch{Default: ptr(true)})
		require.NoError(t, err)
		fx.requireUnchanged(t, before)

		// A failed create does not demote the default.
		_, err = fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: "q4", Name: "Three", Default: true})
		require.ErrorIs(t, err, parley.ErrAlreadyExists)
		fx.requireUnchanged(t, before)
	}},
	{"QueueMembership", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.agent(t, "a1", routing.RoleAgent)
		fx.agent(t, "a2", routing.RoleAgent)
		fx.queue(t, "q1", "Support")
		fx.queue(t, "q2", "Sales")

		require.NoError(t, ignore(fx.svc.AddQueueMember(fx.ctx, "q1", "a2")))
		q, err := fx.svc.AddQueueMember(fx.ctx, "q1", "a1")
		require.NoError(t, err)
		require.Equal(t, []string{"a1", "a2"}, q.Members, "the queue comes back with its members")
		require.NoError(t, ignore(fx.svc.AddQueueMember(fx.ctx, "q2", "a1")))
		q, err = fx.svc.GetQueue(fx.ctx, "q1")
		require.NoError(t, err)
		require.Equal(t, []string{"a1", "a2"}, q.Members)
		a, err := fx.svc.GetAgent(fx.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, []string{"q1", "q2"}, a.Queues)

		// Adding a member again is a no-op.
		before := fx.snapshot(t)
		require.NoError(t, ignore(fx.svc.AddQueueMember(fx.ctx, "q1", "a1")))
		fx.requireUnchanged(t, before)

		require.ErrorIs(t, ignore(fx.svc.AddQueueMember(fx.ctx, "nope", "a1")), parley.ErrNotFound)
		require.ErrorIs(t, ignore(fx.svc.AddQueueMember(fx.ctx, "q1", "nope")), parley.ErrNotFound)
		fx.requireUnchanged(t, before)

		q, err = fx.svc.RemoveQueueMember(fx.ctx, "q1", "a1")
		require.NoError(t, err)
		require.Equal(t, []string{"a2"}, q.Members)
		q, err = fx.svc.GetQueue(fx.ctx, "q1")
		require.NoError(t, err)
		require.Equal(t, []string{"a2"}, q.Members)
		a, err = fx.svc.GetAgent(fx.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, []string{"q2"}, a.Queues)

		before = fx.snapshot(t)
		require.ErrorIs(t, ignore(fx.svc.RemoveQueueMember(fx.ctx, "q1", "a1")), parley.ErrNotFound, "not a member any more")
		require.ErrorIs(t, ignore(fx.svc.RemoveQueueMember(fx.ctx, "q2", "a2")), parley.ErrNotFound, "never a member")
		require.ErrorIs(t, ignore(fx.svc.RemoveQueueMember(fx.ctx, "nope", "a2")), parley.ErrNotFound)
		fx.requireUnchanged(t, before)
	}},
}

var serviceRuleCases = []serviceCase{
	{"RoutingRules", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.queue(t, "q1", "Support")
		fx.queue(t, "q2", "VIP")
		rules, err := fx.svc.RoutingRules(fx.ctx)
		require.NoError(t, err)
		require.Empty(t, rules)

		in := []routing.Rule{
			{Name: "vip first", QueueID: "q2", Priority: conversation.High, Condition: routing.Condition{TagsAny: []string{"vip"}}},
			{ID: "mine", Name: "email", QueueID: "q1", Disabled: true, Condition: routing.Condition{Match: routing.MatchAny, Channels: []conversation.Channel{conversation.Email}, Attributes: map[string]string{"lang": "hr"}}},
			{Name: "everything else", QueueID: "q1"},
		}
		seq := fx.lastSeq(t)
		set, err := fx.svc.SetRoutingRules(fx.ctx, in)
		require.NoError(t, err)
		require.Len(t, set, 3)
		require.Equal(t, "id-0001", set[0].ID, "a rule without an id gets one, drawn only for it")
		require.Equal(t, "mine", set[1].ID, "a given id is kept")
		require.Equal(t, "id-0002", set[2].ID)
		require.Empty(t, in[0].ID, "the caller's slice is not changed")
		for i := range in {
			want := in[i].Clone()
			want.ID = set[i].ID
			require.Equal(t, want, set[i])
		}
		got, err := fx.svc.RoutingRules(fx.ctx)
		require.NoError(t, err)
		require.Equal(t, set, got, "the order is kept")
		events := fx.eventsSince(t, seq)
		require.Len(t, events, 1)
		requireEvent(t, events[0], storage.RoutingRulesReplaced, "", "", t0, change{"rules", `[]`, `["id-0001","mine","id-0002"]`})

		// Replacing is whole: a shorter list, a new order.
		set, err = fx.svc.SetRoutingRules(fx.ctx, []routing.Rule{got[2], got[0]})
		require.NoError(t, err)
		got, err = fx.svc.RoutingRules(fx.ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"id-0002", "id-0001"}, []string{got[0].ID, got[1].ID})
		require.Equal(t, set, got)

		before := fx.snapshot(t)
		_, err = fx.svc.SetRoutingRules(fx.ctx, []routing.Rule{{Name: "ok", QueueID: "q1"}, {Name: "lost", QueueID: "nope"}})
		require.ErrorIs(t, err, parley.ErrNotFound, "a rule's queue must exist")
		fx.requireUnchanged(t, before)

		invalid := []struct {
			rules []routing.Rule
			field string
		}{
			{[]routing.Rule{{QueueID: "q1"}}, "rules[0].name"},
			{[]routing.Rule{{Name: "a", QueueID: "q1"}, {Name: "b"}}, "rules[1].queueId"},
			{[]routing.Rule{{Name: "a", QueueID: "q1", Priority: "P1"}}, "rules[0].priority"},
			{[]routing.Rule{{Name: "a", QueueID: "q1", Condition: routing.Condition{Match: "some"}}}, "rules[0].condition.match"},
			{[]routing.Rule{{Name: "a", QueueID: "q1", Condition: routing.Condition{Channels: []conversation.Channel{"PIGEON"}}}}, "rules[0].condition.channels"},
			{[]routing.Rule{{Name: "a", QueueID: "q1", Condition: routing.Condition{TagsAll: []string{"a b"}}}}, "rules[0].condition.tagsAll"},
			{[]routing.Rule{{ID: "x", Name: "a", QueueID: "q1"}, {ID: "x", Name: "b", QueueID: "q1"}}, "rules[1].id"},
		}
		for _, tt := range invalid {
			_, err := fx.svc.SetRoutingRules(fx.ctx, tt.rules)
			requireInvalid(t, err, tt.field)
			fx.requireUnchanged(t, before)
		}

		_, err = fx.svc.SetRoutingRules(fx.ctx, nil)
		require.NoError(t, err)
		got, err = fx.svc.RoutingRules(fx.ctx)
		require.NoError(t, err)
		require.Empty(t, got, "an empty list clears the rules")
	}},
}
