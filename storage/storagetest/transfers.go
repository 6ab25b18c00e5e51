package storagetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/storage"
)

// transferring makes a call CONNECTED to agent with a transfer of kind
// ringing at target ("" for none) until deadline (zero for none).
func transferring(agent string, kind call.TransferKind, target string, deadline time.Time) func(*call.Call) {
	return func(c *call.Call) {
		c.State, c.AgentID, c.ConnectedAt, c.Transfers = call.Connected, agent, t0, 1
		c.Transfer = &call.Transfer{Kind: kind, From: agent, AgentID: target, QueueID: "q1", StartedAt: t0, Deadline: deadline}
		if kind == call.ToExternalNumber {
			c.Transfer.QueueID, c.Transfer.ExternalNumber, c.Transfer.Caller = "", "+38591555", "+38591999"
		}
	}
}

func (f *fixture) onCall(ids ...string) []bool {
	f.t.Helper()
	ps, err := f.store.AgentPresences(f.ctx, ids...)
	require.NoError(f.t, err)
	out := make([]bool, len(ps))
	for i, p := range ps {
		out[i] = p.OnCall
	}
	return out
}

var transferCases = []testCase{
	{"TransferTakesUpItsAgent", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		for _, a := range []string{"a1", "a2", "a3", "a4", "a5"} {
			f.createAgent(a)
		}
		create := func(c *call.Call) error {
			return f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.CreateCall(f.ctx, c) })
		}
		k1 := f.createCall(newCall("k1", "c1", transferring("a1", call.ToAgent, "a2", at(time.Minute))))
		require.Equal(t, []bool{true, true, false}, f.onCall("a1", "a2", "a3"), "the agent a transfer rings at is on a call")

		// The agent a transfer rings at takes no live call, and no other transfer.
		for _, s := range []call.State{call.Ringing, call.Dialing, call.Connected} {
			requireErr(t, create(newCall("k-"+string(s), "c1", inState(s, "a2"))), storage.ErrConflict)
		}
		requireErr(t, create(newCall("k-t", "c1", transferring("a3", call.ToAgent, "a2", at(time.Minute)))), storage.ErrConflict)
		// Nor does a transfer ring at an agent on a live call, on create or update.
		f.createCall(newCall("k2", "c1", inState(call.Connected, "a3")))
		requireErr(t, create(newCall("k-t", "c1", transferring("a4", call.ToAgent, "a3", at(time.Minute)))), storage.ErrConflict)
		k3 := f.createCall(newCall("k3", "c1", inState(call.Connected, "a4")))
		next := newCall("k3", "c1", transferring("a4", call.ToQueue, "a3", at(time.Minute)))
		next.Version = 2
		requireErr(t, f.updateCall(next, 1), storage.ErrConflict)
		equalCall(t, k3, f.getCall("k3"))
		next.Transfer.AgentID = "a2" // rung by k1's transfer
		requireErr(t, f.updateCall(next, 1), storage.ErrConflict)
		// An update making an agent rung by a transfer live is refused too.
		ringA2 := newCall("k4", "c1")
		f.createCall(ringA2)
		up := newCall("k4", "c1", ringing("a2", at(time.Minute)))
		up.Version = 2
		requireErr(t, f.updateCall(up, 1), storage.ErrConflict)

		// The transfer moves on to another agent: the first is free again.
		moved := k1.Clone()
		moved.Transfer.AgentID, moved.Transfer.Kind, moved.Version = "a4", call.ToQueue, 2
		requireErr(t, f.updateCall(moved, 1), storage.ErrConflict) // a4 has a live call
		k3e := k3.Clone()
		k3e.State, k3e.EndReason, k3e.EndedAt, k3e.Version = call.Ended, call.CustomerHangUp, at(time.Minute), 2
		require.NoError(t, f.updateCall(k3e, 1))
		require.NoError(t, f.updateCall(moved, 1))
		equalCall(t, moved, f.getCall("k1"))
		require.Equal(t, []bool{true, false, true}, f.onCall("a1", "a2", "a4"))
		require.NoError(t, f.updateCall(up, 1), "a2 is free for a call")

		// The transfer is over: its agent is free, the call still the first agent's.
		done := moved.Clone()
		done.Transfer, done.Version = nil, 3
		require.NoError(t, f.updateCall(done, 2))
		require.Equal(t, []bool{true, true, false}, f.onCall("a1", "a2", "a4"))
		f.createCall(newCall("k5", "c1", transferring("a5", call.ToAgent, "a4", at(time.Minute))))
		require.Equal(t, []bool{true}, f.onCall("a4"))

		// Deleting the conversation frees every agent its calls took up.
		require.NoError(t, f.store.InTx(f.ctx, func(tx storage.Tx) error { return tx.DeleteConversation(f.ctx, "c1") }))
		require.Equal(t, []bool{false, false, false, false, false}, f.onCall("a1", "a2", "a3", "a4", "a5"))
	}},
	{"DueTransfers", func(t *testing.T, f *fixture) {
		f.createConversation(newConversation("c1"))
		for _, a := range []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"} {
			f.createAgent(a)
		}
		f.createCall(newCall("k-ring", "c1", ringing("a1", at(2*time.Minute))))
		f.createCall(newCall("k-agent", "c1", transferring("a2", call.ToAgent, "a3", at(time.Minute))))
		f.createCall(newCall("k-number", "c1", transferring("a4", call.ToExternalNumber, "", at(3*time.Minute))))
		f.createCall(newCall("k-later", "c1", transferring("a5", call.ToAgent, "a6", at(time.Hour))))
		// A QUEUE transfer between offers has no deadline: not due.
		f.createCall(newCall("k-between", "c1", transferring("a7", call.ToQueue, "", time.Time{})))
		// A transfer stored on a call that is not CONNECTED is not due by it.
		f.createCall(newCall("k-ended", "c1", func(c *call.Call) {
			transferring("a8", call.ToExternalNumber, "", at(0))(c)
			c.State, c.EndReason, c.EndedAt = call.Ended, call.Failed, at(0)
		}))

		due := func(at time.Time, limit int) []string {
			cs, err := f.store.DueCalls(f.ctx, at, limit)
			require.NoError(t, err)
			return callIDs(cs)
		}
		require.Equal(t, []string{"k-agent", "k-ring", "k-number"}, due(at(3*time.Minute), 10), "by the transfer's deadline; at it is due")
		require.Equal(t, []string{"k-agent", "k-ring"}, due(at(3*time.Minute), 2))
		require.Equal(t, []string{"k-agent"}, due(at(time.Minute), 10))
		require.Empty(t, due(at(59*time.Second), 10))
		cs, err := f.store.DueCalls(f.ctx, at(time.Minute), 1)
		require.NoError(t, err)
		equalCall(t, newCall("k-agent", "c1", transferring("a2", call.ToAgent, "a3", at(time.Minute))), cs[0])
	}},
}
