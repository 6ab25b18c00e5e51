package parley

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/wallboard"
)

// QueueStats are one queue's live statistics (parley's, beyond Infobip, as
// Twilio TaskRouter and Amazon Connect offer them): what waits in it, how
// long the oldest has waited, and how many of its agents are available,
// on a call and in wrap-up.
type QueueStats struct {
	wallboard.Stats
	// OldestWait is the age of the oldest wait at the service's clock; 0
	// when nothing waits.
	OldestWait time.Duration
}

// liveBoard is the service's wallboard.Board and where in the event log
// it stands; shared by copies of the Service.
//
// The board is built on the first read, in one pass over what waits (the
// unassigned OPEN and WAITING conversations, the QUEUED and RINGING calls)
// and over the agents, after reading where the log ends. Every read then
// first applies the events committed since, by this instance or any
// other on the same store: for each, it reads again the conversation,
// call or agents the event names, and sets their new state on the board.
// A read costs what changed since the previous one, never a scan.
// Agents whose wrap-up ends by the clock (no event marks it) are read
// again once it has ended; an agent whose heartbeat lapses counts as
// available until the runner records the lapse (agent.heartbeat_lapsed).
type liveBoard struct {
	mu      sync.Mutex
	built   bool
	pos     int64
	board   wallboard.Board
	wrapUps map[string]time.Time // agent id → the end of its wrap-up
}

// QueueStatistics returns the live statistics of queue queueID.
// ErrNotFound when there is no such queue.
func (s *Service) QueueStatistics(ctx context.Context, queueID string) (QueueStats, error) {
	return read(s, ctx, "QueueStatistics", func() (QueueStats, error) {
		if err := checkID("queueId", queueID); err != nil {
			return QueueStats{}, err
		}
		if _, err := s.store.GetQueue(ctx, queueID); err != nil {
			return QueueStats{}, err
		}
		b := s.board
		b.mu.Lock()
		defer b.mu.Unlock()
		now := s.clock()
		if err := s.catchUp(ctx, b, now); err != nil {
			return QueueStats{}, err
		}
		st := b.board.Stats(queueID)
		return QueueStats{Stats: st, OldestWait: st.OldestWait(now)}, nil
	})
}

// AllQueueStatistics returns the live statistics of every queue, in id
// order (contact centres have tens of queues, not millions).
func (s *Service) AllQueueStatistics(ctx context.Context) ([]QueueStats, error) {
	return read(s, ctx, "AllQueueStatistics", func() ([]QueueStats, error) {
		var ids []string
		q := storage.QueueQuery{Paging: storage.Paging{Limit: storage.MaxLimit, SkipTotal: true}}
		for {
			page, err := s.store.ListQueues(ctx, q)
			if err != nil {
				return nil, err
			}
			for _, q := range page.Items {
				ids = append(ids, q.ID)
			}
			if page.NextCursor == "" {
				break
			}
			q.Cursor = page.NextCursor
		}
		b := s.board
		b.mu.Lock()
		defer b.mu.Unlock()
		now := s.clock()
		if err := s.catchUp(ctx, b, now); err != nil {
			return nil, err
		}
		out := make([]QueueStats, 0, len(ids))
		for _, id := range ids {
			st := b.board.Stats(id)
			out = append(out, QueueStats{Stats: st, OldestWait: st.OldestWait(now)})
		}
		return out, nil
	})
}

// catchUp builds the board when it is not, then applies the events
// committed since its position. b.mu is held.
func (s *Service) catchUp(ctx context.Context, b *liveBoard, now time.Time) error {
	if !b.built {
		if err := s.buildBoard(ctx, b, now); err != nil {
			return err
		}
	}
	for {
		events, err := s.store.ListEvents(ctx, storage.EventQuery{After: b.pos, Limit: storage.MaxLimit})
		if err != nil {
			return err
		}
		if len(events) == 0 {
			break
		}
		if err := s.applyEvents(ctx, b, events, now); err != nil {
			return err
		}
		b.pos = events[len(events)-1].Seq
	}
	// Wrap-ups that ended by the clock.
	var ended []string
	for id, until := range b.wrapUps {
		if !now.Before(until) {
			ended = append(ended, id)
		}
	}
	return s.refreshAgents(ctx, b, ended, now)
}

