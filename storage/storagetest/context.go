package storagetest

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

// everyCall calls each storage operation once, with arguments that would
// succeed (and write) on the fixture of contextCases.
func everyCall(ctx context.Context, tx storage.Tx) map[string]func() error {
	c := newConversation("new")
	up := newConversation("c1")
	up.Version = 2
	ignore := func(_ any, err error) error { return err }
	return map[string]func() error{
		"CreateConversation": func() error { return tx.CreateConversation(ctx, c) },
		"GetConversation":    func() error { return ignore(tx.GetConversation(ctx, "c1")) },
		"LockConversation":   func() error { return ignore(tx.LockConversation(ctx, "c1")) },
		"LockConversationAndAgents": func() error {
			_, _, err := tx.LockConversationAndAgents(ctx, "c1", "a1")
			return err
		},
		"UpdateConversation":    func() error { return tx.UpdateConversation(ctx, up, 1) },
		"DeleteConversation":    func() error { return tx.DeleteConversation(ctx, "c1") },
		"ListConversations":     func() error { return ignore(tx.ListConversations(ctx, storage.ConversationQuery{})) },
		"CreateTag":             func() error { return tx.CreateTag(ctx, &tag.Tag{Name: "new", CreatedAt: t0}) },
		"EnsureTag":             func() error { return ignore(tx.EnsureTag(ctx, &tag.Tag{Name: "new", CreatedAt: t0})) },
		"GetTag":                func() error { return ignore(tx.GetTag(ctx, "t1")) },
		"DeleteTag":             func() error { return tx.DeleteTag(ctx, "t1") },
		"ListTags":              func() error { return ignore(tx.ListTags(ctx, storage.TagQuery{})) },
		"AddConversationTag":    func() error { return ignore(tx.AddConversationTag(ctx, "c1", "t2")) },
		"RemoveConversationTag": func() error { return tx.RemoveConversationTag(ctx, "c1", "t1") },
		"CreateMessage":         func() error { return tx.CreateMessage(ctx, newMessage("new", "c1", 0)) },
		"AppendMessage":         func() error { return tx.AppendMessage(ctx, newMessage("new", "c1", 0)) },
		"GetMessage":            func() error { return ignore(tx.GetMessage(ctx, "m1")) },
		"ListMessages":          func() error { return ignore(tx.ListMessages(ctx, storage.MessageQuery{ConversationID: "c1"})) },
		"CreateAgent": func() error {
			return tx.CreateAgent(ctx, &routing.Agent{ID: "new", DisplayName: "N", Role: routing.RoleAgent, Status: routing.Active, Capacity: 1, CreatedAt: t0, UpdatedAt: t0})
		},
		"GetAgent":  func() error { return ignore(tx.GetAgent(ctx, "a1")) },
		"LockAgent": func() error { return ignore(tx.LockAgent(ctx, "a1")) },
		"UpdateAgent": func() error {
			return tx.UpdateAgent(ctx, &routing.Agent{ID: "a1", DisplayName: "changed", Role: routing.RoleAgent, Status: routing.Active, Capacity: 1, CreatedAt: t0, UpdatedAt: t0})
		},
		"ListAgents": func() error { return ignore(tx.ListAgents(ctx, storage.ListQuery{})) },
		"CreateQueue": func() error {
			return tx.CreateQueue(ctx, &routing.Queue{ID: "new", Name: "new", Strategy: routing.LeastBusy, CreatedAt: t0, UpdatedAt: t0})
		},
		"GetQueue": func() error { return ignore(tx.GetQueue(ctx, "q1")) },
		"UpdateQueue": func() error {
			return tx.UpdateQueue(ctx, &routing.Queue{ID: "q1", Name: "changed", Strategy: routing.LeastBusy, CreatedAt: t0, UpdatedAt: t0})
		},
		"ListQueues":          func() error { return ignore(tx.ListQueues(ctx, storage.ListQuery{})) },
		"DefaultQueue":        func() error { return ignore(tx.DefaultQueue(ctx)) },
		"AddQueueMember":      func() error { return ignore(tx.AddQueueMember(ctx, "q1", "a1")) },
		"RemoveQueueMember":   func() error { return tx.RemoveQueueMember(ctx, "q1", "a2") },
		"ListRules":           func() error { return ignore(tx.ListRules(ctx)) },
		"ReplaceRules":        func() error { return tx.ReplaceRules(ctx, nil) },
		"AgentLoad":           func() error { return ignore(tx.AgentLoad(ctx, "a1")) },
		"QueueMemberLoads":    func() error { return ignore(tx.QueueMemberLoads(ctx, "q1")) },
		"ListWaiting":         func() error { return ignore(tx.ListWaiting(ctx, storage.WaitingQuery{QueueID: "q1"})) },
		"LastAgentOfCustomer": func() error { return ignore(tx.LastAgentOfCustomer(ctx, "cust", "", t0)) },
		"LockKey":             func() error { return tx.LockKey(ctx, "k") },
		"AppendEvents":        func() error { return tx.AppendEvents(ctx, sampleEvent("c1", storage.ConversationUpdated)) },
		"ListEvents":          func() error { return ignore(tx.ListEvents(ctx, storage.EventQuery{})) },
	}
}

