package routing

import (
	"strings"
	"time"
)

// Compare orders two candidates by the strategy: the one that should get the
// next conversation first. It returns a negative number when a comes before
// b, a positive one when after, and 0 when they tie (same agent id), so it
// can be used with slices.SortFunc. Candidates with a nil Agent sort last.
//
//   - LEAST_BUSY: lowest load, then the longest since the last assignment,
//     then the lowest agent id.
//   - ROUND_ROBIN: the longest since the last assignment, then the lowest
//     agent id; load is ignored.
//
// "Longest since the last assignment" is the earliest LastAssignedAt; an
// agent never assigned (zero LastAssignedAt) comes before every other. Any
// other strategy value, the empty one included, orders as LEAST_BUSY, the
// default.
func (s Strategy) Compare(a, b Candidate) int {
	switch {
	case a.Agent == nil || b.Agent == nil:
		return compareNil(a.Agent, b.Agent)
	case s != RoundRobin && a.Load != b.Load:
		if a.Load < b.Load {
			return -1
		}
		return 1
	}
	return compareRest(a.Agent.LastAssignedAt, b.Agent.LastAssignedAt, a.Agent.ID, b.Agent.ID)
}

// compareRest is the part of every strategy after load: the earliest last
// assignment (zero, never assigned, first), then the lowest id.
func compareRest(lastA, lastB time.Time, idA, idB string) int {
	if c := compareLastAssigned(lastA, lastB); c != 0 {
		return c
	}
	return strings.Compare(idA, idB)
}

// compareLastAssigned orders last-assignment times, earliest first, with the
// zero time (never assigned) before any other. The zero time is not left to
// time.Compare so that "never" stays first even against a time before it.
func compareLastAssigned(a, b time.Time) int {
	switch az, bz := a.IsZero(), b.IsZero(); {
	case az && bz:
		return 0
	case az:
		return -1
	case bz:
		return 1
	}
	return a.Compare(b)
}

func compareNil(a, b *Agent) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	}
	return -1
}

// Choice is the agent picked for a conversation.
type Choice struct {
	// Agent is the picked agent, as it was given among the candidates; it
	// is never modified (LastAssignedAt is not updated).
	Agent *Agent
	// Load is the agent's load before this conversation.
	Load int
	// Sticky is true when the agent won as the customer's previous agent
	// rather than by the queue's strategy.
	Sticky bool
}

// PickAgent picks the agent for one conversation of queue q at time now
// among candidates (usually every member of q with its load), or reports
// false when none is eligible. Sticky first: when q has StickyAgent and
// stickyAgentID (the customer's previous agent, found by the caller within
// the queue's sticky timeout; "" for none) is an eligible candidate, it
// wins. Otherwise the eligible candidate that q's strategy orders first
// wins.
//
// PickAgent decides who, not whether: it does not look at q's
// AutoAssignment. It takes time linear in the number of candidates; to
// place many conversations over the same candidates use a Picker, which
// makes the same choices. Agent ids are expected to be unique among the
// candidates.
func PickAgent(q *Queue, candidates []Candidate, now time.Time, stickyAgentID string) (Choice, bool) {
	if q == nil {
		return Choice{}, false
	}
	if q.StickyAgent && stickyAgentID != "" {
		for _, c := range candidates {
			if c.Agent != nil && c.Agent.ID == stickyAgentID && Eligible(q, c, now) {
				return Choice{Agent: c.Agent, Load: c.Load, Sticky: true}, true
			}
		}
	}
	best := -1
	for i, c := range candidates {
		// Eligibility costs more than the order, and only a candidate that
		// would beat the best so far needs it.
		if best >= 0 && q.Strategy.Compare(c, candidates[best]) >= 0 {
			continue
		}
		if Eligible(q, c, now) {
			best = i
		}
	}
	if best < 0 {
		return Choice{}, false
	}
	return Choice{Agent: candidates[best].Agent, Load: candidates[best].Load}, true
}
