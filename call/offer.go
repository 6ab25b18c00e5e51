package call

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
)

// IneligibleRefused is the reason an agent may not be offered a call it
// refused in the current round (see Next).
const IneligibleRefused routing.Ineligibility = "REFUSED"

// ErrNoAgent is OfferNext finding no agent to offer the call to: the call
// keeps waiting in its queue.
var ErrNoAgent = errors.New("no eligible agent")

// CheckOffer says whether the agent of presence p may be offered the QUEUED
// call c of queue q at time now, and if not, why; "" means it may. The
// agent must be able to take a call (routing.AvailabilityOf: enabled,
// ACTIVE, heartbeat fresh, no call of its own, not in wrap-up; messaging
// load does not count), be a member of q, which must be the call's queue,
// and not be in the call's Refused. When several reasons apply, the first
// in that order is reported.
func CheckOffer(c *Call, q *routing.Queue, p routing.Presence, hb routing.HeartbeatPolicy, now time.Time) routing.Ineligibility {
	return checkOffer(c.Refused, c, q, p, hb, now)
}

func checkOffer(refused []string, c *Call, q *routing.Queue, p routing.Presence, hb routing.HeartbeatPolicy, now time.Time) routing.Ineligibility {
	if why := routing.AvailabilityOf(p, hb, now).Calls; why != "" {
		return why
	}
	if q == nil || q.ID != c.QueueID || !p.Agent.MemberOf(q) {
		return routing.IneligibleNotMember
	}
	if slices.Contains(refused, p.Agent.ID) {
		return IneligibleRefused
	}
	return ""
}

// Next picks the agent the QUEUED call c of queue q is offered to next:
// the first of candidates, in the order given (the queue's strategy
// order), that CheckOffer allows.
//
// When every candidate that could take the call refused it in this round,
// a new round starts (newRound is true; see NewRound): the refusals are
// forgotten except the latest, and the first of those candidates other
// than the latest refuser is picked. So the call goes round the queue's
// agents again, but never straight back to the agent that just refused
// it; when that agent is the only one left, nobody is picked and the call
// waits for another agent to become eligible (or for the customer to
// give up, or the queue's maximum wait to move it). agentID is "" when
// nobody is picked or the call is not QUEUED.
func Next(c *Call, q *routing.Queue, candidates []routing.Presence, hb routing.HeartbeatPolicy, now time.Time) (agentID string, newRound bool) {
	if c.State != Queued {
		return "", false
	}
	for _, p := range candidates {
		if checkOffer(c.Refused, c, q, p, hb, now) == "" {
			return p.Agent.ID, false
		}
	}
	if len(c.Refused) < 2 {
		return "", false
	}
	kept := c.Refused[len(c.Refused)-1:]
	for _, p := range candidates {
		if checkOffer(kept, c, q, p, hb, now) == "" {
			return p.Agent.ID, true
		}
	}
	return "", false
}

// NewRound starts a new round of offers for a QUEUED call: Refused keeps
// only its latest refuser. It is refused when Refused holds fewer than two
// agents, as the round would be the same.
func (c *Call) NewRound(now time.Time) (*Call, Change, error) {
	if err := c.need("start a new round for", Queued); err != nil {
		return nil, Change{}, err
	}
	if len(c.Refused) < 2 {
		return nil, Change{}, refuse("start a new round for", c.State, "fewer than two agents refused it")
	}
	n := c.next(now)
	n.Refused = n.Refused[len(n.Refused)-1:]
	return n, Change{From: c.State, To: n.State}, nil
}

// OfferNext offers the QUEUED call c to the agent Next picks, starting a
// new round first when Next says so, in one transition. With nobody to
// pick it returns ErrNoAgent and the call waits.
func (c *Call) OfferNext(q *routing.Queue, candidates []routing.Presence, hb routing.HeartbeatPolicy, now time.Time, t Timeouts) (*Call, Change, error) {
	if err := c.need("offer", Queued); err != nil {
		return nil, Change{}, err
	}
	id, newRound := Next(c, q, candidates, hb, now)
	if id == "" {
		return nil, Change{}, ErrNoAgent
	}
	from := c
	if newRound {
		from = c.Clone()
		from.Refused = from.Refused[len(from.Refused)-1:]
	}
	n, ch, err := from.Offer(id, now, t)
	ch.NewRound = newRound
	return n, ch, err
}

// CheckOutbound says whether the agent of presence p may place an outbound
// call: it must exist (ErrNotFound), be enabled (ErrForbidden) and have no
// call ringing, dialing or connected (ErrState), since an agent has at
// most one call. Status, heartbeat and wrap-up do not matter: placing a
// call is the agent's own act, as a manual assignment is.
func CheckOutbound(p routing.Presence) error {
	switch {
	case p.Agent == nil:
		return fmt.Errorf("agentId: %w", fault.ErrNotFound)
	case p.Agent.Disabled:
		return fmt.Errorf("%w: agent %q is disabled", fault.ErrForbidden, p.Agent.ID)
	case p.OnCall:
		return &StateError{Op: "dial", Reason: fmt.Sprintf("agent %q is already on a call", p.Agent.ID)}
	}
	return nil
}
