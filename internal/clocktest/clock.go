package clocktest

import (
	"sync"
	"time"
)

// Manual is a sourceflow.Clock whose Now moves only by Advance. After
// waits on the real clock: code that sleeps between attempts still paces
// itself. It is safe for concurrent use.
type Manual struct {
	mu  sync.Mutex
	now time.Time
}

// NewManual returns a Manual clock reading start.
func NewManual(start time.Time) *Manual { return &Manual{now: start} }

// Now returns the clock's time.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After is time.After.
func (c *Manual) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Advance moves the clock d on.
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
