package call

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/schedule"
)

// MaxTransfers is how many transfers one call may start, answered or not:
// enough for any honest chain of hand-overs, and a stop to a call bounced
// between agents for ever. Infobip documents no limit.
const MaxTransfers = 10

// ErrNotAvailable is a transfer to a destination that cannot take the
// call now: an agent that is not available, a queue outside its working
// hours or without auto-assignment, an external number the account does
// not allow (Infobip's 409 NOT AVAILABLE). It matches fault.ErrConflict.
var ErrNotAvailable = &notAvailable{}

type notAvailable struct{}

func (*notAvailable) Error() string { return "destination for transfer is currently not available" }

// Is makes errors.Is hold for fault.ErrConflict too.
func (*notAvailable) Is(target error) bool { return target == fault.ErrConflict }

// ErrNoLiveCall is a transfer asked of a conversation with no connected
// call (Infobip's 412 PRECONDITION FAILED, "Conference is missing"). It
// matches fault.ErrPrecondition.
var ErrNoLiveCall = fmt.Errorf("%w: the conversation has no connected call", fault.ErrPrecondition)

// TransferKind is where a transfer takes the call.
type TransferKind string

// The kinds of transfer, after Infobip's three transfer routes.
const (
	ToAgent          TransferKind = "AGENT"
	ToQueue          TransferKind = "QUEUE"
	ToExternalNumber TransferKind = "EXTERNAL_NUMBER"
)

// Transfer is a transfer in progress on a CONNECTED call. The agent who
// transferred it (From) stays on the call, the customer hearing the
// transfer music, until the destination answers; a transfer nobody answers
// gives the call back to From.
type Transfer struct {
	Kind      TransferKind
	From      string // the agent who transferred the call
	FromQueue string // the call's queue when it was transferred; "" for none
	// AgentID is the agent the transfer rings at: the target of an AGENT
	// transfer, or the agent a QUEUE transfer is offered to now ("" between
	// offers).
	AgentID        string
	QueueID        string // a QUEUE transfer's queue
	ExternalNumber string // an EXTERNAL_NUMBER transfer's number, E.164
	Caller         string // the caller id shown to the external number, E.164
	// Refused lists the agents of the queue that declined a QUEUE
	// transfer or let it ring out: it is offered to each agent once.
	Refused   []string
	StartedAt time.Time
	// Deadline is when the current ringing ends unanswered: at the agent
	// (the inbound timeout) or at the external number (the outbound
	// timeout). Zero while a QUEUE transfer waits between offers.
	Deadline time.Time
}

func (t *Transfer) clone() *Transfer {
	if t == nil {
		return nil
	}
	cp := *t
	cp.Refused = slices.Clone(t.Refused)
	return &cp
}

// Occupies reports whether the call takes up agentID's one call: it rings
// for it, dials from it or is connected to it, or a transfer of it rings
// at it. The availability of an agent counts such a call as OnCall.
func (c *Call) Occupies(agentID string) bool {
	if agentID == "" {
		return false
	}
	if c.State.Live() && c.AgentID == agentID {
		return true
	}
	return c.Transfer != nil && c.Transfer.AgentID == agentID
}

