package routing

import (
	"strings"
	"time"

	"github.com/parleyhq/parley/conversation"
)

// Waiting reports whether conversation c waits for an agent: it is in a
// queue, unassigned, and in progress (OPEN or WAITING, see
// conversation.Status.InProgress). A nil c does not wait.
func Waiting(c *conversation.Conversation) bool {
	return c != nil && c.QueueID != "" && !c.Assigned() && c.Status.InProgress()
}

// WaitingIn reports whether conversation c waits for an agent in queue q
// (see Waiting). Nil q or c is false.
func WaitingIn(q *Queue, c *conversation.Conversation) bool {
	return q != nil && c != nil && c.QueueID == q.ID && Waiting(c)
}

// WaitingSince is when conversation c started waiting in its queue: its
// QueuedAt, or its CreatedAt when QueuedAt is not set.
func WaitingSince(c *conversation.Conversation) time.Time {
	if c.QueuedAt.IsZero() {
		return c.CreatedAt
	}
	return c.QueuedAt
}

// ServingOrder orders waiting conversations as a queue serves them: the
// highest priority first (URGENT before HIGH before NORMAL before LOW, an
// unknown priority last), then the longest waiting (see WaitingSince), then
// the lowest id. It returns a negative number when a is served before b, so
// it can be used with slices.SortFunc; it returns 0 only for equal ids.
// Both conversations must be non-nil.
func ServingOrder(a, b *conversation.Conversation) int {
	if ra, rb := a.Priority.Rank(), b.Priority.Rank(); ra != rb {
		return rb - ra
	}
	if c := WaitingSince(a).Compare(WaitingSince(b)); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// OverflowCutoff returns the time before which a conversation must have
// started waiting in q, at time now, to overflow: now minus MaxWaitSeconds.
// ok is false when q never overflows: it has no MaxWaitSeconds (0 means no
// limit) or no OverflowQueueID.
func (q *Queue) OverflowCutoff(now time.Time) (cutoff time.Time, ok bool) {
	if q.MaxWaitSeconds <= 0 || q.OverflowQueueID == "" {
		return time.Time{}, false
	}
	return now.Add(-time.Duration(q.MaxWaitSeconds) * time.Second), true
}

// Overflow says whether conversation c, waiting in queue q, must move to q's
// overflow queue at time now, and returns that queue's id. It must when it
// has waited longer than q's MaxWaitSeconds (exactly MaxWaitSeconds is not
// longer) and q has an OverflowQueueID. A conversation that is not waiting
// in q (see Waiting) never overflows from it.
func Overflow(q *Queue, c *conversation.Conversation, now time.Time) (queueID string, ok bool) {
	if !WaitingIn(q, c) {
		return "", false
	}
	cutoff, ok := q.OverflowCutoff(now)
	if !ok || !WaitingSince(c).Before(cutoff) {
		return "", false
	}
	return q.OverflowQueueID, true
}

// StickySince returns, for a sticky queue at time now, the earliest time the
// customer's previous conversation may have been last updated for its agent
// to stay preferred: now minus StickyTimeoutSeconds, or the zero time (no
// limit) when the timeout is 0. ok is false when q is not sticky.
func (q *Queue) StickySince(now time.Time) (since time.Time, ok bool) {
	if !q.StickyAgent {
		return time.Time{}, false
	}
	if q.StickyTimeoutSeconds <= 0 {
		return time.Time{}, true
	}
	return now.Add(-time.Duration(q.StickyTimeoutSeconds) * time.Second), true
}

// StickyFor is StickySince for conversation c: ok is false as well when c
// has no customer, who can have no previous agent.
func (q *Queue) StickyFor(c *conversation.Conversation, now time.Time) (since time.Time, ok bool) {
	if c.CustomerID == "" {
		return time.Time{}, false
	}
	return q.StickySince(now)
}

// CountsAsLoad reports whether conversation c counts against its assignee's
// capacity: it is assigned and in progress (OPEN or WAITING, see
// conversation.Status.InProgress). SOLVED and CLOSED conversations keep
// their assignee on record without taking a place.
func CountsAsLoad(c *conversation.Conversation) bool {
	return c != nil && c.Assigned() && c.Status.InProgress()
}
