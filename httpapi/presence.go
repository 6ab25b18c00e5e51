package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// The routes of an agent's presence and of the account's call settings:
// the heartbeat, the availability agents are answered and filtered with,
// the ring timeouts and the wrap-up after calls, at Infobip's paths and in
// its shapes.

// statusJSON is the answer Infobip's voice API gives a change it answers
// without a resource: {"status": "SUCCESS", "message": "..."}. (Its
// Conversations API says statusCode; see successJSON.)
type statusJSON struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// heartbeat records that the agent's client is alive and answers as
// Infobip does. An unknown agent is a 404, one of the answers Infobip
// documents for the route.
func (a *api) heartbeat(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	if err := a.svc.Heartbeat(r.Context(), r.PathValue("id")); err != nil {
		return nil, err
	}
	return success("Heartbeat received."), nil
}

// agentStatusJSON is the body of PUT /agents/{id}/status: Infobip's
// AgentStatusRequest.
type agentStatusJSON struct {
	Status opt[string] `json:"status"`
}

// setAgentStatus is Infobip's update-agent-status: the agent's chosen
// status, answered with the agent (its derived availability beside).
func (a *api) setAgentStatus(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in agentStatusJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if !in.Status.Given() {
		return nil, invalid("status", "is required")
	}
	st, err := routing.ParseAgentStatus(in.Status.Value)
	if err != nil {
		return nil, err
	}
	ag, err := a.svc.UpdateAgent(r.Context(), r.PathValue("id"), routing.AgentPatch{Status: &st})
	if err != nil {
		return nil, err
	}
	return a.withAvailability(r.Context(), ag)
}

// forWrite is the context of the reads a route makes to carry out or to
// answer a change: a caller allowed to write (ScopeWrite) may read what
// that change needs (the live call of the conversation it holds, the
// availability of the agent it wrote), though its scopes may not include
// ScopeRead. Any other caller reads with its own scopes.
func forWrite(ctx context.Context) context.Context {
	actor := parley.ActorFrom(ctx)
	if !slices.Contains(actor.Scopes, parley.ScopeWrite) || slices.Contains(actor.Scopes, parley.ScopeRead) {
		return ctx
	}
	actor.Scopes = append(slices.Clone(actor.Scopes), parley.ScopeRead)
	return parley.WithActor(ctx, actor)
}

// lookupError is the error of a read made for a change (see forWrite).
// Such a read is refused for want of a scope only when the caller lacks
// ScopeWrite, which would have let it through; so it is the change's scope
// that is missing, and the error says so.
func lookupError(ctx context.Context, op string, err error) error {
	if errors.Is(err, parley.ErrForbidden) && !slices.Contains(parley.ActorFrom(ctx).Scopes, parley.ScopeWrite) {
		return fmt.Errorf("%s needs scope %s: %w", op, parley.ScopeWrite, parley.ErrForbidden)
	}
	return err
}

// withAvailability answers one agent with its availability now. The
// answers of POST and PATCH /agents carry it too: it is read for the
// agent just written (see forWrite).
func (a *api) withAvailability(ctx context.Context, ag *routing.Agent) (agentJSON, error) {
	av, err := a.svc.AgentAvailability(forWrite(ctx), ag.ID)
	if err != nil {
		return agentJSON{}, err
	}
	out := toAgent(ag)
	out.Availability = string(av.Status)
	return out, nil
}

// agentsWithAvailability converts a page of agents, each with its
// availability from avail; an agent missing from it (deleted meanwhile) is
// INVISIBLE, as routing.AvailabilityOf has it.
func agentsWithAvailability(avail map[string]routing.Availability) func(*routing.Agent) agentJSON {
	return func(ag *routing.Agent) agentJSON {
		out := toAgent(ag)
		out.Availability = string(routing.Invisible)
		if av, ok := avail[ag.ID]; ok {
			out.Availability = string(av.Status)
		}
		return out
	}
}

// readAvailability reads the availability filter of GET /agents: any of
// the given values (a repeated key means any of them).
func readAvailability(q *query) ([]routing.AgentStatus, error) {
	var out []routing.AgentStatus
	for _, s := range q.all("availability") {
		st, err := routing.ParseAgentStatus(s)
		if err != nil {
			return nil, invalid("availability", "unknown value %q: ACTIVE, BUSY, AWAY or INVISIBLE", s)
		}
		if !slices.Contains(out, st) {
			out = append(out, st)
		}
	}
	return out, nil
}

// agentScanChunk is how many agents a filtered list reads at a time.
const agentScanChunk = 200

