package call

import (
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
)

// Validation limits, counted in runes.
const (
	MaxIDLen      = conversation.MaxIDLen // one id rule for every entity
	MaxAddressLen = 255                   // from and to: a phone number, a WebRTC identity, a chat user
)

// Direction says who placed the call.
type Direction string

// The directions.
const (
	Inbound  Direction = "INBOUND"  // the customer called
	Outbound Direction = "OUTBOUND" // an agent called the customer
)

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool { return d == Inbound || d == Outbound }

// ParseDirection accepts a direction name; anything else is ErrInvalid.
func ParseDirection(s string) (Direction, error) {
	if d := Direction(s); d.Valid() {
		return d, nil
	}
	return "", fault.Invalid("direction", "unknown value %q", s)
}

// ClientType is the kind of client on the customer's side of the call:
// Infobip's VoiceClientType.
type ClientType string

// The client types. PSTN is the default.
const (
	PSTN     ClientType = "PSTN"      // a phone number
	WebRTC   ClientType = "WEBRTC"    // an in-app call
	WhatsApp ClientType = "WHATSAPP"  // a WhatsApp call
	Viber    ClientType = "VIBER"     // a Viber call
	LiveChat ClientType = "LIVE_CHAT" // a call from the live chat widget
)

// ClientTypes lists every client type.
var ClientTypes = []ClientType{PSTN, WebRTC, WhatsApp, Viber, LiveChat}

// Valid reports whether t is a known client type.
func (t ClientType) Valid() bool { return slices.Contains(ClientTypes, t) }

// ParseClientType accepts a client type name; anything else is ErrInvalid
// naming voiceClientType, the field as Infobip names it.
func ParseClientType(s string) (ClientType, error) {
	if t := ClientType(s); t.Valid() {
		return t, nil
	}
	return "", fault.Invalid("voiceClientType", "unknown value %q", s)
}

// State is where a call is in its life; see the package doc for the moves.
type State string

// The states.
const (
	Queued    State = "QUEUED"    // inbound, waiting in its queue for an agent
	Ringing   State = "RINGING"   // inbound, offered to one agent, ringing until the offer expires
	Dialing   State = "DIALING"   // outbound, ringing at the customer until the outbound timeout
	Connected State = "CONNECTED" // agent and customer are talking (or the customer is on hold)
	Ended     State = "ENDED"     // over, with an end reason; final
)

// States lists every state in the order a call usually passes them.
var States = []State{Queued, Ringing, Dialing, Connected, Ended}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return slices.Contains(States, s) }

// ParseState accepts a state name; anything else is ErrInvalid naming
// state.
func ParseState(s string) (State, error) {
	if st := State(s); st.Valid() {
		return st, nil
	}
	return "", fault.Invalid("state", "unknown value %q", s)
}

// Live reports whether a call in state s occupies its agent: ringing for
// it, dialing from it or connected to it. Such a call is the agent's one
// call (routing.Presence.OnCall).
func (s State) Live() bool { return s == Ringing || s == Dialing || s == Connected }

// EndReason says why a call ended.
type EndReason string

// The end reasons.
const (
	CustomerHangUp EndReason = "CUSTOMER_HANGUP" // the customer hung up a connected call
	AgentHangUp    EndReason = "AGENT_HANGUP"    // the agent hung up a connected call, or gave up dialing
	Abandoned      EndReason = "ABANDONED"       // the customer hung up before an agent answered
	NoAnswer       EndReason = "NO_ANSWER"       // the customer did not answer an outbound call in time, or declined it
	Failed         EndReason = "FAILED"          // the media layer lost the call

	Transferred       EndReason = "TRANSFERRED"        // an external number took the call: it left the contact centre
	MaximumWaitTime   EndReason = "MAXIMUM_WAIT_TIME"  // the caller waited the waiting strategy's maximum and no overflow took it
	CallbackRequested EndReason = "CALLBACK_REQUESTED" // the caller asked to be called back instead of waiting
	ReturnedToIVR     EndReason = "RETURNED_TO_IVR"    // the caller chose to go back to the host's IVR
)

// EndReasons lists every end reason.
var EndReasons = []EndReason{CustomerHangUp, AgentHangUp, Abandoned, NoAnswer, Failed,
	Transferred, MaximumWaitTime, CallbackRequested, ReturnedToIVR}

// Valid reports whether r is a known end reason.
func (r EndReason) Valid() bool { return slices.Contains(EndReasons, r) }

