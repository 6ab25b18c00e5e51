// Package memstore is an in-memory storage.Store: the store for unit tests
// of business rules, for prototypes, and the reference the SQL store is
// measured against.
//
// Design:
//
//   - One read-write mutex. Reads share it; a write, or a whole InTx, holds it
//     alone, so transactions are serialisable and Lock* and LockKey need do
//     nothing more than read.
//   - A transaction writes in place and keeps an undo log; a rollback (an
//     error or a panic in fn, or a context that ended) plays it backwards.
//   - Values are cloned on the way in and on the way out, so no caller can
//     reach stored state (the aliasing bug of many in-memory stores).
//   - Indexes by queue, customer and assignee keep routing queries from
//     scanning every conversation; lists scan the conversations and keep the
//     best rows with a bounded heap, so a page costs the same at any depth.
//
// Nothing is persisted: the data lives as long as the Store.
package memstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/tag"
)

// Store is an in-memory storage.Store. The zero value is not usable; call New.
type Store struct {
	mu sync.RWMutex
	st *state
}

var _ storage.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{st: newState()}
}

// errTxDone is returned when a Tx is used after its InTx returned.
var errTxDone = errors.New("memstore: transaction has already ended")

// txn is one transaction's view of the state. Outside InTx the Store runs
// each call as its own txn.
type txn struct {
	st   *state
	undo []func()
	done atomic.Bool
	// undoBuf holds the first undos, so that a short transaction does not
	// allocate a slice for them.
	undoBuf [4]func()
}

func (t *txn) onUndo(f func()) { t.undo = append(t.undo, f) }

func (t *txn) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

func (t *txn) check(ctx context.Context) error {
	if t.done.Load() {
		return errTxDone
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %w", err)
	}
	return nil
}

