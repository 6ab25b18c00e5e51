package routing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
)

func TestAvailabilityOf(t *testing.T) {
	t.Parallel()
	fresh := t0.Add(-time.Minute)                                // within the default TTL
	stale := t0.Add(-routing.DefaultHeartbeatTTL)                // lapsed exactly now
	with := func(change func(a *routing.Agent)) *routing.Agent { // member("a1"), capacity 3, ACTIVE
		a := member("a1")
		change(a)
		return a
	}
	wrapping := func(a *routing.Agent) { a.WrapUpUntil = at(1) }
	tests := []struct {
		name   string
		p      routing.Presence
		status routing.AgentStatus
		convs  routing.Ineligibility
		calls  routing.Ineligibility
	}{
		{"ready for anything", routing.Presence{Agent: member("a1"), LastHeartbeat: fresh}, routing.Active, "", ""},
		{"never sent a heartbeat: conversations yes, calls no", routing.Presence{Agent: member("a1")}, routing.Active, "", routing.IneligibleNoHeartbeat},
		{"heartbeat lapsed exactly now", routing.Presence{Agent: member("a1"), LastHeartbeat: stale}, routing.Away, routing.IneligibleNoHeartbeat, routing.IneligibleNoHeartbeat},
		{"heartbeat one nanosecond from lapsing", routing.Presence{Agent: member("a1"), LastHeartbeat: stale.Add(time.Nanosecond)}, routing.Active, "", ""},
		{"no agent", routing.Presence{}, routing.Invisible, routing.IneligibleUnknown, routing.IneligibleUnknown},
		{"disabled", routing.Presence{Agent: with(func(a *routing.Agent) { a.Disabled = true }), LastHeartbeat: fresh}, routing.Invisible, routing.IneligibleDisabled, routing.IneligibleDisabled},
		{"disabled on a call", routing.Presence{Agent: with(func(a *routing.Agent) { a.Disabled = true }), OnCall: true}, routing.Invisible, routing.IneligibleDisabled, routing.IneligibleDisabled},
		{"chose BUSY", routing.Presence{Agent: with(func(a *routing.Agent) { a.Status = routing.Busy }), LastHeartbeat: fresh}, routing.Busy, routing.IneligibleNotActive, routing.IneligibleNotActive},
		{"chose AWAY", routing.Presence{Agent: with(func(a *routing.Agent) { a.Status = routing.Away }), LastHeartbeat: fresh}, routing.Away, routing.IneligibleNotActive, routing.IneligibleNotActive},
		{"chose INVISIBLE", routing.Presence{Agent: with(func(a *routing.Agent) { a.Status = routing.Invisible }), LastHeartbeat: fresh}, routing.Invisible, routing.IneligibleNotActive, routing.IneligibleNotActive},
		{"no status is INVISIBLE", routing.Presence{Agent: with(func(a *routing.Agent) { a.Status = "" })}, routing.Invisible, routing.IneligibleNotActive, routing.IneligibleNotActive},
		{"an unknown status is INVISIBLE", routing.Presence{Agent: with(func(a *routing.Agent) { a.Status = "ONLINE" }), LastHeartbeat: fresh}, routing.Invisible, routing.IneligibleNotActive, routing.IneligibleNotActive},
		{"INVISIBLE on a call is BUSY", routing.Presence{Agent: with(func(a *routing.Agent) { a.Status = routing.Invisible }), OnCall: true}, routing.Busy, routing.IneligibleNotActive, routing.IneligibleNotActive},
		{"AWAY in wrap-up is BUSY", routing.Presence{Agent: with(func(a *routing.Agent) { a.Status = routing.Away; wrapping(a) })}, routing.Busy, routing.IneligibleNotActive, routing.IneligibleNotActive},
		{"chose AWAY with a lapsed heartbeat", routing.Presence{Agent: with(func(a *routing.Agent) { a.Status = routing.Away }), LastHeartbeat: stale}, routing.Away, routing.IneligibleNotActive, routing.IneligibleNotActive},
		{"on a call", routing.Presence{Agent: member("a1"), OnCall: true, LastHeartbeat: fresh}, routing.Busy, routing.IneligibleOnCall, routing.IneligibleOnCall},
		{"on a call with a lapsed heartbeat stays BUSY", routing.Presence{Agent: member("a1"), OnCall: true, LastHeartbeat: stale}, routing.Busy, routing.IneligibleNoHeartbeat, routing.IneligibleNoHeartbeat},
		{"in wrap-up", routing.Presence{Agent: with(wrapping), LastHeartbeat: fresh}, routing.Busy, routing.IneligibleWrapUp, routing.IneligibleWrapUp},
		{"wrap-up ending exactly now is over", routing.Presence{Agent: with(func(a *routing.Agent) { a.WrapUpUntil = t0 }), LastHeartbeat: fresh}, routing.Active, "", ""},
		{"on a call and in wrap-up", routing.Presence{Agent: with(wrapping), OnCall: true, LastHeartbeat: fresh}, routing.Busy, routing.IneligibleOnCall, routing.IneligibleOnCall},
		{"messaging full: BUSY, calls still welcome", routing.Presence{Agent: member("a1"), Load: 3, LastHeartbeat: fresh}, routing.Busy, routing.IneligibleFull, ""},
		{"messaging over capacity", routing.Presence{Agent: member("a1"), Load: 7, LastHeartbeat: fresh}, routing.Busy, routing.IneligibleFull, ""},
		{"one below capacity", routing.Presence{Agent: member("a1"), Load: 2, LastHeartbeat: fresh}, routing.Active, "", ""},
		{"capacity 0 is the default", routing.Presence{Agent: with(func(a *routing.Agent) { a.Capacity = 0 }), Load: routing.DefaultCapacity - 1, LastHeartbeat: fresh}, routing.Active, "", ""},
		{"full and lapsed is AWAY", routing.Presence{Agent: member("a1"), Load: 3, LastHeartbeat: stale}, routing.Away, routing.IneligibleNoHeartbeat, routing.IneligibleNoHeartbeat},
		{"full and in wrap-up", routing.Presence{Agent: with(wrapping), Load: 3}, routing.Busy, routing.IneligibleWrapUp, routing.IneligibleNoHeartbeat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := routing.AvailabilityOf(tt.p, routing.HeartbeatPolicy{}, t0)
			require.Equal(t, routing.Availability{Status: tt.status, Conversations: tt.convs, Calls: tt.calls}, got)
		})
	}
}