// ParseEndReason accepts an end reason name; anything else is ErrInvalid
// naming endReason.
func ParseEndReason(s string) (EndReason, error) {
	if r := EndReason(s); r.Valid() {
		return r, nil
	}
	return "", fault.Invalid("endReason", "unknown value %q", s)
}

// Side is one party of a call, the one that hangs up.
type Side string

// The sides.
const (
	Customer Side = "CUSTOMER"
	Agent    Side = "AGENT"
)

// Valid reports whether s is a known side.
func (s Side) Valid() bool { return s == Customer || s == Agent }

// Call is one voice or video call of a conversation. Change it only through
// the transitions, which return a new Call and leave the old one as it was.
type Call struct {
	ID             string
	ConversationID string
	Channel        conversation.Channel // VOICE (the default) or VIDEO
	Direction      Direction
	From           string // the caller: the customer inbound, the DID number outbound
	To             string // the callee: the number called inbound, the customer outbound
	ClientType     ClientType
	State          State
	QueueID        string // the queue an inbound call waits in; "" when in none
	AgentID        string // the agent it rings for, dials from or is connected to; "" when QUEUED
	OnHold         bool   // the customer is on hold; only while CONNECTED
	EndReason      EndReason

	// Transfer is the transfer in progress on a CONNECTED call, nil when
	// none is (see Transfer); Transfers counts the transfers started
	// on the call, at most MaxTransfers.
	Transfer  *Transfer
	Transfers int

	// Refused lists the agents that rejected the call or let its offer
	// time out in the current round, oldest first: the call is not offered
	// to them again in this round (see Next).
	Refused []string

	CreatedAt   time.Time
	UpdatedAt   time.Time
	OfferedAt   time.Time // when the current offer started ringing; zero unless RINGING
	Deadline    time.Time // when the ringing offer or the dialing ends unanswered; zero otherwise
	ConnectedAt time.Time // zero until connected
	EndedAt     time.Time // zero until ended
	Version     int64     // 1 when created, one more with every transition
}

// Clone returns a deep copy: changing the copy never changes c.
func (c *Call) Clone() *Call {
	if c == nil {
		return nil
	}
	cp := *c
	cp.Refused = slices.Clone(c.Refused)
	cp.Transfer = c.Transfer.clone()
	return &cp
}

