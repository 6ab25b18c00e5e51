package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/internal/httpwire"
	"github.com/parleyhq/parley/storage"
)

// conversationFields is the body of POST /conversations and of PUT and
// PATCH /conversations/{id}: the writable fields of a conversation, each
// under its name and, where the second vocabulary has one, its alias. id
// tags and source are for create only, version for updates only. (One flat struct:
// encoding/json would name an embedded struct in its error paths.)
type conversationFields struct {
	ID         opt[string]            `json:"id"`
	Topic      opt[string]            `json:"topic"`
	Subject    opt[string]            `json:"subject"`
	Summary    opt[string]            `json:"summary"`
	Status     opt[string]            `json:"status"`
	Priority   opt[string]            `json:"priority"`
	QueueID    opt[string]            `json:"queueId"`
	InboxID    opt[string]            `json:"inboxId"`
	AgentID    opt[string]            `json:"agentId"`
	AssignedTo opt[string]            `json:"assignedTo"`
	Channel    opt[string]            `json:"channel"`
	Source     opt[string]            `json:"source"`
	CustomerID opt[string]            `json:"customerId"`
	Attributes opt[map[string]string] `json:"attributes"`
	Tags       opt[[]string]          `json:"tags"`
	Version    opt[int64]             `json:"version"`
}

// conversationValues are conversationFields with the aliases merged and the
// enums parsed; each keeps whether it was absent, null or set.
type conversationValues struct {
	topic, summary, queueID, agentID, customerID opt[string]
	status                                       opt[conversation.Status]
	priority                                     opt[conversation.Priority]
	channel                                      opt[conversation.Channel]
	attributes                                   opt[map[string]string]
}

func (f conversationFields) values() (conversationValues, error) {
	var v conversationValues
	var err error
	if v.topic, err = oneOf("topic", f.Topic, "subject", f.Subject); err != nil {
		return v, err
	}
	if v.queueID, err = oneOf("queueId", f.QueueID, "inboxId", f.InboxID); err != nil {
		return v, err
	}
	if v.agentID, err = oneOf("agentId", f.AgentID, "assignedTo", f.AssignedTo); err != nil {
		return v, err
	}
	v.summary, v.customerID, v.attributes = f.Summary, f.CustomerID, f.Attributes
	if v.status, err = parseOpt(f.Status, conversation.ParseStatus); err != nil {
		return v, err
	}
	if v.priority, err = parseOpt(f.Priority, conversation.ParsePriority); err != nil {
		return v, err
	}
	if v.channel, err = parseOpt(f.Channel, conversation.ParseChannel); err != nil {
		return v, err
	}
	return v, nil
}

// parseOpt parses a set value, keeping absent and null as they are.
func parseOpt[T any](o opt[string], parse func(string) (T, error)) (opt[T], error) {
	out := opt[T]{Set: o.Set, Null: o.Null}
	if !o.Given() {
		return out, nil
	}
	v, err := parse(o.Value)
	out.Value = v
	return out, err
}

// conversation is the input of a create: absent and null alike leave a
// field to its default.
func (v conversationValues) conversation() conversation.Conversation {
	return conversation.Conversation{
		Topic:      v.topic.Value,
		Summary:    v.summary.Value,
		Status:     v.status.Value,
		Priority:   v.priority.Value,
		QueueID:    v.queueID.Value,
		AgentID:    v.agentID.Value,
		Channel:    v.channel.Value,
		CustomerID: v.customerID.Value,
		Attributes: v.attributes.Value,
	}
}

// replacement is the patch of a PUT: every replaceable field is set, an
// absent or null one to its default or to empty.
func (v conversationValues) replacement() conversation.Patch {
	c := v.conversation()
	if c.Status == "" {
		c.Status = conversation.Open
	}
	if c.Priority == "" {
		c.Priority = conversation.Normal
	}
	if c.Channel == "" {
		c.Channel = conversation.NoChannel
	}
	if c.Attributes == nil {
		c.Attributes = map[string]string{}
	}
	return conversation.Patch{
		Topic: &c.Topic, Summary: &c.Summary, Status: &c.Status, Priority: &c.Priority,
		QueueID: &c.QueueID, AgentID: &c.AgentID, Channel: &c.Channel,
		CustomerID: &c.CustomerID, Attributes: c.Attributes,
	}
}

