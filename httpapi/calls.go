package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/storage"
)

// The routes of calls. Infobip's voice API gives an agent's client its
// outbound call and hold; what only the host's media layer knows (a call
// arrived, an agent accepted or rejected the offer, the customer answered,
// someone hung up, the call was lost) comes through parley's own routes
// under /ccaas/voice/2/calls.

// callJSON is a call on the wire. Optional values that are not set are
// null, as everywhere in this API; refused is always an array.
type callJSON struct {
	ID              string    `json:"id"`
	ConversationID  string    `json:"conversationId"`
	Channel         string    `json:"channel"`
	Direction       string    `json:"direction"`
	From            string    `json:"from"`
	To              string    `json:"to"`
	VoiceClientType string    `json:"voiceClientType"`
	State           string    `json:"state"`
	QueueID         *string   `json:"queueId"`
	AgentID         *string   `json:"agentId"`
	OnHold          bool      `json:"onHold"`
	EndReason       *string   `json:"endReason"`
	Refused         []string  `json:"refused"`
	CreatedAt       wireTime  `json:"createdAt"`
	UpdatedAt       wireTime  `json:"updatedAt"`
	OfferedAt       *wireTime `json:"offeredAt"`
	Deadline        *wireTime `json:"deadline"`
	ConnectedAt     *wireTime `json:"connectedAt"`
	EndedAt         *wireTime `json:"endedAt"`
	// Transfers counts the transfers the call started (at most
	// call.MaxTransfers); Transfer is the one in progress, null for none.
	Transfers int               `json:"transfers"`
	Transfer  *callTransferJSON `json:"transfer"`
}

// callTransferJSON is a transfer in progress (call.Transfer): where it goes
// (kind AGENT, QUEUE or EXTERNAL_NUMBER), who started it, and whom it
// rings now, until when.
type callTransferJSON struct {
	Kind           string    `json:"kind"`
	FromAgentID    string    `json:"fromAgentId"`
	FromQueueID    *string   `json:"fromQueueId"`
	AgentID        *string   `json:"agentId"`
	QueueID        *string   `json:"queueId"`
	ExternalNumber *string   `json:"externalNumber"`
	CallerID       *string   `json:"from"`
	Refused        []string  `json:"refused"`
	StartedAt      wireTime  `json:"startedAt"`
	Deadline       *wireTime `json:"deadline"`
}

func toCallTransfer(t *call.Transfer) *callTransferJSON {
	if t == nil {
		return nil
	}
	refused := slices.Clone(t.Refused)
	if refused == nil {
		refused = []string{}
	}
	return &callTransferJSON{
		Kind: string(t.Kind), FromAgentID: t.From, FromQueueID: nullString(t.FromQueue),
		AgentID: nullString(t.AgentID), QueueID: nullString(t.QueueID),
		ExternalNumber: nullString(t.ExternalNumber), CallerID: nullString(t.Caller),
		Refused: refused, StartedAt: wireTime(t.StartedAt), Deadline: nullTime(t.Deadline),
	}
}

func toCall(c *call.Call) callJSON {
	refused := slices.Clone(c.Refused)
	if refused == nil {
		refused = []string{}
	}
	return callJSON{
		ID:              c.ID,
		ConversationID:  c.ConversationID,
		Channel:         string(c.Channel),
		Direction:       string(c.Direction),
		From:            c.From,
		To:              c.To,
		VoiceClientType: string(c.ClientType),
		State:           string(c.State),
		QueueID:         nullString(c.QueueID),
		AgentID:         nullString(c.AgentID),
		OnHold:          c.OnHold,
		EndReason:       nullString(string(c.EndReason)),
		Refused:         refused,
		CreatedAt:       wireTime(c.CreatedAt),
		UpdatedAt:       wireTime(c.UpdatedAt),
		OfferedAt:       nullTime(c.OfferedAt),
		Deadline:        nullTime(c.Deadline),
		ConnectedAt:     nullTime(c.ConnectedAt),
		EndedAt:         nullTime(c.EndedAt),
		Transfers:       c.Transfers,
		Transfer:        toCallTransfer(c.Transfer),
	}
}

// callPath is where a call is read.
func callPath(id string) string { return voiceAPI + "/calls/" + url.PathEscape(id) }

// callInJSON is the body of POST /calls (a call arrived) and of POST
// /outbound-call-conversation (an agent calls out).
type callInJSON struct {
	ID              opt[string] `json:"id"`
	CustomerID      opt[string] `json:"customerId"`
	Channel         opt[string] `json:"channel"`
	From            opt[string] `json:"from"`
	To              opt[string] `json:"to"`
	AgentID         opt[string] `json:"agentId"`
	VoiceClientType opt[string] `json:"voiceClientType"`
}

