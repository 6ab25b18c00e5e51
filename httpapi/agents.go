package httpapi

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/httpwire"
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
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	want, err := readAvailability(q)
	if err != nil {
		return nil, err
	}
	aq, order, err := agentQuery(q)
	if err != nil {
		return nil, err
	}
	page, avail, err := a.agentPage(r.Context(), aq, want)
	if err != nil {
		return nil, err
	}
	return listOf("agents", aq.Paging, page, order, agentsWithAvailability(avail)), nil
}

// agentOrders are the orderBy fields of the agent list: Infobip's agent
// properties that parley holds.
var agentOrders = map[string]storage.SortField{
	"id": storage.SortID, "displayName": storage.SortDisplayName, "status": storage.SortStatus,
	"role": storage.SortRole, "enabled": storage.SortEnabled,
	"createdAt": storage.SortCreatedAt, "updatedAt": storage.SortUpdatedAt,
}

// agentQuery reads the filters, order and paging of an agent list, as
// Infobip names them. Repeated keys of agentIds, queueIds, status and role
// mean any of their values.
func agentQuery(q *query) (storage.AgentQuery, string, error) {
	var aq storage.AgentQuery
	if err := q.unsupported(unsupportedAgentFilters); err != nil {
		return aq, "", err
	}
	f := &aq.Filter
	var err error
	f.IDs = q.all("agentIds")
	f.QueueIDs = q.all("queueIds")
	if f.DisplayNameContains, err = q.one("displayName"); err != nil {
		return aq, "", err
	}
	if f.Statuses, err = parseAll(q.all("status"), routing.ParseAgentStatus); err != nil {
		return aq, "", err
	}
	if f.Roles, err = parseAll(q.all("role"), routing.ParseRole); err != nil {
		return aq, "", err
	}
	if f.Enabled, err = q.optBool("enabled"); err != nil {
		return aq, "", err
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"createdAfter", &f.CreatedAfter}, {"createdBefore", &f.CreatedBefore}, {"updatedAfter", &f.UpdatedAfter}, {"updatedBefore", &f.UpdatedBefore}} {
		if *t.dst, err = q.time(t.name); err != nil {
			return aq, "", err
		}
	}
	order, err := q.orderOf("id", agentOrders)
	if err != nil {
		return aq, "", err
	}
	aq.Order = order.Order
	if aq.Paging, err = q.paging(); err != nil {
		return aq, "", err
	}
	if err := q.done(); err != nil {
		return aq, "", err
	}
	return aq, order.wire, aq.Normalize()
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
	if errors.Is(err, parley.ErrAlreadyExists) && q.Name != "" {
		// A store may not tell which unique key was taken: the id, the
		// name, or the default role.
		if _, gerr := a.svc.GetQueue(r.Context(), q.ID); errors.Is(gerr, parley.ErrNotFound) || q.ID == "" {
			if q.Default {
				return nil, httpwire.Tell(err, fmt.Sprintf("Queue with name %q already exists, or another queue is the default.", q.Name))
			}
			return nil, httpwire.Tell(err, fmt.Sprintf("Queue with name %q already exists.", q.Name))
		}
	}
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
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	qq, order, err := queueQuery(q)
	if err != nil {
		return nil, err
	}
	page, err := a.svc.ListQueues(r.Context(), qq)
	if err != nil {
		return nil, err
	}
	return listOf("queues", qq.Paging, page, order, toQueue), nil
}

// queueOrders are the orderBy fields of the queue list: Infobip's queue
// properties that parley holds, and parley's name of auto-assignment.
var queueOrders = map[string]storage.SortField{
	"id": storage.SortID, "name": storage.SortName,
	"isAutoAssignmentEnabled": storage.SortAutoAssignment, "autoAssignment": storage.SortAutoAssignment,
	"isStickyAutoAssignmentEnabled": storage.SortStickyAgent, "stickyAgent": storage.SortStickyAgent,
	"createdAt": storage.SortCreatedAt, "updatedAt": storage.SortUpdatedAt,
}

// queueQuery reads the filters, order and paging of a queue list, as
// Infobip names them. Repeated queueIds mean any of their values; name is
// the queue's whole name (names are unique).
func queueQuery(q *query) (storage.QueueQuery, string, error) {
	var qq storage.QueueQuery
	if err := q.unsupported(unsupportedQueueFilters); err != nil {
		return qq, "", err
	}
	f := &qq.Filter
	var err error
	f.IDs = q.all("queueIds")
	if f.AgentID, err = q.one("agentId"); err != nil {
		return qq, "", err
	}
	if f.Name, err = q.one("name"); err != nil {
		return qq, "", err
	}
	if f.WorkingHoursID, err = q.one("workingHoursId"); err != nil {
		return qq, "", err
	}
	order, err := q.orderOf("id", queueOrders)
	if err != nil {
		return qq, "", err
	}
	qq.Order = order.Order
	if qq.Paging, err = q.paging(); err != nil {
		return qq, "", err
	}
	if err := q.done(); err != nil {
		return qq, "", err
	}
	return qq, order.wire, qq.Normalize()
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
	if err := a.removeMember(r, r.PathValue("id"), r.PathValue("agentId")); err != nil {
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
		var se *storage.Error
		if errors.As(err, &se) && errors.Is(err, parley.ErrNotFound) && se.ID == in.QueueID.Value {
			return nil, httpwire.Tell(err, fmt.Sprintf("Invalid queueId %q given! No such queue exists.", se.ID))
		}
		return nil, err
	}
	return success("Agent added to queue successfully."), nil
}

// removeAgentQueue is removeQueueMember at Infobip's path.
func (a *api) removeAgentQueue(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	if err := a.removeMember(r, r.PathValue("queueId"), r.PathValue("id")); err != nil {
		return nil, err
	}
	return success("Agent removed from queue successfully."), nil
}

// removeMember ends a membership; when there is none, the answer says
// whether the queue is missing or the agent is no member of it.
func (a *api) removeMember(r *http.Request, queueID, agentID string) error {
	_, err := a.svc.RemoveQueueMember(r.Context(), queueID, agentID)
	if errors.Is(err, parley.ErrNotFound) {
		if _, gerr := a.svc.GetQueue(r.Context(), queueID); gerr == nil {
			return httpwire.Tell(err, fmt.Sprintf("Invalid agentId %q given! The agent is no member of queue %q.", agentID, queueID))
		}
	}
	return err
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
