package main

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/routing"
)

// routerAgents is the size of the queue the pure router decides in.
const routerAgents = 10_000

// routerQueue is routerRoster's queue with its agents as candidates, each
// given a load and a last assignment (mixed, with room for millions of
// assignments).
func routerQueue(strategy routing.Strategy, n int) (*routing.Queue, []routing.Candidate) {
	r := routerRoster(strategy, n)
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	candidates := make([]routing.Candidate, n)
	for i := range r.agents {
		a := &r.agents[i]
		if i%10 != 0 {
			a.LastAssignedAt = t0.Add(-time.Duration(i%997) * time.Second)
		}
		candidates[i] = routing.Candidate{Agent: a, Load: i % 5}
	}
	return &r.queues[0], candidates
}

// routerSteps are the routing decisions among routerAgents eligible agents:
// the Picker a queue drain uses (each pick recorded, O(log n)), and the
// one-shot PickAgent a single Route uses (a scan).
func routerSteps() []namedStep {
	q, candidates := routerQueue(routing.LeastBusy, routerAgents)
	picker := routing.NewPicker(q, candidates)
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	pick := step{run: func(context.Context) error {
		now = now.Add(time.Millisecond)
		if _, ok := picker.Pick(now); !ok {
			picker = routing.NewPicker(q, candidates) // every agent full: start again
		}
		return nil
	}}
	scan := step{run: func(context.Context) error {
		if _, ok := routing.PickAgent(q, candidates, now, ""); !ok {
			return fmt.Errorf("no agent picked")
		}
		return nil
	}}
	return []namedStep{
		{fmt.Sprintf("pick among %d agents (Picker)", routerAgents), pick},
		{fmt.Sprintf("pick among %d agents (PickAgent)", routerAgents), scan},
	}
}
