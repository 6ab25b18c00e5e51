// Package wake tells listeners that something may have changed: each
// listener holds a channel with room for one signal, so that a signal is
// never lost while the listener is busy (signals coalesce) and never
// blocks the one who sends it.
package wake

import (
	"context"
	"sync"
)

// Broadcast signals every listener. The zero value is ready to use.
type Broadcast struct {
	mu        sync.Mutex
	listeners map[chan struct{}]struct{}
}

// Listen returns a channel that receives a value after each Signal (one
// value for several signals sent while it was full), until ctx ends; it is
// closed then.
func (b *Broadcast) Listen(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	if b.listeners == nil {
		b.listeners = map[chan struct{}]struct{}{}
	}
	b.listeners[ch] = struct{}{}
	b.mu.Unlock()
	context.AfterFunc(ctx, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.listeners, ch)
		close(ch)
	})
	return ch
}

// Signal wakes every listener, without waiting for any.
func (b *Broadcast) Signal() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.listeners {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
