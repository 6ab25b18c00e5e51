package parley

import (
	"context"
	"errors"
	"time"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// RunReport counts what one pass of the runner did.
type RunReport struct {
	OffersTimedOut int // offers that rang out (the calls went on to the next agent)
	DialsTimedOut  int // outbound calls the customer did not answer in time
	// TransfersTimedOut counts the transfers that rang out (see
	// transfers.go: the call went to the next agent of a QUEUE transfer,
	// or back to the agent who transferred it).
	TransfersTimedOut int
	Lapsed            int // agents whose heartbeat lapse was recorded
	Requeued          int // conversations handed back to their queues on a lapse
	Offered           int // queued calls offered to an agent
	Assigned          int // waiting conversations assigned

	Waits WaitReport // what the waiting strategies of queued calls did (RunWaits)
}

// runBatch bounds the items of one kind a pass takes; what is left waits
// for the next pass.
const runBatch = 200

// RunDue does once, at the service's clock, what time decides: it times
// out offers and dials whose deadline passed, records heartbeat lapses
// (and hands the lapsed agents' conversations back to their queues when
// the heartbeat policy says REQUEUE), takes the due steps of queued calls'
// waiting strategies (RunWaits), offers queued calls to agents who
// can take them, and assigns waiting conversations (AssignAllWaiting,
// which also moves conversations past their queue's wait limit).
//
// Each item is handled in a transaction of its own that locks it and
// checks it again, so several runners, in one process or many on one
// database, handle each due item once: a runner that comes second finds
// it handled and moves on. An item that fails is logged and left for the
// next pass; RunDue returns the first error only when ctx ended.
func (s *Service) RunDue(ctx context.Context) (RunReport, error) {
	var r RunReport
	if err := s.authorize(ctx, "RunDue"); err != nil {
		return r, err
	}
	now := s.clock()
	due, err := s.store.DueCalls(ctx, now, runBatch)
	if err != nil {
		return r, err
	}
	for _, c := range due {
		_, typ, err := s.expire(ctx, c.ID)
		if err := s.passError(ctx, "timing out call", c.ID, err); err != nil {
			return r, err
		}
		switch typ {
		case call.Ringing:
			r.OffersTimedOut++
		case call.Dialing:
			r.DialsTimedOut++
		case call.Connected:
			r.TransfersTimedOut++
		}
	}
	if err := s.runLapses(ctx, now, &r); err != nil {
		return r, err
	}
	if r.Waits, err = s.runWaits(ctx); err != nil {
		return r, err
	}
	queued, err := s.store.ListCalls(ctx, storage.CallQuery{
		States: []call.State{call.Queued},
		Paging: storage.Paging{Limit: runBatch, SkipTotal: true},
	})
	if err != nil {
		return r, err
	}
	// By queue, in the order of each queue's oldest call: a queue whose
	// call finds nobody free costs one transaction, not one per call.
	seen := map[string]bool{}
	for _, c := range queued.Items {
		if c.QueueID == "" || seen[c.QueueID] {
			continue
		}
		seen[c.QueueID] = true
		n, err := s.offerQueuedIn(ctx, c.QueueID)
		r.Offered += n
		if err := s.passError(ctx, "offering calls in queue", c.QueueID, err); err != nil {
			return r, err
		}
	}
	n, err := s.assignAllWaiting(ctx)
	r.Assigned = n
	if err := s.passError(ctx, "assigning waiting conversations", "", err); err != nil {
		return r, err
	}
	return r, nil
}

// passError logs an item's failure and returns an error only when ctx has
// ended, which stops the pass.
func (s *Service) passError(ctx context.Context, what, id string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	s.logger.WarnContext(ctx, "parley: runner", "task", what, "id", id, "error", err)
	return nil
}

// Run calls RunDue every interval (a second when interval is 0 or less)
// until ctx ends, and then returns nil. A host starts it once per process;
// several processes on one database may each run it. A pass that fails is
// logged, and the next pass tries again.
func (s *Service) Run(ctx context.Context, interval time.Duration) error {
	if err := s.authorize(ctx, "Run"); err != nil {
		return err
	}
	if interval <= 0 {
		interval = time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.RunDue(ctx); err != nil && ctx.Err() == nil {
			s.logger.WarnContext(ctx, "parley: runner pass", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// ExpireCall ends the offer or the dial of call id if its deadline has
// passed at the service's clock, as the runner does for each due call (a
// host that schedules its own timers may call it at the deadline): a
// ringing offer goes on to the next agent, a dial ends as NO_ANSWER, and
// a transfer that rang out goes on or back (see transfers.go). It
// returns the call as it then is; a call whose deadline has not passed,
// or that is no longer ringing or dialing (accepted, answered, ended, or
// expired by another runner), is returned unchanged.
func (s *Service) ExpireCall(ctx context.Context, id string) (*call.Call, error) {
	if err := s.authorize(ctx, "ExpireCall"); err != nil {
		return nil, err
	}
	if err := checkID("callId", id); err != nil {
		return nil, err
	}
	c, _, err := s.expire(ctx, id)
	return c, err
}

// expire is ExpireCall without the checks; it also reports the state the
// call timed out of ("" when there was nothing to do).
func (s *Service) expire(ctx context.Context, id string) (*call.Call, call.State, error) {
	var (
		out  *call.Call
		from call.State
	)
	err := s.run(ctx, "ExpireCall", func(tx storage.Tx, rec *recorder) error {
		c, err := tx.LockCall(ctx, id)
		if err != nil {
			return err
		}
		out = c
		if n, done, err := s.transferDue(ctx, tx, rec, c); err != nil || done {
			out, from = n, call.Connected
			return err
		}
		if !c.Expired(rec.now) {
			return nil
		}
		var (
			n  *call.Call
			ch call.Change
		)
		switch c.State {
		case call.Ringing:
			n, ch, err = c.OfferTimedOut(rec.now)
		case call.Dialing:
			n, ch, err = c.DialTimedOut(rec.now)
		default:
			return nil
		}
		if err != nil {
			return err
		}
		from = c.State
		out, err = s.applyCallChange(ctx, tx, rec, c, n, ch, nil)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return out, from, nil
}

// OfferCall offers the QUEUED call id to the next eligible agent of its
// queue now, as the runner does for each queued call: it starts ringing
// for the inbound timeout. It returns the call as it then is: still
// QUEUED when nobody can take it, and unchanged when it is not QUEUED
// (already ringing, connected or ended).
func (s *Service) OfferCall(ctx context.Context, id string) (*call.Call, error) {
	if err := s.authorize(ctx, "OfferCall"); err != nil {
		return nil, err
	}
	if err := checkID("callId", id); err != nil {
		return nil, err
	}
	var out *call.Call
	err := s.run(ctx, "OfferCall", func(tx storage.Tx, rec *recorder) error {
		c, err := tx.LockCall(ctx, id)
		if err != nil {
			return err
		}
		out, err = s.offer(ctx, tx, rec, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// offerQueued offers the QUEUED call id to the next eligible agent,
// reporting whether it did.
func (s *Service) offerQueued(ctx context.Context, id string) (bool, error) {
	offered := false
	err := s.run(ctx, "OfferCall", func(tx storage.Tx, rec *recorder) error {
		c, err := tx.LockCall(ctx, id)
		if err != nil {
			return err
		}
		n, err := s.offer(ctx, tx, rec, c)
		offered = err == nil && n.State == call.Ringing && c.State == call.Queued
		return err
	})
	return offered, err
}

// runLapses records the heartbeat lapses due at now.
func (s *Service) runLapses(ctx context.Context, now time.Time, r *RunReport) error {
	cutoff := now.Add(-s.heartbeat.TimeToLive())
	ids, err := s.store.LapsedAgents(ctx, cutoff, runBatch)
	if err != nil {
		return err
	}
	for _, id := range ids {
		marked := false
		err := s.run(ctx, "RunDue", func(tx storage.Tx, rec *recorder) error {
			var err error
			if marked, err = tx.MarkAbsent(ctx, id, cutoff); err != nil || !marked {
				return err
			}
			rec.add(storage.AgentLapsed, "", id, nil)
			return nil
		})
		if err := s.passError(ctx, "recording a heartbeat lapse", id, err); err != nil {
			return err
		}
		if !marked {
			continue
		}
		r.Lapsed++
		if s.heartbeat.Action() != routing.RequeueConversations {
			continue
		}
		n, err := s.requeueOf(ctx, id)
		r.Requeued += n
		if err := s.passError(ctx, "requeueing conversations", id, err); err != nil {
			return err
		}
	}
	return nil
}

// requeueOf hands the in-progress queued conversations of a lapsed agent
// back to their queues, each in its own transaction, checking under the
// conversation's lock that it is still the agent's and that the agent is
// still away (a heartbeat since keeps them).
func (s *Service) requeueOf(ctx context.Context, agentID string) (int, error) {
	page, err := s.store.ListConversations(ctx, storage.ConversationQuery{
		Filter: storage.ConversationFilter{AgentID: agentID, Statuses: []conversation.Status{conversation.Open, conversation.Waiting}},
		Paging: storage.Paging{Limit: storage.MaxLimit, SkipTotal: true},
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range page.Items {
		done := false
		err := s.run(ctx, "RunDue", func(tx storage.Tx, rec *recorder) error {
			c, err := tx.LockConversation(ctx, c.ID)
			if err != nil || c.AgentID != agentID || !s.heartbeat.RequeuesOnLapse(c) {
				return ignoreNotFound(err)
			}
			p, err := s.presence(ctx, tx, agentID)
			if err != nil || !s.heartbeat.Lapsed(p.LastHeartbeat, rec.now) {
				return err
			}
			none := ""
			done = true
			return s.applyPatch(ctx, tx, rec, c, conversation.Patch{AgentID: &none, PassOver: true}, "")
		})
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

func ignoreNotFound(err error) error {
	if errors.Is(err, fault.ErrNotFound) {
		return nil
	}
	return err
}

// offerQueuedIn offers the calls waiting in queue queueID, oldest first,
// until one that no agent declined finds nobody to take it: then nobody
// eligible is free. A call some agent declined may find nobody only
// because the free agent is the one that declined it, so the calls
// behind it are still offered: the oldest call never blocks the queue for
// an agent it cannot have.
// It returns how many it offered.
func (s *Service) offerQueuedIn(ctx context.Context, queueID string) (int, error) {
	page, err := s.store.ListCalls(ctx, storage.CallQuery{
		QueueID: queueID,
		States:  []call.State{call.Queued},
		Paging:  storage.Paging{Limit: runBatch, SkipTotal: true},
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range page.Items {
		offered, err := s.offerQueued(ctx, c.ID)
		if err != nil {
			return n, err
		}
		if offered {
			n++
		} else if len(c.Refused) == 0 {
			return n, nil
		}
	}
	return n, nil
}