// buildBoard reads where the log ends, then what waits and every agent: a
// change committed in between is both read here and applied again from
// the log, which sets the same state.
func (s *Service) buildBoard(ctx context.Context, b *liveBoard, now time.Time) error {
	var pos int64
	if h, ok := s.store.(storage.EventHead); ok {
		p, err := h.LastEventSeq(ctx)
		if err != nil {
			return err
		}
		pos = p
	} else {
		for {
			events, err := s.store.ListEvents(ctx, storage.EventQuery{After: pos, Limit: storage.MaxLimit})
			if err != nil {
				return err
			}
			if len(events) == 0 {
				break
			}
			pos = events[len(events)-1].Seq
		}
	}
	b.board, b.wrapUps, b.pos = wallboard.Board{}, map[string]time.Time{}, pos

	cq := storage.ConversationQuery{
		Filter: storage.ConversationFilter{Statuses: []conversation.Status{conversation.Open, conversation.Waiting}, Unassigned: true},
		Order:  storage.Order{Field: storage.SortID}, Paging: storage.Paging{Limit: storage.MaxLimit, SkipTotal: true},
	}
	for {
		page, err := s.store.ListConversations(ctx, cq)
		if err != nil {
			return err
		}
		for _, c := range page.Items {
			b.board.SetWaiting(wallboard.ConversationWaiting(c, waitStart(c.QueuedAt, c.UpdatedAt)))
		}
		if page.NextCursor == "" {
			break
		}
		cq.Cursor = page.NextCursor
	}
	kq := storage.CallQuery{States: []call.State{call.Queued, call.Ringing}, Paging: storage.Paging{Limit: storage.MaxLimit, SkipTotal: true}}
	for {
		page, err := s.store.ListCalls(ctx, kq)
		if err != nil {
			return err
		}
		for _, c := range page.Items {
			b.board.SetWaiting(wallboard.CallWaiting(c, c.CreatedAt))
		}
		if page.NextCursor == "" {
			break
		}
		kq.Cursor = page.NextCursor
	}
	aq := storage.AgentQuery{Paging: storage.Paging{Limit: storage.MaxLimit, SkipTotal: true}}
	for {
		page, err := s.store.ListAgents(ctx, aq)
		if err != nil {
			return err
		}
		ids := make([]string, len(page.Items))
		for i, a := range page.Items {
			ids[i] = a.ID
		}
		if err := s.refreshAgents(ctx, b, ids, now); err != nil {
			return err
		}
		if page.NextCursor == "" {
			break
		}
		aq.Cursor = page.NextCursor
	}
	b.built = true
	return nil
}

// waitStart is when a conversation started waiting: when it entered its
// queue, else (stored before parley kept that) its last change.
func waitStart(queuedAt, updatedAt time.Time) time.Time {
	if queuedAt.IsZero() {
		return updatedAt
	}
	return queuedAt
}

// applyEvents sets on the board the new state of what events name: the
// conversation of each, the call of a call event, the agents of agent,
// membership and assignment changes.
func (s *Service) applyEvents(ctx context.Context, b *liveBoard, events []*storage.Event, now time.Time) error {
	convs := map[string]time.Time{}
	calls := map[string]time.Time{}
	agents := map[string]bool{}
	for _, e := range events {
		if e.ConversationID != "" {
			convs[e.ConversationID] = e.At
		}
		t := string(e.Type)
		switch {
		case strings.HasPrefix(t, "call."):
			calls[e.EntityID] = e.At
		case strings.HasPrefix(t, "agent."):
			agents[e.EntityID] = true
		}
		// The agents a change names (a membership, an assignment, a
		// call's agent), before and after.
		for _, c := range e.Changes {
			if c.Field != "agentId" {
				continue
			}
			for _, raw := range []json.RawMessage{c.Before, c.After} {
				var id string
				if json.Unmarshal(raw, &id) == nil && id != "" {
					agents[id] = true
				}
			}
		}
	}
	for id, at := range convs {
		c, err := s.store.GetConversation(ctx, id)
		switch {
		case errors.Is(err, fault.ErrNotFound):
			b.board.SetWaiting(wallboard.Waiting{Kind: wallboard.Conversation, ID: id})
		case err != nil:
			return err
		default:
			b.board.SetWaiting(wallboard.ConversationWaiting(c, waitStart(c.QueuedAt, at)))
		}
	}
	for id, at := range calls {
		c, err := s.store.GetCall(ctx, id)
		switch {
		case errors.Is(err, fault.ErrNotFound):
			b.board.SetWaiting(wallboard.Waiting{Kind: wallboard.Call, ID: id})
		case err != nil:
			return err
		default:
			b.board.SetWaiting(wallboard.CallWaiting(c, at))
			if c.AgentID != "" {
				agents[c.AgentID] = true
			}
		}
	}
	ids := make([]string, 0, len(agents))
	for id := range agents {
		ids = append(ids, id)
	}
	return s.refreshAgents(ctx, b, ids, now)
}

// refreshAgents reads the agents of ids again and sets them on the board;
// an agent that no longer exists leaves it.
func (s *Service) refreshAgents(ctx context.Context, b *liveBoard, ids []string, now time.Time) error {
	for len(ids) > 0 {
		n := min(len(ids), storage.MaxLimit)
		batch := ids[:n]
		ids = ids[n:]
		ps, err := s.store.AgentPresences(ctx, batch...)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, p := range ps {
			a := wallboard.AgentOf(p, s.heartbeat, now)
			seen[a.ID] = true
			b.board.SetAgent(a)
			delete(b.wrapUps, a.ID)
			if a.Presence == wallboard.WrapUp {
				b.wrapUps[a.ID] = p.Agent.WrapUpUntil
			}
		}
		for _, id := range batch {
			if !seen[id] {
				b.board.RemoveAgent(id)
				delete(b.wrapUps, id)
			}
		}
	}
	return nil
}
