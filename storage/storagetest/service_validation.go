package storagetest

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
)

// accented is n two-byte runes: limits count characters, not bytes.
func accented(n int) string { return strings.Repeat("é", n) }

func manyAttributes(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[fmt.Sprintf("key%02d", i)] = "v"
	}
	return m
}

// tamper changes one character in the middle of a cursor.
func tamper(cursor string) string {
	b := []byte(cursor)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// validationFixture has agent a1, queue q1, conversations c1 and c2 (OPEN,
// c1 tagged vip) with a message each.
func validationFixture(t *testing.T, s *serviceSuite) *serviceFixture {
	t.Helper()
	fx := s.setup(t)
	fx.agent(t, "a1", routing.RoleAgent)
	fx.queue(t, "q1", "Support")
	fx.conversation(t, conversation.Conversation{ID: "c1", Tags: []string{"vip"}})
	fx.tick()
	fx.conversation(t, conversation.Conversation{ID: "c2"})
	fx.text(t, fx.ctx, "c1", message.Inbound, "one")
	fx.text(t, fx.ctx, "c1", message.Inbound, "two")
	fx.text(t, fx.ctx, "c2", message.Inbound, "three")
	return fx
}

func openConversationsCursor(t *testing.T, fx *serviceFixture) string {
	t.Helper()
	page, err := fx.svc.ListConversations(fx.ctx, storage.ConversationQuery{
		Filter: storage.ConversationFilter{Statuses: []conversation.Status{conversation.Open}},
		Paging: storage.Paging{Limit: 1},
	})
	require.NoError(t, err)
	require.NotEmpty(t, page.NextCursor)
	return page.NextCursor
}

func messagesCursor(t *testing.T, fx *serviceFixture) string {
	t.Helper()
	page, err := fx.svc.ListMessages(fx.ctx, storage.MessageQuery{ConversationID: "c1", Paging: storage.Paging{Limit: 1}})
	require.NoError(t, err)
	require.NotEmpty(t, page.NextCursor)
	return page.NextCursor
}

var serviceValidationCases = []serviceCase{
	// ValidationLimits runs every validation limit through the service: a
	// value at the limit passes, one past it is ErrInvalid naming the field,
	// and a refused call writes nothing.
	{"ValidationLimits", func(t *testing.T, s *serviceSuite) {
		type op func(t *testing.T, fx *serviceFixture) error
		create := func(in conversation.Conversation) op {
			return func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateConversation(fx.ctx, in)
				return err
			}
		}
		update := func(p conversation.Patch) op {
			return func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.UpdateConversation(fx.ctx, "c1", p)
				return err
			}
		}
		send := func(m message.Message) op {
			return func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateMessage(fx.ctx, "c1", m)
				return err
			}
		}
		text := func(s string) message.Message { return message.Message{Content: message.Content{Text: s}} }
		listConversations := func(q func(t *testing.T, fx *serviceFixture) storage.ConversationQuery) op {
			return func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.ListConversations(fx.ctx, q(t, fx))
				return err
			}
		}
		conversations := func(q storage.ConversationQuery) func(*testing.T, *serviceFixture) storage.ConversationQuery {
			return func(*testing.T, *serviceFixture) storage.ConversationQuery { return q }
		}
		listMessages := func(q func(t *testing.T, fx *serviceFixture) storage.MessageQuery) op {
			return func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.ListMessages(fx.ctx, q(t, fx))
				return err
			}
		}
		messages := func(q storage.MessageQuery) func(*testing.T, *serviceFixture) storage.MessageQuery {
			q.ConversationID = "c1"
			return func(*testing.T, *serviceFixture) storage.MessageQuery { return q }
		}
		limit := func(n int) storage.Paging { return storage.Paging{Limit: n} }

		tests := []struct {
			name  string
			op    op
			field string // "" when the call must pass
		}{
			// Conversation fields on create.
			{"create: id of 255 runes", create(conversation.Conversation{ID: accented(255)}), ""},
			{"create: id of 256 runes", create(conversation.Conversation{ID: accented(256)}), "id"},
			{"create: id with NUL", create(conversation.Conversation{ID: "c\x00"}), "id"},
			{"create: id invalid UTF-8", create(conversation.Conversation{ID: "c\xff"}), "id"},
			{"create: topic of 1000 runes", create(conversation.Conversation{Topic: accented(1000)}), ""},
			{"create: topic of 1001 runes", create(conversation.Conversation{Topic: accented(1001)}), "topic"},
			{"create: topic invalid UTF-8", create(conversation.Conversation{Topic: "bad \xff"}), "topic"},
			{"create: topic with NUL", create(conversation.Conversation{Topic: "a\x00b"}), "topic"},
			{"create: summary of 4000 runes", create(conversation.Conversation{Summary: accented(4000)}), ""},
			{"create: summary of 4001 runes", create(conversation.Conversation{Summary: accented(4001)}), "summary"},
			{"create: summary with NUL", create(conversation.Conversation{Summary: "\x00"}), "summary"},
			{"create: customerId of 255 runes", create(conversation.Conversation{CustomerID: accented(255)}), ""},
			{"create: customerId of 256 runes", create(conversation.Conversation{CustomerID: accented(256)}), "customerId"},
			{"create: customerId with NUL", create(conversation.Conversation{CustomerID: "x\x00"}), "customerId"},
			{"create: queueId of 256 runes", create(conversation.Conversation{QueueID: accented(256)}), "queueId"},
			{"create: agentId with NUL", create(conversation.Conversation{AgentID: "a\x00"}), "agentId"},
			{"create: unknown status", create(conversation.Conversation{Status: "DONE"}), "status"},
			{"create: unknown priority", create(conversation.Conversation{Priority: "CRITICAL"}), "priority"},
			{"create: unknown channel", create(conversation.Conversation{Channel: "PIGEON"}), "channel"},
			{"create: 50 attributes", create(conversation.Conversation{Attributes: manyAttributes(50)}), ""},
			{"create: 51 attributes", create(conversation.Conversation{Attributes: manyAttributes(51)}), "attributes"},
			{"create: attribute key of 100 runes", create(conversation.Conversation{Attributes: map[string]string{accented(100): "v"}}), ""},
			{"create: attribute key of 101 runes", create(conversation.Conversation{Attributes: map[string]string{accented(101): "v"}}), "attributes"},
			{"create: empty attribute key", create(conversation.Conversation{Attributes: map[string]string{"": "v"}}), "attributes"},
			{"create: attribute key with NUL", create(conversation.Conversation{Attributes: map[string]string{"k\x00": "v"}}), "attributes"},
			{"create: attribute value of 1000 runes", create(conversation.Conversation{Attributes: map[string]string{"k": accented(1000)}}), ""},
			{"create: attribute value of 1001 runes", create(conversation.Conversation{Attributes: map[string]string{"k": accented(1001)}}), "attributes.k"},
			{"create: attribute value invalid UTF-8", create(conversation.Conversation{Attributes: map[string]string{"k": "\xff"}}), "attributes.k"},
			{"create: tag name with a space", create(conversation.Conversation{Tags: []string{"a b"}}), "tags"},
			{"create: tag name of 101 characters", create(conversation.Conversation{Tags: []string{strings.Repeat("t", 101)}}), "tags"},

			// Conversation fields on update.
			{"update: topic of 1000 runes", update(conversation.Patch{Topic: ptr(accented(1000))}), ""},
			{"update: topic of 1001 runes", update(conversation.Patch{Topic: ptr(accented(1001))}), "topic"},
			{"update: topic with NUL", update(conversation.Patch{Topic: ptr("\x00")}), "topic"},
			{"update: summary of 4001 runes", update(conversation.Patch{Summary: ptr(accented(4001))}), "summary"},
			{"update: summary invalid UTF-8", update(conversation.Patch{Summary: ptr("\xc3\x28")}), "summary"},
			{"update: customerId of 256 runes", update(conversation.Patch{CustomerID: ptr(accented(256))}), "customerId"},
			{"update: unknown status", update(conversation.Patch{Status: ptr(conversation.Status("pending"))}), "status"},
			{"update: unknown priority", update(conversation.Patch{Priority: ptr(conversation.Priority("medium"))}), "priority"},
			{"update: unknown channel", update(conversation.Patch{Channel: ptr(conversation.Channel("chat"))}), "channel"},
			{"update: queueId with NUL", update(conversation.Patch{QueueID: ptr("q\x00")}), "queueId"},
			{"update: 51 attributes", update(conversation.Patch{Attributes: manyAttributes(51)}), "attributes"},
			{"update: attribute value of 1001 runes", update(conversation.Patch{Attributes: map[string]string{"k": accented(1001)}}), "attributes.k"},
			{"update: negative version", update(conversation.Patch{Topic: ptr("x"), IfVersion: -1}), "version"},
			{"update: a valid field and an invalid one", update(conversation.Patch{Topic: ptr("fine"), Channel: ptr(conversation.Channel("PIGEON"))}), "channel"},
			{"update: id with NUL", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.UpdateConversation(fx.ctx, "c\x00", conversation.Patch{Topic: ptr("x")})
				return err
			}, "id"},
			{"assign: empty agent id", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.AssignConversation(fx.ctx, "c1", "")
				return err
			}, "agentId"},
			{"assign: agent id of 256 runes", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.AssignConversation(fx.ctx, "c1", accented(256))
				return err
			}, "agentId"},
			{"get: empty id", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.GetConversation(fx.ctx, "")
				return err
			}, "id"},

			// Messages.
			{"message: text of 4096 runes", send(text(accented(4096))), ""},
			{"message: text of 4097 runes", send(text(accented(4097))), "content.text"},
			{"message: text invalid UTF-8", send(text("\xff")), "content.text"},
			{"message: text with NUL", send(text("a\x00")), "content.text"},
			{"message: no text", send(text("")), "content.text"},
			{"message: unknown direction", send(message.Message{Direction: "SIDEWAYS", Content: message.Content{Text: "x"}}), "direction"},
			{"message: unknown content type", send(message.Message{ContentType: "GIF", Content: message.Content{Text: "x"}}), "contentType"},
			{"message: unknown channel", send(message.Message{Channel: "PIGEON", Content: message.Content{Text: "x"}}), "channel"},
			{"message: from of 256 runes", send(message.Message{From: accented(256), Content: message.Content{Text: "x"}}), "from"},
			{"message: field of another type", send(message.Message{Content: message.Content{Text: "x", URL: "https://x"}}), "content.url"},
			{"message: latitude NaN", send(message.Message{ContentType: message.Location, Content: message.Content{Latitude: ptr(math.NaN()), Longitude: ptr(0.0)}}), "content.latitude"},
			{"message: longitude out of range", send(message.Message{ContentType: message.Location, Content: message.Content{Latitude: ptr(0.0), Longitude: ptr(180.01)}}), "content.longitude"},
			{"message: private inbound", send(message.Message{Direction: message.Inbound, Private: true, Content: message.Content{Text: "x"}}), "private"},
			{"message: actor id with NUL", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateMessage(fx.as("a\x00"), "c1", text("x"))
				return err
			}, "actor"},
			{"update: actor id of 256 runes", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.UpdateConversation(fx.as(accented(256)), "c1", conversation.Patch{Topic: ptr("x")})
				return err
			}, "actor"},
			{"tag: actor id with invalid UTF-8", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateTag(fx.as("\xff"), "fresh")
				return err
			}, "actor"},
			{"message: conversation id of 256 runes", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateMessage(fx.ctx, accented(256), text("x"))
				return err
			}, "conversationId"},

			// Conversation lists.
			{"list: limit 1000", listConversations(conversations(storage.ConversationQuery{Paging: limit(1000)})), ""},
			{"list: limit 1001 is refused, not clamped", listConversations(conversations(storage.ConversationQuery{Paging: limit(1001)})), "limit"},
			{"list: negative limit", listConversations(conversations(storage.ConversationQuery{Paging: limit(-1)})), "limit"},
			{"list: negative page", listConversations(conversations(storage.ConversationQuery{Paging: storage.Paging{Page: -1}})), "page"},
			{"list: unknown order", listConversations(conversations(storage.ConversationQuery{Order: storage.Order{Field: "topic"}})), "orderBy"},
			{"list: unknown status", listConversations(conversations(storage.ConversationQuery{Filter: storage.ConversationFilter{Statuses: []conversation.Status{"open"}}})), "status"},
			{"list: unknown priority", listConversations(conversations(storage.ConversationQuery{Filter: storage.ConversationFilter{Priorities: []conversation.Priority{"P1"}}})), "priority"},
			{"list: unknown channel", listConversations(conversations(storage.ConversationQuery{Filter: storage.ConversationFilter{Channels: []conversation.Channel{"PIGEON"}}})), "channel"},
			{"list: bad tag", listConversations(conversations(storage.ConversationQuery{Filter: storage.ConversationFilter{Tags: []string{"a b"}}})), "tag"},
			{"list: agent and unassigned", listConversations(conversations(storage.ConversationQuery{Filter: storage.ConversationFilter{AgentID: "a1", Unassigned: true}})), "agentId"},
			{"list: topic of 1001 runes", listConversations(conversations(storage.ConversationQuery{Filter: storage.ConversationFilter{TopicContains: accented(1001)}})), "topic"},
			{"list: garbage cursor", listConversations(conversations(storage.ConversationQuery{Paging: storage.Paging{Cursor: "not a cursor!"}})), "cursor"},
			{"list: the cursor is accepted", listConversations(func(t *testing.T, fx *serviceFixture) storage.ConversationQuery {
				return storage.ConversationQuery{
					Filter: storage.ConversationFilter{Statuses: []conversation.Status{conversation.Open}},
					Paging: storage.Paging{Limit: 1, Cursor: openConversationsCursor(t, fx)},
				}
			}), ""},
			{"list: a tampered cursor", listConversations(func(t *testing.T, fx *serviceFixture) storage.ConversationQuery {
				return storage.ConversationQuery{
					Filter: storage.ConversationFilter{Statuses: []conversation.Status{conversation.Open}},
					Paging: storage.Paging{Limit: 1, Cursor: tamper(openConversationsCursor(t, fx))},
				}
			}), "cursor"},
			{"list: a truncated cursor", listConversations(func(t *testing.T, fx *serviceFixture) storage.ConversationQuery {
				c := openConversationsCursor(t, fx)
				return storage.ConversationQuery{
					Filter: storage.ConversationFilter{Statuses: []conversation.Status{conversation.Open}},
					Paging: storage.Paging{Limit: 1, Cursor: c[:len(c)-2]},
				}
			}), "cursor"},
			{"list: a cursor from other filters", listConversations(func(t *testing.T, fx *serviceFixture) storage.ConversationQuery {
				return storage.ConversationQuery{
					Filter: storage.ConversationFilter{Statuses: []conversation.Status{conversation.Waiting}},
					Paging: storage.Paging{Limit: 1, Cursor: openConversationsCursor(t, fx)},
				}
			}), "cursor"},
			{"list: a cursor from another order", listConversations(func(t *testing.T, fx *serviceFixture) storage.ConversationQuery {
				return storage.ConversationQuery{
					Filter: storage.ConversationFilter{Statuses: []conversation.Status{conversation.Open}},
					Order:  storage.Order{Field: storage.SortID},
					Paging: storage.Paging{Limit: 1, Cursor: openConversationsCursor(t, fx)},
				}
			}), "cursor"},
			{"list: a cursor of the message list", listConversations(func(t *testing.T, fx *serviceFixture) storage.ConversationQuery {
				return storage.ConversationQuery{Paging: storage.Paging{Cursor: messagesCursor(t, fx)}}
			}), "cursor"},
			{"list: a cursor with a page", listConversations(func(t *testing.T, fx *serviceFixture) storage.ConversationQuery {
				return storage.ConversationQuery{
					Filter: storage.ConversationFilter{Statuses: []conversation.Status{conversation.Open}},
					Paging: storage.Paging{Page: 1, Cursor: openConversationsCursor(t, fx)},
				}
			}), "cursor"},

			// Message lists.
			{"messages: limit 1001", listMessages(messages(storage.MessageQuery{Paging: limit(1001)})), "limit"},
			{"messages: negative page", listMessages(messages(storage.MessageQuery{Paging: storage.Paging{Page: -2}})), "page"},
			{"messages: unknown direction", listMessages(messages(storage.MessageQuery{Direction: "UP"})), "direction"},
			{"messages: no conversation", listMessages(func(*testing.T, *serviceFixture) storage.MessageQuery { return storage.MessageQuery{} }), "conversationId"},
			{"messages: a tampered cursor", listMessages(func(t *testing.T, fx *serviceFixture) storage.MessageQuery {
				return storage.MessageQuery{ConversationID: "c1", Paging: storage.Paging{Limit: 1, Cursor: tamper(messagesCursor(t, fx))}}
			}), "cursor"},
			{"messages: a cursor of another conversation", listMessages(func(t *testing.T, fx *serviceFixture) storage.MessageQuery {
				return storage.MessageQuery{ConversationID: "c2", Paging: storage.Paging{Limit: 1, Cursor: messagesCursor(t, fx)}}
			}), "cursor"},
			{"messages: a cursor of the conversation list", listMessages(func(t *testing.T, fx *serviceFixture) storage.MessageQuery {
				return storage.MessageQuery{ConversationID: "c1", Paging: storage.Paging{Limit: 1, Cursor: openConversationsCursor(t, fx)}}
			}), "cursor"},

			// Other lists.
			{"tags: limit 1001", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.ListTags(fx.ctx, storage.TagQuery{Paging: limit(1001)})
				return err
			}, "limit"},
			{"tags: bad prefix", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.ListTags(fx.ctx, storage.TagQuery{Prefix: "a b"})
				return err
			}, "prefix"},
			{"conversation tags: negative page", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.ConversationTags(fx.ctx, "c1", storage.Paging{Page: -1})
				return err
			}, "page"},
			{"agents: limit 1001", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.ListAgents(fx.ctx, storage.AgentQuery{Paging: limit(1001)})
				return err
			}, "limit"},
			{"queues: tampered cursor", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.ListQueues(fx.ctx, storage.QueueQuery{Paging: storage.Paging{Cursor: "AAAA"}})
				return err
			}, "cursor"},
			{"events: limit 1001", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.Events(fx.ctx, storage.EventQuery{Limit: 1001})
				return err
			}, "limit"},
			{"events: negative after", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.Events(fx.ctx, storage.EventQuery{After: -1})
				return err
			}, "after"},
			{"history: limit 1001", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.History(fx.ctx, "c1", 0, 1001)
				return err
			}, "limit"},

			// Tags.
			{"tag: 100 characters", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateTag(fx.ctx, strings.Repeat("t", 100))
				return err
			}, ""},
			{"tag: 101 characters", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateTag(fx.ctx, strings.Repeat("t", 101))
				return err
			}, "tagName"},
			{"tag: empty", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateTag(fx.ctx, "")
				return err
			}, "tagName"},
			{"tag: unicode", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateTag(fx.ctx, "café")
				return err
			}, "tagName"},
			{"add tag: a space", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.AddTag(fx.ctx, "c1", "two words")
				return err
			}, "tagName"},
			{"remove tag: a slash", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.RemoveTag(fx.ctx, "c1", "a/b")
				return err
			}, "tagName"},
			{"delete tag: NUL", func(t *testing.T, fx *serviceFixture) error {
				return fx.svc.DeleteTag(fx.ctx, "vip\x00")
			}, "tagName"},

			// Delete.
			{"delete: reason of 1001 runes", func(t *testing.T, fx *serviceFixture) error {
				return fx.svc.DeleteConversation(fx.ctx, "c1", accented(1001))
			}, "reason"},

			// Agents and queues.
			{"agent: no display name", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{})
				return err
			}, "displayName"},
			{"agent: display name of 256 runes", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{DisplayName: accented(256)})
				return err
			}, "displayName"},
			{"agent: unknown role", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{DisplayName: "A", Role: "BOSS"})
				return err
			}, "role"},
			{"agent: unknown status", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{DisplayName: "A", Status: "ONLINE"})
				return err
			}, "status"},
			{"agent: negative capacity", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateAgent(fx.ctx, routing.Agent{DisplayName: "A", Capacity: -1})
				return err
			}, "capacity"},
			{"agent patch: unknown role", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.UpdateAgent(fx.ctx, "a1", routing.AgentPatch{Role: ptr(routing.Role("BOSS"))})
				return err
			}, "role"},
			{"agent patch: empty display name", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.UpdateAgent(fx.ctx, "a1", routing.AgentPatch{DisplayName: ptr("")})
				return err
			}, "displayName"},
			{"queue: no name", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateQueue(fx.ctx, routing.Queue{})
				return err
			}, "name"},
			{"queue: unknown strategy", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateQueue(fx.ctx, routing.Queue{Name: "Q", Strategy: "RANDOM"})
				return err
			}, "strategy"},
			{"queue: overflow to itself", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.CreateQueue(fx.ctx, routing.Queue{ID: "q9", Name: "Q", OverflowQueueID: "q9"})
				return err
			}, "overflowQueueId"},
			{"queue patch: unknown strategy", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.UpdateQueue(fx.ctx, "q1", routing.QueuePatch{Strategy: ptr(routing.Strategy("RANDOM"))})
				return err
			}, "strategy"},
			{"queue patch: empty name", func(t *testing.T, fx *serviceFixture) error {
				_, err := fx.svc.UpdateQueue(fx.ctx, "q1", routing.QueuePatch{Name: ptr("")})
				return err
			}, "name"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s.parallel(t)
				fx := validationFixture(t, s)
				before := fx.snapshot(t)
				err := tt.op(t, fx)
				if tt.field == "" {
					require.NoError(t, err)
					return
				}
				requireInvalid(t, err, tt.field)
				fx.requireUnchanged(t, before)
			})
		}
	}},
}
