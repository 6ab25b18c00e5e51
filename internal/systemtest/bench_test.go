package systemtest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// The service benchmarks: the hot operations, on every store of
// storeFactories (PostgreSQL only with PARLEY_TEST_POSTGRES; see
// internal/pgtest). Each runs on a fresh store with the default clock and
// UUIDv7 ids, as a host would run them:
//
//	go test -run '^$' -bench BenchmarkService -benchmem ./internal/systemtest
//
// cmd/parley-bench runs the same operations against a baseline measured
// through the raw drivers, and at scale.

// benchAgents is the number of ACTIVE agents in the auto-assigning queue.
const benchAgents = 20

// benchBatch is how many conversations the benchmarks that need a fresh one
// per iteration make at a time, with the timer stopped.
const benchBatch = 256

// bench is a service over a fresh store with an auto-assigning queue
// "support" of benchAgents agents, a rule that routes everything there, a
// queue "archive" that assigns nothing, and the tags vip and billing.
type bench struct {
	svc *parley.Service
	ctx context.Context
}

func newBench(b *testing.B, store storage.Store) *bench {
	b.Helper()
	ctx := b.Context()
	svc := parley.New(store)
	_, err := svc.CreateQueue(ctx, routing.Queue{ID: "support", Name: "Support", AutoAssignment: true})
	require.NoError(b, err)
	_, err = svc.CreateQueue(ctx, routing.Queue{ID: "archive", Name: "Archive"})
	require.NoError(b, err)
	for i := range benchAgents {
		id := fmt.Sprintf("agent-%02d", i)
		_, err := svc.CreateAgent(ctx, routing.Agent{ID: id, DisplayName: id, Status: routing.Active, Capacity: routing.MaxCapacity})
		require.NoError(b, err)
		_, err = svc.AddQueueMember(ctx, "support", id)
		require.NoError(b, err)
	}
	_, err = svc.SetRoutingRules(ctx, []routing.Rule{{ID: "all", Name: "all", QueueID: "support"}})
	require.NoError(b, err)
	for _, name := range []string{"vip", "billing"} {
		_, err := svc.CreateTag(ctx, name)
		require.NoError(b, err)
	}
	return &bench{svc: svc, ctx: ctx}
}

// sampleConversation is the conversation the benchmarks create: a few
// fields set, as a chat widget would.
func sampleConversation(i int) conversation.Conversation {
	return conversation.Conversation{
		Topic:      "Where is my parcel?",
		Channel:    conversation.LiveChat,
		CustomerID: fmt.Sprintf("cust-%04d", i%1000),
		Attributes: map[string]string{"lang": "en"},
	}
}

func (bn *bench) create(b *testing.B, in conversation.Conversation) *conversation.Conversation {
	b.Helper()
	c, err := bn.svc.CreateConversation(bn.ctx, in)
	require.NoError(b, err)
	return c
}

// fresh returns a function that hands out a new conversation per call,
// made benchBatch at a time with the timer stopped; done, when set, runs
// (also untimed) over each used batch before the next is made.
func (bn *bench) fresh(b *testing.B, done func(ids []string)) func() string {
	var batch []string
	next := 0
	return func() string {
		if next == len(batch) {
			b.StopTimer()
			if done != nil && len(batch) > 0 {
				done(batch)
			}
			batch = batch[:0]
			for i := range benchBatch {
				batch = append(batch, bn.create(b, sampleConversation(i)).ID)
			}
			next = 0
			b.StartTimer()
		}
		next++
		return batch[next-1]
	}
}

