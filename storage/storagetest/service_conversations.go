package storagetest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

var serviceConversationCases = []serviceCase{
	{"CreateConversationDefaults", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		// The service's own id generator, not the fixture's.
		svc := parley.New(fx.store, parley.WithClock(fx.clock.Now))
		c, err := svc.CreateConversation(fx.ctx, conversation.Conversation{})
		require.NoError(t, err)

		require.Regexp(t, uuidV7, c.ID)
		require.Equal(t, conversation.Open, c.Status)
		require.Equal(t, conversation.Normal, c.Priority)
		require.Equal(t, conversation.NoChannel, c.Channel)
		require.Equal(t, conversation.SourceAPI, c.Source)
		require.Equal(t, int64(1), c.Version)
		require.Equal(t, t0, c.CreatedAt)
		require.Equal(t, t0, c.UpdatedAt)
		require.True(t, c.ClosedAt.IsZero())
		require.Empty(t, c.AgentID, "unassigned")
		require.Empty(t, c.QueueID)
		require.Empty(t, c.Tags)
		require.Equal(t, c, fx.get(t, c.ID), "what create returns is what was stored")

		history := fx.history(t, c.ID)
		require.Len(t, history, 1)
		requireEvent(t, history[0], storage.ConversationCreated, c.ID, "", t0,
			change{"status", "", `"OPEN"`},
			change{"priority", "", `"NORMAL"`},
			change{"channel", "", `"NO_CHANNEL"`},
			change{"source", "", `"API"`})
		require.Equal(t, c.ID, history[0].EntityID)

		// UUIDv7 ids are time-ordered: each new one sorts after the last.
		prev := c.ID
		for range 20 {
			next, err := svc.CreateConversation(fx.ctx, conversation.Conversation{})
			require.NoError(t, err)
			require.Regexp(t, uuidV7, next.ID)
			require.Greater(t, next.ID, prev)
			prev = next.ID
		}
	}},
	{"CreateConversationKeepsCallerValues", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.agent(t, "a1", routing.RoleAgent)
		fx.queue(t, "q1", "Support")
		fx.tick()
		now := fx.tick()
		in := conversation.Conversation{
			ID:         "conv-1",
			Topic:      "Refund",
			Summary:    "Wants a refund",
			Status:     conversation.Waiting,
			Priority:   conversation.High,
			QueueID:    "q1",
			AgentID:    "a1",
			Channel:    conversation.LiveChat,
			Source:     conversation.SourceWidget,
			CustomerID: "cust-1",
			Attributes: map[string]string{"plan": "gold"},
		}
		c, err := fx.svc.CreateConversation(fx.as("a1"), in)
		require.NoError(t, err)
		require.Equal(t, "conv-1", c.ID)
		require.Equal(t, "Refund", c.Topic)
		require.Equal(t, "Wants a refund", c.Summary)
		require.Equal(t, conversation.Waiting, c.Status)
		require.Equal(t, conversation.High, c.Priority)
		require.Equal(t, "q1", c.QueueID)
		require.Equal(t, "a1", c.AgentID)
		require.Equal(t, conversation.LiveChat, c.Channel)
		require.Equal(t, conversation.SourceWidget, c.Source)
		require.Equal(t, "cust-1", c.CustomerID)
		require.Equal(t, map[string]string{"plan": "gold"}, c.Attributes)
		require.Equal(t, now, c.CreatedAt)
		require.Equal(t, int64(1), c.Version)
		require.Equal(t, c, fx.get(t, "conv-1"))

		history := fx.history(t, "conv-1")
		require.Len(t, history, 1)
		requireEvent(t, history[0], storage.ConversationCreated, "conv-1", "a1", now,
			change{"topic", "", `"Refund"`},
			change{"summary", "", `"Wants a refund"`},
			change{"status", "", `"WAITING"`},
			change{"priority", "", `"HIGH"`},
			change{"queueId", "", `"q1"`},
			change{"agentId", "", `"a1"`},
			change{"channel", "", `"LIVE_CHAT"`},
			change{"source", "", `"WIDGET"`},
			change{"customerId", "", `"cust-1"`},
			change{"attributes", "", `{"plan":"gold"}`})

		a, err := fx.svc.GetAgent(fx.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, now, a.LastAssignedAt, "an assignment on create counts for the strategies")

		// The caller's value is copied, not kept.
		in.Attributes["plan"] = "silver"
		require.Equal(t, "gold", fx.get(t, "conv-1").Attributes["plan"])
	}},
	{"CreateConversationDuplicateID", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.conversation(t, conversation.Conversation{ID: "conv-1", Topic: "first"})
		before := fx.snapshot(t)
		_, err := fx.svc.CreateConversation(fx.ctx, conversation.Conversation{ID: "conv-1", Topic: "second", Tags: []string{"new-tag"}})
		require.ErrorIs(t, err, parley.ErrAlreadyExists)
		fx.requireUnchanged(t, before)
		require.Equal(t, "first", fx.get(t, "conv-1").Topic)
	}},
	{"CreateConversationReferences", func(t *testing.T, s *serviceSuite) {
		tests := []struct {
			name string
			in   conversation.Conversation
			err  error
		}{
			{"existing queue", conversation.Conversation{QueueID: "q1"}, nil},
			{"missing queue", conversation.Conversation{QueueID: "nope"}, parley.ErrNotFound},
			{"existing agent", conversation.Conversation{AgentID: "a1"}, nil},
			{"existing supervisor", conversation.Conversation{AgentID: "s1"}, nil},
			{"missing agent", conversation.Conversation{AgentID: "nope"}, parley.ErrNotFound},
			{"disabled agent", conversation.Conversation{AgentID: "off"}, parley.ErrNotFound},
			{"existing queue, missing agent", conversation.Conversation{QueueID: "q1", AgentID: "nope"}, parley.ErrNotFound},
			{"missing queue, existing agent", conversation.Conversation{QueueID: "nope", AgentID: "a1"}, parley.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s.parallel(t)
				fx := s.setup(t)
				fx.queue(t, "q1", "Support")
				fx.agent(t, "a1", routing.RoleAgent)
				fx.agent(t, "s1", routing.RoleSupervisor)
				fx.agent(t, "off", routing.RoleAgent)
				fx.disable(t, "off")
				before := fx.snapshot(t)
				tt.in.Tags = []string{"brand-new"}
				c, err := fx.svc.CreateConversation(fx.ctx, tt.in)
				if tt.err != nil {
					require.ErrorIs(t, err, tt.err)
					require.Nil(t, c)
					fx.requireUnchanged(t, before)
					return
				}
				require.NoError(t, err)
				require.Equal(t, tt.in.QueueID, c.QueueID)
				require.Equal(t, tt.in.AgentID, c.AgentID)
			})
		}
	}},
	{"CreateConversationWithTags", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		_, err := fx.svc.CreateTag(fx.ctx, "billing")
		require.NoError(t, err)
		seq := fx.lastSeq(t)
		now := fx.tick()

		c := fx.conversation(t, conversation.Conversation{ID: "c1", Tags: []string{"vip", "billing", "vip", "a-first"}})
		require.Equal(t, []string{"a-first", "billing", "vip"}, c.Tags, "unique and in name order")
		require.Equal(t, c, fx.get(t, "c1"), "what create returns is what was stored")

		for _, name := range []string{"a-first", "vip"} {
			tg, err := fx.svc.GetTag(fx.ctx, name)
			require.NoError(t, err, "a missing tag is created in the catalog")
			require.Equal(t, now, tg.CreatedAt)
		}
		tg, err := fx.svc.GetTag(fx.ctx, "billing")
		require.NoError(t, err)
		require.Equal(t, t0, tg.CreatedAt, "an existing tag is left alone")

		events := fx.eventsSince(t, seq)
		require.Equal(t, []storage.EventType{storage.TagCreated, storage.TagCreated, storage.ConversationCreated}, types(events))
		require.ElementsMatch(t, []string{"a-first", "vip"}, []string{events[0].EntityID, events[1].EntityID})

		page, err := fx.svc.ConversationTags(fx.ctx, "c1", storage.Paging{})
		require.NoError(t, err)
		require.Len(t, page.Items, 3)
	}},
	{"CreateConversationWithAnInvalidTag", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		before := fx.snapshot(t)
		_, err := fx.svc.CreateConversation(fx.ctx, conversation.Conversation{Tags: []string{"ok", "not ok"}})
		requireInvalid(t, err, "tags")
		fx.requireUnchanged(t, before)
	}},
	{"CreateConversationTimesAreUTCMicroseconds", func(t *testing.T, s *serviceSuite) {
		zone := time.FixedZone("UTC+2", 2*3600)
		at := time.Date(2024, 5, 1, 11, 30, 0, 123456789, zone)
		fx := s.setup(t, parley.WithClock(func() time.Time { return at }))
		c := fx.conversation(t, conversation.Conversation{})
		want := time.Date(2024, 5, 1, 9, 30, 0, 123456000, time.UTC)
		require.Equal(t, want, c.CreatedAt)
		require.Equal(t, want, fx.get(t, c.ID).CreatedAt)
	}},
	// UpdateStatusPairs moves a conversation between every pair of
	// statuses through UpdateConversation.
	{"UpdateStatusPairs", func(t *testing.T, s *serviceSuite) {
		for _, from := range conversation.Statuses {
			for _, to := range conversation.Statuses {
				t.Run(fmt.Sprintf("%s to %s", from, to), func(t *testing.T) {
					s.parallel(t)
					fx := s.setup(t)
					fx.agent(t, "a1", routing.RoleAgent)
					c := fx.conversation(t, conversation.Conversation{ID: "c1", Status: from, AgentID: "a1"})
					before := fx.snapshot(t)
					now := fx.tick()

					got, err := fx.svc.UpdateConversation(fx.as("a1"), "c1", conversation.Patch{Status: ptr(to)})
					switch {
					case from == conversation.Closed:
						require.ErrorIs(t, err, parley.ErrClosed)
						require.Nil(t, got)
						fx.requireUnchanged(t, before)
					case from == to:
						require.NoError(t, err)
						require.Equal(t, c, got)
						fx.requireUnchanged(t, before)
					default:
						require.NoError(t, err)
						require.Equal(t, to, got.Status)
						require.Equal(t, c.Version+1, got.Version)
						require.Equal(t, now, got.UpdatedAt)
						require.Equal(t, "a1", got.AgentID, "the assignee stays recorded")
						require.Equal(t, got, fx.get(t, "c1"))
						events := fx.eventsSince(t, before.Events[len(before.Events)-1].Seq)
						require.Len(t, events, 1)
						if to == conversation.Closed {
							require.Equal(t, now, got.ClosedAt)
							requireEvent(t, events[0], storage.ConversationClosed, "c1", "a1", now,
								change{"status", jsonString(string(from)), `"CLOSED"`},
								change{"closedAt", "", jsonTime(now)})
						} else {
							require.True(t, got.ClosedAt.IsZero())
							requireEvent(t, events[0], storage.ConversationStatusChanged, "c1", "a1", now,
								change{"status", jsonString(string(from)), jsonString(string(to))})
						}
					}
				})
			}
		}
	}},
	{"UpdateFieldEvents", func(t *testing.T, s *serviceSuite) {
		tests := []struct {
			name   string
			patch  conversation.Patch
			typ    storage.EventType
			change change
		}{
			{"topic", conversation.Patch{Topic: ptr("New topic")}, storage.ConversationUpdated, change{"topic", `"Old topic"`, `"New topic"`}},
			{"clear topic", conversation.Patch{Topic: ptr("")}, storage.ConversationUpdated, change{"topic", `"Old topic"`, ""}},
			{"summary", conversation.Patch{Summary: ptr("s")}, storage.ConversationUpdated, change{"summary", "", `"s"`}},
			{"priority", conversation.Patch{Priority: ptr(conversation.Urgent)}, storage.ConversationUpdated, change{"priority", `"NORMAL"`, `"URGENT"`}},
			{"channel", conversation.Patch{Channel: ptr(conversation.Email)}, storage.ConversationUpdated, change{"channel", `"NO_CHANNEL"`, `"EMAIL"`}},
			{"customer", conversation.Patch{CustomerID: ptr("cust-2")}, storage.ConversationUpdated, change{"customerId", "", `"cust-2"`}},
			{"attributes", conversation.Patch{Attributes: map[string]string{"b": "2"}}, storage.ConversationUpdated, change{"attributes", `{"a":"1"}`, `{"b":"2"}`}},
			{"clear attributes", conversation.Patch{Attributes: map[string]string{}}, storage.ConversationUpdated, change{"attributes", `{"a":"1"}`, ""}},
			{"queue", conversation.Patch{QueueID: ptr("q1")}, storage.ConversationUpdated, change{"queueId", "", `"q1"`}},
			{"assign", conversation.Patch{AgentID: ptr("a1")}, storage.ConversationAssigned, change{"agentId", "", `"a1"`}},
			{"solve", conversation.Patch{Status: ptr(conversation.Solved)}, storage.ConversationStatusChanged, change{"status", `"OPEN"`, `"SOLVED"`}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s.parallel(t)
				fx := s.setup(t)
				fx.agent(t, "a1", routing.RoleAgent)
				fx.queue(t, "q1", "Support")
				c := fx.conversation(t, conversation.Conversation{ID: "c1", Topic: "Old topic", Attributes: map[string]string{"a": "1"}})
				seq := fx.lastSeq(t)
				now := fx.tick()
				got, err := fx.svc.UpdateConversation(fx.ctx, "c1", tt.patch)
				require.NoError(t, err)
				require.Equal(t, c.Version+1, got.Version)
				require.Equal(t, now, got.UpdatedAt)
				require.Equal(t, c.CreatedAt, got.CreatedAt)
				require.Equal(t, got, fx.get(t, "c1"))
				events := fx.eventsSince(t, seq)
				require.Len(t, events, 1)
				requireEvent(t, events[0], tt.typ, "c1", "", now, tt.change)
			})
		}
	}},
	{"UpdateBumpsOncePerChange", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.agent(t, "a1", routing.RoleAgent)
		c := fx.conversation(t, conversation.Conversation{ID: "c1", Topic: "t"})
		seq := fx.lastSeq(t)
		now := fx.tick()

		p := conversation.Patch{
			Topic:    ptr("t2"),
			Priority: ptr(conversation.High),
			AgentID:  ptr("a1"),
			Status:   ptr(conversation.Waiting),
		}
		got, err := fx.svc.UpdateConversation(fx.ctx, "c1", p)
		require.NoError(t, err)
		require.Equal(t, c.Version+1, got.Version, "one change, one version, however many fields")
		require.Equal(t, now, got.UpdatedAt)
		events := fx.eventsSince(t, seq)
		require.Equal(t, []storage.EventType{storage.ConversationUpdated, storage.ConversationAssigned, storage.ConversationStatusChanged}, types(events))
		requireEvent(t, events[0], storage.ConversationUpdated, "c1", "", now,
			change{"topic", `"t"`, `"t2"`}, change{"priority", `"NORMAL"`, `"HIGH"`})
		requireEvent(t, events[1], storage.ConversationAssigned, "c1", "", now, change{"agentId", "", `"a1"`})
		requireEvent(t, events[2], storage.ConversationStatusChanged, "c1", "", now, change{"status", `"OPEN"`, `"WAITING"`})

		// The same patch again changes nothing: nothing written, no event.
		before := fx.snapshot(t)
		fx.tick()
		again, err := fx.svc.UpdateConversation(fx.ctx, "c1", p)
		require.NoError(t, err)
		require.Equal(t, got, again)
		fx.requireUnchanged(t, before)

		empty, err := fx.svc.UpdateConversation(fx.ctx, "c1", conversation.Patch{})
		require.NoError(t, err)
		require.Equal(t, got, empty)
		fx.requireUnchanged(t, before)
	}},
	{"UpdateReferences", func(t *testing.T, s *serviceSuite) {
		tests := []struct {
			name  string
			patch conversation.Patch
			err   error
		}{
			{"missing queue", conversation.Patch{QueueID: ptr("nope")}, parley.ErrNotFound},
			{"missing agent", conversation.Patch{AgentID: ptr("nope")}, parley.ErrNotFound},
			{"disabled agent", conversation.Patch{AgentID: ptr("off")}, parley.ErrNotFound},
			{"topic and a missing agent", conversation.Patch{Topic: ptr("x"), AgentID: ptr("nope")}, parley.ErrNotFound},
			{"existing queue", conversation.Patch{QueueID: ptr("q1")}, nil},
			{"existing agent", conversation.Patch{AgentID: ptr("a1")}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s.parallel(t)
				fx := s.setup(t)
				fx.queue(t, "q1", "Support")
				fx.agent(t, "a1", routing.RoleAgent)
				fx.agent(t, "off", routing.RoleAgent)
				fx.disable(t, "off")
				fx.conversation(t, conversation.Conversation{ID: "c1"})
				before := fx.snapshot(t)
				_, err := fx.svc.UpdateConversation(fx.ctx, "c1", tt.patch)
				if tt.err == nil {
					require.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, tt.err)
				fx.requireUnchanged(t, before)
			})
		}
	}},
	{"UpdateMissingConversation", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		before := fx.snapshot(t)
		_, err := fx.svc.UpdateConversation(fx.ctx, "nope", conversation.Patch{Topic: ptr("x")})
		require.ErrorIs(t, err, parley.ErrNotFound)
		_, err = fx.svc.GetConversation(fx.ctx, "nope")
		require.ErrorIs(t, err, parley.ErrNotFound)
		fx.requireUnchanged(t, before)
	}},
	{"UpdateIfVersion", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.conversation(t, conversation.Conversation{ID: "c1"})
		v2, err := fx.svc.UpdateConversation(fx.ctx, "c1", conversation.Patch{Topic: ptr("second")})
		require.NoError(t, err)
		require.Equal(t, int64(2), v2.Version)

		before := fx.snapshot(t)
		for _, stale := range []int64{1, 3, 100} {
			_, err := fx.svc.UpdateConversation(fx.ctx, "c1", conversation.Patch{Topic: ptr("lost"), IfVersion: stale})
			require.ErrorIs(t, err, parley.ErrConflict, "expected version %d", stale)
			fx.requireUnchanged(t, before)
		}

		v3, err := fx.svc.UpdateConversation(fx.ctx, "c1", conversation.Patch{Topic: ptr("third"), IfVersion: 2})
		require.NoError(t, err)
		require.Equal(t, int64(3), v3.Version)
		require.Equal(t, "third", v3.Topic)
	}},
	// ClosedConversationIsImmutable runs every mutating operation on a
	// closed conversation: each fails with ErrClosed and writes nothing.
	{"ClosedConversationIsImmutable", func(t *testing.T, s *serviceSuite) {
		type op func(fx *serviceFixture) error
		update := func(p conversation.Patch) op {
			return func(fx *serviceFixture) error {
				_, err := fx.svc.UpdateConversation(fx.ctx, "c1", p)
				return err
			}
		}
		send := func(ctx func(fx *serviceFixture) context.Context, dir message.Direction) op {
			return func(fx *serviceFixture) error {
				_, err := fx.svc.CreateMessage(ctx(fx), "c1", message.Message{Direction: dir, Content: message.Content{Text: "hello?"}})
				return err
			}
		}
		noActor := func(fx *serviceFixture) context.Context { return fx.ctx }
		assignee := func(fx *serviceFixture) context.Context { return fx.as("a1") }
		supervisor := func(fx *serviceFixture) context.Context { return fx.as("s1") }
		ops := []struct {
			name string
			op   op
		}{
			{"update topic", update(conversation.Patch{Topic: ptr("x")})},
			{"update summary", update(conversation.Patch{Summary: ptr("x")})},
			{"update to OPEN", update(conversation.Patch{Status: ptr(conversation.Open)})},
			{"update to WAITING", update(conversation.Patch{Status: ptr(conversation.Waiting)})},
			{"update to SOLVED", update(conversation.Patch{Status: ptr(conversation.Solved)})},
			{"update to CLOSED", update(conversation.Patch{Status: ptr(conversation.Closed)})},
			{"update priority", update(conversation.Patch{Priority: ptr(conversation.Urgent)})},
			{"update queue", update(conversation.Patch{QueueID: ptr("q2")})},
			{"update leave queue", update(conversation.Patch{QueueID: ptr("")})},
			{"update agent", update(conversation.Patch{AgentID: ptr("a2")})},
			{"update unassign", update(conversation.Patch{AgentID: ptr("")})},
			{"update channel", update(conversation.Patch{Channel: ptr(conversation.SMS)})},
			{"update customer", update(conversation.Patch{CustomerID: ptr("cust-2")})},
			{"update attributes", update(conversation.Patch{Attributes: map[string]string{"k": "v"}})},
			{"update with the current version", update(conversation.Patch{Topic: ptr("x"), IfVersion: 2})},
			{"update with nothing", update(conversation.Patch{})},
			{"assign another agent", func(fx *serviceFixture) error {
				_, err := fx.svc.AssignConversation(fx.ctx, "c1", "a2")
				return err
			}},
			{"assign the assignee again", func(fx *serviceFixture) error {
				_, err := fx.svc.AssignConversation(fx.ctx, "c1", "a1")
				return err
			}},
			{"unassign", func(fx *serviceFixture) error {
				_, err := fx.svc.UnassignConversation(fx.ctx, "c1")
				return err
			}},
			{"close again", func(fx *serviceFixture) error {
				_, err := fx.svc.CloseConversation(fx.ctx, "c1")
				return err
			}},
			{"add a new tag", func(fx *serviceFixture) error {
				_, err := fx.svc.AddTag(fx.ctx, "c1", "brand-new")
				return err
			}},
			{"add a catalog tag", func(fx *serviceFixture) error {
				_, err := fx.svc.AddTag(fx.ctx, "c1", "other")
				return err
			}},
			{"add a tag it has", func(fx *serviceFixture) error {
				_, err := fx.svc.AddTag(fx.ctx, "c1", "vip")
				return err
			}},
			{"remove a tag", func(fx *serviceFixture) error {
				_, err := fx.svc.RemoveTag(fx.ctx, "c1", "vip")
				return err
			}},
			{"outbound message from the assignee", send(assignee, message.Outbound)},
			{"outbound message from a supervisor", send(supervisor, message.Outbound)},
			{"outbound message with no actor", send(noActor, message.Outbound)},
			{"inbound message", send(noActor, message.Inbound)},
		}
		for _, tt := range ops {
			t.Run(tt.name, func(t *testing.T) {
				s.parallel(t)
				fx := s.setup(t)
				fx.agent(t, "a1", routing.RoleAgent)
				fx.agent(t, "a2", routing.RoleAgent)
				fx.agent(t, "s1", routing.RoleSupervisor)
				fx.queue(t, "q1", "Support")
				fx.queue(t, "q2", "Sales")
				_, err := fx.svc.CreateTag(fx.ctx, "other")
				require.NoError(t, err)
				fx.conversation(t, conversation.Conversation{ID: "c1", QueueID: "q1", AgentID: "a1", Tags: []string{"vip"}})
				fx.text(t, fx.as("a1"), "c1", message.Outbound, "hi")
				closed, err := fx.svc.CloseConversation(fx.ctx, "c1")
				require.NoError(t, err)
				require.Equal(t, int64(2), closed.Version)
				before := fx.snapshot(t)
				fx.tick()

				require.ErrorIs(t, tt.op(fx), parley.ErrClosed)
				fx.requireUnchanged(t, before)

				// Deleting is the one thing still allowed.
				require.NoError(t, fx.svc.DeleteConversation(fx.ctx, "c1", "gdpr"))
				_, err = fx.svc.GetConversation(fx.ctx, "c1")
				require.ErrorIs(t, err, parley.ErrNotFound)
			})
		}
	}},
	{"AssignAndUnassign", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.agent(t, "a1", routing.RoleAgent)
		fx.agent(t, "a2", routing.RoleAgent)
		fx.agent(t, "off", routing.RoleAgent)
		fx.disable(t, "off")
		fx.conversation(t, conversation.Conversation{ID: "c1"})

		seq := fx.lastSeq(t)
		now := fx.tick()
		c, err := fx.svc.AssignConversation(fx.as("s9"), "c1", "a1")
		require.NoError(t, err)
		require.Equal(t, "a1", c.AgentID)
		require.Equal(t, int64(2), c.Version)
		events := fx.eventsSince(t, seq)
		require.Len(t, events, 1)
		requireEvent(t, events[0], storage.ConversationAssigned, "c1", "s9", now, change{"agentId", "", `"a1"`})
		a1, err := fx.svc.GetAgent(fx.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, now, a1.LastAssignedAt)

		// The current assignee again: nothing changes.
		before := fx.snapshot(t)
		fx.tick()
		same, err := fx.svc.AssignConversation(fx.ctx, "c1", "a1")
		require.NoError(t, err)
		require.Equal(t, c, same)
		fx.requireUnchanged(t, before)

		for _, bad := range []string{"nope", "off"} {
			_, err = fx.svc.AssignConversation(fx.ctx, "c1", bad)
			require.ErrorIs(t, err, parley.ErrNotFound, bad)
			fx.requireUnchanged(t, before)
		}
		_, err = fx.svc.AssignConversation(fx.ctx, "c1", "")
		requireInvalid(t, err, "agentId")
		fx.requireUnchanged(t, before)

		seq = fx.lastSeq(t)
		now = fx.tick()
		c, err = fx.svc.AssignConversation(fx.ctx, "c1", "a2")
		require.NoError(t, err)
		require.Equal(t, "a2", c.AgentID)
		events = fx.eventsSince(t, seq)
		require.Len(t, events, 1)
		requireEvent(t, events[0], storage.ConversationAssigned, "c1", "", now, change{"agentId", `"a1"`, `"a2"`})

		seq = fx.lastSeq(t)
		now = fx.tick()
		c, err = fx.svc.UnassignConversation(fx.ctx, "c1")
		require.NoError(t, err)
		require.Empty(t, c.AgentID)
		require.Equal(t, int64(4), c.Version)
		events = fx.eventsSince(t, seq)
		require.Len(t, events, 1)
		requireEvent(t, events[0], storage.ConversationUnassigned, "c1", "", now, change{"agentId", `"a2"`, ""})

		// Unassigning an unassigned conversation changes nothing.
		before = fx.snapshot(t)
		again, err := fx.svc.UnassignConversation(fx.ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, c, again)
		fx.requireUnchanged(t, before)

		_, err = fx.svc.AssignConversation(fx.ctx, "nope", "a1")
		require.ErrorIs(t, err, parley.ErrNotFound)
		_, err = fx.svc.UnassignConversation(fx.ctx, "nope")
		require.ErrorIs(t, err, parley.ErrNotFound)
		fx.requireUnchanged(t, before)
	}},
	{"CloseConversation", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		_, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{ID: "a1", DisplayName: "A", WrapUpSeconds: 90})
		require.NoError(t, err)
		fx.conversation(t, conversation.Conversation{ID: "c1", AgentID: "a1", Status: conversation.Waiting})
		seq := fx.lastSeq(t)
		now := fx.tick()

		c, err := fx.svc.CloseConversation(fx.as("a1"), "c1")
		require.NoError(t, err)
		require.Equal(t, conversation.Closed, c.Status)
		require.Equal(t, now, c.ClosedAt)
		require.Equal(t, now, c.UpdatedAt)
		require.Equal(t, int64(2), c.Version)
		require.Equal(t, "a1", c.AgentID, "the assignee stays on record")
		require.Equal(t, c, fx.get(t, "c1"))

		events := fx.eventsSince(t, seq)
		require.Len(t, events, 1)
		requireEvent(t, events[0], storage.ConversationClosed, "c1", "a1", now,
			change{"status", `"WAITING"`, `"CLOSED"`}, change{"closedAt", "", jsonTime(now)})

		a, err := fx.svc.GetAgent(fx.ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, now.Add(90*time.Second), a.WrapUpUntil, "closing starts the assignee's wrap-up")

		_, err = fx.svc.CloseConversation(fx.ctx, "nope")
		require.ErrorIs(t, err, parley.ErrNotFound)
	}},
	{"DeleteConversation", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.conversation(t, conversation.Conversation{ID: "c1", Tags: []string{"vip", "billing"}})
		fx.conversation(t, conversation.Conversation{ID: "c2", Tags: []string{"vip"}})
		m1 := fx.text(t, fx.ctx, "c1", message.Inbound, "hello")
		m2 := fx.text(t, fx.ctx, "c1", message.Outbound, "hi there")
		m3 := fx.text(t, fx.ctx, "c2", message.Inbound, "other")
		_, err := fx.svc.UpdateConversation(fx.ctx, "c1", conversation.Patch{Topic: ptr("about to go")})
		require.NoError(t, err)
		require.Greater(t, len(fx.history(t, "c1")), 3)
		c2Before := fx.get(t, "c2")
		c2History := fx.history(t, "c2")

		now := fx.tick()
		require.NoError(t, fx.svc.DeleteConversation(fx.as("s1"), "c1", "customer asked to be forgotten"))

		_, err = fx.svc.GetConversation(fx.ctx, "c1")
		require.ErrorIs(t, err, parley.ErrNotFound)
		for _, m := range []string{m1.ID, m2.ID} {
			_, err = fx.svc.GetMessage(fx.ctx, m)
			require.ErrorIs(t, err, parley.ErrNotFound, "its messages go with it")
		}
		_, err = fx.svc.ListMessages(fx.ctx, storage.MessageQuery{ConversationID: "c1"})
		require.ErrorIs(t, err, parley.ErrNotFound)
		_, err = fx.svc.ConversationTags(fx.ctx, "c1", storage.Paging{})
		require.ErrorIs(t, err, parley.ErrNotFound)

		for _, name := range []string{"vip", "billing"} {
			_, err = fx.svc.GetTag(fx.ctx, name)
			require.NoError(t, err, "the tag stays in the catalog")
		}
		page, err := fx.svc.ListConversations(fx.ctx, storage.ConversationQuery{Filter: storage.ConversationFilter{Tags: []string{"vip"}}})
		require.NoError(t, err)
		require.Len(t, page.Items, 1, "the tag link is gone")
		require.Equal(t, "c2", page.Items[0].ID)
		page, err = fx.svc.ListConversations(fx.ctx, storage.ConversationQuery{Filter: storage.ConversationFilter{Tags: []string{"billing"}}})
		require.NoError(t, err)
		require.Empty(t, page.Items)

		history := fx.history(t, "c1")
		require.Len(t, history, 1, "the deleted event is the only trace left")
		requireEvent(t, history[0], storage.ConversationDeleted, "c1", "s1", now,
			change{"reason", "", `"customer asked to be forgotten"`})
		for _, e := range fx.events(t) {
			if e.ConversationID == "c1" {
				require.Equal(t, storage.ConversationDeleted, e.Type, "no other event of the conversation is left in the log")
			}
		}

		// The other conversation is untouched.
		require.Equal(t, c2Before, fx.get(t, "c2"))
		require.Equal(t, c2History, fx.history(t, "c2"))
		got, err := fx.svc.GetMessage(fx.ctx, m3.ID)
		require.NoError(t, err)
		require.Equal(t, m3, got)

		// A missing conversation (the deleted one included) is ErrNotFound.
		before := fx.snapshot(t)
		require.ErrorIs(t, fx.svc.DeleteConversation(fx.ctx, "c1", "again"), parley.ErrNotFound)
		require.ErrorIs(t, fx.svc.DeleteConversation(fx.ctx, "never", ""), parley.ErrNotFound)
		fx.requireUnchanged(t, before)
	}},
	{"DeleteReason", func(t *testing.T, s *serviceSuite) {
		tests := []struct {
			name   string
			reason string
			field  string
		}{
			{"no reason", "", ""},
			{"1000 runes", strings.Repeat("é", 1000), ""},
			{"1001 runes", strings.Repeat("é", 1001), "reason"},
			{"invalid UTF-8", "bad \xff", "reason"},
			{"NUL byte", "a\x00b", "reason"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s.parallel(t)
				fx := s.setup(t)
				fx.conversation(t, conversation.Conversation{ID: "c1"})
				before := fx.snapshot(t)
				err := fx.svc.DeleteConversation(fx.ctx, "c1", tt.reason)
				if tt.field != "" {
					requireInvalid(t, err, tt.field)
					fx.requireUnchanged(t, before)
					return
				}
				require.NoError(t, err)
				history := fx.history(t, "c1")
				require.Len(t, history, 1)
				want := ""
				if tt.reason != "" {
					want = jsonString(tt.reason)
				}
				requireEvent(t, history[0], storage.ConversationDeleted, "c1", "", t0, change{"reason", "", want})
			})
		}
	}},
	{"History", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		_, err := fx.svc.History(fx.ctx, "never", 0, 0)
		require.ErrorIs(t, err, parley.ErrNotFound)

		fx.conversation(t, conversation.Conversation{ID: "c1"})
		fx.conversation(t, conversation.Conversation{ID: "c2"})
		_, err = fx.svc.UpdateConversation(fx.ctx, "c1", conversation.Patch{Topic: ptr("x")})
		require.NoError(t, err)
		_, err = fx.svc.AddTag(fx.ctx, "c1", "vip")
		require.NoError(t, err)
		fx.text(t, fx.ctx, "c1", message.Inbound, "hi")

		history := fx.history(t, "c1")
		require.Equal(t, []storage.EventType{
			storage.ConversationCreated, storage.ConversationUpdated, storage.ConversationTagged, storage.MessageCreated,
		}, types(history), "the tag.created event is the catalog's, not the conversation's")
		for _, e := range history {
			require.Equal(t, "c1", e.ConversationID)
		}

		after, err := fx.svc.History(fx.ctx, "c1", history[1].Seq, 0)
		require.NoError(t, err)
		require.Equal(t, history[2:], after)
		limited, err := fx.svc.History(fx.ctx, "c1", 0, 2)
		require.NoError(t, err)
		require.Equal(t, history[:2], limited)

		fresh := fx.history(t, "c2")
		require.Len(t, fresh, 1)

		// After a seq: empty for a conversation that exists or left a
		// trace, ErrNotFound for one that never did.
		last := fx.lastSeq(t)
		none, err := fx.svc.History(fx.ctx, "c2", last, 0)
		require.NoError(t, err)
		require.Empty(t, none)
		_, err = fx.svc.History(fx.ctx, "never", last, 0)
		require.ErrorIs(t, err, parley.ErrNotFound)
		require.NoError(t, fx.svc.DeleteConversation(fx.ctx, "c2", "gone"))
		none, err = fx.svc.History(fx.ctx, "c2", fx.lastSeq(t), 0)
		require.NoError(t, err)
		require.Empty(t, none)
	}},
	// DeletionRecordsSurviveIdReuse: an id may be used again after its
	// conversation was deleted; the deletion record of the first stays in the
	// log when the second is deleted too, as the only trace of each.
	{"DeletionRecordsSurviveIdReuse", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.conversation(t, conversation.Conversation{ID: "c1", Topic: "first life"})
		fx.text(t, fx.ctx, "c1", message.Inbound, "hello")
		require.NoError(t, fx.svc.DeleteConversation(fx.ctx, "c1", "first"))
		fx.tick()
		fx.conversation(t, conversation.Conversation{ID: "c1", Topic: "second life"})
		history := fx.history(t, "c1")
		require.Equal(t, []storage.EventType{storage.ConversationDeleted, storage.ConversationCreated}, types(history),
			"the new conversation's history begins with the earlier one's deletion")
		fx.text(t, fx.ctx, "c1", message.Inbound, "again")
		require.NoError(t, fx.svc.DeleteConversation(fx.ctx, "c1", "second"))

		history = fx.history(t, "c1")
		require.Equal(t, []storage.EventType{storage.ConversationDeleted, storage.ConversationDeleted}, types(history))
		requireEvent(t, history[0], storage.ConversationDeleted, "c1", "", t0, change{"reason", "", `"first"`})
		requireEvent(t, history[1], storage.ConversationDeleted, "c1", "", t0.Add(time.Second), change{"reason", "", `"second"`})
		var inLog []storage.EventType
		for _, e := range fx.events(t) {
			if e.ConversationID == "c1" {
				inLog = append(inLog, e.Type)
			}
		}
		require.Equal(t, types(history), inLog, "nothing else of either life is left in the log")
	}},
}
