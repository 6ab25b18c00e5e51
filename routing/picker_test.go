package routing_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/routing"
)

// agentCap is an eligible agent of queue "q1" with a capacity, a load and a
// last assignment.
func agentCap(id string, capacity, load int, last time.Time) routing.Candidate {
	a := member(id)
	a.Capacity = capacity
	a.LastAssignedAt = last
	return routing.Candidate{Agent: a, Load: load}
}

// changed returns c after change has been applied to its agent.
func changed(c routing.Candidate, change func(a *routing.Agent)) routing.Candidate {
	change(c.Agent)
	return c
}

// wrappingUp returns c with its agent in wrap-up until until.
func wrappingUp(c routing.Candidate, until time.Time) routing.Candidate {
	return changed(c, func(a *routing.Agent) { a.WrapUpUntil = until })
}

func cloneCandidates(cs []routing.Candidate) []routing.Candidate {
	out := make([]routing.Candidate, len(cs))
	for i, c := range cs {
		out[i] = routing.Candidate{Agent: c.Agent.Clone(), Load: c.Load}
	}
	return out
}

// drain picks until the Picker has no agent, one conversation per second
// from t0 when step is true, all at t0 otherwise, and returns who got each.
func drain(t *testing.T, p *routing.Picker, step bool) []string {
	t.Helper()
	var got []string
	for i := 0; ; i++ {
		now := t0
		if step {
			now = at(i)
		}
		c, ok := p.Pick(now)
		if !ok {
			return got
		}
		got = append(got, c.Agent.ID)
		require.Less(t, i, 10000, "the picker never runs dry")
	}
}

func TestPickerDrains(t *testing.T) {
	t.Parallel()
	never := time.Time{}
	tests := []struct {
		name       string
		strategy   routing.Strategy
		candidates []routing.Candidate
		step       bool // one second between picks rather than all at one time
		want       []string
	}{
		{
			name:     "least busy fills the lowest load first",
			strategy: routing.LeastBusy,
			candidates: []routing.Candidate{
				agentCap("a", 2, 0, never), agentCap("b", 3, 1, never), agentCap("c", 1, 0, never),
			},
			step: true,
			want: []string{"a", "c", "b", "a", "b"},
		},
		{
			name:     "round robin ignores load",
			strategy: routing.RoundRobin,
			candidates: []routing.Candidate{
				agentCap("a", 2, 0, never), agentCap("b", 3, 1, never), agentCap("c", 1, 0, never),
			},
			step: true,
			want: []string{"a", "b", "c", "a", "b"},
		},
		{
			name:     "round robin at one instant cycles by id",
			strategy: routing.RoundRobin,
			candidates: []routing.Candidate{
				agentCap("c", 2, 0, never), agentCap("a", 2, 1, never), agentCap("b", 2, 0, never),
			},
			want: []string{"a", "b", "c", "b", "c"},
		},
		{
			name:     "round robin starts with the longest idle",
			strategy: routing.RoundRobin,
			candidates: []routing.Candidate{
				agentCap("a", 2, 0, at(-10)), agentCap("b", 2, 0, at(-30)), agentCap("c", 2, 0, at(-20)),
			},
			step: true,
			want: []string{"b", "c", "a", "b", "c", "a"},
		},
		{
			name:     "least busy at one instant levels the loads",
			strategy: routing.LeastBusy,
			candidates: []routing.Candidate{
				agentCap("a", 4, 3, never), agentCap("b", 4, 1, at(-5)), agentCap("c", 4, 0, at(-50)),
			},
			want: []string{"c", "b", "c", "b", "c", "a", "b", "c"},
		},
		{
			name:     "full and ineligible agents get nothing",
			strategy: routing.LeastBusy,
			candidates: []routing.Candidate{
				agentCap("a", 2, 2, never),
				changed(agentCap("b", 2, 0, never), func(a *routing.Agent) { a.Status = routing.Away }),
				changed(agentCap("c", 2, 0, never), func(a *routing.Agent) { a.Disabled = true }),
				changed(agentCap("d", 2, 0, never), func(a *routing.Agent) { a.Queues = nil }),
				agentCap("e", 2, 0, at(-1)),
			},
			want: []string{"e", "e"},
		},
		{
			name:     "wrap-up ends while the queue drains",
			strategy: routing.RoundRobin,
			candidates: []routing.Candidate{
				agentCap("a", 4, 0, at(-10)),
				wrappingUp(agentCap("w", 2, 0, never), at(2)),
			},
			step: true,
			want: []string{"a", "a", "w", "a", "w", "a"},
		},
		{
			name:     "a wrap-up already over counts from the first pick",
			strategy: routing.LeastBusy,
			candidates: []routing.Candidate{
				wrappingUp(agentCap("w", 1, 0, never), at(-1)),
				agentCap("a", 1, 0, at(-10)),
			},
			want: []string{"w", "a"},
		},
		{
			name:       "nobody to pick",
			strategy:   routing.LeastBusy,
			candidates: []routing.Candidate{agentCap("a", 1, 1, never)},
			want:       nil,
		},
		{
			name:     "a repeated agent id counts once",
			strategy: routing.LeastBusy,
			candidates: []routing.Candidate{
				agentCap("a", 2, 1, never), agentCap("a", 2, 0, never),
			},
			want: []string{"a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := cloneCandidates(tt.candidates)
			p := routing.NewPicker(queue(tt.strategy), tt.candidates)
			got := drain(t, p, tt.step)
			require.Equal(t, tt.want, got)
			require.Zero(t, p.Len())
			require.Equal(t, before, tt.candidates, "the picker changes no candidate")
		})
	}
}

