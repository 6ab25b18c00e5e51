package parley

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/parleyhq/parley/audio"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// Call transfers (Infobip's /ccaas/voice/2/conversation/{id}/transfer
// routes) hand the CONNECTED call of a conversation to an agent, to a
// queue or to an external number; package call holds the rules. The
// service adds what a contact centre expects where Infobip is silent:
//
//   - A refused transfer writes nothing: no live call is
//     call.ErrNoLiveCall (412), an unknown conversation, agent or queue
//     ErrNotFound (404), a destination that cannot take the call now
//     call.ErrNotAvailable (409), the call's MaxTransfers reached or a
//     transfer already in progress call.ErrState (409).
//   - A QUEUE transfer is offered at once to the first member of the
//     queue that may take a call (call.NextTransferAgent, in the queue's
//     strategy order, each agent once); a queue with nobody who can take
//     it now is not available (409), since the transferring agent stays
//     on the line and the customer must not wait on a transfer nobody can
//     answer. An agent that declines or lets it ring out is skipped and
//     the next is rung; with nobody left, the call returns.
//   - A transfer nobody answers (its deadline passes: RunDue, or
//     ExpireCall) returns the call to the agent who transferred it, still
//     connected; so does ReturnCallTransfer (the agent cancels, or the
//     external number is busy or declines). The transfer still counts
//     towards call.MaxTransfers.
//   - The agent who answers an AGENT or QUEUE transfer gets the
//     conversation (recorded as conversation.transferred; a QUEUE
//     transfer of an inbound call also moves it to that queue); the
//     transferring agent is released and starts its wrap-up. An external
//     number answering ends the call for parley as TRANSFERRED.
//   - The external-number configuration allows any number, or only the
//     numbers of its allow-list (parley keeps the list in the
//     configuration; Infobip keeps it as People contacts tagged
//     external_number). Before any is saved transfers go to any number.
//     Reading a configuration never saved answers the default rather
//     than Infobip's 404: the account has a behaviour, and a client that
//     reads it should see which.

// MaxAllowedTransferNumbers bounds the allow-list of the external-number
// transfer configuration.
const MaxAllowedTransferNumbers = 1000

// ExternalTransferSettings is the external-number transfer configuration
// with the numbers it allows when TransferToAnyNumberEnabled is off.
type ExternalTransferSettings struct {
	call.ExternalTransferConfig
	AllowedNumbers []string // E.164, each once (compared without a leading "+")
}

// Validate checks the allow-list, naming allowedNumbers[i].
func (x *ExternalTransferSettings) Validate() error {
	if len(x.AllowedNumbers) > MaxAllowedTransferNumbers {
		return fault.Invalid("allowedNumbers", "at most %d numbers", MaxAllowedTransferNumbers)
	}
	seen := make(map[string]bool, len(x.AllowedNumbers))
	for i, n := range x.AllowedNumbers {
		f := "allowedNumbers[" + strconv.Itoa(i) + "]"
		if err := call.ValidatePhoneNumber(f, n); err != nil {
			return err
		}
		k := n
		if k[0] == '+' {
			k = k[1:]
		}
		if seen[k] {
			return fault.Invalid(f, "%s is listed twice", n)
		}
		seen[k] = true
	}
	return nil
}

// TransferCallToAgent starts transferring the connected call of the
// conversation to agentID (Infobip's transfer/agent), which rings for
// the inbound timeout; the conversation is the agent's when it accepts
// (AcceptCallTransfer). The agent must exist (ErrNotFound) and be
// available for a call (call.ErrNotAvailable); queue membership does not
// matter.
func (s *Service) TransferCallToAgent(ctx context.Context, conversationID, agentID string) (*call.Call, error) {
	check := func() error { return checkID("agentId", agentID) }
	return s.startTransfer(ctx, "TransferCallToAgent", conversationID, check, func(tx storage.Tx, rec *recorder, c *call.Call, t call.Timeouts) (*call.Call, call.Change, error) {
		var target routing.Presence
		if _, err := tx.LockAgent(ctx, agentID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, call.Change{}, err
		} else if err == nil {
			if target, err = s.presence(ctx, tx, agentID); err != nil {
				return nil, call.Change{}, err
			}
		}
		return c.TransferToAgent(target, s.heartbeat, rec.now, t)
	})
}

