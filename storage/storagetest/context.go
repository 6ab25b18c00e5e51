package storagetest

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/schedule"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
	"github.com/parleyhq/parley/waiting"
)

// everyCall calls each operation of a Tx once, with arguments that would
// succeed (and write) on the fixture of contextCases.
func everyCall(ctx context.Context, tx storage.Tx) map[string]func() error {
	calls := everyRead(ctx, tx)
	c := newConversation("new")
	up := newConversation("c1")
	up.Version = 2
	ignore := func(_ any, err error) error { return err }
	for name, call := range map[string]func() error{
		"CreateConversation": func() error { return tx.CreateConversation(ctx, c) },
		"LockConversation":   func() error { return ignore(tx.LockConversation(ctx, "c1")) },
		"LockConversationAndAgents": func() error {
			_, _, err := storage.LockConversationAndAgents(ctx, tx, "c1", "a1")
			return err
		},
		"UpdateConversation":    func() error { return tx.UpdateConversation(ctx, up, 1) },
		"DeleteConversation":    func() error { return tx.DeleteConversation(ctx, "c1") },
		"CreateTag":             func() error { return tx.CreateTag(ctx, &tag.Tag{Name: "new", CreatedAt: t0}) },
		"EnsureTag":             func() error { return ignore(tx.EnsureTag(ctx, &tag.Tag{Name: "new", CreatedAt: t0})) },
		"DeleteTag":             func() error { return tx.DeleteTag(ctx, "t1") },
		"AddConversationTag":    func() error { return ignore(tx.AddConversationTag(ctx, "c1", "t2")) },
		"RemoveConversationTag": func() error { return tx.RemoveConversationTag(ctx, "c1", "t1") },
		"CreateMessage":         func() error { return tx.CreateMessage(ctx, newMessage("new", "c1", 0)) },
		"AppendMessage":         func() error { return storage.AppendMessage(ctx, tx, newMessage("new", "c1", 0)) },
		"InsertConversation":    func() error { return storage.InsertConversation(ctx, tx, newConversation("new")) },
		"LockConversationAndRules": func() error {
			_, _, _, err := storage.LockConversationAndRules(ctx, tx, "c1")
			return err
		},
		"QueueHeadAndLoads": func() error {
			_, _, _, err := storage.QueueHeadAndLoads(ctx, tx, "q1")
			return err
		},
		"LockAgentAndLoad": func() error {
			_, err := storage.LockAgentAndLoad(ctx, tx, "a1")
			return err
		},
		"CreateAgent": func() error {
			return tx.CreateAgent(ctx, &routing.Agent{ID: "new", DisplayName: "N", Role: routing.RoleAgent, Status: routing.Active, Capacity: 1, CreatedAt: t0, UpdatedAt: t0})
		},
		"LockAgent": func() error { return ignore(tx.LockAgent(ctx, "a1")) },
		"UpdateAgent": func() error {
			return tx.UpdateAgent(ctx, &routing.Agent{ID: "a1", DisplayName: "changed", Role: routing.RoleAgent, Status: routing.Active, Capacity: 1, CreatedAt: t0, UpdatedAt: t0})
		},
		"CreateQueue": func() error {
			return tx.CreateQueue(ctx, &routing.Queue{ID: "new", Name: "new", Strategy: routing.LeastBusy, CreatedAt: t0, UpdatedAt: t0})
		},
		"UpdateQueue": func() error {
			return tx.UpdateQueue(ctx, &routing.Queue{ID: "q1", Name: "changed", Strategy: routing.LeastBusy, CreatedAt: t0, UpdatedAt: t0})
		},
		"AddQueueMember":    func() error { return ignore(tx.AddQueueMember(ctx, "q1", "a1")) },
		"RemoveQueueMember": func() error { return tx.RemoveQueueMember(ctx, "q1", "a2") },
		"ReplaceRules":      func() error { return tx.ReplaceRules(ctx, nil) },
		"LockKey":           func() error { return tx.LockKey(ctx, "k") },
		"AppendEvents":      func() error { return tx.AppendEvents(ctx, sampleEvent("c1", storage.ConversationUpdated)) },
		"CreateCustomer":    func() error { return tx.CreateCustomer(ctx, newCustomer("new")) },
		"EnsureCustomer":    func() error { return ignore(tx.EnsureCustomer(ctx, newCustomer("new"))) },
		"LockCustomer":      func() error { return ignore(tx.LockCustomer(ctx, "cust")) },
		"UpdateCustomer": func() error {
			c := newCustomer("cust")
			c.Name = "changed"
			return tx.UpdateCustomer(ctx, c)
		},
		"DeleteCustomer": func() error { return tx.DeleteCustomer(ctx, "cust") },
		"CreateCall":     func() error { return tx.CreateCall(ctx, contextCall("new")) },
		"LockCall":       func() error { return ignore(tx.LockCall(ctx, "call1")) },
		"UpdateCall": func() error {
			c := contextCall("call1")
			c.From = "+9"
			return tx.UpdateCall(ctx, c, 1)
		},
		"RecordHeartbeat": func() error { return ignore(tx.RecordHeartbeat(ctx, "a1", t0.Add(time.Minute))) },
		"MarkAbsent":      func() error { return ignore(tx.MarkAbsent(ctx, "a2", t0.Add(time.Hour))) },
		"PutSetting":      func() error { return tx.PutSetting(ctx, "k2", []byte(`{}`)) },
		"DeleteSetting":   func() error { return ignore(tx.DeleteSetting(ctx, "k1")) },
		"CreateWorkingHours": func() error {
			w := contextHours("new")
			return tx.CreateWorkingHours(ctx, &w)
		},
		"UpdateWorkingHours": func() error {
			w := contextHours("wh1")
			w.Name = "Renamed"
			return tx.UpdateWorkingHours(ctx, &w)
		},
		"DeleteWorkingHours": func() error { return tx.DeleteWorkingHours(ctx, "wh1") },

		"CreateWaitingStrategy": func() error { return tx.CreateWaitingStrategy(ctx, queueStrategy("new", "q-new")) },
		"UpdateWaitingStrategy": func() error { return tx.UpdateWaitingStrategy(ctx, queueStrategy("ws1", "q2")) },
		"DeleteWaitingStrategy": func() error { return tx.DeleteWaitingStrategy(ctx, "ws1") },
		"PutCallWait":           func() error { return tx.PutCallWait(ctx, contextWait()) },
		"DeleteCallWait":        func() error { return ignore(tx.DeleteCallWait(ctx, "call1")) },
		"CreateHoldConfig": func() error {
			h := contextHold("new")
			return tx.CreateHoldConfig(ctx, &h)
		},
		"UpdateHoldConfig": func() error {
			h := contextHold("hold1")
			h.Name = "Renamed"
			return tx.UpdateHoldConfig(ctx, &h)
		},
		"DeleteHoldConfig": func() error { return tx.DeleteHoldConfig(ctx, "hold1") },
	} {
		calls[name] = call
	}
	maps.Copy(calls, recordingWrites(ctx, tx))
	return calls
}

