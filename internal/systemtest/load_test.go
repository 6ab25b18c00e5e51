package systemtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// The load test: goroutines run a mixed workload on every store for a
// bounded time (PARLEY_LOAD_SECONDS, default 3), then the invariants are
// checked against the event log and the stored state. The workers' random
// choices come from a seed the log names; PARLEY_LOAD_SEED sets it (the
// interleaving of the goroutines still varies from run to run).
//
// The workload keeps two kinds of agents apart, so that capacity can be
// checked exactly: the auto agents, members of the two auto-assigning
// queues, get conversations only from automatic assignment; the manual
// agents, in no such queue, only from manual assignment and transfers
// (which may overload an agent on purpose). Statuses move only between
// OPEN and WAITING, or to CLOSED, so an auto agent's load rises only by
// automatic assignment. Only conversations that never entered an
// auto-assigning queue are deleted, since a deletion takes the
// conversation's events with it.

const (
	loadWorkers  = 8
	loadCapacity = 2
)

var (
	loadAutoAgents   = []string{"a0", "a1", "a2", "a3", "a4", "a5"}
	loadManualAgents = []string{"m0", "m1"}
	loadQueues       = []string{"auto", "rr", "manual"}
	loadTags         = []string{"vip", "billing", "spam"}
)

// loadRun is the shared state of one store's run.
type loadRun struct {
	fx *fixture

	mu        sync.Mutex
	ids       []string
	autoSeen  map[string]bool // entered an auto-assigning queue (or may have)
	deleting  map[string]bool // taken for deletion
	deleted   map[string]bool
	messages  map[string]int // acknowledged messages per conversation
	closes    map[string]bool
	deletes   int
	succeeded map[string]int
	failed    map[string]int
}

func (r *loadRun) add(id string, auto bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids = append(r.ids, id)
	r.autoSeen[id] = r.autoSeen[id] || auto
}

// pick returns a conversation id at random, "" when there is none.
func (r *loadRun) pick(rng *rand.Rand) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.ids) == 0 {
		return ""
	}
	return r.ids[rng.IntN(len(r.ids))]
}

// markAuto notes that id may enter an auto-assigning queue; it reports
// false when id was taken for deletion (then the operation is skipped, so
// that a deleted conversation never had an auto agent).
func (r *loadRun) markAuto(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.deleting[id] {
		return false
	}
	r.autoSeen[id] = true
	return true
}

// pickDeletable returns a conversation that never entered an
// auto-assigning queue, taking it out of the pool, or "".
func (r *loadRun) pickDeletable(rng *rand.Rand) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var candidates []int
	for i, id := range r.ids {
		if !r.autoSeen[id] {
			candidates = append(candidates, i)
		}
	}
	if len(candidates) == 0 {
		return ""
	}
	i := candidates[rng.IntN(len(candidates))]
	id := r.ids[i]
	r.ids = slices.Delete(r.ids, i, i+1)
	r.deleting[id] = true
	return id
}

// done records an operation's outcome. Errors a concurrent workload
// meets by design (the conversation closed or deleted meanwhile, a tag not
// there to remove, a reply to a conversation another worker unassigned)
// are expected; anything else fails the test.
func (r *loadRun) done(t *testing.T, op string, err error) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		r.succeeded[op]++
		return true
	}
	r.failed[op]++
	expected := errors.Is(err, parley.ErrClosed) || errors.Is(err, parley.ErrNotFound) ||
		op == "reply" && errors.Is(err, parley.ErrForbidden)
	if !expected {
		t.Errorf("%s: %v", op, err)
	}
	return false
}

