package storagetest

import (
	"fmt"
	"sync"
	"time"
)

// Clock is a manual clock for parley.WithClock: it moves only when told
// to, so that a test of a time-based rule never sleeps. It is safe for
// concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock that reads start until it is advanced.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now is the clock's time; pass it to parley.WithClock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d and returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// IDs makes the ids id-0001, id-0002, ... in order, for
// parley.WithIDGenerator, so that a test can name what the service
// creates. It is safe for concurrent use.
type IDs struct {
	mu sync.Mutex
	n  int
}

// Next returns the next id.
func (s *IDs) Next() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return fmt.Sprintf("id-%04d", s.n)
}
