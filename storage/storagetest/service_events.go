package storagetest

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// collector is a subscriber that keeps what it is given.
type collector struct {
	mu     sync.Mutex
	events []storage.Event
}

func (c *collector) subscribe(_ context.Context, e storage.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, e)
}

func (c *collector) take() []storage.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.events
	c.events = nil
	return out
}

// recordingHandler is a slog.Handler that counts its records.
type recordingHandler struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *recordingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r)
	return nil
}

func (h *recordingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }

func (h *recordingHandler) WithGroup(string) slog.Handler { return h }

var serviceEventCases = []serviceCase{
	{"EventsOfEveryChange", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		ctx := fx.as("sup")
		steps := []struct {
			name string
			do   func() error
			want []storage.EventType
		}{
			{"create agent", func() error {
				_, err := fx.svc.CreateAgent(ctx, routing.Agent{ID: "a1", DisplayName: "Ann"})
				return err
			}, []storage.EventType{storage.AgentCreated}},
			{"create supervisor", func() error {
				_, err := fx.svc.CreateAgent(ctx, routing.Agent{ID: "sup", DisplayName: "Sue", Role: routing.RoleSupervisor})
				return err
			}, []storage.EventType{storage.AgentCreated}},
			{"update agent", func() error {
				_, err := fx.svc.UpdateAgent(ctx, "a1", routing.AgentPatch{Status: ptr(routing.Active)})
				return err
			}, []storage.EventType{storage.AgentUpdated}},
			{"create queue", func() error {
				_, err := fx.svc.CreateQueue(ctx, routing.Queue{ID: "q1", Name: "Support"})
				return err
			}, []storage.EventType{storage.QueueCreated}},
			{"update queue", func() error {
				_, err := fx.svc.UpdateQueue(ctx, "q1", routing.QueuePatch{AutoAssignment: ptr(true)})
				return err
			}, []storage.EventType{storage.QueueUpdated}},
			{"add member", func() error { return ignore(fx.svc.AddQueueMember(ctx, "q1", "a1")) }, []storage.EventType{storage.QueueMemberAdded}},
			{"remove member", func() error { return ignore(fx.svc.RemoveQueueMember(ctx, "q1", "a1")) }, []storage.EventType{storage.QueueMemberRemoved}},
			{"set rules", func() error {
				_, err := fx.svc.SetRoutingRules(ctx, []routing.Rule{{Name: "all", QueueID: "q1"}})
				return err
			}, []storage.EventType{storage.RoutingRulesReplaced}},
			{"create tag", func() error {
				_, err := fx.svc.CreateTag(ctx, "billing")
				return err
			}, []storage.EventType{storage.TagCreated}},
			{"create conversation", func() error {
				_, err := fx.svc.CreateConversation(ctx, conversation.Conversation{ID: "c1", Tags: []string{"vip"}})
				return err
			}, []storage.EventType{storage.TagCreated, storage.ConversationCreated}},
			{"update conversation", func() error {
				_, err := fx.svc.UpdateConversation(ctx, "c1", conversation.Patch{Topic: ptr("t")})
				return err
			}, []storage.EventType{storage.ConversationUpdated}},
			{"assign", func() error {
				_, err := fx.svc.AssignConversation(ctx, "c1", "a1")
				return err
			}, []storage.EventType{storage.ConversationAssigned}},
			{"reply", func() error {
				_, err := fx.svc.CreateMessage(ctx, "c1", message.Message{Content: message.Content{Text: "hi"}})
				return err
			}, []storage.EventType{storage.MessageCreated}},
			{"wait", func() error {
				_, err := fx.svc.UpdateConversation(ctx, "c1", conversation.Patch{Status: ptr(conversation.Waiting)})
				return err
			}, []storage.EventType{storage.ConversationStatusChanged}},
			{"unassign", func() error {
				_, err := fx.svc.UnassignConversation(ctx, "c1")
				return err
			}, []storage.EventType{storage.ConversationUnassigned}},
			{"tag", func() error {
				_, err := fx.svc.AddTag(ctx, "c1", "billing")
				return err
			}, []storage.EventType{storage.ConversationTagged}},
			{"untag", func() error {
				_, err := fx.svc.RemoveTag(ctx, "c1", "billing")
				return err
			}, []storage.EventType{storage.ConversationUntagged}},
			{"delete tag", func() error { return fx.svc.DeleteTag(ctx, "billing") }, []storage.EventType{storage.TagDeleted}},
			{"close", func() error {
				_, err := fx.svc.CloseConversation(ctx, "c1")
				return err
			}, []storage.EventType{storage.ConversationClosed}},
			{"delete", func() error { return fx.svc.DeleteConversation(ctx, "c1", "done") }, []storage.EventType{storage.ConversationDeleted}},
		}
		var last int64
		for _, s := range steps {
			now := fx.tick()
			require.NoError(t, s.do(), s.name)
			events := fx.eventsSince(t, last)
			require.Equal(t, s.want, types(events), s.name)
			for _, e := range events {
				require.Greater(t, e.Seq, last, "seqs increase (%s)", s.name)
				last = e.Seq
				require.Equal(t, "sup", e.Actor, s.name)
				require.True(t, now.Equal(e.At), s.name)
				if e.Type != storage.RoutingRulesReplaced {
					require.NotEmpty(t, e.EntityID, s.name)
				}
			}
		}
	}},
	{"AgentAndQueueEventChanges", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		_, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{ID: "a1", DisplayName: "Ann"})
		require.NoError(t, err)
		_, err = fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: "q1", Name: "Support"})
		require.NoError(t, err)
		seq := fx.lastSeq(t)
		now := fx.tick()
		_, err = fx.svc.UpdateAgent(fx.ctx, "a1", routing.AgentPatch{Status: ptr(routing.Active), Capacity: ptr(3)})
		require.NoError(t, err)
		require.NoError(t, ignore(fx.svc.AddQueueMember(fx.ctx, "q1", "a1")))
		events := fx.eventsSince(t, seq)
		require.Len(t, events, 2)
		requireEvent(t, events[0], storage.AgentUpdated, "", "", now,
			change{"status", `"INVISIBLE"`, `"ACTIVE"`}, change{"capacity", "5", "3"})
		require.Equal(t, "a1", events[0].EntityID)
		requireEvent(t, events[1], storage.QueueMemberAdded, "", "", now, change{"agentId", "", `"a1"`})
		require.Equal(t, "q1", events[1].EntityID)
	}},
	{"EventsFeed", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		for _, id := range []string{"c1", "c2", "c3"} {
			fx.conversation(t, conversation.Conversation{ID: id})
			_, err := fx.svc.UpdateConversation(fx.ctx, id, conversation.Patch{Topic: ptr(id)})
			require.NoError(t, err)
		}
		all := fx.events(t)
		require.Len(t, all, 6)
		for i := 1; i < len(all); i++ {
			require.Greater(t, all[i].Seq, all[i-1].Seq)
		}
		after, err := fx.svc.Events(fx.ctx, storage.EventQuery{After: all[2].Seq, Limit: 2})
		require.NoError(t, err)
		require.Equal(t, all[3:5], after)
		of, err := fx.svc.Events(fx.ctx, storage.EventQuery{ConversationID: "c2"})
		require.NoError(t, err)
		require.Equal(t, []*storage.Event{all[2], all[3]}, of)
		none, err := fx.svc.Events(fx.ctx, storage.EventQuery{After: all[5].Seq})
		require.NoError(t, err)
		require.Empty(t, none)
	}},
	{"Subscribers", func(t *testing.T, s *serviceSuite) {
		first, second := &collector{}, &collector{}
		var fx *serviceFixture
		// A subscriber runs after the commit: what it is given can be read
		// back from the store. (Inside the transaction, this read would not
		// see the event, or would block on the transaction.)
		var committed []bool
		check := func(ctx context.Context, e storage.Event) {
			got, err := fx.svc.Events(ctx, storage.EventQuery{After: e.Seq - 1, Limit: 1})
			committed = append(committed, err == nil && len(got) == 1 && got[0].Seq == e.Seq && got[0].Type == e.Type)
		}
		fx = s.setup(t, parley.WithSubscriber(first.subscribe), parley.WithSubscriber(second.subscribe), parley.WithSubscriber(check))
		fx.conversation(t, conversation.Conversation{ID: "c1", Tags: []string{"vip"}})

		logged := fx.events(t)
		got := first.take()
		require.Len(t, got, len(logged))
		for i := range logged {
			require.Equal(t, *logged[i], got[i], "subscribers see the committed events, seq included, in order")
		}
		require.Equal(t, got, second.take(), "every subscriber sees every event")
		require.Equal(t, []bool{true, true}, committed)

		// A failed operation calls no subscriber.
		_, err := fx.svc.CreateConversation(fx.ctx, conversation.Conversation{ID: "c1"})
		require.ErrorIs(t, err, parley.ErrAlreadyExists)
		_, err = fx.svc.UpdateConversation(fx.ctx, "c1", conversation.Patch{Topic: ptr("x"), IfVersion: 9})
		require.ErrorIs(t, err, parley.ErrConflict)
		_, err = fx.svc.UpdateConversation(fx.ctx, "c1", conversation.Patch{Topic: ptr("\x00")})
		require.ErrorIs(t, err, parley.ErrInvalid)
		// Nor does a change that changes nothing.
		_, err = fx.svc.AddTag(fx.ctx, "c1", "vip")
		require.NoError(t, err)
		require.Empty(t, first.take())
		require.Empty(t, second.take())

		// A subscriber's copy is its own.
		_, err = fx.svc.UpdateConversation(fx.ctx, "c1", conversation.Patch{Topic: ptr("x")})
		require.NoError(t, err)
		mine := first.take()
		require.Len(t, mine, 1)
		mine[0].Changes[0].After[1] = 'Z'
		mine[0].Type = "tampered"
		stored := fx.history(t, "c1")
		last := stored[len(stored)-1]
		require.Equal(t, storage.ConversationUpdated, last.Type)
		requireJSONText(t, `"x"`, last.Changes[0].After)
		require.Equal(t, storage.ConversationUpdated, second.take()[0].Type)
	}},
	{"PanickingSubscriber", func(t *testing.T, s *serviceSuite) {
		after := &collector{}
		logs := &recordingHandler{}
		fx := s.setup(t,
			parley.WithLogger(slog.New(logs)),
			parley.WithSubscriber(func(context.Context, storage.Event) { panic("subscriber bug") }),
			parley.WithSubscriber(after.subscribe),
		)
		c, err := fx.svc.CreateConversation(fx.ctx, conversation.Conversation{ID: "c1"})
		require.NoError(t, err, "a panicking subscriber does not fail the operation")
		require.Equal(t, c, fx.get(t, "c1"), "the change is committed")
		require.Len(t, after.take(), 1, "later subscribers still run")
		logs.mu.Lock()
		defer logs.mu.Unlock()
		var errs []slog.Record // the handler takes debug lines too: one per operation
		for _, r := range logs.records {
			if r.Level >= slog.LevelInfo {
				errs = append(errs, r)
			}
		}
		require.Len(t, errs, 1, "the panic is logged")
		require.Equal(t, slog.LevelError, errs[0].Level)
	}},
}
