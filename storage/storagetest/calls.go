package storagetest

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// newCall returns a QUEUED inbound call of conversation conv, version 1.
func newCall(id, conv string, mods ...func(*call.Call)) *call.Call {
	c := &call.Call{
		ID: id, ConversationID: conv, Channel: conversation.Voice, Direction: call.Inbound,
		From: "+38591000" + id, To: "+38591999", ClientType: call.PSTN, State: call.Queued,
		CreatedAt: t0, UpdatedAt: t0, Version: 1,
	}
	for _, m := range mods {
		m(c)
	}
	return c
}

// ringing makes a call RINGING at agent until deadline.
func ringing(agent string, deadline time.Time) func(*call.Call) {
	return func(c *call.Call) {
		c.State, c.AgentID, c.OfferedAt, c.Deadline = call.Ringing, agent, deadline.Add(-30*time.Second), deadline
	}
}

// inState sets a call's state and agent.
func inState(s call.State, agent string) func(*call.Call) {
	return func(c *call.Call) { c.State, c.AgentID = s, agent }
}

func (f *fixture) createCall(c *call.Call) *call.Call {
	f.t.Helper()
	require.NoError(f.t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateCall(f.ctx, c) }))
	return c
}

func (f *fixture) getCall(id string) *call.Call {
	f.t.Helper()
	c, err := f.store.GetCall(f.ctx, id)
	require.NoError(f.t, err)
	return c
}

func (f *fixture) updateCall(c *call.Call, prev int64) error {
	return f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateCall(f.ctx, c, prev) })
}

func (f *fixture) heartbeat(agent string, at time.Time) bool {
	f.t.Helper()
	was, err := storage.RecordHeartbeat(f.ctx, f.store, agent, at)
	require.NoError(f.t, err)
	return was
}

func (f *fixture) markAbsent(agent string, lastBefore time.Time) bool {
	f.t.Helper()
	marked, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.MarkAbsent(f.ctx, agent, lastBefore) })
	require.NoError(f.t, err)
	return marked
}

// equalCall compares two calls field by field, times with Equal and in
// UTC; an empty list equals nil.
func equalCall(t *testing.T, want, got *call.Call) {
	t.Helper()
	require.NotNil(t, got)
	w, g := want.Clone(), got.Clone()
	for _, p := range []*call.Call{w, g} {
		if len(p.Refused) == 0 {
			p.Refused = nil
		}
		if p.Transfer != nil && len(p.Transfer.Refused) == 0 {
			p.Transfer.Refused = nil
		}
	}
	wt, gt := callTimes(w), callTimes(g)
	requireUTC(t, gt...)
	for i := range wt {
		require.True(t, wt[i].Equal(gt[i]), "time %d of call %s: want %v, got %v", i, want.ID, wt[i], gt[i])
		*callTimePtrs(w)[i], *callTimePtrs(g)[i] = time.Time{}, time.Time{}
	}
	require.Equal(t, w, g)
}

func callTimePtrs(c *call.Call) []*time.Time {
	out := []*time.Time{&c.CreatedAt, &c.UpdatedAt, &c.OfferedAt, &c.Deadline, &c.ConnectedAt, &c.EndedAt}
	if c.Transfer != nil {
		out = append(out, &c.Transfer.StartedAt, &c.Transfer.Deadline)
	}
	return out
}

func callTimes(c *call.Call) []time.Time {
	var out []time.Time
	for _, p := range callTimePtrs(c) {
		out = append(out, *p)
	}
	return out
}

// everyCallField is a call with every field set (not a state the domain
// would reach: the store keeps whatever it is given).
func everyCallField(id, conv, agent string) *call.Call {
	return &call.Call{
		ID: id, ConversationID: conv, Channel: conversation.Video, Direction: call.Outbound,
		From: "+385910001", To: "+385910002", ClientType: call.WhatsApp, State: call.Connected,
		QueueID: "q1", AgentID: agent, OnHold: true, EndReason: call.Failed,
		Transfer: &call.Transfer{
			Kind: call.ToQueue, From: agent, FromQueue: "q0", AgentID: "a9", QueueID: "q2",
			ExternalNumber: "+385910003", Caller: "+385910004", Refused: []string{"a7", "a3"},
			StartedAt: at(time.Minute), Deadline: at(2 * time.Minute),
		},
		Transfers: 2, Refused: []string{"z-last", "a-first", "m"},
		CreatedAt: t0, UpdatedAt: at(3 * time.Minute), OfferedAt: at(4 * time.Minute), Deadline: at(5 * time.Minute),
		ConnectedAt: at(6 * time.Minute), EndedAt: at(7 * time.Minute), Version: 1,
	}
}

