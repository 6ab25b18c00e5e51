package storagetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// The load races: automatic assignment to an agent racing a change that
// raises that agent's load, makes it ineligible, or ends its membership of
// the queue. Each trial has its own agent x (ACTIVE, capacity 1), the only
// member of its own auto-assigning queue q; conversation B is assigned to x
// and SOLVED (capacity 2 and B OPEN in the capacity race), and conversation
// C waits nowhere. Side 0 transfers C to q (which assigns it to
// x, who has room); side 1, at the same moment, does the race's other
// change. Whatever the interleaving, the event log (whose seqs follow commit
// order) must show no automatic assignment to an agent at capacity and none
// to an agent that has left the queue.
//
// RunService runs every race through one service, the two sides from two
// goroutines ("Routing/LoadRaces"). The phases are exported so that a store
// whose instances share one database can run the sides from two processes,
// as parley's system tests do on PostgreSQL: LoadRaceSetUp before,
// LoadRaceSide from each process per trial, LoadRaceViolations after.

// LoadRace names one race of a change against automatic assignment.
type LoadRace string

// The load races.
const (
	// RaceInboundReopen: an INBOUND message reopens B.
	RaceInboundReopen LoadRace = "inbound-reopen"
	// RaceStatusReopen: a patch of B's status to OPEN.
	RaceStatusReopen LoadRace = "status-reopen"
	// RaceManualAssign: a manual assignment of a third conversation D to x.
	RaceManualAssign LoadRace = "manual-assign"
	// RaceMemberRemoved: x leaves q.
	RaceMemberRemoved LoadRace = "member-removed"
	// RaceCapacityLowered: x has capacity 2 and B OPEN, one place free;
	// its capacity goes down to 1.
	RaceCapacityLowered LoadRace = "capacity-lowered"
	// RaceAgentAway: x's status goes to AWAY.
	RaceAgentAway LoadRace = "agent-away"
)

// LoadRaces are all the load races.
var LoadRaces = []LoadRace{RaceInboundReopen, RaceStatusReopen, RaceManualAssign, RaceMemberRemoved, RaceCapacityLowered, RaceAgentAway}

// loadRaceStart is x's capacity and B's status when a trial of race
// starts.
func loadRaceStart(race LoadRace) (capacity int, b conversation.Status) {
	if race == RaceCapacityLowered {
		return 2, conversation.Open
	}
	return 1, conversation.Solved
}

// loadRaceIDs are the ids of one trial's queue, agent and conversations.
type loadRaceIDs struct{ q, x, b, c, d string }

func loadRaceIDsOf(race LoadRace, trial int) loadRaceIDs {
	p := fmt.Sprintf("%s-%04d", race, trial)
	return loadRaceIDs{q: "q-" + p, x: "x-" + p, b: "b-" + p, c: "c-" + p, d: "d-" + p}
}

// LoadRaceSetUp creates the fixtures of trials trials of race through svc
// and returns the seq of the last event written, after which the trials'
// events begin.
func LoadRaceSetUp(t testing.TB, svc *parley.Service, race LoadRace, trials int) int64 {
	t.Helper()
	ctx := t.Context()
	require.NoError(t, setUpTrials(trials, func(i int) error { return loadRaceSetUpTrial(ctx, svc, race, i) }))
	events := allServiceEvents(t, ctx, svc)
	require.NotEmpty(t, events)
	return events[len(events)-1].Seq
}

func loadRaceSetUpTrial(ctx context.Context, svc *parley.Service, race LoadRace, i int) error {
	ids := loadRaceIDsOf(race, i)
	capacity, status := loadRaceStart(race)
	if _, err := svc.CreateQueue(ctx, routing.Queue{ID: ids.q, Name: "Queue " + ids.q, AutoAssignment: true}); err != nil {
		return err
	}
	if _, err := svc.CreateAgent(ctx, routing.Agent{ID: ids.x, DisplayName: ids.x, Status: routing.Active, Capacity: capacity}); err != nil {
		return err
	}
	if _, err := svc.AddQueueMember(ctx, ids.q, ids.x); err != nil {
		return err
	}
	if _, err := svc.CreateConversation(ctx, conversation.Conversation{ID: ids.b, AgentID: ids.x, Status: status}); err != nil {
		return err
	}
	if _, err := svc.CreateConversation(ctx, conversation.Conversation{ID: ids.c}); err != nil {
		return err
	}
	if race == RaceManualAssign {
		_, err := svc.CreateConversation(ctx, conversation.Conversation{ID: ids.d})
		return err
	}
	return nil
}