// NewInbound builds the call a host reports when a customer calls: QUEUED
// in in.QueueID (which may be "" when routing found no queue), version 1.
// It needs ConversationID, From and To; Channel defaults to VOICE and
// ClientType to PSTN. The input's own ID wins over id when set. Direction,
// agent, state and times in the input are ignored.
func NewInbound(in Call, id string, now time.Time) (*Call, error) {
	c := fresh(in, id, now)
	c.Direction = Inbound
	c.State = Queued
	c.QueueID = in.QueueID
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// NewOutbound builds the call an agent places (Infobip's
// outbound-call-conversation: from, to, agentId, voiceClientType): DIALING
// from in.AgentID, which must be set, until now plus the outbound timeout
// of t. Defaults and ignored fields are NewInbound's; an outbound call
// waits in no queue.
func NewOutbound(in Call, id string, now time.Time, t Timeouts) (*Call, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	c := fresh(in, id, now)
	c.Direction = Outbound
	c.State = Dialing
	c.AgentID = in.AgentID
	c.Deadline = now.Add(t.OutboundTimeout())
	if c.AgentID == "" {
		return nil, fault.Invalid("agentId", "is required")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// fresh copies the caller-settable fields of in and applies the defaults.
func fresh(in Call, id string, now time.Time) *Call {
	c := &Call{
		ID:             in.ID,
		ConversationID: in.ConversationID,
		Channel:        in.Channel,
		From:           in.From,
		To:             in.To,
		ClientType:     in.ClientType,
		CreatedAt:      now,
		UpdatedAt:      now,
		Version:        1,
	}
	if c.ID == "" {
		c.ID = id
	}
	if c.Channel == "" {
		c.Channel = conversation.Voice
	}
	if c.ClientType == "" {
		c.ClientType = PSTN
	}
	return c
}

// Validate checks every field and that the fields agree with the state:
//
//   - QUEUED has no agent; RINGING, DIALING and CONNECTED have one; an
//     ENDED call keeps the agent that talked on it or placed it, and an
//     inbound call that never connected ends with none;
//   - RINGING and DIALING, and only they, have a Deadline, and RINGING,
//     and only it, an OfferedAt;
//   - OnHold only while CONNECTED; ConnectedAt set once connected;
//   - ENDED, and only ENDED, has an EndReason and an EndedAt;
//   - only an inbound call is QUEUED or RINGING, only an outbound one
//     DIALING, and only an inbound call has a queue or refusals;
//   - Refused names each agent once.
func (c *Call) Validate() error {
	if err := fault.Identifier("id", c.ID, MaxIDLen); err != nil {
		return err
	}
	if err := fault.Identifier("conversationId", c.ConversationID, MaxIDLen); err != nil {
		return err
	}
	if c.Channel != conversation.Voice && c.Channel != conversation.Video {
		return fault.Invalid("channel", "must be VOICE or VIDEO, not %q", c.Channel)
	}
	if !c.Direction.Valid() {
		return fault.Invalid("direction", "unknown value %q", c.Direction)
	}
	if err := validateAddress("from", c.From); err != nil {
		return err
	}
	if err := validateAddress("to", c.To); err != nil {
		return err
	}
	if !c.ClientType.Valid() {
		return fault.Invalid("voiceClientType", "unknown value %q", c.ClientType)
	}
	if !c.State.Valid() {
		return fault.Invalid("state", "unknown value %q", c.State)
	}
	if err := optionalID("queueId", c.QueueID); err != nil {
		return err
	}
	if err := optionalID("agentId", c.AgentID); err != nil {
		return err
	}
	for i, a := range c.Refused {
		if err := fault.Identifier("refused", a, MaxIDLen); err != nil {
			return err
		}
		if slices.Contains(c.Refused[:i], a) {
			return fault.Invalid("refused", "names agent %q twice", a)
		}
	}
	if err := c.validateState(); err != nil {
		return err
	}
	return c.validateTransfer()
}

func (c *Call) validateState() error {
	live := c.State.Live()
	switch {
	case c.State == Queued && c.AgentID != "":
		return fault.Invalid("agentId", "a QUEUED call has no agent")
	case live && c.AgentID == "":
		return fault.Invalid("agentId", "a %s call needs an agent", c.State)
	case (c.State == Ringing || c.State == Dialing) && c.Deadline.IsZero():
		return fault.Invalid("deadline", "a %s call needs a deadline", c.State)
	case c.State == Ringing && c.OfferedAt.IsZero():
		return fault.Invalid("offeredAt", "a RINGING call needs the time of its offer")
	case c.OnHold && c.State != Connected:
		return fault.Invalid("onHold", "only a CONNECTED call is on hold")
	case c.State == Connected && c.ConnectedAt.IsZero():
		return fault.Invalid("connectedAt", "a CONNECTED call needs the time it connected")
	case c.State == Ended && !c.EndReason.Valid():
		return fault.Invalid("endReason", "unknown value %q", c.EndReason)
	case c.State != Ended && c.EndReason != "":
		return fault.Invalid("endReason", "only an ENDED call has one")
	case c.State == Ended && c.Direction == Inbound && c.ConnectedAt.IsZero() && c.AgentID != "":
		return fault.Invalid("agentId", "an inbound call that never connected ends with no agent")
	case (c.State == Ended) == c.EndedAt.IsZero():
		return fault.Invalid("endedAt", "set exactly when the call is ENDED")
	case c.Direction == Inbound && c.State == Dialing:
		return fault.Invalid("state", "an INBOUND call never dials")
	case c.Direction == Outbound && (c.State == Queued || c.State == Ringing):
		return fault.Invalid("state", "an OUTBOUND call is never %s", c.State)
	case c.Direction == Outbound && c.QueueID != "":
		return fault.Invalid("queueId", "an OUTBOUND call waits in no queue")
	case c.Direction == Outbound && len(c.Refused) > 0:
		return fault.Invalid("refused", "an OUTBOUND call is never offered")
	case c.State != Ringing && c.State != Dialing && !c.Deadline.IsZero():
		return fault.Invalid("deadline", "only a RINGING or DIALING call has one")
	case c.State != Ringing && !c.OfferedAt.IsZero():
		return fault.Invalid("offeredAt", "only a RINGING call has an offer")
	}
	return nil
}

// validateAddress checks from or to: an id-like value that is not blank,
// as Infobip requires ("must have non blank value").
func validateAddress(field, s string) error {
	if err := fault.Identifier(field, s, MaxAddressLen); err != nil {
		return err
	}
	if strings.TrimSpace(s) == "" {
		return fault.Invalid(field, "must not be blank")
	}
	return nil
}

func optionalID(field, id string) error {
	if id == "" {
		return nil
	}
	return fault.Identifier(field, id, MaxIDLen)
}