func TestPickerNeverExceedsCapacity(t *testing.T) {
	t.Parallel()
	for _, strategy := range []routing.Strategy{routing.LeastBusy, routing.RoundRobin} {
		t.Run(string(strategy), func(t *testing.T) {
			t.Parallel()
			var candidates []routing.Candidate
			room := map[string]int{}
			total := 0
			for i := range 25 {
				c := agentCap(fmt.Sprintf("agent-%02d", i), 1+i%5, i%3, at(-i%7))
				candidates = append(candidates, c)
				room[c.Agent.ID] = max(0, c.Agent.Capacity-c.Load)
				total += room[c.Agent.ID]
			}
			p := routing.NewPicker(queue(strategy), candidates)
			got := drain(t, p, false)
			require.Len(t, got, total, "every free place is filled")
			counts := map[string]int{}
			for _, id := range got {
				counts[id]++
			}
			for id, n := range counts {
				require.LessOrEqual(t, n, room[id], "agent %s over capacity", id)
			}
			_, ok := p.Pick(at(1))
			require.False(t, ok, "everyone is full")
		})
	}
}

func TestPickerSticky(t *testing.T) {
	t.Parallel()
	q := queue(routing.LeastBusy)
	q.StickyAgent = true
	candidates := []routing.Candidate{
		agentCap("a", 5, 0, time.Time{}),
		agentCap("b", 2, 1, time.Time{}),
		wrappingUp(agentCap("w", 5, 0, time.Time{}), at(10)),
	}
	p := routing.NewPicker(q, candidates)

	c, ok := p.PickSticky(t0, "b")
	require.True(t, ok)
	require.Equal(t, routing.Choice{Agent: candidates[1].Agent, Load: 1, Sticky: true}, c)

	// b is full now: its customers fall back to the strategy.
	c, ok = p.PickSticky(t0, "b")
	require.True(t, ok)
	require.Equal(t, "a", c.Agent.ID)
	require.False(t, c.Sticky)

	// w is in wrap-up until at(10), then sticky again.
	c, _ = p.PickSticky(at(9), "w")
	require.Equal(t, "a", c.Agent.ID)
	c, _ = p.PickSticky(at(10), "w")
	require.Equal(t, "w", c.Agent.ID)
	require.True(t, c.Sticky)

	// An unknown id falls back to the strategy.
	c, _ = p.PickSticky(at(11), "nobody")
	require.Equal(t, "w", c.Agent.ID)
	require.False(t, c.Sticky)

	// A queue that is not sticky ignores the id.
	p = routing.NewPicker(queue(routing.LeastBusy), candidates)
	c, _ = p.PickSticky(at(20), "b")
	require.Equal(t, "a", c.Agent.ID)
	require.False(t, c.Sticky)
}

func TestPickerRemove(t *testing.T) {
	t.Parallel()
	candidates := []routing.Candidate{
		agentCap("a", 5, 0, time.Time{}),
		agentCap("b", 5, 0, time.Time{}),
		wrappingUp(agentCap("w", 5, 0, time.Time{}), at(10)),
	}
	p := routing.NewPicker(queue(routing.RoundRobin), candidates)
	require.Equal(t, 3, p.Len())
	p.Remove("a")
	p.Remove("w") // in wrap-up
	p.Remove("nobody")
	require.Equal(t, 1, p.Len())
	require.Equal(t, []string{"b", "b", "b", "b", "b"}, drain(t, p, true))
	require.Zero(t, p.Len())
}

func TestPickerWithoutQueue(t *testing.T) {
	t.Parallel()
	p := routing.NewPicker(nil, []routing.Candidate{agentCap("a", 5, 0, time.Time{})})
	_, ok := p.Pick(t0)
	require.False(t, ok)
	require.Zero(t, p.Len())
}