// benchOps are the operations BenchmarkService measures.
var benchOps = []struct {
	name string
	run  func(b *testing.B, bn *bench)
}{
	{"CreateConversation", func(b *testing.B, bn *bench) {
		i := 0
		for b.Loop() {
			if _, err := bn.svc.CreateConversation(bn.ctx, sampleConversation(i)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}},
	{"GetConversation", func(b *testing.B, bn *bench) {
		in := sampleConversation(0)
		in.Tags = []string{"vip", "billing"}
		id := bn.create(b, in).ID
		for b.Loop() {
			if _, err := bn.svc.GetConversation(bn.ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	}},
	{"UpdateConversation", func(b *testing.B, bn *bench) {
		id := bn.create(b, sampleConversation(0)).ID
		priorities := []conversation.Priority{conversation.High, conversation.Normal}
		i := 0
		for b.Loop() {
			p := conversation.Patch{Priority: &priorities[i%2]}
			if _, err := bn.svc.UpdateConversation(bn.ctx, id, p); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}},
	{"AddTag", func(b *testing.B, bn *bench) {
		next := bn.fresh(b, nil)
		for b.Loop() {
			if _, err := bn.svc.AddTag(bn.ctx, next(), "vip"); err != nil {
				b.Fatal(err)
			}
		}
	}},
	{"CreateMessage", func(b *testing.B, bn *bench) {
		// An agent replying to the conversation assigned to them: the
		// reply matrix reads the agent.
		const agent = "agent-00"
		id := bn.create(b, sampleConversation(0)).ID
		_, err := bn.svc.AssignConversation(bn.ctx, id, agent)
		require.NoError(b, err)
		ctx := parley.WithActor(bn.ctx, parley.Actor{AgentID: agent})
		in := message.Message{Content: message.Content{Text: "Your parcel left our warehouse this morning."}}
		for b.Loop() {
			if _, err := bn.svc.CreateMessage(ctx, id, in); err != nil {
				b.Fatal(err)
			}
		}
	}},
	{"ReceiveInbound", func(b *testing.B, bn *bench) {
		// A customer writing into their open conversation: threading finds
		// it and appends the message.
		in := message.Message{Content: message.Content{Text: "Any news about my parcel?"}}
		_, _, err := bn.svc.ReceiveInbound(bn.ctx, "cust-inbound", conversation.LiveChat, in)
		require.NoError(b, err)
		for b.Loop() {
			if _, _, err := bn.svc.ReceiveInbound(bn.ctx, "cust-inbound", conversation.LiveChat, in); err != nil {
				b.Fatal(err)
			}
		}
	}},
	{"ListConversations", func(b *testing.B, bn *bench) {
		// 400 conversations over two queues and four statuses, one in two
		// tagged; a page of 50 of the OPEN ones of one queue, with the
		// total and the tags.
		statuses := []conversation.Status{conversation.Open, conversation.Waiting, conversation.Solved, conversation.Open}
		for i := range 400 {
			in := sampleConversation(i)
			in.QueueID = "archive"
			in.Status = statuses[i%len(statuses)]
			if i%2 == 0 {
				in.Tags = []string{"vip"}
			}
			if i%3 == 0 {
				in.Tags = append(in.Tags, "billing")
			}
			bn.create(b, in)
		}
		q := storage.ConversationQuery{Filter: storage.ConversationFilter{
			Statuses: []conversation.Status{conversation.Open},
			QueueIDs: []string{"archive"},
		}}
		for b.Loop() {
			page, err := bn.svc.ListConversations(bn.ctx, q)
			if err != nil {
				b.Fatal(err)
			}
			if len(page.Items) != storage.DefaultLimit {
				b.Fatalf("a page of %d", len(page.Items))
			}
		}
	}},
	{"Route", func(b *testing.B, bn *bench) {
		// A new conversation routed by the rule into the auto-assigning
		// queue and given to the least busy of its agents; each batch is
		// closed afterwards, untimed, so agents keep room.
		closed := conversation.Closed
		next := bn.fresh(b, func(ids []string) {
			for _, id := range ids {
				_, err := bn.svc.UpdateConversation(bn.ctx, id, conversation.Patch{Status: &closed})
				require.NoError(b, err)
			}
		})
		for b.Loop() {
			c, err := bn.svc.Route(bn.ctx, next())
			if err != nil {
				b.Fatal(err)
			}
			if c.AgentID == "" {
				b.Fatal("not assigned")
			}
		}
	}},
}

// BenchmarkService measures each hot operation of the service on each
// store.
func BenchmarkService(b *testing.B) {
	for _, sf := range storeFactories {
		b.Run(sf.name, func(b *testing.B) {
			for _, op := range benchOps {
				b.Run(op.name, func(b *testing.B) {
					bn := newBench(b, sf.new(b))
					b.ReportAllocs()
					op.run(b, bn)
				})
			}
		})
	}
}
