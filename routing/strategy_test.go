package routing_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/routing"
)

// cand is a candidate of queue "q1" with a load and a last assignment.
func cand(id string, load int, last time.Time) routing.Candidate {
	a := member(id)
	a.Capacity = 10
	a.LastAssignedAt = last
	return routing.Candidate{Agent: a, Load: load}
}

func ids(cs []routing.Candidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Agent.ID
	}
	return out
}

func TestStrategyOrder(t *testing.T) {
	t.Parallel()
	never := time.Time{}
	tests := []struct {
		name       string
		candidates []routing.Candidate
		leastBusy  []string // the order under LEAST_BUSY, first served first
		roundRobin []string // the order under ROUND_ROBIN
	}{
		{
			name:       "load decides least busy only",
			candidates: []routing.Candidate{cand("a", 2, at(-300)), cand("b", 0, at(-10)), cand("c", 1, at(-100))},
			leastBusy:  []string{"b", "c", "a"},
			roundRobin: []string{"a", "c", "b"},
		},
		{
			name:       "same load: longest since the last assignment",
			candidates: []routing.Candidate{cand("a", 1, at(-10)), cand("b", 1, at(-300)), cand("c", 1, at(-100))},
			leastBusy:  []string{"b", "c", "a"},
			roundRobin: []string{"b", "c", "a"},
		},
		{
			name:       "never assigned is the longest",
			candidates: []routing.Candidate{cand("a", 1, at(-100000)), cand("b", 1, never), cand("c", 1, at(-1))},
			leastBusy:  []string{"b", "a", "c"},
			roundRobin: []string{"b", "a", "c"},
		},
		{
			name:       "never assigned sorts before a time earlier than the zero time",
			candidates: []routing.Candidate{cand("a", 0, time.Time{}.Add(-time.Hour)), cand("b", 0, never)},
			leastBusy:  []string{"b", "a"},
			roundRobin: []string{"b", "a"},
		},
		{
			name:       "same load and last assignment: lowest id",
			candidates: []routing.Candidate{cand("c", 1, at(-60)), cand("a", 1, at(-60)), cand("b", 1, at(-60))},
			leastBusy:  []string{"a", "b", "c"},
			roundRobin: []string{"a", "b", "c"},
		},
		{
			name:       "never assigned on both: lowest id",
			candidates: []routing.Candidate{cand("b", 0, never), cand("a", 0, never)},
			leastBusy:  []string{"a", "b"},
			roundRobin: []string{"a", "b"},
		},
		{
			name:       "ids compare bytewise",
			candidates: []routing.Candidate{cand("a10", 0, never), cand("a9", 0, never), cand("B", 0, never)},
			leastBusy:  []string{"B", "a10", "a9"},
			roundRobin: []string{"B", "a10", "a9"},
		},
		{
			name: "every level at once",
			candidates: []routing.Candidate{
				cand("e", 0, at(-5)), cand("d", 0, at(-5)), cand("c", 0, never),
				cand("b", 1, never), cand("a", 2, at(-500)),
			},
			leastBusy:  []string{"c", "d", "e", "b", "a"},
			roundRobin: []string{"b", "c", "a", "d", "e"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for strategy, want := range map[routing.Strategy][]string{
				routing.LeastBusy:  tt.leastBusy,
				routing.RoundRobin: tt.roundRobin,
				"":                 tt.leastBusy, // the default
			} {
				sorted := slices.Clone(tt.candidates)
				slices.SortFunc(sorted, strategy.Compare)
				require.Equal(t, want, ids(sorted), "strategy %q", strategy)

				// PickAgent takes the first of that order.
				q := queue(strategy)
				got, ok := routing.PickAgent(q, tt.candidates, t0, "")
				require.True(t, ok)
				require.Equal(t, want[0], got.Agent.ID, "strategy %q", strategy)
				require.False(t, got.Sticky)
			}
		})
	}
}

func TestStrategyCompareNilAgentLast(t *testing.T) {
	t.Parallel()
	cs := []routing.Candidate{{}, cand("b", 3, at(-1)), {}, cand("a", 0, time.Time{})}
	slices.SortFunc(cs, routing.LeastBusy.Compare)
	require.Equal(t, "a", cs[0].Agent.ID)
	require.Equal(t, "b", cs[1].Agent.ID)
	require.Nil(t, cs[2].Agent)
	require.Nil(t, cs[3].Agent)
}

