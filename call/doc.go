// Package call holds voice and video calls and their rules: the Call type
// and its validation, the state machine, offers to agents one at a time,
// ring timeouts, and wrap-up after a call. Media stays the host's: the
// host reports what its media layer sees (a customer calling, an agent
// answering, someone hanging up) and parley keeps the call's state.
//
// The package is pure: no I/O, and every rule that depends on time takes
// the time as an argument. Each transition returns a new Call (the old one
// is left as it was) and a Change saying what the rest of the system must
// do: whom the next offer skips, whom the conversation is assigned to,
// whose voice capacity is free again, whose wrap-up starts.
//
// # States
//
// A call belongs to a conversation whose channel is VOICE or VIDEO. Infobip
// names no call states in its API, so these are parley's:
//
//	QUEUED     inbound: waiting in its queue for an agent
//	RINGING    inbound: offered to one agent, ringing until the offer expires
//	DIALING    outbound: ringing at the customer until the outbound timeout
//	CONNECTED  agent and customer talk; the customer may be on hold
//	ENDED      over, with an end reason; final
//
// # Transitions
//
//	from        transition              to          notes
//	(new)       NewInbound              QUEUED      in the queue routing chose, or in none
//	(new)       NewOutbound             DIALING     from the agent; rings for the outbound timeout
//	QUEUED      Offer, OfferNext        RINGING     to one agent not in Refused; rings for the inbound timeout
//	QUEUED      NewRound                QUEUED      Refused keeps only its latest agent
//	RINGING     Accept                  CONNECTED   only by the ringing agent, before the offer expires;
//	                                                the conversation is assigned to it
//	RINGING     Reject                  QUEUED      only by the ringing agent; it joins Refused
//	RINGING     OfferTimedOut           QUEUED      only at or after the offer's expiry; the agent joins Refused
//	QUEUED      MoveToQueue             QUEUED      into another queue; Refused is emptied
//	RINGING     MoveToQueue             QUEUED      the offer is withdrawn (no refusal); Refused is emptied
//	DIALING     Answer                  CONNECTED   before the outbound timeout
//	DIALING     NoAnswer                ENDED       NO_ANSWER: the host says the customer declined or was unreachable
//	DIALING     DialTimedOut            ENDED       NO_ANSWER; only at or after the deadline
//	DIALING     HangUp(AGENT)           ENDED       AGENT_HANGUP: the agent gave up
//	DIALING     HangUp(CUSTOMER)        ENDED       NO_ANSWER: the customer declined
//	CONNECTED   Hold                    CONNECTED   onHold; refused when already on hold
//	CONNECTED   Unhold                  CONNECTED   refused when not on hold
//	CONNECTED   HangUp(CUSTOMER)        ENDED       CUSTOMER_HANGUP
//	CONNECTED   HangUp(AGENT)           ENDED       AGENT_HANGUP
//	QUEUED      Abandon, HangUp(CUST.)  ENDED       ABANDONED
//	RINGING     Abandon, HangUp(CUST.)  ENDED       ABANDONED
//	any but ENDED  Fail                 ENDED       FAILED
//	QUEUED      Leave                   ENDED       MAXIMUM_WAIT_TIME, CALLBACK_REQUESTED or RETURNED_TO_IVR,
//	RINGING                                         as the waiting strategy decides
//
// Every other pair is refused with a *StateError (errors.Is ErrState and
// fault.ErrConflict) and changes nothing: an agent hanging up a call it
// never accepted (it rejects instead), hold or unhold outside CONNECTED,
// an answer after the deadline, anything on an ENDED call. Accepting or
// rejecting as an agent the call does not ring at is fault.ErrForbidden.
// Each transition bumps Version and sets UpdatedAt.
//
// Invariants (Validate): QUEUED has no agent; RINGING, DIALING and
// CONNECTED have exactly one (the AgentID); ENDED keeps the agent that
// talked on the call or placed it, for reporting, and a call that ended
// before any agent took it has none; only RINGING and DIALING have
// a Deadline; OnHold only while CONNECTED; ENDED, and only ENDED, has an
// EndReason and an EndedAt; an inbound call never dials and an outbound one
// never queues or rings.
//
// End reasons: CUSTOMER_HANGUP and AGENT_HANGUP end a connected call (and
// AGENT_HANGUP an agent giving up dialing); ABANDONED is a customer hanging
// up before any agent answered; NO_ANSWER an outbound call the customer did
// not take; FAILED the media layer losing the call in any state.
// TRANSFERRED is an external number taking a transferred call;
// MAXIMUM_WAIT_TIME, CALLBACK_REQUESTED and RETURNED_TO_IVR end a waiting
// call as its waiting strategy decides (package waiting).
//
// # Offers
//
// An inbound call is offered to one agent at a time. CheckOffer says who
// may get it: enabled, ACTIVE, heartbeat fresh, no call of its own, not in
// wrap-up (all from routing.AvailabilityOf, the one availability rule), a
// member of the call's queue, and not in the call's Refused. Next picks the
// first such agent in the order the caller gives (the queue's strategy).
//
// An agent that rejects the call or lets the offer ring out joins Refused,
// and the call goes to the next agent, not straight back. When every agent
// that could take the call has refused it, a new round starts: Refused
// keeps only the latest refuser, and the call goes round again starting
// with someone else. If the latest refuser is the only agent left, the
// call waits: for another agent to become eligible, for the customer to
// hang up, or for the queue's maximum wait to move it on (MoveToQueue,
// which empties Refused, as does any move to a new queue).
//
// An agent has at most one call: CheckOffer refuses an agent with a call
// ringing, dialing or connected, and CheckOutbound refuses to let such an
// agent dial. Voice capacity is that one call; it is apart from the
// messaging capacity, which does not limit calls.
//
// # Timeouts
//
// Timeouts follows Infobip's call-timeouts: inbound (an offer ringing at
// an agent) and outbound (a call ringing at the customer), each 3..60
// seconds, defaults 30 and 45; 0 stands for the default, as null does on
// the wire. An answer at the deadline or later is refused: the call has
// rung out, and the runner's timeout transition (OfferTimedOut,
// DialTimedOut) is refused before it, so a runner whose clock runs ahead
// cannot cut a call short.
//
// # Wrap-up
//
// WrapUpConfig follows Infobip's account-wrap-up-config: wrapUpSeconds
// (default 30), canExtendWrapUp, enabled. Infobip documents no maximum;
// parley allows 0..86400 seconds, the limit of the agent's own wrap-up. An agent
// may have its own length (nil defers to the account; Infobip's agent
// wrap-up config); with the account's wrap-up disabled no agent wraps up.
// Wrap-up starts when a call that had connected ends (Change.WrapUp), or
// when its agent hands it over by a transfer that is answered: a call
// never answered leaves nothing to wrap up. A running wrap-up that
// ends later is kept. Extend adds 1..86400 seconds to a running wrap-up
// when the account allows it; Clear ends it now, and clearing when there is
// none is no error. An agent has one wrap-up, whether it follows a call or
// a closed conversation: routing.Agent.WrapUpUntil holds its end.
//
// # Transfers
//
// A CONNECTED call may be transferred (Infobip's /ccaas/voice/2
// conversation/{id}/transfer routes) to an agent, to a queue or to an
// external number. Anything but a connected call is ErrNoLiveCall
// (fault.ErrPrecondition, Infobip's 412); a destination that does not
// exist is fault.ErrNotFound (404); one that cannot take the call now is
// ErrNotAvailable (fault.ErrConflict, Infobip's 409 NOT AVAILABLE). A
// refused transfer returns no call: nothing is to be written.
//
//	to an agent      the target must be available for a call (routing.AvailabilityOf);
//	                 it rings for the inbound timeout; queue membership does not matter
//	to a queue       the queue must be inside its working hours with auto-assignment on
//	                 (schedule.TakesTransfers); its available members are offered the
//	                 call one at a time (NextTransferAgent, OfferTransfer), each once
//	to a number      E.164 (ValidatePhoneNumber); any number, or only the allowed ones,
//	                 per ExternalTransferConfig; it rings for the outbound timeout
//
// While a transfer is in progress (Call.Transfer) the agent who made it
// stays connected and the customer hears the transfer music; the agent a
// transfer rings at is taken up by it (Occupies). An agent accepting it
// before its deadline gets the call and the conversation (Change.Assignee);
// the transferring agent is released and starts its wrap-up. An external
// number answering ends the call for parley with TRANSFERRED. A transfer
// nobody answers (an agent rejects it or lets it ring out, no member of
// the queue is left, the number rings out) gives the call back to the
// agent who transferred it, still connected (Change.Returned); that agent
// may also take it back itself (ReturnTransfer). The call ending under a
// transfer gives the transfer up (Change.Withdrawn). One transfer at a
// time, and at most MaxTransfers (10) per call, answered or not.
//
// # Hold
//
// Hold and Unhold put the customer of a connected call on hold and take
// it off (Infobip's {conversationId}/hold and /unhold). What the customer
// hears meanwhile is the HoldConfig of the call's queue, or the default
// one (HoldConfigFor): music, and an announcement repeated every
// repeatInterval from the moment the hold began.
package call