// parse reads the channel and the client type; absent or null is the
// default (VOICE, PSTN).
func (in callInJSON) parse() (conversation.Channel, call.ClientType, error) {
	var (
		ch  conversation.Channel
		ct  call.ClientType
		err error
	)
	if in.Channel.Given() {
		if ch, err = conversation.ParseChannel(in.Channel.Value); err != nil {
			return "", "", err
		}
	}
	if in.VoiceClientType.Given() {
		if ct, err = call.ParseClientType(in.VoiceClientType.Value); err != nil {
			return "", "", err
		}
	}
	return ch, ct, nil
}

// receiveCall is the host reporting a call a customer placed
// (parley.Service.ReceiveCall): it answers the call, offered at once to an
// agent (RINGING) or waiting in its queue (QUEUED).
func (a *api) receiveCall(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in callInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if in.AgentID.Set {
		return nil, invalid("agentId", "an inbound call is offered to agents by its queue, not given one")
	}
	ch, ct, err := in.parse()
	if err != nil {
		return nil, err
	}
	c, err := a.svc.ReceiveCall(r.Context(), parley.InboundCall{
		ID: in.ID.Value, CustomerID: in.CustomerID.Value, Channel: ch,
		From: in.From.Value, To: in.To.Value, ClientType: ct,
	})
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", callPath(c.ID))
	return toCall(c), nil
}

// outboundJSON is Infobip's OutboundCallConversationResponseApiModel, with
// parley's callId beside it: the call the host reports on.
type outboundJSON struct {
	From           string `json:"from"`
	To             string `json:"to"`
	ConversationID string `json:"conversationId"`
	AgentID        string `json:"agentId"`
	CallID         string `json:"callId"`
}

// placeCall creates an outbound call's conversation and the call, DIALING
// (parley.Service.PlaceCall). Infobip answers an unknown agent with a 400,
// "No agent found with id=...", and so does this route.
func (a *api) placeCall(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in callInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	ch, ct, err := in.parse()
	if err != nil {
		return nil, err
	}
	c, err := a.svc.PlaceCall(r.Context(), parley.OutboundCall{
		ID: in.ID.Value, CustomerID: in.CustomerID.Value, Channel: ch,
		From: in.From.Value, To: in.To.Value, AgentID: in.AgentID.Value, ClientType: ct,
	})
	if errors.Is(err, parley.ErrNotFound) {
		return nil, &answerError{status: http.StatusBadRequest, code: "NOT_FOUND", field: "agentId",
			message: fmt.Sprintf("No agent found with id=%s", in.AgentID.Value), err: err}
	}
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", callPath(c.ID))
	return outboundJSON{From: c.From, To: c.To, ConversationID: c.ConversationID, AgentID: c.AgentID, CallID: c.ID}, nil
}

func (a *api) getCall(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	c, err := a.svc.GetCall(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return toCall(c), nil
}

// listCalls lists calls oldest first, filtered by conversationId, agentId,
// queueId and state (a repeated key means any of its values).
func (a *api) listCalls(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	var cq storage.CallQuery
	for _, f := range []struct {
		name string
		dst  *string
	}{{"conversationId", &cq.ConversationID}, {"agentId", &cq.AgentID}, {"queueId", &cq.QueueID}} {
		if *f.dst, err = q.one(f.name); err != nil {
			return nil, err
		}
	}
	for _, s := range q.all("state") {
		st, err := call.ParseState(s)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(cq.States, st) {
			cq.States = append(cq.States, st)
		}
	}
	order, err := q.order(storage.Order{Field: storage.SortCreatedAt}, storage.SortCreatedAt)
	if err != nil {
		return nil, err
	}
	if order.Desc {
		return nil, invalid("orderBy", "calls are listed oldest first only (createdAt:asc)")
	}
	if cq.Paging, err = q.paging(); err != nil {
		return nil, err
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	page, err := a.svc.ListCalls(r.Context(), cq)
	if err != nil {
		return nil, err
	}
	return listOf("calls", cq.Paging, page, order.String(), toCall), nil
}

// callAgentJSON is the body of accept and reject: the agent, when the request
// names no acting agent.
type callAgentJSON struct {
	AgentID opt[string] `json:"agentId"`
}

// callAgent is the agent that accepts or rejects: the request's actor
// (x-agent-id, or the host's authentication), or the body's agentId when
// the request names none, as for notes; given both, they must agree.
func (a *api) callAgent(w http.ResponseWriter, r *http.Request) (string, error) {
	var in callAgentJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return "", err
	}
	actor := parley.ActorFrom(r.Context()).AgentID
	switch {
	case in.AgentID.Given() && actor != "" && in.AgentID.Value != actor:
		return "", invalid("agentId", "must be the acting agent %q (%s)", actor, HeaderAgentID)
	case in.AgentID.Given():
		return in.AgentID.Value, nil
	case actor == "":
		return "", invalid("agentId", "is required: the %s header, or agentId in the body", HeaderAgentID)
	}
	return actor, nil
}

// acceptCall is the agent answering the call ringing at it.
func (a *api) acceptCall(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.agentCallChange(w, r, a.svc.AcceptCall)
}

// rejectCall is the agent declining the call ringing at it.
func (a *api) rejectCall(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.agentCallChange(w, r, a.svc.RejectCall)
}

func (a *api) agentCallChange(w http.ResponseWriter, r *http.Request, change func(ctx context.Context, id, agentID string) (*call.Call, error)) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	agentID, err := a.callAgent(w, r)
	if err != nil {
		return nil, err
	}
	c, err := change(r.Context(), r.PathValue("id"), agentID)
	if err != nil {
		return nil, err
	}
	return toCall(c), nil
}

