package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
)

// The demo data set: three agents (one a supervisor), two queues, two
// routing rules, three customers and four conversations with messages and
// tags, under fixed ids so that the README's examples can name them.
// Seeding is idempotent: what exists already is left as it is.

var seedAgents = []routing.Agent{
	{ID: "ann", DisplayName: "Ann Lee", Status: routing.Active},
	{ID: "bob", DisplayName: "Bob Novak", Status: routing.Active},
	{ID: "sam", DisplayName: "Sam Ortiz", Role: routing.RoleSupervisor, Status: routing.Active},
}

var seedQueues = []struct {
	queue   routing.Queue
	members []string
}{
	{routing.Queue{ID: "billing", Name: "Billing", AutoAssignment: true}, []string{"ann"}},
	{routing.Queue{ID: "support", Name: "Support", AutoAssignment: true, Strategy: routing.RoundRobin, Default: true}, []string{"ann", "bob"}},
}

var seedRules = []routing.Rule{
	{ID: "refunds", Name: "Refunds and invoices to billing", QueueID: "billing", Priority: conversation.High,
		Condition: routing.Condition{TagsAny: []string{"refund", "invoice"}}},
	{ID: "voice", Name: "Calls to support", QueueID: "support",
		Condition: routing.Condition{Channels: []conversation.Channel{conversation.Voice}}},
}

var seedCustomers = []customer.Customer{
	{ID: "cust-17", Name: "Maria Rossi", Email: "maria.rossi@example.com", Phone: "+39 06 5550 1717"},
	{ID: "cust-23", Name: "Jonas Berg", Email: "jonas.berg@example.com"},
	{ID: "cust-42", Name: "Aiko Tanaka", Email: "aiko@example.com", Phone: "+81 3 5550 4242", Attributes: map[string]string{"plan": "business"}},
}

// seedMessage is a message and the agent who sends it ("" for the
// customer's inbound messages).
type seedMessage struct {
	id, agent, text string
}

var seedConversations = []struct {
	conversation conversation.Conversation
	messages     []seedMessage
	close        bool
}{
	{
		conversation.Conversation{ID: "conv-refund", Topic: "Refund for order 1042", Channel: conversation.WhatsApp,
			CustomerID: "cust-17", QueueID: "billing", AgentID: "ann", Priority: conversation.High, Tags: []string{"refund"}},
		[]seedMessage{
			{"msg-refund-1", "", "Hi, my parcel arrived broken. Can I get a refund?"},
			{"msg-refund-2", "ann", "Sorry about that! I have started the refund."},
		},
		false,
	},
	{
		conversation.Conversation{ID: "conv-password", Topic: "Cannot reset my password", Channel: conversation.Email,
			CustomerID: "cust-23", QueueID: "support", AgentID: "bob", Tags: []string{"account"}},
		[]seedMessage{{"msg-password-1", "", "The reset link in your email has expired."}},
		false,
	},
	{
		conversation.Conversation{ID: "conv-invoice", Topic: "Invoice copy for March", Channel: conversation.LiveChat,
			CustomerID: "cust-42", Tags: []string{"invoice"}},
		[]seedMessage{{"msg-invoice-1", "", "Could you send me a copy of the March invoice?"}},
		false,
	},
	{
		conversation.Conversation{ID: "conv-address", Topic: "Change of delivery address", Channel: conversation.SMS,
			CustomerID: "cust-17", QueueID: "support", AgentID: "bob"},
		[]seedMessage{
			{"msg-address-1", "", "Please deliver to my office instead."},
			{"msg-address-2", "bob", "Done, your parcel goes to the office."},
		},
		true,
	},
}

// seed loads the demo data set; what exists already is left alone.
func seed(ctx context.Context, svc *parley.Service) error {
	for _, a := range seedAgents {
		if _, err := svc.CreateAgent(ctx, a); ignoreExisting(err) != nil {
			return fmt.Errorf("agent %s: %w", a.ID, err)
		}
	}
	for _, q := range seedQueues {
		if _, err := svc.CreateQueue(ctx, q.queue); ignoreExisting(err) != nil {
			return fmt.Errorf("queue %s: %w", q.queue.ID, err)
		}
		for _, m := range q.members {
			if _, err := svc.AddQueueMember(ctx, q.queue.ID, m); err != nil {
				return fmt.Errorf("queue %s: member %s: %w", q.queue.ID, m, err)
			}
		}
	}
	for _, k := range seedCustomers {
		if _, err := svc.CreateCustomer(ctx, k); ignoreExisting(err) != nil {
			return fmt.Errorf("customer %s: %w", k.ID, err)
		}
	}
	rules, err := svc.RoutingRules(ctx)
	if err != nil {
		return err
	}
	if len(rules) == 0 {
		if _, err := svc.SetRoutingRules(ctx, seedRules); err != nil {
			return fmt.Errorf("routing rules: %w", err)
		}
	}
	for _, sc := range seedConversations {
		c := sc.conversation
		_, err := svc.CreateConversation(ctx, c)
		if errors.Is(err, parley.ErrAlreadyExists) {
			continue // seeded before, messages and all
		}
		if err != nil {
			return fmt.Errorf("conversation %s: %w", c.ID, err)
		}
		for _, m := range sc.messages {
			in := message.Message{ID: m.id, Content: message.Content{Text: m.text}}
			actx := ctx
			if m.agent == "" {
				in.Direction = message.Inbound
			} else {
				as := parley.ActorFrom(ctx) // the agent replies, with the seeder's scopes
				as.AgentID = m.agent
				actx = parley.WithActor(ctx, as)
			}
			if _, err := svc.CreateMessage(actx, c.ID, in); err != nil {
				return fmt.Errorf("conversation %s: message %s: %w", c.ID, m.id, err)
			}
		}
		if sc.close {
			if _, err := svc.CloseConversation(ctx, c.ID); err != nil {
				return fmt.Errorf("conversation %s: close: %w", c.ID, err)
			}
		}
	}
	return nil
}

func ignoreExisting(err error) error {
	if errors.Is(err, parley.ErrAlreadyExists) {
		return nil
	}
	return err
}
