package awsbus

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// sharedHealth runs one round of t.Health at a time for every request of
// one HealthHandler, and hands its report to the requests that arrive
// within ttl of its end, so that a burst of requests costs one round of
// AWS calls. A ttl below zero runs a round per request.
type sharedHealth struct {
	t     *Transport
	ttl   time.Duration
	round singleflight.Group

	mu     sync.Mutex
	report HealthReport
	until  time.Time
}

// get returns a report at most ttl old, running a round when there is none.
// The round is detached from the request's cancellation, since other
// requests wait for it; each of its checks is bounded by
// Config.HealthTimeout.
func (s *sharedHealth) get(ctx context.Context) HealthReport {
	if s.ttl < 0 {
		return s.t.Health(ctx)
	}
	if rep, ok := s.fresh(); ok {
		return rep
	}
	v, _, _ := s.round.Do("health", func() (any, error) {
		if rep, ok := s.fresh(); ok {
			return rep, nil
		}
		rep := s.t.Health(context.WithoutCancel(ctx))
		s.mu.Lock()
		s.report, s.until = rep, time.Now().Add(s.ttl)
		s.mu.Unlock()
		return rep, nil
	})
	return v.(HealthReport)
}

// fresh returns the last report while it is within its ttl.
func (s *sharedHealth) fresh() (HealthReport, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.report, time.Now().Before(s.until)
}

// healthCacheTTLProblem reports a Config.HealthCacheTTL over
// MaxHealthCacheTTL.
func healthCacheTTLProblem(ttl time.Duration) error {
	if ttl > MaxHealthCacheTTL {
		return fmt.Errorf("HealthCacheTTL: %v, must be at most %v (a negative value runs a round of checks per request)",
			ttl, MaxHealthCacheTTL)
	}
	return nil
}
