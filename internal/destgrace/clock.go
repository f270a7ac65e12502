package destgrace

import (
	"sync"
	"time"
)

// Grace is how long a destination may have no publisher on an instance
// before its messages are dead-lettered there: long enough for a rolling
// deploy.
const Grace = 15 * time.Minute

// Clock tracks, per destination, since when this instance has found no
// publisher for it. It is safe for concurrent use.
type Clock struct {
	now    func() time.Time
	forget time.Duration // how long a destination may go without a failure before it is forgotten

	mu    sync.Mutex
	since map[string]span
}

// span is a run of failures: the first and the last.
type span struct{ first, last time.Time }

// NewClock returns a Clock reading now (time.Now when nil) that forgets a
// destination after a day without failures.
func NewClock(now func() time.Time) *Clock {
	return NewClockForgetting(now, forgetAfter)
}

// NewClockForgetting returns a Clock like NewClock's that forgets a
// destination once its last failure is more than after old, instead of a
// day: a pause of after between two failures also starts the run again,
// for a caller whose failures far apart must not add up.
func NewClockForgetting(now func() time.Time, after time.Duration) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{now: now, forget: after, since: map[string]span{}}
}

// forgetAfter is how long a destination may go without a failure before
// NewClock's Clock forgets it: far longer than any interval at which a
// caller meets it again (a sweep interval, turns at the forwarders' lock),
// so that failures far apart still add up to the grace, while the map
// does not keep destinations for ever.
const forgetAfter = 24 * time.Hour

// Failed records that destination has no publisher now and returns how
// long it has had none, and whether that is Grace or more. Only Found, or
// no failure for the Clock's forget window (a day for NewClock), starts it
// again from zero.
func (c *Clock) Failed(destination string) (failing time.Duration, over bool) {
	failing, over, _ = c.FailedWithin(destination, 0)
	return failing, over
}

// FailedWithin is Failed for a Clock that times at most limit destinations
// (no limit when limit is 0 or less): a destination it does not time yet,
// while it times limit others, is not recorded, and tracked is false. The
// cost of a call grows with the destinations timed, so a caller whose
// destinations come from outside sets a limit.
func (c *Clock) FailedWithin(destination string, limit int) (failing time.Duration, over, tracked bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for d, s := range c.since {
		if now.Sub(s.last) > c.forget {
			delete(c.since, d)
		}
	}
	s, ok := c.since[destination]
	if !ok {
		if limit > 0 && len(c.since) >= limit {
			return 0, false, false
		}
		s.first = now
	}
	s.last = now
	c.since[destination] = s
	failing = now.Sub(s.first)
	return failing, failing >= Grace, true
}

// Found records that destination has a publisher: its run of failures ends.
func (c *Clock) Found(destination string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.since, destination)
}