// setUpTrials runs setUp for every trial from a few goroutines (the
// trials' fixtures are independent) and returns the first error.
func setUpTrials(trials int, setUp func(i int) error) error {
	var next atomic.Int64
	fns := make([]func() error, 4)
	for k := range fns {
		fns[k] = func() error {
			for {
				i := int(next.Add(1) - 1)
				if i >= trials {
					return nil
				}
				if err := setUp(i); err != nil {
					return fmt.Errorf("setting up trial %d: %w", i, err)
				}
			}
		}
	}
	return parallelErr(fns...)
}

// loadRaceOffsets is how many different delays, in reads, side 1 of the
// trials starts with.
const loadRaceOffsets = 6

// LoadRaceSide runs side 0 or 1 of trial trial of race through svc: side 0
// transfers C to q, side 1 makes the race's change.
func LoadRaceSide(ctx context.Context, svc *parley.Service, race LoadRace, trial, side int) error {
	ids := loadRaceIDsOf(race, trial)
	if side == 0 {
		_, err := svc.TransferToQueue(ctx, ids.c, ids.q)
		return err
	}
	// The change starts a few round trips late in some trials, so that
	// over the trials it meets every step of the transfer: a read of B per
	// step, never a sleep.
	for range trial % loadRaceOffsets {
		if _, err := svc.GetConversation(ctx, ids.b); err != nil {
			return err
		}
	}
	var err error
	switch race {
	case RaceInboundReopen:
		_, err = svc.CreateMessage(ctx, ids.b, message.Message{Direction: message.Inbound, Content: message.Content{Text: "hi"}})
	case RaceStatusReopen:
		open := conversation.Open
		_, err = svc.UpdateConversation(ctx, ids.b, conversation.Patch{Status: &open})
	case RaceManualAssign:
		_, err = svc.AssignConversation(ctx, ids.d, ids.x)
	case RaceMemberRemoved:
		_, err = svc.RemoveQueueMember(ctx, ids.q, ids.x)
	case RaceCapacityLowered:
		one := 1
		_, err = svc.UpdateAgent(ctx, ids.x, routing.AgentPatch{Capacity: &one})
	case RaceAgentAway:
		away := routing.Away
		_, err = svc.UpdateAgent(ctx, ids.x, routing.AgentPatch{Status: &away})
	default:
		err = fmt.Errorf("unknown load race %q", race)
	}
	return err
}

// LoadRaceTrials runs trials trials of race through svc, the two sides of
// each from two goroutines released at once.
func LoadRaceTrials(ctx context.Context, svc *parley.Service, race LoadRace, trials int) error {
	for i := range trials {
		if err := raceTrial(func(side int) error { return LoadRaceSide(ctx, svc, race, i, side) }); err != nil {
			return fmt.Errorf("trial %d: %w", i, err)
		}
	}
	return nil
}

