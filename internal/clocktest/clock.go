package clocktest

import (
	"sync"
	"time"
)

// Manual is a sourceflow.Clock whose Now moves only by Advance, Set or,
// on a stepping clock, After. It records every wait After is asked for.
// It is safe for concurrent use.
type Manual struct {
	mu      sync.Mutex
	now     time.Time
	step    bool
	waits   []time.Duration
	onAfter func(time.Duration)
}

// NewManual returns a Manual clock reading start whose After waits on the
// real clock: code that sleeps between attempts still paces itself.
func NewManual(start time.Time) *Manual { return &Manual{now: start} }

// NewStepping returns a Manual clock reading start whose After does not
// wait: it moves the clock d on and fires at once, so that a loop sleeping
// between attempts runs through without sleeping while the time it reads
// passes as if it had slept.
func NewStepping(start time.Time) *Manual { return &Manual{now: start, step: true} }

// Now returns the clock's time.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After records d and calls the OnAfter function, if any, with it. On a
// stepping clock it then moves the clock d on and returns a channel that
// has fired; otherwise it is time.After.
func (c *Manual) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	f, step := c.onAfter, c.step
	c.mu.Unlock()
	if f != nil {
		f(d)
	}
	if !step {
		return time.After(d)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// Advance moves the clock d on.
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t, forwards or backwards.
func (c *Manual) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Waits returns the durations After was called with, in order.
func (c *Manual) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// OnAfter makes every later After call f with its wait before returning,
// so that a test can act at the moment the code under test starts to wait
// (cancel its context, say).
func (c *Manual) OnAfter(f func(d time.Duration)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.onAfter = f
}