// everyRead calls each read once, on the fixture of contextCases.
func everyRead(ctx context.Context, r storage.Reader) map[string]func() error {
	ignore := func(_ any, err error) error { return err }
	reads := map[string]func() error{
		"GetConversation":     func() error { return ignore(r.GetConversation(ctx, "c1")) },
		"ListConversations":   func() error { return ignore(r.ListConversations(ctx, storage.ConversationQuery{})) },
		"GetTag":              func() error { return ignore(r.GetTag(ctx, "t1")) },
		"ListTags":            func() error { return ignore(r.ListTags(ctx, storage.TagQuery{})) },
		"GetMessage":          func() error { return ignore(r.GetMessage(ctx, "m1")) },
		"ListMessages":        func() error { return ignore(r.ListMessages(ctx, storage.MessageQuery{ConversationID: "c1"})) },
		"GetAgent":            func() error { return ignore(r.GetAgent(ctx, "a1")) },
		"ListAgents":          func() error { return ignore(r.ListAgents(ctx, storage.AgentQuery{})) },
		"GetQueue":            func() error { return ignore(r.GetQueue(ctx, "q1")) },
		"ListQueues":          func() error { return ignore(r.ListQueues(ctx, storage.QueueQuery{})) },
		"DefaultQueue":        func() error { return ignore(r.DefaultQueue(ctx)) },
		"ListRules":           func() error { return ignore(r.ListRules(ctx)) },
		"AgentLoad":           func() error { return ignore(r.AgentLoad(ctx, "a1")) },
		"QueueMemberLoads":    func() error { return ignore(r.QueueMemberLoads(ctx, "q1")) },
		"ListWaiting":         func() error { return ignore(r.ListWaiting(ctx, storage.WaitingQuery{QueueID: "q1"})) },
		"LastAgentOfCustomer": func() error { return ignore(r.LastAgentOfCustomer(ctx, "cust", "", t0)) },
		"ListEvents":          func() error { return ignore(r.ListEvents(ctx, storage.EventQuery{})) },
		"GetCustomer":         func() error { return ignore(r.GetCustomer(ctx, "cust")) },
		"ListCustomers":       func() error { return ignore(r.ListCustomers(ctx, storage.CustomerQuery{})) },
		"GetCall":             func() error { return ignore(r.GetCall(ctx, "call1")) },
		"ListCalls":           func() error { return ignore(r.ListCalls(ctx, storage.CallQuery{})) },
		"DueCalls":            func() error { return ignore(r.DueCalls(ctx, t0, 10)) },
		"AgentPresences":      func() error { return ignore(r.AgentPresences(ctx, "a1")) },
		"LapsedAgents":        func() error { return ignore(r.LapsedAgents(ctx, t0, 10)) },
		"GetSetting":          func() error { return ignore(r.GetSetting(ctx, "k1")) },
		"GetWorkingHours":     func() error { return ignore(r.GetWorkingHours(ctx, "wh1")) },
		"ListWorkingHours":    func() error { return ignore(r.ListWorkingHours(ctx, storage.WorkingHoursQuery{})) },

		"GetWaitingStrategy":        func() error { return ignore(r.GetWaitingStrategy(ctx, "ws1")) },
		"ListWaitingStrategies":     func() error { return ignore(r.ListWaitingStrategies(ctx, waiting.ListParams{})) },
		"ClaimingWaitingStrategies": func() error { return ignore(r.ClaimingWaitingStrategies(ctx, nil, []string{"q1"})) },
		"GetCallWait":               func() error { return ignore(r.GetCallWait(ctx, "call1")) },
		"DueCallWaits":              func() error { return ignore(r.DueCallWaits(ctx, t0, 10)) },
		"GetHoldConfig":             func() error { return ignore(r.GetHoldConfig(ctx, "hold1")) },
		"ListHoldConfigs":           func() error { return ignore(r.ListHoldConfigs(ctx, storage.HoldConfigQuery{})) },
	}
	maps.Copy(reads, recordingReads(ctx, r))
	return reads
}

