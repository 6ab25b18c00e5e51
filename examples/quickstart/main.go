// Command quickstart walks parley's main flow on the in-memory store and
// prints what happens: agents and a queue, a conversation from a customer,
// tags, assignment, replies under the reply matrix, closing, and the event
// log that recorded it all.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	svc := parley.New(memstore.New())

	ann, err := svc.CreateAgent(ctx, routing.Agent{ID: "ann", DisplayName: "Ann", Status: routing.Active})
	if err != nil {
		return err
	}
	sam, err := svc.CreateAgent(ctx, routing.Agent{ID: "sam", DisplayName: "Sam", Role: routing.RoleSupervisor})
	if err != nil {
		return err
	}
	billing, err := svc.CreateQueue(ctx, routing.Queue{ID: "billing", Name: "Billing"})
	if err != nil {
		return err
	}
	if _, err := svc.AddQueueMember(ctx, billing.ID, ann.ID); err != nil {
		return err
	}
	fmt.Printf("agents %s (%s) and %s (%s); queue %q\n", ann.ID, ann.Role, sam.ID, sam.Role, billing.Name)

	c, err := svc.CreateConversation(ctx, conversation.Conversation{
		Topic:      "Refund for order 1042",
		Channel:    conversation.WhatsApp,
		CustomerID: "cust-17",
		QueueID:    billing.ID,
		Tags:       []string{"refund"},
	})
	if err != nil {
		return err
	}
	fmt.Printf("created conversation %s: status %s, priority %s, tags %v\n", c.ID, c.Status, c.Priority, c.Tags)

	if _, err := svc.CreateMessage(ctx, c.ID, message.Message{
		Direction: message.Inbound, From: "+15550100",
		Content: message.Content{Text: "Hi, I was charged twice."},
	}); err != nil {
		return err
	}
	fmt.Println("customer wrote an INBOUND message")

	if c, err = svc.AssignConversation(ctx, c.ID, ann.ID); err != nil {
		return err
	}
	fmt.Printf("assigned to %s (version %d)\n", c.AgentID, c.Version)

	asAnn := parley.WithActor(ctx, parley.Actor{AgentID: ann.ID})
	asSam := parley.WithActor(ctx, parley.Actor{AgentID: sam.ID})
	reply := message.Message{Content: message.Content{Text: "Sorry about that, refunding now."}}
	_, err = svc.CreateMessage(ctx, c.ID, reply)
	fmt.Printf("reply with no agent named:  %v\n", outcome(err))
	_, err = svc.CreateMessage(asAnn, c.ID, reply)
	fmt.Printf("reply as the assignee Ann:  %v\n", outcome(err))
	_, err = svc.CreateMessage(asSam, c.ID, message.Message{Private: true, Content: message.Content{Text: "Approved."}})
	fmt.Printf("note as supervisor Sam:     %v\n", outcome(err))

	if _, err = svc.AddTag(ctx, c.ID, "priority-customer"); err != nil {
		return err
	}
	if c, err = svc.CloseConversation(ctx, c.ID); err != nil {
		return err
	}
	fmt.Printf("closed at %s; tags %v\n", c.ClosedAt.Format("15:04:05"), c.Tags)

	topic := "Changed after closing"
	_, err = svc.UpdateConversation(ctx, c.ID, conversation.Patch{Topic: &topic})
	fmt.Printf("update after close:         %v\n", outcome(err))

	msgs, err := svc.ListMessages(ctx, storage.MessageQuery{ConversationID: c.ID})
	if err != nil {
		return err
	}
	fmt.Printf("%d messages:\n", msgs.Total)
	for _, m := range msgs.Items {
		fmt.Printf("  %-8s agent=%-4q private=%-5v %s\n", m.Direction, m.AgentID, m.Private, m.Content.Text)
	}

	history, err := svc.History(ctx, c.ID, 0, 0)
	if err != nil {
		return err
	}
	fmt.Println("history:")
	for _, e := range history {
		fmt.Printf("  #%d %-28s actor=%q\n", e.Seq, e.Type, e.Actor)
	}
	return nil
}

func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, parley.ErrForbidden):
		return "forbidden (" + err.Error() + ")"
	case errors.Is(err, parley.ErrClosed):
		return "refused: the conversation is closed"
	default:
		return err.Error()
	}
}
