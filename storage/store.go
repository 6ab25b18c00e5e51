// Package storage defines what parley needs from a database: the Reader, Tx
// and Store interfaces, the list queries with their paging and cursors, the
// event log's types, and the errors every store returns.
//
// Two stores ship with parley: memstore (in memory, for tests and
// prototypes) and sqlstore (PostgreSQL through pgx, and SQLite through
// sqlstore/sqlite). A store persists what the service decided; it never
// re-implements a domain rule.
//
// # The surface
//
// A Store offers the reads (Reader) and InTx; every write happens inside
// InTx, on the Tx it hands out, which adds the writes and the locks to the
// reads. A store writes each method once: a Tx's reads are the Store's
// reads run inside the transaction.
//
// Some methods exist only for speed. They are optional interfaces that a Tx
// may implement and the caller detects, with a plain fallback, as
// database/sql does with database/sql/driver: ConversationAgentsLocker
// (reading a conversation with its agents in one round trip) and
// MessageAppender (a message insert deferred to the commit) and
// ConversationInserter (a new conversation's insert deferred to the
// commit), RoutingReader (what a route reads, in few round trips). Call
// them through the functions of the same names, which fall back.
//
// # What a store must guarantee
//
// Each guarantee is written on the method it concerns and checked by the
// conformance suites in storage/storagetest, which every store runs; a third
// store needs to pass storagetest.Run (the storage cases) and
// storagetest.RunService (the service's use cases over the store):
//
//   - InTx commits when fn returns nil and rolls back when it returns an
//     error or panics (the panic is re-raised after the rollback). Within fn
//     use only the Tx: calling the Store from inside fn may deadlock. A Tx is
//     not for use after its InTx returned (ErrTxDone).
//   - Values are copied in and out: changing a value passed to or returned by
//     a store never changes stored state.
//   - Errors are *Error values: errors.Is matches the sentinel of this
//     package (Kind) and errors.As still reaches a driver's own error (the
//     cause). Messages name the operation and the entity, never the store's
//     package, SQL or a database code.
//   - Every method returns ctx.Err() (wrapped) once ctx is done, and writes
//     nothing then.
//   - After a method of a Tx fails, the transaction may be fit only for
//     rolling back (PostgreSQL aborts a transaction on an error the database
//     raised): return the error from fn rather than carry on.
//   - Lists order as their query says and always tie-break by id, so paging
//     never skips or repeats a row; a cursor page costs the same at any depth.
//   - Events get a Seq that increases in commit order: a reader that has seen
//     seq N and later asks for events after N misses nothing that committed.
//   - Locks (LockConversation, LockCall, LockAgent, LockCustomer, LockKey,
//     and the hold of EnsureTag and EnsureCustomer) last until the
//     transaction ends, and a read after a lock sees everything committed
//     before the lock was granted. The service takes them in one order,
//     keys, then the conversation, then customers and tags, then the
//     call, then agents, so a store that blocks on them cannot deadlock
//     the service; a store whose write transactions run one at a time
//     (memstore, SQLite) needs do nothing for them.
package storage

import (
	"context"
	"errors"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/customer"
	"github.com/parleyhq/parley/message"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/tag"
)

// Store is a database of conversations: its reads, and InTx for everything
// that writes.
type Store interface {
	Reader

	// InTx runs fn in one transaction. It commits when fn returns nil and
	// rolls back when fn returns an error or panics, returning fn's error
	// (or re-raising its panic). Events appended in fn are visible to
	// readers only after the commit.
	InTx(ctx context.Context, fn func(tx Tx) error) error
}

// HostTransaction is a Store whose writes all happen inside a transaction
// that its caller, the host, owns and commits (see sqlstore's WithPgxTx).
// For such a store InTx returning nil does not mean committed, so whatever
// must wait for the commit (in-process event subscribers, the routing that
// a change triggers) is handed to AfterCommit instead of run at once.
type HostTransaction interface {
	Store
	// AfterCommit queues fn to run when the host reports that its
	// transaction committed, in the order queued; after a rollback it never
	// runs. fn gets a Store outside the host's transaction, on the same
	// database.
	AfterCommit(fn func(ctx context.Context, outside Store))
}