// TestPickerAgreesWithPickAgent runs the Picker and PickAgent side by side
// on random queues, candidates, times, sticky ids and removals: after every
// assignment PickAgent sees the candidates as the Picker recorded them, and
// the two must always make the same choice.
func TestPickerAgreesWithPickAgent(t *testing.T) {
	t.Parallel()
	for seed := range uint64(400) {
		rng := rand.New(rand.NewPCG(seed, 0x70757265))
		q := queue([]routing.Strategy{routing.LeastBusy, routing.RoundRobin, ""}[rng.IntN(3)])
		q.StickyAgent = rng.IntN(2) == 0

		n := rng.IntN(60)
		candidates := make([]routing.Candidate, n)
		for i := range candidates {
			a := member(fmt.Sprintf("a%02d", rng.IntN(1000)*100+i)) // unique, in random order
			a.Status = []routing.AgentStatus{routing.Active, routing.Active, routing.Active, routing.Busy, routing.Away}[rng.IntN(5)]
			a.Disabled = rng.IntN(10) == 0
			if rng.IntN(10) == 0 {
				a.Queues = []string{"q2"}
			}
			a.Capacity = rng.IntN(5) // 0 is the default
			if rng.IntN(3) > 0 {
				a.LastAssignedAt = at(-rng.IntN(4)) // few values, so ties are common
			}
			if rng.IntN(3) == 0 {
				a.WrapUpUntil = at(rng.IntN(30) - 5)
			}
			candidates[i] = routing.Candidate{Agent: a, Load: rng.IntN(7)}
		}
		before := cloneCandidates(candidates)
		mirror := cloneCandidates(candidates)
		p := routing.NewPicker(q, candidates)

		now := t0
		for step := range 150 {
			if rng.IntN(3) == 0 {
				now = now.Add(time.Duration(rng.IntN(3)) * time.Second)
			}
			if len(mirror) > 0 && rng.IntN(8) == 0 {
				i := rng.IntN(len(mirror))
				p.Remove(mirror[i].Agent.ID)
				mirror = slices.Delete(mirror, i, i+1)
			}
			sticky := ""
			if len(mirror) > 0 && rng.IntN(2) == 0 {
				sticky = mirror[rng.IntN(len(mirror))].Agent.ID
			} else if rng.IntN(10) == 0 {
				sticky = "nobody"
			}

			msg := fmt.Sprintf("seed %d step %d", seed, step)
			require.Equal(t, roomLeft(q, mirror, now), p.Len(), msg)
			want, wantOK := routing.PickAgent(q, mirror, now, sticky)
			got, gotOK := p.PickSticky(now, sticky)
			require.Equal(t, wantOK, gotOK, msg)
			if !wantOK {
				continue
			}
			require.Equal(t, want.Agent.ID, got.Agent.ID, msg)
			require.Equal(t, want.Load, got.Load, msg)
			require.Equal(t, want.Sticky, got.Sticky, msg)
			require.True(t, slices.ContainsFunc(candidates, func(c routing.Candidate) bool { return c.Agent == got.Agent }),
				"%s: the choice names the caller's agent", msg)

			i := slices.IndexFunc(mirror, func(c routing.Candidate) bool { return c.Agent.ID == got.Agent.ID })
			mirror[i].Load++
			mirror[i].Agent.LastAssignedAt = now
		}
		require.Equal(t, before, candidates, "seed %d: the picker changes no candidate", seed)
	}
}

// roomLeft counts the candidates a Picker still holds: eligible but for a
// wrap-up.
func roomLeft(q *routing.Queue, cs []routing.Candidate, now time.Time) int {
	n := 0
	for _, c := range cs {
		a := c.Agent.Clone()
		a.WrapUpUntil = time.Time{}
		if routing.Eligible(q, routing.Candidate{Agent: a, Load: c.Load}, now) {
			n++
		}
	}
	return n
}

// TestPickerPassingOver checks that the agent passed over is neither
// picked nor the sticky choice for that conversation, and stays available
// for the others.
func TestPickerPassingOver(t *testing.T) {
	t.Parallel()
	q := queue(routing.LeastBusy)
	q.StickyAgent = true
	candidates := []routing.Candidate{
		agentCap("a", 5, 0, time.Time{}),
		agentCap("b", 1, 0, time.Time{}),
	}
	p := routing.NewPicker(q, candidates)

	c, ok := p.PickPassingOver(t0, "a", "a")
	require.True(t, ok)
	require.Equal(t, "b", c.Agent.ID, "a is passed over, sticky or not")
	require.False(t, c.Sticky)
	// b is full now: the next conversation that passes a over finds no one.
	_, ok = p.PickPassingOver(at(1), "", "a")
	require.False(t, ok)
	require.Equal(t, 1, p.Len(), "a stays in the picker")
	// Others still get a.
	c, ok = p.PickPassingOver(at(2), "", "")
	require.True(t, ok)
	require.Equal(t, "a", c.Agent.ID)
	c, ok = p.PickPassingOver(at(3), "", "nobody")
	require.True(t, ok)
	require.Equal(t, "a", c.Agent.ID)
	require.Equal(t, 1, c.Load, "its load counts the pick before")

	// PassOver filters a copy for PickAgent.
	left := routing.PassOver(candidates, "a")
	require.Len(t, left, 1)
	require.Equal(t, "b", left[0].Agent.ID)
	require.Len(t, candidates, 2, "the input is not changed")
	require.Equal(t, candidates, routing.PassOver(candidates, ""))
}
