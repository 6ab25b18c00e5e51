package parley

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// RoutingDecision is where the routing rules send a conversation.
type RoutingDecision struct {
	ConversationID string
	QueueID        string                // "" when no rule matches and there is no default queue
	Priority       conversation.Priority // the conversation's priority after routing
	RuleID         string                // the rule that matched; "" for the default queue or none
}

// SimulateRouting returns the queue and priority Route would give the
// conversation now, and writes nothing. A closed conversation is ErrClosed,
// as it cannot be routed.
func (s *Service) SimulateRouting(ctx context.Context, id string) (RoutingDecision, error) {
	return read(s, ctx, "SimulateRouting", func() (RoutingDecision, error) {
		if err := checkID("id", id); err != nil {
			return RoutingDecision{}, err
		}
		c, err := s.store.GetConversation(ctx, id)
		if err != nil {
			return RoutingDecision{}, err
		}
		if err := c.CheckMutable(); err != nil {
			return RoutingDecision{}, err
		}
		d, err := s.decide(ctx, s.store, c)
		if err != nil {
			return RoutingDecision{}, err
		}
		return RoutingDecision{ConversationID: c.ID, QueueID: d.QueueID, Priority: d.PriorityOf(c), RuleID: d.RuleID}, nil
	})
}

// decide evaluates the routing rules for c.
func (s *Service) decide(ctx context.Context, tx storage.Reader, c *conversation.Conversation) (routing.Decision, error) {
	rules, def, err := routingRules(ctx, tx)
	if err != nil {
		return routing.Decision{}, err
	}
	return s.evaluate(ctx, tx, rules, def, c, s.clock())
}

// routingRules reads the rules and the default queue (nil when there is
// none).
func routingRules(ctx context.Context, tx storage.Reader) ([]routing.Rule, *routing.Queue, error) {
	rules, err := tx.ListRules(ctx)
	if err != nil {
		return nil, nil, err
	}
	q, err := tx.DefaultQueue(ctx)
	switch {
	case err == nil:
		return rules, q, nil
	case errors.Is(err, fault.ErrNotFound):
		return rules, nil, nil
	}
	return nil, nil, err
}

// evaluate is routing.Evaluate with the default queue, if any, over the
// rules that apply at now: those naming working hours only inside them.
func (s *Service) evaluate(ctx context.Context, r storage.Reader, rules []routing.Rule, def *routing.Queue, c *conversation.Conversation, now time.Time) (routing.Decision, error) {
	rules, err := activeRules(ctx, r, rules, now)
	if err != nil {
		return routing.Decision{}, err
	}
	var defaultQueue string
	if def != nil {
		defaultQueue = def.ID
	}
	return routing.Evaluate(rules, defaultQueue, c), nil
}

