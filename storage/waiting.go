package storage

import (
	"context"
	"time"

	"github.com/parleyhq/parley/waiting"
)

// The event types of waiting strategies (Infobip's
// /ccaas/voice/2/waiting-strategies) and of what they do to waiting calls.
const (
	WaitingStrategyCreated EventType = "waiting_strategy.created"
	WaitingStrategyUpdated EventType = "waiting_strategy.updated"
	WaitingStrategyDeleted EventType = "waiting_strategy.deleted"

	// CallPrompt asks the host to play something to a waiting caller
	// now: the greeting and the music when the wait starts, each
	// announcement, the maximum-wait message, the callback confirmation.
	// Its changes are "kind" (waiting.PromptKind), "strategyId" and
	// "message" or "music" (the audio, in the strategy's wire shape).
	CallPrompt EventType = "call.prompt"
	// CallCallbackRequested carries a caller's request to be called back
	// (waiting.Callback): "number", "clientType", "queueId", "value".
	CallCallbackRequested EventType = "call.callback_requested"
	// CallReturnedToIVR hands a caller back to the host's IVR, with the
	// collectable's "value".
	CallReturnedToIVR EventType = "call.returned_to_ivr"
)

// WaitingStrategyReader is the reads of waiting strategies. It is part of
// Reader.
type WaitingStrategyReader interface {
	// GetWaitingStrategy returns the strategy. ErrNotFound when there is
	// none with that id.
	GetWaitingStrategy(ctx context.Context, id string) (*waiting.Strategy, error)
	// ListWaitingStrategies returns the page p (normalized by
	// waiting.ListParams.Normalize; ErrInvalid otherwise) of the
	// strategies p.Matches, in p.Compare order, and how many match in all.
	ListWaitingStrategies(ctx context.Context, p waiting.ListParams) (WaitingStrategyPage, error)
	// ClaimingWaitingStrategies returns the strategies whose condition
	// names any of senders or queues, oldest first (CreatedAt, then id):
	// the strategies that may apply to a call, and those a new condition
	// would conflict with.
	ClaimingWaitingStrategies(ctx context.Context, senders []waiting.Sender, queues []string) ([]*waiting.Strategy, error)
}

// WaitingStrategyWriter is the writes of waiting strategies. It is part of
// Tx.
type WaitingStrategyWriter interface {
	// CreateWaitingStrategy inserts s. ErrAlreadyExists when the id is
	// taken; ErrConflict when another strategy names one of its senders
	// or queues (a store keeps that whatever the interleaving).
	CreateWaitingStrategy(ctx context.Context, s *waiting.Strategy) error
	// UpdateWaitingStrategy writes every field of s but CreatedAt.
	// ErrNotFound when there is none with its id; ErrConflict as for
	// CreateWaitingStrategy.
	UpdateWaitingStrategy(ctx context.Context, s *waiting.Strategy) error
	// DeleteWaitingStrategy removes it. ErrNotFound when there is none.
	DeleteWaitingStrategy(ctx context.Context, id string) error
}

// WaitingStrategyPage is one page of waiting strategies and the number
// that match the query in all.
type WaitingStrategyPage struct {
	Items []*waiting.Strategy
	Total int
}

// WaitingStrategyKey is the LockKey key every change of waiting
// strategies takes, so that two instances creating overlapping strategies
// at once run one after the other.
const WaitingStrategyKey = "waiting-strategies"

// CallWait is a queued inbound call's progress through the waiting
// strategy that applies to it: when it entered its queue and when the
// runner must look at it next (Due: the next announcement, or the maximum
// wait, whichever comes first).
type CallWait struct {
	CallID           string
	QueueID          string    // the queue the call waits in
	StrategyID       string    // the strategy that applies
	Since            time.Time // when the call entered QueueID
	NextAnnouncement time.Time // zero when no announcement is left before the maximum wait
	MaximumWaitAt    time.Time
	Due              time.Time
}

// Clone returns a copy.
func (w *CallWait) Clone() *CallWait {
	if w == nil {
		return nil
	}
	cp := *w
	return &cp
}

// CallWaitReader is the reads of waiting calls' progress. It is part of
// Reader.
type CallWaitReader interface {
	// GetCallWait returns the call's wait. ErrNotFound when it has none.
	GetCallWait(ctx context.Context, callID string) (*CallWait, error)
	// DueCallWaits returns up to limit waits whose Due is at or before
	// at, earliest first (then call id).
	DueCallWaits(ctx context.Context, at time.Time, limit int) ([]*CallWait, error)
}

// CallWaitWriter is the writes of waiting calls' progress. It is part of
// Tx.
type CallWaitWriter interface {
	// PutCallWait inserts w, or replaces the call's wait.
	PutCallWait(ctx context.Context, w *CallWait) error
	// DeleteCallWait removes the call's wait, reporting whether there was
	// one.
	DeleteCallWait(ctx context.Context, callID string) (bool, error)
}
