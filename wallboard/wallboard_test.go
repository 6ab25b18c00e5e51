package wallboard_test

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/wallboard"
)

var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func sec(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }

func TestBoard(t *testing.T) {
	t.Parallel()
	var b wallboard.Board
	require.Equal(t, wallboard.Stats{QueueID: "q1"}, b.Stats("q1"), "the zero board is empty")

	b.SetWaiting(wallboard.Waiting{Kind: wallboard.Conversation, ID: "c1", QueueID: "q1", Since: sec(10)})
	b.SetWaiting(wallboard.Waiting{Kind: wallboard.Call, ID: "k1", QueueID: "q1", Since: sec(5)})
	b.SetWaiting(wallboard.Waiting{Kind: wallboard.Call, ID: "k2", QueueID: "q2", Since: sec(1)})
	b.SetAgent(wallboard.Agent{ID: "a1", Queues: []string{"q1", "q2"}, Presence: wallboard.Available})
	b.SetAgent(wallboard.Agent{ID: "a2", Queues: []string{"q1"}, Presence: wallboard.OnCall})
	b.SetAgent(wallboard.Agent{ID: "a3", Queues: []string{"q1"}, Presence: wallboard.WrapUp})
	b.SetAgent(wallboard.Agent{ID: "a4", Queues: []string{"q1"}, Presence: wallboard.Other})

	s := b.Stats("q1")
	require.Equal(t, wallboard.Stats{QueueID: "q1", WaitingConversations: 1, WaitingCalls: 1, OldestSince: sec(5),
		AgentsAvailable: 1, AgentsOnCall: 1, AgentsInWrapUp: 1}, s)
	require.Equal(t, 25*time.Second, s.OldestWait(sec(30)))

	// The same queue again: the wait goes on from its start.
	b.SetWaiting(wallboard.Waiting{Kind: wallboard.Call, ID: "k1", QueueID: "q1", Since: sec(20)})
	require.Equal(t, sec(5), b.Stats("q1").OldestSince)
	// Answered: the call leaves the queue, the next oldest is the conversation.
	b.SetWaiting(wallboard.Waiting{Kind: wallboard.Call, ID: "k1"})
	s = b.Stats("q1")
	require.Equal(t, 0, s.WaitingCalls)
	require.Equal(t, sec(10), s.OldestSince)
	// Moved: a new wait in the new queue.
	b.SetWaiting(wallboard.Waiting{Kind: wallboard.Conversation, ID: "c1", QueueID: "q2", Since: sec(40)})
	require.Equal(t, wallboard.Stats{QueueID: "q1", AgentsAvailable: 1, AgentsOnCall: 1, AgentsInWrapUp: 1}, b.Stats("q1"))
	require.Zero(t, b.Stats("q1").OldestWait(sec(50)))
	require.Equal(t, 1, b.Stats("q2").WaitingConversations)
	require.Equal(t, sec(1), b.Stats("q2").OldestSince)

	// Agents move between states and queues.
	b.SetAgent(wallboard.Agent{ID: "a1", Queues: []string{"q2", "q2"}, Presence: wallboard.OnCall})
	require.Equal(t, 0, b.Stats("q1").AgentsAvailable)
	require.Equal(t, 1, b.Stats("q2").AgentsOnCall, "a queue named twice counts once")
	b.RemoveAgent("a1")
	b.RemoveAgent("nobody")
	require.Equal(t, 0, b.Stats("q2").AgentsOnCall)
	require.Equal(t, []string{"q1", "q2"}, b.Queues())
}

func TestFromDomain(t *testing.T) {
	t.Parallel()
	c := &conversation.Conversation{ID: "c1", QueueID: "q1", Status: conversation.Open}
	require.Equal(t, "q1", wallboard.ConversationWaiting(c, t0).QueueID)
	c.AgentID = "a1"
	require.Empty(t, wallboard.ConversationWaiting(c, t0).QueueID, "assigned")
	c.AgentID, c.Status = "", conversation.Solved
	require.Empty(t, wallboard.ConversationWaiting(c, t0).QueueID, "solved")

	for state, waits := range map[call.State]bool{call.Queued: true, call.Ringing: true, call.Connected: false, call.Ended: false} {
		w := wallboard.CallWaiting(&call.Call{ID: "k", QueueID: "q1", State: state}, t0)
		require.Equal(t, waits, w.QueueID == "q1", state)
		require.Equal(t, wallboard.Call, w.Kind)
	}

	var hb routing.HeartbeatPolicy
	agent := func(edit func(p *routing.Presence)) wallboard.Presence {
		p := routing.Presence{Agent: &routing.Agent{ID: "a1", Status: routing.Active, Queues: []string{"q1"}}, LastHeartbeat: t0}
		edit(&p)
		return wallboard.AgentOf(p, hb, t0).Presence
	}
	require.Equal(t, wallboard.Available, agent(func(*routing.Presence) {}))
	require.Equal(t, wallboard.OnCall, agent(func(p *routing.Presence) { p.OnCall = true }))
	require.Equal(t, wallboard.WrapUp, agent(func(p *routing.Presence) { p.Agent.WrapUpUntil = sec(30) }))
	require.Equal(t, wallboard.Other, agent(func(p *routing.Presence) { p.Agent.Status = routing.Away }))
	require.Equal(t, wallboard.Other, agent(func(p *routing.Presence) { p.Agent.Disabled, p.OnCall = true, true }))
	require.Equal(t, wallboard.Other, wallboard.AgentOf(routing.Presence{}, hb, t0).Presence)
}

