package encryption

import (
	"sync"
	"time"
)

// sweeper runs a cache's sweep one period after a key is put, and again
// every period while keys remain, so that keys past their lifetime leave
// memory even when no message comes to replace them. Between sweeps nothing
// runs: a timer, armed on put, is all it holds.
type sweeper struct {
	period time.Duration
	sweep  func() (left int)

	mu    sync.Mutex
	armed bool
}

// arm schedules a sweep unless one is scheduled.
func (s *sweeper) arm() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.armed {
		return
	}
	s.armed = true
	time.AfterFunc(s.period, s.run)
}

// run sweeps, disarmed first: a key put while it sweeps arms the next
// sweep itself.
func (s *sweeper) run() {
	s.mu.Lock()
	s.armed = false
	s.mu.Unlock()
	if s.sweep() > 0 {
		s.arm()
	}
}
