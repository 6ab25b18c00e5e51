package routing

import (
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
)

// Availability is what the system makes of an agent at one instant: the
// value shown as "availability" beside the agent's chosen status, and
// whether the agent may be given each kind of work now. AvailabilityOf is
// the one place it is computed; every eligibility check reads it.
type Availability struct {
	// Status is the derived availability, in the vocabulary of the
	// agent's own status (Infobip's AgentStatusGroup): ACTIVE, BUSY, AWAY
	// or INVISIBLE.
	Status AgentStatus
	// Conversations says why the agent may not get a messaging
	// conversation automatically now; "" means it may.
	Conversations Ineligibility
	// Calls says why the agent may not be offered a call now; "" means it
	// may. Queue membership and a call's own refusals are the call
	// package's to add.
	Calls Ineligibility
}

// Presence is what availability is computed from, beside the agent itself:
// facts the service gathers from the store.
type Presence struct {
	Agent *Agent
	// Load is the agent's messaging load: its conversations in OPEN or
	// WAITING (CountsAsLoad). A call is not load: voice has a capacity of
	// its own, one call, counted by OnCall.
	Load int
	// OnCall reports whether a call is ringing for the agent, dialing from
	// it or connected to it.
	OnCall bool
	// LastHeartbeat is when the agent's client last reported it was alive;
	// zero if it never did.
	LastHeartbeat time.Time
}

// The reasons availability adds to Ineligibility.
const (
	IneligibleOnCall      Ineligibility = "ON_CALL"      // a call is ringing for it, dialing or connected
	IneligibleNoHeartbeat Ineligibility = "NO_HEARTBEAT" // its heartbeat lapsed, or, for a call, it never sent one
)

// AvailabilityOf computes an agent's availability at time now from its
// presence p under heartbeat policy hb.
//
// Status is the first of these that holds:
//
//	disabled (or no agent)                          INVISIBLE
//	on a call, or in wrap-up                        BUSY
//	chosen status BUSY, AWAY or INVISIBLE           that status ("" or unknown is INVISIBLE)
//	a heartbeat was sent and has lapsed             AWAY
//	messaging load at or over capacity              BUSY
//	otherwise                                       ACTIVE
//
// Status is ACTIVE exactly when Conversations is "": the agent is enabled,
// ACTIVE, its heartbeat has not lapsed, it has no call, it is not in
// wrap-up and its load is below its capacity. A call asks for the same
// except load, which counts messaging only, and for a fresh heartbeat: an
// agent that never sent one may get conversations (hosts that do not use
// heartbeats keep working) but no call, because only a live client can
// ring. So a BUSY agent at messaging capacity may still be offered a call.
//
// When several reasons apply, each Ineligibility is the first of: unknown
// agent, disabled, not ACTIVE, no heartbeat, on a call, in wrap-up, at
// capacity.
func AvailabilityOf(p Presence, hb HeartbeatPolicy, now time.Time) Availability {
	a := p.Agent
	if a == nil {
		return Availability{Status: Invisible, Conversations: IneligibleUnknown, Calls: IneligibleUnknown}
	}
	lapsed := hb.Lapsed(p.LastHeartbeat, now)
	wrapUp := a.InWrapUp(now)

	var out Availability
	switch {
	case a.Disabled:
		out.Status = Invisible
	case p.OnCall || wrapUp:
		out.Status = Busy
	case !a.Status.Valid():
		out.Status = Invisible
	case a.Status != Active:
		out.Status = a.Status
	case lapsed && !p.LastHeartbeat.IsZero():
		out.Status = Away
	case p.Load >= a.capacity():
		out.Status = Busy
	default:
		out.Status = Active
	}

	common := func(heartbeatMissing bool) Ineligibility {
		switch {
		case a.Disabled:
			return IneligibleDisabled
		case a.Status != Active:
			return IneligibleNotActive
		case heartbeatMissing:
			return IneligibleNoHeartbeat
		case p.OnCall:
			return IneligibleOnCall
		case wrapUp:
			return IneligibleWrapUp
		}
		return ""
	}
	// A heartbeat never sent is no lapse for messaging: see above.
	out.Conversations = common(lapsed && !p.LastHeartbeat.IsZero())
	if out.Conversations == "" && p.Load >= a.capacity() {
		out.Conversations = IneligibleFull
	}
	out.Calls = common(lapsed)
	return out
}

