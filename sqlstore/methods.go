package sqlstore

import (
	"context"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

// The Store's own methods: each is one transaction. Reads go to the
// reading side (SQLite's read pool), writes to the writing side.

// CreateConversation implements storage.Tx.
func (s *Store) CreateConversation(ctx context.Context, c *conversation.Conversation) error {
	return s.w.CreateConversation(ctx, c)
}

// GetConversation implements storage.Tx.
func (s *Store) GetConversation(ctx context.Context, id string) (*conversation.Conversation, error) {
	return s.r.GetConversation(ctx, id)
}

// LockConversation implements storage.Tx; outside a transaction it is
// GetConversation.
func (s *Store) LockConversation(ctx context.Context, id string) (*conversation.Conversation, error) {
	return s.r.LockConversation(ctx, id)
}

// LockConversationAndAgents implements storage.Tx; outside a transaction
// it reads without locking.
func (s *Store) LockConversationAndAgents(ctx context.Context, id string, agentIDs ...string) (*conversation.Conversation, map[string]*routing.Agent, error) {
	return s.r.LockConversationAndAgents(ctx, id, agentIDs...)
}

// UpdateConversation implements storage.Tx.
func (s *Store) UpdateConversation(ctx context.Context, c *conversation.Conversation, prevVersion int64) error {
	return s.w.UpdateConversation(ctx, c, prevVersion)
}

// DeleteConversation implements storage.Tx.
func (s *Store) DeleteConversation(ctx context.Context, id string) error {
	return s.w.DeleteConversation(ctx, id)
}

// ListConversations implements storage.Tx.
func (s *Store) ListConversations(ctx context.Context, q storage.ConversationQuery) (storage.Page[*conversation.Conversation], error) {
	return s.r.ListConversations(ctx, q)
}

// CreateTag implements storage.Tx.
func (s *Store) CreateTag(ctx context.Context, t *tag.Tag) error { return s.w.CreateTag(ctx, t) }

// EnsureTag implements storage.Tx.
func (s *Store) EnsureTag(ctx context.Context, t *tag.Tag) (bool, error) {
	return s.w.EnsureTag(ctx, t)
}

// GetTag implements storage.Tx.
func (s *Store) GetTag(ctx context.Context, name string) (*tag.Tag, error) {
	return s.r.GetTag(ctx, name)
}

// DeleteTag implements storage.Tx.
func (s *Store) DeleteTag(ctx context.Context, name string) error { return s.w.DeleteTag(ctx, name) }

// ListTags implements storage.Tx.
func (s *Store) ListTags(ctx context.Context, q storage.TagQuery) (storage.Page[*tag.Tag], error) {
	return s.r.ListTags(ctx, q)
}

// AddConversationTag implements storage.Tx.
func (s *Store) AddConversationTag(ctx context.Context, conversationID, name string) (bool, error) {
	return s.w.AddConversationTag(ctx, conversationID, name)
}

// RemoveConversationTag implements storage.Tx.
func (s *Store) RemoveConversationTag(ctx context.Context, conversationID, name string) error {
	return s.w.RemoveConversationTag(ctx, conversationID, name)
}

// CreateMessage implements storage.Tx.
func (s *Store) CreateMessage(ctx context.Context, m *message.Message) error {
	return s.w.CreateMessage(ctx, m)
}

// AppendMessage implements storage.Tx; outside a transaction it is
// CreateMessage.
func (s *Store) AppendMessage(ctx context.Context, m *message.Message) error {
	return s.w.AppendMessage(ctx, m)
}

// GetMessage implements storage.Tx.
func (s *Store) GetMessage(ctx context.Context, id string) (*message.Message, error) {
	return s.r.GetMessage(ctx, id)
}

// ListMessages implements storage.Tx.
func (s *Store) ListMessages(ctx context.Context, q storage.MessageQuery) (storage.Page[*message.Message], error) {
	return s.r.ListMessages(ctx, q)
}

// CreateAgent implements storage.Tx.
func (s *Store) CreateAgent(ctx context.Context, a *routing.Agent) error {
	return s.w.CreateAgent(ctx, a)
}

// GetAgent implements storage.Tx.
func (s *Store) GetAgent(ctx context.Context, id string) (*routing.Agent, error) {
	return s.r.GetAgent(ctx, id)
}

// LockAgent implements storage.Tx; outside a transaction it is GetAgent.
func (s *Store) LockAgent(ctx context.Context, id string) (*routing.Agent, error) {
	return s.r.LockAgent(ctx, id)
}

// UpdateAgent implements storage.Tx.
func (s *Store) UpdateAgent(ctx context.Context, a *routing.Agent) error {
	return s.w.UpdateAgent(ctx, a)
}

// ListAgents implements storage.Tx.
func (s *Store) ListAgents(ctx context.Context, q storage.ListQuery) (storage.Page[*routing.Agent], error) {
	return s.r.ListAgents(ctx, q)
}

// CreateQueue implements storage.Tx.
func (s *Store) CreateQueue(ctx context.Context, q *routing.Queue) error {
	return s.w.CreateQueue(ctx, q)
}

// GetQueue implements storage.Tx.
func (s *Store) GetQueue(ctx context.Context, id string) (*routing.Queue, error) {
	return s.r.GetQueue(ctx, id)
}

// UpdateQueue implements storage.Tx.
func (s *Store) UpdateQueue(ctx context.Context, q *routing.Queue) error {
	return s.w.UpdateQueue(ctx, q)
}

// ListQueues implements storage.Tx.
func (s *Store) ListQueues(ctx context.Context, q storage.ListQuery) (storage.Page[*routing.Queue], error) {
	return s.r.ListQueues(ctx, q)
}

// DefaultQueue implements storage.Tx.
func (s *Store) DefaultQueue(ctx context.Context) (*routing.Queue, error) {
	return s.r.DefaultQueue(ctx)
}

// AddQueueMember implements storage.Tx.
func (s *Store) AddQueueMember(ctx context.Context, queueID, agentID string) (bool, error) {
	return s.w.AddQueueMember(ctx, queueID, agentID)
}

// RemoveQueueMember implements storage.Tx.
func (s *Store) RemoveQueueMember(ctx context.Context, queueID, agentID string) error {
	return s.w.RemoveQueueMember(ctx, queueID, agentID)
}

// ListRules implements storage.Tx.
func (s *Store) ListRules(ctx context.Context) ([]routing.Rule, error) { return s.r.ListRules(ctx) }

// ReplaceRules implements storage.Tx.
func (s *Store) ReplaceRules(ctx context.Context, rules []routing.Rule) error {
	return s.w.ReplaceRules(ctx, rules)
}

// AgentLoad implements storage.Tx.
func (s *Store) AgentLoad(ctx context.Context, agentID string) (int, error) {
	return s.r.AgentLoad(ctx, agentID)
}

// QueueMemberLoads implements storage.Tx.
func (s *Store) QueueMemberLoads(ctx context.Context, queueID string) ([]storage.AgentLoad, error) {
	return s.r.QueueMemberLoads(ctx, queueID)
}

// ListWaiting implements storage.Tx.
func (s *Store) ListWaiting(ctx context.Context, q storage.WaitingQuery) ([]*conversation.Conversation, error) {
	return s.r.ListWaiting(ctx, q)
}

// LastAgentOfCustomer implements storage.Tx.
func (s *Store) LastAgentOfCustomer(ctx context.Context, customerID, exclude string, since time.Time) (string, error) {
	return s.r.LastAgentOfCustomer(ctx, customerID, exclude, since)
}

// LockKey implements storage.Tx; outside a transaction (of the store's or
// the host's) it returns at once.
func (s *Store) LockKey(ctx context.Context, key string) error { return s.w.LockKey(ctx, key) }

// AppendEvents implements storage.Tx: outside InTx the events are written
// at once, in a transaction of their own.
func (s *Store) AppendEvents(ctx context.Context, events ...*storage.Event) error {
	return s.w.AppendEvents(ctx, events...)
}

// ListEvents implements storage.Tx.
func (s *Store) ListEvents(ctx context.Context, q storage.EventQuery) ([]*storage.Event, error) {
	return s.r.ListEvents(ctx, q)
}
