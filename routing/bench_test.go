package routing_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// benchAgents is the size of the queue the pick benchmarks decide in.
const benchAgents = 10_000

// benchQueue builds a queue of n eligible agents with mixed loads and last
// assignments and capacities high enough that nobody fills up for millions
// of picks.
func benchQueue(strategy routing.Strategy, n int) (*routing.Queue, []routing.Candidate) {
	q := &routing.Queue{ID: "q1", Name: "Support", AutoAssignment: true, Strategy: strategy}
	candidates := make([]routing.Candidate, n)
	for i := range candidates {
		a := &routing.Agent{
			ID: fmt.Sprintf("agent-%05d", i), DisplayName: "Agent", Role: routing.RoleAgent,
			Status: routing.Active, Capacity: routing.MaxCapacity, Queues: []string{"q1"},
		}
		if i%10 != 0 {
			a.LastAssignedAt = t0.Add(-time.Duration(i%997) * time.Second)
		}
		candidates[i] = routing.Candidate{Agent: a, Load: i % 5}
	}
	return q, candidates
}

func reportDecisions(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

// BenchmarkPickerPick is one routing decision among 10,000 eligible agents
// by a Picker that records every assignment, as a queue drain does.
func BenchmarkPickerPick(b *testing.B) {
	for _, strategy := range []routing.Strategy{routing.LeastBusy, routing.RoundRobin} {
		b.Run(string(strategy), func(b *testing.B) {
			q, candidates := benchQueue(strategy, benchAgents)
			p := routing.NewPicker(q, candidates)
			now := t0
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				now = now.Add(time.Millisecond)
				if _, ok := p.Pick(now); !ok {
					b.StopTimer()
					p = routing.NewPicker(q, candidates)
					b.StartTimer()
				}
			}
			reportDecisions(b)
		})
	}
}

// BenchmarkPickAgent is the one-shot decision among 10,000 eligible agents,
// a linear scan: the baseline the Picker is measured against.
func BenchmarkPickAgent(b *testing.B) {
	for _, strategy := range []routing.Strategy{routing.LeastBusy, routing.RoundRobin} {
		b.Run(string(strategy), func(b *testing.B) {
			q, candidates := benchQueue(strategy, benchAgents)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, ok := routing.PickAgent(q, candidates, t0, ""); !ok {
					b.Fatal("no agent picked")
				}
			}
			reportDecisions(b)
		})
	}
}

// BenchmarkNewPicker is the cost of building a Picker over 10,000 agents,
// paid once per queue drain.
func BenchmarkNewPicker(b *testing.B) {
	q, candidates := benchQueue(routing.LeastBusy, benchAgents)
	b.ReportAllocs()
	for b.Loop() {
		routing.NewPicker(q, candidates)
	}
}

// benchRules is a list of 100 rules of every kind of condition in which only
// the last matches the benchmark's conversation: the worst case.
func benchRules() []routing.Rule {
	rules := make([]routing.Rule, 100)
	for i := range rules {
		var cond routing.Condition
		switch i % 7 {
		case 0:
			cond.Channels = []conversation.Channel{conversation.SMS, conversation.Email, conversation.Voice}
		case 1:
			cond.Priorities = []conversation.Priority{conversation.Low}
			cond.Channels = []conversation.Channel{conversation.WhatsApp}
		case 2:
			cond.TagsAny = []string{fmt.Sprintf("tag-%d", i), "spam", "sales"}
		case 3:
			cond.TagsAll = []string{"vip", fmt.Sprintf("tag-%d", i)}
		case 4:
			cond.CustomerID = fmt.Sprintf("customer-%d", i)
		case 5:
			cond.TopicContains = fmt.Sprintf("invoice %d", i)
		case 6:
			cond.Match = routing.MatchAny
			cond.Attributes = map[string]string{"lang": "fr", "tier": fmt.Sprintf("t%d", i)}
			cond.TopicContains = "cancellation"
		}
		rules[i] = routing.Rule{ID: fmt.Sprintf("r%d", i), Name: "rule", QueueID: fmt.Sprintf("q%d", i), Condition: cond}
	}
	rules[99].Condition = routing.Condition{
		Channels: []conversation.Channel{conversation.WhatsApp}, TagsAll: []string{"vip", "billing"},
		TopicContains: "refund", Attributes: map[string]string{"lang": "de"},
	}
	return rules
}

// BenchmarkEvaluate is one rule evaluation over 100 rules, the last of
// which matches.
func BenchmarkEvaluate(b *testing.B) {
	rules := benchRules()
	c := sample()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if d := routing.Evaluate(rules, "default", c); d.RuleID != "r99" {
			b.Fatalf("matched %q", d.RuleID)
		}
	}
	reportDecisions(b)
}
