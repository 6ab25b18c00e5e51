package storage

import (
	"context"
	"time"

	"github.com/parleyhq/parley/call"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/routing"
)

// CallReader is the reads of calls, agent presence and settings. It is part
// of Reader.
type CallReader interface {
	// GetCall returns the call. ErrNotFound when there is none.
	GetCall(ctx context.Context, id string) (*call.Call, error)
	// ListCalls returns a page of the calls q selects, oldest first
	// (CreatedAt, then id). ErrInvalid for a bad query or cursor.
	ListCalls(ctx context.Context, q CallQuery) (Page[*call.Call], error)
	// DueCalls returns up to limit calls whose CallDue is at or before
	// at, earliest first (then id): the offers and dials (RINGING or
	// DIALING, by Deadline) and the transfers (CONNECTED, by
	// TransferDeadline) that the runner times out.
	DueCalls(ctx context.Context, at time.Time, limit int) ([]*call.Call, error)
	// AgentPresences returns the presence of each agent of ids that exists,
	// in id order: the agent with its memberships, its messaging load,
	// whether a call takes it up (call.Call.Occupies: a live call of its
	// own or a transfer ringing at it) and its last heartbeat.
	AgentPresences(ctx context.Context, ids ...string) ([]routing.Presence, error)
	// LapsedAgents returns up to limit ids of agents marked present
	// whose last heartbeat is at or before lastBefore, oldest heartbeat
	// first (then id): the lapses the runner reports.
	LapsedAgents(ctx context.Context, lastBefore time.Time, limit int) ([]string, error)
	// GetSetting returns the value stored under key (an account-wide
	// setting such as the call timeouts). ErrNotFound when there is none.
	GetSetting(ctx context.Context, key string) ([]byte, error)
}

// CallWriter is the writes of calls, agent presence and settings. It is
// part of Tx.
type CallWriter interface {
	// CreateCall inserts c. ErrAlreadyExists when the id is taken;
	// ErrNotFound when its conversation does not exist; ErrConflict when
	// c is live (call.State.Live) and its agent has another live call: a
	// store keeps that rule whatever the interleaving (a unique index),
	// so an agent never has two. An agent a transfer rings at counts as
	// taken up by that call (call.Call.Occupies): ErrConflict too when c
	// would take up an agent another call takes up.
	CreateCall(ctx context.Context, c *call.Call) error
	// LockCall is GetCall that also keeps other transactions from
	// changing or locking the call until this one ends. Lock it after the
	// conversation when both are locked, and before any agent.
	LockCall(ctx context.Context, id string) (*call.Call, error)
	// UpdateCall writes every field of c but ConversationID, Direction and
	// CreatedAt, if the stored version is still prevVersion. ErrNotFound
	// when there is no such call, ErrConflict when its version is not
	// prevVersion or, as for CreateCall, when its agent would have two
	// live calls.
	UpdateCall(ctx context.Context, c *call.Call, prevVersion int64) error

	// RecordHeartbeat stores at as the agent's last heartbeat, unless it
	// holds a later one (instances' clocks differ: the latest heartbeat
	// wins, and the time never moves back), and marks it present, reporting whether it was present before: false for its
	// first heartbeat and for the first after MarkAbsent. It takes no
	// lock that routing takes (not the agent's). ErrNotFound when there
	// is no such agent.
	RecordHeartbeat(ctx context.Context, agentID string, at time.Time) (wasPresent bool, err error)
	// MarkAbsent marks the agent absent if it is marked present and its
	// last heartbeat is at or before lastBefore, reporting whether it did.
	// Of several transactions marking the same lapse, one reports true;
	// after a heartbeat newer than lastBefore none does.
	MarkAbsent(ctx context.Context, agentID string, lastBefore time.Time) (marked bool, err error)

	// PutSetting stores value under key, replacing any value.
	PutSetting(ctx context.Context, key string, value []byte) error
	// DeleteSetting removes key, reporting whether it was there.
	DeleteSetting(ctx context.Context, key string) (deleted bool, err error)
}

// HeartbeatRecorder is a Store that can record a heartbeat outside a
// transaction, as one statement: the write thousands of agents make every
// few seconds. Call it through RecordHeartbeat.
type HeartbeatRecorder interface {
	// RecordHeartbeat is Tx.RecordHeartbeat as a transaction of its own.
	RecordHeartbeat(ctx context.Context, agentID string, at time.Time) (wasPresent bool, err error)
}

// RecordHeartbeat records the agent's heartbeat: with the store's
// HeartbeatRecorder when it has one, else in a transaction of its own.
func RecordHeartbeat(ctx context.Context, s Store, agentID string, at time.Time) (wasPresent bool, err error) {
	if r, ok := s.(HeartbeatRecorder); ok {
		return r.RecordHeartbeat(ctx, agentID, at)
	}
	err = s.InTx(ctx, func(tx Tx) error {
		wasPresent, err = tx.RecordHeartbeat(ctx, agentID, at)
		return err
	})
	return wasPresent, err
}

// CallQuery selects calls. Every set field must hold (AND).
type CallQuery struct {
	ConversationID string       // the calls of this conversation
	AgentID        string       // the calls of this agent
	QueueID        string       // the calls in this queue
	States         []call.State // any of these states
	Paging
}

// Normalize applies the defaults and checks every field.
func (q *CallQuery) Normalize() error {
	for _, f := range []struct{ name, v string }{
		{"conversationId", q.ConversationID}, {"agentId", q.AgentID}, {"queueId", q.QueueID},
	} {
		if f.v == "" {
			continue
		}
		if err := fault.Identifier(f.name, f.v, conversation.MaxIDLen); err != nil {
			return err
		}
	}
	if len(q.States) > len(call.States) {
		return fault.Invalid("state", "at most %d values", len(call.States))
	}
	for _, s := range q.States {
		if !s.Valid() {
			return fault.Invalid("state", "unknown value %q", s)
		}
	}
	return q.Paging.normalize()
}

// KindCalls is the list kind of call cursors.
const KindCalls = "calls"

// The keys of the settings the service keeps (GetSetting, PutSetting).
const (
	SettingCallTimeouts = "call.timeouts" // call.Timeouts as JSON
	SettingWrapUp       = "call.wrap_up"  // call.WrapUpConfig as JSON
)

// MaxSettingKeyLen bounds a setting's key.
const MaxSettingKeyLen = 128

func (q *CallQuery) fingerprint() [8]byte {
	f := newFingerprint(KindCalls)
	f.str(q.ConversationID)
	f.str(q.AgentID)
	f.str(q.QueueID)
	f.list(strs(q.States))
	return f.sum()
}

// Keyset decodes the query's cursor (see ConversationQuery.Keyset): the
// last call's CreatedAt and id.
func (q *CallQuery) Keyset() (*Keyset, error) {
	if q.Cursor == "" {
		return nil, nil
	}
	return decodeCursor(q.fingerprint(), q.Cursor, true)
}

// CursorAfter returns the cursor of the page that follows c.
func (q *CallQuery) CursorAfter(c *call.Call) string {
	return encodeCursor(q.fingerprint(), Keyset{Time: c.CreatedAt, ID: c.ID})
}