func (c *Call) validateTransfer() error {
	if c.Transfers < 0 || c.Transfers > MaxTransfers {
		return fault.Invalid("transfers", "must be 0..%d", MaxTransfers)
	}
	t := c.Transfer
	if t == nil {
		return nil
	}
	switch {
	case c.State != Connected:
		return fault.Invalid("transfer", "only a CONNECTED call is transferred")
	case c.Transfers == 0:
		return fault.Invalid("transfers", "counts the transfer in progress")
	case t.From != c.AgentID:
		return fault.Invalid("transfer.from", "must be the call's agent")
	case t.StartedAt.IsZero():
		return fault.Invalid("transfer.startedAt", "is required")
	case t.Kind != ToQueue && len(t.Refused) > 0:
		return fault.Invalid("transfer.refused", "only a QUEUE transfer has refusals")
	case t.AgentID != "" && t.AgentID == t.From:
		return fault.Invalid("transfer.agentId", "a transfer never rings at the agent who made it")
	case t.AgentID != "" && t.Deadline.IsZero():
		return fault.Invalid("transfer.deadline", "a transfer ringing at an agent has one")
	}
	if err := optionalID("transfer.fromQueue", t.FromQueue); err != nil {
		return err
	}
	switch t.Kind {
	case ToAgent:
		if err := fault.Identifier("transfer.agentId", t.AgentID, MaxIDLen); err != nil {
			return err
		}
	case ToQueue:
		if err := fault.Identifier("transfer.queueId", t.QueueID, MaxIDLen); err != nil {
			return err
		}
		if err := optionalID("transfer.agentId", t.AgentID); err != nil {
			return err
		}
		if t.AgentID == "" && !t.Deadline.IsZero() {
			return fault.Invalid("transfer.deadline", "only while the transfer rings at an agent")
		}
	case ToExternalNumber:
		if err := ValidatePhoneNumber("transfer.externalNumber", t.ExternalNumber); err != nil {
			return err
		}
		if err := ValidatePhoneNumber("transfer.caller", t.Caller); err != nil {
			return err
		}
		if t.AgentID != "" {
			return fault.Invalid("transfer.agentId", "an EXTERNAL_NUMBER transfer rings at no agent")
		}
		if t.Deadline.IsZero() {
			return fault.Invalid("transfer.deadline", "an EXTERNAL_NUMBER transfer rings until one")
		}
	default:
		return fault.Invalid("transfer.kind", "unknown value %q", t.Kind)
	}
	return nil
}

var e164 = regexp.MustCompile(`^\+?[1-9][0-9]{1,14}$`)

// ValidatePhoneNumber checks an E.164 number: up to 15 digits, the first
// not 0, with or without a leading "+" (Infobip's examples have none). The
// error names field.
func ValidatePhoneNumber(field, s string) error {
	if s == "" {
		return fault.Invalid(field, "is required")
	}
	if !e164.MatchString(s) {
		return fault.Invalid(field, "must be a phone number in the E.164 format")
	}
	return nil
}

// ExternalTransferConfig is Infobip's transfer-configs/external-number:
// whether agents may transfer calls to any valid number, or only to the
// allowed ones (in Infobip, the People contacts tagged external_number;
// in parley, the list the host keeps). Infobip's default is any number.
type ExternalTransferConfig struct {
	TransferToAnyNumberEnabled bool
	CreatedAt                  time.Time
	UpdatedAt                  time.Time
}

// DefaultExternalTransferConfig is the configuration before any is saved.
func DefaultExternalTransferConfig() ExternalTransferConfig {
	return ExternalTransferConfig{TransferToAnyNumberEnabled: true}
}

// Allows reports whether a call may be transferred to number: any valid
// number when TransferToAnyNumberEnabled, otherwise only one of allowed.
// Numbers compare without a leading "+".
func (x ExternalTransferConfig) Allows(number string, allowed []string) bool {
	if x.TransferToAnyNumberEnabled {
		return true
	}
	n := trimPlus(number)
	return slices.ContainsFunc(allowed, func(a string) bool { return trimPlus(a) == n })
}

func trimPlus(s string) string {
	if len(s) > 0 && s[0] == '+' {
		return s[1:]
	}
	return s
}

// startTransfer checks what every transfer needs of the call: connected
// (else ErrNoLiveCall), no transfer in progress and the limit not reached
// (else a *StateError).
func (c *Call) startTransfer() error {
	if c == nil || c.State != Connected {
		return ErrNoLiveCall
	}
	if c.Transfer != nil {
		return refuse("transfer", c.State, "a transfer to %s is already in progress", c.Transfer.Kind)
	}
	if c.Transfers >= MaxTransfers {
		return refuse("transfer", c.State, "it was transferred %d times, the most a call may be", MaxTransfers)
	}
	return nil
}

