package parley

import (
	"context"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/storage"
)

// CreateCustomer creates a customer from in. Every field is optional; the
// id defaults to a new UUIDv7. A caller-supplied id that exists is
// ErrAlreadyExists.
func (s *Service) CreateCustomer(ctx context.Context, in customer.Customer) (*customer.Customer, error) {
	if err := s.authorize(ctx, "CreateCustomer"); err != nil {
		return nil, err
	}
	c, err := customer.New(in, s.idFor(in.ID), s.clock())
	if err != nil {
		return nil, err
	}
	var out *customer.Customer
	err = s.run(ctx, "CreateCustomer", func(tx storage.Tx, rec *recorder) error {
		rec.now = c.CreatedAt
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		rec.customerCreated(c)
		out = c
		return nil
	})
	return out, err
}

// GetCustomer returns the customer. ErrNotFound when there is none.
func (s *Service) GetCustomer(ctx context.Context, id string) (*customer.Customer, error) {
	return read(s, ctx, "GetCustomer", func() (*customer.Customer, error) {
		if err := conversation.RequireCustomerID("id", id); err != nil {
			return nil, err
		}
		return s.store.GetCustomer(ctx, id)
	})
}

// ListCustomers returns a page of the customers q selects, in id order
// (see storage.CustomerQuery for the filters).
func (s *Service) ListCustomers(ctx context.Context, q storage.CustomerQuery) (storage.Page[*customer.Customer], error) {
	return read(s, ctx, "ListCustomers", func() (storage.Page[*customer.Customer], error) {
		if err := q.Normalize(); err != nil {
			return storage.Page[*customer.Customer]{}, err
		}
		return s.store.ListCustomers(ctx, q)
	})
}

// UpdateCustomer applies a patch to a customer: only the fields it sets
// change. A patch that changes nothing writes nothing and records no event.
// ErrNotFound when there is no such customer.
func (s *Service) UpdateCustomer(ctx context.Context, id string, p customer.Patch) (*customer.Customer, error) {
	if err := s.authorize(ctx, "UpdateCustomer"); err != nil {
		return nil, err
	}
	if err := conversation.RequireCustomerID("id", id); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var out *customer.Customer
	err := s.run(ctx, "UpdateCustomer", func(tx storage.Tx, rec *recorder) error {
		c, err := tx.LockCustomer(ctx, id)
		if err != nil {
			return err
		}
		out = c
		diff := p.Apply(c, rec.now)
		if diff == nil {
			return nil
		}
		if err := tx.UpdateCustomer(ctx, c); err != nil {
			return err
		}
		rec.add(storage.CustomerUpdated, "", c.ID, customerChanges(diff))
		return nil
	})
	return out, err
}

// DeleteCustomer removes the customer for good. A customer who still has
// conversations is refused with ErrConflict (a *customer.InUseError):
// delete the conversations, or move them to another customer, first. The
// customer.deleted event records the deletion; the earlier events of the
// customer stay in the log, as those of agents, queues and tags do.
func (s *Service) DeleteCustomer(ctx context.Context, id string) error {
	if err := s.authorize(ctx, "DeleteCustomer"); err != nil {
		return err
	}
	if err := conversation.RequireCustomerID("id", id); err != nil {
		return err
	}
	return s.run(ctx, "DeleteCustomer", func(tx storage.Tx, rec *recorder) error {
		// Holding the customer keeps a write that names them
		// (KnownCustomer, inbound threading), which holds them too, from
		// slipping in between the check and the delete.
		if _, err := tx.LockCustomer(ctx, id); err != nil {
			return err
		}
		has, err := hasConversations(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := customer.CheckDeletable(id, has); err != nil {
			return err
		}
		if err := tx.DeleteCustomer(ctx, id); err != nil {
			return err
		}
		rec.add(storage.CustomerDeleted, "", id, nil)
		return nil
	})
}

// hasConversations reports whether any conversation names the customer.
func hasConversations(ctx context.Context, tx storage.Tx, customerID string) (bool, error) {
	page, err := tx.ListConversations(ctx, storage.ConversationQuery{
		Filter: storage.ConversationFilter{CustomerID: customerID},
		Paging: storage.Paging{Limit: 1, SkipTotal: true},
	})
	return len(page.Items) > 0, err
}

// requireCustomer checks that the customer a conversation is about to name
// exists (ErrNotFound otherwise), and holds them until the transaction
// ends: DeleteCustomer holds the customer from its check to its delete, so
// the two never interleave.
func requireCustomer(ctx context.Context, tx storage.Tx, customerID string) error {
	_, err := tx.LockCustomer(ctx, customerID)
	return err
}

// ConversationOption changes how one conversation write checks its input
// (CreateConversation, UpdateConversation).
type ConversationOption func(*conversationOptions)

type conversationOptions struct {
	knownCustomer bool
}

func conversationOptionsOf(opts []ConversationOption) conversationOptions {
	var o conversationOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// KnownCustomer makes the write refuse a customer id that names no
// customer, with ErrNotFound: the conversation it creates, or the customer
// it moves a conversation to, must exist. Without it a conversation's
// customer id is any id, as inbound channels and the Infobip API know it.
// A customer's deletion and such a write never interleave.
func KnownCustomer() ConversationOption {
	return func(o *conversationOptions) { o.knownCustomer = true }
}

// customerCreated records a new customer: every field set.
func (r *recorder) customerCreated(c *customer.Customer) {
	r.add(storage.CustomerCreated, "", c.ID, customerChanges(customer.Diff(&customer.Customer{}, c)))
}

func customerChanges(diff []customer.FieldChange) []storage.Change {
	out := make([]storage.Change, len(diff))
	for i, d := range diff {
		out[i] = change(d.Field, d.Before, d.After)
	}
	return out
}
