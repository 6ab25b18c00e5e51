package parley

import (
	"context"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/storage"
)

// ReceiveInbound takes a message from a customer and threads it: it goes
// into the customer's newest conversation on that channel that is not
// CLOSED, or, when there is none, into a new conversation that is then
// routed; the new conversation's source is its channel's
// (conversation.SourceOf). A customer who does not exist yet is created
// when their message starts a conversation, as customer.FirstContact says,
// with a customer.created event. It returns the conversation and the
// message. Two first messages racing from one customer on one channel
// start one conversation.
func (s *Service) ReceiveInbound(ctx context.Context, customerID string, channel conversation.Channel, in message.Message) (*conversation.Conversation, *message.Message, error) {
	if err := s.authorize(ctx, "ReceiveInbound"); err != nil {
		return nil, nil, err
	}
	if err := conversation.RequireCustomerID("customerId", customerID); err != nil {
		return nil, nil, err
	}
	if !channel.Valid() {
		return nil, nil, fault.Invalid("channel", "unknown value %q", channel)
	}
	in.Direction, in.Channel = message.Inbound, channel
	m, err := message.New(in, s.idFor(in.ID), s.clock())
	if err != nil {
		return nil, nil, err
	}
	var out *conversation.Conversation
	err = s.run(ctx, "ReceiveInbound", func(tx storage.Tx, rec *recorder) error {
		if err := tx.LockKey(ctx, fmt.Sprintf("inbound\x00%s\x00%s", customerID, channel)); err != nil {
			return err
		}
		c, err := s.openConversationOf(ctx, tx, customerID, channel)
		if err != nil {
			return err
		}
		fresh := c == nil
		if fresh {
			if err := s.firstContact(ctx, tx, rec, customerID, channel, m.From); err != nil {
				return err
			}
			start := conversation.Conversation{CustomerID: customerID, Channel: channel, Source: conversation.SourceOf(channel)}
			if c, err = conversation.New(start, s.newID(), rec.now); err != nil {
				return err
			}
			if err := storage.InsertConversation(ctx, tx, c); err != nil {
				return err
			}
			rec.add(storage.ConversationCreated, c.ID, c.ID, createdChanges(c))
		}
		if err := s.appendMessage(ctx, tx, rec, c, m, "", nil); err != nil {
			return err
		}
		if fresh {
			rules, def, err := routingRules(ctx, tx)
			if err != nil {
				return err
			}
			if err := s.route(ctx, tx, rec, c, rules, def); err != nil {
				return err
			}
		}
		out = c
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, m, nil
}

// openConversationOf returns the customer's newest conversation on channel
// that is not closed, or nil.
func (s *Service) openConversationOf(ctx context.Context, tx storage.Tx, customerID string, channel conversation.Channel) (*conversation.Conversation, error) {
	page, err := tx.ListConversations(ctx, storage.ConversationQuery{
		Filter: storage.ConversationFilter{
			CustomerID: customerID,
			Channels:   []conversation.Channel{channel},
			Statuses:   conversation.NotClosed(),
		},
		Order:  storage.Order{Field: storage.SortCreatedAt, Desc: true},
		Paging: storage.Paging{Limit: 1, SkipTotal: true},
	})
	if err != nil || len(page.Items) == 0 {
		return nil, err
	}
	c, err := tx.LockConversation(ctx, page.Items[0].ID)
	if errors.Is(err, fault.ErrNotFound) || err == nil && c.CheckMutable() != nil {
		// Closed or deleted between the list and the lock: look again.
		// The inbound lock keeps new ones from appearing through here, so
		// this ends once the customer's open conversations are used up.
		return s.openConversationOf(ctx, tx, customerID, channel)
	}
	return c, err
}

// firstContact makes sure the customer a new conversation is about to name
// exists, creating it as customer.FirstContact says when it does not, and
// holds them (EnsureCustomer), so that a racing DeleteCustomer either
// finishes before (and the customer is created anew) or waits for this
// conversation, and then refuses.
func (s *Service) firstContact(ctx context.Context, tx storage.Tx, rec *recorder, customerID string, channel conversation.Channel, from string) error {
	c := customer.FirstContact(customerID, channel, from, rec.now)
	created, err := tx.EnsureCustomer(ctx, c)
	if err != nil || !created {
		return err
	}
	rec.customerCreated(c)
	return nil
}
