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
	c, err := svc.UpdateConversation(ctx, c.ID, conversation.Patch{
		Priority:  new(conversation.High),
		Status:    new(conversation.Waiting),
		IfVersion: c.Version,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Topic, c.Status, c.Priority, c.Version)

	_, err = svc.UpdateConversation(ctx, c.ID, conversation.Patch{Topic: new("stale"), IfVersion: 1})
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