// InTx runs fn in one transaction; see storage.Store.
func (s *Store) InTx(ctx context.Context, fn func(tx storage.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &txn{st: s.st}
	t.undo = t.undoBuf[:0]
	defer func() {
		t.done.Store(true)
		if p := recover(); p != nil {
			t.rollback()
			panic(p)
		}
		if err == nil {
			if cerr := ctx.Err(); cerr != nil {
				err = fmt.Errorf("memstore: commit: %w", cerr)
			}
		}
		if err != nil {
			t.rollback()
		}
	}()
	return fn(t)
}

// read runs f under the read lock as a transaction of its own.
func read[T any](s *Store, ctx context.Context, f func(*txn) (T, error)) (T, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return f(&txn{st: s.st})
}

// write runs f under the write lock as a transaction of its own.
func write[T any](s *Store, ctx context.Context, f func(*txn) (T, error)) (T, error) {
	var out T
	err := s.InTx(ctx, func(tx storage.Tx) error {
		var err error
		out, err = f(tx.(*txn))
		return err
	})
	return out, err
}

func write0(s *Store, ctx context.Context, f func(*txn) error) error {
	_, err := write(s, ctx, func(t *txn) (struct{}, error) { return struct{}{}, f(t) })
	return err
}

// The Store's own methods: each a transaction of its own over txn.

// CreateConversation implements storage.Tx.
func (s *Store) CreateConversation(ctx context.Context, c *conversation.Conversation) error {
	return write0(s, ctx, func(t *txn) error { return t.CreateConversation(ctx, c) })
}

// GetConversation implements storage.Tx.
func (s *Store) GetConversation(ctx context.Context, id string) (*conversation.Conversation, error) {
	return read(s, ctx, func(t *txn) (*conversation.Conversation, error) { return t.GetConversation(ctx, id) })
}

// LockConversation implements storage.Tx.
func (s *Store) LockConversation(ctx context.Context, id string) (*conversation.Conversation, error) {
	return s.GetConversation(ctx, id)
}

// LockConversationAndAgents implements storage.Tx.
func (s *Store) LockConversationAndAgents(ctx context.Context, id string, agentIDs ...string) (*conversation.Conversation, map[string]*routing.Agent, error) {
	var agents map[string]*routing.Agent
	c, err := read(s, ctx, func(t *txn) (*conversation.Conversation, error) {
		c, a, err := t.LockConversationAndAgents(ctx, id, agentIDs...)
		agents = a
		return c, err
	})
	return c, agents, err
}

// UpdateConversation implements storage.Tx.
func (s *Store) UpdateConversation(ctx context.Context, c *conversation.Conversation, prevVersion int64) error {
	return write0(s, ctx, func(t *txn) error { return t.UpdateConversation(ctx, c, prevVersion) })
}

// DeleteConversation implements storage.Tx.
func (s *Store) DeleteConversation(ctx context.Context, id string) error {
	return write0(s, ctx, func(t *txn) error { return t.DeleteConversation(ctx, id) })
}

// ListConversations implements storage.Tx.
func (s *Store) ListConversations(ctx context.Context, q storage.ConversationQuery) (storage.Page[*conversation.Conversation], error) {
	return read(s, ctx, func(t *txn) (storage.Page[*conversation.Conversation], error) { return t.ListConversations(ctx, q) })
}

// CreateTag implements storage.Tx.
func (s *Store) CreateTag(ctx context.Context, tg *tag.Tag) error {
	return write0(s, ctx, func(t *txn) error { return t.CreateTag(ctx, tg) })
}

// EnsureTag implements storage.Tx.
func (s *Store) EnsureTag(ctx context.Context, tg *tag.Tag) (bool, error) {
	return write(s, ctx, func(t *txn) (bool, error) { return t.EnsureTag(ctx, tg) })
}

// GetTag implements storage.Tx.
func (s *Store) GetTag(ctx context.Context, name string) (*tag.Tag, error) {
	return read(s, ctx, func(t *txn) (*tag.Tag, error) { return t.GetTag(ctx, name) })
}

// DeleteTag implements storage.Tx.
func (s *Store) DeleteTag(ctx context.Context, name string) error {
	return write0(s, ctx, func(t *txn) error { return t.DeleteTag(ctx, name) })
}

// ListTags implements storage.Tx.
func (s *Store) ListTags(ctx context.Context, q storage.TagQuery) (storage.Page[*tag.Tag], error) {
	return read(s, ctx, func(t *txn) (storage.Page[*tag.Tag], error) { return t.ListTags(ctx, q) })
}

// AddConversationTag implements storage.Tx.
func (s *Store) AddConversationTag(ctx context.Context, conversationID, name string) (bool, error) {
	return write(s, ctx, func(t *txn) (bool, error) { return t.AddConversationTag(ctx, conversationID, name) })
}

// RemoveConversationTag implements storage.Tx.
func (s *Store) RemoveConversationTag(ctx context.Context, conversationID, name string) error {
	return write0(s, ctx, func(t *txn) error { return t.RemoveConversationTag(ctx, conversationID, name) })
}

// CreateMessage implements storage.Tx.
func (s *Store) CreateMessage(ctx context.Context, m *message.Message) error {
	return write0(s, ctx, func(t *txn) error { return t.CreateMessage(ctx, m) })
}

// AppendMessage implements storage.Tx; outside a transaction it is
// CreateMessage.
func (s *Store) AppendMessage(ctx context.Context, m *message.Message) error {
	return s.CreateMessage(ctx, m)
}

// GetMessage implements storage.Tx.
func (s *Store) GetMessage(ctx context.Context, id string) (*message.Message, error) {
	return read(s, ctx, func(t *txn) (*message.Message, error) { return t.GetMessage(ctx, id) })
}

// ListMessages implements storage.Tx.
func (s *Store) ListMessages(ctx context.Context, q storage.MessageQuery) (storage.Page[*message.Message], error) {
	return read(s, ctx, func(t *txn) (storage.Page[*message.Message], error) { return t.ListMessages(ctx, q) })
}

// CreateAgent implements storage.Tx.
func (s *Store) CreateAgent(ctx context.Context, a *routing.Agent) error {
	return write0(s, ctx, func(t *txn) error { return t.CreateAgent(ctx, a) })
}

// GetAgent implements storage.Tx.
func (s *Store) GetAgent(ctx context.Context, id string) (*routing.Agent, error) {
	return read(s, ctx, func(t *txn) (*routing.Agent, error) { return t.GetAgent(ctx, id) })
}

// LockAgent implements storage.Tx.
func (s *Store) LockAgent(ctx context.Context, id string) (*routing.Agent, error) {
	return s.GetAgent(ctx, id)
}

// UpdateAgent implements storage.Tx.
func (s *Store) UpdateAgent(ctx context.Context, a *routing.Agent) error {
	return write0(s, ctx, func(t *txn) error { return t.UpdateAgent(ctx, a) })
}

// ListAgents implements storage.Tx.
func (s *Store) ListAgents(ctx context.Context, q storage.ListQuery) (storage.Page[*routing.Agent], error) {
	return read(s, ctx, func(t *txn) (storage.Page[*routing.Agent], error) { return t.ListAgents(ctx, q) })
}

// CreateQueue implements storage.Tx.
func (s *Store) CreateQueue(ctx context.Context, q *routing.Queue) error {
	return write0(s, ctx, func(t *txn) error { return t.CreateQueue(ctx, q) })
}

// GetQueue implements storage.Tx.
func (s *Store) GetQueue(ctx context.Context, id string) (*routing.Queue, error) {
	return read(s, ctx, func(t *txn) (*routing.Queue, error) { return t.GetQueue(ctx, id) })
}

// UpdateQueue implements storage.Tx.
func (s *Store) UpdateQueue(ctx context.Context, q *routing.Queue) error {
	return write0(s, ctx, func(t *txn) error { return t.UpdateQueue(ctx, q) })
}

// ListQueues implements storage.Tx.
func (s *Store) ListQueues(ctx context.Context, q storage.ListQuery) (storage.Page[*routing.Queue], error) {
	return read(s, ctx, func(t *txn) (storage.Page[*routing.Queue], error) { return t.ListQueues(ctx, q) })
}

// DefaultQueue implements storage.Tx.
func (s *Store) DefaultQueue(ctx context.Context) (*routing.Queue, error) {
	return read(s, ctx, func(t *txn) (*routing.Queue, error) { return t.DefaultQueue(ctx) })
}

// AddQueueMember implements storage.Tx.
func (s *Store) AddQueueMember(ctx context.Context, queueID, agentID string) (bool, error) {
	return write(s, ctx, func(t *txn) (bool, error) { return t.AddQueueMember(ctx, queueID, agentID) })
}

// RemoveQueueMember implements storage.Tx.
func (s *Store) RemoveQueueMember(ctx context.Context, queueID, agentID string) error {
	return write0(s, ctx, func(t *txn) error { return t.RemoveQueueMember(ctx, queueID, agentID) })
}

// ListRules implements storage.Tx.
func (s *Store) ListRules(ctx context.Context) ([]routing.Rule, error) {
	return read(s, ctx, func(t *txn) ([]routing.Rule, error) { return t.ListRules(ctx) })
}

// ReplaceRules implements storage.Tx.
func (s *Store) ReplaceRules(ctx context.Context, rules []routing.Rule) error {
	return write0(s, ctx, func(t *txn) error { return t.ReplaceRules(ctx, rules) })
}

// AgentLoad implements storage.Tx.
func (s *Store) AgentLoad(ctx context.Context, agentID string) (int, error) {
	return read(s, ctx, func(t *txn) (int, error) { return t.AgentLoad(ctx, agentID) })
}

// QueueMemberLoads implements storage.Tx.
func (s *Store) QueueMemberLoads(ctx context.Context, queueID string) ([]storage.AgentLoad, error) {
	return read(s, ctx, func(t *txn) ([]storage.AgentLoad, error) { return t.QueueMemberLoads(ctx, queueID) })
}

// ListWaiting implements storage.Tx.
func (s *Store) ListWaiting(ctx context.Context, q storage.WaitingQuery) ([]*conversation.Conversation, error) {
	return read(s, ctx, func(t *txn) ([]*conversation.Conversation, error) { return t.ListWaiting(ctx, q) })
}

// LastAgentOfCustomer implements storage.Tx.
func (s *Store) LastAgentOfCustomer(ctx context.Context, customerID, exclude string, since time.Time) (string, error) {
	return read(s, ctx, func(t *txn) (string, error) { return t.LastAgentOfCustomer(ctx, customerID, exclude, since) })
}

// LockKey implements storage.Tx; outside a transaction there is nothing to hold.
func (s *Store) LockKey(ctx context.Context, key string) error {
	return (&txn{st: s.st}).LockKey(ctx, key)
}

// AppendEvents implements storage.Tx.
func (s *Store) AppendEvents(ctx context.Context, events ...*storage.Event) error {
	return write0(s, ctx, func(t *txn) error { return t.AppendEvents(ctx, events...) })
}

// ListEvents implements storage.Tx.
func (s *Store) ListEvents(ctx context.Context, q storage.EventQuery) ([]*storage.Event, error) {
	return read(s, ctx, func(t *txn) ([]*storage.Event, error) { return t.ListEvents(ctx, q) })
}