// patch is the patch of a PATCH: an absent field is left alone; null
// clears a text field, the queue, the assignee or the attributes, and is
// refused for status, priority and channel, which cannot be empty.
func (v conversationValues) patch(f conversationFields) (conversation.Patch, error) {
	var p conversation.Patch
	for _, s := range []struct {
		o   opt[string]
		dst **string
	}{{v.topic, &p.Topic}, {v.summary, &p.Summary}, {v.queueID, &p.QueueID}, {v.agentID, &p.AgentID}, {v.customerID, &p.CustomerID}} {
		if s.o.Set {
			val := s.o.Value
			*s.dst = &val
		}
	}
	for _, e := range []struct {
		name string
		o    opt[string]
	}{{"status", f.Status}, {"priority", f.Priority}, {"channel", f.Channel}} {
		if e.o.Null {
			return p, invalid(e.name, "must not be null")
		}
	}
	if v.status.Set {
		p.Status = &v.status.Value
	}
	if v.priority.Set {
		p.Priority = &v.priority.Value
	}
	if v.channel.Set {
		p.Channel = &v.channel.Value
	}
	if v.attributes.Set {
		p.Attributes = v.attributes.Value
		if p.Attributes == nil {
			p.Attributes = map[string]string{}
		}
	}
	return p, nil
}

// ifVersion reads the optional version of an update body.
func ifVersion(o opt[int64]) (int64, error) {
	if !o.Set {
		return 0, nil
	}
	if o.Null || o.Value < 1 {
		return 0, invalid("version", "must be a version number (1 or more)")
	}
	return o.Value, nil
}

func (a *api) createConversation(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in conversationFields
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if in.Version.Set {
		return nil, invalid("version", "is set by the server on create")
	}
	v, err := in.values()
	if err != nil {
		return nil, err
	}
	c := v.conversation()
	c.ID = in.ID.Value
	c.Tags = in.Tags.Value
	if in.Source.Given() {
		if c.Source, err = conversation.ParseSource(in.Source.Value); err != nil {
			return nil, err
		}
	}
	out, err := a.svc.CreateConversation(r.Context(), c)
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", a.base+"/conversations/"+url.PathEscape(out.ID))
	return toConversation(out), nil
}

func (a *api) getConversation(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	c, err := a.svc.GetConversation(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return toConversation(c), nil
}

func (a *api) replaceConversation(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.updateConversation(w, r, true)
}

func (a *api) patchConversation(w http.ResponseWriter, r *http.Request) (any, error) {
	return a.updateConversation(w, r, false)
}

func (a *api) updateConversation(w http.ResponseWriter, r *http.Request, replace bool) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in conversationFields
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if in.ID.Set {
		return nil, invalid("id", "cannot be changed")
	}
	if in.Tags.Set {
		return nil, invalid("tags", "are changed with POST and DELETE /conversations/{id}/tags")
	}
	if in.Source.Set {
		return nil, invalid("source", "cannot be changed: it is how the conversation came in")
	}
	v, err := in.values()
	if err != nil {
		return nil, err
	}
	var p conversation.Patch
	if replace {
		p = v.replacement()
	} else if p, err = v.patch(in); err != nil {
		return nil, err
	}
	if p.IfVersion, err = ifVersion(in.Version); err != nil {
		return nil, err
	}
	if p.IfVersion, err = ifMatch(r, p.IfVersion); err != nil {
		return nil, err
	}
	c, err := a.svc.UpdateConversation(r.Context(), r.PathValue("id"), p)
	if err != nil {
		return nil, err
	}
	return toConversation(c), nil
}

// deleteJSON is the optional body of DELETE /conversations/{id}.
type deleteJSON struct {
	Reason opt[string] `json:"reason"`
}

func (a *api) deleteConversation(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	reason, err := q.one("reason")
	if err != nil {
		return nil, err
	}
	if err := q.done(); err != nil {
		return nil, err
	}
	var in deleteJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if in.Reason.Given() {
		if reason != "" {
			return nil, invalid("reason", "given both in the body and in the query")
		}
		reason = in.Reason.Value
	}
	return nil, a.svc.DeleteConversation(r.Context(), r.PathValue("id"), reason)
}

// assigneeJSON is the body of PUT /conversations/{id}/assignee.
type assigneeJSON struct {
	AgentID    opt[string] `json:"agentId"`
	AssignedTo opt[string] `json:"assignedTo"`
}

func (a *api) assignConversation(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in assigneeJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	agent, err := oneOf("agentId", in.AgentID, "assignedTo", in.AssignedTo)
	if err != nil {
		return nil, err
	}
	if !agent.Given() || agent.Value == "" {
		return nil, invalid("agentId", "is required (DELETE the assignee to unassign)")
	}
	c, err := a.svc.AssignConversation(r.Context(), r.PathValue("id"), agent.Value)
	if err != nil {
		return nil, err
	}
	return toConversation(c), nil
}