// TransferCallToQueue starts transferring the connected call of the
// conversation to queueID (Infobip's transfer/queue). The queue must
// exist (ErrNotFound), be inside its working hours with auto-assignment
// on, and have a member who may take the call now (else
// call.ErrNotAvailable); that member rings, and whoever of the queue
// accepts gets the conversation.
func (s *Service) TransferCallToQueue(ctx context.Context, conversationID, queueID string) (*call.Call, error) {
	check := func() error { return checkID("queueId", queueID) }
	return s.startTransfer(ctx, "TransferCallToQueue", conversationID, check, func(tx storage.Tx, rec *recorder, c *call.Call, t call.Timeouts) (*call.Call, call.Change, error) {
		q, err := tx.GetQueue(ctx, queueID)
		if errors.Is(err, storage.ErrNotFound) {
			return c.TransferToQueue(nil, "", rec.now)
		}
		if err != nil {
			return nil, call.Change{}, err
		}
		st, err := hoursStatus(ctx, tx, q.WorkingHoursID, rec.now)
		if err != nil {
			return nil, call.Change{}, err
		}
		return c.TransferToQueue(q, st, rec.now)
	})
}

// TransferCallToExternalNumber starts transferring the connected call of
// the conversation to number, showing from as the caller id (Infobip's
// transfer/external-number; both E.164, else ErrInvalid naming
// externalNumber or from). It rings for the outbound timeout; the number
// must be allowed by the external-number configuration (else
// call.ErrNotAvailable).
func (s *Service) TransferCallToExternalNumber(ctx context.Context, conversationID, number, from string) (*call.Call, error) {
	check := func() error {
		if err := call.ValidatePhoneNumber("externalNumber", number); err != nil {
			return err
		}
		return call.ValidatePhoneNumber("from", from)
	}
	return s.startTransfer(ctx, "TransferCallToExternalNumber", conversationID, check, func(tx storage.Tx, rec *recorder, c *call.Call, t call.Timeouts) (*call.Call, call.Change, error) {
		x, _, err := s.externalTransfer(ctx, tx)
		if err != nil {
			return nil, call.Change{}, err
		}
		return c.TransferToExternalNumber(number, from, x.ExternalTransferConfig, x.AllowedNumbers, rec.now, t)
	})
}

