package helpdesk

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/internal/httpwire"
	"github.com/parleyhq/parley/storage"
)

type opt[T any] = httpwire.Opt[T]

// createJSON is the body of POST /conversations.
type createJSON struct {
	Subject    opt[string]          `json:"subject"`
	InboxID    opt[string]          `json:"inboxId"`
	CustomerID opt[json.RawMessage] `json:"customerId"`
	Channel    opt[string]          `json:"channel"`
	Priority   opt[string]          `json:"priority"`
	Source     opt[string]          `json:"source"`
}

// updateJSON is the body of PUT /conversations/{id}: the seed's fields
// (subject, status, priority, assignedTo), parley's (inboxId, customerId,
// channel), and the fields of the object this API answers that no update
// changes (_id, source, createdAt, updatedAt), taken and ignored so that
// an object read can be sent back whole.
type updateJSON struct {
	Subject    opt[string]          `json:"subject"`
	Status     opt[string]          `json:"status"`
	Priority   opt[string]          `json:"priority"`
	AssignedTo opt[json.RawMessage] `json:"assignedTo"`
	InboxID    opt[string]          `json:"inboxId"`
	CustomerID opt[json.RawMessage] `json:"customerId"`
	Channel    opt[string]          `json:"channel"`

	ID        opt[json.RawMessage] `json:"_id"`
	Source    opt[json.RawMessage] `json:"source"`
	CreatedAt opt[json.RawMessage] `json:"createdAt"`
	UpdatedAt opt[json.RawMessage] `json:"updatedAt"`
}

// reasonJSON is the body of DELETE /conversations/{id}.
type reasonJSON struct {
	Reason opt[string] `json:"reason"`
}

// reference reads a reference field: an id, or the populated object this
// API answers ({"_id": ...}, whose other keys are the referenced entity's
// and ignored). null, and an empty id, are "none".
func reference(field string, o opt[json.RawMessage]) (string, error) {
	if !o.Given() {
		return "", nil
	}
	raw := bytes.TrimSpace(o.Value)
	var id string
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &id); err != nil {
			return "", httpwire.Invalid(field, "must be an id or an object with an _id")
		}
		return id, nil
	}
	var obj struct {
		ID *string `json:"_id"`
	}
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &obj) != nil || obj.ID == nil {
		return "", httpwire.Invalid(field, "must be an id or an object with an _id")
	}
	return *obj.ID, nil
}

// required reads a text field that must be given and not empty.
func required(field string, o opt[string]) (string, error) {
	if !o.Given() || o.Value == "" {
		return "", httpwire.Invalid(field, "is required")
	}
	return o.Value, nil
}

// parseOpt parses a set value; absent and null are the zero value.
func parseOpt[T any](o opt[string], parse func(string) (T, error)) (T, error) {
	var zero T
	if !o.Given() {
		return zero, nil
	}
	return parse(o.Value)
}

func (a *api) createConversation(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r.URL); err != nil {
		return nil, err
	}
	var in createJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	var c conversation.Conversation
	var err error
	if c.Topic, err = required("subject", in.Subject); err != nil {
		return nil, err
	}
	if c.QueueID, err = required("inboxId", in.InboxID); err != nil {
		return nil, err
	}
	if c.CustomerID, err = reference("customerId", in.CustomerID); err != nil {
		return nil, err
	}
	c.Channel, c.Priority = conversation.Email, conversation.Normal // the seed's defaults
	if in.Channel.Given() {
		if c.Channel, err = conversation.ParseChannel(in.Channel.Value); err != nil {
			return nil, err
		}
	}
	if in.Priority.Given() {
		if c.Priority, err = conversation.ParsePriority(in.Priority.Value); err != nil {
			return nil, err
		}
	}
	if c.Source, err = parseOpt(in.Source, conversation.ParseSource); err != nil {
		return nil, err
	}
	out, err := a.svc.CreateConversation(r.Context(), c, parley.KnownCustomer())
	if err != nil {
		return nil, err
	}
	w.Header().Set("Location", a.base+"/conversations/"+url.PathEscape(out.ID))
	return a.answer(r.Context(), out)
}

func (a *api) getConversation(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r.URL); err != nil {
		return nil, err
	}
	c, err := a.svc.GetConversation(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return a.answer(r.Context(), c)
}