// Over every combination of the inputs, the derived status is ACTIVE
// exactly when a conversation may be given, and a call may be offered only
// to an agent shown ACTIVE or, at messaging capacity, BUSY.
func TestAvailabilityInvariants(t *testing.T) {
	t.Parallel()
	hb := routing.HeartbeatPolicy{TTL: time.Minute}
	beats := []time.Time{{}, t0.Add(-30 * time.Second), t0.Add(-time.Minute), t0.Add(-time.Hour)}
	statuses := []routing.AgentStatus{routing.Active, routing.Busy, routing.Away, routing.Invisible, ""}
	for _, st := range statuses {
		for _, disabled := range []bool{false, true} {
			for _, onCall := range []bool{false, true} {
				for _, wrap := range []time.Time{{}, at(-1), t0, at(1)} {
					for _, beat := range beats {
						for load := 0; load <= 4; load++ {
							a := member("a1")
							a.Status, a.Disabled, a.WrapUpUntil = st, disabled, wrap
							p := routing.Presence{Agent: a, Load: load, OnCall: onCall, LastHeartbeat: beat}
							got := routing.AvailabilityOf(p, hb, t0)
							require.Equal(t, got.Status == routing.Active, got.Conversations == "", "%+v: %+v", p, got)
							if got.Calls == "" {
								require.Contains(t, []routing.AgentStatus{routing.Active, routing.Busy}, got.Status, "%+v: %+v", p, got)
								require.False(t, onCall || disabled || a.InWrapUp(t0) || hb.Lapsed(beat, t0))
							}
							require.Contains(t, []routing.AgentStatus{routing.Active, routing.Busy, routing.Away, routing.Invisible}, got.Status)
						}
					}
				}
			}
		}
	}
}

func TestHeartbeatPolicy(t *testing.T) {
	t.Parallel()
	var def routing.HeartbeatPolicy
	require.NoError(t, def.Validate())
	require.Equal(t, 2*time.Minute, def.TimeToLive())
	require.Equal(t, routing.KeepConversations, def.Action())

	custom := routing.HeartbeatPolicy{TTL: 45 * time.Second, OnLapse: routing.RequeueConversations}
	require.NoError(t, custom.Validate())
	require.Equal(t, 45*time.Second, custom.TimeToLive())
	require.Equal(t, routing.RequeueConversations, custom.Action())

	for _, ttl := range []time.Duration{routing.MinHeartbeatTTL, routing.MaxHeartbeatTTL} {
		require.NoError(t, routing.HeartbeatPolicy{TTL: ttl}.Validate(), ttl)
	}
	for _, ttl := range []time.Duration{-time.Second, routing.MinHeartbeatTTL - 1, routing.MaxHeartbeatTTL + 1} {
		err := routing.HeartbeatPolicy{TTL: ttl}.Validate()
		var fe *fault.FieldError
		require.True(t, errors.As(err, &fe), ttl)
		require.Equal(t, "heartbeatTtl", fe.Field)
	}
	err := routing.HeartbeatPolicy{OnLapse: "DROP"}.Validate()
	require.ErrorIs(t, err, fault.ErrInvalid)
	require.ErrorContains(t, err, "onLapse")
}