// contextWait is call1's wait under ws1.
func contextWait() *storage.CallWait {
	return &storage.CallWait{CallID: "call1", QueueID: "q1", StrategyID: "ws1", Since: t0, MaximumWaitAt: t0.Add(time.Minute), Due: t0.Add(time.Minute)}
}

// contextHours is officeHours stamped with t0.
func contextHours(id string) schedule.WorkingHours {
	w := officeHours(id)
	w.CreatedAt, w.UpdatedAt = t0, t0
	return w
}

// contextCall is a queued call of c1, version 1.
func contextCall(id string) *call.Call {
	c, err := call.NewInbound(call.Call{ConversationID: "c1", From: "+1", To: "+2", QueueID: "q1"}, id, t0)
	if err != nil {
		panic(err)
	}
	return c
}

// txMethods are the interfaces a Tx implements or may implement.
var txMethods = []reflect.Type{
	reflect.TypeFor[storage.Tx](),
	reflect.TypeFor[storage.ConversationAgentsLocker](),
	reflect.TypeFor[storage.MessageAppender](),
	reflect.TypeFor[storage.ConversationInserter](),
	reflect.TypeFor[storage.RoutingReader](),
}

// requireEveryMethod fails unless calls holds exactly the methods of the
// interfaces, so that a method added to one cannot go untested with a
// cancelled context.
func requireEveryMethod(t *testing.T, calls map[string]func() error, interfaces ...reflect.Type) {
	t.Helper()
	known := map[string]bool{}
	for _, typ := range interfaces {
		for i := range typ.NumMethod() {
			known[typ.Method(i).Name] = true
		}
	}
	var missing, unknown []string
	for name := range known {
		if calls[name] == nil {
			missing = append(missing, name)
		}
	}
	for name := range calls {
		if !known[name] {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(missing)
	slices.Sort(unknown)
	require.Empty(t, missing, "these methods are not called")
	require.Empty(t, unknown, "these are called but no interface has them")
}

func contextFixture(f *fixture) {
	f.t.Helper()
	f.createQueue("q1", func(q *routing.Queue) { q.Default = true })
	f.createAgent("a1")
	f.createAgent("a2")
	_, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, "q1", "a2") })
	require.NoError(f.t, err)
	f.ensureTag("t2")
	c := newConversation("c1")
	c.Tags = []string{"t1"}
	f.createConversation(c)
	require.NoError(f.t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateMessage(f.ctx, newMessage("m1", "c1", 0)) }))
	require.NoError(f.t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
		return tx.ReplaceRules(f.ctx, []routing.Rule{{ID: "r1", Name: "R", QueueID: "q1"}})
	}))
	f.createCustomer(newCustomer("cust"))
	require.NoError(f.t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
		if err := tx.CreateCall(f.ctx, contextCall("call1")); err != nil {
			return err
		}
		if err := tx.PutSetting(f.ctx, "k1", []byte(`{"a":1}`)); err != nil {
			return err
		}
		w := contextHours("wh1")
		if err := tx.CreateWorkingHours(f.ctx, &w); err != nil {
			return err
		}
		_, err := tx.RecordHeartbeat(f.ctx, "a2", t0)
		return err
	}))
	require.NoError(f.t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
		if err := tx.CreateWaitingStrategy(f.ctx, queueStrategy("ws1", "q1")); err != nil {
			return err
		}
		return tx.PutCallWait(f.ctx, contextWait())
	}))
	require.NoError(f.t, f.store.InTx(f.ctx, func(tx storage.Tx) error {
		h := contextHold("hold1")
		return tx.CreateHoldConfig(f.ctx, &h)
	}))
}