func TestPickAgent(t *testing.T) {
	t.Parallel()
	sticky := func(strategy routing.Strategy) *routing.Queue {
		q := queue(strategy)
		q.StickyAgent = true
		return q
	}
	busy := func(c routing.Candidate) routing.Candidate { c.Agent.Status = routing.Busy; return c }
	full := func(c routing.Candidate) routing.Candidate { c.Load = c.Agent.Capacity; return c }
	wrapUp := func(c routing.Candidate) routing.Candidate { c.Agent.WrapUpUntil = at(30); return c }
	outsider := func(c routing.Candidate) routing.Candidate { c.Agent.Queues = []string{"q2"}; return c }

	tests := []struct {
		name       string
		queue      *routing.Queue
		candidates []routing.Candidate
		sticky     string
		want       string // "" when no agent is picked
		wantSticky bool
	}{
		{
			name:       "strategy without sticky id",
			queue:      sticky(routing.LeastBusy),
			candidates: []routing.Candidate{cand("a", 0, at(-5)), cand("b", 4, at(-500))},
			want:       "a",
		},
		{
			name:       "sticky agent wins over least busy",
			queue:      sticky(routing.LeastBusy),
			candidates: []routing.Candidate{cand("a", 0, at(-5)), cand("b", 4, at(-1))},
			sticky:     "b",
			want:       "b", wantSticky: true,
		},
		{
			name:       "sticky agent wins over round robin",
			queue:      sticky(routing.RoundRobin),
			candidates: []routing.Candidate{cand("a", 0, time.Time{}), cand("b", 0, at(-1))},
			sticky:     "b",
			want:       "b", wantSticky: true,
		},
		{
			name:       "sticky agent that is the strategy's pick anyway",
			queue:      sticky(routing.LeastBusy),
			candidates: []routing.Candidate{cand("a", 0, at(-5)), cand("b", 4, at(-1))},
			sticky:     "a",
			want:       "a", wantSticky: true,
		},
		{
			name:       "sticky id ignored when the queue is not sticky",
			queue:      queue(routing.LeastBusy),
			candidates: []routing.Candidate{cand("a", 0, at(-5)), cand("b", 4, at(-1))},
			sticky:     "b",
			want:       "a",
		},
		{
			name:       "sticky agent not active",
			queue:      sticky(routing.LeastBusy),
			candidates: []routing.Candidate{cand("a", 1, at(-5)), busy(cand("b", 0, at(-1)))},
			sticky:     "b",
			want:       "a",
		},
		{
			name:       "sticky agent full",
			queue:      sticky(routing.LeastBusy),
			candidates: []routing.Candidate{cand("a", 1, at(-5)), full(cand("b", 0, at(-1)))},
			sticky:     "b",
			want:       "a",
		},
		{
			name:       "sticky agent in wrap-up",
			queue:      sticky(routing.LeastBusy),
			candidates: []routing.Candidate{cand("a", 1, at(-5)), wrapUp(cand("b", 0, at(-1)))},
			sticky:     "b",
			want:       "a",
		},
		{
			name:       "sticky agent not a member",
			queue:      sticky(routing.LeastBusy),
			candidates: []routing.Candidate{cand("a", 1, at(-5)), outsider(cand("b", 0, at(-1)))},
			sticky:     "b",
			want:       "a",
		},
		{
			name:       "sticky agent not among the candidates",
			queue:      sticky(routing.LeastBusy),
			candidates: []routing.Candidate{cand("a", 1, at(-5))},
			sticky:     "z",
			want:       "a",
		},
		{
			name:       "ineligible agents are skipped",
			queue:      queue(routing.LeastBusy),
			candidates: []routing.Candidate{busy(cand("a", 0, time.Time{})), full(cand("b", 0, time.Time{})), wrapUp(cand("c", 0, time.Time{})), outsider(cand("d", 0, time.Time{})), cand("e", 5, at(-1))},
			want:       "e",
		},
		{
			name:       "nobody eligible",
			queue:      sticky(routing.LeastBusy),
			candidates: []routing.Candidate{busy(cand("a", 0, time.Time{})), full(cand("b", 0, time.Time{}))},
			sticky:     "b",
		},
		{
			name:  "no candidates",
			queue: queue(routing.RoundRobin),
		},
		{
			name:       "no queue",
			candidates: []routing.Candidate{cand("a", 0, time.Time{})},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := routing.PickAgent(tt.queue, tt.candidates, t0, tt.sticky)
			if tt.want == "" {
				require.False(t, ok)
				require.Equal(t, routing.Choice{}, got)
			} else {
				require.True(t, ok)
				require.Equal(t, tt.want, got.Agent.ID)
				require.Equal(t, tt.wantSticky, got.Sticky)
			}

			// The Picker agrees on the first pick.
			p := routing.NewPicker(tt.queue, tt.candidates)
			got2, ok2 := p.PickSticky(t0, tt.sticky)
			require.Equal(t, ok, ok2)
			require.Equal(t, got, got2)
		})
	}
}
