// Package memstore is an in-memory storage.Store: the store for unit tests
// of business rules, for prototypes, and the reference the SQL store is
// measured against.
//
// Design:
//
//   - One read-write mutex. The Store's reads share it; an InTx holds it
//     alone, so transactions are serialisable and Lock* and LockKey need do
//     nothing more than read. Each method is written once, on the
//     transaction type; the Store's reads are that type taking the read lock
//     per call.
//   - The optional storage interfaces (ConversationAgentsLocker,
//     MessageAppender) save round trips, which memory does not have: the
//     store leaves them out and the callers' fallbacks run.
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
	"sync"
	"sync/atomic"

	"github.com/parleyhq/parley/internal/wake"
	"github.com/parleyhq/parley/storage"
)

// Store is an in-memory storage.Store. The zero value is not usable; call New.
type Store struct {
	reader // the reads, each under the read lock
	mu     sync.RWMutex
	st     *state
	wakes  wake.Broadcast // readers waiting for events (NotifyEvents)
}

// reader is the Store's embedded read side: a txn that takes the read lock
// around each call, so every read is written once, on txn.
type reader = storage.Reader

var (
	_ storage.Store         = (*Store)(nil)
	_ storage.EventNotifier = (*Store)(nil)
	_ storage.Tx            = (*txn)(nil)

	_ storage.WaitingQueuesReader = (*Store)(nil)
	_ storage.WaitingQueuesReader = (*txn)(nil)
)

// New returns an empty Store.
func New() *Store {
	s := &Store{st: newState()}
	s.reader = &txn{st: s.st, shared: &s.mu}
	return s
}

// txn is one transaction's view of the state: the Tx of an InTx, which holds
// the write lock throughout, or the Store's reader, which takes the read
// lock for each call.
type txn struct {
	st     *state
	shared *sync.RWMutex // the Store's lock, for the reader; nil in InTx
	undo   []func()
	done   atomic.Bool
	// appended is set once the transaction appended events.
	appended bool
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

// check fails op once the transaction has ended or ctx is done.
func (t *txn) check(ctx context.Context, op string) error {
	if t.done.Load() {
		return storage.Fail(op, "", storage.ErrTxDone)
	}
	return storage.CheckContext(ctx, op)
}

// enter takes the read lock for a read of the Store's reader and returns
// what releases it; inside InTx the write lock is held already. Every read
// begins with defer t.enter()().
func (t *txn) enter() func() {
	if t.shared == nil {
		return func() {}
	}
	t.shared.RLock()
	return t.shared.RUnlock
}

// InTx runs fn in one transaction; see storage.Store.
func (s *Store) InTx(ctx context.Context, fn func(tx storage.Tx) error) (err error) {
	const op = "running transaction"
	if err := storage.CheckContext(ctx, op); err != nil {
		return err
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
			err = storage.CheckContext(ctx, "committing")
		}
		if err != nil {
			t.rollback()
			return
		}
		if t.appended {
			s.wakes.Signal()
		}
	}()
	return fn(t)
}

// NotifyEvents implements storage.EventNotifier: a signal after each
// transaction that appended events.
func (s *Store) NotifyEvents(ctx context.Context) (<-chan struct{}, error) {
	return s.wakes.Listen(ctx), nil
}