// Route routes the conversation again: it unassigns it, evaluates the
// routing rules, sets the queue (and the priority, when the rule gives one)
// and, when that queue assigns automatically, gives it to an eligible agent.
// A closed conversation is ErrClosed.
func (s *Service) Route(ctx context.Context, id string) (*conversation.Conversation, error) {
	if err := s.authorize(ctx, "Route"); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	var out *conversation.Conversation
	err := s.run(ctx, "Route", func(tx storage.Tx, rec *recorder) error {
		// The rules and the default queue are read with the lock, in one
		// round trip where the store can.
		c, rules, def, err := storage.LockConversationAndRules(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.route(ctx, tx, rec, c, rules, def); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// route applies the routing decision of rules and the default queue def
// to the locked conversation c, then auto-assigns it.
func (s *Service) route(ctx context.Context, tx storage.Tx, rec *recorder, c *conversation.Conversation, rules []routing.Rule, def *routing.Queue) error {
	if err := c.CheckMutable(); err != nil {
		return err
	}
	d, err := s.evaluate(ctx, tx, rules, def, c, rec.now)
	if err != nil {
		return err
	}
	if err := s.applyPatch(ctx, tx, rec, c, d.Patch(), storage.ConversationRouted); err != nil {
		return err
	}
	return s.autoAssign(ctx, tx, rec, c)
}

// TransferToAgent hands the conversation to an agent: a manual assignment,
// so the agent must exist and be enabled (ErrNotFound) but its status and
// capacity do not matter. Recorded as conversation.transferred.
func (s *Service) TransferToAgent(ctx context.Context, id, agentID string) (*conversation.Conversation, error) {
	if err := s.authorize(ctx, "TransferToAgent"); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if err := checkID("agentId", agentID); err != nil {
		return nil, err
	}
	var out *conversation.Conversation
	err := s.run(ctx, "TransferToAgent", func(tx storage.Tx, rec *recorder) error {
		c, err := tx.LockConversation(ctx, id)
		if err != nil {
			return err
		}
		if err := s.applyPatch(ctx, tx, rec, c, conversation.Patch{AgentID: &agentID}, storage.ConversationTransferred); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// TransferToQueue moves the conversation to a queue (which must exist:
// ErrNotFound), unassigns it, and auto-assigns it there when the queue does
// so, to an agent other than the one it was taken from
// (conversation.PassedOver). Recorded as conversation.transferred.
func (s *Service) TransferToQueue(ctx context.Context, id, queueID string) (*conversation.Conversation, error) {
	if err := s.authorize(ctx, "TransferToQueue"); err != nil {
		return nil, err
	}
	if err := checkID("id", id); err != nil {
		return nil, err
	}
	if err := checkID("queueId", queueID); err != nil {
		return nil, err
	}
	var out *conversation.Conversation
	err := s.run(ctx, "TransferToQueue", func(tx storage.Tx, rec *recorder) error {
		c, err := tx.LockConversation(ctx, id)
		if err != nil {
			return err
		}
		none := ""
		if err := s.applyPatch(ctx, tx, rec, c, conversation.Patch{QueueID: &queueID, AgentID: &none, PassOver: true}, storage.ConversationTransferred); err != nil {
			return err
		}
		if err := s.autoAssign(ctx, tx, rec, c); err != nil {
			return err
		}
		out = c
		return nil
	})
	return out, err
}

// autoAssign gives the locked, waiting conversation c to the best eligible
// agent of its queue, when the queue assigns automatically. The claim is
// atomic: the agent is locked and its load counted afresh before the
// assignment, so racing routers can never take an agent over capacity.
//
// A transaction claims at most one agent: holding a refused agent's lock
// while locking the next would let two routers deadlock on each other's
// first choice. When the first choice turns out full (the load snapshot
// was stale), the conversation stays waiting and the queue is drained
// after the commit, one claim per transaction.
func (s *Service) autoAssign(ctx context.Context, tx storage.Tx, rec *recorder, c *conversation.Conversation) error {
	if !routing.Waiting(c) {
		return nil
	}
	// The queue, its head and its members' loads, in one round trip where
	// the store can.
	q, head, loads, err := storage.QueueHeadAndLoads(ctx, tx, c.QueueID)
	if err != nil {
		return err
	}
	if on, err := assigns(ctx, tx, q, rec.now); err != nil || !on {
		return err
	}
	// Conversations already waiting come first (URGENT first, then the
	// longest waiting): when one precedes c, c waits its turn and the
	// drain after the commit serves the queue in order.
	if head != nil && head.ID != c.ID {
		rec.wakeQueues = append(rec.wakeQueues, q.ID)
		return nil
	}
	candidates := s.candidates(loads, rec.now)
	candidates = routing.PassOver(candidates, c.PassedOver)
	sticky, err := stickyAgent(ctx, tx, q, c, rec.now)
	if err != nil {
		return err
	}
	choice, ok := routing.PickAgent(q, candidates, rec.now, sticky)
	if !ok {
		return nil
	}
	claimed, err := s.claim(ctx, tx, rec, q, c, choice.Agent.ID)
	if err != nil {
		return err
	}
	if !claimed {
		rec.wakeQueues = append(rec.wakeQueues, q.ID)
		return nil
	}
	// c entered q and left it assigned in this transaction: its entry
	// gives the drain after the commit nothing to do.
	if i := slices.Index(rec.wakeQueues, q.ID); i >= 0 {
		rec.wakeQueues = slices.Delete(rec.wakeQueues, i, i+1)
	}
	return nil
}

// memberCandidates returns the members of q with their loads, as the
// routing decisions take them, leaving out those whose presence rules them
// out at now (routing.AvailabilityOf: a lapsed heartbeat, a call).
func (s *Service) memberCandidates(ctx context.Context, r storage.Reader, q *routing.Queue, now time.Time) ([]routing.Candidate, error) {
	loads, err := r.QueueMemberLoads(ctx, q.ID)
	if err != nil {
		return nil, err
	}
	return s.candidates(loads, now), nil
}

// candidates are the members of loads that routing may consider at now:
// those whose presence does not rule them out (see unavailable).
func (s *Service) candidates(loads []storage.AgentLoad, now time.Time) []routing.Candidate {
	out := make([]routing.Candidate, 0, len(loads))
	for _, l := range loads {
		if s.unavailable(l.Presence(), now) {
			continue
		}
		out = append(out, routing.Candidate{Agent: l.Agent, Load: l.Load})
	}
	return out
}

// unavailable reports whether presence p rules the agent out of messaging
// assignment at now for a reason routing.CheckEligibility does not see:
// its heartbeat lapsed, or it has a call.
func (s *Service) unavailable(p routing.Presence, now time.Time) bool {
	switch routing.AvailabilityOf(p, s.heartbeat, now).Conversations {
	case routing.IneligibleNoHeartbeat, routing.IneligibleOnCall:
		return true
	}
	return false
}

// stickyAgent returns the customer's previous agent when q prefers it for
// c at time now (Queue.StickyFor), and "" when it does not.
func stickyAgent(ctx context.Context, r storage.Reader, q *routing.Queue, c *conversation.Conversation, now time.Time) (string, error) {
	since, ok := q.StickyFor(c, now)
	if !ok {
		return "", nil
	}
	return r.LastAgentOfCustomer(ctx, c.CustomerID, c.ID, since)
}

// claim assigns the locked conversation c to agentID if the agent, locked and
// with its load counted now, is still eligible. It reports whether it did.
//
// Everything that raises the agent's load or changes its memberships holds
// the same lock (followRouting, membership, UpdateAgent), and LockAgent
// reads the agent, memberships included, once the lock is held: so what
// claim checks is what stands at its commit.
func (s *Service) claim(ctx context.Context, tx storage.Tx, rec *recorder, q *routing.Queue, c *conversation.Conversation, agentID string) (bool, error) {
	l, err := storage.LockAgentAndLoad(ctx, tx, agentID)
	if err != nil {
		return false, err
	}
	a, load := l.Agent, l.Load
	if s.unavailable(l.Presence(), rec.now) {
		return false, nil
	}
	// Membership as the locked agent has it: q's members were read
	// before the lock.
	current := *q
	current.Members = nil
	if !routing.Eligible(&current, routing.Candidate{Agent: a, Load: load}, rec.now) {
		return false, nil
	}
	return true, s.applyPatch(ctx, tx, rec, c, conversation.Patch{AgentID: &agentID}, "")
}

// AssignWaiting drains a queue that assigns automatically: conversations
// that have waited longer than the queue's maxWaitSeconds move to its
// overflow queue, and the waiting ones are assigned, URGENT first and then
// the longest waiting, while eligible agents have room. Each assignment is
// its own transaction and an atomic claim, so concurrent drains of one
// queue assign each conversation once and never exceed a capacity. It
// returns how many conversations it assigned. On a queue without
// automatic assignment only the overflow runs (and 0 are assigned).
// ErrNotFound when there is no such queue.
//
// It runs by itself when an agent becomes ACTIVE, is enabled, gets more
// capacity or joins a queue, when a conversation leaves OPEN or WAITING or
// its assignee, and when a conversation enters a queue. Time passing is no
// write: call AssignAllWaiting periodically for wrap-ups that end and
// waits that exceed maxWaitSeconds.
func (s *Service) AssignWaiting(ctx context.Context, queueID string) (int, error) {
	if err := s.authorize(ctx, "AssignWaiting"); err != nil {
		return 0, err
	}
	if err := checkID("queueId", queueID); err != nil {
		return 0, err
	}
	return s.assignWaiting(ctx, queueID)
}

// AssignAllWaiting runs AssignWaiting on every queue in which a
// conversation waits and returns how many conversations it assigned in
// all. A queue with nothing waiting has nothing to assign or move on, so
// an idle pass costs one read (storage.WaitingQueues). Hosts call it on a
// timer (every few seconds) so that ended wrap-ups and exceeded waits take
// effect; Run does.
func (s *Service) AssignAllWaiting(ctx context.Context) (int, error) {
	if err := s.authorize(ctx, "AssignAllWaiting"); err != nil {
		return 0, err
	}
	return s.assignAllWaiting(ctx)
}

// assignAllWaiting is AssignAllWaiting without the scope check: the
// runner's. A queue deleted since the read is skipped.
func (s *Service) assignAllWaiting(ctx context.Context) (int, error) {
	ids, err := storage.WaitingQueues(ctx, s.store)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, id := range ids {
		n, err := s.assignWaiting(ctx, id)
		total += n
		if err != nil && !errors.Is(err, fault.ErrNotFound) {
			return total, err
		}
	}
	return total, nil
}

func (s *Service) assignWaiting(ctx context.Context, queueID string) (int, error) {
	q, err := s.store.GetQueue(ctx, queueID)
	if err != nil {
		return 0, err
	}
	// The wait limit holds whether or not the queue assigns by itself.
	if err := s.overflow(ctx, q); err != nil {
		return 0, err
	}
	if on, err := assigns(ctx, s.store, q, s.clock()); err != nil || !on {
		return 0, err
	}
	assigned := 0
	for {
		n, more, err := s.drainBatch(ctx, q)
		assigned += n
		if err != nil || !more || n == 0 {
			return assigned, err
		}
	}
}

// drainBatch assigns one batch of waiting conversations from a snapshot of
// the queue's agents. more says whether another batch may find work.
func (s *Service) drainBatch(ctx context.Context, q *routing.Queue) (assigned int, more bool, err error) {
	candidates, err := s.memberCandidates(ctx, s.store, q, s.clock())
	if err != nil {
		return 0, false, err
	}
	picker := routing.NewPicker(q, candidates)
	if picker.Len() == 0 {
		return 0, false, nil
	}
	waiting, err := s.store.ListWaiting(ctx, storage.WaitingQuery{QueueID: q.ID, Limit: storage.MaxLimit})
	if err != nil {
		return 0, false, err
	}
	for _, w := range waiting {
		for {
			now := s.clock()
			sticky, err := stickyAgent(ctx, s.store, q, w, now)
			if err != nil {
				return assigned, false, err
			}
			choice, ok := picker.PickPassingOver(now, sticky, w.PassedOver)
			if !ok {
				if w.PassedOver != "" {
					break // another conversation may take the agent passed over
				}
				return assigned, false, nil
			}
			done, refused, err := s.claimWaiting(ctx, q, w.ID, choice.Agent.ID)
			if err != nil {
				return assigned, false, err
			}
			if refused {
				// The snapshot was stale: this agent has no room now.
				picker.Remove(choice.Agent.ID)
				continue
			}
			if done {
				assigned++
			}
			break
		}
	}
	return assigned, len(waiting) == storage.MaxLimit, nil
}

// claimWaiting assigns one waiting conversation to agentID in its own
// transaction, if the conversation still waits in q and the agent is still
// eligible. done: it assigned; refused: the agent was not eligible.
func (s *Service) claimWaiting(ctx context.Context, q *routing.Queue, conversationID, agentID string) (done, refused bool, err error) {
	err = s.run(ctx, "AssignWaiting", func(tx storage.Tx, rec *recorder) error {
		c, err := tx.LockConversation(ctx, conversationID)
		if errors.Is(err, fault.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !routing.WaitingIn(q, c) || c.PassedOver == agentID {
			return nil
		}
		claimed, err := s.claim(ctx, tx, rec, q, c, agentID)
		done, refused = claimed, !claimed
		return err
	})
	return done && err == nil, refused, err
}

// overflow moves the conversations that have waited in q longer than its
// maxWaitSeconds to its overflow queue, each in its own transaction.
func (s *Service) overflow(ctx context.Context, q *routing.Queue) error {
	cutoff, ok := q.OverflowCutoff(s.clock())
	if !ok {
		return nil
	}
	for {
		waiting, err := s.store.ListWaiting(ctx, storage.WaitingQuery{QueueID: q.ID, QueuedBefore: cutoff, Limit: storage.MaxLimit})
		if err != nil || len(waiting) == 0 {
			return err
		}
		for _, w := range waiting {
			err := s.run(ctx, "OverflowWaiting", func(tx storage.Tx, rec *recorder) error {
				c, err := tx.LockConversation(ctx, w.ID)
				if errors.Is(err, fault.ErrNotFound) {
					return nil
				}
				if err != nil {
					return err
				}
				target, ok := routing.Overflow(q, c, rec.now)
				if !ok {
					return nil
				}
				return s.applyPatch(ctx, tx, rec, c, conversation.Patch{QueueID: &target}, storage.ConversationRouted)
			})
			if err != nil {
				return err
			}
		}
		if len(waiting) < storage.MaxLimit {
			return nil
		}
	}
}
