package httpapi

import (
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// agentInJSON is the body of POST and PATCH /agents.
type agentInJSON struct {
	ID            opt[string] `json:"id"`
	DisplayName   opt[string] `json:"displayName"`
	Role          opt[string] `json:"role"`
	Status        opt[string] `json:"status"`
	Enabled       opt[bool]   `json:"enabled"`
	Capacity      opt[int]    `json:"capacity"`
	WrapUpSeconds opt[int]    `json:"wrapUpSeconds"`
}

func (a *api) createAgent(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in agentInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	ag := routing.Agent{
		ID:            in.ID.Value,
		DisplayName:   in.DisplayName.Value,
		Disabled:      in.Enabled.Given() && !in.Enabled.Value,
		Capacity:      in.Capacity.Value,
		WrapUpSeconds: in.WrapUpSeconds.Value,
	}
	var err error
	if in.Role.Given() {
		if ag.Role, err = routing.ParseRole(in.Role.Value); err != nil {
			return nil, err
		}
	}
	if in.Status.Given() {
		if ag.Status, err = routing.ParseAgentStatus(in.Status.Value); err != nil {
			return nil, err
		}
	}
	out, err := a.svc.CreateAgent(r.Context(), ag)
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", a.base+"/agents/"+url.PathEscape(out.ID))
	return a.withAvailability(r.Context(), out)
}

func (a *api) getAgent(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	ag, err := a.svc.GetAgent(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return a.withAvailability(r.Context(), ag)
}

// patchAgent changes the fields the body gives; none of an agent's fields
// can be cleared, so null is refused.
func (a *api) patchAgent(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in agentInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if in.ID.Set {
		return nil, invalid("id", "cannot be changed")
	}
	if err := notNull(map[string]bool{
		"displayName": in.DisplayName.Null, "role": in.Role.Null, "status": in.Status.Null,
		"enabled": in.Enabled.Null, "capacity": in.Capacity.Null, "wrapUpSeconds": in.WrapUpSeconds.Null,
	}); err != nil {
		return nil, err
	}
	var p routing.AgentPatch
	if in.DisplayName.Set {
		p.DisplayName = &in.DisplayName.Value
	}
	if in.Role.Set {
		role, err := routing.ParseRole(in.Role.Value)
		if err != nil {
			return nil, err
		}
		p.Role = &role
	}
	if in.Status.Set {
		st, err := routing.ParseAgentStatus(in.Status.Value)
		if err != nil {
			return nil, err
		}
		p.Status = &st
	}
	if in.Enabled.Set {
		disabled := !in.Enabled.Value
		p.Disabled = &disabled
	}
	if in.Capacity.Set {
		p.Capacity = &in.Capacity.Value
	}
	if in.WrapUpSeconds.Set {
		p.WrapUpSeconds = &in.WrapUpSeconds.Value
	}
	ag, err := a.svc.UpdateAgent(r.Context(), r.PathValue("id"), p)
	if err != nil {
		return nil, err
	}
	return a.withAvailability(r.Context(), ag)
}

// listAgents lists agents with their availability; availability=...
// (any of the values) keeps the agents whose availability is one of them.
func (a *api) listAgents(w http.ResponseWriter, r *http.Request) (any, error) {
	var want []routing.AgentStatus
	lq, order, err := a.idListQuery(r, unsupportedAgentFilters, func(q *query) (err error) {
		want, err = readAvailability(q)
		return err
	})
	if err != nil {
		return nil, err
	}
	page, avail, err := a.agentPage(r.Context(), lq, want)
	if err != nil {
		return nil, err
	}
	return listOf("agents", lq.Paging, page, order, agentsWithAvailability(avail)), nil
}

// queueInJSON is the body of POST and PATCH /queues.
type queueInJSON struct {
	ID             opt[string] `json:"id"`
	Name           opt[string] `json:"name"`
	AutoAssignment opt[bool]   `json:"autoAssignment"`
	// IsAutoAssignmentEnabled is Infobip's name of autoAssignment.
	IsAutoAssignmentEnabled opt[bool]   `json:"isAutoAssignmentEnabled"`
	Strategy                opt[string] `json:"strategy"`
	StickyAgent             opt[bool]   `json:"stickyAgent"`
	StickyTimeout           opt[int]    `json:"stickyTimeout"`
	MaxWaitSeconds          opt[int]    `json:"maxWaitSeconds"`
	OverflowQueueID         opt[string] `json:"overflowQueueId"`
	Default                 opt[bool]   `json:"default"`
	WorkingHoursID          opt[string] `json:"workingHoursId"`
	AutoAssignOutside       opt[bool]   `json:"isAutoAssignmentOutsideOfWorkingHoursEnabled"`
}

func (a *api) createQueue(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in queueInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	var err error
	if in.AutoAssignment, err = oneOf("autoAssignment", in.AutoAssignment, "isAutoAssignmentEnabled", in.IsAutoAssignmentEnabled); err != nil {
		return nil, err
	}
	q := routing.Queue{
		ID:                   in.ID.Value,
		Name:                 in.Name.Value,
		AutoAssignment:       in.AutoAssignment.Value,
		StickyAgent:          in.StickyAgent.Value,
		StickyTimeoutSeconds: in.StickyTimeout.Value,
		MaxWaitSeconds:       in.MaxWaitSeconds.Value,
		OverflowQueueID:      in.OverflowQueueID.Value,
		Default:              in.Default.Value,
		WorkingHoursID:       in.WorkingHoursID.Value,
		AutoAssignOutside:    in.AutoAssignOutside.Value,
	}
	if in.Strategy.Given() {
		var err error
		if q.Strategy, err = routing.ParseStrategy(in.Strategy.Value); err != nil {
			return nil, err
		}
	}
	out, err := a.svc.CreateQueue(r.Context(), q)
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", a.base+"/queues/"+url.PathEscape(out.ID))
	return toQueue(out), nil
}

func (a *api) getQueue(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	q, err := a.svc.GetQueue(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return toQueue(q), nil
}

// patchQueue changes the fields the body gives; null removes the overflow
// queue and is refused for the other fields, which cannot be cleared.
func (a *api) patchQueue(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in queueInJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if in.ID.Set {
		return nil, invalid("id", "cannot be changed")
	}
	var err error
	if in.AutoAssignment, err = oneOf("autoAssignment", in.AutoAssignment, "isAutoAssignmentEnabled", in.IsAutoAssignmentEnabled); err != nil {
		return nil, err
	}
	if err := notNull(map[string]bool{
		"name": in.Name.Null, "autoAssignment": in.AutoAssignment.Null, "strategy": in.Strategy.Null,
		"stickyAgent": in.StickyAgent.Null, "stickyTimeout": in.StickyTimeout.Null,
		"maxWaitSeconds": in.MaxWaitSeconds.Null, "default": in.Default.Null,
		"isAutoAssignmentOutsideOfWorkingHoursEnabled": in.AutoAssignOutside.Null,
	}); err != nil {
		return nil, err
	}
	var p routing.QueuePatch
	if in.WorkingHoursID.Set {
		p.WorkingHoursID = &in.WorkingHoursID.Value // null removes them
	}
	if in.AutoAssignOutside.Set {
		p.AutoAssignOutside = &in.AutoAssignOutside.Value
	}
	if in.Name.Set {
		p.Name = &in.Name.Value
	}
	if in.AutoAssignment.Set {
		p.AutoAssignment = &in.AutoAssignment.Value
	}
	if in.Strategy.Set {
		st, err := routing.ParseStrategy(in.Strategy.Value)
		if err != nil {
			return nil, err
		}
		p.Strategy = &st
	}
	if in.StickyAgent.Set {
		p.StickyAgent = &in.StickyAgent.Value
	}
	if in.StickyTimeout.Set {
		p.StickyTimeoutSeconds = &in.StickyTimeout.Value
	}
	if in.MaxWaitSeconds.Set {
		p.MaxWaitSeconds = &in.MaxWaitSeconds.Value
	}
	if in.OverflowQueueID.Set {
		p.OverflowQueueID = &in.OverflowQueueID.Value
	}
	if in.Default.Set {
		p.Default = &in.Default.Value
	}
	q, err := a.svc.UpdateQueue(r.Context(), r.PathValue("id"), p)
	if err != nil {
		return nil, err
	}
	return toQueue(q), nil
}

func (a *api) listQueues(w http.ResponseWriter, r *http.Request) (any, error) {
	lq, order, err := a.idListQuery(r, unsupportedQueueFilters, nil)
	if err != nil {
		return nil, err
	}
	page, err := a.svc.ListQueues(r.Context(), lq)
	if err != nil {
		return nil, err
	}
	return listOf("queues", lq.Paging, page, order, toQueue), nil
}

// memberJSON is the body of POST /queues/{id}/agents.
type memberJSON struct {
	AgentID opt[string] `json:"agentId"`
}

// addQueueMember makes an agent a member and answers as Infobip does, with
// {"statusCode": "SUCCESS", "message": ...}.
func (a *api) addQueueMember(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in memberJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if _, err := a.svc.AddQueueMember(r.Context(), r.PathValue("id"), in.AgentID.Value); err != nil {
		return nil, err
	}
	return success("Agent added to queue successfully."), nil
}

// removeQueueMember ends a membership and answers as Infobip does.
func (a *api) removeQueueMember(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	if _, err := a.svc.RemoveQueueMember(r.Context(), r.PathValue("id"), r.PathValue("agentId")); err != nil {
		return nil, err
	}
	return success("Agent removed from queue successfully."), nil
}

// agentQueueJSON is the body of POST /agents/{id}/queues, Infobip's way to
// make an agent a member of a queue.
type agentQueueJSON struct {
	QueueID opt[string] `json:"queueId"`
}

// addAgentQueue is addQueueMember at Infobip's path.
func (a *api) addAgentQueue(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in agentQueueJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if !in.QueueID.Given() {
		return nil, invalid("queueId", "is required")
	}
	if _, err := a.svc.AddQueueMember(r.Context(), in.QueueID.Value, r.PathValue("id")); err != nil {
		return nil, err
	}
	return success("Agent added to queue successfully."), nil
}

// removeAgentQueue is removeQueueMember at Infobip's path.
func (a *api) removeAgentQueue(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	if _, err := a.svc.RemoveQueueMember(r.Context(), r.PathValue("queueId"), r.PathValue("id")); err != nil {
		return nil, err
	}
	return success("Agent removed from queue successfully."), nil
}

// idListQuery reads the paging of a list in id order (agents, queues),
// the filters that filters reads (when not nil), and refuses the Infobip
// filters it does not support.
func (a *api) idListQuery(r *http.Request, unsupported []string, filters func(*query) error) (storage.ListQuery, string, error) {
	var lq storage.ListQuery
	q, err := a.newQuery(r.URL)
	if err != nil {
		return lq, "", err
	}
	if err := q.unsupported(unsupported); err != nil {
		return lq, "", err
	}
	if filters != nil {
		if err := filters(q); err != nil {
			return lq, "", err
		}
	}
	order, err := q.order(storage.Order{Field: storage.SortID}, storage.SortID)
	if err != nil {
		return lq, "", err
	}
	if order.Desc {
		return lq, "", invalid("orderBy", "this list is ordered by id ascending only")
	}
	if lq.Paging, err = q.paging(); err != nil {
		return lq, "", err
	}
	if err := q.done(); err != nil {
		return lq, "", err
	}
	return lq, order.String(), lq.Normalize()
}

// notNull refuses null for the named fields that were null.
func notNull(nulls map[string]bool) error {
	for _, name := range slices.Sorted(maps.Keys(nulls)) {
		if nulls[name] {
			return invalid(name, "must not be null")
		}
	}
	return nil
}