func (c *Call) transferring(t Transfer, now time.Time) (*Call, Change) {
	n := c.next(now)
	t.From, t.FromQueue, t.StartedAt = c.AgentID, c.QueueID, now
	n.Transfer = &t
	n.Transfers++
	ch := Change{From: c.State, To: n.State, Transfer: t.clone()}
	if t.AgentID != "" {
		ch.Offer = &Offer{CallID: c.ID, AgentID: t.AgentID, OfferedAt: now, ExpiresAt: t.Deadline}
	}
	return n, ch
}

// TransferToAgent starts transferring the CONNECTED call to the agent of
// presence target, which rings for the inbound timeout of t; the
// conversation is the target's when it accepts (AcceptTransfer). The
// target must exist (fault.ErrNotFound) and be available for a call now
// (routing.AvailabilityOf: else ErrNotAvailable); queue membership does
// not matter. A call not connected is ErrNoLiveCall.
func (c *Call) TransferToAgent(target routing.Presence, hb routing.HeartbeatPolicy, now time.Time, t Timeouts) (*Call, Change, error) {
	if err := t.Validate(); err != nil {
		return nil, Change{}, err
	}
	if err := c.startTransfer(); err != nil {
		return nil, Change{}, err
	}
	if target.Agent == nil {
		return nil, Change{}, fmt.Errorf("agentId: destination for transfer %w", fault.ErrNotFound)
	}
	if target.Agent.ID == c.AgentID {
		return nil, Change{}, fault.Invalid("agentId", "the call is already connected to agent %q", c.AgentID)
	}
	if why := routing.AvailabilityOf(target, hb, now).Calls; why != "" {
		return nil, Change{}, fmt.Errorf("%w: agent %q is %s", ErrNotAvailable, target.Agent.ID, why)
	}
	n, ch := c.transferring(Transfer{Kind: ToAgent, AgentID: target.Agent.ID, Deadline: now.Add(t.InboundTimeout())}, now)
	return n, ch, nil
}

// TransferToQueue starts transferring the CONNECTED call to queue q. The
// queue must exist (fault.ErrNotFound) and take transfers now: inside its
// working hours (status) with auto-assignment on (else ErrNotAvailable).
// Its agents are then offered the call one at a time (NextTransferAgent,
// OfferTransfer), each once; whoever accepts gets the conversation.
func (c *Call) TransferToQueue(q *routing.Queue, status schedule.Status, now time.Time) (*Call, Change, error) {
	if err := c.startTransfer(); err != nil {
		return nil, Change{}, err
	}
	if q == nil {
		return nil, Change{}, fmt.Errorf("queueId: destination for transfer %w", fault.ErrNotFound)
	}
	if !schedule.TakesTransfers(q.AutoAssignment, status) {
		return nil, Change{}, fmt.Errorf("%w: queue %q is outside its working hours or does not assign automatically", ErrNotAvailable, q.ID)
	}
	n, ch := c.transferring(Transfer{Kind: ToQueue, QueueID: q.ID}, now)
	return n, ch, nil
}

// TransferToExternalNumber starts transferring the CONNECTED call to
// number, shown caller as the caller id (both E.164), which rings for the
// outbound timeout of t. The number must be allowed by cfg (any number,
// or one of allowed; else ErrNotAvailable).
func (c *Call) TransferToExternalNumber(number, caller string, cfg ExternalTransferConfig, allowed []string, now time.Time, t Timeouts) (*Call, Change, error) {
	if err := ValidatePhoneNumber("externalNumber", number); err != nil {
		return nil, Change{}, err
	}
	if err := ValidatePhoneNumber("from", caller); err != nil {
		return nil, Change{}, err
	}
	if err := t.Validate(); err != nil {
		return nil, Change{}, err
	}
	if err := c.startTransfer(); err != nil {
		return nil, Change{}, err
	}
	if !cfg.Allows(number, allowed) {
		return nil, Change{}, fmt.Errorf("%w: number %s is not one the account allows", ErrNotAvailable, number)
	}
	n, ch := c.transferring(Transfer{Kind: ToExternalNumber, ExternalNumber: number, Caller: caller,
		Deadline: now.Add(t.OutboundTimeout())}, now)
	return n, ch, nil
}

