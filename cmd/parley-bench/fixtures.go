package main

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// The fixtures: every agent, queue, routing rule and tag the command
// makes, for the workload (and its route step), for the seeded data set
// and for the pure router, comes from here, so that they cannot disagree
// on what an agent or a queue of the benchmark is.

// agentID is the id of the i-th agent of any roster.
func agentID(i int) string { return fmt.Sprintf("agent-%05d", i) }

// fixtureAgent is the i-th agent of a roster: an ACTIVE AGENT with room
// for as much work as an agent may hold, a member of queues.
func fixtureAgent(i int, queues ...string) routing.Agent {
	id := agentID(i)
	return routing.Agent{
		ID: id, DisplayName: id, Role: routing.RoleAgent,
		Status: routing.Active, Capacity: routing.MaxCapacity, Queues: queues,
	}
}

// roster is what a store holds before the conversations: queues, agents
// (their Queues are their memberships), the routing rules and the tag
// catalog.
type roster struct {
	queues []routing.Queue
	agents []routing.Agent
	rules  []routing.Rule
	tags   []string
}

// The workload's roster: the queue "support" assigns automatically to
// its workloadAgents ACTIVE agents and a rule routes every conversation
// there; the queue "archive" assigns nothing and holds the conversations
// the list step reads. Calls have queues of their own, so that the call
// step leaves the other steps' agents alone: a rule sends VOICE calls to
// "voice", whose callAgents agents the call step offers them to, and
// VIDEO calls to "unstaffed", which has no agents: a call there waits, and
// the call step's floor records its INSERT from one.
const (
	supportQueue   = "support"
	archiveQueue   = "archive"
	voiceQueue     = "voice"
	unstaffedQueue = "unstaffed"
	workloadAgents = 20
	callAgents     = 20
)

// callAgentID is the id of the i-th agent of the voice queue.
func callAgentID(i int) string { return agentID(workloadAgents + i) }

// The workload's tags, which the seeded data set uses too.
const (
	tagVIP     = "vip"
	tagBilling = "billing"
)

// replyAgent is the workload agent that the append step replies as.
var replyAgent = agentID(0)

func workloadRoster() roster {
	r := roster{
		queues: []routing.Queue{
			{ID: supportQueue, Name: "Support", AutoAssignment: true},
			{ID: archiveQueue, Name: "Archive"},
			{ID: voiceQueue, Name: "Voice", AutoAssignment: true},
			{ID: unstaffedQueue, Name: "Unstaffed", AutoAssignment: true},
		},
		rules: []routing.Rule{
			{ID: "voice", Name: "voice", QueueID: voiceQueue, Condition: routing.Condition{Channels: []conversation.Channel{conversation.Voice}}},
			{ID: "video", Name: "video", QueueID: unstaffedQueue, Condition: routing.Condition{Channels: []conversation.Channel{conversation.Video}}},
			{ID: "all", Name: "all", QueueID: supportQueue},
		},
		tags: []string{tagVIP, tagBilling},
	}
	for i := range workloadAgents {
		r.agents = append(r.agents, fixtureAgent(i, supportQueue))
	}
	for i := range callAgents {
		r.agents = append(r.agents, fixtureAgent(workloadAgents+i, voiceQueue))
	}
	return r
}

// The seeded data set's roster: seedQueues queues that assign nothing,
// seedAgents agents in none of them (the seeded rows are assigned as
// they are created, not routed), no rules, and the workload's tags with
// seedTags more.
const (
	seedQueues = 4
	seedAgents = 50
	seedTags   = 20
)

func seedQueueID(i int) string { return fmt.Sprintf("q%d", i) }
func seedTagName(i int) string { return fmt.Sprintf("t%02d", i) }

func seedRoster() roster {
	var r roster
	for i := range seedQueues {
		id := seedQueueID(i)
		r.queues = append(r.queues, routing.Queue{ID: id, Name: "Queue " + id})
	}
	for i := range seedAgents {
		r.agents = append(r.agents, fixtureAgent(i))
	}
	r.tags = workloadRoster().tags
	for i := range seedTags {
		r.tags = append(r.tags, seedTagName(i))
	}
	return r
}

// routerQueueID is the queue the pure router decides in.
const routerQueueID = "q"

// routerRoster is the pure router's: one auto-assigning queue with the
// given strategy and n agents in it.
func routerRoster(strategy routing.Strategy, n int) roster {
	r := roster{queues: []routing.Queue{{ID: routerQueueID, Name: "Queue", AutoAssignment: true, Strategy: strategy}}}
	for i := range n {
		r.agents = append(r.agents, fixtureAgent(i, routerQueueID))
	}
	return r
}

// create makes the roster through svc: queues, agents, memberships,
// rules, tags.
func (r roster) create(ctx context.Context, svc *parley.Service) error {
	for _, q := range r.queues {
		if _, err := svc.CreateQueue(ctx, q); err != nil {
			return fmt.Errorf("queue %s: %w", q.ID, err)
		}
	}
	for _, a := range r.agents {
		if _, err := svc.CreateAgent(ctx, a); err != nil {
			return fmt.Errorf("agent %s: %w", a.ID, err)
		}
		for _, q := range a.Queues {
			if _, err := svc.AddQueueMember(ctx, q, a.ID); err != nil {
				return fmt.Errorf("agent %s in queue %s: %w", a.ID, q, err)
			}
		}
	}
	if len(r.rules) > 0 {
		if _, err := svc.SetRoutingRules(ctx, r.rules); err != nil {
			return fmt.Errorf("routing rules: %w", err)
		}
	}
	for _, name := range r.tags {
		if _, err := svc.CreateTag(ctx, name); err != nil {
			return fmt.Errorf("tag %s: %w", name, err)
		}
	}
	return nil
}