// work is one worker's loop until the deadline.
func (r *loadRun) work(t *testing.T, ctx context.Context, seed uint64, until time.Time) {
	rng := rand.New(rand.NewPCG(seed, 1))
	svc := r.fx.svc
	sup := parley.WithActor(ctx, parley.Actor{AgentID: "sup"})
	channels := []conversation.Channel{conversation.SMS, conversation.Email, conversation.WhatsApp}
	for time.Now().Before(until) {
		id := r.pick(rng)
		switch n := rng.IntN(100); {
		case n < 14 || id == "":
			in := conversation.Conversation{
				Topic:      fmt.Sprintf("topic %d", rng.IntN(1000)),
				Channel:    channels[rng.IntN(len(channels))],
				Priority:   conversation.Priorities[rng.IntN(4)],
				CustomerID: fmt.Sprintf("cust-%d", rng.IntN(20)),
			}
			if rng.IntN(3) == 0 {
				in.Tags = []string{loadTags[rng.IntN(len(loadTags))]}
			}
			c, err := svc.CreateConversation(ctx, in)
			if r.done(t, "create", err) {
				r.add(c.ID, false)
			}
		case n < 19:
			c, _, err := svc.ReceiveInbound(ctx, fmt.Sprintf("cust-%d", rng.IntN(20)), channels[rng.IntN(len(channels))],
				message.Message{Content: message.Content{Text: "inbound"}})
			if r.done(t, "receive inbound", err) {
				r.add(c.ID, true)
				r.mu.Lock()
				r.messages[c.ID]++
				r.mu.Unlock()
			}
		case n < 28:
			if r.markAuto(id) {
				r.done(t, "route", ignore(svc.Route(ctx, id)))
			}
		case n < 40:
			var p conversation.Patch
			switch rng.IntN(3) {
			case 0:
				p.Topic = ptr(fmt.Sprintf("topic %d", rng.IntN(1000)))
			case 1:
				p.Priority = ptr(conversation.Priorities[rng.IntN(4)])
			default:
				p.Status = ptr([]conversation.Status{conversation.Open, conversation.Waiting}[rng.IntN(2)])
			}
			r.done(t, "update", ignore(svc.UpdateConversation(ctx, id, p)))
		case n < 46:
			r.done(t, "tag", ignore(svc.AddTag(ctx, id, loadTags[rng.IntN(len(loadTags))])))
		case n < 49:
			err := ignore(svc.RemoveTag(ctx, id, loadTags[rng.IntN(len(loadTags))]))
			r.done(t, "untag", err)
		case n < 62:
			in := message.Message{Direction: message.Inbound, Content: message.Content{Text: "hi"}}
			op, mctx := "inbound message", ctx
			if rng.IntN(2) == 0 {
				// A supervisor may reply unless nobody is assigned, which
				// another worker may have changed meanwhile.
				in.Direction, op, mctx = message.Outbound, "reply", sup
			}
			if r.done(t, op, ignore(svc.CreateMessage(mctx, id, in))) {
				r.mu.Lock()
				r.messages[id]++
				r.mu.Unlock()
			}
		case n < 66:
			r.done(t, "assign", ignore(svc.AssignConversation(ctx, id, loadManualAgents[rng.IntN(len(loadManualAgents))])))
		case n < 69:
			r.done(t, "transfer to agent", ignore(svc.TransferToAgent(ctx, id, loadManualAgents[rng.IntN(len(loadManualAgents))])))
		case n < 73:
			q := loadQueues[rng.IntN(len(loadQueues))]
			if q == "manual" || r.markAuto(id) {
				r.done(t, "transfer to queue", ignore(svc.TransferToQueue(ctx, id, q)))
			}
		case n < 75:
			r.done(t, "unassign", ignore(svc.UnassignConversation(ctx, id)))
		case n < 83:
			if r.done(t, "close", ignore(svc.CloseConversation(ctx, id))) {
				r.mu.Lock()
				r.closes[id] = true
				r.mu.Unlock()
			}
		case n < 87:
			if id = r.pickDeletable(rng); id != "" && r.done(t, "delete", svc.DeleteConversation(ctx, id, "load")) {
				r.mu.Lock()
				r.deleted[id] = true
				r.deletes++
				r.mu.Unlock()
			}
		case n < 94:
			status := []routing.AgentStatus{routing.Active, routing.Away}[rng.IntN(2)]
			r.done(t, "agent status", ignore(svc.UpdateAgent(ctx, loadAutoAgents[rng.IntN(len(loadAutoAgents))], routing.AgentPatch{Status: &status})))
		default:
			r.done(t, "assign waiting", ignore(svc.AssignWaiting(ctx, loadQueues[rng.IntN(2)])))
		}
	}
}