// LoadRaceViolations replays the event log after seq after through svc and
// returns one line per trial of race whose automatic assignment broke an
// invariant: the agent at capacity when it was assigned, not ACTIVE, or no
// longer a member of the queue. It also checks that each trial ended as one of its
// serial orders would: both sides' changes are there, and C is assigned
// to x or waits in q.
func LoadRaceViolations(t testing.TB, svc *parley.Service, race LoadRace, trials int, after int64) []string {
	t.Helper()
	ctx := t.Context()
	type state struct {
		agent, queue string
		status       conversation.Status
	}
	type agentState struct {
		status   routing.AgentStatus
		capacity int
	}
	convs := map[string]*state{}
	agents := map[string]*agentState{}
	members := map[string]bool{} // queue + "/" + agent
	broken := map[int]string{}
	trialOf := map[string]int{}
	for i := range trials {
		ids := loadRaceIDsOf(race, i)
		members[ids.q+"/"+ids.x] = true
		capacity, status := loadRaceStart(race)
		agents[ids.x] = &agentState{status: routing.Active, capacity: capacity}
		convs[ids.b] = &state{agent: ids.x, status: status}
		convs[ids.c] = &state{status: conversation.Open}
		convs[ids.d] = &state{status: conversation.Open}
		trialOf[ids.c], trialOf[ids.d] = i, i
	}
	load := func(agent string) int {
		n := 0
		for _, c := range convs {
			if c.agent == agent && (c.status == conversation.Open || c.status == conversation.Waiting) {
				n++
			}
		}
		return n
	}
	for _, e := range allServiceEvents(t, ctx, svc) {
		if e.Seq <= after {
			continue
		}
		if e.Type == storage.QueueMemberRemoved || e.Type == storage.QueueMemberAdded {
			agent := changeOf(t, e, "agentId")
			members[e.EntityID+"/"+agent[0]+agent[1]] = e.Type == storage.QueueMemberAdded
			continue
		}
		if a := agents[e.EntityID]; a != nil && e.Type == storage.AgentUpdated {
			for _, ch := range e.Changes {
				switch ch.Field {
				case "status":
					a.status = routing.AgentStatus(decodeChange(t, ch.After))
				case "capacity":
					require.NoError(t, json.Unmarshal(ch.After, &a.capacity))
				}
			}
			continue
		}
		c := convs[e.ConversationID]
		if c == nil {
			continue
		}
		for _, ch := range e.Changes {
			v := decodeChange(t, ch.After)
			switch ch.Field {
			case "agentId":
				if e.Type == storage.ConversationAssigned && e.ConversationID == loadRaceIDsOf(race, trialOf[e.ConversationID]).c {
					// C's assignment is the automatic one: check it
					// against the state just before it.
					i := trialOf[e.ConversationID]
					a := agents[v]
					switch {
					case a == nil:
						broken[i] = fmt.Sprintf("trial %d: %s assigned automatically to %q, not the trial's agent (seq %d)", i, e.ConversationID, v, e.Seq)
					case load(v) >= a.capacity:
						broken[i] = fmt.Sprintf("trial %d: %s assigned automatically to %s at capacity (seq %d)", i, e.ConversationID, v, e.Seq)
					case a.status != routing.Active:
						broken[i] = fmt.Sprintf("trial %d: %s assigned automatically to %s, %s (seq %d)", i, e.ConversationID, v, a.status, e.Seq)
					case !members[c.queue+"/"+v]:
						broken[i] = fmt.Sprintf("trial %d: %s assigned automatically to %s, no member of %s (seq %d)", i, e.ConversationID, v, c.queue, e.Seq)
					}
				}
				c.agent = v
			case "queueId":
				c.queue = v
			case "status":
				c.status = conversation.Status(v)
			}
		}
	}
	for i := range trials {
		ids := loadRaceIDsOf(race, i)
		c, err := svc.GetConversation(ctx, ids.c)
		require.NoError(t, err)
		require.Equal(t, ids.q, c.QueueID, "trial %d", i)
		require.Contains(t, []string{"", ids.x}, c.AgentID, "trial %d", i)
		switch race {
		case RaceInboundReopen, RaceStatusReopen:
			b, err := svc.GetConversation(ctx, ids.b)
			require.NoError(t, err)
			require.Equal(t, conversation.Open, b.Status, "trial %d", i)
		case RaceManualAssign:
			d, err := svc.GetConversation(ctx, ids.d)
			require.NoError(t, err)
			require.Equal(t, ids.x, d.AgentID, "trial %d", i)
		case RaceMemberRemoved:
			q, err := svc.GetQueue(ctx, ids.q)
			require.NoError(t, err)
			require.NotContains(t, q.Members, ids.x, "trial %d", i)
		case RaceCapacityLowered, RaceAgentAway:
			x, err := svc.GetAgent(ctx, ids.x)
			require.NoError(t, err)
			require.Equal(t, agents[ids.x].capacity, x.Capacity, "trial %d", i)
			require.Equal(t, agents[ids.x].status, x.Status, "trial %d", i)
		}
	}
	out := make([]string, 0, len(broken))
	for i := range trials {
		if line, ok := broken[i]; ok {
			out = append(out, line)
		}
	}
	return out
}

// changeOf returns the values (before, then after) of field in e's changes:
// one of them is "" for a field set or cleared.
func changeOf(t testing.TB, e *storage.Event, field string) []string {
	t.Helper()
	for _, ch := range e.Changes {
		if ch.Field == field {
			return []string{decodeChange(t, ch.Before), decodeChange(t, ch.After)}
		}
	}
	t.Fatalf("event %d (%s) has no %s change", e.Seq, e.Type, field)
	return nil
}

// decodeChange is a change's string value; "" when it has none.
func decodeChange(t testing.TB, raw json.RawMessage) string {
	t.Helper()
	if len(raw) == 0 {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "" // not a string field: not one the replay follows
	}
	return s
}
