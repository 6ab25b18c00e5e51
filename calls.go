package parley

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// InboundCall is what a host reports when a customer calls: the media
// layer saw a call arrive.
type InboundCall struct {
	ID         string               // optional; a new id when empty
	CustomerID string               // required: the caller, as inbound messages name them
	Channel    conversation.Channel // VOICE (the default) or VIDEO
	From       string               // the caller's address, e.g. their number
	To         string               // the number or address called
	ClientType call.ClientType      // PSTN by default
}

// OutboundCall is a call an agent places to a customer (Infobip's
// outbound-call-conversation).
type OutboundCall struct {
	ID         string               // optional; a new id when empty
	CustomerID string               // optional: the customer called, when the host knows them
	Channel    conversation.Channel // VOICE (the default) or VIDEO
	From       string               // the number the call comes from
	To         string               // the customer's address
	AgentID    string               // the agent placing the call
	ClientType call.ClientType      // PSTN by default
}

func callChannel(ch conversation.Channel) (conversation.Channel, error) {
	switch ch {
	case "":
		return conversation.Voice, nil
	case conversation.Voice, conversation.Video:
		return ch, nil
	}
	return "", fault.Invalid("channel", "must be VOICE or VIDEO, not %q", ch)
}

// ReceiveCall takes a call a customer placed. The call joins the
// customer's newest conversation on its channel that is not CLOSED, or a
// new one (threaded as ReceiveInbound threads messages, the customer
// created on first contact), goes to the queue the routing rules choose
// for that conversation, and is offered at once to the first eligible
// member of the queue, if any; otherwise it waits QUEUED for the runner
// (RunDue) or a change that frees an agent. A call in no queue (no rule
// matched and there is no default queue) waits until moved.
//
// The conversation itself is not queued: a call conversation is assigned
// when an agent accepts its call (to that agent, in the call's queue),
// never by messaging assignment.
func (s *Service) ReceiveCall(ctx context.Context, in InboundCall) (*call.Call, error) {
	if err := s.authorize(ctx, "ReceiveCall"); err != nil {
		return nil, err
	}
	if err := conversation.RequireCustomerID("customerId", in.CustomerID); err != nil {
		return nil, err
	}
	channel, err := callChannel(in.Channel)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	// Validate the call's own fields before any write; the id drawn here
	// is the one the call gets.
	id := s.idFor(in.ID)
	probe := call.Call{ID: in.ID, ConversationID: "-", Channel: channel, From: in.From, To: in.To, ClientType: in.ClientType}
	if _, err := call.NewInbound(probe, id, now); err != nil {
		return nil, err
	}
	var out *call.Call
	err = s.run(ctx, "ReceiveCall", func(tx storage.Tx, rec *recorder) error {
		if err := tx.LockKey(ctx, fmt.Sprintf("inbound\x00%s\x00%s", in.CustomerID, channel)); err != nil {
			return err
		}
		c, err := s.openConversationOf(ctx, tx, in.CustomerID, channel)
		if err != nil {
			return err
		}
		if c == nil {
			if err := s.firstContact(ctx, tx, rec, in.CustomerID, channel, in.From); err != nil {
				return err
			}
			start := conversation.Conversation{CustomerID: in.CustomerID, Channel: channel, Source: conversation.SourceOf(channel)}
			if c, err = conversation.New(start, s.newID(), rec.now); err != nil {
				return err
			}
			if err := tx.CreateConversation(ctx, c); err != nil {
				return err
			}
			rec.add(storage.ConversationCreated, c.ID, c.ID, createdChanges(c))
		}
		d, err := s.decide(ctx, tx, c)
		if err != nil {
			return err
		}
		probe.ConversationID, probe.QueueID = c.ID, d.QueueID
		cl, err := call.NewInbound(probe, id, rec.now)
		if err != nil {
			return err
		}
		if err := tx.CreateCall(ctx, cl); err != nil {
			return err
		}
		rec.callCreated(cl)
		if out, err = s.offer(ctx, tx, rec, cl); err != nil {
			return err
		}
		return s.startWait(ctx, tx, rec, out, true)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PlaceCall places an outbound call from an agent: it creates the call's
// conversation, assigned to the agent, and the call, DIALING until the
// outbound timeout (call.Timeouts). The agent must exist (ErrNotFound), be
// enabled (ErrForbidden) and have no other call (call.ErrState); status,
// heartbeat and wrap-up do not matter (call.CheckOutbound).
func (s *Service) PlaceCall(ctx context.Context, in OutboundCall) (*call.Call, error) {
	if err := s.authorize(ctx, "PlaceCall"); err != nil {
		return nil, err
	}
	channel, err := callChannel(in.Channel)
	if err != nil {
		return nil, err
	}
	if err := checkID("agentId", in.AgentID); err != nil {
		return nil, err
	}
	if in.CustomerID != "" {
		if err := conversation.ValidateCustomerID("customerId", in.CustomerID); err != nil {
			return nil, err
		}
	}
	probe := call.Call{ID: in.ID, ConversationID: "-", Channel: channel, From: in.From, To: in.To, ClientType: in.ClientType, AgentID: in.AgentID}
	id := s.idFor(in.ID)
	if _, err := call.NewOutbound(probe, id, s.clock(), call.Timeouts{}); err != nil {
		return nil, err
	}
	var out *call.Call
	err = s.run(ctx, "PlaceCall", func(tx storage.Tx, rec *recorder) error {
		timeouts, err := s.callTimeouts(ctx, tx)
		if err != nil {
			return err
		}
		c, err := conversation.New(conversation.Conversation{
			CustomerID: in.CustomerID, Channel: channel, Source: conversation.SourceAPI, AgentID: in.AgentID,
		}, s.newID(), rec.now)
		if err != nil {
			return err
		}
		if in.CustomerID != "" {
			if err := s.firstContact(ctx, tx, rec, in.CustomerID, channel, in.To); err != nil {
				return err
			}
		}
		a, err := tx.LockAgent(ctx, in.AgentID)
		if err != nil {
			return err
		}
		p, err := s.presence(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		if err := call.CheckOutbound(p); err != nil {
			return err
		}
		if err := tx.CreateConversation(ctx, c); err != nil {
			return err
		}
		rec.add(storage.ConversationCreated, c.ID, c.ID, createdChanges(c))
		if err := s.noteAssignment(ctx, tx, a.ID, rec.now); err != nil {
			return err
		}
		probe.ConversationID = c.ID
		cl, err := call.NewOutbound(probe, id, rec.now, timeouts)
		if err != nil {
			return err
		}
		if err := tx.CreateCall(ctx, cl); err != nil {
			return err
		}
		rec.callCreated(cl)
		out = cl
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetCall returns the call. ErrNotFound when there is none.
func (s *Service) GetCall(ctx context.Context, id string) (*call.Call, error) {
	return read(s, ctx, "GetCall", func() (*call.Call, error) {
		if err := checkID("callId", id); err != nil {
			return nil, err
		}
		return s.store.GetCall(ctx, id)
	})
}

// ListCalls returns a page of the calls q selects, oldest first.
func (s *Service) ListCalls(ctx context.Context, q storage.CallQuery) (storage.Page[*call.Call], error) {
	return read(s, ctx, "ListCalls", func() (storage.Page[*call.Call], error) {
		if err := q.Normalize(); err != nil {
			return storage.Page[*call.Call]{}, err
		}
		return s.store.ListCalls(ctx, q)
	})
}

// AcceptCall is an agent answering the inbound call ringing at it: the
// call connects and its conversation is assigned to the agent, in the
// call's queue (a CLOSED conversation keeps its assignee). Only the agent
// the call rings for may accept (ErrForbidden), and only before the offer
// expires (call.ErrState: the call rang out).
func (s *Service) AcceptCall(ctx context.Context, id, agentID string) (*call.Call, error) {
	return s.callChange(ctx, "AcceptCall", id, true, func() error { return checkID("agentId", agentID) }, func(c *call.Call, now time.Time) (*call.Call, call.Change, error) {
		return c.Accept(agentID, now)
	})
}

// RejectCall is an agent declining the inbound call ringing at it: the
// call goes back to its queue and on to the next eligible agent, not
// straight back to this one (see package call, Offers).
func (s *Service) RejectCall(ctx context.Context, id, agentID string) (*call.Call, error) {
	return s.callChange(ctx, "RejectCall", id, false, func() error { return checkID("agentId", agentID) }, func(c *call.Call, now time.Time) (*call.Call, call.Change, error) {
		return c.Reject(agentID, now)
	})
}

// AnswerCall is the customer answering an outbound call: it connects.
func (s *Service) AnswerCall(ctx context.Context, id string) (*call.Call, error) {
	return s.callChange(ctx, "AnswerCall", id, false, nil, func(c *call.Call, now time.Time) (*call.Call, call.Change, error) {
		return c.Answer(now)
	})
}

// HangUpCall ends the call from one side, with the reason package call
// gives for that side and state (a customer hanging up before anyone
// answered abandons the call). A call that had connected starts its
// agent's wrap-up.
func (s *Service) HangUpCall(ctx context.Context, id string, side call.Side) (*call.Call, error) {
	check := func() error {
		if !side.Valid() {
			return fault.Invalid("side", "unknown value %q", side)
		}
		return nil
	}
	return s.callChange(ctx, "HangUpCall", id, false, check, func(c *call.Call, now time.Time) (*call.Call, call.Change, error) {
		return c.HangUp(side, now)
	})
}

// FailCall ends the call as FAILED: the media layer lost it.
func (s *Service) FailCall(ctx context.Context, id string) (*call.Call, error) {
	return s.callChange(ctx, "FailCall", id, false, nil, func(c *call.Call, now time.Time) (*call.Call, call.Change, error) {
		return c.Fail(now)
	})
}

// HoldCall puts the customer of a connected call on hold.
func (s *Service) HoldCall(ctx context.Context, id string) (*call.Call, error) {
	return s.holdCall(ctx, id) // see holdconfigs.go: the event names the hold configuration
}

// UnholdCall takes the customer of a connected call off hold.
func (s *Service) UnholdCall(ctx context.Context, id string) (*call.Call, error) {
	return s.callChange(ctx, "UnholdCall", id, false, nil, func(c *call.Call, now time.Time) (*call.Call, call.Change, error) {
		return c.Unhold(now)
	})
}

// callChange runs one transition of call id as operation op and applies
// what it asks of the rest of the system (see applyCallChange). With
// lockConversation the call's conversation is locked first, as the lock
// order wants when the transition assigns it.
func (s *Service) callChange(ctx context.Context, op, id string, lockConversation bool, check func() error, step func(*call.Call, time.Time) (*call.Call, call.Change, error)) (*call.Call, error) {
	if err := s.authorize(ctx, op); err != nil {
		return nil, err
	}
	if err := checkID("callId", id); err != nil {
		return nil, err
	}
	if check != nil {
		if err := check(); err != nil {
			return nil, err
		}
	}
	var out *call.Call
	err := s.run(ctx, op, func(tx storage.Tx, rec *recorder) error {
		var conv *conversation.Conversation
		if lockConversation {
			cl, err := tx.GetCall(ctx, id)
			if err != nil {
				return err
			}
			// A call never changes conversation: the one read here is the
			// one locked.
			if conv, err = tx.LockConversation(ctx, cl.ConversationID); err != nil {
				return err
			}
		}
		cl, err := tx.LockCall(ctx, id)
		if err != nil {
			return err
		}
		n, ch, err := step(cl, rec.now)
		if err != nil {
			return err
		}
		out, err = s.applyCallChange(ctx, tx, rec, cl, n, ch, conv)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// applyCallChange writes the transition of before to after and what its
// change asks: the conversation assigned to the agent that accepted, the
// wrap-up of the agent whose call ended, the next offer of a call that went
// back to its queue, and, after the commit, offers to the queues of an
// agent the call released. conv is the call's conversation, locked, when
// the change may assign it.
func (s *Service) applyCallChange(ctx context.Context, tx storage.Tx, rec *recorder, before, after *call.Call, ch call.Change, conv *conversation.Conversation) (*call.Call, error) {
	if err := tx.UpdateCall(ctx, after, before.Version); err != nil {
		return nil, err
	}
	rec.callChanged(before, after, ch)
	if ch.Assignee != "" && conv != nil && conv.CheckMutable() == nil {
		p := conversation.Patch{AgentID: &ch.Assignee}
		if after.QueueID != "" {
			p.QueueID = &after.QueueID
		}
		if err := s.applyPatch(ctx, tx, rec, conv, p, ""); err != nil {
			return nil, err
		}
	}
	if ch.WrapUp != "" {
		if err := s.wrapUpAfterCall(ctx, tx, rec, ch.WrapUp, after.EndedAt); err != nil {
			return nil, err
		}
	}
	for _, id := range []string{ch.Released, ch.Withdrawn} {
		if id != "" {
			rec.wakeAgents = append(rec.wakeAgents, id)
		}
	}
	if after.State == call.Queued {
		return s.offer(ctx, tx, rec, after)
	}
	return after, nil
}

// offer offers the QUEUED call c to the next eligible member of its queue
// in the queue's strategy's order (call.OfferNext), locking that agent first and checking it again under
// the lock; it returns the call as it then is, still QUEUED when nobody
// can take it. c must be locked (or created) by this transaction.
func (s *Service) offer(ctx context.Context, tx storage.Tx, rec *recorder, c *call.Call) (*call.Call, error) {
	if c.State != call.Queued || c.QueueID == "" {
		return c, nil
	}
	q, err := tx.GetQueue(ctx, c.QueueID)
	if err != nil {
		return nil, err
	}
	// Outside the queue's working hours calls wait, as conversations do,
	// unless it assigns outside them too. Auto-assignment off does not
	// hold a call back: an offer is how a call reaches an agent, and
	// nobody can pick a waiting call by hand.
	if on, err := offers(ctx, tx, q, rec.now); err != nil || !on {
		return c, err
	}
	loads, err := tx.QueueMemberLoads(ctx, q.ID)
	if err != nil {
		return nil, err
	}
	candidates := make([]routing.Presence, len(loads))
	for i, l := range loads {
		candidates[i] = l.Presence()
	}
	// In the queue's order: least busy (by messaging load) or round
	// robin, each then the longest since an assignment; accepting a call
	// is an assignment, so offers take turns.
	slices.SortStableFunc(candidates, func(a, b routing.Presence) int {
		return q.Strategy.Compare(routing.Candidate{Agent: a.Agent, Load: a.Load}, routing.Candidate{Agent: b.Agent, Load: b.Load})
	})
	timeouts, err := s.callTimeouts(ctx, tx)
	if err != nil {
		return nil, err
	}
	for {
		n, ch, err := c.OfferNext(q, candidates, s.heartbeat, rec.now, timeouts)
		if errors.Is(err, call.ErrNoAgent) {
			return c, nil
		}
		if err != nil {
			return nil, err
		}
		agentID := ch.Offer.AgentID
		if _, err := tx.LockAgent(ctx, agentID); err != nil {
			return nil, err
		}
		// The snapshot was read before the lock: check the agent as it is
		// now that no other offer or call can reach it.
		p, err := s.presence(ctx, tx, agentID)
		if err != nil {
			return nil, err
		}
		if routing.AvailabilityOf(p, s.heartbeat, rec.now).Calls != "" || !p.Agent.MemberOf(q) {
			candidates = slices.DeleteFunc(candidates, func(p routing.Presence) bool { return p.Agent.ID == agentID })
			continue
		}
		if err := tx.UpdateCall(ctx, n, c.Version); err != nil {
			return nil, err
		}
		rec.callChanged(c, n, ch)
		return n, nil
	}
}

// presence reads one agent's presence: ErrNotFound when it does not exist.
func (s *Service) presence(ctx context.Context, r storage.Reader, agentID string) (routing.Presence, error) {
	ps, err := r.AgentPresences(ctx, agentID)
	if err != nil {
		return routing.Presence{}, err
	}
	if len(ps) == 0 {
		return routing.Presence{}, storage.Fail("reading agent presence", agentID, storage.ErrNotFound)
	}
	return ps[0], nil
}

// wrapUpAfterCall starts the agent's wrap-up after its call ended at
// endedAt, as the account's and the agent's configuration say.
func (s *Service) wrapUpAfterCall(ctx context.Context, tx storage.Tx, rec *recorder, agentID string, endedAt time.Time) error {
	cfg, err := s.wrapUpConfig(ctx, tx)
	if err != nil {
		return err
	}
	a, err := tx.LockAgent(ctx, agentID)
	if err != nil {
		return err
	}
	w := call.StartWrapUp(cfg, a.CallWrapUpSeconds, endedAt, call.WrapUp{End: a.WrapUpUntil})
	if !w.Active(endedAt) || w.End.Equal(a.WrapUpUntil) {
		return nil
	}
	before := a.WrapUpUntil
	a.WrapUpUntil = w.End
	if err := tx.UpdateAgent(ctx, a); err != nil {
		return err
	}
	rec.add(storage.AgentWrapUpStarted, "", a.ID, []storage.Change{change("wrapUpUntil", before, a.WrapUpUntil)})
	return nil
}

// callCreated records a new call.
func (r *recorder) callCreated(c *call.Call) {
	r.add(storage.CallCreated, c.ConversationID, c.ID, callChanges(&call.Call{}, c))
}

// callChanged records the transition of a call from before to after as
// the event its change names.
func (r *recorder) callChanged(before, after *call.Call, ch call.Change) {
	typ := storage.CallRequeued
	switch {
	case ch.Offer != nil:
		typ = storage.CallOffered
	case after.State == call.Ended:
		typ = storage.CallEnded
	case after.State == call.Connected && before.State != call.Connected:
		typ = storage.CallConnected
	case after.OnHold && !before.OnHold:
		typ = storage.CallHeld
	case before.OnHold && !after.OnHold:
		typ = storage.CallUnheld
	case ch.Refused != "":
		typ = storage.CallOfferTimedOut
		if !before.Expired(after.UpdatedAt) {
			typ = storage.CallOfferRejected
		}
	}
	r.add(typ, after.ConversationID, after.ID, callChanges(before, after))
}

// callChanges lists the fields of a call that differ between a and b, as
// the events carry them.
func callChanges(a, b *call.Call) []storage.Change {
	var out []storage.Change
	add := func(field string, x, y any) {
		if x != y {
			out = append(out, change(field, x, y))
		}
	}
	add("channel", string(a.Channel), string(b.Channel))
	add("direction", string(a.Direction), string(b.Direction))
	add("from", a.From, b.From)
	add("to", a.To, b.To)
	add("voiceClientType", string(a.ClientType), string(b.ClientType))
	add("state", string(a.State), string(b.State))
	add("queueId", a.QueueID, b.QueueID)
	add("agentId", a.AgentID, b.AgentID)
	add("onHold", a.OnHold, b.OnHold)
	add("endReason", string(a.EndReason), string(b.EndReason))
	if !slices.Equal(a.Refused, b.Refused) {
		out = append(out, change("refused", nilIfEmpty(a.Refused), nilIfEmpty(b.Refused)))
	}
	addTime := func(field string, x, y time.Time) {
		if !x.Equal(y) {
			out = append(out, change(field, x, y))
		}
	}
	addTime("offeredAt", a.OfferedAt, b.OfferedAt)
	addTime("deadline", a.Deadline, b.Deadline)
	addTime("connectedAt", a.ConnectedAt, b.ConnectedAt)
	addTime("endedAt", a.EndedAt, b.EndedAt)
	return out
}

func nilIfEmpty(s []string) any {
	if len(s) == 0 {
		return nil
	}
	return s
}