var callCases = []testCase{
	{"CreateGetLockUpdateRoundTrip", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		f.createConversation(newConversation("c2"))
		f.createAgent("a1")
		f.createAgent("a2")
		c := f.createCall(everyCallField("k1", "c1", "a1"))
		equalCall(t, c, f.getCall("k1"))
		locked, err := InTx(f.ctx, f.store, func(tx storage.Tx) (*call.Call, error) { return tx.LockCall(f.ctx, "k1") })
		require.NoError(t, err)
		equalCall(t, c, locked)

		next := &call.Call{
			ID: "k1", ConversationID: "c2", Channel: conversation.Voice, Direction: call.Inbound,
			From: "+1555", To: "+1666", ClientType: call.WebRTC, State: call.Ringing,
			QueueID: "q9", AgentID: "a2", EndReason: call.NoAnswer,
			Transfer: &call.Transfer{Kind: call.ToExternalNumber, From: "a2", ExternalNumber: "+1777", Caller: "+1888",
				StartedAt: at(time.Hour)},
			Transfers: 3, Refused: []string{"a1"},
			CreatedAt: at(99 * time.Hour), UpdatedAt: at(time.Hour), OfferedAt: at(2 * time.Hour),
			Deadline: at(3 * time.Hour), Version: 2,
		}
		require.NoError(t, f.updateCall(next, 1))
		want := next.Clone()
		want.ConversationID, want.Direction, want.CreatedAt = "c1", call.Outbound, t0 // kept
		equalCall(t, want, f.getCall("k1"))

		// Back to nothing: no transfer, no refusals, zero times, no queue.
		bare := newCall("k1", "c1", inState(call.Ended, ""))
		bare.Direction, bare.Version = call.Outbound, 3
		require.NoError(t, f.updateCall(bare, 2))
		got := f.getCall("k1")
		equalCall(t, bare, got)
		require.Nil(t, got.Transfer)
		require.Empty(t, got.Refused)
	}},
	{"Errors", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		c := f.createCall(newCall("k1", "c1"))
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateCall(f.ctx, newCall("k1", "c1")) }), storage.ErrAlreadyExists)
		requireErr(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateCall(f.ctx, newCall("k2", "missing")) }), storage.ErrNotFound)
		_, err := f.store.GetCall(f.ctx, "k2")
		requireErr(t, err, storage.ErrNotFound)
		_, err = InTx(f.ctx, f.store, func(tx storage.Tx) (*call.Call, error) { return tx.LockCall(f.ctx, "missing") })
		requireErr(t, err, storage.ErrNotFound)
		requireErr(t, f.updateCall(newCall("missing", "c1"), 1), storage.ErrNotFound)

		next := c.Clone()
		next.Version, next.From = 2, "+1"
		requireErr(t, f.updateCall(next, 7), storage.ErrConflict)
		equalCall(t, c, f.getCall("k1"))
		require.NoError(t, f.updateCall(next, 1))
		requireErr(t, f.updateCall(next, 1), storage.ErrConflict)
		equalCall(t, next, f.getCall("k1"))
	}},
	{"OneLiveCallPerAgent", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		f.createAgent("a1")
		f.createAgent("a2")
		create := func(c *call.Call) error {
			return f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateCall(f.ctx, c) })
		}
		k1 := f.createCall(newCall("k1", "c1", ringing("a1", at(time.Minute))))
		for _, s := range []call.State{call.Ringing, call.Dialing, call.Connected} {
			requireErr(t, create(newCall("k-"+string(s), "c1", inState(s, "a1"))), storage.ErrConflict)
		}
		// Calls that are not live never conflict; another agent's live call neither.
		f.createCall(newCall("k2", "c1"))
		f.createCall(newCall("k3", "c1", inState(call.Ended, "a1")))
		f.createCall(newCall("k4", "c1", inState(call.Dialing, "a2")))

		// An update that would make a second live call is refused.
		k2 := newCall("k2", "c1", ringing("a1", at(time.Minute)))
		k2.Version = 2
		requireErr(t, f.updateCall(k2, 1), storage.ErrConflict)
		equalCall(t, newCall("k2", "c1"), f.getCall("k2"))
		// The live call itself moves on, still live.
		k1c := k1.Clone()
		k1c.State, k1c.Deadline, k1c.OfferedAt, k1c.ConnectedAt, k1c.Version = call.Connected, time.Time{}, time.Time{}, at(time.Minute), 2
		require.NoError(t, f.updateCall(k1c, 1))

		// Once it ended, the agent may have another.
		k1e := k1c.Clone()
		k1e.State, k1e.EndReason, k1e.EndedAt, k1e.Version = call.Ended, call.CustomerHangUp, at(2*time.Minute), 3
		require.NoError(t, f.updateCall(k1e, 2))
		require.NoError(t, f.updateCall(k2, 1))
		requireErr(t, create(newCall("k5", "c1", inState(call.Connected, "a1"))), storage.ErrConflict)
		// And once that one is requeued, a new one.
		k2q := newCall("k2", "c1")
		k2q.Version = 3
		require.NoError(t, f.updateCall(k2q, 2))
		f.createCall(newCall("k5", "c1", inState(call.Connected, "a1")))
	}},
	{"ListFiltersOrderAndPaging", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c0"))
		f.createConversation(newConversation("c1"))
		var all []*call.Call
		states := []call.State{call.Queued, call.Ended, call.Ended, call.Queued, call.Ended}
		for i := range 25 {
			c := newCall(idf("k", (i*7)%25), []string{"c0", "c1"}[i%2], func(c *call.Call) {
				c.CreatedAt = at(time.Duration(i%6) * time.Minute) // ties, broken by id
				c.QueueID = []string{"q0", "q1", ""}[i%3]
				c.State = states[i%5]
				if c.State == call.Ended {
					c.AgentID = []string{"a0", "a1"}[i%2]
				}
			})
			all = append(all, f.createCall(c))
		}
		all = append(all, f.createCall(newCall("live-1", "c0", ringing("a0", at(time.Minute)))),
			f.createCall(newCall("live-2", "c1", inState(call.Connected, "a1"))))
		slices.SortFunc(all, func(a, b *call.Call) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
		})
		queries := []storage.CallQuery{
			{},
			{ConversationID: "c1"},
			{AgentID: "a0"},
			{QueueID: "q1"},
			{States: []call.State{call.Ended}},
			{States: []call.State{call.Queued, call.Ringing, call.Connected}},
			{QueueID: "q0", States: []call.State{call.Queued}},
			{ConversationID: "c0", AgentID: "a0", States: []call.State{call.Ended, call.Ringing}},
			{ConversationID: "missing"},
		}
		for _, q := range queries {
			var want []string
			for _, c := range all {
				if (q.ConversationID == "" || c.ConversationID == q.ConversationID) &&
					(q.AgentID == "" || c.AgentID == q.AgentID) &&
					(q.QueueID == "" || c.QueueID == q.QueueID) &&
					(len(q.States) == 0 || slices.Contains(q.States, c.State)) {
					want = append(want, c.ID)
				}
			}
			var got []string
			paged := q
			paged.Limit = 3
			for {
				page, err := f.store.ListCalls(f.ctx, paged)
				require.NoError(t, err)
				require.Equal(t, len(want), page.Total, "%+v", q)
				require.LessOrEqual(t, len(page.Items), 3)
				got = append(got, callIDs(page.Items)...)
				if page.NextCursor == "" {
					break
				}
				paged.Cursor = page.NextCursor
			}
			require.Equal(t, want, got, "%+v", q)
		}
		// Whole pages, by number, agree.
		page, err := f.store.ListCalls(f.ctx, storage.CallQuery{Paging: storage.Paging{Limit: 5, Page: 2, SkipTotal: true}})
		require.NoError(t, err)
		require.Equal(t, -1, page.Total)
		require.Equal(t, callIDs(all[10:15]), callIDs(page.Items))
		equalCall(t, all[10], page.Items[0])

		// A cursor belongs to its query.
		page, err = f.store.ListCalls(f.ctx, storage.CallQuery{Paging: storage.Paging{Limit: 2}})
		require.NoError(t, err)
		_, err = f.store.ListCalls(f.ctx, storage.CallQuery{AgentID: "a0", Paging: storage.Paging{Limit: 2, Cursor: page.NextCursor}})
		requireErr(t, err, storage.ErrInvalid)
		_, err = f.store.ListCalls(f.ctx, storage.CallQuery{States: []call.State{"BOGUS"}})
		requireErr(t, err, storage.ErrInvalid)
	}},
	{"DueCallsOrderAndLimit", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		for _, a := range []string{"a1", "a2", "a3", "a4", "a5", "a6"} {
			f.createAgent(a)
		}
		f.createCall(newCall("k-late", "c1", ringing("a1", at(3*time.Minute))))
		f.createCall(newCall("k-b", "c1", func(c *call.Call) {
			c.Direction, c.State, c.AgentID, c.Deadline = call.Outbound, call.Dialing, "a2", at(time.Minute)
		}))
		f.createCall(newCall("k-a", "c1", ringing("a3", at(time.Minute))))
		f.createCall(newCall("k-future", "c1", ringing("a4", at(10*time.Minute))))
		f.createCall(newCall("k-at", "c1", ringing("a6", at(5*time.Minute))))
		// Deadlines outside RINGING and DIALING are not due.
		f.createCall(newCall("k-connected", "c1", func(c *call.Call) {
			c.State, c.AgentID, c.Deadline = call.Connected, "a5", at(0)
		}))
		f.createCall(newCall("k-queued", "c1", func(c *call.Call) { c.Deadline = at(0) }))
		f.createCall(newCall("k-ended", "c1", func(c *call.Call) {
			c.State, c.AgentID, c.Deadline = call.Ended, "a1", at(0)
		}))

		due := func(at time.Time, limit int) []string {
			cs, err := f.store.DueCalls(f.ctx, at, limit)
			require.NoError(t, err)
			return callIDs(cs)
		}
		require.Equal(t, []string{"k-a", "k-b", "k-late", "k-at"}, due(at(5*time.Minute), 10), "at the deadline is due")
		require.Equal(t, []string{"k-a", "k-b"}, due(at(5*time.Minute), 2))
		require.Empty(t, due(at(5*time.Minute), 0))
		require.Empty(t, due(at(59*time.Second), 10))
		cs, err := f.store.DueCalls(f.ctx, at(time.Hour), 1)
		require.NoError(t, err)
		equalCall(t, newCall("k-a", "c1", ringing("a3", at(time.Minute))), cs[0])
	}},
	{"DeletingConversationRemovesCalls", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		f.createConversation(newConversation("c2"))
		f.createAgent("a1")
		f.createCall(newCall("k1", "c1", inState(call.Connected, "a1")))
		f.createCall(newCall("k2", "c1"))
		f.createCall(newCall("k3", "c2"))
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteConversation(f.ctx, "c1") }))
		for _, id := range []string{"k1", "k2"} {
			_, err := f.store.GetCall(f.ctx, id)
			requireErr(t, err, storage.ErrNotFound)
		}
		page, err := f.store.ListCalls(f.ctx, storage.CallQuery{})
		require.NoError(t, err)
		require.Equal(t, []string{"k3"}, callIDs(page.Items))
		ps, err := f.store.AgentPresences(f.ctx, "a1")
		require.NoError(t, err)
		require.False(t, ps[0].OnCall, "the deleted call is nobody's live call")
		f.createCall(newCall("k4", "c2", inState(call.Connected, "a1")))
	}},
	{"AgentPresences", func(t *testing.T, f *fixture) {
		f.createQueue("q1")
		f.createAgent("a1")
		f.createAgent("a2")
		f.createAgent("a3", func(a *routing.Agent) { a.Disabled, a.Status = true, routing.Away })
		_, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, "q1", "a2") })
		require.NoError(t, err)
		for i, agent := range []string{"a1", "a1", "a3", "a2"} {
			c := newConversation(idf("c", i))
			c.AgentID = agent
			if i == 3 {
				c.Status = conversation.Closed // not load
			}
			f.createConversation(c)
		}
		f.createCall(newCall("k1", "c-000", ringing("a1", at(time.Minute))))
		f.createCall(newCall("k2", "c-000", inState(call.Ended, "a2")))
		require.False(t, f.heartbeat("a1", at(time.Minute)))
		require.False(t, f.heartbeat("a3", at(2*time.Minute)))
		require.True(t, f.markAbsent("a3", at(2*time.Minute)))

		ps, err := f.store.AgentPresences(f.ctx, "a3", "missing", "a1", "a1", "a2")
		require.NoError(t, err)
		require.Len(t, ps, 3)
		require.Equal(t, []string{"a1", "a2", "a3"}, []string{ps[0].Agent.ID, ps[1].Agent.ID, ps[2].Agent.ID})
		require.Equal(t, []int{2, 0, 1}, []int{ps[0].Load, ps[1].Load, ps[2].Load})
		require.Equal(t, []bool{true, false, false}, []bool{ps[0].OnCall, ps[1].OnCall, ps[2].OnCall})
		require.True(t, ps[0].LastHeartbeat.Equal(at(time.Minute)), "got %v", ps[0].LastHeartbeat)
		require.True(t, ps[1].LastHeartbeat.IsZero())
		require.True(t, ps[2].LastHeartbeat.Equal(at(2*time.Minute)), "an absent agent keeps its last heartbeat")
		requireUTC(t, ps[0].LastHeartbeat, ps[2].LastHeartbeat)
		require.Equal(t, []string{"q1"}, ps[1].Agent.Queues)
		require.True(t, ps[2].Agent.Disabled)

		ps, err = f.store.AgentPresences(f.ctx)
		require.NoError(t, err)
		require.Empty(t, ps)
		ps, err = f.store.AgentPresences(f.ctx, "missing")
		require.NoError(t, err)
		require.Empty(t, ps)
	}},
	{"QueueMemberLoadsPresence", func(t *testing.T, f *fixture) {
		f.createQueue("q1")
		f.createConversation(newConversation("c1"))
		for _, a := range []string{"a1", "a2", "a3"} {
			f.createAgent(a)
			_, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, "q1", a) })
			require.NoError(t, err)
		}
		f.createCall(newCall("k1", "c1", inState(call.Connected, "a2")))
		f.createCall(newCall("k2", "c1", func(c *call.Call) { c.Direction, c.State, c.AgentID = call.Outbound, call.Dialing, "a3" }))
		f.heartbeat("a1", at(time.Minute))
		f.heartbeat("a2", at(2*time.Minute))
		loads, err := f.store.QueueMemberLoads(f.ctx, "q1")
		require.NoError(t, err)
		require.Len(t, loads, 3)
		require.Equal(t, []bool{false, true, true}, []bool{loads[0].OnCall, loads[1].OnCall, loads[2].OnCall})
		require.True(t, loads[0].LastHeartbeat.Equal(at(time.Minute)))
		require.True(t, loads[1].LastHeartbeat.Equal(at(2*time.Minute)))
		require.True(t, loads[2].LastHeartbeat.IsZero())
		// The same as AgentPresences says.
		ps, err := f.store.AgentPresences(f.ctx, "a1", "a2", "a3")
		require.NoError(t, err)
		for i := range ps {
			require.Equal(t, ps[i].OnCall, loads[i].Presence().OnCall)
			require.True(t, ps[i].LastHeartbeat.Equal(loads[i].LastHeartbeat))
			require.Equal(t, ps[i].Load, loads[i].Load)
		}
	}},
	{"HeartbeatSequence", func(t *testing.T, f *fixture) {
		f.createAgent("a1")
		f.createAgent("a2")
		inTx := func(agent string, at time.Time) (bool, error) {
			return InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.RecordHeartbeat(f.ctx, agent, at) })
		}
		require.False(t, f.heartbeat("a1", at(time.Minute)), "the first heartbeat")
		require.True(t, f.heartbeat("a1", at(2*time.Minute)))
		was, err := inTx("a1", at(3*time.Minute))
		require.NoError(t, err)
		require.True(t, was)
		require.False(t, f.markAbsent("a1", at(2*time.Minute)), "a heartbeat newer than the lapse")
		require.True(t, f.markAbsent("a1", at(3*time.Minute)), "at lastBefore is lapsed")
		require.False(t, f.markAbsent("a1", at(3*time.Minute)), "already absent")
		require.False(t, f.heartbeat("a1", at(4*time.Minute)), "the first after MarkAbsent")
		require.True(t, f.heartbeat("a1", at(5*time.Minute)))
		// A heartbeat older than the last one (another instance's clock
		// lags) keeps the agent present and does not move the time back,
		// however it is written.
		last := func(agent string) time.Time {
			t.Helper()
			ps, err := f.store.AgentPresences(f.ctx, agent)
			require.NoError(t, err)
			require.Len(t, ps, 1)
			return ps[0].LastHeartbeat
		}
		require.True(t, f.heartbeat("a1", at(4*time.Minute)))
		require.True(t, at(5*time.Minute).Equal(last("a1")), "the latest heartbeat wins")
		was, err = inTx("a1", at(4*time.Minute))
		require.NoError(t, err)
		require.True(t, was)
		require.True(t, at(5*time.Minute).Equal(last("a1")), "in a transaction too")
		require.False(t, f.markAbsent("a1", at(4*time.Minute)), "the lapse is measured from the latest")

		// In a transaction, and through a store without HeartbeatRecorder.
		was, err = inTx("a2", at(time.Minute))
		require.NoError(t, err)
		require.False(t, was)
		was, err = storage.RecordHeartbeat(f.ctx, plainStore{f.store}, "a2", at(2*time.Minute))
		require.NoError(t, err)
		require.True(t, was)

		require.False(t, f.markAbsent("missing", at(time.Hour)))
		f.createAgent("never")
		require.False(t, f.markAbsent("never", at(time.Hour)), "never present")
		_, err = storage.RecordHeartbeat(f.ctx, f.store, "missing", t0)
		requireErr(t, err, storage.ErrNotFound)
		_, err = storage.RecordHeartbeat(f.ctx, plainStore{f.store}, "missing", t0)
		requireErr(t, err, storage.ErrNotFound)
		_, err = inTx("missing", t0)
		requireErr(t, err, storage.ErrNotFound)
	}},
	{"LapsedAgents", func(t *testing.T, f *fixture) {
		for _, a := range []string{"a", "b", "c", "d", "e", "never"} {
			f.createAgent(a)
		}
		f.heartbeat("c", at(time.Minute))
		f.heartbeat("b", at(2*time.Minute))
		f.heartbeat("a", at(2*time.Minute))
		f.heartbeat("d", at(time.Minute))
		f.markAbsent("d", at(time.Hour)) // reported already
		f.heartbeat("e", at(10*time.Minute))
		lapsed := func(before time.Time, limit int) []string {
			ids, err := f.store.LapsedAgents(f.ctx, before, limit)
			require.NoError(t, err)
			return ids
		}
		require.Equal(t, []string{"c", "a", "b"}, lapsed(at(5*time.Minute), 10))
		require.Equal(t, []string{"c", "a"}, lapsed(at(5*time.Minute), 2))
		require.Equal(t, []string{"c", "a", "b"}, lapsed(at(2*time.Minute), 10), "at lastBefore is lapsed")
		require.Equal(t, []string{"c"}, lapsed(at(time.Minute), 10))
		require.Empty(t, lapsed(at(0), 10))
		require.Empty(t, lapsed(at(time.Hour), 0))
		require.Equal(t, []string{"c", "a", "b", "e"}, lapsed(at(time.Hour), 10))
	}},
	{"Settings", func(t *testing.T, f *fixture) {
		put := func(key string, v []byte) {
			require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.PutSetting(f.ctx, key, v) }))
		}
		del := func(key string) bool {
			ok, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.DeleteSetting(f.ctx, key) })
			require.NoError(t, err)
			return ok
		}
		_, err := f.store.GetSetting(f.ctx, storage.SettingCallTimeouts)
		requireErr(t, err, storage.ErrNotFound)
		v := []byte(`{"inbound":30}`)
		put(storage.SettingCallTimeouts, v)
		v[0] = 'X' // the store kept its own copy
		got, err := f.store.GetSetting(f.ctx, storage.SettingCallTimeouts)
		require.NoError(t, err)
		require.Equal(t, `{"inbound":30}`, string(got))
		got[0] = 'Y'
		got, err = f.store.GetSetting(f.ctx, storage.SettingCallTimeouts)
		require.NoError(t, err)
		require.Equal(t, `{"inbound":30}`, string(got))

		put(storage.SettingCallTimeouts, []byte{0, 1, 0xff}) // any bytes, replaced
		got, err = f.store.GetSetting(f.ctx, storage.SettingCallTimeouts)
		require.NoError(t, err)
		require.Equal(t, []byte{0, 1, 0xff}, got)
		put(storage.SettingWrapUp, []byte{})
		got, err = f.store.GetSetting(f.ctx, storage.SettingWrapUp)
		require.NoError(t, err)
		require.Empty(t, got)

		require.True(t, del(storage.SettingCallTimeouts))
		require.False(t, del(storage.SettingCallTimeouts))
		_, err = f.store.GetSetting(f.ctx, storage.SettingCallTimeouts)
		requireErr(t, err, storage.ErrNotFound)
		_, err = f.store.GetSetting(f.ctx, storage.SettingWrapUp)
		require.NoError(t, err, "the other key stays")
	}},
	{"RollbackUndoesCallWrites", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		f.createAgent("a1")
		f.createAgent("a2")
		k1 := f.createCall(newCall("k1", "c1"))
		f.heartbeat("a1", at(time.Minute))
		for _, key := range []string{"kept", "deleted"} {
			require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.PutSetting(f.ctx, key, []byte("before")) }))
		}
		boom := errors.New("boom")
		err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
			if err := tx.CreateCall(f.ctx, newCall("k2", "c1", inState(call.Connected, "a1"))); err != nil {
				return err
			}
			next := newCall("k1", "c1", ringing("a2", at(time.Minute)))
			next.Version = 2
			if err := tx.UpdateCall(f.ctx, next, 1); err != nil {
				return err
			}
			if _, err := tx.RecordHeartbeat(f.ctx, "a2", at(2*time.Minute)); err != nil {
				return err
			}
			if marked, err := tx.MarkAbsent(f.ctx, "a1", at(time.Hour)); err != nil || !marked {
				return errors.Join(err, errors.New("not marked"))
			}
			if err := tx.PutSetting(f.ctx, "kept", []byte("after")); err != nil {
				return err
			}
			if err := tx.PutSetting(f.ctx, "new", []byte("after")); err != nil {
				return err
			}
			if ok, err := tx.DeleteSetting(f.ctx, "deleted"); err != nil || !ok {
				return errors.Join(err, errors.New("not deleted"))
			}
			// The transaction sees its own writes.
			got, err := tx.GetCall(f.ctx, "k1")
			if err != nil {
				return err
			}
			require.Equal(t, call.Ringing, got.State)
			ps, err := tx.AgentPresences(f.ctx, "a1", "a2")
			if err != nil {
				return err
			}
			require.True(t, ps[0].OnCall)
			require.True(t, ps[1].LastHeartbeat.Equal(at(2*time.Minute)))
			return boom
		})
		require.ErrorIs(t, err, boom)

		_, err = f.store.GetCall(f.ctx, "k2")
		requireErr(t, err, storage.ErrNotFound)
		equalCall(t, k1, f.getCall("k1"))
		ps, err := f.store.AgentPresences(f.ctx, "a1", "a2")
		require.NoError(t, err)
		require.False(t, ps[0].OnCall)
		require.True(t, ps[0].LastHeartbeat.Equal(at(time.Minute)))
		require.True(t, ps[1].LastHeartbeat.IsZero())
		lapsed, err := f.store.LapsedAgents(f.ctx, at(time.Hour), 10)
		require.NoError(t, err)
		require.Equal(t, []string{"a1"}, lapsed, "a1 is still present")
		require.True(t, f.heartbeat("a1", at(3*time.Minute)))
		require.False(t, f.heartbeat("a2", at(3*time.Minute)), "a2's heartbeat was undone")
		for key, want := range map[string]string{"kept": "before", "deleted": "before"} {
			got, err := f.store.GetSetting(f.ctx, key)
			require.NoError(t, err)
			require.Equal(t, want, string(got))
		}
		_, err = f.store.GetSetting(f.ctx, "new")
		requireErr(t, err, storage.ErrNotFound)
		// The live call rolled back leaves the agent free.
		f.createCall(newCall("k3", "c1", inState(call.Connected, "a1")))
	}},
	{"Aliasing", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		f.createAgent("a1")
		c := everyCallField("k1", "c1", "a1")
		c.State = call.Ringing
		f.createCall(c)
		want := c.Clone()
		mutate := func(c *call.Call) {
			c.Refused[0] = "changed"
			c.Transfer.Refused[0] = "changed"
			c.Transfer.AgentID = "changed"
			c.From = "changed"
		}
		mutate(c)
		equalCall(t, want, f.getCall("k1"))
		mutate(f.getCall("k1"))
		equalCall(t, want, f.getCall("k1"))
		locked, err := InTx(f.ctx, f.store, func(tx storage.Tx) (*call.Call, error) { return tx.LockCall(f.ctx, "k1") })
		require.NoError(t, err)
		mutate(locked)
		equalCall(t, want, f.getCall("k1"))
		page, err := f.store.ListCalls(f.ctx, storage.CallQuery{})
		require.NoError(t, err)
		mutate(page.Items[0])
		equalCall(t, want, f.getCall("k1"))
		due, err := f.store.DueCalls(f.ctx, at(time.Hour), 10)
		require.NoError(t, err)
		require.Len(t, due, 1)
		mutate(due[0])
		equalCall(t, want, f.getCall("k1"))

		next := want.Clone()
		next.Version = 2
		require.NoError(t, f.updateCall(next, 1))
		stored := next.Clone()
		mutate(next)
		equalCall(t, stored, f.getCall("k1"))
	}},
	{"AgentCallWrapUp", func(t *testing.T, f *fixture) {
		n := func(v int) *int { return &v }
		f.createQueue("q1")
		deferring := f.createAgent("a1")
		own := f.createAgent("a2", func(a *routing.Agent) { a.CallWrapUpSeconds = n(45) })
		for _, a := range []string{"a1", "a2"} {
			_, err := InTx(f.ctx, f.store, func(tx storage.Tx) (bool, error) { return tx.AddQueueMember(f.ctx, "q1", a) })
			require.NoError(t, err)
		}
		// every read of an agent keeps it
		reads := func(id string) []*routing.Agent {
			var out []*routing.Agent
			a, err := f.store.GetAgent(f.ctx, id)
			require.NoError(t, err)
			out = append(out, a)
			a, err = InTx(f.ctx, f.store, func(tx storage.Tx) (*routing.Agent, error) { return tx.LockAgent(f.ctx, id) })
			require.NoError(t, err)
			out = append(out, a)
			page, err := f.store.ListAgents(f.ctx, storage.AgentQuery{})
			require.NoError(t, err)
			for _, a := range page.Items {
				if a.ID == id {
					out = append(out, a)
				}
			}
			loads, err := f.store.QueueMemberLoads(f.ctx, "q1")
			require.NoError(t, err)
			for _, l := range loads {
				if l.Agent.ID == id {
					out = append(out, l.Agent)
				}
			}
			ps, err := f.store.AgentPresences(f.ctx, id)
			require.NoError(t, err)
			out = append(out, ps[0].Agent)
			c := newConversation("conv-" + id)
			c.AgentID = id
			if _, err := f.store.GetConversation(f.ctx, c.ID); err != nil {
				f.createConversation(c)
			}
			_, agents, err := inTx2(f, func(tx storage.Tx) (*conversation.Conversation, map[string]*routing.Agent, error) {
				return storage.LockConversationAndAgents(f.ctx, tx, c.ID, id)
			})
			require.NoError(t, err)
			return append(out, agents[id])
		}
		for _, a := range reads("a1") {
			require.Nil(t, a.CallWrapUpSeconds)
		}
		for _, a := range reads("a2") {
			require.NotNil(t, a.CallWrapUpSeconds)
			require.Equal(t, 45, *a.CallWrapUpSeconds)
			*a.CallWrapUpSeconds = 1 // a copy
		}
		require.Equal(t, 45, *reads("a2")[0].CallWrapUpSeconds)

		// Updates set and clear it.
		next := deferring.Clone()
		next.CallWrapUpSeconds = n(0)
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateAgent(f.ctx, next) }))
		*next.CallWrapUpSeconds = 9
		for _, a := range reads("a1") {
			require.NotNil(t, a.CallWrapUpSeconds, "zero is a value, not nil")
			require.Equal(t, 0, *a.CallWrapUpSeconds)
		}
		next = own.Clone()
		next.CallWrapUpSeconds = nil
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.UpdateAgent(f.ctx, next) }))
		for _, a := range reads("a2") {
			require.Nil(t, a.CallWrapUpSeconds)
		}
	}},
}

// inTx2 is InTx for a function of two results.
func inTx2[A, B any](f *fixture, fn func(tx storage.Tx) (A, B, error)) (A, B, error) {
	var a A
	var b B
	err := f.store.InTx(f.ctx, func(tx storage.Tx) error {
		var err error
		a, b, err = fn(tx)
		return err
	})
	return a, b, err
}

// plainStore is a Store with none of the optional interfaces of its own,
// so that the callers' fallbacks run.
type plainStore struct{ storage.Store }