// EventNotifier is an optional capability of a Store: it tells readers of
// the event log when events may have been added, so that they need not
// poll (parley.Service.Consume uses it when the store has it). A store
// without it is polled.
type EventNotifier interface {
	// NotifyEvents returns a channel that receives a value whenever events
	// may have been added to the log since the call, by this process or,
	// where the store can tell, another one. Signals coalesce: one value
	// may stand for many events, and a value may come with none. The
	// channel is closed when ctx ends, or when the notifications fail
	// (a lost connection): the reader then polls, or calls again.
	NotifyEvents(ctx context.Context) (<-chan struct{}, error)
}

// Reader is every read. On a Store each read sees committed data; on a Tx
// it also sees the transaction's own writes.
type Reader interface {
	CallReader
	WorkingHoursReader
	WaitingStrategyReader
	CallWaitReader
	RecordingReader
	HoldConfigReader
	// GetConversation returns the conversation with its tags. ErrNotFound
	// when there is none.
	GetConversation(ctx context.Context, id string) (*conversation.Conversation, error)
	// ListConversations returns a page of the conversations q selects, each
	// with its tags. ErrInvalid for a bad query or cursor.
	ListConversations(ctx context.Context, q ConversationQuery) (Page[*conversation.Conversation], error)

	// GetTag returns the catalog entry. ErrNotFound when there is none.
	GetTag(ctx context.Context, name string) (*tag.Tag, error)
	// ListTags returns a page of the catalog in q's order. With
	// q.ConversationID set it lists that conversation's tags (ErrNotFound
	// when the conversation does not exist).
	ListTags(ctx context.Context, q TagQuery) (Page[*tag.Tag], error)

	// GetMessage returns a message. ErrNotFound when there is none.
	GetMessage(ctx context.Context, id string) (*message.Message, error)
	// ListMessages returns a page of one conversation's messages.
	// ErrNotFound when the conversation does not exist.
	ListMessages(ctx context.Context, q MessageQuery) (Page[*message.Message], error)

	// GetAgent returns the agent with its queue memberships. ErrNotFound
	// when there is none.
	GetAgent(ctx context.Context, id string) (*routing.Agent, error)
	// ListAgents returns a page of the agents q selects, in q's order.
	// ErrInvalid for a bad query or cursor.
	ListAgents(ctx context.Context, q AgentQuery) (Page[*routing.Agent], error)

	// GetQueue returns the queue with its members. ErrNotFound when there is
	// none.
	GetQueue(ctx context.Context, id string) (*routing.Queue, error)
	// ListQueues returns a page of the queues q selects, in q's order.
	// ErrInvalid for a bad query or cursor.
	ListQueues(ctx context.Context, q QueueQuery) (Page[*routing.Queue], error)
	// DefaultQueue returns the queue marked Default. ErrNotFound when none
	// is.
	DefaultQueue(ctx context.Context) (*routing.Queue, error)

	// ListRules returns the routing rules in order.
	ListRules(ctx context.Context) ([]routing.Rule, error)

	// AgentLoad counts the agent's conversations in OPEN or WAITING, the
	// load that capacity limits.
	AgentLoad(ctx context.Context, agentID string) (int, error)
	// QueueMemberLoads returns every member of the queue, enabled or not,
	// with its load, whether it has a live call and its last heartbeat, in
	// agent id order. ErrNotFound when the queue does
	// not exist.
	QueueMemberLoads(ctx context.Context, queueID string) ([]AgentLoad, error)
	// ListWaiting returns the conversations waiting in a queue, in serving
	// order (see WaitingQuery).
	ListWaiting(ctx context.Context, q WaitingQuery) ([]*conversation.Conversation, error)
	// LastAgentOfCustomer returns the agent of the customer's most recently
	// updated assigned conversation, other than exclude, updated at or after
	// since; "" when there is none.
	LastAgentOfCustomer(ctx context.Context, customerID, exclude string, since time.Time) (string, error)

	// ListEvents returns the events after q.After in seq order.
	ListEvents(ctx context.Context, q EventQuery) ([]*Event, error)

	// GetCustomer returns the customer. ErrNotFound when there is none.
	GetCustomer(ctx context.Context, id string) (*customer.Customer, error)
	// ListCustomers returns a page of the customers q selects, in id order.
	// ErrInvalid for a bad query or cursor.
	ListCustomers(ctx context.Context, q CustomerQuery) (Page[*customer.Customer], error)
}