func (a *api) updateConversation(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r.URL); err != nil {
		return nil, err
	}
	var in updateJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	p, err := in.patch()
	if err != nil {
		return nil, err
	}
	c, err := a.svc.UpdateConversation(r.Context(), r.PathValue("id"), p, parley.KnownCustomer())
	if err != nil {
		return nil, err
	}
	return a.answer(r.Context(), c)
}

// patch is the update's patch: an absent field is left as it is; null
// unassigns (assignedTo), takes the conversation out of its inbox
// (inboxId) or clears its customer (customerId), and is a 400 for subject,
// status, priority and channel.
func (in updateJSON) patch() (conversation.Patch, error) {
	var p conversation.Patch
	for _, f := range []struct {
		name string
		o    opt[string]
	}{{"subject", in.Subject}, {"status", in.Status}, {"priority", in.Priority}, {"channel", in.Channel}} {
		if f.o.Null {
			return p, httpwire.Invalid(f.name, "must not be null")
		}
	}
	if in.Subject.Set {
		p.Topic = &in.Subject.Value
	}
	var err error
	if in.Status.Set {
		s, err := conversation.ParseStatus(in.Status.Value)
		if err != nil {
			return p, err
		}
		p.Status = &s
	}
	if in.Priority.Set {
		pr, err := conversation.ParsePriority(in.Priority.Value)
		if err != nil {
			return p, err
		}
		p.Priority = &pr
	}
	if in.Channel.Set {
		ch, err := conversation.ParseChannel(in.Channel.Value)
		if err != nil {
			return p, err
		}
		p.Channel = &ch
	}
	if in.AssignedTo.Set {
		var agent string
		if agent, err = reference("assignedTo", in.AssignedTo); err != nil {
			return p, err
		}
		p.AgentID = &agent
	}
	if in.CustomerID.Set {
		var cust string
		if cust, err = reference("customerId", in.CustomerID); err != nil {
			return p, err
		}
		p.CustomerID = &cust
	}
	if in.InboxID.Set {
		inbox := in.InboxID.Value
		p.QueueID = &inbox
	}
	return p, nil
}

func (a *api) deleteConversation(w http.ResponseWriter, r *http.Request) (any, error) {
	if err := a.noQuery(r.URL); err != nil {
		return nil, err
	}
	var in reasonJSON
	if err := a.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if err := a.svc.DeleteConversation(r.Context(), r.PathValue("id"), in.Reason.Value); err != nil {
		return nil, err
	}
	return messageJSON{Success: true, Message: "Conversation deleted"}, nil
}

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
	p, err := a.populate(r.Context(), page.Items...)
	if err != nil {
		return nil, err
	}
	data := make([]conversationJSON, 0, len(page.Items))
	for _, c := range page.Items {
		data = append(data, p.conversation(c))
	}
	return listJSON{Success: true, Data: data, Pagination: pagination(cq.Paging, page.Total)}, nil
}

// conversationQuery reads the list's filters (status, priority,
// assignedTo, inboxId, customerId, and parley's channel and source), one
// value each, and its 1-based paging; newest first.
func conversationQuery(q *query) (storage.ConversationQuery, error) {
	var cq storage.ConversationQuery
	f := &cq.Filter
	status, err := parsed(q, "status", conversation.ParseStatus)
	if err != nil {
		return cq, err
	}
	priority, err := parsed(q, "priority", conversation.ParsePriority)
	if err != nil {
		return cq, err
	}
	channel, err := parsed(q, "channel", conversation.ParseChannel)
	if err != nil {
		return cq, err
	}
	source, err := parsed(q, "source", conversation.ParseSource)
	if err != nil {
		return cq, err
	}
	inbox, err := q.one("inboxId")
	if err != nil {
		return cq, err
	}
	if f.AgentID, err = q.one("assignedTo"); err != nil {
		return cq, err
	}
	if f.CustomerID, err = q.one("customerId"); err != nil {
		return cq, err
	}
	if cq.Paging, err = q.paging(); err != nil {
		return cq, err
	}
	if err := q.done(); err != nil {
		return cq, err
	}
	f.Statuses = one(status)
	f.Priorities = one(priority)
	f.Channels = one(channel)
	f.Sources = one(source)
	f.QueueIDs = one(inbox)
	return cq, nil
}

// one is the any-of list of a filter given one value: none for the zero
// value.
func one[T comparable](v T) []T {
	var zero T
	if v == zero {
		return nil
	}
	return []T{v}
}
