package call

import (
	"fmt"
	"slices"
	"time"

	"github.com/parleyhq/parley/fault"
)

// Change is what a transition did and what it asks of the rest of the
// system. Each agent field names an agent, or is "" when the transition
// calls for nothing of the kind.
type Change struct {
	From State // the state before
	To   State // the state after

	// Offer is the offer the transition made (Offer, OfferNext): the
	// runner times it out at Offer.ExpiresAt.
	Offer *Offer
	// Refused is the agent that rejected the call or let its offer time
	// out: the next offer skips it (see Next).
	Refused string
	// Assignee is the agent the call's conversation is now assigned to:
	// the agent that accepted an inbound call.
	Assignee string
	// Released is the agent the call no longer occupies: its voice
	// capacity is free again.
	Released string
	// WrapUp is the agent whose wrap-up starts at the call's EndedAt
	// (StartWrapUp): the call ended after it had connected.
	WrapUp string
	// NewRound reports that OfferNext started a new round of offers
	// before this one (see Next).
	NewRound bool

	// Transfer is the transfer the transition started, answered or gave
	// up (see Transfer); Withdrawn is the agent a transfer rang at
	// until the transition stopped it: its voice capacity is free again.
	Transfer  *Transfer
	Withdrawn string
	// Returned reports that a transfer nobody answered gave the call
	// back to the agent who transferred it.
	Returned bool
}

// Offer is an inbound call ringing at one agent until ExpiresAt.
type Offer struct {
	CallID    string
	AgentID   string
	OfferedAt time.Time
	ExpiresAt time.Time
}

// Expired reports whether the offer has rung out at time now: now is at or
// after ExpiresAt.
func (o Offer) Expired(now time.Time) bool { return !now.Before(o.ExpiresAt) }

// CurrentOffer returns the offer of a RINGING call; ok is false in any
// other state.
func (c *Call) CurrentOffer() (o Offer, ok bool) {
	if c.State != Ringing {
		return Offer{}, false
	}
	return Offer{CallID: c.ID, AgentID: c.AgentID, OfferedAt: c.OfferedAt, ExpiresAt: c.Deadline}, true
}

// Expired reports whether a RINGING or DIALING call has rung out at time
// now, unanswered: now is at or after its Deadline. A call in any other
// state has no deadline and never expires.
func (c *Call) Expired(now time.Time) bool {
	return (c.State == Ringing || c.State == Dialing) && !now.Before(c.Deadline)
}

// next returns a copy of c moved on by one transition at now.
func (c *Call) next(now time.Time) *Call {
	n := c.Clone()
	n.Version++
	n.UpdatedAt = now
	return n
}

func refuse(op string, s State, format string, args ...any) error {
	return &StateError{Op: op, State: s, Reason: fmt.Sprintf(format, args...)}
}

// need refuses op unless the call is in one of states.
func (c *Call) need(op string, states ...State) error {
	if slices.Contains(states, c.State) {
		return nil
	}
	if c.State == Ended {
		return refuse(op, c.State, "the call is over")
	}
	return refuse(op, c.State, "only a %s call can", joinStates(states))
}

func joinStates(states []State) string {
	s := ""
	for i, st := range states {
		switch {
		case i == 0:
		case i == len(states)-1:
			s += " or "
		default:
			s += ", "
		}
		s += string(st)
	}
	return s
}

// Offer rings the QUEUED call at agentID for the inbound timeout of t: the
// call becomes RINGING. It refuses an agent in Refused (the call is not
// offered straight back to an agent that refused it; see Next and
// NewRound). Whether the agent may take a call at all is
// CheckOffer's question, asked before.
func (c *Call) Offer(agentID string, now time.Time, t Timeouts) (*Call, Change, error) {
	if err := fault.Identifier("agentId", agentID, MaxIDLen); err != nil {
		return nil, Change{}, err
	}
	if err := t.Validate(); err != nil {
		return nil, Change{}, err
	}
	if err := c.need("offer", Queued); err != nil {
		return nil, Change{}, err
	}
	if slices.Contains(c.Refused, agentID) {
		return nil, Change{}, refuse("offer", c.State, "agent %q refused this call in this round", agentID)
	}
	n := c.next(now)
	n.State = Ringing
	n.AgentID = agentID
	n.OfferedAt = now
	n.Deadline = now.Add(t.InboundTimeout())
	o, _ := n.CurrentOffer()
	return n, Change{From: c.State, To: n.State, Offer: &o}, nil
}

// answerable refuses an answer to a RINGING or DIALING call that has rung
// out: the runner is about to end or move it, and the host must stop it.
func (c *Call) answerable(op string, now time.Time) error {
	if c.Expired(now) {
		return refuse(op, c.State, "it rang out at %s", c.Deadline.UTC().Format(time.RFC3339Nano))
	}
	return nil
}