// TestMixedLoad runs the workload on every store and checks the
// invariants afterwards.
func TestMixedLoad(t *testing.T) {
	t.Parallel()
	seconds := 3.0
	if s := os.Getenv("PARLEY_LOAD_SECONDS"); s != "" {
		_, err := fmt.Sscan(s, &seconds)
		require.NoError(t, err, "PARLEY_LOAD_SECONDS")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("PARLEY_LOAD_SEED"); s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "PARLEY_LOAD_SEED")
	}
	t.Logf("PARLEY_LOAD_SEED=%d, %gs per store", seed, seconds)
	forEachStore(t, func(t *testing.T, setup setupFunc) {
		fx := setup(t, parley.WithClock(time.Now))
		ctx := fx.ctx
		fx.autoQueue(t, "auto")
		fx.autoQueue(t, "rr", func(q *routing.Queue) { q.Strategy = routing.RoundRobin })
		_, err := fx.svc.CreateQueue(ctx, routing.Queue{ID: "manual", Name: "Manual", Default: true})
		require.NoError(t, err)
		for i, a := range loadAutoAgents {
			queues := []string{"auto"}
			if i >= 3 {
				queues = []string{"rr"}
			}
			if i == 2 || i == 3 {
				queues = []string{"auto", "rr"}
			}
			fx.activeAgent(t, a, loadCapacity, queues...)
		}
		for _, m := range loadManualAgents {
			fx.agent(t, m, routing.RoleAgent)
		}
		fx.agent(t, "sup", routing.RoleSupervisor)
		fx.rules(t,
			routing.Rule{ID: "sms", Name: "sms", QueueID: "auto", Condition: routing.Condition{Channels: []conversation.Channel{conversation.SMS}}},
			routing.Rule{ID: "email", Name: "email", QueueID: "rr", Condition: routing.Condition{Channels: []conversation.Channel{conversation.Email}}},
		)

		r := &loadRun{
			fx: fx, autoSeen: map[string]bool{}, deleting: map[string]bool{}, deleted: map[string]bool{}, messages: map[string]int{},
			closes: map[string]bool{}, succeeded: map[string]int{}, failed: map[string]int{},
		}
		until := time.Now().Add(time.Duration(seconds * float64(time.Second)))
		var wg sync.WaitGroup
		for w := range loadWorkers {
			wg.Go(func() { r.work(t, ctx, seed+uint64(w), until) })
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		// Drain what routing left waiting, so that the last state is
		// checked too.
		_, err = fx.svc.AssignAllWaiting(ctx)
		require.NoError(t, err)

		stats := checkLog(t, ctx, fx.svc, true)
		raw := openRaw(t, fx.store)
		raw.requireIntact(t)
		r.checkCounts(t)
		assignments := r.checkCapacity(t)
		total, failed := 0, 0
		for _, n := range r.succeeded {
			total += n
		}
		for _, n := range r.failed {
			failed += n
		}
		t.Logf("%s: %d operations succeeded, %d failed as expected (closed, deleted or unassigned meanwhile); %d automatic assignments replayed; %s; by operation: %v",
			path.Base(t.Name()), total, failed, assignments, stats, r.succeeded)
	})
}

// checkCounts compares what the workers were told with the log: one
// message.created per acknowledged message, one conversation.closed per
// acknowledged close, one conversation.deleted per acknowledged delete, and
// nothing of the deleted conversations left.
func (r *loadRun) checkCounts(t *testing.T) {
	t.Helper()
	ctx := r.fx.ctx
	counts := map[storage.EventType]map[string]int{}
	for _, e := range r.fx.events(t) {
		if counts[e.Type] == nil {
			counts[e.Type] = map[string]int{}
		}
		counts[e.Type][e.ConversationID]++
	}
	for id, n := range r.messages {
		if r.deleted[id] {
			continue
		}
		require.Equal(t, n, counts[storage.MessageCreated][id], "message.created events of %s", id)
	}
	for id := range r.closes {
		if !r.deleted[id] {
			require.Equal(t, 1, counts[storage.ConversationClosed][id], "conversation.closed events of %s", id)
		}
	}
	require.Len(t, counts[storage.ConversationDeleted], r.deletes, "conversation.deleted events")
	for id := range r.deleted {
		_, err := r.fx.svc.GetConversation(ctx, id)
		require.ErrorIs(t, err, parley.ErrNotFound, id)
		for typ, per := range counts {
			if typ != storage.ConversationDeleted {
				require.Zero(t, per[id], "%s events of deleted %s", typ, id)
			}
		}
	}
}

