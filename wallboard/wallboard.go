// Package wallboard keeps live statistics per queue, as Twilio TaskRouter
// and Amazon Connect show them beyond Infobip's queue list: conversations
// and calls waiting, the oldest wait's age, and the queue's agents
// available, on a call and in wrap-up.
//
// A Board is an aggregate kept up to date by applying changes, never by
// scanning: the service tells it the new state of one conversation, call
// or agent (SetWaiting, SetAgent) after each change it commits, and each
// update costs O(log n) in the items waiting in the queues it touches.
// Building a board for a running system is one pass over what waits and
// who is signed in; after that the statistics are read in O(1) per queue
// (OldestWait is amortised O(log n)).
//
// The rules: a conversation waits when it is in a queue, unassigned and
// OPEN or WAITING; a call waits when it is QUEUED or RINGING (offered, not
// yet answered). An item's wait starts when it starts waiting in its
// current queue: set again in the same queue it keeps its start, moved to
// another queue it starts anew. An agent counts in each queue it is a
// member of, in exactly one of: available (may be offered a call now),
// on a call, in wrap-up, or none of these (away, busy, offline). A Board
// is not safe for concurrent use; the service guards it.
package wallboard

import (
	"container/heap"
	"slices"
	"time"
)

// Kind is what waits: a messaging conversation or a call.
type Kind string

// The kinds.
const (
	Conversation Kind = "CONVERSATION"
	Call         Kind = "CALL"
)

// Waiting is the waiting state of one conversation or call: QueueID is
// the queue it waits in, "" when it waits in none.
type Waiting struct {
	Kind    Kind
	ID      string
	QueueID string
	Since   time.Time // when it started waiting; kept while it stays in the queue
}

// Presence is an agent's state for the board.
type Presence string

// The presences.
const (
	Available Presence = "AVAILABLE"
	OnCall    Presence = "ON_CALL"
	WrapUp    Presence = "WRAP_UP"
	Other     Presence = "OTHER" // away, busy, offline, disabled: counted nowhere
)

// Agent is an agent's state for the board: its queues and its presence.
// An agent with no queues counts nowhere.
type Agent struct {
	ID       string
	Queues   []string
	Presence Presence
}

// Stats are one queue's live statistics.
type Stats struct {
	QueueID              string
	WaitingConversations int
	WaitingCalls         int
	// OldestSince is when the longest-waiting item started waiting; zero
	// when nothing waits.
	OldestSince     time.Time
	AgentsAvailable int
	AgentsOnCall    int
	AgentsInWrapUp  int
}

// OldestWait is the age of the oldest wait at now; 0 when nothing waits.
func (s Stats) OldestWait(now time.Time) time.Duration {
	if s.OldestSince.IsZero() || now.Before(s.OldestSince) {
		return 0
	}
	return now.Sub(s.OldestSince)
}

type itemKey struct {
	kind Kind
	id   string
}

type item struct {
	queue string
	since time.Time
	gen   uint64
}

type entry struct {
	since time.Time
	key   itemKey
	gen   uint64
}

type entries []entry

func (h entries) Len() int { return len(h) }
func (h entries) Less(i, j int) bool {
	if !h[i].since.Equal(h[j].since) {
		return h[i].since.Before(h[j].since)
	}
	return h[i].gen < h[j].gen
}
func (h entries) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *entries) Push(x any)   { *h = append(*h, x.(entry)) }
func (h *entries) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

type queue struct {
	stats Stats
	// oldest holds every item that waited here since it was last
	// compacted; entries whose item left are dropped when they reach the
	// top, or when they outnumber the live ones.
	oldest entries
	live   int
}

// Board is the live statistics of every queue; the zero Board is empty
// and ready to use.
type Board struct {
	queues map[string]*queue
	items  map[itemKey]item
	agents map[string]Agent
	gen    uint64
}

func (b *Board) queue(id string) *queue {
	if b.queues == nil {
		b.queues = map[string]*queue{}
		b.items = map[itemKey]item{}
		b.agents = map[string]Agent{}
	}
	q := b.queues[id]
	if q == nil {
		q = &queue{stats: Stats{QueueID: id}}
		b.queues[id] = q
	}
	return q
}

// SetWaiting records the waiting state of one conversation or call.
func (b *Board) SetWaiting(w Waiting) {
	b.queue("") // initialises the maps
	k := itemKey{w.Kind, w.ID}
	old, had := b.items[k]
	if had && old.queue == w.QueueID {
		return // still waiting in the same queue: its wait goes on
	}
	if had {
		q := b.queue(old.queue)
		q.count(w.Kind, -1)
		q.live--
		delete(b.items, k)
		q.compact(b)
	}
	if w.QueueID == "" {
		return
	}
	b.gen++
	b.items[k] = item{queue: w.QueueID, since: w.Since, gen: b.gen}
	q := b.queue(w.QueueID)
	q.count(w.Kind, +1)
	q.live++
	heap.Push(&q.oldest, entry{since: w.Since, key: k, gen: b.gen})
}

func (q *queue) count(k Kind, d int) {
	if k == Call {
		q.stats.WaitingCalls += d
	} else {
		q.stats.WaitingConversations += d
	}
}

// compact rebuilds the heap when dead entries outnumber live ones, so it
// never grows beyond twice what waits.
func (q *queue) compact(b *Board) {
	if len(q.oldest) <= 2*q.live+8 {
		return
	}
	kept := q.oldest[:0]
	for _, e := range q.oldest {
		if b.alive(e) {
			kept = append(kept, e)
		}
	}
	q.oldest = kept
	heap.Init(&q.oldest)
}

func (b *Board) alive(e entry) bool {
	it, ok := b.items[e.key]
	return ok && it.gen == e.gen
}

// SetAgent records an agent's queues and presence.
func (b *Board) SetAgent(a Agent) {
	b.queue("")
	if old, ok := b.agents[a.ID]; ok {
		b.countAgent(old, -1)
	}
	a.Queues = slices.Clone(a.Queues)
	slices.Sort(a.Queues)
	a.Queues = slices.Compact(a.Queues)
	b.agents[a.ID] = a
	b.countAgent(a, +1)
}

// RemoveAgent forgets an agent (deleted, or signed out for good).
func (b *Board) RemoveAgent(id string) {
	if old, ok := b.agents[id]; ok {
		b.countAgent(old, -1)
		delete(b.agents, id)
	}
}

func (b *Board) countAgent(a Agent, d int) {
	for _, id := range a.Queues {
		s := &b.queue(id).stats
		switch a.Presence {
		case Available:
			s.AgentsAvailable += d
		case OnCall:
			s.AgentsOnCall += d
		case WrapUp:
			s.AgentsInWrapUp += d
		}
	}
}

// Stats returns the statistics of queue id (all zero for a queue the
// board has not seen).
func (b *Board) Stats(id string) Stats {
	q := b.queues[id]
	if q == nil || id == "" {
		return Stats{QueueID: id}
	}
	for len(q.oldest) > 0 && !b.alive(q.oldest[0]) {
		heap.Pop(&q.oldest)
	}
	s := q.stats
	if len(q.oldest) > 0 {
		s.OldestSince = q.oldest[0].since
	}
	return s
}

// Queues returns the ids of the queues the board has seen, sorted.
func (b *Board) Queues() []string {
	var ids []string
	for id := range b.queues {
		if id != "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}
