package awsbus

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// HealthReuse is how long HealthHandler answers with the report of its
// last round of checks before it runs another.
const HealthReuse = 2 * time.Second

// sharedHealth runs one round of t.Health at a time for every request of
// one HealthHandler, and hands its report to the requests that arrive
// within HealthReuse of its end, so that a burst of requests costs one
// round of AWS calls.
type sharedHealth struct {
	t     *Transport
	round singleflight.Group

	mu     sync.Mutex
	report HealthReport
	until  time.Time
}

// get returns a report at most HealthReuse old, running a round when there
// is none.
// The round is detached from the request's cancellation, since other
// requests wait for it; each of its checks is bounded by
// Config.HealthTimeout.
func (s *sharedHealth) get(ctx context.Context) HealthReport {
	if rep, ok := s.fresh(); ok {
		return rep
	}
	v, _, _ := s.round.Do("health", func() (any, error) {
		if rep, ok := s.fresh(); ok {
			return rep, nil
		}
		rep := s.t.Health(context.WithoutCancel(ctx))
		s.mu.Lock()
		s.report, s.until = rep, time.Now().Add(HealthReuse)
		s.mu.Unlock()
		return rep, nil
	})
	return v.(HealthReport)
}

// fresh returns the last report while it is within HealthReuse.
func (s *sharedHealth) fresh() (HealthReport, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.report, time.Now().Before(s.until)
}