// noFieldsJSON is the body of a route that takes nothing but, as a POST,
// accepts {} (or an empty body), which clients that always send JSON send.
type noFieldsJSON struct{}

// answerCall is the customer answering an outbound call.
func (a *api) answerCall(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.callChange(w, r, a.svc.AnswerCall)
}

// failCall is the media layer losing the call.
func (a *api) failCall(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.callChange(w, r, a.svc.FailCall)
}

func (a *api) callChange(w http.ResponseWriter, r *http.Request, change func(ctx context.Context, id string) (*call.Call, error)) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in noFieldsJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	c, err := change(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return toCall(c), nil
}

// hangUpJSON is the body of POST /calls/{id}/hangup: who hung up.
type hangUpJSON struct {
	Side opt[string] `json:"side"`
}

// hangUpCall ends the call from one side.
func (a *api) hangUpCall(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in hangUpJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	side := call.Side(in.Side.Value)
	switch {
	case !in.Side.Given():
		return nil, invalid("side", "is required: CUSTOMER or AGENT")
	case !side.Valid():
		return nil, invalid("side", "must be CUSTOMER or AGENT, not %q", in.Side.Value)
	}
	c, err := a.svc.HangUpCall(r.Context(), r.PathValue("id"), side)
	if err != nil {
		return nil, err
	}
	return toCall(c), nil
}

// holdCall puts the customer of the conversation's connected call on hold.
func (a *api) holdCall(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.holdChange(w, r, "Hold", a.svc.HoldCall)
}

// unholdCall takes the customer of the conversation's connected call off
// hold.
func (a *api) unholdCall(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.holdChange(w, r, "Unhold", a.svc.UnholdCall)
}

// holdChange acts on the connected call of the conversation the path
// names (its newest, should it have several). Infobip answers a hold that
// fails with a 400, "Hold action failed." (and "Unhold action failed."),
// and a conversation that does not exist with a 404; so does this route:
// a conversation with no connected call is a 400 PRECONDITION_FAILED, a
// call already on hold (or not on hold, to unhold) a 400 CONFLICT.
func (a *api) holdChange(w http.ResponseWriter, r *http.Request, action string, change func(ctx context.Context, id string) (*call.Call, error)) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	ctx := r.Context()
	convID := r.PathValue("conversationId")
	if _, err := a.svc.GetConversation(forWrite(ctx), convID); err != nil {
		return nil, lookupError(ctx, action+"Call", err)
	}
	page, err := a.svc.ListCalls(forWrite(ctx), storage.CallQuery{
		ConversationID: convID,
		States:         []call.State{call.Connected},
		Paging:         storage.Paging{Limit: storage.MaxLimit, SkipTotal: true},
	})
	if err != nil {
		return nil, lookupError(ctx, action+"Call", err)
	}
	failed := func(code string, err error) error {
		return &answerError{status: http.StatusBadRequest, code: code,
			message: action + " action failed: " + err.Error(), err: err}
	}
	if len(page.Items) == 0 {
		return nil, failed("PRECONDITION_FAILED", call.ErrNoLiveCall)
	}
	if _, err := change(ctx, page.Items[len(page.Items)-1].ID); err != nil {
		if errors.Is(err, call.ErrState) {
			return nil, failed("CONFLICT", err)
		}
		return nil, err
	}
	return statusJSON{Status: "SUCCESS", Message: action + " action successful."}, nil
}