// NextTransferAgent picks the agent a QUEUE transfer waiting between
// offers goes to next: the first of candidates (in the queue's strategy
// order) that may take a call now, is a member of the transfer's queue,
// has not refused this transfer and is not the agent who made it. ""
// means nobody is left: the runner gives the call back (ReturnTransfer).
func NextTransferAgent(c *Call, q *routing.Queue, candidates []routing.Presence, hb routing.HeartbeatPolicy, now time.Time) string {
	if c == nil || c.Transfer == nil || c.Transfer.Kind != ToQueue || c.Transfer.AgentID != "" ||
		q == nil || q.ID != c.Transfer.QueueID {
		return ""
	}
	for _, p := range candidates {
		if routing.AvailabilityOf(p, hb, now).Calls != "" || !p.Agent.MemberOf(q) ||
			p.Agent.ID == c.Transfer.From || slices.Contains(c.Transfer.Refused, p.Agent.ID) {
			continue
		}
		return p.Agent.ID
	}
	return ""
}

// needTransfer refuses op unless the call has a transfer in progress of
// one of kinds.
func (c *Call) needTransfer(op string, kinds ...TransferKind) error {
	if c.State != Connected || c.Transfer == nil {
		return ErrNoTransfer
	}
	if !slices.Contains(kinds, c.Transfer.Kind) {
		return refuse(op, c.State, "the transfer in progress is to %s", c.Transfer.Kind)
	}
	return nil
}

// ErrNoTransfer is an answer, refusal or timeout of a transfer on a call
// with none in progress. It matches ErrState and fault.ErrConflict.
var ErrNoTransfer error = &StateError{Op: "act on the transfer of", Reason: "no transfer is in progress"}

// OfferTransfer rings a QUEUE transfer waiting between offers at agentID,
// for the inbound timeout of t. Whether the agent may take it is
// NextTransferAgent's question, asked before.
func (c *Call) OfferTransfer(agentID string, now time.Time, t Timeouts) (*Call, Change, error) {
	if err := fault.Identifier("agentId", agentID, MaxIDLen); err != nil {
		return nil, Change{}, err
	}
	if err := t.Validate(); err != nil {
		return nil, Change{}, err
	}
	if err := c.needTransfer("offer the transfer of", ToQueue); err != nil {
		return nil, Change{}, err
	}
	tr := c.Transfer
	switch {
	case tr.AgentID != "":
		return nil, Change{}, refuse("offer the transfer of", c.State, "it rings at agent %q", tr.AgentID)
	case agentID == tr.From || slices.Contains(tr.Refused, agentID):
		return nil, Change{}, refuse("offer the transfer of", c.State, "agent %q made or refused it", agentID)
	}
	n := c.next(now)
	n.Transfer.AgentID = agentID
	n.Transfer.Deadline = now.Add(t.InboundTimeout())
	o := Offer{CallID: c.ID, AgentID: agentID, OfferedAt: now, ExpiresAt: n.Transfer.Deadline}
	return n, Change{From: c.State, To: n.State, Offer: &o}, nil
}

// AcceptTransfer is the agent a transfer rings at answering it before its
// deadline: the call is connected to that agent, whose conversation it
// now is (Change.Assignee), and the agent who transferred it is released
// and starts its wrap-up. A QUEUE transfer moves an inbound call into the
// queue. Another agent is fault.ErrForbidden.
func (c *Call) AcceptTransfer(agentID string, now time.Time) (*Call, Change, error) {
	if err := c.needTransfer("accept the transfer of", ToAgent, ToQueue); err != nil {
		return nil, Change{}, err
	}
	tr := c.Transfer
	if tr.AgentID == "" || agentID != tr.AgentID {
		return nil, Change{}, fmt.Errorf("%w: cannot accept the transfer: it is not ringing at agent %q", fault.ErrForbidden, agentID)
	}
	if !now.Before(tr.Deadline) {
		return nil, Change{}, refuse("accept the transfer of", c.State, "it rang out at %s", tr.Deadline.UTC().Format(time.RFC3339Nano))
	}
	n := c.next(now)
	n.AgentID = agentID
	n.Transfer = nil
	if tr.Kind == ToQueue && c.Direction == Inbound {
		n.QueueID = tr.QueueID
	}
	return n, Change{From: c.State, To: n.State, Transfer: tr.clone(), Assignee: agentID, Released: tr.From, WrapUp: tr.From}, nil
}

