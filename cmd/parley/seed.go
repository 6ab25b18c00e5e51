package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
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

// seed loads the demo data set, setting back what exists already.
func seed(ctx context.Context, svc *parley.Service) error {
	for _, a := range seedAgents {
		if err := resetAgent(ctx, svc, a); err != nil {
			return fmt.Errorf("agent %s: %w", a.ID, err)
		}
	}
	for _, q := range seedQueues {
		if err := resetQueue(ctx, svc, q.queue, q.members); err != nil {
			return fmt.Errorf("queue %s: %w", q.queue.ID, err)
		}
	}
	for _, k := range seedCustomers {
		if err := resetCustomer(ctx, svc, k); err != nil {
			return fmt.Errorf("customer %s: %w", k.ID, err)
		}
	}
	if _, err := svc.SetRoutingRules(ctx, seedRules); err != nil {
		return fmt.Errorf("routing rules: %w", err)
	}
	if err := deleteDemoConversations(ctx, svc); err != nil {
		return err
	}
	for _, sc := range seedConversations {
		if err := createSeedConversation(ctx, svc, sc.conversation, sc.messages, sc.close); err != nil {
			return fmt.Errorf("conversation %s: %w", sc.conversation.ID, err)
		}
	}
	return nil
}

// resetAgent creates the agent, or sets an existing one back: its fields,
// its own wrap-up length after calls (the account's), and no wrap-up
// running, so that the README's call is offered to it again.
func resetAgent(ctx context.Context, svc *parley.Service, a routing.Agent) error {
	_, err := svc.CreateAgent(ctx, a)
	if !errors.Is(err, parley.ErrAlreadyExists) {
		return err
	}
	role := a.Role
	if role == "" {
		role = routing.RoleAgent
	}
	disabled, capacity, wrapUp := false, a.Capacity, a.WrapUpSeconds
	if _, err = svc.UpdateAgent(ctx, a.ID, routing.AgentPatch{
		DisplayName: &a.DisplayName, Role: &role, Status: &a.Status,
		Disabled: &disabled, Capacity: &capacity, WrapUpSeconds: &wrapUp,
	}); err != nil {
		return err
	}
	if _, err := svc.SetAgentCallWrapUp(ctx, a.ID, nil); err != nil {
		return err
	}
	_, err = svc.ClearWrapUp(ctx, a.ID)
	return err
}

// resetQueue creates the queue, or sets an existing one back, and makes
// its members the seed's.
func resetQueue(ctx context.Context, svc *parley.Service, q routing.Queue, members []string) error {
	_, err := svc.CreateQueue(ctx, q)
	if errors.Is(err, parley.ErrAlreadyExists) {
		strategy := q.Strategy
		if strategy == "" {
			strategy = routing.LeastBusy
		}
		overflow := q.OverflowQueueID
		_, err = svc.UpdateQueue(ctx, q.ID, routing.QueuePatch{
			Name: &q.Name, AutoAssignment: &q.AutoAssignment, Strategy: &strategy,
			StickyAgent: &q.StickyAgent, StickyTimeoutSeconds: &q.StickyTimeoutSeconds,
			MaxWaitSeconds: &q.MaxWaitSeconds, OverflowQueueID: &overflow, Default: &q.Default,
		})
	}
	if err != nil {
		return err
	}
	current, err := svc.GetQueue(ctx, q.ID)
	if err != nil {
		return err
	}
	for _, m := range current.Members {
		if !slices.Contains(members, m) {
			if _, err := svc.RemoveQueueMember(ctx, q.ID, m); err != nil {
				return fmt.Errorf("member %s: %w", m, err)
			}
		}
	}
	for _, m := range members {
		if _, err := svc.AddQueueMember(ctx, q.ID, m); err != nil {
			return fmt.Errorf("member %s: %w", m, err)
		}
	}
	return nil
}

// resetCustomer creates the customer, or sets an existing one back.
func resetCustomer(ctx context.Context, svc *parley.Service, k customer.Customer) error {
	_, err := svc.CreateCustomer(ctx, k)
	if !errors.Is(err, parley.ErrAlreadyExists) {
		return err
	}
	attrs := k.Attributes
	if attrs == nil {
		attrs = map[string]string{}
	}
	_, err = svc.UpdateCustomer(ctx, k.ID, customer.Patch{Name: &k.Name, Email: &k.Email, Phone: &k.Phone, Attributes: attrs})
	return err
}

// deleteDemoConversations deletes the seeded conversations and every
// conversation of a demo customer.
func deleteDemoConversations(ctx context.Context, svc *parley.Service) error {
	ids := map[string]bool{}
	for _, sc := range seedConversations {
		ids[sc.conversation.ID] = true
	}
	for _, k := range seedCustomers {
		q := storage.ConversationQuery{
			Filter: storage.ConversationFilter{CustomerID: k.ID},
			Order:  storage.Order{Field: storage.SortID},
			Paging: storage.Paging{Limit: storage.MaxLimit, SkipTotal: true},
		}
		for {
			page, err := svc.ListConversations(ctx, q)
			if err != nil {
				return fmt.Errorf("conversations of %s: %w", k.ID, err)
			}
			for _, c := range page.Items {
				ids[c.ID] = true
			}
			if page.NextCursor == "" || len(page.Items) == 0 {
				break
			}
			q.Cursor = page.NextCursor
		}
	}
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		err := svc.DeleteConversation(ctx, id, "reset by -seed")
		if err != nil && !errors.Is(err, parley.ErrNotFound) {
			return fmt.Errorf("conversation %s: %w", id, err)
		}
	}
	return nil
}

// createSeedConversation creates a seeded conversation, its messages, and
// closes it when the seed says so.
func createSeedConversation(ctx context.Context, svc *parley.Service, c conversation.Conversation, messages []seedMessage, closeIt bool) error {
	if _, err := svc.CreateConversation(ctx, c); err != nil {
		return err
	}
	for _, m := range messages {
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
			return fmt.Errorf("message %s: %w", m.id, err)
		}
	}
	if closeIt {
		if _, err := svc.CloseConversation(ctx, c.ID); err != nil {
			return fmt.Errorf("close: %w", err)
		}
	}
	return nil
}