// Tx is one transaction: the reads, which see its own writes, and the
// writes and locks, which commit or roll back together.
type Tx interface {
	Reader
	CallWriter
	WorkingHoursWriter
	WaitingStrategyWriter
	CallWaitWriter
	RecordingWriter
	HoldConfigWriter

	// CreateConversation inserts c with its Tags, which must exist in the
	// catalog (ErrNotFound naming the tag otherwise). ErrAlreadyExists when
	// the id is taken.
	CreateConversation(ctx context.Context, c *conversation.Conversation) error
	// LockConversation is GetConversation that also keeps other
	// transactions from changing or locking the conversation until this
	// one ends: use it to read before a write.
	LockConversation(ctx context.Context, id string) (*conversation.Conversation, error)
	// UpdateConversation writes every field of c but Tags and CreatedAt, if
	// the stored version is still prevVersion. ErrNotFound when there is no
	// such conversation, ErrConflict when its version is not prevVersion.
	UpdateConversation(ctx context.Context, c *conversation.Conversation, prevVersion int64) error
	// DeleteConversation removes the conversation with its messages, its tag
	// links and its events, including events appended earlier in the same
	// transaction, but for conversation.deleted events: those of earlier
	// conversations with the same id stay, as the only trace of them.
	// ErrNotFound when there is none.
	DeleteConversation(ctx context.Context, id string) error

	// CreateTag adds t to the catalog. ErrAlreadyExists when the name is
	// taken.
	CreateTag(ctx context.Context, t *tag.Tag) error
	// EnsureTag adds t to the catalog unless a tag of that name exists,
	// reporting whether it added it, and then holds the tag until the
	// transaction ends: a concurrent DeleteTag of it waits. Unlike
	// CreateTag it never fails for a taken name, even when a concurrent
	// transaction adds the same name; when a concurrent one deletes it, it
	// adds t after all. Holding a tag does not keep other transactions
	// from ensuring or linking it.
	EnsureTag(ctx context.Context, t *tag.Tag) (created bool, err error)
	// DeleteTag removes the tag from the catalog and from every
	// conversation that is not CLOSED, changing nothing else of them; a
	// CLOSED conversation keeps the name in its tags (closed is
	// immutable), though it is no catalog tag any more. ErrNotFound when
	// there is none.
	DeleteTag(ctx context.Context, name string) error
	// AddConversationTag links an existing tag to a conversation; it
	// reports false, and changes nothing, when the link exists already.
	// ErrNotFound when the conversation or the tag does not exist, the
	// error naming whichever is missing.
	AddConversationTag(ctx context.Context, conversationID, name string) (added bool, err error)
	// RemoveConversationTag removes the link. ErrNotFound when the
	// conversation does not have the tag.
	RemoveConversationTag(ctx context.Context, conversationID, name string) error

	// CreateMessage inserts m. ErrNotFound when its conversation does not
	// exist, ErrAlreadyExists when the id is taken.
	CreateMessage(ctx context.Context, m *message.Message) error

	// CreateAgent inserts a (its Queues are ignored). ErrAlreadyExists when
	// the id is taken.
	CreateAgent(ctx context.Context, a *routing.Agent) error
	// LockAgent is GetAgent that also keeps other transactions from
	// changing or locking the agent until this one ends. It returns the
	// agent as it is once the lock is held, its queue memberships included:
	// nothing a transaction that held the lock committed is missing.
	// Routing locks the agent it assigns to, after the conversation, and
	// so does every change that raises the agent's load or changes its
	// memberships, so that none of them interleaves with an automatic
	// assignment (see the lock order in the package doc).
	LockAgent(ctx context.Context, id string) (*routing.Agent, error)
	// UpdateAgent writes every field of a but Queues and CreatedAt.
	// ErrNotFound when there is none.
	UpdateAgent(ctx context.Context, a *routing.Agent) error

	// CreateQueue inserts q (its Members are ignored). ErrAlreadyExists when
	// the id or the name is taken.
	CreateQueue(ctx context.Context, q *routing.Queue) error
	// UpdateQueue writes every field of q but Members and CreatedAt.
	// ErrNotFound when there is none, ErrAlreadyExists when the new name is
	// taken.
	UpdateQueue(ctx context.Context, q *routing.Queue) error
	// AddQueueMember makes the agent a member of the queue; it reports
	// false, and changes nothing, when it is one already. ErrNotFound when
	// the queue or the agent does not exist.
	AddQueueMember(ctx context.Context, queueID, agentID string) (added bool, err error)
	// RemoveQueueMember ends the membership. ErrNotFound when the agent is
	// not a member.
	RemoveQueueMember(ctx context.Context, queueID, agentID string) error

	// ReplaceRules replaces the whole rule list, keeping the given order.
	// Concurrent replacements never fail for each other: they run one
	// after the other, and the list is always one of them, whole.
	ReplaceRules(ctx context.Context, rules []routing.Rule) error

	// CreateCustomer inserts c. ErrAlreadyExists when the id is taken.
	CreateCustomer(ctx context.Context, c *customer.Customer) error
	// EnsureCustomer inserts c unless a customer with its id exists,
	// reporting whether it inserted it, and then holds the customer as
	// LockCustomer does until the transaction ends. Unlike CreateCustomer
	// it never fails for a taken id, even when a concurrent transaction
	// inserts the same one; when a concurrent one deletes it, it inserts c
	// after all.
	EnsureCustomer(ctx context.Context, c *customer.Customer) (created bool, err error)
	// LockCustomer is GetCustomer that also keeps other transactions from
	// changing or locking the customer until this one ends.
	LockCustomer(ctx context.Context, id string) (*customer.Customer, error)
	// UpdateCustomer writes every field of c but CreatedAt. ErrNotFound when
	// there is none.
	UpdateCustomer(ctx context.Context, c *customer.Customer) error
	// DeleteCustomer removes the customer; its conversations, if any, are
	// not the store's to check. ErrNotFound when there is none.
	DeleteCustomer(ctx context.Context, id string) error

	// LockKey takes a lock on an arbitrary key until the transaction ends.
	// Two transactions locking the same key run one after the other;
	// inbound threading locks the customer and channel so that two first
	// messages start one conversation.
	LockKey(ctx context.Context, key string) error

	// AppendEvents adds events to the log and sets their Seq, at the latest
	// when the transaction commits. Seqs increase in commit order across all
	// transactions. A store may write the events when the transaction
	// commits; they are never visible before.
	AppendEvents(ctx context.Context, events ...*Event) error
}