// AnswerTransfer is the external number of an EXTERNAL_NUMBER transfer
// answering before its deadline: the call leaves the contact centre and
// ends for parley with TRANSFERRED; the agent who transferred it is
// released and starts its wrap-up.
func (c *Call) AnswerTransfer(now time.Time) (*Call, Change, error) {
	if err := c.needTransfer("answer the transfer of", ToExternalNumber); err != nil {
		return nil, Change{}, err
	}
	if !now.Before(c.Transfer.Deadline) {
		return nil, Change{}, refuse("answer the transfer of", c.State, "it rang out")
	}
	return c.end(Transferred, now)
}

// RejectTransfer is the agent a transfer rings at declining it. An AGENT
// transfer is over: the call goes back to the agent who transferred it
// (Change.Returned). A QUEUE transfer notes the refusal and waits for the
// next offer (NextTransferAgent). Another agent is fault.ErrForbidden.
func (c *Call) RejectTransfer(agentID string, now time.Time) (*Call, Change, error) {
	if err := c.needTransfer("reject the transfer of", ToAgent, ToQueue); err != nil {
		return nil, Change{}, err
	}
	if c.Transfer.AgentID == "" || agentID != c.Transfer.AgentID {
		return nil, Change{}, fmt.Errorf("%w: cannot reject the transfer: it is not ringing at agent %q", fault.ErrForbidden, agentID)
	}
	return c.transferRefused(now)
}

// TransferTimedOut is the runner finding that a transfer rang out at its
// deadline: as RejectTransfer for an agent, and for an external number
// the call goes back to the agent who transferred it. It refuses before
// the deadline and while a QUEUE transfer rings at nobody.
func (c *Call) TransferTimedOut(now time.Time) (*Call, Change, error) {
	if err := c.needTransfer("time out the transfer of", ToAgent, ToQueue, ToExternalNumber); err != nil {
		return nil, Change{}, err
	}
	if c.Transfer.Deadline.IsZero() || now.Before(c.Transfer.Deadline) {
		return nil, Change{}, refuse("time out the transfer of", c.State, "it is not ringing out")
	}
	if c.Transfer.Kind == ToExternalNumber {
		return c.ReturnTransfer(now)
	}
	return c.transferRefused(now)
}

func (c *Call) transferRefused(now time.Time) (*Call, Change, error) {
	agent := c.Transfer.AgentID
	if c.Transfer.Kind == ToAgent {
		n, ch, err := c.ReturnTransfer(now)
		ch.Refused = agent
		return n, ch, err
	}
	n := c.next(now)
	n.Transfer.Refused = append(n.Transfer.Refused, agent)
	n.Transfer.AgentID = ""
	n.Transfer.Deadline = time.Time{}
	return n, Change{From: c.State, To: n.State, Refused: agent, Withdrawn: agent}, nil
}

// ReturnTransfer ends the transfer in progress unanswered and gives the
// call back to the agent who transferred it, still connected: the runner
// calls it when a QUEUE transfer has nobody left to ring, and the agent
// may call it to cancel its own transfer. An agent the transfer rang at
// is withdrawn. The transfer still counts towards MaxTransfers.
func (c *Call) ReturnTransfer(now time.Time) (*Call, Change, error) {
	if err := c.needTransfer("return the transfer of", ToAgent, ToQueue, ToExternalNumber); err != nil {
		return nil, Change{}, err
	}
	tr := c.Transfer
	n := c.next(now)
	n.Transfer = nil
	return n, Change{From: c.State, To: n.State, Transfer: tr.clone(), Withdrawn: tr.AgentID, Returned: true}, nil
}
