package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// replyFixture has agents agent-a and agent-b (AGENT), sup-s and sup-t
// (SUPERVISOR), agent-off and sup-off (disabled), and three conversations:
// unassigned, assigned to agent-a, assigned to sup-s.
func replyFixture(t *testing.T, s *serviceSuite, opts ...parley.Option) *serviceFixture {
	t.Helper()
	fx := s.setup(t, opts...)
	fx.agent(t, "agent-a", routing.RoleAgent)
	fx.agent(t, "agent-b", routing.RoleAgent)
	fx.agent(t, "sup-s", routing.RoleSupervisor)
	fx.agent(t, "sup-t", routing.RoleSupervisor)
	fx.agent(t, "agent-off", routing.RoleAgent)
	fx.agent(t, "sup-off", routing.RoleSupervisor)
	fx.disable(t, "agent-off")
	fx.disable(t, "sup-off")
	fx.conversation(t, conversation.Conversation{ID: "unassigned", Channel: conversation.SMS})
	fx.conversation(t, conversation.Conversation{ID: "to-agent", AgentID: "agent-a", Channel: conversation.SMS})
	fx.conversation(t, conversation.Conversation{ID: "to-supervisor", AgentID: "sup-s", Channel: conversation.SMS})
	return fx
}

func jsonStringOrNone(s string) string {
	if s == "" {
		return ""
	}
	return jsonString(s)
}

