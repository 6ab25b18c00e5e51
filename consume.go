package parley

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley/fault"
	"github.com/parleyhq/parley/storage"
)

// ConsumeOptions configures Consume.
type ConsumeOptions struct {
	// After is the position to read after: the seq of the last event the
	// consumer has handled, as it stored it (0 for the whole log).
	After int64
	// BatchSize is the most events handed to the handler at once: default
	// 100, at most storage.MaxLimit.
	BatchSize int
	// PollInterval is how long Consume waits for a signal before it reads
	// the log anyway: default one second. A store that notifies
	// (storage.EventNotifier) wakes it at once; polling finds what it
	// cannot hear of (another process's events on SQLite) and covers a lost
	// notification connection.
	PollInterval time.Duration
}

// defaultBatch and defaultPoll are ConsumeOptions' defaults.
const (
	defaultBatch = 100
	defaultPoll  = time.Second
)

// Consume reads the event log after opts.After and hands the events to
// handle, a batch at a time in seq order, then waits for more, until ctx
// ends (it then returns nil) or handle fails (it returns that error, and
// reads no further). It is the outbox's consumer loop: the read position
// is the caller's, who stores the seq of the last event of each batch
// handled (best in the same transaction as what handling it wrote) and
// passes it back as After when it starts again. Delivery is at least once:
// a batch whose handling failed, or whose position was not stored before
// a crash, is handed over again from the stored position; a handler that
// must not act twice deduplicates by seq. Nothing committed is missed, and
// seqs only increase (see Events).
//
// Consume waits on the store's notifications where it has them
// (storage.EventNotifier: LISTEN/NOTIFY on PostgreSQL, in-process signals
// on SQLite and in memory), and reads the log at least every
// opts.PollInterval anyway. A read that fails ends Consume with the error
// (a consumer restarts from its position). It runs on the caller's
// goroutine; the events are the handler's to keep.
func (s *Service) Consume(ctx context.Context, opts ConsumeOptions, handle func(ctx context.Context, events []*storage.Event) error) error {
	if err := s.authorize(ctx, "Consume"); err != nil {
		return err
	}
	if handle == nil {
		return fault.Invalid("handle", "is required")
	}
	if opts.After < 0 {
		return fault.Invalid("after", "must not be negative")
	}
	if opts.BatchSize < 0 || opts.BatchSize > storage.MaxLimit {
		return fault.Invalid("batchSize", "must be between 1 and %d (0 for the default)", storage.MaxLimit)
	}
	if opts.PollInterval < 0 {
		return fault.Invalid("pollInterval", "must not be negative")
	}
	batch, poll := opts.BatchSize, opts.PollInterval
	if batch == 0 {
		batch = defaultBatch
	}
	if poll == 0 {
		poll = defaultPoll
	}
	notifier, _ := s.store.(storage.EventNotifier)
	var wake <-chan struct{}
	after := opts.After
	for {
		// Listen before reading, so that what commits between the read
		// and the wait still wakes the wait.
		if wake == nil && notifier != nil {
			if ch, err := notifier.NotifyEvents(ctx); err == nil {
				wake = ch
			}
		}
		page, err := s.store.ListEvents(ctx, storage.EventQuery{After: after, Limit: batch})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		if len(page) > 0 {
			if err := handle(ctx, page); err != nil {
				return err
			}
			after = page[len(page)-1].Seq
			if len(page) == batch {
				continue // more may be waiting already
			}
		}
		timer := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case _, open := <-wake:
			if !open {
				wake = nil // listen again on the next round
			}
		case <-timer.C:
		}
		timer.Stop()
	}
}

// Subscription is an in-process subscriber's channel of events (see
// Subscribe).
type Subscription struct {
	// C receives the events the Service commits. It is closed by Close.
	C <-chan storage.Event

	ch      chan storage.Event
	dropped atomic.Int64
	reg     *subscriptions
	once    sync.Once
}

// Dropped is how many events were not delivered because C was full. A
// subscriber that finds it grown catches up from the log (Events, or
// Consume) after the seq of the last event it received.
func (sub *Subscription) Dropped() int64 { return sub.dropped.Load() }

// Close ends the subscription and closes C. It is safe to call more than
// once.
func (sub *Subscription) Close() {
	sub.once.Do(func() {
		sub.reg.mu.Lock()
		defer sub.reg.mu.Unlock()
		delete(sub.reg.subs, sub)
		close(sub.ch)
	})
}

// subscriptions are a Service's channel subscribers, shared with the
// copies of it that run after a host's commit.
type subscriptions struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
}

// Subscribe returns a subscription whose channel receives each event the
// Service commits, after the commit (each change's events in seq order),
// with room for buffer events. The sends never wait: a write is never slowed by a subscriber,
// and when the channel is full the event is dropped for that subscriber
// and counted (Dropped), so a slow subscriber learns it must catch up
// from the log. Like WithSubscriber it hears only this Service's changes,
// and for a store bound to a host's transaction, only once the host
// reports the commit; for delivery that survives a crash, or changes made
// by other processes, use Consume. Close it when done.
func (s *Service) Subscribe(buffer int) (*Subscription, error) {
	if buffer < 1 {
		return nil, fault.Invalid("buffer", "must be at least 1")
	}
	ch := make(chan storage.Event, buffer)
	sub := &Subscription{C: ch, ch: ch, reg: s.subs}
	s.subs.mu.Lock()
	defer s.subs.mu.Unlock()
	s.subs.subs[sub] = struct{}{}
	return sub, nil
}

// send hands events to every channel subscriber, never waiting.
func (r *subscriptions) send(events []*storage.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.subs) == 0 {
		return
	}
	for _, e := range events {
		for sub := range r.subs {
			select {
			case sub.ch <- *e.Clone():
			default:
				sub.dropped.Add(1)
			}
		}
	}
}
