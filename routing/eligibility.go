package routing

import (
	"slices"
	"time"
)

// Candidate is an agent considered for a conversation of a queue, with its
// load: the number of its conversations in OPEN or WAITING.
type Candidate struct {
	Agent *Agent
	Load  int
}

// Ineligibility says why an agent may not get a conversation of a queue
// automatically. The empty value means the agent is eligible.
type Ineligibility string

// The reasons an agent is not eligible. When several apply, CheckEligibility
// reports the first in this order.
const (
	IneligibleUnknown   Ineligibility = "UNKNOWN_AGENT" // no agent was given
	IneligibleDisabled  Ineligibility = "DISABLED"      // the agent is disabled
	IneligibleNotActive Ineligibility = "NOT_ACTIVE"    // its status is not ACTIVE
	IneligibleNotMember Ineligibility = "NOT_MEMBER"    // it is not a member of the queue
	IneligibleFull      Ineligibility = "AT_CAPACITY"   // its load has reached its capacity
	IneligibleWrapUp    Ineligibility = "IN_WRAP_UP"    // it is in wrap-up after a close
)

// CheckEligibility says whether candidate c may get a conversation of queue q
// automatically at time now, and if not, why. An agent is eligible when it
// is enabled, ACTIVE, a member of q, not in wrap-up at now, and its load is
// below its capacity. It returns "" for an eligible agent.
//
// These limits bind automatic assignment only: a manual assignment or a
// transfer to an agent may overload an agent on purpose.
func CheckEligibility(q *Queue, c Candidate, now time.Time) Ineligibility {
	if why := lastingIneligibility(q, c); why != "" {
		return why
	}
	if c.Agent.InWrapUp(now) {
		return IneligibleWrapUp
	}
	return ""
}

// lastingIneligibility is CheckEligibility without wrap-up: the reasons that
// hold whatever the time, which a Picker settles once for its snapshot.
func lastingIneligibility(q *Queue, c Candidate) Ineligibility {
	a := c.Agent
	switch {
	case a == nil:
		return IneligibleUnknown
	case a.Disabled:
		return IneligibleDisabled
	case a.Status != Active:
		return IneligibleNotActive
	case !a.MemberOf(q):
		return IneligibleNotMember
	case c.Load >= a.capacity():
		return IneligibleFull
	}
	return ""
}

// Eligible reports whether candidate c may get a conversation of queue q
// automatically at time now; CheckEligibility says why not.
func Eligible(q *Queue, c Candidate, now time.Time) bool {
	return CheckEligibility(q, c, now) == ""
}

// GainedRoom reports whether a change of an agent from before to after may
// let it take waiting conversations it could not take before: it became
// ACTIVE, or enabled, or its capacity grew (see CheckEligibility). The end
// of a wrap-up is no change of the agent: it comes with time.
func GainedRoom(before, after *Agent) bool {
	return after.Status == Active && before.Status != Active ||
		before.Disabled && !after.Disabled ||
		after.capacity() > before.capacity()
}

// MemberOf reports whether the agent is a member of queue q. Either side of
// the membership is enough: the agent's Queues naming q, or q's Members
// naming the agent, so a caller that loaded only one side gets the right
// answer. A nil queue has no members.
func (a *Agent) MemberOf(q *Queue) bool {
	if q == nil {
		return false
	}
	if slices.Contains(a.Queues, q.ID) {
		return true
	}
	// Members is sorted and may hold thousands of agents.
	_, found := slices.BinarySearch(q.Members, a.ID)
	return found
}

// InWrapUp reports whether the agent is in wrap-up at time now, that is
// whether WrapUpUntil is after now. Wrap-up ends at WrapUpUntil exactly.
func (a *Agent) InWrapUp(now time.Time) bool {
	return a.WrapUpUntil.After(now)
}

// WrapUpAfterClose returns the WrapUpUntil the agent gets when one of its
// conversations closes at closedAt: closedAt plus WrapUpSeconds. A wrap-up
// already running that ends later is kept, so closing a conversation never
// shortens a wrap-up; with WrapUpSeconds 0 and no wrap-up running the result
// is the zero time (no wrap-up).
func (a *Agent) WrapUpAfterClose(closedAt time.Time) time.Time {
	until := time.Time{}
	if a.WrapUpSeconds > 0 {
		until = closedAt.Add(time.Duration(a.WrapUpSeconds) * time.Second)
	}
	if a.InWrapUp(closedAt) && a.WrapUpUntil.After(until) {
		return a.WrapUpUntil
	}
	return until
}

// capacity is the most conversations in OPEN or WAITING the agent may hold
// by automatic assignment; 0 in Capacity means DefaultCapacity.
func (a *Agent) capacity() int {
	if a.Capacity == 0 {
		return DefaultCapacity
	}
	return a.Capacity
}