// offeredTo refuses an agent other than the one a RINGING call rings at.
func (c *Call) offeredTo(op, agentID string) error {
	if agentID != c.AgentID {
		return fmt.Errorf("%w: cannot %s: the call is offered to another agent", fault.ErrForbidden, op)
	}
	return nil
}

// Accept connects the RINGING call to agentID, the agent it rings at,
// before the offer expires; the conversation is to be assigned to that
// agent (Change.Assignee). Another agent is ErrForbidden.
func (c *Call) Accept(agentID string, now time.Time) (*Call, Change, error) {
	if err := c.need("accept", Ringing); err != nil {
		return nil, Change{}, err
	}
	if err := c.offeredTo("accept", agentID); err != nil {
		return nil, Change{}, err
	}
	if err := c.answerable("accept", now); err != nil {
		return nil, Change{}, err
	}
	n := c.connect(now)
	return n, Change{From: c.State, To: n.State, Assignee: agentID}, nil
}

func (c *Call) connect(now time.Time) *Call {
	n := c.next(now)
	n.State = Connected
	n.ConnectedAt = now
	n.OfferedAt, n.Deadline = time.Time{}, time.Time{}
	return n
}

// Reject is the agent a RINGING call rings at declining it: the call goes
// back to QUEUED and the agent joins Refused. Another agent is
// ErrForbidden. A rejection after the offer expired is still a rejection.
func (c *Call) Reject(agentID string, now time.Time) (*Call, Change, error) {
	if err := c.need("reject", Ringing); err != nil {
		return nil, Change{}, err
	}
	if err := c.offeredTo("reject", agentID); err != nil {
		return nil, Change{}, err
	}
	return c.requeue(now)
}

// OfferTimedOut is the runner finding that the offer of a RINGING call rang
// out unanswered: the call goes back to QUEUED and the agent joins
// Refused. It refuses before the offer's ExpiresAt, so that a runner with a
// clock ahead, or a stale read, cannot cut an offer short.
func (c *Call) OfferTimedOut(now time.Time) (*Call, Change, error) {
	if err := c.need("time out the offer of", Ringing); err != nil {
		return nil, Change{}, err
	}
	if !c.Expired(now) {
		return nil, Change{}, refuse("time out the offer of", c.State, "it rings until %s", c.Deadline.UTC().Format(time.RFC3339Nano))
	}
	return c.requeue(now)
}

func (c *Call) requeue(now time.Time) (*Call, Change, error) {
	agent := c.AgentID
	n := c.next(now)
	n.State = Queued
	n.AgentID = ""
	n.OfferedAt, n.Deadline = time.Time{}, time.Time{}
	n.Refused = append(n.Refused, agent)
	return n, Change{From: c.State, To: n.State, Refused: agent, Released: agent}, nil
}

// Answer is the customer picking up a DIALING outbound call before the
// outbound timeout: the call is CONNECTED to the agent who placed it.
func (c *Call) Answer(now time.Time) (*Call, Change, error) {
	if err := c.need("answer", Dialing); err != nil {
		return nil, Change{}, err
	}
	if err := c.answerable("answer", now); err != nil {
		return nil, Change{}, err
	}
	n := c.connect(now)
	return n, Change{From: c.State, To: n.State}, nil
}

// NoAnswer is the host reporting that the customer declined or could not
// be reached on a DIALING call: it ends with NO_ANSWER.
func (c *Call) NoAnswer(now time.Time) (*Call, Change, error) {
	if err := c.need("end unanswered", Dialing); err != nil {
		return nil, Change{}, err
	}
	return c.end(NoAnswer, now)
}

// DialTimedOut is the runner finding that a DIALING call rang out at the
// customer: it ends with NO_ANSWER. It refuses before the Deadline.
func (c *Call) DialTimedOut(now time.Time) (*Call, Change, error) {
	if err := c.need("time out", Dialing); err != nil {
		return nil, Change{}, err
	}
	if !c.Expired(now) {
		return nil, Change{}, refuse("time out", c.State, "it rings until %s", c.Deadline.UTC().Format(time.RFC3339Nano))
	}
	return c.end(NoAnswer, now)
}

// Hold puts the customer of a CONNECTED call on hold; a call already on
// hold is refused.
func (c *Call) Hold(now time.Time) (*Call, Change, error) {
	if err := c.need("hold", Connected); err != nil {
		return nil, Change{}, err
	}
	if c.OnHold {
		return nil, Change{}, refuse("hold", c.State, "the customer is already on hold")
	}
	n := c.next(now)
	n.OnHold = true
	return n, Change{From: c.State, To: n.State}, nil
}

