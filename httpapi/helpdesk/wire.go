package helpdesk

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/internal/httpwire"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// wireTime writes a time as both adapters do: UTC, milliseconds,
// 2006-01-02T15:04:05.000+00:00.
type wireTime time.Time

// MarshalJSON implements json.Marshaler.
func (t wireTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(httpwire.TimeLayout) + `"`), nil
}

// nullString is a string that is null when empty.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// dataJSON is the answer of every call that returns one resource.
type dataJSON struct {
	Success bool `json:"success"`
	Data    any  `json:"data"`
}

// listJSON is the answer of every list.
type listJSON struct {
	Success    bool           `json:"success"`
	Data       any            `json:"data"`
	Pagination paginationJSON `json:"pagination"`
}

// paginationJSON is a list's pagination block; page is 1-based.
type paginationJSON struct {
	Total      int `json:"total"`
	Page       int `json:"page"`
	Limit      int `json:"limit"`
	TotalPages int `json:"totalPages"`
}

func pagination(p storage.Paging, total int) paginationJSON {
	return paginationJSON{Total: total, Page: p.Page + 1, Limit: p.Limit, TotalPages: (total + p.Limit - 1) / p.Limit}
}

// messageJSON is the answer of a delete.
type messageJSON struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

// errorJSON is the body of every error answer: success false, the message,
// parley's code and, for a 400 that has one, the field at fault.
type errorJSON struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
}

// conversationJSON is a conversation in this API's words, its customer
// and assignee populated.
type conversationJSON struct {
	ID         string   `json:"_id"`
	Subject    string   `json:"subject"`
	Status     string   `json:"status"`
	Priority   string   `json:"priority"`
	CustomerID any      `json:"customerId"` // customerJSON, refJSON or null
	AssignedTo any      `json:"assignedTo"` // agentJSON, refJSON or null
	InboxID    *string  `json:"inboxId"`
	Channel    string   `json:"channel"`
	Source     string   `json:"source"`
	CreatedAt  wireTime `json:"createdAt"`
	UpdatedAt  wireTime `json:"updatedAt"`
}

// refJSON is a reference that could not be populated: the customer or
// agent does not exist, or the actor may not read it.
type refJSON struct {
	ID string `json:"_id"`
}

// customerJSON is a customer, as the customer routes answer it and as a
// conversation's customerId is populated.
type customerJSON struct {
	ID         string            `json:"_id"`
	Name       *string           `json:"name"`
	Email      *string           `json:"email"`
	Phone      *string           `json:"phone"`
	Attributes map[string]string `json:"attributes"`
	CreatedAt  wireTime          `json:"createdAt"`
	UpdatedAt  wireTime          `json:"updatedAt"`
}

func toCustomer(c *customer.Customer) customerJSON {
	attrs := maps.Clone(c.Attributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	return customerJSON{
		ID:         c.ID,
		Name:       nullString(c.Name),
		Email:      nullString(c.Email),
		Phone:      nullString(c.Phone),
		Attributes: attrs,
		CreatedAt:  wireTime(c.CreatedAt),
		UpdatedAt:  wireTime(c.UpdatedAt),
	}
}

// agentJSON is an agent as a conversation's assignedTo is populated.
type agentJSON struct {
	ID      string `json:"_id"`
	Name    string `json:"name"`
	Role    string `json:"role"`
	Status  string `json:"status"`
	Enabled bool   `json:"enabled"`
}

func toAgent(a *routing.Agent) agentJSON {
	return agentJSON{ID: a.ID, Name: a.DisplayName, Role: string(a.Role), Status: string(a.Status), Enabled: !a.Disabled}
}

// people are the customers and agents of some conversations, by id; an id
// that could not be read is absent.
type people struct {
	customers map[string]*customer.Customer
	agents    map[string]*routing.Agent
}

// populate reads the customers and assignees of cs: the customers in one
// list, the agents in another (the agentIds filter). A reference the actor
// may not read (a key with write:conversations alone, answering its own
// write) or that names nothing is left unpopulated, never an error.
func (a *api) populate(ctx context.Context, cs ...*conversation.Conversation) (people, error) {
	p := people{customers: map[string]*customer.Customer{}, agents: map[string]*routing.Agent{}}
	var customerIDs, agentIDs []string
	for _, c := range cs {
		if c.CustomerID != "" && !slices.Contains(customerIDs, c.CustomerID) {
			customerIDs = append(customerIDs, c.CustomerID)
		}
		if c.AgentID != "" && !slices.Contains(agentIDs, c.AgentID) {
			agentIDs = append(agentIDs, c.AgentID)
		}
	}
	unreadable := func(err error) bool {
		return errors.Is(err, parley.ErrForbidden) || errors.Is(err, parley.ErrNotFound)
	}
	if len(customerIDs) > 0 {
		page, err := a.svc.ListCustomers(ctx, storage.CustomerQuery{
			Filter: storage.CustomerFilter{IDs: customerIDs},
			Paging: storage.Paging{Limit: len(customerIDs), SkipTotal: true},
		})
		switch {
		case err == nil:
			for _, c := range page.Items {
				p.customers[c.ID] = c
			}
		case !unreadable(err):
			return p, err
		}
	}
	if len(agentIDs) > 0 {
		// One read for every assignee of the page, as for the customers.
		page, err := a.svc.ListAgents(ctx, storage.AgentQuery{
			Filter: storage.AgentFilter{IDs: agentIDs},
			Paging: storage.Paging{Limit: len(agentIDs), SkipTotal: true},
		})
		switch {
		case err == nil:
			for _, ag := range page.Items {
				p.agents[ag.ID] = ag
			}
		case !unreadable(err):
			return p, err
		}
	}
	return p, nil
}

// conversation is c in this API's words, with its people from p. Every
// value is shown as conversation's Alias gives it: the seed's word where
// its vocabulary has one, parley's own name where it has none (SOLVED,
// SMS, NO_CHANNEL), which this API takes back on input unchanged.
func (p people) conversation(c *conversation.Conversation) conversationJSON {
	out := conversationJSON{
		ID:        c.ID,
		Subject:   c.Topic,
		Status:    c.Status.Alias(),
		Priority:  c.Priority.Alias(),
		InboxID:   nullString(c.QueueID),
		Channel:   c.Channel.Alias(),
		Source:    c.Source.Alias(),
		CreatedAt: wireTime(c.CreatedAt),
		UpdatedAt: wireTime(c.UpdatedAt),
	}
	if id := c.CustomerID; id != "" {
		out.CustomerID = refJSON{ID: id}
		if k, ok := p.customers[id]; ok {
			out.CustomerID = toCustomer(k)
		}
	}
	if id := c.AgentID; id != "" {
		out.AssignedTo = refJSON{ID: id}
		if ag, ok := p.agents[id]; ok {
			out.AssignedTo = toAgent(ag)
		}
	}
	return out
}

// answer is one conversation, populated, in its envelope.
func (a *api) answer(ctx context.Context, c *conversation.Conversation) (any, error) {
	p, err := a.populate(ctx, c)
	if err != nil {
		return nil, err
	}
	return dataJSON{Success: true, Data: p.conversation(c)}, nil
}