func (a *api) unassignConversation(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	c, err := a.svc.UnassignConversation(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return toConversation(c), nil
}

// tagNameJSON is the body of POST /conversations/{id}/tags and POST /tags;
// either name is accepted in either place.
type tagNameJSON struct {
	TagName opt[string] `json:"tagName"`
	Name    opt[string] `json:"name"`
}

func (in tagNameJSON) name() (string, error) {
	n, err := oneOf("tagName", in.TagName, "name", in.Name)
	return n.Value, err
}

func (a *api) addTag(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	var in tagNameJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	name, err := in.name()
	if err != nil {
		return nil, err
	}
	c, err := a.svc.AddTag(r.Context(), r.PathValue("id"), name)
	if err != nil {
		return nil, err
	}
	setETag(w, c.Version)
	return success("Tag added to conversation successfully."), nil
}

func (a *api) removeTag(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r); err != nil {
		return nil, err
	}
	id, name := r.PathValue("id"), r.PathValue("tagName")
	c, err := a.svc.RemoveTag(r.Context(), id, name)
	if errors.Is(err, parley.ErrNotFound) {
		if _, gerr := a.svc.GetConversation(r.Context(), id); gerr == nil {
			// The conversation is there: it has no such tag.
			return nil, httpwire.Tell(err, fmt.Sprintf("Invalid tagName %q given! Conversation %q has no such tag.", name, id))
		}
	}
	if err != nil {
		return nil, err
	}
	setETag(w, c.Version)
	return success("Tag removed successfully."), nil
}

// conversationOrders are the fields a conversation list can be ordered by.
var conversationOrders = []storage.SortField{storage.SortCreatedAt, storage.SortUpdatedAt, storage.SortPriority, storage.SortID}

func (a *api) listConversations(w http.ResponseWriter, r *http.Request) (any, error) {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return nil, err
	}
	cq, err := conversationQuery(q)
	if err != nil {
		return nil, err
	}
	page, err := a.svc.ListConversations(r.Context(), cq)
	if err != nil {
		return nil, err
	}
	return listOf("conversations", cq.Paging, page, cq.Order.String(), toConversation), nil
}

// conversationQuery reads the filters, order and paging of a conversation
// list. Repeated keys of the any-of filters (status, priority, queueIds,
// channel, source, conversationIds or ids) mean any of their values;
// repeated tagNames (or tag) means all of them, as the contract's tag
// filter is all-of.
func conversationQuery(q *query) (storage.ConversationQuery, error) {
	var cq storage.ConversationQuery
	f := &cq.Filter
	var err error
	f.IDs = q.all("conversationIds", "ids", "id")
	if f.Statuses, err = parseAll(q.all("status"), conversation.ParseStatus); err != nil {
		return cq, err
	}
	if f.Priorities, err = parseAll(q.all("priority"), conversation.ParsePriority); err != nil {
		return cq, err
	}
	if f.Channels, err = parseAll(q.all("channel"), conversation.ParseChannel); err != nil {
		return cq, err
	}
	if f.Sources, err = parseAll(q.all("source"), conversation.ParseSource); err != nil {
		return cq, err
	}
	f.QueueIDs = q.all("queueIds", "queueId", "inboxId")
	if f.AgentID, err = q.one("agentId", "assignedTo"); err != nil {
		return cq, err
	}
	if f.Unassigned, err = q.bool("unassigned"); err != nil {
		return cq, err
	}
	f.Tags = q.all("tagNames", "tag", "tags")
	if f.CustomerID, err = q.one("customerId"); err != nil {
		return cq, err
	}
	if f.TopicContains, err = q.one("topic", "subject"); err != nil {
		return cq, err
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"createdAfter", &f.CreatedAfter}, {"createdBefore", &f.CreatedBefore}, {"updatedAfter", &f.UpdatedAfter}, {"updatedBefore", &f.UpdatedBefore},
		{"closedAfter", &f.ClosedAfter}, {"closedBefore", &f.ClosedBefore}} {
		if *t.dst, err = q.time(t.name); err != nil {
			return cq, err
		}
	}
	if cq.Order, err = q.order(storage.DefaultConversationOrder, conversationOrders...); err != nil {
		return cq, err
	}
	if cq.Paging, err = q.paging(); err != nil {
		return cq, err
	}
	if err := q.done(); err != nil {
		return cq, err
	}
	// Normalize now, so the pagination block shows the limit in force.
	return cq, cq.Normalize()
}

// parseAll parses every value of an any-of filter.
func parseAll[T any](values []string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, s := range values {
		v, err := parse(s)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// noQuery refuses query parameters on a route that takes none.
func (a *api) noQuery(r *http.Request) error {
	q, err := a.newQuery(r.URL)
	if err != nil {
		return err
	}
	return q.done()
}
