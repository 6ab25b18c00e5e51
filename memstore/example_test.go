package memstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memstore"
)

// The in-memory store behind the service: for tests, prototypes and
// examples. Everything is lost when the process ends.
func Example() {
	ctx := context.Background()
	svc := parley.New(memstore.New(),
		parley.WithClock(func() time.Time { return time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC) }))

	c, err := svc.CreateConversation(ctx, conversation.Conversation{
		ID: "conv-1", Topic: "Refund for order 1042", Channel: conversation.WhatsApp, Tags: []string{"refund"},
	})
	if err != nil {
		panic(err)
	}
	got, _ := svc.GetConversation(ctx, c.ID)
	fmt.Println(got.ID, got.Status, got.Channel, got.Tags, got.CreatedAt.Format(time.RFC3339))

	// A copy in, a copy out: changing what was returned changes nothing
	// stored.
	got.Tags[0] = "changed"
	again, _ := svc.GetConversation(ctx, c.ID)
	fmt.Println(again.Tags)
	// Output:
	// conv-1 OPEN WHATSAPP [refund] 2026-05-01T09:30:00Z
	// [refund]
}