// Unhold takes the customer of a CONNECTED call off hold; a call not on
// hold is refused.
func (c *Call) Unhold(now time.Time) (*Call, Change, error) {
	if err := c.need("unhold", Connected); err != nil {
		return nil, Change{}, err
	}
	if !c.OnHold {
		return nil, Change{}, refuse("unhold", c.State, "the customer is not on hold")
	}
	n := c.next(now)
	n.OnHold = false
	return n, Change{From: c.State, To: n.State}, nil
}

// HangUp is one side putting the phone down. What it means depends on the
// state:
//
//	CONNECTED        either side: ENDED, CUSTOMER_HANGUP or AGENT_HANGUP
//	DIALING          the agent gives up: AGENT_HANGUP; the customer declines: NO_ANSWER
//	QUEUED, RINGING  the customer: ABANDONED (as Abandon); the agent: refused,
//	                 since an agent is not on a call it has not accepted (it rejects)
//	ENDED            refused
func (c *Call) HangUp(side Side, now time.Time) (*Call, Change, error) {
	if !side.Valid() {
		return nil, Change{}, fault.Invalid("side", "unknown value %q", side)
	}
	if err := c.need("hang up", Queued, Ringing, Dialing, Connected); err != nil {
		return nil, Change{}, err
	}
	switch c.State {
	case Connected:
		if side == Customer {
			return c.end(CustomerHangUp, now)
		}
		return c.end(AgentHangUp, now)
	case Dialing:
		if side == Customer {
			return c.end(NoAnswer, now)
		}
		return c.end(AgentHangUp, now)
	}
	if side == Agent {
		return nil, Change{}, refuse("hang up", c.State, "no agent is on it yet; a ringing call is rejected")
	}
	return c.end(Abandoned, now)
}

// Abandon is the customer hanging up before any agent answered: a QUEUED
// or RINGING call ends with ABANDONED.
func (c *Call) Abandon(now time.Time) (*Call, Change, error) {
	if err := c.need("abandon", Queued, Ringing); err != nil {
		return nil, Change{}, err
	}
	return c.end(Abandoned, now)
}

// Fail is the media layer losing the call, in any state but ENDED: it ends
// with FAILED.
func (c *Call) Fail(now time.Time) (*Call, Change, error) {
	if err := c.need("fail", Queued, Ringing, Dialing, Connected); err != nil {
		return nil, Change{}, err
	}
	return c.end(Failed, now)
}

// end moves the call to ENDED for reason. The agent it occupied is
// released; if it was connected, that agent's wrap-up starts. The call
// keeps the agent that talked on it or placed it, for reporting; one that
// ended ringing keeps none.
func (c *Call) end(reason EndReason, now time.Time) (*Call, Change, error) {
	n := c.next(now)
	n.State = Ended
	n.EndReason = reason
	n.EndedAt = now
	n.OnHold = false
	n.OfferedAt, n.Deadline = time.Time{}, time.Time{}
	if c.State == Ringing {
		// The agent it rang at never took it.
		n.AgentID = ""
	}
	ch := Change{From: c.State, To: n.State, Released: c.AgentID}
	if c.Transfer != nil {
		// The call ends under a transfer in progress: it is given up.
		ch.Transfer, ch.Withdrawn = c.Transfer.clone(), c.Transfer.AgentID
		n.Transfer = nil
	}
	if c.State == Connected {
		ch.WrapUp = c.AgentID
	}
	return n, ch, nil
}

// MoveToQueue puts a QUEUED or RINGING inbound call in queue queueID (an
// overflow after the queue's maximum wait, or a transfer): a ringing offer
// is withdrawn, which is no refusal, and the call starts a new round there
// with no refusals. Moving a QUEUED call to the queue it already waits in
// is refused.
func (c *Call) MoveToQueue(queueID string, now time.Time) (*Call, Change, error) {
	if err := fault.Identifier("queueId", queueID, MaxIDLen); err != nil {
		return nil, Change{}, err
	}
	if err := c.need("move", Queued, Ringing); err != nil {
		return nil, Change{}, err
	}
	if c.State == Queued && c.QueueID == queueID {
		return nil, Change{}, refuse("move", c.State, "it already waits in queue %q", queueID)
	}
	n := c.next(now)
	n.State = Queued
	n.QueueID = queueID
	n.AgentID = ""
	n.OfferedAt, n.Deadline = time.Time{}, time.Time{}
	n.Refused = nil
	return n, Change{From: c.State, To: n.State, Released: c.AgentID}, nil
}