// startTransfer runs one of the transfer starts as op: it locks the
// conversation and its connected call (none is call.ErrNoLiveCall), lets
// start build the transfer, and writes it with its event; a QUEUE
// transfer is then offered to the first member who can take it.
func (s *Service) startTransfer(ctx context.Context, op, conversationID string, check func() error,
	start func(storage.Tx, *recorder, *call.Call, call.Timeouts) (*call.Call, call.Change, error)) (*call.Call, error) {
	if err := s.authorize(ctx, op); err != nil {
		return nil, err
	}
	if err := checkID("conversationId", conversationID); err != nil {
		return nil, err
	}
	if err := check(); err != nil {
		return nil, err
	}
	var out *call.Call
	err := s.run(ctx, op, func(tx storage.Tx, rec *recorder) error {
		if _, err := tx.LockConversation(ctx, conversationID); err != nil {
			return err
		}
		c, err := s.connectedCallOf(ctx, tx, conversationID)
		if err != nil {
			return err
		}
		t, err := s.callTimeouts(ctx, tx)
		if err != nil {
			return err
		}
		n, ch, err := start(tx, rec, c, t)
		if err != nil {
			return err
		}
		if n.Transfer.Kind == call.ToQueue {
			// Offered before anything is written: a queue with nobody to
			// ring is refused, and the refusal writes nothing.
			return s.firstQueueOffer(ctx, tx, rec, c, n, ch, t, &out)
		}
		if err := tx.UpdateCall(ctx, n, c.Version); err != nil {
			return err
		}
		rec.transferChanged(c, n, ch)
		out = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// connectedCallOf locks and returns the CONNECTED call of the
// conversation; call.ErrNoLiveCall when it has none. A conversation has
// one at most: its agent's one call.
func (s *Service) connectedCallOf(ctx context.Context, tx storage.Tx, conversationID string) (*call.Call, error) {
	page, err := tx.ListCalls(ctx, storage.CallQuery{
		ConversationID: conversationID, States: []call.State{call.Connected},
		Paging: storage.Paging{Limit: 1, SkipTotal: true},
	})
	if err != nil {
		return nil, err
	}
	if len(page.Items) == 0 {
		return nil, call.ErrNoLiveCall
	}
	c, err := tx.LockCall(ctx, page.Items[0].ID)
	if err != nil {
		return nil, err
	}
	if c.State != call.Connected {
		return nil, call.ErrNoLiveCall
	}
	return c, nil
}

// firstQueueOffer writes the QUEUE transfer n of c (started by ch) with
// its first offer, or refuses it as call.ErrNotAvailable when no member
// of the queue can take it now.
func (s *Service) firstQueueOffer(ctx context.Context, tx storage.Tx, rec *recorder, c, n *call.Call, ch call.Change, t call.Timeouts, out **call.Call) error {
	next, err := s.pickTransferAgent(ctx, tx, rec, n)
	if err != nil {
		return err
	}
	if next == "" {
		return fmt.Errorf("%w: nobody in queue %q can take the call now", call.ErrNotAvailable, n.Transfer.QueueID)
	}
	if err := tx.UpdateCall(ctx, n, c.Version); err != nil {
		return err
	}
	rec.transferChanged(c, n, ch)
	o, och, err := n.OfferTransfer(next, rec.now, t)
	if err != nil {
		return err
	}
	if err := tx.UpdateCall(ctx, o, n.Version); err != nil {
		return err
	}
	rec.transferChanged(n, o, och)
	*out = o
	return nil
}

// pickTransferAgent chooses the agent the QUEUE transfer of c, between
// offers, rings next (call.NextTransferAgent, in the queue's strategy
// order), locking that agent and checking it again under the lock; ""
// when nobody can take it. c must be locked by this transaction.
func (s *Service) pickTransferAgent(ctx context.Context, tx storage.Tx, rec *recorder, c *call.Call) (string, error) {
	q, err := tx.GetQueue(ctx, c.Transfer.QueueID)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil // deleted since: nobody is left
	}
	if err != nil {
		return "", err
	}
	loads, err := tx.QueueMemberLoads(ctx, q.ID)
	if err != nil {
		return "", err
	}
	candidates := make([]routing.Presence, len(loads))
	for i, l := range loads {
		candidates[i] = l.Presence()
	}
	slices.SortStableFunc(candidates, func(a, b routing.Presence) int {
		return q.Strategy.Compare(routing.Candidate{Agent: a.Agent, Load: a.Load}, routing.Candidate{Agent: b.Agent, Load: b.Load})
	})
	for {
		id := call.NextTransferAgent(c, q, candidates, s.heartbeat, rec.now)
		if id == "" {
			return "", nil
		}
		if _, err := tx.LockAgent(ctx, id); err != nil {
			return "", err
		}
		p, err := s.presence(ctx, tx, id)
		if err != nil {
			return "", err
		}
		if routing.AvailabilityOf(p, s.heartbeat, rec.now).Calls == "" && p.Agent.MemberOf(q) {
			return id, nil
		}
		candidates = slices.DeleteFunc(candidates, func(p routing.Presence) bool { return p.Agent.ID == id })
	}
}

// AcceptCallTransfer is the agent a transfer rings at answering it (a
// host-reported step): the call connects to that agent, whose
// conversation it now is, and the transferring agent is released and
// starts its wrap-up. Another agent is ErrForbidden; a transfer that rang
// out is call.ErrState.
func (s *Service) AcceptCallTransfer(ctx context.Context, callID, agentID string) (*call.Call, error) {
	return s.transferStep(ctx, "AcceptCallTransfer", callID, func() error { return checkID("agentId", agentID) },
		func(c *call.Call, now time.Time) (*call.Call, call.Change, error) {
			return c.AcceptTransfer(agentID, now)
		})
}

// RejectCallTransfer is the agent a transfer rings at declining it: an
// AGENT transfer returns the call to the agent who transferred it; a
// QUEUE transfer rings the next member of the queue, or returns the call
// when nobody is left.
func (s *Service) RejectCallTransfer(ctx context.Context, callID, agentID string) (*call.Call, error) {
	return s.transferStep(ctx, "RejectCallTransfer", callID, func() error { return checkID("agentId", agentID) },
		func(c *call.Call, now time.Time) (*call.Call, call.Change, error) {
			return c.RejectTransfer(agentID, now)
		})
}

// AnswerCallTransfer is the external number of an EXTERNAL_NUMBER
// transfer answering: the call leaves the contact centre and ends as
// TRANSFERRED; the transferring agent starts its wrap-up.
func (s *Service) AnswerCallTransfer(ctx context.Context, callID string) (*call.Call, error) {
	return s.transferStep(ctx, "AnswerCallTransfer", callID, nil,
		func(c *call.Call, now time.Time) (*call.Call, call.Change, error) { return c.AnswerTransfer(now) })
}

// ReturnCallTransfer ends the transfer in progress unanswered and gives
// the call back to the agent who transferred it, still connected: the
// agent cancels its transfer, or the external number is busy or
// declines. The transfer still counts towards call.MaxTransfers.
func (s *Service) ReturnCallTransfer(ctx context.Context, callID string) (*call.Call, error) {
	return s.transferStep(ctx, "ReturnCallTransfer", callID, nil,
		func(c *call.Call, now time.Time) (*call.Call, call.Change, error) { return c.ReturnTransfer(now) })
}

// transferStep runs one step of the transfer of call id as op, locking
// the call's conversation first (the step may assign it) and then the
// call.
func (s *Service) transferStep(ctx context.Context, op, id string, check func() error, step func(*call.Call, time.Time) (*call.Call, call.Change, error)) (*call.Call, error) {
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
		cl, err := tx.GetCall(ctx, id)
		if err != nil {
			return err
		}
		// A call never changes conversation: the one read here is the one
		// locked.
		conv, err := tx.LockConversation(ctx, cl.ConversationID)
		if err != nil {
			return err
		}
		if cl, err = tx.LockCall(ctx, id); err != nil {
			return err
		}
		n, ch, err := step(cl, rec.now)
		if err != nil {
			return err
		}
		out, err = s.applyTransferChange(ctx, tx, rec, cl, n, ch, conv)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// transferDue times out the transfer of the locked call c if it rang out
// at rec.now, as the runner does (ExpireCall); it returns the call as it
// then is, and whether it did.
func (s *Service) transferDue(ctx context.Context, tx storage.Tx, rec *recorder, c *call.Call) (*call.Call, bool, error) {
	due := storage.TransferDeadline(c)
	if due.IsZero() || rec.now.Before(due) {
		return c, false, nil
	}
	n, ch, err := c.TransferTimedOut(rec.now)
	if err != nil {
		return nil, false, err
	}
	// A transfer that rings out assigns nothing: no conversation to lock.
	out, err := s.applyTransferChange(ctx, tx, rec, c, n, ch, nil)
	return out, true, err
}

// applyTransferChange writes the transfer step of before to after and
// what its change asks: the conversation assigned to the agent that
// accepted (conv, locked, when the step may assign it), the wrap-up of
// the released agent, and the next offer of a QUEUE transfer that an
// agent declined or let ring out (or its return when nobody is left).
func (s *Service) applyTransferChange(ctx context.Context, tx storage.Tx, rec *recorder, before, after *call.Call, ch call.Change, conv *conversation.Conversation) (*call.Call, error) {
	if err := tx.UpdateCall(ctx, after, before.Version); err != nil {
		return nil, err
	}
	rec.transferChanged(before, after, ch)
	if ch.Assignee != "" && conv != nil && conv.CheckMutable() == nil {
		p := conversation.Patch{AgentID: &ch.Assignee}
		if after.QueueID != "" {
			p.QueueID = &after.QueueID
		}
		if err := s.applyPatch(ctx, tx, rec, conv, p, storage.ConversationTransferred); err != nil {
			return nil, err
		}
	}
	if ch.WrapUp != "" {
		if err := s.wrapUpAfterCall(ctx, tx, rec, ch.WrapUp, rec.now); err != nil {
			return nil, err
		}
	}
	for _, id := range []string{ch.Released, ch.Withdrawn} {
		if id != "" {
			rec.wakeAgents = append(rec.wakeAgents, id)
		}
	}
	if tr := after.Transfer; tr != nil && tr.Kind == call.ToQueue && tr.AgentID == "" {
		return s.nextQueueOffer(ctx, tx, rec, after)
	}
	return after, nil
}

// nextQueueOffer rings the next member of the queue for the QUEUE
// transfer of c, waiting between offers, or returns the call to the
// agent who transferred it when nobody is left.
func (s *Service) nextQueueOffer(ctx context.Context, tx storage.Tx, rec *recorder, c *call.Call) (*call.Call, error) {
	next, err := s.pickTransferAgent(ctx, tx, rec, c)
	if err != nil {
		return nil, err
	}
	var (
		n  *call.Call
		ch call.Change
	)
	if next == "" {
		n, ch, err = c.ReturnTransfer(rec.now)
	} else {
		t, terr := s.callTimeouts(ctx, tx)
		if terr != nil {
			return nil, terr
		}
		n, ch, err = c.OfferTransfer(next, rec.now, t)
	}
	if err != nil {
		return nil, err
	}
	if err := tx.UpdateCall(ctx, n, c.Version); err != nil {
		return nil, err
	}
	rec.transferChanged(c, n, ch)
	return n, nil
}

// transferChanged records a transfer step of a call from before to after
// as the event its change names.
func (r *recorder) transferChanged(before, after *call.Call, ch call.Change) {
	var typ storage.EventType
	switch {
	case after.State == call.Ended:
		typ = storage.CallEnded
	case before.Transfer == nil && after.Transfer != nil:
		typ = storage.CallTransferStarted
	case ch.Offer != nil:
		typ = storage.CallTransferOffered
	case ch.Assignee != "":
		typ = storage.CallTransferAccepted
	case ch.Refused != "" || ch.Returned:
		// Declined, rung out, or given back: which one, the time says.
		rangOut := !before.Transfer.Deadline.IsZero() && !after.UpdatedAt.Before(before.Transfer.Deadline)
		switch {
		case rangOut:
			typ = storage.CallTransferTimedOut
		case ch.Refused != "":
			typ = storage.CallTransferRejected
		default:
			typ = storage.CallTransferReturned
		}
	default:
		typ = storage.CallTransferReturned
	}
	changes := callChanges(before, after)
	if before.Transfers != after.Transfers {
		changes = append(changes, change("transfers", before.Transfers, after.Transfers))
	}
	if b, a := transferValue(before.Transfer), transferValue(after.Transfer); !slices.Equal(b, a) {
		changes = append(changes, storage.Change{Field: "transfer", Before: b, After: a})
	}
	r.add(typ, after.ConversationID, after.ID, changes)
}

// transferJSON is a transfer as the events carry it.
type transferJSON struct {
	Kind           call.TransferKind `json:"kind"`
	From           string            `json:"from"`
	AgentID        string            `json:"agentId,omitempty"`
	QueueID        string            `json:"queueId,omitempty"`
	ExternalNumber string            `json:"externalNumber,omitempty"`
	Caller         string            `json:"caller,omitempty"`
	Refused        []string          `json:"refused,omitempty"`
	StartedAt      time.Time         `json:"startedAt"`
	Deadline       *time.Time        `json:"deadline,omitempty"`
}

func transferValue(t *call.Transfer) json.RawMessage {
	if t == nil {
		return nil
	}
	j := transferJSON{Kind: t.Kind, From: t.From, AgentID: t.AgentID, QueueID: t.QueueID,
		ExternalNumber: t.ExternalNumber, Caller: t.Caller, Refused: t.Refused, StartedAt: t.StartedAt.UTC()}
	if !t.Deadline.IsZero() {
		d := t.Deadline.UTC()
		j.Deadline = &d
	}
	b, err := json.Marshal(j)
	if err != nil {
		return nil // plain values always encode
	}
	return b
}

// ExternalTransferSettings returns the account's external-number
// transfer configuration (Infobip's transfer-configs/external-number):
// before one is saved, the default (any number), with zero times.
func (s *Service) ExternalTransferSettings(ctx context.Context) (ExternalTransferSettings, error) {
	return read(s, ctx, "ExternalTransferSettings", func() (ExternalTransferSettings, error) {
		x, _, err := s.externalTransfer(ctx, s.store)
		return x, err
	})
}

// SetExternalTransferSettings saves the account's external-number
// transfer configuration and returns it with its times: CreatedAt of the
// first save, UpdatedAt now. Bad numbers are ErrInvalid naming
// allowedNumbers[i].
func (s *Service) SetExternalTransferSettings(ctx context.Context, x ExternalTransferSettings) (ExternalTransferSettings, error) {
	if err := s.authorize(ctx, "SetExternalTransferSettings"); err != nil {
		return ExternalTransferSettings{}, err
	}
	if err := x.Validate(); err != nil {
		return ExternalTransferSettings{}, err
	}
	x.AllowedNumbers = slices.Clone(x.AllowedNumbers)
	err := s.saveSetting(ctx, "SetExternalTransferSettings", storage.SettingExternalTransfer, func(old []byte, now time.Time) ([]byte, error) {
		x.CreatedAt, x.UpdatedAt = now, now
		if old != nil {
			var prev externalTransferStored
			if err := json.Unmarshal(old, &prev); err == nil && !prev.CreatedAt.IsZero() {
				x.CreatedAt = prev.CreatedAt
			}
		}
		return json.Marshal(externalTransferStored{
			TransferToAnyNumberEnabled: x.TransferToAnyNumberEnabled, AllowedNumbers: x.AllowedNumbers,
			CreatedAt: x.CreatedAt.UTC(), UpdatedAt: x.UpdatedAt.UTC(),
		})
	})
	if err != nil {
		return ExternalTransferSettings{}, err
	}
	return x, nil
}

// externalTransferStored is the stored form of ExternalTransferSettings;
// the names are fixed here so that renaming a Go field never changes
// stored data.
type externalTransferStored struct {
	TransferToAnyNumberEnabled bool      `json:"transferToAnyNumberEnabled"`
	AllowedNumbers             []string  `json:"allowedNumbers,omitempty"`
	CreatedAt                  time.Time `json:"createdAt"`
	UpdatedAt                  time.Time `json:"updatedAt"`
}

// externalTransfer reads the external-number transfer configuration:
// the default (any number) and saved false when none is saved.
func (s *Service) externalTransfer(ctx context.Context, r storage.Reader) (ExternalTransferSettings, bool, error) {
	x := ExternalTransferSettings{ExternalTransferConfig: call.DefaultExternalTransferConfig()}
	b, err := r.GetSetting(ctx, storage.SettingExternalTransfer)
	if errors.Is(err, storage.ErrNotFound) {
		return x, false, nil
	}
	if err != nil {
		return x, false, err
	}
	var st externalTransferStored
	if err := json.Unmarshal(b, &st); err != nil {
		return x, false, fmt.Errorf("the stored transfer to external number configuration is not readable")
	}
	x.TransferToAnyNumberEnabled, x.AllowedNumbers = st.TransferToAnyNumberEnabled, st.AllowedNumbers
	x.CreatedAt, x.UpdatedAt = st.CreatedAt.UTC(), st.UpdatedAt.UTC()
	return x, true, nil
}

// TransferStrategy returns what the customer hears during a transfer
// (Infobip's transfer-configs/transfer-strategy): before one is saved,
// call.DefaultTransferStrategy, with no id and zero times.
func (s *Service) TransferStrategy(ctx context.Context) (*call.TransferStrategy, error) {
	return read(s, ctx, "TransferStrategy", func() (*call.TransferStrategy, error) {
		b, err := s.store.GetSetting(ctx, storage.SettingTransferStrategy)
		if errors.Is(err, storage.ErrNotFound) {
			d := call.DefaultTransferStrategy()
			return &d, nil
		}
		if err != nil {
			return nil, err
		}
		return decodeTransferStrategy(b)
	})
}

// SetTransferStrategy saves what the customer hears during a transfer
// and returns it with its id (given on the first save and kept) and
// times. Bad fields are ErrInvalid naming the field; the id in ts is
// ignored.
func (s *Service) SetTransferStrategy(ctx context.Context, ts call.TransferStrategy) (*call.TransferStrategy, error) {
	if err := s.authorize(ctx, "SetTransferStrategy"); err != nil {
		return nil, err
	}
	ts.ID = ""
	if err := ts.Validate(); err != nil {
		return nil, err
	}
	out := (&ts).Clone()
	err := s.saveSetting(ctx, "SetTransferStrategy", storage.SettingTransferStrategy, func(old []byte, now time.Time) ([]byte, error) {
		out.ID, out.CreatedAt, out.UpdatedAt = s.newID(), now, now
		if old != nil {
			if prev, err := decodeTransferStrategy(old); err == nil {
				out.ID, out.CreatedAt = prev.ID, prev.CreatedAt
			}
		}
		return json.Marshal(storedStrategy(out))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// saveSetting replaces the setting under key with what encode makes of
// the stored value (nil for none) at the transaction's time, under the
// key's lock, so that of several instances saving at once each reads
// what the one before wrote; a settings.updated event records the change.
func (s *Service) saveSetting(ctx context.Context, op, key string, encode func(old []byte, now time.Time) ([]byte, error)) error {
	return s.run(ctx, op, func(tx storage.Tx, rec *recorder) error {
		if err := tx.LockKey(ctx, "setting\x00"+key); err != nil {
			return err
		}
		before, err := tx.GetSetting(ctx, key)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		b, err := encode(before, rec.now)
		if err != nil {
			return err
		}
		if err := tx.PutSetting(ctx, key, b); err != nil {
			return err
		}
		rec.add(storage.SettingsUpdated, "", key, []storage.Change{{Field: key, Before: before, After: b}})
		return nil
	})
}

// The stored form of a transfer strategy and its audio, with names fixed
// here (Infobip's), not taken from the Go fields.
type (
	strategyStored struct {
		ID                  string             `json:"id"`
		MusicOnHold         musicStored        `json:"musicOnHold"`
		AnnouncementMessage announcementStored `json:"announcementMessage"`
		CreatedAt           time.Time          `json:"createdAt"`
		UpdatedAt           time.Time          `json:"updatedAt"`
	}
	musicStored struct {
		Enabled    bool        `json:"enabled"`
		UseDefault bool        `json:"useDefault"`
		File       *audio.File `json:"fileAudioSource,omitempty"`
	}
	announcementStored struct {
		Enabled         bool             `json:"enabled"`
		AudioSourceType audio.SourceType `json:"audioSourceType,omitempty"`
		TTS             *ttsStored       `json:"ttsAudioSource,omitempty"`
		File            *audio.File      `json:"fileAudioSource,omitempty"`
		RepeatInterval  *audio.Duration  `json:"repeatInterval,omitempty"`
	}
	ttsStored struct {
		Text                       string  `json:"text"`
		Language                   string  `json:"language"`
		IsLanguageSelectedManually bool    `json:"isLanguageSelectedManually"`
		VoiceName                  string  `json:"voiceName"`
		VoiceGender                string  `json:"voiceGender"`
		SpeechRate                 float64 `json:"speechRate"`
	}
)

func storedStrategy(ts *call.TransferStrategy) strategyStored {
	a := ts.AnnouncementMessage
	st := strategyStored{
		ID:          ts.ID,
		MusicOnHold: musicStored{Enabled: ts.MusicOnHold.Enabled, UseDefault: ts.MusicOnHold.UseDefault, File: ts.MusicOnHold.File},
		AnnouncementMessage: announcementStored{Enabled: a.Enabled, AudioSourceType: a.AudioSourceType, File: a.File,
			RepeatInterval: a.RepeatInterval},
		CreatedAt: ts.CreatedAt.UTC(), UpdatedAt: ts.UpdatedAt.UTC(),
	}
	if t := a.TTS; t != nil {
		st.AnnouncementMessage.TTS = &ttsStored{Text: t.Text, Language: t.Language, IsLanguageSelectedManually: t.IsLanguageSelectedManually,
			VoiceName: t.Voice.Name, VoiceGender: t.Voice.Gender, SpeechRate: t.SpeechRate}
	}
	return st
}

func decodeTransferStrategy(b []byte) (*call.TransferStrategy, error) {
	var st strategyStored
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("the stored transfer strategy is not readable")
	}
	m, a := st.MusicOnHold, st.AnnouncementMessage
	ts := &call.TransferStrategy{
		ID:          st.ID,
		MusicOnHold: audio.Music{Enabled: m.Enabled, UseDefault: m.UseDefault, File: m.File},
		AnnouncementMessage: audio.Announcement{
			Message:        audio.Message{Enabled: a.Enabled, AudioSourceType: a.AudioSourceType, File: a.File},
			RepeatInterval: a.RepeatInterval,
		},
		CreatedAt: st.CreatedAt.UTC(), UpdatedAt: st.UpdatedAt.UTC(),
	}
	if t := a.TTS; t != nil {
		ts.AnnouncementMessage.TTS = &audio.TTS{Text: t.Text, Language: t.Language, IsLanguageSelectedManually: t.IsLanguageSelectedManually,
			Voice: audio.Voice{Name: t.VoiceName, Gender: t.VoiceGender}, SpeechRate: t.SpeechRate}
	}
	return ts, nil
}