func TestHeartbeatLapse(t *testing.T) {
	t.Parallel()
	hb := routing.HeartbeatPolicy{TTL: time.Minute}
	last := t0
	require.Equal(t, t0.Add(time.Minute), hb.ExpiresAt(last))
	require.True(t, hb.ExpiresAt(time.Time{}).IsZero())

	require.False(t, hb.Lapsed(last, last), "fresh when sent")
	require.False(t, hb.Lapsed(last, last.Add(time.Minute-time.Nanosecond)), "fresh one nanosecond before the TTL")
	require.True(t, hb.Lapsed(last, last.Add(time.Minute)), "lapsed at the TTL exactly")
	require.True(t, hb.Lapsed(last, last.Add(time.Hour)))
	require.True(t, hb.Lapsed(time.Time{}, t0), "never sent")

	require.True(t, hb.LapsedBetween(last, at(30), at(60)), "lapsed at the end of the window")
	require.True(t, hb.LapsedBetween(last, at(59), at(3600)))
	require.False(t, hb.LapsedBetween(last, at(60), at(90)), "lapsed before the window")
	require.False(t, hb.LapsedBetween(last, at(10), at(59)), "still fresh")
	require.False(t, hb.LapsedBetween(time.Time{}, at(10), at(90)), "never sent never lapses")
}

func TestOnLapseValid(t *testing.T) {
	t.Parallel()
	require.True(t, routing.KeepConversations.Valid())
	require.True(t, routing.RequeueConversations.Valid())
	require.False(t, routing.OnLapse("").Valid())
	require.False(t, routing.OnLapse("keep").Valid())
}

func TestRequeuesOnLapse(t *testing.T) {
	t.Parallel()
	requeue := routing.HeartbeatPolicy{OnLapse: routing.RequeueConversations}
	conv := func(status conversation.Status, queue, agent string) *conversation.Conversation {
		return &conversation.Conversation{ID: "c1", Status: status, QueueID: queue, AgentID: agent}
	}
	tests := []struct {
		name string
		h    routing.HeartbeatPolicy
		c    *conversation.Conversation
		want bool
	}{
		{"open, queued, assigned", requeue, conv(conversation.Open, "q1", "a1"), true},
		{"waiting", requeue, conv(conversation.Waiting, "q1", "a1"), true},
		{"solved stays", requeue, conv(conversation.Solved, "q1", "a1"), false},
		{"closed stays", requeue, conv(conversation.Closed, "q1", "a1"), false},
		{"no queue to go back to", requeue, conv(conversation.Open, "", "a1"), false},
		{"unassigned already", requeue, conv(conversation.Open, "q1", ""), false},
		{"the default keeps", routing.HeartbeatPolicy{}, conv(conversation.Open, "q1", "a1"), false},
		{"KEEP keeps", routing.HeartbeatPolicy{OnLapse: routing.KeepConversations}, conv(conversation.Open, "q1", "a1"), false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.h.RequeuesOnLapse(tt.c), tt.name)
	}
}

// Until the service passes heartbeats and calls to auto-assignment, its
// eligibility and availability agree on every member of the queue: an
// agent with no heartbeat and no call may get a conversation by one
// exactly when it may by the other, so moving CheckEligibility onto
// AvailabilityOf changes no assignment.
func TestEligibilityAgreesWithAvailability(t *testing.T) {
	t.Parallel()
	q := queue(routing.LeastBusy)
	for _, st := range []routing.AgentStatus{routing.Active, routing.Busy, routing.Away, routing.Invisible, ""} {
		for _, disabled := range []bool{false, true} {
			for _, wrap := range []time.Time{{}, at(-1), t0, at(1)} {
				for _, capacity := range []int{0, 1, 3} {
					for load := 0; load <= 6; load++ {
						a := member("a1")
						a.Status, a.Disabled, a.WrapUpUntil, a.Capacity = st, disabled, wrap, capacity
						eligible := routing.Eligible(q, routing.Candidate{Agent: a, Load: load}, t0)
						avail := routing.AvailabilityOf(routing.Presence{Agent: a, Load: load}, routing.HeartbeatPolicy{}, t0)
						require.Equal(t, eligible, avail.Conversations == "", "%+v load %d: %+v", a, load, avail)
					}
				}
			}
		}
	}
}
