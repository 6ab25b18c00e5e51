package parley_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// exampleService returns a service with a fixed clock and readable ids, so
// the examples print the same every time.
func exampleService(opts ...parley.Option) *parley.Service {
	n := 0
	opts = append([]parley.Option{
		parley.WithClock(func() time.Time { return time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC) }),
		parley.WithIDGenerator(func() string { n++; return "id-" + strconv.Itoa(n) }),
	}, opts...)
	return parley.New(memstore.New(), opts...)
}

func ExampleService_CreateConversation() {
	ctx := context.Background()
	svc := exampleService()

	c, err := svc.CreateConversation(ctx, conversation.Conversation{
		Topic:   "Where is my parcel?",
		Channel: conversation.Email,
		Tags:    []string{"shipping"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.ID, c.Status, c.Priority, c.Channel, c.Tags, c.Version)
	// Output: id-1 OPEN NORMAL EMAIL [shipping] 1
}

func ExampleService_UpdateConversation() {
	ctx := context.Background()
	svc := exampleService()
	c, _ := svc.CreateConversation(ctx, conversation.Conversation{Topic: "Login fails"})

	// Only the fields a patch sets change; IfVersion guards against a
	// concurrent change.
	high, waiting, stale := conversation.High, conversation.Waiting, "stale"
	c, err := svc.UpdateConversation(ctx, c.ID, conversation.Patch{
		Priority:  &high,
		Status:    &waiting,
		IfVersion: c.Version,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Topic, c.Status, c.Priority, c.Version)

	_, err = svc.UpdateConversation(ctx, c.ID, conversation.Patch{Topic: &stale, IfVersion: 1})
	fmt.Println(errors.Is(err, parley.ErrConflict))
	// Output:
	// Login fails WAITING HIGH 2
	// true
}

func ExampleService_CreateMessage() {
	ctx := context.Background()
	svc := exampleService()
	ann, _ := svc.CreateAgent(ctx, routing.Agent{ID: "ann", DisplayName: "Ann"})
	bob, _ := svc.CreateAgent(ctx, routing.Agent{ID: "bob", DisplayName: "Bob"})
	c, _ := svc.CreateConversation(ctx, conversation.Conversation{AgentID: ann.ID})

	reply := message.Message{Content: message.Content{Text: "How can I help?"}}
	_, err := svc.CreateMessage(parley.WithActor(ctx, parley.Actor{AgentID: bob.ID}), c.ID, reply)
	fmt.Println("bob:", errors.Is(err, parley.ErrForbidden))

	m, err := svc.CreateMessage(parley.WithActor(ctx, parley.Actor{AgentID: ann.ID}), c.ID, reply)
	fmt.Println("ann:", err, m.Direction, m.AgentID)
	// Output:
	// bob: true
	// ann: <nil> OUTBOUND ann
}

func ExampleService_CloseConversation() {
	ctx := context.Background()
	svc := exampleService()
	c, _ := svc.CreateConversation(ctx, conversation.Conversation{Topic: "Thanks!"})

	c, _ = svc.CloseConversation(ctx, c.ID)
	fmt.Println(c.Status, c.ClosedAt.Format(time.RFC3339))

	// A closed conversation accepts no change.
	_, err := svc.AddTag(ctx, c.ID, "late")
	fmt.Println(errors.Is(err, parley.ErrClosed))
	// Output:
	// CLOSED 2026-05-01T09:30:00Z
	// true
}

func ExampleService_ListConversations() {
	ctx := context.Background()
	svc := exampleService()
	for _, p := range []conversation.Priority{conversation.Low, conversation.Urgent, conversation.High} {
		_, _ = svc.CreateConversation(ctx, conversation.Conversation{Priority: p})
	}

	q := storage.ConversationQuery{
		Filter: storage.ConversationFilter{Priorities: []conversation.Priority{conversation.High, conversation.Urgent}},
		Order:  storage.Order{Field: storage.SortPriority, Desc: true},
		Paging: storage.Paging{Limit: 1},
	}
	for {
		page, err := svc.ListConversations(ctx, q)
		if err != nil {
			panic(err)
		}
		for _, c := range page.Items {
			fmt.Println(c.ID, c.Priority, "of", page.Total)
		}
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	// Output:
	// id-2 URGENT of 2
	// id-3 HIGH of 2
}

func ExampleService_Events() {
	ctx := context.Background()
	svc := exampleService()
	c, _ := svc.CreateConversation(ctx, conversation.Conversation{})
	_, _ = svc.AddTag(ctx, c.ID, "vip")
	_ = svc.DeleteConversation(ctx, c.ID, "customer asked for erasure")

	// The event log is a transactional outbox: read it after the last seq
	// you handled.
	events, _ := svc.Events(ctx, storage.EventQuery{After: 0})
	for _, e := range events {
		fmt.Println(e.Seq, e.Type, e.EntityID)
	}
	// Output:
	// 2 tag.created vip
	// 4 conversation.deleted id-1
}

func ExampleWithSubscriber() {
	ctx := context.Background()
	svc := exampleService(parley.WithSubscriber(func(_ context.Context, e storage.Event) {
		fmt.Println("committed:", e.Type)
	}))
	_, _ = svc.CreateConversation(ctx, conversation.Conversation{Tags: []string{"new"}})
	// Output:
	// committed: tag.created
	// committed: conversation.created
}

func ExampleNew() {
	ctx := context.Background()
	// A fixed clock and a counter for ids make the service deterministic;
	// by default it reads time.Now and makes UUIDv7 ids.
	now := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	n := 0
	svc := parley.New(memstore.New(),
		parley.WithClock(func() time.Time { return now }),
		parley.WithIDGenerator(func() string { n++; return "id-" + strconv.Itoa(n) }),
		// Keep a WAITING conversation WAITING when the customer writes.
		parley.WithReopenOnInbound(false),
		parley.WithSubscriber(func(_ context.Context, e storage.Event) {
			fmt.Println("event:", e.Seq, e.Type, e.EntityID)
		}),
	)

	c, err := svc.CreateConversation(ctx, conversation.Conversation{Topic: "Order 42", Status: conversation.Waiting})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.ID, c.Status, c.CreatedAt.Format(time.RFC3339))

	now = now.Add(time.Minute)
	inbound := message.Message{Direction: message.Inbound, Content: message.Content{Text: "Any news?"}}
	m, err := svc.CreateMessage(ctx, c.ID, inbound)
	if err != nil {
		panic(err)
	}
	c, _ = svc.GetConversation(ctx, c.ID)
	fmt.Println(m.ID, m.CreatedAt.Format(time.RFC3339), c.Status)
	// Output:
	// event: 1 conversation.created id-1
	// id-1 WAITING 2026-05-01T09:30:00Z
	// event: 2 message.created id-2
	// id-2 2026-05-01T09:31:00Z WAITING
}

func ExampleService_AddTag() {
	ctx := context.Background()
	svc := exampleService()
	c, _ := svc.CreateConversation(ctx, conversation.Conversation{Topic: "Invoice missing"})

	// The tag is created in the catalog on first use.
	c, err := svc.AddTag(ctx, c.ID, "billing")
	fmt.Println(c.Tags, c.Version, err)
	entry, _ := svc.GetTag(ctx, "billing")
	fmt.Println("catalog:", entry.Name)

	// Adding it again is a no-op: no error, no new version, no event.
	c, err = svc.AddTag(ctx, c.ID, "billing")
	fmt.Println(c.Tags, c.Version, err)

	_, err = svc.AddTag(ctx, c.ID, "not a tag name")
	fmt.Println(errors.Is(err, parley.ErrInvalid))
	// Output:
	// [billing] 2 <nil>
	// catalog: billing
	// [billing] 2 <nil>
	// true
}

func ExampleService_DeleteConversation() {
	ctx := context.Background()
	svc := exampleService()
	c, _ := svc.CreateConversation(ctx, conversation.Conversation{Topic: "Close my account"})
	_, _ = svc.CreateMessage(ctx, c.ID, message.Message{
		Direction: message.Inbound, Content: message.Content{Text: "Please delete my data."},
	})
	_, _ = svc.AddTag(ctx, c.ID, "gdpr")

	// Deleting removes the conversation, its messages and tag links for
	// good; the reason stays in the conversation.deleted event.
	if err := svc.DeleteConversation(ctx, c.ID, "customer asked for erasure"); err != nil {
		panic(err)
	}
	_, err := svc.GetConversation(ctx, c.ID)
	fmt.Println(errors.Is(err, parley.ErrNotFound))

	history, _ := svc.History(ctx, c.ID, 0, 0)
	for _, e := range history {
		fmt.Println(e.Type, e.Changes[0].Field, string(e.Changes[0].After))
	}
	// The tag stays in the catalog.
	_, err = svc.GetTag(ctx, "gdpr")
	fmt.Println(err)
	// Output:
	// true
	// conversation.deleted reason "customer asked for erasure"
	// <nil>
}

func ExampleService_History() {
	ctx := context.Background()
	svc := exampleService()
	ann, _ := svc.CreateAgent(ctx, routing.Agent{ID: "ann", DisplayName: "Ann"})
	c, _ := svc.CreateConversation(ctx, conversation.Conversation{Topic: "Broken screen"})
	urgent := conversation.Urgent
	_, _ = svc.UpdateConversation(ctx, c.ID, conversation.Patch{Priority: &urgent})
	_, _ = svc.AssignConversation(ctx, c.ID, ann.ID)
	_, _ = svc.AddTag(ctx, c.ID, "hardware")
	_, _ = svc.CloseConversation(ctx, c.ID)

	// A conversation's events, in order, with the fields each changed;
	// the missing seqs are the agent.created and tag.created events.
	history, err := svc.History(ctx, c.ID, 0, 0)
	if err != nil {
		panic(err)
	}
	for _, e := range history {
		fmt.Print(e.Seq, " ", e.Type)
		for _, ch := range e.Changes {
			fmt.Printf(" %s: %s -> %s", ch.Field, orNone(ch.Before), orNone(ch.After))
		}
		fmt.Println()
	}
	// Output:
	// 2 conversation.created topic: none -> "Broken screen" status: none -> "OPEN" priority: none -> "NORMAL" channel: none -> "NO_CHANNEL" source: none -> "API"
	// 3 conversation.updated priority: "NORMAL" -> "URGENT"
	// 4 conversation.assigned agentId: none -> "ann"
	// 6 conversation.tagged tag: none -> "hardware"
	// 7 conversation.closed status: "OPEN" -> "CLOSED" closedAt: none -> "2026-05-01T09:30:00Z"
}

// orNone prints a change's JSON value, or "none" when the field had none.
func orNone(v []byte) string {
	if v == nil {
		return "none"
	}
	return string(v)
}

func ExampleService_ListMessages() {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	svc := exampleService(parley.WithClock(func() time.Time { return now }))
	c, _ := svc.CreateConversation(ctx, conversation.Conversation{Channel: conversation.LiveChat})
	for _, text := range []string{"Hi", "My order is late", "It is order 42", "Thanks"} {
		now = now.Add(time.Minute)
		_, err := svc.CreateMessage(ctx, c.ID, message.Message{Direction: message.Inbound, Content: message.Content{Text: text}})
		if err != nil {
			panic(err)
		}
	}

	// Oldest first, two at a time, following the cursor.
	q := storage.MessageQuery{ConversationID: c.ID, Paging: storage.Paging{Limit: 2}}
	for page := 1; ; page++ {
		p, err := svc.ListMessages(ctx, q)
		if err != nil {
			panic(err)
		}
		for _, m := range p.Items {
			fmt.Println(page, m.CreatedAt.Format("15:04"), m.Content.Text)
		}
		if p.NextCursor == "" {
			break
		}
		q.Cursor = p.NextCursor
	}

	// Or by page number, newest first, with the total.
	p, _ := svc.ListMessages(ctx, storage.MessageQuery{ConversationID: c.ID, Desc: true, Paging: storage.Paging{Limit: 3, Page: 1}})
	fmt.Println(len(p.Items), "of", p.Total, p.Items[0].Content.Text, p.Items[0].Channel)
	// Output:
	// 1 09:31 Hi
	// 1 09:32 My order is late
	// 2 09:33 It is order 42
	// 2 09:34 Thanks
	// 1 of 4 Hi LIVE_CHAT
}

func ExampleService_Consume() {
	ctx, stop := context.WithCancel(context.Background())
	svc := exampleService()
	for _, topic := range []string{"Where is my parcel?", "Refund, please"} {
		if _, err := svc.CreateConversation(ctx, conversation.Conversation{Topic: topic}); err != nil {
			panic(err)
		}
	}

	// The consumer's position, as it would store it (in its own database,
	// with what handling the events wrote).
	var position int64
	err := svc.Consume(ctx, parley.ConsumeOptions{After: position},
		func(ctx context.Context, events []*storage.Event) error {
			for _, e := range events {
				fmt.Println(e.Seq, e.Type, e.ConversationID)
			}
			position = events[len(events)-1].Seq
			stop() // an example stops once caught up; a consumer waits for more
			return nil
		})
	fmt.Println("stopped:", err, "at", position)
	// Output:
	// 1 conversation.created id-1
	// 2 conversation.created id-2
	// stopped: <nil> at 2
}

func ExampleService_Subscribe() {
	ctx := context.Background()
	svc := exampleService()
	sub, err := svc.Subscribe(16)
	if err != nil {
		panic(err)
	}
	defer sub.Close()
	if _, err := svc.CreateConversation(ctx, conversation.Conversation{Topic: "Where is my parcel?"}); err != nil {
		panic(err)
	}
	e := <-sub.C
	fmt.Println(e.Seq, e.Type, "dropped:", sub.Dropped())
	// Output:
	// 1 conversation.created dropped: 0
}