// truth is the plain state a board summarises: the latest waiting state
// of every item (with the start of its current wait) and of every agent.
type truth struct {
	items  map[string]wallboard.Waiting
	agents map[string]wallboard.Agent
}

func (tr truth) stats(q string) wallboard.Stats {
	s := wallboard.Stats{QueueID: q}
	for _, w := range tr.items {
		if w.QueueID != q {
			continue
		}
		if w.Kind == wallboard.Call {
			s.WaitingCalls++
		} else {
			s.WaitingConversations++
		}
		if s.OldestSince.IsZero() || w.Since.Before(s.OldestSince) {
			s.OldestSince = w.Since
		}
	}
	for _, a := range tr.agents {
		if !slices.Contains(a.Queues, q) {
			continue
		}
		switch a.Presence {
		case wallboard.Available:
			s.AgentsAvailable++
		case wallboard.OnCall:
			s.AgentsOnCall++
		case wallboard.WrapUp:
			s.AgentsInWrapUp++
		}
	}
	return s
}

// The board, updated change by change, always equals the statistics
// recomputed from scratch.
func TestBoardAgreesWithRecomputation(t *testing.T) {
	t.Parallel()
	queues := []string{"q1", "q2", "q3"}
	presences := []wallboard.Presence{wallboard.Available, wallboard.OnCall, wallboard.WrapUp, wallboard.Other}
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 16))
		var b wallboard.Board
		tr := truth{items: map[string]wallboard.Waiting{}, agents: map[string]wallboard.Agent{}}
		for step := range 2000 {
			now := sec(step)
			switch r.IntN(3) {
			case 0, 1:
				kind := wallboard.Conversation
				if r.IntN(2) == 0 {
					kind = wallboard.Call
				}
				id := string(kind) + strconv.Itoa(r.IntN(40))
				w := wallboard.Waiting{Kind: kind, ID: id, Since: now}
				if r.IntN(3) > 0 {
					w.QueueID = queues[r.IntN(len(queues))]
				}
				b.SetWaiting(w)
				if old, ok := tr.items[id]; ok && old.QueueID == w.QueueID {
					break // the wait goes on
				}
				if w.QueueID == "" {
					delete(tr.items, id)
				} else {
					tr.items[id] = w
				}
			case 2:
				id := "a" + strconv.Itoa(r.IntN(10))
				if r.IntN(10) == 0 {
					b.RemoveAgent(id)
					delete(tr.agents, id)
					break
				}
				a := wallboard.Agent{ID: id, Presence: presences[r.IntN(len(presences))]}
				for _, q := range queues {
					if r.IntN(2) == 0 {
						a.Queues = append(a.Queues, q)
					}
				}
				b.SetAgent(a)
				tr.agents[id] = a
			}
			for _, q := range queues {
				require.Equal(t, tr.stats(q), b.Stats(q), "seed %d step %d queue %s", seed, step, q)
			}
		}
	}
}

func BenchmarkSetWaiting(b *testing.B) {
	var board wallboard.Board
	for i := range 100_000 {
		board.SetWaiting(wallboard.Waiting{Kind: wallboard.Conversation, ID: strconv.Itoa(i), QueueID: "q1", Since: sec(i)})
	}
	b.ResetTimer()
	for i := range b.N {
		id := strconv.Itoa(i % 100_000)
		board.SetWaiting(wallboard.Waiting{Kind: wallboard.Conversation, ID: id})
		board.SetWaiting(wallboard.Waiting{Kind: wallboard.Conversation, ID: id, QueueID: "q1", Since: sec(100_000 + i)})
		_ = board.Stats("q1")
	}
}