// requireEveryTxMethod fails unless calls holds exactly the methods of
// storage.Tx, so that a method added to the interface cannot go untested
// with a cancelled context.
func requireEveryTxMethod(t *testing.T, calls map[string]func() error) {
	t.Helper()
	typ := reflect.TypeFor[storage.Tx]()
	var missing, unknown []string
	for i := range typ.NumMethod() {
		if name := typ.Method(i).Name; calls[name] == nil {
			missing = append(missing, name)
		}
	}
	for name := range calls {
		if _, ok := typ.MethodByName(name); !ok {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	require.Empty(t, missing, "everyCall does not call these methods of storage.Tx")
	require.Empty(t, unknown, "everyCall names these, which storage.Tx does not have")
}

func contextFixture(f *fixture) {
	f.t.Helper()
	f.createQueue("q1", func(q *routing.Queue) { q.Default = true })
	f.createAgent("a1")
	f.createAgent("a2")
	_, err := f.store.AddQueueMember(f.ctx, "q1", "a2")
	require.NoError(f.t, err)
	f.ensureTag("t2")
	c := newConversation("c1")
	c.Tags = []string{"t1"}
	f.createConversation(c)
	require.NoError(f.t, f.store.CreateMessage(f.ctx, newMessage("m1", "c1", 0)))
	require.NoError(f.t, f.store.ReplaceRules(f.ctx, []routing.Rule{{ID: "r1", Name: "R", QueueID: "q1"}}))
}

// snapshot reads what contextFixture wrote, to compare before and after.
func snapshot(t *testing.T, f *fixture) []any {
	t.Helper()
	var out []any
	c := f.getConversation("c1")
	out = append(out, c.Topic, c.Version, c.Tags)
	a, err := f.store.GetAgent(f.ctx, "a1")
	require.NoError(t, err)
	q, err := f.store.GetQueue(f.ctx, "q1")
	require.NoError(t, err)
	rules, err := f.store.ListRules(f.ctx)
	require.NoError(t, err)
	tags, err := f.store.ListTags(f.ctx, storage.TagQuery{})
	require.NoError(t, err)
	convs, err := f.store.ListConversations(f.ctx, storage.ConversationQuery{})
	require.NoError(t, err)
	msgs, err := f.store.ListMessages(f.ctx, storage.MessageQuery{ConversationID: "c1"})
	require.NoError(t, err)
	agents, err := f.store.ListAgents(f.ctx, storage.ListQuery{})
	require.NoError(t, err)
	queues, err := f.store.ListQueues(f.ctx, storage.ListQuery{})
	require.NoError(t, err)
	return append(out, a.DisplayName, q.Name, q.Members, len(rules), tagNames(tags.Items), convs.Total,
		messageIDs(msgs.Items), agents.Total, queues.Total, len(f.allEvents()))
}

var contextCases = []testCase{
	{"CancelledBeforeTheCall", func(t *testing.T, f *fixture) {
		contextFixture(f)
		before := snapshot(t, f)
		ctx, cancel := context.WithCancel(f.ctx)
		cancel()
		calls := everyCall(ctx, f.store)
		requireEveryTxMethod(t, calls)
		for name, call := range calls {
			require.ErrorIs(t, call(), context.Canceled, "store.%s", name)
		}
		require.Equal(t, before, snapshot(t, f))
	}},
	{"CancelledInsideATransaction", func(t *testing.T, f *fixture) {
		contextFixture(f)
		before := snapshot(t, f)
		calls := everyCall(f.ctx, f.store)
		requireEveryTxMethod(t, calls)
		for name := range calls {
			ctx, cancel := context.WithCancel(f.ctx)
			err := f.store.InTx(ctx, func(tx storage.Tx) error {
				cancel()
				return everyCall(ctx, tx)[name]()
			})
			require.ErrorIs(t, err, context.Canceled, "tx.%s", name)
		}
		require.Equal(t, before, snapshot(t, f))
	}},
	{"CancelledBeforeCommit", func(t *testing.T, f *fixture) {
		contextFixture(f)
		before := snapshot(t, f)
		ctx, cancel := context.WithCancel(f.ctx)
		err := f.store.InTx(ctx, func(tx storage.Tx) error {
			if err := tx.CreateMessage(ctx, newMessage("m2", "c1", 0)); err != nil {
				return err
			}
			if err := tx.AppendEvents(ctx, sampleEvent("c1", storage.MessageCreated)); err != nil {
				return err
			}
			cancel()
			return nil
		})
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, before, snapshot(t, f))
	}},
	{"InTxWithADoneContextRunsNothing", func(t *testing.T, f *fixture) {
		ctx, cancel := context.WithCancel(f.ctx)
		cancel()
		ran := false
		err := f.store.InTx(ctx, func(storage.Tx) error { ran = true; return nil })
		require.ErrorIs(t, err, context.Canceled)
		require.False(t, ran)
	}},
}