// Heartbeat limits and the default time-to-live.
const (
	// DefaultHeartbeatTTL is how long a heartbeat keeps an agent present.
	// Infobip documents no figure. Two minutes lets a client that beats
	// every 30 seconds, a common interval, miss three beats in a row (a
	// network blip, a laptop waking up) before its agent is taken out of
	// routing, while a closed browser stops getting calls within two
	// minutes: each ringing call then costs the customer at most one
	// inbound timeout before it moves on.
	DefaultHeartbeatTTL = 2 * time.Minute
	MinHeartbeatTTL     = 10 * time.Second
	MaxHeartbeatTTL     = time.Hour
)

// OnLapse is what happens to an agent's open conversations when its
// heartbeat lapses.
type OnLapse string

// The choices on lapse. KEEP is the default.
const (
	// KeepConversations leaves them assigned: the agent finds them on
	// return. Only new work stops.
	KeepConversations OnLapse = "KEEP"
	// RequeueConversations unassigns each in-progress conversation that
	// has a queue, so that the queue's other agents take it; one without a
	// queue stays with the agent.
	RequeueConversations OnLapse = "REQUEUE"
)

// Valid reports whether o is a known choice.
func (o OnLapse) Valid() bool { return o == KeepConversations || o == RequeueConversations }

// HeartbeatPolicy is the host's heartbeat configuration. The zero value is
// the default: DefaultHeartbeatTTL, keep the conversations.
type HeartbeatPolicy struct {
	TTL     time.Duration // 0 means DefaultHeartbeatTTL
	OnLapse OnLapse       // "" means KEEP
}

// Validate checks the policy: TTL 0 or within MinHeartbeatTTL..MaxHeartbeatTTL,
// OnLapse "" or a known choice.
func (h HeartbeatPolicy) Validate() error {
	if h.TTL != 0 && (h.TTL < MinHeartbeatTTL || h.TTL > MaxHeartbeatTTL) {
		return fault.Invalid("heartbeatTtl", "must be between %s and %s", MinHeartbeatTTL, MaxHeartbeatTTL)
	}
	if h.OnLapse != "" && !h.OnLapse.Valid() {
		return fault.Invalid("onLapse", "unknown value %q", h.OnLapse)
	}
	return nil
}

// TimeToLive is the TTL in force: TTL, or DefaultHeartbeatTTL when it is 0.
func (h HeartbeatPolicy) TimeToLive() time.Duration {
	if h.TTL == 0 {
		return DefaultHeartbeatTTL
	}
	return h.TTL
}

// Action is the OnLapse in force: OnLapse, or KEEP when it is "".
func (h HeartbeatPolicy) Action() OnLapse {
	if h.OnLapse == "" {
		return KeepConversations
	}
	return h.OnLapse
}

// ExpiresAt is when a heartbeat sent at last lapses: last plus the TTL. It
// is the zero time when no heartbeat was ever sent.
func (h HeartbeatPolicy) ExpiresAt(last time.Time) time.Time {
	if last.IsZero() {
		return time.Time{}
	}
	return last.Add(h.TimeToLive())
}

// Lapsed reports whether, at time now, an agent whose last heartbeat was
// at last is no longer present: it never sent one, or now is at or after
// ExpiresAt. A heartbeat is fresh for exactly the TTL.
func (h HeartbeatPolicy) Lapsed(last, now time.Time) bool {
	return last.IsZero() || !now.Before(h.ExpiresAt(last))
}

// LapsedBetween reports whether a heartbeat sent at last lapsed after
// before and at or before now: the lapse a runner that last looked at
// before reports as an event at now. A heartbeat never sent never lapses
// this way.
func (h HeartbeatPolicy) LapsedBetween(last, before, now time.Time) bool {
	if last.IsZero() {
		return false
	}
	return !h.Lapsed(last, before) && h.Lapsed(last, now)
}

// RequeuesOnLapse reports whether conversation c goes back to its queue
// when the heartbeat of its assignee lapses: the policy is REQUEUE and c is
// assigned, in progress (OPEN or WAITING) and in a queue, whose other
// agents may then take it. Unassigning it is an ordinary unassignment, so
// it waits in the queue (Waiting) and is drained as any other.
func (h HeartbeatPolicy) RequeuesOnLapse(c *conversation.Conversation) bool {
	return h.Action() == RequeueConversations && c.Assigned() && c.Status.InProgress() && c.QueueID != ""
}