// ConversationAgentsLocker is a Tx that can lock a conversation and read
// agents in one round trip. Call it through LockConversationAndAgents.
type ConversationAgentsLocker interface {
	// LockConversationAndAgents is LockConversation that also reads the
	// conversation's assignee and the agents of agentIDs, in the same
	// round trip. The map holds those of the agents that exist, by id,
	// read as GetAgent reads them (not locked); an id that names no agent
	// is absent. ErrNotFound when the conversation does not exist.
	LockConversationAndAgents(ctx context.Context, id string, agentIDs ...string) (*conversation.Conversation, map[string]*routing.Agent, error)
}

// MessageAppender is a Tx that can defer a message's insert to the commit.
// Call it through AppendMessage.
type MessageAppender interface {
	// AppendMessage is CreateMessage for a message of a conversation this
	// transaction has locked or created, written as late as the store
	// likes, up to the commit: a store that pays a round trip per write
	// sends it with the transaction's next statements or its commit. Until
	// then this transaction's reads may not see it, and a taken id (or a
	// conversation that does not exist after all) may fail that later call
	// or the commit instead of this one: with ErrAlreadyExists (or
	// ErrNotFound) either way, and the transaction writes nothing.
	AppendMessage(ctx context.Context, m *message.Message) error
}

// LockConversationAndAgents locks the conversation and reads its assignee
// and the agents of agentIDs (see ConversationAgentsLocker): in one round
// trip when tx implements ConversationAgentsLocker, else with
// LockConversation and one GetAgent per agent.
func LockConversationAndAgents(ctx context.Context, tx Tx, id string, agentIDs ...string) (*conversation.Conversation, map[string]*routing.Agent, error) {
	if l, ok := tx.(ConversationAgentsLocker); ok {
		return l.LockConversationAndAgents(ctx, id, agentIDs...)
	}
	c, err := tx.LockConversation(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	agents := make(map[string]*routing.Agent, len(agentIDs)+1)
	for _, aid := range append(agentIDs, c.AgentID) {
		if aid == "" || agents[aid] != nil {
			continue
		}
		a, err := tx.GetAgent(ctx, aid)
		switch {
		case err == nil:
			agents[aid] = a
		case !errors.Is(err, ErrNotFound):
			return nil, nil, err
		}
	}
	return c, agents, nil
}

// ConversationInserter is a Tx that can defer a new conversation's insert
// to the commit. Call it through InsertConversation.
type ConversationInserter interface {
	// InsertConversation is CreateConversation written as late as the
	// store likes, up to the commit: a store that pays a round trip per
	// write sends it with the transaction's next statements or its
	// commit. This transaction's later reads see it; a taken id may fail
	// this call, a later one or the commit with ErrAlreadyExists, and the
	// transaction then writes nothing. The conversation counts as locked
	// by this transaction, as a created row is until the commit.
	InsertConversation(ctx context.Context, c *conversation.Conversation) error
}

// InsertConversation creates c as late as tx allows: with its
// ConversationInserter when it has one, else at once with
// CreateConversation.
func InsertConversation(ctx context.Context, tx Tx, c *conversation.Conversation) error {
	if a, ok := tx.(ConversationInserter); ok {
		return a.InsertConversation(ctx, c)
	}
	return tx.CreateConversation(ctx, c)
}

// RoutingReader is a Tx that reads what routing a conversation needs in
// few round trips. Call it through LockConversationAndRules,
// QueueHeadAndLoads and LockAgentAndLoad, which fall back.
type RoutingReader interface {
	// LockConversationAndRules is LockConversation that also reads the
	// routing rules (ListRules) and the default queue (DefaultQueue; nil
	// when there is none), in the same round trip.
	LockConversationAndRules(ctx context.Context, id string) (*conversation.Conversation, []routing.Rule, *routing.Queue, error)
	// QueueHeadAndLoads reads the queue (GetQueue), the first
	// conversation waiting in it (ListWaiting with Limit 1; nil when none
	// waits) and its members with their loads (QueueMemberLoads), in one
	// round trip. ErrNotFound when there is no such queue.
	QueueHeadAndLoads(ctx context.Context, queueID string) (*routing.Queue, *conversation.Conversation, []AgentLoad, error)
	// LockAgentAndLoad is LockAgent that also reads the agent's presence
	// (AgentPresences: its load, a live call, its last heartbeat) once the
	// lock is held, in the same round trip.
	LockAgentAndLoad(ctx context.Context, id string) (AgentLoad, error)
}

// LockConversationAndRules locks the conversation and reads the routing
// rules and the default queue (nil when there is none): in one round trip
// when tx implements RoutingReader, else with LockConversation, ListRules
// and DefaultQueue.
func LockConversationAndRules(ctx context.Context, tx Tx, id string) (*conversation.Conversation, []routing.Rule, *routing.Queue, error) {
	if r, ok := tx.(RoutingReader); ok {
		return r.LockConversationAndRules(ctx, id)
	}
	c, err := tx.LockConversation(ctx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	rules, err := tx.ListRules(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	q, err := tx.DefaultQueue(ctx)
	if errors.Is(err, ErrNotFound) {
		return c, rules, nil, nil
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return c, rules, q, nil
}

// QueueHeadAndLoads reads the queue, the first conversation waiting in it
// and its members' loads (see RoutingReader): in one round trip when tx
// implements RoutingReader, else with GetQueue, ListWaiting and
// QueueMemberLoads.
func QueueHeadAndLoads(ctx context.Context, tx Tx, queueID string) (*routing.Queue, *conversation.Conversation, []AgentLoad, error) {
	if r, ok := tx.(RoutingReader); ok {
		return r.QueueHeadAndLoads(ctx, queueID)
	}
	q, err := tx.GetQueue(ctx, queueID)
	if err != nil {
		return nil, nil, nil, err
	}
	head, err := tx.ListWaiting(ctx, WaitingQuery{QueueID: queueID, Limit: 1})
	if err != nil {
		return nil, nil, nil, err
	}
	loads, err := tx.QueueMemberLoads(ctx, queueID)
	if err != nil {
		return nil, nil, nil, err
	}
	var first *conversation.Conversation
	if len(head) > 0 {
		first = head[0]
	}
	return q, first, loads, nil
}

// LockAgentAndLoad locks the agent and reads its presence, its load
// included: in one round trip when tx implements RoutingReader, else with
// LockAgent and AgentPresences.
func LockAgentAndLoad(ctx context.Context, tx Tx, id string) (AgentLoad, error) {
	if r, ok := tx.(RoutingReader); ok {
		return r.LockAgentAndLoad(ctx, id)
	}
	a, err := tx.LockAgent(ctx, id)
	if err != nil {
		return AgentLoad{}, err
	}
	ps, err := tx.AgentPresences(ctx, id)
	if err != nil {
		return AgentLoad{}, err
	}
	if len(ps) == 0 {
		return AgentLoad{}, Fail("locking agent", id, ErrNotFound)
	}
	return AgentLoad{Agent: a, Load: ps[0].Load, OnCall: ps[0].OnCall, LastHeartbeat: ps[0].LastHeartbeat}, nil
}

// AppendMessage inserts m as late as tx allows: with its MessageAppender
// when it has one, else at once with CreateMessage.
func AppendMessage(ctx context.Context, tx Tx, m *message.Message) error {
	if a, ok := tx.(MessageAppender); ok {
		return a.AppendMessage(ctx, m)
	}
	return tx.CreateMessage(ctx, m)
}

// AgentLoad is an agent with the number of its conversations in OPEN or
// WAITING, and the rest of its presence.
type AgentLoad struct {
	Agent         *routing.Agent
	Load          int
	OnCall        bool      // a call is ringing for it, dialing from it or connected to it
	LastHeartbeat time.Time // zero if it never sent one
}

// Presence is l as routing.AvailabilityOf takes it.
func (l AgentLoad) Presence() routing.Presence {
	return routing.Presence{Agent: l.Agent, Load: l.Load, OnCall: l.OnCall, LastHeartbeat: l.LastHeartbeat}
}

// List kinds, for the cursors of AgentQuery, QueueQuery and CustomerQuery.
const (
	KindAgents    = "agents"
	KindQueues    = "queues"
	KindCustomers = "customers"
)

// WaitingQueuesReader is a Reader that names the queues in which
// conversations wait in one statement. Call it through WaitingQueues,
// which falls back.
type WaitingQueuesReader interface {
	// WaitingQueues is the package function WaitingQueues.
	WaitingQueues(ctx context.Context) ([]string, error)
}

// WaitingQueues returns the ids, in id order, of the queues in which at
// least one conversation waits (in the queue, unassigned, OPEN or
// WAITING): so that a pass of the runner touches only the queues with
// work. In one statement when r implements WaitingQueuesReader, else by
// reading every queue's first waiting conversation.
func WaitingQueues(ctx context.Context, r Reader) ([]string, error) {
	if w, ok := r.(WaitingQueuesReader); ok {
		return w.WaitingQueues(ctx)
	}
	out := []string{}
	q := QueueQuery{Paging: Paging{Limit: MaxLimit, SkipTotal: true}}
	for {
		page, err := r.ListQueues(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, queue := range page.Items {
			head, err := r.ListWaiting(ctx, WaitingQuery{QueueID: queue.ID, Limit: 1})
			if err != nil {
				return nil, err
			}
			if len(head) > 0 {
				out = append(out, queue.ID)
			}
		}
		if page.NextCursor == "" {
			return out, nil
		}
		q.Cursor = page.NextCursor
	}
}