// agentPage reads the page of agents lq selects with the availability of
// each; with want, only the agents whose availability is one of want.
//
// Availability is computed, not stored, so the filter is applied here: the
// agents the other filters select are read in the list's order from where
// the page starts, and those that
// match are kept until the page is full. The next cursor is that of the
// page's last agent, so that the next page starts right after it: no agent
// is skipped or shown twice (an agent whose availability changes between
// two pages is shown as it is when its page is read). The total, unless
// skipped, counts every match, which reads every agent.
func (a *api) agentPage(ctx context.Context, lq storage.AgentQuery, want []routing.AgentStatus) (storage.Page[*routing.Agent], map[string]routing.Availability, error) {
	if len(want) == 0 {
		page, err := a.svc.ListAgents(ctx, lq)
		if err != nil {
			return page, nil, err
		}
		ids := make([]string, len(page.Items))
		for i, ag := range page.Items {
			ids[i] = ag.ID
		}
		avail, err := a.svc.AgentAvailabilities(ctx, ids...)
		return page, avail, err
	}

	page := storage.Page[*routing.Agent]{Items: []*routing.Agent{}, Total: -1}
	avail := map[string]routing.Availability{}
	skip, more := lq.Offset(), false
	// In page mode the scan starts at the first agent and may count as
	// it goes; after a cursor, the count needs a scan of its own.
	countAlong := !lq.SkipTotal && lq.Cursor == ""
	total := 0
	err := a.scanAgents(ctx, lq, lq.Cursor, func(ag *routing.Agent, av routing.Availability) bool {
		if !slices.Contains(want, av.Status) {
			return true
		}
		total++
		switch {
		case skip > 0:
			skip--
		case len(page.Items) < lq.Limit:
			page.Items = append(page.Items, ag)
			avail[ag.ID] = av
		default:
			more = true
		}
		return !more || countAlong
	})
	if err != nil {
		return page, nil, err
	}
	if more {
		page.NextCursor = lq.CursorAfter(page.Items[len(page.Items)-1])
	}
	switch {
	case lq.SkipTotal:
	case countAlong:
		page.Total = total
	default:
		total = 0
		err = a.scanAgents(ctx, lq, "", func(_ *routing.Agent, av routing.Availability) bool {
			if slices.Contains(want, av.Status) {
				total++
			}
			return true
		})
		page.Total = total
	}
	return page, avail, err
}

// scanAgents calls fn with each agent q's filters select after cursor (""
// for all), in q's order, and its availability, until fn returns false or
// the agents end.
func (a *api) scanAgents(ctx context.Context, q storage.AgentQuery, cursor string, fn func(*routing.Agent, routing.Availability) bool) error {
	for {
		q.Paging = storage.Paging{Limit: agentScanChunk, Cursor: cursor, SkipTotal: true}
		page, err := a.svc.ListAgents(ctx, q)
		if err != nil {
			return err
		}
		ids := make([]string, len(page.Items))
		for i, ag := range page.Items {
			ids[i] = ag.ID
		}
		avail, err := a.svc.AgentAvailabilities(ctx, ids...)
		if err != nil {
			return err
		}
		for _, ag := range page.Items {
			av, ok := avail[ag.ID]
			if !ok {
				continue // deleted since the page was read
			}
			if !fn(ag, av) {
				return nil
			}
		}
		if page.NextCursor == "" || len(page.Items) == 0 {
			return nil
		}
		cursor = page.NextCursor
	}
}

// callTimeoutsInJSON is the body of PUT /call-timeouts: null or absent is
// the default, as Infobip says.
type callTimeoutsInJSON struct {
	Inbound  opt[int] `json:"inbound"`
	Outbound opt[int] `json:"outbound"`
}

// callTimeoutsJSON is Infobip's CallTimeoutApiModel.
type callTimeoutsJSON struct {
	Inbound  int `json:"inbound"`
	Outbound int `json:"outbound"`
}

func toCallTimeouts(t call.Timeouts) callTimeoutsJSON {
	return callTimeoutsJSON{Inbound: t.Inbound, Outbound: t.Outbound}
}

func (a *api) callTimeouts(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	t, err := a.svc.CallTimeouts(r.Context())
	if err != nil {
		return nil, err
	}
	return toCallTimeouts(t), nil
}

func (a *api) setCallTimeouts(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in callTimeoutsInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	// The service reads 0 as the default; on the wire the default is null,
	// and 0 is out of range.
	for _, f := range []struct {
		name string
		v    opt[int]
	}{{"inbound", in.Inbound}, {"outbound", in.Outbound}} {
		if f.v.Given() && f.v.Value == 0 {
			return nil, invalid(f.name, "must be between %d and %d", call.MinTimeout, call.MaxTimeout)
		}
	}
	t, err := a.svc.SetCallTimeouts(r.Context(), call.Timeouts{Inbound: in.Inbound.Value, Outbound: in.Outbound.Value})
	if err != nil {
		return nil, err
	}
	return toCallTimeouts(t), nil
}

// resetCallTimeouts restores the defaults and answers as Infobip does.
func (a *api) resetCallTimeouts(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	if _, err := a.svc.ResetCallTimeouts(r.Context()); err != nil {
		return nil, err
	}
	return statusJSON{Status: "DELETED", Message: "Inbound Call Timeout removed successfully."}, nil
}

