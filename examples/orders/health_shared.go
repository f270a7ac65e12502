package main

import (
	"context"
	"sync"
	"time"
)

// healthCacheTTL is how long /healthz answers with the last round of
// checks before it runs another: each round calls SQS, SNS, the store's
// database and, with -kms-key, KMS, so a burst of requests must not make
// a round each.
const healthCacheTTL = 2 * time.Second

// sharedHealth runs one round of checks at a time: a request that arrives
// during a round waits for it and takes its report, as do the requests of
// the next healthCacheTTL.
type sharedHealth struct {
	mu      sync.Mutex
	up      bool
	details any
	until   time.Time
	// running is closed when the round under way ends; nil between rounds.
	running chan struct{}
}

// check returns health's last report while it is fresh, else runs a round
// or waits for the one under way (or for ctx: a request that gives up
// reports down). A round whose check panics reports down to its waiters
// and leaves the next request to run a round. The round is detached from the request's cancellation,
// since others may wait for it; each check in it has its own timeout.
func (s *sharedHealth) check(ctx context.Context, health healthFunc) (bool, any) {
	s.mu.Lock()
	if time.Now().Before(s.until) {
		defer s.mu.Unlock()
		return s.up, s.details
	}
	if round := s.running; round != nil {
		s.mu.Unlock()
		select {
		case <-round:
			return s.last()
		case <-ctx.Done():
			return false, ctx.Err().Error()
		}
	}
	s.running = make(chan struct{})
	s.mu.Unlock()
	ended := false
	defer func() {
		if !ended { // a check panicked: its waiters report down, the next request runs a round
			s.end(false, "a health check panicked", time.Time{})
		}
	}()
	up, details := health(context.WithoutCancel(ctx))
	ended = true
	s.end(up, details, time.Now().Add(healthCacheTTL))
	return up, details
}

// end records a round's report, fresh until until, and lets its waiters go.
func (s *sharedHealth) end(up bool, details any, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.up, s.details, s.until = up, details, until
	close(s.running)
	s.running = nil
}

// last returns the report of the last round.
func (s *sharedHealth) last() (bool, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.up, s.details
}