// contextHold is holdConfig of q1 stamped with t0.
func contextHold(id string) call.HoldConfig {
	h := holdConfig(id, "q1")
	h.CreatedAt, h.UpdatedAt = t0, t0
	return h
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
	agents, err := f.store.ListAgents(f.ctx, storage.AgentQuery{})
	require.NoError(t, err)
	queues, err := f.store.ListQueues(f.ctx, storage.QueueQuery{})
	require.NoError(t, err)
	customers, err := f.store.ListCustomers(f.ctx, storage.CustomerQuery{})
	require.NoError(t, err)
	calls, err := f.store.ListCalls(f.ctx, storage.CallQuery{})
	require.NoError(t, err)
	presence, err := f.store.AgentPresences(f.ctx, "a1", "a2")
	require.NoError(t, err)
	lapsed, err := f.store.LapsedAgents(f.ctx, t0.Add(time.Hour), 10)
	require.NoError(t, err)
	k1, err := f.store.GetSetting(f.ctx, "k1")
	require.NoError(t, err)
	_, err = f.store.GetSetting(f.ctx, "k2")
	require.ErrorIs(t, err, storage.ErrNotFound)
	hours, err := f.store.ListWorkingHours(f.ctx, storage.WorkingHoursQuery{})
	require.NoError(t, err)
	holds, err := f.store.ListHoldConfigs(f.ctx, storage.HoldConfigQuery{})
	require.NoError(t, err)
	var beats []time.Time
	for _, p := range presence {
		beats = append(beats, p.LastHeartbeat)
	}
	return append(out, a.DisplayName, q.Name, q.Members, len(rules), tagNames(tags.Items), convs.Total,
		messageIDs(msgs.Items), agents.Total, queues.Total, len(f.allEvents()), customers.Items,
		calls.Items, beats, lapsed, string(k1), hours.Items, holds.Items)
}

var contextCases = []testCase{
	{"CancelledBeforeTheCall", func(t *testing.T, f *fixture) {
		contextFixture(f)
		before := snapshot(t, f)
		ctx, cancel := context.WithCancel(f.ctx)
		cancel()
		reads := everyRead(ctx, f.store)
		requireEveryMethod(t, reads, reflect.TypeFor[storage.Reader]())
		for name, call := range reads {
			require.ErrorIs(t, call(), context.Canceled, "store.%s", name)
		}
		_, err := storage.RecordHeartbeat(ctx, f.store, "a1", t0.Add(time.Minute))
		require.ErrorIs(t, err, context.Canceled, "store.RecordHeartbeat")
		calls := everyCall(f.ctx, nil)
		requireEveryMethod(t, calls, txMethods...)
		for name := range calls {
			err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
				return everyCall(ctx, tx)[name]()
			})
			require.ErrorIs(t, err, context.Canceled, "tx.%s", name)
		}
		require.Equal(t, before, snapshot(t, f))
	}},
	{"CancelledInsideATransaction", func(t *testing.T, f *fixture) {
		contextFixture(f)
		before := snapshot(t, f)
		calls := everyCall(f.ctx, nil)
		requireEveryMethod(t, calls, txMethods...)
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