// checkCapacity replays the event log in seq order (commit order): each
// conversation's assignee and status, and so each agent's load, kept per
// agent as the replay goes, so that the replay is linear in the log. No
// auto agent is ever over capacity, every automatic assignment takes a
// conversation that had no assignee, and the replay ends where the store
// is. It returns how many automatic assignments it saw.
func (r *loadRun) checkCapacity(t *testing.T) int {
	t.Helper()
	ctx := r.fx.ctx
	type state struct{ agent, status string }
	conversations := map[string]*state{}
	load := map[string]int{}
	counts := func(s *state) bool {
		return s.agent != "" && (s.status == string(conversation.Open) || s.status == string(conversation.Waiting))
	}
	value := func(raw json.RawMessage) string {
		if raw == nil {
			return ""
		}
		var s string
		require.NoError(t, json.Unmarshal(raw, &s), "%s", raw)
		return s
	}
	auto := map[string]bool{}
	for _, a := range loadAutoAgents {
		auto[a] = true
	}
	assignments := 0
	for _, e := range r.fx.events(t) {
		if e.ConversationID == "" || !strings.HasPrefix(string(e.Type), "conversation.") {
			continue
		}
		s := conversations[e.ConversationID]
		if e.Type == storage.ConversationDeleted {
			if s != nil && counts(s) {
				load[s.agent]--
			}
			delete(conversations, e.ConversationID)
			continue
		}
		if s == nil {
			s = &state{}
			conversations[e.ConversationID] = s
		}
		if counts(s) {
			load[s.agent]--
		}
		for _, c := range e.Changes {
			switch c.Field {
			case "agentId":
				require.Equal(t, s.agent, value(c.Before), "event %d: agentId before", e.Seq)
				s.agent = value(c.After)
				if auto[s.agent] {
					require.Equal(t, storage.ConversationAssigned, e.Type, "event %d gives %s to an auto agent", e.Seq, e.ConversationID)
					require.Empty(t, value(c.Before), "event %d: %s assigned twice", e.Seq, e.ConversationID)
					assignments++
				}
			case "status":
				s.status = value(c.After)
			}
		}
		if counts(s) {
			load[s.agent]++
			// Only this agent's load rose: the others were checked before.
			if auto[s.agent] {
				require.LessOrEqual(t, load[s.agent], loadCapacity, "after event %d (%s), agent %s is over capacity", e.Seq, e.Type, s.agent)
			}
		}
	}
	ids := make([]string, 0, len(conversations))
	for id := range conversations {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		c, err := r.fx.svc.GetConversation(ctx, id)
		require.NoError(t, err)
		require.Equal(t, c.AgentID, conversations[id].agent, "the replayed assignee of %s", id)
		require.Equal(t, string(c.Status), conversations[id].status, "the replayed status of %s", id)
	}
	for _, a := range append(slices.Clone(loadAutoAgents), loadManualAgents...) {
		stored, err := r.fx.store.AgentLoad(ctx, a)
		require.NoError(t, err)
		require.Equal(t, load[a], stored, "the load of %s", a)
		if auto[a] {
			require.LessOrEqual(t, stored, loadCapacity, "the load of %s", a)
		}
	}
	return assignments
}

// TestCloseRacesMessages closes conversations while messages race into
// them: every message either gets in before the close, and is stamped no
// later than closedAt, or fails with ErrClosed. (On PostgreSQL the times
// were once read before the conversation's lock was taken, and a close
// that waited for the lock was stamped before the messages it waited for.)
func TestCloseRacesMessages(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, setup setupFunc) {
		fx := setup(t, parley.WithClock(time.Now))
		const conversations, senders = 50, 3
		var wg sync.WaitGroup
		for i := range conversations {
			id := fmt.Sprintf("c%02d", i)
			fx.conversation(t, conversation.Conversation{ID: id})
			wg.Go(func() {
				_, err := fx.svc.CloseConversation(fx.ctx, id)
				require.NoError(t, err)
			})
			for range senders {
				wg.Go(func() {
					_, err := fx.svc.CreateMessage(fx.ctx, id, message.Message{Direction: message.Inbound, Content: message.Content{Text: "x"}})
					if err != nil {
						require.ErrorIs(t, err, parley.ErrClosed)
					}
				})
			}
		}
		wg.Wait()
		stats := checkLog(t, fx.ctx, fx.svc, true)
		openRaw(t, fx.store).requireIntact(t)
		t.Logf("%d of %d messages got in before the close; %s", stats.Messages, conversations*senders, stats)
	})
}