var serviceMessageCases = []serviceCase{
	// ReplyMatrix sends an OUTBOUND message for every cell of the reply
	// matrix, and the unknown and disabled actors, through CreateMessage.
	{"ReplyMatrix", func(t *testing.T, s *serviceSuite) {
		tests := []struct {
			conversation string
			actor        string // "" for no actor
			err          error  // nil when the reply is allowed
		}{
			{"unassigned", "", nil},
			{"unassigned", "agent-a", parley.ErrForbidden},
			{"unassigned", "sup-s", parley.ErrForbidden},
			{"unassigned", "agent-off", parley.ErrForbidden},
			{"unassigned", "sup-off", parley.ErrForbidden},
			{"unassigned", "ghost", parley.ErrNotFound},

			{"to-agent", "", parley.ErrForbidden},
			{"to-agent", "agent-a", nil},
			{"to-agent", "agent-b", parley.ErrForbidden},
			{"to-agent", "sup-s", nil},
			{"to-agent", "sup-t", nil},
			{"to-agent", "agent-off", parley.ErrForbidden},
			{"to-agent", "sup-off", parley.ErrForbidden},
			{"to-agent", "ghost", parley.ErrNotFound},

			{"to-supervisor", "", parley.ErrForbidden},
			{"to-supervisor", "agent-a", parley.ErrForbidden},
			{"to-supervisor", "sup-s", nil},
			{"to-supervisor", "sup-t", nil},
			{"to-supervisor", "agent-off", parley.ErrForbidden},
			{"to-supervisor", "sup-off", parley.ErrForbidden},
			{"to-supervisor", "ghost", parley.ErrNotFound},
		}
		for _, tt := range tests {
			name := fmt.Sprintf("%s, actor %q", tt.conversation, tt.actor)
			t.Run(name, func(t *testing.T) {
				s.parallel(t)
				fx := replyFixture(t, s)
				c := fx.get(t, tt.conversation)
				before := fx.snapshot(t)
				now := fx.tick()
				ctx := fx.ctx
				if tt.actor != "" {
					ctx = fx.as(tt.actor)
				}
				m, err := fx.svc.CreateMessage(ctx, tt.conversation, message.Message{
					// The input's agentId is not trusted: the actor is.
					AgentID: "agent-b",
					Content: message.Content{Text: "How can I help?"},
				})
				if tt.err != nil {
					require.ErrorIs(t, err, tt.err)
					require.Nil(t, m)
					fx.requireUnchanged(t, before)
					return
				}
				require.NoError(t, err)
				require.Equal(t, message.Outbound, m.Direction, "OUTBOUND is the default")
				require.Equal(t, tt.actor, m.AgentID, "the message records the actor as its sender")
				require.Equal(t, tt.conversation, m.ConversationID)
				require.Equal(t, conversation.SMS, m.Channel, "the conversation's channel by default")
				require.Equal(t, now, m.CreatedAt)
				got, err := fx.svc.GetMessage(fx.ctx, m.ID)
				require.NoError(t, err)
				require.Equal(t, m, got)

				require.Equal(t, c, fx.get(t, tt.conversation), "a message is no change of the conversation")
				events := fx.eventsSince(t, before.Events[len(before.Events)-1].Seq)
				require.Len(t, events, 1)
				requireEvent(t, events[0], storage.MessageCreated, tt.conversation, tt.actor, now,
					change{"direction", "", `"OUTBOUND"`}, change{"agentId", "", jsonStringOrNone(tt.actor)})
				require.Equal(t, m.ID, events[0].EntityID)
			})
		}
	}},
	// ReplyToADisabledAssignee: an assignee disabled after the assignment
	// may no longer reply; a supervisor still may.
	{"ReplyToADisabledAssignee", func(t *testing.T, s *serviceSuite) {
		fx := replyFixture(t, s)
		fx.disable(t, "agent-a")
		before := fx.snapshot(t)
		_, err := fx.svc.CreateMessage(fx.as("agent-a"), "to-agent", message.Message{Content: message.Content{Text: "hi"}})
		require.ErrorIs(t, err, parley.ErrForbidden)
		fx.requireUnchanged(t, before)
		m, err := fx.svc.CreateMessage(fx.as("sup-s"), "to-agent", message.Message{Content: message.Content{Text: "hi"}})
		require.NoError(t, err)
		require.Equal(t, "sup-s", m.AgentID)
	}},
	// InboundNeedsNoActor: the reply matrix is for OUTBOUND only.
	{"InboundNeedsNoActor", func(t *testing.T, s *serviceSuite) {
		for _, conv := range []string{"unassigned", "to-agent", "to-supervisor"} {
			for _, actor := range []string{"", "agent-b"} {
				t.Run(fmt.Sprintf("%s, actor %q", conv, actor), func(t *testing.T) {
					s.parallel(t)
					fx := replyFixture(t, s)
					ctx := fx.ctx
					if actor != "" {
						ctx = fx.as(actor)
					}
					m, err := fx.svc.CreateMessage(ctx, conv, message.Message{
						Direction: message.Inbound,
						From:      "+385911234567",
						AgentID:   "agent-a",
						Content:   message.Content{Text: "my order is late"},
					})
					require.NoError(t, err)
					require.Equal(t, message.Inbound, m.Direction)
					require.Empty(t, m.AgentID, "an inbound message has no sending agent")
					require.Equal(t, "+385911234567", m.From)
				})
			}
		}
	}},
	{"InboundReopens", func(t *testing.T, s *serviceSuite) {
		tests := []struct {
			status  conversation.Status
			dir     message.Direction
			reopen  bool // WithReopenOnInbound
			reopens bool
		}{
			{conversation.Open, message.Inbound, true, false},
			{conversation.Waiting, message.Inbound, true, true},
			{conversation.Solved, message.Inbound, true, true},
			{conversation.Waiting, message.Inbound, false, false},
			{conversation.Solved, message.Inbound, false, false},
			{conversation.Waiting, message.Outbound, true, false},
			{conversation.Solved, message.Outbound, true, false},
		}
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s %s reopen=%v", tt.dir, tt.status, tt.reopen), func(t *testing.T) {
				s.parallel(t)
				fx := s.setup(t, parley.WithReopenOnInbound(tt.reopen))
				c := fx.conversation(t, conversation.Conversation{ID: "c1", Status: tt.status})
				seq := fx.lastSeq(t)
				now := fx.tick()
				m := fx.text(t, fx.ctx, "c1", tt.dir, "anyone there?")
				got := fx.get(t, "c1")
				events := fx.eventsSince(t, seq)
				if !tt.reopens {
					require.Equal(t, c, got, "status, version and updatedAt stay")
					require.Equal(t, []storage.EventType{storage.MessageCreated}, types(events))
					return
				}
				require.Equal(t, conversation.Open, got.Status)
				require.Equal(t, c.Version+1, got.Version)
				require.Equal(t, now, got.UpdatedAt)
				require.Len(t, events, 2)
				requireEvent(t, events[0], storage.MessageCreated, "c1", "", now)
				require.Equal(t, m.ID, events[0].EntityID)
				requireEvent(t, events[1], storage.ConversationStatusChanged, "c1", "", now,
					change{"status", jsonString(string(tt.status)), `"OPEN"`})
			})
		}
	}},
	{"DefaultReopenOnInbound", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.conversation(t, conversation.Conversation{ID: "c1", Status: conversation.Solved})
		fx.text(t, fx.ctx, "c1", message.Inbound, "it broke again")
		require.Equal(t, conversation.Open, fx.get(t, "c1").Status, "reopening is on by default")
	}},
	{"CreateMessageErrors", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.conversation(t, conversation.Conversation{ID: "c1"})
		m := fx.text(t, fx.ctx, "c1", message.Inbound, "first")
		before := fx.snapshot(t)

		_, err := fx.svc.CreateMessage(fx.ctx, "nope", message.Message{Content: message.Content{Text: "x"}})
		require.ErrorIs(t, err, parley.ErrNotFound)
		fx.requireUnchanged(t, before)

		_, err = fx.svc.CreateMessage(fx.ctx, "c1", message.Message{ID: m.ID, Direction: message.Inbound, Content: message.Content{Text: "x"}})
		require.ErrorIs(t, err, parley.ErrAlreadyExists)
		fx.requireUnchanged(t, before)

		mine, err := fx.svc.CreateMessage(fx.ctx, "c1", message.Message{ID: "msg-mine", Direction: message.Inbound, Channel: conversation.Email, Content: message.Content{Text: "x"}})
		require.NoError(t, err)
		require.Equal(t, "msg-mine", mine.ID)
		require.Equal(t, conversation.Email, mine.Channel)
	}},
	{"ListMessages", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.conversation(t, conversation.Conversation{ID: "c1", Channel: conversation.SMS})
		fx.conversation(t, conversation.Conversation{ID: "c2"})
		var all []*message.Message
		for i := range 7 {
			dir := message.Inbound
			if i%2 == 1 {
				dir = message.Outbound
			}
			fx.tick()
			all = append(all, fx.text(t, fx.ctx, "c1", dir, fmt.Sprintf("m%d", i)))
		}
		fx.text(t, fx.ctx, "c2", message.Inbound, "elsewhere")
		// Two at the same instant: the id breaks the tie.
		same := fx.tick()
		all = append(all, fx.text(t, fx.ctx, "c1", message.Inbound, "tie 1"), fx.text(t, fx.ctx, "c1", message.Inbound, "tie 2"))
		require.Equal(t, same, all[len(all)-1].CreatedAt)
		ids := func(ms []*message.Message) []string {
			out := make([]string, len(ms))
			for i, m := range ms {
				out[i] = m.ID
			}
			return out
		}

		page, err := fx.svc.ListMessages(fx.ctx, storage.MessageQuery{ConversationID: "c1"})
		require.NoError(t, err)
		require.Equal(t, ids(all), ids(page.Items), "chronological by default")
		require.Equal(t, len(all), page.Total)
		require.Empty(t, page.NextCursor)

		desc, err := fx.svc.ListMessages(fx.ctx, storage.MessageQuery{ConversationID: "c1", Desc: true})
		require.NoError(t, err)
		require.Len(t, desc.Items, len(all))
		for i := range all {
			require.Equal(t, all[len(all)-1-i].ID, desc.Items[i].ID)
		}

		inbound, err := fx.svc.ListMessages(fx.ctx, storage.MessageQuery{ConversationID: "c1", Direction: message.Inbound})
		require.NoError(t, err)
		require.Equal(t, []string{all[0].ID, all[2].ID, all[4].ID, all[6].ID, all[7].ID, all[8].ID}, ids(inbound.Items))

		window, err := fx.svc.ListMessages(fx.ctx, storage.MessageQuery{ConversationID: "c1", CreatedAfter: all[2].CreatedAt, CreatedBefore: all[5].CreatedAt})
		require.NoError(t, err)
		require.Equal(t, ids(all[2:5]), ids(window.Items), "after inclusive, before exclusive")

		byID, err := fx.svc.ListMessages(fx.ctx, storage.MessageQuery{ConversationID: "c1", IDs: []string{all[3].ID, all[1].ID}})
		require.NoError(t, err)
		require.Equal(t, []string{all[1].ID, all[3].ID}, ids(byID.Items))

		// Page mode and cursor mode walk the same order.
		var paged, walked []*message.Message
		for p := 0; ; p++ {
			page, err := fx.svc.ListMessages(fx.ctx, storage.MessageQuery{ConversationID: "c1", Paging: storage.Paging{Page: p, Limit: 2}})
			require.NoError(t, err)
			require.Equal(t, len(all), page.Total)
			if len(page.Items) == 0 {
				break
			}
			paged = append(paged, page.Items...)
		}
		q := storage.MessageQuery{ConversationID: "c1", Paging: storage.Paging{Limit: 2, SkipTotal: true}}
		for {
			page, err := fx.svc.ListMessages(fx.ctx, q)
			require.NoError(t, err)
			require.Equal(t, -1, page.Total, "the count was skipped")
			walked = append(walked, page.Items...)
			if page.NextCursor == "" {
				break
			}
			q.Cursor = page.NextCursor
		}
		require.Equal(t, ids(all), ids(paged))
		require.Equal(t, ids(all), ids(walked))
	}},
	// MessageTimesFollowTheClock: messages take the injected clock.
	{"MessageTimesFollowTheClock", func(t *testing.T, s *serviceSuite) {
		fx := s.setup(t)
		fx.conversation(t, conversation.Conversation{ID: "c1"})
		at := fx.clock.Advance(36 * time.Hour)
		m := fx.text(t, fx.ctx, "c1", message.Inbound, "late")
		require.Equal(t, at, m.CreatedAt)
	}},
}