// wrapUpConfigInJSON is the body of PUT /account-wrap-up-config; Infobip
// requires every field.
type wrapUpConfigInJSON struct {
	WrapUpSeconds   opt[int]  `json:"wrapUpSeconds"`
	CanExtendWrapUp opt[bool] `json:"canExtendWrapUp"`
	Enabled         opt[bool] `json:"enabled"`
}

// wrapUpConfigJSON is Infobip's AccountWrapUpApiModel.
type wrapUpConfigJSON struct {
	WrapUpSeconds   int  `json:"wrapUpSeconds"`
	CanExtendWrapUp bool `json:"canExtendWrapUp"`
	Enabled         bool `json:"enabled"`
}

func toWrapUpConfig(c call.WrapUpConfig) wrapUpConfigJSON {
	return wrapUpConfigJSON{WrapUpSeconds: c.WrapUpSeconds, CanExtendWrapUp: c.CanExtendWrapUp, Enabled: c.Enabled}
}

func (a *api) wrapUpConfig(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	c, err := a.svc.WrapUpConfig(r.Context())
	if err != nil {
		return nil, err
	}
	return toWrapUpConfig(c), nil
}

func (a *api) setWrapUpConfig(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in wrapUpConfigInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name  string
		given bool
	}{{"wrapUpSeconds", in.WrapUpSeconds.Given()}, {"canExtendWrapUp", in.CanExtendWrapUp.Given()}, {"enabled", in.Enabled.Given()}} {
		if !f.given {
			return nil, invalid(f.name, "is required")
		}
	}
	c, err := a.svc.SetWrapUpConfig(r.Context(), call.WrapUpConfig{
		WrapUpSeconds: in.WrapUpSeconds.Value, CanExtendWrapUp: in.CanExtendWrapUp.Value, Enabled: in.Enabled.Value,
	})
	if err != nil {
		return nil, err
	}
	return toWrapUpConfig(c), nil
}

// agentWrapUpJSON is the body and the answer of PUT
// /agent-configs/{agentId}/wrap-up (Infobip's AgentConfigWrapUpApiModel):
// null defers to the account's wrap-up.
type agentWrapUpJSON struct {
	WrapUpSeconds opt[int] `json:"wrapUpSeconds"`
}

// agentWrapUpOutJSON is the answer: the agent's own length, or null.
type agentWrapUpOutJSON struct {
	WrapUpSeconds *int `json:"wrapUpSeconds"`
}

// setAgentWrapUp sets the agent's own wrap-up length. The body's
// wrapUpSeconds (a number, or null for the account's) is required;
// Infobip's deprecated query parameter of the same name is read when the
// body has none.
func (a *api) setAgentWrapUp(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	fromQuery, err := q.one("wrapUpSeconds")
	if err != nil {
		return nil, err
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	var in agentWrapUpJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	var seconds *int
	switch {
	case in.WrapUpSeconds.Set && fromQuery != "":
		return nil, invalid("wrapUpSeconds", "given both in the body and in the query")
	case in.WrapUpSeconds.Given():
		seconds = &in.WrapUpSeconds.Value
	case in.WrapUpSeconds.Set: // null: the account's
	case fromQuery != "":
		n, err := strconv.Atoi(fromQuery)
		if err != nil {
			return nil, invalid("wrapUpSeconds", "must be an integer, not %q", fromQuery)
		}
		seconds = &n
	default:
		return nil, invalid("wrapUpSeconds", "is required: a number of seconds, or null for the account's")
	}
	ag, err := a.svc.SetAgentCallWrapUp(r.Context(), r.PathValue("agentId"), seconds)
	if err != nil {
		return nil, err
	}
	return agentWrapUpOutJSON{WrapUpSeconds: ag.CallWrapUpSeconds}, nil
}

// extendWrapUp adds seconds to the agent's running wrap-up. Infobip answers
// an agent not wrapping up with a 400, "Agent is not in Wrapping status.",
// and so does this route (code CONFLICT, the refusal's kind).
func (a *api) extendWrapUp(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	raw := r.PathValue("seconds")
	seconds, err := strconv.Atoi(raw)
	if err != nil {
		return nil, invalid("seconds", "must be an integer, not %q", raw)
	}
	if _, err := a.svc.ExtendWrapUp(r.Context(), r.PathValue("agentId"), seconds); err != nil {
		if errors.Is(err, call.ErrState) {
			return nil, &answerError{status: http.StatusBadRequest, code: "CONFLICT",
				message: "Agent is not in Wrapping status.", err: err}
		}
		return nil, err
	}
	return statusJSON{Status: "SUCCESS", Message: "Agent wrap up time added successfully."}, nil
}

// clearWrapUp ends the agent's wrap-up now; an agent not wrapping up is
// left as it is, and the answer is the same.
func (a *api) clearWrapUp(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	if _, err := a.svc.ClearWrapUp(r.Context(), r.PathValue("agentId")); err != nil {
		return nil, err
	}
	return statusJSON{Status: "SUCCESS", Message: "Agent wrap up time cleared successfully."}, nil
}
