package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/routing"
)

// t0 is the fixed "now" of the routing tests.
var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// at is t0 plus n seconds.
func at(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }

// member is an eligible agent of queue "q1" with the given id.
func member(id string) *routing.Agent {
	return &routing.Agent{
		ID: id, DisplayName: "Agent " + id, Role: routing.RoleAgent,
		Status: routing.Active, Capacity: 3, Queues: []string{"q1"},
	}
}

func queue(strategy routing.Strategy) *routing.Queue {
	return &routing.Queue{ID: "q1", Name: "Support", AutoAssignment: true, Strategy: strategy}
}

func TestCheckEligibility(t *testing.T) {
	t.Parallel()
	with := func(change func(a *routing.Agent)) *routing.Agent {
		a := member("a1")
		change(a)
		return a
	}
	tests := []struct {
		name  string
		queue *routing.Queue
		agent *routing.Agent
		load  int
		want  routing.Ineligibility
	}{
		{"eligible", queue(routing.LeastBusy), member("a1"), 0, ""},
		{"load one below capacity", queue(routing.LeastBusy), member("a1"), 2, ""},
		{"load exactly at capacity", queue(routing.LeastBusy), member("a1"), 3, routing.IneligibleFull},
		{"load over capacity", queue(routing.LeastBusy), member("a1"), 9, routing.IneligibleFull},
		{"capacity 0 means the default, one below", queue(routing.LeastBusy), with(func(a *routing.Agent) { a.Capacity = 0 }), routing.DefaultCapacity - 1, ""},
		{"capacity 0 means the default, reached", queue(routing.LeastBusy), with(func(a *routing.Agent) { a.Capacity = 0 }), routing.DefaultCapacity, routing.IneligibleFull},
		{"no agent", queue(routing.LeastBusy), nil, 0, routing.IneligibleUnknown},
		{"disabled", queue(routing.LeastBusy), with(func(a *routing.Agent) { a.Disabled = true }), 0, routing.IneligibleDisabled},
		{"busy", queue(routing.LeastBusy), with(func(a *routing.Agent) { a.Status = routing.Busy }), 0, routing.IneligibleNotActive},
		{"away", queue(routing.LeastBusy), with(func(a *routing.Agent) { a.Status = routing.Away }), 0, routing.IneligibleNotActive},
		{"invisible", queue(routing.LeastBusy), with(func(a *routing.Agent) { a.Status = routing.Invisible }), 0, routing.IneligibleNotActive},
		{"no status", queue(routing.LeastBusy), with(func(a *routing.Agent) { a.Status = "" }), 0, routing.IneligibleNotActive},
		{"member of other queues only", queue(routing.LeastBusy), with(func(a *routing.Agent) { a.Queues = []string{"q0", "q2"} }), 0, routing.IneligibleNotMember},
		{"member of no queue", queue(routing.LeastBusy), with(func(a *routing.Agent) { a.Queues = nil }), 0, routing.IneligibleNotMember},
		{"membership from the queue's side", &routing.Queue{ID: "q1", Members: []string{"a0", "a1", "a2"}}, with(func(a *routing.Agent) { a.Queues = nil }), 0, ""},
		{"no queue", nil, member("a1"), 0, routing.IneligibleNotMember},
		{"in wrap-up", queue(routing.LeastBusy), with(func(a *routing.Agent) { a.WrapUpUntil = at(1) }), 0, routing.IneligibleWrapUp},
		{"wrap-up ends exactly now", queue(routing.LeastBusy), with(func(a *routing.Agent) { a.WrapUpUntil = t0 }), 0, ""},
		{"wrap-up ended", queue(routing.LeastBusy), with(func(a *routing.Agent) { a.WrapUpUntil = at(-1) }), 0, ""},
		{"disabled comes before the other reasons", queue(routing.LeastBusy), with(func(a *routing.Agent) {
			a.Disabled, a.Status, a.Queues, a.WrapUpUntil = true, routing.Away, nil, at(60)
		}), 3, routing.IneligibleDisabled},
		{"capacity comes before wrap-up", queue(routing.LeastBusy), with(func(a *routing.Agent) { a.WrapUpUntil = at(60) }), 3, routing.IneligibleFull},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := routing.Candidate{Agent: tt.agent, Load: tt.load}
			require.Equal(t, tt.want, routing.CheckEligibility(tt.queue, c, t0))
			require.Equal(t, tt.want == "", routing.Eligible(tt.queue, c, t0))
		})
	}
}

func TestWrapUpAfterClose(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		seconds int
		running time.Time // the agent's WrapUpUntil before the close
		want    time.Time
	}{
		{"no wrap-up", 0, time.Time{}, time.Time{}},
		{"wrap-up from the close", 90, time.Time{}, at(90)},
		{"an ended wrap-up is replaced", 90, at(-10), at(90)},
		{"an ended wrap-up is not kept without wrap-up seconds", 0, at(-10), time.Time{}},
		{"a shorter running wrap-up is extended", 90, at(30), at(90)},
		{"a longer running wrap-up is kept", 90, at(300), at(300)},
		{"a running wrap-up is kept without wrap-up seconds", 0, at(30), at(30)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := member("a1")
			a.WrapUpSeconds, a.WrapUpUntil = tt.seconds, tt.running
			got := a.WrapUpAfterClose(t0)
			require.True(t, tt.want.Equal(got), "want %v, got %v", tt.want, got)
			require.Equal(t, tt.want.IsZero(), got.IsZero())

			// Right after the close the agent is in wrap-up exactly when it has one.
			a.WrapUpUntil = got
			require.Equal(t, got.After(t0), a.InWrapUp(t0))
			require.False(t, a.InWrapUp(got), "wrap-up ends at WrapUpUntil")
		})
	}
}

func TestGainedRoom(t *testing.T) {
	t.Parallel()
	with := func(change func(a *routing.Agent)) *routing.Agent {
		a := member("a1")
		change(a)
		return a
	}
	busy := func(a *routing.Agent) { a.Status = routing.Busy }
	tests := []struct {
		name          string
		before, after *routing.Agent
		want          bool
	}{
		{"no change", member("a1"), member("a1"), false},
		{"became ACTIVE", with(busy), member("a1"), true},
		{"left ACTIVE", member("a1"), with(busy), false},
		{"BUSY to AWAY", with(busy), with(func(a *routing.Agent) { a.Status = routing.Away }), false},
		{"enabled", with(func(a *routing.Agent) { a.Disabled = true }), member("a1"), true},
		{"disabled", member("a1"), with(func(a *routing.Agent) { a.Disabled = true }), false},
		{"capacity grew", member("a1"), with(func(a *routing.Agent) { a.Capacity = 4 }), true},
		{"capacity shrank", member("a1"), with(func(a *routing.Agent) { a.Capacity = 2 }), false},
		{"capacity 0 is the default", with(func(a *routing.Agent) { a.Capacity = 0 }), with(func(a *routing.Agent) { a.Capacity = routing.DefaultCapacity }), false},
		{"capacity grew past the default", with(func(a *routing.Agent) { a.Capacity = 0 }), with(func(a *routing.Agent) { a.Capacity = routing.DefaultCapacity + 1 }), true},
		{"capacity grew while not ACTIVE", with(busy), with(func(a *routing.Agent) { busy(a); a.Capacity = 9 }), true},
		{"renamed", member("a1"), with(func(a *routing.Agent) { a.DisplayName = "Other" }), false},
		{"wrap-up set", member("a1"), with(func(a *routing.Agent) { a.WrapUpUntil = at(60) }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, routing.GainedRoom(tt.before, tt.after))
		})
	}
}
